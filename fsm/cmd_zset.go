package fsm

import (
	"math"

	"github.com/redraft/redraft/reply"
)

// Sorted set commands (Redis 7.0 t_zset.c). Every update, lookup by rank and
// range bound is O(log n) on the skiplist; ranges then walk the level-0
// links. Random picks (ZRANDMEMBER) draw from Ctx.rand only.

// Error replies specific to sorted set commands, worded as Redis 7.0 words
// them.
var (
	errZXXNX         = reply.Err("ERR XX and NX options at the same time are not compatible")
	errZGTLTNX       = reply.Err("ERR GT, LT, and/or NX options at the same time are not compatible")
	errZIncrPair     = reply.Err("ERR INCR option supports a single increment-element pair")
	errZNaN          = reply.Err("ERR resulting score is not a number (NaN)")
	errZLimitRank    = reply.Err("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")
	errZScoresLex    = reply.Err("ERR syntax error, WITHSCORES not supported in combination with BYLEX")
	errZCount        = reply.Err("ERR count should be greater than 0")
	errZMinMaxFloat  = reply.Err(errMinMaxNotFloat.Error())
	errZLexRangeItem = reply.Err(errLexRange.Error())
)

func zsetCommands() []*Command {
	w := FlagWrite
	r := FlagReadOnly
	return []*Command{
		{Name: "zadd", Arity: -4, Flags: w | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdZAdd},
		{Name: "zincrby", Arity: 4, Flags: w | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdZIncrBy},
		{Name: "zrem", Arity: -3, Flags: w | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdZRem},
		{Name: "zscore", Arity: 3, Flags: r | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdZScore},
		{Name: "zmscore", Arity: -3, Flags: r | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdZMScore},
		{Name: "zcard", Arity: 2, Flags: r | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdZCard},
		{Name: "zcount", Arity: 4, Flags: r | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdZCount},
		{Name: "zlexcount", Arity: 4, Flags: r | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdZLexCount},
		{Name: "zrank", Arity: 3, Flags: r | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdZRank},
		{Name: "zrevrank", Arity: 3, Flags: r | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdZRevRank},
		{Name: "zrange", Arity: -4, Flags: r, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdZRange},
		{Name: "zrangebyscore", Arity: -4, Flags: r, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdZRangeByScore},
		{Name: "zrevrangebyscore", Arity: -4, Flags: r, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdZRevRangeByScore},
		{Name: "zrangebylex", Arity: -4, Flags: r, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdZRangeByLex},
		{Name: "zrevrangebylex", Arity: -4, Flags: r, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdZRevRangeByLex},
		{Name: "zrevrange", Arity: -4, Flags: r, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdZRevRange},
		{Name: "zrangestore", Arity: -5, Flags: w | FlagDenyOOM, FirstKey: 1, LastKey: 2, Step: 1, Run: cmdZRangeStore},
		{Name: "zremrangebyscore", Arity: 4, Flags: w, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdZRemRangeByScore},
		{Name: "zremrangebyrank", Arity: 4, Flags: w, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdZRemRangeByRank},
		{Name: "zremrangebylex", Arity: 4, Flags: w, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdZRemRangeByLex},
		{Name: "zpopmin", Arity: -2, Flags: w | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdZPopMin},
		{Name: "zpopmax", Arity: -2, Flags: w | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdZPopMax},
		// ZMPOP's keys follow numkeys (movablekeys): Redis reports 0 0 0
		// as its key positions.
		{Name: "zmpop", Arity: -4, Flags: w, FirstKey: 0, LastKey: 0, Step: 0, Run: cmdZMPop},
		{Name: "zscan", Arity: -3, Flags: r | FlagRandom, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdZScan},
		{Name: "zrandmember", Arity: -2, Flags: r | FlagRandom, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdZRandMember},
	}
}

// zsetLookup returns the live item at key and its sorted set; it is nil when
// the key is absent, and ok is false when the key holds another type.
func zsetLookup(c *Ctx, key []byte) (it *item, z *zset, ok bool) {
	it = c.lookup(key)
	if it == nil {
		return nil, nil, true
	}
	z, ok = it.val.(*zset)
	if !ok {
		return nil, nil, false
	}
	return it, z, true
}

