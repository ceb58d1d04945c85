package fsm

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"strings"
	"sync"
	"testing"

	"github.com/redraft/redraft/reply"
)

// Entry times in these tests are far from the wall clock (the year 2200),
// so anything that consulted time.Now instead of the log clock would evict
// everything at once.
const farFuture = int64(7_258_118_400_000)

func args(a ...string) [][]byte {
	out := make([][]byte, len(a))
	for i, s := range a {
		out[i] = []byte(s)
	}
	return out
}

// ident gives e the identity (origin, session, seq) and the time at.
func ident(e *Entry, origin string, session, seq uint64, at int64) *Entry {
	e.Origin, e.Session, e.Seq, e.Time = origin, session, seq, at
	return e
}

func command(a ...string) *Entry { return &Entry{Type: EntryCommand, Cmds: []Cmd{{Args: args(a...)}}} }

func exec(cmds ...[]string) *Entry {
	e := &Entry{Type: EntryExec}
	for _, c := range cmds {
		e.Cmds = append(e.Cmds, Cmd{Args: args(c...)})
	}
	return e
}

func render(v reply.Value) string { return string(reply.Append(nil, v, 3)) }

// applier applies entries at increasing indexes through the encoded form,
// as the Raft FSM does.
type applier struct {
	t     *testing.T
	s     *Store
	index uint64
}

func newApplier(t *testing.T) *applier { return &applier{t: t, s: NewStore()} }

func (a *applier) apply(e *Entry) string {
	a.index++
	return render(a.s.Apply(a.index, e.Encode(nil)))
}

func (a *applier) read(cmd ...string) string {
	return render(a.s.Read(0, args(cmd...), farFuture, 1))
}

func Test_DedupAppliesOnce(t *testing.T) {
	cases := []struct {
		name string
		// first is applied, then retry with the same identity.
		first, retry *Entry
		// check reads the state after the retry.
		check []string
		want  string
	}{
		{"incr", command("INCR", "c"), command("INCR", "c"), []string{"GET", "c"}, "$1\r\n1\r\n"},
		{"lpush", command("LPUSH", "l", "a", "b"), command("LPUSH", "l", "a", "b"), []string{"LLEN", "l"}, ":2\r\n"},
		{"exec", exec([]string{"INCR", "c"}, []string{"RPUSH", "l", "x"}), exec([]string{"INCR", "c"}, []string{"RPUSH", "l", "x"}),
			[]string{"LRANGE", "l", "0", "-1"}, "*1\r\n$1\r\nx\r\n"},
		// A retry is the same bytes; even if it were not, the identity
		// decides and nothing of the retry applies.
		{"retry with other content", command("SET", "k", "first"), command("SET", "k", "second"), []string{"GET", "k"}, "$5\r\nfirst\r\n"},
		{"cluster id", &Entry{Type: EntryClusterID, Cmds: []Cmd{{Args: args("A")}}}, &Entry{Type: EntryClusterID, Cmds: []Cmd{{Args: args("A")}}},
			[]string{"DBSIZE"}, ":0\r\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := newApplier(t)
			r1 := a.apply(ident(c.first, "n1", 7, 1, farFuture))
			before := snapshotBytes(t, a.s)
			r2 := a.apply(ident(c.retry, "n1", 7, 1, farFuture))
			if r1 != r2 {
				t.Fatalf("retry reply %q, first %q", r2, r1)
			}
			if got := a.read(c.check...); got != c.want {
				t.Fatalf("%v = %q, want %q", c.check, got, c.want)
			}
			if !bytes.Equal(stripApplied(before), stripApplied(snapshotBytes(t, a.s))) {
				t.Fatal("the retry changed the state")
			}
			if sessions, replies := a.s.DedupStats(); sessions != 1 || replies != 1 {
				t.Fatalf("DedupStats = %d, %d; want 1, 1", sessions, replies)
			}
		})
	}
}

// stripApplied drops the applied index from a snapshot (the only header
// field a duplicate moves, as every entry does) and the checksum over it.
func stripApplied(snap []byte) []byte {
	d := snap[len(snapshotMagic)+1:]
	_, n := binary.Uvarint(d) // clock
	_, m := binary.Uvarint(d[n:])
	out := append([]byte(nil), snap[:len(snapshotMagic)+1+n]...)
	return append(out, d[n+m:len(d)-4]...)
}

