package resp

import (
	"slices"
	"strings"

	"github.com/redraft/redraft/fsm"
	"github.com/redraft/redraft/reply"
)

// The Pub/Sub commands of the connection: (P|S)SUBSCRIBE,
// (P|S)UNSUBSCRIBE and PUBSUB. PUBLISH and SPUBLISH are data commands
// (fsm/cmd_pubsub.go) that conn.publish proposes.

func pubsubServerCommands() []*serverCommand {
	f := fsm.FlagPubSub | fsm.FlagNoScript | fsm.FlagLoading | fsm.FlagStale
	return []*serverCommand{
		{name: "subscribe", arity: -2, flags: f, loadingOK: true, run: subscribeCommand(subChannel)},
		{name: "psubscribe", arity: -2, flags: f, loadingOK: true, run: subscribeCommand(subPattern)},
		{name: "ssubscribe", arity: -2, flags: f, loadingOK: true, firstKey: 1, lastKey: -1, step: 1, run: subscribeCommand(subShard)},
		{name: "unsubscribe", arity: -1, flags: f, loadingOK: true, run: unsubscribeCommand(subChannel)},
		{name: "punsubscribe", arity: -1, flags: f, loadingOK: true, run: unsubscribeCommand(subPattern)},
		{name: "sunsubscribe", arity: -1, flags: f, loadingOK: true, firstKey: 1, lastKey: -1, step: 1, run: unsubscribeCommand(subShard)},
		{name: "pubsub", arity: -2, loadingOK: true, run: cmdPubSub},
	}
}

func subscribeCommand(k subKind) func(*conn, [][]byte) reply.Value {
	return func(c *conn, args [][]byte) reply.Value { return c.subscribe(k, args[1:]) }
}

func unsubscribeCommand(k subKind) func(*conn, [][]byte) reply.Value {
	return func(c *conn, args [][]byte) reply.Value { return c.unsubscribe(k, args[1:]) }
}

// subscribe answers with one confirmation per name, already subscribed or
// not, each with the connection's subscription count after it.
func (c *conn) subscribe(k subKind, names [][]byte) reply.Value {
	c.startPushes()
	frames := make([]reply.Value, 0, len(names))
	for _, n := range names {
		c.srv.pubsub.add(c, k, string(n))
		frames = append(frames, confirmation(subKindNames[k].subscribe, reply.Bulk(n), c.subs.count(k)))
	}
	return reply.Frames(frames)
}

// unsubscribe without names drops every subscription of kind k, and with
// none answers a single confirmation with a null name, as Redis does.
func (c *conn) unsubscribe(k subKind, names [][]byte) reply.Value {
	word := subKindNames[k].unsubscribe
	if len(names) == 0 {
		all := c.subs.ordered(k)
		if len(all) == 0 {
			return reply.Frames([]reply.Value{confirmation(word, reply.Null(), c.subs.count(k))})
		}
		for _, n := range all {
			names = append(names, []byte(n))
		}
	}
	frames := make([]reply.Value, 0, len(names))
	for _, n := range names {
		c.srv.pubsub.remove(c, k, string(n))
		frames = append(frames, confirmation(word, reply.Bulk(n), c.subs.count(k)))
	}
	return reply.Frames(frames)
}

func confirmation(word string, name reply.Value, count int) reply.Value {
	return reply.Push([]reply.Value{reply.BulkString(word), name, reply.Int(int64(count))})
}

// publish proposes PUBLISH or SPUBLISH. Every node delivers the message
// when it applies the entry; the client gets the number of this node's
// receivers, counted when the reply comes back.
func (c *conn) publish(args [][]byte) pendingReply {
	prop := c.propose(&fsm.Entry{Type: fsm.EntryCommand, Cmds: []fsm.Cmd{{DB: c.db, Args: args}}})
	return pendingReply{prop: prop, finish: func(v reply.Value) reply.Value { return c.srv.pubsub.publishReply(args, v) }}
}

// publishReply replaces the state machine's fixed reply to a PUBLISH or
// SPUBLISH with this node's receiver count; other replies pass unchanged
// (EXEC runs every queued reply through it).
func (h *pubsubHub) publishReply(args [][]byte, v reply.Value) reply.Value {
	name := fsm.LowerName(args[0])
	if (name != "publish" && name != "spublish") || v.IsError() {
		return v
	}
	return reply.Int(int64(h.receivers(name == "spublish", args[1])))
}

// allowedWhileSubscribed are the commands a RESP2 connection in Pub/Sub
// mode may send (RESP3 connections may send any).
var allowedWhileSubscribed = map[string]bool{
	"subscribe": true, "psubscribe": true, "ssubscribe": true,
	"unsubscribe": true, "punsubscribe": true, "sunsubscribe": true,
	"ping": true, "quit": true, "reset": true,
}

