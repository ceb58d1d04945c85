package fsm

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

type zslEntry struct {
	member string
	score  float64
}

// zslEntryCmp orders entries the way Redis orders a sorted set.
func zslEntryCmp(a, b zslEntry) int {
	if c := cmp.Compare(a.score, b.score); c != 0 {
		return c
	}
	return cmp.Compare(a.member, b.member)
}

// checkSkiplist verifies every structural invariant of zsl and that it holds
// exactly want (sorted).
func checkSkiplist(t *testing.T, zsl *zskiplist, want []zslEntry) {
	t.Helper()
	if zsl.Len() != len(want) {
		t.Fatalf("Len() = %d, want %d", zsl.Len(), len(want))
	}
	rank := map[*zslNode]int{zsl.header: 0}
	var prev *zslNode
	i := 0
	for x := zsl.header.level[0].forward; x != nil; x = x.level[0].forward {
		if i >= len(want) {
			t.Fatalf("more than %d nodes at level 0", len(want))
		}
		if x.member != want[i].member || x.score != want[i].score {
			t.Fatalf("node %d = (%v, %q), want (%v, %q)", i, x.score, x.member, want[i].score, want[i].member)
		}
		if x.backward != prev {
			t.Fatalf("node %d has a wrong backward pointer", i)
		}
		if len(x.level) < 1 || len(x.level) > zsl.level {
			t.Fatalf("node %d has %d levels, list has %d", i, len(x.level), zsl.level)
		}
		i++
		rank[x] = i
		prev = x
	}
	if i != len(want) {
		t.Fatalf("%d nodes at level 0, want %d", i, len(want))
	}
	if zsl.tail != prev {
		t.Fatal("tail is not the last node")
	}
	if zsl.level < 1 || zsl.level > zslMaxLevel {
		t.Fatalf("level %d out of range", zsl.level)
	}
	if zsl.level > 1 && zsl.header.level[zsl.level-1].forward == nil {
		t.Fatalf("top level %d is empty", zsl.level)
	}
	for lvl := zsl.level; lvl < zslMaxLevel; lvl++ {
		if zsl.header.level[lvl].forward != nil {
			t.Fatalf("header level %d above list level %d is linked", lvl, zsl.level)
		}
	}
	for lvl := 0; lvl < zsl.level; lvl++ {
		for x := zsl.header; x != nil; x = x.level[lvl].forward {
			next := x.level[lvl].forward
			want := zsl.length - rank[x] // a nil link spans to the end
			if next != nil {
				want = rank[next] - rank[x]
				if len(next.level) <= lvl {
					t.Fatalf("level %d links to a node of height %d", lvl, len(next.level))
				}
			}
			if x.level[lvl].span != want {
				t.Fatalf("level %d span after rank %d = %d, want %d", lvl, rank[x], x.level[lvl].span, want)
			}
		}
	}
}

// buildSkiplist inserts entries in the given order.
func buildSkiplist(entries ...zslEntry) *zskiplist {
	zsl := newZSkiplist()
	for _, e := range entries {
		zsl.Insert(e.score, e.member)
	}
	return zsl
}

func sortedEntries(entries ...zslEntry) []zslEntry {
	s := slices.Clone(entries)
	slices.SortFunc(s, zslEntryCmp)
	return s
}

func Test_SkiplistOrdering(t *testing.T) {
	tests := []struct {
		name    string
		entries []zslEntry
		want    []string
	}{
		{"by score", []zslEntry{{"c", 3}, {"a", 1}, {"b", 2}}, []string{"a", "b", "c"}},
		{"ties by member bytes", []zslEntry{{"b", 1}, {"B", 1}, {"a", 1}, {"", 1}, {"ab", 1}}, []string{"", "B", "a", "ab", "b"}},
		{"high bytes sort after ascii", []zslEntry{{"\xff", 0}, {"z", 0}, {"\x80", 0}}, []string{"z", "\x80", "\xff"}},
		{"infinities", []zslEntry{{"p", math.Inf(1)}, {"z", 0}, {"n", math.Inf(-1)}}, []string{"n", "z", "p"}},
		{"negative zero ties with zero", []zslEntry{{"b", 0}, {"a", math.Copysign(0, -1)}}, []string{"a", "b"}},
		{"score beats member", []zslEntry{{"a", 2}, {"b", 1}}, []string{"b", "a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			zsl := buildSkiplist(tt.entries...)
			checkSkiplist(t, zsl, sortedEntries(tt.entries...))
			var got []string
			for x := zsl.header.level[0].forward; x != nil; x = x.Next() {
				got = append(got, x.Member())
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("order %q, want %q", got, tt.want)
			}
			var back []string
			for x := zsl.tail; x != nil; x = x.Prev() {
				back = append(back, x.Member())
			}
			slices.Reverse(back)
			if !slices.Equal(back, tt.want) {
				t.Fatalf("reverse order %q, want reversed %q", back, tt.want)
			}
		})
	}
}