// zScore is a score as stored: Redis 7.0 keeps small sorted sets in a
// listpack where an integral score is stored as an integer, so -0 reads back
// as 0. Storing +0 reproduces that for every size.
func zScore(f float64) float64 {
	if f == 0 {
		return 0
	}
	return f
}

// zDouble is a score reply (a RESP3 double, a bulk string in RESP2).
func zDouble(f float64) reply.Value { return reply.Double(formatDouble(f)) }

// zScanScore formats a score in a ZSCAN reply of a small sorted set as Redis
// 7.0 reads it back from a listpack: integral scores within ±2^62 (stored as
// integers, see double2ll) print as integers, the others as %.17g.
func zScanScore(f float64) string {
	if f == math.Trunc(f) && f >= -(1<<62) && f <= 1<<62 {
		return formatInt(int64(f))
	}
	return formatDouble(f)
}

// zElem is one member and its score in a range result.
type zElem struct {
	member string
	score  float64
}

// zRangeReply renders a range result: members only, or member/score pairs.
func zRangeReply(elems []zElem, withScores bool) reply.Value {
	if !withScores {
		out := make([]reply.Value, len(elems))
		for i, e := range elems {
			out[i] = reply.BulkString(e.member)
		}
		return reply.Array(out)
	}
	out := make([]reply.Value, 0, 2*len(elems))
	for _, e := range elems {
		out = append(out, reply.BulkString(e.member), zDouble(e.score))
	}
	return reply.Pairs(out)
}

func cmdZAdd(c *Ctx, args [][]byte) reply.Value    { return zaddGeneric(c, args, false) }
func cmdZIncrBy(c *Ctx, args [][]byte) reply.Value { return zaddGeneric(c, args, true) }

// zaddGeneric is ZADD, and ZINCRBY (which is ZADD INCR without options).
func zaddGeneric(c *Ctx, args [][]byte, zincrby bool) reply.Value {
	var nx, xx, gt, lt, ch, incr bool
	idx := 2
	if zincrby {
		incr = true
	} else {
	opts:
		for ; idx < len(args); idx++ {
			a := args[idx]
			switch {
			case szOpt(a, "nx"):
				nx = true
			case szOpt(a, "xx"):
				xx = true
			case szOpt(a, "ch"):
				ch = true
			case szOpt(a, "incr"):
				incr = true
			case szOpt(a, "gt"):
				gt = true
			case szOpt(a, "lt"):
				lt = true
			default:
				break opts
			}
		}
	}
	n := len(args) - idx
	if n%2 != 0 || n == 0 {
		return errSyntax
	}
	n /= 2
	if nx && xx {
		return errZXXNX
	}
	if (gt && nx) || (lt && nx) || (gt && lt) {
		return errZGTLTNX
	}
	if incr && n > 1 {
		return errZIncrPair
	}
	// Parse every score first: the command applies fully or not at all.
	scores := make([]float64, n)
	for j := range scores {
		v, ok := parseFloatArg(args[idx+2*j])
		if !ok {
			return errNotFloat
		}
		scores[j] = v
	}
	it, z, ok := zsetLookup(c, args[1])
	if !ok {
		return errWrongType
	}
	mutated := false
	if it == nil {
		if xx {
			if incr {
				return reply.Null()
			}
			return reply.Int(0)
		}
		z = newZSet()
		it = c.set(args[1], z, 0)
		mutated = true
	}
	// The set is copied for writing only once something changes, so a
	// no-op ZADD leaves WATCH alone, as in Redis.
	mutate := func() {
		if !mutated {
			it = c.mutable(it)
			z = it.val.(*zset)
			mutated = true
		}
	}
	var added, updated, processed int64
	var score float64
	for j := range scores {
		score = scores[j]
		m := string(args[idx+2*j+1])
		cur, exists := z.Score(m)
		switch {
		case exists:
			if nx {
				continue
			}
			if incr {
				score += cur
				if math.IsNaN(score) {
					return errZNaN
				}
			}
			if (lt && score >= cur) || (gt && score <= cur) {
				continue
			}
			processed++
			if score != cur {
				mutate()
				z.Add(m, zScore(score))
				updated++
			}
		case !xx:
			mutate()
			z.Add(m, zScore(score))
			added++
			processed++
		}
	}
	if incr {
		if processed == 0 {
			return reply.Null()
		}
		return zDouble(score)
	}
	if ch {
		return reply.Int(added + updated)
	}
	return reply.Int(added)
}

