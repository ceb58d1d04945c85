// Package httpd serves a node's operational HTTP endpoints, for
// orchestrators and monitoring (clients use RESP):
//
//	/livez    200 while the node runs (Raft not shut down): restart it otherwise
//	/readyz   200 when it can serve clients: it knows a leader that counts it as
//	          a member and has applied the log to within ?lag=N entries (default
//	          64) of the leader's commit index; 503 with the reason otherwise
//	/status   this node's view of itself and its cluster, as JSON
//	/metrics  Prometheus metrics (package metrics)
//
// Probes answer text/plain: "ok" or the reason for 503.
package httpd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/redraft/redraft/cluster"
)

// probeTimeout bounds the readiness check's question to the leader; a
// leader that does not answer in time makes the node unready. Kubernetes'
// probes time out after 1s by default.
const probeTimeout = 900 * time.Millisecond

// Server serves the endpoints of one node.
type Server struct {
	node *cluster.Node
	log  *slog.Logger
	srv  *http.Server
}

// New returns a server for node; metrics serves /metrics.
func New(node *cluster.Node, metrics http.Handler, log *slog.Logger) *Server {
	s := &Server{node: node, log: log}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /livez", s.livez)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.HandleFunc("GET /status", s.status)
	mux.Handle("GET /metrics", metrics)
	s.srv = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	return s
}

// Serve answers requests on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	if err := s.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("http: %w", err)
	}
	return nil
}

// Shutdown stops accepting and waits, up to ctx, for requests in flight.
func (s *Server) Shutdown(ctx context.Context) error { return s.srv.Shutdown(ctx) }

func (s *Server) livez(w http.ResponseWriter, _ *http.Request) {
	probeReply(w, s.node.Live())
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	maxLag := uint64(cluster.CatchUpLag)
	if v := r.URL.Query().Get("lag"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			http.Error(w, "lag must be a number of log entries", http.StatusBadRequest)
			return
		}
		maxLag = n
	}
	ctx, cancel := context.WithTimeout(r.Context(), probeTimeout)
	defer cancel()
	err := s.node.Readiness(ctx, maxLag)
	if err != nil {
		s.log.Debug("not ready", "reason", err)
	}
	probeReply(w, err)
}

func probeReply(w http.ResponseWriter, err error) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, err)
		return
	}
	fmt.Fprintln(w, "ok")
}

// Status is the JSON body of /status.
type Status struct {
	ID       string `json:"id"`
	RaftAddr string `json:"raft_addr"`
	RESPAddr string `json:"resp_addr"`
	// Role is leader, follower, candidate or shutdown.
	Role       string `json:"role"`
	LeaderID   string `json:"leader_id"`
	LeaderAddr string `json:"leader_addr"`
	Term       uint64 `json:"term"`
	// Commit is the Raft commit index; Applied the state machine's
	// applied index (see the metrics for the difference).
	Commit    uint64 `json:"commit"`
	Applied   uint64 `json:"applied"`
	ClusterID string `json:"cluster_id"`
	// Loading is true while the node replays its log.
	Loading bool `json:"loading"`
	// LastContactMs is how long ago a follower heard from its leader.
	LastContactMs int64    `json:"last_contact_ms"`
	Members       []Member `json:"members"`
}

// Member is one server of the Raft configuration.
type Member struct {
	ID       string `json:"id"`
	RaftAddr string `json:"raft_addr"`
	Voter    bool   `json:"voter"`
	Leader   bool   `json:"leader"`
}

func (s *Server) status(w http.ResponseWriter, _ *http.Request) {
	st := s.node.Status()
	out := Status{
		ID: st.ID, RaftAddr: st.RaftAddr, RESPAddr: st.RESPAddr, Role: strings.ToLower(st.State),
		LeaderID: st.LeaderID, LeaderAddr: st.Leader, Term: st.Term, Commit: st.Commit, Applied: st.Applied,
		ClusterID: st.ClusterID, Loading: !s.node.IsReady(), LastContactMs: st.LastContactMs,
		Members: make([]Member, len(st.Members)),
	}
	for i, m := range st.Members {
		out.Members[i] = Member{ID: m.ID, RaftAddr: m.Addr, Voter: m.Voter, Leader: m.Leader}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		s.log.Debug("writing /status failed", "err", err)
	}
}
