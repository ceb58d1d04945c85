package jepsen

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
)

// simOp is an operation of a simulated execution: it takes effect at at
// (if applied) between its call and, for OK operations, its return.
type simOp struct {
	op      Op
	at      int64
	applied bool
}

// simulate produces a random single-key history of data type t whose
// outputs come from really executing the applied operations in order of
// their effect times — so it is linearizable — and then, if corrupt,
// changes one reply, which usually makes it not linearizable.
// Calls are spread over span, 70% of operations are OK, unknownPct percent
// Unknown (half of those applied, possibly late) and the rest Failed.
func simulate(rng *rand.Rand, t DataType, n int, span int64, unknownPct int, corrupt bool) []Op {
	sims := make([]simOp, 0, n+1)
	for i := range n {
		call := rng.Int64N(span)
		ret := call + 1 + rng.Int64N(30)
		o := simOp{op: Op{Process: i, Kind: randomKind(rng, t), Key: "k", Call: call, Return: ret}}
		o.op.Input = inputFor(o.op.Kind, i)
		switch r := rng.IntN(100); {
		case r < 70:
			o.op.Outcome, o.applied, o.at = OK, true, call+rng.Int64N(ret-call+1)
		case r < 70+unknownPct:
			o.op.Outcome, o.applied, o.at = Unknown, rng.IntN(2) == 0, call+rng.Int64N(3*span)
		default:
			o.op.Outcome = Failed
		}
		sims = append(sims, o)
	}
	end := 4*span + 100
	sims = append(sims, simOp{op: Op{Process: n, Kind: finalKind(t), Key: "k", Call: end, Return: end + 1, Outcome: OK, Final: true}, at: end, applied: true})
	execute(sims)
	ops := make([]Op, 0, len(sims))
	for i, s := range sims {
		s.op.Index = i
		ops = append(ops, s.op)
	}
	if corrupt {
		corruptOne(rng, ops)
	}
	return ops
}

func randomKind(rng *rand.Rand, t DataType) Kind {
	kinds := map[DataType][]Kind{Register: {Get, Set, Set}, Counter: {Incr, Incr, CounterGet}, List: {RPush, RPush, LPop, LPop, LRange}}[t]
	return kinds[rng.IntN(len(kinds))]
}

func inputFor(k Kind, i int) string {
	if k == Set || k == RPush {
		return "w" + strconv.Itoa(i)
	}
	return ""
}

// execute applies the applied operations in effect order and records the
// replies of the OK ones.
func execute(sims []simOp) {
	order := make([]int, 0, len(sims))
	for i, s := range sims {
		if s.applied {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(sims[a].at, sims[b].at) })
	var reg *string
	var n int64
	var list []string
	for _, i := range order {
		op := &sims[i].op
		var v Value
		switch op.Kind {
		case Set:
			reg, v = &op.Input, Value{Str: "OK"}
		case Get:
			v = Value{Nil: reg == nil}
			if reg != nil {
				v.Str = *reg
			}
		case Incr:
			n++
			v = Value{Int: n}
		case CounterGet:
			v = Value{Nil: n == 0, Str: strconv.FormatInt(n, 10)}
		case RPush:
			list = append(list, op.Input)
			v = Value{Int: int64(len(list))}
		case LPop:
			v = Value{Nil: len(list) == 0}
			if len(list) > 0 {
				v.Str, list = list[0], list[1:]
			}
		case LRange:
			v = Value{List: slices.Clone(list)}
			if v.List == nil {
				v.List = []string{}
			}
		}
		if op.Outcome == OK {
			op.Output = v
		}
	}
}

// corruptOne changes the reply of one OK operation other than SET.
func corruptOne(rng *rand.Rand, ops []Op) {
	var cands []int
	for i, op := range ops {
		if op.Outcome == OK && op.Kind != Set {
			cands = append(cands, i)
		}
	}
	if len(cands) == 0 {
		return
	}
	op := &ops[cands[rng.IntN(len(cands))]]
	switch {
	case op.Kind == Incr || op.Kind == RPush:
		op.Output.Int += int64(1 + rng.IntN(2))
	case op.Output.List != nil && len(op.Output.List) > 1:
		op.Output.List[0], op.Output.List[1] = op.Output.List[1], op.Output.List[0]
	case op.Output.List != nil:
		op.Output.List = append(op.Output.List, "w"+strconv.Itoa(rng.IntN(len(ops))))
	case op.Output.Nil:
		op.Output = Value{Str: "w" + strconv.Itoa(rng.IntN(len(ops)))}
		if op.Kind == CounterGet {
			op.Output.Str = "1"
		}
	default:
		op.Output = Value{Nil: true}
	}
}

