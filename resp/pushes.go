package resp

import (
	"math"
	"sync"
	"time"

	"github.com/redraft/redraft/reply"
)

// DefaultPubSubOutputLimit is Redis's hard client-output-buffer-limit for
// Pub/Sub clients: a subscriber with more than this many bytes of messages
// queued or being written is disconnected.
const DefaultPubSubOutputLimit = 32 << 20

// Pushes and replies share the connection's bufio.Writer, under conn.wmu,
// so that neither interleaves with the other, and they reach the client in
// the order Redis would produce them: a reply after the messages queued
// before its command took effect, and before the ones queued after. Every
// message gets a sequence number and every reply a mark (the number of the
// first message that must follow it); the writer goroutine holds back the
// messages that must follow a reply still waiting in the pipeline.

// noHold lets the writer goroutine write every queued message.
const noHold = math.MaxUint64

// pushQueue holds the Pub/Sub messages on their way to one subscriber.
// The apply loop adds to it without ever waiting for the client; the
// connection's writer goroutine, and the connection itself before each
// reply, drain it.
type pushQueue struct {
	c     *conn
	limit int

	mu     sync.Mutex
	frames [][]byte // RESP3 push frames (RESP2 differs in the first byte)
	first  uint64   // the sequence number of frames[0]
	hold   uint64   // the writer goroutine writes only frames numbered below
	size   int      // bytes queued or being written
	over   bool     // the limit was hit: the connection is being dropped

	wake   chan struct{} // a frame was added or the hold released
	done   chan struct{} // the connection ended
	exited chan struct{} // the writer goroutine returned
}

// startPushes gives the connection its queue and writer on its first
// subscription; they last as long as the connection. Nothing is written
// before the connection releases the hold (it has replies to write first:
// at least the confirmation of this subscription).
func (c *conn) startPushes() {
	if c.out != nil {
		return
	}
	c.out = &pushQueue{
		c: c, limit: c.srv.cfg.PubSubOutputLimit,
		wake: make(chan struct{}, 1), done: make(chan struct{}), exited: make(chan struct{}),
	}
	go c.out.run()
}

// add queues frame, or drops the connection if that would exceed the
// limit (as Redis does, rather than stall the publisher or lose messages
// silently). It never blocks: it runs on the apply loop.
func (q *pushQueue) add(frame []byte) {
	q.mu.Lock()
	if q.over {
		q.mu.Unlock()
		return
	}
	if q.size+len(frame) > q.limit {
		q.over = true
		q.first += uint64(len(q.frames))
		q.frames = nil
		q.mu.Unlock()
		q.c.srv.log.Warn("disconnecting a subscriber that does not keep up: Pub/Sub output buffer limit reached",
			"id", q.c.id, "addr", q.c.nc.RemoteAddr().String(), "limit_bytes", q.limit)
		q.c.disconnectNow()
		return
	}
	q.frames = append(q.frames, frame)
	q.size += len(frame)
	q.mu.Unlock()
	q.signal()
}

func (q *pushQueue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// holdFrom keeps the writer goroutine from writing the messages numbered
// from the next one on, and returns that number: a SUBSCRIBE is starting,
// and its confirmation must precede what arrives from now on.
func (q *pushQueue) holdFrom() uint64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	next := q.first + uint64(len(q.frames))
	q.hold = min(q.hold, next)
	return next
}

// markReply numbers a reply that is known now: it goes after the messages
// queued so far or, for a SUBSCRIBE, after those queued before its command
// started (from). The writer goroutine then holds back the messages that
// follow the first reply still waiting to be written (first, or this one).
func (q *pushQueue) markReply(from uint64, subscribing bool, first *pendingReply) uint64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	mark := q.first + uint64(len(q.frames))
	if subscribing {
		mark = from
	}
	q.hold = mark
	if first != nil {
		q.hold = first.pushMark
	}
	return mark
}

// releaseHold lets the writer goroutine write every queued message: no
// reply is waiting.
func (q *pushQueue) releaseHold() {
	q.mu.Lock()
	q.hold = noHold
	q.mu.Unlock()
	q.signal()
}

// take returns the queued frames numbered below upTo and their size; they
// count against the limit until release.
func (q *pushQueue) take(upTo uint64) ([][]byte, int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.takeLocked(upTo)
}

// takeAllowed is take of what the hold lets the writer goroutine write.
func (q *pushQueue) takeAllowed() ([][]byte, int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.takeLocked(q.hold)
}

