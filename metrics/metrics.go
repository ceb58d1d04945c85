// Package metrics exports a node's state and its write latencies in the
// Prometheus text format. It keeps a registry of its own, never the global
// one, so that nodes sharing a process (redraft dev, tests) stay apart and
// nothing registered by a library leaks into a node's metrics.
//
// Most values are read from the node when Prometheus scrapes, so they cost
// nothing between scrapes; only the two latency histograms are fed on the
// write path (cluster.Observer).
package metrics

import (
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/raft"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/redraft/redraft/cluster"
	"github.com/redraft/redraft/fsm"
	"github.com/redraft/redraft/resp"
)

// Metrics is one node's registry. Create it before the node, pass it as
// the node's cluster.Observer, then Watch the node.
type Metrics struct {
	reg      *prometheus.Registry
	writes   prometheus.Histogram
	logStore prometheus.Histogram
}

var _ cluster.Observer = (*Metrics)(nil)

// New returns a registry with the latency histograms and the Go runtime and
// process collectors (the latter reads /proc and reports nothing where
// there is none).
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		writes: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "redraft_write_duration_seconds",
			Help: "Time from proposing a write on this node until its reply: committed and applied by the leader, forwarding and retries included on a follower. Writes that failed are not counted.",
			// 0.25ms to 8s: a local fsync to a write that waited for an election.
			Buckets: prometheus.ExponentialBuckets(0.00025, 2, 16),
		}),
		logStore: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "redraft_raft_log_store_duration_seconds",
			Help:    "Time to append one batch of entries to the Raft log durably (bolt transaction and fsync), on leaders and followers.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 16), // 0.1ms to 3.3s
		}),
	}
	m.reg.MustRegister(m.writes, m.logStore, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// ObserveWrite records a write's latency (cluster.Observer).
func (m *Metrics) ObserveWrite(d time.Duration) { m.writes.Observe(d.Seconds()) }

// ObserveLogStore records a durable log append (cluster.Observer).
func (m *Metrics) ObserveLogStore(d time.Duration) { m.logStore.Observe(d.Seconds()) }

// Watch adds the metrics read from the node, its state machine and its RESP
// server at each scrape. Call it once.
func (m *Metrics) Watch(node *cluster.Node, store *fsm.Store, srv *resp.Server) {
	m.reg.MustRegister(&nodeCollector{node: node, store: store, srv: srv})
}

// Handler serves the registry. A collector that fails (process metrics
// without /proc) is logged and left out; the others are still served.
func (m *Metrics) Handler(log *slog.Logger) http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      m.reg,
	})
}

// raftStates are the values of the state label, in Raft's order.
var raftStates = []raft.RaftState{raft.Follower, raft.Candidate, raft.Leader, raft.Shutdown}

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(name, help, labels, nil)
}

