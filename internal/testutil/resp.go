package testutil

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// Value is one RESP2 or RESP3 reply exactly as it came off the wire.
//
// Type is the reply's type byte: '+' simple string, '-' error, ':' integer,
// '$' bulk string, '*' array, '_' null, ',' double, '#' boolean, '%' map,
// '~' set, '=' verbatim string, '(' big number, '>' push, '|' attribute.
// Str holds the payload of every non-aggregate type as sent (the digits of an
// integer, "t"/"f" for a boolean, the "txt:" prefix of a verbatim string).
// Null marks the RESP2 nulls $-1 and *-1. Elems holds the elements of
// aggregates; a map's are flat: key, value, key, value. Attrs holds the
// attribute ('|') that preceded the reply, if any.
type Value struct {
	Type  byte
	Str   string
	Null  bool
	Elems []Value
	Attrs []Value
}

// IsAggregate tells whether v has elements.
func (v Value) IsAggregate() bool {
	switch v.Type {
	case '*', '%', '~', '>':
		return !v.Null
	}
	return false
}

// Encode renders v back into the RESP bytes it was read from.
func (v Value) Encode() []byte {
	var b strings.Builder
	v.encode(&b)
	return []byte(b.String())
}

func (v Value) encode(b *strings.Builder) {
	if len(v.Attrs) > 0 {
		fmt.Fprintf(b, "|%d\r\n", len(v.Attrs)/2)
		for _, a := range v.Attrs {
			a.encode(b)
		}
	}
	switch v.Type {
	case '$', '=', '!':
		if v.Null {
			fmt.Fprintf(b, "%c-1\r\n", v.Type)
			return
		}
		fmt.Fprintf(b, "%c%d\r\n%s\r\n", v.Type, len(v.Str), v.Str)
	case '*', '~', '>', '%':
		if v.Null {
			fmt.Fprintf(b, "%c-1\r\n", v.Type)
			return
		}
		n := len(v.Elems)
		if v.Type == '%' {
			n /= 2
		}
		fmt.Fprintf(b, "%c%d\r\n", v.Type, n)
		for _, e := range v.Elems {
			e.encode(b)
		}
	case '_':
		b.WriteString("_\r\n")
	default:
		fmt.Fprintf(b, "%c%s\r\n", v.Type, v.Str)
	}
}

// String renders v readably for test failure messages, one element per line
// for aggregates, with the RESP type of every value shown.
func (v Value) String() string {
	var b strings.Builder
	v.format(&b, "")
	return b.String()
}

var typeNames = map[byte]string{
	'+': "simple", '-': "error", ':': "integer", '$': "bulk", '*': "array",
	'_': "null", ',': "double", '#': "boolean", '%': "map", '~': "set",
	'=': "verbatim", '(': "bignum", '>': "push", '!': "blob-error",
}

func (v Value) format(b *strings.Builder, indent string) {
	name := typeNames[v.Type]
	if name == "" {
		name = fmt.Sprintf("type %q", v.Type)
	}
	if len(v.Attrs) > 0 {
		fmt.Fprintf(b, "(attributes %d) ", len(v.Attrs)/2)
	}
	switch {
	case v.Null:
		fmt.Fprintf(b, "(%s nil)", name)
	case v.Type == '_':
		b.WriteString("(null)")
	case v.IsAggregate():
		if len(v.Elems) == 0 {
			fmt.Fprintf(b, "(empty %s)", name)
			return
		}
		fmt.Fprintf(b, "(%s of %d)", name, len(v.Elems))
		for i, e := range v.Elems {
			fmt.Fprintf(b, "\n%s  %d) ", indent, i+1)
			e.format(b, indent+"    ")
		}
	default:
		fmt.Fprintf(b, "(%s) %s", name, strconv.Quote(v.Str))
	}
}

// ErrProtocol is wrapped by the errors that ReadValue returns for input that
// is not valid RESP.
var ErrProtocol = errors.New("invalid RESP")

// maxBulk bounds the lengths that ReadValue accepts, so that a corrupt length
// cannot make a test allocate gigabytes.
const maxBulk = 512 << 20

