package cluster

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/raft"

	"github.com/redraft/redraft/fsm"
	"github.com/redraft/redraft/internal/testutil"
	"github.com/redraft/redraft/reply"
)

// testNode is an in-process node of a test cluster.
type testNode struct {
	*Node
	store *fsm.Store
	cfg   Config
	logs  *syncBuffer
}

// syncBuffer collects a node's log lines for assertions.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// logged tells whether n has logged a line containing text.
func logged(t *testing.T, n *testNode, text string) bool {
	t.Helper()
	return strings.Contains(n.logs.String(), text)
}

// freeAddr is a loopback address below the ephemeral port range, so that
// a node reopened on it does not find it taken by an outgoing connection.
func freeAddr(t testing.TB) string {
	t.Helper()
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(testutil.FreePort(t)))
}

func openNode(t testing.TB, cfg Config) *testNode {
	t.Helper()
	logs := &syncBuffer{}
	cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	store := fsm.NewStore()
	n, err := Open(cfg, store)
	if err != nil {
		t.Fatalf("open %s: %v", cfg.ID, err)
	}
	tn := &testNode{Node: n, store: store, cfg: cfg, logs: logs}
	t.Cleanup(func() { tn.close() })
	return tn
}

func (tn *testNode) close() {
	select {
	case <-tn.closing:
	default:
		tn.Close()
	}
}

func nodeConfig(t testing.TB, id string, join []string, expect int) Config {
	return Config{
		ID: id, RaftAddr: freeAddr(t), DataDir: filepath.Join(t.TempDir(), id),
		JoinAddrs: join, BootstrapExpect: expect, ElectionTimeout: 300 * time.Millisecond,
		WriteTimeout: 5 * time.Second,
	}
}

// startCluster starts n nodes that bootstrap together through
// --bootstrap-expect and waits for a leader every node knows.
func startCluster(t testing.TB, n int) []*testNode {
	t.Helper()
	cfgs := make([]Config, n)
	var addrs []string
	for i := range cfgs {
		cfgs[i] = nodeConfig(t, fmt.Sprintf("n%d", i+1), nil, n)
		addrs = append(addrs, cfgs[i].RaftAddr)
	}
	nodes := make([]*testNode, n)
	for i := range cfgs {
		cfgs[i].JoinAddrs = addrs
		nodes[i] = openNode(t, cfgs[i])
	}
	waitFor(t, 15*time.Second, "a leader known to every node, all ready", func() bool {
		first, _ := nodes[0].Leader()
		for _, tn := range nodes {
			if id, _ := tn.Leader(); id == "" || id != first || !tn.IsReady() {
				return false
			}
		}
		return true
	})
	return nodes
}

func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func leaderOf(t testing.TB, nodes []*testNode) (*testNode, []*testNode) {
	t.Helper()
	var leader *testNode
	var followers []*testNode
	for _, tn := range nodes {
		if tn.State() == raft.Leader {
			leader = tn
		} else {
			followers = append(followers, tn)
		}
	}
	if leader == nil {
		t.Fatal("no leader")
	}
	return leader, followers
}

func cmd(args ...string) *fsm.Entry {
	b := make([][]byte, len(args))
	for i, a := range args {
		b[i] = []byte(a)
	}
	return &fsm.Entry{Type: fsm.EntryCommand, Cmds: []fsm.Cmd{{Args: b}}}
}

func mustApply(t *testing.T, n *testNode, args ...string) reply.Value {
	t.Helper()
	v, err := n.Apply(cmd(args...))
	if err != nil {
		t.Fatalf("%s on %s: %v", strings.Join(args, " "), n.cfg.ID, err)
	}
	if v.IsError() {
		t.Fatalf("%s on %s: %s", strings.Join(args, " "), n.cfg.ID, v.Error())
	}
	return v
}

// linearGet reads key on n after a linearizable read barrier.
func linearGet(t *testing.T, n *testNode, key string) reply.Value {
	t.Helper()
	if err := n.LinearizableRead(context.Background()); err != nil {
		t.Fatalf("read barrier on %s: %v", n.cfg.ID, err)
	}
	return n.store.Read(0, [][]byte{[]byte("GET"), []byte(key)}, time.Now().UnixMilli(), 1)
}

func Test_BootstrapExpectFormsOneCluster(t *testing.T) {
	nodes := startCluster(t, 3)
	leader, _ := leaderOf(t, nodes)
	waitFor(t, 5*time.Second, "a cluster id on every node", func() bool {
		for _, tn := range nodes {
			if tn.ClusterID() == "" || tn.ClusterID() != leader.ClusterID() {
				return false
			}
		}
		return true
	})
	members, err := leader.Members()
	if err != nil {
		t.Fatal(err)
	}
	if len(members) != 3 {
		t.Fatalf("members = %+v, want 3 voters", members)
	}
	for _, m := range members {
		if !m.Voter {
			t.Fatalf("member %s is not a voter", m.ID)
		}
	}
}

