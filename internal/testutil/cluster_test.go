package testutil

import (
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The tests that start real clusters need a redraft build with the
// multi-node flags (--join, --bootstrap-expect, --nonvoter): StartCluster
// fails them with a clear message otherwise.

func Test_ClusterLoopback(t *testing.T) {
	c := StartCluster(t, ClusterOptions{Nodes: 3})
	l := c.Leader()
	if role, err := c.Node(l).Role(); err != nil || role != "master" {
		t.Fatalf("leader %s: INFO replication role %q, %v; want master", c.Node(l), role, err)
	}
	followers := c.Followers()
	if len(followers) != 2 || slices.Contains(followers, l) {
		t.Fatalf("Followers() = %v with leader %d", followers, l)
	}
	for _, n := range c.Nodes() {
		if !strings.HasPrefix(n.Addr(), "127.0.0.1:") || !strings.HasPrefix(n.RaftAddr(), "127.0.0.1:") {
			t.Fatalf("%s: not on loopback", n)
		}
	}

	// A paused leader is replaced; once resumed it follows the new one.
	start := time.Now()
	c.Pause(l)
	l2 := c.WaitLeader(30 * time.Second)
	if l2 == l {
		t.Fatalf("paused node %d is still the leader", l)
	}
	t.Logf("paused leader %s; %s elected after %v", c.Node(l).ID(), c.Node(l2).ID(), time.Since(start).Round(time.Millisecond))
	c.Resume(l)
	if got := c.WaitLeader(30 * time.Second); got != l2 && got != l {
		t.Fatalf("leader %d after Resume", got)
	}

	// A killed follower comes back on its data directory.
	f := c.Followers()[0]
	c.Kill9(f)
	c.Leader()
	c.Start(f)
	c.WaitLeader(30 * time.Second)

	c.Restart(c.Followers()[0])
	c.WaitLeader(30 * time.Second)

	n := c.AddNode(NodeOptions{NonVoter: true})
	if n.ID() != "n4" || n.Index() != 3 {
		t.Fatalf("added node %s has index %d", n.ID(), n.Index())
	}
	members, err := c.Node(c.Leader()).RaftNodes()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(members, func(m map[string]string) bool { return m["id"] == "n4" }) {
		t.Fatalf("RAFT NODES on the leader does not list n4: %v", members)
	}

	// Left paused: the cleanup must resume it before SIGTERM.
	c.Pause(c.Followers()[0])
}

func Test_ClusterInNetwork(t *testing.T) {
	nw := NewNetwork(t, 3)
	c := StartCluster(t, ClusterOptions{Nodes: 3, Network: nw})
	for i, n := range c.Nodes() {
		if n.Host() != nw.Host(i) || n.Addr() != nw.Host(i).Addr(6379) || n.RaftAddr() != nw.Host(i).Addr(7379) {
			t.Fatalf("node %d at %s / %s, want on %v", i, n.Addr(), n.RaftAddr(), nw.Host(i))
		}
	}
	l := c.Leader()
	start := time.Now()
	nw.Isolate(l)
	var majority []int
	for i := range c.Len() {
		if i != l {
			majority = append(majority, i)
		}
	}
	l2 := c.WaitLeaderAmong(30*time.Second, majority...)
	if l2 == l {
		t.Fatalf("isolated node %d is still the leader of the majority", l)
	}
	t.Logf("isolated leader %s; %s elected after %v", c.Node(l).ID(), c.Node(l2).ID(), time.Since(start).Round(time.Millisecond))
	// The isolated node is still reachable from the test.
	if _, err := c.Node(l).RaftLeader(); err != nil {
		t.Fatalf("isolated node unreachable from the test process: %v", err)
	}
	start = time.Now()
	nw.Heal()
	c.WaitLeader(30 * time.Second)
	t.Logf("healed; all nodes agree after %v", time.Since(start).Round(time.Millisecond))

	n := c.AddNode(NodeOptions{})
	if n.Host() == nil || n.Host().Index() != 3 || nw.Len() != 4 {
		t.Fatalf("added node on %v, network has %d hosts", n.Host(), nw.Len())
	}
	c.WaitLeader(30 * time.Second)
}

// fakeCluster returns a cluster whose "binary" is a shell that exits 0 on
// SIGTERM, to test the process control without redraft.
func fakeCluster(t *testing.T, nw *Network) *Cluster {
	t.Helper()
	c := &Cluster{t: t, bin: "/bin/sh", opts: ClusterOptions{Network: nw, StopTimeout: 5 * time.Second}.withDefaults(), dir: t.TempDir()}
	t.Cleanup(c.cleanup)
	return c
}

// fakeNode adds a fake node to c and starts it.
func fakeNode(t *testing.T, c *Cluster) *ClusterNode {
	t.Helper()
	n := c.newNode()
	n.args = []string{"-c", `trap 'exit 0' TERM; touch "$0"; while :; do sleep 0.05; done`, filepath.Join(n.dir, "ready")}
	startFake(t, n)
	return n
}

// startFake starts a fake node and waits until its TERM trap is installed,
// as the real harness waits for PONG.
func startFake(t *testing.T, n *ClusterNode) {
	t.Helper()
	ready := filepath.Join(n.dir, "ready")
	os.Remove(ready)
	n.launch()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(ready); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("fake node %s not ready after 10s", n.id)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func procState(t *testing.T, pid int) byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	return s[strings.LastIndexByte(s, ')')+2]
}

func Test_ClusterProcessControl(t *testing.T) {
	for _, inNetwork := range []bool{false, true} {
		name := map[bool]string{false: "loopback", true: "netns"}[inNetwork]
		t.Run(name, func(t *testing.T) {
			var nw *Network
			if inNetwork {
				nw = NewNetwork(t, 1)
			}
			c := fakeCluster(t, nw)
			n := fakeNode(t, c)
			if comm, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(n.PID()), "comm")); strings.TrimSpace(string(comm)) != "sh" {
				t.Fatalf("the started process is %q, want sh itself (signals must reach the node, not a wrapper)", comm)
			}
			n.Pause()
			if s := procState(t, n.PID()); s != 'T' || !n.Paused() {
				t.Fatalf("after Pause: state %c, Paused %v", s, n.Paused())
			}
			n.Resume()
			if s := procState(t, n.PID()); s == 'T' || n.Paused() {
				t.Fatalf("after Resume: state %c, Paused %v", s, n.Paused())
			}
			n.Pause()
			n.Kill9()
			if n.Running() || n.Paused() {
				t.Fatal("running after Kill9")
			}
			startFake(t, n)
			n.Pause()
			n.Stop() // resumes first, else SIGTERM would stay pending
			startFake(t, n)
			m := fakeNode(t, c)
			if m.ID() != "n2" || m.DataDir() == n.DataDir() {
				t.Fatalf("second node %s with data dir %s", m.ID(), m.DataDir())
			}
			if live := c.Live(); !slices.Equal(live, []int{0, 1}) {
				t.Fatalf("Live() = %v", live)
			}
			m.Pause()
			if live := c.Live(); !slices.Equal(live, []int{0}) {
				t.Fatalf("Live() with n2 paused = %v", live)
			}
			if inNetwork {
				dialsKeepNodesAlive(t, nw.Host(0), n)
			}
			// Both left running, n2 paused: the cleanup must stop both
			// cleanly within StopTimeout.
		})
	}
}

