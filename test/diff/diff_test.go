package diff

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redraft/redraft/internal/testutil"
)

func TestMain(m *testing.M) { os.Exit(testutil.Main(m)) }

// servers starts the reference redis-server and the server under test (a
// Redraft node unless REDRAFT_DIFF_TARGET says otherwise) and returns their
// addresses and the name of the server under test.
func servers(t *testing.T) (ref, sut, sutName string) {
	t.Helper()
	ref = testutil.StartRedis(t).Addr()
	switch target := os.Getenv("REDRAFT_DIFF_TARGET"); target {
	case "":
		return ref, testutil.StartRedraft(t, testutil.Options{}).Addr(), "redraft"
	case "redis":
		return ref, testutil.StartRedis(t).Addr(), "redis#2"
	default:
		return ref, target, target
	}
}

// corpusFiles returns the corpus files to run, failing if there are none.
func corpusFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("corpus", "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if only := os.Getenv("REDRAFT_DIFF_FILE"); only != "" {
		files = []string{filepath.Join("corpus", only)}
	}
	if len(files) == 0 {
		t.Fatal("no corpus files found in test/diff/corpus")
	}
	return files
}

func Test_Differential(t *testing.T) {
	files := corpusFiles(t)
	corpus := make(map[string][]corpusCase)
	total := 0
	for _, f := range files {
		cases, err := parseCorpusFile(f)
		if err != nil {
			t.Fatalf("corpus: %v", err)
		}
		if len(cases) == 0 {
			t.Fatalf("corpus file %s has no cases", f)
		}
		corpus[f] = cases
		total += len(cases)
	}
	ref, sut, sutName := servers(t)
	t.Logf("corpus: %d files, %d cases; reference %s, %s %s", len(files), total, ref, sutName, sut)
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			for _, f := range files {
				t.Run(filepath.Base(f), func(t *testing.T) {
					for _, c := range corpus[f] {
						t.Run(c.name(), func(t *testing.T) {
							runCase(t, proto, ref, sut, sutName, c)
						})
					}
				})
			}
		})
	}
}

// endpoint is one side of the comparison.
type endpoint struct {
	name string
	conn *testutil.Conn
}

func dialEndpoint(t *testing.T, name, addr string) endpoint {
	t.Helper()
	c, err := testutil.Dial(addr)
	if err != nil {
		t.Fatalf("dial %s at %s: %v", name, addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return endpoint{name: name, conn: c}
}

// setup runs a case's preamble on one side.
func (e endpoint) setup(t *testing.T, proto int) {
	t.Helper()
	if proto == 3 {
		v, err := e.conn.Do("HELLO", "3")
		if err != nil {
			t.Fatalf("%s: HELLO 3: %v", e.name, err)
		}
		if v.Type != '%' {
			t.Fatalf("%s: HELLO 3 replied %v, want a RESP3 map", e.name, v)
		}
	}
	for _, cmd := range [][]string{{"FLUSHALL"}, {"SELECT", "0"}} {
		v, err := e.conn.Do(cmd...)
		if err != nil {
			t.Fatalf("%s: %s: %v", e.name, strings.Join(cmd, " "), err)
		}
		if v.Type != '+' || v.Str != "OK" {
			t.Fatalf("%s: %s replied %v, want +OK", e.name, strings.Join(cmd, " "), v)
		}
	}
}

const maxMismatchesPerCase = 10

func runCase(t *testing.T, proto int, refAddr, sutAddr, sutName string, c corpusCase) {
	ref := dialEndpoint(t, "redis-server", refAddr)
	sut := dialEndpoint(t, sutName, sutAddr)
	ref.setup(t, proto)
	sut.setup(t, proto)
	mismatches := 0
	for _, l := range c.lines {
		want, err := ref.conn.Do(l.args...)
		if err != nil {
			t.Fatalf("%s: RESP%d: %s\n  reference redis-server failed: %v (is the corpus line valid?)", l.where(), proto, l.text, err)
		}
		got, err := sut.conn.Do(l.args...)
		if err != nil {
			t.Fatalf("%s: RESP%d: %s\n  redis-server: %v\n  %s: no reply: %v",
				l.where(), proto, l.text, want, sutName, err)
		}
		if diff := compareReplies(l.mode, l.args[0], want, got); diff != "" {
			mode := "exact"
			switch l.mode {
			case modeUnordered:
				mode = "unordered"
			case modeType:
				mode = "type only"
			}
			t.Errorf("%s: RESP%d: %s\n  %s (%s comparison)\n  redis-server: %s\n  %s: %s\n  redis-server raw: %s\n  %s raw: %s",
				l.where(), proto, l.text, diff, mode,
				indent(want.String()), sutName, indent(got.String()),
				strconv.Quote(string(want.Encode())), sutName, strconv.Quote(string(got.Encode())))
			mismatches++
			if mismatches >= maxMismatchesPerCase {
				t.Fatalf("stopping this case after %d mismatches", mismatches)
			}
		}
	}
}

func indent(s string) string { return strings.ReplaceAll(s, "\n", "\n    ") }

// readAll reads from an endpoint until the server closes the connection or
// stays silent for idle, and tells which happened.
func readAll(c *testutil.Conn, idle, limit time.Duration) (data []byte, closed bool) {
	deadline := time.Now().Add(limit)
	buf := make([]byte, 64<<10)
	for {
		d := time.Now().Add(idle)
		if d.After(deadline) {
			d = deadline
		}
		_ = c.SetReadDeadline(d)
		n, err := c.R.Read(buf)
		data = append(data, buf[:n]...)
		if err != nil {
			if ne, ok := err.(interface{ Timeout() bool }); ok && ne.Timeout() {
				return data, false
			}
			// EOF or a reset: the server closed the connection.
			return data, true
		}
	}
}
