package fsm

import (
	"bytes"
	"encoding/hex"
	"reflect"
	"strings"
	"testing"

	"github.com/redraft/redraft/reply"
)

func Test_EntryRoundTrip(t *testing.T) {
	cases := []*Entry{
		{Type: EntryCommand, Time: 1700000000123, Cmds: []Cmd{{DB: 0, Args: [][]byte{[]byte("SET"), []byte("k"), []byte("v")}}}},
		{Type: EntryExec, Time: 5, Cmds: []Cmd{{DB: 3, Args: [][]byte{[]byte("INCR"), []byte("c")}}, {DB: 15, Args: [][]byte{[]byte("GET"), {}}}},
			Watches: []Watch{{DB: 1, Key: []byte("w"), Ver: 9, Since: 12}}},
		{Type: EntryExpire, Time: -1, Cmds: []Cmd{{DB: 2, Args: [][]byte{[]byte("a"), []byte("b")}}}},
		{Type: EntryExec, Time: 0},
		{Type: EntryCommand, Time: 7, Origin: "node-1", Session: 1<<64 - 1, Seq: 42, Cmds: []Cmd{{Args: [][]byte{[]byte("INCR"), []byte("c")}}}},
		{Type: EntryClusterID, Time: 8, Origin: strings.Repeat("o", maxOriginLen), Session: 3, Seq: 1, Cmds: []Cmd{{Args: [][]byte{[]byte("cluster-abc")}}}},
	}
	for _, e := range cases {
		enc := e.Encode(nil)
		if enc[0] != entryVersion {
			t.Fatalf("encoded version %d, want %d", enc[0], entryVersion)
		}
		got, err := DecodeEntry(enc)
		if err != nil {
			t.Fatalf("decode %+v: %v", e, err)
		}
		assertEntriesEqual(t, got, e)
	}
}

// assertEntriesEqual compares every field; nil and empty slices are equal.
func assertEntriesEqual(t *testing.T, got, e *Entry) {
	t.Helper()
	if got.Type != e.Type || got.Time != e.Time || len(got.Cmds) != len(e.Cmds) || len(got.Watches) != len(e.Watches) ||
		got.Origin != e.Origin || got.Session != e.Session || got.Seq != e.Seq {
		t.Fatalf("round trip changed entry: %+v -> %+v", e, got)
	}
	for i := range e.Cmds {
		if got.Cmds[i].DB != e.Cmds[i].DB || !reflect.DeepEqual(normalize(got.Cmds[i].Args), normalize(e.Cmds[i].Args)) {
			t.Fatalf("cmd %d: %+v -> %+v", i, e.Cmds[i], got.Cmds[i])
		}
	}
	for i := range e.Watches {
		w, g := e.Watches[i], got.Watches[i]
		if w.DB != g.DB || !bytes.Equal(w.Key, g.Key) || w.Ver != g.Ver || w.Since != g.Since {
			t.Fatalf("watch %d: %+v -> %+v", i, w, g)
		}
	}
}

func normalize(args [][]byte) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = string(a)
	}
	return out
}

// goldenEntryV1 was encoded by the version 1 encoder (before request
// identities): an EXEC of SET k v in db 1 and INCR c in db 0, watching w in
// db 2 at version 7 since index 9, at time 1700000000123.
const goldenEntryV1 = "01020000018bcfe5687b02010303534554016b0176000204494e43520163010201770709"

// Logs written before version 2 still decode, with no identity.
func Test_DecodeEntryVersion1(t *testing.T) {
	data, err := hex.DecodeString(goldenEntryV1)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeEntry(data)
	if err != nil {
		t.Fatalf("decode version 1 entry: %v", err)
	}
	want := &Entry{Type: EntryExec, Time: 1700000000123,
		Cmds: []Cmd{
			{DB: 1, Args: [][]byte{[]byte("SET"), []byte("k"), []byte("v")}},
			{DB: 0, Args: [][]byte{[]byte("INCR"), []byte("c")}},
		},
		Watches: []Watch{{DB: 2, Key: []byte("w"), Ver: 7, Since: 9}}}
	assertEntriesEqual(t, got, want)
	// Re-encoding writes version 2 with the same content.
	again, err := DecodeEntry(got.Encode(nil))
	if err != nil {
		t.Fatal(err)
	}
	assertEntriesEqual(t, again, want)
}

