package fsm

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/redraft/redraft/reply"
)

// randomLog builds a reproducible log that exercises every value type,
// expiries, random commands (SPOP, SRANDMEMBER), MULTI blocks, cluster ID
// entries, and request identities (see identify).
func randomLog(seed uint64, n int) []*Entry {
	r := rand.New(rand.NewPCG(seed, 7))
	key := func() []byte { return fmt.Appendf(nil, "k%d", r.IntN(40)) }
	val := func() []byte { return fmt.Appendf(nil, "v%d", r.IntN(1000)) }
	cmds := []func() [][]byte{
		func() [][]byte { return [][]byte{[]byte("SET"), key(), val()} },
		func() [][]byte {
			return [][]byte{[]byte("SET"), key(), val(), []byte("PX"), fmt.Appendf(nil, "%d", 1+r.IntN(50))}
		},
		func() [][]byte { return [][]byte{[]byte("APPEND"), key(), val()} },
		func() [][]byte { return [][]byte{[]byte("INCR"), []byte("counter")} },
		func() [][]byte { return [][]byte{[]byte("DEL"), key()} },
		func() [][]byte { return [][]byte{[]byte("EXPIRE"), key(), fmt.Appendf(nil, "%d", r.IntN(3))} },
		func() [][]byte { return [][]byte{[]byte("LPUSH"), []byte("list"), val(), val()} },
		func() [][]byte { return [][]byte{[]byte("RPOP"), []byte("list")} },
		func() [][]byte { return [][]byte{[]byte("HSET"), []byte("hash"), val(), val()} },
		func() [][]byte { return [][]byte{[]byte("HDEL"), []byte("hash"), val()} },
		func() [][]byte { return [][]byte{[]byte("SADD"), []byte("set"), val(), val(), val()} },
		func() [][]byte { return [][]byte{[]byte("SPOP"), []byte("set")} },
		func() [][]byte { return [][]byte{[]byte("SRANDMEMBER"), []byte("set"), []byte("-3")} },
		func() [][]byte {
			return [][]byte{[]byte("ZADD"), []byte("zset"), fmt.Appendf(nil, "%g", r.Float64()*100), val()}
		},
		func() [][]byte { return [][]byte{[]byte("ZPOPMIN"), []byte("zset")} },
		func() [][]byte { return [][]byte{[]byte("RENAME"), key(), key()} },
		func() [][]byte { return [][]byte{[]byte("COPY"), key(), key(), []byte("DB"), []byte("3")} },
		func() [][]byte { return [][]byte{[]byte("RANDOMKEY")} },
		// Scripts: the cache is part of the snapshot, and what a script
		// does (random draws included) must be identical on every replica.
		func() [][]byte {
			return [][]byte{[]byte("EVAL"), []byte("redis.call('sadd', KEYS[1], math.random(50)) return redis.call('spop', KEYS[1])"), []byte("1"), []byte("set")}
		},
		func() [][]byte {
			return [][]byte{[]byte("SCRIPT"), []byte("LOAD"), fmt.Appendf(nil, "return redis.call('append', KEYS[1], '%d')", r.IntN(5))}
		},
		func() [][]byte {
			return [][]byte{[]byte("EVALSHA"), []byte(sha1hex(fmt.Appendf(nil, "return redis.call('append', KEYS[1], '%d')", r.IntN(5)))), []byte("1"), key()}
		},
	}
	var log []*Entry
	now := int64(1_700_000_000_000)
	for i := 0; i < n; i++ {
		now += int64(r.IntN(20))
		if r.IntN(300) == 0 {
			// Jumps of log time age replies out and idle sessions away.
			now += int64(30_000 + r.IntN(600_000))
		}
		e := &Entry{Type: EntryCommand, Time: now}
		switch r.IntN(10) {
		case 9:
			if r.IntN(10) == 0 {
				e.Type = EntryClusterID
				e.Cmds = []Cmd{{Args: [][]byte{fmt.Appendf(nil, "cluster-%d", r.IntN(3))}}}
				break
			}
			e.Cmds = []Cmd{{DB: r.IntN(2), Args: cmds[r.IntN(len(cmds))]()}}
		case 0:
			e.Type = EntryExec
			for j := 0; j < 1+r.IntN(4); j++ {
				e.Cmds = append(e.Cmds, Cmd{DB: r.IntN(2), Args: cmds[r.IntN(len(cmds))]()})
			}
		case 1:
			e.Type = EntryExpire
			e.Cmds = []Cmd{{DB: 0, Args: [][]byte{key(), key()}}}
		default:
			e.Cmds = []Cmd{{DB: r.IntN(2), Args: cmds[r.IntN(len(cmds))]()}}
		}
		log = append(log, e)
	}
	return identify(r, seed, log)
}

