package fsm

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/redraft/redraft/reply"
)

// The helpers prefixed sz are shared by the set and sorted set tests.

// szNow is the log clock of the test entries and the clock of reads.
const szNow = int64(1_700_000_000_000)

// szDo runs one command as the server would: a write is applied as the next
// log entry (ApplyEntry), a read is served by Store.Read after the arity check
// the server makes.
func szDo(t testing.TB, s *Store, args ...string) reply.Value {
	t.Helper()
	b := make([][]byte, len(args))
	for i, a := range args {
		b[i] = []byte(a)
	}
	return szDoBytes(t, s, b, 1)
}

func szDoBytes(t testing.TB, s *Store, b [][]byte, seed uint64) reply.Value {
	t.Helper()
	cmd := s.Lookup(LowerName(b[0]))
	if cmd == nil {
		t.Fatalf("unknown command %q", b[0])
	}
	if cmd.IsWrite() {
		e := &Entry{Type: EntryCommand, Time: szNow, Cmds: []Cmd{{DB: 0, Args: b}}}
		return s.ApplyEntry(s.Applied()+1, e)
	}
	if !cmd.ArityOK(len(b)) {
		return wrongArity(cmd.Name)
	}
	return s.Read(0, b, szNow, seed)
}

// szFmt renders a reply compactly: :1 "bulk" (nil) (nil-array) +OK -ERR ...
// [array] {map} ~[set] P[pairs] ,double.
func szFmt(v reply.Value) string {
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
			parts[i] = szFmt(e)
		}
		open, close := "[", "]"
		switch v.Kind {
		case reply.KindMap:
			open, close = "{", "}"
		case reply.KindSet:
			open = "~["
		case reply.KindPairs:
			open = "P["
		}
		return open + strings.Join(parts, " ") + close
	}
	return fmt.Sprintf("?%d", v.Kind)
}

// szSorted renders an aggregate with its elements sorted; for a SCAN-shaped
// reply only the element array is sorted (pairs kept together for ZSCAN).
func szSorted(v reply.Value, group int) string {
	if v.Kind == reply.KindArray && len(v.Elems) == 2 && v.Elems[0].Kind == reply.KindBulk && v.Elems[1].Kind == reply.KindArray {
		return "[" + szFmt(v.Elems[0]) + " " + szSorted(v.Elems[1], group) + "]"
	}
	if v.Kind != reply.KindArray && v.Kind != reply.KindSet && v.Kind != reply.KindPairs {
		return szFmt(v)
	}
	var parts []string
	for i := 0; i+group <= len(v.Elems); i += group {
		var g []string
		for _, e := range v.Elems[i : i+group] {
			g = append(g, szFmt(e))
		}
		parts = append(parts, strings.Join(g, " "))
	}
	sort.Strings(parts)
	open := "["
	if v.Kind == reply.KindSet {
		open = "~["
	}
	return "sorted" + open + strings.Join(parts, " ") + "]"
}

// szStep is one command line and its expected reply in szFmt notation. A
// line prefixed "~ " is compared sorted (szSorted); "~2 " sorts pairs.
type szStep struct{ cmd, want string }

type szCase struct {
	name  string
	steps []szStep
}

// szSplit splits a command line: spaces separate arguments, and double quoted
// arguments may contain spaces and the escapes \" \\ \n.
func szSplit(t testing.TB, line string) []string {
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
				c = line[i]
				if c == 'n' {
					c = '\n'
				}
			}
			b.WriteByte(c)
		}
		args = append(args, b.String())
	}
}

// szRunCases runs each case on a fresh store and compares every reply.
func szRunCases(t *testing.T, cases []szCase) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := NewStore()
			for _, st := range tc.steps {
				line, group := st.cmd, 0
				if l, ok := strings.CutPrefix(line, "~2 "); ok {
					line, group = l, 2
				} else if l, ok := strings.CutPrefix(line, "~ "); ok {
					line, group = l, 1
				}
				v := szDo(t, s, szSplit(t, line)...)
				got := szFmt(v)
				if group > 0 {
					got = szSorted(v, group)
				}
				if got != st.want {
					t.Errorf("%s\n got: %s\nwant: %s", st.cmd, got, st.want)
				}
			}
		})
	}
}

