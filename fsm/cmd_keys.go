package fsm

import (
	"math"
	"strconv"
	"strings"

	"github.com/redraft/redraft/reply"
)

func keyCommands() []*Command {
	ro := FlagReadOnly
	return []*Command{
		{Name: "del", Arity: -2, Flags: FlagWrite, FirstKey: 1, LastKey: -1, Step: 1, Run: cmdDel},
		{Name: "unlink", Arity: -2, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: -1, Step: 1, Run: cmdDel},
		{Name: "exists", Arity: -2, Flags: ro | FlagFast, FirstKey: 1, LastKey: -1, Step: 1, Run: cmdExists},
		{Name: "touch", Arity: -2, Flags: ro | FlagFast, FirstKey: 1, LastKey: -1, Step: 1, Run: cmdExists},
		{Name: "type", Arity: 2, Flags: ro | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdType},
		{Name: "rename", Arity: 3, Flags: FlagWrite, FirstKey: 1, LastKey: 2, Step: 1, Run: cmdRename},
		{Name: "renamenx", Arity: 3, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 2, Step: 1, Run: cmdRename},
		{Name: "keys", Arity: 2, Flags: ro, Run: cmdKeys},
		{Name: "scan", Arity: -2, Flags: ro, Run: cmdScan},
		{Name: "randomkey", Arity: 1, Flags: ro | FlagRandom, Run: cmdRandomKey},
		{Name: "dbsize", Arity: 1, Flags: ro | FlagFast, Run: cmdDBSize},
		{Name: "flushdb", Arity: -1, Flags: FlagWrite, Run: cmdFlush},
		{Name: "flushall", Arity: -1, Flags: FlagWrite, Run: cmdFlush},
		{Name: "expire", Arity: -3, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdExpire},
		{Name: "pexpire", Arity: -3, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdExpire},
		{Name: "expireat", Arity: -3, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdExpire},
		{Name: "pexpireat", Arity: -3, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdExpire},
		{Name: "ttl", Arity: 2, Flags: ro | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdTTL},
		{Name: "pttl", Arity: 2, Flags: ro | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdTTL},
		{Name: "expiretime", Arity: 2, Flags: ro | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdTTL},
		{Name: "pexpiretime", Arity: 2, Flags: ro | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdTTL},
		{Name: "persist", Arity: 2, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdPersist},
		{Name: "copy", Arity: -3, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 2, Step: 1, Run: cmdCopy},
	}
}

func cmdDel(c *Ctx, args [][]byte) reply.Value {
	var n int64
	for _, k := range args[1:] {
		if c.del(k) {
			n++
		}
	}
	return reply.Int(n)
}

func cmdExists(c *Ctx, args [][]byte) reply.Value {
	var n int64
	for _, k := range args[1:] {
		if c.lookup(k) != nil {
			n++
		}
	}
	return reply.Int(n)
}

func cmdType(c *Ctx, args [][]byte) reply.Value {
	it := c.lookup(args[1])
	if it == nil {
		return reply.Simple("none")
	}
	return reply.Simple(typeName(it.val))
}

func cmdRename(c *Ctx, args [][]byte) reply.Value {
	nx := LowerName(args[0]) == "renamenx"
	src := c.lookup(args[1])
	if src == nil {
		return errNoSuchKey
	}
	if string(args[1]) == string(args[2]) {
		if nx {
			return reply.Int(0)
		}
		return reply.OK()
	}
	if nx && c.lookup(args[2]) != nil {
		return reply.Int(0)
	}
	c.removeItem(c.db, src)
	// The value moves to a new item; the old item may still be read by a
	// snapshot, which only reads it.
	c.set(args[2], src.val, src.expireAt)
	if nx {
		return reply.Int(1)
	}
	return reply.OK()
}

func cmdKeys(c *Ctx, args [][]byte) reply.Value {
	pattern := args[1]
	all := string(pattern) == "*"
	var out []reply.Value
	c.db.keys.Scan(func(it *item) bool {
		if !c.expired(it) && (all || globMatch(pattern, []byte(it.key), false)) {
			out = append(out, reply.BulkString(it.key))
		}
		return true
	})
	return reply.Array(out)
}

