package cluster

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/rpc"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/raft"

	"github.com/redraft/redraft/fsm"
	"github.com/redraft/redraft/reply"
)

// Writes. Any node accepts a write: the leader appends it to its log, a
// follower forwards it to the leader over the internal RPC. Every write
// carries an identity (origin node, session, sequence) so that when its
// outcome is unknown (a timeout, a leader that stepped down after appending
// it) it can be retried safely: the state machine applies an identity at
// most once and answers a retry with the original reply. A write fails only
// when no leader accepted it within WriteTimeout: with CLUSTERDOWN if it was
// certainly never appended, with TRYAGAIN if it may have been.

// retryPause is the wait between attempts while there is no usable leader.
const retryPause = 20 * time.Millisecond

func randomUint64() uint64 {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err)) // never fails on Linux
	}
	return binary.LittleEndian.Uint64(b[:])
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return hex.EncodeToString(b)
}

// Proposal is a write on its way through the log.
type Proposal struct {
	n     *Node
	data  []byte // the encoded entry, identity included
	start time.Time

	// The attempt in flight: a local Raft future or a forwarded batch.
	f     raft.ApplyFuture
	batch *forwardBatch
	pos   int
	// pipe is set while the proposal waits in a pipeline to be sent.
	pipe *Pipeline
	// maybeAppended is set once an attempt may have entered a log.
	maybeAppended bool
}

// forwardBatch is one Apply RPC carrying entries to the leader. Each of
// its proposals waits for it; the first to do so collects the answer.
type forwardBatch struct {
	addr   string
	client *rpc.Client
	call   *rpc.Call
	out    ApplyReply
	err    error // the call could not be sent

	once    sync.Once
	waitErr error
}

// wait waits for the RPC once; later callers get the same outcome.
func (b *forwardBatch) wait(n *Node, deadline time.Time) error {
	b.once.Do(func() {
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		defer cancel()
		b.waitErr = n.peers.wait(ctx, b.addr, b.client, b.call)
	})
	return b.waitErr
}

// session is a request-identity space: one per client connection (its
// pipeline) and one for the node's own proposals. The state machine keeps a
// bounded window of replies per session, so a busy node does not push one
// connection's pending retries out of the window.
type session struct {
	id  uint64
	seq atomic.Uint64
}

func newSession() *session { return &session{id: randomUint64()} }

// newProposal gives e an identity in session s and encodes it.
func (n *Node) newProposal(s *session, e *fsm.Entry) *Proposal {
	e.Origin, e.Session, e.Seq = n.cfg.ID, s.id, s.seq.Add(1)
	return &Proposal{n: n, data: e.Encode(nil), start: time.Now()}
}

// Propose starts a write at once, without waiting for it. Wait for the
// result with Await.
func (n *Node) Propose(e *fsm.Entry) *Proposal {
	p := n.newProposal(n.session, e)
	p.send()
	return p
}

// Apply proposes e and waits for its reply.
func (n *Node) Apply(e *fsm.Entry) (reply.Value, error) {
	return n.Propose(e).Await()
}

// Pipeline keeps one client's pipelined writes in order. On the leader each
// write is appended at once; on a follower the writes are held until the
// first of them is awaited and then forwarded together, in one RPC, which
// the leader appends in order.
type Pipeline struct {
	n      *Node
	s      *session
	unsent []*Proposal
}

// Pipeline returns an empty pipeline for one client connection.
func (n *Node) Pipeline() *Pipeline { return &Pipeline{n: n, s: newSession()} }

// Propose adds a write to the pipeline.
func (pl *Pipeline) Propose(e *fsm.Entry) *Proposal {
	p := pl.n.newProposal(pl.s, e)
	if len(pl.unsent) == 0 && pl.n.raft.State() == raft.Leader {
		p.send()
		return p
	}
	p.pipe = pl
	pl.unsent = append(pl.unsent, p)
	return p
}

// flush sends the held writes, in order, as one batch.
func (pl *Pipeline) flush() {
	props := pl.unsent
	pl.unsent = nil
	for _, p := range props {
		p.pipe = nil
	}
	pl.n.sendAll(props)
}

func (p *Proposal) send() { p.n.sendAll([]*Proposal{p}) }

// sendAll starts one attempt for props: appended locally when this node
// leads, forwarded in one RPC otherwise. Without a known leader the
// attempt is left unset and Await retries.
func (n *Node) sendAll(props []*Proposal) {
	if n.raft.State() == raft.Leader {
		for _, p := range props {
			p.f = n.raft.Apply(stamped(p.data), n.cfg.WriteTimeout)
			p.maybeAppended = true
		}
		return
	}
	addr, _ := n.raft.LeaderWithID()
	if addr == "" {
		return
	}
	b := &forwardBatch{addr: string(addr)}
	args := ApplyArgs{Entries: make([][]byte, len(props))}
	for i, p := range props {
		args.Entries[i] = p.data
		p.batch, p.pos = b, i
	}
	b.call, b.client, b.err = n.peers.start(b.addr, "Apply", args, &b.out)
	if b.err == nil {
		for _, p := range props {
			p.maybeAppended = true
		}
	}
}

