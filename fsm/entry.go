package fsm

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// entryVersion is the first byte of every encoded log entry. Decoders refuse
// versions they do not know, so a node never applies an entry it could
// misread; a format change bumps it. Version 2 added the request identity;
// version 1 entries (logs written before) still decode, without one.
const (
	entryVersion   = 2
	entryVersionV1 = 1
)

// EntryType says how the FSM applies an entry.
type EntryType uint8

const (
	// EntryCommand is one client command.
	EntryCommand EntryType = 1
	// EntryExec is a MULTI/EXEC block: all commands apply atomically and
	// the reply is their array, or a null array when a watched key changed.
	EntryExec EntryType = 2
	// EntryExpire deletes keys that the leader found expired. Each Cmd holds
	// one database's keys in Args; a key is deleted only if it is expired by
	// the log clock when the entry applies.
	EntryExpire EntryType = 3
	// EntryClusterID names the cluster: Cmds[0].Args[0] is an ID that the
	// store keeps if it has none yet. The reply is the store's ID, which is
	// the first one ever applied.
	EntryClusterID EntryType = 4
)

// Limits on decoded sizes so that a corrupt or hostile entry cannot make the
// decoder allocate without bound.
const (
	maxEntryCmds = 1 << 20
	maxEntryArgs = 1 << 24
	// maxOriginLen bounds Entry.Origin, a node ID.
	maxOriginLen = 255
)

// Cmd is a command and the logical database it runs in.
type Cmd struct {
	DB   int
	Args [][]byte
}

// Watch is a key watched by WATCH: the EXEC that carries it aborts if the
// key's version is no longer Ver or its database was flushed after index
// Since, the index the watching node had applied when it read Ver.
type Watch struct {
	DB    int
	Key   []byte
	Ver   uint64
	Since uint64
}

// Entry is the unit the leader appends to the Raft log.
type Entry struct {
	Type EntryType
	// Time is the leader's wall clock in Unix milliseconds when it proposed
	// the entry. The FSM's clock only moves forward to it.
	Time int64
	// Origin, Session and Seq identify the request, so that a write
	// retried after its outcome became unknown (a leader change) applies
	// at most once and the retry gets the original reply (Raft
	// dissertation §6.3); see dedup.go. Origin is the ID of the node that
	// created the request (at most 255 bytes: a longer one makes the
	// entry undecodable), Session is chosen by that node when it starts,
	// and Seq increases within a session. Seq 0 means no identity
	// (expiry batches, internal entries): the entry is applied every time.
	Origin  string
	Session uint64
	Seq     uint64
	Cmds    []Cmd
	Watches []Watch
}

// timeOffset is where Time sits in an encoded entry: a fixed-width field so
// the leader can stamp a forwarded entry without re-encoding it.
const timeOffset = 2

// Encode appends the binary form of e to b, always in the current version:
//
//	version:1(=2) type:1 time:8(BE) origin:(len:uvarint bytes) session:uvarint seq:uvarint
//	ncmds:uvarint { db:uvarint nargs:uvarint { len:uvarint bytes } }
//	nwatches:uvarint { db:uvarint key:(len bytes) ver:uvarint since:uvarint }
//
// Version 1 is the same without origin, session and seq.
func (e *Entry) Encode(b []byte) []byte {
	b = append(b, entryVersion, byte(e.Type))
	b = binary.BigEndian.AppendUint64(b, uint64(e.Time))
	b = binary.AppendUvarint(b, uint64(len(e.Origin)))
	b = append(b, e.Origin...)
	b = binary.AppendUvarint(b, e.Session)
	b = binary.AppendUvarint(b, e.Seq)
	b = binary.AppendUvarint(b, uint64(len(e.Cmds)))
	for _, c := range e.Cmds {
		b = binary.AppendUvarint(b, uint64(c.DB))
		b = binary.AppendUvarint(b, uint64(len(c.Args)))
		for _, a := range c.Args {
			b = binary.AppendUvarint(b, uint64(len(a)))
			b = append(b, a...)
		}
	}
	b = binary.AppendUvarint(b, uint64(len(e.Watches)))
	for _, w := range e.Watches {
		b = binary.AppendUvarint(b, uint64(w.DB))
		b = binary.AppendUvarint(b, uint64(len(w.Key)))
		b = append(b, w.Key...)
		b = binary.AppendUvarint(b, w.Ver)
		b = binary.AppendUvarint(b, w.Since)
	}
	return b
}

// StampTime overwrites the time of an encoded entry in place.
func StampTime(encoded []byte, ms int64) error {
	if len(encoded) < timeOffset+8 {
		return errShortEntry
	}
	binary.BigEndian.PutUint64(encoded[timeOffset:], uint64(ms))
	return nil
}

var (
	errShortEntry = errors.New("fsm: truncated entry")
	errBadEntry   = errors.New("fsm: malformed entry")
)

// DecodeEntry parses an encoded entry of any known version. Argument
// slices alias data.
func DecodeEntry(data []byte) (*Entry, error) {
	if len(data) < timeOffset+8 {
		return nil, errShortEntry
	}
	version := data[0]
	if version != entryVersion && version != entryVersionV1 {
		return nil, fmt.Errorf("fsm: unknown entry version %d", version)
	}
	e := &Entry{Type: EntryType(data[1]), Time: int64(binary.BigEndian.Uint64(data[timeOffset:]))}
	if e.Type < EntryCommand || e.Type > EntryClusterID {
		return nil, fmt.Errorf("fsm: unknown entry type %d", data[1])
	}
	d := decoder{b: data[timeOffset+8:]}
	if version >= 2 {
		d.identity(e)
	}
	ncmds := d.count(maxEntryCmds)
	e.Cmds = make([]Cmd, 0, min(ncmds, 64))
	for i := 0; i < ncmds && d.err == nil; i++ {
		db := d.dbIndex()
		nargs := d.count(maxEntryArgs)
		args := make([][]byte, 0, min(nargs, 64))
		for j := 0; j < nargs && d.err == nil; j++ {
			args = append(args, d.bytes())
		}
		e.Cmds = append(e.Cmds, Cmd{DB: db, Args: args})
	}
	nw := d.count(maxEntryArgs)
	for i := 0; i < nw && d.err == nil; i++ {
		w := Watch{DB: d.dbIndex(), Key: d.bytes(), Ver: d.uvarint(), Since: d.uvarint()}
		e.Watches = append(e.Watches, w)
	}
	if d.err == nil && len(d.b) != 0 {
		d.err = errBadEntry
	}
	if d.err != nil {
		return nil, d.err
	}
	return e, nil
}

// decoder reads the varint-framed fields shared by entries and snapshots and
// remembers the first error, so callers check once at the end.
type decoder struct {
	b   []byte
	err error
}

// identity reads the request identity of a version 2 entry.
func (d *decoder) identity(e *Entry) {
	origin := d.bytes()
	if len(origin) > maxOriginLen && d.err == nil {
		d.err = fmt.Errorf("%w: origin longer than %d bytes", errBadEntry, maxOriginLen)
	}
	e.Origin = string(origin)
	e.Session = d.uvarint()
	e.Seq = d.uvarint()
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errBadEntry
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) count(limit int) int {
	v := d.uvarint()
	if v > uint64(limit) || v > uint64(len(d.b)) {
		if d.err == nil {
			d.err = errBadEntry
		}
		return 0
	}
	return int(v)
}

func (d *decoder) dbIndex() int {
	v := d.uvarint()
	if v >= NumDBs {
		if d.err == nil {
			d.err = errBadEntry
		}
		return 0
	}
	return int(v)
}

func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.err = errBadEntry
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}
