package fsm

import (
	"bytes"
	"errors"
	"maps"
	"math"
	"strings"
)

// This file ports the sorted set skiplist of Redis 7.0 (t_zset.c). Elements
// are ordered by score ascending and then by member bytes, exactly as Redis
// orders them, and every forward link carries a span (the number of level-0
// steps it skips) so ranks are computed in O(log n).

// Errors returned by the range parsers; the texts are the exact Redis
// replies.
var (
	errMinMaxNotFloat = errors.New("ERR min or max is not a float")
	errLexRange       = errors.New("ERR min or max not valid string range item")
)

const (
	zslMaxLevel = 32   // ZSKIPLIST_MAXLEVEL: enough for 2^64 elements
	zslP        = 0.25 // ZSKIPLIST_P: probability of adding one more level
	// zslRandSeed seeds level generation. It is a fixed constant because the
	// structure must come out identical on every replica applying the same
	// log, so math/rand (and any per-process seed) is out.
	zslRandSeed = 0x9E3779B97F4A7C15
)

type zslLevel struct {
	forward *zslNode
	span    int // level-0 steps from this node to forward (to the end if nil)
}

// zslNode is one skiplist element. The header node has an empty member and
// is never returned to callers.
type zslNode struct {
	member   string
	score    float64
	backward *zslNode // previous node at level 0; nil for the first node
	level    []zslLevel
}

// Member returns the node's member.
func (n *zslNode) Member() string { return n.member }

// Score returns the node's score.
func (n *zslNode) Score() float64 { return n.score }

// Next returns the following node, or nil at the end.
func (n *zslNode) Next() *zslNode { return n.level[0].forward }

// Prev returns the preceding node, or nil at the start.
func (n *zslNode) Prev() *zslNode { return n.backward }

// before reports whether n sorts before (score, member).
func (n *zslNode) before(score float64, member string) bool {
	return n.score < score || (n.score == score && n.member < member)
}

// zskiplist is the ordered half of a sorted set. It does not check for
// duplicate members; zset does that with its dictionary, as Redis does.
type zskiplist struct {
	header *zslNode
	tail   *zslNode
	length int
	level  int    // number of levels in use, at least 1
	rng    uint64 // xorshift64 state for randomLevel
}

func newZSkiplist() *zskiplist {
	return &zskiplist{
		header: &zslNode{level: make([]zslLevel, zslMaxLevel)},
		level:  1,
		rng:    zslRandSeed,
	}
}

// Len returns the number of elements.
func (zsl *zskiplist) Len() int { return zsl.length }

// randomLevel returns a level in [1, zslMaxLevel], each extra level having
// probability zslP like zslRandomLevel. It uses a private xorshift64
// generator so that identical operation sequences build identical lists.
func (zsl *zskiplist) randomLevel() int {
	level := 1
	for level < zslMaxLevel {
		zsl.rng ^= zsl.rng << 13
		zsl.rng ^= zsl.rng >> 7
		zsl.rng ^= zsl.rng << 17
		if zsl.rng>>48 >= zslP*0x10000 { // top 16 bits: the best ones of xorshift
			break
		}
		level++
	}
	return level
}

// Insert adds a member that must not already be present.
func (zsl *zskiplist) Insert(score float64, member string) {
	var update [zslMaxLevel]*zslNode
	var rank [zslMaxLevel]int
	x := zsl.header
	for i := zsl.level - 1; i >= 0; i-- {
		if i < zsl.level-1 {
			rank[i] = rank[i+1]
		}
		for x.level[i].forward != nil && x.level[i].forward.before(score, member) {
			rank[i] += x.level[i].span
			x = x.level[i].forward
		}
		update[i] = x
	}
	level := zsl.randomLevel()
	if level > zsl.level {
		for i := zsl.level; i < level; i++ {
			rank[i] = 0
			update[i] = zsl.header
			update[i].level[i].span = zsl.length
		}
		zsl.level = level
	}
	x = &zslNode{member: member, score: score, level: make([]zslLevel, level)}
	for i := 0; i < level; i++ {
		x.level[i].forward = update[i].level[i].forward
		update[i].level[i].forward = x
		x.level[i].span = update[i].level[i].span - (rank[0] - rank[i])
		update[i].level[i].span = rank[0] - rank[i] + 1
	}
	// Links above the new node's height now skip one more element.
	for i := level; i < zsl.level; i++ {
		update[i].level[i].span++
	}
	if update[0] != zsl.header {
		x.backward = update[0]
	}
	if x.level[0].forward != nil {
		x.level[0].forward.backward = x
	} else {
		zsl.tail = x
	}
	zsl.length++
}