// Test_ReductionsPreserveVerdicts compares, on thousands of random
// histories with unknown and failed operations (half of them corrupted),
// porcupine's verdict with the reductions and without: they must agree.
// It also checks that the simulation is right (uncorrupted histories are
// linearizable) and that corrupted ones often are not, so the comparison
// covers both verdicts.
func Test_ReductionsPreserveVerdicts(t *testing.T) {
	model := newModel()
	rng := rand.New(rand.NewPCG(1, 2))
	deadline := time.Now().Add(60 * time.Second)
	for _, typ := range []DataType{Register, Counter, List} {
		verdicts := map[porcupine.CheckResult]int{}
		for i := range 1500 {
			if time.Now().After(deadline) {
				t.Fatalf("ran out of time after %d histories of %s", i, typ)
			}
			corrupt := i%2 == 1
			ops := simulate(rng, typ, 4+rng.IntN(13), 100, 20, corrupt)
			horizon := horizonOf(ops, nil)
			plain := porcupine.CheckOperationsTimeout(model, convertOps(ops, horizon, false), 5*time.Second)
			reduced := porcupine.CheckOperationsTimeout(model, convertOps(ops, horizon, true), 5*time.Second)
			if plain != reduced || plain == porcupine.Unknown {
				t.Fatalf("%s history %d: plain %s, reduced %s\n%s", typ, i, plain, reduced, dumpOps(ops))
			}
			if !corrupt && plain != porcupine.Ok {
				t.Fatalf("%s history %d: a real execution judged %s\n%s", typ, i, plain, dumpOps(ops))
			}
			verdicts[plain]++
		}
		t.Logf("%s: %v", typ, verdicts)
		if verdicts[porcupine.Illegal] < 300 {
			t.Fatalf("%s: only %d illegal histories; the comparison barely covers that verdict", typ, verdicts[porcupine.Illegal])
		}
	}
}

func dumpOps(ops []Op) string {
	s := ""
	for _, op := range ops {
		s += fmt.Sprintf("  %s\n", op)
	}
	return s
}

// Test_ReductionsKeepTightWindowsSound pins the FIFO window bounds with
// histories where the unknown RPUSH of x took effect inside another push's
// interval: x's window may only be narrowed to that push's call (lower
// bound) or return (upper bound), not further. Both are linearizable.
func Test_ReductionsKeepTightWindowsSound(t *testing.T) {
	// y is pushed before x (popped first) and x took effect at 5, before
	// y's push returned at 10: x's window may start at y's call, not its
	// return. w is popped by an LPOP of unknown outcome.
	lower := NewHistory()
	add(lower, 0, RPush, "l", "y", 0, 10, num(1), OK)
	add(lower, 1, RPush, "l", "x", 5, 6, unknownReply(), Unknown)
	add(lower, 2, RPush, "l", "w", 6, 8, num(3), OK)
	add(lower, 0, LPop, "l", "", 20, 21, str("y"), OK)
	add(lower, 0, LPop, "l", "", 30, 31, str("x"), OK)
	add(lower, 3, LPop, "l", "", 40, 41, unknownReply(), Unknown)
	final(lower, LRange, "l", 100, list())

	// x is pushed before z (popped first) and took effect at 5, after z's
	// push was called at 2: x's window may end at z's return, not its call.
	upper := NewHistory()
	add(upper, 1, RPush, "l", "x", 0, 1, unknownReply(), Unknown)
	add(upper, 0, RPush, "l", "z", 2, 10, num(3), OK)
	add(upper, 2, RPush, "l", "v", 3, 4, num(1), OK)
	add(upper, 3, LPop, "l", "", 20, 21, unknownReply(), Unknown)
	add(upper, 0, LPop, "l", "", 30, 31, str("x"), OK)
	add(upper, 0, LPop, "l", "", 40, 41, str("z"), OK)
	final(upper, LRange, "l", 100, list())

	model := newModel()
	for name, h := range map[string]*History{"lower": lower, "upper": upper} {
		ops := h.Ops()
		for _, reduce := range []bool{false, true} {
			res := porcupine.CheckOperationsTimeout(model, convertOps(ops, horizonOf(ops, nil), reduce), 5*time.Second)
			if res != porcupine.Ok {
				t.Fatalf("%s bound, reduce=%v: %s", name, reduce, res)
			}
		}
		if r := Check(h, quick()); !r.Passed() {
			t.Fatalf("%s bound:\n%s", name, r)
		}
	}
}

// Test_ReductionsTameManyUnknowns checks long histories with many unknown
// outcomes (as during partitions): without the reductions porcupine cannot
// decide them within a second, with them each takes milliseconds.
func Test_ReductionsTameManyUnknowns(t *testing.T) {
	model := newModel()
	for _, c := range []struct {
		typ        DataType
		unknownPct int
	}{{Register, 15}, {Counter, 15}, {List, 6}} {
		rng := rand.New(rand.NewPCG(3, 4))
		ops := simulate(rng, c.typ, 400, 4000, c.unknownPct, false)
		horizon := horizonOf(ops, nil)
		start := time.Now()
		if res := porcupine.CheckOperationsTimeout(model, convertOps(ops, horizon, true), 20*time.Second); res != porcupine.Ok {
			t.Fatalf("%s reduced: %s", c.typ, res)
		}
		reduced := time.Since(start)
		if reduced > 2*time.Second {
			t.Fatalf("%s: reduced check took %s", c.typ, reduced)
		}
		if plain := porcupine.CheckOperationsTimeout(model, convertOps(ops, horizon, false), time.Second); plain != porcupine.Unknown {
			t.Fatalf("%s: plain porcupine decided (%s): this history no longer shows what the reductions are for", c.typ, plain)
		}
		t.Logf("%s: reduced Ok in %s; plain undecided after 1s", c.typ, reduced)
	}
}
