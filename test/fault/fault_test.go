// Package fault runs Redraft clusters of real processes through real faults
// (kill -9, SIGSTOP pauses, network partitions between network namespaces,
// membership changes under partition, a full restart) while a Jepsen-style
// workload runs through every node, and checks the history: linearizable
// (porcupine), no acknowledged write lost, no write applied twice.
package fault

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redraft/redraft/internal/jepsen"
	"github.com/redraft/redraft/internal/testutil"
)

func TestMain(m *testing.M) { os.Exit(testutil.Main(m)) }

// nodeArgs make elections and forwarding give up well within the
// workload's operation timeout, so most operations end with a definite
// outcome instead of an unknown one.
var nodeArgs = []string{"--write-timeout", "2s", "--max-staleness", "2s"}

// scenario is a cluster, a fault schedule and the workload that runs
// through it.
type scenario struct {
	name    string
	nodes   int
	netns   bool
	nemesis func(f *fixture)
}

// fixture is what a nemesis works with.
type fixture struct {
	t   testing.TB
	c   *testutil.Cluster
	nw  *testutil.Network
	h   *jepsen.History
	ctx context.Context
	// removed are nodes taken out of the configuration: they keep running
	// (and must not disrupt the cluster) but no longer know the leader.
	removed []int
}

// members are the nodes that are still in the configuration.
func (f *fixture) members() []int {
	var out []int
	for _, i := range f.c.Live() {
		if !slices.Contains(f.removed, i) {
			out = append(out, i)
		}
	}
	return out
}

// leader waits for the members to agree on a leader.
func (f *fixture) leader(among ...int) int {
	f.t.Helper()
	if len(among) == 0 {
		among = f.members()
	}
	return f.c.WaitLeaderAmong(30*time.Second, among...)
}

// note records a fault in the history (and the test log).
func (f *fixture) note(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	f.h.Note("nemesis: " + msg)
	f.t.Log("nemesis: " + msg)
}

// sleep waits d unless the test is over.
func (f *fixture) sleep(d time.Duration) {
	select {
	case <-time.After(d):
	case <-f.ctx.Done():
	}
}

func (f *fixture) others(of ...int) []int {
	var out []int
	for i := range f.c.Len() {
		skip := false
		for _, o := range of {
			skip = skip || i == o
		}
		if !skip {
			out = append(out, i)
		}
	}
	return out
}

const workloadDuration = 16 * time.Second

func Test_FaultTolerance(t *testing.T) {
	var summary []string
	for _, sc := range scenarios() {
		t.Run(sc.name, func(t *testing.T) {
			r := newRecorder(t)
			// The first cleanup runs last, after the cluster's.
			t.Cleanup(func() { summary = append(summary, r.outcome(sc.name)) })
			runScenario(r, sc)
		})
	}
	t.Logf("summary:\n%s", strings.Join(summary, "\n"))
}

func scenarios() []scenario {
	return []scenario{
		{name: "leader-kill9", nodes: 3, nemesis: killLeader},
		{name: "follower-kill9", nodes: 3, nemesis: killFollower},
		{name: "leader-pause", nodes: 3, nemesis: pauseLeader},
		{name: "isolated-old-leader", nodes: 3, netns: true, nemesis: isolateLeader},
		{name: "minority-majority-partitions", nodes: 5, netns: true, nemesis: partitionMinorityMajority},
		{name: "membership-change-under-partition", nodes: 5, netns: true, nemesis: membershipUnderPartition},
		{name: "full-cluster-restart", nodes: 3, nemesis: restartEverything},
	}
}

func runScenario(t testing.TB, sc scenario) {
	var nw *testutil.Network
	if sc.netns {
		nw = testutil.NewNetwork(t, sc.nodes)
	}
	c := testutil.StartCluster(t, testutil.ClusterOptions{Nodes: sc.nodes, Network: nw, Args: nodeArgs})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	h := jepsen.NewHistory()
	addrs := clientAddrs(c)
	done := make(chan struct{})
	go func() {
		defer close(done)
		jepsen.Run(ctx, jepsen.Config{
			Addrs: addrs, Clients: 8, Ops: 6000, Duration: workloadDuration,
			Keys: 3, OpTimeout: 3 * time.Second, SwitchAddrOnError: true,
			Interval: 10 * time.Millisecond, History: h,
		})
	}()
	f := &fixture{t: t, c: c, nw: nw, h: h, ctx: ctx}
	f.sleep(2 * time.Second) // some history before the first fault
	sc.nemesis(f)
	<-done
	if nw != nil {
		nw.Heal()
	}
	leader := f.leader()
	f.note("healed; leader %s", c.Node(leader).ID())
	if err := h.Verify(ctx, f.memberAddrs()); err != nil {
		t.Fatalf("reading the final state: %v", err)
	}
	vis := filepath.Join(os.TempDir(), "redraft-fault-"+sc.name+".html")
	rep := jepsen.Check(h, jepsen.CheckOptions{KeyTimeout: 30 * time.Second, VisualizePath: vis})
	t.Logf("report for %s:\n%s", sc.name, rep)
	if !rep.Passed() {
		t.Fatalf("%s: checks did not pass (porcupine visualization, if any: %s)", sc.name, vis)
	}
	checkEnoughWork(t, rep)
}

