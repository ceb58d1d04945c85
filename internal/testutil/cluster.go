package testutil

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// ClusterOptions configure StartCluster. The zero value starts three voters
// on loopback.
type ClusterOptions struct {
	// Nodes is the number of voters started together; they find each other
	// through --join and bootstrap one cluster with --bootstrap-expect
	// Nodes. 3 if zero.
	Nodes int
	// Args are extra flags for every node (e.g. "--election-timeout",
	// "300ms"), appended after the harness's own.
	Args []string
	// Network, when set, runs node i in Network.Host(i), listening on the
	// host's IP (RESP on port 6379, Raft on 7379), so that the network's
	// Partition, Isolate and Heal, whose indexes are then node indexes,
	// apply to the nodes. Missing hosts are added to the network. When
	// nil, nodes listen on free loopback ports.
	Network *Network
	// RequirePass is passed as --requirepass when non-empty; the
	// harness's own connections AUTH with it.
	RequirePass string
	// Timeout bounds each wait of the harness: the cluster's start (PONG
	// and an agreed leader), Start, Leader and AddNode. 30s if zero.
	Timeout time.Duration
	// StopTimeout bounds a clean exit after SIGTERM, in Stop, Restart and
	// the cleanup (which then kills with SIGKILL). 30s if zero: longer
	// than for a single node because a node that was cut off shortly
	// before shuts down only once Raft's in-flight RPCs over stalled
	// connections hit the transport's I/O timeout (10s).
	StopTimeout time.Duration
}

// NodeOptions configure AddNode.
type NodeOptions struct {
	// NonVoter joins the node with --nonvoter, as a read replica.
	NonVoter bool
	// Args are extra flags for this node, after ClusterOptions.Args.
	Args []string
	// NoWait makes AddNode return once the node answers PING, without
	// waiting until it knows a leader (e.g. to add a node during a
	// partition).
	NoWait bool
}

// A Cluster is a set of Redraft processes, one per node, run by a test.
// Node indexes are 0-based; node i has the ID "n<i+1>". Methods that take
// an index fail the test if it is out of range. Call them from the test's
// goroutine: they fail the test with Fatalf.
type Cluster struct {
	t    testing.TB
	bin  string
	opts ClusterOptions
	dir  string

	mu    sync.Mutex
	nodes []*ClusterNode
}

// A ClusterNode is one node of a Cluster. Its addresses, data directory
// and flags stay the same across Kill9, Stop, Start and Restart.
type ClusterNode struct {
	c        *Cluster
	index    int
	id       string
	host     *Host // nil on loopback
	addr     string
	raftAddr string
	dir      string // working directory: data dir and log inside
	dataDir  string
	logPath  string
	args     []string

	mu       sync.Mutex
	proc     *process
	paused   bool // SIGSTOPped and not yet SIGCONTed
	expected bool // the current process was stopped or killed on purpose
}

// StartCluster builds (once) redraft and starts opts.Nodes fresh nodes
// that bootstrap one cluster together, each with its own data directory,
// then waits until every node answers PING and all agree on a leader. When
// the test ends every node is stopped (a paused one is resumed first) with
// SIGTERM, then SIGKILL after StopTimeout; the test fails if a node had
// exited on its own or does not exit cleanly, and the output of every node
// is printed if the test failed.
func StartCluster(t testing.TB, opts ClusterOptions) *Cluster {
	t.Helper()
	opts = opts.withDefaults()
	if opts.Nodes < 1 {
		t.Fatalf("testutil: StartCluster: %d nodes", opts.Nodes)
	}
	bin := BuildRedraft(t)
	if err := checkClusterFlags(bin); err != nil {
		t.Fatalf("testutil: StartCluster: %v", err)
	}
	c := &Cluster{t: t, bin: bin, opts: opts, dir: t.TempDir()}
	t.Cleanup(c.cleanup)
	for range opts.Nodes {
		c.newNode()
	}
	join := c.raftAddrs()
	for _, n := range c.nodes {
		n.args = c.nodeArgs(n, join, []string{"--bootstrap-expect", strconv.Itoa(opts.Nodes)}, nil)
		n.launch()
	}
	deadline := time.Now().Add(opts.Timeout)
	c.waitAllPong(c.nodes, deadline)
	c.WaitLeader(time.Until(deadline))
	return c
}

