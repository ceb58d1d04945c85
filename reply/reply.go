// Package reply holds the protocol-neutral value a command produces and
// renders it as RESP2 or RESP3.
//
// Commands run inside the replicated state machine, far from the client
// connection that will receive the answer, and the same answer must be
// rendered for a RESP2 client and a RESP3 client alike. So commands build a
// Value and the connection picks the wire form.
package reply

import (
	"strconv"
)

// Kind is the type of a reply.
type Kind uint8

// Reply kinds. The RESP3-only kinds (Map, Set, Double, Bool, Null) degrade to
// their RESP2 equivalents when rendered for a RESP2 client.
const (
	KindSimple    Kind = iota + 1 // +OK
	KindError                     // -ERR ...
	KindInt                       // :1
	KindBulk                      // $3\r\nfoo
	KindNull                      // $-1 (RESP2 null bulk), _ in RESP3
	KindNullArray                 // *-1 (RESP2 null array), _ in RESP3
	KindArray                     // *N
	KindMap                       // %N, a flat array of 2N in RESP2
	KindSet                       // ~N, an array in RESP2
	KindDouble                    // ,1.5 in RESP3, a bulk string in RESP2
	KindBool                      // #t in RESP3, :1 in RESP2
	KindVerbatim                  // =N\r\ntxt:... in RESP3, a bulk string in RESP2
	KindPairs                     // flat pairs: *2N in RESP2, N arrays of 2 in RESP3
	// KindPush is an out-of-band message (Pub/Sub): >N in RESP3, *N in
	// RESP2. KindFrames is several replies sent back to back as one
	// command's answer (SUBSCRIBE a b confirms each channel). Both are
	// produced by the connection, never by the state machine, so they
	// have no binary form.
	KindPush
	KindFrames
)

// Value is one reply. Only the fields that the Kind uses are set: Str for
// simple strings, errors, bulk strings and doubles (already formatted), Int
// for integers and booleans, Elems for arrays, sets and maps (maps are stored
// flat: key, value, key, value).
type Value struct {
	Kind  Kind
	Str   []byte
	Int   int64
	Elems []Value
}

// Common replies.
var (
	ok     = Value{Kind: KindSimple, Str: []byte("OK")}
	queued = Value{Kind: KindSimple, Str: []byte("QUEUED")}
)

// OK is the +OK reply.
func OK() Value { return ok }

// Queued is the +QUEUED reply.
func Queued() Value { return queued }

// Simple is a status reply.
func Simple(s string) Value { return Value{Kind: KindSimple, Str: []byte(s)} }

// Err is an error reply; msg carries its own prefix ("ERR ...", "WRONGTYPE ...").
func Err(msg string) Value { return Value{Kind: KindError, Str: []byte(msg)} }

// Int is an integer reply.
func Int(i int64) Value { return Value{Kind: KindInt, Int: i} }

// Bulk is a bulk string reply. b is not copied.
func Bulk(b []byte) Value { return Value{Kind: KindBulk, Str: b} }

// BulkString is a bulk string reply.
func BulkString(s string) Value { return Value{Kind: KindBulk, Str: []byte(s)} }

// Null is the null bulk string.
func Null() Value { return Value{Kind: KindNull} }

// NullArray is the null array (a timed out blocking pop, an aborted EXEC).
func NullArray() Value { return Value{Kind: KindNullArray} }

// Array is an array reply.
func Array(elems []Value) Value {
	if elems == nil {
		elems = []Value{}
	}
	return Value{Kind: KindArray, Elems: elems}
}

// Map is a map reply built from flat key/value pairs.
func Map(pairs []Value) Value {
	if pairs == nil {
		pairs = []Value{}
	}
	return Value{Kind: KindMap, Elems: pairs}
}

// Set is a set reply.
func Set(elems []Value) Value {
	if elems == nil {
		elems = []Value{}
	}
	return Value{Kind: KindSet, Elems: elems}
}

// Pairs is a list of pairs, such as ZRANGE WITHSCORES or HRANDFIELD
// WITHVALUES: a flat array in RESP2, an array of two-element arrays in
// RESP3. flat holds first, second, first, second...
func Pairs(flat []Value) Value {
	if flat == nil {
		flat = []Value{}
	}
	return Value{Kind: KindPairs, Elems: flat}
}

// Push is an out-of-band push message.
func Push(elems []Value) Value { return Value{Kind: KindPush, Elems: elems} }

// Frames is a sequence of replies written one after another.
func Frames(replies []Value) Value { return Value{Kind: KindFrames, Elems: replies} }

// Double is a double reply; formatted is the text Redis would send.
func Double(formatted string) Value { return Value{Kind: KindDouble, Str: []byte(formatted)} }

