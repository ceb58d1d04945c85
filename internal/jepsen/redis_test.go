package jepsen

import (
	"context"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redraft/redraft/internal/testutil"
)

// runAndVerify runs cfg, calls heal (if any), verifies through verifyAddrs
// and checks, logging the report and how long each phase took.
func runAndVerify(t *testing.T, cfg Config, heal func(), verifyAddrs ...string) (*History, *Report) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	h := Run(ctx, cfg)
	ran := time.Since(start)
	if heal != nil {
		heal()
	}
	if err := h.Verify(ctx, verifyAddrs); err != nil {
		t.Fatalf("verify: %v", err)
	}
	r := Check(h, CheckOptions{KeyTimeout: 30 * time.Second, VisualizePath: t.TempDir() + "/lin.html"})
	t.Logf("run %s, check %s\n%s", ran.Round(time.Millisecond), r.CheckTime.Round(time.Millisecond), r)
	return h, r
}

func Test_RedisWorkloadIsLinearizable(t *testing.T) {
	srv := testutil.StartRedis(t)
	cfg := Config{Addrs: []string{srv.Addr()}, Clients: 6, Ops: 4000, Duration: 60 * time.Second,
		Keys: 3, OpTimeout: 2 * time.Second, Seed: 42}
	// Verify tries the addresses in turn: the first is down.
	h, r := runAndVerify(t, cfg, nil, deadAddr(t), srv.Addr())
	if !r.Passed() {
		t.Fatalf("a single redis-server must be linearizable:\n%s", r)
	}
	if len(r.Checks) != 6 {
		t.Fatalf("expected 3 linearizability and 3 final-state checks, got %d", len(r.Checks))
	}
	// 4000 workload ops plus one final read per key (3 of each type).
	if r.Ops != 4000+9 || r.Total.Failed != 0 || r.Total.Unknown != 0 {
		t.Fatalf("healthy server: want 4009 ok ops, got %+v", r.Total)
	}
	for _, k := range []Kind{Get, Set, Incr, CounterGet, RPush, LPop} { // LRange is Verify's

		if r.ByKind[k].OK == 0 {
			t.Fatalf("no successful %s in the workload: %+v", k, r.ByKind)
		}
	}
	if finals := countFinals(h); finals != 9 {
		t.Fatalf("want 9 final reads, got %d", finals)
	}
}

// deadAddr is a loopback address nothing listens on.
func deadAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func Test_VerifyUnreachableLeavesFinalChecksUndetermined(t *testing.T) {
	h := NewHistory()
	add(h, 0, Set, "r", "a", 0, 10, okReply(), OK)
	add(h, 0, Incr, "c", "", 20, 30, num(1), OK)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	err := h.Verify(ctx, []string{deadAddr(t)})
	if err == nil || time.Since(start) > 3*time.Second {
		t.Fatalf("Verify against a dead address: err %v after %s", err, time.Since(start))
	}
	r := Check(h, quick())
	expect(t, r, CheckFinalRegisters, Undetermined, "no final read")
	expect(t, r, CheckFinalCounters, Undetermined, "no final read")
	expect(t, r, CheckLinRegisters, Pass, "")
	if r.Passed() || r.Status() != Undetermined {
		t.Fatalf("unverified final state must not pass:\n%s", r)
	}
}

func countFinals(h *History) int {
	n := 0
	for _, op := range h.Ops() {
		if op.Final {
			n++
		}
	}
	return n
}