// findUpdate fills update with the last node before (score, member) at each
// level and returns the level-0 node that follows, which is the element
// itself if present.
func (zsl *zskiplist) findUpdate(score float64, member string, update *[zslMaxLevel]*zslNode) *zslNode {
	x := zsl.header
	for i := zsl.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && x.level[i].forward.before(score, member) {
			x = x.level[i].forward
		}
		update[i] = x
	}
	return x.level[0].forward
}

// deleteNode unlinks x given the update vector from findUpdate (or an
// equivalent search).
func (zsl *zskiplist) deleteNode(x *zslNode, update *[zslMaxLevel]*zslNode) {
	for i := 0; i < zsl.level; i++ {
		if update[i].level[i].forward == x {
			update[i].level[i].span += x.level[i].span - 1
			update[i].level[i].forward = x.level[i].forward
		} else {
			update[i].level[i].span--
		}
	}
	if x.level[0].forward != nil {
		x.level[0].forward.backward = x.backward
	} else {
		zsl.tail = x.backward
	}
	for zsl.level > 1 && zsl.header.level[zsl.level-1].forward == nil {
		zsl.level--
	}
	zsl.length--
}

// Delete removes (score, member) and reports whether it was present.
func (zsl *zskiplist) Delete(score float64, member string) bool {
	var update [zslMaxLevel]*zslNode
	x := zsl.findUpdate(score, member, &update)
	if x == nil || x.score != score || x.member != member {
		return false
	}
	zsl.deleteNode(x, &update)
	return true
}

// UpdateScore changes the score of member from cur to newScore. The element
// must exist with score cur. Like zslUpdateScore, the node is updated in
// place when its position does not change, which is the common case for
// small ZINCRBY steps.
func (zsl *zskiplist) UpdateScore(cur, newScore float64, member string) {
	var update [zslMaxLevel]*zslNode
	x := zsl.findUpdate(cur, member, &update)
	if x == nil || x.score != cur || x.member != member {
		panic("zskiplist: UpdateScore of a missing element")
	}
	if (x.backward == nil || x.backward.score < newScore) &&
		(x.level[0].forward == nil || x.level[0].forward.score > newScore) {
		x.score = newScore
		return
	}
	zsl.deleteNode(x, &update)
	zsl.Insert(newScore, member)
}

// Rank returns the 0-based rank of (score, member), or -1 if absent.
func (zsl *zskiplist) Rank(score float64, member string) int {
	rank := 0
	x := zsl.header
	for i := zsl.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil &&
			(x.level[i].forward.before(score, member) ||
				(x.level[i].forward.score == score && x.level[i].forward.member == member)) {
			rank += x.level[i].span
			x = x.level[i].forward
		}
		if x != zsl.header && x.score == score && x.member == member {
			return rank - 1
		}
	}
	return -1
}

// RankOfNode returns the 0-based rank of a node of this list.
func (zsl *zskiplist) RankOfNode(n *zslNode) int {
	return zsl.Rank(n.score, n.member)
}

// NodeByRank returns the node at 0-based rank r, or nil if r is out of
// range, in O(log n). Range replies start here and then follow Next/Prev.
func (zsl *zskiplist) NodeByRank(r int) *zslNode {
	if r < 0 || r >= zsl.length {
		return nil
	}
	target := r + 1 // spans count the header as rank 0
	traversed := 0
	x := zsl.header
	for i := zsl.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && traversed+x.level[i].span <= target {
			traversed += x.level[i].span
			x = x.level[i].forward
		}
		if traversed == target {
			return x
		}
	}
	return nil
}

// ByRank returns the element at 0-based rank r.
func (zsl *zskiplist) ByRank(r int) (member string, score float64, ok bool) {
	x := zsl.NodeByRank(r)
	if x == nil {
		return "", 0, false
	}
	return x.member, x.score, true
}

// scoreRange is a parsed ZRANGEBYSCORE-style interval.
type scoreRange struct {
	min, max     float64
	minEx, maxEx bool // bound given with '(' (exclusive)
}

// gteMin reports whether v satisfies the lower bound.
func (r scoreRange) gteMin(v float64) bool {
	if r.minEx {
		return v > r.min
	}
	return v >= r.min
}