// waitAllPong waits until every node of nodes answers PING with PONG. The
// nodes wait for each other (none answers before a leader exists), so a
// node that exits fails the test at once, with its output, rather than
// leaving the others waiting until the deadline.
func (c *Cluster) waitAllPong(nodes []*ClusterNode, deadline time.Time) {
	c.t.Helper()
	pending := slices.Clone(nodes)
	last := map[string]string{}
	for {
		pending = slices.DeleteFunc(pending, func(n *ClusterNode) bool {
			n.mu.Lock()
			p := n.proc
			n.mu.Unlock()
			if p.exited() {
				c.t.Fatalf("testutil: redraft %s exited while the cluster was starting: %v; the end of its output:\n%s",
					n.id, exitDesc(p.err), tailFile(n.logPath, 4<<10))
			}
			ok, desc := tryPing(n.addr, c.opts.RequirePass)
			last[n.id] = desc
			return ok
		})
		if len(pending) == 0 {
			return
		}
		if time.Now().After(deadline) {
			var views []string
			for _, n := range pending {
				views = append(views, n.id+": "+last[n.id])
			}
			c.t.Fatalf("testutil: nodes did not answer PING with PONG in time: %s", strings.Join(views, "; "))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (o ClusterOptions) withDefaults() ClusterOptions {
	if o.Nodes == 0 {
		o.Nodes = 3
	}
	if o.Timeout == 0 {
		o.Timeout = 30 * time.Second
	}
	if o.StopTimeout == 0 {
		o.StopTimeout = 30 * time.Second
	}
	return o
}

// clusterFlags are the flags the harness passes that a single-node build
// of redraft does not know.
var clusterFlags = []string{"bootstrap-expect", "join", "nonvoter"}

var flagCheck struct {
	mu   sync.Mutex
	done map[string]error
}

// checkClusterFlags fails early, with a clear message, when the binary's
// --help does not mention the multi-node flags: otherwise every node would
// exit with a usage error and the test would fail on a timeout. The result
// is cached per binary.
func checkClusterFlags(bin string) error {
	flagCheck.mu.Lock()
	defer flagCheck.mu.Unlock()
	if err, ok := flagCheck.done[bin]; ok {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, runErr := exec.CommandContext(ctx, bin, "server", "--help").CombinedOutput()
	var missing []string
	for _, f := range clusterFlags {
		if !strings.Contains(string(out), "-"+f) {
			missing = append(missing, "--"+f)
		}
	}
	var err error
	if len(missing) > 0 {
		err = fmt.Errorf("%s server --help (%v) does not mention %s: this redraft build cannot run a multi-node cluster; output:\n%s",
			bin, exitDesc(runErr), strings.Join(missing, ", "), out)
	}
	if flagCheck.done == nil {
		flagCheck.done = map[string]error{}
	}
	flagCheck.done[bin] = err
	return err
}

// newNode allocates the next node's ID, addresses and directories; it does
// not start it.
func (c *Cluster) newNode() *ClusterNode {
	c.mu.Lock()
	defer c.mu.Unlock()
	i := len(c.nodes)
	n := &ClusterNode{c: c, index: i, id: "n" + strconv.Itoa(i+1)}
	n.dir = filepath.Join(c.dir, n.id)
	n.dataDir = filepath.Join(n.dir, "data")
	n.logPath = filepath.Join(n.dir, "redraft.log")
	if err := os.MkdirAll(n.dir, 0o755); err != nil {
		c.t.Fatalf("testutil: %v", err)
	}
	if nw := c.opts.Network; nw != nil {
		for nw.Len() <= i {
			nw.AddHost()
		}
		n.host = nw.Host(i)
		n.addr, n.raftAddr = n.host.Addr(6379), n.host.Addr(7379)
	} else {
		n.addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(FreePort(c.t)))
		n.raftAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(FreePort(c.t)))
	}
	c.nodes = append(c.nodes, n)
	return n
}

// nodeArgs is the command line of n: the harness's flags, then the
// cluster's Args, then the node's own.
func (c *Cluster) nodeArgs(n *ClusterNode, join []string, role, own []string) []string {
	a := []string{
		"server",
		"--id", n.id,
		"--listen", n.addr,
		"--raft-listen", n.raftAddr,
		"--data-dir", n.dataDir,
		"--join", strings.Join(join, ","),
	}
	if c.opts.RequirePass != "" {
		a = append(a, "--requirepass", c.opts.RequirePass)
	}
	a = append(a, role...)
	a = append(a, c.opts.Args...)
	return append(a, own...)
}

func (c *Cluster) raftAddrs() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	addrs := make([]string, len(c.nodes))
	for i, n := range c.nodes {
		addrs[i] = n.raftAddr
	}
	return addrs
}

// AddNode starts a new node, with the next index and ID, that joins the
// cluster through --join listing the Raft addresses of all existing nodes.
// It waits until the node answers PING and, unless opts.NoWait, until it
// knows a leader, which it only learns once the leader has added it.
func (c *Cluster) AddNode(opts NodeOptions) *ClusterNode {
	c.t.Helper()
	join := c.raftAddrs()
	n := c.newNode()
	var role []string
	if opts.NonVoter {
		role = []string{"--nonvoter"}
	}
	n.args = c.nodeArgs(n, join, role, opts.Args)
	n.launch()
	deadline := time.Now().Add(c.opts.Timeout)
	n.waitPong(time.Until(deadline))
	if !opts.NoWait {
		n.waitKnowsLeader(time.Until(deadline))
	}
	return n
}

// cleanup stops every node in parallel, so that it takes at most about one
// StopTimeout, then prints every node's output if the test failed.
func (c *Cluster) cleanup() {
	nodes := c.Nodes()
	var wg sync.WaitGroup
	for _, n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n.shutdown()
		}()
	}
	wg.Wait()
	if !c.t.Failed() {
		return
	}
	for _, n := range nodes {
		c.t.Logf("---- redraft %s output (%s) ----\n%s\n---- end of redraft %s output ----", n.id, n.logPath, tailFile(n.logPath, 64<<10), n.id)
	}
}

