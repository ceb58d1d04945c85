package fsm

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Replacements for gopher-lua library functions whose behaviour differs from
// Lua 5.1 in ways scripts observe (number formatting, string.format), that
// could leak state between calls (rawset, table.insert on the shared
// read-only tables), or that could run unbounded inside one instruction.

// charge counts n units of work done inside a Go library function against
// the instruction budget, so loops such as table.insert at position -1e9
// stop like Lua loops do.
func (vm *luaVM) charge(L *lua.LState, n int) {
	if n <= 0 {
		return
	}
	b := &vm.budget
	b.n += int64(n)
	if b.n > b.limit {
		b.exceeded = true
		L.RaiseError("%s", errBudgetExceeded.Error())
	}
}

// formatLuaNumber is Lua 5.1's number to string conversion, LUA_NUMBER_FMT
// "%.14g" (tostring, string.format("%s"), table.concat).
func formatLuaNumber(f float64) string {
	return formatCNumber(f, 14)
}

// formatCNumber formats f as C's printf("%.<prec>g") does with glibc.
func formatCNumber(f float64, prec int) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		if math.Signbit(f) {
			return "-nan"
		}
		return "nan"
	}
	return strconv.FormatFloat(f, 'g', prec, 64)
}

// luaStr2Number is Lua 5.1's luaO_str2d: strtod (decimal or hex, "inf" and
// "nan" included) with surrounding whitespace.
func luaStr2Number(s string) (float64, bool) {
	b := []byte(s)
	i := 0
	for i < len(b) && isCSpace(b[i]) {
		i++
	}
	r := cFloatPrefix(b[i:])
	if r.n == 0 {
		return 0, false
	}
	v, _ := cStrtod(r)
	if r.lit == "nan" && b[i] == '-' {
		v = math.Copysign(v, -1)
	}
	end := i + r.n
	for end < len(b) && isCSpace(b[end]) {
		end++
	}
	return v, end == len(b)
}

// checkNumber is luaL_checknumber: a number, or a string that converts.
func checkNumber(L *lua.LState, n int) float64 {
	switch v := L.Get(n).(type) {
	case lua.LNumber:
		return float64(v)
	case lua.LString:
		if f, ok := luaStr2Number(string(v)); ok {
			return f
		}
	}
	L.TypeError(n, lua.LTNumber)
	return 0
}

// checkInt is luaL_checkint: the number truncated to a C int.
func checkInt(L *lua.LState, n int) int {
	return int(int32(luaNumberToInt(checkNumber(L, n))))
}

// checkString is luaL_checklstring: a string, or a number converted with
// "%.14g".
func checkString(L *lua.LState, n int) string {
	switch v := L.Get(n).(type) {
	case lua.LString:
		return string(v)
	case lua.LNumber:
		return formatLuaNumber(float64(v))
	}
	L.TypeError(n, lua.LTString)
	return ""
}

// tostring is Lua 5.1's: __tostring, "%.14g" for numbers, and for tables,
// functions and threads a per-call sequence number in place of the address
// (an address would differ between replicas).
func (vm *luaVM) tostring(L *lua.LState) int {
	v := L.CheckAny(1)
	if mm := L.GetMetaField(v, "__tostring"); mm != lua.LNil {
		L.Push(mm)
		L.Push(v)
		L.Call(1, 1)
		return 1
	}
	L.Push(lua.LString(vm.toString(v)))
	return 1
}

func (vm *luaVM) toString(v lua.LValue) string {
	var kind string
	switch v.(type) {
	case *lua.LTable:
		kind = "table"
	case *lua.LFunction:
		kind = "function"
	case *lua.LState:
		kind = "thread"
	case *lua.LUserData:
		if isCjsonNull(v) {
			return "userdata: (nil)"
		}
		kind = "userdata"
	default:
		return luaToString(v)
	}
	id, ok := vm.ids[v]
	if !ok {
		id = len(vm.ids) + 1
		vm.ids[v] = id
	}
	return fmt.Sprintf("%s: 0x%08x", kind, 0x10000000+id*0x40)
}

