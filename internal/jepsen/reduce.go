package jepsen

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/anishathalye/porcupine"
)

// Operations of unknown outcome are what make linearizability checking
// expensive: each may take effect at any point after its call, or never,
// and porcupine tries them all. Converting a history, this file applies
// reductions that follow from values and elements being written once each.
// None changes the verdict (each only rules out or merges linearizations
// the model treats identically, see the comments and
// Test_ReductionsPreserveVerdicts), but together they turn searches that
// time out after minutes into ones that take milliseconds.

// unseenElem replaces every SET value and RPUSH element that no OK
// operation returned. Their names are never compared with a reply, only
// their presence and position matter, so one shared name lets porcupine's
// cache merge states that differ only in which of them came last or in
// what order they were pushed. Workload values are printable, so it equals
// no value written by Run.
const unseenElem = "\xff(unseen)"

// Classes of interchangeable unknown operations: same kind, same (or
// anonymized) argument, and an output nobody saw.
const (
	classSet = iota
	classIncr
	classPush
	classPop
	numClasses
)

// classOf maps a kind to its class of interchangeable unknown operations.
func classOf(k Kind) int {
	switch k {
	case Incr:
		return classIncr
	case RPush:
		return classPush
	case LPop:
		return classPop
	}
	return classSet
}

// porcupineOps converts a key's operations for porcupine with the
// reductions applied.
func porcupineOps(ops []Op, horizon int64) []porcupine.Operation {
	return convertOps(ops, horizon, true)
}

// convertOps converts a key's operations for porcupine. Failed operations
// had no effect and are dropped, as are reads that did not return (a read
// has no effect either). Unknown operations return at horizon, after every
// other event, so porcupine may place them anywhere after their call or,
// in effect, never. reduce applies the reductions; without it the
// conversion is the textbook one (kept for the test that compares both).
func convertOps(ops []Op, horizon int64, reduce bool) []porcupine.Operation {
	obs := &observations{}
	var ranks map[int]int
	if reduce {
		obs = observe(ops)
		ranks = rankInterchangeable(ops, obs)
	}
	out := make([]porcupine.Operation, 0, len(ops))
	for i, op := range ops {
		if op.Outcome == Failed || (op.Outcome != OK && op.Kind.IsRead()) {
			continue
		}
		pop := porcupine.Operation{
			ClientId: op.Process,
			Input:    modelInput{kind: op.Kind, key: op.Key, arg: op.Input, rank: -1},
			Call:     op.Call,
			Output:   modelOutput{v: op.Output},
			Return:   op.Return,
			Metadata: fmt.Sprintf("op #%d client %d %s %s", op.Index, op.Client, op.Addr, op.Err),
		}
		if op.Outcome == Unknown {
			pop.Return = horizon
			pop.Output = modelOutput{unknown: true, obs: obs}
		}
		if reduce {
			reduceOp(&pop, op, obs, ranks, i, horizon)
		}
		out = append(out, pop)
	}
	return out
}

// reduceOp applies the reductions to pop, the conversion of ops[i].
func reduceOp(pop *porcupine.Operation, op Op, obs *observations, ranks map[int]int, i int, horizon int64) {
	in := pop.Input.(modelInput)
	in.arg = obs.canonical(op)
	if op.Outcome == Unknown {
		if r, ok := ranks[i]; ok {
			in.rank = r
		}
		pop.Call, pop.Return = obs.window(op, horizon)
	}
	pop.Input = in
}

// observations record what the OK operations of one key returned.
type observations struct {
	writes    map[string]int   // ops writing each value/element (SET, RPUSH)
	pushes    map[string]Op    // the RPUSH of each element pushed once
	firstSeen map[string]int64 // earliest return of an OK op that returned it
	popped    map[string]bool  // elements written once that an OK LPOP returned
	listed    map[string]bool  // elements written once that an OK LRANGE returned
	// sightings of list elements pushed once, by OK LPOPs and LRANGEs.
	sightings map[string][]sighting
	// follow lists, for each seen element whose RPUSH is unknown, the
	// elements certainly pushed after it (see mustFollowAnyIn).
	follow map[string]map[string]bool
}