// ReadValue reads one complete reply from r.
func ReadValue(r *bufio.Reader) (Value, error) {
	line, err := readLine(r)
	if err != nil {
		return Value{}, err
	}
	if len(line) == 0 {
		return Value{}, fmt.Errorf("%w: empty line", ErrProtocol)
	}
	t, rest := line[0], line[1:]
	switch t {
	case '+', '-', ',', '(':
		return Value{Type: t, Str: rest}, nil
	case ':':
		if _, err := strconv.ParseInt(rest, 10, 64); err != nil {
			return Value{}, fmt.Errorf("%w: bad integer %q", ErrProtocol, rest)
		}
		return Value{Type: t, Str: rest}, nil
	case '#':
		if rest != "t" && rest != "f" {
			return Value{}, fmt.Errorf("%w: bad boolean %q", ErrProtocol, rest)
		}
		return Value{Type: t, Str: rest}, nil
	case '_':
		if rest != "" {
			return Value{}, fmt.Errorf("%w: bad null %q", ErrProtocol, line)
		}
		return Value{Type: t}, nil
	case '$', '=', '!':
		n, err := parseLen(rest)
		if err != nil {
			return Value{}, err
		}
		if n < 0 {
			if t != '$' || n != -1 {
				return Value{}, fmt.Errorf("%w: bad length in %q", ErrProtocol, line)
			}
			return Value{Type: t, Null: true}, nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return Value{}, err
		}
		if buf[n] != '\r' || buf[n+1] != '\n' {
			return Value{}, fmt.Errorf("%w: bulk string not terminated by CRLF", ErrProtocol)
		}
		return Value{Type: t, Str: string(buf[:n])}, nil
	case '*', '~', '>', '%', '|':
		n, err := parseLen(rest)
		if err != nil {
			return Value{}, err
		}
		if n < 0 {
			if t != '*' || n != -1 {
				return Value{}, fmt.Errorf("%w: bad length in %q", ErrProtocol, line)
			}
			return Value{Type: t, Null: true}, nil
		}
		if t == '%' || t == '|' {
			n *= 2
		}
		elems := make([]Value, 0, min(n, 1024))
		for range n {
			e, err := ReadValue(r)
			if err != nil {
				return Value{}, err
			}
			elems = append(elems, e)
		}
		if t == '|' {
			v, err := ReadValue(r)
			if err != nil {
				return Value{}, err
			}
			v.Attrs = elems
			return v, nil
		}
		return Value{Type: t, Elems: elems}, nil
	}
	return Value{}, fmt.Errorf("%w: unknown type byte in %q", ErrProtocol, line)
}

func parseLen(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < -1 || n > maxBulk {
		return 0, fmt.Errorf("%w: bad length %q", ErrProtocol, s)
	}
	return n, nil
}

func readLine(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		if err == io.EOF && line != "" {
			return "", io.ErrUnexpectedEOF
		}
		return "", err
	}
	if len(line) < 2 || line[len(line)-2] != '\r' {
		return "", fmt.Errorf("%w: line not terminated by CRLF: %q", ErrProtocol, line)
	}
	return line[:len(line)-2], nil
}

// EncodeCommand renders args as a RESP multibulk request.
func EncodeCommand(args ...string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	return []byte(b.String())
}

// Conn is a raw RESP connection for tests: it sends requests and returns the
// replies unchanged.
type Conn struct {
	net.Conn
	R       *bufio.Reader
	Timeout time.Duration // per request; 10s if zero
}

// Dial connects to addr.
func Dial(addr string) (*Conn, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	return &Conn{Conn: c, R: bufio.NewReader(c)}, nil
}

// MustDial connects to addr and closes the connection when the test ends.
func MustDial(t interface {
	Helper()
	Fatalf(string, ...any)
	Cleanup(func())
}, addr string) *Conn {
	t.Helper()
	c, err := Dial(addr)
	if err != nil {
		t.Fatalf("testutil: dial %s: %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// Do sends one command and reads its reply.
func (c *Conn) Do(args ...string) (Value, error) {
	timeout := c.Timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	if err := c.SetDeadline(time.Now().Add(timeout)); err != nil {
		return Value{}, err
	}
	if _, err := c.Write(EncodeCommand(args...)); err != nil {
		return Value{}, err
	}
	return ReadValue(c.R)
}
