package fsm

import (
	"fmt"
	"slices"
	"testing"

	"github.com/redraft/redraft/reply"
)

// recordMessages registers an OnPublish callback that keeps a copy of
// every message, as "index channel payload" ("s" before the channel of an
// SPUBLISH).
func recordMessages(s *Store) *[]string {
	var got []string
	s.OnPublish(func(msgs []Message) {
		for _, m := range msgs {
			shard := ""
			if m.Shard {
				shard = "s"
			}
			got = append(got, fmt.Sprintf("%d %s%s %s", m.Index, shard, m.Channel, m.Payload))
		}
	})
	return &got
}

// PUBLISH changes nothing and answers 0 on every replica; the messages
// reach the callback in log order, those of a MULTI block and of a script
// included, and a retried request is not published again.
func Test_PublishReportsMessagesInLogOrder(t *testing.T) {
	s := NewStore()
	got := recordMessages(s)
	steps := []struct {
		e    *Entry
		want reply.Value
	}{
		{command("PUBLISH", "a", "1"), reply.Int(0)},
		{command("spublish", "a", "2"), reply.Int(0)},
		{exec([]string{"PUBLISH", "b", "3"}, []string{"SET", "k", "v"}, []string{"PUBLISH", "a", "4"}), reply.Array([]reply.Value{reply.Int(0), reply.OK(), reply.Int(0)})},
		{command("EVAL", "return redis.call('publish', 'c', '5')", "0"), reply.Int(0)},
		{ident(command("PUBLISH", "a", "6"), "n1", 7, 1, farFuture), reply.Int(0)},
		{ident(command("PUBLISH", "a", "6"), "n1", 7, 1, farFuture), reply.Int(0)},
		{command("PUBLISH", "a"), reply.Err("ERR wrong number of arguments for 'publish' command")},
	}
	for i, st := range steps {
		if r := s.ApplyEntry(uint64(i+1), st.e); !equalReply(r, st.want) {
			t.Fatalf("step %d: reply %+v, want %+v", i+1, r, st.want)
		}
	}
	want := []string{"1 a 1", "2 sa 2", "3 b 3", "3 a 4", "4 c 5", "5 a 6"}
	if !slices.Equal(*got, want) {
		t.Fatalf("messages %q, want %q", *got, want)
	}
	if n := s.KeyCounts()[0].Keys; n != 1 {
		t.Fatalf("%d keys, want only the one SET wrote", n)
	}
}

// A read-only script may not publish, as in Redis: PUBLISH acts on every
// replica, so it is a write for routing and scripts.
func Test_PublishIsNotReadOnly(t *testing.T) {
	s := NewStore()
	if !s.Lookup("publish").IsWrite() || !s.Lookup("spublish").IsWrite() {
		t.Fatal("PUBLISH and SPUBLISH must go through the log")
	}
	if names := s.Lookup("publish").Flags.FlagNames(); !slices.Equal(names, []string{"pubsub", "loading", "stale", "fast"}) {
		t.Fatalf("COMMAND INFO flags %q, want Redis 7.0's", names)
	}
}

func equalReply(a, b reply.Value) bool {
	return string(reply.Append(nil, a, 3)) == string(reply.Append(nil, b, 3))
}
