package cluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashicorp/raft"

	"github.com/redraft/redraft/fsm"
)

// joinTimeout bounds a membership change, including a new voter's catch-up.
const joinTimeout = 2 * time.Minute

// CatchUpLag is how far behind the leader a node may be and count as caught
// up: a joining node is promoted to voter within it, and /readyz reports a
// node ready within it by default.
const CatchUpLag = 64

// Member is one server of the Raft configuration.
type Member struct {
	ID     string
	Addr   string
	Voter  bool
	Leader bool
}

// Status describes one node, for RAFT NODES, INFO and the join protocol.
type Status struct {
	ID        string
	RaftAddr  string
	RESPAddr  string
	State     string
	LeaderID  string
	Leader    string
	Term      uint64
	Commit    uint64
	Applied   uint64
	ClusterID string
	// HasState: the node belongs to a cluster (bootstrapped or joined).
	HasState bool
	// LastContactMs is how long ago a follower heard from its leader.
	LastContactMs int64
	Members       []Member
}

// Status returns this node's view of itself and its cluster.
func (n *Node) Status() Status {
	addr, id := n.raft.LeaderWithID()
	members, _ := n.Members()
	st := Status{
		ID: n.cfg.ID, RaftAddr: n.advertise, RESPAddr: n.cfg.RESPAddr,
		State: n.raft.State().String(), LeaderID: string(id), Leader: string(addr),
		Term: n.raft.CurrentTerm(), Commit: n.raft.CommitIndex(), Applied: n.store.Applied(),
		ClusterID: n.ClusterID(), HasState: len(members) > 0, Members: members,
	}
	if lc := n.raft.LastContact(); !lc.IsZero() && n.raft.State() != raft.Leader {
		st.LastContactMs = time.Since(lc).Milliseconds()
	}
	return st
}

// Members returns the latest Raft configuration.
func (n *Node) Members() ([]Member, error) {
	f := n.raft.GetConfiguration()
	if err := f.Error(); err != nil {
		return nil, fmt.Errorf("raft configuration: %w", err)
	}
	_, leader := n.raft.LeaderWithID()
	var out []Member
	for _, s := range f.Configuration().Servers {
		out = append(out, Member{ID: string(s.ID), Addr: string(s.Address), Voter: s.Suffrage == raft.Voter, Leader: s.ID == leader})
	}
	return out, nil
}

// Leader returns the ID and Raft address of the current leader, empty when
// none is known.
func (n *Node) Leader() (id, addr string) {
	a, i := n.raft.LeaderWithID()
	return string(i), string(a)
}

// ID returns the node's ID.
func (n *Node) ID() string { return n.cfg.ID }

// ClusterID returns the ID of the cluster this node belongs to, "" until
// the first leader has recorded one.
func (n *Node) ClusterID() string {
	if id := n.store.ClusterID(); id != "" {
		return id
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.clusterID
}

const clusterIDFile = "cluster-id"

func readClusterIDFile(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, clusterIDFile))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read cluster id: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// recordClusterID remembers the replicated cluster ID in the data dir, so a
// restarted node knows it before replaying its log.
func (n *Node) recordClusterID() {
	id := n.store.ClusterID()
	n.mu.Lock()
	known := n.clusterID
	n.mu.Unlock()
	if id == "" || id == known {
		return
	}
	if err := os.WriteFile(filepath.Join(n.cfg.DataDir, clusterIDFile), []byte(id+"\n"), 0o644); err != nil {
		n.log.Warn("could not record the cluster id", "err", err)
		return
	}
	n.mu.Lock()
	n.clusterID = id
	n.mu.Unlock()
	n.log.Info("cluster id recorded", "cluster_id", id)
}

// proposeClusterID names the cluster; the state machine keeps the first
// name applied, so racing leaders agree.
func (n *Node) proposeClusterID() {
	id := randomHex(8)
	if _, err := n.applyLocal(&fsm.Entry{Type: fsm.EntryClusterID, Cmds: []fsm.Cmd{{Args: [][]byte{[]byte(id)}}}}); err != nil {
		n.log.Warn("could not record the cluster id", "err", err)
	}
}

// Admin runs a membership request on the leader, forwarding it there from
// any other node.
func (n *Node) Admin(ctx context.Context, a AdminArgs) error {
	if n.raft.State() != raft.Leader {
		return n.forwardAdmin(ctx, a)
	}
	switch a.Op {
	case "join":
		return n.join(ctx, a)
	case "add-voter":
		return n.addVoter(ctx, a.ID, a.Addr)
	case "add-nonvoter":
		return n.raftErr(n.raft.AddNonvoter(raft.ServerID(a.ID), raft.ServerAddress(a.Addr), 0, joinTimeout).Error())
	case "remove":
		if a.ID == n.cfg.ID {
			// A leader removing itself hands leadership over first and
			// lets the new leader remove it, so no election is needed.
			if err := n.transfer(""); err != nil {
				return err
			}
			return n.forwardAdmin(ctx, a)
		}
		return n.remove(a.ID)
	case "transfer":
		return n.transfer(a.ID)
	}
	return fmt.Errorf("unknown membership operation %q", a.Op)
}

