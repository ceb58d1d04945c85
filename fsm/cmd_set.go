package fsm

import (
	"cmp"
	"math"
	"slices"
	"strconv"

	"github.com/redraft/redraft/reply"
)

// Set commands (Redis 7.0 t_set.c). Replies list members in the set's
// dense-array order, which is deterministic on every replica; random picks
// (SPOP, SRANDMEMBER) draw from Ctx.rand only.

// Error replies specific to set commands, worded as Redis 7.0 words them.
var (
	errSetNumKeys    = reply.Err("ERR numkeys should be greater than 0")
	errSetNumKeysBig = reply.Err("ERR Number of keys can't be greater than number of args")
	errSetLimitNeg   = reply.Err("ERR LIMIT can't be negative")
	errSetCursor     = reply.Err("ERR invalid cursor")
	errSetRange      = reply.Err("ERR value is out of range")
	errSetCountRange = reply.Err("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
)

// setSmallScan is the size up to which SSCAN (and ZSCAN) return the whole
// container in one call, as Redis does for its compact encodings.
const setSmallScan = 128

// setRandMax bounds the reply of SRANDMEMBER/ZRANDMEMBER with a negative
// count (which may repeat members, so its length does not depend on the
// set). Redis would try to stream such a reply and run out of memory; here
// the reply is built in memory first, so a larger count is refused with
// "ERR value is out of range".
const setRandMax = 1 << 22

func setCommands() []*Command {
	return []*Command{
		{Name: "sadd", Arity: -3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdSAdd},
		{Name: "srem", Arity: -3, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdSRem},
		{Name: "smembers", Arity: 2, Flags: FlagReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdSMembers},
		{Name: "sismember", Arity: 3, Flags: FlagReadOnly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdSIsMember},
		{Name: "smismember", Arity: -3, Flags: FlagReadOnly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdSMIsMember},
		{Name: "scard", Arity: 2, Flags: FlagReadOnly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdSCard},
		{Name: "spop", Arity: -2, Flags: FlagWrite | FlagFast | FlagRandom, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdSPop},
		{Name: "srandmember", Arity: -2, Flags: FlagReadOnly | FlagRandom, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdSRandMember},
		{Name: "sinter", Arity: -2, Flags: FlagReadOnly, FirstKey: 1, LastKey: -1, Step: 1, Run: cmdSInter},
		{Name: "sunion", Arity: -2, Flags: FlagReadOnly, FirstKey: 1, LastKey: -1, Step: 1, Run: cmdSUnion},
		{Name: "sdiff", Arity: -2, Flags: FlagReadOnly, FirstKey: 1, LastKey: -1, Step: 1, Run: cmdSDiff},
		{Name: "sinterstore", Arity: -3, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: -1, Step: 1, Run: cmdSInterStore},
		{Name: "sunionstore", Arity: -3, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: -1, Step: 1, Run: cmdSUnionStore},
		{Name: "sdiffstore", Arity: -3, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: -1, Step: 1, Run: cmdSDiffStore},
		// SINTERCARD's keys follow numkeys (movablekeys): Redis reports
		// 0 0 0 as its key positions.
		{Name: "sintercard", Arity: -3, Flags: FlagReadOnly, FirstKey: 0, LastKey: 0, Step: 0, Run: cmdSInterCard},
		{Name: "smove", Arity: 4, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 2, Step: 1, Run: cmdSMove},
		{Name: "sscan", Arity: -3, Flags: FlagReadOnly | FlagRandom, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdSScan},
	}
}

// szOpt reports whether the argument b is the option name (lower case),
// ignoring ASCII case, without allocating.
func szOpt(b []byte, name string) bool {
	if len(b) != len(name) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != name[i] {
			return false
		}
	}
	return true
}

// szScanOpts parses the MATCH and COUNT options of SSCAN/ZSCAN like
// scanGenericCommand (TYPE is SCAN's only). pattern is nil when every
// element matches.
func szScanOpts(args [][]byte) (pattern []byte, count int64, errp *reply.Value) {
	count = 10
	for i := 0; i < len(args); i += 2 {
		if i+1 >= len(args) {
			return nil, 0, &errSyntax
		}
		switch {
		case szOpt(args[i], "count"):
			n, ok := parseInt64Arg(args[i+1])
			if !ok {
				return nil, 0, &errNotInt
			}
			if n < 1 {
				return nil, 0, &errSyntax
			}
			count = n
		case szOpt(args[i], "match"):
			pattern = args[i+1]
			if len(pattern) == 1 && pattern[0] == '*' {
				pattern = nil
			}
		default:
			return nil, 0, &errSyntax
		}
	}
	return pattern, count, nil
}