// lteMax reports whether v satisfies the upper bound.
func (r scoreRange) lteMax(v float64) bool {
	if r.maxEx {
		return v < r.max
	}
	return v <= r.max
}

// empty reports whether no score can satisfy r.
func (r scoreRange) empty() bool {
	return r.min > r.max || (r.min == r.max && (r.minEx || r.maxEx))
}

// overlaps reports whether some element may lie in r (zslIsInRange).
func (zsl *zskiplist) overlaps(r scoreRange) bool {
	if r.empty() || zsl.tail == nil {
		return false
	}
	return r.gteMin(zsl.tail.score) && r.lteMax(zsl.header.level[0].forward.score)
}

// FirstInRange returns the first node whose score is in r, or nil.
func (zsl *zskiplist) FirstInRange(r scoreRange) *zslNode {
	if !zsl.overlaps(r) {
		return nil
	}
	x := zsl.header
	for i := zsl.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && !r.gteMin(x.level[i].forward.score) {
			x = x.level[i].forward
		}
	}
	// overlaps guarantees a next node; it may still be past the max.
	x = x.level[0].forward
	if !r.lteMax(x.score) {
		return nil
	}
	return x
}

// LastInRange returns the last node whose score is in r, or nil.
func (zsl *zskiplist) LastInRange(r scoreRange) *zslNode {
	if !zsl.overlaps(r) {
		return nil
	}
	x := zsl.header
	for i := zsl.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && r.lteMax(x.level[i].forward.score) {
			x = x.level[i].forward
		}
	}
	// overlaps guarantees x is not the header; it may still be below the min.
	if !r.gteMin(x.score) {
		return nil
	}
	return x
}

// DeleteRangeByScore removes every element with a score in r and returns the
// removed members in order.
func (zsl *zskiplist) DeleteRangeByScore(r scoreRange) []string {
	var update [zslMaxLevel]*zslNode
	x := zsl.header
	for i := zsl.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && !r.gteMin(x.level[i].forward.score) {
			x = x.level[i].forward
		}
		update[i] = x
	}
	return zsl.deleteWhile(x.level[0].forward, &update, func(n *zslNode) bool { return r.lteMax(n.score) })
}

// DeleteRangeByRank removes the elements with 0-based ranks in [start, stop]
// (already normalised by the caller) and returns the removed members.
func (zsl *zskiplist) DeleteRangeByRank(start, stop int) []string {
	var update [zslMaxLevel]*zslNode
	traversed := 0
	x := zsl.header
	for i := zsl.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && traversed+x.level[i].span <= start {
			traversed += x.level[i].span
			x = x.level[i].forward
		}
		update[i] = x
	}
	// traversed is now the 0-based rank of the node following x.
	return zsl.deleteWhile(x.level[0].forward, &update, func(*zslNode) bool {
		traversed++
		return traversed-1 <= stop
	})
}

// DeleteRangeByLex removes the elements whose members are in r and returns
// them. Like Redis, it assumes all scores are equal.
func (zsl *zskiplist) DeleteRangeByLex(r lexRange) []string {
	var update [zslMaxLevel]*zslNode
	x := zsl.header
	for i := zsl.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && !r.gteMin(x.level[i].forward.member) {
			x = x.level[i].forward
		}
		update[i] = x
	}
	return zsl.deleteWhile(x.level[0].forward, &update, func(n *zslNode) bool { return r.lteMax(n.member) })
}

// deleteWhile deletes x and its successors while keep reports true. update
// must hold the predecessors of x at every level; they stay valid because
// each deletion leaves them in front of the next node.
func (zsl *zskiplist) deleteWhile(x *zslNode, update *[zslMaxLevel]*zslNode, keep func(*zslNode) bool) []string {
	var removed []string
	for x != nil && keep(x) {
		next := x.level[0].forward
		zsl.deleteNode(x, update)
		removed = append(removed, x.member)
		x = next
	}
	return removed
}

// Clone returns a structurally identical copy (same node heights, spans and
// generator state), so the copy evolves exactly like the original would.
func (zsl *zskiplist) Clone() *zskiplist {
	c := newZSkiplist()
	c.length, c.level, c.rng = zsl.length, zsl.level, zsl.rng
	var last [zslMaxLevel]*zslNode
	for i := range last {
		last[i] = c.header
		c.header.level[i].span = zsl.header.level[i].span
	}
	var prev *zslNode
	for x := zsl.header.level[0].forward; x != nil; x = x.level[0].forward {
		n := &zslNode{member: x.member, score: x.score, backward: prev, level: make([]zslLevel, len(x.level))}
		for i := range n.level {
			n.level[i].span = x.level[i].span
			last[i].level[i].forward = n
			last[i] = n
		}
		prev = n
	}
	c.tail = prev
	return c
}