// luaToString converts strings, numbers, booleans and nil as Lua does.
func luaToString(v lua.LValue) string {
	switch x := v.(type) {
	case lua.LNumber:
		return formatLuaNumber(float64(x))
	case lua.LString:
		return string(x)
	}
	return v.String()
}

// luaToNumber is Lua 5.1's tonumber.
func luaToNumber(L *lua.LState) int {
	v := L.CheckAny(1)
	base := 10
	if L.GetTop() >= 2 && L.Get(2) != lua.LNil {
		base = checkInt(L, 2)
	}
	if base != 10 {
		s := checkString(L, 1)
		if base < 2 || base > 36 {
			L.ArgError(2, "base out of range")
		}
		if n, ok := cStrtoul(s, base); ok {
			L.Push(lua.LNumber(n))
		} else {
			L.Push(lua.LNil)
		}
		return 1
	}
	switch x := v.(type) {
	case lua.LNumber:
		L.Push(x)
		return 1
	case lua.LString:
		if f, ok := luaStr2Number(string(x)); ok {
			L.Push(lua.LNumber(f))
			return 1
		}
	}
	L.Push(lua.LNil)
	return 1
}

// cStrtoul parses s as C's strtoul in the given base and reports whether it
// consumed at least one digit and only whitespace remains after it.
func cStrtoul(s string, base int) (float64, bool) {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	if base == 16 && i+2 < len(s) && s[i] == '0' && s[i+1]|0x20 == 'x' && digitVal(s[i+2]) < 16 {
		i += 2
	}
	start := i
	var n uint64
	overflow := false
	for i < len(s) {
		d := digitVal(s[i])
		if d >= base {
			break
		}
		if n > (math.MaxUint64-uint64(d))/uint64(base) {
			overflow = true
		}
		n = n*uint64(base) + uint64(d)
		i++
	}
	if i == start {
		return 0, false
	}
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	if i != len(s) {
		return 0, false
	}
	if overflow {
		n = math.MaxUint64
	} else if neg {
		n = -n
	}
	return float64(n), true
}

func digitVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c|0x20 >= 'a' && c|0x20 <= 'z':
		return int(c|0x20-'a') + 10
	}
	return 99
}

// luaError is Lua 5.1's error(): a string or number message gets the
// position of the caller prefixed; any other value is raised as is.
func (vm *luaVM) luaError(L *lua.LState) int {
	obj := L.Get(1)
	level := 1
	if L.GetTop() >= 2 {
		level = checkInt(L, 2)
	}
	if n, ok := obj.(lua.LNumber); ok {
		obj = lua.LString(formatLuaNumber(float64(n)))
	}
	if s, ok := obj.(lua.LString); ok && level > 0 {
		L.Error(s, level)
	}
	L.Error(obj, 0)
	return 0
}

// pcall is Redis's luaRedisPcall: like Lua's, except that an error table
// with an "err" field is returned as that string.
func (vm *luaVM) pcall(L *lua.LState) int {
	v := L.CheckAny(1)
	if v.Type() != lua.LTFunction && L.GetMetaField(v, "__call").Type() != lua.LTFunction {
		L.Push(lua.LFalse)
		L.Push(lua.LString("attempt to call a " + v.Type().String() + " value"))
		return 2
	}
	if err := L.PCall(L.GetTop()-1, lua.MultRet, nil); err != nil {
		var obj lua.LValue = lua.LString(err.Error())
		if ae, ok := err.(*lua.ApiError); ok && ae.Object != nil {
			obj = ae.Object
		}
		switch x := obj.(type) {
		case *lua.LTable:
			switch e := x.RawGetString("err").(type) {
			case lua.LString, lua.LNumber:
				obj = e
			}
		case lua.LString:
			obj = lua.LString(luaErrorMessage(string(x)))
		}
		L.Push(lua.LFalse)
		L.Push(obj)
		return 2
	}
	L.Insert(lua.LTrue, 1)
	return L.GetTop()
}

func (vm *luaVM) checkWritable(L *lua.LState, t *lua.LTable) {
	if vm.ro[t] {
		L.Error(lua.LString("Attempt to modify a readonly table"), 0)
	}
}

