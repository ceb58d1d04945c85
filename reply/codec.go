package reply

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Binary form of a Value, used where a reply must outlive the command that
// built it or cross the network: the state machine's de-duplication table
// (kept in snapshots) and replies forwarded from the leader to the node a
// client is connected to.
//
//	value = kind:1 payload
//	payload of Simple, Error, Bulk, Double, Verbatim = len:uvarint bytes
//	payload of Int, Bool                             = int:varint (zigzag)
//	payload of Null, NullArray                       = nothing
//	payload of Array, Map, Set, Pairs                = n:uvarint { value }
//
// The form is canonical for the fields each kind uses, so two replicas that
// hold the same reply encode the same bytes (snapshots compare byte for byte).

// MaxDepth is how many aggregates (arrays, maps, sets, pairs) deep a value
// may nest in the binary form. DecodeBinary refuses deeper input so that a
// hostile peer cannot make it recurse without bound; AppendBinary never
// writes deeper (see tooDeep). Scripts, the only source of deep replies,
// stop at the same depth.
const MaxDepth = 64

// tooDeep is the error AppendBinary writes in place of an aggregate nested
// deeper than MaxDepth. Refusing to encode is not an option: the encoder
// runs while the state machine stores a reply, which cannot fail, and
// whatever it writes must decode again from a snapshot.
const tooDeep = "ERR reply nested too deeply"

// maxPrealloc bounds the elements reserved ahead of reading them; without
// it a chain of nested arrays, each claiming as many elements as there are
// bytes left, would reserve len(b) elements per level.
const maxPrealloc = 1024

var errBadBinary = errors.New("reply: malformed binary value")

// AppendBinary appends the binary form of v to b. A Value of an unknown
// kind (a zero Value) is encoded as the error Append renders for it, so the
// client sees the same bytes after a round trip.
func AppendBinary(b []byte, v Value) []byte {
	return appendBinary(b, v, 0)
}

func appendBinary(b []byte, v Value, depth int) []byte {
	switch v.Kind {
	case KindSimple, KindError, KindBulk, KindDouble, KindVerbatim:
		b = append(b, byte(v.Kind))
		b = binary.AppendUvarint(b, uint64(len(v.Str)))
		return append(b, v.Str...)
	case KindInt, KindBool:
		b = append(b, byte(v.Kind))
		return binary.AppendVarint(b, v.Int)
	case KindNull, KindNullArray:
		return append(b, byte(v.Kind))
	case KindArray, KindMap, KindSet, KindPairs:
		if depth >= MaxDepth {
			return appendBinary(b, Err(tooDeep), depth)
		}
		b = append(b, byte(v.Kind))
		b = binary.AppendUvarint(b, uint64(len(v.Elems)))
		for _, e := range v.Elems {
			b = appendBinary(b, e, depth+1)
		}
		return b
	}
	return appendBinary(b, Err("ERR internal error: empty reply"), depth)
}

// DecodeBinary decodes one value from the front of b and returns it with
// the rest of b. Str slices alias b with their capacity clipped, so
// appending to one never overwrites the bytes after it; b must not be
// modified while the value is in use.
//
// Every element takes at least one byte, so counts and lengths are checked
// against the remaining input, and arrays grow as their elements are read
// (beyond maxPrealloc): a hostile b cannot make it allocate more than a
// constant factor of len(b).
func DecodeBinary(b []byte) (Value, []byte, error) {
	d := binDecoder{b: b}
	v := d.value(0)
	if d.err != nil {
		return Value{}, b, d.err
	}
	return v, d.b, nil
}

// binDecoder consumes b and remembers the first error, so the recursive
// descent checks once per value.
type binDecoder struct {
	b   []byte
	err error
}

func (d *binDecoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: "+format, append([]any{errBadBinary}, args...)...)
	}
}

func (d *binDecoder) value(depth int) Value {
	if len(d.b) == 0 {
		d.fail("truncated")
		return Value{}
	}
	k := Kind(d.b[0])
	d.b = d.b[1:]
	switch k {
	case KindSimple, KindError, KindBulk, KindDouble, KindVerbatim:
		return Value{Kind: k, Str: d.str()}
	case KindInt, KindBool:
		return Value{Kind: k, Int: d.varint()}
	case KindNull, KindNullArray:
		return Value{Kind: k}
	case KindArray, KindMap, KindSet, KindPairs:
		if depth >= MaxDepth {
			d.fail("nested deeper than %d", MaxDepth)
			return Value{}
		}
		return Value{Kind: k, Elems: d.elems(depth)}
	}
	d.fail("unknown kind %d", k)
	return Value{}
}

func (d *binDecoder) elems(depth int) []Value {
	n := d.length()
	if d.err != nil {
		return nil
	}
	out := make([]Value, 0, min(n, maxPrealloc))
	for range n {
		v := d.value(depth + 1)
		if d.err != nil {
			return nil
		}
		out = append(out, v)
	}
	return out
}

func (d *binDecoder) str() []byte {
	n := d.length()
	if d.err != nil {
		return nil
	}
	s := d.b[:n:n]
	d.b = d.b[n:]
	return s
}

// length reads a count or byte length, which can never exceed the input
// that is left.
func (d *binDecoder) length() int {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("bad length")
		return 0
	}
	d.b = d.b[n:]
	if v > uint64(len(d.b)) {
		d.fail("length %d exceeds the %d bytes left", v, len(d.b))
		return 0
	}
	return int(v)
}

func (d *binDecoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail("bad integer")
		return 0
	}
	d.b = d.b[n:]
	return v
}
