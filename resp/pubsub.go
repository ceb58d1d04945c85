package resp

import (
	"cmp"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/redraft/redraft/fsm"
	"github.com/redraft/redraft/reply"
)

// Pub/Sub. Subscriptions are connection state and never touch the log.
// PUBLISH and SPUBLISH are log entries that change nothing (fsm/cmd_pubsub.go):
// every node applies them in log order and its store hands the messages to
// published, which queues each one for the matching subscribers of this
// node. So a message published through any node reaches the subscribers of
// every node, in the same order everywhere, and the apply loop never waits
// for a client: each subscriber has a bounded queue drained by its own
// writer (pushes.go), and one that falls too far behind is disconnected.

// subKind is one of the three subscription namespaces.
type subKind int

const (
	subChannel subKind = iota // SUBSCRIBE, "message"
	subPattern                // PSUBSCRIBE, "pmessage"
	subShard                  // SSUBSCRIBE, "smessage": a namespace of its own
	numSubKinds
)

// subKindNames are the words of each kind's confirmations.
var subKindNames = [numSubKinds]struct{ subscribe, unsubscribe string }{
	subChannel: {"subscribe", "unsubscribe"},
	subPattern: {"psubscribe", "punsubscribe"},
	subShard:   {"ssubscribe", "sunsubscribe"},
}

// subscriptions is one connection's Pub/Sub state: per kind, its names
// with the sequence number of their subscription (UNSUBSCRIBE without
// arguments answers in subscription order). Only the connection's own
// goroutine changes it, holding the hub's lock; that goroutine reads it
// without the lock, any other one (CLIENT LIST) under it.
type subscriptions struct {
	seq  uint64
	sets [numSubKinds]map[string]uint64
}

// total is the number of subscriptions of every kind: the connection is in
// Pub/Sub mode while it is not zero.
func (s *subscriptions) total() int {
	return len(s.sets[subChannel]) + len(s.sets[subPattern]) + len(s.sets[subShard])
}

// count is the number a confirmation of kind k reports, as Redis 7.0 does:
// channels and patterns together, shard channels apart.
func (s *subscriptions) count(k subKind) int {
	if k == subShard {
		return len(s.sets[subShard])
	}
	return len(s.sets[subChannel]) + len(s.sets[subPattern])
}

// ordered returns the names of kind k in subscription order.
func (s *subscriptions) ordered(k subKind) []string {
	names := make([]string, 0, len(s.sets[k]))
	for n := range s.sets[k] {
		names = append(names, n)
	}
	slices.SortFunc(names, func(a, b string) int { return cmp.Compare(s.sets[k][a], s.sets[k][b]) })
	return names
}

// pubsubHub indexes this node's subscribers by name and delivers applied
// messages to them.
type pubsubHub struct {
	srv *Server

	mu    sync.RWMutex
	index [numSubKinds]map[string]map[*conn]struct{}
	// patterns lists the subscribed patterns in the order they were first
	// subscribed: a client matching several gets its pmessages in that
	// order, every time.
	patterns []string
	// subscribed counts the subscriptions of all connections, so that
	// the apply loop skips all work while nobody listens.
	subscribed atomic.Int64
}

func newPubSubHub(srv *Server) *pubsubHub {
	h := &pubsubHub{srv: srv}
	for k := range h.index {
		h.index[k] = make(map[string]map[*conn]struct{})
	}
	return h
}

// add subscribes c to name; subscribing twice changes nothing.
func (h *pubsubHub) add(c *conn, k subKind, name string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	set := &c.subs.sets[k]
	if _, ok := (*set)[name]; ok {
		return
	}
	if *set == nil {
		*set = make(map[string]uint64)
	}
	c.subs.seq++
	(*set)[name] = c.subs.seq
	subs := h.index[k][name]
	if subs == nil {
		subs = make(map[*conn]struct{})
		h.index[k][name] = subs
		if k == subPattern {
			h.patterns = append(h.patterns, name)
		}
	}
	subs[c] = struct{}{}
	h.subscribed.Add(1)
}

// remove unsubscribes c from name, if it was subscribed.
func (h *pubsubHub) remove(c *conn, k subKind, name string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.removeLocked(c, k, name)
}

