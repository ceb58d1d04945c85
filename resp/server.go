package resp

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redraft/redraft/cluster"
	"github.com/redraft/redraft/fsm"
)

// Config configures the RESP listener.
type Config struct {
	// RequirePass, when set, makes clients AUTH first.
	RequirePass string
	// MaxBulkLen is proto-max-bulk-len.
	MaxBulkLen int64
	// Port and DataDir are reported by INFO and CONFIG GET.
	Port    int
	DataDir string
	NodeID  string
	Logger  *slog.Logger
	// PubSubOutputLimit is how many bytes of Pub/Sub messages may wait for
	// one subscriber before it is disconnected; DefaultPubSubOutputLimit
	// if zero.
	PubSubOutputLimit int
}

// Server accepts RESP connections and serves them.
type Server struct {
	cfg     Config
	store   *fsm.Store
	node    *cluster.Node
	log     *slog.Logger
	started time.Time
	cmds    map[string]*serverCommand
	stats   commandStats
	hub     *blockHub
	pubsub  *pubsubHub
	done    chan struct{}

	mu      sync.Mutex
	ln      net.Listener
	conns   map[*conn]struct{}
	closing bool
	wg      sync.WaitGroup

	nextID      atomic.Int64
	connsTotal  atomic.Int64
	cmdsTotal   atomic.Int64
	rejectTotal atomic.Int64
}

// NewServer returns a server over the store and the Raft node.
func NewServer(cfg Config, store *fsm.Store, node *cluster.Node) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxBulkLen <= 0 {
		cfg.MaxBulkLen = DefaultMaxBulkLen
	}
	if cfg.PubSubOutputLimit <= 0 {
		cfg.PubSubOutputLimit = DefaultPubSubOutputLimit
	}
	s := &Server{cfg: cfg, store: store, node: node, log: cfg.Logger, started: time.Now(), conns: make(map[*conn]struct{}), done: make(chan struct{})}
	s.cmds = serverCommands()
	s.stats = newCommandStats(s.commandNames())
	s.hub = newBlockHub(s)
	store.OnWrite(s.hub.written)
	s.pubsub = newPubSubHub(s)
	store.OnPublish(s.pubsub.published)
	go s.hub.run(s.done)
	return s
}

// Serve accepts connections on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return net.ErrClosed
	}
	s.ln = ln
	s.mu.Unlock()
	for {
		nc, err := ln.Accept()
		if err != nil {
			s.mu.Lock()
			closing := s.closing
			s.mu.Unlock()
			if closing {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(5 * time.Millisecond)
				continue
			}
			return err
		}
		c := s.newConn(nc)
		s.mu.Lock()
		if s.closing {
			s.mu.Unlock()
			nc.Close()
			continue
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		s.connsTotal.Add(1)
		go func() {
			defer s.wg.Done()
			c.serve()
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
		}()
	}
}

// Shutdown stops accepting, lets every connection finish the command it is
// running and write its reply, then closes them; ctx bounds the wait.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if !s.closing {
		close(s.done)
	}
	s.closing = true
	if s.ln != nil {
		s.ln.Close()
	}
	for c := range s.conns {
		c.closeWhenIdle()
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		for c := range s.conns {
			c.nc.Close()
		}
		s.mu.Unlock()
		return ctx.Err()
	}
}

// clientList snapshots the connections for CLIENT LIST and INFO.
func (s *Server) clientList() []*conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		out = append(out, c)
	}
	return out
}
