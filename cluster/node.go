// Package cluster wires the state machine to hashicorp/raft: log and stable
// store in bolt, snapshots on disk, TCP transport, proposals and reads.
package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/rpc"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb/v2"

	"github.com/redraft/redraft/fsm"
)

// Config configures a node's Raft side.
type Config struct {
	ID string
	// RaftAddr is the host:port the Raft transport (and the internal RPC
	// that shares its port) listens on; RaftAdvertise is the address other
	// members use, when it differs (a DNS name, a 0.0.0.0 listener).
	RaftAddr      string
	RaftAdvertise string
	// RESPAddr is the advertised client address, reported by Status.
	RESPAddr string
	DataDir  string
	// JoinAddrs are Raft addresses of members to join through; with
	// BootstrapExpect > 1, fresh nodes that find that many fresh peers
	// (themselves included) bootstrap one cluster together.
	JoinAddrs       []string
	BootstrapExpect int
	// NonVoter makes the node join as a non-voting read replica.
	NonVoter bool
	// SnapshotThreshold is how many log entries accumulate before a
	// snapshot is taken; SnapshotInterval is how often that is checked.
	SnapshotThreshold uint64
	SnapshotInterval  time.Duration
	// TrailingLogs is how many entries stay in the log after a snapshot.
	TrailingLogs uint64
	// WriteTimeout bounds how long a write (or a linearizable read) waits
	// for a leader before it fails with CLUSTERDOWN (or TRYAGAIN when it may
	// have been applied).
	WriteTimeout time.Duration
	// MaxStaleness is how long a follower serves READONLY reads after it
	// last heard from the leader.
	MaxStaleness time.Duration
	// ElectionTimeout scales Raft's heartbeat and election timeouts
	// (default 1s, as hashicorp/raft).
	ElectionTimeout time.Duration
	Logger          *slog.Logger
	// Observer receives the latencies of the write path, for metrics;
	// nil discards them.
	Observer Observer
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
	if c.WriteTimeout == 0 {
		c.WriteTimeout = 10 * time.Second
	}
	if c.MaxStaleness == 0 {
		c.MaxStaleness = 5 * time.Second
	}
	if c.ElectionTimeout == 0 {
		c.ElectionTimeout = time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Observer == nil {
		c.Observer = nopObserver{}
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
	mux       *mux
	peers     *peers
	log       *slog.Logger
	advertise string

	// session gives the requests this node proposes on its own behalf
	// (blocking pops, EXEC) an identity (origin ID, session, seq) by which
	// the state machine de-duplicates retries; connections have their own.
	session *session
	// reads batches this node's read-index requests to the leader.
	reads *readBatcher

	mu sync.Mutex
	// readyTerm is the term in which this node, as leader, has applied every
	// entry up to one of its own term (the barrier after election). Reads
	// and expiry wait for it: a new leader must not serve stale state.
	readyTerm uint64
	readyCh   chan struct{}
	// readyIndex is where the log stood when readyCh was closed (see
	// ReadyIndex); written before readyCh is closed, read only after.
	readyIndex uint64
	// clusterID is the cluster this data dir belongs to ("" until known).
	clusterID string
	// lastSnapshot is when this process last wrote a snapshot, or was
	// asked for one and found the latest one current.
	lastSnapshot time.Time
	// appliedCh is closed and replaced whenever entries are applied.
	appliedCh chan struct{}
	closing   chan struct{}
	wg        sync.WaitGroup
}

// Open starts the Raft node over store. A data dir with Raft state resumes;
// a fresh one bootstraps a single-node cluster when it has nothing to join,
// and otherwise joins or forms a cluster in the background.
func Open(cfg Config, store *fsm.Store) (*Node, error) {
	cfg.setDefaults()
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	n := &Node{cfg: cfg, store: store, log: cfg.Logger, readyCh: make(chan struct{}), appliedCh: make(chan struct{}), closing: make(chan struct{})}
	n.session = newSession()
	n.reads = &readBatcher{n: n}
	id, err := readClusterIDFile(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	n.clusterID = id

	rc := n.raftConfig()
	n.logStore, err = raftboltdb.New(raftboltdb.Options{Path: filepath.Join(cfg.DataDir, "raft.db")})
	if err != nil {
		return nil, fmt.Errorf("open raft log: %w", err)
	}
	snaps, err := raft.NewFileSnapshotStoreWithLogger(cfg.DataDir, 2, rc.Logger)
	if err != nil {
		n.logStore.Close()
		return nil, fmt.Errorf("open snapshot store: %w", err)
	}
	if err := n.listen(rc.Logger); err != nil {
		n.logStore.Close()
		return nil, err
	}
	existing, err := raft.HasExistingState(n.logStore, n.logStore, snaps)
	if err != nil {
		n.closeStores()
		return nil, fmt.Errorf("inspect raft state: %w", err)
	}
	// The leader reads back every entry it replicates; a cache of the
	// latest ones spares a bolt lookup and a msgpack decode per entry.
	logs, err := raft.NewLogCache(logCacheSize, timedLogStore{LogStore: n.logStore, obs: cfg.Observer})
	if err != nil {
		n.closeStores()
		return nil, fmt.Errorf("raft log cache: %w", err)
	}
	n.raft, err = raft.NewRaft(rc, &notifyingFSM{FSM: fsm.NewFSM(store), n: n}, logs, n.logStore, snaps, n.transport)
	if err != nil {
		n.closeStores()
		return nil, fmt.Errorf("start raft: %w", err)
	}
	go n.mux.serve(n.serveRPC())
	if !existing && len(cfg.JoinAddrs) == 0 {
		if err := n.bootstrapSelf(); err != nil {
			n.raft.Shutdown()
			n.closeStores()
			return nil, err
		}
	}
	n.wg.Add(3)
	go n.watchLeadership()
	go n.runExpiry(100 * time.Millisecond)
	go n.form(existing)
	return n, nil
}

func (n *Node) raftConfig() *raft.Config {
	rc := raft.DefaultConfig()
	rc.LocalID = raft.ServerID(n.cfg.ID)
	rc.SnapshotThreshold = n.cfg.SnapshotThreshold
	rc.SnapshotInterval = n.cfg.SnapshotInterval
	rc.TrailingLogs = n.cfg.TrailingLogs
	rc.HeartbeatTimeout = n.cfg.ElectionTimeout
	rc.ElectionTimeout = n.cfg.ElectionTimeout
	rc.LeaderLeaseTimeout = n.cfg.ElectionTimeout / 2
	rc.MaxAppendEntries = 512
	rc.BatchApplyCh = true
	rc.NoSnapshotRestoreOnStart = false
	rc.Logger = hclog.New(&hclog.LoggerOptions{Name: "raft", Level: hclog.Info, DisableTime: true, Output: &slogWriter{n.cfg.Logger}})
	return rc
}

// logCacheSize is how many of the latest log entries stay in memory for
// replication (a few MaxAppendEntries batches).
const logCacheSize = 4096

// raftIOTimeout bounds one Raft RPC's network I/O (hashicorp/raft scales it
// up for snapshot transfers). It also bounds how long a stalled connection
// (a partitioned or paused peer) can hold up replication to that peer or a
// shutdown.
const raftIOTimeout = 3 * time.Second

// listen opens the Raft port, shared by the Raft transport and the RPC.
func (n *Node) listen(logger hclog.Logger) error {
	ln, err := net.Listen("tcp", n.cfg.RaftAddr)
	if err != nil {
		return fmt.Errorf("raft listen: %w", err)
	}
	adv := n.cfg.RaftAdvertise
	if adv == "" {
		adv = ln.Addr().String()
		if tcp, ok := ln.Addr().(*net.TCPAddr); ok && tcp.IP.IsUnspecified() {
			ln.Close()
			return fmt.Errorf("raft address %s is not advertisable: set --raft-advertise", n.cfg.RaftAddr)
		}
	}
	advAddr, err := net.ResolveTCPAddr("tcp", adv)
	if err != nil {
		// A DNS name that does not resolve yet (a pod's own name before
		// its record exists) is still what peers will dial.
		advAddr = &net.TCPAddr{}
	}
	n.advertise = adv
	n.mux = newMux(ln, namedAddr{adv, advAddr}, n.ClusterID, n.log)
	n.peers = newPeers(n.mux, 5*time.Second)
	n.transport = raft.NewNetworkTransportWithConfig(&raft.NetworkTransportConfig{
		Stream: raftLayer{n.mux}, MaxPool: 3, Timeout: raftIOTimeout, Logger: logger,
	})
	return nil
}

// namedAddr is an advertised address that keeps its name (the Raft
// transport reports Addr().String() as this node's address).
type namedAddr struct {
	name string
	net.Addr
}

func (a namedAddr) Network() string { return "tcp" }
func (a namedAddr) String() string  { return a.name }

func (n *Node) serveRPC() func(net.Conn) {
	srv := rpc.NewServer()
	if err := srv.RegisterName(rpcService, &rpcHandler{n}); err != nil {
		panic(fmt.Sprintf("register rpc: %v", err)) // a programming error, found by any test
	}
	return func(c net.Conn) { go srv.ServeConn(c) }
}

func (n *Node) bootstrapSelf() error {
	cfgn := raft.Configuration{Servers: []raft.Server{{ID: raft.ServerID(n.cfg.ID), Address: raft.ServerAddress(n.advertise)}}}
	if err := n.raft.BootstrapCluster(cfgn).Error(); err != nil {
		return fmt.Errorf("bootstrap: %w", err)
	}
	n.log.Info("bootstrapped a new single-node cluster", "id", n.cfg.ID, "raft", n.advertise)
	return nil
}

func (n *Node) closeStores() {
	if n.mux != nil {
		n.mux.close()
	}
	if n.transport != nil {
		n.transport.Close()
	}
	if n.peers != nil {
		n.peers.closeAll()
	}
	n.logStore.Close()
}

// notifyingFSM wakes the reads waiting for an index after every apply.
type notifyingFSM struct {
	*fsm.FSM
	n *Node
}

func (f *notifyingFSM) Apply(l *raft.Log) any {
	r := f.FSM.Apply(l)
	f.n.notifyApplied()
	return r
}

func (f *notifyingFSM) ApplyBatch(logs []*raft.Log) []any {
	r := f.FSM.ApplyBatch(logs)
	f.n.notifyApplied()
	return r
}

func (f *notifyingFSM) Restore(rc io.ReadCloser) error {
	err := f.FSM.Restore(rc)
	f.n.notifyApplied()
	return err
}

// Snapshot wraps the state machine's snapshot so that the node learns when
// one was written, whether Raft took it on its own (the threshold) or on
// request: LASTSAVE and the metrics report it.
func (f *notifyingFSM) Snapshot() (raft.FSMSnapshot, error) {
	s, err := f.FSM.Snapshot()
	if err != nil {
		return nil, err
	}
	return &recordedSnapshot{FSMSnapshot: s, n: f.n}, nil
}

// recordedSnapshot records the time a snapshot was persisted.
type recordedSnapshot struct {
	raft.FSMSnapshot
	n *Node
}

func (s *recordedSnapshot) Persist(sink raft.SnapshotSink) error {
	if err := s.FSMSnapshot.Persist(sink); err != nil {
		return err
	}
	s.n.mu.Lock()
	s.n.lastSnapshot = time.Now()
	s.n.mu.Unlock()
	return nil
}

func (n *Node) notifyApplied() {
	n.mu.Lock()
	close(n.appliedCh)
	n.appliedCh = make(chan struct{})
	n.mu.Unlock()
}

// waitApplied returns once the state machine has applied index.
func (n *Node) waitApplied(ctx context.Context, index uint64) error {
	for {
		n.mu.Lock()
		ch := n.appliedCh
		n.mu.Unlock()
		if n.store.Applied() >= index {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ErrNoLeader
		case <-n.closing:
			return ErrShutdown
		}
	}
}

// watchLeadership runs a barrier whenever this node becomes leader and marks
// the term ready once every entry before it (and the new term's no-op) has
// been applied; it marks a follower ready once it has caught up with the
// leader's commit index; and it records the cluster ID.
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
		n.recordClusterID()
		switch n.raft.State() {
		case raft.Leader:
			n.prepareLeadership()
		case raft.Follower:
			if n.followerCaughtUp() {
				n.markReady(0)
			}
		}
	}
}

func (n *Node) prepareLeadership() {
	term := n.raft.CurrentTerm()
	n.mu.Lock()
	done := n.readyTerm == term
	n.mu.Unlock()
	if done {
		return
	}
	if err := n.raft.Barrier(n.cfg.WriteTimeout).Error(); err != nil {
		n.log.Warn("leader barrier failed", "err", err)
		return
	}
	n.markReady(term)
	n.log.Info("leader ready", "term", term, "applied", n.store.Applied())
	if n.store.ClusterID() == "" {
		n.proposeClusterID()
	}
}

// markReady ends loading (once) and records the leader's ready term.
func (n *Node) markReady(term uint64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	select {
	case <-n.readyCh:
	default:
		n.readyIndex = max(n.raft.AppliedIndex(), n.raft.CommitIndex())
		close(n.readyCh)
	}
	if term != 0 {
		n.readyTerm = term
	}
}

// followerCaughtUp tells whether a follower has heard from a leader and
// applied everything it knows to be committed: until then it still replays
// its log and answers LOADING.
func (n *Node) followerCaughtUp() bool {
	if addr, _ := n.raft.LeaderWithID(); addr == "" {
		return false
	}
	commit := n.raft.CommitIndex()
	return commit > 0 && n.raft.AppliedIndex() >= commit
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

// ReadyIndex returns the index of the last entry known to be committed
// when the node became ready, and whether it is ready. Raft hands committed
// entries to the state machine asynchronously, so a node can become ready
// while its state machine still replays entries up to that index: they
// are replays, not news, and Pub/Sub does not deliver their messages.
// (Raft's applied index counts the entries handed over, and may be
// recorded after the state machine applied them, hence the larger of it
// and the commit index.)
func (n *Node) ReadyIndex() (uint64, bool) {
	if !n.IsReady() {
		return 0, false
	}
	return n.readyIndex, true
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

// classify maps Raft errors to what a client can act on: an entry that was
// never appended failed cleanly; one that was appended but whose leader
// stepped down has an unknown outcome.
func (n *Node) classify(err error) error {
	switch {
	case errors.Is(err, raft.ErrNotLeader), errors.Is(err, raft.ErrEnqueueTimeout), errors.Is(err, raft.ErrLeadershipTransferInProgress):
		return ErrNoLeader
	case errors.Is(err, raft.ErrLeadershipLost):
		return ErrUnknownOutcome
	case errors.Is(err, raft.ErrRaftShutdown):
		return ErrShutdown
	}
	return err
}

// Snapshot takes a snapshot now.
func (n *Node) Snapshot() error {
	err := n.raft.Snapshot().Error()
	switch {
	case errors.Is(err, raft.ErrNothingNewToSnapshot):
		// The latest snapshot holds the current state: for LASTSAVE that
		// is as good as writing a new one. A written one records its time
		// itself (recordedSnapshot).
		n.mu.Lock()
		n.lastSnapshot = time.Now()
		n.mu.Unlock()
	case err != nil:
		return fmt.Errorf("snapshot: %w", err)
	}
	return nil
}

// Stats returns Raft's counters for INFO.
func (n *Node) Stats() map[string]string { return n.raft.Stats() }

// State returns the node's Raft role.
func (n *Node) State() raft.RaftState { return n.raft.State() }

// Close hands leadership to another voter (so the cluster does not wait
// for an election timeout), takes a final snapshot and shuts Raft and its
// stores down.
func (n *Node) Close() error {
	n.handOverLeadership()
	close(n.closing)
	n.wg.Wait()
	if err := n.Snapshot(); err != nil {
		n.log.Warn("final snapshot failed", "err", err)
	}
	// The network goes first: Raft's shutdown waits for its RPCs in
	// flight, which a peer that is stopping too might never answer.
	n.mux.close()
	n.transport.Close()
	n.peers.closeAll()
	err := n.raft.Shutdown().Error()
	n.logStore.Close()
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

// LastSnapshot returns the index of the latest snapshot (0 if there is
// none) and when this process last wrote one (zero if it has not: the
// snapshot is from before a restart, or there is none), for metrics.
func (n *Node) LastSnapshot() (index uint64, at time.Time) {
	index, _ = strconv.ParseUint(n.raft.Stats()["last_snapshot_index"], 10, 64)
	n.mu.Lock()
	defer n.mu.Unlock()
	return index, n.lastSnapshot
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