// Nodes returns every node, in index order.
func (c *Cluster) Nodes() []*ClusterNode {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.nodes)
}

// Len is the number of nodes, including added and stopped ones.
func (c *Cluster) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.nodes)
}

// Node returns node i.
func (c *Cluster) Node(i int) *ClusterNode {
	c.t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if i < 0 || i >= len(c.nodes) {
		c.t.Fatalf("testutil: node index %d out of range (cluster has %d nodes)", i, len(c.nodes))
	}
	return c.nodes[i]
}

// Network is the network the nodes run in, nil on loopback.
func (c *Cluster) Network() *Network { return c.opts.Network }

// index maps a node ID to its index, -1 if unknown.
func (c *Cluster) index(id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, n := range c.nodes {
		if n.id == id {
			return n.index
		}
	}
	return -1
}

// Live returns the indexes of the nodes that are running and not paused.
func (c *Cluster) Live() []int {
	var live []int
	for _, n := range c.Nodes() {
		if n.Running() && !n.Paused() {
			live = append(live, n.index)
		}
	}
	return live
}

// Leader waits up to the cluster's Timeout for the live nodes to agree on a
// leader and returns its index. See WaitLeader.
func (c *Cluster) Leader() int {
	c.t.Helper()
	return c.WaitLeader(c.opts.Timeout)
}

// Followers returns the indexes of the live nodes other than the leader
// (non-voters included), after waiting for a leader as Leader does.
func (c *Cluster) Followers() []int {
	c.t.Helper()
	l := c.Leader()
	return slices.DeleteFunc(c.Live(), func(i int) bool { return i == l })
}

// WaitLeader waits until every live node (running, not paused) reports the
// same leader with RAFT LEADER, that leader being one of them, and returns
// its index. The test fails after timeout, listing what each node said.
// During a partition the nodes of a minority never agree with the
// majority: use WaitLeaderAmong with the majority's nodes.
func (c *Cluster) WaitLeader(timeout time.Duration) int {
	c.t.Helper()
	return c.WaitLeaderAmong(timeout, c.Live()...)
}