// redisSubcommands are Redis 7.0's subcommands of the container commands
// Redraft implements: Redis names a command "container|sub" in errors,
// and refuses an unknown subcommand before anything else.
var redisSubcommands = map[string][]string{
	"client":  {"caching", "getname", "getredir", "help", "id", "info", "kill", "list", "no-evict", "pause", "reply", "setname", "tracking", "trackinginfo", "unblock", "unpause"},
	"command": {"count", "docs", "getkeys", "getkeysandflags", "help", "info", "list"},
	"config":  {"get", "help", "resetstat", "rewrite", "set"},
	"pubsub":  {"channels", "help", "numpat", "numsub", "shardchannels", "shardnumsub"},
	"script":  {"debug", "exists", "flush", "help", "kill", "load"},
}

// refusedWhileSubscribed returns Redis's error for a command that a RESP2
// connection in Pub/Sub mode may not send, or nil.
func (c *conn) refusedWhileSubscribed(name string, args [][]byte) *reply.Value {
	if c.proto != 2 || c.subs.total() == 0 || allowedWhileSubscribed[name] {
		return nil
	}
	full := name
	if subs, ok := redisSubcommands[name]; ok && len(args) > 1 {
		sub := strings.ToLower(string(args[1]))
		if !slices.Contains(subs, sub) {
			e := unknownSubcommand(args[1], name)
			return &e
		}
		full += "|" + sub
	}
	e := reply.Err("ERR Can't execute '" + full + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")
	return &e
}

// pongWhileSubscribed is PING's reply on a RESP2 connection in Pub/Sub
// mode: an array, since a status reply could not be told from a message.
func pongWhileSubscribed(args [][]byte) reply.Value {
	payload := reply.BulkString("")
	if len(args) == 2 {
		payload = reply.Bulk(args[1])
	}
	return reply.Array([]reply.Value{reply.BulkString("pong"), payload})
}

func unknownSubcommand(sub []byte, container string) reply.Value {
	return reply.Err("ERR unknown subcommand '" + truncate128(sub) + "'. Try " + strings.ToUpper(container) + " HELP.")
}

func truncate128(b []byte) string {
	if len(b) > 128 {
		b = b[:128]
	}
	return string(b)
}

var pubsubHelp = []string{
	"PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"CHANNELS [<pattern>]",
	"    Return the currently active channels matching a <pattern> (default: '*').",
	"NUMPAT",
	"    Return number of subscriptions to patterns.",
	"NUMSUB [<channel> ...]",
	"    Return the number of subscribers for the specified channels, excluding",
	"    pattern subscriptions(default: no channels).",
	"SHARDCHANNELS [<pattern>]",
	"    Return the currently active shard level channels matching a <pattern> (default: '*').",
	"SHARDNUMSUB [<shardchannel> ...]",
	"    Return the number of subscribers for the specified shard level channel(s)",
	"HELP",
	"    Prints this help.",
}

// cmdPubSub reports this node's subscriptions, as each node of a Redis
// Cluster reports its own.
func cmdPubSub(c *conn, args [][]byte) reply.Value {
	h := c.srv.pubsub
	switch sub := strings.ToLower(string(args[1])); {
	case sub == "help" && len(args) == 2:
		lines := make([]reply.Value, len(pubsubHelp))
		for i, l := range pubsubHelp {
			lines[i] = reply.Simple(l)
		}
		return reply.Array(lines)
	case (sub == "channels" || sub == "shardchannels") && len(args) <= 3:
		k := subChannel
		if sub == "shardchannels" {
			k = subShard
		}
		var pattern []byte
		if len(args) == 3 {
			pattern = args[2]
		}
		var names []reply.Value
		for _, n := range h.active(k, pattern) {
			names = append(names, reply.BulkString(n))
		}
		return reply.Array(names)
	case sub == "numsub" || sub == "shardnumsub":
		k := subChannel
		if sub == "shardnumsub" {
			k = subShard
		}
		out := make([]reply.Value, 0, 2*(len(args)-2))
		for _, n := range args[2:] {
			out = append(out, reply.Bulk(n), reply.Int(int64(h.numSubscribers(k, string(n)))))
		}
		return reply.Array(out)
	case sub == "numpat" && len(args) == 2:
		return reply.Int(int64(h.numPatterns()))
	case sub == "help" || sub == "numpat":
		return reply.Err("ERR wrong number of arguments for 'pubsub|" + sub + "' command")
	case sub == "channels" || sub == "shardchannels":
		return reply.Err("ERR unknown subcommand or wrong number of arguments for '" + truncate128(args[1]) + "'. Try PUBSUB HELP.")
	}
	return unknownSubcommand(args[1], "pubsub")
}
