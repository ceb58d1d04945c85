package resp

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/raft"

	"github.com/redraft/redraft/cluster"
	"github.com/redraft/redraft/fsm"
	"github.com/redraft/redraft/reply"
)

// redisVersion is the Redis version whose behaviour Redraft reproduces;
// clients such as Huey check it.
const redisVersion = "7.0.15"

var errLoading = cluster.ErrLoading

func (s *Server) role() string {
	if s.node.State() == raft.Leader {
		return "master"
	}
	return "replica"
}

func (s *Server) lastSave() time.Time { return s.node.LastSnapshotTime(s.started) }

func validClientName(name []byte) *reply.Value {
	for _, ch := range name {
		if ch < '!' || ch > '~' {
			e := reply.Err("ERR Client names cannot contain spaces, newlines or special characters.")
			return &e
		}
	}
	return nil
}

func cmdClient(c *conn, args [][]byte) reply.Value {
	sub := strings.ToLower(string(args[1]))
	switch {
	case sub == "setname" && len(args) == 3:
		if errv := validClientName(args[2]); errv != nil {
			return *errv
		}
		c.mu.Lock()
		c.name = string(args[2])
		c.mu.Unlock()
		return reply.OK()
	case sub == "getname" && len(args) == 2:
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.name == "" {
			return reply.Null()
		}
		return reply.BulkString(c.name)
	case sub == "id" && len(args) == 2:
		return reply.Int(c.id)
	case sub == "setinfo" && len(args) == 4:
		attr := strings.ToLower(string(args[2]))
		for _, ch := range args[3] {
			if ch < '!' || ch > '~' {
				return reply.Err("ERR " + strings.ToUpper(attr) + " cannot contain spaces, newlines or special characters.")
			}
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		switch attr {
		case "lib-name":
			c.libName = string(args[3])
		case "lib-ver":
			c.libVer = string(args[3])
		default:
			return reply.Err("ERR Unrecognized option '" + string(args[2]) + "'")
		}
		return reply.OK()
	case sub == "info" && len(args) == 2:
		return reply.Verbatim(c.describe() + "\n")
	case sub == "list":
		var b strings.Builder
		for _, o := range c.srv.clientList() {
			b.WriteString(o.describe())
			b.WriteByte('\n')
		}
		return reply.Verbatim(b.String())
	case (sub == "no-evict" || sub == "no-touch") && len(args) == 3:
		return reply.OK()
	case sub == "help":
		return reply.Array([]reply.Value{reply.Simple("CLIENT <subcommand> [<arg> ...]. Subcommands are: SETNAME GETNAME ID SETINFO INFO LIST")})
	}
	if len(args) > 2 && (sub == "setname" || sub == "getname" || sub == "id" || sub == "info" || sub == "setinfo") || sub == "setinfo" || sub == "setname" {
		return reply.Err("ERR wrong number of arguments for 'client|" + sub + "' command")
	}
	return reply.Err("ERR unknown subcommand '" + string(args[1]) + "'. Try CLIENT HELP.")
}

// describe is this connection's CLIENT LIST line.
func (c *conn) describe() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	sub, psub, ssub := c.srv.pubsub.counts(c)
	flags := ""
	if sub+psub+ssub > 0 {
		flags += "P"
	}
	if c.multi {
		flags += "x"
	}
	if flags == "" {
		flags = "N"
	}
	return fmt.Sprintf("id=%d addr=%s laddr=%s fd=0 name=%s age=%d idle=0 flags=%s db=%d sub=%d psub=%d ssub=%d multi=%d qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd=%s user=default redir=-1 resp=%d lib-name=%s lib-ver=%s",
		c.id, c.nc.RemoteAddr(), c.nc.LocalAddr(), c.name, int(time.Since(c.born).Seconds()), flags, c.db, sub, psub, ssub, multiLen(c), c.lastCmd, c.proto, c.libName, c.libVer)
}

func multiLen(c *conn) int {
	if !c.multi {
		return -1
	}
	return len(c.queue)
}

func cmdInfo(c *conn, args [][]byte) reply.Value {
	want := map[string]bool{}
	for _, a := range args[1:] {
		want[strings.ToLower(string(a))] = true
	}
	all := len(want) == 0 || want["all"] || want["everything"] || want["default"]
	var b strings.Builder
	for _, sec := range c.srv.infoSections() {
		if !all && !want[strings.ToLower(sec.name)] {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\r\n")
		}
		b.WriteString("# " + sec.name + "\r\n")
		for _, kv := range sec.fields {
			b.WriteString(kv[0] + ":" + kv[1] + "\r\n")
		}
	}
	return reply.Verbatim(b.String())
}