// identify gives most entries of log a request identity, as the nodes of a
// cluster do: a few origins, sessions that change when a node restarts,
// seqs increasing per session but sometimes applied out of order, and
// retries of earlier entries (some caught as duplicates, some too old to
// de-duplicate, some of sessions dropped as idle). Sessions depend on seed,
// so logs of different seeds do not collide.
func identify(r *rand.Rand, seed uint64, log []*Entry) []*Entry {
	type session struct {
		origin string
		id     uint64
		seq    uint64
	}
	sessions := []*session{{"n1", seed * 100, 0}, {"n2", seed*100 + 1, 0}, {"n3", seed*100 + 2, 0}}
	out := make([]*Entry, 0, len(log)+len(log)/8)
	for i, e := range log {
		switch {
		case e.Type == EntryExpire || r.IntN(12) == 0:
			// No identity: applied every time.
		default:
			k := r.IntN(len(sessions))
			if r.IntN(500) == 0 { // a node restarts with a new session
				sessions[k] = &session{sessions[k].origin, seed*100 + uint64(10+i), 0}
			}
			sess := sessions[k]
			sess.seq++
			e.Origin, e.Session, e.Seq = sess.origin, sess.id, sess.seq
		}
		if n := len(out); n > 0 && r.IntN(15) == 0 {
			// Applied out of order: swap with the previous entry.
			out[n-1], e = e, out[n-1]
			out[n-1].Time, e.Time = e.Time, out[n-1].Time
		}
		out = append(out, e)
		if len(out) > 1 && r.IntN(10) == 0 {
			// A retry of a recent or an old entry, stamped now.
			limit := 20
			if r.IntN(3) == 0 {
				limit = 2000
			}
			back := 1 + r.IntN(min(len(out)-1, limit))
			retry := *out[len(out)-1-back]
			retry.Time = e.Time
			out = append(out, &retry)
		}
	}
	return out
}

func snapshotBytes(t *testing.T, s *Store) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := s.WriteSnapshot(&buf); err != nil {
		t.Fatalf("write snapshot: %v", err)
	}
	return buf.Bytes()
}

// Two stores fed the same log through the encoded form end byte-identical,
// and give the same replies on the way.
func Test_FSMDeterminism(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		a, b := NewStore(), NewStore()
		if seed%2 == 0 {
			// Small tables, so that the per-session bound evicts too.
			a.dedup.perSession, b.dedup.perSession = 50, 50
		}
		type identity struct {
			origin       string
			session, seq uint64
		}
		first := map[identity]string{}
		var hits, tooOld int
		for i, e := range randomLog(seed, 3000) {
			data := e.Encode(nil)
			ra := a.Apply(uint64(i+1), data)
			rb := b.Apply(uint64(i+1), append([]byte(nil), data...))
			if !bytes.Equal(reply.Append(nil, ra, 3), reply.Append(nil, rb, 3)) {
				t.Fatalf("seed %d entry %d: replies differ: %q vs %q", seed, i, reply.Append(nil, ra, 3), reply.Append(nil, rb, 3))
			}
			if ra.IsError() && bytes.HasPrefix(ra.Str, []byte("TRYAGAIN")) {
				tooOld++
				continue
			}
			if e.Seq == 0 {
				continue
			}
			id, got := identity{e.Origin, e.Session, e.Seq}, string(reply.Append(nil, ra, 3))
			if prev, seen := first[id]; !seen {
				first[id] = got
			} else if prev == got {
				hits++
			}
		}
		sessions, replies := a.DedupStats()
		t.Logf("seed %d: %d sessions, %d replies, %d duplicates, %d refused", seed, sessions, replies, hits, tooOld)
		if sessions == 0 || replies == 0 || hits < 50 || tooOld == 0 || a.ClusterID() == "" {
			t.Fatalf("seed %d: the log exercises too little: %d sessions, %d replies, %d duplicates, %d refused, cluster %q",
				seed, sessions, replies, hits, tooOld, a.ClusterID())
		}
		sa, sb := snapshotBytes(t, a), snapshotBytes(t, b)
		if !bytes.Equal(sa, sb) {
			t.Fatalf("seed %d: snapshots differ (%d vs %d bytes)", seed, len(sa), len(sb))
		}
		if a.dbs[0].keys.Len() == 0 {
			t.Fatalf("seed %d: the log left an empty keyspace; the test exercises nothing", seed)
		}
	}
}

