package resp

import (
	"context"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/redraft/redraft/fsm"
	"github.com/redraft/redraft/reply"
)

// serverCommand is a command the connection handles itself rather than the
// state machine: connection state, transactions, introspection.
type serverCommand struct {
	name  string
	arity int
	flags fsm.Flags
	// noAuth commands run before AUTH; immediate ones run even inside
	// MULTI instead of being queued; loadingOK ones run while the node is
	// still replaying its log (others get -LOADING, as in Redis).
	noAuth, immediate, loadingOK bool
	// firstKey, lastKey and step locate the keys for COMMAND, as in
	// fsm.Command (SSUBSCRIBE's shard channels are keys in Redis).
	firstKey, lastKey, step int
	run                     func(c *conn, args [][]byte) reply.Value
}

func serverCommands() map[string]*serverCommand {
	list := []*serverCommand{
		{name: "ping", arity: -1, flags: fsm.FlagFast, run: cmdPing},
		{name: "echo", arity: 2, flags: fsm.FlagFast, run: func(_ *conn, a [][]byte) reply.Value { return reply.Bulk(a[1]) }},
		{name: "quit", loadingOK: true, arity: -1, flags: fsm.FlagFast, noAuth: true, immediate: true, run: cmdQuit},
		{name: "reset", loadingOK: true, arity: 1, flags: fsm.FlagFast, noAuth: true, immediate: true, run: cmdReset},
		{name: "hello", loadingOK: true, arity: -1, flags: fsm.FlagFast, noAuth: true, run: cmdHello},
		{name: "auth", loadingOK: true, arity: -2, flags: fsm.FlagFast, noAuth: true, run: cmdAuth},
		{name: "select", loadingOK: true, arity: 2, flags: fsm.FlagFast, run: cmdSelect},
		{name: "client", loadingOK: true, arity: -2, run: cmdClient},
		{name: "info", loadingOK: true, arity: -1, run: cmdInfo},
		{name: "command", loadingOK: true, arity: -1, run: cmdCommand},
		{name: "config", loadingOK: true, arity: -2, flags: fsm.FlagAdmin, run: cmdConfig},
		{name: "time", loadingOK: true, arity: 1, flags: fsm.FlagFast, run: cmdTime},
		{name: "multi", arity: 1, flags: fsm.FlagFast, immediate: true, run: cmdMulti},
		{name: "exec", arity: 1, immediate: true, run: cmdExec},
		{name: "discard", arity: 1, flags: fsm.FlagFast, immediate: true, run: cmdDiscard},
		{name: "watch", arity: -2, flags: fsm.FlagFast, immediate: true, run: cmdWatch},
		{name: "unwatch", arity: 1, flags: fsm.FlagFast, run: cmdUnwatch},
		{name: "save", arity: 1, flags: fsm.FlagAdmin, run: cmdSave},
		{name: "bgsave", arity: -1, flags: fsm.FlagAdmin, run: cmdSave},
		{name: "lastsave", arity: 1, run: cmdLastSave},
		{name: "raft", loadingOK: true, arity: -2, flags: fsm.FlagAdmin, run: cmdRaft},
		{name: "readonly", loadingOK: true, arity: 1, flags: fsm.FlagFast, run: cmdReadOnly},
		{name: "readwrite", loadingOK: true, arity: 1, flags: fsm.FlagFast, run: cmdReadWrite},
	}
	list = append(list, pubsubServerCommands()...)
	m := make(map[string]*serverCommand, len(list))
	for _, c := range list {
		m[c.name] = c
	}
	return m
}

func cmdPing(c *conn, args [][]byte) reply.Value {
	if c.proto == 2 && c.subs.total() > 0 && len(args) <= 2 {
		return pongWhileSubscribed(args)
	}
	switch len(args) {
	case 1:
		return reply.Simple("PONG")
	case 2:
		return reply.Bulk(args[1])
	}
	return reply.Err("ERR wrong number of arguments for 'ping' command")
}

func cmdQuit(c *conn, _ [][]byte) reply.Value {
	c.quit = true
	return reply.OK()
}