func Test_FollowerForwardsWritesAndReadsLinearizably(t *testing.T) {
	nodes := startCluster(t, 3)
	_, followers := leaderOf(t, nodes)
	f := followers[0]
	for i := 1; i <= 20; i++ {
		v := mustApply(t, f, "INCR", "counter")
		if v.Int != int64(i) {
			t.Fatalf("INCR #%d on a follower replied %d", i, v.Int)
		}
	}
	mustApply(t, f, "SET", "k", "v1")
	// The other follower reads its own state after a read index: it must
	// see the write acknowledged through the first follower.
	if got := linearGet(t, followers[1], "k"); string(got.Str) != "v1" {
		t.Fatalf("linearizable GET on the other follower = %q, want v1", got.Str)
	}
	if got := linearGet(t, followers[1], "counter"); string(got.Str) != "20" {
		t.Fatalf("counter on the other follower = %q, want 20", got.Str)
	}
}

func Test_PipelinedForwardedWritesKeepTheirOrder(t *testing.T) {
	nodes := startCluster(t, 3)
	_, followers := leaderOf(t, nodes)
	pl := followers[0].Pipeline()
	var props []*Proposal
	for i := range 200 {
		props = append(props, pl.Propose(cmd("RPUSH", "list", fmt.Sprint(i))))
	}
	for i, p := range props {
		v, err := p.Await()
		if err != nil || v.Int != int64(i+1) {
			t.Fatalf("RPUSH #%d: reply %+v err %v, want length %d", i, v, err, i+1)
		}
	}
	if err := followers[1].LinearizableRead(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := followers[1].store.Read(0, [][]byte{[]byte("LRANGE"), []byte("list"), []byte("0"), []byte("-1")}, time.Now().UnixMilli(), 1)
	for i, e := range got.Elems {
		if string(e.Str) != fmt.Sprint(i) {
			t.Fatalf("element %d is %q: pipelined writes were reordered", i, e.Str)
		}
	}
}

func Test_RetriedProposalAppliesOnce(t *testing.T) {
	nodes := startCluster(t, 3)
	leader, followers := leaderOf(t, nodes)
	for _, origin := range []*testNode{leader, followers[0]} {
		p := origin.newProposal(origin.session, cmd("INCR", "once-"+origin.cfg.ID))
		p.send()
		first, err := p.Await()
		if err != nil {
			t.Fatal(err)
		}
		// Send the very same request again, as a retry after a lost reply
		// would: the state machine answers it with the original reply.
		p.send()
		again, err := p.Await()
		if err != nil {
			t.Fatal(err)
		}
		if first.Int != 1 || again.Int != 1 {
			t.Fatalf("from %s: first reply %d, retry reply %d, want 1 and 1", origin.cfg.ID, first.Int, again.Int)
		}
		if got := linearGet(t, leader, "once-"+origin.cfg.ID); string(got.Str) != "1" {
			t.Fatalf("counter = %q after a retried INCR, want 1", got.Str)
		}
	}
}

func Test_JoinThroughAFollowerAsVoterAndNonVoter(t *testing.T) {
	nodes := startCluster(t, 3)
	leader, followers := leaderOf(t, nodes)
	mustApply(t, leader, "SET", "before-join", "x")
	voter := openNode(t, nodeConfig(t, "n4", []string{followers[0].advertise}, 0))
	replica := nodeConfig(t, "r1", []string{followers[1].advertise}, 0)
	replica.NonVoter = true
	ro := openNode(t, replica)
	waitFor(t, 20*time.Second, "n4 a voter and r1 a non-voter", func() bool {
		members, err := leader.Members()
		if err != nil {
			return false
		}
		roles := map[string]bool{}
		for _, m := range members {
			roles[m.ID] = m.Voter
		}
		v, okV := roles["n4"]
		r, okR := roles["r1"]
		return okV && v && okR && !r
	})
	for _, tn := range []*testNode{voter, ro} {
		waitFor(t, 10*time.Second, tn.cfg.ID+" caught up", tn.IsReady)
		if got := linearGet(t, tn, "before-join"); string(got.Str) != "x" {
			t.Fatalf("%s reads %q, want x", tn.cfg.ID, got.Str)
		}
		mustApply(t, tn, "SET", "from-"+tn.cfg.ID, "y")
	}
}

func Test_RemovedNodeDoesNotRejoinOrDisrupt(t *testing.T) {
	nodes := startCluster(t, 3)
	leader, followers := leaderOf(t, nodes)
	gone := followers[0]
	if err := leader.Admin(context.Background(), AdminArgs{Op: "remove", ID: gone.cfg.ID}); err != nil {
		t.Fatal(err)
	}
	gone.close()
	term := leader.raft.CurrentTerm()
	// It comes back with its old data and its join addresses.
	back := openNode(t, gone.cfg)
	_ = back
	for i := range 20 {
		mustApply(t, leader, "SET", "after-removal", fmt.Sprint(i))
		time.Sleep(50 * time.Millisecond)
	}
	members, err := leader.Members()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range members {
		if m.ID == gone.cfg.ID {
			t.Fatalf("removed node %s is a member again: %+v", m.ID, members)
		}
	}
	if leader.State() != raft.Leader || leader.raft.CurrentTerm() != term {
		t.Fatalf("the removed node disrupted the cluster: leader state %s, term %d -> %d", leader.State(), term, leader.raft.CurrentTerm())
	}
}

func Test_NodeOfAnotherClusterIsRefused(t *testing.T) {
	a := startCluster(t, 1)[0]
	b := startCluster(t, 1)[0]
	waitFor(t, 5*time.Second, "cluster ids", func() bool { return a.ClusterID() != "" && b.ClusterID() != "" })
	err := a.Admin(context.Background(), AdminArgs{Op: "join", ID: b.cfg.ID + "-x", Addr: b.advertise, Voter: true, ClusterID: b.ClusterID()})
	if err == nil || !strings.Contains(err.Error(), "belongs to cluster") {
		t.Fatalf("join of a node from another cluster: err = %v", err)
	}
}

func Test_NewNodeCatchesUpThroughSnapshotInstall(t *testing.T) {
	cfg := nodeConfig(t, "n1", nil, 0)
	cfg.SnapshotThreshold, cfg.TrailingLogs = 64, 16
	first := openNode(t, cfg)
	waitFor(t, 10*time.Second, "n1 ready", first.IsReady)
	for i := range 300 {
		mustApply(t, first, "SET", fmt.Sprintf("k%d", i), fmt.Sprint(i))
	}
	if err := first.Snapshot(); err != nil {
		t.Fatal(err)
	}
	for range 50 {
		mustApply(t, first, "INCR", "after-snapshot")
	}
	// The log no longer holds the first writes: n2 can only get them from
	// a snapshot.
	second := openNode(t, nodeConfig(t, "n2", []string{first.advertise}, 0))
	waitFor(t, 20*time.Second, "n2 a caught-up voter", func() bool {
		members, _ := first.Members()
		return len(members) == 2 && members[1].Voter && second.IsReady()
	})
	if got := linearGet(t, second, "k0"); string(got.Str) != "0" {
		t.Fatalf("k0 on the new node = %q, want 0", got.Str)
	}
	if got := linearGet(t, second, "after-snapshot"); string(got.Str) != "50" {
		t.Fatalf("after-snapshot on the new node = %q, want 50", got.Str)
	}
	if s := second.Stats()["last_snapshot_index"]; s == "0" {
		t.Fatalf("the new node never installed a snapshot (last_snapshot_index %s)", s)
	}
}

func Test_NodeBackWithANewAddressResumesItsMembership(t *testing.T) {
	nodes := startCluster(t, 3)
	leader, followers := leaderOf(t, nodes)
	moved := followers[0]
	moved.close()
	mustApply(t, leader, "SET", "while-away", "1")
	// Same ID and data dir, a new address (a pod rescheduled with a new IP).
	cfg := moved.cfg
	cfg.RaftAddr = freeAddr(t)
	back := openNode(t, cfg)
	waitFor(t, 20*time.Second, "the leader to know the new address", func() bool {
		members, err := leader.Members()
		if err != nil {
			return false
		}
		for _, m := range members {
			if m.ID == cfg.ID {
				return m.Addr == cfg.RaftAddr && m.Voter
			}
		}
		return false
	})
	waitFor(t, 20*time.Second, "the moved node to catch up", back.IsReady)
	if got := linearGet(t, back, "while-away"); string(got.Str) != "1" {
		t.Fatalf("moved node reads %q, want 1", got.Str)
	}
}

func Test_VoterBackWithAnEmptyDataDirRejoinsThroughNonVoter(t *testing.T) {
	nodes := startCluster(t, 3)
	leader, followers := leaderOf(t, nodes)
	for range 20 {
		mustApply(t, leader, "INCR", "n")
	}
	wiped := followers[0]
	wiped.close()
	if err := os.RemoveAll(wiped.cfg.DataDir); err != nil {
		t.Fatal(err)
	}
	// Same ID and address, nothing on disk: it must not count in a quorum
	// before it has the log again.
	back := openNode(t, wiped.cfg)
	waitFor(t, 20*time.Second, "the wiped node a caught-up voter again", func() bool {
		members, err := leader.Members()
		if err != nil || !back.IsReady() {
			return false
		}
		for _, m := range members {
			if m.ID == wiped.cfg.ID {
				return m.Voter
			}
		}
		return false
	})
	if got := linearGet(t, back, "n"); string(got.Str) != "20" {
		t.Fatalf("the wiped node reads %q, want 20", got.Str)
	}
	if !logged(t, leader, "re-adding it as a non-voter") {
		t.Fatal("the leader did not demote the voter that came back empty")
	}
}