// lexRange is a parsed ZRANGEBYLEX-style interval. A bound of "-" or "+"
// is recorded in minInf/maxInf as -1 or +1 (the string is then unused); 0
// means the bound is the string min/max. Both infinities are allowed on
// either side, as in Redis ("+" as min simply matches nothing).
type lexRange struct {
	min, max       string
	minInf, maxInf int8
	minEx, maxEx   bool // bound given with '(' (always set for "-"/"+")
}

// gteMin reports whether s satisfies the lower bound.
func (r lexRange) gteMin(s string) bool {
	c := lexCmp(0, s, r.minInf, r.min)
	if r.minEx {
		return c > 0
	}
	return c >= 0
}

// lteMax reports whether s satisfies the upper bound.
func (r lexRange) lteMax(s string) bool {
	c := lexCmp(0, s, r.maxInf, r.max)
	if r.maxEx {
		return c < 0
	}
	return c <= 0
}

// empty reports whether no member can satisfy r.
func (r lexRange) empty() bool {
	c := lexCmp(r.minInf, r.min, r.maxInf, r.max)
	return c > 0 || (c == 0 && (r.minEx || r.maxEx))
}

// lexCmp compares two lex bounds like sdscmplex, where an infinity is
// described by aInf/bInf and compares equal only to itself.
func lexCmp(aInf int8, a string, bInf int8, b string) int {
	switch {
	case aInf != 0 && aInf == bInf:
		return 0
	case aInf < 0 || bInf > 0:
		return -1
	case aInf > 0 || bInf < 0:
		return 1
	}
	return strings.Compare(a, b)
}

// overlapsLex reports whether some element may lie in r (zslIsInLexRange).
func (zsl *zskiplist) overlapsLex(r lexRange) bool {
	if r.empty() || zsl.tail == nil {
		return false
	}
	return r.gteMin(zsl.tail.member) && r.lteMax(zsl.header.level[0].forward.member)
}

// FirstInLex returns the first node whose member is in r, or nil. Like
// Redis, lex ranges assume all elements have the same score.
func (zsl *zskiplist) FirstInLex(r lexRange) *zslNode {
	if !zsl.overlapsLex(r) {
		return nil
	}
	x := zsl.header
	for i := zsl.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && !r.gteMin(x.level[i].forward.member) {
			x = x.level[i].forward
		}
	}
	x = x.level[0].forward
	if !r.lteMax(x.member) {
		return nil
	}
	return x
}

// LastInLex returns the last node whose member is in r, or nil.
func (zsl *zskiplist) LastInLex(r lexRange) *zslNode {
	if !zsl.overlapsLex(r) {
		return nil
	}
	x := zsl.header
	for i := zsl.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && r.lteMax(x.level[i].forward.member) {
			x = x.level[i].forward
		}
	}
	if !r.gteMin(x.member) {
		return nil
	}
	return x
}

// parseScoreRange parses ZRANGEBYSCORE/ZCOUNT/ZREMRANGEBYSCORE bounds like
// zslParseRange. A leading '(' makes a bound exclusive. The rest goes
// through plain strtod, which is more lenient than ZADD's score parsing:
// leading whitespace, an empty string (0), overflow (±inf) and underflow
// (0) are accepted, and since Redis passes a C string, anything after a NUL
// byte is ignored. Only NaN and trailing garbage are rejected.
func parseScoreRange(min, max []byte) (scoreRange, error) {
	var r scoreRange
	var err error
	if r.min, r.minEx, err = parseScoreBound(min); err != nil {
		return scoreRange{}, err
	}
	if r.max, r.maxEx, err = parseScoreBound(max); err != nil {
		return scoreRange{}, err
	}
	return r, nil
}

func parseScoreBound(b []byte) (v float64, ex bool, err error) {
	if len(b) > 0 && b[0] == '(' {
		ex, b = true, b[1:]
	}
	if nul := bytes.IndexByte(b, 0); nul >= 0 {
		b = b[:nul]
	}
	ws := 0
	for ws < len(b) && isCSpace(b[ws]) {
		ws++
	}
	num := cFloatPrefix(b[ws:])
	if num.n == 0 {
		// No conversion: strtod returns 0 and leaves eptr at the start, so
		// only an empty string is acceptable.
		if len(b) != 0 {
			return 0, false, errMinMaxNotFloat
		}
		return 0, ex, nil
	}
	if ws+num.n != len(b) {
		return 0, false, errMinMaxNotFloat
	}
	v, _ = cStrtod(num)
	if math.IsNaN(v) {
		return 0, false, errMinMaxNotFloat
	}
	return v, ex, nil
}