type infoSection struct {
	name   string
	fields [][2]string
}

func (s *Server) infoSections() []infoSection {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	stats := s.node.Stats()
	uptime := int64(time.Since(s.started).Seconds())
	clients := len(s.clientList())
	channels, patterns, shard := s.pubsub.totals()
	keyspace := []infoSection{{name: "Keyspace"}}
	for i, n := range s.store.KeyCounts() {
		if n.Keys > 0 {
			keyspace[0].fields = append(keyspace[0].fields, [2]string{"db" + strconv.Itoa(i), fmt.Sprintf("keys=%d,expires=%d,avg_ttl=0", n.Keys, n.Expires)})
		}
	}
	return append([]infoSection{
		{"Server", [][2]string{
			{"redis_version", redisVersion}, {"redraft_version", Version}, {"redis_mode", "standalone"},
			{"os", runtime.GOOS + " " + runtime.GOARCH}, {"arch_bits", "64"}, {"process_id", strconv.Itoa(os.Getpid())},
			{"run_id", s.cfg.NodeID}, {"tcp_port", strconv.Itoa(s.cfg.Port)},
			{"uptime_in_seconds", strconv.FormatInt(uptime, 10)}, {"uptime_in_days", strconv.FormatInt(uptime/86400, 10)},
			{"executable", os.Args[0]},
		}},
		{"Clients", [][2]string{{"connected_clients", strconv.Itoa(clients)}, {"blocked_clients", strconv.FormatInt(s.hub.count.Load(), 10)}, {"maxclients", "10000"}}},
		{"Memory", [][2]string{
			{"used_memory", strconv.FormatUint(ms.HeapAlloc, 10)}, {"used_memory_human", humanBytes(ms.HeapAlloc)},
			{"used_memory_rss", strconv.FormatUint(ms.Sys, 10)}, {"maxmemory", "0"}, {"maxmemory_policy", "noeviction"},
		}},
		{"Persistence", [][2]string{
			{"loading", boolInt(!s.node.IsReady())}, {"rdb_last_save_time", strconv.FormatInt(s.lastSave().Unix(), 10)},
			{"aof_enabled", "0"}, {"raft_last_snapshot_index", stats["last_snapshot_index"]},
			{"raft_last_log_index", stats["last_log_index"]},
		}},
		{"Stats", [][2]string{
			{"total_connections_received", strconv.FormatInt(s.connsTotal.Load(), 10)},
			{"total_commands_processed", strconv.FormatInt(s.cmdsTotal.Load(), 10)},
			{"rejected_calls", strconv.FormatInt(s.rejectTotal.Load(), 10)},
			{"pubsub_channels", strconv.Itoa(channels)},
			{"pubsub_patterns", strconv.Itoa(patterns)},
			{"pubsubshard_channels", strconv.Itoa(shard)},
		}},
		{"Replication", s.replicationInfo()},
	}, keyspace...)
}

func boolInt(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func humanBytes(n uint64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2fG", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.2fM", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.2fK", float64(n)/(1<<10))
	}
	return strconv.FormatUint(n, 10) + "B"
}

// commandInfo is one COMMAND reply entry in Redis 7's shape.
func commandInfo(name string, arity int, flags fsm.Flags, first, last, step int) reply.Value {
	var fl []reply.Value
	for _, f := range flags.FlagNames() {
		fl = append(fl, reply.Simple(f))
	}
	return reply.Array([]reply.Value{
		reply.BulkString(name), reply.Int(int64(arity)), reply.Set(fl),
		reply.Int(int64(first)), reply.Int(int64(last)), reply.Int(int64(step)),
		reply.Set(nil), reply.Set(nil), reply.Array(nil), reply.Array(nil),
	})
}

