// Package cluster wires the state machine to hashicorp/raft: log and stable
// store in bolt, snapshots on disk, TCP transport, proposals and reads.
package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb/v2"

	"github.com/redraft/redraft/fsm"
	"github.com/redraft/redraft/reply"
)

// Config configures a node's Raft side.
type Config struct {
	ID       string
	RaftAddr string // host:port the Raft transport listens on
	DataDir  string
	// SnapshotThreshold is how many log entries accumulate before a
	// snapshot is taken; SnapshotInterval is how often that is checked.
	SnapshotThreshold uint64
	SnapshotInterval  time.Duration
	// TrailingLogs is how many entries stay in the log after a snapshot.
	TrailingLogs uint64
	// ApplyTimeout bounds how long a write waits to enter the log.
	ApplyTimeout time.Duration
	Logger       *slog.Logger
}

func (c *Config) setDefaults() {
	if c.SnapshotThreshold == 0 {
		c.SnapshotThreshold = 8192
	}
	if c.SnapshotInterval == 0 {
		c.SnapshotInterval = 30 * time.Second
	}
	if c.TrailingLogs == 0 {
		c.TrailingLogs = 10240
	}
	if c.ApplyTimeout == 0 {
		c.ApplyTimeout = 5 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

// Errors a proposal or read can fail with.
var (
	// ErrNoLeader: this node is not the leader and cannot reach one.
	ErrNoLeader = errors.New("CLUSTERDOWN no Raft leader")
	// ErrUnknownOutcome: the entry may or may not have been committed
	// (leadership was lost after it was appended). The client must not
	// assume either outcome.
	ErrUnknownOutcome = errors.New("TRYAGAIN leadership lost, the write may or may not have been applied")
	// ErrLoading: the node has not yet replayed its log.
	ErrLoading = errors.New("LOADING Redraft is loading the dataset in memory")
	// ErrShutdown: the node is stopping.
	ErrShutdown = errors.New("ERR server is shutting down")
)

// Node is one Raft member with its state machine.
type Node struct {
	cfg       Config
	store     *fsm.Store
	raft      *raft.Raft
	logStore  *raftboltdb.BoltStore
	transport *raft.NetworkTransport
	log       *slog.Logger

	mu sync.Mutex
	// readyTerm is the term in which this node, as leader, has applied every
	// entry up to one of its own term (the barrier after election). Reads
	// and expiry wait for it: a new leader must not serve stale state.
	readyTerm uint64
	readyCh   chan struct{}
	// lastSnapshot is when this process last took a snapshot.
	lastSnapshot time.Time
	closing      chan struct{}
	wg           sync.WaitGroup
}

// Open starts the Raft node over store, bootstrapping a single-node cluster
// when the data dir holds no Raft state. A data dir with state resumes.
func Open(cfg Config, store *fsm.Store) (*Node, error) {
	cfg.setDefaults()
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	n := &Node{cfg: cfg, store: store, log: cfg.Logger, readyCh: make(chan struct{}), closing: make(chan struct{})}

	rc := raft.DefaultConfig()
	rc.LocalID = raft.ServerID(cfg.ID)
	rc.SnapshotThreshold = cfg.SnapshotThreshold
	rc.SnapshotInterval = cfg.SnapshotInterval
	rc.TrailingLogs = cfg.TrailingLogs
	rc.MaxAppendEntries = 512
	rc.BatchApplyCh = true
	rc.NoSnapshotRestoreOnStart = false
	rc.Logger = hclog.New(&hclog.LoggerOptions{Name: "raft", Level: hclog.Info, DisableTime: true, Output: &slogWriter{cfg.Logger}})

	var err error
	n.logStore, err = raftboltdb.New(raftboltdb.Options{Path: filepath.Join(cfg.DataDir, "raft.db")})
	if err != nil {
		return nil, fmt.Errorf("open raft log: %w", err)
	}
	snaps, err := raft.NewFileSnapshotStoreWithLogger(cfg.DataDir, 2, rc.Logger)
	if err != nil {
		n.logStore.Close()
		return nil, fmt.Errorf("open snapshot store: %w", err)
	}
	// The transport advertises the address it is bound to (which also
	// resolves a ":0" port in tests).
	n.transport, err = raft.NewTCPTransportWithLogger(cfg.RaftAddr, nil, 3, 10*time.Second, rc.Logger)
	if err != nil {
		n.logStore.Close()
		return nil, fmt.Errorf("raft transport: %w", err)
	}
	existing, err := raft.HasExistingState(n.logStore, n.logStore, snaps)
	if err != nil {
		n.closeStores()
		return nil, fmt.Errorf("inspect raft state: %w", err)
	}
	n.raft, err = raft.NewRaft(rc, fsm.NewFSM(store), n.logStore, n.logStore, snaps, n.transport)
	if err != nil {
		n.closeStores()
		return nil, fmt.Errorf("start raft: %w", err)
	}
	if !existing {
		cfgn := raft.Configuration{Servers: []raft.Server{{ID: rc.LocalID, Address: n.transport.LocalAddr()}}}
		if err := n.raft.BootstrapCluster(cfgn).Error(); err != nil {
			n.raft.Shutdown()
			n.closeStores()
			return nil, fmt.Errorf("bootstrap: %w", err)
		}
		n.log.Info("bootstrapped a new single-node cluster", "id", cfg.ID, "raft", cfg.RaftAddr)
	}
	n.wg.Add(2)
	go n.watchLeadership()
	go n.runExpiry(100 * time.Millisecond)
	return n, nil
}

func (n *Node) closeStores() {
	if n.transport != nil {
		n.transport.Close()
	}
	n.logStore.Close()
}

// watchLeadership runs a barrier whenever this node becomes leader, and
// marks the term ready once every entry before it (and the new term's no-op)
// has been applied.
func (n *Node) watchLeadership() {
	defer n.wg.Done()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-n.closing:
			return
		case <-n.raft.LeaderCh():
		case <-tick.C:
		}
		if n.raft.State() != raft.Leader {
			continue
		}
		term := n.raft.CurrentTerm()
		n.mu.Lock()
		done := n.readyTerm == term
		n.mu.Unlock()
		if done {
			continue
		}
		if err := n.raft.Barrier(n.cfg.ApplyTimeout).Error(); err != nil {
			n.log.Warn("leader barrier failed", "err", err)
			continue
		}
		n.mu.Lock()
		if n.readyTerm == 0 {
			close(n.readyCh)
		}
		n.readyTerm = term
		n.mu.Unlock()
		n.log.Info("leader ready", "term", term, "applied", n.store.Applied())
	}
}

