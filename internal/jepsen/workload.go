package jepsen

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Config describes a workload run.
type Config struct {
	// Addrs are the RESP addresses of the nodes; client i starts on
	// Addrs[i%len(Addrs)].
	Addrs []string
	// Clients is the number of concurrent clients (default 4).
	Clients int
	// Ops bounds the total number of operations over all clients
	// (default 1000); Duration bounds the time (default 10s). The run stops
	// at whichever comes first.
	Ops      int
	Duration time.Duration
	// Keys is the number of register keys (default 3). CounterKeys and
	// ListKeys default to Keys. Few keys mean more contention per key,
	// which is what finds anomalies.
	Keys        int
	CounterKeys int
	ListKeys    int
	// OpTimeout bounds each operation, connecting included (default 1s).
	// An operation that times out after its command was sent is Unknown.
	OpTimeout time.Duration
	// Seed makes the operation mix reproducible.
	Seed uint64
	// Prefix is prepended to every key so that runs against the same
	// cluster do not see each other's data; a fresh one is generated when
	// empty. Keys must not exist before the run.
	Prefix string
	// SwitchAddrOnError moves a client to the next address after a
	// connection error or timeout, as a real client would fail over.
	SwitchAddrOnError bool
	// ErrorBackoff is how long a client pauses after a connection error
	// (default 50ms), so a dead node does not burn the Ops budget.
	ErrorBackoff time.Duration
	// Interval is the mean pause (uniformly jittered in [0, 2*Interval))
	// a client takes between operations, so a run spreads over the time
	// faults are injected instead of finishing in milliseconds; 0 means
	// no pause.
	Interval time.Duration
	// History is where operations are recorded; a new one if nil. Create
	// it with NewHistory beforehand to Note faults while Run is running.
	History *History
}

// withDefaults fills in zero fields.
func (c Config) withDefaults() Config {
	c.Clients = positiveOr(c.Clients, 4)
	c.Ops = positiveOr(c.Ops, 1000)
	c.Keys = positiveOr(c.Keys, 3)
	c.CounterKeys = positiveOr(c.CounterKeys, c.Keys)
	c.ListKeys = positiveOr(c.ListKeys, c.Keys)
	if c.Duration <= 0 {
		c.Duration = 10 * time.Second
	}
	if c.OpTimeout <= 0 {
		c.OpTimeout = time.Second
	}
	if c.ErrorBackoff <= 0 {
		c.ErrorBackoff = 50 * time.Millisecond
	}
	if c.Prefix == "" {
		c.Prefix = fmt.Sprintf("jepsen:%d:%d:", c.Seed, time.Now().UnixNano())
	}
	return c
}