// A remembered reply is a copy: commands that later change the containers
// it was built from do not change what a retry gets.
func Test_DedupReplyIsACopy(t *testing.T) {
	a := newApplier(t)
	e := exec([]string{"RPUSH", "l", "a", "b"}, []string{"LRANGE", "l", "0", "-1"}, []string{"HSET", "h", "f", "v"}, []string{"HGETALL", "h"})
	first := a.apply(ident(e, "n1", 1, 1, farFuture))
	a.apply(ident(command("LSET", "l", "0", "zz"), "n1", 1, 2, farFuture))
	a.apply(ident(command("HSET", "h", "f", "other"), "n1", 1, 3, farFuture))
	a.apply(ident(command("APPEND", "s", "x"), "n1", 1, 4, farFuture))
	if retry := a.apply(ident(e, "n1", 1, 1, farFuture)); retry != first {
		t.Fatalf("retry reply %q, first %q", retry, first)
	}
}

func Test_DedupDistinctIdentitiesApply(t *testing.T) {
	cases := []struct {
		name string
		ids  []sessionID
		seqs []uint64
	}{
		{"increasing seqs", []sessionID{{"n1", 1}, {"n1", 1}, {"n1", 1}}, []uint64{1, 2, 3}},
		{"out of order", []sessionID{{"n1", 1}, {"n1", 1}, {"n1", 1}}, []uint64{3, 1, 2}},
		{"same seq other session", []sessionID{{"n1", 1}, {"n1", 2}, {"n1", 3}}, []uint64{1, 1, 1}},
		{"same seq other origin", []sessionID{{"n1", 1}, {"n2", 1}, {"n3", 1}}, []uint64{5, 5, 5}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := newApplier(t)
			for i, id := range c.ids {
				if got, want := a.apply(ident(command("INCR", "c"), id.origin, id.session, c.seqs[i], farFuture)), fmt.Sprintf(":%d\r\n", i+1); got != want {
					t.Fatalf("apply %d = %q, want %q", i, got, want)
				}
			}
		})
	}
}

// Entries without an identity are applied every time.
func Test_DedupIgnoresSeqZero(t *testing.T) {
	a := newApplier(t)
	for i := 1; i <= 3; i++ {
		if got, want := a.apply(ident(command("INCR", "c"), "n1", 1, 0, farFuture)), fmt.Sprintf(":%d\r\n", i); got != want {
			t.Fatalf("apply %d = %q, want %q", i, got, want)
		}
	}
	if sessions, replies := a.s.DedupStats(); sessions != 0 || replies != 0 {
		t.Fatalf("DedupStats = %d, %d; want 0, 0", sessions, replies)
	}
}

func Test_DedupFloorRefusesForgottenIdentities(t *testing.T) {
	const tooOld = "-TRYAGAIN request identity too old to de-duplicate; it may or may not have been applied\r\n"
	a := newApplier(t)
	a.s.dedup.perSession = 3
	for seq := uint64(1); seq <= 5; seq++ { // remembers 3, 4, 5; floor 2
		a.apply(ident(command("INCR", "c"), "n1", 1, seq, farFuture))
	}
	cases := []struct {
		name string
		seq  uint64
		want string
	}{
		{"forgotten", 1, tooOld},
		{"at the floor", 2, tooOld},
		{"remembered", 4, ":4\r\n"},
		{"new", 7, ":6\r\n"},
		// 3 was evicted by 7; 6 is above the floor: late but new.
		{"late but above the floor", 6, ":7\r\n"},
		{"evicted by the late ones", 3, tooOld},
	}
	for _, c := range cases {
		if got := a.apply(ident(command("INCR", "c"), "n1", 1, c.seq, farFuture)); got != c.want {
			t.Fatalf("%s: seq %d = %q, want %q", c.name, c.seq, got, c.want)
		}
	}
	if got := a.read("GET", "c"); got != "$1\r\n7\r\n" {
		t.Fatalf("counter = %q: a refused entry was applied", got)
	}
}