func (vm *luaVM) rawset(L *lua.LState) int {
	t := L.CheckTable(1)
	k := L.CheckAny(2)
	v := L.CheckAny(3)
	vm.checkWritable(L, t)
	switch x := k.(type) {
	case *lua.LNilType:
		L.RaiseError("table index is nil")
	case lua.LNumber:
		if math.IsNaN(float64(x)) {
			L.RaiseError("table index is NaN")
		}
	}
	t.RawSet(k, v)
	L.SetTop(1)
	return 1
}

// luaGetMetatable honours the __metatable field, which gopher-lua ignores.
func luaGetMetatable(L *lua.LState) int {
	mt := L.GetMetatable(L.CheckAny(1))
	if t, ok := mt.(*lua.LTable); ok {
		if p := t.RawGetString("__metatable"); p != lua.LNil {
			L.Push(p)
			return 1
		}
	}
	L.Push(mt)
	return 1
}

func luaZero(L *lua.LState) int {
	L.Push(lua.LNumber(0))
	return 1
}

// luaUnpack is Lua 5.1's unpack, which refuses to push more values than
// the C stack holds.
func luaUnpack(L *lua.LState) int {
	t := L.CheckTable(1)
	i := 1
	if L.GetTop() >= 2 && L.Get(2) != lua.LNil {
		i = checkInt(L, 2)
	}
	e := t.Len()
	if L.GetTop() >= 3 && L.Get(3) != lua.LNil {
		e = checkInt(L, 3)
	}
	if i > e {
		return 0
	}
	if n := int64(e) - int64(i) + 1; n >= 8000 {
		L.RaiseError("too many results to unpack")
	}
	for j := i; j <= e; j++ {
		L.Push(t.RawGetInt(j))
	}
	return e - i + 1
}

// loadstring compiles a chunk into a function of the script's sandbox.
func (vm *luaVM) loadstring(L *lua.LState) int {
	src := checkString(L, 1)
	name := src
	if L.GetTop() >= 2 && L.Get(2) != lua.LNil {
		name = checkString(L, 2)
	}
	return vm.loadChunk(L, []byte(src), name)
}

// load is Lua 5.1's load(func [, chunkname]).
func (vm *luaVM) load(L *lua.LState) int {
	reader := L.CheckFunction(1)
	name := "=(load)"
	if L.GetTop() >= 2 && L.Get(2) != lua.LNil {
		name = checkString(L, 2)
	}
	var buf []byte
	for {
		L.Push(reader)
		L.Call(0, 1)
		piece := L.Get(-1)
		L.Pop(1)
		if piece == lua.LNil {
			break
		}
		s, ok := piece.(lua.LString)
		if !ok {
			L.Push(lua.LNil)
			L.Push(lua.LString("reader function must return a string"))
			return 2
		}
		if s == "" {
			break
		}
		if len(buf)+len(s) > maxLuaString {
			L.RaiseError("resulting string too large")
		}
		buf = append(buf, s...)
	}
	return vm.loadChunk(L, buf, name)
}

func (vm *luaVM) loadChunk(L *lua.LState, src []byte, source string) int {
	name := luaChunkID(source)
	proto, errMsg := compileLua(src, name)
	vm.sources[name] = source
	if proto == nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(errMsg))
		return 2
	}
	fn := L.NewFunctionFromProto(proto)
	fn.Env = vm.env
	L.Push(fn)
	return 1
}

// luaChunkID is Lua 5.1's luaO_chunkid: how a chunk's source is shown in
// error messages.
func luaChunkID(source string) string {
	const idsize = 60
	switch {
	case strings.HasPrefix(source, "="):
		s := source[1:]
		if len(s) > idsize-1 {
			s = s[:idsize-1]
		}
		return s
	case strings.HasPrefix(source, "@"):
		s := source[1:]
		if len(s) > idsize-1 {
			s = "..." + s[len(s)-(idsize-4):]
		}
		return s
	}
	first, _, multi := strings.Cut(source, "\n")
	room := idsize - len(`[string "..."]`) - 1
	if multi || len(first) > room {
		if len(first) > room {
			first = first[:room]
		}
		return `[string "` + first + `..."]`
	}
	return `[string "` + first + `"]`
}

