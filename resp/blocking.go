package resp

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/redraft/redraft/cluster"
	"github.com/redraft/redraft/fsm"
	"github.com/redraft/redraft/reply"
)

// Blocking pops (BLPOP, BRPOP, BLMOVE, BZPOPMIN, ...) wait on the node the
// client is connected to, while the pop itself is an ordinary replicated
// write: the state machine applies it non-blockingly and either takes an
// element or answers null. A client that found nothing registers as a
// waiter; when an applied entry writes one of its keys, the hub proposes the
// pops of the longest-waiting clients, one per available element, in
// arrival order, so waiters on this node are served first come, first
// served and each element goes to exactly one of them.

type waiterState uint8

const (
	// attempting: the client's own pop is in flight; a wake-up is
	// remembered in missed and the client retries.
	attempting waiterState = iota
	// waiting: parked; the hub may serve it.
	waiting
	// served: the hub proposed its pop and sent the proposal on ch.
	served
)

type waiter struct {
	seq    uint64
	db     int
	keys   []fsm.DBKey
	args   [][]byte
	state  waiterState
	missed bool
	ch     chan *cluster.Proposal
}

type blockHub struct {
	srv *Server

	mu    sync.Mutex
	seq   uint64
	byKey map[fsm.DBKey][]*waiter
	count atomic.Int64

	// written keys arrive from the state machine's apply loop, which must
	// never wait on mu (the hub proposes while holding it).
	pendMu  sync.Mutex
	pending map[fsm.DBKey]struct{}
	kick    chan struct{}
}

func newBlockHub(srv *Server) *blockHub {
	return &blockHub{srv: srv, byKey: make(map[fsm.DBKey][]*waiter), pending: make(map[fsm.DBKey]struct{}), kick: make(chan struct{}, 1)}
}

// written is the store's OnWrite callback.
func (h *blockHub) written(keys []fsm.DBKey) {
	if h.count.Load() == 0 {
		return
	}
	h.pendMu.Lock()
	for _, k := range keys {
		h.pending[k] = struct{}{}
	}
	h.pendMu.Unlock()
	h.signal()
}

func (h *blockHub) signal() {
	select {
	case h.kick <- struct{}{}:
	default:
	}
}

func (h *blockHub) run(done <-chan struct{}) {
	for {
		select {
		case <-done:
			return
		case <-h.kick:
		}
		h.pendMu.Lock()
		keys := h.pending
		h.pending = make(map[fsm.DBKey]struct{})
		h.pendMu.Unlock()
		for k := range keys {
			h.serve(k)
		}
	}
}

// serve proposes pops for the waiters on k, oldest first, as many as k has
// elements (counting pops already in flight).
func (h *blockHub) serve(k fsm.DBKey) {
	n := h.srv.store.ElementCount(k.DB, k.Key, time.Now().UnixMilli())
	if n == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, w := range h.byKey[k] {
		if n == 0 {
			return
		}
		switch w.state {
		case attempting:
			w.missed = true
		case waiting:
			w.state = served
			w.ch <- h.srv.node.Propose(&fsm.Entry{Type: fsm.EntryCommand, Cmds: []fsm.Cmd{{DB: w.db, Args: w.args}}})
		}
		n--
	}
}

func (h *blockHub) register(db int, keys [][]byte, args [][]byte) *waiter {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seq++
	w := &waiter{seq: h.seq, db: db, args: args, ch: make(chan *cluster.Proposal, 1)}
	for _, k := range keys {
		dk := fsm.DBKey{DB: db, Key: string(k)}
		w.keys = append(w.keys, dk)
		h.byKey[dk] = append(h.byKey[dk], w)
	}
	h.count.Add(1)
	return w
}

// park moves w from attempting or served to waiting; it reports whether a
// wake-up arrived meanwhile, in which case w stays attempting and retries.
func (h *blockHub) park(w *waiter) (retry bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if w.missed {
		w.missed = false
		w.state = attempting
		return true
	}
	w.state = waiting
	return false
}

// received records that the client took the proposal the hub sent it.
func (h *blockHub) received(w *waiter) {
	h.mu.Lock()
	w.state = attempting
	h.mu.Unlock()
}

