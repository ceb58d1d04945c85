package fsm

import (
	"bytes"
	"math"
	"strings"

	"github.com/redraft/redraft/reply"
)

// maxStringSize is Redis's proto-max-bulk-len default: no string may grow
// beyond it through APPEND or SETRANGE.
const maxStringSize = 512 << 20

var errStringTooLong = reply.Err("ERR string exceeds maximum allowed size (proto-max-bulk-len)")

func stringCommands() []*Command {
	w := FlagWrite | FlagDenyOOM
	return []*Command{
		{Name: "get", Arity: 2, Flags: FlagReadOnly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdGet},
		{Name: "set", Arity: -3, Flags: w, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdSet},
		{Name: "setnx", Arity: 3, Flags: w | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdSetNX},
		{Name: "setex", Arity: 4, Flags: w, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdSetEx},
		{Name: "psetex", Arity: 4, Flags: w, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdSetEx},
		{Name: "getset", Arity: 3, Flags: w | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdGetSet},
		{Name: "getdel", Arity: 2, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdGetDel},
		{Name: "getex", Arity: -2, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdGetEx},
		{Name: "mget", Arity: -2, Flags: FlagReadOnly | FlagFast, FirstKey: 1, LastKey: -1, Step: 1, Run: cmdMGet},
		{Name: "mset", Arity: -3, Flags: w, FirstKey: 1, LastKey: -1, Step: 2, Run: cmdMSet},
		{Name: "msetnx", Arity: -3, Flags: w, FirstKey: 1, LastKey: -1, Step: 2, Run: cmdMSetNX},
		{Name: "append", Arity: 3, Flags: w | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdAppend},
		{Name: "strlen", Arity: 2, Flags: FlagReadOnly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdStrlen},
		{Name: "getrange", Arity: 4, Flags: FlagReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdGetRange},
		{Name: "substr", Arity: 4, Flags: FlagReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdGetRange},
		{Name: "setrange", Arity: 4, Flags: w, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdSetRange},
		{Name: "incr", Arity: 2, Flags: w | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdIncr},
		{Name: "decr", Arity: 2, Flags: w | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdIncr},
		{Name: "incrby", Arity: 3, Flags: w | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdIncr},
		{Name: "decrby", Arity: 3, Flags: w | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdIncr},
		{Name: "incrbyfloat", Arity: 3, Flags: w | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdIncrByFloat},
	}
}

// getString returns the string at key: (nil, nil, ok) when absent, or a
// WRONGTYPE error.
func (c *Ctx) getString(key []byte) ([]byte, *item, *reply.Value) {
	it := c.lookup(key)
	if it == nil {
		return nil, nil, nil
	}
	s, ok := it.val.([]byte)
	if !ok {
		return nil, nil, &errWrongType
	}
	return s, it, nil
}

func cmdGet(c *Ctx, args [][]byte) reply.Value {
	s, it, errp := c.getString(args[1])
	if errp != nil {
		return *errp
	}
	if it == nil {
		return reply.Null()
	}
	return reply.Bulk(s)
}

// expireOpt is a parsed EX/PX/EXAT/PXAT argument.
type expireOpt struct {
	set  bool
	at   int64 // absolute deadline, Unix ms
	keep bool  // KEEPTTL
	pers bool  // PERSIST (GETEX)
}

// parseExpireArg converts an EX/PX/EXAT/PXAT value to an absolute deadline
// by the command's clock, with Redis's validity rules.
func (c *Ctx) parseExpireArg(unit string, v []byte, cmdName string) (int64, *reply.Value) {
	n, ok := parseInt64Arg(v)
	if !ok {
		return 0, &errNotInt
	}
	bad := reply.Err("ERR invalid expire time in '" + cmdName + "' command")
	if n <= 0 {
		return 0, &bad
	}
	switch unit {
	case "ex", "exat":
		if n > math.MaxInt64/1000 {
			return 0, &bad
		}
		n *= 1000
	}
	switch unit {
	case "ex", "px":
		if n > math.MaxInt64-c.now {
			return 0, &bad
		}
		n += c.now
	}
	return n, nil
}