// szCheckTable checks a group's command table against Redis 7.0's COMMAND
// INFO: arity, flags and key positions.
func szCheckTable(t *testing.T, cmds []*Command, want map[string]string) {
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

// szFuzzArgs are argument values that exercise parsing edge cases.
var szFuzzArgs = []string{
	"", "0", "1", "-1", "2", "-2", "3", "100", "-100", "abc", "1.5", " 1", "+1", "01", "(1", "[a", "(a", "-", "+",
	"9223372036854775807", "-9223372036854775808", "9223372036854775808", "4611686018427387904",
	"-4611686018427387904", "-4611686018427387903", "18446744073709551615", "inf", "-inf", "+inf", "nan", "1e400", "-0",
	"nx", "xx", "gt", "lt", "ch", "incr", "withscores", "WITHSCORES", "limit", "LIMIT", "rev", "byscore", "bylex",
	"min", "max", "count", "COUNT", "match", "*", "[", "a", "b", "k", "s", "z", "l",
}

// szFuzz runs random arity-respecting invocations of the named commands on
// keys of every type and fails on a panic or an empty reply.
func szFuzz(t *testing.T, names []string, iters int) {
	r := rand.New(rand.NewPCG(42, 7))
	s := NewStore()
	setup := [][]string{
		{"SADD", "s", "a", "b", "c", "1"}, {"ZADD", "z", "1", "a", "2", "b", "inf", "c"},
		{"ZADD", "l", "0", "a", "0", "b"}, {"SET", "k", "x"},
	}
	for i := 0; i < iters; i++ {
		if i%50 == 0 {
			for _, a := range setup {
				szDo(t, s, a...)
			}
		}
		name := names[r.IntN(len(names))]
		cmd := s.Lookup(name)
		n := cmd.Arity
		if n < 0 {
			n = -n + r.IntN(6)
		}
		args := []string{name}
		for len(args) < n {
			args = append(args, szFuzzArgs[r.IntN(len(szFuzzArgs))])
		}
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("panic on %q: %v", args, p)
				}
			}()
			if v := szDo(t, s, args...); v.Kind == 0 {
				t.Fatalf("%q: zero reply", args)
			}
		}()
	}
}

func TestSetCommandTable(t *testing.T) {
	szCheckTable(t, setCommands(), map[string]string{
		"sadd":        "-3 write,denyoom,fast 1 1 1",
		"srem":        "-3 write,fast 1 1 1",
		"smembers":    "2 readonly 1 1 1",
		"sismember":   "3 readonly,fast 1 1 1",
		"smismember":  "-3 readonly,fast 1 1 1",
		"scard":       "2 readonly,fast 1 1 1",
		"spop":        "-2 write,fast 1 1 1",
		"srandmember": "-2 readonly 1 1 1",
		"sinter":      "-2 readonly 1 -1 1",
		"sunion":      "-2 readonly 1 -1 1",
		"sdiff":       "-2 readonly 1 -1 1",
		"sinterstore": "-3 write,denyoom 1 -1 1",
		"sunionstore": "-3 write,denyoom 1 -1 1",
		"sdiffstore":  "-3 write,denyoom 1 -1 1",
		"sintercard":  "-3 readonly 0 0 0",
		"smove":       "4 write,fast 1 2 1",
		"sscan":       "-3 readonly 1 1 1",
	})
}

const wrongTypeErr = "-WRONGTYPE Operation against a key holding the wrong kind of value"

// TestSetRedisCases replays exchanges checked against redis-server 7.0.15.
func TestSetRedisCases(t *testing.T) { szRunCases(t, setRedisCases) }

