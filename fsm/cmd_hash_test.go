package fsm

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/redraft/redraft/reply"
)

// The lh helpers (lhDo, lhFmt, lhRunCases, ...) are in cmd_list_test.go.

func TestHashCommandTable(t *testing.T) {
	lhCheckTable(t, hashCommands(), map[string]string{
		"hset":         "-4 write,denyoom,fast 1 1 1",
		"hmset":        "-4 write,denyoom,fast 1 1 1",
		"hsetnx":       "4 write,denyoom,fast 1 1 1",
		"hget":         "3 readonly,fast 1 1 1",
		"hmget":        "-3 readonly,fast 1 1 1",
		"hgetall":      "2 readonly 1 1 1",
		"hkeys":        "2 readonly 1 1 1",
		"hvals":        "2 readonly 1 1 1",
		"hdel":         "-3 write,fast 1 1 1",
		"hexists":      "3 readonly,fast 1 1 1",
		"hlen":         "2 readonly,fast 1 1 1",
		"hstrlen":      "3 readonly,fast 1 1 1",
		"hincrby":      "4 write,denyoom,fast 1 1 1",
		"hincrbyfloat": "4 write,denyoom,fast 1 1 1",
		"hscan":        "-3 readonly 1 1 1",
		"hrandfield":   "-2 readonly 1 1 1",
	})
}

// TestHashRedisCases replays the hash corpus; the expected replies were
// recorded from redis-server 7.0.15 (random replies are left out and tested
// below by their properties).
func TestHashRedisCases(t *testing.T) { lhRunCases(t, hashRedisCases) }

// hashTestFill creates hash h with fields f0..f(n-1) holding v0..v(n-1).
func hashTestFill(t *testing.T, s *Store, n int) {
	t.Helper()
	args := []string{"HSET", "h"}
	for i := 0; i < n; i++ {
		args = append(args, fmt.Sprintf("f%d", i), fmt.Sprintf("v%d", i))
	}
	if got, want := lhFmt(lhDo(t, s, args...)), ":"+strconv.Itoa(n); got != want {
		t.Fatalf("HSET: %s, want %s", got, want)
	}
}

func TestHashRandField(t *testing.T) {
	for _, size := range []int{1, 5, 200} {
		t.Run(strconv.Itoa(size), func(t *testing.T) {
			s := NewStore()
			hashTestFill(t, s, size)
			field := func(v reply.Value) int {
				t.Helper()
				var i int
				if v.Kind != reply.KindBulk {
					t.Fatalf("not a bulk: %s", lhFmt(v))
				}
				if _, err := fmt.Sscanf(string(v.Str), "f%d", &i); err != nil || i < 0 || i >= size {
					t.Fatalf("not a field: %q", v.Str)
				}
				return i
			}
			field(lhDo(t, s, "HRANDFIELD", "h"))
			for _, count := range []int{1, 2, 3, size - 1, size, size + 1, 1000, -1, -3, -1000} {
				for _, wv := range []bool{false, true} {
					args := []string{"HRANDFIELD", "h", strconv.Itoa(count)}
					per := 1
					if wv {
						args = append(args, "WITHVALUES")
						per = 2
					}
					v := lhDo(t, s, args...)
					if v.Kind != reply.KindArray && v.Kind != reply.KindPairs {
						t.Fatalf("%q: %s", args, lhFmt(v))
					}
					want := -count
					if count > 0 {
						want = min(count, size)
					}
					if count == 0 {
						want = 0
					}
					if len(v.Elems) != want*per {
						t.Fatalf("%q: %d elements, want %d", args, len(v.Elems), want*per)
					}
					seen := map[int]bool{}
					for i := 0; i < len(v.Elems); i += per {
						f := field(v.Elems[i])
						if wv && string(v.Elems[i+1].Str) != fmt.Sprintf("v%d", f) {
							t.Fatalf("%q: field f%d with value %q", args, f, v.Elems[i+1].Str)
						}
						if count > 0 && seen[f] {
							t.Fatalf("%q: f%d repeated", args, f)
						}
						seen[f] = true
					}
				}
			}
		})
	}
}