func (q *pushQueue) takeLocked(upTo uint64) ([][]byte, int) {
	if upTo <= q.first {
		return nil, 0
	}
	k := min(uint64(len(q.frames)), upTo-q.first)
	frames := q.frames[:k:k]
	q.frames = q.frames[k:]
	q.first += k
	n := 0
	for _, f := range frames {
		n += len(f)
	}
	return frames, n
}

func (q *pushQueue) release(n int) {
	q.mu.Lock()
	q.size -= n
	q.mu.Unlock()
}

// run writes pushes while the connection has no reply waiting to go
// before them.
func (q *pushQueue) run() {
	defer close(q.exited)
	for {
		select {
		case <-q.done:
			return
		case <-q.wake:
		}
		if err := q.c.writeAllowedPushes(); err != nil {
			q.c.disconnectNow()
			return
		}
	}
}

// stopPushes ends the writer when the connection ends; a write blocked on
// a client that does not read gives up at once.
func (c *conn) stopPushes() {
	if c.out == nil {
		return
	}
	close(c.out.done)
	c.nc.SetWriteDeadline(time.Now())
	<-c.out.exited
}

// writeAllowedPushes writes and sends the pushes that no waiting reply
// must precede (writer goroutine).
func (c *conn) writeAllowedPushes() error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.writeFrames(c.out.takeAllowed()); err != nil {
		return err
	}
	return c.w.Flush()
}

// writeFrames buffers pushes taken from the queue; the caller holds
// c.wmu, under which c.proto is read here and changed by setProto.
func (c *conn) writeFrames(frames [][]byte, n int) error {
	defer c.out.release(n)
	for _, f := range frames {
		if c.proto < 3 {
			if err := c.w.WriteByte('*'); err != nil {
				return err
			}
			f = f[1:]
		}
		if _, err := c.w.Write(f); err != nil {
			return err
		}
	}
	return nil
}

// holdForSubscribe starts a command: for a SUBSCRIBE & co. of a
// connection that has pushes, it holds them back and returns the number of
// the first message that must follow the confirmation (none of the
// channels it adds can precede it).
func (c *conn) holdForSubscribe(name string) uint64 {
	if c.out == nil || !subscribes[name] {
		return 0
	}
	return c.out.holdFrom()
}

// placeAmongPushes fixes where the reply of the command just run goes
// among the connection's pushes, and holds back the later pushes until it
// is written. A proposal is awaited first: a connection that receives
// pushes does not pipeline its writes, since their replies must be placed
// when they apply. A reply goes after every message queued until it is
// known (an UNSUBSCRIBE confirmation follows every message of its channel),
// a SUBSCRIBE confirmation before those queued since its command started.
func (c *conn) placeAmongPushes(p *pendingReply, name string, started uint64) {
	p.resolve()
	var first *pendingReply
	if len(c.pending) > 0 {
		first = &c.pending[0]
	}
	p.pushMark = c.out.markReply(started, subscribes[name], first)
}

var subscribes = map[string]bool{"subscribe": true, "psubscribe": true, "ssubscribe": true}

// writeReply buffers one reply, after the pushes that precede it.
func (c *conn) writeReply(p *pendingReply) error {
	if c.out == nil {
		_, err := c.w.Write(reply.Append(c.w.AvailableBuffer(), p.v, c.proto))
		return err
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.writeFrames(c.out.take(p.pushMark)); err != nil {
		return err
	}
	_, err := c.w.Write(reply.Append(c.w.AvailableBuffer(), p.v, c.proto))
	return err
}

// flushWriter sends the buffered replies, once all of them are written,
// with the pushes queued since.
func (c *conn) flushWriter() error {
	if c.out == nil {
		return c.w.Flush()
	}
	c.out.releaseHold()
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.writeFrames(c.out.take(noHold)); err != nil {
		return err
	}
	return c.w.Flush()
}

// setProto changes the protocol the connection speaks; the push writer
// reads it under wmu, CLIENT LIST under mu.
func (c *conn) setProto(proto int) {
	c.wmu.Lock()
	c.mu.Lock()
	c.proto = proto
	c.mu.Unlock()
	c.wmu.Unlock()
}

// disconnectNow makes every read and write of the connection fail at
// once, so that its goroutines end without waiting for the client.
func (c *conn) disconnectNow() {
	c.closing.Store(true)
	c.nc.SetDeadline(time.Now())
}
