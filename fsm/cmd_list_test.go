package fsm

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/redraft/redraft/reply"
)

// The helpers prefixed lh are shared by the list and hash tests.

// lhStep is one command and its expected reply in the compact notation of
// lhFmt. A command prefixed with "~ " is compared unordered (lhCanon).
type lhStep struct{ cmd, want string }

// lhCase is a sequence of steps run on a fresh store.
type lhCase struct {
	name  string
	steps []lhStep
}

// lhTestNow is the log clock of the test entries and the clock of reads.
const lhTestNow = int64(1_700_000_000_000)

// lhDo runs one command as the server would: a write is applied as the next
// log entry, a read is served by Store.Read after the arity check the server
// makes.
func lhDo(t testing.TB, s *Store, args ...string) reply.Value {
	t.Helper()
	b := make([][]byte, len(args))
	for i, a := range args {
		b[i] = []byte(a)
	}
	return lhDoBytes(t, s, b)
}

func lhDoBytes(t testing.TB, s *Store, b [][]byte) reply.Value {
	t.Helper()
	cmd := s.Lookup(LowerName(b[0]))
	if cmd == nil {
		t.Fatalf("unknown command %q", b[0])
	}
	if cmd.IsWrite() {
		e := &Entry{Type: EntryCommand, Time: lhTestNow, Cmds: []Cmd{{DB: 0, Args: b}}}
		return s.ApplyEntry(s.Applied()+1, e)
	}
	if !cmd.ArityOK(len(b)) {
		return wrongArity(cmd.Name)
	}
	return s.Read(0, b, lhTestNow, 1)
}

// lhFmt renders a reply compactly: :1 "bulk" (nil) (nil-array) +OK -ERR ...
// [array] {map} ~[set] ,double.
func lhFmt(v reply.Value) string {
	switch v.Kind {
	case reply.KindSimple:
		return "+" + string(v.Str)
	case reply.KindError:
		return "-" + string(v.Str)
	case reply.KindInt:
		return ":" + strconv.FormatInt(v.Int, 10)
	case reply.KindBulk, reply.KindVerbatim:
		return strconv.Quote(string(v.Str))
	case reply.KindNull:
		return "(nil)"
	case reply.KindNullArray:
		return "(nil-array)"
	case reply.KindDouble:
		return "," + string(v.Str)
	case reply.KindBool:
		return fmt.Sprintf("#%d", v.Int)
	case reply.KindArray, reply.KindMap, reply.KindSet, reply.KindPairs:
		parts := make([]string, len(v.Elems))
		for i, e := range v.Elems {
			parts[i] = lhFmt(e)
		}
		open, close := lhBrackets(v.Kind)
		return open + strings.Join(parts, " ") + close
	}
	return fmt.Sprintf("?%d", v.Kind)
}

func lhBrackets(k reply.Kind) (string, string) {
	switch k {
	case reply.KindMap:
		return "{", "}"
	case reply.KindSet:
		return "~[", "]"
	}
	return "[", "]"
}

// lhCanon renders an aggregate with its elements sorted (consecutive pairs
// kept together for maps and when pairs is set); for a SCAN-shaped reply
// only the element array is sorted.
func lhCanon(v reply.Value, pairs bool) string {
	if v.Kind == reply.KindArray && len(v.Elems) == 2 && v.Elems[0].Kind == reply.KindBulk && v.Elems[1].Kind == reply.KindArray {
		return "[" + lhFmt(v.Elems[0]) + " " + lhCanon(v.Elems[1], pairs) + "]"
	}
	if v.Kind != reply.KindArray && v.Kind != reply.KindMap && v.Kind != reply.KindSet {
		return lhFmt(v)
	}
	group := 1
	if v.Kind == reply.KindMap || (pairs && len(v.Elems)%2 == 0) {
		group = 2
	}
	var parts []string
	for i := 0; i+group <= len(v.Elems); i += group {
		var g []string
		for _, e := range v.Elems[i : i+group] {
			g = append(g, lhFmt(e))
		}
		parts = append(parts, strings.Join(g, " "))
	}
	sort.Strings(parts)
	open, close := lhBrackets(v.Kind)
	return "~" + open + strings.Join(parts, " ") + close
}

// lhSplit splits a command line: spaces separate arguments, and double
// quoted arguments may contain spaces and the escapes \" \\ \n \r \t.
func lhSplit(t testing.TB, line string) []string {
	t.Helper()
	var args []string
	i := 0
	for {
		for i < len(line) && line[i] == ' ' {
			i++
		}
		if i == len(line) {
			return args
		}
		var b strings.Builder
		if line[i] != '"' {
			for i < len(line) && line[i] != ' ' {
				b.WriteByte(line[i])
				i++
			}
			args = append(args, b.String())
			continue
		}
		for i++; ; i++ {
			if i >= len(line) {
				t.Fatalf("unbalanced quotes in %q", line)
			}
			c := line[i]
			if c == '"' {
				i++
				break
			}
			if c == '\\' && i+1 < len(line) {
				i++
				switch line[i] {
				case 'n':
					c = '\n'
				case 'r':
					c = '\r'
				case 't':
					c = '\t'
				default:
					c = line[i]
				}
			}
			b.WriteByte(c)
		}
		args = append(args, b.String())
	}
}

// lhRunCases runs each case on a fresh store and compares every reply.
func lhRunCases(t *testing.T, cases []lhCase) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := NewStore()
			for _, st := range tc.steps {
				line, unordered := strings.CutPrefix(st.cmd, "~ ")
				args := lhSplit(t, line)
				v := lhDo(t, s, args...)
				got := lhFmt(v)
				if unordered {
					name := strings.ToLower(args[0])
					got = lhCanon(v, name == "hgetall" || name == "hscan")
				}
				if got != st.want {
					t.Errorf("%s\n got: %s\nwant: %s", st.cmd, got, st.want)
				}
			}
		})
	}
}