// luaStrRep is string.rep with a bound on the result.
func luaStrRep(L *lua.LState) int {
	s := checkString(L, 1)
	n := checkInt(L, 2)
	if n <= 0 || s == "" {
		L.Push(lua.LString(""))
		return 1
	}
	if int64(len(s))*int64(n) > maxLuaString {
		L.RaiseError("resulting string too large")
	}
	L.Push(lua.LString(strings.Repeat(s, n)))
	return 1
}

func (vm *luaVM) tableInsert(L *lua.LState) int {
	t := L.CheckTable(1)
	vm.checkWritable(L, t)
	e := t.Len() + 1
	switch L.GetTop() {
	case 2:
		t.RawSetInt(e, L.Get(2))
	case 3:
		pos := checkInt(L, 2)
		if pos > e {
			e = pos
		}
		vm.charge(L, e-pos)
		for i := e; i > pos; i-- {
			t.RawSetInt(i, t.RawGetInt(i-1))
		}
		t.RawSetInt(pos, L.Get(3))
	default:
		L.RaiseError("wrong number of arguments to 'insert'")
	}
	return 0
}

func (vm *luaVM) tableConcat(L *lua.LState) int {
	sep := ""
	if L.GetTop() >= 2 && L.Get(2) != lua.LNil {
		sep = checkString(L, 2)
	}
	t := L.CheckTable(1)
	i := 1
	if L.GetTop() >= 3 && L.Get(3) != lua.LNil {
		i = checkInt(L, 3)
	}
	last := t.Len()
	if L.GetTop() >= 4 && L.Get(4) != lua.LNil {
		last = checkInt(L, 4)
	}
	var b strings.Builder
	for ; i <= last; i++ {
		vm.charge(L, 1)
		var s string
		switch v := t.RawGetInt(i).(type) {
		case lua.LString:
			s = string(v)
		case lua.LNumber:
			s = formatLuaNumber(float64(v))
		default:
			L.RaiseError("invalid value (%s) at index %d in table for 'concat'", t.RawGetInt(i).Type().String(), i)
		}
		if b.Len()+len(s)+len(sep) > maxLuaString {
			L.RaiseError("resulting string too large")
		}
		b.WriteString(s)
		if i < last {
			b.WriteString(sep)
		}
	}
	L.Push(lua.LString(b.String()))
	return 1
}

func luaTableForeach(L *lua.LState) int {
	t := L.CheckTable(1)
	f := L.CheckFunction(2)
	for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
		L.Push(f)
		L.Push(k)
		L.Push(v)
		L.Call(2, 1)
		if r := L.Get(-1); r != lua.LNil {
			return 1
		}
		L.Pop(1)
	}
	return 0
}

func luaTableForeachi(L *lua.LState) int {
	t := L.CheckTable(1)
	f := L.CheckFunction(2)
	n := t.Len()
	for i := 1; i <= n; i++ {
		L.Push(f)
		L.Push(lua.LNumber(i))
		L.Push(t.RawGetInt(i))
		L.Call(2, 1)
		if r := L.Get(-1); r != lua.LNil {
			return 1
		}
		L.Pop(1)
	}
	return 0
}

// mathRandom is Redis's redis_math_random.
func (vm *luaVM) mathRandom(L *lua.LState) int {
	r := vm.rng.float()
	switch L.GetTop() {
	case 0:
		L.Push(lua.LNumber(r))
	case 1:
		u := checkInt(L, 1)
		if u < 1 {
			L.ArgError(1, "interval is empty")
		}
		L.Push(lua.LNumber(math.Floor(r*float64(u)) + 1))
	case 2:
		l, u := checkInt(L, 1), checkInt(L, 2)
		if l > u {
			L.ArgError(2, "interval is empty")
		}
		L.Push(lua.LNumber(math.Floor(r*float64(u-l+1)) + float64(l)))
	default:
		L.RaiseError("wrong number of arguments")
	}
	return 1
}

