package cluster

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/hashicorp/raft"
)

// One TCP port carries both Raft traffic and the nodes' internal RPC
// (forwarded writes, read index, membership), so forwarding needs no address
// beyond the Raft address every member already knows. The first byte of a
// connection says which it is.
const (
	streamRaft byte = 'R'
	streamRPC  byte = 'F'
	// headerTimeout bounds how long an accepted connection may take to say
	// what it is.
	headerTimeout = 5 * time.Second
	maxClusterID  = 128
)

// mux accepts connections on the Raft port and hands each to the Raft
// transport or to the RPC server.
//
// A Raft connection also carries the dialer's cluster ID: a node never
// exchanges Raft messages with a node of another cluster, so a data dir from
// an old cluster cannot be pulled into (or disrupt) a new one that happens to
// reuse its address.
type mux struct {
	ln        net.Listener
	advertise net.Addr
	clusterID func() string
	log       *slog.Logger

	raftCh chan net.Conn
	rpc    func(net.Conn)

	closeOnce sync.Once
	closed    chan struct{}
}

func newMux(ln net.Listener, advertise net.Addr, clusterID func() string, log *slog.Logger) *mux {
	return &mux{ln: ln, advertise: advertise, clusterID: clusterID, log: log, raftCh: make(chan net.Conn, 16), closed: make(chan struct{})}
}

// serve accepts until the listener is closed; rpc handles RPC connections.
func (m *mux) serve(rpc func(net.Conn)) {
	m.rpc = rpc
	for {
		c, err := m.ln.Accept()
		if err != nil {
			select {
			case <-m.closed:
				return
			default:
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(5 * time.Millisecond)
				continue
			}
			m.log.Error("raft listener failed", "err", err)
			return
		}
		go m.route(c)
	}
}

func (m *mux) route(c net.Conn) {
	c.SetReadDeadline(time.Now().Add(headerTimeout))
	br := bufio.NewReader(c)
	kind, err := br.ReadByte()
	if err != nil {
		c.Close()
		return
	}
	switch kind {
	case streamRaft:
		theirs, err := readClusterID(br)
		if err != nil {
			c.Close()
			return
		}
		if ours := m.clusterID(); ours != "" && theirs != "" && ours != theirs {
			m.log.Warn("refused raft connection from another cluster", "remote", c.RemoteAddr().String(), "their_cluster", theirs, "our_cluster", ours)
			c.Close()
			return
		}
		c.SetReadDeadline(time.Time{})
		select {
		case m.raftCh <- &bufferedConn{Conn: c, r: br}:
		case <-m.closed:
			c.Close()
		}
	case streamRPC:
		c.SetReadDeadline(time.Time{})
		m.rpc(&bufferedConn{Conn: c, r: br})
	default:
		c.Close()
	}
}

func readClusterID(r *bufio.Reader) (string, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return "", err
	}
	if n > maxClusterID {
		return "", fmt.Errorf("cluster id of %d bytes", n)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", err
	}
	return string(b), nil
}

func (m *mux) close() {
	m.closeOnce.Do(func() {
		close(m.closed)
		m.ln.Close()
	})
}

// dial opens a connection of the given kind to a member's Raft address.
func (m *mux) dial(addr string, kind byte, timeout time.Duration) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, err
	}
	hdr := []byte{kind}
	if kind == streamRaft {
		id := m.clusterID()
		hdr = binary.AppendUvarint(hdr, uint64(len(id)))
		hdr = append(hdr, id...)
	}
	c.SetWriteDeadline(time.Now().Add(timeout))
	if _, err := c.Write(hdr); err != nil {
		c.Close()
		return nil, err
	}
	c.SetWriteDeadline(time.Time{})
	return c, nil
}

// bufferedConn is a connection whose first bytes were read through r.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// raftLayer is the raft.StreamLayer over the mux.
type raftLayer struct{ m *mux }

var _ raft.StreamLayer = raftLayer{}

func (l raftLayer) Accept() (net.Conn, error) {
	select {
	case c := <-l.m.raftCh:
		return c, nil
	case <-l.m.closed:
		return nil, net.ErrClosed
	}
}

func (l raftLayer) Close() error { l.m.close(); return nil }

func (l raftLayer) Addr() net.Addr { return l.m.advertise }

func (l raftLayer) Dial(addr raft.ServerAddress, timeout time.Duration) (net.Conn, error) {
	return l.m.dial(string(addr), streamRaft, timeout)
}
