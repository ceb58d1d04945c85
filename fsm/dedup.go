package fsm

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/redraft/redraft/reply"
	"github.com/tidwall/btree"
)

// De-duplication of retried writes (Raft dissertation §6.3).
//
// A client's write whose outcome is unknown (the leader lost leadership
// after appending it, a forwarding RPC timed out) is retried with the same
// identity (Entry.Origin, Session, Seq), so the log may hold it twice. The
// store remembers the reply of every identified entry it applied and
// answers a later entry with the same identity with that reply, changing
// nothing else. The table is replicated state: it is changed only by
// applying entries, decided only by the log clock, and kept in snapshots,
// so every replica de-duplicates the same entries.
//
// The table is bounded. Per session it keeps the replies of the highest
// dedupPerSession seqs (at most dedupSessionBytes of them, encoded) and of
// the last dedupMaxAge of log time; what it forgets raises the session's
// floor, and an entry at or below the floor that is not in the table is
// refused with TRYAGAIN rather than applied, because it may be a retry of
// a forgotten request. A session idle for
// dedupSessionIdle is dropped with its floor: an entry of that session
// arriving later is applied as new. That is safe in practice because a
// retry happens within the write timeout, seconds, far below the idle limit.
const (
	dedupPerSession = 8192
	// dedupSessionBytes bounds the encoded replies a session keeps: the
	// count bound alone would let large replies (GETDEL, EVAL) hold
	// gigabytes.
	dedupSessionBytes = 32 << 20
	dedupMaxAge       = 2 * time.Minute
	dedupSessionIdle  = 10 * time.Minute
	// dedupSweepEvery spaces the age sweeps so that it costs nothing per
	// entry; replies live up to this much longer than dedupMaxAge.
	dedupSweepEvery = time.Second
	// maxClusterIDLen bounds the cluster ID an EntryClusterID may set.
	maxClusterIDLen = 255
)

// errTooOld answers an identified entry that may be a retry of a request
// whose reply the table has forgotten.
const errTooOld = "TRYAGAIN request identity too old to de-duplicate; it may or may not have been applied"

// sessionID names a session: the node that created its requests and the
// session number that node picked when it started.
type sessionID struct {
	origin  string
	session uint64
}

func compareSessionIDs(a, b sessionID) int {
	if c := cmp.Compare(a.origin, b.origin); c != 0 {
		return c
	}
	return cmp.Compare(a.session, b.session)
}

// dedupReply is a remembered reply. It is kept encoded: the encoding is a
// deep copy made once (a later command may mutate containers the reply
// points into), compact, and what snapshots write anyway.
type dedupReply struct {
	seq uint64
	// at is the log clock (Unix ms) when the request was applied.
	at  int64
	enc []byte // reply.AppendBinary
}

func dedupReplyLess(a, b dedupReply) bool { return a.seq < b.seq }

// dedupSession is the state of one session.
type dedupSession struct {
	id sessionID
	// floor is the highest seq whose reply was forgotten; every seq in
	// replies is above it.
	floor uint64
	// lastUsed is the log clock when an entry of the session last applied.
	lastUsed int64
	// bytes is the size of the encoded replies (derived, not in snapshots).
	bytes int
	// replies are ordered by seq. The tree is copied lazily when a
	// snapshot starts, like the keyspace, so freezing costs nothing.
	replies *btree.BTreeG[dedupReply]
}

func newDedupSession(id sessionID) *dedupSession {
	return &dedupSession{id: id, replies: btree.NewBTreeGOptions(dedupReplyLess, btree.Options{NoLocks: true})}
}

// dedupTable maps sessions to their remembered replies. The map is only
// looked up by key or swept with order-independent effects, so its
// iteration order never reaches a reply or a snapshot.
type dedupTable struct {
	sessions map[sessionID]*dedupSession
	// lastSweep is the log clock of the last age sweep. It is replicated
	// (in snapshots): when sweeps run decides what is evicted.
	lastSweep int64
	dedupLimits
}

// dedupLimits are the constants above, as fields so that tests can lower
// them. They are configuration, not state: a restore keeps the receiving
// store's limits.
type dedupLimits struct {
	perSession int
	maxBytes   int
	maxAge     int64 // ms
	idle       int64 // ms
	sweepEvery int64 // ms
}