// rewake asks the hub to look at w's keys again: a served pop came back
// empty (another client took the element), and more may be there.
func (h *blockHub) rewake(w *waiter) {
	h.pendMu.Lock()
	for _, k := range w.keys {
		h.pending[k] = struct{}{}
	}
	h.pendMu.Unlock()
	h.signal()
}

// remove unregisters w and returns the pop the hub proposed for it, if one
// is in flight: its result must still be consumed.
func (h *blockHub) remove(w *waiter) *cluster.Proposal {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, k := range w.keys {
		ws := h.byKey[k]
		for i, x := range ws {
			if x == w {
				ws = append(ws[:i], ws[i+1:]...)
				break
			}
		}
		if len(ws) == 0 {
			delete(h.byKey, k)
		} else {
			h.byKey[k] = ws
		}
	}
	h.count.Add(-1)
	if w.missed {
		// A wake-up was counted for w, which no longer needs it: pass it
		// on to the next waiter.
		h.rewake(w)
	}
	if w.state == served {
		w.state = waiting
		return <-w.ch
	}
	return nil
}

func isNullReply(v reply.Value) bool {
	return v.Kind == reply.KindNull || v.Kind == reply.KindNullArray
}

// blockingPop runs a blocking command for this connection: pop now if
// possible, otherwise wait for a write to one of the keys, the timeout, or
// the client going away (in which case an element already taken for it is
// put back, so nothing is lost).
func (c *conn) blockingPop(args [][]byte) reply.Value {
	keys, timeoutArg, ok := fsm.BlockingKeys(args)
	if !ok {
		return c.proposeNow(args)
	}
	timeout, errv := fsm.ParseBlockTimeout(timeoutArg)
	if errv != nil {
		return *errv
	}
	c.settle()
	hub := c.srv.hub
	w := hub.register(c.db, keys, args)
	var deadline <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(time.Duration(timeout) * time.Millisecond)
		defer t.Stop()
		deadline = t.C
	}
	gone, stopWatch := c.watchDisconnect()
	defer stopWatch()
	for {
		v := c.proposeNow(args)
		if !isNullReply(v) {
			hub.remove(w)
			return v
		}
		if hub.park(w) {
			continue
		}
		for parked := true; parked; {
			select {
			case p := <-w.ch:
				hub.received(w)
				v := awaitReply(p)
				if !isNullReply(v) {
					hub.remove(w)
					return v
				}
				if hub.park(w) {
					parked = false
				} else {
					hub.rewake(w)
				}
			case <-deadline:
				if p := hub.remove(w); p != nil {
					if v := awaitReply(p); !isNullReply(v) {
						return v
					}
				}
				return reply.NullArray()
			case <-gone:
				if p := hub.remove(w); p != nil {
					c.putBack(args, awaitReply(p))
				}
				c.quit = true
				return reply.NullArray()
			}
		}
	}
}

func (c *conn) proposeNow(args [][]byte) reply.Value {
	return awaitReply(c.propose(&fsm.Entry{Type: fsm.EntryCommand, Cmds: []fsm.Cmd{{DB: c.db, Args: args}}}))
}

// putBack returns what a pop took for a client that is gone.
func (c *conn) putBack(args [][]byte, v reply.Value) {
	undo := fsm.UndoPop(args, v)
	if undo == nil {
		return
	}
	if r := c.proposeNow(undo); r.IsError() {
		c.srv.log.Error("could not return a popped element of a disconnected client", "cmd", string(args[0]), "err", r.Error())
	}
}

// watchDisconnect reports on gone when the client closes its connection
// while it is blocked. stop ends the watch; the connection can then be read
// again normally.
func (c *conn) watchDisconnect() (gone <-chan struct{}, stop func()) {
	ch := make(chan struct{})
	done := make(chan struct{})
	var stopping atomic.Bool
	go func() {
		defer close(done)
		_, err := c.rd.br.Peek(1)
		if err != nil && (!stopping.Load() || c.closing.Load()) {
			close(ch)
		}
	}()
	return ch, func() {
		stopping.Store(true)
		c.nc.SetReadDeadline(time.Now())
		<-done
		if !c.closing.Load() {
			c.nc.SetReadDeadline(time.Time{})
		}
	}
}
