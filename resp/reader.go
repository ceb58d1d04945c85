// Package resp serves the Redis protocol: it parses requests, keeps each
// connection's state (database, protocol, MULTI queue, WATCH list) and
// routes commands to the state machine (reads) or the Raft log (writes).
package resp

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strconv"
)

// Limits mirror Redis's defaults and its error texts.
const (
	// maxInlineSize is PROTO_INLINE_MAX_SIZE: the longest inline command or
	// multibulk header line.
	maxInlineSize = 64 << 10
	// maxMultibulkLen bounds the argument count of one command.
	maxMultibulkLen = 1<<31 - 1
	// DefaultMaxBulkLen is proto-max-bulk-len.
	DefaultMaxBulkLen = 512 << 20
	// Unauthenticated clients get much smaller limits, as in Redis 7.
	maxUnauthMultibulk = 10
	maxUnauthBulk      = 16384
	// readChunk bounds how much is allocated ahead of the data actually
	// received, so a huge announced length costs nothing until it arrives.
	readChunk = 1 << 20
)

// ProtocolError is a malformed request. The connection answers it with
// "-ERR Protocol error: ..." and is then closed, as Redis does.
type ProtocolError struct{ msg string }

func (e *ProtocolError) Error() string { return "Protocol error: " + e.msg }

func protoErr(msg string) error { return &ProtocolError{msg} }

// Reader parses commands from a client.
type Reader struct {
	br         *bufio.Reader
	src        *countingReader
	maxBulkLen int64
	// authed relaxes the unauthenticated limits.
	authed bool
}

// NewReader returns a Reader over r with the given bulk length limit.
func NewReader(r io.Reader, maxBulkLen int64) *Reader {
	if maxBulkLen <= 0 {
		maxBulkLen = DefaultMaxBulkLen
	}
	src := &countingReader{r: r}
	return &Reader{br: bufio.NewReaderSize(src, 16<<10), src: src, maxBulkLen: maxBulkLen, authed: true}
}

// countingReader counts the reads from the connection.
type countingReader struct {
	r     io.Reader
	reads uint64
}

func (c *countingReader) Read(p []byte) (int, error) {
	c.reads++
	return c.r.Read(p)
}

// Reads is how many times the connection has been read from: commands
// parsed while it stays the same had all arrived before it was taken.
func (r *Reader) Reads() uint64 { return r.src.reads }

// SetAuthenticated switches between the unauthenticated and normal limits.
func (r *Reader) SetAuthenticated(ok bool) { r.authed = ok }

// Buffered reports how many bytes are already read from the connection but
// not parsed: more pipelined commands are waiting when it is non-zero.
func (r *Reader) Buffered() int { return r.br.Buffered() }

// ReadCommand returns the next command's arguments. Empty commands (an
// empty inline line, "*0") are skipped, as Redis does.
func (r *Reader) ReadCommand() ([][]byte, error) {
	for {
		b, err := r.br.Peek(1)
		if err != nil {
			return nil, err
		}
		var args [][]byte
		if b[0] == '*' {
			args, err = r.readMultibulk()
		} else {
			args, err = r.readInline()
		}
		if err != nil {
			return nil, err
		}
		if len(args) > 0 {
			return args, nil
		}
	}
}

// readLine reads a line ending in "\n" (the "\r" is stripped when present).
// Like Redis it fails with tooBig as soon as more than maxInlineSize bytes
// have arrived without a newline, rather than waiting for one.
func (r *Reader) readLine(tooBig string) ([]byte, error) {
	var line []byte
	for {
		if r.br.Buffered() == 0 {
			if _, err := r.br.Peek(1); err != nil {
				return nil, err
			}
		}
		buf, _ := r.br.Peek(r.br.Buffered())
		if i := bytes.IndexByte(buf, '\n'); i >= 0 {
			line = append(line, buf[:i]...)
			r.br.Discard(i + 1)
			if len(line) > maxInlineSize {
				return nil, protoErr(tooBig)
			}
			if n := len(line); n > 0 && line[n-1] == '\r' {
				line = line[:n-1]
			}
			return line, nil
		}
		line = append(line, buf...)
		r.br.Discard(len(buf))
		if len(line) > maxInlineSize {
			return nil, protoErr(tooBig)
		}
	}
}

