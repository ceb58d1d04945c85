package fsm

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"

	"github.com/tidwall/btree"
)

// Snapshot format, written as a stream:
//
//	magic "RDRFTSNP" version:1 clock:uvarint applied:uvarint
//	{ 0xDB db:uvarint flushVer:uvarint nkeys:uvarint { item } }
//	[ 0x5C nscripts:uvarint { body } ]   (Lua script cache, by sha1 order)
//	0xDD cluster ID and de-duplication table (version 2; see dedupSection)
//	0xFF crc32c:4 (of every byte before it)
//	item = type:1 key expireAt:uvarint ver:uvarint value
//
// Keys are written in the keyspace's deterministic order and container
// elements in their own deterministic order, so two replicas with the same
// state write the same bytes. Version 1 (before the 0xDD section) still
// reads, with no cluster ID and an empty table.
const (
	snapshotMagic     = "RDRFTSNP"
	snapshotVersion   = 2
	snapshotVersionV1 = 1
	markDB            = 0xDB
	markScripts       = 0x5C
	markDedup         = 0xDD
	markEnd           = 0xFF
	// maxSnapshotString bounds one string read from a snapshot so that a
	// corrupt length cannot allocate without limit.
	maxSnapshotString = 1 << 30
)

const (
	typeString byte = 1 + iota
	typeList
	typeHash
	typeSet
	typeZSet
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// frozen is a point-in-time view of the store for a snapshot. The key trees
// are copy-on-write copies and the items in them are never mutated while the
// snapshot is open (see Ctx.mutable), so it is written without any lock.
type frozen struct {
	s       *Store
	clock   int64
	applied uint64
	dbs     [NumDBs]*btree.BTreeG[*item]
	flush   [NumDBs]uint64
	// scripts are the cached Lua script bodies by sha1 (bodies are never
	// modified, so sharing them is safe).
	scripts   map[string][]byte
	clusterID string
	dedup     frozenDedup
}

// freeze starts a snapshot; the caller must call release when done.
func (s *Store) freeze() *frozen {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gen++
	s.snapshots++
	f := &frozen{s: s, clock: s.clock, applied: s.applied, scripts: s.scriptBodies(),
		clusterID: s.clusterID, dedup: s.dedup.freeze()}
	for i, d := range s.dbs {
		f.dbs[i] = d.keys.Copy()
		f.flush[i] = d.flushVer
	}
	return f
}

func (f *frozen) release() {
	f.s.mu.Lock()
	f.s.snapshots--
	f.s.mu.Unlock()
}

// WriteSnapshot streams the current state to w (used by tests and tools;
// the Raft snapshot path uses the same encoder).
func (s *Store) WriteSnapshot(w io.Writer) error {
	f := s.freeze()
	defer f.release()
	return f.writeTo(w)
}

func (f *frozen) writeTo(w io.Writer) error {
	crc := crc32.New(crcTable)
	bw := bufio.NewWriterSize(io.MultiWriter(w, crc), 256<<10)
	e := encoder{w: bw}
	e.raw([]byte(snapshotMagic))
	e.byte(snapshotVersion)
	e.uvarint(uint64(f.clock))
	e.uvarint(f.applied)
	for i, t := range f.dbs {
		if t.Len() == 0 && f.flush[i] == 0 {
			continue
		}
		e.byte(markDB)
		e.uvarint(uint64(i))
		e.uvarint(f.flush[i])
		e.uvarint(uint64(t.Len()))
		t.Scan(func(it *item) bool {
			e.item(it)
			return e.err == nil
		})
	}
	if len(f.scripts) > 0 {
		e.byte(markScripts)
		e.uvarint(uint64(len(f.scripts)))
		for _, sha := range sortedShas(f.scripts) {
			e.bytes(f.scripts[sha])
		}
	}
	e.dedupSection(f.clusterID, f.dedup)
	e.byte(markEnd)
	if e.err != nil {
		return e.err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	var sum [4]byte
	binary.BigEndian.PutUint32(sum[:], crc.Sum32())
	if _, err := w.Write(sum[:]); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	return nil
}

type encoder struct {
	w   *bufio.Writer
	buf [binary.MaxVarintLen64]byte
	err error
}

func (e *encoder) raw(b []byte) {
	if e.err == nil {
		_, e.err = e.w.Write(b)
	}
}

func (e *encoder) byte(b byte) {
	if e.err == nil {
		e.err = e.w.WriteByte(b)
	}
}

func (e *encoder) uvarint(v uint64) { e.raw(binary.AppendUvarint(e.buf[:0], v)) }

func (e *encoder) bytes(b []byte) {
	e.uvarint(uint64(len(b)))
	e.raw(b)
}

func (e *encoder) str(s string) {
	e.uvarint(uint64(len(s)))
	if e.err == nil {
		_, e.err = e.w.WriteString(s)
	}
}

func (e *encoder) float(f float64) {
	e.raw(binary.BigEndian.AppendUint64(e.buf[:0], math.Float64bits(f)))
}

func (e *encoder) item(it *item) {
	switch v := it.val.(type) {
	case []byte:
		e.byte(typeString)
	case *deque:
		e.byte(typeList)
	case *hashValue:
		e.byte(typeHash)
	case *setValue:
		e.byte(typeSet)
	case *zset:
		e.byte(typeZSet)
	default:
		e.err = fmt.Errorf("snapshot: unknown value type %T", v)
		return
	}
	e.str(it.key)
	e.uvarint(uint64(it.expireAt))
	e.uvarint(it.ver)
	switch v := it.val.(type) {
	case []byte:
		e.bytes(v)
	case *deque:
		e.uvarint(uint64(v.Len()))
		v.Range(0, v.Len()-1, func(_ int, b []byte) bool {
			e.bytes(b)
			return e.err == nil
		})
	case *hashValue:
		e.uvarint(uint64(v.Len()))
		for i, k := range v.keys {
			e.str(k)
			e.bytes(v.vals[i])
		}
	case *setValue:
		e.uvarint(uint64(v.Len()))
		for _, k := range v.keys {
			e.str(k)
		}
	case *zset:
		e.uvarint(uint64(v.Len()))
		v.Each(func(m string, score float64) bool {
			e.str(m)
			e.float(score)
			return e.err == nil
		})
	}
}

var errBadSnapshot = errors.New("fsm: malformed snapshot")

// ReadSnapshot replaces the state with the snapshot read from r. The new
// state is built aside and swapped in only when the whole stream (and its
// checksum) has been read, so a bad snapshot leaves the state untouched.
func (s *Store) ReadSnapshot(r io.Reader) error {
	crc := crc32.New(crcTable)
	d := snapDecoder{r: bufio.NewReaderSize(r, 256<<10), crc: crc}
	var dbs [NumDBs]*db
	for i := range dbs {
		dbs[i] = newDB(i)
	}
	magic := d.raw(len(snapshotMagic))
	if d.err == nil && string(magic) != snapshotMagic {
		return fmt.Errorf("%w: bad magic", errBadSnapshot)
	}
	version := d.byte()
	if d.err == nil && version != snapshotVersion && version != snapshotVersionV1 {
		return fmt.Errorf("%w: unknown version %d", errBadSnapshot, version)
	}
	clock := int64(d.uvarint())
	applied := d.uvarint()
	var scripts map[string]*luaScript
	var clusterID string
	dedup := newDedupTable()
	seenDedup := false
	for d.err == nil {
		mark := d.byte()
		if mark == markEnd || d.err != nil {
			break
		}
		if mark == markDedup && version >= 2 && !seenDedup {
			seenDedup = true
			clusterID, dedup = d.dedupSection()
			continue
		}
		if mark == markScripts && scripts == nil {
			n, hint := d.count()
			scripts = make(map[string]*luaScript, hint)
			for j := uint64(0); j < n && d.err == nil; j++ {
				body := d.bytes()
				sha := sha1hex(body)
				if _, dup := scripts[sha]; dup {
					d.fail()
				}
				scripts[sha] = &luaScript{body: body}
			}
			continue
		}
		if mark != markDB {
			d.fail()
			break
		}
		n := d.uvarint()
		if n >= NumDBs {
			d.fail()
			break
		}
		target := dbs[n]
		target.flushVer = d.uvarint()
		count := d.uvarint()
		for j := uint64(0); j < count && d.err == nil; j++ {
			it := d.item()
			if d.err != nil {
				break
			}
			it.hash = keyHash(it.key)
			if _, dup := target.keys.Set(it); dup {
				d.fail()
			}
			if it.expireAt != 0 {
				target.volatile.Set(volatileKey{it.expireAt, it.key})
			}
		}
	}
	if d.err != nil {
		return d.err
	}
	want := crc.Sum32()
	var sum [4]byte
	if _, err := io.ReadFull(d.r, sum[:]); err != nil {
		return fmt.Errorf("%w: missing checksum: %w", errBadSnapshot, err)
	}
	if binary.BigEndian.Uint32(sum[:]) != want {
		return fmt.Errorf("%w: checksum mismatch", errBadSnapshot)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dbs = dbs
	s.scripts.scripts = scripts
	s.clusterID = clusterID
	dedup.dedupLimits = s.dedup.dedupLimits
	s.dedup = dedup
	s.clock = clock
	s.applied = applied
	s.gen++
	return nil
}

type snapDecoder struct {
	r   *bufio.Reader
	crc hash.Hash32
	err error
}

func (d *snapDecoder) fail() {
	if d.err == nil {
		d.err = errBadSnapshot
	}
}

func (d *snapDecoder) byte() byte {
	if d.err != nil {
		return 0
	}
	b, err := d.r.ReadByte()
	if err != nil {
		d.err = fmt.Errorf("%w: %w", errBadSnapshot, err)
		return 0
	}
	d.crc.Write([]byte{b})
	return b
}

func (d *snapDecoder) uvarint() uint64 {
	var x uint64
	var s uint
	for i := 0; i < binary.MaxVarintLen64; i++ {
		b := d.byte()
		if d.err != nil {
			return 0
		}
		if b < 0x80 {
			if i == binary.MaxVarintLen64-1 && b > 1 {
				d.fail()
				return 0
			}
			return x | uint64(b)<<s
		}
		x |= uint64(b&0x7f) << s
		s += 7
	}
	d.fail()
	return 0
}

func (d *snapDecoder) raw(n int) []byte {
	if d.err != nil {
		return nil
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(d.r, b); err != nil {
		d.err = fmt.Errorf("%w: %w", errBadSnapshot, err)
		return nil
	}
	d.crc.Write(b)
	return b
}

func (d *snapDecoder) bytes() []byte {
	n := d.uvarint()
	if n > maxSnapshotString {
		d.fail()
		return nil
	}
	return d.raw(int(n))
}

// count reads an element count; elements take at least one byte each, but
// the stream length is unknown, so it only bounds the preallocation.
func (d *snapDecoder) count() (n uint64, capHint int) {
	n = d.uvarint()
	return n, int(min(n, 1024))
}

func (d *snapDecoder) float() float64 {
	b := d.raw(8)
	if d.err != nil {
		return 0
	}
	f := math.Float64frombits(binary.BigEndian.Uint64(b))
	if math.IsNaN(f) {
		d.fail()
	}
	return f
}

func (d *snapDecoder) item() *item {
	typ := d.byte()
	it := &item{key: string(d.bytes())}
	it.expireAt = int64(d.uvarint())
	it.ver = d.uvarint()
	if d.err != nil {
		return nil
	}
	switch typ {
	case typeString:
		it.val = d.bytes()
	case typeList:
		n, _ := d.count()
		l := newDeque()
		for i := uint64(0); i < n && d.err == nil; i++ {
			l.PushBack(d.bytes())
		}
		it.val = l
	case typeHash:
		n, hint := d.count()
		h := newHash(hint)
		for i := uint64(0); i < n && d.err == nil; i++ {
			k := string(d.bytes())
			if !h.put(k, d.bytes()) {
				d.fail()
			}
		}
		it.val = h
	case typeSet:
		n, hint := d.count()
		st := newSet(hint)
		for i := uint64(0); i < n && d.err == nil; i++ {
			if !st.put(string(d.bytes()), nil) {
				d.fail()
			}
		}
		it.val = st
	case typeZSet:
		n, _ := d.count()
		z := newZSet()
		for i := uint64(0); i < n && d.err == nil; i++ {
			m := string(d.bytes())
			score := d.float()
			if _, dup := z.Score(m); dup {
				d.fail()
			}
			z.Add(m, score)
		}
		it.val = z
	default:
		d.fail()
	}
	if d.err == nil && valueLen(it.val) == 0 && typ != typeString {
		d.fail()
	}
	return it
}