func (s *Server) commandNames() []string {
	names := make([]string, 0, len(s.cmds)+len(s.store.Commands()))
	for n := range s.cmds {
		names = append(names, n)
	}
	for n := range s.store.Commands() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (s *Server) commandInfoFor(name string) (reply.Value, bool) {
	if sc := s.cmds[name]; sc != nil {
		return commandInfo(sc.name, sc.arity, sc.flags, sc.firstKey, sc.lastKey, sc.step), true
	}
	if dc := s.store.Lookup(name); dc != nil {
		return commandInfo(dc.Name, dc.Arity, dc.Flags, dc.FirstKey, dc.LastKey, dc.Step), true
	}
	return reply.Null(), false
}

func cmdCommand(c *conn, args [][]byte) reply.Value {
	if len(args) == 1 {
		var out []reply.Value
		for _, n := range c.srv.commandNames() {
			v, _ := c.srv.commandInfoFor(n)
			out = append(out, v)
		}
		return reply.Array(out)
	}
	switch sub := strings.ToLower(string(args[1])); sub {
	case "count":
		return reply.Int(int64(len(c.srv.commandNames())))
	case "info":
		names := args[2:]
		if len(names) == 0 {
			var out []reply.Value
			for _, n := range c.srv.commandNames() {
				v, _ := c.srv.commandInfoFor(n)
				out = append(out, v)
			}
			return reply.Array(out)
		}
		out := make([]reply.Value, len(names))
		for i, n := range names {
			out[i], _ = c.srv.commandInfoFor(fsm.LowerName(n))
		}
		return reply.Array(out)
	case "docs":
		// redis-cli asks for docs to build its hints; it copes with none.
		return reply.Map(nil)
	case "list":
		var out []reply.Value
		for _, n := range c.srv.commandNames() {
			out = append(out, reply.BulkString(n))
		}
		return reply.Array(out)
	case "getkeys":
		if len(args) < 3 {
			return reply.Err("ERR wrong number of arguments for 'command|getkeys' command")
		}
		dc := c.srv.store.Lookup(fsm.LowerName(args[2]))
		if dc == nil {
			return reply.Err("ERR Invalid command specified")
		}
		var keys [][]byte
		if dc.Flags&fsm.FlagPubSub == 0 { // SPUBLISH's shard channel is no key
			keys = dc.Keys(args[2:])
		}
		if len(keys) == 0 {
			return reply.Err("ERR The command has no key arguments")
		}
		return reply.BulkStrings(keys)
	}
	return reply.Err("ERR unknown subcommand '" + string(args[1]) + "'. Try COMMAND HELP.")
}

// cmdConfig answers CONFIG GET for the settings clients commonly read, and
// accepts CONFIG SET only for settings that have no effect on a Raft node.
func cmdConfig(c *conn, args [][]byte) reply.Value {
	sub := strings.ToLower(string(args[1]))
	switch sub {
	case "get":
		if len(args) < 3 {
			return reply.Err("ERR wrong number of arguments for 'config|get' command")
		}
		params := c.srv.configParams()
		names := make([]string, 0, len(params))
		for k := range params {
			names = append(names, k)
		}
		sort.Strings(names)
		var out []reply.Value
		seen := map[string]bool{}
		for _, pat := range args[2:] {
			for _, k := range names {
				if !seen[k] && fsm.GlobMatch(pat, []byte(k), true) {
					seen[k] = true
					out = append(out, reply.BulkString(k), reply.BulkString(params[k]))
				}
			}
		}
		return reply.Map(out)
	case "resetstat":
		return reply.OK()
	case "set":
		if len(args) < 4 || len(args)%2 != 0 {
			return reply.Err("ERR wrong number of arguments for 'config|set' command")
		}
		return reply.Err("ERR Unknown option or number of arguments for CONFIG SET - '" + string(args[2]) + "'")
	}
	return reply.Err("ERR unknown subcommand '" + string(args[1]) + "'. Try CONFIG HELP.")
}

func (s *Server) configParams() map[string]string {
	return map[string]string{
		"databases": strconv.Itoa(fsm.NumDBs), "maxmemory": "0", "maxmemory-policy": "noeviction",
		"save": "", "appendonly": "no", "timeout": "0", "port": strconv.Itoa(s.cfg.Port),
		"bind": "", "dir": s.cfg.DataDir, "proto-max-bulk-len": strconv.FormatInt(s.cfg.MaxBulkLen, 10),
		"maxclients": "10000", "notify-keyspace-events": "", "cluster-enabled": "no",
		"requirepass": "", "lua-time-limit": "5000", "busy-reply-threshold": "5000",
		"slowlog-log-slower-than": "10000", "slowlog-max-len": "128", "tcp-keepalive": "300",
		"list-max-listpack-size": "-2", "hash-max-listpack-entries": "128", "set-max-intset-entries": "512",
		"zset-max-listpack-entries": "128", "appendfsync": "everysec",
	}
}