func Test_StampTime(t *testing.T) {
	e := &Entry{Type: EntryCommand, Time: 1, Origin: "n1", Session: 9, Seq: 3, Cmds: []Cmd{{Args: [][]byte{[]byte("PING")}}}}
	b := e.Encode(nil)
	if err := StampTime(b, 987654321); err != nil {
		t.Fatal(err)
	}
	got, err := DecodeEntry(b)
	if err != nil || got.Time != 987654321 || got.Origin != "n1" || got.Session != 9 || got.Seq != 3 {
		t.Fatalf("stamped entry = %+v, %v", got, err)
	}
	v1, _ := hex.DecodeString(goldenEntryV1)
	if err := StampTime(v1, 5); err != nil {
		t.Fatal(err)
	}
	if got, err := DecodeEntry(v1); err != nil || got.Time != 5 {
		t.Fatalf("stamped version 1 entry = %+v, %v", got, err)
	}
	if StampTime([]byte{1}, 1) == nil {
		t.Fatal("stamping a truncated entry must fail")
	}
}

func Test_DecodeEntryRejectsMalformed(t *testing.T) {
	good := (&Entry{Type: EntryCommand, Cmds: []Cmd{{DB: 1, Args: [][]byte{[]byte("GET"), []byte("k")}}}}).Encode(nil)
	bad := map[string][]byte{
		"empty":              nil,
		"short":              good[:5],
		"version":            append([]byte{9}, good[1:]...),
		"type":               append([]byte{good[0], 77}, good[2:]...),
		"truncated arg":      good[:len(good)-2],
		"trailing":           append(append([]byte{}, good...), 0),
		"db range":           (&Entry{Type: EntryCommand, Cmds: []Cmd{{DB: NumDBs, Args: [][]byte{[]byte("GET")}}}}).Encode(nil),
		"origin length":      (&Entry{Type: EntryCommand, Origin: strings.Repeat("o", maxOriginLen+1), Seq: 1}).Encode(nil),
		"type past range":    append([]byte{good[0], byte(EntryClusterID) + 1}, good[2:]...),
		"truncated identity": good[:timeOffset+8+1],
		"version 0":          append([]byte{0}, good[1:]...),
	}
	for name, b := range bad {
		if _, err := DecodeEntry(b); err == nil {
			t.Errorf("%s: decoded without error", name)
		}
	}
}

func FuzzDecodeEntry(f *testing.F) {
	f.Add((&Entry{Type: EntryCommand, Time: 3, Cmds: []Cmd{{DB: 1, Args: [][]byte{[]byte("SET"), []byte("k"), []byte("v")}}}}).Encode(nil))
	f.Add((&Entry{Type: EntryExec, Cmds: []Cmd{{Args: [][]byte{[]byte("INCR"), []byte("x")}}}, Watches: []Watch{{Key: []byte("x"), Ver: 1}}}).Encode(nil))
	f.Add((&Entry{Type: EntryCommand, Origin: "n1", Session: 77, Seq: 5, Cmds: []Cmd{{Args: [][]byte{[]byte("LPUSH"), []byte("l"), []byte("a")}}}}).Encode(nil))
	f.Add((&Entry{Type: EntryClusterID, Origin: "n2", Session: 1, Seq: 1, Cmds: []Cmd{{Args: [][]byte{[]byte("id")}}}}).Encode(nil))
	v1, _ := hex.DecodeString(goldenEntryV1)
	f.Add(v1)
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := DecodeEntry(data)
		if err != nil {
			return
		}
		again, err := DecodeEntry(e.Encode(nil))
		if err != nil {
			t.Fatalf("re-encoded entry does not decode: %v", err)
		}
		if !bytes.Equal(again.Encode(nil), e.Encode(nil)) {
			t.Fatal("encoding is not stable")
		}
		if again.Origin != e.Origin || again.Session != e.Session || again.Seq != e.Seq {
			t.Fatalf("identity changed: %+v -> %+v", e, again)
		}
		// Applying any decodable entry must not panic, and applying it
		// again is a duplicate when it has an identity.
		s := NewStore()
		first := s.ApplyEntry(1, e)
		second := s.ApplyEntry(2, e)
		if e.Seq != 0 && !bytes.Equal(reply.Append(nil, first, 3), reply.Append(nil, second, 3)) {
			t.Fatalf("duplicate got another reply: %q vs %q", reply.Append(nil, first, 3), reply.Append(nil, second, 3))
		}
	})
}