func cmdZRem(c *Ctx, args [][]byte) reply.Value {
	it, z, ok := zsetLookup(c, args[1])
	if !ok {
		return errWrongType
	}
	if it == nil {
		return reply.Int(0)
	}
	present := false
	for _, m := range args[2:] {
		if _, ok := z.Score(string(m)); ok {
			present = true
			break
		}
	}
	if !present {
		return reply.Int(0)
	}
	it = c.mutable(it)
	z = it.val.(*zset)
	var n int64
	for _, m := range args[2:] {
		if z.Remove(string(m)) {
			n++
		}
	}
	c.deleteIfEmpty(it)
	return reply.Int(n)
}

func cmdZScore(c *Ctx, args [][]byte) reply.Value {
	it, z, ok := zsetLookup(c, args[1])
	if !ok {
		return errWrongType
	}
	if it == nil {
		return reply.Null()
	}
	s, ok := z.Score(string(args[2]))
	if !ok {
		return reply.Null()
	}
	return zDouble(s)
}

func cmdZMScore(c *Ctx, args [][]byte) reply.Value {
	it, z, ok := zsetLookup(c, args[1])
	if !ok {
		return errWrongType
	}
	out := make([]reply.Value, len(args)-2)
	for i, m := range args[2:] {
		out[i] = reply.Null()
		if it != nil {
			if s, ok := z.Score(string(m)); ok {
				out[i] = zDouble(s)
			}
		}
	}
	return reply.Array(out)
}

func cmdZCard(c *Ctx, args [][]byte) reply.Value {
	it, z, ok := zsetLookup(c, args[1])
	if !ok {
		return errWrongType
	}
	if it == nil {
		return reply.Int(0)
	}
	return reply.Int(int64(z.Len()))
}

// zSpan counts the elements from first to last inclusive by rank: O(log n).
func zSpan(z *zset, first, last *zslNode) int64 {
	if first == nil || last == nil {
		return 0
	}
	n := z.zsl.RankOfNode(last) - z.zsl.RankOfNode(first) + 1
	return int64(max(n, 0))
}

func cmdZCount(c *Ctx, args [][]byte) reply.Value {
	rng, err := parseScoreRange(args[2], args[3])
	if err != nil {
		return errZMinMaxFloat
	}
	it, z, ok := zsetLookup(c, args[1])
	if !ok {
		return errWrongType
	}
	if it == nil {
		return reply.Int(0)
	}
	return reply.Int(zSpan(z, z.zsl.FirstInRange(rng), z.zsl.LastInRange(rng)))
}

func cmdZLexCount(c *Ctx, args [][]byte) reply.Value {
	rng, err := parseLexRange(args[2], args[3])
	if err != nil {
		return errZLexRangeItem
	}
	it, z, ok := zsetLookup(c, args[1])
	if !ok {
		return errWrongType
	}
	if it == nil {
		return reply.Int(0)
	}
	return reply.Int(zSpan(z, z.zsl.FirstInLex(rng), z.zsl.LastInLex(rng)))
}

func cmdZRank(c *Ctx, args [][]byte) reply.Value    { return zrankGeneric(c, args, false) }
func cmdZRevRank(c *Ctx, args [][]byte) reply.Value { return zrankGeneric(c, args, true) }

func zrankGeneric(c *Ctx, args [][]byte, rev bool) reply.Value {
	it, z, ok := zsetLookup(c, args[1])
	if !ok {
		return errWrongType
	}
	if it == nil {
		return reply.Null()
	}
	m := string(args[2])
	s, ok := z.Score(m)
	if !ok {
		return reply.Null()
	}
	rank := z.zsl.Rank(s, m)
	if rev {
		rank = z.Len() - 1 - rank
	}
	return reply.Int(int64(rank))
}

