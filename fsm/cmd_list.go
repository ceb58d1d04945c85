package fsm

import (
	"bytes"

	"github.com/redraft/redraft/reply"
)

// List commands (Redis 7.0 t_list.c). Lists are deques, so both ends are
// O(1); positional operations cost O(min(i, n-i)).

// Error replies specific to list commands, worded as Redis 7.0 words them.
var (
	errListRankZero = reply.Err("ERR RANK can't be zero: use 1 to start from the first match, " +
		"2 from the second ... or use negative to start from the end of the list")
	errListCountNeg  = reply.Err("ERR COUNT can't be negative")
	errListMaxLenNeg = reply.Err("ERR MAXLEN can't be negative")
	errListNumKeys   = reply.Err("ERR numkeys should be greater than 0")
	errListCountPos  = reply.Err("ERR count should be greater than 0")
)

func listCommands() []*Command {
	wf := FlagWrite | FlagDenyOOM | FlagFast
	return []*Command{
		{Name: "lpush", Arity: -3, Flags: wf, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdLPush},
		{Name: "rpush", Arity: -3, Flags: wf, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdRPush},
		{Name: "lpushx", Arity: -3, Flags: wf, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdLPushX},
		{Name: "rpushx", Arity: -3, Flags: wf, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdRPushX},
		{Name: "lpop", Arity: -2, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdLPop},
		{Name: "rpop", Arity: -2, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdRPop},
		{Name: "llen", Arity: 2, Flags: FlagReadOnly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdLLen},
		{Name: "lrange", Arity: 4, Flags: FlagReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdLRange},
		{Name: "lindex", Arity: 3, Flags: FlagReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdLIndex},
		{Name: "lset", Arity: 4, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdLSet},
		{Name: "linsert", Arity: 5, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdLInsert},
		{Name: "lrem", Arity: 4, Flags: FlagWrite, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdLRem},
		{Name: "ltrim", Arity: 4, Flags: FlagWrite, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdLTrim},
		{Name: "lpos", Arity: -3, Flags: FlagReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdLPos},
		{Name: "lmove", Arity: 5, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 2, Step: 1, Run: cmdLMove},
		{Name: "rpoplpush", Arity: 3, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 2, Step: 1, Run: cmdRPopLPush},
		// LMPOP's keys are movable (numkeys); Redis reports 0 0 0 for it.
		{Name: "lmpop", Arity: -4, Flags: FlagWrite, FirstKey: 0, LastKey: 0, Step: 0, Run: cmdLMPop},
	}
}

// listLookup returns the live item at key and its list; it is nil when the
// key is absent, and ok is false when the key holds another type.
func listLookup(c *Ctx, key []byte) (it *item, l *deque, ok bool) {
	it = c.lookup(key)
	if it == nil {
		return nil, nil, true
	}
	l, ok = it.val.(*deque)
	if !ok {
		return nil, nil, false
	}
	return it, l, true
}

// listMutable prepares it for modification and returns its (possibly copied)
// list.
func listMutable(c *Ctx, it *item) (*item, *deque) {
	it = c.mutable(it)
	return it, it.val.(*deque)
}

// listElem copies an argument before it becomes part of the state: argument
// slices alias the log entry's buffer.
func listElem(b []byte) []byte {
	if len(b) == 0 {
		return []byte{}
	}
	return bytes.Clone(b)
}

// listWhere parses LEFT/RIGHT (case-insensitive): true for LEFT (the head).
func listWhere(b []byte) (left, ok bool) {
	switch {
	case bytes.EqualFold(b, []byte("left")):
		return true, true
	case bytes.EqualFold(b, []byte("right")):
		return false, true
	}
	return false, false
}

// listIndex turns a possibly negative index into an offset from the head;
// the result may still be out of range.
func listIndex(idx int64, n int) int64 {
	if idx < 0 {
		idx += int64(n)
	}
	return idx
}

// listRange normalizes LRANGE/LTRIM style bounds against a list of n
// elements; ok is false when the range is empty.
func listRange(start, stop int64, n int) (int, int, bool) {
	ln := int64(n)
	if start < 0 {
		start += ln
	}
	if stop < 0 {
		stop += ln
	}
	if start < 0 {
		start = 0
	}
	if start > stop || start >= ln {
		return 0, 0, false
	}
	if stop >= ln {
		stop = ln - 1
	}
	return int(start), int(stop), true
}

