package fsm

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"
)

// cjson is the lua-cjson 2.1.0 library Redis ships: encode and decode with
// its defaults, error messages and number formatting. The configuration
// functions work, but (unlike Redis, where they change the Lua state for
// every later script) their settings last for the current call only: a
// setting that outlived the call would not survive a snapshot restore.

type cjsonConfig struct {
	sparseConvert  bool
	sparseRatio    int
	sparseSafe     int
	encodeMaxDepth int
	decodeMaxDepth int
	precision      int
	encodeInvalid  bool
	decodeInvalid  bool
	encodeKeepBuf  bool
}

var cjsonDefaults = cjsonConfig{sparseRatio: 2, sparseSafe: 10, encodeMaxDepth: 1000,
	decodeMaxDepth: 1000, precision: 14, decodeInvalid: true, encodeKeepBuf: true}

// cjsonNull is cjson.null, a light userdata NULL in Redis.
var cjsonNullTag = new(int)

func isCjsonNull(v lua.LValue) bool {
	ud, ok := v.(*lua.LUserData)
	return ok && ud.Value == cjsonNullTag
}

// cjsonLib builds a cjson module whose settings live in cfg.
func cjsonLib(L *lua.LState, cfg *cjsonConfig) *lua.LTable {
	null := L.NewUserData()
	null.Value = cjsonNullTag
	fns := map[string]lua.LGFunction{
		"encode": func(L *lua.LState) int {
			if L.GetTop() != 1 {
				L.ArgError(1, "expected 1 argument")
			}
			var b strings.Builder
			cjsonEncode(L, cfg, &b, L.Get(1), 0)
			L.Push(lua.LString(b.String()))
			return 1
		},
		"decode": func(L *lua.LState) int {
			if L.GetTop() != 1 {
				L.ArgError(1, "expected 1 argument")
			}
			d := &cjsonDecoder{L: L, cfg: cfg, s: checkString(L, 1), null: null}
			tok := d.next()
			v := d.value(tok)
			if tok = d.next(); tok.typ != jsonEnd {
				d.fail("the end", tok)
			}
			L.Push(v)
			return 1
		},
		"encode_sparse_array": func(L *lua.LState) int {
			c := *cfg
			if L.GetTop() >= 1 && L.Get(1) != lua.LNil {
				c.sparseConvert = cjsonBoolOpt(L, 1)
			}
			if L.GetTop() >= 2 && L.Get(2) != lua.LNil {
				c.sparseRatio = cjsonIntOpt(L, 2, 0, math.MaxInt32)
			}
			if L.GetTop() >= 3 && L.Get(3) != lua.LNil {
				c.sparseSafe = cjsonIntOpt(L, 3, 0, math.MaxInt32)
			}
			*cfg = c
			L.Push(lua.LBool(c.sparseConvert))
			L.Push(lua.LNumber(c.sparseRatio))
			L.Push(lua.LNumber(c.sparseSafe))
			return 3
		},
		"encode_max_depth": func(L *lua.LState) int {
			return cjsonIntSetting(L, &cfg.encodeMaxDepth, 1, math.MaxInt32)
		},
		"decode_max_depth": func(L *lua.LState) int {
			return cjsonIntSetting(L, &cfg.decodeMaxDepth, 1, math.MaxInt32)
		},
		"encode_number_precision": func(L *lua.LState) int {
			return cjsonIntSetting(L, &cfg.precision, 1, 14)
		},
		"encode_keep_buffer": func(L *lua.LState) int {
			return cjsonBoolSetting(L, &cfg.encodeKeepBuf)
		},
		"encode_invalid_numbers": func(L *lua.LState) int {
			return cjsonBoolSetting(L, &cfg.encodeInvalid)
		},
		"decode_invalid_numbers": func(L *lua.LState) int {
			return cjsonBoolSetting(L, &cfg.decodeInvalid)
		},
	}
	t := L.NewTable()
	for _, k := range sortedKeys(fns) {
		t.RawSetString(k, L.NewFunction(fns[k]))
	}
	t.RawSetString("new", L.NewFunction(func(L *lua.LState) int {
		c := cjsonDefaults
		L.Push(cjsonLib(L, &c))
		return 1
	}))
	t.RawSetString("null", null)
	t.RawSetString("_NAME", lua.LString("cjson"))
	t.RawSetString("_VERSION", lua.LString("2.1.0"))
	return t
}

