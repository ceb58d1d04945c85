package jepsen

import (
	"cmp"
	"slices"
	"sync"
	"time"
)

// History is the record of a run: every operation with its outcome, and the
// notes the test added. It is safe for concurrent use, because fault
// injectors note faults while clients record operations.
type History struct {
	start time.Time // carries a monotonic reading; all timestamps are relative to it

	mu    sync.Mutex
	ops   []Op
	notes []Note
}

// NewHistory returns an empty history whose clock starts now. Run creates
// one itself; tests that build synthetic histories use this and Add.
func NewHistory() *History { return &History{start: time.Now()} }

// Now is the history's clock: monotonic nanoseconds since it started.
func (h *History) Now() int64 { return int64(time.Since(h.start)) }

// Note records a remark (a fault injected or healed) at the current time.
func (h *History) Note(text string) {
	at := h.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.notes = append(h.notes, Note{At: at, Text: text})
}

// Add appends an operation and returns it with its Index set. Synthetic
// histories give Call and Return themselves.
func (h *History) Add(op Op) Op {
	h.mu.Lock()
	defer h.mu.Unlock()
	op.Index = len(h.ops)
	h.ops = append(h.ops, op)
	return op
}

// Ops returns a copy of the operations in the order they completed.
func (h *History) Ops() []Op {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.ops)
}

// Notes returns a copy of the notes in the order they were made.
func (h *History) Notes() []Note {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.notes)
}

// keyType is a key of the history with the data type its ops imply.
type keyType struct {
	Key  string
	Type DataType
}

// keys lists the keys the history touched, sorted, with their types.
func keysOf(ops []Op) []keyType {
	seen := make(map[string]DataType)
	for _, op := range ops {
		if _, ok := seen[op.Key]; !ok {
			seen[op.Key] = op.Kind.Type()
		}
	}
	out := make([]keyType, 0, len(seen))
	for k, t := range seen {
		out = append(out, keyType{Key: k, Type: t})
	}
	slices.SortFunc(out, func(a, b keyType) int { return cmp.Compare(a.Key, b.Key) })
	return out
}