func cmdSet(c *Ctx, args [][]byte) reply.Value {
	var nx, xx, get bool
	var exp expireOpt
	unit := ""
	for i := 3; i < len(args); i++ {
		opt := strings.ToLower(string(args[i]))
		switch {
		case opt == "nx" && !xx:
			nx = true
		case opt == "xx" && !nx:
			xx = true
		case opt == "get":
			get = true
		case opt == "keepttl" && !exp.set:
			exp.keep = true
		case (opt == "ex" || opt == "px" || opt == "exat" || opt == "pxat") && !exp.keep && (unit == "" || unit == opt) && i+1 < len(args):
			at, errp := c.parseExpireArg(opt, args[i+1], "set")
			if errp != nil {
				return *errp
			}
			exp.set, exp.at, unit = true, at, opt
			i++
		default:
			return errSyntax
		}
	}
	old, it, errp := c.getString(args[1])
	if errp != nil && get {
		return *errp
	}
	exists := c.lookup(args[1]) != nil
	var res reply.Value
	switch {
	case get && it == nil:
		res = reply.Null()
	case get:
		res = reply.Bulk(old)
	default:
		res = reply.OK()
	}
	if (nx && exists) || (xx && !exists) {
		if get {
			return res
		}
		return reply.Null()
	}
	var at int64
	if exp.set {
		at = exp.at
	} else if exp.keep && exists {
		at = c.lookup(args[1]).expireAt
	}
	c.set(args[1], clone(args[2]), at)
	return res
}

func cmdSetNX(c *Ctx, args [][]byte) reply.Value {
	if c.lookup(args[1]) != nil {
		return reply.Int(0)
	}
	c.set(args[1], clone(args[2]), 0)
	return reply.Int(1)
}

func cmdSetEx(c *Ctx, args [][]byte) reply.Value {
	name := LowerName(args[0])
	unit := "ex"
	if name == "psetex" {
		unit = "px"
	}
	at, errp := c.parseExpireArg(unit, args[2], name)
	if errp != nil {
		return *errp
	}
	c.set(args[1], clone(args[3]), at)
	return reply.OK()
}

func cmdGetSet(c *Ctx, args [][]byte) reply.Value {
	old, it, errp := c.getString(args[1])
	if errp != nil {
		return *errp
	}
	c.set(args[1], clone(args[2]), 0)
	if it == nil {
		return reply.Null()
	}
	return reply.Bulk(old)
}

func cmdGetDel(c *Ctx, args [][]byte) reply.Value {
	s, it, errp := c.getString(args[1])
	if errp != nil {
		return *errp
	}
	if it == nil {
		return reply.Null()
	}
	c.removeItem(c.db, it)
	return reply.Bulk(s)
}

func cmdGetEx(c *Ctx, args [][]byte) reply.Value {
	var exp expireOpt
	for i := 2; i < len(args); i++ {
		opt := strings.ToLower(string(args[i]))
		switch {
		case opt == "persist" && !exp.set:
			exp.pers = true
		case (opt == "ex" || opt == "px" || opt == "exat" || opt == "pxat") && !exp.set && !exp.pers && i+1 < len(args):
			at, errp := c.parseExpireArg(opt, args[i+1], "getex")
			if errp != nil {
				return *errp
			}
			exp.set, exp.at = true, at
			i++
		default:
			return errSyntax
		}
	}
	s, it, errp := c.getString(args[1])
	if errp != nil {
		return *errp
	}
	if it == nil {
		return reply.Null()
	}
	switch {
	case exp.set && exp.at <= c.now:
		c.removeItem(c.db, it)
	case exp.set:
		c.setExpire(it, exp.at)
	case exp.pers && it.expireAt != 0:
		c.setExpire(it, 0)
	}
	return reply.Bulk(s)
}

func cmdMGet(c *Ctx, args [][]byte) reply.Value {
	out := make([]reply.Value, len(args)-1)
	for i, k := range args[1:] {
		out[i] = reply.Null()
		if it := c.lookup(k); it != nil {
			if s, ok := it.val.([]byte); ok {
				out[i] = reply.Bulk(s)
			}
		}
	}
	return reply.Array(out)
}

func cmdMSet(c *Ctx, args [][]byte) reply.Value {
	if len(args)%2 != 1 {
		return wrongArity("mset")
	}
	for i := 1; i < len(args); i += 2 {
		c.set(args[i], clone(args[i+1]), 0)
	}
	return reply.OK()
}

func cmdMSetNX(c *Ctx, args [][]byte) reply.Value {
	if len(args)%2 != 1 {
		return wrongArity("msetnx")
	}
	for i := 1; i < len(args); i += 2 {
		if c.lookup(args[i]) != nil {
			return reply.Int(0)
		}
	}
	for i := 1; i < len(args); i += 2 {
		c.set(args[i], clone(args[i+1]), 0)
	}
	return reply.Int(1)
}

