// Package endpoints tests the HTTP endpoints of real redraft processes
// (--http-listen): the probes, /status and /metrics of a single node, and
// readiness through a cluster's membership changes and failures.
package endpoints

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/redraft/redraft/httpd"
	"github.com/redraft/redraft/internal/testutil"
)

func TestMain(m *testing.M) { os.Exit(testutil.Main(m)) }

// httpAddr returns a free loopback address for --http-listen.
func httpAddr(t *testing.T) string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(testutil.FreePort(t)))
}

var client = &http.Client{Timeout: 5 * time.Second}

// get returns the status code and body of GET http://addr+path.
func get(addr, path string) (int, string, error) {
	resp, err := client.Get("http://" + addr + path)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// waitCode polls addr+path until it answers code and returns the body.
func waitCode(t *testing.T, addr, path string, code int, timeout time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		got, body, err := get(addr, path)
		if err == nil && got == code {
			return body
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s%s: want %d within %v, last answer %d %q (err %v)", addr, path, code, timeout, got, body, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// mustGet fails the test unless addr+path answers code with a body
// containing want.
func mustGet(t *testing.T, addr, path string, code int, want string) {
	t.Helper()
	got, body, err := get(addr, path)
	if err != nil {
		t.Fatalf("GET %s%s: %v", addr, path, err)
	}
	if got != code || !strings.Contains(body, want) {
		t.Fatalf("GET %s%s = %d %q, want %d with %q", addr, path, got, body, code, want)
	}
}

func status(t *testing.T, addr string) httpd.Status {
	t.Helper()
	code, body, err := get(addr, "/status")
	if err != nil || code != http.StatusOK {
		t.Fatalf("GET %s/status = %d %q (err %v)", addr, code, body, err)
	}
	var st httpd.Status
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatalf("/status is not JSON: %v\n%s", err, body)
	}
	return st
}

// metrics scrapes addr and parses the text format.
type metrics map[string]*dto.MetricFamily

func scrape(t *testing.T, addr string) metrics {
	t.Helper()
	resp, err := client.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatalf("scrape: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape: status %d", resp.StatusCode)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("scrape: /metrics does not parse: %v", err)
	}
	return fams
}

// value returns the value of the series of family name whose labels
// include labels (name=value pairs); a histogram's value is its count.
func (m metrics) value(name string, labels ...string) (float64, bool) {
	f := m[name]
	if f == nil {
		return 0, false
	}
	for _, s := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range s.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		match := true
		for i := 0; i+1 < len(labels); i += 2 {
			match = match && have[labels[i]] == labels[i+1]
		}
		if !match {
			continue
		}
		switch {
		case s.Gauge != nil:
			return s.Gauge.GetValue(), true
		case s.Counter != nil:
			return s.Counter.GetValue(), true
		case s.Histogram != nil:
			return float64(s.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

// check is one expectation on a series.
type check struct {
	name   string
	labels []string
	ok     func(float64) bool
	want   string
}

func eq(v float64) (func(float64) bool, string) {
	return func(x float64) bool { return x == v }, fmt.Sprintf("= %g", v)
}

func atLeast(v float64) (func(float64) bool, string) {
	return func(x float64) bool { return x >= v }, fmt.Sprintf(">= %g", v)
}

func series(name string, cond func(float64) (func(float64) bool, string), v float64, labels ...string) check {
	ok, want := cond(v)
	return check{name: name, labels: labels, ok: ok, want: want}
}

func (m metrics) verify(t *testing.T, checks []check) {
	t.Helper()
	for _, c := range checks {
		v, found := m.value(c.name, c.labels...)
		switch {
		case !found:
			t.Errorf("%s%v: no such series", c.name, c.labels)
		case !c.ok(v):
			t.Errorf("%s%v = %g, want %s", c.name, c.labels, v, c.want)
		}
	}
}

func do(t *testing.T, c *testutil.Conn, args ...string) testutil.Value {
	t.Helper()
	v, err := c.Do(args...)
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return v
}

func Test_SingleNode(t *testing.T) {
	addr := httpAddr(t)
	start := time.Now()
	n := testutil.StartRedraft(t, testutil.Options{Args: []string{"--http-listen", addr}})
	c := testutil.MustDial(t, n.Addr())
	for i := range 10 {
		do(t, c, "SET", "k"+strconv.Itoa(i), "v")
	}
	do(t, c, "GET", "k0")
	if v := do(t, c, "LPUSH", "k0", "x"); v.Type != '-' {
		t.Fatalf("LPUSH on a string: %v", v)
	}
	if v := do(t, c, "NOSUCHCOMMAND", "a"); v.Type != '-' {
		t.Fatalf("unknown command: %v", v)
	}
	do(t, c, "SETEX", "volatile", "1000", "v")
	do(t, c, "SAVE")

	for _, tt := range []struct {
		path string
		code int
		body string
	}{
		{"/livez", 200, "ok"},
		{"/readyz", 200, "ok"},
		{"/readyz?lag=0", 200, "ok"},
		{"/readyz?lag=many", 400, "lag"},
		{"/nothing-here", 404, ""},
	} {
		t.Run(strings.TrimPrefix(tt.path, "/"), func(t *testing.T) {
			mustGet(t, addr, tt.path, tt.code, tt.body)
		})
	}

	t.Run("status", func(t *testing.T) {
		st := status(t, addr)
		want := httpd.Status{
			ID: "n1", RaftAddr: n.RaftAddr(), RESPAddr: n.Addr(), Role: "leader", LeaderID: "n1", LeaderAddr: n.RaftAddr(),
			Members: []httpd.Member{{ID: "n1", RaftAddr: n.RaftAddr(), Voter: true, Leader: true}},
		}
		if st.ID != want.ID || st.RaftAddr != want.RaftAddr || st.RESPAddr != want.RESPAddr || st.Role != want.Role ||
			st.LeaderID != want.LeaderID || st.LeaderAddr != want.LeaderAddr || fmt.Sprint(st.Members) != fmt.Sprint(want.Members) {
			t.Errorf("status = %+v, want %+v", st, want)
		}
		if st.Term < 1 || st.Applied < 12 || st.Commit < st.Applied || st.ClusterID == "" || st.Loading || st.LastContactMs != 0 {
			t.Errorf("status = %+v: want term >= 1, applied >= 12, commit >= applied, a cluster id, not loading", st)
		}
	})

	t.Run("metrics", func(t *testing.T) {
		m := scrape(t, addr)
		m.verify(t, []check{
			series("redraft_node_info", eq, 1, "id", "n1"),
			series("redraft_raft_state", eq, 1, "state", "leader"),
			series("redraft_raft_state", eq, 0, "state", "follower"),
			series("redraft_raft_state", eq, 0, "state", "candidate"),
			series("redraft_raft_leader", eq, 1),
			series("redraft_raft_has_leader", eq, 1),
			series("redraft_raft_term", atLeast, 1),
			series("redraft_raft_commit_index", atLeast, 12),
			series("redraft_fsm_applied_index", atLeast, 12),
			series("redraft_raft_last_contact_seconds", eq, 0),
			series("redraft_raft_members", eq, 1),
			series("redraft_raft_voters", eq, 1),
			series("redraft_loading", eq, 0),
			series("redraft_snapshot_last_index", atLeast, 12),
			series("redraft_snapshot_last_timestamp_seconds", atLeast, float64(start.Unix())),
			series("redraft_keys", eq, 11, "db", "0"),
			series("redraft_keys_expiring", eq, 1, "db", "0"),
			series("redraft_keys", eq, 0, "db", "15"),
			series("redraft_dedup_sessions", atLeast, 1),
			series("redraft_dedup_replies", atLeast, 12),
			series("redraft_commands_total", eq, 10, "command", "set", "result", "ok"),
			series("redraft_commands_total", eq, 0, "command", "set", "result", "error"),
			series("redraft_commands_total", eq, 1, "command", "get", "result", "ok"),
			series("redraft_commands_total", eq, 1, "command", "lpush", "result", "error"),
			series("redraft_commands_total", eq, 1, "command", "unknown", "result", "error"),
			series("redraft_commands_total", eq, 1, "command", "setex", "result", "ok"),
			series("redraft_commands_total", atLeast, 1, "command", "ping", "result", "ok"),
			series("redraft_clients_connected", atLeast, 1),
			series("redraft_clients_blocked", eq, 0),
			series("redraft_connections_accepted_total", atLeast, 2),
			// 10 SET, LPUSH (a write whose reply is an error) and SETEX.
			series("redraft_write_duration_seconds", atLeast, 12),
			series("redraft_raft_log_store_duration_seconds", atLeast, 1),
			series("go_goroutines", atLeast, 1),
			series("process_resident_memory_bytes", atLeast, 1),
		})
		if v, _ := m.value("redraft_snapshot_last_timestamp_seconds"); v > float64(time.Now().Unix()+1) {
			t.Errorf("snapshot timestamp %g is in the future", v)
		}
		if _, found := m.value("redraft_commands_total", "command", "nosuchcommand"); found {
			t.Errorf("an unknown command name got a series of its own")
		}
		for _, name := range []string{"redraft_commands_total", "redraft_connections_accepted_total"} {
			if f := m[name]; f.GetType() != dto.MetricType_COUNTER {
				t.Errorf("%s has type %v, want counter", name, f.GetType())
			}
		}
		for _, name := range []string{"redraft_write_duration_seconds", "redraft_raft_log_store_duration_seconds"} {
			if f := m[name]; f.GetType() != dto.MetricType_HISTOGRAM {
				t.Errorf("%s has type %v, want histogram", name, f.GetType())
			}
		}
	})
}

// Test_ClusterReadiness follows a follower's readiness: ready once it has
// joined and caught up, still ready when one of three voters dies, not
// ready once the other two are gone; a removed node is not ready either.
func Test_ClusterReadiness(t *testing.T) {
	fast := []string{"--election-timeout", "500ms"}
	addrs := []string{httpAddr(t), httpAddr(t), httpAddr(t), httpAddr(t)}
	// Node 0 founds the cluster; the others join it. A node's own
	// --http-listen comes after the cluster's flags and wins.
	c := testutil.StartCluster(t, testutil.ClusterOptions{Nodes: 1, Args: append([]string{"--http-listen", addrs[0]}, fast...)})
	c.AddNode(testutil.NodeOptions{Args: []string{"--http-listen", addrs[1]}})
	c.AddNode(testutil.NodeOptions{Args: []string{"--http-listen", addrs[2]}})
	c.AddNode(testutil.NodeOptions{NonVoter: true, Args: []string{"--http-listen", addrs[3]}})
	for _, a := range addrs {
		waitCode(t, a, "/readyz", http.StatusOK, 30*time.Second)
	}
	const leader, follower, other, replica = 0, 1, 2, 3
	if l := c.Leader(); l != leader {
		t.Fatalf("leader is node %d, want the founder", l)
	}

	t.Run("follower status", func(t *testing.T) {
		deadline := time.Now().Add(30 * time.Second)
		for {
			st := status(t, addrs[follower])
			voters := 0
			for _, m := range st.Members {
				if m.Voter {
					voters++
				}
			}
			if st.ID == "n2" && st.Role == "follower" && st.LeaderID == "n1" && st.LeaderAddr == c.Node(leader).RaftAddr() &&
				len(st.Members) == 4 && voters == 3 && st.ClusterID != "" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("follower status %+v: want n2, follower of n1, 4 members of which 3 voters", st)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})

	t.Run("follower metrics", func(t *testing.T) {
		fc := c.Node(follower).Client(t)
		do(t, fc, "SET", "through-follower", "v")
		// A linearizable read waits until the follower applied the write
		// (the SET was answered once the leader had).
		do(t, fc, "GET", "through-follower")
		scrape(t, addrs[follower]).verify(t, []check{
			series("redraft_raft_state", eq, 1, "state", "follower"),
			series("redraft_raft_leader", eq, 0),
			series("redraft_raft_has_leader", eq, 1),
			series("redraft_raft_members", eq, 4),
			series("redraft_raft_voters", eq, 3),
			series("redraft_commands_total", eq, 1, "command", "set", "result", "ok"),
			series("redraft_commands_total", eq, 1, "command", "get", "result", "ok"),
			series("redraft_write_duration_seconds", eq, 1),
			series("redraft_raft_log_store_duration_seconds", atLeast, 1),
			series("redraft_keys", eq, 1, "db", "0"),
		})
		m := scrape(t, addrs[follower])
		if v, _ := m.value("redraft_raft_last_contact_seconds"); v > 5 {
			t.Errorf("follower last heard from its leader %gs ago", v)
		}
	})

	t.Run("removed node", func(t *testing.T) {
		if v, err := c.Node(leader).Do("RAFT", "REMOVE", "n4"); err != nil || v.Type == '-' {
			t.Fatalf("RAFT REMOVE n4: %v %v", v, err)
		}
		body := waitCode(t, addrs[replica], "/readyz", http.StatusServiceUnavailable, 15*time.Second)
		if !strings.Contains(body, "not a member") && !strings.Contains(body, "no leader") {
			t.Errorf("removed node not ready because %q", body)
		}
		t.Logf("removed: %s", strings.TrimSpace(body))
		mustGet(t, addrs[replica], "/livez", http.StatusOK, "ok")
	})

	t.Run("quorum lost", func(t *testing.T) {
		c.Kill9(other)
		// Two of three voters still form a quorum.
		for range 5 {
			mustGet(t, addrs[follower], "/readyz", http.StatusOK, "ok")
			time.Sleep(300 * time.Millisecond)
		}
		c.Kill9(leader)
		body := waitCode(t, addrs[follower], "/readyz", http.StatusServiceUnavailable, 15*time.Second)
		t.Logf("without a quorum: %s", strings.TrimSpace(body))
		mustGet(t, addrs[follower], "/livez", http.StatusOK, "ok")
		deadline := time.Now().Add(15 * time.Second)
		for {
			m := scrape(t, addrs[follower])
			if v, _ := m.value("redraft_raft_has_leader"); v == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("redraft_raft_has_leader stays 1 on a node without quorum")
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
}
