package cluster

import (
	"context"
	"sort"
	"time"

	"github.com/hashicorp/raft"
)

// Cluster formation, run in the background when a node starts:
//
//   - a node with Raft state resumes; if it was given join addresses it
//     also makes sure the cluster knows its current address (a pod that
//     came back with a new IP); a node that was removed stays out;
//   - a fresh node with join addresses and no BootstrapExpect joins the
//     cluster through any member (the request is forwarded to the leader);
//   - a fresh node with BootstrapExpect N asks its join addresses who they
//     are: when a formed cluster answers, it joins it; when it finds N fresh
//     nodes (itself included, and only if it is itself in the join list) it
//     bootstraps them as one cluster. Every one of the N computes the same
//     configuration (the N lowest IDs), which hashicorp/raft accepts from
//     all of them, so exactly one cluster forms.

const formRetry = 500 * time.Millisecond

func (n *Node) form(existing bool) {
	defer n.wg.Done()
	if len(n.cfg.JoinAddrs) == 0 {
		return
	}
	for attempt := 0; ; attempt++ {
		var done bool
		if existing {
			done = n.ensureMembership()
		} else {
			done = n.formOrJoin()
		}
		if done {
			return
		}
		if attempt%20 == 19 {
			n.log.Info("still looking for the cluster", "join", n.cfg.JoinAddrs, "bootstrap_expect", n.cfg.BootstrapExpect)
		}
		select {
		case <-n.closing:
			return
		case <-time.After(formRetry):
		}
	}
}

// askPeers returns the status of every join address that answers.
func (n *Node) askPeers() []Status {
	var out []Status
	for _, addr := range n.cfg.JoinAddrs {
		if addr == n.advertise {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		st, err := n.PeerStatus(ctx, addr)
		cancel()
		if err == nil && st.ID != n.cfg.ID {
			st.RaftAddr = addr
			out = append(out, st)
		}
	}
	return out
}

// formOrJoin makes one attempt to join or bootstrap; it reports whether the
// node is now part of a cluster.
func (n *Node) formOrJoin() bool {
	if n.hasConfiguration() {
		return true
	}
	peers := n.askPeers()
	if via := joinVia(peers); via != "" {
		return n.requestJoin(via, true)
	}
	if n.cfg.BootstrapExpect < 1 || !n.inJoinList() {
		return false
	}
	servers := []raft.Server{{ID: raft.ServerID(n.cfg.ID), Address: raft.ServerAddress(n.advertise), Suffrage: raft.Voter}}
	for _, st := range peers {
		if !st.HasState {
			servers = append(servers, raft.Server{ID: raft.ServerID(st.ID), Address: raft.ServerAddress(st.RaftAddr), Suffrage: raft.Voter})
		}
	}
	if len(servers) < n.cfg.BootstrapExpect {
		return false
	}
	sort.Slice(servers, func(i, j int) bool { return servers[i].ID < servers[j].ID })
	servers = servers[:n.cfg.BootstrapExpect]
	if !containsID(servers, n.cfg.ID) {
		return false // another N bootstrap; this node joins them later
	}
	err := n.raft.BootstrapCluster(raft.Configuration{Servers: servers}).Error()
	if err != nil && err != raft.ErrCantBootstrap {
		n.log.Warn("bootstrap failed", "err", err)
		return false
	}
	n.log.Info("bootstrapped a cluster", "servers", len(servers))
	return true
}

// inJoinList tells whether this node is one of the designated founding
// members: a node that is not in its own join list (a pod added by a later
// scale-up) only ever joins, so it can never found a second cluster while
// the founders are down.
func (n *Node) inJoinList() bool {
	for _, a := range n.cfg.JoinAddrs {
		if a == n.advertise {
			return true
		}
	}
	return false
}

// joinVia picks the member to send a join request to: the leader itself if
// it answered, else a member that knows a leader (it forwards the request).
func joinVia(peers []Status) string {
	via := ""
	for _, st := range peers {
		switch {
		case st.HasState && st.State == raft.Leader.String():
			return st.RaftAddr
		case st.HasState && st.LeaderID != "" && via == "":
			via = st.RaftAddr
		}
	}
	return via
}

func containsID(ss []raft.Server, id string) bool {
	for _, s := range ss {
		if string(s.ID) == id {
			return true
		}
	}
	return false
}

func (n *Node) hasConfiguration() bool {
	f := n.raft.GetConfiguration()
	return f.Error() == nil && len(f.Configuration().Servers) > 0
}

// requestJoin asks the cluster, through addr, to add this node; fresh says
// it has no Raft state.
func (n *Node) requestJoin(addr string, fresh bool) bool {
	ctx, cancel := context.WithTimeout(context.Background(), joinTimeout)
	defer cancel()
	var out AdminReply
	args := AdminArgs{Op: "join", ID: n.cfg.ID, Addr: n.advertise, Voter: !n.cfg.NonVoter, ClusterID: n.ClusterID(), Fresh: fresh}
	if err := n.peers.call(ctx, addr, "Admin", args, &out); err != nil {
		n.log.Debug("join request failed", "via", addr, "err", err)
		return false
	}
	if err := errOf(out.Code, out.Msg); err != nil {
		n.log.Warn("join refused", "via", addr, "err", err)
		return false
	}
	n.log.Info("joined the cluster", "via", addr, "voter", !n.cfg.NonVoter)
	return true
}

// ensureMembership checks with the cluster that this restarted node is a
// member at its current address, and joins again if it is not.
func (n *Node) ensureMembership() bool {
	for _, st := range n.askPeers() {
		if st.LeaderID == "" || !st.HasState {
			continue
		}
		if st.ClusterID != "" && n.ClusterID() != "" && st.ClusterID != n.ClusterID() {
			n.log.Error("join addresses belong to another cluster; not joining", "their_cluster", st.ClusterID, "our_cluster", n.ClusterID())
			return true
		}
		for _, m := range st.Members {
			if m.ID != n.cfg.ID {
				continue
			}
			if m.Addr == n.advertise {
				return true
			}
			n.log.Info("updating this node's address in the cluster", "old", m.Addr, "new", n.advertise)
			return n.requestJoin(st.RaftAddr, false)
		}
		// A removed node stays out until an operator adds it back (RAFT
		// ADD-VOTER) or it starts over with an empty data dir: a crash
		// loop must not undo a scale-down.
		n.log.Warn("this node is not a member of the cluster (it was removed); not rejoining", "leader", st.LeaderID)
		return true
	}
	return false
}
