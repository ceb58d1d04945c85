package fsm

import (
	"context"
	"errors"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redraft/redraft/reply"
	lua "github.com/yuin/gopher-lua"
)

// The Lua sandbox. Scripts run on gopher-lua (Lua 5.1, like Redis) inside
// the state machine, so everything a script can observe must be a function of
// the replicated state and the log entry:
//
//   - only the base, table, string, math and coroutine libraries plus
//     redis, bit and cjson are reachable; os, io, debug, package, print, dofile,
//     loadfile, require, module, getfenv and setfenv are not (as in Redis
//     7.0, which also removes all of these);
//   - globals and library tables are read-only. Scripts see empty proxy
//     tables whose reads fall through to the real ones, so nothing a script
//     does (even rawset or table.insert, which are guarded) survives the
//     call: a replica restored from a snapshot runs the next script exactly
//     like one that ran every script since the beginning;
//   - math.random is Redis's rand48 generator, seeded at the start of every
//     call from the log entry's random source (reads: from the read's seed);
//   - tostring of tables and functions prints per-call sequence numbers
//     instead of addresses, and collectgarbage/gcinfo report 0;
//   - a deterministic instruction budget stops runaway scripts at the same
//     instruction on every replica (see budgetCtx).

// defaultScriptBudget is the number of VM instructions one script call may
// execute before it is stopped.
const defaultScriptBudget = 100_000_000

// maxLuaString bounds the strings string.rep, table.concat and
// string.format may build.
const maxLuaString = 64 << 20

// maxReplyDepth bounds the nesting of a script's reply (a table that
// contains itself would otherwise recurse forever). It is the depth the
// reply codec accepts, because a reply may be stored in the
// de-duplication table (and its snapshots) or forwarded to another node.
const maxReplyDepth = reply.MaxDepth

var errBudgetExceeded = errors.New("script instruction budget exceeded")

// budgetCtx is the context gopher-lua consults once per VM instruction (its
// mainLoopWithContext calls Done before executing each instruction). Done
// counts the calls and reports cancellation once the budget is spent, so a
// runaway script stops at the same instruction on every replica, whatever
// the machine's speed. While the budget lasts Done returns a nil channel,
// which also keeps context.WithCancel (used for coroutines) from starting a
// goroutine to watch it.
type budgetCtx struct {
	n, limit int64
	exceeded bool
}

var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

func (b *budgetCtx) Deadline() (time.Time, bool) { return time.Time{}, false }
func (b *budgetCtx) Value(any) any               { return nil }

func (b *budgetCtx) Done() <-chan struct{} {
	b.n++
	if b.n > b.limit {
		b.exceeded = true
		return closedChan
	}
	return nil
}

func (b *budgetCtx) Err() error {
	if b.exceeded {
		return errBudgetExceeded
	}
	return nil
}

var _ context.Context = (*budgetCtx)(nil)

// rand48 is Redis's redisLrand48 (the POSIX lrand48 generator), which backs
// math.random and math.randomseed in Redis scripts.
type rand48 struct{ x uint64 }

func (r *rand48) seed(s int32) { r.x = uint64(uint32(s))<<16 | 0x330E }

func (r *rand48) next() int32 {
	r.x = (0x5DEECE66D*r.x + 0xB) & (1<<48 - 1)
	return int32(r.x >> 17)
}

// float returns a number in [0, 1) as Redis's redis_math_random does.
func (r *rand48) float() float64 {
	const max = math.MaxInt32
	return float64(r.next()%max) / max
}

// scriptRun is the state of one script call that the redis.* functions use.
type scriptRun struct {
	c        Ctx // the script's own context: SELECT changes only this one
	sha      string
	readonly bool
	resp     int
	// errLine is the line of the innermost Lua frame when an error was
	// raised, found by the error handler (-1 when unknown).
	errLine   int
	errSource string
}