func (h *pubsubHub) removeLocked(c *conn, k subKind, name string) {
	if _, ok := c.subs.sets[k][name]; !ok {
		return
	}
	delete(c.subs.sets[k], name)
	if len(c.subs.sets[k]) == 0 {
		c.subs.sets[k] = nil
	}
	subs := h.index[k][name]
	delete(subs, c)
	if len(subs) == 0 {
		delete(h.index[k], name)
		if k == subPattern {
			h.patterns = slices.DeleteFunc(h.patterns, func(p string) bool { return p == name })
		}
	}
	h.subscribed.Add(-1)
}

// removeAll drops every subscription of c (RESET, disconnection).
func (h *pubsubHub) removeAll(c *conn) {
	if c.subs.total() == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for k := range numSubKinds {
		for name := range c.subs.sets[k] {
			h.removeLocked(c, k, name)
		}
	}
}

// counts returns c's channel, pattern and shard channel subscriptions, for
// CLIENT LIST from any goroutine.
func (h *pubsubHub) counts(c *conn) (channels, patterns, shard int) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(c.subs.sets[subChannel]), len(c.subs.sets[subPattern]), len(c.subs.sets[subShard])
}

// published is the store's OnPublish callback; it runs on the apply loop
// and must not block. A node delivers only the messages it applies once
// ready, and none at or below the index it was ready at: those are log
// entries replayed after a restart (or caught up on), whose messages were
// delivered when they were new, if ever. A snapshot holds no messages.
func (h *pubsubHub) published(msgs []fsm.Message) {
	if h.subscribed.Load() == 0 {
		return
	}
	floor, ready := h.srv.node.ReadyIndex()
	if !ready {
		return
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	for _, m := range msgs {
		if m.Index > floor {
			h.deliver(m)
		}
	}
}

// deliver queues m for its local receivers: channel subscribers first,
// then pattern subscribers pattern by pattern, as Redis does.
func (h *pubsubHub) deliver(m fsm.Message) {
	if m.Shard {
		if subs := h.index[subShard][string(m.Channel)]; len(subs) > 0 {
			queueAll(subs, pushFrame("smessage", m.Channel, m.Payload))
		}
		return
	}
	if subs := h.index[subChannel][string(m.Channel)]; len(subs) > 0 {
		queueAll(subs, pushFrame("message", m.Channel, m.Payload))
	}
	for _, p := range h.patterns {
		if fsm.GlobMatch([]byte(p), m.Channel, false) {
			queueAll(h.index[subPattern][p], pushFrame("pmessage", []byte(p), m.Channel, m.Payload))
		}
	}
}

func queueAll(subs map[*conn]struct{}, frame []byte) {
	for c := range subs {
		c.out.add(frame)
	}
}

// pushFrame renders a push message once, in RESP3 (RESP2 differs only in
// its first byte; see pushQueue), copying the parts out of the log entry.
func pushFrame(kind string, parts ...[]byte) []byte {
	elems := make([]reply.Value, 0, 1+len(parts))
	elems = append(elems, reply.BulkString(kind))
	for _, p := range parts {
		elems = append(elems, reply.Bulk(p))
	}
	return reply.Append(nil, reply.Push(elems), 3)
}

// receivers counts this node's subscriptions that a message to channel
// reaches: PUBLISH's reply (Redis Cluster counts local receivers only).
func (h *pubsubHub) receivers(shard bool, channel []byte) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	if shard {
		return len(h.index[subShard][string(channel)])
	}
	n := len(h.index[subChannel][string(channel)])
	for _, p := range h.patterns {
		if fsm.GlobMatch([]byte(p), channel, false) {
			n += len(h.index[subPattern][p])
		}
	}
	return n
}

// active returns the names of kind k that have subscribers and match
// pattern (all when pattern is nil), sorted.
func (h *pubsubHub) active(k subKind, pattern []byte) []string {
	h.mu.RLock()
	defer h.mu.RUnlock()
	var out []string
	for name := range h.index[k] {
		if pattern == nil || fsm.GlobMatch(pattern, []byte(name), false) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// numSubscribers returns how many connections subscribe to name.
func (h *pubsubHub) numSubscribers(k subKind, name string) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.index[k][name])
}

// numPatterns is PUBSUB NUMPAT: distinct patterns with subscribers.
func (h *pubsubHub) numPatterns() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.patterns)
}

// totals are INFO's pubsub_channels, pubsub_patterns and
// pubsubshard_channels.
func (h *pubsubHub) totals() (channels, patterns, shard int) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.index[subChannel]), len(h.patterns), len(h.index[subShard])
}
