package reply

import (
	"bytes"
	"errors"
	"math"
	"testing"
)

// equal compares the fields each kind uses; nil and empty are the same.
func equal(a, b Value) bool {
	if a.Kind != b.Kind || !bytes.Equal(a.Str, b.Str) || a.Int != b.Int || len(a.Elems) != len(b.Elems) {
		return false
	}
	for i := range a.Elems {
		if !equal(a.Elems[i], b.Elems[i]) {
			return false
		}
	}
	return true
}

func nested(depth int) Value {
	v := Int(7)
	for range depth {
		v = Array([]Value{v})
	}
	return v
}

func Test_BinaryRoundTrip(t *testing.T) {
	cases := []struct {
		name string
		v    Value
	}{
		{"simple", OK()},
		{"error", Err("WRONGTYPE Operation against a key holding the wrong kind of value")},
		{"int", Int(-42)},
		{"int min", Int(math.MinInt64)},
		{"int max", Int(math.MaxInt64)},
		{"bulk", Bulk([]byte("hello\r\nworld\x00"))},
		{"empty bulk", BulkString("")},
		{"null", Null()},
		{"null array", NullArray()},
		{"array", Array([]Value{Int(1), BulkString("a"), Null()})},
		{"empty array", Array(nil)},
		{"map", Map([]Value{BulkString("k"), Int(1), BulkString("k2"), Double("1.5")})},
		{"set", Set([]Value{BulkString("x"), BulkString("y")})},
		{"double", Double("-inf")},
		{"bool true", Bool(true)},
		{"bool false", Bool(false)},
		{"verbatim", Verbatim("line one\nline two")},
		{"pairs", Pairs([]Value{BulkString("m"), Double("2")})},
		{"nested mix", Array([]Value{Map([]Value{BulkString("a"), Set([]Value{Pairs(nil)})}), NullArray()})},
		{"max depth", nested(MaxDepth)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := AppendBinary([]byte("prefix"), c.v)
			if !bytes.HasPrefix(b, []byte("prefix")) {
				t.Fatal("AppendBinary did not append")
			}
			tail := []byte("tail")
			got, rest, err := DecodeBinary(append(b[len("prefix"):], tail...))
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if !equal(got, c.v) {
				t.Fatalf("round trip: %+v -> %+v", c.v, got)
			}
			if !bytes.Equal(rest, tail) {
				t.Fatalf("rest = %q, want %q", rest, tail)
			}
			// The wire form is unchanged too, for both protocols.
			for _, proto := range []int{2, 3} {
				if !bytes.Equal(Append(nil, got, proto), Append(nil, c.v, proto)) {
					t.Fatalf("RESP%d rendering changed", proto)
				}
			}
		})
	}
}

// Every kind has a case above.
func Test_BinaryCoversEveryKind(t *testing.T) {
	for k := KindSimple; k <= KindPairs; k++ {
		v := Value{Kind: k, Elems: []Value{}}
		switch k {
		case KindSimple, KindError, KindBulk, KindDouble, KindVerbatim:
			v = Value{Kind: k, Str: []byte("s")}
		case KindInt, KindBool:
			v = Value{Kind: k, Int: 1}
		case KindNull, KindNullArray:
			v = Value{Kind: k}
		}
		got, rest, err := DecodeBinary(AppendBinary(nil, v))
		if err != nil || len(rest) != 0 || !equal(got, v) {
			t.Errorf("kind %d: %+v -> %+v, %q, %v", k, v, got, rest, err)
		}
	}
}

// Encoding never writes what decoding refuses: a value nested too deeply or
// a zero Value still encodes to something that decodes, and renders as
// Append would render it.
func Test_BinaryEncodesOutOfRangeValues(t *testing.T) {
	cases := []struct {
		name string
		v    Value
		want Value
	}{
		{"zero value", Value{}, Err("ERR internal error: empty reply")},
		{"too deep", nested(MaxDepth + 1), nested(MaxDepth)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, rest, err := DecodeBinary(AppendBinary(nil, c.v))
			if err != nil || len(rest) != 0 {
				t.Fatalf("decode: %v (rest %q)", err, rest)
			}
			if c.name == "too deep" {
				// The innermost aggregate is replaced by an error.
				inner := got
				for range MaxDepth {
					inner = inner.Elems[0]
				}
				if !equal(inner, Err(tooDeep)) {
					t.Fatalf("innermost value = %+v", inner)
				}
				return
			}
			if !equal(got, c.want) || !bytes.Equal(Append(nil, got, 2), Append(nil, c.v, 2)) {
				t.Fatalf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

func Test_DecodeBinaryRejectsMalformed(t *testing.T) {
	deep := bytes.Repeat([]byte{byte(KindArray), 1}, MaxDepth+1)
	deep = append(deep, byte(KindNull))
	cases := []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"unknown kind", []byte{0}},
		{"kind past range", []byte{byte(KindPairs) + 1}},
		{"truncated length", []byte{byte(KindBulk)}},
		{"length past input", []byte{byte(KindBulk), 5, 'a', 'b'}},
		{"huge length", []byte{byte(KindBulk), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}},
		{"count past input", []byte{byte(KindArray), 3, byte(KindNull)}},
		{"huge count", []byte{byte(KindMap), 0xff, 0xff, 0xff, 0xff, 0x0f}},
		{"truncated int", []byte{byte(KindInt), 0x80}},
		{"truncated element", []byte{byte(KindArray), 2, byte(KindNull), byte(KindInt)}},
		{"too deep", deep},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, rest, err := DecodeBinary(c.b)
			if err == nil {
				t.Fatal("decoded without error")
			}
			if !errors.Is(err, errBadBinary) {
				t.Fatalf("error %v does not wrap errBadBinary", err)
			}
			if !bytes.Equal(rest, c.b) {
				t.Fatal("a failed decode must return the input as the rest")
			}
		})
	}
}

// A decoded string cannot be grown into the bytes that follow it.
func Test_DecodeBinaryClipsStrings(t *testing.T) {
	b := AppendBinary(nil, Array([]Value{BulkString("ab"), BulkString("cd")}))
	v, _, err := DecodeBinary(b)
	if err != nil {
		t.Fatal(err)
	}
	_ = append(v.Elems[0].Str, 'X', 'X', 'X')
	again, _, err := DecodeBinary(b)
	if err != nil || string(again.Elems[1].Str) != "cd" {
		t.Fatalf("appending to a decoded string overwrote its input: %+v, %v", again, err)
	}
}

func FuzzDecodeBinary(f *testing.F) {
	f.Add(AppendBinary(nil, Array([]Value{Int(1), Map([]Value{BulkString("k"), Double("1")}), Null()})))
	f.Add(AppendBinary(nil, Err("ERR x")))
	f.Add(AppendBinary(nil, nested(MaxDepth)))
	f.Add([]byte{byte(KindArray), 0xff, 0x01})
	f.Fuzz(func(t *testing.T, data []byte) {
		v, rest, err := DecodeBinary(data)
		if err != nil {
			return
		}
		if len(rest) > len(data) {
			t.Fatal("rest is longer than the input")
		}
		enc := AppendBinary(nil, v)
		again, tail, err := DecodeBinary(enc)
		if err != nil || len(tail) != 0 {
			t.Fatalf("re-encoded value does not decode: %v (tail %d bytes)", err, len(tail))
		}
		if !equal(again, v) {
			t.Fatalf("decode(encode(v)) != v: %+v vs %+v", again, v)
		}
		if !bytes.Equal(AppendBinary(nil, again), enc) {
			t.Fatal("encoding is not stable")
		}
	})
}
