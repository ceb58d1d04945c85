package jepsen

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

func Test_ClassifyErrors(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want Outcome
	}{
		{"nil", nil, OK},
		{"clusterdown", ReplyError("CLUSTERDOWN no Raft leader"), Failed},
		{"loading", ReplyError("LOADING Redraft is loading the dataset in memory"), Failed},
		{"tryagain", ReplyError("TRYAGAIN leadership lost, the write may or may not have been applied"), Unknown},
		{"other reply", ReplyError("ERR server is shutting down"), Unknown},
		{"lowercase is not the code", ReplyError("clusterdown maybe"), Unknown},
		{"prefix is not the code", ReplyError("CLUSTERDOWNISH x"), Unknown},
		{"dial refused", &TransportError{Stage: "dial", Err: errors.New("connection refused")}, Failed},
		{"write nothing sent", &TransportError{Stage: "write", Err: io.ErrClosedPipe}, Failed},
		{"write partly sent", &TransportError{Stage: "write", Sent: true, Err: io.ErrClosedPipe}, Unknown},
		{"read lost", &TransportError{Stage: "read", Sent: true, Err: io.EOF}, Unknown},
		{"protocol", ProtocolError("bulk length"), Unknown},
		{"anything else", errors.New("surprise"), Unknown},
	}
	for _, c := range cases {
		if got := Classify(c.err); got != c.want {
			t.Errorf("%s: Classify(%v) = %s, want %s", c.name, c.err, got, c.want)
		}
	}
}

// fakeServer is a RESP server whose answer to every command is fixed:
// a raw reply line, hanging up after reading the command, or never
// answering.
type fakeServer struct {
	ln    net.Listener
	reply string // raw RESP reply; "" with hangup false means never answer
	hang  bool   // close the connection after reading a command
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns []net.Conn
}

func startFake(t *testing.T, reply string, hangup bool) *fakeServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &fakeServer{ln: ln, reply: reply, hang: hangup}
	s.wg.Go(s.accept)
	t.Cleanup(s.stop)
	return s
}

func (s *fakeServer) accept() {
	for range 10000 {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns = append(s.conns, c)
		s.mu.Unlock()
		s.wg.Go(func() { s.serve(c) })
	}
}

// serve answers each command (one RESP array of bulk strings) in turn.
func (s *fakeServer) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	for range 10000 {
		if _, err := readCommand(r); err != nil {
			return
		}
		switch {
		case s.hang:
			return
		case s.reply == "":
			continue // swallow: the client times out
		}
		if _, err := io.WriteString(c, s.reply); err != nil {
			return
		}
	}
}

func (s *fakeServer) stop() {
	s.ln.Close()
	s.mu.Lock()
	for _, c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// readCommand reads one command as the client encodes it.
func readCommand(r *bufio.Reader) ([]string, error) {
	v, err := readReply(r)
	if err != nil {
		return nil, err
	}
	return v.List, nil
}

// runAgainst runs a short workload against addr and returns its writes
// (reads may be dropped whatever their outcome, so they say nothing).
func runAgainst(t *testing.T, addr string, timeout time.Duration) []Op {
	t.Helper()
	h := Run(context.Background(), Config{Addrs: []string{addr}, Clients: 2, Ops: 40, Duration: 20 * time.Second,
		OpTimeout: timeout, ErrorBackoff: time.Millisecond, Seed: 7})
	var writes []Op
	for _, op := range h.Ops() {
		if !op.Kind.IsRead() {
			writes = append(writes, op)
		}
	}
	if len(h.Ops()) != 40 || len(writes) < 10 {
		t.Fatalf("expected 40 ops with at least 10 writes, got %d ops, %d writes", len(h.Ops()), len(writes))
	}
	return writes
}

func Test_WorkloadClassifiesServerBehaviour(t *testing.T) {
	cases := []struct {
		name    string
		reply   string
		hangup  bool
		want    Outcome
		errPart string
	}{
		{"clusterdown", "-CLUSTERDOWN no Raft leader\r\n", false, Failed, "CLUSTERDOWN"},
		{"loading", "-LOADING Redraft is loading the dataset in memory\r\n", false, Failed, "LOADING"},
		{"tryagain", "-TRYAGAIN leadership lost\r\n", false, Unknown, "TRYAGAIN"},
		{"other error", "-ERR something odd\r\n", false, Unknown, "ERR something odd"},
		{"wrong reply type", "*0\r\n", false, Unknown, "protocol error"},
		{"hang up after command", "", true, Unknown, "read: EOF"},
		{"never answers", "", false, Unknown, "i/o timeout"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := startFake(t, c.reply, c.hangup)
			writes := runAgainst(t, s.ln.Addr().String(), 50*time.Millisecond)
			for _, op := range writes {
				if op.Outcome != c.want || !strings.Contains(op.Err, c.errPart) {
					t.Fatalf("op %s: got outcome %s, want %s with error containing %q", op, op.Outcome, c.want, c.errPart)
				}
			}
		})
	}
}

func Test_WorkloadRefusedConnectionIsFailed(t *testing.T) {
	for _, op := range runAgainst(t, deadAddr(t), 200*time.Millisecond) {
		if op.Outcome != Failed || !strings.Contains(op.Err, "dial") {
			t.Fatalf("op %s: want failed dial", op)
		}
	}
}