// zrangeType and zrangeDir are the range kind and direction of the ZRANGE
// family; the Auto values may be set by ZRANGE's options.
type zrangeType int

const (
	zrAuto zrangeType = iota
	zrRank
	zrScore
	zrLex
)

type zrangeDir int

const (
	zdAuto zrangeDir = iota
	zdForward
	zdReverse
)

func cmdZRange(c *Ctx, args [][]byte) reply.Value {
	return zrangeGeneric(c, args, 1, nil, zrAuto, zdAuto)
}

func cmdZRangeByScore(c *Ctx, args [][]byte) reply.Value {
	return zrangeGeneric(c, args, 1, nil, zrScore, zdForward)
}

func cmdZRevRangeByScore(c *Ctx, args [][]byte) reply.Value {
	return zrangeGeneric(c, args, 1, nil, zrScore, zdReverse)
}

func cmdZRangeByLex(c *Ctx, args [][]byte) reply.Value {
	return zrangeGeneric(c, args, 1, nil, zrLex, zdForward)
}

func cmdZRevRangeByLex(c *Ctx, args [][]byte) reply.Value {
	return zrangeGeneric(c, args, 1, nil, zrLex, zdReverse)
}

func cmdZRevRange(c *Ctx, args [][]byte) reply.Value {
	return zrangeGeneric(c, args, 1, nil, zrRank, zdReverse)
}

func cmdZRangeStore(c *Ctx, args [][]byte) reply.Value {
	return zrangeGeneric(c, args, 2, args[1], zrAuto, zdAuto)
}

// zrangeGeneric is zrangeGenericCommand: the source key is args[at], its
// bounds the two arguments after it, then the options. dst is the
// destination of ZRANGESTORE, nil for the reading forms.
func zrangeGeneric(c *Ctx, args [][]byte, at int, dst []byte, rtype zrangeType, dir zrangeDir) reply.Value {
	store := dst != nil
	minIdx, maxIdx := at+1, at+2
	withScores := false
	offset, limit := int64(0), int64(-1)
	for j := at + 3; j < len(args); j++ {
		left := len(args) - j - 1
		a := args[j]
		switch {
		case !store && szOpt(a, "withscores"):
			withScores = true
		case szOpt(a, "limit") && left >= 2:
			o, ok := parseInt64Arg(args[j+1])
			if !ok {
				return errNotInt
			}
			l, ok := parseInt64Arg(args[j+2])
			if !ok {
				return errNotInt
			}
			offset, limit = o, l
			j += 2
		case dir == zdAuto && szOpt(a, "rev"):
			dir = zdReverse
		case rtype == zrAuto && szOpt(a, "bylex"):
			rtype = zrLex
		case rtype == zrAuto && szOpt(a, "byscore"):
			rtype = zrScore
		default:
			return errSyntax
		}
	}
	if dir == zdAuto {
		dir = zdForward
	}
	if rtype == zrAuto {
		rtype = zrRank
	}
	if limit != -1 && rtype == zrRank {
		return errZLimitRank
	}
	if withScores && rtype == zrLex {
		return errZScoresLex
	}
	rev := dir == zdReverse
	if rev && rtype != zrRank {
		// The range is given as max, min.
		minIdx, maxIdx = maxIdx, minIdx
	}
	var start, end int64
	var srange scoreRange
	var lrange lexRange
	switch rtype {
	case zrRank:
		var ok bool
		if start, ok = parseInt64Arg(args[minIdx]); !ok {
			return errNotInt
		}
		if end, ok = parseInt64Arg(args[maxIdx]); !ok {
			return errNotInt
		}
	case zrScore:
		var err error
		if srange, err = parseScoreRange(args[minIdx], args[maxIdx]); err != nil {
			return errZMinMaxFloat
		}
	case zrLex:
		var err error
		if lrange, err = parseLexRange(args[minIdx], args[maxIdx]); err != nil {
			return errZLexRangeItem
		}
	}
	it, z, ok := zsetLookup(c, args[at])
	if !ok {
		return errWrongType
	}
	var elems []zElem
	if it != nil {
		switch rtype {
		case zrRank:
			elems = zRankRange(z, start, end, rev)
		case zrScore:
			first := z.zsl.FirstInRange(srange)
			if rev {
				first = z.zsl.LastInRange(srange)
			}
			elems = zWalkRange(z, first, offset, limit, rev, func(n *zslNode) bool {
				if rev {
					return srange.gteMin(n.score)
				}
				return srange.lteMax(n.score)
			})
		case zrLex:
			first := z.zsl.FirstInLex(lrange)
			if rev {
				first = z.zsl.LastInLex(lrange)
			}
			elems = zWalkRange(z, first, offset, limit, rev, func(n *zslNode) bool {
				if rev {
					return lrange.gteMin(n.member)
				}
				return lrange.lteMax(n.member)
			})
		}
	}
	if store {
		return zStoreRange(c, dst, elems)
	}
	return zRangeReply(elems, withScores)
}