// parseCursor parses a SCAN cursor as Redis's parseScanCursorOrReply does
// with strtoul: an optional sign (a '-' negates modulo 2^64), decimal
// digits, no spaces, no trailing garbage, no overflow; "" is cursor 0.
func parseCursor(b []byte) (uint64, bool) {
	if len(b) == 0 {
		return 0, true
	}
	neg := b[0] == '-'
	if b[0] == '+' || b[0] == '-' {
		b = b[1:]
	}
	if len(b) == 0 {
		return 0, false
	}
	var v uint64
	for _, ch := range b {
		if ch < '0' || ch > '9' {
			return 0, false
		}
		d := uint64(ch - '0')
		if v > (math.MaxUint64-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	if neg {
		v = -v
	}
	return v, true
}

var errInvalidCursor = reply.Err("ERR invalid cursor")

// scanOpts are SCAN's MATCH, COUNT and TYPE options.
type scanOpts struct {
	match []byte
	count int
	typ   string
}

func parseScanOpts(args [][]byte, allowType bool) (scanOpts, *reply.Value) {
	o := scanOpts{count: 10}
	for i := 0; i < len(args); i += 2 {
		opt := strings.ToLower(string(args[i]))
		if i+1 >= len(args) {
			return o, &errSyntax
		}
		switch {
		case opt == "match":
			o.match = args[i+1]
			if string(o.match) == "*" {
				o.match = nil
			}
		case opt == "count":
			n, ok := parseInt64Arg(args[i+1])
			if !ok {
				return o, &errNotInt
			}
			if n < 1 {
				return o, &errSyntax
			}
			o.count = int(min(n, math.MaxInt32))
		case opt == "type" && allowType:
			o.typ = strings.ToLower(string(args[i+1]))
		default:
			return o, &errSyntax
		}
	}
	return o, nil
}

// cmdScan walks the keyspace in (hash, key) order. The cursor is the hash
// of the next key to visit, so keys present for the whole scan are always
// returned, whatever is added or removed meanwhile.
func cmdScan(c *Ctx, args [][]byte) reply.Value {
	cursor, ok := parseCursor(args[1])
	if !ok {
		return errInvalidCursor
	}
	o, errp := parseScanOpts(args[2:], true)
	if errp != nil {
		return *errp
	}
	var keys []reply.Value
	var next uint64
	visited := 0
	c.db.keys.Ascend(&item{hash: cursor}, func(it *item) bool {
		if visited >= o.count {
			next = it.hash
			return false
		}
		visited++
		if c.expired(it) || (o.match != nil && !globMatch(o.match, []byte(it.key), false)) {
			return true
		}
		if o.typ != "" && typeName(it.val) != o.typ {
			return true
		}
		keys = append(keys, reply.BulkString(it.key))
		return true
	})
	return reply.Array([]reply.Value{reply.BulkString(strconv.FormatUint(next, 10)), reply.Array(keys)})
}

func cmdRandomKey(c *Ctx, _ [][]byte) reply.Value {
	if c.db.keys.Len() == 0 {
		return reply.Null()
	}
	// Try a few random points in hash order; skip keys that are expired.
	for range 100 {
		var found *item
		pick := func(it *item) bool {
			if !c.expired(it) {
				found = it
				return false
			}
			return true
		}
		c.db.keys.Ascend(&item{hash: c.rand().Uint64()}, pick)
		if found == nil {
			c.db.keys.Scan(pick)
		}
		if found != nil {
			return reply.BulkString(found.key)
		}
	}
	return reply.Null()
}

func cmdDBSize(c *Ctx, _ [][]byte) reply.Value {
	return reply.Int(int64(c.db.keys.Len()))
}

func cmdFlush(c *Ctx, args [][]byte) reply.Value {
	if len(args) > 2 {
		return errSyntax
	}
	if len(args) == 2 {
		if m := strings.ToLower(string(args[1])); m != "sync" && m != "async" {
			return errSyntax
		}
	}
	flush := func(i int) {
		d := newDB(i)
		d.flushVer = c.index
		c.s.dbs[i] = d
	}
	if LowerName(args[0]) == "flushall" {
		for i := range c.s.dbs {
			flush(i)
		}
	} else {
		flush(c.dbNum)
	}
	c.db = c.s.dbs[c.dbNum]
	return reply.OK()
}

func cmdExpire(c *Ctx, args [][]byte) reply.Value {
	name := LowerName(args[0])
	n, ok := parseInt64Arg(args[2])
	if !ok {
		return errNotInt
	}
	var nx, xx, gt, lt bool
	for _, a := range args[3:] {
		switch strings.ToLower(string(a)) {
		case "nx":
			nx = true
		case "xx":
			xx = true
		case "gt":
			gt = true
		case "lt":
			lt = true
		default:
			return reply.Err("ERR Unsupported option " + string(a))
		}
	}
	if nx && (xx || gt || lt) {
		return reply.Err("ERR NX and XX, GT or LT options at the same time are not compatible")
	}
	if gt && lt {
		return reply.Err("ERR GT and LT options at the same time are not compatible")
	}
	at, valid := expireDeadline(name, n, c.now)
	if !valid {
		return reply.Err("ERR invalid expire time in '" + name + "' command")
	}
	it := c.lookup(args[1])
	if it == nil {
		return reply.Int(0)
	}
	cur := it.expireAt
	switch {
	case nx && cur != 0, xx && cur == 0:
		return reply.Int(0)
	case gt && (cur == 0 || at <= cur):
		return reply.Int(0)
	case lt && cur != 0 && at >= cur:
		return reply.Int(0)
	}
	if at <= c.now {
		c.removeItem(c.db, it)
		return reply.Int(1)
	}
	c.setExpire(it, at)
	return reply.Int(1)
}

// expireDeadline turns the argument of EXPIRE, PEXPIRE, EXPIREAT or
// PEXPIREAT into an absolute deadline in ms, reporting overflow as Redis does.
func expireDeadline(name string, n, now int64) (int64, bool) {
	if name == "expire" || name == "expireat" {
		if n > math.MaxInt64/1000 || n < math.MinInt64/1000 {
			return 0, false
		}
		n *= 1000
	}
	if name == "expire" || name == "pexpire" {
		if (n > 0 && now > math.MaxInt64-n) || (n < 0 && now < math.MinInt64-n) {
			return 0, false
		}
		n += now
	}
	return n, true
}

func cmdTTL(c *Ctx, args [][]byte) reply.Value {
	name := LowerName(args[0])
	it := c.lookup(args[1])
	if it == nil {
		return reply.Int(-2)
	}
	if it.expireAt == 0 {
		return reply.Int(-1)
	}
	switch name {
	case "ttl":
		return reply.Int((it.expireAt - c.now + 500) / 1000)
	case "pttl":
		return reply.Int(it.expireAt - c.now)
	case "expiretime":
		return reply.Int((it.expireAt + 500) / 1000)
	}
	return reply.Int(it.expireAt)
}

func cmdPersist(c *Ctx, args [][]byte) reply.Value {
	it := c.lookup(args[1])
	if it == nil || it.expireAt == 0 {
		return reply.Int(0)
	}
	c.setExpire(it, 0)
	return reply.Int(1)
}

func cmdCopy(c *Ctx, args [][]byte) reply.Value {
	dst := c.db
	dstNum := c.dbNum
	var replace bool
	for i := 3; i < len(args); i++ {
		switch strings.ToLower(string(args[i])) {
		case "replace":
			replace = true
		case "db":
			if i+1 >= len(args) {
				return errSyntax
			}
			n, ok := parseInt64Arg(args[i+1])
			if !ok {
				return errNotInt
			}
			if n < 0 || n >= NumDBs {
				return errDBIndexRange
			}
			dstNum = int(n)
			dst = c.s.dbs[n]
			i++
		default:
			return errSyntax
		}
	}
	src := c.lookup(args[1])
	if src == nil {
		return reply.Int(0)
	}
	if dstNum == c.dbNum && string(args[1]) == string(args[2]) {
		return reply.Err("ERR source and destination objects are the same")
	}
	if c.lookupIn(dst, args[2]) != nil {
		if !replace {
			return reply.Int(0)
		}
		c.delIn(dst, args[2])
	}
	c.setIn(dst, args[2], cloneValue(src.val), src.expireAt)
	return reply.Int(1)
}
