package fsm

import (
	"fmt"
	"io"

	"github.com/hashicorp/raft"
)

var _ raft.BatchingFSM = (*FSM)(nil)

// FSM adapts the Store to hashicorp/raft.
type FSM struct {
	store *Store
}

// NewFSM returns the Raft state machine over store.
func NewFSM(store *Store) *FSM { return &FSM{store: store} }

// Apply applies a committed log entry; its return value is the command's
// reply, handed to the proposer through the ApplyFuture.
func (f *FSM) Apply(l *raft.Log) any {
	return f.store.Apply(l.Index, l.Data)
}

// ApplyBatch applies the command entries of a batch of committed logs
// under one lock; hashicorp/raft hands batches to a BatchingFSM.
func (f *FSM) ApplyBatch(logs []*raft.Log) []any {
	out := make([]any, len(logs))
	var idx []uint64
	var data [][]byte
	var pos []int
	for i, l := range logs {
		if l.Type == raft.LogCommand {
			idx, data, pos = append(idx, l.Index), append(data, l.Data), append(pos, i)
		}
	}
	for j, r := range f.store.ApplyBatch(idx, data) {
		out[pos[j]] = r
	}
	return out
}

// Snapshot freezes the state cheaply (copy-on-write); Persist streams it.
func (f *FSM) Snapshot() (raft.FSMSnapshot, error) {
	return &fsmSnapshot{f.store.freeze()}, nil
}

// Restore replaces the state with a snapshot.
func (f *FSM) Restore(rc io.ReadCloser) error {
	defer rc.Close()
	return f.store.ReadSnapshot(rc)
}

type fsmSnapshot struct{ f *frozen }

func (s *fsmSnapshot) Persist(sink raft.SnapshotSink) error {
	if err := s.f.writeTo(sink); err != nil {
		sink.Cancel()
		return fmt.Errorf("persist snapshot: %w", err)
	}
	return sink.Close()
}

func (s *fsmSnapshot) Release() { s.f.release() }