// stamped copies an encoded entry with the leader's clock: an entry's time
// is the leader's, whichever node encoded it.
func stamped(data []byte) []byte {
	b := append([]byte(nil), data...)
	fsm.StampTime(b, time.Now().UnixMilli())
	return b
}

// Await waits until the write is committed and applied and returns its
// reply, retrying (with the same identity) while the outcome is unknown or
// no leader took it, up to WriteTimeout.
func (p *Proposal) Await() (reply.Value, error) {
	if p.pipe != nil {
		p.pipe.flush()
	}
	for {
		v, err := p.result()
		if err == nil {
			p.n.cfg.Observer.ObserveWrite(time.Since(p.start))
			return v, nil
		}
		if !retryable(err) {
			return v, err
		}
		if time.Since(p.start) >= p.n.cfg.WriteTimeout {
			if p.maybeAppended {
				return reply.Value{}, ErrUnknownOutcome
			}
			return reply.Value{}, ErrNoLeader
		}
		select {
		case <-p.n.closing:
			return reply.Value{}, ErrShutdown
		case <-time.After(retryPause):
		}
		p.send()
	}
}

func retryable(err error) bool {
	return errors.Is(err, ErrNoLeader) || errors.Is(err, ErrUnknownOutcome) || errors.Is(err, errNoAttempt)
}

var errNoAttempt = errors.New("no leader to send to")

// result waits for the attempt in flight.
func (p *Proposal) result() (reply.Value, error) {
	switch {
	case p.f != nil:
		f := p.f
		p.f = nil
		if err := f.Error(); err != nil {
			return reply.Value{}, p.n.classify(err)
		}
		v, ok := f.Response().(reply.Value)
		if !ok {
			return reply.Value{}, fmt.Errorf("unexpected FSM response %T", f.Response())
		}
		return v, nil
	case p.batch != nil:
		b, pos := p.batch, p.pos
		p.batch = nil
		return p.n.batchResult(b, pos, p.start)
	}
	return reply.Value{}, errNoAttempt
}

// batchResult waits for a forwarded batch and returns the result of the
// entry at pos.
func (n *Node) batchResult(b *forwardBatch, pos int, start time.Time) (reply.Value, error) {
	if b.err != nil {
		return reply.Value{}, ErrNoLeader // never reached the leader
	}
	if err := b.wait(n, start.Add(n.cfg.WriteTimeout)); err != nil {
		return reply.Value{}, ErrUnknownOutcome
	}
	if pos >= len(b.out.Results) {
		return reply.Value{}, ErrUnknownOutcome
	}
	r := b.out.Results[pos]
	if r.Code != codeOK {
		return reply.Value{}, errOf(r.Code, r.Msg)
	}
	v, _, err := reply.DecodeBinary(r.Reply)
	if err != nil {
		return reply.Value{}, fmt.Errorf("decode forwarded reply: %w", err)
	}
	return v, nil
}

// applyForwarded appends entries forwarded by a follower, in their order,
// and waits for them. It does not retry: the origin does, with the same
// identities.
func (n *Node) applyForwarded(entries [][]byte) []ApplyResult {
	out := make([]ApplyResult, len(entries))
	futures := make([]raft.ApplyFuture, len(entries))
	for i, data := range entries {
		futures[i] = n.raft.Apply(stamped(data), n.cfg.WriteTimeout)
	}
	for i, f := range futures {
		if err := f.Error(); err != nil {
			err = n.classify(err)
			out[i] = ApplyResult{Code: codeOf(err), Msg: err.Error()}
			continue
		}
		v, ok := f.Response().(reply.Value)
		if !ok {
			out[i] = ApplyResult{Code: codeError, Msg: fmt.Sprintf("unexpected FSM response %T", f.Response())}
			continue
		}
		out[i] = ApplyResult{Reply: reply.AppendBinary(nil, v)}
	}
	return out
}

// applyLocal appends an internal entry (no identity, no retry) on the leader.
func (n *Node) applyLocal(e *fsm.Entry) (reply.Value, error) {
	e.Time = time.Now().UnixMilli()
	f := n.raft.Apply(e.Encode(nil), n.cfg.WriteTimeout)
	if err := f.Error(); err != nil {
		return reply.Value{}, n.classify(err)
	}
	v, _ := f.Response().(reply.Value)
	return v, nil
}