func cjsonBoolOpt(L *lua.LState, n int) bool {
	switch v := L.Get(n).(type) {
	case lua.LBool:
		return bool(v)
	case lua.LString:
		switch v {
		case "on":
			return true
		case "off":
			return false
		}
	}
	L.ArgError(n, "invalid option '"+luaToString(L.Get(n))+"'")
	return false
}

func cjsonIntOpt(L *lua.LState, n, lo, hi int) int {
	v := checkInt(L, n)
	if v < lo || v > hi {
		L.ArgError(n, "expected integer between "+strconv.Itoa(lo)+" and "+strconv.Itoa(hi))
	}
	return v
}

func cjsonIntSetting(L *lua.LState, p *int, lo, hi int) int {
	if L.GetTop() >= 1 && L.Get(1) != lua.LNil {
		*p = cjsonIntOpt(L, 1, lo, hi)
	}
	L.Push(lua.LNumber(*p))
	return 1
}

func cjsonBoolSetting(L *lua.LState, p *bool) int {
	if L.GetTop() >= 1 && L.Get(1) != lua.LNil {
		*p = cjsonBoolOpt(L, 1)
	}
	L.Push(lua.LBool(*p))
	return 1
}

func cjsonEncode(L *lua.LState, cfg *cjsonConfig, b *strings.Builder, v lua.LValue, depth int) {
	if b.Len() > maxLuaString {
		L.RaiseError("resulting string too large")
	}
	switch x := v.(type) {
	case *lua.LNilType:
		b.WriteString("null")
	case lua.LBool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case lua.LNumber:
		cjsonNumber(L, cfg, b, float64(x))
	case lua.LString:
		cjsonString(b, string(x))
	case *lua.LTable:
		depth++
		if depth > cfg.encodeMaxDepth {
			L.RaiseError("Cannot serialise, excessive nesting (%d)", depth)
		}
		n := cjsonArrayLen(L, cfg, x)
		if n > 0 {
			b.WriteByte('[')
			for i := 1; i <= n; i++ {
				if i > 1 {
					b.WriteByte(',')
				}
				cjsonEncode(L, cfg, b, x.RawGetInt(i), depth)
			}
			b.WriteByte(']')
			return
		}
		b.WriteByte('{')
		first := true
		luaForEach(x, func(k, val lua.LValue) {
			if !first {
				b.WriteByte(',')
			}
			first = false
			switch kk := k.(type) {
			case lua.LNumber:
				b.WriteByte('"')
				cjsonNumber(L, cfg, b, float64(kk))
				b.WriteString(`":`)
			case lua.LString:
				cjsonString(b, string(kk))
				b.WriteByte(':')
			default:
				L.RaiseError("Cannot serialise %s: table key must be a number or string", k.Type().String())
			}
			cjsonEncode(L, cfg, b, val, depth)
		})
		b.WriteByte('}')
	default:
		if isCjsonNull(v) {
			b.WriteString("null")
			return
		}
		L.RaiseError("Cannot serialise %s: type not supported", v.Type().String())
	}
}

// cjsonArrayLen is lua_array_length: the largest key when every key is a
// positive integer, -1 otherwise (or an error for an excessively sparse
// array).
func cjsonArrayLen(L *lua.LState, cfg *cjsonConfig, t *lua.LTable) int {
	max, items := 0, 0
	array := true
	luaForEach(t, func(k, _ lua.LValue) {
		if !array {
			return
		}
		if n, ok := k.(lua.LNumber); ok && float64(n) >= 1 && math.Floor(float64(n)) == float64(n) {
			if float64(n) > float64(max) {
				max = int(min(float64(n), math.MaxInt32))
			}
			items++
			return
		}
		array = false
	})
	if !array {
		return -1
	}
	if cfg.sparseRatio > 0 && max > items*cfg.sparseRatio && max > cfg.sparseSafe {
		if !cfg.sparseConvert {
			L.RaiseError("Cannot serialise table: excessively sparse array")
		}
		return -1
	}
	return max
}