// zRankRange returns the elements with ranks start..end (Redis's index rules:
// negative counts from the end, clamped to the set).
func zRankRange(z *zset, start, end int64, rev bool) []zElem {
	llen := int64(z.Len())
	if start < 0 {
		start += llen
	}
	if end < 0 {
		end += llen
	}
	if start < 0 {
		start = 0
	}
	if start > end || start >= llen {
		return nil
	}
	if end >= llen {
		end = llen - 1
	}
	n := int(end - start + 1)
	elems := make([]zElem, 0, n)
	var x *zslNode
	if rev {
		x = z.zsl.NodeByRank(int(llen - 1 - start))
	} else {
		x = z.zsl.NodeByRank(int(start))
	}
	for x != nil && len(elems) < n {
		elems = append(elems, zElem{x.member, x.score})
		if rev {
			x = x.Prev()
		} else {
			x = x.Next()
		}
	}
	return elems
}

// zWalkRange collects elements from first (the first node in range in the
// walking direction), skipping offset of them and taking at most limit (all
// when negative) while inRange holds. A negative offset yields nothing, as
// in Redis (whose element-by-element skip runs off the end). The offset is
// skipped by rank, in O(log n).
func zWalkRange(z *zset, first *zslNode, offset, limit int64, rev bool, inRange func(*zslNode) bool) []zElem {
	llen := int64(z.Len())
	if first == nil || offset < 0 || (offset > 0 && offset >= llen) {
		return nil
	}
	x := first
	if offset > 0 {
		r := int64(z.zsl.RankOfNode(first))
		if rev {
			r -= offset
		} else {
			r += offset
		}
		x = z.zsl.NodeByRank(int(r))
	}
	var elems []zElem
	for x != nil && limit != 0 {
		if !inRange(x) {
			break
		}
		elems = append(elems, zElem{x.member, x.score})
		if limit > 0 {
			limit--
		}
		if rev {
			x = x.Prev()
		} else {
			x = x.Next()
		}
	}
	return elems
}

// zStoreRange is ZRANGESTORE's result: the elements replace dst (and its TTL),
// or dst is deleted when there are none.
func zStoreRange(c *Ctx, dst []byte, elems []zElem) reply.Value {
	if len(elems) == 0 {
		c.del(dst)
		return reply.Int(0)
	}
	z := newZSet()
	for _, e := range elems {
		z.Add(e.member, e.score)
	}
	c.set(dst, z, 0)
	return reply.Int(int64(len(elems)))
}

func cmdZRemRangeByScore(c *Ctx, args [][]byte) reply.Value {
	return zremrangeGeneric(c, args, zrScore)
}
func cmdZRemRangeByRank(c *Ctx, args [][]byte) reply.Value { return zremrangeGeneric(c, args, zrRank) }
func cmdZRemRangeByLex(c *Ctx, args [][]byte) reply.Value  { return zremrangeGeneric(c, args, zrLex) }