// TestHashRandFieldSpread checks that sampling reaches every field and that
// the choice depends only on the seed.
func TestHashRandFieldSpread(t *testing.T) {
	s := NewStore()
	hashTestFill(t, s, 50)
	args := [][]byte{[]byte("HRANDFIELD"), []byte("h"), []byte("-2000")}
	v := s.Read(0, args, lhTestNow, 7)
	counts := map[string]int{}
	for _, e := range v.Elems {
		counts[string(e.Str)]++
	}
	if len(counts) != 50 {
		t.Fatalf("only %d of 50 fields drawn in 2000 picks", len(counts))
	}
	if a, b := lhFmt(s.Read(0, args, lhTestNow, 7)), lhFmt(v); a != b {
		t.Fatal("same seed, different picks")
	}
	distinct := [][]byte{[]byte("HRANDFIELD"), []byte("h"), []byte("10")}
	if a, b := lhFmt(s.Read(0, distinct, lhTestNow, 9)), lhFmt(s.Read(0, distinct, lhTestNow, 9)); a != b {
		t.Fatal("same seed, different distinct picks")
	}
	if a, b := lhFmt(s.Read(0, distinct, lhTestNow, 9)), lhFmt(s.Read(0, distinct, lhTestNow, 10)); a == b {
		t.Fatal("different seeds, same distinct picks")
	}
}

// TestHashScanLarge iterates a hash too large to be returned at once and
// checks the SCAN guarantees: every field present for the whole iteration
// is returned, and the cursor comes back to 0.
func TestHashScanLarge(t *testing.T) {
	for _, opts := range [][]string{nil, {"COUNT", "1"}, {"COUNT", "7"}, {"COUNT", "1000"}, {"MATCH", "f1*", "COUNT", "20"}} {
		t.Run(fmt.Sprint(opts), func(t *testing.T) {
			s := NewStore()
			hashTestFill(t, s, 500)
			seen := map[string]string{}
			cursor := "0"
			for calls := 0; ; calls++ {
				if calls > 1000 {
					t.Fatal("scan does not terminate")
				}
				v := lhDo(t, s, append([]string{"HSCAN", "h", cursor}, opts...)...)
				if v.Kind != reply.KindArray || len(v.Elems) != 2 || v.Elems[1].Kind != reply.KindArray || len(v.Elems[1].Elems)%2 != 0 {
					t.Fatalf("bad reply %s", lhFmt(v))
				}
				for i := 0; i < len(v.Elems[1].Elems); i += 2 {
					seen[string(v.Elems[1].Elems[i].Str)] = string(v.Elems[1].Elems[i+1].Str)
				}
				cursor = string(v.Elems[0].Str)
				if cursor == "0" {
					break
				}
				// Fields come and go during the scan: f0..f99 are removed
				// and g fields added; the others must all be seen.
				if calls < 100 {
					lhDo(t, s, "HDEL", "h", fmt.Sprintf("f%d", calls))
					lhDo(t, s, "HSET", "h", fmt.Sprintf("g%d", calls), "x")
				}
			}
			for i := 100; i < 500; i++ {
				f := fmt.Sprintf("f%d", i)
				if len(opts) > 0 && opts[0] == "MATCH" && f[:2] != "f1" {
					if _, ok := seen[f]; ok {
						t.Fatalf("%s returned despite MATCH", f)
					}
					continue
				}
				if seen[f] != fmt.Sprintf("v%d", i) {
					t.Fatalf("%s missing or wrong: %q", f, seen[f])
				}
			}
		})
	}
}