// dialsKeepNodesAlive checks that Host.Dial does not end the OS threads it
// borrows: a node's process dies with the thread that forked it
// (Pdeathsig), and any thread may have forked one.
func dialsKeepNodesAlive(t *testing.T, h *Host, n *ClusterNode) {
	t.Helper()
	for range 200 {
		if c, err := h.Dial(net.JoinHostPort(h.IP(), "1"), time.Second); err == nil {
			c.Close()
		}
	}
	if !n.Running() {
		t.Fatalf("%s died while the test dialed from a host", n)
	}
}

func Test_CheckClusterFlags(t *testing.T) {
	dir := t.TempDir()
	script := func(name, help string) string {
		p := filepath.Join(dir, name)
		body := "#!/bin/sh\ncat >&2 <<'EOF'\n" + help + "\nEOF\n"
		if err := os.WriteFile(p, []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	old := script("old", "  -id string\n  -listen string\n  -data-dir string")
	if err := checkClusterFlags(old); err == nil || !strings.Contains(err.Error(), "--bootstrap-expect") {
		t.Fatalf("checkClusterFlags(single-node build) = %v, want an error naming --bootstrap-expect", err)
	}
	cur := script("new", "  -bootstrap-expect int\n  -join string\n  -nonvoter")
	if err := checkClusterFlags(cur); err != nil {
		t.Fatalf("checkClusterFlags(multi-node build) = %v", err)
	}
}

func Test_ParseRaftNodes(t *testing.T) {
	bulk := func(s string) Value { return Value{Type: '$', Str: s} }
	v := Value{Type: '*', Elems: []Value{
		{Type: '%', Elems: []Value{bulk("id"), bulk("n1"), bulk("voter"), {Type: ':', Str: "1"}}},
		{Type: '*', Elems: []Value{bulk("id"), bulk("n2"), bulk("addr"), {Type: '_'}}},
	}}
	got, err := parseRaftNodes(v)
	if err != nil || len(got) != 2 || got[0]["id"] != "n1" || got[0]["voter"] != "1" || got[1]["id"] != "n2" || got[1]["addr"] != "" {
		t.Fatalf("parseRaftNodes = %v, %v", got, err)
	}
	if _, err := parseRaftNodes(Value{Type: '*', Elems: []Value{bulk("n1")}}); err == nil {
		t.Fatal("parseRaftNodes accepted a member that is a plain string")
	}
}