// luaVM is one Lua state with its sandbox. A VM runs one script at a time.
type luaVM struct {
	L    *lua.LState
	env  *lua.LTable // _G as scripts see it: a read-only proxy of base
	base *lua.LTable // the globals: functions, library proxies, KEYS, ARGV
	// ro holds the tables a script must not modify even with rawset or
	// table.insert: the proxies, which are shared by every call.
	ro     map[*lua.LTable]bool
	roFn   *lua.LFunction
	errFn  *lua.LFunction
	budget budgetCtx
	rng    rand48
	run    *scriptRun
	// ids numbers the tables and functions tostring prints, per call.
	ids map[lua.LValue]int
	// cjson holds the cjson settings, reset for every call.
	cjson cjsonConfig
	// sources maps the chunk names of loadstring chunks to their source,
	// which Redis shows in the error suffix; per call.
	sources map[string]string
}

func newLuaVM() *luaVM {
	L := lua.NewState(lua.Options{
		SkipOpenLibs:        true,
		CallStackSize:       lua.CallStackSize * 4,
		RegistrySize:        lua.RegistrySize,
		RegistryMaxSize:     lua.RegistrySize * 256,
		MinimizeStackMemory: true,
	})
	vm := &luaVM{L: L, ro: make(map[*lua.LTable]bool), ids: make(map[lua.LValue]int),
		sources: make(map[string]string)}
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.BaseLibName, lua.OpenBase}, {lua.TabLibName, lua.OpenTable},
		{lua.StringLibName, lua.OpenString}, {lua.MathLibName, lua.OpenMath},
		{lua.CoroutineLibName, lua.OpenCoroutine},
	} {
		L.Push(L.NewFunction(lib.open))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	real := L.G.Global
	vm.roFn = L.NewFunction(func(L *lua.LState) int {
		L.RaiseError("Attempt to modify a readonly table")
		return 0
	})
	vm.errFn = L.NewFunction(vm.onError)

	base := L.NewTable()
	vm.base = base
	// Library tables are copied in a fixed order (gopher-lua registers them
	// from Go maps), then overridden where the sandbox needs it.
	lib := func(name string, keep []string, extra map[string]lua.LValue) *lua.LTable {
		t := L.NewTable()
		src, _ := real.RawGetString(name).(*lua.LTable)
		for _, k := range keep {
			if v := src.RawGetString(k); v != lua.LNil {
				t.RawSetString(k, v)
			}
		}
		for _, k := range sortedKeys(extra) {
			t.RawSetString(k, extra[k])
		}
		return vm.readonly(t)
	}
	fn := func(f lua.LGFunction) lua.LValue { return L.NewFunction(f) }

	for _, name := range []string{"assert", "ipairs", "next", "pairs", "rawequal", "rawget",
		"select", "setmetatable", "type", "xpcall"} {
		base.RawSetString(name, real.RawGetString(name))
	}
	base.RawSetString("_VERSION", lua.LString("Lua 5.1"))
	globals := map[string]lua.LGFunction{
		"error":          vm.luaError,
		"pcall":          vm.pcall,
		"rawset":         vm.rawset,
		"getmetatable":   luaGetMetatable,
		"tostring":       vm.tostring,
		"tonumber":       luaToNumber,
		"unpack":         luaUnpack,
		"collectgarbage": luaZero,
		"gcinfo":         luaZero,
		"loadstring":     vm.loadstring,
		"load":           vm.load,
	}
	for _, k := range sortedKeys(globals) {
		base.RawSetString(k, fn(globals[k]))
	}

	strProxy := lib("string", []string{"byte", "char", "dump", "find", "gfind", "gmatch", "gsub",
		"len", "lower", "match", "reverse", "sub", "upper"},
		map[string]lua.LValue{"rep": fn(luaStrRep), "format": fn(vm.strFormat)})
	base.RawSetString("string", strProxy)
	base.RawSetString("table", lib("table", []string{"getn", "maxn", "remove", "sort"},
		map[string]lua.LValue{"insert": fn(vm.tableInsert), "concat": fn(vm.tableConcat),
			"foreach": fn(luaTableForeach), "foreachi": fn(luaTableForeachi)}))
	base.RawSetString("math", lib("math", []string{"abs", "acos", "asin", "atan", "atan2", "ceil",
		"cos", "cosh", "deg", "exp", "floor", "fmod", "frexp", "huge", "ldexp", "log", "log10",
		"max", "min", "mod", "modf", "pi", "pow", "rad", "sin", "sinh", "sqrt", "tan", "tanh"},
		map[string]lua.LValue{"random": fn(vm.mathRandom), "randomseed": fn(vm.mathRandomseed)}))
	co, _ := real.RawGetString("coroutine").(*lua.LTable)
	coCreate, _ := co.RawGetString("create").(*lua.LFunction)
	coWrap, _ := co.RawGetString("wrap").(*lua.LFunction)
	base.RawSetString("coroutine", lib("coroutine", []string{"resume", "running", "status", "yield"},
		map[string]lua.LValue{
			"create": fn(func(L *lua.LState) int { return vm.coroutine(L, coCreate, false) }),
			"wrap":   fn(func(L *lua.LState) int { return vm.coroutine(L, coWrap, true) }),
		}))
	base.RawSetString("redis", vm.readonly(vm.redisLib()))
	base.RawSetString("bit", vm.readonly(bitLib(L)))
	vm.cjson = cjsonDefaults
	base.RawSetString("cjson", vm.readonly(cjsonLib(L, &vm.cjson)))

	// The string metatable sends method calls ("x"):upper() to the
	// proxy, and getmetatable("") shows a read-only view of it.
	if mt, ok := L.GetMetatable(lua.LString("")).(*lua.LTable); ok {
		mt.RawSetString("__index", strProxy)
		view := L.NewTable()
		view.RawSetString("__index", strProxy)
		mt.RawSetString("__metatable", vm.readonly(view))
	}

	missing := L.NewTable()
	missing.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		L.RaiseError("Script attempted to access nonexistent global variable '%s'", luaToString(L.Get(2)))
		return 0
	}))
	base.Metatable = missing
	vm.env = vm.readonly(base)
	if m, ok := vm.env.Metatable.(*lua.LTable); ok {
		m.RawSetString("__metatable", vm.readonly(L.NewTable()))
	}
	base.RawSetString("_G", vm.env)
	vm.ro[base] = true
	L.SetContext(&vm.budget)
	return vm
}