// parseLexRange parses ZRANGEBYLEX/ZLEXCOUNT/ZREMRANGEBYLEX bounds like
// zslParseLexRange: "[x" inclusive, "(x" exclusive, "-" and "+" the
// infinities. Anything else, including an empty argument, is an error.
func parseLexRange(min, max []byte) (lexRange, error) {
	var r lexRange
	var ok bool
	if r.min, r.minInf, r.minEx, ok = parseLexBound(min); !ok {
		return lexRange{}, errLexRange
	}
	if r.max, r.maxInf, r.maxEx, ok = parseLexBound(max); !ok {
		return lexRange{}, errLexRange
	}
	return r, nil
}

func parseLexBound(b []byte) (s string, inf int8, ex, ok bool) {
	if len(b) == 0 {
		return "", 0, false, false
	}
	switch b[0] {
	case '+', '-':
		// Redis tests c[1] != '\0' on the C string, so a NUL right after the
		// sign is accepted as the end of the argument.
		if len(b) > 1 && b[1] != 0 {
			return "", 0, false, false
		}
		inf = 1
		if b[0] == '-' {
			inf = -1
		}
		return "", inf, true, true
	case '(':
		return string(b[1:]), 0, true, true
	case '[':
		return string(b[1:]), 0, false, true
	}
	return "", 0, false, false
}

// zset is a sorted set value: the skiplist gives order and ranks, the map
// gives O(1) score lookups and membership, as in Redis's skiplist encoding.
// Callers in this package may use zsl directly for read-only range queries
// but must modify the set only through zset methods to keep both in sync.
type zset struct {
	dict map[string]float64
	zsl  *zskiplist
}

func newZSet() *zset {
	return &zset{dict: make(map[string]float64), zsl: newZSkiplist()}
}

// Len returns the number of members.
func (z *zset) Len() int { return len(z.dict) }

// Score returns the score of member m.
func (z *zset) Score(m string) (float64, bool) {
	s, ok := z.dict[m]
	return s, ok
}

// Add inserts m with score, or moves it to score if already present. An
// unchanged score (including 0 vs -0, which compare equal) is a no-op, as
// in Redis.
func (z *zset) Add(m string, score float64) {
	cur, ok := z.dict[m]
	switch {
	case !ok:
		z.zsl.Insert(score, m)
	case cur != score:
		z.zsl.UpdateScore(cur, score, m)
	default:
		return
	}
	z.dict[m] = score
}

// Remove deletes m and reports whether it was present.
func (z *zset) Remove(m string) bool {
	score, ok := z.dict[m]
	if !ok {
		return false
	}
	delete(z.dict, m)
	z.zsl.Delete(score, m)
	return true
}

// DeleteRangeByScore removes the members with scores in r and returns them
// in order.
func (z *zset) DeleteRangeByScore(r scoreRange) []string {
	return z.forget(z.zsl.DeleteRangeByScore(r))
}

// DeleteRangeByRank removes the members with 0-based ranks in [start, stop]
// and returns them in order.
func (z *zset) DeleteRangeByRank(start, stop int) []string {
	return z.forget(z.zsl.DeleteRangeByRank(start, stop))
}

// DeleteRangeByLex removes the members in r and returns them in order.
func (z *zset) DeleteRangeByLex(r lexRange) []string {
	return z.forget(z.zsl.DeleteRangeByLex(r))
}

// forget drops removed members from the dictionary and returns them.
func (z *zset) forget(removed []string) []string {
	for _, m := range removed {
		delete(z.dict, m)
	}
	return removed
}

// Clone returns an independent copy.
func (z *zset) Clone() *zset {
	return &zset{dict: maps.Clone(z.dict), zsl: z.zsl.Clone()}
}

// Each calls fn for every member in rank order until fn returns false.
func (z *zset) Each(fn func(member string, score float64) bool) {
	for x := z.zsl.header.level[0].forward; x != nil; x = x.level[0].forward {
		if !fn(x.member, x.score) {
			return
		}
	}
}