// The bytes a session keeps are bounded too, by the same rule: the lowest
// seqs go and raise the floor, even the reply just stored if it is alone
// over the bound.
func Test_DedupByteBound(t *testing.T) {
	const tooOld = "-TRYAGAIN request identity too old to de-duplicate; it may or may not have been applied\r\n"
	a := newApplier(t)
	a.s.dedup.maxBytes = 90 // the first two replies encode to 48 and 49 bytes
	big := func(n int) *Entry {
		v := strings.Repeat("v", n)
		return exec([]string{"SET", "k", v}, []string{"GET", "k"})
	}
	steps := []struct {
		name string
		e    *Entry
		seq  uint64
		want string
	}{
		{"first", big(40), 1, "*2\r\n+OK\r\n$40\r\n" + strings.Repeat("v", 40) + "\r\n"},
		{"second", big(41), 2, "*2\r\n+OK\r\n$41\r\n" + strings.Repeat("v", 41) + "\r\n"},
		{"first evicted by size", big(40), 1, tooOld},
		{"second kept", big(99), 2, "*2\r\n+OK\r\n$41\r\n" + strings.Repeat("v", 41) + "\r\n"},
		{"alone over the bound", big(150), 3, "*2\r\n+OK\r\n$150\r\n" + strings.Repeat("v", 150) + "\r\n"},
		{"not kept", big(150), 3, tooOld},
	}
	for _, st := range steps {
		if got := a.apply(ident(st.e, "n1", 1, st.seq, farFuture)); got != st.want {
			t.Fatalf("%s: %q, want %q", st.name, got, st.want)
		}
	}
	if sessions, replies := a.s.DedupStats(); sessions != 1 || replies != 0 {
		t.Fatalf("DedupStats = %d, %d; want 1, 0", sessions, replies)
	}
}

// Eviction by age and idle sessions follow the entries' times only.
func Test_DedupEvictionFollowsLogClock(t *testing.T) {
	const tooOld = "-TRYAGAIN request identity too old to de-duplicate; it may or may not have been applied\r\n"
	second := int64(1000)
	cases := []struct {
		name string
		base int64
	}{
		{"near epoch", 10_000},
		{"far future", farFuture},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := newApplier(t)
			at := func(offset int64) int64 { return c.base + offset }
			incr := func(session, seq uint64, t int64) string {
				return a.apply(ident(command("INCR", "c"), "n1", session, seq, t))
			}
			incr(1, 1, at(0))
			incr(1, 2, at(60*second))
			// Log time stands still: nothing ages, however long the
			// test takes.
			if got := incr(1, 1, at(60*second)); got != ":1\r\n" {
				t.Fatalf("seq 1 before it aged = %q", got)
			}
			// Two minutes and a sweep later, seq 1 is forgotten and 2 is not.
			incr(2, 1, at(2*60*second+2*second))
			if got := incr(1, 1, at(2*60*second+2*second)); got != tooOld {
				t.Fatalf("aged seq 1 = %q, want TRYAGAIN", got)
			}
			if got := incr(1, 2, at(2*60*second+2*second)); got != ":2\r\n" {
				t.Fatalf("seq 2 = %q, want its first reply", got)
			}
			// Session 1 last applied at 2m2s; ten minutes later it is
			// dropped (floor included) and its seq 2 applies as new.
			incr(2, 2, at(12*60*second+4*second))
			if sessions, _ := a.s.DedupStats(); sessions != 1 {
				t.Fatalf("sessions = %d after session 1 idled out, want 1", sessions)
			}
			if got := incr(1, 2, at(12*60*second+4*second)); got != ":5\r\n" {
				t.Fatalf("seq 2 of a dropped session = %q, want it applied as new", got)
			}
		})
	}
}

// The age sweep runs at most once per second of log time, so a reply may
// outlive dedupMaxAge by less than a second, identically on every replica.
func Test_DedupSweepIsRateLimited(t *testing.T) {
	a := newApplier(t)
	base := farFuture
	a.apply(ident(command("INCR", "c"), "n1", 1, 1, base))
	a.apply(ident(command("INCR", "c"), "n1", 1, 2, base+500)) // sweep at base, none since
	a.apply(ident(command("INCR", "c"), "n2", 1, 1, base+dedupMaxAge.Milliseconds()+1))
	if _, replies := a.s.DedupStats(); replies != 2 {
		t.Fatalf("replies = %d, want 2 (seq 1 aged and swept, seq 2 young)", replies)
	}
	a.apply(ident(command("INCR", "c"), "n2", 1, 2, base+dedupMaxAge.Milliseconds()+501))
	if _, replies := a.s.DedupStats(); replies != 3 {
		t.Fatalf("replies = %d, want 3: no sweep within a second of the last", replies)
	}
}