// lhCheckTable checks a group's command table against Redis 7.0's COMMAND
// INFO: arity, flags and key positions.
func lhCheckTable(t *testing.T, cmds []*Command, want map[string]string) {
	t.Helper()
	seen := map[string]bool{}
	for _, c := range cmds {
		seen[c.Name] = true
		got := fmt.Sprintf("%d %s %d %d %d", c.Arity, strings.Join(c.Flags.FlagNames(), ","), c.FirstKey, c.LastKey, c.Step)
		if w, ok := want[c.Name]; !ok {
			t.Errorf("unexpected command %s", c.Name)
		} else if got != w {
			t.Errorf("%s: got %q, want %q", c.Name, got, w)
		}
		if c.Run == nil {
			t.Errorf("%s: no Run", c.Name)
		}
	}
	for name := range want {
		if !seen[name] {
			t.Errorf("missing command %s", name)
		}
	}
}

// lhFuzzArgs are argument values that exercise parsing edge cases.
var lhFuzzArgs = []string{
	"", "0", "1", "-1", "2", "-2", "3", "100", "-100", "abc", "1.5", " 1", "+1", "01",
	"9223372036854775807", "-9223372036854775808", "9223372036854775808", "4611686018427387904",
	"-4611686018427387904", "18446744073709551615", "inf", "-inf", "nan", "1e400",
	"left", "right", "LEFT", "before", "after", "count", "COUNT", "rank", "maxlen", "match",
	"withvalues", "*", "[", "a", "b", "k", "h", "l", "s",
}

// lhFuzz runs random arity-respecting invocations of the named commands on
// keys of every type and fails on a panic.
func lhFuzz(t *testing.T, names []string, iters int) {
	r := rand.New(rand.NewPCG(42, 7))
	s := NewStore()
	setup := [][]string{{"RPUSH", "l", "a", "b", "c", "a"}, {"HSET", "h", "a", "1", "b", "x", "c", "1.5"}, {"SET", "s", "x"}}
	for i := 0; i < iters; i++ {
		if i%50 == 0 {
			for _, a := range setup {
				lhDo(t, s, a...)
			}
		}
		name := names[r.IntN(len(names))]
		cmd := s.Lookup(name)
		n := cmd.Arity
		if n < 0 {
			n = -n + r.IntN(5)
		}
		args := []string{name}
		for len(args) < n {
			args = append(args, lhFuzzArgs[r.IntN(len(lhFuzzArgs))])
		}
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("panic on %q: %v", args, p)
				}
			}()
			v := lhDo(t, s, args...)
			if v.Kind == 0 {
				t.Fatalf("%q: zero reply", args)
			}
		}()
	}
}

func TestListCommandTable(t *testing.T) {
	lhCheckTable(t, listCommands(), map[string]string{
		"lpush":     "-3 write,denyoom,fast 1 1 1",
		"rpush":     "-3 write,denyoom,fast 1 1 1",
		"lpushx":    "-3 write,denyoom,fast 1 1 1",
		"rpushx":    "-3 write,denyoom,fast 1 1 1",
		"lpop":      "-2 write,fast 1 1 1",
		"rpop":      "-2 write,fast 1 1 1",
		"llen":      "2 readonly,fast 1 1 1",
		"lrange":    "4 readonly 1 1 1",
		"lindex":    "3 readonly 1 1 1",
		"lset":      "4 write,denyoom 1 1 1",
		"linsert":   "5 write,denyoom 1 1 1",
		"lrem":      "4 write 1 1 1",
		"ltrim":     "4 write 1 1 1",
		"lpos":      "-3 readonly 1 1 1",
		"lmove":     "5 write,denyoom 1 2 1",
		"rpoplpush": "3 write,denyoom 1 2 1",
		"lmpop":     "-4 write 0 0 0",
	})
}

// TestListRedisCases replays the list corpus; the expected replies were
// recorded from redis-server 7.0.15.
func TestListRedisCases(t *testing.T) { lhRunCases(t, listRedisCases) }

