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

// target is the server under test of the corpus run. When it is a Redraft
// node started here and it crashes, a fresh node replaces it (a crashing
// log entry would crash a restart on the same data directory too), so that
// one crash does not hide the results of every later case.
type target struct {
	name     string
	addr     string
	down     string // where it stopped answering, "" while it is up
	replaced int
	fresh    func() string // starts a fresh node and returns its address; nil if not possible
}

const maxReplacements = 5

func newTarget(t *testing.T) (ref string, sut *target) {
	t.Helper()
	ref = testutil.StartRedis(t).Addr()
	switch addr := os.Getenv("REDRAFT_DIFF_TARGET"); addr {
	case "":
		fresh := func() string { return testutil.StartRedraft(t, testutil.Options{}).Addr() }
		return ref, &target{name: "redraft", addr: fresh(), fresh: fresh}
	case "redis":
		return ref, &target{name: "redis#2", addr: testutil.StartRedis(t).Addr()}
	default:
		return ref, &target{name: addr, addr: addr}
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
	ref, sut := newTarget(t)
	t.Logf("corpus: %d files, %d cases; reference %s, %s %s", len(files), total, ref, sut.name, sut.addr)
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			for _, f := range files {
				t.Run(filepath.Base(f), func(t *testing.T) {
					for _, c := range corpus[f] {
						t.Run(c.name(), func(t *testing.T) {
							runCase(t, proto, ref, sut, c)
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

func runCase(t *testing.T, proto int, refAddr string, target *target, c corpusCase) {
	if target.down != "" {
		if target.fresh == nil || target.replaced >= maxReplacements {
			t.Fatalf("not run: %s stopped answering at %s", target.name, target.down)
		}
		target.replaced++
		t.Logf("%s stopped answering at %s; starting a fresh node (replacement %d of at most %d)",
			target.name, target.down, target.replaced, maxReplacements)
		target.addr = target.fresh()
		target.down = ""
	}
	sutName, sutAddr := target.name, target.addr
	ref := dialEndpoint(t, "redis-server", refAddr)
	sutConn, err := testutil.Dial(sutAddr)
	if err != nil {
		target.down = fmt.Sprintf("the start of case %s (dial: %v)", c.name(), err)
		t.Fatalf("dial %s at %s: %v", sutName, sutAddr, err)
	}
	t.Cleanup(func() { sutConn.Close() })
	sut := endpoint{name: sutName, conn: sutConn}
	ref.setup(t, proto)
	sut.setup(t, proto)
	mismatches := 0
	verbose := os.Getenv("REDRAFT_DIFF_VERBOSE") == "1"
	for _, l := range c.lines {
		want, err := ref.conn.Do(l.args...)
		if err != nil {
			t.Fatalf("%s: RESP%d: %s\n  reference redis-server failed: %v (is the corpus line valid?)", l.where(), proto, l.text, err)
		}
		got, err := sut.conn.Do(l.args...)
		if err != nil {
			if !stillAnswers(sutAddr) {
				target.down = fmt.Sprintf("%s (RESP%d): %s", l.where(), proto, l.text)
				t.Errorf("%s crashed or stopped answering (its output is printed at the end of the test)", sutName)
			}
			t.Fatalf("%s: RESP%d: %s\n  redis-server: %v\n  %s: no reply: %v",
				l.where(), proto, l.text, want, sutName, err)
		}
		if verbose {
			t.Logf("%s: %s\n  -> %s", l.where(), l.text, indent(want.String()))
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

// stillAnswers tells whether a server answers PING on a new connection.
func stillAnswers(addr string) bool {
	c, err := testutil.Dial(addr)
	if err != nil {
		return false
	}
	defer c.Close()
	c.Timeout = 5 * time.Second
	v, err := c.Do("PING")
	return err == nil && v.Type == '+'
}

func indent(s string) string { return strings.ReplaceAll(s, "\n", "\n    ") }

// readAll reads from an endpoint until the server closes the connection or
// stays silent for idle (for up to 5s while fewer than expect bytes have
// arrived), and tells which happened.
func readAll(c *testutil.Conn, expect int, idle, limit time.Duration) (data []byte, closed bool) {
	deadline := time.Now().Add(limit)
	buf := make([]byte, 64<<10)
	for {
		wait := idle
		if len(data) < expect {
			wait = 5 * time.Second
		}
		d := time.Now().Add(wait)
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
