package fsm

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

func Test_GlobMatch(t *testing.T) {
	// Expectations were checked with KEYS against redis-server 7.0.15.
	tests := []struct {
		pattern, s string
		nocase     bool
		want       bool
	}{
		{"*", "anything", false, true},
		{"*", "", false, false}, // KEYS/SCAN special-case the pattern "*" instead
		{"**", "", false, false},
		{"", "", false, true},
		{"", "a", false, false},
		{"a", "", false, false},
		{"foo*", "foobar", false, true},
		{"foo*", "fo", false, false},
		{"*bar", "foobar", false, true},
		{"f*b*r", "foobar", false, true},
		{"f*x*r", "foobar", false, false},
		{"a*", "a", false, true},
		{"a**", "a", false, true},
		{"h?llo", "hello", false, true},
		{"h?llo", "hllo", false, false},
		{"h??llo", "hello", false, false},
		{"h[ae]llo", "hallo", false, true},
		{"h[ae]llo", "hillo", false, false},
		{"h[^e]llo", "hallo", false, true},
		{"h[^e]llo", "hello", false, false},
		{"h[a-b]llo", "hbllo", false, true},
		{"h[a-b]llo", "hcllo", false, false},
		{"h[b-a]llo", "hallo", false, true}, // reversed range
		{"[a-]", "]", false, true},          // range 'a'..']' includes ']'
		{"[a-]", "-", false, false},
		{"[]", "]", false, false},
		{"[]]", "]", false, false},
		{"[\\]]", "]", false, true},
		{"[\\", "\\", false, true}, // lone backslash inside an unterminated set
		{"[abc", "c", false, true}, // unterminated set
		{"[abc", "d", false, false},
		{"[", "[", false, false},
		{"[^", "x", false, true}, // "[^" alone matches any byte
		{"[^", "", false, false},
		{"\\*", "*", false, true},
		{"\\*", "a", false, false},
		{"\\?", "?", false, true},
		{"\\[a]", "[a]", false, true},
		{"a\\", "a\\", false, true}, // trailing backslash is literal
		{"\\", "\\", false, true},
		{"HeLLo", "hello", true, true},
		{"HeLLo", "hello", false, false},
		{"h[A-Z]llo", "hello", true, true},
		{"h[A-Z]llo", "hello", false, false},
		{"h[E]llo", "hello", true, true},
		{"h[\\E]llo", "hello", true, false}, // escaped set members ignore nocase
		{"[a-\xff]", "b", false, false},     // signed chars: the range is -1..'a'
		{"[a-\xff]", "\xc3", false, false},
		{"[a-\xff]", "\xff", false, true},
		{"[a-\xff]", "A", false, true},
		{"\xc3*", "\xc3\xa9", false, true},
		{"*a*a*a*b", strings.Repeat("a", 30), false, false},
		{"*?", "", false, false},
		{"?*", "a", false, true},
		{"a*b*c", "abc", false, true},
		{"a*b*c", "acb", false, false},
	}
	for _, tt := range tests {
		t.Run(strconv.Quote(tt.pattern)+" "+strconv.Quote(tt.s), func(t *testing.T) {
			if got := globMatch([]byte(tt.pattern), []byte(tt.s), tt.nocase); got != tt.want {
				t.Fatalf("globMatch(%q, %q, %v) = %v, want %v", tt.pattern, tt.s, tt.nocase, got, tt.want)
			}
		})
	}
}

func Test_GlobMatchPathological(t *testing.T) {
	long := strings.Repeat("a", 10000)
	tests := []struct {
		name, pattern, s string
		want             bool
	}{
		// Without skipLongerMatches this is exponential in the number of '*'.
		{"many stars no match", strings.Repeat("*a", 50) + "b", long, false},
		{"many stars match", strings.Repeat("*a", 50), long, true},
		{"star runs", strings.Repeat("*", 100000) + "b", long, false},
		// Beyond globMaxNesting stars the match gives up, as in Redis.
		{"nesting limit", strings.Repeat("a*", globMaxNesting+5) + "a", long, false},
		{"just under the nesting limit", strings.Repeat("a*", globMaxNesting) + "a", long, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			if got := globMatch([]byte(tt.pattern), []byte(tt.s), false); got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Fatalf("took %v", d)
			}
		})
	}
}

func FuzzGlobMatch(f *testing.F) {
	for _, s := range []string{"*", "?", "[a-z]", "[^a]", "[", "[^", "\\", "[\\", "a*b?c[d-f]", "[a-]", "**"} {
		f.Add([]byte(s), []byte("abc"), false)
	}
	f.Fuzz(func(t *testing.T, pattern, s []byte, nocase bool) {
		got := globMatch(pattern, s, nocase)
		// A pattern without special bytes matches only itself.
		if !strings.ContainsAny(string(pattern), "*?[\\") && !nocase && got != (string(pattern) == string(s)) {
			t.Fatalf("literal pattern %q vs %q = %v", pattern, s, got)
		}
	})
}
