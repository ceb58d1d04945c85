package jepsen

import (
	"hash/maphash"
	"strconv"
	"strings"

	"github.com/anishathalye/porcupine"
)

// listSep terminates each element in a list state. Workload elements never
// contain it; a reply element that does can never match a state.
const listSep = "\x00"

// keyState is the sequential state of one key. It is a comparable value
// (the list is an encoded string), so porcupine's cache can compare and hash
// states cheaply and the model stays purely functional.
type keyState struct {
	exists bool   // register: the key has been SET
	str    string // register value
	n      int64  // counter value
	list   string // list elements, each followed by listSep
	llen   int64  // list length
	ranged bool   // an LRANGE has been linearized (see mayPopUnseen)
	// applied counts, per class of interchangeable unknown operations,
	// how many have been linearized (see rankInterchangeable).
	applied [numClasses]int32
}

// modelInput is what porcupine sees as an operation's input.
type modelInput struct {
	kind Kind
	key  string
	arg  string
	rank int // position among interchangeable unknown operations, or -1
}

// modelOutput is what porcupine sees as an operation's output. Unknown
// outputs match anything the client could have missed; for an LPOP that
// excludes elements other operations saw (see observations).
type modelOutput struct {
	unknown bool
	v       Value
	obs     *observations // unknown LPOP: what the rest of the history saw
}

// newModel returns the porcupine model of a Redis keyspace holding
// registers, counters and lists, partitioned by key (keys are independent,
// so a history is linearizable iff each key's sub-history is).
func newModel() porcupine.Model {
	seed := maphash.MakeSeed()
	return porcupine.Model{
		Partition:      partitionOps,
		PartitionEvent: partitionEvents,
		Init:           func() any { return keyState{} },
		Step: func(state, input, output any) (bool, any) {
			return step(state.(keyState), input.(modelInput), output.(modelOutput))
		},
		Hash:              func(state any) uint64 { return maphash.Comparable(seed, state.(keyState)) },
		DescribeOperation: describeOp,
		DescribeState:     func(state any) string { return describeState(state.(keyState)) },
	}
}

// step applies one operation to s and says whether its output is possible.
func step(s keyState, in modelInput, out modelOutput) (bool, keyState) {
	if in.rank >= 0 {
		c := classOf(in.kind)
		if s.applied[c] != int32(in.rank) {
			return false, s
		}
		s.applied[c]++
	}
	switch in.kind {
	case Set:
		s.exists, s.str = true, in.arg
		return true, s
	case Get:
		return out.unknown || matchString(s.exists, s.str, out.v), s
	case Incr:
		s.n++
		return out.unknown || out.v.Int == s.n, s
	case CounterGet:
		return out.unknown || matchString(s.n != 0, strconv.FormatInt(s.n, 10), out.v), s
	case RPush:
		if out.unknown && out.obs.mustFollowAnyIn(in.arg, s.list) {
			return false, s
		}
		s.list += in.arg + listSep
		s.llen++
		return out.unknown || out.v.Int == s.llen, s
	case LPop:
		return stepLPop(s, out)
	case LRange:
		s.ranged = true
		return out.unknown || s.list == encodeList(out.v.List), s
	}
	return false, s
}

// matchString checks a GET reply against a value that may be absent. A
// counter that was never incremented is absent (GET returns nil).
func matchString(exists bool, want string, got Value) bool {
	if !exists {
		return got.Nil
	}
	return !got.Nil && got.Str == want
}

// stepLPop removes the head, which must be what the client saw (or nil on
// an empty list).
func stepLPop(s keyState, out modelOutput) (bool, keyState) {
	if s.llen == 0 {
		return out.unknown || out.v.Nil, s
	}
	head, rest, _ := strings.Cut(s.list, listSep)
	s.list, s.llen = rest, s.llen-1
	if out.unknown {
		return out.obs.mayPopUnseen(head, s.ranged), s
	}
	return !out.v.Nil && out.v.Str == head, s
}

// encodeList encodes elements the way keyState.list does; an element
// containing listSep yields an encoding no state can have.
func encodeList(elems []string) string {
	var b strings.Builder
	for _, e := range elems {
		if strings.Contains(e, listSep) {
			return "\xff" + listSep + "invalid"
		}
		b.WriteString(e)
		b.WriteString(listSep)
	}
	return b.String()
}

func describeOp(input, output any) string {
	in, out := input.(modelInput), output.(modelOutput)
	s := in.kind.String() + "(" + strconv.Quote(in.arg) + ")"
	switch in.arg {
	case "":
		s = in.kind.String() + "()"
	case unseenElem:
		s = in.kind.String() + "(value never read)"
	}
	if in.kind == Set {
		return s
	}
	if out.unknown {
		return s + " -> ?"
	}
	return s + " -> " + out.v.String()
}

func describeState(s keyState) string {
	elems := strings.Split(s.list, listSep)
	elems = elems[:len(elems)-1]
	switch {
	case s.exists:
		return strconv.Quote(s.str)
	case s.n != 0:
		return strconv.FormatInt(s.n, 10)
	case s.llen != 0:
		return "[" + strings.Join(elems, " ") + "]"
	}
	return "(empty)"
}

// partitionOps splits a history by key, keeping each key's order.
func partitionOps(history []porcupine.Operation) [][]porcupine.Operation {
	idx := make(map[string]int)
	var parts [][]porcupine.Operation
	for _, op := range history {
		k := op.Input.(modelInput).key
		i, ok := idx[k]
		if !ok {
			i = len(parts)
			idx[k] = i
			parts = append(parts, nil)
		}
		parts[i] = append(parts[i], op)
	}
	return parts
}

// partitionEvents splits an event history by key; a return event belongs
// to the key of the call with the same Id.
func partitionEvents(history []porcupine.Event) [][]porcupine.Event {
	keyOfID := make(map[int]string)
	idx := make(map[string]int)
	var parts [][]porcupine.Event
	for _, ev := range history {
		k, ok := keyOfID[ev.Id]
		if !ok {
			k = ev.Value.(modelInput).key
			keyOfID[ev.Id] = k
		}
		i, ok := idx[k]
		if !ok {
			i = len(parts)
			idx[k] = i
			parts = append(parts, nil)
		}
		parts[i] = append(parts[i], ev)
	}
	return parts
}
