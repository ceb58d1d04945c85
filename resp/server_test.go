package resp

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/redraft/redraft/cluster"
	"github.com/redraft/redraft/fsm"
)

// startServer runs a real single-node Raft cluster and RESP server on
// loopback ports with its data in a temporary directory.
func startServer(t *testing.T, cfg Config) string {
	t.Helper()
	_, addr := startTestServer(t, cfg)
	return addr
}

// startTestServer is startServer that also returns the server.
func startTestServer(t *testing.T, cfg Config) (*Server, string) {
	t.Helper()
	store := fsm.NewStore()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	node, err := cluster.Open(cluster.Config{ID: "n1", RaftAddr: "127.0.0.1:0", DataDir: t.TempDir(), Logger: log}, store)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-node.Ready():
	case <-time.After(20 * time.Second):
		t.Fatal("node never became ready")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Logger = log
	srv := NewServer(cfg, store, node)
	go srv.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		node.Close()
	})
	return srv, ln.Addr().String()
}

type client struct {
	t  *testing.T
	nc net.Conn
	br *bufio.Reader
}

func dial(t *testing.T, addr string) *client {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &client{t: t, nc: nc, br: bufio.NewReader(nc)}
}

func encodeCommand(args ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	return b.String()
}

// do sends a command and returns its raw reply (one RESP value).
func (c *client) do(args ...string) string {
	c.t.Helper()
	c.send(encodeCommand(args...))
	return c.readReply()
}

func (c *client) send(raw string) {
	c.t.Helper()
	c.nc.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c.nc, raw); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

func (c *client) readReply() string {
	c.t.Helper()
	var b strings.Builder
	if err := readValue(c.br, &b); err != nil {
		c.t.Fatalf("read reply: %v (so far %q)", err, b.String())
	}
	return b.String()
}

func readValue(br *bufio.Reader, b *strings.Builder) error {
	line, err := br.ReadString('\n')
	if err != nil {
		return err
	}
	b.WriteString(line)
	var n int
	switch line[0] {
	case '$', '=':
		fmt.Sscanf(line[1:], "%d", &n)
		if n < 0 {
			return nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(br, buf); err != nil {
			return err
		}
		b.Write(buf)
	case '*', '~', '%', '>':
		fmt.Sscanf(line[1:], "%d", &n)
		if line[0] == '%' {
			n *= 2
		}
		for i := 0; i < n; i++ {
			if err := readValue(br, b); err != nil {
				return err
			}
		}
	}
	return nil
}

func Test_ServerBasics(t *testing.T) {
	c := dial(t, startServer(t, Config{}))
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"PING"}, "+PONG\r\n"},
		{[]string{"SET", "k", "v"}, "+OK\r\n"},
		{[]string{"GET", "k"}, "$1\r\nv\r\n"},
		{[]string{"get"}, "-ERR wrong number of arguments for 'get' command\r\n"},
		{[]string{"NOPE", "a"}, "-ERR unknown command 'NOPE', with args beginning with: 'a' \r\n"},
		{[]string{"SELECT", "16"}, "-ERR DB index is out of range\r\n"},
		{[]string{"SELECT", "1"}, "+OK\r\n"},
		{[]string{"GET", "k"}, "$-1\r\n"},
		{[]string{"MULTI"}, "+OK\r\n"},
		{[]string{"INCR", "n"}, "+QUEUED\r\n"},
		{[]string{"PING"}, "+QUEUED\r\n"},
		{[]string{"INCR", "n"}, "+QUEUED\r\n"},
		{[]string{"EXEC"}, "*3\r\n:1\r\n+PONG\r\n:2\r\n"},
		{[]string{"HELLO", "3"}, ""},
		{[]string{"GET", "missing"}, "_\r\n"},
	}
	for _, s := range steps {
		got := c.do(s.args...)
		if s.want != "" && got != s.want {
			t.Fatalf("%q: got %q, want %q", s.args, got, s.want)
		}
	}
}

func Test_ServerAuth(t *testing.T) {
	c := dial(t, startServer(t, Config{RequirePass: "secret"}))
	for _, s := range []struct {
		args []string
		want string
	}{
		{[]string{"GET", "k"}, "-NOAUTH Authentication required.\r\n"},
		{[]string{"AUTH", "wrong"}, "-WRONGPASS invalid username-password pair or user is disabled.\r\n"},
		{[]string{"AUTH", "secret"}, "+OK\r\n"},
		{[]string{"GET", "k"}, "$-1\r\n"},
	} {
		if got := c.do(s.args...); got != s.want {
			t.Fatalf("%q: got %q, want %q", s.args, got, s.want)
		}
	}
}