// szScanReply is the [cursor, elements] reply of the SCAN family.
func szScanReply(next uint64, elems []reply.Value) reply.Value {
	return reply.Array([]reply.Value{reply.BulkString(strconv.FormatUint(next, 10)), reply.Array(elems)})
}

// setLookup returns the live item at key and its set; it is nil when the key
// is absent, and ok is false when the key holds another type.
func setLookup(c *Ctx, key []byte) (it *item, s *setValue, ok bool) {
	it = c.lookup(key)
	if it == nil {
		return nil, nil, true
	}
	s, ok = it.val.(*setValue)
	if !ok {
		return nil, nil, false
	}
	return it, s, true
}

// setMembers renders members as bulk strings.
func setMembers(keys []string) []reply.Value {
	out := make([]reply.Value, len(keys))
	for i, k := range keys {
		out[i] = reply.BulkString(k)
	}
	return out
}

func cmdSAdd(c *Ctx, args [][]byte) reply.Value {
	it, s, ok := setLookup(c, args[1])
	if !ok {
		return errWrongType
	}
	if it == nil {
		s = newSet(len(args) - 2)
		for _, m := range args[2:] {
			s.put(string(m), nil)
		}
		c.set(args[1], s, 0)
		return reply.Int(int64(s.Len()))
	}
	// Only a set that gains a member is modified (and touched for WATCH).
	fresh := false
	for _, m := range args[2:] {
		if !s.has(string(m)) {
			fresh = true
			break
		}
	}
	if !fresh {
		return reply.Int(0)
	}
	it = c.mutable(it)
	s = it.val.(*setValue)
	n := 0
	for _, m := range args[2:] {
		if s.put(string(m), nil) {
			n++
		}
	}
	return reply.Int(int64(n))
}

func cmdSRem(c *Ctx, args [][]byte) reply.Value {
	it, s, ok := setLookup(c, args[1])
	if !ok {
		return errWrongType
	}
	if it == nil {
		return reply.Int(0)
	}
	present := false
	for _, m := range args[2:] {
		if s.has(string(m)) {
			present = true
			break
		}
	}
	if !present {
		return reply.Int(0)
	}
	it = c.mutable(it)
	s = it.val.(*setValue)
	n := 0
	for _, m := range args[2:] {
		if s.remove(string(m)) {
			n++
			if s.Len() == 0 {
				break
			}
		}
	}
	c.deleteIfEmpty(it)
	return reply.Int(int64(n))
}

func cmdSMembers(c *Ctx, args [][]byte) reply.Value {
	it, s, ok := setLookup(c, args[1])
	if !ok {
		return errWrongType
	}
	if it == nil {
		return reply.Set(nil)
	}
	return reply.Set(setMembers(s.keys))
}

func cmdSIsMember(c *Ctx, args [][]byte) reply.Value {
	it, s, ok := setLookup(c, args[1])
	if !ok {
		return errWrongType
	}
	if it != nil && s.has(string(args[2])) {
		return reply.Int(1)
	}
	return reply.Int(0)
}

func cmdSMIsMember(c *Ctx, args [][]byte) reply.Value {
	it, s, ok := setLookup(c, args[1])
	if !ok {
		return errWrongType
	}
	out := make([]reply.Value, len(args)-2)
	for i, m := range args[2:] {
		if it != nil && s.has(string(m)) {
			out[i] = reply.Int(1)
		} else {
			out[i] = reply.Int(0)
		}
	}
	return reply.Array(out)
}

func cmdSCard(c *Ctx, args [][]byte) reply.Value {
	it, s, ok := setLookup(c, args[1])
	if !ok {
		return errWrongType
	}
	if it == nil {
		return reply.Int(0)
	}
	return reply.Int(int64(s.Len()))
}

