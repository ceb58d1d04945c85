// Command failover measures how long a 3-node Redraft cluster is unavailable
// for writes when its leader dies.
//
//	go run ./bench/failover                                  # 5 runs, --election-timeout 1s
//	go run ./bench/failover -runs 5 -election-timeouts 1s,200ms
//
// For each election timeout it starts a fresh 3-node cluster (free loopback
// ports, a temporary directory, the redraft binary from -bin, $REDRAFT_BIN,
// or built from this module), and then, -runs times:
//
//  1. finds the leader, and starts an open-loop writer on each of the two
//     other nodes (the survivors): every -interval it sends one SET on its
//     own connection, at most -inflight of them outstanding per survivor;
//  2. once both survivors acknowledge writes, kills the leader with SIGKILL;
//  3. measures from the kill to
//     - leader: the first time a survivor answers RAFT LEADER with a node
//     other than the killed one (polled every 5ms on both survivors);
//     - write: the first successful reply to a SET sent after the kill, on
//     either survivor (writes sent before the kill do not count: their
//     reply may have been on its way already);
//     - both: the time by which each survivor has acknowledged such a write
//     (the one still a follower forwards its writes to the new leader);
//  4. restarts the killed node on its data dir and waits until the cluster
//     is healthy (the three nodes agree on a leader, and a write through the
//     restarted node is read back linearizably on every node).
//
// It prints every run and the median, minimum and maximum of each figure.
// Every wait is bounded (-recovery-timeout per kill, -health-timeout per
// restart, -timeout for everything); every process it started is stopped
// on exit and the directory removed (-keep keeps it, with the node logs).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
)

type options struct {
	bin             string
	runs            int
	timeouts        []time.Duration
	writeTimeout    time.Duration
	interval        time.Duration
	inflight        int
	recoveryTimeout time.Duration
	healthTimeout   time.Duration
	keep            bool
	verbose         bool
}