// TestHashModel applies random hash commands to a store and to a map model.
func TestHashModel(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	s := NewStore()
	model := map[string]string{}
	fld := func() string { return "f" + strconv.Itoa(r.IntN(30)) }
	for step := 0; step < 20000; step++ {
		var args []string
		var want string
		switch r.IntN(7) {
		case 0:
			f, v := fld(), strconv.Itoa(r.IntN(100))
			args = []string{"HSET", "h", f, v}
			want = ":1"
			if _, ok := model[f]; ok {
				want = ":0"
			}
			model[f] = v
		case 1:
			f, g := fld(), fld()
			args = []string{"HDEL", "h", f, g}
			n := 0
			for _, x := range []string{f, g} {
				if _, ok := model[x]; ok {
					delete(model, x)
					n++
				}
			}
			want = ":" + strconv.Itoa(n)
		case 2:
			f := fld()
			args = []string{"HGET", "h", f}
			want = "(nil)"
			if v, ok := model[f]; ok {
				want = strconv.Quote(v)
			}
		case 3:
			f, inc := fld(), r.IntN(21)-10
			args = []string{"HINCRBY", "h", f, strconv.Itoa(inc)}
			if model[f] == "nx" {
				want = "-ERR hash value is not an integer"
				break
			}
			cur, _ := strconv.Atoi(model[f])
			model[f] = strconv.Itoa(cur + inc)
			want = ":" + model[f]
		case 4:
			f, v := fld(), "nx"
			args = []string{"HSETNX", "h", f, v}
			want = ":0"
			if _, ok := model[f]; !ok {
				model[f] = v
				want = ":1"
			}
		case 5:
			args = []string{"HLEN", "h"}
			want = ":" + strconv.Itoa(len(model))
		case 6:
			f := fld()
			args = []string{"HSTRLEN", "h", f}
			want = ":" + strconv.Itoa(len(model[f]))
		}
		if got := lhFmt(lhDo(t, s, args...)); got != want {
			t.Fatalf("step %d: %q\n got: %s\nwant: %s", step, args, got, want)
		}
	}
	var pairs []string
	for k, v := range model {
		pairs = append(pairs, strconv.Quote(k)+" "+strconv.Quote(v))
	}
	slices.Sort(pairs)
	want := "~{" + strings.Join(pairs, " ") + "}"
	if len(model) == 0 {
		want = "{}"
	}
	if got := lhCanon(lhDo(t, s, "HGETALL", "h"), true); got != want {
		t.Fatalf("final contents\n got: %s\nwant: %s", got, want)
	}
}

// TestHashArgsNotAliased checks that stored fields and values do not share
// memory with the command's arguments.
func TestHashArgsNotAliased(t *testing.T) {
	s := NewStore()
	for _, c := range [][]string{{"HSET", "h", "a", "abc"}, {"HMSET", "h", "b", "abc"}, {"HSETNX", "h", "c", "abc"}} {
		b := make([][]byte, len(c))
		for i, a := range c {
			b[i] = []byte(a)
		}
		if v := lhDoBytes(t, s, b); v.IsError() {
			t.Fatalf("%q: %s", c, v.Error())
		}
		copy(b[2], "X")
		copy(b[3], "XXX")
	}
	if got := lhCanon(lhDo(t, s, "HGETALL", "h"), true); got != `~{"a" "abc" "b" "abc" "c" "abc"}` {
		t.Fatalf("hash changed with the arguments: %s", got)
	}
}

// TestHashSnapshotIsolation checks that hash commands copy a hash shared
// with a running snapshot instead of modifying it.
func TestHashSnapshotIsolation(t *testing.T) {
	s := NewStore()
	lhDo(t, s, "HSET", "h", "a", "1", "b", "2")
	f := s.freeze()
	defer f.release()
	for _, c := range [][]string{
		{"HSET", "h", "a", "9", "c", "3"}, {"HDEL", "h", "b"}, {"HINCRBY", "h", "a", "5"},
		{"HINCRBYFLOAT", "h", "d", "1.5"}, {"HSETNX", "h", "e", "1"}, {"HDEL", "h", "a", "c", "d", "e"},
	} {
		lhDo(t, s, c...)
	}
	it, ok := f.dbs[0].Get(&item{key: "h", hash: keyHash("h")})
	if !ok {
		t.Fatal("hash missing from the snapshot")
	}
	h := it.val.(*hashValue)
	a, _ := h.get("a")
	b, _ := h.get("b")
	if h.Len() != 2 || string(a) != "1" || string(b) != "2" {
		t.Fatalf("snapshot hash changed: %v %q", h.keys, h.vals)
	}
	if got := lhFmt(lhDo(t, s, "EXISTS", "h")); got != ":0" {
		t.Fatalf("emptied hash still exists: %s", got)
	}
}

// TestHashNoPanic feeds the hash commands random arguments.
func TestHashNoPanic(t *testing.T) {
	var names []string
	for _, c := range hashCommands() {
		names = append(names, c.Name)
	}
	lhFuzz(t, names, 20000)
}

