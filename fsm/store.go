package fsm

import (
	"math/rand/v2"
	"sync"

	"github.com/cespare/xxhash/v2"
	"github.com/redraft/redraft/reply"
	"github.com/tidwall/btree"
)

// NumDBs is the number of logical databases, as in Redis.
const NumDBs = 16

// item is one key. Items are shared with a snapshot in progress, so a
// command never mutates an item (or its value) it did not get from
// Ctx.mutable, which copies items that a snapshot may still be reading.
type item struct {
	key  string
	hash uint64
	// expireAt is the deadline in Unix ms; 0 means no expiry.
	expireAt int64
	// ver is the log index that last modified the key (for WATCH).
	ver uint64
	// gen is the snapshot generation in which this item was created or
	// copied; items of older generations belong to a running snapshot too.
	gen uint64
	val any // []byte, *deque, *dict (hash), *dict (set, no values), *zset
}

// itemLess orders keys by a fixed hash and then by name. The order is
// deterministic on every replica (snapshots compare byte for byte) and lets
// SCAN use a hash as a cursor that stays valid while keys come and go.
func itemLess(a, b *item) bool {
	if a.hash != b.hash {
		return a.hash < b.hash
	}
	return a.key < b.key
}

func keyHash(key string) uint64 { return xxhash.Sum64String(key) }

type volatileKey struct {
	at  int64
	key string
}

func volatileLess(a, b volatileKey) bool {
	if a.at != b.at {
		return a.at < b.at
	}
	return a.key < b.key
}

// db is one logical database.
type db struct {
	keys *btree.BTreeG[*item]
	// volatile indexes keys with a deadline by deadline, so the leader finds
	// expired keys without a scan. It is derived state, rebuilt on restore
	// and never part of a snapshot.
	volatile *btree.BTreeG[volatileKey]
	// flushVer is the log index of the last FLUSHDB/FLUSHALL, which
	// invalidates every WATCH on the database.
	flushVer uint64
	// num is the database's index (0-15).
	num int
}

func newDB(num int) *db {
	return &db{
		num:      num,
		keys:     btree.NewBTreeGOptions(itemLess, btree.Options{NoLocks: true}),
		volatile: btree.NewBTreeGOptions(volatileLess, btree.Options{NoLocks: true}),
	}
}

// Store is the replicated keyspace: the state the FSM applies entries to and
// that reads are served from. Applies hold mu for writing, reads for reading.
type Store struct {
	mu  sync.RWMutex
	dbs [NumDBs]*db
	// clock is the largest entry time applied so far (Unix ms). Every
	// expiry decision made while applying uses it, never the local clock.
	clock int64
	// applied is the index of the last applied log entry.
	applied uint64
	// gen is bumped when a snapshot starts; snapshots counts the ones still
	// being written, whose items must not be mutated in place.
	gen       uint64
	snapshots int
	commands  map[string]*Command
	// scripts is the Lua script cache (replicated) and the VMs that run
	// scripts (derived); see script.go.
	scripts scriptCache
	// clusterID names the cluster (EntryClusterID); dedup remembers the
	// replies of identified entries (dedup.go). Both are replicated.
	clusterID string
	dedup     dedupTable

	// written collects the keys modified by the entries being applied when
	// onWrite is set; onWrite receives them after the store lock is
	// released (blocked clients wait for pushes to their keys). published
	// and onPublish do the same for PUBLISH messages (cmd_pubsub.go).
	written   []DBKey
	onWrite   func([]DBKey)
	published []Message
	onPublish func([]Message)
}

// DBKey names a key in a database.
type DBKey struct {
	DB  int
	Key string
}

// OnWrite registers fn to be called, outside the store lock and in apply
// order, with the keys each applied batch modified. fn must not block.
func (s *Store) OnWrite(fn func([]DBKey)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onWrite = fn
}

