package resp

import (
	"bufio"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redraft/redraft/cluster"
	"github.com/redraft/redraft/fsm"
	"github.com/redraft/redraft/reply"
)

// maxPipelined bounds the replies held back while a pipeline is read, so a
// client that never stops sending still gets answers and memory stays flat.
const maxPipelined = 1024

// conn is one client connection and its state.
type conn struct {
	srv  *Server
	nc   net.Conn
	rd   *Reader
	w    *bufio.Writer
	id   int64
	born time.Time

	db     int
	proto  int
	authed bool
	quit   bool
	// readonly is set by READONLY: reads are served from the local state
	// without coordination (bounded by --max-staleness on followers).
	readonly bool
	// pl keeps this connection's pipelined writes in order.
	pl *cluster.Pipeline
	// fresh is set by a linearizable read barrier and holds while the
	// connection proposes nothing and reads nothing more from the socket
	// (freshReads is the socket read count when the barrier started):
	// a pipelined read parsed meanwhile arrived before the barrier, so the
	// barrier covers it too.
	fresh      bool
	freshReads uint64
	// closing is set when the server shuts down.
	closing atomic.Bool

	mu      sync.Mutex // guards the fields CLIENT LIST reads
	name    string
	libName string
	libVer  string
	lastCmd string

	// MULTI state: queued commands, whether one was refused while
	// queueing (EXEC then aborts), the database SELECT set while queueing.
	multi      bool
	multiDirty bool
	queue      []queued
	queueDB    int
	watches    []fsm.Watch

	// pending holds the replies of a pipeline, in order; writes wait on
	// their proposals only when the pipeline is drained or a read needs
	// to see them.
	pending []pendingReply

	// Pub/Sub (pubsub.go, pushes.go): the subscriptions, the queue of
	// messages for this client (nil until it first subscribes) and the
	// lock that its writer goroutine and this connection's replies take
	// to write to w.
	subs subscriptions
	out  *pushQueue
	wmu  sync.Mutex
}

type queued struct {
	args  [][]byte
	db    int
	local *serverCommand
}

type pendingReply struct {
	v    reply.Value
	prop *cluster.Proposal
	// finish, when set, turns the proposal's reply into the client's
	// (PUBLISH counts this node's receivers).
	finish func(reply.Value) reply.Value
	// pushMark places the reply among the connection's Pub/Sub messages
	// (pushes.go): those numbered below it are written before it.
	pushMark uint64
	// stat counts the reply once it is known; nil for replies to no
	// command (a protocol error).
	stat *commandStat
}

func (s *Server) newConn(nc net.Conn) *conn {
	c := &conn{
		srv:    s,
		nc:     nc,
		rd:     NewReader(nc, s.cfg.MaxBulkLen),
		w:      bufio.NewWriterSize(nc, 16<<10),
		id:     s.nextID.Add(1),
		born:   time.Now(),
		proto:  2,
		authed: s.cfg.RequirePass == "",
		pl:     s.node.Pipeline(),
	}
	c.rd.SetAuthenticated(c.authed)
	return c
}

// closeWhenIdle makes the connection stop after the command in progress:
// the blocked read returns and the loop flushes and exits.
func (c *conn) closeWhenIdle() {
	c.closing.Store(true)
	c.nc.SetReadDeadline(time.Now())
}

