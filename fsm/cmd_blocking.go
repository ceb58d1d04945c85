package fsm

import (
	"math"

	"github.com/redraft/redraft/reply"
)

// The blocking commands, as the state machine applies them: they never
// block here. A pop either takes an element now or replies with a null; the
// connection that sent the command does the waiting and proposes the
// command again when a key it waits on is written (see package resp). In
// MULTI and in scripts they are non-blocking, as in Redis.

func blockingCommands() []*Command {
	wb := FlagWrite | FlagBlocking
	return []*Command{
		{Name: "blpop", Arity: -3, Flags: wb, FirstKey: 1, LastKey: -2, Step: 1, Run: cmdBLPop},
		{Name: "brpop", Arity: -3, Flags: wb, FirstKey: 1, LastKey: -2, Step: 1, Run: cmdBLPop},
		{Name: "brpoplpush", Arity: 4, Flags: wb | FlagDenyOOM, FirstKey: 1, LastKey: 2, Step: 1, Run: cmdBRPopLPush},
		{Name: "blmove", Arity: 6, Flags: wb | FlagDenyOOM, FirstKey: 1, LastKey: 2, Step: 1, Run: cmdBLMove},
		{Name: "blmpop", Arity: -5, Flags: wb, Run: cmdBLMPop},
	}
}

var (
	errTimeoutNotFloat = reply.Err("ERR timeout is not a float or out of range")
	errTimeoutNegative = reply.Err("ERR timeout is negative")
)

// ParseBlockTimeout parses a blocking command's timeout in seconds (integer
// or fractional) into milliseconds, 0 meaning forever, with Redis's errors.
func ParseBlockTimeout(b []byte) (int64, *reply.Value) {
	f, ok := parseLongDoubleArg(b)
	if !ok {
		return 0, &errTimeoutNotFloat
	}
	ms := math.Ceil(f * 1000)
	// Redis converts to a long long; an overflow turns negative there.
	if ms < 0 || ms >= math.MaxInt64 || math.IsInf(ms, 0) {
		return 0, &errTimeoutNegative
	}
	return int64(ms), nil
}

// BlockingKeys returns the keys a blocking command waits on and its timeout
// argument, or ok=false when the arguments are malformed (the command is
// then simply applied and answers with its error).
func BlockingKeys(args [][]byte) (keys [][]byte, timeout []byte, ok bool) {
	switch LowerName(args[0]) {
	case "blpop", "brpop", "bzpopmin", "bzpopmax":
		if len(args) < 3 {
			return nil, nil, false
		}
		return args[1 : len(args)-1], args[len(args)-1], true
	case "brpoplpush", "blmove":
		if len(args) < 4 {
			return nil, nil, false
		}
		return args[1:2], args[len(args)-1], true
	case "blmpop", "bzmpop":
		if len(args) < 5 {
			return nil, nil, false
		}
		n, ok := parseInt64Arg(args[2])
		if !ok || n < 1 || n > int64(len(args)-4) {
			return nil, nil, false
		}
		return args[3 : 3+n], args[1], true
	}
	return nil, nil, false
}

func cmdBLPop(c *Ctx, args [][]byte) reply.Value {
	if _, errv := ParseBlockTimeout(args[len(args)-1]); errv != nil {
		return *errv
	}
	front := LowerName(args[0]) == "blpop"
	for _, key := range args[1 : len(args)-1] {
		it, l, ok := listLookup(c, key)
		if !ok {
			return errWrongType
		}
		if it == nil || l.Len() == 0 {
			continue
		}
		it, l = listMutable(c, it)
		v := listPopOne(l, front)
		c.deleteIfEmpty(it)
		return reply.Array([]reply.Value{reply.Bulk(clone(key)), reply.Bulk(v)})
	}
	return reply.NullArray()
}

func cmdBRPopLPush(c *Ctx, args [][]byte) reply.Value {
	if _, errv := ParseBlockTimeout(args[3]); errv != nil {
		return *errv
	}
	return listMove(c, args[1], args[2], false, true)
}

func cmdBLMove(c *Ctx, args [][]byte) reply.Value {
	from, ok1 := listWhere(args[3])
	to, ok2 := listWhere(args[4])
	if !ok1 || !ok2 {
		return errSyntax
	}
	if _, errv := ParseBlockTimeout(args[5]); errv != nil {
		return *errv
	}
	return listMove(c, args[1], args[2], from, to)
}

