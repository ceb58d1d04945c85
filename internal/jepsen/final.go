package jepsen

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// These checks compare the final state read by Verify with what clients
// were told. They overlap with linearizability (the final reads are part of
// the porcupine history) but do not depend on porcupine finishing its
// search, and they name the lost or duplicated data directly.

// finalName is the final-state check for a data type.
func finalName(t DataType) string {
	return [numTypes]string{CheckFinalRegisters, CheckFinalCounters, CheckFinalLists}[t]
}

// checkFinal runs the final-state check of type t on each key.
func checkFinal(t DataType, keys []string, byKey map[string][]Op, horizon int64) CheckResult {
	res := CheckResult{Name: finalName(t), Status: Pass}
	read := 0
	for _, k := range keys {
		ops := byKey[k]
		final, ok := lastFinal(ops)
		if !ok {
			res.Status = worse(res.Status, Undetermined)
			res.addDetail("key %s: no final read (call History.Verify after the run)", k)
			continue
		}
		read++
		var problems []string
		switch t {
		case Register:
			problems = registerProblems(ops, final, horizon)
		case Counter:
			problems = counterProblems(ops, final)
		case List:
			problems = listProblems(ops, final)
		}
		for _, p := range problems {
			res.Status = worse(res.Status, Fail)
			res.addDetail("key %s: %s", k, p)
		}
	}
	res.Summary = fmt.Sprintf("%d of %d keys read at the end", read, len(keys))
	return res
}

// lastFinal is the latest successful final read among ops.
func lastFinal(ops []Op) (Op, bool) {
	var f Op
	found := false
	for _, op := range ops {
		if op.Final && op.Outcome == OK && (!found || op.Call > f.Call) {
			f, found = op, true
		}
	}
	return f, found
}

// retOf is when an operation can last have taken effect: its return, or
// never-bounded (horizon) if its outcome is unknown.
func retOf(op Op, horizon int64) int64 {
	if op.Outcome == Unknown {
		return horizon
	}
	return op.Return
}

// registerProblems: values are unique, so the final value names the write
// w that was linearized last. Every other acknowledged SET must have been
// overwritten, i.e. linearized before w, which is impossible if it was
// called after w returned: such a SET was lost.
func registerProblems(ops []Op, final Op, horizon int64) []string {
	var problems []string
	var acked []Op
	var writer *Op
	for i, op := range ops {
		if op.Kind != Set || op.Outcome == Failed {
			continue
		}
		if op.Outcome == OK {
			acked = append(acked, op)
		}
		if !final.Output.Nil && op.Input == final.Output.Str {
			writer = &ops[i]
		}
	}
	switch {
	case final.Output.Nil:
		for _, s := range acked {
			problems = append(problems, fmt.Sprintf("acknowledged SET %q (op #%d) lost: final value is nil", s.Input, s.Index))
		}
		return problems
	case writer == nil:
		return []string{fmt.Sprintf("final value %q was never written by a SET that could have succeeded", final.Output.Str)}
	}
	wret := retOf(*writer, horizon)
	for _, s := range acked {
		if s.Index != writer.Index && s.Call > wret {
			problems = append(problems, fmt.Sprintf("acknowledged SET %q (op #%d, called at %s) lost: final value %q was written by op #%d, which returned at %s, before it",
				s.Input, s.Index, fmtNanos(s.Call), final.Output.Str, writer.Index, fmtNanos(wret)))
		}
	}
	return problems
}

// counterProblems: the final value must be at least the number of
// acknowledged INCRs (none lost) and at most that plus the unknown ones
// (none applied twice); acknowledged replies are distinct and not above
// the final value.
func counterProblems(ops []Op, final Op) []string {
	var problems []string
	acked, unknown := 0, 0
	seen := make(map[int64]int)
	var maxReply int64
	for _, op := range ops {
		if op.Kind != Incr {
			continue
		}
		switch op.Outcome {
		case OK:
			acked++
			if prev, dup := seen[op.Output.Int]; dup {
				problems = append(problems, fmt.Sprintf("acknowledged INCRs #%d and #%d both returned %d", prev, op.Index, op.Output.Int))
			}
			seen[op.Output.Int] = op.Index
			maxReply = max(maxReply, op.Output.Int)
		case Unknown:
			unknown++
		}
	}
	v, err := counterValue(final.Output)
	if err != nil {
		return append(problems, err.Error())
	}
	if v < int64(acked) {
		problems = append(problems, fmt.Sprintf("final value %d < %d acknowledged INCRs: increments lost", v, acked))
	}
	if v > int64(acked+unknown) {
		problems = append(problems, fmt.Sprintf("final value %d > %d acknowledged + %d unknown INCRs: an INCR was applied twice (or invented)", v, acked, unknown))
	}
	if maxReply > v {
		problems = append(problems, fmt.Sprintf("final value %d is below an acknowledged INCR reply %d: the counter went backwards", v, maxReply))
	}
	return problems
}

// counterValue parses a GET reply on a counter; nil is 0.
func counterValue(v Value) (int64, error) {
	if v.Nil {
		return 0, nil
	}
	n, err := strconv.ParseInt(v.Str, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("final value %q is not an integer", v.Str)
	}
	return n, nil
}

// listProblems: every element is pushed once, so across the final list and
// the acknowledged LPOP replies it may appear at most once, must have been
// pushed, and if its RPUSH was acknowledged it must appear — unless an
// LPOP of unknown outcome took it (each can account for one element).
func listProblems(ops []Op, final Op) []string {
	var problems []string
	pushed := make(map[string]Op)
	seen := make(map[string]int)
	unknownPops := 0
	for _, op := range ops {
		switch {
		case op.Kind == RPush && op.Outcome != Failed:
			pushed[op.Input] = op
		case op.Kind == LPop && op.Outcome == OK && !op.Output.Nil:
			seen[op.Output.Str]++
		case op.Kind == LPop && op.Outcome == Unknown:
			unknownPops++
		}
	}
	for _, e := range final.Output.List {
		seen[e]++
	}
	for _, e := range slices.Sorted(maps.Keys(seen)) {
		if n := seen[e]; n > 1 {
			problems = append(problems, fmt.Sprintf("element %q appears %d times (final list + acknowledged LPOPs) but was pushed once", e, n))
		}
		if _, ok := pushed[e]; !ok {
			problems = append(problems, fmt.Sprintf("element %q was never pushed by an RPUSH that could have succeeded", e))
		}
	}
	var missing []string
	for _, e := range slices.Sorted(maps.Keys(pushed)) {
		if pushed[e].Outcome == OK && seen[e] == 0 {
			missing = append(missing, e)
		}
	}
	if len(missing) > unknownPops {
		problems = append(problems, fmt.Sprintf("%d acknowledged RPUSH elements are neither in the final list nor popped (%s), but only %d LPOPs of unknown outcome could have taken them",
			len(missing), abbreviate(missing, 10), unknownPops))
	}
	return problems
}

// abbreviate joins at most n items, noting how many were left out.
func abbreviate(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, " ")
	}
	return strings.Join(items[:n], " ") + fmt.Sprintf(" ... %d more", len(items)-n)
}