func cmdReset(c *conn, _ [][]byte) reply.Value {
	c.resetMulti()
	c.watches = nil
	c.db = 0
	c.srv.pubsub.removeAll(c)
	c.setProto(2)
	c.mu.Lock()
	c.name = ""
	c.mu.Unlock()
	c.authed = c.srv.cfg.RequirePass == ""
	c.rd.SetAuthenticated(c.authed)
	return reply.Simple("RESET")
}

func parseDB(b []byte) (int, *reply.Value) {
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil || (len(b) > 1 && (b[0] == '0' || b[0] == '+')) {
		e := reply.Err("ERR value is not an integer or out of range")
		return 0, &e
	}
	if n < math.MinInt32 || n > math.MaxInt32 {
		e := reply.Err("ERR value is out of range, value must between -2147483648 and 2147483647")
		return 0, &e
	}
	if n < 0 || n >= fsm.NumDBs {
		e := reply.Err("ERR DB index is out of range")
		return 0, &e
	}
	return int(n), nil
}

func cmdSelect(c *conn, args [][]byte) reply.Value {
	n, errv := parseDB(args[1])
	if errv != nil {
		return *errv
	}
	c.db = n
	return reply.OK()
}

var errWrongPass = reply.Err("WRONGPASS invalid username-password pair or user is disabled.")

// checkAuth validates AUTH/HELLO credentials; only the default user exists.
func (c *conn) checkAuth(user, pass []byte) *reply.Value {
	if c.srv.cfg.RequirePass == "" {
		if user == nil {
			e := reply.Err("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")
			return &e
		}
		if string(user) == "default" {
			c.authed = true
			return nil
		}
		return &errWrongPass
	}
	if (user == nil || string(user) == "default") && string(pass) == c.srv.cfg.RequirePass {
		c.authed = true
		c.rd.SetAuthenticated(true)
		return nil
	}
	return &errWrongPass
}

func cmdAuth(c *conn, args [][]byte) reply.Value {
	var errv *reply.Value
	switch len(args) {
	case 2:
		errv = c.checkAuth(nil, args[1])
	case 3:
		errv = c.checkAuth(args[1], args[2])
	default:
		return errSyntax
	}
	if errv != nil {
		return *errv
	}
	return reply.OK()
}

var errSyntax = reply.Err("ERR syntax error")

func cmdHello(c *conn, args [][]byte) reply.Value {
	proto := c.proto
	if len(args) >= 2 {
		v, err := strconv.ParseInt(string(args[1]), 10, 64)
		if err != nil {
			return reply.Err("ERR Protocol version is not an integer or out of range")
		}
		if v < 2 || v > 3 {
			return reply.Err("NOPROTO unsupported protocol version")
		}
		proto = int(v)
	}
	var name []byte
	setName := false
	for i := 2; i < len(args); i++ {
		opt := strings.ToLower(string(args[i]))
		switch {
		case opt == "auth" && i+2 < len(args):
			if errv := c.checkAuth(args[i+1], args[i+2]); errv != nil {
				return *errv
			}
			i += 2
		case opt == "setname" && i+1 < len(args):
			if errv := validClientName(args[i+1]); errv != nil {
				return *errv
			}
			name, setName = args[i+1], true
			i++
		default:
			return reply.Err("ERR Syntax error in HELLO option '" + string(args[i]) + "'")
		}
	}
	if !c.authed {
		return reply.Err("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")
	}
	c.setProto(proto)
	if setName {
		c.mu.Lock()
		c.name = string(name)
		c.mu.Unlock()
	}
	return reply.Map([]reply.Value{
		reply.BulkString("server"), reply.BulkString("redis"),
		reply.BulkString("version"), reply.BulkString(redisVersion),
		reply.BulkString("proto"), reply.Int(int64(proto)),
		reply.BulkString("id"), reply.Int(c.id),
		reply.BulkString("mode"), reply.BulkString("standalone"),
		reply.BulkString("role"), reply.BulkString(c.srv.role()),
		reply.BulkString("modules"), reply.Array(nil),
	})
}

func cmdTime(_ *conn, _ [][]byte) reply.Value {
	now := time.Now()
	return reply.Array([]reply.Value{
		reply.BulkString(strconv.FormatInt(now.Unix(), 10)),
		reply.BulkString(strconv.FormatInt(int64(now.Nanosecond()/1000), 10)),
	})
}

