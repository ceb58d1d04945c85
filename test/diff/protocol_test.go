package diff

import (
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redraft/redraft/internal/testutil"
)

// protocolCases are raw byte inputs, valid and malformed, that are sent as is
// to both servers. The bytes each server sends back, and whether it closed
// the connection, must be the same. Each case uses its own keys because the
// cases run in parallel on the same servers.
var protocolCases = []struct {
	name  string
	input string
}{
	// Inline commands.
	{"inline ping", "PING\r\n"},
	{"inline lf terminated", "PING\nPING\n"},
	{"inline lower case", "ping\r\n"},
	{"inline with argument", "ECHO hello\r\n"},
	{"inline spaces and tabs", "   ECHO \t hello   \r\n"},
	{"inline double quotes", "SET \"in line\" \"a b\"\r\nGET \"in line\"\r\nDEL \"in line\"\r\n"},
	{"inline escapes", "ECHO \"\\x41\\x42\\n\\t\\\"\\\\\"\r\n"},
	{"inline single quotes", "ECHO 'it\\'s'\r\n"},
	{"inline empty quoted arg", "ECHO \"\"\r\n"},
	{"inline unbalanced double quotes", "ECHO \"abc\r\n"},
	{"inline unbalanced single quotes", "ECHO 'abc\r\n"},
	{"inline closing quote not followed by space", "ECHO \"a\"b\r\n"},
	{"inline empty lines are ignored", "\r\n\r\n\nPING\r\n"},
	{"inline blank line is ignored", "   \r\nPING\r\n"},
	{"inline unknown command", "NOSUCHCMD a b\r\n"},
	{"inline wrong arity", "ECHO\r\n"},
	{"inline too big", strings.Repeat("a", 70000)},
	{"inline then multibulk", "PING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n"},
	{"inline partial line waits", "PIN"},
	// Multibulk requests.
	{"multibulk ping", "*1\r\n$4\r\nPING\r\n"},
	{"multibulk empty", "*0\r\nPING\r\n"},
	{"multibulk minus one", "*-1\r\nPING\r\n"},
	{"multibulk negative", "*-5\r\nPING\r\n"},
	{"multibulk count not a number", "*abc\r\n"},
	{"multibulk count with plus sign", "*+1\r\n$4\r\nPING\r\n"},
	{"multibulk count with leading zero", "*01\r\n$4\r\nPING\r\n"},
	{"multibulk count with space", "* 1\r\n$4\r\nPING\r\n"},
	{"multibulk count above INT_MAX", "*2147483648\r\n"},
	{"multibulk count huge", "*99999999999\r\n"},
	{"multibulk count header too long", "*" + strings.Repeat("1", 70000)},
	{"multibulk large count waits", "*1048577\r\n$4\r\nPING\r\n"},
	{"bulk length huge", "*1\r\n$999999999999\r\n"},
	{"bulk length above proto-max-bulk-len", "*1\r\n$536870913\r\n"},
	{"bulk length minus one", "*1\r\n$-1\r\n"},
	{"bulk length not a number", "*1\r\n$abc\r\n"},
	{"bulk length header too long", "*1\r\n$" + strings.Repeat("1", 70000)},
	{"expected dollar got colon", "*1\r\n:1\r\n"},
	{"expected dollar got letter", "*2\r\n$4\r\nECHO\r\nhello\r\n"},
	{"bulk not terminated by CRLF", "*2\r\n$4\r\nECHO\r\n$3\r\nabcXXPING\r\n"},
	{"bulk partial waits", "*2\r\n$4\r\nECHO\r\n$5\r\nab"},
	{"multibulk binary argument", "*2\r\n$4\r\nECHO\r\n$5\r\na\x00\r\nb\r\n"},
	{"multibulk empty argument", "*2\r\n$4\r\nECHO\r\n$0\r\n\r\n"},
	{"multibulk empty command name", "*1\r\n$0\r\n\r\n"},
	{"multibulk unknown command with args", "*3\r\n$3\r\nFOO\r\n$1\r\na\r\n$0\r\n\r\n"},
	{"multibulk pipeline", "*3\r\n$3\r\nSET\r\n$6\r\npipe:k\r\n$1\r\nv\r\n" +
		"*2\r\n$3\r\nGET\r\n$6\r\npipe:k\r\n*2\r\n$6\r\nEXISTS\r\n$6\r\npipe:k\r\n" +
		"*2\r\n$3\r\nDEL\r\n$6\r\npipe:k\r\n*2\r\n$3\r\nGET\r\n$6\r\npipe:k\r\n"},
	{"multibulk then inline", "*1\r\n$4\r\nPING\r\nECHO x\r\n"},
	{"quit inline", "QUIT\r\nPING\r\n"},
	{"quit multibulk", "*1\r\n$4\r\nQUIT\r\n*1\r\n$4\r\nPING\r\n"},
	{"error then close discards the rest", "*1\r\n$-5\r\nPING\r\n"},
}

func Test_Protocol(t *testing.T) {
	ref, sut, sutName := servers(t)
	// The exchanges wait for the servers to fall silent, so they run all at
	// once (t.Parallel would be limited to GOMAXPROCS at a time).
	type result struct {
		want, got             string
		wantClosed, gotClosed bool
	}
	results := make([]result, len(protocolCases))
	var wg sync.WaitGroup
	for i, tc := range protocolCases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i].want, results[i].wantClosed = exchange(t, "redis-server", ref, tc.input, 0)
			// Wait longer for the server under test while it has sent less
			// than the reference did (a write through the log is slower).
			results[i].got, results[i].gotClosed = exchange(t, sutName, sut, tc.input, len(results[i].want))
		}()
	}
	wg.Wait()
	for i, tc := range protocolCases {
		t.Run(tc.name, func(t *testing.T) {
			r := results[i]
			t.Logf("redis-server: %s, %s", strconv.Quote(r.want), closedDesc(r.wantClosed))
			if r.want != r.got || r.wantClosed != r.gotClosed {
				t.Errorf("input %s:\n  redis-server replied %s and %s\n  %s replied %s and %s",
					abbrev(tc.input), strconv.Quote(r.want), closedDesc(r.wantClosed),
					sutName, strconv.Quote(r.got), closedDesc(r.gotClosed))
			}
		})
	}
}

// exchange sends input on a fresh connection and returns everything the
// server sent back until it closed the connection or fell silent.
func exchange(t *testing.T, name, addr, input string, expect int) (string, bool) {
	c, err := testutil.Dial(addr)
	if err != nil {
		t.Errorf("dial %s at %s: %v", name, addr, err)
		return "", false
	}
	defer c.Close()
	_ = c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte(input)); err != nil {
		// The server may close the connection before it has read all the
		// input (it rejects it early); what it replied is still readable.
		t.Logf("%s: write: %v", name, err)
	}
	data, closed := readAll(c, expect, 700*time.Millisecond, 10*time.Second)
	return string(data), closed
}

func closedDesc(closed bool) string {
	if closed {
		return "closed the connection"
	}
	return "kept the connection open"
}

func abbrev(s string) string {
	if len(s) > 120 {
		return strconv.Quote(s[:100]) + "... (" + strconv.Itoa(len(s)) + " bytes)"
	}
	return strconv.Quote(s)
}