func (n *Node) forwardAdmin(ctx context.Context, a AdminArgs) error {
	// Finding a leader is bounded like a write; the change itself (a new
	// voter catching up) may then take up to ctx.
	find, cancel := context.WithTimeout(ctx, n.cfg.WriteTimeout)
	defer cancel()
	for {
		_, addr := n.Leader()
		if addr != "" {
			var out AdminReply
			err := n.peers.call(ctx, addr, "Admin", a, &out)
			if err == nil {
				return errOf(out.Code, out.Msg)
			}
			n.log.Debug("forwarding a membership request failed", "leader", addr, "err", err)
		}
		select {
		case <-find.Done():
			return ErrNoLeader
		case <-n.closing:
			return ErrShutdown
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (n *Node) raftErr(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w", n.classify(err))
}

// join adds (or updates) a node that asks to be a member. It is idempotent:
// a member asking again with the same address and role changes nothing, a
// member with a new address (a pod with a new IP) is updated, and a voter
// that lost its data is demoted until it has caught up. A new voter
// first joins as a non-voter and is promoted once it has caught up, so an
// empty node never counts towards a quorum it cannot serve.
func (n *Node) join(ctx context.Context, a AdminArgs) error {
	if ours := n.ClusterID(); a.ClusterID != "" && ours != "" && a.ClusterID != ours {
		return fmt.Errorf("ERR node %s belongs to cluster %s, not %s", a.ID, a.ClusterID, ours)
	}
	members, err := n.Members()
	if err != nil {
		return err
	}
	for _, m := range members {
		if m.ID == a.ID && m.Voter && a.Fresh {
			// A voter back with an empty data dir may have acknowledged
			// entries it no longer has: counting it in a quorum could
			// lose committed writes. It goes back through the non-voter
			// stage and is promoted once it has caught up.
			n.log.Warn("a voter came back with an empty data dir; re-adding it as a non-voter until it catches up", "id", a.ID)
			if err := n.remove(m.ID); err != nil {
				return err
			}
			continue
		}
		if m.ID == a.ID && m.Addr == a.Addr && (m.Voter || !a.Voter) {
			return nil
		}
		if m.ID != a.ID && m.Addr == a.Addr {
			// Another ID at this address is a node that was replaced.
			n.log.Info("removing a member whose address is taken by a joining node", "old", m.ID, "new", a.ID, "addr", a.Addr)
			if err := n.remove(m.ID); err != nil {
				return err
			}
		}
	}
	if !a.Voter {
		n.log.Info("adding a non-voter", "id", a.ID, "addr", a.Addr)
		return n.raftErr(n.raft.AddNonvoter(raft.ServerID(a.ID), raft.ServerAddress(a.Addr), 0, joinTimeout).Error())
	}
	return n.addVoter(ctx, a.ID, a.Addr)
}

// addVoter adds id as a voter once it has caught up: a current voter (an
// address change) is updated at once; another node is added as a
// non-voter first.
func (n *Node) addVoter(ctx context.Context, id, addr string) error {
	members, err := n.Members()
	if err != nil {
		return err
	}
	isVoter := false
	for _, m := range members {
		if m.ID == id && m.Voter {
			isVoter = true
		}
	}
	if !isVoter {
		n.log.Info("adding a node as non-voter until it catches up", "id", id, "addr", addr)
		if err := n.raftErr(n.raft.AddNonvoter(raft.ServerID(id), raft.ServerAddress(addr), 0, joinTimeout).Error()); err != nil {
			return err
		}
		if err := n.waitCaughtUp(ctx, addr); err != nil {
			return err
		}
	}
	n.log.Info("adding a voter", "id", id, "addr", addr)
	return n.raftErr(n.raft.AddVoter(raft.ServerID(id), raft.ServerAddress(addr), 0, joinTimeout).Error())
}

// waitCaughtUp polls a node until it has applied nearly all the leader has.
func (n *Node) waitCaughtUp(ctx context.Context, addr string) error {
	for {
		var st Status
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := n.peers.call(cctx, addr, "Status", Empty{}, &st)
		cancel()
		if err == nil && st.Applied+CatchUpLag >= n.store.Applied() {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("ERR node at %s did not catch up in time; it stays a non-voter", addr)
		case <-n.closing:
			return ErrShutdown
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// remove takes another node out of the configuration.
func (n *Node) remove(id string) error {
	members, err := n.Members()
	if err != nil {
		return err
	}
	found := false
	for _, m := range members {
		found = found || m.ID == id
	}
	if !found {
		return fmt.Errorf("ERR no member with id %s", id)
	}
	n.log.Info("removing a member", "id", id)
	return n.raftErr(n.raft.RemoveServer(raft.ServerID(id), 0, joinTimeout).Error())
}

// transfer hands leadership to id, or to the most up-to-date voter when id
// is empty.
func (n *Node) transfer(id string) error {
	if id == "" {
		return n.raftErr(n.raft.LeadershipTransfer().Error())
	}
	members, err := n.Members()
	if err != nil {
		return err
	}
	for _, m := range members {
		if m.ID == id {
			if !m.Voter {
				return fmt.Errorf("ERR %s is not a voter", id)
			}
			if id == n.cfg.ID {
				return nil
			}
			return n.raftErr(n.raft.LeadershipTransferToServer(raft.ServerID(id), raft.ServerAddress(m.Addr)).Error())
		}
	}
	return fmt.Errorf("ERR no member with id %s", id)
}

// handOverLeadership transfers leadership before a graceful stop when
// another voter can take it.
func (n *Node) handOverLeadership() {
	if n.raft.State() != raft.Leader {
		return
	}
	members, err := n.Members()
	if err != nil {
		return
	}
	voters := 0
	for _, m := range members {
		if m.Voter {
			voters++
		}
	}
	if voters < 2 {
		return
	}
	if err := n.raft.LeadershipTransfer().Error(); err != nil {
		n.log.Warn("leadership transfer before shutdown failed", "err", err)
		return
	}
	n.log.Info("leadership transferred before shutdown")
}

// PeerStatus asks a member for its status.
func (n *Node) PeerStatus(ctx context.Context, addr string) (Status, error) {
	if addr == n.advertise {
		return n.Status(), nil
	}
	var st Status
	err := n.peers.call(ctx, addr, "Status", Empty{}, &st)
	return st, err
}