func newDedupTable() dedupTable {
	return dedupTable{
		sessions: make(map[sessionID]*dedupSession),
		dedupLimits: dedupLimits{
			perSession: dedupPerSession,
			maxBytes:   dedupSessionBytes,
			maxAge:     dedupMaxAge.Milliseconds(),
			idle:       dedupSessionIdle.Milliseconds(),
			sweepEvery: dedupSweepEvery.Milliseconds(),
		},
	}
}

// session returns the session of id, created if needed, and marks it used
// at now.
func (t *dedupTable) session(id sessionID, now int64) *dedupSession {
	sess := t.sessions[id]
	if sess == nil {
		sess = newDedupSession(id)
		t.sessions[id] = sess
	}
	sess.lastUsed = now
	return sess
}

// sweep evicts replies older than maxAge and drops sessions idle for
// longer than idle, at most once per sweepEvery of log time.
func (t *dedupTable) sweep(now int64) {
	if now-t.lastSweep < t.sweepEvery {
		return
	}
	t.lastSweep = now
	for id, sess := range t.sessions {
		if sess.lastUsed < now-t.idle {
			delete(t.sessions, id)
			continue
		}
		sess.evictOlder(now - t.maxAge)
	}
}

// evictOlder forgets the lowest seqs while their reply is older than
// cutoff. Seqs apply almost in order, so stopping at the first young reply
// keeps at most a few old ones (until the sweep after that reply ages),
// and the floor stays below every remembered seq.
func (sess *dedupSession) evictOlder(cutoff int64) {
	for {
		r, ok := sess.replies.Min()
		if !ok || r.at >= cutoff {
			return
		}
		sess.forgetMin()
	}
}

// forgetMin evicts the lowest seq and raises the floor to it.
func (sess *dedupSession) forgetMin() {
	if r, ok := sess.replies.PopMin(); ok {
		sess.floor = max(sess.floor, r.seq)
		sess.bytes -= len(r.enc)
	}
}

// add stores a reply without enforcing the limits.
func (sess *dedupSession) add(r dedupReply) {
	sess.replies.Set(r)
	sess.bytes += len(r.enc)
}

// remember stores the reply of seq, then forgets the lowest seqs while the
// session is over its limits (possibly this reply, if it is the lowest).
func (sess *dedupSession) remember(seq uint64, at int64, r reply.Value, lim dedupLimits) {
	sess.add(dedupReply{seq: seq, at: at, enc: reply.AppendBinary(nil, r)})
	for sess.replies.Len() > lim.perSession || (sess.bytes > lim.maxBytes && sess.replies.Len() > 0) {
		sess.forgetMin()
	}
}

// lookup returns the remembered reply of seq.
func (sess *dedupSession) lookup(seq uint64) (reply.Value, bool) {
	r, ok := sess.replies.Get(dedupReply{seq: seq})
	if !ok {
		return reply.Value{}, false
	}
	v, _, err := reply.DecodeBinary(r.enc)
	if err != nil {
		// Impossible: the bytes were encoded by AppendBinary or checked
		// when the snapshot was read. Answer, never crash the apply loop.
		return reply.Err(fmt.Sprintf("ERR stored reply unreadable: %v", err)), true
	}
	return v, true
}

// applyOnce applies an identified entry at most once: a duplicate gets the
// first reply and changes nothing (beyond s.applied and the clock, which
// every entry advances), an identity below the session's floor is refused.
func (s *Store) applyOnce(index uint64, e *Entry) reply.Value {
	sess := s.dedup.session(sessionID{e.Origin, e.Session}, s.clock)
	if r, ok := sess.lookup(e.Seq); ok {
		return r
	}
	if e.Seq <= sess.floor {
		return reply.Err(errTooOld)
	}
	r := s.applyType(index, e)
	sess.remember(e.Seq, s.clock, r, s.dedup.dedupLimits)
	return r
}

// applyClusterID applies an EntryClusterID: the first ID wins, and every
// proposer learns it from the reply.
func (s *Store) applyClusterID(e *Entry) reply.Value {
	if len(e.Cmds) != 1 || len(e.Cmds[0].Args) != 1 {
		return reply.Err("ERR malformed cluster id entry")
	}
	id := e.Cmds[0].Args[0]
	if len(id) > maxClusterIDLen {
		return reply.Err(fmt.Sprintf("ERR cluster id longer than %d bytes", maxClusterIDLen))
	}
	if s.clusterID == "" {
		s.clusterID = string(id)
	}
	return reply.BulkString(s.clusterID)
}