func (vm *luaVM) mathRandomseed(L *lua.LState) int {
	vm.rng.seed(int32(checkInt(L, 1)))
	return 0
}

// coroutine wraps coroutine.create and coroutine.wrap so that the new
// thread counts its instructions against the script's budget (gopher-lua
// gives threads a child context that the budget would never cancel).
func (vm *luaVM) coroutine(L *lua.LState, orig *lua.LFunction, wrap bool) int {
	fn := L.CheckFunction(1)
	L.Push(orig)
	L.Push(fn)
	L.Call(1, 1)
	var th *lua.LState
	switch v := L.Get(-1).(type) {
	case *lua.LState:
		th = v
	case *lua.LFunction:
		if wrap && len(v.Upvalues) > 0 {
			th, _ = v.Upvalues[0].Value().(*lua.LState)
		}
	}
	if th == nil {
		L.RaiseError("cannot create coroutine")
	}
	th.SetContext(&vm.budget)
	return 1
}

// strFormat is Lua 5.1's string.format on C printf semantics (gopher-lua
// hands the format to Go's fmt, which differs and prints addresses for %s
// of a table).
func (vm *luaVM) strFormat(L *lua.LState) int {
	format := checkString(L, 1)
	top := L.GetTop()
	arg := 1
	var b strings.Builder
	for i := 0; i < len(format); {
		c := format[i]
		if c != '%' {
			b.WriteByte(c)
			i++
			continue
		}
		i++
		if i < len(format) && format[i] == '%' {
			b.WriteByte('%')
			i++
			continue
		}
		arg++
		if arg > top {
			L.ArgError(arg, "no value")
		}
		start := i
		for i < len(format) && strings.IndexByte("-+ #0", format[i]) >= 0 {
			i++
		}
		if i-start >= 6 {
			L.RaiseError("invalid format (repeated flags)")
		}
		flags := format[start:i]
		width, prec := "", ""
		hasPrec := false
		w := i
		for k := 0; k < 2 && i < len(format) && isDigit(format[i]); k++ {
			i++
		}
		width = format[w:i]
		if i < len(format) && format[i] == '.' {
			i++
			hasPrec = true
			p := i
			for k := 0; k < 2 && i < len(format) && isDigit(format[i]); k++ {
				i++
			}
			prec = format[p:i]
		}
		if i < len(format) && isDigit(format[i]) {
			L.RaiseError("invalid format (width or precision too long)")
		}
		verb := byte(0)
		if i < len(format) {
			verb = format[i]
			i++
		}
		wid, _ := strconv.Atoi(width)
		pr, _ := strconv.Atoi(prec)
		spec := func(goVerb byte, fl string) string {
			s := "%" + fl + width
			if hasPrec {
				s += "." + prec
			}
			return s + string(goVerb)
		}
		switch verb {
		case 'c':
			ch := string([]byte{byte(luaNumberToInt(checkNumber(L, arg)))})
			b.WriteString(cString(padC(ch, wid, strings.Contains(flags, "-"))))
		case 'd', 'i':
			n := luaNumberToInt(checkNumber(L, arg))
			b.WriteString(fmt.Sprintf(spec('d', flags), n))
		case 'o', 'u', 'x', 'X':
			n := uint64(luaNumberToInt(checkNumber(L, arg)))
			fl := strings.NewReplacer("+", "", " ", "").Replace(flags)
			gv := verb
			if verb == 'u' {
				gv = 'd'
				fl = strings.ReplaceAll(fl, "#", "")
			}
			b.WriteString(fmt.Sprintf(spec(gv, fl), n))
		case 'e', 'E', 'f', 'g', 'G':
			f := checkNumber(L, arg)
			if math.IsInf(f, 0) || math.IsNaN(f) {
				s := formatCNumber(f, 1)
				if !math.Signbit(f) || math.IsNaN(f) && !strings.HasPrefix(s, "-") {
					if strings.Contains(flags, "+") {
						s = "+" + s
					} else if strings.Contains(flags, " ") {
						s = " " + s
					}
				}
				if verb == 'E' || verb == 'G' {
					s = strings.ToUpper(s)
				}
				b.WriteString(padC(s, wid, strings.Contains(flags, "-")))
				break
			}
			if !hasPrec {
				hasPrec, prec = true, "6"
			}
			b.WriteString(fmt.Sprintf(spec(verb, flags), f))
		case 'q':
			s := checkString(L, arg)
			b.WriteByte('"')
			for k := 0; k < len(s); k++ {
				switch s[k] {
				case '"', '\\', '\n':
					b.WriteByte('\\')
					b.WriteByte(s[k])
				case '\r':
					b.WriteString(`\r`)
				case 0:
					b.WriteString(`\000`)
				default:
					b.WriteByte(s[k])
				}
			}
			b.WriteByte('"')
		case 's':
			s := checkString(L, arg)
			if !hasPrec && len(s) >= 100 {
				b.WriteString(s)
				break
			}
			s = cString(s)
			if hasPrec && pr < len(s) {
				s = s[:pr]
			}
			b.WriteString(padC(s, wid, strings.Contains(flags, "-")))
		case 0:
			L.RaiseError("%s", "invalid option '%' to 'format'")
		default:
			L.RaiseError("invalid option '%%%c' to 'format'", verb)
		}
		if b.Len() > maxLuaString {
			L.RaiseError("resulting string too large")
		}
	}
	L.Push(lua.LString(b.String()))
	return 1
}