// sighting is an OK operation that returned a list element.
type sighting struct {
	op        int // index of the LPOP or LRANGE
	call, ret int64
	pos       int // position in the LRANGE reply; -1 for an LPOP
}

// observe indexes a key's operations.
func observe(ops []Op) *observations {
	o := &observations{writes: make(map[string]int), pushes: make(map[string]Op), firstSeen: make(map[string]int64),
		popped: make(map[string]bool), listed: make(map[string]bool), sightings: make(map[string][]sighting)}
	for _, op := range ops {
		if (op.Kind == Set || op.Kind == RPush) && op.Outcome != Failed {
			o.writes[op.Input]++
			if op.Kind == RPush {
				o.pushes[op.Input] = op
			}
		}
	}
	for i, op := range ops {
		switch {
		case op.Outcome != OK:
		case op.Kind == Get && !op.Output.Nil:
			o.see(op.Output.Str, op.Return)
		case op.Kind == LPop && !op.Output.Nil:
			o.seeElem(op.Output.Str, sighting{op: i, call: op.Call, ret: op.Return, pos: -1})
			o.popped[op.Output.Str] = o.writes[op.Output.Str] == 1
		case op.Kind == LRange:
			for pos, e := range op.Output.List {
				o.seeElem(e, sighting{op: i, call: op.Call, ret: op.Return, pos: pos})
				o.listed[e] = o.writes[e] == 1
			}
		}
	}
	o.orderUnknownPushes(ops)
	return o
}

// seeElem records a sighting of a list element.
func (o *observations) seeElem(e string, s sighting) {
	o.see(e, s.ret)
	if o.writes[e] == 1 {
		o.sightings[e] = append(o.sightings[e], s)
	}
}

func (o *observations) see(v string, at int64) {
	if t, ok := o.firstSeen[v]; !ok || at < t {
		o.firstSeen[v] = at
	}
}

// canonical is the argument porcupine sees: unseenElem for a SET or RPUSH
// whose value no OK operation returned.
func (o *observations) canonical(op Op) string {
	if _, seen := o.firstSeen[op.Input]; (op.Kind == Set || op.Kind == RPush) && !seen {
		return unseenElem
	}
	return op.Input
}

// window is the interval porcupine gets for an unknown write: normally
// [call, horizon], narrowed when what was read shows the write happened
// (see latestReturn and fifoWindow).
func (o *observations) window(op Op, horizon int64) (call, ret int64) {
	call, ret = op.Call, o.latestReturn(op, horizon)
	if op.Kind != RPush || ret == horizon {
		return call, ret
	}
	return o.fifoWindow(op, call, ret, horizon)
}

// fifoWindow narrows the window of an unknown RPUSH of x that was seen
// (so it happened), using the list's FIFO order: if y is certainly pushed
// before x in every legal linearization (pushedBefore), the push of x comes
// after the push of y, hence after everything that returned before y's
// push was called — raising x's call to y's push call adds only constraints
// every legal linearization already meets. Symmetrically, if x is pushed
// before z, x's return can be lowered to z's push return. Without this, a
// seen push of unknown outcome may float over the whole queueing delay,
// and porcupine tries it at every position in between.
func (o *observations) fifoWindow(op Op, call, ret, horizon int64) (int64, int64) {
	lo, hi := call, ret
	for y, push := range o.pushes {
		if y == op.Input || o.writes[y] != 1 {
			continue
		}
		if o.pushedBefore(y, op.Input) {
			lo = max(lo, push.Call)
		}
		if o.pushedBefore(op.Input, y) {
			hi = min(hi, retOf(push, horizon))
		}
	}
	if lo > hi {
		// Contradictory observations: leave porcupine the full window to
		// find the violation itself.
		return call, ret
	}
	return lo, hi
}