func Test_ClusterID(t *testing.T) {
	cases := []struct {
		name  string
		cmds  []Cmd
		want  string
		state string
	}{
		{"first sets", []Cmd{{Args: args("A")}}, "$1\r\nA\r\n", "A"},
		{"malformed", []Cmd{{Args: args("A", "B")}}, "-ERR malformed cluster id entry\r\n", ""},
		{"too long", []Cmd{{Args: [][]byte{bytes.Repeat([]byte("x"), maxClusterIDLen+1)}}}, "-ERR cluster id longer than 255 bytes\r\n", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := newApplier(t)
			if got := a.apply(&Entry{Type: EntryClusterID, Cmds: c.cmds}); got != c.want {
				t.Fatalf("reply %q, want %q", got, c.want)
			}
			if a.s.ClusterID() != c.state {
				t.Fatalf("ClusterID() = %q, want %q", a.s.ClusterID(), c.state)
			}
		})
	}
	// The first ID wins; a later one learns it from the reply.
	a := newApplier(t)
	a.apply(ident(&Entry{Type: EntryClusterID, Cmds: []Cmd{{Args: args("first")}}}, "n1", 1, 1, farFuture))
	if got := a.apply(ident(&Entry{Type: EntryClusterID, Cmds: []Cmd{{Args: args("second")}}}, "n2", 1, 1, farFuture)); got != "$5\r\nfirst\r\n" {
		t.Fatalf("second proposal got %q", got)
	}
	if a.s.ClusterID() != "first" {
		t.Fatalf("ClusterID() = %q", a.s.ClusterID())
	}
}

// A restored store holds the same table and cluster ID: a duplicate
// arriving after the restore is still caught, and a forgotten one refused.
func Test_DedupSnapshotRoundTrip(t *testing.T) {
	a := newApplier(t)
	a.s.dedup.perSession = 4
	a.apply(ident(&Entry{Type: EntryClusterID, Cmds: []Cmd{{Args: args("cid")}}}, "n1", 1, 1, farFuture))
	var first []string
	for seq := uint64(2); seq <= 6; seq++ {
		first = append(first, a.apply(ident(exec([]string{"INCR", "c"}, []string{"LPUSH", "l", "x"}), "n1", 1, seq, farFuture)))
		a.apply(ident(command("SADD", "s", fmt.Sprint(seq)), fmt.Sprintf("n%d", seq%3), seq, 9, farFuture+int64(seq)))
	}
	snap := snapshotBytes(t, a.s)
	b := &applier{t: t, s: NewStore(), index: a.index}
	b.s.dedup.perSession = a.s.dedup.perSession
	if err := b.s.ReadSnapshot(bytes.NewReader(snap)); err != nil {
		t.Fatalf("restore: %v", err)
	}
	if !bytes.Equal(snap, snapshotBytes(t, b.s)) {
		t.Fatal("restored store snapshots differently")
	}
	if b.s.ClusterID() != "cid" {
		t.Fatalf("ClusterID() = %q after restore", b.s.ClusterID())
	}
	// When the next sweep runs decides what it evicts, so the restored
	// store must sweep on the same schedule.
	if a.s.dedup.lastSweep != b.s.dedup.lastSweep {
		t.Fatalf("last sweep %d after restore, want %d", b.s.dedup.lastSweep, a.s.dedup.lastSweep)
	}
	as, ar := a.s.DedupStats()
	if bs, br := b.s.DedupStats(); as != bs || ar != br {
		t.Fatalf("DedupStats %d,%d after restore, want %d,%d", bs, br, as, ar)
	}
	for _, st := range []*applier{a, b} {
		if got := st.apply(ident(exec([]string{"INCR", "c"}, []string{"LPUSH", "l", "x"}), "n1", 1, 5, farFuture)); got != first[3] {
			t.Fatalf("duplicate seq 5 = %q, want %q", got, first[3])
		}
		if got := st.apply(ident(command("INCR", "c"), "n1", 1, 2, farFuture)); got[:9] != "-TRYAGAIN" {
			t.Fatalf("forgotten seq 2 = %q, want TRYAGAIN", got)
		}
		if got := st.read("GET", "c"); got != "$1\r\n5\r\n" {
			t.Fatalf("counter = %q", got)
		}
	}
	if !bytes.Equal(snapshotBytes(t, a.s), snapshotBytes(t, b.s)) {
		t.Fatal("stores diverged after restore")
	}
}

// goldenSnapshotV1 was written by the version 1 writer: SET s abc, RPUSH l
// a b, HSET h f 1, SADD st x, ZADD z 1.5 m and SCRIPT LOAD "return 1" at
// indexes 1-6, time 1700000000000.
const goldenSnapshotV1 = "5244524654534e500180d095ffbc3106db00000505017a000501016d3ff80000000000000301680003010166013101017300010361626304027374000401017802016c000202016101625c010872657475726e2031ff18f11957"