func Test_SkiplistRank(t *testing.T) {
	zsl := buildSkiplist(zslEntry{"a", 1}, zslEntry{"b", 2}, zslEntry{"c", 2}, zslEntry{"d", 5})
	tests := []struct {
		name   string
		score  float64
		member string
		want   int
	}{
		{"first", 1, "a", 0},
		{"tie first", 2, "b", 1},
		{"tie second", 2, "c", 2},
		{"last", 5, "d", 3},
		{"wrong score", 3, "c", -1},
		{"absent member", 2, "bb", -1},
		{"empty list member", 0, "", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := zsl.Rank(tt.score, tt.member); got != tt.want {
				t.Fatalf("Rank(%v, %q) = %d, want %d", tt.score, tt.member, got, tt.want)
			}
		})
	}
}

func Test_SkiplistByRank(t *testing.T) {
	zsl := buildSkiplist(zslEntry{"a", 1}, zslEntry{"b", 2}, zslEntry{"c", 3})
	tests := []struct {
		rank      int
		member    string
		score     float64
		ok        bool
		nodeIsNil bool
	}{
		{0, "a", 1, true, false},
		{1, "b", 2, true, false},
		{2, "c", 3, true, false},
		{3, "", 0, false, true},
		{-1, "", 0, false, true},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.rank), func(t *testing.T) {
			m, s, ok := zsl.ByRank(tt.rank)
			if m != tt.member || s != tt.score || ok != tt.ok {
				t.Fatalf("ByRank(%d) = (%q, %v, %v), want (%q, %v, %v)", tt.rank, m, s, ok, tt.member, tt.score, tt.ok)
			}
			n := zsl.NodeByRank(tt.rank)
			if (n == nil) != tt.nodeIsNil {
				t.Fatalf("NodeByRank(%d) nil = %v", tt.rank, n == nil)
			}
			if n != nil && zsl.RankOfNode(n) != tt.rank {
				t.Fatalf("RankOfNode(NodeByRank(%d)) = %d", tt.rank, zsl.RankOfNode(n))
			}
		})
	}
}

// Test_SkiplistMatchesModel runs random inserts, deletes and score updates
// against a sorted slice and checks invariants, ranks and lookups.
func Test_SkiplistMatchesModel(t *testing.T) {
	for _, seed := range []uint64{1, 2} {
		t.Run(strconv.FormatUint(seed, 10), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 7))
			zsl := newZSkiplist()
			scores := map[string]float64{}
			randScore := func() float64 { return float64(rng.IntN(50)) / 2 }
			for step := range 4000 {
				m := "m" + strconv.Itoa(rng.IntN(300))
				cur, present := scores[m]
				switch op := rng.IntN(3); {
				case !present:
					s := randScore()
					zsl.Insert(s, m)
					scores[m] = s
				case op == 0:
					if !zsl.Delete(cur, m) {
						t.Fatalf("step %d: Delete(%v, %q) = false", step, cur, m)
					}
					if zsl.Delete(cur, m) {
						t.Fatalf("step %d: second Delete(%v, %q) = true", step, cur, m)
					}
					delete(scores, m)
				default:
					s := cur + float64(rng.IntN(5)-2)/4 // often a small move
					zsl.UpdateScore(cur, s, m)
					scores[m] = s
				}
				if step%500 != 499 {
					continue
				}
				var want []zslEntry
				for m, s := range scores {
					want = append(want, zslEntry{m, s})
				}
				want = sortedEntries(want...)
				checkSkiplist(t, zsl, want)
				for r, e := range want {
					if got := zsl.Rank(e.score, e.member); got != r {
						t.Fatalf("step %d: Rank(%v, %q) = %d, want %d", step, e.score, e.member, got, r)
					}
					if m, s, ok := zsl.ByRank(r); !ok || m != e.member || s != e.score {
						t.Fatalf("step %d: ByRank(%d) = (%q, %v, %v), want (%q, %v)", step, r, m, s, ok, e.member, e.score)
					}
				}
			}
		})
	}
}

