package resp

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func readAll(t *testing.T, input string, authed bool) ([][]string, error) {
	t.Helper()
	r := NewReader(strings.NewReader(input), 0)
	r.SetAuthenticated(authed)
	var out [][]string
	for {
		args, err := r.ReadCommand()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return out, err
		}
		var cmd []string
		for _, a := range args {
			cmd = append(cmd, string(a))
		}
		out = append(out, cmd)
	}
}

func Test_ReaderParses(t *testing.T) {
	cases := []struct {
		name, in string
		want     [][]string
	}{
		{"multibulk", "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", [][]string{{"GET", "k"}}},
		{"pipeline", "*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\n", [][]string{{"PING"}, {"PING"}}},
		{"empty bulk", "*2\r\n$3\r\nGET\r\n$0\r\n\r\n", [][]string{{"GET", ""}}},
		{"binary bulk", "*2\r\n$4\r\nECHO\r\n$4\r\n\r\n\x00\xff\r\n", [][]string{{"ECHO", "\r\n\x00\xff"}}},
		{"zero and negative counts skipped", "*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n", [][]string{{"PING"}}},
		{"inline", "SET a b\r\n", [][]string{{"SET", "a", "b"}}},
		{"inline lf only", "PING\n", [][]string{{"PING"}}},
		{"inline blank lines skipped", "\r\n\r\nPING\r\n", [][]string{{"PING"}}},
		{"inline double quotes", "SET \"a b\" \"x\\ny\\x41\"\r\n", [][]string{{"SET", "a b", "x\nyA"}}},
		{"inline single quotes", "SET 'a \\' b' c\r\n", [][]string{{"SET", "a ' b", "c"}}},
		{"inline empty quoted", "SET k \"\"\r\n", [][]string{{"SET", "k", ""}}},
		{"inline extra spaces", "  GET    k  \r\n", [][]string{{"GET", "k"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readAll(t, tc.in, true)
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
			for i := range got {
				if strings.Join(got[i], "\x00") != strings.Join(tc.want[i], "\x00") {
					t.Fatalf("command %d: got %q, want %q", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func Test_ReaderProtocolErrors(t *testing.T) {
	cases := []struct {
		name, in string
		authed   bool
		want     string
	}{
		{"bad count", "*x\r\n", true, "Protocol error: invalid multibulk length"},
		{"huge count", "*99999999999\r\n", true, "Protocol error: invalid multibulk length"},
		{"missing dollar", "*1\r\n+PING\r\n", true, "Protocol error: expected '$', got '+'"},
		{"bad bulk length", "*1\r\n$x\r\n", true, "Protocol error: invalid bulk length"},
		{"negative bulk length", "*1\r\n$-1\r\n", true, "Protocol error: invalid bulk length"},
		{"bulk over limit", "*1\r\n$999999999999\r\n", true, "Protocol error: invalid bulk length"},
		{"unbalanced quotes", "SET \"a b\r\n", true, "Protocol error: unbalanced quotes in request"},
		{"quote not followed by space", "SET \"a\"b\r\n", true, "Protocol error: unbalanced quotes in request"},
		{"inline too big", strings.Repeat("a", maxInlineSize+10), true, "Protocol error: too big inline request"},
		{"count line too big", "*" + strings.Repeat("1", maxInlineSize+10), true, "Protocol error: too big mbulk count string"},
		{"unauthenticated count", "*11\r\n", false, "Protocol error: unauthenticated multibulk length"},
		{"unauthenticated bulk", "*1\r\n$20000\r\n", false, "Protocol error: unauthenticated bulk length"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readAll(t, tc.in, tc.authed)
			var pe *ProtocolError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want protocol error %q", err, tc.want)
			}
			if pe.Error() != tc.want {
				t.Fatalf("got %q, want %q", pe.Error(), tc.want)
			}
		})
	}
}

// A truncated frame is not a protocol error: the reader waits for more and
// reports the connection's EOF.
func Test_ReaderTruncated(t *testing.T) {
	full := "*2\r\n$3\r\nGET\r\n$5\r\nhello\r\n"
	for i := 1; i < len(full); i++ {
		r := NewReader(strings.NewReader(full[:i]), 0)
		_, err := r.ReadCommand()
		var pe *ProtocolError
		if errors.As(err, &pe) || err == nil {
			t.Fatalf("prefix %q: got %v, want an EOF", full[:i], err)
		}
	}
}

// The reader does not allocate what a client announces before it sends it.
func Test_ReaderLargeAnnouncedBulkIsNotPreallocated(t *testing.T) {
	r := NewReader(strings.NewReader("*1\r\n$500000000\r\nabc"), 0)
	_, err := r.ReadCommand()
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("got %v, want unexpected EOF", err)
	}
}

func FuzzReader(f *testing.F) {
	for _, s := range []string{
		"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", "PING\r\n", "SET \"a\\x41\" 'b'\r\n", "*-1\r\n", "*1\r\n$-5\r\n",
		"*3\r\n$3\r\nSET\r\n$1\r\na\r\n$0\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(bytes.NewReader(data), 1<<20)
		for i := 0; i < 1000; i++ {
			args, err := r.ReadCommand()
			if err != nil {
				return
			}
			if len(args) == 0 {
				t.Fatal("an empty command was returned")
			}
		}
	})
}

func FuzzSplitArgs(f *testing.F) {
	f.Add([]byte(`SET "a b" 'c' "\x41\n"`))
	f.Fuzz(func(t *testing.T, line []byte) {
		splitArgs(line)
	})
}