// readonly returns an empty table whose reads fall through to t and whose
// writes raise Redis's readonly error.
func (vm *luaVM) readonly(t *lua.LTable) *lua.LTable {
	p := vm.L.NewTable()
	m := vm.L.NewTable()
	m.RawSetString("__index", t)
	m.RawSetString("__newindex", vm.roFn)
	m.RawSetString("__metatable", lua.LFalse)
	p.Metatable = m
	vm.ro[p] = true
	return p
}

// call runs a compiled script and converts its result (or error) to a reply.
func (vm *luaVM) call(run *scriptRun, proto *lua.FunctionProto, keys, argv [][]byte, budget int64) reply.Value {
	L := vm.L
	vm.run = run
	run.errLine = -1
	vm.budget = budgetCtx{limit: budget}
	vm.rng.x = run.c.rand().Uint64() & (1<<48 - 1)
	vm.cjson = cjsonDefaults
	clear(vm.ids)
	clear(vm.sources)
	vm.base.RawSetString("KEYS", stringsTable(L, keys))
	vm.base.RawSetString("ARGV", stringsTable(L, argv))
	defer func() {
		vm.base.RawSetString("KEYS", lua.LNil)
		vm.base.RawSetString("ARGV", lua.LNil)
		vm.run = nil
		clear(vm.ids)
		L.SetTop(0)
		L.G.CurrentThread = L.G.MainThread
	}()
	fn := L.NewFunctionFromProto(proto)
	fn.Env = vm.env
	L.Push(fn)
	err := L.PCall(0, 1, vm.errFn)
	switch {
	case vm.budget.exceeded:
		return reply.Err("ERR Script exceeded the instruction budget of " +
			strconv.FormatInt(budget, 10) + " instructions" + vm.errSuffix())
	case err != nil:
		var obj lua.LValue = lua.LString(err.Error())
		if ae, ok := err.(*lua.ApiError); ok && ae.Object != nil {
			obj = ae.Object
		}
		return reply.Err(vm.errorText(obj) + vm.errSuffix())
	}
	return vm.toReply(L.Get(-1), 0)
}

// errSuffix is what Redis appends to the error of a failed script: which
// script and where.
func (vm *luaVM) errSuffix() string {
	r := vm.run
	if r.errLine < 0 {
		return ""
	}
	return " script: " + r.sha + ", on " + r.errSource + ":" + strconv.Itoa(r.errLine) + "."
}

