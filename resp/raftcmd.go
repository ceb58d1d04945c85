package resp

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redraft/redraft/cluster"
	"github.com/redraft/redraft/reply"
)

// raftHelp is RAFT HELP's reply, one line per subcommand.
var raftHelp = []string{
	"RAFT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"LEADER",
	"    Return the ID of the current leader, or nil when none is known.",
	"NODES",
	"    Return every member: id, raft address, client address, voter, state, applied index.",
	"STATUS",
	"    Return this node's Raft state.",
	"ADD-VOTER <id> <raft-address>",
	"    Add a voter (it joins as a non-voter and is promoted once caught up).",
	"ADD-NONVOTER <id> <raft-address>",
	"    Add a non-voting read replica.",
	"REMOVE <id>",
	"    Remove a member.",
	"TRANSFER-LEADERSHIP [<id>]",
	"    Hand leadership to <id>, or to the most up-to-date voter.",
	"SNAPSHOT",
	"    Take a snapshot of this node's state now.",
	"HELP",
	"    Print this help.",
}

// adminTimeout bounds a membership change requested by a client.
const adminTimeout = 2 * time.Minute

// cmdRaft is the Raft administration command. Membership changes run on the
// leader whichever node receives them.
func cmdRaft(c *conn, args [][]byte) reply.Value {
	sub := strings.ToLower(string(args[1]))
	argc := len(args) - 2
	switch {
	case sub == "help" && argc == 0:
		lines := make([]reply.Value, len(raftHelp))
		for i, l := range raftHelp {
			lines[i] = reply.Simple(l)
		}
		return reply.Array(lines)
	case sub == "snapshot" && argc == 0:
		if err := c.srv.node.Snapshot(); err != nil {
			return errorReply(err)
		}
		return reply.OK()
	case sub == "leader" && argc == 0:
		id, _ := c.srv.node.Leader()
		if id == "" {
			return reply.Null()
		}
		return reply.BulkString(id)
	case sub == "nodes" && argc == 0:
		return raftNodes(c.srv.node)
	case sub == "status" && argc == 0:
		return statusReply(c.srv.node.Status(), true)
	case (sub == "add-voter" || sub == "add-nonvoter") && argc == 2:
		return raftAdmin(c, cluster.AdminArgs{Op: sub, ID: string(args[2]), Addr: string(args[3])})
	case sub == "remove" && argc == 1:
		return raftAdmin(c, cluster.AdminArgs{Op: "remove", ID: string(args[2])})
	case sub == "transfer-leadership" && argc <= 1:
		a := cluster.AdminArgs{Op: "transfer"}
		if argc == 1 {
			a.ID = string(args[2])
		}
		return raftAdmin(c, a)
	case sub == "leader" || sub == "nodes" || sub == "status" || sub == "snapshot" || sub == "help" ||
		sub == "add-voter" || sub == "add-nonvoter" || sub == "remove" || sub == "transfer-leadership":
		return reply.Err("ERR wrong number of arguments for 'raft|" + sub + "' command")
	}
	return reply.Err("ERR unknown subcommand '" + string(args[1]) + "'. Try RAFT HELP.")
}

func raftAdmin(c *conn, a cluster.AdminArgs) reply.Value {
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	if err := c.srv.node.Admin(ctx, a); err != nil {
		return errorReply(err)
	}
	return reply.OK()
}

// raftNodes reports every member with what it says about itself; a member
// that does not answer is reported unreachable.
func raftNodes(n *cluster.Node) reply.Value {
	members, err := n.Members()
	if err != nil {
		return errorReply(err)
	}
	statuses := make([]cluster.Status, len(members))
	reached := make([]bool, len(members))
	var wg sync.WaitGroup
	for i, m := range members {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			st, err := n.PeerStatus(ctx, m.Addr)
			statuses[i], reached[i] = st, err == nil
		}()
	}
	wg.Wait()
	out := make([]reply.Value, len(members))
	for i, m := range members {
		state := "unreachable"
		if reached[i] {
			state = strings.ToLower(statuses[i].State)
		}
		out[i] = reply.Map([]reply.Value{
			reply.BulkString("id"), reply.BulkString(m.ID),
			reply.BulkString("raft-addr"), reply.BulkString(m.Addr),
			reply.BulkString("addr"), reply.BulkString(statuses[i].RESPAddr),
			reply.BulkString("voter"), reply.Int(boolToInt(m.Voter)),
			reply.BulkString("leader"), reply.Int(boolToInt(m.Leader)),
			reply.BulkString("state"), reply.BulkString(state),
			reply.BulkString("applied"), reply.Int(int64(statuses[i].Applied)),
		})
	}
	return reply.Array(out)
}

func statusReply(st cluster.Status, withMembers bool) reply.Value {
	fields := []reply.Value{
		reply.BulkString("id"), reply.BulkString(st.ID),
		reply.BulkString("cluster-id"), reply.BulkString(st.ClusterID),
		reply.BulkString("state"), reply.BulkString(strings.ToLower(st.State)),
		reply.BulkString("term"), reply.Int(int64(st.Term)),
		reply.BulkString("leader"), reply.BulkString(st.LeaderID),
		reply.BulkString("leader-raft-addr"), reply.BulkString(st.Leader),
		reply.BulkString("commit"), reply.Int(int64(st.Commit)),
		reply.BulkString("applied"), reply.Int(int64(st.Applied)),
		reply.BulkString("last-contact-ms"), reply.Int(st.LastContactMs),
	}
	if withMembers {
		fields = append(fields, reply.BulkString("members"), reply.Int(int64(len(st.Members))))
	}
	return reply.Map(fields)
}

func boolToInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// replicationInfo is INFO's Replication section.
func (s *Server) replicationInfo() [][2]string {
	st := s.node.Status()
	role := "slave"
	if st.State == "Leader" {
		role = "master"
	}
	voters := 0
	for _, m := range st.Members {
		if m.Voter {
			voters++
		}
	}
	fields := [][2]string{{"role", role}}
	if role == "slave" {
		link := "down"
		if st.LeaderID != "" && s.node.StaleRead() == nil {
			link = "up"
		}
		fields = append(fields, [2]string{"master_link_status", link},
			[2]string{"master_last_io_seconds_ago", strconv.FormatInt(st.LastContactMs/1000, 10)})
	} else {
		fields = append(fields, [2]string{"connected_slaves", strconv.Itoa(max(len(st.Members)-1, 0))})
	}
	lag := int64(st.Commit) - int64(st.Applied)
	fields = append(fields,
		[2]string{"raft_node_id", st.ID}, [2]string{"raft_cluster_id", st.ClusterID},
		[2]string{"raft_state", st.State}, [2]string{"raft_term", strconv.FormatUint(st.Term, 10)},
		[2]string{"raft_leader_id", st.LeaderID}, [2]string{"raft_leader_addr", st.Leader},
		[2]string{"raft_commit_index", strconv.FormatUint(st.Commit, 10)},
		[2]string{"raft_applied_index", strconv.FormatUint(st.Applied, 10)},
		[2]string{"raft_apply_lag", strconv.FormatInt(max(lag, 0), 10)},
		[2]string{"raft_members", strconv.Itoa(len(st.Members))}, [2]string{"raft_voters", strconv.Itoa(voters)},
	)
	for i, m := range st.Members {
		fields = append(fields, [2]string{"raft_member" + strconv.Itoa(i),
			"id=" + m.ID + ",addr=" + m.Addr + ",voter=" + strconv.FormatBool(m.Voter) + ",leader=" + strconv.FormatBool(m.Leader)})
	}
	return fields
}