func positiveOr(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

// RegisterKey names register key i of a run with the given prefix, so tests
// can inspect or tamper with the workload's keys.
func RegisterKey(prefix string, i int) string { return prefix + "r" + strconv.Itoa(i) }

// CounterKey names counter key i.
func CounterKey(prefix string, i int) string { return prefix + "c" + strconv.Itoa(i) }

// ListKey names list key i.
func ListKey(prefix string, i int) string { return prefix + "l" + strconv.Itoa(i) }

// Run drives the workload until cfg.Ops operations were issued,
// cfg.Duration passed or ctx ended, and returns the history. Operations in
// flight when ctx ends are interrupted and recorded as Unknown; those in
// flight when Duration ends are allowed to finish (within OpTimeout) so the
// end of a run does not manufacture unknown outcomes.
func Run(ctx context.Context, cfg Config) *History {
	cfg = cfg.withDefaults()
	h := cfg.History
	if h == nil {
		h = NewHistory()
	}
	h.Note(fmt.Sprintf("run: %d clients, %d ops, %s, %d/%d/%d register/counter/list keys, prefix %q, seed %d, addrs %v",
		cfg.Clients, cfg.Ops, cfg.Duration, cfg.Keys, cfg.CounterKeys, cfg.ListKeys, cfg.Prefix, cfg.Seed, cfg.Addrs))
	if len(cfg.Addrs) == 0 {
		h.Note("run: no addresses, nothing done")
		return h
	}
	runCtx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	var budget atomic.Int64
	budget.Store(int64(cfg.Ops))
	var wg sync.WaitGroup
	for i := range cfg.Clients {
		c := newClient(i, &cfg, h)
		wg.Go(func() { c.run(ctx, runCtx, &budget) })
	}
	wg.Wait()
	h.Note("run: done")
	return h
}

// client is one workload goroutine with its own connection.
type client struct {
	id      int
	process int
	cfg     *Config
	h       *History
	rng     *rand.Rand
	addrIdx int
	conn    *conn
	seq     int
}

func newClient(id int, cfg *Config, h *History) *client {
	return &client{
		id:      id,
		process: id,
		cfg:     cfg,
		h:       h,
		rng:     rand.New(rand.NewPCG(cfg.Seed, uint64(id))),
		addrIdx: id % len(cfg.Addrs),
	}
}

// run issues operations until the budget, runCtx or ctx is exhausted. The
// loop is bounded by cfg.Ops iterations as well as by the shared budget.
func (c *client) run(ctx, runCtx context.Context, budget *atomic.Int64) {
	defer c.closeConn()
	for range c.cfg.Ops {
		if runCtx.Err() != nil || budget.Add(-1) < 0 {
			return
		}
		op, err := c.exec(ctx, c.next())
		c.h.Add(op)
		if op.Outcome == Unknown {
			// Jepsen convention: a process with an operation of unknown
			// outcome is never reused, since that operation may still be
			// pending; this keeps the visualization's lanes sequential.
			c.process += c.cfg.Clients
		}
		if connectionBroken(err) {
			c.onConnError(runCtx)
		}
		if c.cfg.Interval > 0 {
			sleepCtx(runCtx, time.Duration(c.rng.Int64N(int64(2*c.cfg.Interval))))
		}
	}
}

// next draws the next operation. Values and elements are unique per write
// (client id and sequence number), which is what makes histories checkable.
func (c *client) next() Op {
	c.seq++
	op := Op{Client: c.id, Process: c.process}
	switch r := c.rng.IntN(100); {
	case r < 20:
		op.Kind, op.Key = Get, RegisterKey(c.cfg.Prefix, c.rng.IntN(c.cfg.Keys))
	case r < 40:
		op.Kind, op.Key = Set, RegisterKey(c.cfg.Prefix, c.rng.IntN(c.cfg.Keys))
		op.Input = fmt.Sprintf("v%d-%d", c.id, c.seq)
	case r < 60:
		op.Kind, op.Key = Incr, CounterKey(c.cfg.Prefix, c.rng.IntN(c.cfg.CounterKeys))
	case r < 65:
		op.Kind, op.Key = CounterGet, CounterKey(c.cfg.Prefix, c.rng.IntN(c.cfg.CounterKeys))
	case r < 85:
		op.Kind, op.Key = RPush, ListKey(c.cfg.Prefix, c.rng.IntN(c.cfg.ListKeys))
		op.Input = fmt.Sprintf("e%d-%d", c.id, c.seq)
	default:
		op.Kind, op.Key = LPop, ListKey(c.cfg.Prefix, c.rng.IntN(c.cfg.ListKeys))
	}
	return op
}

// exec performs op, connecting first if needed, and fills in its outcome.
// The returned error is the raw one, for connection handling.
func (c *client) exec(ctx context.Context, op Op) (Op, error) {
	op.Addr = c.cfg.Addrs[c.addrIdx]
	op.Call = c.h.Now()
	deadline := time.Now().Add(c.cfg.OpTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	v, err := c.do(ctx, deadline, command(op)...)
	op.Return = c.h.Now()
	if err == nil {
		v, err = shapeReply(op.Kind, v)
	}
	op.Output, op.Outcome = v, Classify(err)
	if err != nil {
		op.Output = Value{}
		op.Err = err.Error()
	}
	return op, err
}

// do runs one command on the client's connection, dialing it first if
// there is none. The connection is interrupted if ctx ends.
func (c *client) do(ctx context.Context, deadline time.Time, args ...string) (Value, error) {
	if c.conn == nil {
		cn, err := dial(ctx, c.cfg.Addrs[c.addrIdx], deadline)
		if err != nil {
			return Value{}, err
		}
		c.conn = cn
	}
	cn := c.conn
	stop := context.AfterFunc(ctx, cn.interrupt)
	defer stop()
	return cn.do(deadline, args...)
}

// onConnError drops the connection (its state is unknown), optionally moves
// to the next address, and pauses briefly unless the run is over.
func (c *client) onConnError(runCtx context.Context) {
	c.closeConn()
	if c.cfg.SwitchAddrOnError {
		c.addrIdx = (c.addrIdx + 1) % len(c.cfg.Addrs)
	}
	sleepCtx(runCtx, c.cfg.ErrorBackoff)
}

func (c *client) closeConn() {
	if c.conn != nil {
		c.conn.close()
		c.conn = nil
	}
}

// command is the RESP command for op.
func command(op Op) []string {
	switch op.Kind {
	case Set:
		return []string{"SET", op.Key, op.Input}
	case Incr:
		return []string{"INCR", op.Key}
	case RPush:
		return []string{"RPUSH", op.Key, op.Input}
	case LPop:
		return []string{"LPOP", op.Key}
	case LRange:
		return []string{"LRANGE", op.Key, "0", "-1"}
	}
	return []string{"GET", op.Key}
}

// shapeReply checks that a successful reply has the shape the command
// returns. A mismatch means the connection or the server is confused, so
// it is treated as a protocol error: Unknown, and the connection is closed.
func shapeReply(k Kind, v Value) (Value, error) {
	ok := false
	switch k {
	case Set:
		ok = v.Str == "OK"
	case Get, CounterGet, LPop:
		ok = v.List == nil
	case Incr, RPush:
		ok = !v.Nil && v.List == nil && v.Str == ""
	case LRange:
		ok = v.List != nil
	}
	if !ok {
		return Value{}, protocolErrorf("unexpected reply %v to %s", v, k)
	}
	return v, nil
}
