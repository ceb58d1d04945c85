package fsm

import (
	"bytes"
	"reflect"
	"testing"
)

func Test_EntryRoundTrip(t *testing.T) {
	cases := []*Entry{
		{Type: EntryCommand, Time: 1700000000123, Cmds: []Cmd{{DB: 0, Args: [][]byte{[]byte("SET"), []byte("k"), []byte("v")}}}},
		{Type: EntryExec, Time: 5, Cmds: []Cmd{{DB: 3, Args: [][]byte{[]byte("INCR"), []byte("c")}}, {DB: 15, Args: [][]byte{[]byte("GET"), {}}}},
			Watches: []Watch{{DB: 1, Key: []byte("w"), Ver: 9, Since: 12}}},
		{Type: EntryExpire, Time: -1, Cmds: []Cmd{{DB: 2, Args: [][]byte{[]byte("a"), []byte("b")}}}},
		{Type: EntryExec, Time: 0},
	}
	for _, e := range cases {
		got, err := DecodeEntry(e.Encode(nil))
		if err != nil {
			t.Fatalf("decode %+v: %v", e, err)
		}
		if got.Type != e.Type || got.Time != e.Time || len(got.Cmds) != len(e.Cmds) || len(got.Watches) != len(e.Watches) {
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
}

func normalize(args [][]byte) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = string(a)
	}
	return out
}

func Test_StampTime(t *testing.T) {
	e := &Entry{Type: EntryCommand, Time: 1, Cmds: []Cmd{{Args: [][]byte{[]byte("PING")}}}}
	b := e.Encode(nil)
	if err := StampTime(b, 987654321); err != nil {
		t.Fatal(err)
	}
	got, err := DecodeEntry(b)
	if err != nil || got.Time != 987654321 {
		t.Fatalf("stamped time = %v, %v", got, err)
	}
	if StampTime([]byte{1}, 1) == nil {
		t.Fatal("stamping a truncated entry must fail")
	}
}

func Test_DecodeEntryRejectsMalformed(t *testing.T) {
	good := (&Entry{Type: EntryCommand, Cmds: []Cmd{{DB: 1, Args: [][]byte{[]byte("GET"), []byte("k")}}}}).Encode(nil)
	bad := map[string][]byte{
		"empty":         nil,
		"short":         good[:5],
		"version":       append([]byte{9}, good[1:]...),
		"type":          append([]byte{good[0], 77}, good[2:]...),
		"truncated arg": good[:len(good)-2],
		"trailing":      append(append([]byte{}, good...), 0),
		"db range":      (&Entry{Type: EntryCommand, Cmds: []Cmd{{DB: NumDBs, Args: [][]byte{[]byte("GET")}}}}).Encode(nil),
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
		// Applying any decodable entry must not panic.
		s := NewStore()
		s.ApplyEntry(1, e)
	})
}
