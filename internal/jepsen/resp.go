package jepsen

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// Limits on replies, so a confused or hostile server cannot make a client
// allocate without bound.
const (
	maxBulkLen  = 1 << 20
	maxArrayLen = 1 << 20
	maxLineLen  = 64 << 10
)

// ReplyError is an error reply (-CODE message) from the server. Its code
// decides whether the command can have been applied.
type ReplyError string

func (e ReplyError) Error() string { return string(e) }

// Code is the first word of the error, e.g. "CLUSTERDOWN".
func (e ReplyError) Code() string {
	for i := range len(e) {
		if e[i] == ' ' {
			return string(e[:i])
		}
	}
	return string(e)
}

// TransportError is a failure to talk to the server. Sent tells whether any
// byte of the command may have reached it: only when it is false is the
// command certainly not applied.
type TransportError struct {
	Stage string // "dial", "write" or "read"
	Sent  bool
	Err   error
}

func (e *TransportError) Error() string { return e.Stage + ": " + e.Err.Error() }

func (e *TransportError) Unwrap() error { return e.Err }

// ProtocolError is a reply this client cannot parse or did not expect; the
// connection is out of step with the server afterwards and must be closed,
// and the command may have been applied.
type ProtocolError string

func (e ProtocolError) Error() string { return "protocol error: " + string(e) }

// protocolErrorf builds a ProtocolError.
func protocolErrorf(format string, args ...any) error {
	return ProtocolError(fmt.Sprintf(format, args...))
}

// conn is one RESP2 connection. It sends one command at a time and never
// retries, so each history entry is exactly one attempt.
type conn struct {
	nc net.Conn
	r  *bufio.Reader
}

// dial connects to addr before deadline or until ctx ends. Nothing has
// been sent if it fails.
func dial(ctx context.Context, addr string, deadline time.Time) (*conn, error) {
	d := net.Dialer{Deadline: deadline}
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, &TransportError{Stage: "dial", Sent: false, Err: err}
	}
	return &conn{nc: nc, r: bufio.NewReader(nc)}, nil
}

func (c *conn) close() { _ = c.nc.Close() }

// interrupt makes a blocked do return at once (used when the caller's
// context ends).
func (c *conn) interrupt() { _ = c.nc.SetDeadline(time.Unix(1, 0)) }

// do sends one command and reads its reply before deadline. Errors are a
// ReplyError (the connection stays usable), a *TransportError, or a
// ProtocolError.
func (c *conn) do(deadline time.Time, args ...string) (Value, error) {
	if err := c.nc.SetDeadline(deadline); err != nil {
		return Value{}, &TransportError{Stage: "write", Sent: false, Err: err}
	}
	// One Write: if it reports zero bytes written, the kernel accepted
	// nothing and the server cannot have seen the command.
	if n, err := c.nc.Write(encodeCommand(args)); err != nil {
		return Value{}, &TransportError{Stage: "write", Sent: n > 0, Err: err}
	}
	v, err := readReply(c.r)
	var re ReplyError
	var pe ProtocolError
	if err != nil && !errors.As(err, &re) && !errors.As(err, &pe) {
		return Value{}, &TransportError{Stage: "read", Sent: true, Err: err}
	}
	return v, err
}

// encodeCommand renders args as a RESP array of bulk strings.
func encodeCommand(args []string) []byte {
	b := make([]byte, 0, 16+16*len(args))
	b = fmt.Appendf(b, "*%d\r\n", len(args))
	for _, a := range args {
		b = fmt.Appendf(b, "$%d\r\n", len(a))
		b = append(b, a...)
		b = append(b, '\r', '\n')
	}
	return b
}

// readReply parses one RESP2 reply. Arrays may only hold strings, which is
// all LRANGE returns.
func readReply(r *bufio.Reader) (Value, error) {
	line, err := readLine(r)
	if err != nil {
		return Value{}, err
	}
	if len(line) == 0 {
		return Value{}, protocolErrorf("empty line")
	}
	body := line[1:]
	switch line[0] {
	case '+':
		return Value{Str: body}, nil
	case '-':
		return Value{}, ReplyError(body)
	case ':':
		n, err := strconv.ParseInt(body, 10, 64)
		if err != nil {
			return Value{}, protocolErrorf("integer %q", body)
		}
		return Value{Int: n}, nil
	case '$':
		return readBulk(r, body)
	case '*':
		return readArray(r, body)
	case '_':
		return Value{Nil: true}, nil
	}
	return Value{}, protocolErrorf("unexpected reply %q", line)
}

func readBulk(r *bufio.Reader, lenStr string) (Value, error) {
	n, err := strconv.Atoi(lenStr)
	if err != nil || n < -1 || n > maxBulkLen {
		return Value{}, protocolErrorf("bulk length %q", lenStr)
	}
	if n == -1 {
		return Value{Nil: true}, nil
	}
	buf := make([]byte, n+2)
	if _, err := io.ReadFull(r, buf); err != nil {
		return Value{}, err
	}
	if buf[n] != '\r' || buf[n+1] != '\n' {
		return Value{}, protocolErrorf("bulk not terminated by CRLF")
	}
	return Value{Str: string(buf[:n])}, nil
}

func readArray(r *bufio.Reader, lenStr string) (Value, error) {
	n, err := strconv.Atoi(lenStr)
	if err != nil || n < -1 || n > maxArrayLen {
		return Value{}, protocolErrorf("array length %q", lenStr)
	}
	if n == -1 {
		return Value{Nil: true}, nil
	}
	list := make([]string, 0, min(n, 1024))
	for range n {
		e, err := readArrayString(r)
		if err != nil {
			return Value{}, err
		}
		list = append(list, e)
	}
	return Value{List: list}, nil
}

// readArrayString reads an array element, which must be a bulk or simple
// string: the workload only reads arrays of list elements.
func readArrayString(r *bufio.Reader) (string, error) {
	line, err := readLine(r)
	if err != nil {
		return "", err
	}
	switch {
	case len(line) > 0 && line[0] == '+':
		return line[1:], nil
	case len(line) > 0 && line[0] == '$':
		v, err := readBulk(r, line[1:])
		if err == nil && v.Nil {
			err = protocolErrorf("nil inside array")
		}
		return v.Str, err
	}
	return "", protocolErrorf("unexpected array element %q", line)
}

// readLine reads up to CRLF, refusing lines longer than maxLineLen.
func readLine(r *bufio.Reader) (string, error) {
	var line []byte
	for len(line) <= maxLineLen {
		chunk, err := r.ReadSlice('\n')
		line = append(line, chunk...)
		if err == nil {
			if len(line) < 2 || line[len(line)-2] != '\r' {
				return "", protocolErrorf("line not terminated by CRLF")
			}
			return string(line[:len(line)-2]), nil
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return "", err
		}
	}
	return "", protocolErrorf("line longer than %d bytes", maxLineLen)
}