// noteWrite records a modified key for the OnWrite callback.
func (c *Ctx) noteWrite(d *db, key string) {
	if c.s.onWrite == nil || !c.write {
		return
	}
	c.s.written = append(c.s.written, DBKey{DB: d.num, Key: key})
}

// applyNotes is what the entries applied under one lock acquisition
// report to the server: the keys they wrote and the messages they
// published.
type applyNotes struct {
	keys []DBKey
	msgs []Message
}

// applyHooks are the callbacks that receive applyNotes.
type applyHooks struct {
	onWrite   func([]DBKey)
	onPublish func([]Message)
}

// flushWritten hands the recorded keys and messages to their callbacks;
// the caller has released the lock.
func (s *Store) flushWritten(n applyNotes, h applyHooks) {
	if h.onWrite != nil && len(n.keys) > 0 {
		h.onWrite(n.keys)
	}
	if h.onPublish != nil && len(n.msgs) > 0 {
		h.onPublish(n.msgs)
	}
}

// takeWritten returns and clears the recorded keys and messages with the
// callbacks to hand them to; called under the lock.
func (s *Store) takeWritten() (applyNotes, applyHooks) {
	n := applyNotes{keys: s.written, msgs: s.published}
	s.written, s.published = nil, nil
	return n, applyHooks{onWrite: s.onWrite, onPublish: s.onPublish}
}

// ElementCount returns the number of elements of the list or sorted set at
// key, 0 when it is absent, expired (by now) or of another type.
func (s *Store) ElementCount(dbNum int, key string, now int64) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	it, ok := s.dbs[dbNum].keys.Get(&item{key: key, hash: keyHash(key)})
	if !ok || (it.expireAt != 0 && it.expireAt <= now) {
		return 0
	}
	switch v := it.val.(type) {
	case *deque:
		return v.Len()
	case *zset:
		return v.Len()
	}
	return 0
}

// NewStore returns an empty store.
func NewStore() *Store {
	s := &Store{commands: commandTable(), dedup: newDedupTable()}
	for i := range s.dbs {
		s.dbs[i] = newDB(i)
	}
	return s
}

// Lookup returns the command named name (lower case), or nil.
func (s *Store) Lookup(name string) *Command { return s.commands[name] }

// Commands returns every data command, for COMMAND and COMMAND COUNT.
func (s *Store) Commands() map[string]*Command { return s.commands }

// Applied returns the index of the last applied log entry.
func (s *Store) Applied() uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.applied
}

// Ctx is what a command runs with: the database, the clock it decides expiry
// by, and whether it may write.
type Ctx struct {
	s     *Store
	db    *db
	dbNum int
	// now is the time expiry is decided by: the log clock when applying,
	// the local clock when serving a read.
	now   int64
	write bool
	// index is the log index being applied (0 for reads).
	index uint64
	rng   *rand.Rand
}

// DB is the number of the database the command runs in.
func (c *Ctx) DB() int { return c.dbNum }

// Now is the command's clock in Unix ms.
func (c *Ctx) Now() int64 { return c.now }

func (c *Ctx) expired(it *item) bool { return it.expireAt != 0 && it.expireAt <= c.now }

// lookup returns the live item for key, or nil. When applying, an expired
// key found on the way is deleted, deterministically, by the log clock.
func (c *Ctx) lookup(key []byte) *item {
	return c.lookupIn(c.db, key)
}

func (c *Ctx) lookupIn(d *db, key []byte) *item {
	k := string(key)
	it, ok := d.keys.Get(&item{key: k, hash: keyHash(k)})
	if !ok {
		return nil
	}
	if c.expired(it) {
		if c.write {
			c.removeItem(d, it)
		}
		return nil
	}
	return it
}

// mutable returns an item for key that the caller may modify in place,
// copying it first if a running snapshot shares it. It records the
// modification for WATCH.
func (c *Ctx) mutable(it *item) *item {
	return c.mutableIn(c.db, it)
}