var setRedisCases = []szCase{
	{"sadd-srem", []szStep{
		{"SADD s a b c", ":3"},
		{"SADD s a d", ":1"},
		{"SADD s a", ":0"},
		{"SCARD s", ":4"},
		{"SISMEMBER s a", ":1"},
		{"SISMEMBER s zz", ":0"},
		{"SMISMEMBER s a zz d", "[:1 :0 :1]"},
		{"SMISMEMBER nokey a b", "[:0 :0]"},
		{"SCARD nokey", ":0"},
		{"SREM s a zz", ":1"},
		{"SREM nokey a", ":0"},
		{"~ SMEMBERS s", `sorted~["b" "c" "d"]`},
		{"SREM s b c d", ":3"},
		{"EXISTS s", ":0"},
		{"SMEMBERS s", "~[]"},
		{`SADD s "" "with space"`, ":2"},
		{`SISMEMBER s ""`, ":1"},
	}},
	{"wrongtype", []szStep{
		{"SET k v", "+OK"},
		{"SADD k a", wrongTypeErr},
		{"SREM k a", wrongTypeErr},
		{"SMEMBERS k", wrongTypeErr},
		{"SISMEMBER k a", wrongTypeErr},
		{"SMISMEMBER k a", wrongTypeErr},
		{"SCARD k", wrongTypeErr},
		{"SPOP k", wrongTypeErr},
		{"SPOP k 0", wrongTypeErr},
		{"SPOP k -1", "-ERR value is out of range, must be positive"},
		{"SRANDMEMBER k", wrongTypeErr},
		{"SRANDMEMBER k -1", wrongTypeErr},
		{"SRANDMEMBER k x", "-ERR value is not an integer or out of range"},
		{"SINTER nokey k", wrongTypeErr},
		{"SUNION nokey k", wrongTypeErr},
		{"SDIFF nokey k", wrongTypeErr},
		{"SINTERSTORE d nokey k", wrongTypeErr},
		{"SINTERCARD 2 nokey k", wrongTypeErr},
		{"SSCAN k 0", wrongTypeErr},
		{"SSCAN k x", "-ERR invalid cursor"},
		{"GET k", `"v"`},
	}},
	{"spop", []szStep{
		{"SPOP nokey", "(nil)"},
		{"SPOP nokey 2", "~[]"},
		{"SPOP nokey 0", "~[]"},
		{"SPOP nokey x", "-ERR value is out of range, must be positive"},
		{"SADD s a", ":1"},
		{"SPOP s 0", "~[]"},
		{"SPOP s -1", "-ERR value is out of range, must be positive"},
		{"SPOP s 1 2", "-ERR syntax error"},
		{"SPOP s", `"a"`},
		{"EXISTS s", ":0"},
		{"SADD s a b c", ":3"},
		{"~ SPOP s 5", `sorted~["a" "b" "c"]`},
		{"EXISTS s", ":0"},
	}},
	{"srandmember", []szStep{
		{"SRANDMEMBER nokey", "(nil)"},
		{"SRANDMEMBER nokey 3", "[]"},
		{"SRANDMEMBER nokey -3", "[]"},
		{"SADD s only", ":1"},
		{"SRANDMEMBER s", `"only"`},
		{"SRANDMEMBER s 0", "[]"},
		{"SRANDMEMBER s 5", `["only"]`},
		{"SRANDMEMBER s -3", `["only" "only" "only"]`},
		{"SRANDMEMBER s x", "-ERR value is not an integer or out of range"},
		{"SRANDMEMBER s 1 2", "-ERR syntax error"},
		{"SRANDMEMBER s -9223372036854775808", "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"},
		{"SRANDMEMBER s -9223372036854775807", "-ERR value is out of range"},
		{"SRANDMEMBER s 9223372036854775807", `["only"]`},
	}},
	{"algebra", []szStep{
		{"SADD a 1 2 3 4 x", ":5"},
		{"SADD b 2 3 5 x y", ":5"},
		{"SADD c 3 x z", ":3"},
		{"~ SINTER a b c", `sorted~["3" "x"]`},
		{"~ SINTER a", `sorted~["1" "2" "3" "4" "x"]`},
		{"SINTER a nokey", "~[]"},
		{"~ SUNION a b c", `sorted~["1" "2" "3" "4" "5" "x" "y" "z"]`},
		{"~ SUNION nokey c", `sorted~["3" "x" "z"]`},
		{"~ SDIFF a b c", `sorted~["1" "4"]`},
		{"~ SDIFF a nokey", `sorted~["1" "2" "3" "4" "x"]`},
		{"SDIFF nokey a", "~[]"},
		{"SDIFF a a", "~[]"},
	}},
	{"store", []szStep{
		{"SADD a 1 2 3 4", ":4"},
		{"SADD b 3 4 5", ":3"},
		{"SINTERSTORE d a b", ":2"},
		{"~ SMEMBERS d", `sorted~["3" "4"]`},
		{"SUNIONSTORE d a b", ":5"},
		{"SDIFFSTORE d a b", ":2"},
		{"~ SMEMBERS d", `sorted~["1" "2"]`},
		{"SINTERSTORE d a nokey", ":0"},
		{"EXISTS d", ":0"},
		{"SET d str EX 100", "+OK"},
		{"SUNIONSTORE d a", ":4"},
		{"TYPE d", "+set"},
		{"TTL d", ":-1"},
		{"SET d str", "+OK"},
		{"SDIFFSTORE d nokey", ":0"},
		{"EXISTS d", ":0"},
		{"SUNIONSTORE a a b", ":5"},
		{"SCARD a", ":5"},
		{"SET k v", "+OK"},
		{"SDIFFSTORE k a", ":5"},
		{"TYPE k", "+set"},
	}},
	{"sintercard", []szStep{
		{"SADD a 1 2 3 4 5", ":5"},
		{"SADD b 3 4 5 6", ":4"},
		{"SINTERCARD 2 a b", ":3"},
		{"SINTERCARD 1 a", ":5"},
		{"SINTERCARD 2 a nokey", ":0"},
		{"SINTERCARD 2 a b LIMIT 0", ":3"},
		{"SINTERCARD 2 a b LIMIT 2", ":2"},
		{"SINTERCARD 2 a b limit 1 LIMIT 0", ":3"},
		{"SINTERCARD 0 a", "-ERR numkeys should be greater than 0"},
		{"SINTERCARD x a", "-ERR numkeys should be greater than 0"},
		{"SINTERCARD 3 a b", "-ERR Number of keys can't be greater than number of args"},
		{"SINTERCARD 9223372036854775807 a", "-ERR Number of keys can't be greater than number of args"},
		{"SINTERCARD 2 a b LIMIT", "-ERR syntax error"},
		{"SINTERCARD 2 a b LIMIT -1", "-ERR LIMIT can't be negative"},
		{"SINTERCARD 2 a b LIMIT x", "-ERR LIMIT can't be negative"},
		{"SINTERCARD 1 a b", "-ERR syntax error"},
	}},
	{"smove", []szStep{
		{"SADD src a b c", ":3"},
		{"SADD dst x", ":1"},
		{"SMOVE src dst a", ":1"},
		{"SMOVE src dst a", ":0"},
		{"SMOVE src src b", ":1"},
		{"SMOVE src src zz", ":0"},
		{"SMOVE src new b", ":1"},
		{"SMEMBERS new", `~["b"]`},
		{"SMOVE src dst c", ":1"},
		{"EXISTS src", ":0"},
		{"~ SMEMBERS dst", `sorted~["a" "c" "x"]`},
		{"SMOVE nokey dst a", ":0"},
		{"SET k v", "+OK"},
		{"SMOVE k dst a", wrongTypeErr},
		{"SMOVE dst k x", wrongTypeErr},
		{"SMOVE dst k nosuch", wrongTypeErr},
		{"SMOVE nokey k a", ":0"},
	}},
	{"sscan", []szStep{
		{"SADD s a b c abc", ":4"},
		{"~ SSCAN s 0", `["0" sorted["a" "abc" "b" "c"]]`},
		{"~ SSCAN s 0 MATCH a*", `["0" sorted["a" "abc"]]`},
		{"~ SSCAN s 0 match *c COUNT 20", `["0" sorted["abc" "c"]]`},
		{`~ SSCAN s ""`, `["0" sorted["a" "abc" "b" "c"]]`},
		{"SSCAN nokey 0", `["0" []]`},
		{"SSCAN nokey 0 COUNT 0", `["0" []]`},
		{"SSCAN nokey x", "-ERR invalid cursor"},
		{`SSCAN s " 1"`, "-ERR invalid cursor"},
		{"SSCAN s 18446744073709551616", "-ERR invalid cursor"},
		{"SSCAN s 0 COUNT 0", "-ERR syntax error"},
		{"SSCAN s 0 COUNT x", "-ERR value is not an integer or out of range"},
		{"SSCAN s 0 MATCH", "-ERR syntax error"},
		{"SSCAN s 0 TYPE set", "-ERR syntax error"},
	}},
}