// checkEnoughWork makes sure the run exercised the cluster: a run where
// nearly everything failed proves nothing.
func checkEnoughWork(t testing.TB, rep *jepsen.Report) {
	t.Helper()
	ok := 0
	for _, c := range rep.ByKind {
		ok += c.OK
	}
	if ok < 200 {
		t.Fatalf("only %d operations succeeded; the cluster did not serve the workload", ok)
	}
}

// clientAddrs are the client addresses of the running nodes.
func clientAddrs(c *testutil.Cluster) []string {
	var out []string
	for _, i := range c.Live() {
		out = append(out, c.Node(i).Addr())
	}
	return out
}

func (f *fixture) memberAddrs() []string {
	var out []string
	for _, i := range f.members() {
		out = append(out, f.c.Node(i).Addr())
	}
	return out
}

func killLeader(f *fixture) {
	for round := range 2 {
		l := f.c.Leader()
		f.note("round %d: kill -9 leader %s", round, f.c.Node(l).ID())
		f.c.Kill9(l)
		f.sleep(3 * time.Second)
		f.note("restart %s", f.c.Node(l).ID())
		f.c.Start(l)
		f.sleep(2 * time.Second)
	}
}

func killFollower(f *fixture) {
	for round := range 2 {
		victim := f.c.Followers()[0]
		f.note("round %d: kill -9 follower %s", round, f.c.Node(victim).ID())
		f.c.Kill9(victim)
		f.sleep(3 * time.Second)
		f.note("restart %s", f.c.Node(victim).ID())
		f.c.Start(victim)
		f.sleep(2 * time.Second)
	}
}

func pauseLeader(f *fixture) {
	for round := range 2 {
		l := f.c.Leader()
		f.note("round %d: SIGSTOP leader %s for 4s (election timeout 1s)", round, f.c.Node(l).ID())
		f.c.Pause(l)
		f.sleep(4 * time.Second)
		f.note("SIGCONT %s", f.c.Node(l).ID())
		f.c.Resume(l)
		f.sleep(2 * time.Second)
	}
}

// isolateLeader cuts the leader off while clients keep talking to it: it
// must neither acknowledge writes nor serve reads the majority has moved
// past.
func isolateLeader(f *fixture) {
	for round := range 2 {
		l := f.c.Leader()
		f.note("round %d: isolate leader %s", round, f.c.Node(l).ID())
		f.nw.Isolate(l)
		f.sleep(5 * time.Second)
		f.note("heal")
		f.nw.Heal()
		f.sleep(3 * time.Second)
	}
}

func partitionMinorityMajority(f *fixture) {
	l := f.c.Leader()
	minority := []int{l, f.others(l)[0]}
	f.note("partition: leader %s with one follower in the minority %v", f.c.Node(l).ID(), minority)
	f.nw.Partition(minority, f.others(minority...))
	f.sleep(5 * time.Second)
	f.note("heal")
	f.nw.Heal()
	f.sleep(2 * time.Second)
	l = f.leader()
	rest := f.others(l)
	minority = rest[:2]
	f.note("partition: leader %s in the majority, minority %v", f.c.Node(l).ID(), minority)
	f.nw.Partition(minority, f.others(minority...))
	f.sleep(4 * time.Second)
	f.note("heal")
	f.nw.Heal()
}

// membershipUnderPartition removes a partitioned member and adds a new one
// while the partition lasts; after healing, the removed node must not
// disrupt the cluster.
func membershipUnderPartition(f *fixture) {
	l := f.leader()
	victim := f.others(l)[0]
	victimID := f.c.Node(victim).ID()
	f.note("isolate follower %s", victimID)
	f.nw.Isolate(victim)
	f.sleep(2 * time.Second)
	f.note("RAFT REMOVE %s through the leader", victimID)
	f.removed = append(f.removed, victim)
	if err := raftAdmin(f, "REMOVE", victimID); err != nil {
		f.t.Fatalf("RAFT REMOVE %s: %v", victimID, err)
	}
	f.note("add a new voter while the partition lasts")
	added := f.c.AddNode(testutil.NodeOptions{})
	f.note("added %s", added.ID())
	f.sleep(2 * time.Second)
	f.note("heal")
	before := f.leaderTerm()
	f.nw.Heal()
	f.sleep(3 * time.Second)
	waitMembers(f, func(m map[string]bool) bool { return !m[victimID] && m[added.ID()] })
	if after := f.leaderTerm(); after != before {
		f.t.Fatalf("the removed node %s disrupted the cluster after healing: leader/term %s -> %s", victimID, before, after)
	}
}