func Test_SkiplistUpdateScore(t *testing.T) {
	tests := []struct {
		name     string
		member   string
		newScore float64
		want     []string
		inPlace  bool
	}{
		{"in place", "b", 2.5, []string{"a", "b", "c"}, true},
		{"move to front", "c", 0, []string{"c", "a", "b"}, false},
		{"move to back", "a", 9, []string{"b", "c", "a"}, false},
		{"equal to neighbour score is not in place", "b", 3, []string{"a", "b", "c"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			zsl := buildSkiplist(zslEntry{"a", 1}, zslEntry{"b", 2}, zslEntry{"c", 3})
			old := map[string]float64{"a": 1, "b": 2, "c": 3}
			node := zsl.NodeByRank(zsl.Rank(old[tt.member], tt.member))
			zsl.UpdateScore(old[tt.member], tt.newScore, tt.member)
			old[tt.member] = tt.newScore
			var entries []zslEntry
			for m, s := range old {
				entries = append(entries, zslEntry{m, s})
			}
			checkSkiplist(t, zsl, sortedEntries(entries...))
			for i, m := range tt.want {
				if got, _, _ := zsl.ByRank(i); got != m {
					t.Fatalf("rank %d = %q, want %q", i, got, m)
				}
			}
			after := zsl.NodeByRank(zsl.Rank(tt.newScore, tt.member))
			if (after == node) != tt.inPlace {
				t.Fatalf("node reused = %v, want %v", after == node, tt.inPlace)
			}
		})
	}
}

func Test_SkiplistDeterministic(t *testing.T) {
	tests := []struct {
		name string
		n    int
	}{
		{"small", 10},
		{"large", 5000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			heights := func() []int {
				zsl := newZSkiplist()
				for i := range tt.n {
					zsl.Insert(float64(i%17), strconv.Itoa(i))
				}
				var h []int
				for x := zsl.header.level[0].forward; x != nil; x = x.Next() {
					h = append(h, len(x.level))
				}
				return h
			}
			a, b := heights(), heights()
			if !slices.Equal(a, b) {
				t.Fatal("identical insert sequences produced different node heights")
			}
			if tt.n >= 1000 {
				// With p = 0.25 about a quarter of the nodes have level >= 2.
				tall := 0
				for _, h := range a {
					if h >= 2 {
						tall++
					}
				}
				if frac := float64(tall) / float64(tt.n); frac < 0.2 || frac > 0.3 {
					t.Fatalf("%.3f of nodes have level >= 2, want about 0.25", frac)
				}
			}
		})
	}
}

// collectRange walks from first to last (inclusive) via Next.
func collectRange(first, last *zslNode) []string {
	got := []string{}
	if first == nil || last == nil {
		return got
	}
	for x := first; ; x = x.Next() {
		got = append(got, x.Member())
		if x == last {
			return got
		}
	}
}