// szFill adds n members m0..m(n-1) to the set key.
func szFillSet(t *testing.T, s *Store, key string, n int) {
	args := []string{"SADD", key}
	for i := range n {
		args = append(args, "m"+strconv.Itoa(i))
	}
	if v := szDo(t, s, args...); szFmt(v) != ":"+strconv.Itoa(n) {
		t.Fatalf("fill: %s", szFmt(v))
	}
}

// szBulks returns the bulk strings of an aggregate reply.
func szBulks(t *testing.T, v reply.Value) []string {
	t.Helper()
	if v.Kind != reply.KindArray && v.Kind != reply.KindSet {
		t.Fatalf("not an aggregate: %s", szFmt(v))
	}
	out := make([]string, len(v.Elems))
	for i, e := range v.Elems {
		if e.Kind != reply.KindBulk {
			t.Fatalf("element %d is not a bulk: %s", i, szFmt(v))
		}
		out[i] = string(e.Str)
	}
	return out
}

// TestSetPopAndRandomDeterminism feeds two stores the same log of SPOP and
// SADD entries and checks identical replies and state, and that reads with
// the same seed agree.
func TestSetPopAndRandomDeterminism(t *testing.T) {
	run := func() []string {
		s := NewStore()
		szFillSet(t, s, "s", 500)
		var out []string
		for i := range 60 {
			switch i % 4 {
			case 0:
				out = append(out, szFmt(szDo(t, s, "SPOP", "s")))
			case 1:
				out = append(out, szFmt(szDo(t, s, "SPOP", "s", strconv.Itoa(i))))
			case 2:
				out = append(out, szFmt(szDo(t, s, "SADD", "s", "n"+strconv.Itoa(i), "m1", "m2")))
			case 3:
				for _, n := range []string{"7", "-9", "1"} {
					out = append(out, szFmt(szDoBytes(t, s, [][]byte{[]byte("SRANDMEMBER"), []byte("s"), []byte(n)}, uint64(i))))
				}
			}
		}
		out = append(out, szFmt(szDo(t, s, "SMEMBERS", "s")))
		return out
	}
	a, b := run(), run()
	if !slices.Equal(a, b) {
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("reply %d differs:\n%s\n%s", i, a[i], b[i])
			}
		}
	}
}