func main() {
	var o options
	bin := flag.String("bin", os.Getenv("REDRAFT_BIN"), "redraft binary (default $REDRAFT_BIN, else built from this module)")
	flag.IntVar(&o.runs, "runs", 5, "leader kills per election timeout")
	timeouts := flag.String("election-timeouts", "1s", "comma-separated --election-timeout values, one cluster each (1s is the default of redraft)")
	flag.DurationVar(&o.writeTimeout, "write-timeout", 10*time.Second, "--write-timeout of the nodes")
	flag.DurationVar(&o.interval, "interval", 2*time.Millisecond, "a writer sends one SET per interval on each survivor")
	flag.IntVar(&o.inflight, "inflight", 200, "at most this many SETs outstanding per survivor")
	flag.DurationVar(&o.recoveryTimeout, "recovery-timeout", 30*time.Second, "bound on one failover (kill to writes on both survivors)")
	flag.DurationVar(&o.healthTimeout, "health-timeout", 60*time.Second, "bound on a restart until the cluster is healthy again")
	total := flag.Duration("timeout", 15*time.Minute, "bound on the whole program")
	flag.BoolVar(&o.keep, "keep", false, "keep the temporary directory (data dirs and node logs)")
	flag.BoolVar(&o.verbose, "v", false, "log progress")
	flag.Parse()
	for _, s := range strings.Split(*timeouts, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil || d <= 0 {
			fmt.Fprintf(os.Stderr, "failover: bad -election-timeouts value %q\n", s)
			os.Exit(2)
		}
		o.timeouts = append(o.timeouts, d)
	}
	if o.runs < 1 || o.inflight < 1 || o.interval <= 0 {
		fmt.Fprintln(os.Stderr, "failover: -runs, -inflight and -interval must be positive")
		os.Exit(2)
	}

	ctx, cancel := context.WithTimeout(context.Background(), *total)
	defer cancel()
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, *bin); err != nil {
		fmt.Fprintln(os.Stderr, "failover:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options, bin string) error {
	dir, err := os.MkdirTemp("", "redraft-failover-")
	if err != nil {
		return err
	}
	if o.keep {
		fmt.Fprintln(os.Stderr, "failover: keeping", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	if bin == "" {
		bin = filepath.Join(dir, "redraft")
		fmt.Fprintln(os.Stderr, "building redraft...")
		bctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(bctx, "go", "build", "-o", bin, "github.com/redraft/redraft/cmd/redraft")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("building redraft (run from the module, or set -bin): %w", err)
		}
	}

	fmt.Printf("failover: 3 nodes on loopback, %d cores, load average %s\n", runtime.NumCPU(), loadavg())
	var summaries []string
	for _, et := range o.timeouts {
		results, err := series(ctx, o, bin, filepath.Join(dir, "et-"+et.String()), et)
		if len(results) > 0 {
			summaries = append(summaries, summarize(et, results))
		}
		if err != nil {
			return err
		}
	}
	fmt.Printf("\nload average at the end: %s\n\n", loadavg())
	fmt.Println("| --election-timeout | runs | new leader: median (min-max) | first write: median (min-max) | both survivors: median (min-max) |")
	fmt.Println("|---:|---:|---|---|---|")
	for _, s := range summaries {
		fmt.Println(s)
	}
	return nil
}

// result is one leader kill.
type result struct {
	killed, newLeader, firstBy string
	leader, write, both        time.Duration
	errors                     map[string]int
}

// series runs o.runs kills on a fresh cluster with this election timeout.
func series(ctx context.Context, o options, bin, dir string, et time.Duration) ([]result, error) {
	c, err := startCluster(ctx, o, bin, dir, et)
	if err != nil {
		return nil, err
	}
	defer c.stop()
	if err := c.waitHealthy(ctx, o.healthTimeout, "initial"); err != nil {
		return nil, err
	}
	var results []result
	for i := 1; i <= o.runs; i++ {
		r, err := c.killLeader(ctx, o)
		if err != nil {
			return results, fmt.Errorf("election-timeout %s, run %d: %w", et, i, err)
		}
		results = append(results, r)
		fmt.Printf("election-timeout %s run %d/%d: killed leader %s; new leader %s after %s; first write after %s (on %s); both survivors after %s; %s\n",
			et, i, o.runs, r.killed, r.newLeader, ms(r.leader), ms(r.write), r.firstBy, ms(r.both), errSummary(r.errors))
		if err := c.restart(ctx, r.killed); err != nil {
			return results, err
		}
		if err := c.waitHealthy(ctx, o.healthTimeout, fmt.Sprintf("after run %d", i)); err != nil {
			return results, err
		}
	}
	return results, nil
}

type node struct {
	id, addr, raftAddr, dataDir, log string
	args                             []string
	cmd                              *exec.Cmd
	done                             chan struct{}
	client                           *redis.Client
}

type cluster struct {
	bin     string
	nodes   []*node
	verbose bool
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func startCluster(ctx context.Context, o options, bin, dir string, et time.Duration) (*cluster, error) {
	c := &cluster{bin: bin, verbose: o.verbose}
	var raftAddrs []string
	for i := 1; i <= 3; i++ {
		p, err := freePort()
		if err != nil {
			return nil, err
		}
		rp, err := freePort()
		if err != nil {
			return nil, err
		}
		n := &node{
			id: "n" + strconv.Itoa(i), addr: "127.0.0.1:" + strconv.Itoa(p), raftAddr: "127.0.0.1:" + strconv.Itoa(rp),
			dataDir: filepath.Join(dir, "n"+strconv.Itoa(i)), log: filepath.Join(dir, "n"+strconv.Itoa(i)+".log"),
		}
		n.client = redis.NewClient(&redis.Options{
			Addr: n.addr, Protocol: 2, DisableIdentity: true, MaxRetries: -1, PoolSize: 4,
			DialTimeout: time.Second, ReadTimeout: o.writeTimeout + 5*time.Second, WriteTimeout: time.Second,
			ContextTimeoutEnabled: true,
		})
		c.nodes = append(c.nodes, n)
		raftAddrs = append(raftAddrs, n.raftAddr)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	for _, n := range c.nodes {
		n.args = []string{"server", "--id", n.id, "--listen", n.addr, "--raft-listen", n.raftAddr,
			"--data-dir", n.dataDir, "--join", strings.Join(raftAddrs, ","), "--bootstrap-expect", "3",
			"--election-timeout", et.String(), "--write-timeout", o.writeTimeout.String()}
		if err := c.spawn(n); err != nil {
			c.stop()
			return nil, err
		}
	}
	return c, nil
}

func (c *cluster) spawn(n *node) error {
	logf, err := os.OpenFile(n.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(c.bin, n.args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	setPdeathsig(cmd) // the nodes die with this program, however it ends
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", n.id, err)
	}
	n.cmd, n.done = cmd, make(chan struct{})
	go func(done chan struct{}) {
		_ = cmd.Wait()
		close(done)
	}(n.done)
	return nil
}

func (n *node) running() bool {
	if n.cmd == nil {
		return false
	}
	select {
	case <-n.done:
		return false
	default:
		return true
	}
}

// stop terminates every node (SIGTERM, then SIGKILL after 10s).
func (c *cluster) stop() {
	for _, n := range c.nodes {
		n.client.Close()
		if n.running() {
			_ = n.cmd.Process.Signal(syscall.SIGTERM)
		}
	}
	deadline := time.After(10 * time.Second)
	for _, n := range c.nodes {
		if n.cmd == nil {
			continue
		}
		select {
		case <-n.done:
		case <-deadline:
			for _, m := range c.nodes {
				if m.running() {
					_ = m.cmd.Process.Kill()
				}
			}
			<-n.done
		}
	}
}

func (c *cluster) restart(ctx context.Context, id string) error {
	for _, n := range c.nodes {
		if n.id == id {
			if n.running() {
				return fmt.Errorf("%s is still running", id)
			}
			c.logf("restarting %s", id)
			return c.spawn(n)
		}
	}
	return fmt.Errorf("no node %s", id)
}

func (c *cluster) logf(format string, args ...any) {
	if c.verbose {
		fmt.Fprintf(os.Stderr, "%s failover: %s\n", time.Now().Format("15:04:05.000"), fmt.Sprintf(format, args...))
	}
}

// leaderOf asks one node for the leader's ID ("" when it knows none).
func leaderOf(ctx context.Context, n *node, timeout time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	id, err := n.client.Do(ctx, "RAFT", "LEADER").Text()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	return id, err
}

// agreedLeader returns the leader every running node reports, or "".
func (c *cluster) agreedLeader(ctx context.Context) string {
	leader := ""
	for _, n := range c.nodes {
		id, err := leaderOf(ctx, n, time.Second)
		if err != nil || id == "" || (leader != "" && id != leader) {
			return ""
		}
		leader = id
	}
	return leader
}

// waitHealthy waits until the three nodes agree on a leader and a write
// through each node is read back (linearizably) on every node.
func (c *cluster) waitHealthy(ctx context.Context, timeout time.Duration, what string) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	for attempt := 0; ; attempt++ {
		if c.healthy(ctx, what+"-"+strconv.Itoa(attempt)) {
			c.logf("cluster healthy (%s) after %s", what, time.Since(start).Round(time.Millisecond))
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("cluster not healthy (%s) within %s; node logs in %s (use -keep to keep them)",
				what, timeout, filepath.Dir(c.nodes[0].log))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (c *cluster) healthy(ctx context.Context, tag string) bool {
	if c.agreedLeader(ctx) == "" {
		return false
	}
	for _, w := range c.nodes {
		key, val := "failover:health:"+w.id, tag
		wctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		err := w.client.Set(wctx, key, val, 0).Err()
		cancel()
		if err != nil {
			return false
		}
		for _, r := range c.nodes {
			rctx, cancel := context.WithTimeout(ctx, 3*time.Second)
			got, err := r.client.Get(rctx, key).Result()
			cancel()
			if err != nil || got != val {
				return false
			}
		}
	}
	return true
}

// write is one SET of a writer.
type write struct {
	sent, acked time.Time
	err         error
}

// writer sends one SET every interval through its own client until ctx
// ends, at most inflight outstanding, and reports every outcome.
func writer(ctx context.Context, n *node, o options, out chan<- write) (stop func()) {
	client := redis.NewClient(&redis.Options{
		Addr: n.addr, Protocol: 2, DisableIdentity: true, MaxRetries: -1,
		PoolSize: o.inflight, PoolTimeout: time.Second,
		DialTimeout: time.Second, ReadTimeout: o.writeTimeout + 5*time.Second, WriteTimeout: time.Second,
		ContextTimeoutEnabled: true,
	})
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sem := make(chan struct{}, o.inflight)
		tick := time.NewTicker(o.interval)
		defer tick.Stop()
		for seq := 0; ; seq++ {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			select {
			case sem <- struct{}{}:
			default:
				continue // inflight reached: skip this tick
			}
			wg.Add(1)
			go func(seq int) {
				defer wg.Done()
				defer func() { <-sem }()
				sent := time.Now()
				wctx, wcancel := context.WithTimeout(ctx, o.writeTimeout+5*time.Second)
				err := client.Set(wctx, "failover:"+n.id+":"+strconv.Itoa(seq), seq, 0).Err()
				wcancel()
				if ctx.Err() != nil {
					return // stopped: not an outcome
				}
				select {
				case out <- write{sent: sent, acked: time.Now(), err: err}:
				case <-ctx.Done():
				}
			}(seq)
		}
	}()
	return func() {
		cancel()
		wg.Wait()
		client.Close()
	}
}

// killLeader runs one failover and measures it.
func (c *cluster) killLeader(ctx context.Context, o options) (result, error) {
	leaderID := c.agreedLeader(ctx)
	if leaderID == "" {
		return result{}, errors.New("no agreed leader before the kill")
	}
	var leader *node
	var survivors []*node
	for _, n := range c.nodes {
		if n.id == leaderID {
			leader = n
		} else {
			survivors = append(survivors, n)
		}
	}
	r := result{killed: leaderID, errors: map[string]int{}}

	wctx, wcancel := context.WithCancel(ctx)
	defer wcancel()
	outs := make([]chan write, len(survivors))
	var stops []func()
	defer func() {
		for _, s := range stops {
			s()
		}
	}()
	for i, n := range survivors {
		outs[i] = make(chan write, 4*o.inflight)
		stops = append(stops, writer(wctx, n, o, outs[i]))
	}

	// Warm up: both survivors acknowledge writes before the kill.
	warm, wcancelWarm := context.WithTimeout(ctx, 10*time.Second)
	defer wcancelWarm()
	for i, n := range survivors {
		for acked := false; !acked; {
			select {
			case w := <-outs[i]:
				acked = w.err == nil
			case <-warm.Done():
				return r, fmt.Errorf("no write acknowledged by %s before the kill", n.id)
			}
		}
	}
	time.Sleep(200 * time.Millisecond)

	c.logf("killing leader %s (pid %d)", leader.id, leader.cmd.Process.Pid)
	kill := time.Now()
	if err := leader.cmd.Process.Kill(); err != nil {
		return r, fmt.Errorf("killing %s: %w", leader.id, err)
	}
	<-leader.done

	rctx, rcancel := context.WithTimeout(ctx, o.recoveryTimeout)
	defer rcancel()

	// Leader polls on both survivors.
	type seen struct {
		id string
		at time.Time
	}
	leaderSeen := make(chan seen, len(survivors))
	for _, n := range survivors {
		go func() {
			for rctx.Err() == nil {
				id, err := leaderOf(rctx, n, 500*time.Millisecond)
				if err == nil && id != "" && id != leaderID {
					leaderSeen <- seen{id, time.Now()}
					return
				}
				select {
				case <-rctx.Done():
				case <-time.After(5 * time.Millisecond):
				}
			}
		}()
	}

	firstAck := make([]time.Time, len(survivors))
	merged := make(chan struct {
		i int
		w write
	})
	for i := range survivors {
		go func() {
			for {
				select {
				case w := <-outs[i]:
					select {
					case merged <- struct {
						i int
						w write
					}{i, w}:
					case <-rctx.Done():
						return
					}
				case <-rctx.Done():
					return
				}
			}
		}()
	}
	var leaderAt time.Time
	for leaderAt.IsZero() || firstAck[0].IsZero() || firstAck[1].IsZero() {
		select {
		case s := <-leaderSeen:
			if leaderAt.IsZero() {
				leaderAt, r.newLeader = s.at, s.id
			}
		case m := <-merged:
			if m.w.sent.Before(kill) {
				if m.w.err != nil {
					r.errors[errKind(m.w.err)]++
				}
				continue
			}
			if m.w.err != nil {
				r.errors[errKind(m.w.err)]++
				continue
			}
			if firstAck[m.i].IsZero() {
				firstAck[m.i] = m.w.acked
			}
		case <-rctx.Done():
			if ctx.Err() != nil {
				return r, fmt.Errorf("stopped while waiting for recovery: %w", context.Cause(ctx))
			}
			return r, fmt.Errorf("no recovery within %s of killing %s (leader seen: %v, writes acked per survivor: %v/%v)",
				o.recoveryTimeout, leaderID, !leaderAt.IsZero(), !firstAck[0].IsZero(), !firstAck[1].IsZero())
		}
	}
	r.leader = leaderAt.Sub(kill)
	first := 0
	if firstAck[1].Before(firstAck[0]) {
		first = 1
	}
	r.write, r.firstBy = firstAck[first].Sub(kill), survivors[first].id
	r.both = firstAck[1-first].Sub(kill)
	return r, nil
}

// errKind is an error's first word (CLUSTERDOWN, TRYAGAIN, ...) or its text.
func errKind(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return "client timeout"
	}
	msg := err.Error()
	if k, _, ok := strings.Cut(msg, " "); ok && k == strings.ToUpper(k) {
		return k
	}
	return msg
}

func errSummary(m map[string]int) string {
	if len(m) == 0 {
		return "no failed writes"
	}
	var parts []string
	for k, v := range m {
		parts = append(parts, fmt.Sprintf("%d %s", v, k))
	}
	slices.Sort(parts)
	return "failed writes: " + strings.Join(parts, ", ")
}

func summarize(et time.Duration, rs []result) string {
	stat := func(get func(result) time.Duration) string {
		var ds []time.Duration
		for _, r := range rs {
			ds = append(ds, get(r))
		}
		slices.Sort(ds)
		med := ds[len(ds)/2]
		if len(ds)%2 == 0 {
			med = (ds[len(ds)/2-1] + ds[len(ds)/2]) / 2
		}
		return fmt.Sprintf("%s (%s-%s)", ms(med), ms(ds[0]), ms(ds[len(ds)-1]))
	}
	line := fmt.Sprintf("| %s | %d | %s | %s | %s |", et, len(rs),
		stat(func(r result) time.Duration { return r.leader }),
		stat(func(r result) time.Duration { return r.write }),
		stat(func(r result) time.Duration { return r.both }))
	fmt.Printf("election-timeout %s: median over %d runs: new leader %s, first write %s, both survivors %s\n",
		et, len(rs), stat(func(r result) time.Duration { return r.leader }),
		stat(func(r result) time.Duration { return r.write }), stat(func(r result) time.Duration { return r.both }))
	return line
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 0, 64) + "ms"
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