// TestHashRandFieldHugeNegativeCount checks that a negative count too large
// to build a reply for is refused instead of exhausting memory.
func TestHashRandFieldHugeNegativeCount(t *testing.T) {
	s := NewStore()
	lhDo(t, s, "HSET", "h", "a", "1")
	if got := lhFmt(lhDo(t, s, "HRANDFIELD", "h", "-9223372036854775807")); got != "-ERR value is out of range" {
		t.Fatalf("got %s", got)
	}
}

var hashRedisCases = []lhCase{
	{"HSET / HGET basics", []lhStep{
		{"HSET h f1 v1", ":1"},
		{"HSET h f1 v2 f2 v2 f3 v3", ":2"},
		{"HGET h f1", "\"v2\""},
		{"HGET h f2", "\"v2\""},
		{"HGET h nofield", "(nil)"},
		{"HGET nokey f", "(nil)"},
		{"HSET h \"\" \"empty field\"", ":1"},
		{"HGET h \"\"", "\"empty field\""},
		{"HSET h \"sp ace\" \"new\\nline\" \"q\\\"uote\" \"back\\\\slash\"", ":2"},
		{"HGET h \"sp ace\"", "\"new\\nline\""},
		{"HGET h \"q\\\"uote\"", "\"back\\\\slash\""},
		{"HSET h f1 \"\"", ":0"},
		{"HGET h f1", "\"\""},
		{"HLEN h", ":6"},
		{"TYPE h", "+hash"},
		{"hset h F1 upper", ":1"},
		{"HGET h F1", "\"upper\""},
		{"~ HGETALL h", "~{\"\" \"empty field\" \"F1\" \"upper\" \"f1\" \"\" \"f2\" \"v2\" \"f3\" \"v3\" \"q\\\"uote\" \"back\\\\slash\" \"sp ace\" \"new\\nline\"}"},
	}},
	{"HSET / HMSET arity", []lhStep{
		{"HSET h f", "-ERR wrong number of arguments for 'hset' command"},
		{"HSET h f v g", "-ERR wrong number of arguments for 'hset' command"},
		{"HSET h", "-ERR wrong number of arguments for 'hset' command"},
		{"HSET", "-ERR wrong number of arguments for 'hset' command"},
		{"HMSET h f", "-ERR wrong number of arguments for 'hmset' command"},
		{"HMSET h f v g", "-ERR wrong number of arguments for 'hmset' command"},
		{"HMSET h f v g w", "+OK"},
		{"HGETALL h", "{\"f\" \"v\" \"g\" \"w\"}"},
		{"HSET h f v f w", ":0"},
		{"HGET h f", "\"w\""},
	}},
	{"HMSET", []lhStep{
		{"HMSET h a 1 b 2", "+OK"},
		{"HMSET h a 3 c 4", "+OK"},
		{"~ HGETALL h", "~{\"a\" \"3\" \"b\" \"2\" \"c\" \"4\"}"},
		{"hmset h a 5", "+OK"},
		{"HGET h a", "\"5\""},
	}},
	{"wrong type for every hash command", []lhStep{
		{"SET s x", "+OK"},
		{"HSET s f v", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"HMSET s f v", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"HSETNX s f v", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"HGET s f", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"HMGET s f g", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"HGETALL s", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"HKEYS s", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"HVALS s", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"HDEL s f", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"HEXISTS s f", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"HLEN s", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"HSTRLEN s f", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"HINCRBY s f 1", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"HINCRBYFLOAT s f 1.5", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"HSCAN s 0", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"HRANDFIELD s", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"HRANDFIELD s 2", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"HRANDFIELD s 0", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"HRANDFIELD s -2 WITHVALUES", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"GET s", "\"x\""},
	}},
	{"HSETNX", []lhStep{
		{"HSETNX h f v", ":1"},
		{"HSETNX h f w", ":0"},
		{"HGET h f", "\"v\""},
		{"HSETNX h g w", ":1"},
		{"~ HGETALL h", "~{\"f\" \"v\" \"g\" \"w\"}"},
		{"HSETNX h f", "-ERR wrong number of arguments for 'hsetnx' command"},
		{"HSETNX h f v x", "-ERR wrong number of arguments for 'hsetnx' command"},
	}},
	{"HMGET", []lhStep{
		{"HSET h a 1 b 2", ":2"},
		{"HMGET h a b c", "[\"1\" \"2\" (nil)]"},
		{"HMGET h c", "[(nil)]"},
		{"HMGET h a a", "[\"1\" \"1\"]"},
		{"HMGET nokey a b", "[(nil) (nil)]"},
		{"HMGET h", "-ERR wrong number of arguments for 'hmget' command"},
		{"HMGET", "-ERR wrong number of arguments for 'hmget' command"},
	}},
	{"HGETALL / HKEYS / HVALS", []lhStep{
		{"HSET h a 1 b 2 c 3", ":3"},
		{"~ HGETALL h", "~{\"a\" \"1\" \"b\" \"2\" \"c\" \"3\"}"},
		{"~ HKEYS h", "~[\"a\" \"b\" \"c\"]"},
		{"~ HVALS h", "~[\"1\" \"2\" \"3\"]"},
		{"HGETALL nokey", "{}"},
		{"HKEYS nokey", "[]"},
		{"HVALS nokey", "[]"},
		{"HGETALL", "-ERR wrong number of arguments for 'hgetall' command"},
		{"HGETALL h x", "-ERR wrong number of arguments for 'hgetall' command"},
		{"HKEYS h x", "-ERR wrong number of arguments for 'hkeys' command"},
		{"HVALS", "-ERR wrong number of arguments for 'hvals' command"},
	}},
	{"HGETALL of a single field is exact", []lhStep{
		{"HSET h only one", ":1"},
		{"HGETALL h", "{\"only\" \"one\"}"},
		{"HKEYS h", "[\"only\"]"},
		{"HVALS h", "[\"one\"]"},
	}},
	{"HDEL", []lhStep{
		{"HSET h a 1 b 2 c 3 d 4", ":4"},
		{"HDEL h a", ":1"},
		{"HDEL h a", ":0"},
		{"HDEL h b c x", ":2"},
		{"HLEN h", ":1"},
		{"HDEL h d d", ":1"},
		{"EXISTS h", ":0"},
		{"HDEL h d", ":0"},
		{"HDEL nokey a", ":0"},
		{"HSET h2 a 1 b 2", ":2"},
		{"HDEL h2 a b c", ":2"},
		{"EXISTS h2", ":0"},
		{"HDEL h2", "-ERR wrong number of arguments for 'hdel' command"},
		{"HDEL", "-ERR wrong number of arguments for 'hdel' command"},
	}},
	{"HEXISTS / HLEN / HSTRLEN", []lhStep{
		{"HSET h a hello b \"\" c 12345", ":3"},
		{"HEXISTS h a", ":1"},
		{"HEXISTS h z", ":0"},
		{"HEXISTS nokey a", ":0"},
		{"HLEN h", ":3"},
		{"HLEN nokey", ":0"},
		{"HSTRLEN h a", ":5"},
		{"HSTRLEN h b", ":0"},
		{"HSTRLEN h c", ":5"},
		{"HSTRLEN h z", ":0"},
		{"HSTRLEN nokey a", ":0"},
		{"HEXISTS h", "-ERR wrong number of arguments for 'hexists' command"},
		{"HEXISTS h a b", "-ERR wrong number of arguments for 'hexists' command"},
		{"HLEN", "-ERR wrong number of arguments for 'hlen' command"},
		{"HLEN h x", "-ERR wrong number of arguments for 'hlen' command"},
		{"HSTRLEN h", "-ERR wrong number of arguments for 'hstrlen' command"},
		{"HSTRLEN h a b", "-ERR wrong number of arguments for 'hstrlen' command"},
	}},
	{"HINCRBY", []lhStep{
		{"HINCRBY h n 5", ":5"},
		{"HINCRBY h n -10", ":-5"},
		{"HINCRBY h n 0", ":-5"},
		{"HGET h n", "\"-5\""},
		{"HINCRBY h n 9223372036854775807", ":9223372036854775802"},
		{"HSET h big 9223372036854775807", ":1"},
		{"HINCRBY h big 1", "-ERR increment or decrement would overflow"},
		{"HINCRBY h big -1", ":9223372036854775806"},
		{"HGET h big", "\"9223372036854775806\""},
		{"HSET h small -9223372036854775808", ":1"},
		{"HINCRBY h small -1", "-ERR increment or decrement would overflow"},
		{"HINCRBY h small 1", ":-9223372036854775807"},
		{"HINCRBY h m 9223372036854775807", ":9223372036854775807"},
		{"HINCRBY h m 9223372036854775807", "-ERR increment or decrement would overflow"},
		{"HINCRBY newkey f -9223372036854775808", ":-9223372036854775808"},
		{"HGET newkey f", "\"-9223372036854775808\""},
	}},
	{"HINCRBY errors", []lhStep{
		{"HSET h str abc flt 1.5 sp \" 1\" pl +1 lz 01 e \"\"", ":6"},
		{"HINCRBY h str 1", "-ERR hash value is not an integer"},
		{"HINCRBY h flt 1", "-ERR hash value is not an integer"},
		{"HINCRBY h sp 1", "-ERR hash value is not an integer"},
		{"HINCRBY h pl 1", "-ERR hash value is not an integer"},
		{"HINCRBY h lz 1", "-ERR hash value is not an integer"},
		{"HINCRBY h e 1", "-ERR hash value is not an integer"},
		{"HINCRBY h n abc", "-ERR value is not an integer or out of range"},
		{"HINCRBY h n 1.5", "-ERR value is not an integer or out of range"},
		{"HINCRBY h n \"\"", "-ERR value is not an integer or out of range"},
		{"HINCRBY h n 9223372036854775808", "-ERR value is not an integer or out of range"},
		{"HINCRBY nokey n abc", "-ERR value is not an integer or out of range"},
		{"EXISTS nokey", ":0"},
		{"HINCRBY h n", "-ERR wrong number of arguments for 'hincrby' command"},
		{"HINCRBY h n 1 2", "-ERR wrong number of arguments for 'hincrby' command"},
		{"HGET h str", "\"abc\""},
	}},
	{"HINCRBYFLOAT", []lhStep{
		{"HINCRBYFLOAT h f 1.5", "\"1.5\""},
		{"HINCRBYFLOAT h f 0.25", "\"1.75\""},
		{"HINCRBYFLOAT h f -1.75", "\"0\""},
		{"HINCRBYFLOAT h f 10", "\"10\""},
		{"HINCRBYFLOAT h f 5.0e3", "\"5010\""},
		{"HINCRBYFLOAT h f -5010", "\"0\""},
		{"HGET h f", "\"0\""},
		{"HSET h i 10", ":1"},
		{"HINCRBYFLOAT h i 0.1", "\"10.1\""},
		{"HINCRBYFLOAT h i -0.1", "\"10\""},
		{"HINCRBYFLOAT h neg -3", "\"-3\""},
		{"HINCRBYFLOAT h x 3.0", "\"3\""},
		{"HINCRBYFLOAT h x 1e2", "\"103\""},
		{"HINCRBYFLOAT h x .5", "\"103.5\""},
		{"HINCRBYFLOAT h x 0x10", "\"119.5\""},
		{"HSET h e 1e3", ":1"},
		{"HINCRBYFLOAT h e 1", "\"1001\""},
		{"HINCRBYFLOAT h zero -0", "\"0\""},
	}},
	{"HINCRBYFLOAT errors", []lhStep{
		{"HSET h str abc sp \" 1\" e \"\"", ":3"},
		{"HINCRBYFLOAT h str 1", "-ERR hash value is not a float"},
		{"HINCRBYFLOAT h sp 1", "-ERR hash value is not a float"},
		{"HINCRBYFLOAT h e 1", "-ERR hash value is not a float"},
		{"HINCRBYFLOAT h f abc", "-ERR value is not a valid float"},
		{"HINCRBYFLOAT h f \"\"", "-ERR value is not a valid float"},
		{"HINCRBYFLOAT h f \" 1\"", "-ERR value is not a valid float"},
		{"HINCRBYFLOAT h f 1x", "-ERR value is not a valid float"},
		{"HINCRBYFLOAT h f nan", "-ERR value is not a valid float"},
		{"HINCRBYFLOAT h f inf", "-ERR value is NaN or Infinity"},
		{"HINCRBYFLOAT h f -inf", "-ERR value is NaN or Infinity"},
		{"HINCRBYFLOAT h f +inf", "-ERR value is NaN or Infinity"},
		{"HINCRBYFLOAT nokey f abc", "-ERR value is not a valid float"},
		{"HINCRBYFLOAT nokey f inf", "-ERR value is NaN or Infinity"},
		{"EXISTS nokey", ":0"},
		{"HSET h max 1e20", ":1"},
		{"HINCRBYFLOAT h max 1e20", "\"200000000000000000000\""},
		{"HINCRBYFLOAT h f", "-ERR wrong number of arguments for 'hincrbyfloat' command"},
		{"HINCRBYFLOAT h f 1 2", "-ERR wrong number of arguments for 'hincrbyfloat' command"},
	}},
	{"HSCAN of a small hash returns everything at once", []lhStep{
		{"HSET h a 1 b 2 c 3 ab 4 ba 5", ":5"},
		{"~ HSCAN h 0", "[\"0\" ~[\"a\" \"1\" \"ab\" \"4\" \"b\" \"2\" \"ba\" \"5\" \"c\" \"3\"]]"},
		{"~ HSCAN h 0 COUNT 1", "[\"0\" ~[\"a\" \"1\" \"ab\" \"4\" \"b\" \"2\" \"ba\" \"5\" \"c\" \"3\"]]"},
		{"~ HSCAN h 0 MATCH a*", "[\"0\" ~[\"a\" \"1\" \"ab\" \"4\"]]"},
		{"~ HSCAN h 0 MATCH *b COUNT 100", "[\"0\" ~[\"ab\" \"4\" \"b\" \"2\"]]"},
		{"~ HSCAN h 0 match * count 2", "[\"0\" ~[\"a\" \"1\" \"ab\" \"4\" \"b\" \"2\" \"ba\" \"5\" \"c\" \"3\"]]"},
		{"~ HSCAN h 0 MATCH nomatch", "[\"0\" ~[]]"},
		{"~ HSCAN h 0 MATCH a* MATCH b*", "[\"0\" ~[\"b\" \"2\" \"ba\" \"5\"]]"},
		{"~ HSCAN h 0 COUNT 5 COUNT 7", "[\"0\" ~[\"a\" \"1\" \"ab\" \"4\" \"b\" \"2\" \"ba\" \"5\" \"c\" \"3\"]]"},
		{"~ HSCAN h 0 MATCH [ab]", "[\"0\" ~[\"a\" \"1\" \"b\" \"2\"]]"},
		{"~ HSCAN h 0 MATCH ?", "[\"0\" ~[\"a\" \"1\" \"b\" \"2\" \"c\" \"3\"]]"},
		{"HSCAN nokey 0", "[\"0\" []]"},
		{"HSCAN nokey 0 COUNT 0", "[\"0\" []]"},
		{"HSCAN nokey 0 FOO", "[\"0\" []]"},
		{"HSCAN nokey abc", "-ERR invalid cursor"},
	}},
	{"HSCAN errors", []lhStep{
		{"HSET h a 1", ":1"},
		{"HSCAN h abc", "-ERR invalid cursor"},
		{"HSCAN h 1.5", "-ERR invalid cursor"},
		{"HSCAN h \" 0\"", "-ERR invalid cursor"},
		{"HSCAN h 18446744073709551616", "-ERR invalid cursor"},
		{"HSCAN h -", "-ERR invalid cursor"},
		{"HSCAN h 0 COUNT 0", "-ERR syntax error"},
		{"HSCAN h 0 COUNT -1", "-ERR syntax error"},
		{"HSCAN h 0 COUNT abc", "-ERR value is not an integer or out of range"},
		{"HSCAN h 0 COUNT", "-ERR syntax error"},
		{"HSCAN h 0 MATCH", "-ERR syntax error"},
		{"HSCAN h 0 FOO bar", "-ERR syntax error"},
		{"HSCAN h 0 TYPE string", "-ERR syntax error"},
		{"HSCAN h 0 NOVALUES", "-ERR syntax error"},
		{"HSCAN h", "-ERR wrong number of arguments for 'hscan' command"},
		{"HSCAN", "-ERR wrong number of arguments for 'hscan' command"},
	}},
	{"HSCAN cursor forms accepted by strtoul", []lhStep{
		{"HSET h a 1", ":1"},
		{"~ HSCAN h \"\"", "[\"0\" ~[\"a\" \"1\"]]"},
		{"~ HSCAN h +0", "[\"0\" ~[\"a\" \"1\"]]"},
		{"~ HSCAN h -1", "[\"0\" ~[\"a\" \"1\"]]"},
		{"~ HSCAN h 18446744073709551615", "[\"0\" ~[\"a\" \"1\"]]"},
		{"~ HSCAN h 007", "[\"0\" ~[\"a\" \"1\"]]"},
	}},
	{"HRANDFIELD without count", []lhStep{
		{"HSET h a 1", ":1"},
		{"HRANDFIELD h", "\"a\""},
		{"HRANDFIELD nokey", "(nil)"},
		{"HRANDFIELD", "-ERR wrong number of arguments for 'hrandfield' command"},
		{"HSET h2 a 1 b 2 c 3", ":3"},
	}},
	{"HRANDFIELD with count", []lhStep{
		{"HSET h a 1 b 2 c 3", ":3"},
		{"~ HRANDFIELD h 3", "~[\"a\" \"b\" \"c\"]"},
		{"~ HRANDFIELD h 10", "~[\"a\" \"b\" \"c\"]"},
		{"HRANDFIELD h 0", "[]"},
		{"HRANDFIELD h 0 WITHVALUES", "[]"},
		{"HRANDFIELD nokey 5", "[]"},
		{"HRANDFIELD nokey -5 WITHVALUES", "[]"},
		{"HRANDFIELD nokey 0", "[]"},
	}},
	{"HRANDFIELD with a single field is deterministic", []lhStep{
		{"HSET h only one", ":1"},
		{"HRANDFIELD h", "\"only\""},
		{"HRANDFIELD h 1", "[\"only\"]"},
		{"HRANDFIELD h -3", "[\"only\" \"only\" \"only\"]"},
	}},
	{"HRANDFIELD errors", []lhStep{
		{"HSET h a 1", ":1"},
		{"HRANDFIELD h abc", "-ERR value is not an integer or out of range"},
		{"HRANDFIELD h 1.5", "-ERR value is not an integer or out of range"},
		{"HRANDFIELD h \"\"", "-ERR value is not an integer or out of range"},
		{"HRANDFIELD h 1 FOO", "-ERR syntax error"},
		{"HRANDFIELD h 1 WITHVALUES x", "-ERR syntax error"},
		{"HRANDFIELD h -9223372036854775808", "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"},
		{"HRANDFIELD h 9223372036854775807 WITHVALUES", "-ERR value is out of range"},
		{"HRANDFIELD h -9223372036854775807 WITHVALUES", "-ERR value is out of range"},
		{"HRANDFIELD h 4611686018427387904 WITHVALUES", "-ERR value is out of range"},
		{"HRANDFIELD h -4611686018427387904 WITHVALUES", "-ERR value is out of range"},
		{"HRANDFIELD h 9223372036854775807", "[\"a\"]"},
		{"HRANDFIELD nokey abc", "-ERR value is not an integer or out of range"},
		{"HRANDFIELD nokey 1 FOO", "-ERR syntax error"},
		{"HRANDFIELD nokey -9223372036854775808", "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"},
		{"HRANDFIELD nokey 9223372036854775807 WITHVALUES", "-ERR value is out of range"},
	}},
	{"hash keeps its TTL when modified", []lhStep{
		{"HSET h a 1", ":1"},
		{"EXPIRE h 1000", ":1"},
		{"HSET h b 2", ":1"},
		{"HDEL h a", ":1"},
		{"HINCRBY h c 1", ":1"},
		{"HINCRBYFLOAT h d 1.5", "\"1.5\""},
		{"HSETNX h e 1", ":1"},
		{"TTL h", ":1000"},
		{"HLEN h", ":4"},
	}},
}
