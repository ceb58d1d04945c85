package k8se2e

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// writer writes SET e2e:w:<i> <i> through the client Service's ready
// endpoints, round robin, one write at a time, and remembers every write
// that was acknowledged with OK. A write that failed (or timed out) may or
// may not have been applied; it is counted, never checked.
type writer struct {
	e      *e2e
	once   sync.Once
	stop   chan struct{}
	done   chan struct{}
	mu     sync.Mutex
	acked  []int
	failed int
	errs   map[string]int // error kinds, for the log
	eps    []string
}

func (e *e2e) startWriter() *writer {
	w := &writer{e: e, stop: make(chan struct{}), done: make(chan struct{}), errs: map[string]int{}}
	go w.run()
	return w
}

func newClient(ip string) *redis.Client {
	return redis.NewClient(&redis.Options{
		Addr: net.JoinHostPort(ip, "6379"), Protocol: 2, DisableIdentity: true,
		DialTimeout: 2 * time.Second, ReadTimeout: 15 * time.Second, WriteTimeout: 5 * time.Second,
		MaxRetries: -1, PoolSize: 1,
	})
}

func (w *writer) run() {
	defer close(w.done)
	clients := map[string]*redis.Client{}
	defer func() {
		for _, c := range clients {
			c.Close()
		}
	}()
	var eps []string
	var refreshed time.Time
	next := 0
	for i := 0; ; i++ {
		select {
		case <-w.stop:
			return
		default:
		}
		if time.Since(refreshed) > 500*time.Millisecond || len(eps) == 0 {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if got, err := w.e.clientEndpoints(ctx); err == nil {
				if !slices.Equal(got, eps) {
					w.e.logf("writer: client Service endpoints %v", got)
				}
				eps = got
				w.mu.Lock()
				w.eps = got
				w.mu.Unlock()
			}
			cancel()
			refreshed = time.Now()
		}
		if len(eps) == 0 {
			i--
			time.Sleep(100 * time.Millisecond)
			continue
		}
		ip := eps[next%len(eps)]
		next++
		c := clients[ip]
		if c == nil {
			c = newClient(ip)
			clients[ip] = c
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		err := c.Set(ctx, "e2e:w:"+strconv.Itoa(i), strconv.Itoa(i), 0).Err()
		cancel()
		w.mu.Lock()
		if err == nil {
			w.acked = append(w.acked, i)
		} else {
			w.failed++
			w.errs[errKind(err)]++
		}
		w.mu.Unlock()
		if err != nil {
			c.Close()
			delete(clients, ip)
			refreshed = time.Time{}
			time.Sleep(50 * time.Millisecond)
		} else {
			time.Sleep(5 * time.Millisecond)
		}
	}
}

func errKind(err error) string {
	s := err.Error()
	if i := strings.IndexAny(s, ":"); i > 0 && i < 40 {
		s = s[:i]
	}
	if len(s) > 60 {
		s = s[:60]
	}
	return s
}

// halt stops the writer and tells whether it stopped within 30s.
func (w *writer) halt() bool {
	w.once.Do(func() { close(w.stop) })
	select {
	case <-w.done:
		return true
	case <-time.After(30 * time.Second):
		return false
	}
}

// counts returns how many writes were acknowledged and failed so far.
func (w *writer) counts() (acked, failed int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.acked), w.failed
}