// ClusterID returns the replicated cluster ID, "" until an EntryClusterID
// has applied.
func (s *Store) ClusterID() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.clusterID
}

// DedupStats reports the size of the de-duplication table, for INFO.
func (s *Store) DedupStats() (sessions, replies int) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, sess := range s.dedup.sessions {
		replies += sess.replies.Len()
	}
	return len(s.dedup.sessions), replies
}

// frozenDedup is the table as a snapshot sees it: session states copied by
// value, their reply trees copied lazily.
type frozenDedup struct {
	lastSweep int64
	sessions  []dedupSession
}

// freeze copies the table for a snapshot; called under the store lock.
// It costs one small copy per session: the reply trees are copy-on-write.
func (t *dedupTable) freeze() frozenDedup {
	f := frozenDedup{lastSweep: t.lastSweep, sessions: make([]dedupSession, 0, len(t.sessions))}
	for _, sess := range t.sessions {
		cp := *sess
		cp.replies = sess.replies.Copy()
		f.sessions = append(f.sessions, cp)
	}
	return f
}

// dedupSection writes the cluster ID and the table after markDedup:
//
//	clusterID:(len bytes) lastSweep:uvarint nsessions:uvarint
//	{ origin:(len bytes) session:uvarint floor:uvarint lastUsed:uvarint
//	  nreplies:uvarint { seq:uvarint at:uvarint reply:(len bytes) } }
//
// Sessions are sorted by (origin, session) and replies by seq, so equal
// tables write equal bytes whatever order the map iterates in.
func (e *encoder) dedupSection(clusterID string, f frozenDedup) {
	slices.SortFunc(f.sessions, func(a, b dedupSession) int { return compareSessionIDs(a.id, b.id) })
	e.byte(markDedup)
	e.str(clusterID)
	e.uvarint(uint64(f.lastSweep))
	e.uvarint(uint64(len(f.sessions)))
	for _, sess := range f.sessions {
		e.str(sess.id.origin)
		e.uvarint(sess.id.session)
		e.uvarint(sess.floor)
		e.uvarint(uint64(sess.lastUsed))
		e.uvarint(uint64(sess.replies.Len()))
		sess.replies.Scan(func(r dedupReply) bool {
			e.uvarint(r.seq)
			e.uvarint(uint64(r.at))
			e.bytes(r.enc)
			return e.err == nil
		})
	}
}

// dedupSection reads what encoder.dedupSection wrote into a new table,
// checking the invariants the apply path relies on: sessions are unique,
// seqs increase and lie above the floor, every reply decodes.
func (d *snapDecoder) dedupSection() (clusterID string, t dedupTable) {
	t = newDedupTable()
	clusterID = string(d.bytes())
	if len(clusterID) > maxClusterIDLen {
		d.fail()
	}
	t.lastSweep = int64(d.uvarint())
	n := d.uvarint()
	for i := uint64(0); i < n && d.err == nil; i++ {
		sess := d.dedupSession()
		if d.err != nil {
			break
		}
		if _, dup := t.sessions[sess.id]; dup {
			d.fail()
		}
		t.sessions[sess.id] = sess
	}
	return clusterID, t
}

func (d *snapDecoder) dedupSession() *dedupSession {
	origin := d.bytes()
	if len(origin) > maxOriginLen {
		d.fail()
	}
	sess := newDedupSession(sessionID{origin: string(origin), session: d.uvarint()})
	sess.floor = d.uvarint()
	sess.lastUsed = int64(d.uvarint())
	n := d.uvarint()
	last := sess.floor
	for i := uint64(0); i < n && d.err == nil; i++ {
		r := dedupReply{seq: d.uvarint(), at: int64(d.uvarint())}
		enc := d.bytes()
		if d.err != nil {
			break
		}
		if r.seq <= last {
			d.fail()
			break
		}
		last = r.seq
		v, rest, err := reply.DecodeBinary(enc)
		if err != nil || len(rest) != 0 {
			d.fail()
			break
		}
		// Re-encode so the table holds canonical bytes of its own.
		r.enc = reply.AppendBinary(nil, v)
		sess.add(r)
	}
	return sess
}