func zremrangeGeneric(c *Ctx, args [][]byte, rtype zrangeType) reply.Value {
	var start, end int64
	var srange scoreRange
	var lrange lexRange
	switch rtype {
	case zrRank:
		var ok bool
		if start, ok = parseInt64Arg(args[2]); !ok {
			return errNotInt
		}
		if end, ok = parseInt64Arg(args[3]); !ok {
			return errNotInt
		}
	case zrScore:
		var err error
		if srange, err = parseScoreRange(args[2], args[3]); err != nil {
			return errZMinMaxFloat
		}
	case zrLex:
		var err error
		if lrange, err = parseLexRange(args[2], args[3]); err != nil {
			return errZLexRangeItem
		}
	}
	it, z, ok := zsetLookup(c, args[1])
	if !ok {
		return errWrongType
	}
	if it == nil {
		return reply.Int(0)
	}
	// Check that something is in range before copying the set for writing.
	switch rtype {
	case zrRank:
		llen := int64(z.Len())
		if start < 0 {
			start += llen
		}
		if end < 0 {
			end += llen
		}
		if start < 0 {
			start = 0
		}
		if start > end || start >= llen {
			return reply.Int(0)
		}
		if end >= llen {
			end = llen - 1
		}
	case zrScore:
		if z.zsl.FirstInRange(srange) == nil {
			return reply.Int(0)
		}
	case zrLex:
		if z.zsl.FirstInLex(lrange) == nil {
			return reply.Int(0)
		}
	}
	it = c.mutable(it)
	z = it.val.(*zset)
	var removed []string
	switch rtype {
	case zrRank:
		removed = z.DeleteRangeByRank(int(start), int(end))
	case zrScore:
		removed = z.DeleteRangeByScore(srange)
	case zrLex:
		removed = z.DeleteRangeByLex(lrange)
	}
	c.deleteIfEmpty(it)
	return reply.Int(int64(len(removed)))
}

// zPop removes up to count elements from the low (or high) end of the set at
// it, deleting the key when it empties, and returns them in pop order.
func zPop(c *Ctx, it *item, count int64, high bool) []zElem {
	it = c.mutable(it)
	z := it.val.(*zset)
	n := int(min(count, int64(z.Len())))
	elems := make([]zElem, 0, n)
	for range n {
		r := 0
		if high {
			r = z.Len() - 1
		}
		x := z.zsl.NodeByRank(r)
		elems = append(elems, zElem{x.member, x.score})
		z.Remove(x.member)
	}
	c.deleteIfEmpty(it)
	return elems
}

func cmdZPopMin(c *Ctx, args [][]byte) reply.Value { return zpopGeneric(c, args, false) }
func cmdZPopMax(c *Ctx, args [][]byte) reply.Value { return zpopGeneric(c, args, true) }

func zpopGeneric(c *Ctx, args [][]byte, high bool) reply.Value {
	if len(args) > 3 {
		return errSyntax
	}
	count := int64(-1) // no COUNT given
	if len(args) == 3 {
		n, ok := parseInt64Arg(args[2])
		if !ok || n < 0 {
			return errPositive
		}
		count = n
	}
	it, _, ok := zsetLookup(c, args[1])
	if !ok {
		return errWrongType
	}
	if it == nil || count == 0 {
		return reply.Array(nil)
	}
	single := count == -1
	if single {
		count = 1
	}
	elems := zPop(c, it, count, high)
	flat := make([]reply.Value, 0, 2*len(elems))
	for _, e := range elems {
		flat = append(flat, reply.BulkString(e.member), zDouble(e.score))
	}
	if single {
		// Without COUNT the reply is a flat [member, score] in RESP3 too.
		return reply.Array(flat)
	}
	return reply.Pairs(flat)
}

