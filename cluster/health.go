package cluster

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/raft"
)

// Health, for orchestrators: liveness says whether the process should be
// restarted, readiness whether it should receive client traffic.

// LastContact is when this node last heard from a leader; zero if it never
// did. It is meaningful on followers only.
func (n *Node) LastContact() time.Time { return n.raft.LastContact() }

// Live returns nil while the node runs, and why it does not once it is
// closing or Raft has shut down. A live node may still be unready.
func (n *Node) Live() error {
	select {
	case <-n.closing:
		return ErrShutdown
	default:
	}
	if n.raft.State() == raft.Shutdown {
		return errors.New("raft has shut down")
	}
	return nil
}

// Readiness returns nil when the node can serve clients now, and why not
// otherwise. A leader is ready once it has applied an entry of its own term
// (before that, reads wait). Any other node is ready when it has replayed
// its log, knows a leader that still leads and counts it as a member, and
// has applied the log to within maxLag entries of that leader's commit
// index, so a fresh node is not ready until it has caught up. On a
// follower this costs one RPC to the leader, bounded by ctx.
func (n *Node) Readiness(ctx context.Context, maxLag uint64) error {
	if err := n.Live(); err != nil {
		return err
	}
	if n.raft.State() == raft.Leader {
		if !n.leaderReady() {
			return errors.New("new leader: no entry of its term applied yet")
		}
		return nil
	}
	if !n.IsReady() {
		return errors.New("loading: the log is being replayed")
	}
	id, addr := n.Leader()
	if addr == "" {
		return errors.New("no leader known")
	}
	st, err := n.PeerStatus(ctx, addr)
	if err != nil {
		return fmt.Errorf("leader %s at %s unreachable: %w", id, addr, err)
	}
	return followerReadiness(n.cfg.ID, n.raft.AppliedIndex(), st, maxLag)
}

// followerReadiness decides whether node self, which has applied the log up
// to applied, is ready, given the status of the node it takes for its
// leader. Raft's applied index, like the commit index, counts every entry
// (no-ops and configuration changes too), so the two compare.
func followerReadiness(self string, applied uint64, leader Status, maxLag uint64) error {
	if leader.State != raft.Leader.String() {
		return fmt.Errorf("%s at %s no longer leads (it is %s)", leader.ID, leader.RaftAddr, leader.State)
	}
	member := false
	for _, m := range leader.Members {
		member = member || m.ID == self
	}
	if !member {
		return fmt.Errorf("not a member of leader %s's configuration", leader.ID)
	}
	if applied+maxLag < leader.Commit {
		return fmt.Errorf("catching up: applied index %d is %d entries behind leader %s's commit index %d (at most %d allowed)",
			applied, leader.Commit-applied, leader.ID, leader.Commit, maxLag)
	}
	return nil
}