func cmdLPush(c *Ctx, args [][]byte) reply.Value  { return listPush(c, args, true, false) }
func cmdRPush(c *Ctx, args [][]byte) reply.Value  { return listPush(c, args, false, false) }
func cmdLPushX(c *Ctx, args [][]byte) reply.Value { return listPush(c, args, true, true) }
func cmdRPushX(c *Ctx, args [][]byte) reply.Value { return listPush(c, args, false, true) }

func listPush(c *Ctx, args [][]byte, front, onlyExisting bool) reply.Value {
	it, l, ok := listLookup(c, args[1])
	if !ok {
		return errWrongType
	}
	if it == nil {
		if onlyExisting {
			return reply.Int(0)
		}
		l = newDeque()
		c.set(args[1], l, 0)
	} else {
		_, l = listMutable(c, it)
	}
	for _, v := range args[2:] {
		if front {
			l.PushFront(listElem(v))
		} else {
			l.PushBack(listElem(v))
		}
	}
	return reply.Int(int64(l.Len()))
}

func cmdLPop(c *Ctx, args [][]byte) reply.Value { return listPop(c, args, "lpop", true) }
func cmdRPop(c *Ctx, args [][]byte) reply.Value { return listPop(c, args, "rpop", false) }

func listPop(c *Ctx, args [][]byte, name string, front bool) reply.Value {
	if len(args) > 3 {
		return wrongArity(name)
	}
	hasCount := len(args) == 3
	var count int64
	if hasCount {
		n, ok := parseInt64Arg(args[2])
		if !ok || n < 0 {
			// getPositiveLongFromObjectOrReply reports both cases alike.
			return errPositive
		}
		count = n
	}
	it, l, ok := listLookup(c, args[1])
	if !ok {
		return errWrongType
	}
	if it == nil {
		if hasCount {
			return reply.NullArray()
		}
		return reply.Null()
	}
	if hasCount && count == 0 {
		return reply.Array(nil)
	}
	it, l = listMutable(c, it)
	if !hasCount {
		v := listPopOne(l, front)
		c.deleteIfEmpty(it)
		return reply.Bulk(v)
	}
	n := int(min(count, int64(l.Len())))
	out := make([]reply.Value, n)
	for i := range out {
		out[i] = reply.Bulk(listPopOne(l, front))
	}
	c.deleteIfEmpty(it)
	return reply.Array(out)
}

func listPopOne(l *deque, front bool) []byte {
	if front {
		return l.PopFront()
	}
	return l.PopBack()
}

func listPushOne(l *deque, front bool, v []byte) {
	if front {
		l.PushFront(v)
	} else {
		l.PushBack(v)
	}
}

func cmdLLen(c *Ctx, args [][]byte) reply.Value {
	it, l, ok := listLookup(c, args[1])
	if !ok {
		return errWrongType
	}
	if it == nil {
		return reply.Int(0)
	}
	return reply.Int(int64(l.Len()))
}

func cmdLRange(c *Ctx, args [][]byte) reply.Value {
	start, ok1 := parseInt64Arg(args[2])
	stop, ok2 := parseInt64Arg(args[3])
	if !ok1 || !ok2 {
		return errNotInt
	}
	it, l, ok := listLookup(c, args[1])
	if !ok {
		return errWrongType
	}
	if it == nil {
		return reply.Array(nil)
	}
	from, to, nonEmpty := listRange(start, stop, l.Len())
	if !nonEmpty {
		return reply.Array(nil)
	}
	out := make([]reply.Value, 0, to-from+1)
	l.Range(from, to, func(_ int, v []byte) bool {
		out = append(out, reply.Bulk(v))
		return true
	})
	return reply.Array(out)
}

func cmdLIndex(c *Ctx, args [][]byte) reply.Value {
	it, l, ok := listLookup(c, args[1])
	if !ok {
		return errWrongType
	}
	if it == nil {
		return reply.Null()
	}
	idx, ok := parseInt64Arg(args[2])
	if !ok {
		return errNotInt
	}
	idx = listIndex(idx, l.Len())
	if idx < 0 || idx >= int64(l.Len()) {
		return reply.Null()
	}
	return reply.Bulk(l.At(int(idx)))
}