func Test_SkiplistScoreRange(t *testing.T) {
	inf := math.Inf(1)
	zsl := buildSkiplist(
		zslEntry{"ninf", -inf}, zslEntry{"neg", -1}, zslEntry{"zero", 0},
		zslEntry{"one", 1}, zslEntry{"two", 2}, zslEntry{"pinf", inf},
	)
	tests := []struct {
		name string
		r    scoreRange
		want []string
	}{
		{"all", scoreRange{min: -inf, max: inf}, []string{"ninf", "neg", "zero", "one", "two", "pinf"}},
		{"exclusive infinities", scoreRange{min: -inf, max: inf, minEx: true, maxEx: true}, []string{"neg", "zero", "one", "two"}},
		{"point", scoreRange{min: 1, max: 1}, []string{"one"}},
		{"exclusive point", scoreRange{min: 1, max: 1, minEx: true}, []string{}},
		{"half open", scoreRange{min: 0, max: 2, minEx: true}, []string{"one", "two"}},
		{"between elements", scoreRange{min: 0.2, max: 0.8}, []string{}},
		{"inverted", scoreRange{min: 2, max: 0}, []string{}},
		{"above all", scoreRange{min: inf, max: inf, minEx: true}, []string{}},
		{"only pinf", scoreRange{min: inf, max: inf}, []string{"pinf"}},
		{"below all finite", scoreRange{min: -5, max: -2}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first, last := zsl.FirstInRange(tt.r), zsl.LastInRange(tt.r)
			if (first == nil) != (last == nil) {
				t.Fatalf("FirstInRange nil = %v but LastInRange nil = %v", first == nil, last == nil)
			}
			if got := collectRange(first, last); !slices.Equal(got, tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
	if newZSkiplist().FirstInRange(scoreRange{min: -inf, max: inf}) != nil {
		t.Fatal("FirstInRange on an empty list is not nil")
	}
}

func Test_SkiplistLexRange(t *testing.T) {
	// Expectations were checked against ZRANGEBYLEX on redis-server 7.0.15.
	zsl := buildSkiplist(zslEntry{"", 0}, zslEntry{"a", 0}, zslEntry{"b", 0}, zslEntry{"c", 0})
	tests := []struct {
		min, max string
		want     []string
	}{
		{"-", "+", []string{"", "a", "b", "c"}},
		{"+", "-", []string{}},
		{"+", "+", []string{}},
		{"-", "-", []string{}},
		{"[", "+", []string{"", "a", "b", "c"}},
		{"(", "+", []string{"a", "b", "c"}},
		{"[a", "(c", []string{"a", "b"}},
		{"(a", "[c", []string{"b", "c"}},
		{"[b", "[b", []string{"b"}},
		{"(b", "[b", []string{}},
		{"-", "[", []string{""}},
		{"[c", "[a", []string{}},
		{"[bb", "+", []string{"c"}},
		{"-", "(a", []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.min+" "+tt.max, func(t *testing.T) {
			r, err := parseLexRange([]byte(tt.min), []byte(tt.max))
			if err != nil {
				t.Fatal(err)
			}
			first, last := zsl.FirstInLex(r), zsl.LastInLex(r)
			if got := collectRange(first, last); !slices.Equal(got, tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func Test_SkiplistDeleteRange(t *testing.T) {
	entries := []zslEntry{{"a", 1}, {"b", 2}, {"c", 3}, {"d", 4}, {"e", 5}}
	tests := []struct {
		name string
		del  func(zsl *zskiplist) []string
		want []string
	}{
		{"score inclusive", func(z *zskiplist) []string { return z.DeleteRangeByScore(scoreRange{min: 2, max: 4}) }, []string{"b", "c", "d"}},
		{"score exclusive", func(z *zskiplist) []string {
			return z.DeleteRangeByScore(scoreRange{min: 2, max: 4, minEx: true, maxEx: true})
		}, []string{"c"}},
		{"score none", func(z *zskiplist) []string { return z.DeleteRangeByScore(scoreRange{min: 4, max: 2}) }, nil},
		{"score all", func(z *zskiplist) []string {
			return z.DeleteRangeByScore(scoreRange{min: math.Inf(-1), max: math.Inf(1)})
		}, []string{"a", "b", "c", "d", "e"}},
		{"rank middle", func(z *zskiplist) []string { return z.DeleteRangeByRank(1, 3) }, []string{"b", "c", "d"}},
		{"rank first", func(z *zskiplist) []string { return z.DeleteRangeByRank(0, 0) }, []string{"a"}},
		{"rank last", func(z *zskiplist) []string { return z.DeleteRangeByRank(4, 4) }, []string{"e"}},
		{"rank all", func(z *zskiplist) []string { return z.DeleteRangeByRank(0, 4) }, []string{"a", "b", "c", "d", "e"}},
		{"lex", func(z *zskiplist) []string {
			return z.DeleteRangeByLex(lexRange{min: "b", max: "d", maxEx: true})
		}, []string{"b", "c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := entries
			if tt.name == "lex" { // lex ranges need equal scores
				src = []zslEntry{{"a", 0}, {"b", 0}, {"c", 0}, {"d", 0}, {"e", 0}}
			}
			zsl := buildSkiplist(src...)
			got := tt.del(zsl)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("deleted %q, want %q", got, tt.want)
			}
			var rest []zslEntry
			for _, e := range src {
				if !slices.Contains(tt.want, e.member) {
					rest = append(rest, e)
				}
			}
			checkSkiplist(t, zsl, rest)
		})
	}
}

func Test_SkiplistDeleteRangeByRankLarge(t *testing.T) {
	tests := []struct{ start, stop int }{{0, 99}, {10, 500}, {900, 999}, {0, 999}, {500, 500}}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.start)+"-"+strconv.Itoa(tt.stop), func(t *testing.T) {
			var all []zslEntry
			for i := range 1000 {
				all = append(all, zslEntry{strconv.Itoa(i), float64(i)})
			}
			zsl := buildSkiplist(all...)
			got := zsl.DeleteRangeByRank(tt.start, tt.stop)
			if len(got) != tt.stop-tt.start+1 || got[0] != strconv.Itoa(tt.start) {
				t.Fatalf("deleted %d members starting at %q", len(got), got[0])
			}
			checkSkiplist(t, zsl, slices.Concat(all[:tt.start], all[tt.stop+1:]))
		})
	}
}

func Test_SkiplistClone(t *testing.T) {
	tests := []struct {
		name string
		n    int
	}{
		{"empty", 0},
		{"one", 1},
		{"many", 2000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var entries []zslEntry
			for i := range tt.n {
				entries = append(entries, zslEntry{strconv.Itoa(i), float64(i % 13)})
			}
			orig := buildSkiplist(entries...)
			orig.Delete(0, "0") // leave a stale span above the top level
			want := sortedEntries(entries...)
			if tt.n > 0 {
				want = want[1:]
			}
			c := orig.Clone()
			checkSkiplist(t, c, want)
			// The same later operations must give the same structure.
			for i := range 50 {
				orig.Insert(-1, "new"+strconv.Itoa(i))
				c.Insert(-1, "new"+strconv.Itoa(i))
			}
			for x, y := orig.header.level[0].forward, c.header.level[0].forward; x != nil || y != nil; x, y = x.Next(), y.Next() {
				if x == nil || y == nil || x.member != y.member || len(x.level) != len(y.level) {
					t.Fatal("clone diverged structurally from the original")
				}
			}
			c.DeleteRangeByRank(0, c.Len()-1)
			if orig.Len() != len(want)+50 {
				t.Fatalf("clearing the clone changed the original: Len() = %d", orig.Len())
			}
		})
	}
}

func Test_ZSetOperations(t *testing.T) {
	type op struct {
		add    bool
		member string
		score  float64
	}
	tests := []struct {
		name string
		ops  []op
		want []zslEntry
	}{
		{"add", []op{{true, "a", 2}, {true, "b", 1}}, []zslEntry{{"b", 1}, {"a", 2}}},
		{"update moves", []op{{true, "a", 1}, {true, "b", 2}, {true, "a", 3}}, []zslEntry{{"b", 2}, {"a", 3}}},
		{"same score is a no-op", []op{{true, "a", 1}, {true, "a", 1}}, []zslEntry{{"a", 1}}},
		{"negative zero keeps zero", []op{{true, "a", 0}, {true, "a", math.Copysign(0, -1)}}, []zslEntry{{"a", 0}}},
		{"remove", []op{{true, "a", 1}, {true, "b", 2}, {false, "a", 0}}, []zslEntry{{"b", 2}}},
		{"remove absent", []op{{true, "a", 1}, {false, "zz", 0}}, []zslEntry{{"a", 1}}},
		{"remove then re-add", []op{{true, "a", 1}, {false, "a", 0}, {true, "a", 5}}, []zslEntry{{"a", 5}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z := newZSet()
			for _, o := range tt.ops {
				if o.add {
					z.Add(o.member, o.score)
					continue
				}
				_, had := z.Score(o.member)
				if got := z.Remove(o.member); got != had {
					t.Fatalf("Remove(%q) = %v, want %v", o.member, got, had)
				}
			}
			checkZSet(t, z, tt.want)
			if math.Signbit(tt.want[0].score) != math.Signbit(z.zsl.header.level[0].forward.score) {
				t.Fatal("stored score sign differs")
			}
		})
	}
}

// checkZSet verifies that the dict, the skiplist and Each agree with want.
func checkZSet(t *testing.T, z *zset, want []zslEntry) {
	t.Helper()
	if z.Len() != len(want) || len(z.dict) != len(want) {
		t.Fatalf("Len() = %d, dict has %d, want %d", z.Len(), len(z.dict), len(want))
	}
	checkSkiplist(t, z.zsl, want)
	var got []zslEntry
	z.Each(func(m string, s float64) bool {
		got = append(got, zslEntry{m, s})
		return true
	})
	if !slices.Equal(got, want) {
		t.Fatalf("Each gave %v, want %v", got, want)
	}
	for _, e := range want {
		if s, ok := z.Score(e.member); !ok || s != e.score {
			t.Fatalf("Score(%q) = %v, %v, want %v", e.member, s, ok, e.score)
		}
	}
}

func Test_ZSetDeleteRanges(t *testing.T) {
	tests := []struct {
		name string
		del  func(z *zset) []string
		want []string
	}{
		{"by score", func(z *zset) []string { return z.DeleteRangeByScore(scoreRange{min: 1, max: 2}) }, []string{"b", "c"}},
		{"by rank", func(z *zset) []string { return z.DeleteRangeByRank(0, 1) }, []string{"a", "b"}},
		{"by lex", func(z *zset) []string {
			r, _ := parseLexRange([]byte("(a"), []byte("[c"))
			return z.DeleteRangeByLex(r)
		}, []string{"b", "c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z := newZSet()
			all := []zslEntry{{"a", 0}, {"b", 1}, {"c", 2}, {"d", 3}}
			if tt.name == "by lex" {
				all = []zslEntry{{"a", 0}, {"b", 0}, {"c", 0}, {"d", 0}}
			}
			for _, e := range all {
				z.Add(e.member, e.score)
			}
			if got := tt.del(z); !slices.Equal(got, tt.want) {
				t.Fatalf("deleted %q, want %q", got, tt.want)
			}
			var rest []zslEntry
			for _, e := range all {
				if !slices.Contains(tt.want, e.member) {
					rest = append(rest, e)
				}
				if _, ok := z.Score(e.member); ok == slices.Contains(tt.want, e.member) {
					t.Fatalf("dict membership of %q is wrong", e.member)
				}
			}
			checkZSet(t, z, rest)
		})
	}
}

func Test_ZSetCloneAndEach(t *testing.T) {
	z := newZSet()
	for i := range 100 {
		z.Add("m"+strconv.Itoa(i), float64(100-i))
	}
	c := z.Clone()
	c.Add("m0", -5)
	c.Remove("m1")
	if s, _ := z.Score("m0"); s != 100 {
		t.Fatalf("original score changed to %v", s)
	}
	if _, ok := z.Score("m1"); !ok || z.Len() != 100 {
		t.Fatal("original lost a member")
	}
	tests := []struct {
		name  string
		z     *zset
		limit int
		first string
	}{
		{"original", z, 3, "m99"},
		{"clone", c, 1, "m0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			tt.z.Each(func(m string, _ float64) bool {
				got = append(got, m)
				return len(got) < tt.limit
			})
			if len(got) != tt.limit || got[0] != tt.first {
				t.Fatalf("Each visited %q, want %d starting with %q", got, tt.limit, tt.first)
			}
		})
	}
}

