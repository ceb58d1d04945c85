package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/rpc"
	"sync"
	"time"
)

// The internal RPC between members (net/rpc with gob over the mux): a
// follower forwards writes, asks the leader for a read index, and relays
// membership requests; any node answers Status. net/rpc multiplexes
// concurrent calls over one connection, so forwarded writes are pipelined.

// Result codes of forwarded operations; the origin node decides from them
// whether retrying is safe.
const (
	codeOK uint8 = iota
	// codeNotAppended: the entry never entered the log (no leader there);
	// retrying cannot duplicate it.
	codeNotAppended
	// codeUnknown: the entry was appended but its leader stepped down
	// before it was known to commit; only a retry with the same identity
	// is safe (the state machine de-duplicates it).
	codeUnknown
	codeShutdown
	codeError
)

const rpcService = "Redraft"

// ApplyArgs carries encoded entries, applied in order.
type ApplyArgs struct{ Entries [][]byte }

// ApplyResult is the outcome of one forwarded entry.
type ApplyResult struct {
	Code  uint8
	Reply []byte // reply.AppendBinary of the state machine's reply
	Msg   string
}

// ApplyReply holds one result per entry of ApplyArgs.
type ApplyReply struct{ Results []ApplyResult }

// ReadIndexReply is the index a linearizable read must wait for.
type ReadIndexReply struct {
	Index uint64
	Code  uint8
	Msg   string
}

// AdminArgs is a membership request: Op is join, add-voter, add-nonvoter,
// remove or transfer.
type AdminArgs struct {
	Op        string
	ID        string
	Addr      string
	Voter     bool
	ClusterID string
	// Fresh: the joining node has no Raft state (an empty data dir).
	Fresh bool
}

// AdminReply is the outcome of an AdminArgs request.
type AdminReply struct {
	Code uint8
	Msg  string
}

// Empty is the argument of calls that take none.
type Empty struct{}

// rpcHandler exposes the node to other members.
type rpcHandler struct{ n *Node }

// Apply appends forwarded entries in their order and waits for them.
func (h *rpcHandler) Apply(args ApplyArgs, out *ApplyReply) error {
	out.Results = h.n.applyForwarded(args.Entries)
	return nil
}

// ReadIndex confirms leadership with a quorum and returns the applied index.
func (h *rpcHandler) ReadIndex(_ Empty, out *ReadIndexReply) error {
	ctx, cancel := context.WithTimeout(context.Background(), h.n.cfg.WriteTimeout)
	defer cancel()
	idx, err := h.n.leaderReadIndex(ctx)
	out.Index, out.Code, out.Msg = idx, codeOf(err), errMsg(err)
	return nil
}

// Admin runs a membership change (forwarded to the leader if needed).
func (h *rpcHandler) Admin(args AdminArgs, out *AdminReply) error {
	ctx, cancel := context.WithTimeout(context.Background(), joinTimeout)
	defer cancel()
	err := h.n.Admin(ctx, args)
	out.Code, out.Msg = codeOf(err), errMsg(err)
	return nil
}

// Status describes this node.
func (h *rpcHandler) Status(_ Empty, out *Status) error {
	*out = h.n.Status()
	return nil
}

func errMsg(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func codeOf(err error) uint8 {
	switch {
	case err == nil:
		return codeOK
	case errors.Is(err, ErrNoLeader):
		return codeNotAppended
	case errors.Is(err, ErrUnknownOutcome):
		return codeUnknown
	case errors.Is(err, ErrShutdown):
		return codeShutdown
	}
	return codeError
}

// errOf turns a code and message from another node back into an error.
func errOf(code uint8, msg string) error {
	switch code {
	case codeOK:
		return nil
	case codeNotAppended:
		return ErrNoLeader
	case codeUnknown:
		return ErrUnknownOutcome
	case codeShutdown:
		return ErrShutdown
	}
	return errors.New(msg)
}

// peers is a pool of RPC clients per member address.
type peers struct {
	m       *mux
	timeout time.Duration

	mu    sync.Mutex
	conns map[string][]*rpc.Client
	next  int
}

// poolSize is how many connections a node keeps to each peer: net/rpc
// pipelines calls on one, a second spreads encoding work.
const poolSize = 2

func newPeers(m *mux, timeout time.Duration) *peers {
	return &peers{m: m, timeout: timeout, conns: make(map[string][]*rpc.Client)}
}

func (p *peers) client(addr string) (*rpc.Client, error) {
	p.mu.Lock()
	cs := p.conns[addr]
	if len(cs) >= poolSize {
		p.next++
		c := cs[p.next%len(cs)]
		p.mu.Unlock()
		return c, nil
	}
	p.mu.Unlock()
	nc, err := p.m.dial(addr, streamRPC, p.timeout)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	c := rpc.NewClient(nc)
	p.mu.Lock()
	p.conns[addr] = append(p.conns[addr], c)
	p.mu.Unlock()
	return c, nil
}

// drop forgets a client whose connection failed.
func (p *peers) drop(addr string, c *rpc.Client) {
	p.mu.Lock()
	cs := p.conns[addr]
	for i, x := range cs {
		if x == c {
			p.conns[addr] = append(cs[:i:i], cs[i+1:]...)
			break
		}
	}
	p.mu.Unlock()
	c.Close()
}

func (p *peers) closeAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for addr, cs := range p.conns {
		for _, c := range cs {
			c.Close()
		}
		delete(p.conns, addr)
	}
}

// start sends a call without waiting for its answer; an error means the
// call never reached the peer. A pooled connection found dead before
// anything was sent on it (the peer restarted) is replaced once.
func (p *peers) start(addr, method string, args, out any) (*rpc.Call, *rpc.Client, error) {
	for attempt := 0; ; attempt++ {
		c, err := p.client(addr)
		if err != nil {
			return nil, nil, fmt.Errorf("not sent to %s: %w", addr, err)
		}
		call := c.Go(rpcService+"."+method, args, out, make(chan *rpc.Call, 1))
		select {
		case <-call.Done:
			if errors.Is(call.Error, rpc.ErrShutdown) && attempt == 0 {
				p.drop(addr, c)
				continue
			}
			// Done already fired: hand it back for wait.
			call.Done <- call
		default:
		}
		return call, c, nil
	}
}

// wait waits for a started call; a call still running when ctx ends is
// abandoned (its outcome is unknown to the caller).
func (p *peers) wait(ctx context.Context, addr string, c *rpc.Client, call *rpc.Call) error {
	select {
	case <-call.Done:
		if call.Error != nil {
			if isConnError(call.Error) {
				p.drop(addr, c)
			}
			return call.Error
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// call sends a call and waits for it.
func (p *peers) call(ctx context.Context, addr, method string, args, out any) error {
	call, c, err := p.start(addr, method, args, out)
	if err != nil {
		return err
	}
	return p.wait(ctx, addr, c, call)
}

func isConnError(err error) bool {
	var ne net.Error
	return errors.Is(err, rpc.ErrShutdown) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.As(err, &ne)
}