func cmdAppend(c *Ctx, args [][]byte) reply.Value {
	s, it, errp := c.getString(args[1])
	if errp != nil {
		return *errp
	}
	if it == nil {
		c.set(args[1], clone(args[2]), 0)
		return reply.Int(int64(len(args[2])))
	}
	if len(s)+len(args[2]) > maxStringSize {
		return errStringTooLong
	}
	it = c.mutable(it)
	// Appending only writes past the end of the shared slice, which a
	// snapshot holding the shorter slice never reads.
	it.val = append(s, args[2]...)
	return reply.Int(int64(len(s) + len(args[2])))
}

func cmdStrlen(c *Ctx, args [][]byte) reply.Value {
	s, _, errp := c.getString(args[1])
	if errp != nil {
		return *errp
	}
	return reply.Int(int64(len(s)))
}

func cmdGetRange(c *Ctx, args [][]byte) reply.Value {
	start, ok1 := parseInt64Arg(args[2])
	end, ok2 := parseInt64Arg(args[3])
	if !ok1 || !ok2 {
		return errNotInt
	}
	s, _, errp := c.getString(args[1])
	if errp != nil {
		return *errp
	}
	n := int64(len(s))
	if start < 0 && end < 0 && start > end {
		return reply.BulkString("")
	}
	if start < 0 {
		start = max(n+start, 0)
	}
	if end < 0 {
		end = max(n+end, 0)
	}
	end = min(end, n-1)
	if start > end || n == 0 {
		return reply.BulkString("")
	}
	return reply.Bulk(s[start : end+1])
}

func cmdSetRange(c *Ctx, args [][]byte) reply.Value {
	off, ok := parseInt64Arg(args[2])
	if !ok {
		return errNotInt
	}
	if off < 0 {
		return reply.Err("ERR offset is out of range")
	}
	s, it, errp := c.getString(args[1])
	if errp != nil {
		return *errp
	}
	val := args[3]
	if len(val) == 0 {
		return reply.Int(int64(len(s)))
	}
	if off > maxStringSize-int64(len(val)) {
		return errStringTooLong
	}
	end := int(off) + len(val)
	// A new slice: the old one may be shared with a snapshot.
	ns := make([]byte, max(len(s), end))
	copy(ns, s)
	copy(ns[off:], val)
	if it == nil {
		c.set(args[1], ns, 0)
	} else {
		it = c.mutable(it)
		it.val = ns
	}
	return reply.Int(int64(len(ns)))
}

func cmdIncr(c *Ctx, args [][]byte) reply.Value {
	name := LowerName(args[0])
	var delta int64 = 1
	if len(args) == 3 {
		d, ok := parseInt64Arg(args[2])
		if !ok {
			return errNotInt
		}
		delta = d
	}
	if name == "decr" || name == "decrby" {
		if delta == math.MinInt64 {
			return reply.Err("ERR decrement would overflow")
		}
		delta = -delta
	}
	s, it, errp := c.getString(args[1])
	if errp != nil {
		return *errp
	}
	var cur int64
	if it != nil {
		v, ok := parseInt64Arg(s)
		if !ok {
			return errNotInt
		}
		cur = v
	}
	if (delta > 0 && cur > math.MaxInt64-delta) || (delta < 0 && cur < math.MinInt64-delta) {
		return errOverflow
	}
	cur += delta
	out := []byte(formatInt(cur))
	if it == nil {
		c.set(args[1], out, 0)
	} else {
		it = c.mutable(it)
		it.val = out
	}
	return reply.Int(cur)
}

func cmdIncrByFloat(c *Ctx, args [][]byte) reply.Value {
	// Redis checks the key's type, then its value, then the increment.
	s, it, errp := c.getString(args[1])
	if errp != nil {
		return *errp
	}
	cur := newLongDouble()
	if it != nil {
		v, ok := parseLongDouble(s)
		if !ok {
			return errNotFloat
		}
		cur = v
	}
	delta, ok := parseLongDouble(args[2])
	if !ok {
		return errNotFloat
	}
	sum, ok := addLongDouble(cur, delta)
	if !ok {
		return errNaN
	}
	out := []byte(formatLongDouble(sum))
	if it == nil {
		c.set(args[1], out, 0)
	} else {
		it = c.mutable(it)
		it.val = out
	}
	return reply.Bulk(out)
}

// clone copies an argument that will be kept in the state: arguments alias
// the log entry's buffer.
func clone(b []byte) []byte { return bytes.Clone(b) }