func (c *Ctx) mutableIn(d *db, it *item) *item {
	if c.s.snapshots > 0 && it.gen < c.s.gen {
		cp := *it
		cp.val = cloneValue(it.val)
		cp.gen = c.s.gen
		it = &cp
		d.keys.Set(it)
	}
	it.ver = c.index
	c.noteWrite(d, it.key)
	return it
}

// set stores val under key with the given deadline (0 = none), replacing
// whatever was there.
func (c *Ctx) set(key []byte, val any, expireAt int64) *item {
	return c.setIn(c.db, key, val, expireAt)
}

func (c *Ctx) setIn(d *db, key []byte, val any, expireAt int64) *item {
	k := string(key)
	it := &item{key: k, hash: keyHash(k), val: val, expireAt: expireAt, ver: c.index, gen: c.s.gen}
	if prev, ok := d.keys.Set(it); ok && prev.expireAt != 0 {
		d.volatile.Delete(volatileKey{prev.expireAt, k})
	}
	if expireAt != 0 {
		d.volatile.Set(volatileKey{expireAt, k})
	}
	c.noteWrite(d, k)
	return it
}

// setExpire changes the deadline of a live key; at 0 removes it.
func (c *Ctx) setExpire(it *item, at int64) *item {
	if it.expireAt != 0 {
		c.db.volatile.Delete(volatileKey{it.expireAt, it.key})
	}
	it = c.mutable(it)
	it.expireAt = at
	if at != 0 {
		c.db.volatile.Set(volatileKey{at, it.key})
	}
	return it
}

// del deletes key and reports whether a live key was there.
func (c *Ctx) del(key []byte) bool {
	return c.delIn(c.db, key)
}

func (c *Ctx) delIn(d *db, key []byte) bool {
	it := c.lookupIn(d, key)
	if it == nil {
		return false
	}
	c.removeItem(d, it)
	return true
}

func (c *Ctx) removeItem(d *db, it *item) {
	d.keys.Delete(it)
	if it.expireAt != 0 {
		d.volatile.Delete(volatileKey{it.expireAt, it.key})
	}
}

// deleteIfEmpty removes a container key whose last element was removed, as
// Redis never keeps empty lists, hashes, sets or sorted sets.
func (c *Ctx) deleteIfEmpty(it *item) {
	if valueLen(it.val) == 0 {
		c.removeItem(c.db, it)
	}
}

// rand returns the command's random source: seeded from the log entry when
// applying, so every replica draws the same numbers.
func (c *Ctx) rand() *rand.Rand {
	if c.rng == nil {
		c.rng = rand.New(rand.NewPCG(c.index, uint64(c.now)))
	}
	return c.rng
}

// Read runs a read-only command against the local state with the local
// clock, or the log clock when that is ahead: a node whose clock is behind
// the leader's must not bring back a key the applied log has seen expire.
func (s *Store) Read(dbNum int, args [][]byte, now int64, seed uint64) reply.Value {
	s.mu.RLock()
	defer s.mu.RUnlock()
	now = max(now, s.clock)
	cmd := s.commands[LowerName(args[0])]
	c := &Ctx{s: s, db: s.dbs[dbNum], dbNum: dbNum, now: now, rng: rand.New(rand.NewPCG(seed, uint64(now)))}
	return cmd.Run(c, args)
}

// GlobMatch matches s against a Redis glob pattern (KEYS, SCAN MATCH,
// CONFIG GET).
func GlobMatch(pattern, s []byte, nocase bool) bool { return globMatch(pattern, s, nocase) }

// KeyCount is what INFO keyspace reports for one database.
type KeyCount struct{ Keys, Expires int }

// KeyCounts returns the number of keys and of keys with a deadline per
// database.
func (s *Store) KeyCounts() [NumDBs]KeyCount {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out [NumDBs]KeyCount
	for i, d := range s.dbs {
		out[i] = KeyCount{Keys: d.keys.Len(), Expires: d.volatile.Len()}
	}
	return out
}
