package testutil

import (
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Options configure StartRedraft. The zero value starts a plain node.
type Options struct {
	// ID is the node's --id; "n1" if empty.
	ID string
	// RequirePass is passed as --requirepass when non-empty.
	RequirePass string
	// SnapshotThreshold is passed as --snapshot-threshold when non-zero.
	SnapshotThreshold int
	// SnapshotInterval is passed as --snapshot-interval when non-zero.
	SnapshotInterval time.Duration
	// Args are extra command line arguments appended after the others.
	Args []string
	// StartTimeout bounds the wait for the first PONG (20s if zero).
	StartTimeout time.Duration
	// StopTimeout bounds the wait for a clean exit after SIGTERM (15s if
	// zero).
	StopTimeout time.Duration
}

// Node is a single-node Redraft server run by a test.
type Node struct {
	t        testing.TB
	bin      string
	opts     Options
	port     int
	raftPort int
	dataDir  string
	logPath  string

	mu       sync.Mutex
	proc     *process
	expected bool // the current process was stopped or killed on purpose
}

// StartRedraft builds (once) and starts a single Redraft node with a fresh
// data directory on free loopback ports, waits until it answers PING with
// PONG, and stops it with SIGTERM when the test ends; the test fails if the
// node does not then exit cleanly. The node's output goes to a file that is
// printed if the test fails.
func StartRedraft(t testing.TB, opts Options) *Node {
	t.Helper()
	bin := BuildRedraft(t)
	if opts.ID == "" {
		opts.ID = "n1"
	}
	if opts.StartTimeout == 0 {
		opts.StartTimeout = 20 * time.Second
	}
	if opts.StopTimeout == 0 {
		opts.StopTimeout = 15 * time.Second
	}
	dir := t.TempDir()
	n := &Node{
		t:        t,
		bin:      bin,
		opts:     opts,
		port:     FreePort(t),
		raftPort: FreePort(t),
		dataDir:  filepath.Join(dir, "data"),
		logPath:  filepath.Join(dir, "redraft.log"),
	}
	logOnFailure(t, "redraft "+opts.ID, n.logPath)
	t.Cleanup(func() {
		n.mu.Lock()
		defer n.mu.Unlock()
		switch {
		case n.proc == nil:
		case !n.proc.exited():
			if err := n.proc.terminate(n.opts.StopTimeout); err != nil {
				t.Errorf("testutil: stopping redraft node %s at cleanup: %v", n.opts.ID, err)
			}
		case !n.expected:
			t.Errorf("testutil: redraft node %s exited on its own during the test: %v (see its output)", n.opts.ID, exitDesc(n.proc.err))
		}
		n.proc = nil
	})
	n.start()
	return n
}

func (n *Node) args() []string {
	a := []string{
		"server",
		"--id", n.opts.ID,
		"--listen", n.Addr(),
		"--raft-listen", net.JoinHostPort("127.0.0.1", strconv.Itoa(n.raftPort)),
		"--data-dir", n.dataDir,
	}
	if n.opts.RequirePass != "" {
		a = append(a, "--requirepass", n.opts.RequirePass)
	}
	if n.opts.SnapshotThreshold != 0 {
		a = append(a, "--snapshot-threshold", strconv.Itoa(n.opts.SnapshotThreshold))
	}
	if n.opts.SnapshotInterval != 0 {
		a = append(a, "--snapshot-interval", n.opts.SnapshotInterval.String())
	}
	return append(a, n.opts.Args...)
}

func (n *Node) start() {
	n.t.Helper()
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.proc != nil && !n.proc.exited() {
		n.t.Fatalf("testutil: redraft node %s is already running", n.opts.ID)
	}
	p, err := startProcess("redraft "+n.opts.ID, n.bin, n.args(), filepath.Dir(n.dataDir), n.logPath)
	if err != nil {
		n.t.Fatalf("testutil: starting redraft: %v", err)
	}
	n.proc = p
	n.expected = false
	start := time.Now()
	if err := waitPong(p, n.Addr(), n.opts.RequirePass, n.opts.StartTimeout); err != nil {
		n.t.Fatalf("testutil: redraft node %s did not become ready: %v", n.opts.ID, err)
	}
	if err := probeReady(n.Addr(), n.opts.RequirePass, n.opts.StartTimeout-time.Since(start)); err != nil {
		n.t.Fatalf("testutil: redraft node %s: %v", n.opts.ID, err)
	}
}

// probeReady checks the contract that PONG means ready: once PING has
// answered PONG, a read must not answer -LOADING. Other errors (a leader
// still settling) are retried until the timeout.
func probeReady(addr, password string, timeout time.Duration) error {
	deadline := time.Now().Add(max(timeout, time.Second))
	for {
		c, err := Dial(addr)
		if err != nil {
			return err
		}
		v, err := func() (Value, error) {
			defer c.Close()
			if password != "" {
				if v, err := c.Do("AUTH", password); err != nil || v.Type == '-' {
					return v, err
				}
			}
			return c.Do("EXISTS", "__testutil_ready_probe__")
		}()
		switch {
		case err != nil:
			return fmt.Errorf("readiness probe after PONG: %v", err)
		case v.Type == '-' && strings.HasPrefix(v.Str, "LOADING"):
			return fmt.Errorf("answered PING with PONG but then EXISTS with -%s: PING must answer -LOADING until the node serves commands", v.Str)
		case v.Type == ':':
			return nil
		case time.Now().After(deadline):
			return fmt.Errorf("readiness probe EXISTS after PONG still answers %v", v)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Addr is the host:port of the node's RESP listener.
func (n *Node) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(n.port)) }

// Port is the port of the node's RESP listener.
func (n *Node) Port() int { return n.port }

// RaftAddr is the host:port of the node's Raft transport.
func (n *Node) RaftAddr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(n.raftPort)) }

// DataDir is the node's --data-dir; it survives Kill9, Stop and Restart.
func (n *Node) DataDir() string { return n.dataDir }

// LogPath is the file that collects the node's output.
func (n *Node) LogPath() string { return n.logPath }

// Running tells whether the node's process is alive.
func (n *Node) Running() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.proc != nil && !n.proc.exited()
}

// Kill9 kills the node with SIGKILL, as a crash would, and waits until the
// process is gone.
func (n *Node) Kill9() {
	n.t.Helper()
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.proc == nil || n.proc.exited() {
		n.t.Fatalf("testutil: Kill9: redraft node %s is not running", n.opts.ID)
	}
	n.expected = true
	n.proc.kill()
}

// Stop sends SIGTERM and waits for the node to exit; the test fails if it
// does not exit cleanly within the stop timeout.
func (n *Node) Stop() {
	n.t.Helper()
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.proc == nil || n.proc.exited() {
		n.t.Fatalf("testutil: Stop: redraft node %s is not running", n.opts.ID)
	}
	n.expected = true
	if err := n.proc.terminate(n.opts.StopTimeout); err != nil {
		n.t.Fatalf("testutil: %v", err)
	}
}

// Restart starts the node again on the same data directory and ports and
// waits for PONG. A node that is still running is stopped first with
// SIGTERM.
func (n *Node) Restart() {
	n.t.Helper()
	if n.Running() {
		n.Stop()
	}
	n.start()
}

// String describes the node for messages.
func (n *Node) String() string {
	return fmt.Sprintf("redraft node %s at %s (data %s)", n.opts.ID, n.Addr(), n.dataDir)
}