// TestSetPopCountProperties checks SPOP with a count: distinct members that
// were in the set and are gone afterwards.
func TestSetPopCountProperties(t *testing.T) {
	s := NewStore()
	szFillSet(t, s, "s", 300)
	seen := map[string]bool{}
	for _, n := range []int{1, 7, 50, 100} {
		v := szDo(t, s, "SPOP", "s", strconv.Itoa(n))
		if v.Kind != reply.KindSet {
			t.Fatalf("SPOP count reply kind %d", v.Kind)
		}
		got := szBulks(t, v)
		if len(got) != n {
			t.Fatalf("SPOP %d returned %d", n, len(got))
		}
		for _, m := range got {
			if seen[m] {
				t.Fatalf("%s popped twice", m)
			}
			seen[m] = true
			if szFmt(szDo(t, s, "SISMEMBER", "s", m)) != ":0" {
				t.Fatalf("%s still in the set", m)
			}
		}
	}
	if got := szFmt(szDo(t, s, "SCARD", "s")); got != ":142" {
		t.Fatalf("SCARD %s", got)
	}
	rest := szBulks(t, szDo(t, s, "SPOP", "s", "1000"))
	if len(rest) != 142 || szFmt(szDo(t, s, "EXISTS", "s")) != ":0" {
		t.Fatalf("final SPOP returned %d", len(rest))
	}
}

// TestSetRandMemberProperties checks SRANDMEMBER's counts: distinct for a
// positive count, repeats allowed (and exact length) for a negative one.
func TestSetRandMemberProperties(t *testing.T) {
	s := NewStore()
	szFillSet(t, s, "s", 200)
	for _, n := range []int{1, 2, 10, 199, 200, 500} {
		got := szBulks(t, szDo(t, s, "SRANDMEMBER", "s", strconv.Itoa(n)))
		want := min(n, 200)
		if len(got) != want {
			t.Fatalf("SRANDMEMBER %d returned %d", n, len(got))
		}
		sorted := slices.Clone(got)
		slices.Sort(sorted)
		if len(slices.Compact(sorted)) != want {
			t.Fatalf("SRANDMEMBER %d repeated a member", n)
		}
	}
	got := szBulks(t, szDo(t, s, "SRANDMEMBER", "s", "-1000"))
	if len(got) != 1000 {
		t.Fatalf("SRANDMEMBER -1000 returned %d", len(got))
	}
	for _, m := range got {
		if szFmt(szDo(t, s, "SISMEMBER", "s", m)) != ":1" {
			t.Fatalf("%s is not a member", m)
		}
	}
	if got := szFmt(szDo(t, s, "SCARD", "s")); got != ":200" {
		t.Fatalf("SRANDMEMBER changed the set: %s", got)
	}
}