// TestListModel applies random list commands to a store and to a slice
// model and compares every reply and the final contents.
func TestListModel(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	s := NewStore()
	var model []string
	val := func() string { return strconv.Itoa(r.IntN(20)) }
	idx := func() int { return r.IntN(2*len(model)+6) - len(model) - 3 }
	norm := func(i int) int {
		if i < 0 {
			i += len(model)
		}
		return i
	}
	bulks := func(xs []string) string {
		parts := make([]string, len(xs))
		for i, x := range xs {
			parts[i] = strconv.Quote(x)
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	for step := 0; step < 20000; step++ {
		var args []string
		var want string
		switch op := r.IntN(12); op {
		case 0, 1:
			vs := []string{val(), val(), val()}[:1+r.IntN(3)]
			if op == 0 {
				args = append([]string{"LPUSH", "l"}, vs...)
				for _, v := range vs {
					model = append([]string{v}, model...)
				}
			} else {
				args = append([]string{"RPUSH", "l"}, vs...)
				model = append(model, vs...)
			}
			want = ":" + strconv.Itoa(len(model))
		case 2:
			n := r.IntN(4)
			args = []string{"LPOP", "l", strconv.Itoa(n)}
			switch {
			case len(model) == 0:
				want = "(nil-array)"
			default:
				n = min(n, len(model))
				want = bulks(model[:n])
				model = model[n:]
			}
		case 3:
			args = []string{"RPOP", "l"}
			if len(model) == 0 {
				want = "(nil)"
			} else {
				want = strconv.Quote(model[len(model)-1])
				model = model[:len(model)-1]
			}
		case 4:
			i := idx()
			args = []string{"LINDEX", "l", strconv.Itoa(i)}
			if j := norm(i); j >= 0 && j < len(model) {
				want = strconv.Quote(model[j])
			} else {
				want = "(nil)"
			}
		case 5:
			i, v := idx(), val()
			args = []string{"LSET", "l", strconv.Itoa(i), v}
			switch j := norm(i); {
			case len(model) == 0:
				want = "-ERR no such key"
			case j < 0 || j >= len(model):
				want = "-ERR index out of range"
			default:
				model[j] = v
				want = "+OK"
			}
		case 6:
			pivot, v := val(), val()
			where := []string{"BEFORE", "AFTER"}[r.IntN(2)]
			args = []string{"LINSERT", "l", where, pivot, v}
			j := slices.Index(model, pivot)
			switch {
			case len(model) == 0:
				want = ":0"
			case j < 0:
				want = ":-1"
			default:
				if where == "AFTER" {
					j++
				}
				model = slices.Insert(model, j, v)
				want = ":" + strconv.Itoa(len(model))
			}
		case 7:
			n, v := r.IntN(7)-3, val()
			args = []string{"LREM", "l", strconv.Itoa(n), v}
			removed := 0
			if n >= 0 {
				for i := 0; i < len(model); {
					if model[i] == v && (n == 0 || removed < n) {
						model = slices.Delete(model, i, i+1)
						removed++
					} else {
						i++
					}
				}
			} else {
				for i := len(model) - 1; i >= 0; i-- {
					if model[i] == v && removed < -n {
						model = slices.Delete(model, i, i+1)
						removed++
					}
				}
			}
			want = ":" + strconv.Itoa(removed)
		case 8:
			if r.IntN(4) != 0 {
				continue // keep the list long enough to be interesting
			}
			a, b := idx(), idx()
			args = []string{"LTRIM", "l", strconv.Itoa(a), strconv.Itoa(b)}
			want = "+OK"
			start, stop := norm(a), norm(b)
			start = max(start, 0)
			if start > stop || start >= len(model) {
				model = nil
			} else {
				stop = min(stop, len(model)-1)
				model = slices.Clone(model[start : stop+1])
			}
		case 9:
			a, b := idx(), idx()
			args = []string{"LRANGE", "l", strconv.Itoa(a), strconv.Itoa(b)}
			start, stop := max(norm(a), 0), norm(b)
			if start > stop || start >= len(model) {
				want = "[]"
			} else {
				want = bulks(model[start : min(stop, len(model)-1)+1])
			}
		case 10:
			v := val()
			args = []string{"LPOS", "l", v, "RANK", "-1", "COUNT", "2"}
			var hits []string
			for i := len(model) - 1; i >= 0 && len(hits) < 2; i-- {
				if model[i] == v {
					hits = append(hits, ":"+strconv.Itoa(i))
				}
			}
			want = "[" + strings.Join(hits, " ") + "]"
		case 11:
			args = []string{"LMOVE", "l", "l", "LEFT", "RIGHT"}
			if len(model) == 0 {
				want = "(nil)"
			} else {
				want = strconv.Quote(model[0])
				model = append(model[1:], model[0])
			}
		}
		if got := lhFmt(lhDo(t, s, args...)); got != want {
			t.Fatalf("step %d: %q\n got: %s\nwant: %s\nmodel: %q", step, args, got, want, model)
		}
		if got, want := lhFmt(lhDo(t, s, "LLEN", "l")), ":"+strconv.Itoa(len(model)); got != want {
			t.Fatalf("step %d: after %q LLEN = %s, want %s", step, args, got, want)
		}
	}
	if len(model) > 0 {
		if got, want := lhFmt(lhDo(t, s, "LRANGE", "l", "0", "-1")), bulks(model); got != want {
			t.Fatalf("final contents\n got: %s\nwant: %s", got, want)
		}
	} else if got := lhFmt(lhDo(t, s, "EXISTS", "l")); got != ":0" {
		t.Fatalf("empty list still exists: %s", got)
	}
}

// TestListLargeOps checks the multi-element paths on lists larger than the
// small-list sizes: LREM of many elements, LTRIM, popping with a count.
func TestListLargeOps(t *testing.T) {
	s := NewStore()
	args := []string{"RPUSH", "l"}
	for i := 0; i < 10000; i++ {
		args = append(args, strconv.Itoa(i%10))
	}
	if got := lhFmt(lhDo(t, s, args...)); got != ":10000" {
		t.Fatalf("RPUSH: %s", got)
	}
	if got := lhFmt(lhDo(t, s, "LREM", "l", "0", "3")); got != ":1000" {
		t.Fatalf("LREM all: %s", got)
	}
	if got := lhFmt(lhDo(t, s, "LREM", "l", "-500", "4")); got != ":500" {
		t.Fatalf("LREM tail: %s", got)
	}
	// The first 500 fours are kept, the last 500 are gone.
	if got := lhFmt(lhDo(t, s, "LPOS", "l", "4", "RANK", "-1")); got != ":4494" {
		t.Fatalf("LPOS of the last 4: %s", got)
	}
	if got := lhFmt(lhDo(t, s, "LLEN", "l")); got != ":8500" {
		t.Fatalf("LLEN: %s", got)
	}
	if got := lhFmt(lhDo(t, s, "LPOS", "l", "9", "COUNT", "0", "MAXLEN", "20")); got != "[:8 :17]" {
		t.Fatalf("LPOS MAXLEN: %s", got)
	}
	if got := lhFmt(lhDo(t, s, "LTRIM", "l", "100", "-101")); got != "+OK" {
		t.Fatalf("LTRIM: %s", got)
	}
	if got := lhFmt(lhDo(t, s, "LLEN", "l")); got != ":8300" {
		t.Fatalf("LLEN after LTRIM: %s", got)
	}
	v := lhDo(t, s, "RPOP", "l", "9000")
	if v.Kind != reply.KindArray || len(v.Elems) != 8300 {
		t.Fatalf("RPOP 9000: %s", lhFmt(v)[:40])
	}
	if got := lhFmt(lhDo(t, s, "EXISTS", "l")); got != ":0" {
		t.Fatalf("emptied list still exists: %s", got)
	}
}

// TestListArgsNotAliased checks that stored elements do not share memory
// with the command's arguments (which alias the log entry's buffer).
func TestListArgsNotAliased(t *testing.T) {
	s := NewStore()
	for _, c := range [][]string{
		{"RPUSH", "l", "abc"}, {"LPUSH", "l", "abc"}, {"LINSERT", "l", "BEFORE", "abc", "abc"},
		{"LSET", "l", "1", "abc"}, {"RPUSHX", "l", "abc"}, {"LPUSHX", "l", "abc"},
	} {
		b := make([][]byte, len(c))
		for i, a := range c {
			b[i] = []byte(a)
		}
		if v := lhDoBytes(t, s, b); v.IsError() {
			t.Fatalf("%q: %s", c, v.Error())
		}
		copy(b[len(b)-1], "XXX")
	}
	if got := lhFmt(lhDo(t, s, "LRANGE", "l", "0", "-1")); got != `["abc" "abc" "abc" "abc" "abc"]` {
		t.Fatalf("elements changed with the arguments: %s", got)
	}
}

// TestListSnapshotIsolation checks that list commands copy a list shared
// with a running snapshot instead of modifying it.
func TestListSnapshotIsolation(t *testing.T) {
	s := NewStore()
	lhDo(t, s, "RPUSH", "l", "a", "b", "c")
	lhDo(t, s, "RPUSH", "m", "x")
	f := s.freeze()
	defer f.release()
	for _, c := range [][]string{
		{"LPUSH", "l", "z"}, {"RPOP", "l"}, {"LSET", "l", "0", "q"}, {"LINSERT", "l", "AFTER", "b", "y"},
		{"LREM", "l", "0", "b"}, {"LTRIM", "l", "0", "1"}, {"LMOVE", "l", "m", "LEFT", "RIGHT"},
		{"LMPOP", "1", "m", "LEFT", "COUNT", "2"}, {"RPOPLPUSH", "l", "l"},
	} {
		lhDo(t, s, c...)
	}
	contents := func(key string) string {
		k := key
		it, ok := f.dbs[0].Get(&item{key: k, hash: keyHash(k)})
		if !ok {
			return "(absent)"
		}
		var parts []string
		l := it.val.(*deque)
		l.Range(0, l.Len()-1, func(_ int, v []byte) bool {
			parts = append(parts, string(v))
			return true
		})
		return strings.Join(parts, ",")
	}
	if got := contents("l"); got != "a,b,c" {
		t.Errorf("snapshot of l changed: %s", got)
	}
	if got := contents("m"); got != "x" {
		t.Errorf("snapshot of m changed: %s", got)
	}
}

// TestListExpiredKey checks that an expired list counts as absent.
func TestListExpiredKey(t *testing.T) {
	s := NewStore()
	lhDo(t, s, "RPUSH", "l", "a", "b")
	lhDo(t, s, "PEXPIRE", "l", "1")
	// Reads at a later clock see no list.
	if got := lhFmt(s.Read(0, [][]byte{[]byte("LLEN"), []byte("l")}, lhTestNow+10, 1)); got != ":0" {
		t.Fatalf("LLEN of expired list: %s", got)
	}
	// A write applied at a later log time replaces it with a fresh list.
	e := &Entry{Type: EntryCommand, Time: lhTestNow + 10, Cmds: []Cmd{{Args: [][]byte{[]byte("RPUSH"), []byte("l"), []byte("c")}}}}
	if got := lhFmt(s.ApplyEntry(s.Applied()+1, e)); got != ":1" {
		t.Fatalf("RPUSH onto expired list: %s", got)
	}
	if got := lhFmt(s.Read(0, [][]byte{[]byte("TTL"), []byte("l")}, lhTestNow+10, 1)); got != ":-1" {
		t.Fatalf("TTL of the new list: %s", got)
	}
}

// TestListNoPanic feeds the list commands random arguments.
func TestListNoPanic(t *testing.T) {
	var names []string
	for _, c := range listCommands() {
		names = append(names, c.Name)
	}
	lhFuzz(t, names, 20000)
}

// TestListReplyIsCopyOnPop checks that a popped element's reply stays valid
// after the list is modified further.
func TestListReplyIsCopyOnPop(t *testing.T) {
	s := NewStore()
	lhDo(t, s, "RPUSH", "l", "a", "b")
	v := lhDo(t, s, "LPOP", "l")
	lhDo(t, s, "LPUSH", "l", "zz", "yy", "xx")
	if !bytes.Equal(v.Str, []byte("a")) {
		t.Fatalf("popped reply changed: %q", v.Str)
	}
}

var listRedisCases = []lhCase{
	{"push order, lengths and ranges", []lhStep{
		{"LPUSH l a b c", ":3"},
		{"RPUSH l d e", ":5"},
		{"LRANGE l 0 -1", "[\"c\" \"b\" \"a\" \"d\" \"e\"]"},
		{"LLEN l", ":5"},
		{"LPUSH l \"\"", ":6"},
		{"RPUSH l \"with space\" \"quote\\\"d\" \"new\\nline\"", ":9"},
		{"LRANGE l 0 -1", "[\"\" \"c\" \"b\" \"a\" \"d\" \"e\" \"with space\" \"quote\\\"d\" \"new\\nline\"]"},
		{"LLEN l", ":9"},
		{"TYPE l", "+list"},
		{"lpush l A", ":10"},
		{"RpUsH l Z", ":11"},
		{"LRANGE l 0 0", "[\"A\"]"},
		{"LRANGE l -1 -1", "[\"Z\"]"},
	}},
	{"push arity and wrong type", []lhStep{
		{"LPUSH l", "-ERR wrong number of arguments for 'lpush' command"},
		{"RPUSH l", "-ERR wrong number of arguments for 'rpush' command"},
		{"LPUSH", "-ERR wrong number of arguments for 'lpush' command"},
		{"SET s x", "+OK"},
		{"LPUSH s a", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"RPUSH s a", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"LPUSHX s a", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"RPUSHX s a", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"GET s", "\"x\""},
	}},
	{"LPUSHX / RPUSHX", []lhStep{
		{"LPUSHX l a", ":0"},
		{"RPUSHX l a b", ":0"},
		{"EXISTS l", ":0"},
		{"LLEN l", ":0"},
		{"RPUSH l x", ":1"},
		{"LPUSHX l a b", ":3"},
		{"RPUSHX l y z", ":5"},
		{"LRANGE l 0 -1", "[\"b\" \"a\" \"x\" \"y\" \"z\"]"},
		{"LPUSHX l", "-ERR wrong number of arguments for 'lpushx' command"},
		{"RPUSHX l", "-ERR wrong number of arguments for 'rpushx' command"},
	}},
	{"LPOP / RPOP without count", []lhStep{
		{"RPUSH l a b c d", ":4"},
		{"LPOP l", "\"a\""},
		{"RPOP l", "\"d\""},
		{"LRANGE l 0 -1", "[\"b\" \"c\"]"},
		{"LPOP l", "\"b\""},
		{"RPOP l", "\"c\""},
		{"EXISTS l", ":0"},
		{"LPOP l", "(nil)"},
		{"RPOP l", "(nil)"},
		{"LPOP nokey", "(nil)"},
		{"RPOP nokey", "(nil)"},
	}},
	{"LPOP / RPOP with count", []lhStep{
		{"RPUSH l a b c d e f", ":6"},
		{"LPOP l 2", "[\"a\" \"b\"]"},
		{"RPOP l 2", "[\"f\" \"e\"]"},
		{"LPOP l 0", "[]"},
		{"RPOP l 0", "[]"},
		{"LPOP l 10", "[\"c\" \"d\"]"},
		{"EXISTS l", ":0"},
		{"LPOP l 1", "(nil-array)"},
		{"RPOP l 0", "(nil-array)"},
		{"LPOP nokey 0", "(nil-array)"},
		{"RPOP nokey 5", "(nil-array)"},
		{"RPUSH m a", ":1"},
		{"RPOP m 1", "[\"a\"]"},
		{"LPOP m", "(nil)"},
	}},
	{"LPOP / RPOP count errors", []lhStep{
		{"RPUSH l a b", ":2"},
		{"LPOP l -1", "-ERR value is out of range, must be positive"},
		{"RPOP l -1", "-ERR value is out of range, must be positive"},
		{"LPOP l abc", "-ERR value is out of range, must be positive"},
		{"RPOP l 1.5", "-ERR value is out of range, must be positive"},
		{"LPOP l \"\"", "-ERR value is out of range, must be positive"},
		{"LPOP nokey -1", "-ERR value is out of range, must be positive"},
		{"LPOP nokey abc", "-ERR value is out of range, must be positive"},
		{"LPOP l 1 2", "-ERR wrong number of arguments for 'lpop' command"},
		{"RPOP l 1 2", "-ERR wrong number of arguments for 'rpop' command"},
		{"LPOP", "-ERR wrong number of arguments for 'lpop' command"},
		{"LPOP l 9223372036854775807", "[\"a\" \"b\"]"},
		{"LPOP l 9223372036854775808", "-ERR value is out of range, must be positive"},
		{"SET s x", "+OK"},
		{"LPOP s", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"RPOP s", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"LPOP s 0", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"RPOP s 2", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"LPOP s -1", "-ERR value is out of range, must be positive"},
	}},
	{"LLEN", []lhStep{
		{"LLEN nokey", ":0"},
		{"RPUSH l a b c", ":3"},
		{"LLEN l", ":3"},
		{"SET s x", "+OK"},
		{"LLEN s", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"LLEN", "-ERR wrong number of arguments for 'llen' command"},
		{"LLEN l extra", "-ERR wrong number of arguments for 'llen' command"},
	}},
	{"LRANGE bounds", []lhStep{
		{"RPUSH l a b c d e", ":5"},
		{"LRANGE l 0 -1", "[\"a\" \"b\" \"c\" \"d\" \"e\"]"},
		{"LRANGE l 1 3", "[\"b\" \"c\" \"d\"]"},
		{"LRANGE l -3 -2", "[\"c\" \"d\"]"},
		{"LRANGE l -100 100", "[\"a\" \"b\" \"c\" \"d\" \"e\"]"},
		{"LRANGE l 2 1", "[]"},
		{"LRANGE l 5 10", "[]"},
		{"LRANGE l 4 4", "[\"e\"]"},
		{"LRANGE l -1 -5", "[]"},
		{"LRANGE l -5 -5", "[\"a\"]"},
		{"LRANGE l -6 0", "[\"a\"]"},
		{"LRANGE l 0 -6", "[]"},
		{"LRANGE l 9223372036854775807 -9223372036854775808", "[]"},
		{"LRANGE l -9223372036854775808 9223372036854775807", "[\"a\" \"b\" \"c\" \"d\" \"e\"]"},
		{"LRANGE l a 1", "-ERR value is not an integer or out of range"},
		{"LRANGE l 0 b", "-ERR value is not an integer or out of range"},
		{"LRANGE l 1.0 2", "-ERR value is not an integer or out of range"},
		{"LRANGE l \" 1\" 2", "-ERR value is not an integer or out of range"},
		{"LRANGE l +1 2", "-ERR value is not an integer or out of range"},
		{"LRANGE l 01 2", "-ERR value is not an integer or out of range"},
		{"LRANGE nokey 0 -1", "[]"},
		{"LRANGE nokey a b", "-ERR value is not an integer or out of range"},
		{"LRANGE l 0", "-ERR wrong number of arguments for 'lrange' command"},
		{"LRANGE l 0 1 2", "-ERR wrong number of arguments for 'lrange' command"},
		{"SET s x", "+OK"},
		{"LRANGE s 0 -1", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"LRANGE s a b", "-ERR value is not an integer or out of range"},
	}},
	{"LINDEX", []lhStep{
		{"RPUSH l a b c", ":3"},
		{"LINDEX l 0", "\"a\""},
		{"LINDEX l 2", "\"c\""},
		{"LINDEX l 3", "(nil)"},
		{"LINDEX l -1", "\"c\""},
		{"LINDEX l -3", "\"a\""},
		{"LINDEX l -4", "(nil)"},
		{"LINDEX l 9223372036854775807", "(nil)"},
		{"LINDEX l -9223372036854775808", "(nil)"},
		{"LINDEX l abc", "-ERR value is not an integer or out of range"},
		{"LINDEX nokey 0", "(nil)"},
		{"LINDEX nokey abc", "(nil)"},
		{"SET s x", "+OK"},
		{"LINDEX s 0", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"LINDEX s abc", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"LINDEX l", "-ERR wrong number of arguments for 'lindex' command"},
		{"LINDEX l 0 1", "-ERR wrong number of arguments for 'lindex' command"},
	}},
	{"LSET", []lhStep{
		{"RPUSH l a b c", ":3"},
		{"LSET l 0 A", "+OK"},
		{"LSET l -1 C", "+OK"},
		{"LSET l 1 \"\"", "+OK"},
		{"LRANGE l 0 -1", "[\"A\" \"\" \"C\"]"},
		{"LSET l 3 x", "-ERR index out of range"},
		{"LSET l -4 x", "-ERR index out of range"},
		{"LSET l 9223372036854775807 x", "-ERR index out of range"},
		{"LSET l abc x", "-ERR value is not an integer or out of range"},
		{"LSET nokey 0 x", "-ERR no such key"},
		{"LSET nokey abc x", "-ERR no such key"},
		{"SET s x", "+OK"},
		{"LSET s 0 x", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"LSET s abc x", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"LSET l 0", "-ERR wrong number of arguments for 'lset' command"},
		{"LSET l 0 x y", "-ERR wrong number of arguments for 'lset' command"},
		{"LRANGE l 0 -1", "[\"A\" \"\" \"C\"]"},
	}},
	{"LINSERT", []lhStep{
		{"RPUSH l a b c", ":3"},
		{"LINSERT l BEFORE a x", ":4"},
		{"LINSERT l AFTER c y", ":5"},
		{"LINSERT l after b z", ":6"},
		{"LINSERT l before b w", ":7"},
		{"LRANGE l 0 -1", "[\"x\" \"a\" \"w\" \"b\" \"z\" \"c\" \"y\"]"},
		{"LINSERT l BEFORE nopivot x", ":-1"},
		{"LINSERT l MIDDLE a x", "-ERR syntax error"},
		{"LINSERT nokey BEFORE a x", ":0"},
		{"LINSERT nokey MIDDLE a x", "-ERR syntax error"},
		{"EXISTS nokey", ":0"},
		{"SET s x", "+OK"},
		{"LINSERT s BEFORE a x", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"LINSERT s MIDDLE a x", "-ERR syntax error"},
		{"LINSERT l BEFORE a", "-ERR wrong number of arguments for 'linsert' command"},
		{"LINSERT l BEFORE a x y", "-ERR wrong number of arguments for 'linsert' command"},
		{"RPUSH d a a a", ":3"},
		{"LINSERT d AFTER a b", ":4"},
		{"LRANGE d 0 -1", "[\"a\" \"b\" \"a\" \"a\"]"},
	}},
	{"LREM", []lhStep{
		{"RPUSH l a b a c a b a", ":7"},
		{"LREM l 2 a", ":2"},
		{"LRANGE l 0 -1", "[\"b\" \"c\" \"a\" \"b\" \"a\"]"},
		{"LREM l -1 a", ":1"},
		{"LRANGE l 0 -1", "[\"b\" \"c\" \"a\" \"b\"]"},
		{"LREM l 0 b", ":2"},
		{"LRANGE l 0 -1", "[\"c\" \"a\"]"},
		{"LREM l 0 nothere", ":0"},
		{"LREM l 1 c", ":1"},
		{"LREM l -100 a", ":1"},
		{"EXISTS l", ":0"},
		{"LREM nokey 0 a", ":0"},
		{"LREM nokey abc a", "-ERR value is not an integer or out of range"},
		{"RPUSH m x y x", ":3"},
		{"LREM m abc x", "-ERR value is not an integer or out of range"},
		{"LREM m 1.5 x", "-ERR value is not an integer or out of range"},
		{"LREM m -9223372036854775808 x", ":2"},
		{"LRANGE m 0 -1", "[\"y\"]"},
		{"SET s x", "+OK"},
		{"LREM s 0 a", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"LREM l 0", "-ERR wrong number of arguments for 'lrem' command"},
		{"LREM l 0 a b", "-ERR wrong number of arguments for 'lrem' command"},
	}},
	{"LREM from the tail keeps the others in order", []lhStep{
		{"RPUSH l 1 x 2 x 3 x 4", ":7"},
		{"LREM l -2 x", ":2"},
		{"LRANGE l 0 -1", "[\"1\" \"x\" \"2\" \"3\" \"4\"]"},
		{"LREM l 9223372036854775807 x", ":1"},
		{"LRANGE l 0 -1", "[\"1\" \"2\" \"3\" \"4\"]"},
	}},
	{"LTRIM", []lhStep{
		{"RPUSH l a b c d e", ":5"},
		{"LTRIM l 1 -2", "+OK"},
		{"LRANGE l 0 -1", "[\"b\" \"c\" \"d\"]"},
		{"LTRIM l 0 100", "+OK"},
		{"LRANGE l 0 -1", "[\"b\" \"c\" \"d\"]"},
		{"LTRIM l -2 -1", "+OK"},
		{"LRANGE l 0 -1", "[\"c\" \"d\"]"},
		{"LTRIM l 1 0", "+OK"},
		{"EXISTS l", ":0"},
		{"RPUSH m a b c", ":3"},
		{"LTRIM m 5 10", "+OK"},
		{"EXISTS m", ":0"},
		{"RPUSH n a b c", ":3"},
		{"LTRIM n -100 -50", "+OK"},
		{"EXISTS n", ":0"},
		{"LTRIM nokey 0 1", "+OK"},
		{"LTRIM nokey a b", "-ERR value is not an integer or out of range"},
		{"RPUSH o a b c", ":3"},
		{"LTRIM o a 1", "-ERR value is not an integer or out of range"},
		{"LTRIM o 0 b", "-ERR value is not an integer or out of range"},
		{"LTRIM o 0", "-ERR wrong number of arguments for 'ltrim' command"},
		{"LTRIM o 0 1 2", "-ERR wrong number of arguments for 'ltrim' command"},
		{"SET s x", "+OK"},
		{"LTRIM s 0 1", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"LRANGE o 0 -1", "[\"a\" \"b\" \"c\"]"},
	}},
	{"LPOS basics", []lhStep{
		{"RPUSH l a b c 1 2 3 c c", ":8"},
		{"LPOS l c", ":2"},
		{"LPOS l c RANK 1", ":2"},
		{"LPOS l c RANK 2", ":6"},
		{"LPOS l c RANK -1", ":7"},
		{"LPOS l c RANK -3", ":2"},
		{"LPOS l c RANK 4", "(nil)"},
		{"LPOS l c RANK -4", "(nil)"},
		{"LPOS l nothere", "(nil)"},
		{"LPOS l c COUNT 0", "[:2 :6 :7]"},
		{"LPOS l c COUNT 2", "[:2 :6]"},
		{"LPOS l c COUNT 10", "[:2 :6 :7]"},
		{"LPOS l c RANK 2 COUNT 0", "[:6 :7]"},
		{"LPOS l c RANK -1 COUNT 2", "[:7 :6]"},
		{"LPOS l c COUNT 0 MAXLEN 3", "[:2]"},
		{"LPOS l c COUNT 0 MAXLEN 7", "[:2 :6]"},
		{"LPOS l c MAXLEN 2", "(nil)"},
		{"LPOS l c MAXLEN 0", ":2"},
		{"LPOS l c RANK -1 MAXLEN 1", ":7"},
		{"LPOS l c RANK -1 COUNT 0 MAXLEN 2", "[:7 :6]"},
		{"LPOS l nothere COUNT 0", "[]"},
		{"lpos l c rank 1 count 1 maxlen 100", "[:2]"},
		{"LPOS l c RANK 1 RANK 2", ":6"},
		{"LPOS l c RANK -9223372036854775807", "(nil)"},
		{"LPOS l c RANK -9223372036854775808", ":7"},
		{"LPOS l c RANK -9223372036854775808 COUNT 2", "[:7 :6 :2]"},
		{"LPOS l c RANK 9223372036854775807", "(nil)"},
		{"LPOS l c RANK 9223372036854775807 COUNT 0", "[]"},
	}},
	{"LPOS errors", []lhStep{
		{"RPUSH l a b c", ":3"},
		{"LPOS l a RANK 0", "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"},
		{"LPOS l a RANK abc", "-ERR value is not an integer or out of range"},
		{"LPOS l a RANK 9223372036854775808", "-ERR value is not an integer or out of range"},
		{"LPOS l a COUNT -1", "-ERR COUNT can't be negative"},
		{"LPOS l a COUNT abc", "-ERR COUNT can't be negative"},
		{"LPOS l a MAXLEN -1", "-ERR MAXLEN can't be negative"},
		{"LPOS l a MAXLEN abc", "-ERR MAXLEN can't be negative"},
		{"LPOS l a RANK", "-ERR syntax error"},
		{"LPOS l a COUNT", "-ERR syntax error"},
		{"LPOS l a FOO 1", "-ERR syntax error"},
		{"LPOS l a RANK 1 COUNT", "-ERR syntax error"},
		{"LPOS nokey a", "(nil)"},
		{"LPOS nokey a COUNT 1", "[]"},
		{"LPOS nokey a RANK 0", "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"},
		{"LPOS nokey a COUNT -1", "-ERR COUNT can't be negative"},
		{"LPOS nokey a BAR", "-ERR syntax error"},
		{"SET s x", "+OK"},
		{"LPOS s a", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"LPOS s a COUNT 0", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"LPOS s a RANK 0", "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"},
		{"LPOS l", "-ERR wrong number of arguments for 'lpos' command"},
		{"LPOS", "-ERR wrong number of arguments for 'lpos' command"},
	}},
	{"LMOVE", []lhStep{
		{"RPUSH src a b c", ":3"},
		{"LMOVE src dst LEFT RIGHT", "\"a\""},
		{"LMOVE src dst RIGHT LEFT", "\"c\""},
		{"LRANGE src 0 -1", "[\"b\"]"},
		{"LRANGE dst 0 -1", "[\"c\" \"a\"]"},
		{"LMOVE src dst left left", "\"b\""},
		{"EXISTS src", ":0"},
		{"LRANGE dst 0 -1", "[\"b\" \"c\" \"a\"]"},
		{"LMOVE src dst LEFT LEFT", "(nil)"},
		{"LMOVE dst dst LEFT RIGHT", "\"b\""},
		{"LRANGE dst 0 -1", "[\"c\" \"a\" \"b\"]"},
		{"LMOVE dst dst RIGHT LEFT", "\"b\""},
		{"LRANGE dst 0 -1", "[\"b\" \"c\" \"a\"]"},
		{"LMOVE dst dst LEFT LEFT", "\"b\""},
		{"LRANGE dst 0 -1", "[\"b\" \"c\" \"a\"]"},
	}},
	{"LMOVE single element onto itself and errors", []lhStep{
		{"RPUSH one x", ":1"},
		{"LMOVE one one LEFT RIGHT", "\"x\""},
		{"LRANGE one 0 -1", "[\"x\"]"},
		{"LMOVE one one RIGHT RIGHT", "\"x\""},
		{"LLEN one", ":1"},
		{"LMOVE one other UP LEFT", "-ERR syntax error"},
		{"LMOVE one other LEFT DOWN", "-ERR syntax error"},
		{"LMOVE nokey other UP LEFT", "-ERR syntax error"},
		{"LMOVE nokey other LEFT RIGHT", "(nil)"},
		{"EXISTS other", ":0"},
		{"SET s x", "+OK"},
		{"LMOVE s one LEFT LEFT", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"LMOVE one s LEFT LEFT", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"LRANGE one 0 -1", "[\"x\"]"},
		{"LMOVE nokey s LEFT LEFT", "(nil)"},
		{"LMOVE one s UP LEFT", "-ERR syntax error"},
		{"LMOVE one two LEFT", "-ERR wrong number of arguments for 'lmove' command"},
		{"LMOVE one two LEFT RIGHT extra", "-ERR wrong number of arguments for 'lmove' command"},
	}},
	{"RPOPLPUSH", []lhStep{
		{"RPUSH a 1 2 3", ":3"},
		{"RPOPLPUSH a b", "\"3\""},
		{"RPOPLPUSH a b", "\"2\""},
		{"LRANGE a 0 -1", "[\"1\"]"},
		{"LRANGE b 0 -1", "[\"2\" \"3\"]"},
		{"RPOPLPUSH a a", "\"1\""},
		{"RPOPLPUSH b b", "\"3\""},
		{"LRANGE b 0 -1", "[\"3\" \"2\"]"},
		{"RPOPLPUSH a b", "\"1\""},
		{"EXISTS a", ":0"},
		{"RPOPLPUSH a b", "(nil)"},
		{"RPOPLPUSH nokey b", "(nil)"},
		{"SET s x", "+OK"},
		{"RPOPLPUSH s b", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"RPOPLPUSH b s", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"RPOPLPUSH nokey s", "(nil)"},
		{"LRANGE b 0 -1", "[\"1\" \"3\" \"2\"]"},
		{"RPOPLPUSH a", "-ERR wrong number of arguments for 'rpoplpush' command"},
		{"RPOPLPUSH a b c", "-ERR wrong number of arguments for 'rpoplpush' command"},
	}},
	{"LMPOP", []lhStep{
		{"RPUSH l1 a b c", ":3"},
		{"RPUSH l2 d e f", ":3"},
		{"LMPOP 2 l1 l2 LEFT", "[\"l1\" [\"a\"]]"},
		{"LMPOP 2 l1 l2 RIGHT COUNT 10", "[\"l1\" [\"c\" \"b\"]]"},
		{"LMPOP 2 l1 l2 right count 2", "[\"l2\" [\"f\" \"e\"]]"},
		{"LMPOP 2 nokey l2 LEFT COUNT 1", "[\"l2\" [\"d\"]]"},
		{"LMPOP 2 l1 l2 LEFT", "(nil-array)"},
		{"LMPOP 1 nokey LEFT", "(nil-array)"},
		{"LMPOP 1 nokey LEFT COUNT 3", "(nil-array)"},
		{"EXISTS l1 l2", ":0"},
		{"RPUSH l3 x", ":1"},
		{"LMPOP 3 l1 l2 l3 left", "[\"l3\" [\"x\"]]"},
		{"EXISTS l3", ":0"},
	}},
	{"LMPOP errors", []lhStep{
		{"RPUSH l a b c", ":3"},
		{"SET s x", "+OK"},
		{"LMPOP 0 l LEFT", "-ERR numkeys should be greater than 0"},
		{"LMPOP -1 l LEFT", "-ERR numkeys should be greater than 0"},
		{"LMPOP abc l LEFT", "-ERR numkeys should be greater than 0"},
		{"LMPOP 1 l MIDDLE", "-ERR syntax error"},
		{"LMPOP 2 l LEFT", "-ERR syntax error"},
		{"LMPOP 3 l LEFT", "-ERR syntax error"},
		{"LMPOP 1 l LEFT COUNT 0", "-ERR count should be greater than 0"},
		{"LMPOP 1 l LEFT COUNT -1", "-ERR count should be greater than 0"},
		{"LMPOP 1 l LEFT COUNT abc", "-ERR count should be greater than 0"},
		{"LMPOP 1 l LEFT COUNT", "-ERR syntax error"},
		{"LMPOP 1 l LEFT COUNT 1 COUNT 1", "-ERR syntax error"},
		{"LMPOP 1 l LEFT FOO", "-ERR syntax error"},
		{"LMPOP 1 l LEFT FOO 1", "-ERR syntax error"},
		{"LMPOP 2 nokey s LEFT", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"LMPOP 2 s l LEFT", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"LMPOP 2 l s LEFT", "[\"l\" [\"a\"]]"},
		{"LMPOP 1 nokey LEFT COUNT 0", "-ERR count should be greater than 0"},
		{"LMPOP 1 l", "-ERR wrong number of arguments for 'lmpop' command"},
		{"LMPOP 1", "-ERR wrong number of arguments for 'lmpop' command"},
		{"LMPOP 2147483648 l LEFT", "-ERR syntax error"},
		{"LMPOP 9223372036854775807 l LEFT", "-ERR syntax error"},
		{"LMPOP 1 l LEFT COUNT 9223372036854775807", "[\"l\" [\"b\" \"c\"]]"},
		{"LRANGE l 0 -1", "[]"},
	}},
	{"big list: O(1) ends and ranges", []lhStep{
		{"RPUSH big 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29", ":30"},
		{"LPUSH big -1 -2 -3 -4 -5 -6 -7 -8 -9 -10", ":40"},
		{"LLEN big", ":40"},
		{"LRANGE big 5 15", "[\"-5\" \"-4\" \"-3\" \"-2\" \"-1\" \"0\" \"1\" \"2\" \"3\" \"4\" \"5\"]"},
		{"LINDEX big 20", "\"10\""},
		{"LSET big 20 X", "+OK"},
		{"LINSERT big AFTER X Y", ":41"},
		{"LREM big 0 Y", ":1"},
		{"LPOS big X", ":20"},
		{"LTRIM big 10 -10", "+OK"},
		{"LRANGE big 0 -1", "[\"0\" \"1\" \"2\" \"3\" \"4\" \"5\" \"6\" \"7\" \"8\" \"9\" \"X\" \"11\" \"12\" \"13\" \"14\" \"15\" \"16\" \"17\" \"18\" \"19\" \"20\"]"},
		{"LPOP big 5", "[\"0\" \"1\" \"2\" \"3\" \"4\"]"},
		{"RPOP big 5", "[\"20\" \"19\" \"18\" \"17\" \"16\"]"},
		{"LRANGE big 0 -1", "[\"5\" \"6\" \"7\" \"8\" \"9\" \"X\" \"11\" \"12\" \"13\" \"14\" \"15\"]"},
	}},
	{"list keeps its TTL when modified", []lhStep{
		{"RPUSH l a b", ":2"},
		{"EXPIRE l 1000", ":1"},
		{"LPUSH l c", ":3"},
		{"RPOP l", "\"b\""},
		{"LSET l 0 z", "+OK"},
		{"TTL l", ":1000"},
		{"LRANGE l 0 -1", "[\"z\" \"a\"]"},
	}},
}
