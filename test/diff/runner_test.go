package diff

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/redraft/redraft/internal/testutil"
)

// Tests of the runner itself (no servers needed).

func TestSplitArgs(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{`SET k v`, []string{"SET", "k", "v"}},
		{`  SET   k    v  `, []string{"SET", "k", "v"}},
		{`SET "a b" "c\"d"`, []string{"SET", "a b", `c"d`}},
		{`ECHO "\x00\xff\r\n\t\\"`, []string{"ECHO", "\x00\xff\r\n\t\\"}},
		{`ECHO ""`, []string{"ECHO", ""}},
		{`ECHO 'it\'s' 'a "b"'`, []string{"ECHO", "it's", `a "b"`}},
	}
	for _, c := range cases {
		got, err := splitArgs(c.in)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("splitArgs(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{`ECHO "abc`, `ECHO 'abc`, `ECHO "a"b`, `ECHO "\q"`, `ECHO "\x4"`, `ECHO a"b"`} {
		if got, err := splitArgs(bad); err == nil {
			t.Errorf("splitArgs(%q) = %q, want an error", bad, got)
		}
	}
}

func TestParseCorpusFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.txt")
	src := "# comment\nSET a 1\n~ KEYS *\n\n\n! RANDOMKEY\n  # indented comment\nGET a\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cases, err := parseCorpusFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 2 || cases[0].line != 2 || cases[1].line != 6 || len(cases[0].lines) != 2 || len(cases[1].lines) != 2 {
		t.Fatalf("cases = %+v", cases)
	}
	if cases[0].lines[1].mode != modeUnordered || cases[1].lines[0].mode != modeType || cases[1].lines[1].mode != modeExact {
		t.Fatalf("modes wrong: %+v", cases)
	}
	if cases[1].name() != "x.txt:6" || cases[1].lines[1].where() != "x.txt:8" {
		t.Fatalf("names: %s %s", cases[1].name(), cases[1].lines[1].where())
	}
}

func parse(t *testing.T, s string) testutil.Value {
	t.Helper()
	v, err := testutil.ReadValue(bufio.NewReader(strings.NewReader(s)))
	if err != nil {
		t.Fatalf("ReadValue(%q): %v", s, err)
	}
	return v
}

func TestCompareReplies(t *testing.T) {
	cases := []struct {
		mode       byte
		cmd        string
		want, got  string
		shouldPass bool
	}{
		{modeExact, "GET", "$1\r\na\r\n", "$1\r\na\r\n", true},
		{modeExact, "GET", "$1\r\na\r\n", "+a\r\n", false},
		{modeExact, "GET", "$-1\r\n", "_\r\n", false},
		{modeExact, "KEYS", "*2\r\n$1\r\na\r\n$1\r\nb\r\n", "*2\r\n$1\r\nb\r\n$1\r\na\r\n", false},
		{modeUnordered, "KEYS", "*2\r\n$1\r\na\r\n$1\r\nb\r\n", "*2\r\n$1\r\nb\r\n$1\r\na\r\n", true},
		{modeUnordered, "KEYS", "*2\r\n$1\r\na\r\n$1\r\na\r\n", "*2\r\n$1\r\na\r\n$1\r\nb\r\n", false},
		{modeUnordered, "KEYS", "*1\r\n$1\r\na\r\n", "~1\r\n$1\r\na\r\n", false},
		{modeUnordered, "SMEMBERS", "~2\r\n$1\r\na\r\n$1\r\nb\r\n", "~2\r\n$1\r\nb\r\n$1\r\na\r\n", true},
		// maps compare by pair
		{modeUnordered, "HGETALL", "%2\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n", "%2\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n1\r\n", true},
		{modeUnordered, "HGETALL", "%2\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n", "%2\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nb\r\n$1\r\n1\r\n", false},
		// RESP2 HGETALL: flat array compared by pair
		{modeUnordered, "hgetall", "*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n", "*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n1\r\n", true},
		{modeUnordered, "hgetall", "*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n", "*4\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nb\r\n$1\r\n1\r\n", false},
		// SCAN shape: cursors must agree on completion, elements unordered
		{modeUnordered, "SCAN", "*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n", "*2\r\n$1\r\n0\r\n*2\r\n$1\r\nb\r\n$1\r\na\r\n", true},
		{modeUnordered, "SCAN", "*2\r\n$2\r\n17\r\n*1\r\n$1\r\na\r\n", "*2\r\n$1\r\n5\r\n*1\r\n$1\r\na\r\n", true},
		{modeUnordered, "SCAN", "*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n", "*2\r\n$1\r\n5\r\n*1\r\n$1\r\na\r\n", false},
		{modeUnordered, "SCAN", "*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n", "*2\r\n$1\r\n0\r\n*1\r\n$1\r\nb\r\n", false},
		// type only
		{modeType, "RANDOMKEY", "$1\r\na\r\n", "$1\r\nb\r\n", true},
		{modeType, "RANDOMKEY", "$1\r\na\r\n", "$-1\r\n", false},
		{modeType, "TIME", "*2\r\n$1\r\n1\r\n$1\r\n2\r\n", "*2\r\n$1\r\n3\r\n$1\r\n4\r\n", true},
		{modeType, "TIME", "*2\r\n$1\r\n1\r\n$1\r\n2\r\n", "*1\r\n$1\r\n3\r\n", false},
		{modeType, "TTL", ":5\r\n", "$1\r\n5\r\n", false},
	}
	for _, c := range cases {
		diff := compareReplies(c.mode, c.cmd, parse(t, c.want), parse(t, c.got))
		if (diff == "") != c.shouldPass {
			t.Errorf("compareReplies(%q, %s, %q, %q) = %q, want pass=%v", c.mode, c.cmd, c.want, c.got, diff, c.shouldPass)
		}
	}
}
