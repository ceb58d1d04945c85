package fsm

import (
	"strings"

	"github.com/redraft/redraft/reply"
)

// Flags describe a command to the server: how it is routed (a write goes
// through the log, a read is served locally) and what COMMAND reports.
type Flags uint16

const (
	FlagWrite    Flags = 1 << iota // modifies the keyspace: goes through the log
	FlagReadOnly                   // only reads
	FlagDenyOOM                    // may grow memory
	FlagFast                       // O(1) or O(log n)
	FlagAdmin                      // administrative
	FlagNoScript                   // not allowed in scripts
	FlagBlocking                   // may block the client
	FlagRandom                     // reply depends on randomness
	FlagPubSub                     // Pub/Sub: PUBLISH, SPUBLISH (and the connection's SUBSCRIBE & co.)
	FlagLoading                    // allowed while the node loads
	FlagStale                      // allowed on a stale replica
	// FlagMayReplicate marks a command that changes no key but has an
	// effect on every replica (PUBLISH delivers there), so it goes through
	// the log as writes do; COMMAND INFO does not name it (Redis 7.0 does
	// not either).
	FlagMayReplicate
)

// flagNames are the names COMMAND INFO reports, in Redis's order.
var flagNames = []struct {
	f    Flags
	name string
}{
	{FlagWrite, "write"}, {FlagReadOnly, "readonly"}, {FlagDenyOOM, "denyoom"},
	{FlagAdmin, "admin"}, {FlagPubSub, "pubsub"}, {FlagNoScript, "noscript"},
	{FlagBlocking, "blocking"}, {FlagLoading, "loading"}, {FlagStale, "stale"},
	{FlagFast, "fast"},
}

// FlagNames returns the COMMAND INFO flag names of f.
func (f Flags) FlagNames() []string {
	var names []string
	for _, fn := range flagNames {
		if f&fn.f != 0 {
			names = append(names, fn.name)
		}
	}
	return names
}

// Command is one entry of the command table. Arity follows Redis: N means
// exactly N arguments including the name, -N means at least N. FirstKey,
// LastKey and Step locate the keys (LastKey -1 = the last argument).
type Command struct {
	Name                    string
	Arity                   int
	Flags                   Flags
	FirstKey, LastKey, Step int
	Run                     func(c *Ctx, args [][]byte) reply.Value
}

// IsWrite tells whether the command must go through the log: it writes
// keys, or (PUBLISH) acts on every replica. Read-only scripts may call
// neither, as in Redis.
func (cmd *Command) IsWrite() bool { return cmd.Flags&(FlagWrite|FlagMayReplicate) != 0 }

// ArityOK tells whether argc (including the name) satisfies the arity.
func (cmd *Command) ArityOK(argc int) bool {
	if cmd.Arity >= 0 {
		return argc == cmd.Arity
	}
	return argc >= -cmd.Arity
}

// Keys returns the key arguments of args.
func (cmd *Command) Keys(args [][]byte) [][]byte {
	if cmd.FirstKey == 0 || cmd.FirstKey >= len(args) {
		return nil
	}
	last := cmd.LastKey
	if last < 0 {
		last = len(args) + last
	}
	step := max(cmd.Step, 1)
	var keys [][]byte
	for i := cmd.FirstKey; i <= last && i < len(args); i += step {
		keys = append(keys, args[i])
	}
	return keys
}

func commandTable() map[string]*Command {
	groups := [][]*Command{
		keyCommands(), stringCommands(), listCommands(), hashCommands(), setCommands(), zsetCommands(),
		scriptCommands(),
		blockingCommands(), zsetBlockingCommands(),
		pubsubCommands(),
	}
	t := make(map[string]*Command)
	for _, g := range groups {
		for _, c := range g {
			t[c.Name] = c
		}
	}
	return t
}

// LowerName lower-cases an ASCII command name without allocating for names
// that are already lower case.
func LowerName(b []byte) string {
	for _, c := range b {
		if c >= 'A' && c <= 'Z' {
			return strings.ToLower(string(b))
		}
	}
	return string(b)
}

// Redis 7's error replies, worded exactly.
var (
	errWrongType    = reply.Err("WRONGTYPE Operation against a key holding the wrong kind of value")
	errNotInt       = reply.Err("ERR value is not an integer or out of range")
	errNotFloat     = reply.Err("ERR value is not a valid float")
	errSyntax       = reply.Err("ERR syntax error")
	errOverflow     = reply.Err("ERR increment or decrement would overflow")
	errNoSuchKey    = reply.Err("ERR no such key")
	errIndexRange   = reply.Err("ERR index out of range")
	errPositive     = reply.Err("ERR value is out of range, must be positive")
	errDBIndexRange = reply.Err("ERR DB index is out of range")
	errNaN          = reply.Err("ERR increment would produce NaN or Infinity")
)

func wrongArity(name string) reply.Value {
	return reply.Err("ERR wrong number of arguments for '" + strings.ToLower(name) + "' command")
}

// typeName is what TYPE reports for a value.
func typeName(v any) string {
	switch v.(type) {
	case []byte:
		return "string"
	case *deque:
		return "list"
	case *hashValue:
		return "hash"
	case *setValue:
		return "set"
	case *zset:
		return "zset"
	}
	return "none"
}

func cloneValue(v any) any {
	switch x := v.(type) {
	case []byte:
		// Strings are never edited in place; APPEND writes past the end,
		// so clipping the capacity makes the copy's next append allocate
		// instead of writing where the original may append too.
		return x[:len(x):len(x)]
	case *deque:
		return x.Clone()
	case *hashValue:
		return x.Clone()
	case *setValue:
		return x.Clone()
	case *zset:
		return x.Clone()
	}
	panic("fsm: clone of unknown value type")
}

func valueLen(v any) int {
	switch x := v.(type) {
	case []byte:
		return len(x)
	case *deque:
		return x.Len()
	case *hashValue:
		return x.Len()
	case *setValue:
		return x.Len()
	case *zset:
		return x.Len()
	}
	return 0
}