func cmdZMPop(c *Ctx, args [][]byte) reply.Value {
	numkeys, ok := parseInt64Arg(args[1])
	if !ok || numkeys < 1 {
		return errSetNumKeys
	}
	if numkeys >= int64(len(args)-2) {
		return errSyntax
	}
	whereIdx := 2 + int(numkeys)
	var high bool
	switch {
	case szOpt(args[whereIdx], "min"):
	case szOpt(args[whereIdx], "max"):
		high = true
	default:
		return errSyntax
	}
	count := int64(-1)
	for j := whereIdx + 1; j < len(args); j++ {
		if count == -1 && szOpt(args[j], "count") && j+1 < len(args) {
			j++
			n, ok := parseInt64Arg(args[j])
			if !ok || n < 1 {
				return errZCount
			}
			count = n
		} else {
			return errSyntax
		}
	}
	if count == -1 {
		count = 1
	}
	for _, k := range args[2:whereIdx] {
		it, _, ok := zsetLookup(c, k)
		if !ok {
			return errWrongType
		}
		if it == nil {
			continue
		}
		elems := zPop(c, it, count, high)
		pairs := make([]reply.Value, len(elems))
		for i, e := range elems {
			pairs[i] = reply.Array([]reply.Value{reply.BulkString(e.member), zDouble(e.score)})
		}
		return reply.Array([]reply.Value{reply.Bulk(k), reply.Array(pairs)})
	}
	return reply.NullArray()
}

func cmdZScan(c *Ctx, args [][]byte) reply.Value {
	cursor, ok := parseCursor(args[2])
	if !ok {
		return errSetCursor
	}
	it, z, ok := zsetLookup(c, args[1])
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
	emit := func(m string, s string) {
		if pattern != nil && !globMatch(pattern, []byte(m), false) {
			return
		}
		out = append(out, reply.BulkString(m), reply.BulkString(s))
	}
	if z.Len() <= setSmallScan {
		z.Each(func(m string, s float64) bool {
			emit(m, zScanScore(s))
			return true
		})
		return szScanReply(0, out)
	}
	// A larger set is scanned by rank: the cursor is the rank to resume at.
	if cursor >= uint64(z.Len()) {
		return szScanReply(0, nil)
	}
	x := z.zsl.NodeByRank(int(cursor))
	for i := int64(0); i < count && x != nil; i++ {
		emit(x.member, formatDouble(x.score))
		x = x.Next()
		cursor++
	}
	if x == nil {
		cursor = 0
	}
	return szScanReply(cursor, out)
}

func cmdZRandMember(c *Ctx, args [][]byte) reply.Value {
	if len(args) == 2 {
		it, z, ok := zsetLookup(c, args[1])
		if !ok {
			return errWrongType
		}
		if it == nil {
			return reply.Null()
		}
		return reply.BulkString(z.zsl.NodeByRank(c.rand().IntN(z.Len())).member)
	}
	l, ok := parseInt64Arg(args[2])
	if !ok {
		return errNotInt
	}
	if l == math.MinInt64 {
		return errSetCountRange
	}
	if len(args) > 4 || (len(args) == 4 && !szOpt(args[3], "withscores")) {
		return errSyntax
	}
	withScores := len(args) == 4
	if withScores && (l < -math.MaxInt64/2 || l > math.MaxInt64/2) {
		return errSetRange
	}
	it, z, ok := zsetLookup(c, args[1])
	if !ok {
		return errWrongType
	}
	if it == nil || l == 0 {
		return reply.Array(nil)
	}
	size := z.Len()
	r := c.rand()
	var elems []zElem
	switch {
	case l < 0:
		// A negative count may repeat members.
		if -l > setRandMax {
			return errSetRange
		}
		elems = make([]zElem, -l)
		for i := range elems {
			x := z.zsl.NodeByRank(r.IntN(size))
			elems[i] = zElem{x.member, x.score}
		}
	case l >= int64(size):
		// The whole set, from the highest rank down, as Redis does.
		elems = make([]zElem, 0, size)
		for x := z.zsl.NodeByRank(size - 1); x != nil; x = x.Prev() {
			elems = append(elems, zElem{x.member, x.score})
		}
	default:
		ranks := szSample(r.IntN, size, int(l))
		elems = make([]zElem, len(ranks))
		for i, rk := range ranks {
			x := z.zsl.NodeByRank(rk)
			elems[i] = zElem{x.member, x.score}
		}
	}
	return zRangeReply(elems, withScores)
}