// leaderTerm is the leader's ID and term, as RAFT STATUS reports them.
func (f *fixture) leaderTerm() string {
	f.t.Helper()
	v, err := f.c.Node(f.leader()).Do("RAFT", "STATUS")
	if err != nil || v.Type == '-' {
		f.t.Fatalf("RAFT STATUS: %v %v", v, err)
	}
	fields := map[string]string{}
	for i := 0; i+1 < len(v.Elems); i += 2 {
		fields[v.Elems[i].Str] = v.Elems[i+1].Str
	}
	return fields["id"] + "@" + fields["term"]
}

func raftAdmin(f *fixture, args ...string) error {
	var err error
	for attempt := 0; attempt < 10; attempt++ {
		l := f.leader()
		var v testutil.Value
		v, err = f.c.Node(l).Do(append([]string{"RAFT"}, args...)...)
		if err == nil && v.Type == '-' {
			err = fmt.Errorf("%s", v.Str)
		}
		if err == nil {
			return nil
		}
		f.sleep(500 * time.Millisecond)
	}
	return err
}

// waitMembers waits until the leader's RAFT NODES satisfies ok.
func waitMembers(f *fixture, ok func(map[string]bool) bool) {
	deadline := time.Now().Add(30 * time.Second)
	var last []map[string]string
	for time.Now().Before(deadline) {
		nodes, err := f.c.Node(f.leader()).RaftNodes()
		if err == nil {
			last = nodes
			ids := map[string]bool{}
			for _, n := range nodes {
				ids[n["id"]] = true
			}
			if ok(ids) {
				return
			}
		}
		f.sleep(200 * time.Millisecond)
	}
	f.t.Fatalf("membership did not reach the expected state; last RAFT NODES: %v", last)
}

func restartEverything(f *fixture) {
	f.note("kill -9 every node")
	for i := range f.c.Len() {
		f.c.Kill9(i)
	}
	f.sleep(2 * time.Second)
	f.note("start every node")
	f.c.StartAll(f.others()...)
	f.sleep(4 * time.Second)
}

// Test_PartitionedOldLeaderServesNoStaleRead is the Jepsen Redis-Raft
// scenario: the old leader, cut off from the majority while its clients
// still reach it, must not answer a default read with the value the
// majority has since overwritten.
func Test_PartitionedOldLeaderServesNoStaleRead(t *testing.T) {
	nw := testutil.NewNetwork(t, 3)
	c := testutil.StartCluster(t, testutil.ClusterOptions{Nodes: 3, Network: nw, Args: nodeArgs})
	l := c.Leader()
	old := c.Node(l)
	if v, err := old.Do("SET", "k", "old"); err != nil || v.Str != "OK" {
		t.Fatalf("SET: %v %v", v, err)
	}
	// A connection opened before the partition, as a client of the old
	// leader would have.
	client := old.Client(t)
	if v, err := client.Do("GET", "k"); err != nil || v.Str != "old" {
		t.Fatalf("GET before the partition: %v %v", v, err)
	}
	nw.Isolate(l)
	majority := []int{}
	for i := range c.Len() {
		if i != l {
			majority = append(majority, i)
		}
	}
	nl := c.WaitLeaderAmong(30*time.Second, majority...)
	if v, err := c.Node(nl).Do("SET", "k", "new"); err != nil || v.Str != "OK" {
		t.Fatalf("SET on the new leader %s: %v %v", c.Node(nl).ID(), v, err)
	}
	v, err := client.Do("GET", "k")
	t.Logf("GET on the isolated old leader: reply %v, err %v", v, err)
	if err != nil || v.Type != '-' || !strings.HasPrefix(v.Str, "CLUSTERDOWN") {
		t.Fatalf("the isolated old leader %s answered a default GET with %v (err %v); want a CLUSTERDOWN error", old.ID(), v, err)
	}
	// A READONLY connection may read the old value, but only while the
	// node has heard from a leader within --max-staleness (2s).
	if v, err := client.Do("READONLY"); err != nil || v.Str != "OK" {
		t.Fatalf("READONLY: %v %v", v, err)
	}
	time.Sleep(3 * time.Second)
	if v, err := client.Do("GET", "k"); err != nil || v.Type != '-' || !strings.HasPrefix(v.Str, "CLUSTERDOWN") {
		t.Fatalf("READONLY GET on a node cut off for longer than --max-staleness = %v (err %v); want CLUSTERDOWN", v, err)
	}
	if v, err := client.Do("READWRITE"); err != nil || v.Str != "OK" {
		t.Fatalf("READWRITE: %v %v", v, err)
	}
	nw.Heal()
	c.WaitLeader(30 * time.Second)
	if v, err := old.Do("GET", "k"); err != nil || v.Str != "new" {
		t.Fatalf("after healing, GET on %s = %v, %v; want new", old.ID(), v, err)
	}
}
