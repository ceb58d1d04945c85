package jepsen

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Bounds of Verify: each key is tried at most verifyAttempts times (cycling
// through the addresses), each attempt within verifyTimeout, pausing
// verifyBackoff after each round of addresses, because right after faults
// heal a cluster may still be electing a leader.
const (
	verifyAttempts = 40
	verifyTimeout  = 2 * time.Second
	verifyBackoff  = 250 * time.Millisecond
)

// Verify reads the final state of every key the history touched, through
// the first node in addrs that answers, and appends the reads to the
// history as Final operations: GET for registers and counters, LRANGE for
// lists. Call it after the faults have healed and Run has returned. The
// reads go through the linearizability check like any other operation, and
// the final-state checks compare them with the acknowledged writes. Keys
// that could not be read are named in the error; their final-state checks
// report Unknown.
func (h *History) Verify(ctx context.Context, addrs []string) error {
	if len(addrs) == 0 {
		return errors.New("jepsen: Verify needs at least one address")
	}
	ops := h.Ops()
	process := nextProcess(ops)
	var errs []error
	next := 0 // start each key at the address that answered last
	for _, kt := range keysOf(ops) {
		var err error
		if next, err = h.verifyKey(ctx, addrs, next, kt, process); err != nil {
			errs = append(errs, fmt.Errorf("%s %s: %w", kt.Type, kt.Key, err))
		}
	}
	return errors.Join(errs...)
}

// nextProcess is a process id no operation of ops uses, so the final reads
// get a lane of their own in a visualization.
func nextProcess(ops []Op) int {
	p := 0
	for _, op := range ops {
		p = max(p, op.Process+1)
	}
	return p
}

// verifyKey reads one key, trying addrs in turn from index first and
// retrying on any error (a read has no effect, so retrying is safe), and
// records the first successful read. It returns the index of the address
// that answered (or first).
func (h *History) verifyKey(ctx context.Context, addrs []string, first int, kt keyType, process int) (int, error) {
	op := Op{Client: -1, Process: process, Kind: finalKind(kt.Type), Key: kt.Key, Final: true}
	var last error
	for attempt := range verifyAttempts {
		if err := ctx.Err(); err != nil {
			return first, errors.Join(err, last)
		}
		i := (first + attempt) % len(addrs)
		op.Addr = addrs[i]
		read, err := h.readOnce(ctx, op)
		if err == nil {
			h.Add(read)
			return i, nil
		}
		last = err
		if (attempt+1)%len(addrs) == 0 {
			sleepCtx(ctx, verifyBackoff) // every address failed: wait
		}
	}
	return first, fmt.Errorf("no successful read in %d attempts: %w", verifyAttempts, last)
}

// readOnce performs one final read on a fresh connection.
func (h *History) readOnce(ctx context.Context, op Op) (Op, error) {
	op.Call = h.Now()
	deadline := time.Now().Add(verifyTimeout)
	cn, err := dial(ctx, op.Addr, deadline)
	if err != nil {
		return op, err
	}
	defer cn.close()
	stop := context.AfterFunc(ctx, cn.interrupt)
	defer stop()
	v, err := cn.do(deadline, command(op)...)
	op.Return = h.Now()
	if err == nil {
		v, err = shapeReply(op.Kind, v)
	}
	op.Output = v
	return op, err
}

// finalKind is the read that returns a whole key of type t.
func finalKind(t DataType) Kind {
	switch t {
	case Counter:
		return CounterGet
	case List:
		return LRange
	}
	return Get
}

// sleepCtx sleeps for d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