// Ready is closed once the node has replayed its log and can serve.
func (n *Node) Ready() <-chan struct{} { return n.readyCh }

// IsReady reports whether the node has replayed its log.
func (n *Node) IsReady() bool {
	select {
	case <-n.readyCh:
		return true
	default:
		return false
	}
}

// leaderReady tells whether this node is the leader and has applied an entry
// of its current term.
func (n *Node) leaderReady() bool {
	if n.raft.State() != raft.Leader {
		return false
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.readyTerm == n.raft.CurrentTerm()
}

// Propose appends an encoded entry to the log without waiting; the entry's
// time is stamped here, on the leader. Wait for the result with Await.
func (n *Node) Propose(e *fsm.Entry) *Proposal {
	e.Time = time.Now().UnixMilli()
	return &Proposal{f: n.raft.Apply(e.Encode(nil), n.cfg.ApplyTimeout), n: n}
}

// Proposal is an entry on its way through the log.
type Proposal struct {
	f raft.ApplyFuture
	n *Node
}

// Await waits until the entry is committed and applied and returns its reply.
func (p *Proposal) Await() (reply.Value, error) {
	if err := p.f.Error(); err != nil {
		return reply.Value{}, p.n.classify(err)
	}
	v, ok := p.f.Response().(reply.Value)
	if !ok {
		return reply.Value{}, fmt.Errorf("unexpected FSM response %T", p.f.Response())
	}
	return v, nil
}

// classify maps Raft errors to what a client can act on: an entry that was
// never appended failed cleanly; one that was appended but whose leader
// stepped down has an unknown outcome.
func (n *Node) classify(err error) error {
	switch {
	case errors.Is(err, raft.ErrNotLeader), errors.Is(err, raft.ErrEnqueueTimeout):
		return ErrNoLeader
	case errors.Is(err, raft.ErrLeadershipLost):
		return ErrUnknownOutcome
	case errors.Is(err, raft.ErrRaftShutdown):
		return ErrShutdown
	}
	return err
}

// Apply proposes e and waits for its reply.
func (n *Node) Apply(e *fsm.Entry) (reply.Value, error) {
	return n.Propose(e).Await()
}

// LinearizableRead returns once a read served from the local state is
// linearizable: this node is the leader of a term whose first entry it has
// applied (so it holds every write of earlier terms), and a quorum still
// recognises it after the read arrived (read index; no lease is trusted).
// Every write this leader acknowledged was applied before its client was
// answered, so the local state holds all of them.
func (n *Node) LinearizableRead(ctx context.Context) error {
	if !n.IsReady() {
		return ErrLoading
	}
	if !n.leaderReady() {
		return ErrNoLeader
	}
	f := n.raft.VerifyLeader()
	done := make(chan error, 1)
	go func() { done <- f.Error() }()
	select {
	case err := <-done:
		if err != nil {
			return n.classify(err)
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Snapshot takes a snapshot now.
func (n *Node) Snapshot() error {
	if err := n.raft.Snapshot().Error(); err != nil && !errors.Is(err, raft.ErrNothingNewToSnapshot) {
		return fmt.Errorf("snapshot: %w", err)
	}
	n.mu.Lock()
	n.lastSnapshot = time.Now()
	n.mu.Unlock()
	return nil
}

// Stats returns Raft's counters for INFO.
func (n *Node) Stats() map[string]string { return n.raft.Stats() }

// State returns the node's Raft role.
func (n *Node) State() raft.RaftState { return n.raft.State() }

// Close takes a final snapshot and shuts Raft and its stores down.
func (n *Node) Close() error {
	close(n.closing)
	n.wg.Wait()
	if err := n.Snapshot(); err != nil {
		n.log.Warn("final snapshot failed", "err", err)
	}
	err := n.raft.Shutdown().Error()
	n.closeStores()
	return err
}

var _ io.Closer = (*Node)(nil)

// LastSnapshotTime is when the last snapshot was taken, or fallback when
// none was (LASTSAVE, INFO persistence).
func (n *Node) LastSnapshotTime(fallback time.Time) time.Time {
	if s, ok := n.raft.Stats()["last_snapshot_index"]; !ok || s == "0" {
		return fallback
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.lastSnapshot.IsZero() {
		return fallback
	}
	return n.lastSnapshot
}

// slogWriter carries hashicorp/raft's log lines into the node's structured
// log, so one handler (and one level) governs all output.
type slogWriter struct{ log *slog.Logger }

func (w *slogWriter) Write(p []byte) (int, error) {
	line := strings.TrimSpace(string(p))
	level := slog.LevelInfo
	for prefix, l := range map[string]slog.Level{"[ERROR]": slog.LevelError, "[WARN]": slog.LevelWarn, "[INFO]": slog.LevelInfo, "[DEBUG]": slog.LevelDebug, "[TRACE]": slog.LevelDebug} {
		if rest, ok := strings.CutPrefix(line, prefix); ok {
			level, line = l, strings.TrimSpace(rest)
			break
		}
	}
	w.log.Log(context.Background(), level, line, "component", "raft")
	return len(p), nil
}