// WaitLeaderAmong is WaitLeader restricted to the given nodes: they must
// all report the same leader, and it must be one of them.
func (c *Cluster) WaitLeaderAmong(timeout time.Duration, nodes ...int) int {
	c.t.Helper()
	if len(nodes) == 0 {
		c.t.Fatalf("testutil: WaitLeader: no live node to ask")
	}
	members := make([]*ClusterNode, len(nodes))
	for k, i := range nodes {
		members[k] = c.Node(i)
	}
	deadline := time.Now().Add(timeout)
	for {
		views := askLeaders(members)
		if l, ok := c.agreedLeader(nodes, views); ok {
			return l
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("testutil: nodes %v did not agree on a leader among them within %v: %s", nodes, timeout, describeViews(members, views))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// leaderView is what one node answered to RAFT LEADER.
type leaderView struct {
	id  string // "" when it knows no leader
	err error
}

// askLeaders asks every node in parallel, so that one slow node costs one
// timeout, not one per node.
func askLeaders(nodes []*ClusterNode) []leaderView {
	views := make([]leaderView, len(nodes))
	var wg sync.WaitGroup
	for k, n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			views[k].id, views[k].err = n.RaftLeader()
		}()
	}
	wg.Wait()
	return views
}

func (c *Cluster) agreedLeader(nodes []int, views []leaderView) (int, bool) {
	id := views[0].id
	for _, v := range views {
		if v.err != nil || v.id == "" || v.id != id {
			return -1, false
		}
	}
	l := c.index(id)
	return l, slices.Contains(nodes, l)
}

func describeViews(nodes []*ClusterNode, views []leaderView) string {
	var b strings.Builder
	for k, n := range nodes {
		switch v := views[k]; {
		case v.err != nil:
			fmt.Fprintf(&b, "\n  %s: %v", n.id, v.err)
		case v.id == "":
			fmt.Fprintf(&b, "\n  %s: no leader known", n.id)
		default:
			fmt.Fprintf(&b, "\n  %s: leader %s", n.id, v.id)
		}
	}
	return b.String()
}

// Kill9 kills node i with SIGKILL; see ClusterNode.Kill9.
func (c *Cluster) Kill9(i int) { c.t.Helper(); c.Node(i).Kill9() }

// Stop stops node i with SIGTERM; see ClusterNode.Stop.
func (c *Cluster) Stop(i int) { c.t.Helper(); c.Node(i).Stop() }

// Start starts node i again; see ClusterNode.Start.
func (c *Cluster) Start(i int) { c.t.Helper(); c.Node(i).Start() }

// StartAll starts the given stopped nodes together and then waits until
// each answers PING. Starting them one by one would not do after a full
// stop: a node answers -LOADING until it has caught up with a leader, and
// there is no leader until a quorum runs.
func (c *Cluster) StartAll(nodes ...int) {
	c.t.Helper()
	started := make([]*ClusterNode, 0, len(nodes))
	for _, i := range nodes {
		n := c.Node(i)
		n.launch()
		started = append(started, n)
	}
	c.waitAllPong(started, time.Now().Add(c.opts.Timeout))
}

// Restart stops node i if it runs and starts it again; see
// ClusterNode.Restart.
func (c *Cluster) Restart(i int) { c.t.Helper(); c.Node(i).Restart() }

// Pause freezes node i with SIGSTOP; see ClusterNode.Pause.
func (c *Cluster) Pause(i int) { c.t.Helper(); c.Node(i).Pause() }

// Resume thaws node i with SIGCONT; see ClusterNode.Resume.
func (c *Cluster) Resume(i int) { c.t.Helper(); c.Node(i).Resume() }

// launch starts the node's process without waiting for it.
func (n *ClusterNode) launch() {
	t := n.c.t
	t.Helper()
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.proc != nil && !n.proc.exited() {
		t.Fatalf("testutil: redraft %s is already running", n.id)
	}
	bin, args := n.c.bin, n.args
	name := "redraft " + n.id
	if n.host != nil {
		bin, args = n.host.Wrap(bin, args...)
		name += " on " + n.host.String()
	}
	p, err := startProcess(name, bin, args, n.dir, n.logPath)
	if err != nil {
		t.Fatalf("testutil: starting redraft %s: %v", n.id, err)
	}
	n.proc, n.paused, n.expected = p, false, false
}

// waitPong waits until the node answers PING with PONG.
func (n *ClusterNode) waitPong(timeout time.Duration) {
	t := n.c.t
	t.Helper()
	n.mu.Lock()
	p := n.proc
	n.mu.Unlock()
	if err := waitPong(p, n.addr, n.c.opts.RequirePass, max(timeout, time.Second)); err != nil {
		t.Fatalf("testutil: redraft %s did not become ready: %v", n.id, err)
	}
}

// waitKnowsLeader waits until RAFT LEADER on the node is not null.
func (n *ClusterNode) waitKnowsLeader(timeout time.Duration) {
	t := n.c.t
	t.Helper()
	deadline := time.Now().Add(max(timeout, time.Second))
	for {
		id, err := n.RaftLeader()
		if err == nil && id != "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("testutil: redraft %s knows no leader %v after it started (last RAFT LEADER: %q, %v)", n.id, timeout, id, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// slowStop is how long a clean stop may take before the harness shows why:
// a node waits for its connections' commands to finish, and a command that
// outlives its bounds is a bug worth seeing.
const slowStop = 5 * time.Second

// shutdown is the cleanup of one node: resume it if paused, SIGTERM it,
// SIGKILL it after StopTimeout. Errors go to Errorf, which is safe from the
// cleanup's goroutines.
func (n *ClusterNode) shutdown() {
	t := n.c.t
	n.mu.Lock()
	defer n.mu.Unlock()
	switch {
	case n.proc == nil:
	case !n.proc.exited():
		n.resumeLocked()
		start := time.Now()
		if err := n.proc.terminate(n.c.opts.StopTimeout); err != nil {
			t.Errorf("testutil: stopping redraft %s at cleanup: %v (see its output)", n.id, err)
		} else if took := time.Since(start); took > slowStop {
			t.Logf("testutil: redraft %s took %v to stop after SIGTERM; the end of its output:\n%s", n.id, took.Round(time.Millisecond), tailFile(n.logPath, 4<<10))
		}
	case !n.expected:
		t.Errorf("testutil: redraft %s exited on its own during the test: %v (see its output)", n.id, exitDesc(n.proc.err))
	}
}

// requireRunning fails the test unless the node's process is alive. The
// caller holds n.mu.
func (n *ClusterNode) requireRunning(op string) {
	n.c.t.Helper()
	if n.proc == nil || n.proc.exited() {
		n.c.t.Fatalf("testutil: %s: redraft %s is not running", op, n.id)
	}
}

// Kill9 kills the node with SIGKILL, as a crash would (paused or not), and
// waits until the process is gone.
func (n *ClusterNode) Kill9() {
	n.c.t.Helper()
	n.mu.Lock()
	defer n.mu.Unlock()
	n.requireRunning("Kill9")
	n.expected = true
	n.proc.kill()
	n.paused = false
}

// Stop sends SIGTERM (after SIGCONT if the node is paused) and waits for
// the node to exit; the test fails unless it exits cleanly within
// StopTimeout.
func (n *ClusterNode) Stop() {
	n.c.t.Helper()
	n.mu.Lock()
	defer n.mu.Unlock()
	n.requireRunning("Stop")
	n.expected = true
	n.resumeLocked()
	if err := n.proc.terminate(n.c.opts.StopTimeout); err != nil {
		n.c.t.Fatalf("testutil: %v", err)
	}
}

// Start starts the stopped or killed node again with the same flags, data
// directory and addresses, and waits until it answers PING. It does not
// wait for a leader: call WaitLeader for that.
func (n *ClusterNode) Start() {
	n.c.t.Helper()
	n.launch()
	n.waitPong(n.c.opts.Timeout)
}

// Launch starts the node again without waiting for it to answer: a node
// that cannot reach a leader (removed, or cut off) answers only -LOADING.
func (n *ClusterNode) Launch() {
	n.c.t.Helper()
	n.launch()
}

// Restart stops the node with SIGTERM if it runs, then starts it as Start
// does.
func (n *ClusterNode) Restart() {
	n.c.t.Helper()
	if n.Running() {
		n.Stop()
	}
	n.Start()
}

// Pause freezes the node with SIGSTOP, as a long GC pause or a stalled VM
// would: its sockets stay open but it answers nothing. It returns once the
// kernel reports the process stopped.
func (n *ClusterNode) Pause() {
	n.c.t.Helper()
	n.mu.Lock()
	defer n.mu.Unlock()
	n.requireRunning("Pause")
	if n.paused {
		n.c.t.Fatalf("testutil: Pause: redraft %s is already paused", n.id)
	}
	if err := n.proc.cmd.Process.Signal(sigStop); err != nil {
		n.c.t.Fatalf("testutil: Pause: SIGSTOP redraft %s: %v", n.id, err)
	}
	n.paused = true
	if err := waitStopState(n.proc.cmd.Process.Pid, true, 5*time.Second); err != nil {
		n.c.t.Fatalf("testutil: Pause: redraft %s: %v", n.id, err)
	}
}

// Resume thaws a paused node with SIGCONT.
func (n *ClusterNode) Resume() {
	n.c.t.Helper()
	n.mu.Lock()
	defer n.mu.Unlock()
	n.requireRunning("Resume")
	if !n.paused {
		n.c.t.Fatalf("testutil: Resume: redraft %s is not paused", n.id)
	}
	n.resumeLocked()
	if err := waitStopState(n.proc.cmd.Process.Pid, false, 5*time.Second); err != nil {
		n.c.t.Fatalf("testutil: Resume: redraft %s: %v", n.id, err)
	}
}

// resumeLocked sends SIGCONT if the node is paused: a stopped process
// would keep SIGTERM pending forever. The caller holds n.mu.
func (n *ClusterNode) resumeLocked() {
	if n.paused && !n.proc.exited() {
		_ = n.proc.cmd.Process.Signal(sigCont)
	}
	n.paused = false
}

// waitStopState polls /proc/PID/stat until the process is in (stopped) or
// out of (!stopped) the stopped state 'T'. Signals are delivered
// asynchronously; without this a test could assert on a node that is not
// frozen yet. Without /proc it returns at once.
func waitStopState(pid int, stopped bool, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return nil
		}
		s := string(b)
		if k := strings.LastIndexByte(s, ')'); k >= 0 && k+2 < len(s) && (s[k+2] == 'T') == stopped {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("process %d not %s within %v (/proc stat: %.80s)", pid, map[bool]string{true: "stopped", false: "running"}[stopped], timeout, s)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Index is the node's index in its cluster.
func (n *ClusterNode) Index() int { return n.index }

// ID is the node's --id, "n<index+1>".
func (n *ClusterNode) ID() string { return n.id }

// Addr is the host:port of the node's RESP listener.
func (n *ClusterNode) Addr() string { return n.addr }

// RaftAddr is the host:port of the node's Raft transport.
func (n *ClusterNode) RaftAddr() string { return n.raftAddr }

// Host is the network host the node runs in, nil on loopback.
func (n *ClusterNode) Host() *Host { return n.host }

// DataDir is the node's --data-dir; it survives Kill9, Stop and Restart.
func (n *ClusterNode) DataDir() string { return n.dataDir }

// LogPath is the file that collects the node's output, across restarts.
func (n *ClusterNode) LogPath() string { return n.logPath }

// Args is the node's command line after the binary.
func (n *ClusterNode) Args() []string { return slices.Clone(n.args) }

// Running tells whether the node's process is alive (paused counts).
func (n *ClusterNode) Running() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.proc != nil && !n.proc.exited()
}

// Paused tells whether the node is frozen by Pause.
func (n *ClusterNode) Paused() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.paused && n.proc != nil && !n.proc.exited()
}

// PID is the process ID of the node's current process, 0 if it never ran.
func (n *ClusterNode) PID() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.proc == nil {
		return 0
	}
	return n.proc.cmd.Process.Pid
}

// String describes the node for messages.
func (n *ClusterNode) String() string {
	return fmt.Sprintf("redraft %s at %s (raft %s)", n.id, n.addr, n.raftAddr)
}

// Client opens a connection to the node, authenticated if the cluster has
// a password, that is closed when the test ends.
func (n *ClusterNode) Client(t testing.TB) *Conn {
	t.Helper()
	c := MustDial(t, n.addr)
	if err := n.auth(c); err != nil {
		t.Fatalf("testutil: %s: %v", n, err)
	}
	return c
}

func (n *ClusterNode) auth(c *Conn) error {
	pw := n.c.opts.RequirePass
	if pw == "" {
		return nil
	}
	v, err := c.Do("AUTH", pw)
	if err != nil {
		return fmt.Errorf("AUTH: %v", err)
	}
	if v.Type != '+' {
		return fmt.Errorf("AUTH: %v", v)
	}
	return nil
}

// Do sends one command on a fresh connection, bounded by 5 seconds (a
// paused or partitioned node yields a timeout error, not a hang).
func (n *ClusterNode) Do(args ...string) (Value, error) {
	nc, err := net.DialTimeout("tcp", n.addr, 2*time.Second)
	if err != nil {
		return Value{}, err
	}
	c := &Conn{Conn: nc, R: bufio.NewReader(nc), Timeout: 5 * time.Second}
	defer c.Close()
	if err := n.auth(c); err != nil {
		return Value{}, err
	}
	return c.Do(args...)
}

// RaftLeader returns the node's answer to RAFT LEADER: the leader's ID, ""
// when it knows none (a null reply), or an error (an error reply, a
// timeout, a refused connection).
func (n *ClusterNode) RaftLeader() (string, error) {
	v, err := n.Do("RAFT", "LEADER")
	switch {
	case err != nil:
		return "", err
	case v.Null || v.Type == '_':
		return "", nil
	case v.Type == '$' || v.Type == '+':
		return v.Str, nil
	}
	return "", fmt.Errorf("RAFT LEADER answered %v", v)
}

// Role returns the role field of INFO replication: "master" on the leader,
// "slave" elsewhere.
func (n *ClusterNode) Role() (string, error) {
	fields, err := n.Info("replication")
	if err != nil {
		return "", err
	}
	role, ok := fields["role"]
	if !ok {
		return "", fmt.Errorf("INFO replication has no role field")
	}
	return role, nil
}

// Info returns the key:value fields of INFO section.
func (n *ClusterNode) Info(section string) (map[string]string, error) {
	v, err := n.Do("INFO", section)
	if err != nil {
		return nil, err
	}
	if v.Type != '$' && v.Type != '=' {
		return nil, fmt.Errorf("INFO %s answered %v", section, v)
	}
	fields := map[string]string{}
	for _, line := range strings.Split(strings.TrimPrefix(v.Str, "txt:"), "\n") {
		if k, val, ok := strings.Cut(strings.TrimSpace(line), ":"); ok && !strings.HasPrefix(k, "#") {
			fields[k] = val
		}
	}
	return fields, nil
}

// RaftNodes returns RAFT NODES as one map per member. Each member may come
// as a map or as a flat array of alternating field names and values (the
// format is not settled); values that are not strings or integers are
// rendered with Value.String. An element that is neither fails.
func (n *ClusterNode) RaftNodes() ([]map[string]string, error) {
	v, err := n.Do("RAFT", "NODES")
	if err != nil {
		return nil, err
	}
	return parseRaftNodes(v)
}

func parseRaftNodes(v Value) ([]map[string]string, error) {
	if !v.IsAggregate() {
		return nil, fmt.Errorf("RAFT NODES answered %v", v)
	}
	var members []map[string]string
	for _, e := range v.Elems {
		if !e.IsAggregate() || len(e.Elems)%2 != 0 {
			return nil, fmt.Errorf("RAFT NODES member is not field/value pairs: %v", e)
		}
		m := map[string]string{}
		for k := 0; k < len(e.Elems); k += 2 {
			m[scalar(e.Elems[k])] = scalar(e.Elems[k+1])
		}
		members = append(members, m)
	}
	return members, nil
}

// scalar renders a reply element as a plain string where it has one.
func scalar(v Value) string {
	switch {
	case v.Null || v.Type == '_':
		return ""
	case v.IsAggregate():
		return v.String()
	}
	return v.Str
}
