package fsm

import (
	"fmt"

	"github.com/redraft/redraft/reply"
)

// ApplyEntry applies one decoded entry at log index index and returns its
// reply. It depends only on the entry, the index and the current state, so
// every replica computes the same state and the same reply.
func (s *Store) ApplyEntry(index uint64, e *Entry) reply.Value {
	s.mu.Lock()
	r := s.applyLocked(index, e)
	keys, fn := s.takeWritten()
	s.mu.Unlock()
	s.flushWritten(keys, fn)
	return r
}

func (s *Store) applyLocked(index uint64, e *Entry) reply.Value {
	s.applied = index
	if e.Time > s.clock {
		s.clock = e.Time
	}
	s.dedup.sweep(s.clock)
	if e.Seq != 0 {
		return s.applyOnce(index, e)
	}
	return s.applyType(index, e)
}

// applyType applies an entry according to its type, with no regard to its
// identity.
func (s *Store) applyType(index uint64, e *Entry) reply.Value {
	switch e.Type {
	case EntryCommand:
		if len(e.Cmds) != 1 {
			return reply.Err("ERR malformed command entry")
		}
		return s.run(index, e.Cmds[0])
	case EntryExec:
		if s.watchFailed(e.Watches) {
			return reply.NullArray()
		}
		replies := make([]reply.Value, len(e.Cmds))
		for i, c := range e.Cmds {
			replies[i] = s.run(index, c)
		}
		return reply.Array(replies)
	case EntryExpire:
		var n int64
		for _, c := range e.Cmds {
			ctx := s.ctx(index, c.DB)
			for _, k := range c.Args {
				if ctx.expireIfDue(k) {
					n++
				}
			}
		}
		return reply.Int(n)
	case EntryClusterID:
		return s.applyClusterID(e)
	}
	return reply.Err("ERR unknown entry type")
}

// Apply decodes and applies an encoded entry; an undecodable entry is
// answered with an error on every replica alike and changes nothing.
func (s *Store) Apply(index uint64, data []byte) reply.Value {
	s.mu.Lock()
	r := s.applyEncoded(index, data)
	keys, fn := s.takeWritten()
	s.mu.Unlock()
	s.flushWritten(keys, fn)
	return r
}

// ApplyBatch applies consecutive encoded entries under one lock acquisition.
func (s *Store) ApplyBatch(indexes []uint64, data [][]byte) []reply.Value {
	out := make([]reply.Value, len(data))
	s.mu.Lock()
	for i := range data {
		out[i] = s.applyEncoded(indexes[i], data[i])
	}
	keys, fn := s.takeWritten()
	s.mu.Unlock()
	s.flushWritten(keys, fn)
	return out
}

func (s *Store) applyEncoded(index uint64, data []byte) reply.Value {
	e, err := DecodeEntry(data)
	if err != nil {
		s.applied = index
		return reply.Err("ERR " + err.Error())
	}
	return s.applyLocked(index, e)
}

func (s *Store) ctx(index uint64, dbNum int) *Ctx {
	return &Ctx{s: s, db: s.dbs[dbNum], dbNum: dbNum, now: s.clock, write: true, index: index}
}

// run applies one command. A panic in a command is a bug, but crashing here
// would crash again on every restart while replaying the same committed
// entry, so it becomes an error reply instead; every replica panics at the
// same point and stays identical.
func (s *Store) run(index uint64, c Cmd) (r reply.Value) {
	defer func() {
		if p := recover(); p != nil {
			r = reply.Err(fmt.Sprintf("ERR internal error applying '%s': %v", LowerName(c.Args[0]), p))
		}
	}()
	if len(c.Args) == 0 {
		return reply.Err("ERR empty command")
	}
	cmd := s.commands[LowerName(c.Args[0])]
	if cmd == nil {
		return reply.Err("ERR unknown command '" + string(c.Args[0]) + "'")
	}
	if !cmd.ArityOK(len(c.Args)) {
		return wrongArity(cmd.Name)
	}
	return cmd.Run(s.ctx(index, c.DB), c.Args)
}

// watchFailed tells whether a watched key changed after WATCH: its version
// (the index that last wrote it, 0 when absent) differs from the one seen
// then, or its database was flushed since.
func (s *Store) watchFailed(ws []Watch) bool {
	for _, w := range ws {
		d := s.dbs[w.DB]
		if d.flushVer > w.Since {
			return true
		}
		var ver uint64
		k := string(w.Key)
		if it, ok := d.keys.Get(&item{key: k, hash: keyHash(k)}); ok && (it.expireAt == 0 || it.expireAt > s.clock) {
			ver = it.ver
		}
		if ver != w.Ver {
			return true
		}
	}
	return false
}

// WatchVersion returns what WATCH records for key: the version of the key
// (0 when absent) and the applied index it was read at.
func (s *Store) WatchVersion(dbNum int, key []byte, now int64) (ver, since uint64) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	now = max(now, s.clock) // as Read decides expiry
	k := string(key)
	if it, ok := s.dbs[dbNum].keys.Get(&item{key: k, hash: keyHash(k)}); ok && (it.expireAt == 0 || it.expireAt > now) {
		ver = it.ver
	}
	return ver, s.applied
}