// parseLength parses a RESP length as Redis's string2ll does: an optional
// minus sign, no plus sign, no leading zeros, no spaces.
func parseLength(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	neg := b[0] == '-'
	digits := b
	if neg {
		digits = b[1:]
	}
	if len(digits) == 0 || (digits[0] == '0' && len(digits) > 1) || (neg && digits[0] == '0') {
		return 0, false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseInt(string(b), 10, 64)
	return v, err == nil
}

func (r *Reader) readInline() ([][]byte, error) {
	line, err := r.readLine("too big inline request")
	if err != nil {
		return nil, err
	}
	args, ok := splitArgs(line)
	if !ok {
		return nil, protoErr("unbalanced quotes in request")
	}
	return args, nil
}

func (r *Reader) readMultibulk() ([][]byte, error) {
	line, err := r.readLine("too big mbulk count string")
	if err != nil {
		return nil, err
	}
	n, ok := parseLength(line[1:])
	if !ok || n > maxMultibulkLen {
		return nil, protoErr("invalid multibulk length")
	}
	if !r.authed && n > maxUnauthMultibulk {
		return nil, protoErr("unauthenticated multibulk length")
	}
	if n <= 0 {
		return nil, nil
	}
	args := make([][]byte, 0, min(n, 1024))
	for i := int64(0); i < n; i++ {
		arg, err := r.readBulk()
		if err != nil {
			return nil, err
		}
		args = append(args, arg)
	}
	return args, nil
}

func (r *Reader) readBulk() ([]byte, error) {
	line, err := r.readLine("too big bulk count string")
	if err != nil {
		return nil, err
	}
	if len(line) == 0 || line[0] != '$' {
		got := ""
		if len(line) > 0 {
			got = string(line[0])
		}
		return nil, protoErr("expected '$', got '" + got + "'")
	}
	n, ok := parseLength(line[1:])
	if !ok || n < 0 || n > r.maxBulkLen {
		return nil, protoErr("invalid bulk length")
	}
	if !r.authed && n > maxUnauthBulk {
		return nil, protoErr("unauthenticated bulk length")
	}
	buf := make([]byte, 0, min(n+2, readChunk))
	for int64(len(buf)) < n+2 {
		want := min(n+2-int64(len(buf)), readChunk)
		start := len(buf)
		buf = append(buf, make([]byte, want)...)
		if _, err := io.ReadFull(r.br, buf[start:]); err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
	// Redis does not check the trailing CRLF's bytes, only skips them.
	return buf[:n:n], nil
}

// splitArgs splits an inline command line as Redis's sdssplitargs does:
// spaces separate arguments, "double quotes" understand \n \r \t \b \a \\
// \" and \xHH escapes, 'single quotes' only \', and a closing quote must be
// followed by a space or the end of the line.
func splitArgs(line []byte) ([][]byte, bool) {
	var args [][]byte
	p := line
	for {
		p = bytes.TrimLeft(p, " \t\r\n\v\f")
		if len(p) == 0 {
			return args, true
		}
		var cur []byte
		inDQ, inSQ, done := false, false, false
		for !done {
			switch {
			case inDQ:
				if len(p) == 0 {
					return nil, false
				}
				if p[0] == '\\' && len(p) >= 4 && p[1] == 'x' && isHex(p[2]) && isHex(p[3]) {
					cur = append(cur, unhex(p[2])<<4|unhex(p[3]))
					p = p[3:]
				} else if p[0] == '\\' && len(p) >= 2 {
					p = p[1:]
					switch p[0] {
					case 'n':
						cur = append(cur, '\n')
					case 'r':
						cur = append(cur, '\r')
					case 't':
						cur = append(cur, '\t')
					case 'b':
						cur = append(cur, '\b')
					case 'a':
						cur = append(cur, '\a')
					default:
						cur = append(cur, p[0])
					}
				} else if p[0] == '"' {
					if len(p) > 1 && !isSpace(p[1]) {
						return nil, false
					}
					done = true
				} else {
					cur = append(cur, p[0])
				}
			case inSQ:
				if len(p) == 0 {
					return nil, false
				}
				if p[0] == '\\' && len(p) >= 2 && p[1] == '\'' {
					p = p[1:]
					cur = append(cur, '\'')
				} else if p[0] == '\'' {
					if len(p) > 1 && !isSpace(p[1]) {
						return nil, false
					}
					done = true
				} else {
					cur = append(cur, p[0])
				}
			default:
				if len(p) == 0 {
					done = true
					continue
				}
				switch p[0] {
				case ' ', '\n', '\r', '\t', 0:
					done = true
				case '"':
					inDQ = true
				case '\'':
					inSQ = true
				default:
					cur = append(cur, p[0])
				}
			}
			if len(p) > 0 {
				p = p[1:]
			}
		}
		if cur == nil {
			cur = []byte{}
		}
		args = append(args, cur)
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f'
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