// errorText turns a raised Lua value into the error text Redis replies with
// (before the script/line suffix): error tables carry their own text, other
// values become "ERR <value>".
func (vm *luaVM) errorText(obj lua.LValue) string {
	switch v := obj.(type) {
	case *lua.LTable:
		switch e := v.RawGetString("err").(type) {
		case lua.LString:
			return string(e)
		case lua.LNumber:
			return formatLuaNumber(float64(e))
		}
		return "ERR unknown error"
	case lua.LString:
		return "ERR " + luaErrorMessage(string(v))
	}
	return "ERR " + luaToString(obj)
}

// onError is the message handler of the top-level pcall, Redis's
// __redis__err__handler: it records where the error was raised, i.e. the
// innermost Lua function on the stack.
func (vm *luaVM) onError(L *lua.LState) int {
	for level := 1; ; level++ {
		dbg, ok := L.GetStack(level)
		if !ok {
			break
		}
		if _, err := L.GetInfo("Sl", dbg, lua.LNil); err != nil || dbg.CurrentLine < 0 {
			continue
		}
		if vm.run != nil {
			vm.run.errLine = dbg.CurrentLine
			vm.run.errSource = dbg.Source
			if dbg.Source == scriptChunkName {
				vm.run.errSource = "@" + scriptChunkName
			} else if src, ok := vm.sources[dbg.Source]; ok {
				vm.run.errSource = src
			}
		}
		break
	}
	L.Push(L.Get(1))
	return 1
}

// raise raises a Redis error table {err="ERR msg"} (Redis's luaPushError
// followed by lua_error).
func raise(L *lua.LState, msg string) {
	L.Error(errorTable(L, msg), 0)
}

// errorTable builds the {err=...} table Redis's luaPushErrorBuff does: a
// message that starts with '-' carries its own error code, any other gets
// "ERR"; CR and LF at either end are trimmed.
func errorTable(L *lua.LState, msg string) *lua.LTable {
	code := "ERR"
	if strings.HasPrefix(msg, "-") {
		if c, rest, ok := strings.Cut(msg[1:], " "); ok {
			code, msg = c, rest
		} else {
			msg = msg[1:]
		}
	}
	t := L.NewTable()
	t.RawSetString("err", lua.LString(code+" "+strings.Trim(msg, "\r\n")))
	return t
}

// toReply converts a script's return value as Redis's luaReplyToRedisReply
// does.
func (vm *luaVM) toReply(v lua.LValue, depth int) reply.Value {
	switch x := v.(type) {
	case lua.LString:
		return reply.Bulk([]byte(string(x)))
	case lua.LBool:
		if vm.run.resp == 3 {
			return reply.Bool(bool(x))
		}
		if x {
			return reply.Int(1)
		}
		return reply.Null()
	case lua.LNumber:
		return reply.Int(luaNumberToInt(float64(x)))
	case *lua.LTable:
		if depth >= maxReplyDepth {
			return reply.Err("ERR reached lua stack limit")
		}
		if e, ok := x.RawGetString("err").(lua.LString); ok {
			return reply.Err(string(e))
		}
		if s, ok := x.RawGetString("ok").(lua.LString); ok {
			return reply.Simple(strings.NewReplacer("\r", " ", "\n", " ").Replace(string(s)))
		}
		if d, ok := x.RawGetString("double").(lua.LNumber); ok {
			return reply.Double(formatDouble(float64(d)))
		}
		if s, ok := x.RawGetString("big_number").(lua.LString); ok {
			return reply.BulkString(strings.NewReplacer("\r", " ", "\n", " ").Replace(string(s)))
		}
		if vt, ok := x.RawGetString("verbatim_string").(*lua.LTable); ok {
			_, okf := vt.RawGetString("format").(lua.LString)
			s, oks := vt.RawGetString("string").(lua.LString)
			if okf && oks {
				return reply.Verbatim(string(s))
			}
		}
		if m, ok := x.RawGetString("map").(*lua.LTable); ok {
			var pairs []reply.Value
			luaForEach(m, func(k, val lua.LValue) {
				pairs = append(pairs, vm.toReply(k, depth+1), vm.toReply(val, depth+1))
			})
			return reply.Map(pairs)
		}
		if s, ok := x.RawGetString("set").(*lua.LTable); ok {
			var elems []reply.Value
			luaForEach(s, func(k, _ lua.LValue) {
				elems = append(elems, vm.toReply(k, depth+1))
			})
			return reply.Set(elems)
		}
		var elems []reply.Value
		for j := 1; ; j++ {
			e := x.RawGetInt(j)
			if e == lua.LNil {
				break
			}
			elems = append(elems, vm.toReply(e, depth+1))
		}
		return reply.Array(elems)
	}
	return reply.Null()
}