func (c *conn) serve() {
	defer c.nc.Close()
	defer c.stopPushes()
	defer c.srv.pubsub.removeAll(c)
	for {
		args, err := c.rd.ReadCommand()
		if err != nil {
			var pe *ProtocolError
			if errors.As(err, &pe) {
				c.push(reply.Err("ERR " + pe.Error()))
			} else if !errors.Is(err, io.EOF) && !isTimeout(err) {
				c.srv.log.Debug("connection read failed", "id", c.id, "err", err)
			}
			c.flush()
			return
		}
		c.handle(args)
		if c.quit {
			c.flush()
			return
		}
		if c.rd.Buffered() == 0 || len(c.pending) >= maxPipelined {
			if !c.flush() {
				return
			}
		}
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// flush resolves every pending reply in order and writes them out.
func (c *conn) flush() bool {
	for i := range c.pending {
		p := &c.pending[i]
		p.resolve()
		if p.stat != nil {
			p.stat.record(p.v)
		}
		if err := c.writeReply(p); err != nil {
			c.pending = c.pending[:0]
			return false
		}
	}
	clear(c.pending)
	c.pending = c.pending[:0]
	return c.flushWriter() == nil
}

// resolve waits for the reply's proposal, if it has one.
func (p *pendingReply) resolve() {
	if p.prop == nil {
		return
	}
	p.v = awaitReply(p.prop)
	p.prop = nil
	if p.finish != nil {
		p.v = p.finish(p.v)
	}
}

func awaitReply(p *cluster.Proposal) reply.Value {
	v, err := p.Await()
	if err != nil {
		return errorReply(err)
	}
	return v
}

// settle waits for the proposals already pipelined, so that a read that
// follows them sees their effects.
func (c *conn) settle() {
	for i := range c.pending {
		c.pending[i].resolve()
	}
}

func (c *conn) push(v reply.Value) { c.pending = append(c.pending, pendingReply{v: v}) }

// errorReply turns an internal error into a Redis error reply; errors that
// carry a Redis error code (CLUSTERDOWN, TRYAGAIN, LOADING) keep it.
func errorReply(err error) reply.Value {
	msg := err.Error()
	if code, _, ok := strings.Cut(msg, " "); ok && code == strings.ToUpper(code) && len(code) > 2 {
		return reply.Err(msg)
	}
	return reply.Err("ERR " + msg)
}

// handle runs one command and queues its reply, counted in the command's
// statistics once it is known (a write's when its proposal completes).
func (c *conn) handle(args [][]byte) {
	c.srv.cmdsTotal.Add(1)
	name := fsm.LowerName(args[0])
	c.mu.Lock()
	c.lastCmd = name
	c.mu.Unlock()
	started := c.holdForSubscribe(name)
	p := c.dispatch(name, args)
	p.stat = c.srv.stats.of(name)
	if c.out != nil {
		c.placeAmongPushes(&p, name, started)
	}
	c.pending = append(c.pending, p)
}

// dispatch runs a command, or proposes it, and returns its reply.
func (c *conn) dispatch(name string, args [][]byte) pendingReply {
	sc := c.srv.cmds[name]
	var dc *fsm.Command
	if sc == nil {
		dc = c.srv.store.Lookup(name)
	}
	if sc == nil && dc == nil {
		c.srv.rejectTotal.Add(1)
		c.refuseInMulti()
		return pendingReply{v: unknownCommand(args)}
	}
	if !c.authed && (sc == nil || !sc.noAuth) {
		c.refuseInMulti()
		return pendingReply{v: reply.Err("NOAUTH Authentication required.")}
	}
	arity := 0
	if sc != nil {
		arity = sc.arity
	} else {
		arity = dc.Arity
	}
	if !arityOK(arity, len(args)) {
		if name == "exec" {
			// Redis discards the transaction when EXEC itself is refused,
			// and words the error so even outside MULTI.
			c.resetMulti()
			c.watches = nil
			return pendingReply{v: reply.Err("EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command")}
		}
		c.refuseInMulti()
		return pendingReply{v: reply.Err("ERR wrong number of arguments for '" + name + "' command")}
	}
	if errv := c.refusedWhileSubscribed(name, args); errv != nil {
		c.refuseInMulti()
		return pendingReply{v: *errv}
	}
	if c.multi && (sc == nil || !sc.immediate) {
		return pendingReply{v: c.enqueue(args, sc)}
	}
	if !c.srv.node.IsReady() && (sc == nil || !sc.loadingOK) {
		return pendingReply{v: errorReply(cluster.ErrLoading)}
	}
	if sc != nil {
		return pendingReply{v: sc.run(c, args)}
	}
	if dc.Flags&fsm.FlagBlocking != 0 {
		return pendingReply{v: c.blockingPop(args)}
	}
	if dc.Flags&fsm.FlagPubSub != 0 {
		return c.publish(args)
	}
	if dc.IsWrite() {
		return pendingReply{prop: c.propose(&fsm.Entry{
			Type: fsm.EntryCommand,
			Cmds: []fsm.Cmd{{DB: c.db, Args: args}},
		})}
	}
	return pendingReply{v: c.read(args)}
}

// read serves a read-only command from the local state once a read there
// is linearizable, or at once on a READONLY connection.
func (c *conn) read(args [][]byte) reply.Value {
	c.settle()
	if err := c.readBarrier(); err != nil {
		return errorReply(err)
	}
	return c.srv.store.Read(c.db, args, time.Now().UnixMilli(), rand.Uint64())
}

func (c *conn) readBarrier() error {
	if c.readonly {
		return c.srv.node.StaleRead()
	}
	reads := c.rd.Reads()
	if c.fresh && c.freshReads == reads {
		return nil
	}
	if err := c.srv.node.LinearizableRead(context.Background()); err != nil {
		return err
	}
	c.fresh, c.freshReads = true, reads
	return nil
}

// propose starts a write of this connection; a later read needs a new
// barrier to be sure to see it.
func (c *conn) propose(e *fsm.Entry) *cluster.Proposal {
	c.fresh = false
	return c.pl.Propose(e)
}

func (c *conn) refuseInMulti() {
	if c.multi {
		c.multiDirty = true
	}
}

func (c *conn) enqueue(args [][]byte, sc *serverCommand) reply.Value {
	if sc != nil && sc.name == "select" {
		// An invalid index is queued too: it fails when EXEC runs it.
		if n, errv := parseDB(args[1]); errv == nil {
			c.queueDB = n
		}
	}
	c.queue = append(c.queue, queued{args: args, db: c.queueDB, local: sc})
	return reply.Queued()
}

func arityOK(arity, argc int) bool {
	if arity >= 0 {
		return argc == arity
	}
	return argc >= -arity
}

// unknownCommand words the error as Redis 7 does, quoting at most 128
// characters of arguments.
func unknownCommand(args [][]byte) reply.Value {
	var b strings.Builder
	for _, a := range args[1:] {
		if b.Len() >= 128 {
			break
		}
		s := string(a)
		if room := 128 - b.Len(); len(s) > room {
			s = s[:room]
		}
		b.WriteString("'" + s + "' ")
	}
	name := string(args[0])
	if len(name) > 128 {
		name = name[:128]
	}
	return reply.Err("ERR unknown command '" + name + "', with args beginning with: " + b.String())
}