// Test_RedisTamperedFinalStateIsDetected runs against a real server, then
// changes its state behind the workload's back the way a buggy replica
// would (an old value resurrected, an INCR applied twice, an element pushed
// twice) and requires every check concerned to fail.
func Test_RedisTamperedFinalStateIsDetected(t *testing.T) {
	srv := testutil.StartRedis(t)
	cfg := Config{Addrs: []string{srv.Addr()}, Clients: 4, Ops: 1500, Duration: 60 * time.Second,
		Keys: 1, OpTimeout: 2 * time.Second, Seed: 3, Prefix: "tamper:"}
	h := Run(context.Background(), cfg)
	oldest, pushed := pickVictims(t, h.Ops())
	c, err := dial(context.Background(), srv.Addr(), time.Now().Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	for _, cmd := range [][]string{
		{"SET", RegisterKey(cfg.Prefix, 0), oldest}, // lose every later SET
		{"INCR", CounterKey(cfg.Prefix, 0)},         // an INCR applied twice
		{"RPUSH", ListKey(cfg.Prefix, 0), pushed},   // an element pushed twice
	} {
		if _, err := c.do(time.Now().Add(time.Second), cmd...); err != nil {
			t.Fatalf("%v: %v", cmd, err)
		}
	}
	h.Note("tampered: SET old value, extra INCR, duplicate RPUSH")
	if err := h.Verify(context.Background(), []string{srv.Addr()}); err != nil {
		t.Fatal(err)
	}
	path := t.TempDir() + "/lin.html"
	r := Check(h, CheckOptions{KeyTimeout: 30 * time.Second, VisualizePath: path})
	t.Logf("\n%s", r)
	expect(t, r, CheckFinalRegisters, Fail, fmt.Sprintf("final value %q", oldest))
	expect(t, r, CheckFinalCounters, Fail, "applied twice")
	expect(t, r, CheckFinalLists, Fail, "appears 2 times")
	for _, name := range []string{CheckLinRegisters, CheckLinCounters, CheckLinLists} {
		expect(t, r, name, Fail, "NOT linearizable")
	}
	if r.Visualization != path {
		t.Fatalf("no visualization written: %s", r.VisualizationErr)
	}
}

// pickVictims returns the value of the acknowledged SET that returned
// first (later acknowledged SETs exist, so restoring it loses them) and an
// element whose RPUSH was acknowledged and that no LPOP returned.
func pickVictims(t *testing.T, ops []Op) (oldest, pushed string) {
	t.Helper()
	popped := make(map[string]bool)
	for _, op := range ops {
		if op.Kind == LPop && op.Outcome == OK {
			popped[op.Output.Str] = true
		}
	}
	var first Op
	for _, op := range ops {
		switch {
		case op.Kind == Set && op.Outcome == OK && (oldest == "" || op.Return < first.Return):
			first, oldest = op, op.Input
		case op.Kind == RPush && op.Outcome == OK && !popped[op.Input] && pushed == "":
			pushed = op.Input
		}
	}
	if oldest == "" || pushed == "" {
		t.Fatalf("workload too small to tamper with: SET %q, RPUSH %q", oldest, pushed)
	}
	return oldest, pushed
}

// Test_RedisFaultsThroughProxiesStayCheckable puts two fault-injecting
// proxies in front of a real server and, while the workload runs, drops
// replies (commands applied, clients time out), cuts connections and
// refuses connections. Unknown and failed outcomes must both occur, and
// the checker must still find the history linearizable with every
// acknowledged write present: it must not mistake applied-but-unknown
// operations for anomalies.
func Test_RedisFaultsThroughProxiesStayCheckable(t *testing.T) {
	srv := testutil.StartRedis(t)
	p1, p2 := startProxy(t, srv.Addr()), startProxy(t, srv.Addr())
	h := NewHistory()
	ctx, cancel := context.WithCancel(context.Background())
	var nemesis sync.WaitGroup
	nemesis.Go(func() { injectFaults(ctx, h, []*proxy{p1, p2}) })
	cfg := Config{Addrs: []string{p1.addr, p2.addr}, Clients: 6, Ops: 20000, Duration: 4 * time.Second,
		Keys: 2, OpTimeout: 150 * time.Millisecond, ErrorBackoff: 20 * time.Millisecond, Interval: 10 * time.Millisecond,
		SwitchAddrOnError: true, Seed: 9, History: h}
	heal := func() {
		cancel()
		nemesis.Wait()
		h.Note("nemesis: stopped, all faults healed")
	}
	h, r := runAndVerify(t, cfg, heal, srv.Addr())
	if !r.Passed() {
		t.Fatalf("faults in the network must not make a single redis-server look inconsistent:\n%s", r)
	}
	// Dropped replies hid operations that were applied: counting unknown
	// outcomes as failures must make the same history inconsistent, or
	// this test did not exercise what it claims to.
	if wrong := Check(unknownAsFailed(h), quick()); wrong.Passed() {
		t.Fatalf("history still passes with unknown outcomes counted as failures:\n%s", wrong)
	} else {
		t.Logf("with unknown outcomes counted as failures instead:\n%s", wrong)
	}
	if r.Total.Unknown == 0 || r.Total.Failed == 0 || r.Total.OK < 500 {
		t.Fatalf("faults should have produced ok, failed and unknown outcomes: %+v", r.Total)
	}
	if r.ByKind[Incr].Unknown == 0 {
		t.Fatalf("expected INCRs of unknown outcome (counter bounds untested): %+v", r.ByKind[Incr])
	}
}

// unknownAsFailed copies h with every unknown outcome turned into a
// failure — the classification mistake this package exists to avoid.
func unknownAsFailed(h *History) *History {
	out := NewHistory()
	for _, op := range h.Ops() {
		if op.Outcome == Unknown {
			op.Outcome = Failed
		}
		out.Add(op)
	}
	return out
}

// injectFaults cycles through dropped replies, connection cuts (on one
// proxy at a time) and refused connections (on all) until ctx ends, then
// heals everything.
func injectFaults(ctx context.Context, h *History, ps []*proxy) {
	defer func() {
		for _, p := range ps {
			p.heal()
		}
	}()
	for i := range 1000 {
		sleepCtx(ctx, 200*time.Millisecond)
		if ctx.Err() != nil {
			return
		}
		p := ps[i%len(ps)]
		switch i % 3 {
		case 0:
			h.Note(fmt.Sprintf("nemesis: drop replies on %s", p.addr))
			p.blackhole.Store(true)
			sleepCtx(ctx, 300*time.Millisecond)
			p.cut() // connections whose replies were dropped are out of step
			p.blackhole.Store(false)
		case 1:
			h.Note(fmt.Sprintf("nemesis: cut connections on %s", p.addr))
			p.cut()
		case 2:
			// Every node down at once: clients that fail over find no
			// one listening, so their operations certainly failed.
			h.Note("nemesis: refuse connections on every proxy")
			for _, q := range ps {
				q.refuse()
			}
			sleepCtx(ctx, 200*time.Millisecond)
			for _, q := range ps {
				q.heal()
			}
		}
		h.Note("nemesis: healed")
	}
}

// proxy forwards TCP connections to a server and can drop replies, cut
// connections and refuse new ones.
type proxy struct {
	t         *testing.T
	upstream  string
	addr      string
	blackhole atomic.Bool

	mu    sync.Mutex
	ln    net.Listener
	conns []net.Conn
	wg    sync.WaitGroup
}

func startProxy(t *testing.T, upstream string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{t: t, upstream: upstream, addr: ln.Addr().String()}
	p.serve(ln)
	t.Cleanup(func() {
		p.refuse()
		p.wg.Wait()
	})
	return p
}

// serve starts accepting on ln.
func (p *proxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	p.wg.Go(func() {
		for range 100000 {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.wg.Go(func() { p.forward(c) })
		}
	})
}

// forward pipes one client connection to a new upstream connection.
func (p *proxy) forward(c net.Conn) {
	up, err := net.DialTimeout("tcp", p.upstream, time.Second)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns = append(p.conns, c, up)
	p.mu.Unlock()
	var both sync.WaitGroup
	both.Go(func() { _, _ = io.Copy(up, c); up.Close(); c.Close() })
	both.Go(func() { p.replies(c, up); up.Close(); c.Close() })
	both.Wait()
}

// replies copies server replies to the client unless they are being
// dropped.
func (p *proxy) replies(c, up net.Conn) {
	buf := make([]byte, 32<<10)
	for range 10_000_000 {
		n, err := up.Read(buf)
		if n > 0 && !p.blackhole.Load() {
			if _, werr := c.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// cut closes every forwarded connection.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// refuse stops listening (new connections are refused) and cuts existing
// ones.
func (p *proxy) refuse() {
	p.mu.Lock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	p.mu.Unlock()
	p.cut()
}

// heal listens again on the same address if refusing, and stops dropping
// replies.
func (p *proxy) heal() {
	p.blackhole.Store(false)
	p.mu.Lock()
	listening := p.ln != nil
	p.mu.Unlock()
	if listening {
		return
	}
	for range 50 {
		ln, err := net.Listen("tcp", p.addr)
		if err == nil {
			p.serve(ln)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.t.Errorf("proxy: could not listen on %s again", p.addr)
}