// Pipelined writes and reads on one connection are answered in order and
// every read sees the writes sent before it.
func Test_ServerPipelineOrder(t *testing.T) {
	c := dial(t, startServer(t, Config{}))
	var raw strings.Builder
	for i := 0; i < 200; i++ {
		raw.WriteString(encodeCommand("INCR", "ctr"))
		raw.WriteString(encodeCommand("GET", "ctr"))
	}
	c.send(raw.String())
	for i := 1; i <= 200; i++ {
		if got, want := c.readReply(), fmt.Sprintf(":%d\r\n", i); got != want {
			t.Fatalf("INCR %d: got %q, want %q", i, got, want)
		}
		if got, want := c.readReply(), fmt.Sprintf("$%d\r\n%d\r\n", len(fmt.Sprint(i)), i); got != want {
			t.Fatalf("GET %d: got %q, want %q", i, got, want)
		}
	}
}

// Every command called with every wrong number of arguments, and with
// garbage arguments, gets an error or a reply, never kills the server.
func Test_ServerSurvivesBadArguments(t *testing.T) {
	addr := startServer(t, Config{})
	c := dial(t, addr)
	c.do("HELLO", "3")
	names := strings.Split(strings.TrimSpace(listCommands(t, c)), "\n")
	if len(names) < 100 {
		t.Fatalf("COMMAND LIST returned only %d commands", len(names))
	}
	r := rand.New(rand.NewPCG(1, 2))
	garbage := []string{"", "-1", "0", "1", "99999999999999999999", "nan", "inf", "-inf", "(1", "[a", "+", "-", "\x00\xff", "LIMIT", "WITHSCORES", "COUNT", "MATCH", "*", "BYSCORE", "REV", "EX", "NX", "GET"}
	for _, name := range names {
		// Connection-changing commands would end the test's session (the
		// Pub/Sub ones answer one reply per argument), and blocking
		// commands may legitimately wait (their bad arguments are covered
		// by the differential corpus).
		switch name {
		case "quit", "reset", "multi", "hello", "auth",
			"subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe",
			"blpop", "brpop", "brpoplpush", "blmove", "blmpop", "bzpopmin", "bzpopmax", "bzmpop":
			continue
		}
		for argc := 0; argc <= 7; argc++ {
			args := []string{name}
			for i := 0; i < argc; i++ {
				args = append(args, garbage[r.IntN(len(garbage))])
			}
			got := c.do(args...)
			if got == "" {
				t.Fatalf("%q: empty reply", args)
			}
		}
		if got := c.do("PING"); got != "+PONG\r\n" {
			t.Fatalf("after %s: PING got %q", name, got)
		}
	}
}

func listCommands(t *testing.T, c *client) string {
	raw := c.do("COMMAND", "LIST")
	var names []string
	for _, line := range strings.Split(raw, "\r\n")[1:] {
		if line != "" && !strings.HasPrefix(line, "$") {
			names = append(names, line)
		}
	}
	return strings.Join(names, "\n")
}

// Protocol errors close only the offending connection.
func Test_ServerProtocolErrorClosesOnlyThatConnection(t *testing.T) {
	addr := startServer(t, Config{})
	good := dial(t, addr)
	good.do("SET", "k", "v")
	for _, raw := range []string{"*1\r\n$x\r\n", "*2\r\n+PING\r\n", "SET \"a\r\n", "*99999999999\r\n", "*1\r\n$-7\r\n"} {
		bad := dial(t, addr)
		bad.send(raw)
		got := bad.readReply()
		if !strings.HasPrefix(got, "-ERR Protocol error: ") {
			t.Fatalf("%q: got %q", raw, got)
		}
		bad.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := bad.br.ReadByte(); err != io.EOF {
			t.Fatalf("%q: connection not closed after protocol error (%v)", raw, err)
		}
	}
	if got := good.do("GET", "k"); got != "$1\r\nv\r\n" {
		t.Fatalf("other connection affected: %q", got)
	}
}
