package fsm

import (
	"math"

	lua "github.com/yuin/gopher-lua"
)

// bitLib is LuaBitOp 1.0, Redis's bit library: 32-bit operations on
// numbers, results as signed 32-bit integers.
func bitLib(L *lua.LState) *lua.LTable {
	ret := func(L *lua.LState, b uint32) int {
		L.Push(lua.LNumber(int32(b)))
		return 1
	}
	fold := func(op func(a, b uint32) uint32) lua.LGFunction {
		return func(L *lua.LState) int {
			b := bitArg(L, 1)
			for i := L.GetTop(); i > 1; i-- {
				b = op(b, bitArg(L, i))
			}
			return ret(L, b)
		}
	}
	shift := func(op func(b, n uint32) uint32) lua.LGFunction {
		return func(L *lua.LState) int {
			b, n := bitArg(L, 1), bitArg(L, 2)&31
			return ret(L, op(b, n))
		}
	}
	fns := map[string]lua.LGFunction{
		"tobit":   func(L *lua.LState) int { return ret(L, bitArg(L, 1)) },
		"bnot":    func(L *lua.LState) int { return ret(L, ^bitArg(L, 1)) },
		"band":    fold(func(a, b uint32) uint32 { return a & b }),
		"bor":     fold(func(a, b uint32) uint32 { return a | b }),
		"bxor":    fold(func(a, b uint32) uint32 { return a ^ b }),
		"lshift":  shift(func(b, n uint32) uint32 { return b << n }),
		"rshift":  shift(func(b, n uint32) uint32 { return b >> n }),
		"arshift": shift(func(b, n uint32) uint32 { return uint32(int32(b) >> n) }),
		"rol":     shift(func(b, n uint32) uint32 { return b<<n | b>>(32-n) }),
		"ror":     shift(func(b, n uint32) uint32 { return b>>n | b<<(32-n) }),
		"bswap": func(L *lua.LState) int {
			b := bitArg(L, 1)
			return ret(L, b>>24|(b>>8)&0xff00|(b&0xff00)<<8|b<<24)
		},
		"tohex": func(L *lua.LState) int {
			b := bitArg(L, 1)
			n := int32(8)
			if L.GetTop() >= 2 && L.Get(2) != lua.LNil {
				n = int32(bitArg(L, 2))
			}
			digits := "0123456789abcdef"
			if n < 0 {
				n = -n
				digits = "0123456789ABCDEF"
			}
			if n > 8 {
				n = 8
			}
			buf := make([]byte, n)
			for i := n - 1; i >= 0; i-- {
				buf[i] = digits[b&15]
				b >>= 4
			}
			L.Push(lua.LString(buf))
			return 1
		},
	}
	t := L.NewTable()
	for _, k := range sortedKeys(fns) {
		t.RawSetString(k, L.NewFunction(fns[k]))
	}
	return t
}

// bitArg is LuaBitOp's barg: the number rounded to an integer and taken
// modulo 2^32 (by adding 2^52+2^51 and keeping the low word).
func bitArg(L *lua.LState, n int) uint32 {
	return uint32(math.Float64bits(checkNumber(L, n) + 6755399441055744.0))
}