func cmdMulti(c *conn, _ [][]byte) reply.Value {
	if c.multi {
		return reply.Err("ERR MULTI calls can not be nested")
	}
	c.multi = true
	c.queueDB = c.db
	return reply.OK()
}

func (c *conn) resetMulti() {
	c.multi, c.multiDirty = false, false
	c.queue = nil
}

func cmdDiscard(c *conn, _ [][]byte) reply.Value {
	if !c.multi {
		return reply.Err("ERR DISCARD without MULTI")
	}
	c.resetMulti()
	c.watches = nil
	return reply.OK()
}

func cmdWatch(c *conn, args [][]byte) reply.Value {
	if c.multi {
		return reply.Err("ERR WATCH inside MULTI is not allowed")
	}
	if !c.srv.node.IsReady() {
		return errorReply(errLoading)
	}
	c.settle()
	if err := c.srv.node.LinearizableRead(context.Background()); err != nil {
		return errorReply(err)
	}
	now := time.Now().UnixMilli()
	for _, k := range args[1:] {
		ver, since := c.srv.store.WatchVersion(c.db, k, now)
		c.watches = append(c.watches, fsm.Watch{DB: c.db, Key: k, Ver: ver, Since: since})
	}
	return reply.OK()
}

func cmdUnwatch(c *conn, _ [][]byte) reply.Value {
	c.watches = nil
	return reply.OK()
}

// cmdExec proposes the queued data commands as one log entry, so the block
// applies atomically on every replica; queued connection commands (PING,
// SELECT, ...) run here and their replies take their places in the array.
func cmdExec(c *conn, _ [][]byte) reply.Value {
	if !c.multi {
		return reply.Err("ERR EXEC without MULTI")
	}
	queue, watches, dirty, db := c.queue, c.watches, c.multiDirty, c.queueDB
	c.resetMulti()
	c.watches = nil
	if dirty {
		return reply.Err("EXECABORT Transaction discarded because of previous errors.")
	}
	var cmds []fsm.Cmd
	for _, q := range queue {
		if q.local == nil {
			cmds = append(cmds, fsm.Cmd{DB: q.db, Args: q.args})
		}
	}
	var results []reply.Value
	if len(cmds) > 0 || len(watches) > 0 {
		if !c.srv.node.IsReady() {
			return errorReply(errLoading)
		}
		c.settle()
		v, err := c.propose(&fsm.Entry{Type: fsm.EntryExec, Cmds: cmds, Watches: watches}).Await()
		if err != nil {
			return errorReply(err)
		}
		if v.Kind == reply.KindNullArray {
			return v
		}
		results = v.Elems
	}
	c.db = db
	out := make([]reply.Value, 0, len(queue))
	for _, q := range queue {
		if q.local != nil {
			if q.local.name == "select" {
				if _, errv := parseDB(q.args[1]); errv != nil {
					out = append(out, *errv)
				} else {
					out = append(out, reply.OK())
				}
				continue
			}
			out = append(out, q.local.run(c, q.args))
			continue
		}
		out = append(out, c.srv.pubsub.publishReply(q.args, results[0]))
		results = results[1:]
	}
	return reply.Array(out)
}

func cmdSave(c *conn, args [][]byte) reply.Value {
	if err := c.srv.node.Snapshot(); err != nil {
		return errorReply(err)
	}
	if fsm.LowerName(args[0]) == "bgsave" {
		return reply.Simple("Background saving started")
	}
	return reply.OK()
}

func cmdLastSave(c *conn, _ [][]byte) reply.Value {
	return reply.Int(c.srv.lastSave().Unix())
}

// cmdReadOnly switches the connection to stale reads served from the local
// state (Redis Cluster's command for reading from replicas).
func cmdReadOnly(c *conn, _ [][]byte) reply.Value {
	c.readonly = true
	return reply.OK()
}

// cmdReadWrite switches the connection back to linearizable reads.
func cmdReadWrite(c *conn, _ [][]byte) reply.Value {
	c.readonly = false
	return reply.OK()
}
