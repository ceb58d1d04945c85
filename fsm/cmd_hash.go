package fsm

import (
	"bytes"
	"math"
	"strconv"

	"github.com/redraft/redraft/reply"
)

// Hash commands (Redis 7.0 t_hash.c). Replies list fields in the hash's
// dense-array order, which is deterministic on every replica.

// Error replies specific to hash commands, worded as Redis 7.0 words them.
var (
	errHashNotInt     = reply.Err("ERR hash value is not an integer")
	errHashNotFloat   = reply.Err("ERR hash value is not a float")
	errHashIncrNaN    = reply.Err("ERR value is NaN or Infinity")
	errHashCursor     = reply.Err("ERR invalid cursor")
	errHashRange      = reply.Err("ERR value is out of range")
	errHashCountRange = reply.Err("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
)

// hashSmallScan is the size up to which HSCAN returns the whole hash in one
// call, as Redis does for listpack-encoded hashes (hash-max-listpack-entries).
const hashSmallScan = 128

// hashRandMax bounds the reply of HRANDFIELD with a negative count (which may
// repeat fields, so its length does not depend on the hash): Redis would
// stream such a reply, but here it is built in memory first.
const hashRandMax = 1 << 22

func hashCommands() []*Command {
	wf := FlagWrite | FlagDenyOOM | FlagFast
	rf := FlagReadOnly | FlagFast
	return []*Command{
		{Name: "hset", Arity: -4, Flags: wf, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdHSet},
		{Name: "hmset", Arity: -4, Flags: wf, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdHMSet},
		{Name: "hsetnx", Arity: 4, Flags: wf, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdHSetNX},
		{Name: "hget", Arity: 3, Flags: rf, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdHGet},
		{Name: "hmget", Arity: -3, Flags: rf, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdHMGet},
		{Name: "hgetall", Arity: 2, Flags: FlagReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdHGetAll},
		{Name: "hkeys", Arity: 2, Flags: FlagReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdHKeys},
		{Name: "hvals", Arity: 2, Flags: FlagReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdHVals},
		{Name: "hdel", Arity: -3, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdHDel},
		{Name: "hexists", Arity: 3, Flags: rf, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdHExists},
		{Name: "hlen", Arity: 2, Flags: rf, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdHLen},
		{Name: "hstrlen", Arity: 3, Flags: rf, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdHStrlen},
		{Name: "hincrby", Arity: 4, Flags: wf, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdHIncrBy},
		{Name: "hincrbyfloat", Arity: 4, Flags: wf, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdHIncrByFloat},
		{Name: "hscan", Arity: -3, Flags: FlagReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdHScan},
		{Name: "hrandfield", Arity: -2, Flags: FlagReadOnly | FlagRandom, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdHRandField},
	}
}

// hashLookup returns the live item at key and its hash; it is nil when the
// key is absent, and ok is false when the key holds another type.
func hashLookup(c *Ctx, key []byte) (it *item, h *hashValue, ok bool) {
	it = c.lookup(key)
	if it == nil {
		return nil, nil, true
	}
	h, ok = it.val.(*hashValue)
	if !ok {
		return nil, nil, false
	}
	return it, h, true
}

// hashForWrite returns a hash at key that the caller may modify, creating
// an empty one if the key is absent (the caller must then store at least one
// field). ok is false when the key holds another type.
func hashForWrite(c *Ctx, key []byte) (it *item, h *hashValue, ok bool) {
	it, _, ok = hashLookup(c, key)
	if !ok {
		return nil, nil, false
	}
	if it == nil {
		h = newHash(0)
		it = c.set(key, h, 0)
		return it, h, true
	}
	it = c.mutable(it)
	return it, it.val.(*hashValue), true
}

// hashVal copies an argument before it becomes part of the state: argument
// slices alias the log entry's buffer.
func hashVal(b []byte) []byte {
	if len(b) == 0 {
		return []byte{}
	}
	return bytes.Clone(b)
}

func cmdHSet(c *Ctx, args [][]byte) reply.Value  { return hashSet(c, args, "hset") }
func cmdHMSet(c *Ctx, args [][]byte) reply.Value { return hashSet(c, args, "hmset") }

func hashSet(c *Ctx, args [][]byte, name string) reply.Value {
	if len(args)%2 == 1 {
		return wrongArity(name)
	}
	_, h, ok := hashForWrite(c, args[1])
	if !ok {
		return errWrongType
	}
	var created int64
	for i := 2; i < len(args); i += 2 {
		if h.put(string(args[i]), hashVal(args[i+1])) {
			created++
		}
	}
	if name == "hmset" {
		return reply.OK()
	}
	return reply.Int(created)
}

func cmdHSetNX(c *Ctx, args [][]byte) reply.Value {
	it, h, ok := hashLookup(c, args[1])
	if !ok {
		return errWrongType
	}
	if it != nil && h.has(string(args[2])) {
		return reply.Int(0)
	}
	_, h, _ = hashForWrite(c, args[1])
	h.put(string(args[2]), hashVal(args[3]))
	return reply.Int(1)
}

func cmdHGet(c *Ctx, args [][]byte) reply.Value {
	it, h, ok := hashLookup(c, args[1])
	if !ok {
		return errWrongType
	}
	if it == nil {
		return reply.Null()
	}
	v, found := h.get(string(args[2]))
	if !found {
		return reply.Null()
	}
	return reply.Bulk(v)
}

func cmdHMGet(c *Ctx, args [][]byte) reply.Value {
	it, h, ok := hashLookup(c, args[1])
	if !ok {
		return errWrongType
	}
	out := make([]reply.Value, len(args)-2)
	for i, f := range args[2:] {
		out[i] = reply.Null()
		if it != nil {
			if v, found := h.get(string(f)); found {
				out[i] = reply.Bulk(v)
			}
		}
	}
	return reply.Array(out)
}

// hashAll serves HGETALL (a map), HKEYS and HVALS (arrays).
func hashAll(c *Ctx, key []byte, keys, vals bool) reply.Value {
	it, h, ok := hashLookup(c, key)
	if !ok {
		return errWrongType
	}
	if it == nil {
		if keys && vals {
			return reply.Map(nil)
		}
		return reply.Array(nil)
	}
	per := 0
	if keys {
		per++
	}
	if vals {
		per++
	}
	out := make([]reply.Value, 0, per*h.Len())
	for i, k := range h.keys {
		if keys {
			out = append(out, reply.BulkString(k))
		}
		if vals {
			out = append(out, reply.Bulk(h.vals[i]))
		}
	}
	if keys && vals {
		return reply.Map(out)
	}
	return reply.Array(out)
}

func cmdHGetAll(c *Ctx, args [][]byte) reply.Value { return hashAll(c, args[1], true, true) }
func cmdHKeys(c *Ctx, args [][]byte) reply.Value   { return hashAll(c, args[1], true, false) }
func cmdHVals(c *Ctx, args [][]byte) reply.Value   { return hashAll(c, args[1], false, true) }

func cmdHDel(c *Ctx, args [][]byte) reply.Value {
	it, h, ok := hashLookup(c, args[1])
	if !ok {
		return errWrongType
	}
	if it == nil {
		return reply.Int(0)
	}
	var deleted int64
	for _, f := range args[2:] {
		if !h.has(string(f)) {
			continue
		}
		if deleted == 0 {
			it = c.mutable(it)
			h = it.val.(*hashValue)
		}
		h.remove(string(f))
		deleted++
		if h.Len() == 0 {
			break
		}
	}
	if deleted > 0 {
		c.deleteIfEmpty(it)
	}
	return reply.Int(deleted)
}

func cmdHExists(c *Ctx, args [][]byte) reply.Value {
	it, h, ok := hashLookup(c, args[1])
	if !ok {
		return errWrongType
	}
	if it != nil && h.has(string(args[2])) {
		return reply.Int(1)
	}
	return reply.Int(0)
}

func cmdHLen(c *Ctx, args [][]byte) reply.Value {
	it, h, ok := hashLookup(c, args[1])
	if !ok {
		return errWrongType
	}
	if it == nil {
		return reply.Int(0)
	}
	return reply.Int(int64(h.Len()))
}

func cmdHStrlen(c *Ctx, args [][]byte) reply.Value {
	it, h, ok := hashLookup(c, args[1])
	if !ok {
		return errWrongType
	}
	if it == nil {
		return reply.Int(0)
	}
	v, _ := h.get(string(args[2]))
	return reply.Int(int64(len(v)))
}

func cmdHIncrBy(c *Ctx, args [][]byte) reply.Value {
	incr, ok := parseInt64Arg(args[3])
	if !ok {
		return errNotInt
	}
	it, h, ok := hashLookup(c, args[1])
	if !ok {
		return errWrongType
	}
	var cur int64
	if it != nil {
		if v, found := h.get(string(args[2])); found {
			if cur, ok = parseInt64Arg(v); !ok {
				return errHashNotInt
			}
		}
	}
	if (incr < 0 && cur < 0 && incr < math.MinInt64-cur) ||
		(incr > 0 && cur > 0 && incr > math.MaxInt64-cur) {
		return errOverflow
	}
	cur += incr
	_, h, _ = hashForWrite(c, args[1])
	h.put(string(args[2]), []byte(formatInt(cur)))
	return reply.Int(cur)
}

func cmdHIncrByFloat(c *Ctx, args [][]byte) reply.Value {
	incr, ok := parseLongDouble(args[3])
	if !ok {
		return errNotFloat
	}
	if incr.IsInf() {
		return errHashIncrNaN
	}
	it, h, ok := hashLookup(c, args[1])
	if !ok {
		return errWrongType
	}
	cur := newLongDouble()
	if it != nil {
		if v, found := h.get(string(args[2])); found {
			if cur, ok = parseLongDouble(v); !ok {
				return errHashNotFloat
			}
		}
	}
	sum, ok := addLongDouble(cur, incr)
	if !ok {
		return errNaN
	}
	s := formatLongDouble(sum)
	_, h, _ = hashForWrite(c, args[1])
	h.put(string(args[2]), []byte(s))
	return reply.BulkString(s)
}

func cmdHScan(c *Ctx, args [][]byte) reply.Value {
	cursor, ok := parseCursor(args[2])
	if !ok {
		return errHashCursor
	}
	it, h, ok := hashLookup(c, args[1])
	if !ok {
		return errWrongType
	}
	if it == nil {
		// Redis answers before it parses the options.
		return reply.Array([]reply.Value{reply.BulkString("0"), reply.Array(nil)})
	}
	count := int64(10)
	var pattern []byte
	usePattern := false
	for i := 3; i < len(args); i += 2 {
		if i+1 >= len(args) {
			return errSyntax
		}
		switch {
		case bytes.EqualFold(args[i], []byte("count")):
			n, ok := parseInt64Arg(args[i+1])
			if !ok {
				return errNotInt
			}
			if n < 1 {
				return errSyntax
			}
			count = n
		case bytes.EqualFold(args[i], []byte("match")):
			pattern = args[i+1]
			usePattern = !(len(pattern) == 1 && pattern[0] == '*')
		default:
			return errSyntax
		}
	}
	var out []reply.Value
	emit := func(i int) {
		k := h.keys[i]
		if usePattern && !globMatch(pattern, []byte(k), false) {
			return
		}
		out = append(out, reply.BulkString(k), reply.Bulk(h.vals[i]))
	}
	var next uint64
	if h.Len() <= hashSmallScan {
		for i := range h.keys {
			emit(i)
		}
	} else {
		next = h.scan(cursor, int(min(count, int64(h.Len()))), emit)
	}
	return reply.Array([]reply.Value{
		reply.BulkString(strconv.FormatUint(next, 10)),
		reply.Array(out),
	})
}

// hashPairs builds a reply of field/value pairs for HRANDFIELD WITHVALUES:
// a flat array in RESP2 and, in Redis 7 under RESP3, an array of
// [field, value] arrays.
func hashPairs(flat []reply.Value) reply.Value {
	return reply.Pairs(flat)
}

func cmdHRandField(c *Ctx, args [][]byte) reply.Value {
	if len(args) == 2 {
		it, h, ok := hashLookup(c, args[1])
		if !ok {
			return errWrongType
		}
		if it == nil {
			return reply.Null()
		}
		return reply.BulkString(h.keys[c.rand().IntN(h.Len())])
	}
	l, ok := parseInt64Arg(args[2])
	if !ok {
		return errNotInt
	}
	if l == math.MinInt64 {
		return errHashCountRange
	}
	withValues := false
	if len(args) > 4 || (len(args) == 4 && !bytes.EqualFold(args[3], []byte("withvalues"))) {
		return errSyntax
	}
	if len(args) == 4 {
		withValues = true
		if l < -math.MaxInt64/2 || l > math.MaxInt64/2 {
			return errHashRange
		}
	}
	it, h, ok := hashLookup(c, args[1])
	if !ok {
		return errWrongType
	}
	if it == nil || l == 0 {
		return reply.Array(nil)
	}
	size := h.Len()
	add := func(out []reply.Value, i int) []reply.Value {
		out = append(out, reply.BulkString(h.keys[i]))
		if withValues {
			out = append(out, reply.Bulk(h.vals[i]))
		}
		return out
	}
	finish := func(out []reply.Value) reply.Value {
		if withValues {
			return hashPairs(out)
		}
		return reply.Array(out)
	}
	per := 1
	if withValues {
		per = 2
	}
	r := c.rand()
	// A negative count may repeat fields.
	if l < 0 || l == 1 {
		n := l
		if n < 0 {
			n = -n
		}
		if n > hashRandMax {
			return errHashRange
		}
		out := make([]reply.Value, 0, int(n)*per)
		for range n {
			out = add(out, r.IntN(size))
		}
		return finish(out)
	}
	// The whole hash, in its order.
	if l >= int64(size) {
		out := make([]reply.Value, 0, size*per)
		for i := range size {
			out = add(out, i)
		}
		return finish(out)
	}
	// count distinct fields: a partial Fisher-Yates shuffle over the
	// indexes, with the swapped slots kept in a map (looked up, never
	// iterated) so it costs O(count).
	n := int(l)
	swapped := make(map[int]int, n)
	at := func(i int) int {
		if v, ok := swapped[i]; ok {
			return v
		}
		return i
	}
	out := make([]reply.Value, 0, n*per)
	for i := 0; i < n; i++ {
		j := i + r.IntN(size-i)
		vi, vj := at(i), at(j)
		swapped[i], swapped[j] = vj, vi
		out = add(out, vj)
	}
	return finish(out)
}