func Test_ReadSnapshotVersion1(t *testing.T) {
	snap, err := hex.DecodeString(goldenSnapshotV1)
	if err != nil {
		t.Fatal(err)
	}
	s := NewStore()
	if err := s.ReadSnapshot(bytes.NewReader(snap)); err != nil {
		t.Fatalf("restore version 1: %v", err)
	}
	if s.Applied() != 6 || s.clock != 1700000000000 || s.ClusterID() != "" {
		t.Fatalf("applied %d clock %d cluster %q", s.Applied(), s.clock, s.ClusterID())
	}
	if sessions, replies := s.DedupStats(); sessions != 0 || replies != 0 {
		t.Fatalf("DedupStats = %d, %d", sessions, replies)
	}
	reads := []struct {
		cmd  []string
		want string
	}{
		{[]string{"GET", "s"}, "$3\r\nabc\r\n"},
		{[]string{"LRANGE", "l", "0", "-1"}, "*2\r\n$1\r\na\r\n$1\r\nb\r\n"},
		{[]string{"HGET", "h", "f"}, "$1\r\n1\r\n"},
		{[]string{"SISMEMBER", "st", "x"}, ":1\r\n"},
		{[]string{"ZSCORE", "z", "m"}, ",1.5\r\n"},
		{[]string{"SCRIPT", "EXISTS", sha1hex([]byte("return 1"))}, "*1\r\n:1\r\n"},
	}
	for _, r := range reads {
		if got := render(s.Read(0, args(r.cmd...), 1700000000000, 1)); got != r.want {
			t.Errorf("%v = %q, want %q", r.cmd, got, r.want)
		}
	}
	// A version 1 snapshot with a 0xDD section is corrupt.
	bad := append([]byte(nil), snap[:len(snap)-5]...)
	bad = append(bad, markDedup, 0, 0, 0, markEnd)
	if err := NewStore().ReadSnapshot(bytes.NewReader(withCRC(bad))); err == nil {
		t.Fatal("a version 1 snapshot with a dedup section restored")
	}
}

// withCRC appends the checksum to a snapshot body.
func withCRC(body []byte) []byte {
	out := append([]byte(nil), body...)
	return binary.BigEndian.AppendUint32(out, crc32.Checksum(body, crcTable))
}

// A snapshot's table is the table when it was frozen, whatever applies
// while it is written (new replies, evictions, sweeps, dropped sessions).
func Test_DedupSnapshotIsPointInTime(t *testing.T) {
	a := newApplier(t)
	a.s.dedup.perSession = 3
	for seq := uint64(1); seq <= 4; seq++ {
		a.apply(ident(command("INCR", "c"), "n1", 1, seq, farFuture))
		a.apply(ident(command("INCR", "d"), "n2", 1, seq, farFuture))
	}
	want := snapshotBytes(t, a.s)
	f := a.s.freeze()
	a.apply(ident(command("INCR", "c"), "n1", 1, 6, farFuture))                                         // append, evict
	a.apply(ident(command("INCR", "c"), "n1", 1, 5, farFuture))                                         // insert in the middle
	a.apply(ident(&Entry{Type: EntryClusterID, Cmds: []Cmd{{Args: args("x")}}}, "n3", 1, 1, farFuture)) // new session
	a.apply(ident(command("INCR", "c"), "n3", 1, 2, farFuture+3*60_000))                                // ages n1 and n2 out
	a.apply(ident(command("INCR", "c"), "n3", 1, 3, farFuture+20*60_000))                               // drops n1 and n2
	var buf bytes.Buffer
	if err := f.writeTo(&buf); err != nil {
		t.Fatal(err)
	}
	f.release()
	if !bytes.Equal(buf.Bytes(), want) {
		t.Fatal("changes to the table made while the snapshot was open leaked into it")
	}
}

// Persist runs concurrently with Apply (run with -race).
func Test_DedupSnapshotConcurrentWithApply(t *testing.T) {
	a := newApplier(t)
	a.s.dedup.perSession = 16
	for seq := uint64(1); seq <= 100; seq++ {
		a.apply(ident(command("INCR", "c"), "n1", 1, seq, farFuture+int64(seq)))
	}
	var wg sync.WaitGroup
	for range 4 {
		f := a.s.freeze()
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer f.release()
			var buf bytes.Buffer
			if err := f.writeTo(&buf); err != nil {
				t.Error(err)
			}
		}()
		start := a.index
		for seq := start + 1; seq <= start+200; seq++ {
			a.apply(ident(command("INCR", "c"), fmt.Sprintf("n%d", seq%3), 1, seq^1, farFuture+int64(seq)*500))
		}
	}
	wg.Wait()
}