func Test_ParseScoreRange(t *testing.T) {
	inf := math.Inf(1)
	// Accept/reject decisions match ZRANGEBYSCORE on redis-server 7.0.15.
	tests := []struct {
		min, max string
		want     scoreRange
		err      bool
	}{
		{"0", "0", scoreRange{min: 0, max: 0}, false},
		{"", "", scoreRange{}, false},
		{"(", "(", scoreRange{minEx: true, maxEx: true}, false},
		{" 1", "\t2", scoreRange{min: 1, max: 2}, false},
		{"1 ", "2", scoreRange{}, true},
		{"0x1", "0x2", scoreRange{min: 1, max: 2}, false},
		{"(0x1", "+inf", scoreRange{min: 1, max: inf, minEx: true}, false},
		{"1e400", "inf", scoreRange{min: inf, max: inf}, false},
		{"1e-400", "1", scoreRange{min: 0, max: 1}, false},
		{"nan", "1", scoreRange{}, true},
		{"(nan", "1", scoreRange{}, true},
		{"-inf", "inf", scoreRange{min: -inf, max: inf}, false},
		{"(-inf", "(inf", scoreRange{min: -inf, max: inf, minEx: true, maxEx: true}, false},
		{"INF", "INFINITY", scoreRange{min: inf, max: inf}, false},
		{"((1", "2", scoreRange{}, true},
		{"( 1", "2", scoreRange{min: 1, max: 2, minEx: true}, false},
		{"1", "2\x00abc", scoreRange{min: 1, max: 2}, false},
		{"(\x001", "5", scoreRange{min: 0, max: 5, minEx: true}, false},
		{"+1", "+2", scoreRange{min: 1, max: 2}, false},
		{"1_0", "2", scoreRange{}, true},
		{"1", "abc", scoreRange{}, true},
		{" ", "1", scoreRange{}, true},
		{"1.5", "(2.5", scoreRange{min: 1.5, max: 2.5, maxEx: true}, false},
		{"-1e-2", ".5", scoreRange{min: -0.01, max: 0.5}, false},
	}
	for _, tt := range tests {
		t.Run(strconv.Quote(tt.min)+" "+strconv.Quote(tt.max), func(t *testing.T) {
			got, err := parseScoreRange([]byte(tt.min), []byte(tt.max))
			if tt.err {
				if err != errMinMaxNotFloat {
					t.Fatalf("err = %v, want errMinMaxNotFloat", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v, want %+v", got, err, tt.want)
			}
		})
	}
	if errMinMaxNotFloat.Error() != "ERR min or max is not a float" {
		t.Fatalf("error text %q", errMinMaxNotFloat)
	}
}

func Test_ParseLexRange(t *testing.T) {
	tests := []struct {
		min, max string
		want     lexRange
		err      bool
	}{
		{"-", "+", lexRange{minInf: -1, maxInf: 1, minEx: true, maxEx: true}, false},
		{"+", "-", lexRange{minInf: 1, maxInf: -1, minEx: true, maxEx: true}, false},
		{"[a", "(b", lexRange{min: "a", max: "b", maxEx: true}, false},
		{"[", "(", lexRange{maxEx: true}, false},
		{"[\x00", "[\xff", lexRange{min: "\x00", max: "\xff"}, false},
		{"+\x00", "+", lexRange{minInf: 1, maxInf: 1, minEx: true, maxEx: true}, false},
		{"", "+", lexRange{}, true},
		{"a", "+", lexRange{}, true},
		{"-", "b", lexRange{}, true},
		{"++", "+", lexRange{}, true},
		{"-x", "+", lexRange{}, true},
	}
	for _, tt := range tests {
		t.Run(strconv.Quote(tt.min)+" "+strconv.Quote(tt.max), func(t *testing.T) {
			got, err := parseLexRange([]byte(tt.min), []byte(tt.max))
			if tt.err {
				if err != errLexRange {
					t.Fatalf("err = %v, want errLexRange", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v, want %+v", got, err, tt.want)
			}
		})
	}
	if errLexRange.Error() != "ERR min or max not valid string range item" {
		t.Fatalf("error text %q", errLexRange)
	}
}

func FuzzParseScoreRange(f *testing.F) {
	for _, s := range []string{"", "(", "1", "(1.5", "-inf", "+inf", "0x1p3", " 1", "nan", "1e400", "(\x001"} {
		f.Add([]byte(s), []byte("+inf"))
	}
	f.Fuzz(func(t *testing.T, min, max []byte) {
		r, err := parseScoreRange(min, max)
		if err != nil {
			return
		}
		if math.IsNaN(r.min) || math.IsNaN(r.max) {
			t.Fatalf("NaN bound accepted for %q %q", min, max)
		}
		zsl := buildSkiplist(zslEntry{"a", -1}, zslEntry{"b", 0}, zslEntry{"c", 1})
		first, last := zsl.FirstInRange(r), zsl.LastInRange(r)
		if (first == nil) != (last == nil) || (first != nil && zsl.RankOfNode(first) > zsl.RankOfNode(last)) {
			t.Fatalf("inconsistent range for %+v", r)
		}
	})
}

func FuzzParseLexRange(f *testing.F) {
	for _, s := range []string{"", "-", "+", "[", "(", "[a", "(b", "+\x00", "x"} {
		f.Add([]byte(s), []byte("+"))
	}
	f.Fuzz(func(t *testing.T, min, max []byte) {
		r, err := parseLexRange(min, max)
		if err != nil {
			return
		}
		zsl := buildSkiplist(zslEntry{"", 0}, zslEntry{"a", 0}, zslEntry{"b", 0})
		first, last := zsl.FirstInLex(r), zsl.LastInLex(r)
		if (first == nil) != (last == nil) || (first != nil && zsl.RankOfNode(first) > zsl.RankOfNode(last)) {
			t.Fatalf("inconsistent range for %+v", r)
		}
	})
}
