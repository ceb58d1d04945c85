package fsm

import (
	"testing"

	"github.com/redraft/redraft/reply"
)

// A read on a node whose clock is behind the leader's must not bring back
// a key that the applied log has already seen expire: a linearizable read
// on the leader answered nil, so a later one on this node must too.
func Test_ReadNeverDecidesExpiryBeforeTheLogClock(t *testing.T) {
	s := NewStore()
	apply := func(at int64, args ...string) {
		b := make([][]byte, len(args))
		for i, a := range args {
			b[i] = []byte(a)
		}
		s.ApplyEntry(s.Applied()+1, &Entry{Type: EntryCommand, Time: at, Cmds: []Cmd{{Args: b}}})
	}
	get := func(now int64) reply.Value { return s.Read(0, [][]byte{[]byte("GET"), []byte("k")}, now, 1) }

	apply(1_000, "SET", "k", "v", "PX", "100") // the deadline is 1100 by the leader's clock
	if got := get(1_050); string(got.Str) != "v" {
		t.Fatalf("GET k before its deadline by both clocks = %v %q, want v", got.Kind, got.Str)
	}
	apply(1_150, "SET", "other", "x") // the log clock passes the deadline
	if got := get(1_050); got.Kind != reply.KindNull {
		t.Fatalf("GET k with the local clock at 1050, the log clock at 1150 = %v %q, want nil (expired at 1100)", got.Kind, got.Str)
	}
}