func cmdSPop(c *Ctx, args [][]byte) reply.Value {
	if len(args) > 3 {
		return errSyntax
	}
	if len(args) == 2 {
		it, s, ok := setLookup(c, args[1])
		if !ok {
			return errWrongType
		}
		if it == nil {
			return reply.Null()
		}
		m := s.keys[c.rand().IntN(s.Len())]
		it = c.mutable(it)
		it.val.(*setValue).remove(m)
		c.deleteIfEmpty(it)
		return reply.BulkString(m)
	}
	n, ok := parseInt64Arg(args[2])
	if !ok || n < 0 {
		return errPositive
	}
	it, s, ok := setLookup(c, args[1])
	if !ok {
		return errWrongType
	}
	if it == nil || n == 0 {
		return reply.Set(nil)
	}
	if n >= int64(s.Len()) {
		out := setMembers(s.keys)
		c.removeItem(c.db, it)
		return reply.Set(out)
	}
	it = c.mutable(it)
	s = it.val.(*setValue)
	r := c.rand()
	out := make([]reply.Value, 0, n)
	for range n {
		m := s.keys[r.IntN(s.Len())]
		s.remove(m)
		out = append(out, reply.BulkString(m))
	}
	return reply.Set(out)
}

func cmdSRandMember(c *Ctx, args [][]byte) reply.Value {
	if len(args) > 3 {
		return errSyntax
	}
	if len(args) == 2 {
		it, s, ok := setLookup(c, args[1])
		if !ok {
			return errWrongType
		}
		if it == nil {
			return reply.Null()
		}
		return reply.BulkString(s.keys[c.rand().IntN(s.Len())])
	}
	l, ok := parseInt64Arg(args[2])
	if !ok {
		return errNotInt
	}
	if l == math.MinInt64 {
		return errSetCountRange
	}
	it, s, ok := setLookup(c, args[1])
	if !ok {
		return errWrongType
	}
	if it == nil || l == 0 {
		return reply.Array(nil)
	}
	size := s.Len()
	r := c.rand()
	if l < 0 {
		// A negative count may repeat members.
		if -l > setRandMax {
			return errSetRange
		}
		out := make([]reply.Value, -l)
		for i := range out {
			out[i] = reply.BulkString(s.keys[r.IntN(size)])
		}
		return reply.Array(out)
	}
	if l >= int64(size) {
		return reply.Array(setMembers(s.keys))
	}
	idx := szSample(r.IntN, size, int(l))
	out := make([]reply.Value, len(idx))
	for i, j := range idx {
		out[i] = reply.BulkString(s.keys[j])
	}
	return reply.Array(out)
}

// szSample returns n distinct indexes of [0, size) in random order: a partial
// Fisher-Yates shuffle whose swapped slots live in a map (only looked up,
// never iterated), so it costs O(n) whatever the size.
func szSample(intN func(int) int, size, n int) []int {
	swapped := make(map[int]int, n)
	at := func(i int) int {
		if v, ok := swapped[i]; ok {
			return v
		}
		return i
	}
	out := make([]int, n)
	for i := 0; i < n; i++ {
		j := i + intN(size-i)
		vi, vj := at(i), at(j)
		swapped[i], swapped[j] = vj, vi
		out[i] = vj
	}
	return out
}

// setsOf looks up every key as a set: nil entries for absent keys, ok false
// if any key holds another type (Redis checks them all before computing).
func setsOf(c *Ctx, keys [][]byte) (sets []*setValue, ok bool) {
	sets = make([]*setValue, len(keys))
	for i, k := range keys {
		it, s, ok := setLookup(c, k)
		if !ok {
			return nil, false
		}
		if it != nil {
			sets[i] = s
		}
	}
	return sets, true
}

// setInter visits the members of the intersection of sets (in the order of
// the smallest set) until fn returns false. Any nil set makes it empty.
func setInter(sets []*setValue, fn func(m string) bool) {
	if len(sets) == 0 {
		return
	}
	for _, s := range sets {
		if s == nil {
			return
		}
	}
	sorted := slices.Clone(sets)
	slices.SortStableFunc(sorted, func(a, b *setValue) int { return cmp.Compare(a.Len(), b.Len()) })
	for _, m := range sorted[0].keys {
		in := true
		for _, o := range sorted[1:] {
			if !o.has(m) {
				in = false
				break
			}
		}
		if in && !fn(m) {
			return
		}
	}
}

// setCombine computes SINTER/SUNION/SDIFF of sets into a new set.
func setCombine(op string, sets []*setValue) *setValue {
	res := newSet(0)
	switch op {
	case "inter":
		setInter(sets, func(m string) bool {
			res.put(m, nil)
			return true
		})
	case "union":
		for _, s := range sets {
			if s == nil {
				continue
			}
			for _, m := range s.keys {
				res.put(m, nil)
			}
		}
	case "diff":
		if sets[0] == nil {
			return res
		}
		for _, m := range sets[0].keys {
			in := false
			for _, o := range sets[1:] {
				if o != nil && o.has(m) {
					in = true
					break
				}
			}
			if !in {
				res.put(m, nil)
			}
		}
	}
	return res
}

