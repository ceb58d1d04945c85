// Package cli tests the redraft command line as a user runs it: the
// `redraft dev` local cluster and the `redraft cluster` admin client.
package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redraft/redraft/internal/testutil"
)

func TestMain(m *testing.M) { os.Exit(testutil.Main(m)) }

// redraft runs the binary with args and returns its output.
func redraft(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(testutil.BuildRedraft(t), args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return out.String(), err
	case <-time.After(3 * time.Minute):
		cmd.Process.Kill()
		t.Fatalf("redraft %v did not finish; output:\n%s", args, out.String())
		return "", nil
	}
}

// statusRows parses `redraft cluster status` into id -> fields.
func statusRows(t *testing.T, out string) map[string][]string {
	t.Helper()
	rows := map[string][]string{}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "ID") {
		t.Fatalf("no header in status output:\n%s", out)
	}
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) >= 5 {
			rows[f[0]] = f
		}
	}
	return rows
}

func Test_ClusterSubcommands(t *testing.T) {
	c := testutil.StartCluster(t, testutil.ClusterOptions{Nodes: 3})
	leader := c.Leader()
	addr := c.Node(c.Followers()[0]).Addr()

	out, err := redraft(t, "cluster", "status", "--addr", addr)
	if err != nil {
		t.Fatalf("cluster status: %v\n%s", err, out)
	}
	rows := statusRows(t, out)
	if len(rows) != 3 {
		t.Fatalf("status lists %d nodes, want 3:\n%s", len(rows), out)
	}
	if got := rows[c.Node(leader).ID()][4]; got != "leader" {
		t.Fatalf("status says %s is %q, want leader:\n%s", c.Node(leader).ID(), got, out)
	}

	target := c.Followers()[1]
	out, err = redraft(t, "cluster", "transfer", c.Node(target).ID(), "--addr", addr)
	if err != nil {
		t.Fatalf("cluster transfer: %v\n%s", err, out)
	}
	if got := c.Node(c.WaitLeader(30 * time.Second)).ID(); got != c.Node(target).ID() {
		t.Fatalf("after transfer the leader is %s, want %s", got, c.Node(target).ID())
	}

	victim := c.Followers()[0]
	vid, vraft := c.Node(victim).ID(), c.Node(victim).RaftAddr()
	if out, err = redraft(t, "cluster", "remove", vid, "--addr", addr); err != nil {
		t.Fatalf("cluster remove: %v\n%s", err, out)
	}
	c.Stop(victim)
	survivor := c.Node(c.WaitLeaderAmong(30*time.Second, c.Live()...)).Addr()
	out, _ = redraft(t, "cluster", "status", "--addr", survivor)
	if _, still := statusRows(t, out)[vid]; still {
		t.Fatalf("%s is still listed after remove:\n%s", vid, out)
	}
	// Restarted with its old data dir (and its --join flags), a removed
	// node stays out: a crash loop must not undo a removal.
	c.Node(victim).Launch()
	time.Sleep(3 * time.Second)
	out, _ = redraft(t, "cluster", "status", "--addr", survivor)
	if _, back := statusRows(t, out)[vid]; back {
		t.Fatalf("removed node %s rejoined on its own after a restart:\n%s", vid, out)
	}
	// An operator brings it back, as a read replica.
	if out, err = redraft(t, "cluster", "join", vid, vraft, "--nonvoter", "--addr", survivor); err != nil {
		t.Fatalf("cluster join: %v\n%s", err, out)
	}
	out, err = redraft(t, "cluster", "status", "--addr", survivor)
	if row := statusRows(t, out)[vid]; err != nil || len(row) < 4 || row[3] != "no" {
		t.Fatalf("%s should be back as a non-voter (err %v):\n%s", vid, err, out)
	}
}

func Test_DevStartsALocalCluster(t *testing.T) {
	port := testutil.FreeConsecutivePorts(t, 3)
	raftPort := testutil.FreeConsecutivePorts(t, 3)
	cmd := exec.Command(testutil.BuildRedraft(t), "dev", "--nodes", "3", "--port", strconv.Itoa(port),
		"--raft-port", strconv.Itoa(raftPort), "--data-dir", filepath.Join(t.TempDir(), "dev"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("redraft dev exited with %v after SIGTERM:\n%s", err, out.String())
			}
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Errorf("redraft dev did not stop on SIGTERM:\n%s", out.String())
		}
	}()
	deadline := time.Now().Add(30 * time.Second)
	for i := range 3 {
		a := "127.0.0.1:" + strconv.Itoa(port+i)
		for {
			c, err := testutil.Dial(a)
			if err == nil {
				v, err := c.Do("SET", "from-node-"+strconv.Itoa(i), "x")
				c.Close()
				if err == nil && v.Str == "OK" {
					break
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("node %d of redraft dev (%s) never accepted a write:\n%s", i+1, a, out.String())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	c, err := testutil.Dial("127.0.0.1:" + strconv.Itoa(port+2))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if v, err := c.Do("GET", "from-node-0"); err != nil || v.Str != "x" {
		t.Fatalf("GET on node 3 of a write through node 1 = %v, %v", v, err)
	}
}
