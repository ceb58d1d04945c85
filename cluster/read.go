package cluster

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/raft"
)

// Reads run against the local state. Two consistency levels:
//
//   - linearizable (the default), on any node, by the read-index protocol:
//     the leader, once it has applied an entry of its own term, notes its
//     applied index, confirms with a quorum that it still leads (no lease
//     is trusted), and the serving node waits until it has applied that
//     index. Every write acknowledged before the read arrived, and every
//     state another linearizable read observed, is at or below that index.
//   - stale (READONLY connections): the local state as it is, refused when
//     a follower has not heard from a leader for MaxStaleness.

// LinearizableRead returns once a read served from the local state is
// linearizable.
func (n *Node) LinearizableRead(ctx context.Context) error {
	if !n.IsReady() {
		return ErrLoading
	}
	ctx, cancel := context.WithTimeout(ctx, n.cfg.WriteTimeout)
	defer cancel()
	for {
		err := n.tryReadIndex(ctx)
		if err == nil || !retryable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return ErrNoLeader
		case <-n.closing:
			return ErrShutdown
		case <-time.After(retryPause):
		}
	}
}

func (n *Node) tryReadIndex(ctx context.Context) error {
	if n.raft.State() == raft.Leader {
		_, err := n.leaderReadIndex(ctx)
		return err
	}
	index, err := n.reads.index(ctx)
	if err != nil {
		return err
	}
	return n.waitApplied(ctx, index)
}

// readBatcher shares read-index requests among a follower's concurrent
// reads: at most one request is in flight to the leader, and the reads
// that arrive meanwhile wait for the next one (not the one in flight,
// which the leader may have answered before they arrived).
type readBatcher struct {
	n *Node

	mu       sync.Mutex
	inflight bool
	next     *readBatch
}

// readBatch is one read-index request and the reads waiting for it.
type readBatch struct {
	done  chan struct{}
	index uint64
	err   error
}

func (b *readBatcher) index(ctx context.Context) (uint64, error) {
	b.mu.Lock()
	if b.next == nil {
		b.next = &readBatch{done: make(chan struct{})}
	}
	rb := b.next
	if !b.inflight {
		b.launchLocked()
	}
	b.mu.Unlock()
	select {
	case <-rb.done:
		return rb.index, rb.err
	case <-ctx.Done():
		return 0, ErrNoLeader
	}
}

// launchLocked sends the waiting batch; called with mu held.
func (b *readBatcher) launchLocked() {
	rb := b.next
	b.next = nil
	b.inflight = true
	go func() {
		rb.index, rb.err = b.n.askReadIndex()
		close(rb.done)
		b.mu.Lock()
		b.inflight = false
		if b.next != nil {
			b.launchLocked()
		}
		b.mu.Unlock()
	}()
}

// askReadIndex asks the leader for a read index.
func (n *Node) askReadIndex() (uint64, error) {
	addr, _ := n.raft.LeaderWithID()
	if addr == "" {
		return 0, ErrNoLeader
	}
	ctx, cancel := context.WithTimeout(context.Background(), n.cfg.WriteTimeout)
	defer cancel()
	var out ReadIndexReply
	if err := n.peers.call(ctx, string(addr), "ReadIndex", Empty{}, &out); err != nil {
		return 0, ErrNoLeader
	}
	if out.Code != codeOK {
		return 0, errOf(out.Code, out.Msg)
	}
	return out.Index, nil
}

// leaderReadIndex is the leader's half of a read index: the index every
// linearizable read arriving now must see, valid once a quorum confirmed
// this node still leads.
func (n *Node) leaderReadIndex(ctx context.Context) (uint64, error) {
	if !n.leaderReady() {
		return 0, ErrNoLeader
	}
	index := n.store.Applied()
	f := n.raft.VerifyLeader()
	done := make(chan error, 1)
	go func() { done <- f.Error() }()
	select {
	case err := <-done:
		if err != nil {
			return 0, n.classify(err)
		}
		return index, nil
	case <-ctx.Done():
		return 0, ErrNoLeader
	}
}

// ErrStale refuses a READONLY read on a node cut off from its leader.
type ErrStale struct{ Since time.Duration }

func (e ErrStale) Error() string {
	return fmt.Sprintf("CLUSTERDOWN stale read refused: no contact with a leader for %s", e.Since.Round(time.Millisecond))
}

// StaleRead returns nil when the local state may be read without
// coordination: the node has replayed its log and is the leader or heard
// from one within MaxStaleness.
func (n *Node) StaleRead() error {
	if !n.IsReady() {
		return ErrLoading
	}
	if n.raft.State() == raft.Leader {
		return nil
	}
	last := n.raft.LastContact()
	if last.IsZero() {
		return ErrStale{Since: n.cfg.MaxStaleness}
	}
	if since := time.Since(last); since > n.cfg.MaxStaleness {
		return ErrStale{Since: since}
	}
	return nil
}