var (
	descInfo           = desc("redraft_node_info", "Always 1; the labels identify the node, its cluster (empty until the first leader named it) and the Redraft version.", "id", "cluster_id", "version")
	descState          = desc("redraft_raft_state", "1 for the node's current Raft state, 0 for the others.", "state")
	descLeader         = desc("redraft_raft_leader", "1 if this node is the Raft leader.")
	descHasLeader      = desc("redraft_raft_has_leader", "1 if this node knows a leader.")
	descTerm           = desc("redraft_raft_term", "Current Raft term.")
	descCommit         = desc("redraft_raft_commit_index", "Index of the latest log entry this node knows to be committed (no-op and configuration entries included).")
	descApplied        = desc("redraft_fsm_applied_index", "Index of the latest log entry applied by the state machine. No-op and configuration entries never reach it, so it may stay a few entries below the commit index.")
	descLastContact    = desc("redraft_raft_last_contact_seconds", "Seconds since a follower last heard from its leader: 0 on the leader, +Inf on a node that never heard from one.")
	descMembers        = desc("redraft_raft_members", "Servers in the latest Raft configuration, voters and non-voters.")
	descVoters         = desc("redraft_raft_voters", "Voters in the latest Raft configuration.")
	descLoading        = desc("redraft_loading", "1 while the node replays its log and answers clients with LOADING.")
	descSnapIndex      = desc("redraft_snapshot_last_index", "Log index of the latest snapshot, 0 if there is none.")
	descSnapTime       = desc("redraft_snapshot_last_timestamp_seconds", "Unix time this process last wrote a snapshot (absent until it has).")
	descKeys           = desc("redraft_keys", "Keys in the database.", "db")
	descExpiring       = desc("redraft_keys_expiring", "Keys with a time to live in the database.", "db")
	descDedupSessions  = desc("redraft_dedup_sessions", "Client sessions in the state machine's de-duplication table.")
	descDedupReplies   = desc("redraft_dedup_replies", "Replies kept in the de-duplication table to answer retried writes.")
	descCommands       = desc("redraft_commands_total", "Commands answered by this node, by command (lower-case; \"unknown\" for names it does not know) and result: error when the reply was an error reply.", "command", "result")
	descClients        = desc("redraft_clients_connected", "RESP client connections open now.")
	descBlocked        = desc("redraft_clients_blocked", "Clients waiting in a blocking command.")
	descConnsAccepted  = desc("redraft_connections_accepted_total", "RESP connections accepted since the process started.")
	nodeCollectorDescs = []*prometheus.Desc{
		descInfo, descState, descLeader, descHasLeader, descTerm, descCommit, descApplied, descLastContact,
		descMembers, descVoters, descLoading, descSnapIndex, descSnapTime, descKeys, descExpiring,
		descDedupSessions, descDedupReplies, descCommands, descClients, descBlocked, descConnsAccepted,
	}
)

// nodeCollector reads a node's state at each scrape.
type nodeCollector struct {
	node  *cluster.Node
	store *fsm.Store
	srv   *resp.Server
}

func (c *nodeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range nodeCollectorDescs {
		ch <- d
	}
}

func (c *nodeCollector) Collect(ch chan<- prometheus.Metric) {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
	}
	st := c.node.Status()
	gauge(descInfo, 1, st.ID, st.ClusterID, resp.Version)
	for _, s := range raftStates {
		gauge(descState, boolFloat(st.State == s.String()), strings.ToLower(s.String()))
	}
	isLeader := st.State == raft.Leader.String()
	gauge(descLeader, boolFloat(isLeader))
	gauge(descHasLeader, boolFloat(st.Leader != ""))
	gauge(descTerm, float64(st.Term))
	gauge(descCommit, float64(st.Commit))
	gauge(descApplied, float64(st.Applied))
	switch last := c.node.LastContact(); {
	case isLeader:
		gauge(descLastContact, 0)
	case last.IsZero():
		gauge(descLastContact, math.Inf(1))
	default:
		gauge(descLastContact, time.Since(last).Seconds())
	}
	voters := 0
	for _, m := range st.Members {
		if m.Voter {
			voters++
		}
	}
	gauge(descMembers, float64(len(st.Members)))
	gauge(descVoters, float64(voters))
	gauge(descLoading, boolFloat(!c.node.IsReady()))

	index, at := c.node.LastSnapshot()
	gauge(descSnapIndex, float64(index))
	if !at.IsZero() {
		gauge(descSnapTime, float64(at.UnixNano())/1e9)
	}

	for i, kc := range c.store.KeyCounts() {
		db := strconv.Itoa(i)
		gauge(descKeys, float64(kc.Keys), db)
		gauge(descExpiring, float64(kc.Expires), db)
	}
	sessions, replies := c.store.DedupStats()
	gauge(descDedupSessions, float64(sessions))
	gauge(descDedupReplies, float64(replies))

	for _, cs := range c.srv.CommandStats() {
		counter(descCommands, float64(cs.OK), cs.Name, "ok")
		counter(descCommands, float64(cs.Errors), cs.Name, "error")
	}
	cl := c.srv.ClientStats()
	gauge(descClients, float64(cl.Connected))
	gauge(descBlocked, float64(cl.Blocked))
	counter(descConnsAccepted, float64(cl.Accepted))
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
