package resp

import (
	"strings"
	"testing"
)

// Test_CommandStats checks that every reply is counted once, under its
// command, when it is known: pipelined writes (one failing in the state
// machine), refusals before running, queued commands and unknown names.
func Test_CommandStats(t *testing.T) {
	srv, addr := startTestServer(t, Config{})
	c := dial(t, addr)
	other := dial(t, addr)
	pipeline := [][]string{
		{"SET", "k", "v"}, {"SET", "k", "w"}, {"LPUSH", "k", "x"}, {"GET", "k"}, {"get"},
		{"NOSUCHCOMMAND"}, {"nosuchcommand", "either"},
		{"MULTI"}, {"SET", "m", "1"}, {"EXEC"},
	}
	var raw strings.Builder
	for _, args := range pipeline {
		raw.WriteString(encodeCommand(args...))
	}
	c.send(raw.String())
	for range pipeline {
		c.readReply()
	}
	if got := other.do("SET", "k2", "v"); got != "+OK\r\n" {
		t.Fatalf("SET on a second connection: %q", got)
	}

	got := map[string]CommandStat{}
	for _, st := range srv.CommandStats() {
		got[st.Name] = st
	}
	tests := []struct {
		name       string
		ok, errors int64
	}{
		{"set", 4, 0}, // three direct, one queued in MULTI (its reply is QUEUED)
		{"lpush", 0, 1},
		{"get", 1, 1},
		{"unknown", 0, 2},
		{"multi", 1, 0},
		{"exec", 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if st := got[tt.name]; st.OK != tt.ok || st.Errors != tt.errors {
				t.Errorf("%s: ok %d errors %d, want ok %d errors %d", tt.name, st.OK, st.Errors, tt.ok, tt.errors)
			}
		})
	}
	if len(got) != len(tests) {
		t.Errorf("stats for %d commands, want %d (never-called ones left out): %v", len(got), len(tests), got)
	}
	if cl := srv.ClientStats(); cl.Connected != 2 || cl.Blocked != 0 || cl.Accepted != 2 {
		t.Errorf("client stats %+v, want 2 connected, none blocked, 2 accepted", cl)
	}
}