// cString cuts s at its first NUL, as C's string functions see it.
func cString(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}

// padC pads s with spaces to width, on the right when left is set.
func padC(s string, width int, left bool) string {
	if len(s) >= width {
		return s
	}
	pad := strings.Repeat(" ", width-len(s))
	if left {
		return s + pad
	}
	return pad + s
}

// luaErrorMessage rewrites gopher-lua's runtime error messages into the
// words of Lua 5.1 where they differ in form only.
func luaErrorMessage(msg string) string {
	for _, r := range luaMessageRewrites {
		msg = r.re.ReplaceAllString(msg, r.repl)
	}
	msg = luaCompareRE.ReplaceAllStringFunc(msg, func(m string) string {
		p := luaCompareRE.FindStringSubmatch(m)
		if p[1] == p[2] {
			return "attempt to compare two " + p[1] + " values"
		}
		return m
	})
	return luaOperandRE.ReplaceAllStringFunc(msg, func(m string) string {
		p := luaOperandRE.FindStringSubmatch(m)
		op, a, b := p[1], p[2], p[3]
		if op == "concat" {
			if a == "string" || a == "number" {
				a = b
			}
			return "attempt to concatenate a " + a + " value"
		}
		if a == "number" {
			a = b
		}
		return "attempt to perform arithmetic on a " + a + " value"
	})
}

var luaCompareRE = regexp.MustCompile(`attempt to compare (\w+) with (\w+)`)

var luaOperandRE = regexp.MustCompile(`cannot perform (\w+) operation between (\w+) and (\w+)`)

var luaMessageRewrites = []struct {
	re   *regexp.Regexp
	repl string
}{
	// gopher-lua leaves the function name of argument errors unquoted.
	{regexp.MustCompile(`bad argument #(\d+) to ([^ ']+) \(`), "bad argument #$1 to '$2' ("},
	{regexp.MustCompile(`\(value expected\)`), "(value expected)"},
	{regexp.MustCompile(`attempt to index a non-table object\((\w+)\) with key '[^']*'`), "attempt to index a $1 value"},
	{regexp.MustCompile(`attempt to index a non-table object\((\w+)\)`), "attempt to index a $1 value"},
	{regexp.MustCompile(`attempt to call a non-function object`), "attempt to call a nil value"},
	// gopher-lua does not say which type lacks the metamethod; nil is
	// the usual culprit (a missing variable or field).
	{regexp.MustCompile(`__unm undefined`), "attempt to perform arithmetic on a nil value"},
	{regexp.MustCompile(`__len undefined`), "attempt to get length of a nil value"},
}