// luaNumberToInt is C's (long long) cast of a double on x86-64: truncation
// toward zero, and the "integer indefinite" value for NaN and out-of-range
// numbers.
func luaNumberToInt(f float64) int64 {
	if f != f || f >= 0x1p63 || f < -0x1p63 {
		return math.MinInt64
	}
	return int64(f)
}

// fromReply converts a command's reply to a Lua value as Redis's
// redisProtocolToLuaType does for the RESP version the script selected.
func fromReply(L *lua.LState, v reply.Value, resp int) lua.LValue {
	switch v.Kind {
	case reply.KindSimple:
		t := L.NewTable()
		t.RawSetString("ok", lua.LString(v.Str))
		return t
	case reply.KindError:
		t := errorTable(L, "-"+string(v.Str))
		t.RawSetString("ignore_error_stats_update", lua.LTrue)
		return t
	case reply.KindInt:
		return lua.LNumber(v.Int)
	case reply.KindBulk:
		return lua.LString(v.Str)
	case reply.KindNull, reply.KindNullArray:
		if resp == 3 {
			return lua.LNil
		}
		return lua.LFalse
	case reply.KindArray:
		return arrayTable(L, v.Elems, resp)
	case reply.KindMap:
		if resp != 3 {
			return arrayTable(L, v.Elems, resp)
		}
		m := L.NewTable()
		for i := 0; i+1 < len(v.Elems); i += 2 {
			if k := fromReply(L, v.Elems[i], resp); k != lua.LNil {
				m.RawSet(k, fromReply(L, v.Elems[i+1], resp))
			}
		}
		t := L.NewTable()
		t.RawSetString("map", m)
		return t
	case reply.KindSet:
		if resp != 3 {
			return arrayTable(L, v.Elems, resp)
		}
		s := L.NewTable()
		for _, e := range v.Elems {
			if k := fromReply(L, e, resp); k != lua.LNil {
				s.RawSet(k, lua.LTrue)
			}
		}
		t := L.NewTable()
		t.RawSetString("set", s)
		return t
	case reply.KindDouble:
		if resp != 3 {
			return lua.LString(v.Str)
		}
		f, _ := strconv.ParseFloat(string(v.Str), 64)
		t := L.NewTable()
		t.RawSetString("double", lua.LNumber(f))
		return t
	case reply.KindBool:
		if resp == 3 {
			return lua.LBool(v.Int != 0)
		}
		return lua.LNumber(v.Int)
	case reply.KindVerbatim:
		if resp != 3 {
			return lua.LString(v.Str)
		}
		vt := L.NewTable()
		vt.RawSetString("format", lua.LString("txt"))
		vt.RawSetString("string", lua.LString(v.Str))
		t := L.NewTable()
		t.RawSetString("verbatim_string", vt)
		return t
	}
	return lua.LFalse
}

func arrayTable(L *lua.LState, elems []reply.Value, resp int) *lua.LTable {
	t := L.CreateTable(len(elems), 0)
	for i, e := range elems {
		t.RawSetInt(i+1, fromReply(L, e, resp))
	}
	return t
}

func stringsTable(L *lua.LState, items [][]byte) *lua.LTable {
	t := L.CreateTable(len(items), 0)
	for i, it := range items {
		t.RawSetInt(i+1, lua.LString(it))
	}
	return t
}

// luaForEach visits t in the order of next() and pairs(): the array part,
// then the other keys in insertion order. (LTable.ForEach ranges over Go
// maps, whose order differs from run to run.)
func luaForEach(t *lua.LTable, fn func(k, v lua.LValue)) {
	for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
		fn(k, v)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