// cmdBLMPop is LMPOP with a leading timeout.
func cmdBLMPop(c *Ctx, args [][]byte) reply.Value {
	if _, errv := ParseBlockTimeout(args[1]); errv != nil {
		return *errv
	}
	lm := append([][]byte{[]byte("lmpop")}, args[2:]...)
	return cmdLMPop(c, lm)
}

// UndoPop returns the command that puts back what a blocking pop took, for
// a client that disconnected after its pop was proposed but before it could
// be answered: the element must not be lost. It returns nil when nothing was
// taken or the element was only moved (BLMOVE, BRPOPLPUSH).
func UndoPop(args [][]byte, v reply.Value) [][]byte {
	if v.Kind != reply.KindArray || len(v.Elems) < 2 {
		return nil
	}
	key := v.Elems[0].Str
	switch name := LowerName(args[0]); name {
	case "blpop", "brpop":
		push := "rpush"
		if name == "blpop" {
			push = "lpush"
		}
		return [][]byte{[]byte(push), key, v.Elems[1].Str}
	case "blmpop":
		push := "rpush"
		if _, where, ok := blmpopWhere(args); ok && where {
			push = "lpush"
		}
		out := [][]byte{[]byte(push), key}
		elems := v.Elems[1].Elems
		for i := len(elems) - 1; i >= 0; i-- {
			out = append(out, elems[i].Str)
		}
		return out
	case "bzpopmin", "bzpopmax":
		if len(v.Elems) < 3 {
			return nil
		}
		return [][]byte{[]byte("zadd"), key, v.Elems[2].Str, v.Elems[1].Str}
	case "bzmpop":
		out := [][]byte{[]byte("zadd"), key}
		for _, pair := range v.Elems[1].Elems {
			if len(pair.Elems) == 2 {
				out = append(out, pair.Elems[1].Str, pair.Elems[0].Str)
			}
		}
		if len(out) == 2 {
			return nil
		}
		return out
	}
	return nil
}

// blmpopWhere returns BLMPOP's LEFT/RIGHT argument (left = true).
func blmpopWhere(args [][]byte) (idx int, left, ok bool) {
	n, ok := parseInt64Arg(args[2])
	if !ok || n < 1 || 3+n >= int64(len(args)) {
		return 0, false, false
	}
	idx = int(3 + n)
	left, ok = listWhere(args[idx])
	return idx, left, ok
}

func zsetBlockingCommands() []*Command {
	wb := FlagWrite | FlagBlocking | FlagFast
	return []*Command{
		{Name: "bzpopmin", Arity: -3, Flags: wb, FirstKey: 1, LastKey: -2, Step: 1, Run: cmdBZPop},
		{Name: "bzpopmax", Arity: -3, Flags: wb, FirstKey: 1, LastKey: -2, Step: 1, Run: cmdBZPop},
		{Name: "bzmpop", Arity: -5, Flags: FlagWrite | FlagBlocking, Run: cmdBZMPop},
	}
}

// cmdBZPop pops the lowest (or highest) member of the first non-empty
// sorted set: [key, member, score].
func cmdBZPop(c *Ctx, args [][]byte) reply.Value {
	if _, errv := ParseBlockTimeout(args[len(args)-1]); errv != nil {
		return *errv
	}
	high := LowerName(args[0]) == "bzpopmax"
	for _, key := range args[1 : len(args)-1] {
		it, _, ok := zsetLookup(c, key)
		if !ok {
			return errWrongType
		}
		if it == nil {
			continue
		}
		e := zPop(c, it, 1, high)[0]
		return reply.Array([]reply.Value{reply.Bulk(clone(key)), reply.BulkString(e.member), zDouble(e.score)})
	}
	return reply.NullArray()
}

// cmdBZMPop is ZMPOP with a leading timeout.
func cmdBZMPop(c *Ctx, args [][]byte) reply.Value {
	if _, errv := ParseBlockTimeout(args[1]); errv != nil {
		return *errv
	}
	return cmdZMPop(c, append([][]byte{[]byte("zmpop")}, args[2:]...))
}