func cmdLSet(c *Ctx, args [][]byte) reply.Value {
	it, l, ok := listLookup(c, args[1])
	if !ok {
		return errWrongType
	}
	if it == nil {
		return errNoSuchKey
	}
	idx, ok := parseInt64Arg(args[2])
	if !ok {
		return errNotInt
	}
	idx = listIndex(idx, l.Len())
	if idx < 0 || idx >= int64(l.Len()) {
		return errIndexRange
	}
	_, l = listMutable(c, it)
	l.Set(int(idx), listElem(args[3]))
	return reply.OK()
}

func cmdLInsert(c *Ctx, args [][]byte) reply.Value {
	var after bool
	switch {
	case bytes.EqualFold(args[2], []byte("after")):
		after = true
	case bytes.EqualFold(args[2], []byte("before")):
	default:
		return errSyntax
	}
	it, l, ok := listLookup(c, args[1])
	if !ok {
		return errWrongType
	}
	if it == nil {
		return reply.Int(0)
	}
	pos := -1
	l.Range(0, l.Len()-1, func(i int, v []byte) bool {
		if bytes.Equal(v, args[3]) {
			pos = i
			return false
		}
		return true
	})
	if pos < 0 {
		return reply.Int(-1)
	}
	_, l = listMutable(c, it)
	if after {
		pos++
	}
	l.Insert(pos, listElem(args[4]))
	return reply.Int(int64(l.Len()))
}

func cmdLRem(c *Ctx, args [][]byte) reply.Value {
	toRemove, ok := parseInt64Arg(args[2])
	if !ok {
		return errNotInt
	}
	it, l, ok := listLookup(c, args[1])
	if !ok {
		return errWrongType
	}
	if it == nil {
		return reply.Int(0)
	}
	fromTail := toRemove < 0
	if fromTail {
		// As in Redis, -LLONG_MIN stays negative and so never limits.
		toRemove = -toRemove
	}
	// Find the positions to remove (in list order) before touching the list.
	n := l.Len()
	var hits []int
	limitReached := func() bool { return toRemove != 0 && int64(len(hits)) == toRemove }
	if fromTail {
		for i := n - 1; i >= 0 && !limitReached(); i-- {
			if bytes.Equal(l.At(i), args[3]) {
				hits = append(hits, i)
			}
		}
		for i, j := 0, len(hits)-1; i < j; i, j = i+1, j-1 {
			hits[i], hits[j] = hits[j], hits[i]
		}
	} else {
		l.Range(0, n-1, func(i int, v []byte) bool {
			if bytes.Equal(v, args[3]) {
				hits = append(hits, i)
			}
			return !limitReached()
		})
	}
	if len(hits) == 0 {
		return reply.Int(0)
	}
	it, l = listMutable(c, it)
	if len(hits) == 1 {
		l.RemoveAt(hits[0])
	} else {
		// Rebuild: O(n) however many elements go.
		nl := newDeque()
		h := 0
		l.Range(0, n-1, func(i int, v []byte) bool {
			if h < len(hits) && hits[h] == i {
				h++
			} else {
				nl.PushBack(v)
			}
			return true
		})
		it.val = nl
	}
	c.deleteIfEmpty(it)
	return reply.Int(int64(len(hits)))
}

func cmdLTrim(c *Ctx, args [][]byte) reply.Value {
	start, ok1 := parseInt64Arg(args[2])
	stop, ok2 := parseInt64Arg(args[3])
	if !ok1 || !ok2 {
		return errNotInt
	}
	it, l, ok := listLookup(c, args[1])
	if !ok {
		return errWrongType
	}
	if it == nil {
		return reply.OK()
	}
	from, to, nonEmpty := listRange(start, stop, l.Len())
	// Redis signals the key as modified even when nothing is trimmed.
	it, l = listMutable(c, it)
	if nonEmpty {
		l.Trim(from, to)
	} else {
		l.Trim(1, 0)
	}
	c.deleteIfEmpty(it)
	return reply.OK()
}

