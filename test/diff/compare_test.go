package diff

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/redraft/redraft/internal/testutil"
)

// pairCommands reply, in RESP2, with flat arrays of field/value pairs (or,
// for the SCAN family, with such an array as the second element): under "~"
// those are compared as unordered sets of pairs rather than of elements.
var pairCommands = map[string]bool{
	"hgetall": true, "hscan": true, "zscan": true, "config": true,
}

// compareReplies compares the reference reply want with got under mode and
// returns a description of the difference, or "" if they agree.
func compareReplies(mode byte, cmd string, want, got testutil.Value) string {
	switch mode {
	case modeType:
		return compareType(want, got)
	case modeUnordered:
		pairs := pairCommands[strings.ToLower(cmd)]
		if isScanShape(want) && isScanShape(got) {
			wc, gc := want.Elems[0].Str, got.Elems[0].Str
			if (wc == "0") != (gc == "0") {
				return fmt.Sprintf("SCAN cursors disagree on completion: reference %q, redraft %q", wc, gc)
			}
			w := canonical(want.Elems[1], pairs)
			g := canonical(got.Elems[1], pairs)
			if !bytes.Equal(w, g) {
				return "SCAN elements differ (compared unordered)"
			}
			return ""
		}
		if !bytes.Equal(canonical(want, pairs), canonical(got, pairs)) {
			return "replies differ (compared unordered)"
		}
		return ""
	default:
		if !bytes.Equal(want.Encode(), got.Encode()) {
			return "replies differ"
		}
		return ""
	}
}

// compareType checks that the replies have the same RESP type, the same
// nullness and, for aggregates, the same number of elements.
func compareType(want, got testutil.Value) string {
	if want.Type != got.Type || want.Null != got.Null {
		return "reply types differ"
	}
	if want.IsAggregate() && len(want.Elems) != len(got.Elems) {
		return fmt.Sprintf("aggregate lengths differ: reference %d, redraft %d", len(want.Elems), len(got.Elems))
	}
	return ""
}

// isScanShape tells whether v looks like a SCAN reply: [cursor, [elements]].
func isScanShape(v testutil.Value) bool {
	return v.Type == '*' && !v.Null && len(v.Elems) == 2 &&
		v.Elems[0].Type == '$' && !v.Elems[0].Null && v.Elems[1].Type == '*' && !v.Elems[1].Null
}

// canonical encodes v with the elements of every aggregate sorted (map
// entries and, when pairs is set, the top-level array's consecutive pairs
// are kept together), so that two replies that differ only in order encode
// identically.
func canonical(v testutil.Value, pairs bool) []byte {
	var b bytes.Buffer
	writeCanonical(&b, v, pairs)
	return b.Bytes()
}

func writeCanonical(b *bytes.Buffer, v testutil.Value, pairs bool) {
	if !v.IsAggregate() {
		b.Write(v.Encode())
		return
	}
	group := 1
	if v.Type == '%' || (pairs && v.Type == '*' && len(v.Elems)%2 == 0) {
		group = 2
	}
	var parts [][]byte
	for i := 0; i+group <= len(v.Elems); i += group {
		var p bytes.Buffer
		for _, e := range v.Elems[i : i+group] {
			writeCanonical(&p, e, false)
		}
		parts = append(parts, p.Bytes())
	}
	slices.SortFunc(parts, bytes.Compare)
	fmt.Fprintf(b, "%c%d\r\n", v.Type, len(v.Elems))
	for _, p := range parts {
		b.Write(p)
	}
}