// Bool is a boolean reply.
func Bool(b bool) Value {
	if b {
		return Value{Kind: KindBool, Int: 1}
	}
	return Value{Kind: KindBool}
}

// Verbatim is a verbatim string reply of format "txt".
func Verbatim(s string) Value { return Value{Kind: KindVerbatim, Str: []byte(s)} }

// BulkStrings is an array of bulk strings.
func BulkStrings(items [][]byte) Value {
	elems := make([]Value, len(items))
	for i, it := range items {
		elems[i] = Bulk(it)
	}
	return Array(elems)
}

// IsError tells whether v is an error reply.
func (v Value) IsError() bool { return v.Kind == KindError }

// Error returns the error text of an error reply.
func (v Value) Error() string { return string(v.Str) }

// Append renders v in protocol version proto (2 or 3) onto b.
func Append(b []byte, v Value, proto int) []byte {
	switch v.Kind {
	case KindSimple:
		b = append(b, '+')
		b = append(b, v.Str...)
		return append(b, '\r', '\n')
	case KindError:
		b = append(b, '-')
		b = appendLine(b, v.Str)
		return append(b, '\r', '\n')
	case KindInt:
		b = append(b, ':')
		b = strconv.AppendInt(b, v.Int, 10)
		return append(b, '\r', '\n')
	case KindBulk:
		return appendBulk(b, v.Str)
	case KindNull:
		if proto >= 3 {
			return append(b, '_', '\r', '\n')
		}
		return append(b, "$-1\r\n"...)
	case KindNullArray:
		if proto >= 3 {
			return append(b, '_', '\r', '\n')
		}
		return append(b, "*-1\r\n"...)
	case KindArray:
		return appendAggregate(b, '*', len(v.Elems), v.Elems, proto)
	case KindMap:
		if proto >= 3 {
			return appendAggregate(b, '%', len(v.Elems)/2, v.Elems, proto)
		}
		return appendAggregate(b, '*', len(v.Elems), v.Elems, proto)
	case KindSet:
		if proto >= 3 {
			return appendAggregate(b, '~', len(v.Elems), v.Elems, proto)
		}
		return appendAggregate(b, '*', len(v.Elems), v.Elems, proto)
	case KindPairs:
		if proto < 3 {
			return appendAggregate(b, '*', len(v.Elems), v.Elems, proto)
		}
		b = append(b, '*')
		b = strconv.AppendInt(b, int64(len(v.Elems)/2), 10)
		b = append(b, '\r', '\n')
		for i := 0; i+1 < len(v.Elems); i += 2 {
			b = appendAggregate(b, '*', 2, v.Elems[i:i+2], proto)
		}
		return b
	case KindPush:
		if proto >= 3 {
			return appendAggregate(b, '>', len(v.Elems), v.Elems, proto)
		}
		return appendAggregate(b, '*', len(v.Elems), v.Elems, proto)
	case KindFrames:
		for _, e := range v.Elems {
			b = Append(b, e, proto)
		}
		return b
	case KindDouble:
		if proto >= 3 {
			b = append(b, ',')
			b = append(b, v.Str...)
			return append(b, '\r', '\n')
		}
		return appendBulk(b, v.Str)
	case KindBool:
		if proto >= 3 {
			if v.Int != 0 {
				return append(b, "#t\r\n"...)
			}
			return append(b, "#f\r\n"...)
		}
		b = append(b, ':')
		b = strconv.AppendInt(b, v.Int, 10)
		return append(b, '\r', '\n')
	case KindVerbatim:
		if proto >= 3 {
			b = append(b, '=')
			b = strconv.AppendInt(b, int64(len(v.Str)+4), 10)
			b = append(b, "\r\ntxt:"...)
			b = append(b, v.Str...)
			return append(b, '\r', '\n')
		}
		return appendBulk(b, v.Str)
	}
	// A zero Value is a programming error; render it as an error rather
	// than desynchronising the client's protocol stream.
	return append(b, "-ERR internal error: empty reply\r\n"...)
}

func appendAggregate(b []byte, prefix byte, n int, elems []Value, proto int) []byte {
	b = append(b, prefix)
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, '\r', '\n')
	for _, e := range elems {
		b = Append(b, e, proto)
	}
	return b
}

func appendBulk(b, s []byte) []byte {
	b = append(b, '$')
	b = strconv.AppendInt(b, int64(len(s)), 10)
	b = append(b, '\r', '\n')
	b = append(b, s...)
	return append(b, '\r', '\n')
}

// appendLine writes s with CR and LF replaced by spaces, as Redis does for
// error and status lines, so a reply can never break the framing.
func appendLine(b, s []byte) []byte {
	for _, c := range s {
		if c == '\r' || c == '\n' {
			c = ' '
		}
		b = append(b, c)
	}
	return b
}
