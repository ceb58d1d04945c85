package cluster

import (
	"time"

	"github.com/hashicorp/raft"
)

// Observer receives the latencies of a node's write path, for metrics. Its
// methods run on that path and must return quickly.
type Observer interface {
	// ObserveWrite is called with the time from proposing a write on this
	// node until its reply arrived: committed and applied by the leader,
	// forwarding and retries included when this node follows. Writes that
	// fail (no leader within the write timeout) are not observed.
	ObserveWrite(time.Duration)
	// ObserveLogStore is called with the time Raft took to append a batch
	// of entries to the log durably (the bolt transaction and its fsync),
	// on the leader and on followers.
	ObserveLogStore(time.Duration)
}

type nopObserver struct{}

func (nopObserver) ObserveWrite(time.Duration)    {}
func (nopObserver) ObserveLogStore(time.Duration) {}

// timedLogStore measures the durable appends to the Raft log.
type timedLogStore struct {
	raft.LogStore
	obs Observer
}

func (s timedLogStore) StoreLog(l *raft.Log) error { return s.StoreLogs([]*raft.Log{l}) }

func (s timedLogStore) StoreLogs(logs []*raft.Log) error {
	start := time.Now()
	if err := s.LogStore.StoreLogs(logs); err != nil {
		return err
	}
	s.obs.ObserveLogStore(time.Since(start))
	return nil
}