// TestSetScanLarge walks a set too large for a one-call reply with the
// cursor and checks every member comes back exactly once.
func TestSetScanLarge(t *testing.T) {
	s := NewStore()
	szFillSet(t, s, "s", 1000)
	seen := map[string]int{}
	cursor, calls := "0", 0
	for {
		v := szDo(t, s, "SSCAN", "s", cursor, "COUNT", "37")
		if v.Kind != reply.KindArray || len(v.Elems) != 2 {
			t.Fatalf("bad reply %s", szFmt(v))
		}
		for _, m := range szBulks(t, v.Elems[1]) {
			seen[m]++
		}
		cursor = string(v.Elems[0].Str)
		calls++
		if cursor == "0" || calls > 1000 {
			break
		}
	}
	if len(seen) != 1000 || calls < 20 {
		t.Fatalf("scan saw %d members in %d calls", len(seen), calls)
	}
	for m, n := range seen {
		if n != 1 {
			t.Fatalf("%s returned %d times", m, n)
		}
	}
	v := szDo(t, s, "SSCAN", "s", "0", "MATCH", "m99*", "COUNT", "2000")
	if got := szSorted(v, 1); got != `["0" sorted["m99" "m990" "m991" "m992" "m993" "m994" "m995" "m996" "m997" "m998" "m999"]]` {
		t.Fatalf("SSCAN MATCH: %s", got)
	}
}

// TestSetNoOpKeepsVersion checks that commands that change nothing leave the
// key's WATCH version alone, and that changes bump it.
func TestSetNoOpKeepsVersion(t *testing.T) {
	s := NewStore()
	szDo(t, s, "SADD", "s", "a", "b")
	ver := func() uint64 { v, _ := s.WatchVersion(0, []byte("s"), szNow); return v }
	v0 := ver()
	for _, c := range [][]string{{"SADD", "s", "a"}, {"SREM", "s", "zz"}, {"SMOVE", "s", "d", "zz"}, {"SPOP", "s", "0"}} {
		szDo(t, s, c...)
		if ver() != v0 {
			t.Fatalf("%q changed the version", c)
		}
	}
	szDo(t, s, "SADD", "s", "c")
	if ver() == v0 {
		t.Fatal("SADD of a new member kept the version")
	}
}

// TestSetSnapshotIsolation checks that set commands copy a set shared with a
// running snapshot instead of modifying it.
func TestSetSnapshotIsolation(t *testing.T) {
	s := NewStore()
	szDo(t, s, "SADD", "s", "a", "b", "c")
	f := s.freeze()
	defer f.release()
	for _, c := range [][]string{
		{"SADD", "s", "d"}, {"SREM", "s", "a"}, {"SPOP", "s"}, {"SMOVE", "s", "t", "b"},
		{"SPOP", "s", "1"}, {"SADD", "s", "x"}, {"SPOP", "s", "10"},
	} {
		szDo(t, s, c...)
	}
	it, ok := f.dbs[0].Get(&item{key: "s", hash: keyHash("s")})
	if !ok {
		t.Fatal("set missing from the snapshot")
	}
	got := slices.Clone(it.val.(*setValue).keys)
	slices.Sort(got)
	if !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("snapshot set changed: %v", got)
	}
}

// TestSetArgsNotAliased checks that stored members do not share memory with
// the command's arguments.
func TestSetArgsNotAliased(t *testing.T) {
	s := NewStore()
	b := [][]byte{[]byte("SADD"), []byte("s"), []byte("abc")}
	szDoBytes(t, s, b, 1)
	copy(b[2], "XYZ")
	if got := szFmt(szDo(t, s, "SMEMBERS", "s")); got != `~["abc"]` {
		t.Fatalf("set changed with the arguments: %s", got)
	}
}

// TestSetNoPanic feeds the set commands random arguments.
func TestSetNoPanic(t *testing.T) {
	var names []string
	for _, c := range setCommands() {
		names = append(names, c.Name)
	}
	szFuzz(t, names, 20000)
}