// A snapshot restores to a state that snapshots to the same bytes and
// answers reads identically.
func Test_SnapshotRestoreExact(t *testing.T) {
	a := NewStore()
	for i, e := range randomLog(42, 4000) {
		a.ApplyEntry(uint64(i+1), e)
	}
	snap := snapshotBytes(t, a)
	b := NewStore()
	if err := b.ReadSnapshot(bytes.NewReader(snap)); err != nil {
		t.Fatalf("restore: %v", err)
	}
	if again := snapshotBytes(t, b); !bytes.Equal(snap, again) {
		t.Fatal("restored store snapshots differently")
	}
	if a.Applied() != b.Applied() || a.clock != b.clock {
		t.Fatalf("applied/clock not restored: %d/%d vs %d/%d", a.Applied(), a.clock, b.Applied(), b.clock)
	}
	// Both continue identically.
	for i, e := range randomLog(43, 500) {
		idx := uint64(5000 + i)
		ra, rb := a.ApplyEntry(idx, e), b.ApplyEntry(idx, e)
		if !bytes.Equal(reply.Append(nil, ra, 2), reply.Append(nil, rb, 2)) {
			t.Fatalf("entry %d after restore: %q vs %q", i, reply.Append(nil, ra, 2), reply.Append(nil, rb, 2))
		}
	}
	if !bytes.Equal(snapshotBytes(t, a), snapshotBytes(t, b)) {
		t.Fatal("stores diverged after restore")
	}
}

// Writes applied while a snapshot is open never show up in it: the snapshot
// is the state at the moment it was frozen.
func Test_SnapshotIsPointInTime(t *testing.T) {
	s := NewStore()
	apply := func(idx uint64, args ...string) {
		bs := make([][]byte, len(args))
		for i, a := range args {
			bs[i] = []byte(a)
		}
		s.ApplyEntry(idx, &Entry{Type: EntryCommand, Time: 1000, Cmds: []Cmd{{Args: bs}}})
	}
	apply(1, "SET", "s", "abc")
	apply(2, "RPUSH", "l", "a", "b")
	apply(3, "HSET", "h", "f", "1")
	apply(4, "SADD", "st", "x")
	apply(5, "ZADD", "z", "1", "m")
	want := snapshotBytes(t, s)

	f := s.freeze()
	apply(6, "APPEND", "s", "def")
	apply(7, "RPUSH", "l", "c")
	apply(8, "HSET", "h", "g", "2")
	apply(9, "SADD", "st", "y")
	apply(10, "ZADD", "z", "2", "n")
	apply(11, "EXPIRE", "s", "100")
	apply(12, "SET", "new", "1")
	apply(13, "DEL", "l")
	apply(14, "FLUSHDB")
	var buf bytes.Buffer
	if err := f.writeTo(&buf); err != nil {
		t.Fatal(err)
	}
	f.release()
	if !bytes.Equal(buf.Bytes(), want) {
		t.Fatal("writes made while the snapshot was open leaked into it")
	}
}

func Test_ReadSnapshotRejectsCorruption(t *testing.T) {
	s := NewStore()
	for i, e := range randomLog(9, 300) {
		s.ApplyEntry(uint64(i+1), e)
	}
	snap := snapshotBytes(t, s)
	before := snapshotBytes(t, s)
	for _, cut := range []int{0, 5, len(snap) / 2, len(snap) - 1} {
		if err := s.ReadSnapshot(bytes.NewReader(snap[:cut])); err == nil {
			t.Errorf("truncated at %d: restored without error", cut)
		}
	}
	flipped := append([]byte(nil), snap...)
	flipped[len(flipped)/2] ^= 0x40
	if err := s.ReadSnapshot(bytes.NewReader(flipped)); err == nil {
		t.Error("bit flip: restored without error")
	}
	if !bytes.Equal(before, snapshotBytes(t, s)) {
		t.Fatal("a failed restore changed the state")
	}
}

func FuzzReadSnapshot(f *testing.F) {
	s := NewStore()
	for i, e := range randomLog(3, 200) {
		s.ApplyEntry(uint64(i+1), e)
	}
	var buf bytes.Buffer
	if err := s.WriteSnapshot(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte(snapshotMagic))
	v1, _ := hex.DecodeString(goldenSnapshotV1)
	f.Add(v1)
	f.Fuzz(func(t *testing.T, data []byte) {
		st := NewStore()
		if err := st.ReadSnapshot(bytes.NewReader(data)); err != nil {
			return
		}
		var out bytes.Buffer
		if err := st.WriteSnapshot(&out); err != nil {
			t.Fatalf("a restored snapshot does not write: %v", err)
		}
	})
}