func cjsonNumber(L *lua.LState, cfg *cjsonConfig, b *strings.Builder, f float64) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		if !cfg.encodeInvalid {
			L.RaiseError("Cannot serialise number: must not be NaN or Inf")
		}
	}
	b.WriteString(formatCNumber(f, cfg.precision))
}

func cjsonString(b *strings.Builder, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '/':
			b.WriteString(`\/`)
		case '\b':
			b.WriteString(`\b`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\f':
			b.WriteString(`\f`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if c < 0x20 || c == 0x7f {
				b.WriteString(`\u00`)
				b.WriteByte(hex[c>>4])
				b.WriteByte(hex[c&15])
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
}

type jsonTokenType int

const (
	jsonObjBegin jsonTokenType = iota
	jsonObjEnd
	jsonArrBegin
	jsonArrEnd
	jsonString
	jsonNumber
	jsonBoolean
	jsonNull
	jsonColon
	jsonComma
	jsonEnd
	jsonWhitespace
	jsonError
)

var jsonTokenNames = []string{"T_OBJ_BEGIN", "T_OBJ_END", "T_ARR_BEGIN", "T_ARR_END",
	"T_STRING", "T_NUMBER", "T_BOOLEAN", "T_NULL", "T_COLON", "T_COMMA", "T_END",
	"T_WHITESPACE", "T_ERROR"}

type jsonToken struct {
	typ   jsonTokenType
	index int
	str   string
	num   float64
	b     bool
	err   string
}

type cjsonDecoder struct {
	L     *lua.LState
	cfg   *cjsonConfig
	s     string
	pos   int
	depth int
	null  *lua.LUserData
}

func (d *cjsonDecoder) fail(expected string, tok jsonToken) {
	found := tok.err
	if tok.typ != jsonError {
		found = jsonTokenNames[tok.typ]
	}
	d.L.RaiseError("Expected %s but found %s at character %d", expected, found, tok.index+1)
}

func (d *cjsonDecoder) next() jsonToken {
	s := d.s
	for d.pos < len(s) && (s[d.pos] == ' ' || s[d.pos] == '\t' || s[d.pos] == '\n' || s[d.pos] == '\r') {
		d.pos++
	}
	tok := jsonToken{index: d.pos}
	if d.pos >= len(s) || s[d.pos] == 0 {
		tok.typ = jsonEnd
		return tok
	}
	c := s[d.pos]
	single := map[byte]jsonTokenType{'{': jsonObjBegin, '}': jsonObjEnd, '[': jsonArrBegin,
		']': jsonArrEnd, ':': jsonColon, ',': jsonComma}
	if t, ok := single[c]; ok {
		d.pos++
		tok.typ = t
		return tok
	}
	rest := s[d.pos:]
	switch {
	case c == '"':
		return d.string(tok)
	case c == '-' || isDigit(c):
		if !d.cfg.decodeInvalid && jsonInvalidNumber(rest) {
			return d.errTok(tok, "invalid number")
		}
		return d.number(tok)
	case strings.HasPrefix(rest, "true"):
		d.pos += 4
		tok.typ, tok.b = jsonBoolean, true
		return tok
	case strings.HasPrefix(rest, "false"):
		d.pos += 5
		tok.typ = jsonBoolean
		return tok
	case strings.HasPrefix(rest, "null"):
		d.pos += 4
		tok.typ = jsonNull
		return tok
	case d.cfg.decodeInvalid && jsonInvalidNumber(rest):
		return d.number(tok)
	}
	return d.errTok(tok, "invalid token")
}

func (d *cjsonDecoder) errTok(tok jsonToken, msg string) jsonToken {
	tok.typ, tok.err, tok.index = jsonError, msg, d.pos
	return tok
}

// jsonInvalidNumber is json_is_invalid_number: numbers JSON forbids but
// strtod reads (a leading '+', hex, leading zeros, inf, nan).
func jsonInvalidNumber(p string) bool {
	if p == "" {
		return false
	}
	if p[0] == '+' {
		return true
	}
	if p[0] == '-' {
		p = p[1:]
	}
	if p == "" {
		return false
	}
	if p[0] == '0' {
		return len(p) > 1 && (p[1]|0x20 == 'x' || isDigit(p[1]))
	}
	if p[0] <= '9' {
		return false
	}
	l := strings.ToLower(p[:min(3, len(p))])
	return l == "inf" || l == "nan"
}

func (d *cjsonDecoder) number(tok jsonToken) jsonToken {
	b := []byte(d.s[d.pos:])
	r := cFloatPrefix(b)
	if r.n == 0 {
		return d.errTok(tok, "invalid number")
	}
	v, _ := cStrtod(r)
	if r.lit == "nan" && b[0] == '-' {
		v = math.Copysign(v, -1)
	}
	d.pos += r.n
	tok.typ, tok.num = jsonNumber, v
	return tok
}

func (d *cjsonDecoder) string(tok jsonToken) jsonToken {
	s := d.s
	d.pos++ // the opening quote
	var b strings.Builder
	for {
		if d.pos >= len(s) || s[d.pos] == 0 {
			return d.errTok(tok, "unexpected end of string")
		}
		c := s[d.pos]
		if c == '"' {
			d.pos++
			tok.typ, tok.str = jsonString, b.String()
			return tok
		}
		if c != '\\' {
			b.WriteByte(c)
			d.pos++
			continue
		}
		if d.pos+1 >= len(s) {
			return d.errTok(tok, "unexpected end of string")
		}
		switch e := s[d.pos+1]; e {
		case '"', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, n := jsonUnicodeEscape(s[d.pos:])
			if n == 0 {
				return d.errTok(tok, "invalid unicode escape code")
			}
			var buf [4]byte
			b.Write(buf[:utf8.EncodeRune(buf[:], r)])
			d.pos += n
			continue
		default:
			return d.errTok(tok, "invalid escape code")
		}
		d.pos += 2
	}
}

// jsonUnicodeEscape decodes "\uXXXX" (or a surrogate pair of them) at the
// start of s, returning the rune and the bytes consumed (0 if invalid).
func jsonUnicodeEscape(s string) (rune, int) {
	hex4 := func(s string) (rune, bool) {
		if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
			return 0, false
		}
		v, err := strconv.ParseUint(s[2:6], 16, 32)
		return rune(v), err == nil
	}
	r, ok := hex4(s)
	if !ok {
		return 0, 0
	}
	switch {
	case r >= 0xDC00 && r <= 0xDFFF:
		return 0, 0
	case r >= 0xD800 && r <= 0xDBFF:
		lo, ok := hex4(s[6:])
		if !ok || lo < 0xDC00 || lo > 0xDFFF {
			return 0, 0
		}
		return 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00), 12
	}
	return r, 6
}

func (d *cjsonDecoder) descend() {
	d.depth++
	if d.depth > d.cfg.decodeMaxDepth {
		d.L.RaiseError("Found too many nested data structures (%d) at character %d", d.depth, d.pos)
	}
}

func (d *cjsonDecoder) value(tok jsonToken) lua.LValue {
	L := d.L
	switch tok.typ {
	case jsonString:
		return lua.LString(tok.str)
	case jsonNumber:
		return lua.LNumber(tok.num)
	case jsonBoolean:
		return lua.LBool(tok.b)
	case jsonNull:
		return d.null
	case jsonObjBegin:
		d.descend()
		t := L.NewTable()
		tok = d.next()
		if tok.typ == jsonObjEnd {
			d.depth--
			return t
		}
		for {
			if tok.typ != jsonString {
				d.fail("object key string", tok)
			}
			key := tok.str
			if tok = d.next(); tok.typ != jsonColon {
				d.fail("colon", tok)
			}
			t.RawSetString(key, d.value(d.next()))
			tok = d.next()
			if tok.typ == jsonObjEnd {
				d.depth--
				return t
			}
			if tok.typ != jsonComma {
				d.fail("comma or object end", tok)
			}
			tok = d.next()
		}
	case jsonArrBegin:
		d.descend()
		t := L.NewTable()
		tok = d.next()
		if tok.typ == jsonArrEnd {
			d.depth--
			return t
		}
		for i := 1; ; i++ {
			t.RawSetInt(i, d.value(tok))
			tok = d.next()
			if tok.typ == jsonArrEnd {
				d.depth--
				return t
			}
			if tok.typ != jsonComma {
				d.fail("comma or array end", tok)
			}
			tok = d.next()
		}
	}
	d.fail("value", tok)
	return lua.LNil
}