func setCombineCmd(c *Ctx, keys [][]byte, op string) reply.Value {
	sets, ok := setsOf(c, keys)
	if !ok {
		return errWrongType
	}
	return reply.Set(setMembers(setCombine(op, sets).keys))
}

// setCombineStore stores the result at dst, or deletes dst when the result is
// empty, replacing whatever dst held (and its TTL).
func setCombineStore(c *Ctx, dst []byte, keys [][]byte, op string) reply.Value {
	sets, ok := setsOf(c, keys)
	if !ok {
		return errWrongType
	}
	res := setCombine(op, sets)
	if res.Len() == 0 {
		c.del(dst)
		return reply.Int(0)
	}
	c.set(dst, res, 0)
	return reply.Int(int64(res.Len()))
}

func cmdSInter(c *Ctx, args [][]byte) reply.Value { return setCombineCmd(c, args[1:], "inter") }
func cmdSUnion(c *Ctx, args [][]byte) reply.Value { return setCombineCmd(c, args[1:], "union") }
func cmdSDiff(c *Ctx, args [][]byte) reply.Value  { return setCombineCmd(c, args[1:], "diff") }

func cmdSInterStore(c *Ctx, args [][]byte) reply.Value {
	return setCombineStore(c, args[1], args[2:], "inter")
}

func cmdSUnionStore(c *Ctx, args [][]byte) reply.Value {
	return setCombineStore(c, args[1], args[2:], "union")
}

func cmdSDiffStore(c *Ctx, args [][]byte) reply.Value {
	return setCombineStore(c, args[1], args[2:], "diff")
}

func cmdSInterCard(c *Ctx, args [][]byte) reply.Value {
	numkeys, ok := parseInt64Arg(args[1])
	if !ok || numkeys < 1 {
		return errSetNumKeys
	}
	if numkeys > int64(len(args)-2) {
		return errSetNumKeysBig
	}
	var limit int64
	for j := 2 + int(numkeys); j < len(args); j++ {
		if szOpt(args[j], "limit") && j+1 < len(args) {
			j++
			n, ok := parseInt64Arg(args[j])
			if !ok || n < 0 {
				return errSetLimitNeg
			}
			limit = n
		} else {
			return errSyntax
		}
	}
	sets, ok := setsOf(c, args[2:2+numkeys])
	if !ok {
		return errWrongType
	}
	var n int64
	setInter(sets, func(string) bool {
		n++
		return limit == 0 || n < limit
	})
	return reply.Int(n)
}

func cmdSMove(c *Ctx, args [][]byte) reply.Value {
	srcIt, src, srcOK := setLookup(c, args[1])
	dstIt, _, dstOK := setLookup(c, args[2])
	if srcIt == nil && srcOK {
		return reply.Int(0)
	}
	if !srcOK || !dstOK {
		return errWrongType
	}
	m := string(args[3])
	if srcIt == dstIt {
		if src.has(m) {
			return reply.Int(1)
		}
		return reply.Int(0)
	}
	if !src.has(m) {
		return reply.Int(0)
	}
	srcIt = c.mutable(srcIt)
	srcIt.val.(*setValue).remove(m)
	c.deleteIfEmpty(srcIt)
	if dstIt == nil {
		dst := newSet(1)
		dst.put(m, nil)
		c.set(args[2], dst, 0)
	} else {
		dstIt = c.mutable(dstIt)
		dstIt.val.(*setValue).put(m, nil)
	}
	return reply.Int(1)
}

func cmdSScan(c *Ctx, args [][]byte) reply.Value {
	cursor, ok := parseCursor(args[2])
	if !ok {
		return errSetCursor
	}
	it, s, ok := setLookup(c, args[1])
	if !ok {
		return errWrongType
	}
	if it == nil {
		// Redis answers before it parses the options.
		return szScanReply(0, nil)
	}
	pattern, count, errp := szScanOpts(args[3:])
	if errp != nil {
		return *errp
	}
	var out []reply.Value
	emit := func(i int) {
		m := s.keys[i]
		if pattern != nil && !globMatch(pattern, []byte(m), false) {
			return
		}
		out = append(out, reply.BulkString(m))
	}
	var next uint64
	if s.Len() <= setSmallScan {
		for i := range s.keys {
			emit(i)
		}
	} else {
		next = s.scan(cursor, int(min(count, int64(s.Len()))), emit)
	}
	return szScanReply(next, out)
}