func cmdLPos(c *Ctx, args [][]byte) reply.Value {
	rank, count, maxLen := int64(1), int64(-1), int64(0)
	for j := 3; j < len(args); j++ {
		more := j+1 < len(args)
		switch {
		case more && bytes.EqualFold(args[j], []byte("rank")):
			j++
			v, ok := parseInt64Arg(args[j])
			if !ok {
				return errNotInt
			}
			if v == 0 {
				return errListRankZero
			}
			rank = v
		case more && bytes.EqualFold(args[j], []byte("count")):
			j++
			v, ok := parseInt64Arg(args[j])
			if !ok || v < 0 {
				return errListCountNeg
			}
			count = v
		case more && bytes.EqualFold(args[j], []byte("maxlen")):
			j++
			v, ok := parseInt64Arg(args[j])
			if !ok || v < 0 {
				return errListMaxLenNeg
			}
			maxLen = v
		default:
			return errSyntax
		}
	}
	fromTail := rank < 0
	if fromTail {
		// As in Redis, -LLONG_MIN stays negative: every match then counts.
		rank = -rank
	}
	it, l, ok := listLookup(c, args[1])
	if !ok {
		return errWrongType
	}
	if it == nil {
		if count != -1 {
			return reply.Array(nil)
		}
		return reply.Null()
	}
	n := l.Len()
	ele := args[2]
	var out []reply.Value
	var matches int64
	found := int64(-1)
	for k := 0; k < n && (maxLen == 0 || int64(k) < maxLen); k++ {
		i := k
		if fromTail {
			i = n - 1 - k
		}
		if !bytes.Equal(l.At(i), ele) {
			continue
		}
		matches++
		if matches < rank {
			continue
		}
		if count == -1 {
			found = int64(i)
			break
		}
		out = append(out, reply.Int(int64(i)))
		if count != 0 && matches-rank+1 >= count {
			break
		}
	}
	if count != -1 {
		return reply.Array(out)
	}
	if found < 0 {
		return reply.Null()
	}
	return reply.Int(found)
}

func cmdLMove(c *Ctx, args [][]byte) reply.Value {
	fromLeft, ok1 := listWhere(args[3])
	if !ok1 {
		return errSyntax
	}
	toLeft, ok2 := listWhere(args[4])
	if !ok2 {
		return errSyntax
	}
	return listMove(c, args[1], args[2], fromLeft, toLeft)
}

func cmdRPopLPush(c *Ctx, args [][]byte) reply.Value {
	return listMove(c, args[1], args[2], false, true)
}

// listMove pops from src and pushes onto dst (which may be the same key).
func listMove(c *Ctx, srcKey, dstKey []byte, fromLeft, toLeft bool) reply.Value {
	src, sl, ok := listLookup(c, srcKey)
	if !ok {
		return errWrongType
	}
	if src == nil || sl.Len() == 0 {
		return reply.Null()
	}
	dst, _, ok := listLookup(c, dstKey)
	if !ok {
		return errWrongType
	}
	src, sl = listMutable(c, src)
	v := listPopOne(sl, fromLeft)
	if dst == nil {
		dl := newDeque()
		dl.PushBack(v)
		c.set(dstKey, dl, 0)
	} else {
		// Looked up again: if dst is src, mutable may have replaced it.
		dst, _, _ = listLookup(c, dstKey)
		_, dl := listMutable(c, dst)
		listPushOne(dl, toLeft, v)
	}
	// For src == dst the element is back, so the list is not empty.
	if sl.Len() == 0 {
		c.deleteIfEmpty(src)
	}
	return reply.Bulk(v)
}

func cmdLMPop(c *Ctx, args [][]byte) reply.Value {
	numKeys, ok := parseInt64Arg(args[1])
	if !ok || numKeys < 1 {
		return errListNumKeys
	}
	// numKeys is bounded by the argument count before any arithmetic.
	if numKeys > int64(len(args)-3) {
		return errSyntax
	}
	whereIdx := 2 + int(numKeys)
	left, ok := listWhere(args[whereIdx])
	if !ok {
		return errSyntax
	}
	count := int64(-1)
	for j := whereIdx + 1; j < len(args); j++ {
		if count == -1 && j+1 < len(args) && bytes.EqualFold(args[j], []byte("count")) {
			j++
			v, ok := parseInt64Arg(args[j])
			if !ok || v < 1 {
				return errListCountPos
			}
			count = v
		} else {
			return errSyntax
		}
	}
	if count == -1 {
		count = 1
	}
	for _, key := range args[2:whereIdx] {
		it, l, ok := listLookup(c, key)
		if !ok {
			return errWrongType
		}
		if it == nil || l.Len() == 0 {
			continue
		}
		it, l = listMutable(c, it)
		n := int(min(count, int64(l.Len())))
		elems := make([]reply.Value, n)
		for i := range elems {
			elems[i] = reply.Bulk(listPopOne(l, left))
		}
		c.deleteIfEmpty(it)
		return reply.Array([]reply.Value{reply.Bulk(bytes.Clone(key)), reply.Array(elems)})
	}
	return reply.NullArray()
}