// pushedBefore reports whether elements a and b (each pushed once) are
// pushed in that order in every legal linearization. FIFO: a was popped
// before b was popped or listed (a's LPOP returned before that operation
// was called), or one LRANGE listed a ahead of b.
func (o *observations) pushedBefore(a, b string) bool {
	for _, sa := range o.sightings[a] {
		for _, sb := range o.sightings[b] {
			if sa.pos < 0 && sa.ret < sb.call {
				return true
			}
			if sa.pos >= 0 && sa.op == sb.op && sa.pos < sb.pos {
				return true
			}
		}
	}
	return false
}

// orderUnknownPushes fills in follow.
func (o *observations) orderUnknownPushes(ops []Op) {
	o.follow = make(map[string]map[string]bool)
	for _, op := range ops {
		if op.Kind != RPush || op.Outcome != Unknown || len(o.sightings[op.Input]) == 0 {
			continue
		}
		after := make(map[string]bool)
		for z := range o.sightings {
			if z != op.Input && o.pushedBefore(op.Input, z) {
				after[z] = true
			}
		}
		o.follow[op.Input] = after
	}
}

// mustFollowAnyIn reports whether the encoded list holds an element that
// is certainly pushed after x, in which case x cannot be pushed now. This
// refutes a wrong order of unknown RPUSHes as soon as it is tried rather
// than when the elements are popped or listed, possibly much later — which
// is what made many unknown RPUSHes intractable.
func (o *observations) mustFollowAnyIn(x, list string) bool {
	after := o.follow[x]
	if len(after) == 0 {
		return false
	}
	for rest := list; rest != ""; {
		var e string
		e, rest, _ = strings.Cut(rest, listSep)
		if after[e] {
			return true
		}
	}
	return false
}

// latestReturn bounds when an unknown write took effect, if it did: a value
// or element written by this op alone and returned by an OK op at time t
// was written before t (the reader is linearized before it returns, and
// after the only write of what it read). Otherwise: horizon.
func (o *observations) latestReturn(op Op, horizon int64) int64 {
	if op.Kind != Set && op.Kind != RPush || o.writes[op.Input] != 1 {
		return horizon
	}
	if t, ok := o.firstSeen[op.Input]; ok && t >= op.Call {
		return t
	}
	return horizon
}

// mayPopUnseen says whether an LPOP whose reply was lost can have removed
// head. Not if an OK LPOP returned head: it was pushed once, so only one
// pop can return it, and the model would fail that OK LPOP later. Not
// before an LRANGE if an LRANGE listed it: that LRANGE must come first.
// (Requiring only some LRANGE to come first is weaker than "every LRANGE
// that listed it", hence still sound; Verify makes one LRANGE per key.)
func (o *observations) mayPopUnseen(head string, ranged bool) bool {
	return !o.popped[head] && (ranged || !o.listed[head])
}

// rankInterchangeable numbers, by call time, the unknown operations of
// each class whose inputs are identical after canonicalization: every
// unknown INCR and LPOP, and every unknown SET or RPUSH of an unseen value.
// Two such operations a and b with a called first are interchangeable in
// any linearization (same step, same output, both may return at any
// time), and a can take b's place (it was called no later), so some valid
// linearization applies them in call order if any does. The model insists
// on that order, which removes the choice of which subset of them has been
// applied — exponential in their number. Others get rank -1. Indexes are
// positions in ops.
func rankInterchangeable(ops []Op, obs *observations) map[int]int {
	var members [numClasses][]int
	for i, op := range ops {
		if op.Outcome != Unknown || op.Kind.IsRead() {
			continue
		}
		if (op.Kind == Set || op.Kind == RPush) && obs.canonical(op) != unseenElem {
			continue
		}
		c := classOf(op.Kind)
		members[c] = append(members[c], i)
	}
	ranks := make(map[int]int)
	for _, m := range members {
		slices.SortStableFunc(m, func(a, b int) int { return cmp.Compare(ops[a].Call, ops[b].Call) })
		for r, i := range m {
			ranks[i] = r
		}
	}
	return ranks
}

// horizonOf is a time after every event of the history.
func horizonOf(ops []Op, notes []Note) int64 {
	var h int64
	for _, op := range ops {
		h = max(h, op.Call, op.Return)
	}
	for _, n := range notes {
		h = max(h, n.At)
	}
	return h + 1
}
