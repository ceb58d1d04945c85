package fsm

import (
	"strconv"
	"testing"
)

// BenchmarkApplyBatch is the state machine's share of a replicated write:
// decoding and applying SET entries that carry a request identity (so the
// de-duplication table records each reply), in batches as Raft hands them
// over. Every replica pays it once per write.
func BenchmarkApplyBatch(b *testing.B) {
	const batch = 64
	s := NewStore()
	value := make([]byte, 64)
	entries := make([][]byte, batch)
	indexes := make([]uint64, batch)
	var index, seq uint64
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; done += batch {
		for i := range entries {
			index++
			seq++
			key := []byte("bench:" + strconv.FormatUint(seq%1000, 10))
			e := &Entry{Type: EntryCommand, Time: int64(index), Origin: "n1", Session: seq % 50, Seq: seq,
				Cmds: []Cmd{{Args: [][]byte{[]byte("SET"), key, value}}}}
			entries[i], indexes[i] = e.Encode(entries[i][:0]), index
		}
		if r := s.ApplyBatch(indexes, entries)[batch-1]; string(r.Str) != "OK" {
			b.Fatalf("SET applied as %v %q", r.Kind, r.Str)
		}
	}
}