// progress waits until n more writes were acknowledged (a live cluster
// takes writes through its Service).
func (w *writer) progress(t *testing.T, n int, timeout time.Duration) {
	t.Helper()
	a0, _ := w.counts()
	deadline := time.Now().Add(timeout)
	for {
		a, f := w.counts()
		if a >= a0+n {
			return
		}
		if time.Now().After(deadline) {
			w.mu.Lock()
			errs := fmt.Sprint(w.errs)
			w.mu.Unlock()
			t.Fatalf("the writer got %d acknowledgements in %v, want %d (failed so far %d: %s)", a-a0, timeout, n, f, errs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// finish stops the writer and checks that every acknowledged write is in
// the cluster, reading through ip (the leader).
func (w *writer) finish(t *testing.T, ip string) {
	t.Helper()
	if !w.halt() {
		t.Fatal("the writer did not stop within 30s")
	}
	c := newClient(ip)
	defer c.Close()
	w.mu.Lock()
	acked := slices.Clone(w.acked)
	failed, errs := w.failed, fmt.Sprint(w.errs)
	w.mu.Unlock()
	var lost []int
	for start := 0; start < len(acked); start += 500 {
		batch := acked[start:min(start+500, len(acked))]
		keys := make([]string, len(batch))
		for j, i := range batch {
			keys[j] = "e2e:w:" + strconv.Itoa(i)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		vals, err := c.MGet(ctx, keys...).Result()
		cancel()
		if err != nil {
			t.Fatalf("MGET through %s: %v", ip, err)
		}
		for j, v := range vals {
			if s, _ := v.(string); s != strconv.Itoa(batch[j]) {
				lost = append(lost, batch[j])
			}
		}
	}
	w.e.logf("writer: %d writes acknowledged, %d failed or unacknowledged (%s); %d acknowledged writes lost", len(acked), failed, errs, len(lost))
	if len(lost) > 0 {
		t.Errorf("%d acknowledged writes are missing, e.g. %v", len(lost), lost[:min(20, len(lost))])
	}
}

// monitor polls the leader's /status and records every change of the Raft
// configuration, so that membership changes can be checked to happen one
// at a time and never below a quorum.
type monitor struct {
	e    *e2e
	once sync.Once
	stop chan struct{}
	done chan struct{}
	mu   sync.Mutex
	last string // the configuration last seen, "rd-0 rd-1 rd-2(nonvoter)"
	log  []configChange
}

type configChange struct {
	At       time.Time
	From, To string
	Diff     int // members added, removed or changing suffrage
	Voters   int
}

func (e *e2e) startMonitor() *monitor {
	m := &monitor{e: e, stop: make(chan struct{}), done: make(chan struct{})}
	go m.run()
	return m
}

func (m *monitor) run() {
	defer close(m.done)
	for {
		select {
		case <-m.stop:
			return
		case <-time.After(50 * time.Millisecond):
		}
		cfg, ok := m.e.leaderConfig()
		if !ok {
			continue
		}
		m.mu.Lock()
		if cfg != m.last {
			ch := configChange{At: time.Now(), From: m.last, To: cfg, Diff: configDiff(m.last, cfg), Voters: voters(cfg)}
			if m.last != "" {
				m.log = append(m.log, ch)
				m.e.logf("raft configuration: [%s] → [%s] (%d member change(s), %d voters)", m.last, cfg, ch.Diff, ch.Voters)
			}
			m.last = cfg
		}
		m.mu.Unlock()
	}
}

func (m *monitor) close() {
	m.once.Do(func() { close(m.stop) })
	<-m.done
}

// changesSince returns the configuration changes seen after t0.
func (m *monitor) changesSince(t0 time.Time) []configChange {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []configChange
	for _, c := range m.log {
		if c.At.After(t0) {
			out = append(out, c)
		}
	}
	return out
}

// leaderConfig asks the members the kubelet knows for the leader, and the
// leader for its configuration.
func (e *e2e) leaderConfig() (string, bool) {
	st, ok := e.leaderStatus()
	if !ok {
		return "", false
	}
	var parts []string
	for _, mb := range st.Members {
		s := mb.ID
		if !mb.Voter {
			s += "(nonvoter)"
		}
		parts = append(parts, s)
	}
	slices.Sort(parts)
	return strings.Join(parts, " "), true
}

func configDiff(a, b string) int {
	am, bm := map[string]string{}, map[string]string{}
	for _, f := range strings.Fields(a) {
		am[strings.TrimSuffix(f, "(nonvoter)")] = f
	}
	for _, f := range strings.Fields(b) {
		bm[strings.TrimSuffix(f, "(nonvoter)")] = f
	}
	n := 0
	for id, v := range am {
		if bm[id] != v {
			n++
		}
	}
	for id := range bm {
		if _, ok := am[id]; !ok {
			n++
		}
	}
	return n
}

func voters(cfg string) int {
	n := 0
	for _, f := range strings.Fields(cfg) {
		if !strings.HasSuffix(f, "(nonvoter)") {
			n++
		}
	}
	return n
}

// A raftChange is one configuration change a leader made, from its log
// ("raft: updating configuration: command=... server-id=... servers=...":
// hashicorp/raft changes one server per log entry and logs the new
// configuration).
type raftChange struct {
	At      time.Time
	Leader  string
	Command string
	Server  string
	Voters  int
	Members int
}

var (
	changeLine = regexp.MustCompile(`^time=(\S+) .*raft: updating configuration: command=(\S+) server-id=(\S+) .*servers=`)
	suffrage   = regexp.MustCompile(`Suffrage:(Voter|Nonvoter|Staging)`)
)

// raftChanges reads the configuration changes after t0 from the logs of
// every pod the kubelet ran, in time order.
func (k *kubelet) raftChanges(t0 time.Time) []raftChange {
	var out []raftChange
	for name := range k.IPs() {
		b, err := os.ReadFile(filepath.Join(k.dir, name+".log"))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			m := changeLine.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			at, err := time.Parse(time.RFC3339Nano, m[1])
			if err != nil || at.Before(t0) {
				continue
			}
			c := raftChange{At: at, Leader: name, Command: m[2], Server: m[3]}
			for _, s := range suffrage.FindAllStringSubmatch(line, -1) {
				c.Members++
				if s[1] == "Voter" {
					c.Voters++
				}
			}
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

func (c raftChange) String() string {
	return fmt.Sprintf("%s %s %s (by %s) → %d voters, %d members", c.At.Format("15:04:05.000"), c.Command, c.Server, c.Leader, c.Voters, c.Members)
}
