package fsm

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// dequeContents returns the elements of d, front first, as strings.
func dequeContents(d *deque) []string {
	out := []string{}
	d.Range(0, d.Len()-1, func(_ int, v []byte) bool {
		out = append(out, string(v))
		return true
	})
	return out
}

// dequeOf builds a deque holding vals by pushing at the back.
func dequeOf(vals ...string) *deque {
	d := newDeque()
	for _, v := range vals {
		d.PushBack([]byte(v))
	}
	return d
}

func Test_DequeOperations(t *testing.T) {
	tests := []struct {
		name string
		run  func(d *deque)
		want []string
	}{
		{"zero value push back", func(d *deque) { d.PushBack([]byte("a")); d.PushBack([]byte("b")) }, []string{"a", "b"}},
		{"push front reverses", func(d *deque) {
			for _, s := range []string{"a", "b", "c"} {
				d.PushFront([]byte(s))
			}
		}, []string{"c", "b", "a"}},
		{"mixed pushes", func(d *deque) {
			d.PushBack([]byte("b"))
			d.PushFront([]byte("a"))
			d.PushBack([]byte("c"))
		}, []string{"a", "b", "c"}},
		{"pop both ends", func(d *deque) {
			*d = *dequeOf("a", "b", "c", "d")
			d.PopFront()
			d.PopBack()
		}, []string{"b", "c"}},
		{"pop empty", func(d *deque) { d.PopFront(); d.PopBack() }, []string{}},
		{"set", func(d *deque) { *d = *dequeOf("a", "b", "c"); d.Set(1, []byte("x")) }, []string{"a", "x", "c"}},
		{"insert front", func(d *deque) { *d = *dequeOf("a", "b"); d.Insert(0, []byte("x")) }, []string{"x", "a", "b"}},
		{"insert middle near front", func(d *deque) { *d = *dequeOf("a", "b", "c", "d", "e"); d.Insert(1, []byte("x")) }, []string{"a", "x", "b", "c", "d", "e"}},
		{"insert middle near back", func(d *deque) { *d = *dequeOf("a", "b", "c", "d", "e"); d.Insert(4, []byte("x")) }, []string{"a", "b", "c", "d", "x", "e"}},
		{"insert at len appends", func(d *deque) { *d = *dequeOf("a", "b"); d.Insert(2, []byte("x")) }, []string{"a", "b", "x"}},
		{"insert into empty", func(d *deque) { d.Insert(0, []byte("x")) }, []string{"x"}},
		{"remove first", func(d *deque) { *d = *dequeOf("a", "b", "c"); d.RemoveAt(0) }, []string{"b", "c"}},
		{"remove last", func(d *deque) { *d = *dequeOf("a", "b", "c"); d.RemoveAt(2) }, []string{"a", "b"}},
		{"remove near front", func(d *deque) { *d = *dequeOf("a", "b", "c", "d", "e"); d.RemoveAt(1) }, []string{"a", "c", "d", "e"}},
		{"remove near back", func(d *deque) { *d = *dequeOf("a", "b", "c", "d", "e"); d.RemoveAt(3) }, []string{"a", "b", "c", "e"}},
		{"trim middle", func(d *deque) { *d = *dequeOf("a", "b", "c", "d", "e"); d.Trim(1, 3) }, []string{"b", "c", "d"}},
		{"trim clamps", func(d *deque) { *d = *dequeOf("a", "b", "c"); d.Trim(-5, 100) }, []string{"a", "b", "c"}},
		{"trim start after stop empties", func(d *deque) { *d = *dequeOf("a", "b", "c"); d.Trim(2, 1) }, []string{}},
		{"trim beyond end empties", func(d *deque) { *d = *dequeOf("a", "b", "c"); d.Trim(3, 10) }, []string{}},
		{"wrapped ring", func(d *deque) {
			*d = *dequeOf("1", "2", "3", "4", "5", "6", "7")
			d.PopFront()
			d.PopFront()
			d.PushBack([]byte("8"))
			d.PushBack([]byte("9"))
			d.PushBack([]byte("10"))
			d.Insert(3, []byte("x"))
			d.RemoveAt(6)
		}, []string{"3", "4", "5", "x", "6", "7", "9", "10"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d deque
			tt.run(&d)
			if got := dequeContents(&d); !slices.Equal(got, tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
			if d.Len() != len(tt.want) {
				t.Fatalf("Len() = %d, want %d", d.Len(), len(tt.want))
			}
			for i, w := range tt.want {
				if got := string(d.At(i)); got != w {
					t.Fatalf("At(%d) = %q, want %q", i, got, w)
				}
			}
		})
	}
}

func Test_DequePopReturnsElements(t *testing.T) {
	tests := []struct {
		name      string
		vals      []string
		front     bool
		want      []byte
		remaining []string
	}{
		{"front", []string{"a", "b"}, true, []byte("a"), []string{"b"}},
		{"back", []string{"a", "b"}, false, []byte("b"), []string{"a"}},
		{"empty front", nil, true, nil, []string{}},
		{"empty back", nil, false, nil, []string{}},
		{"empty element is not nil", []string{""}, true, []byte{}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := dequeOf(tt.vals...)
			var got []byte
			if tt.front {
				got = d.PopFront()
			} else {
				got = d.PopBack()
			}
			if (got == nil) != (tt.want == nil) || string(got) != string(tt.want) {
				t.Fatalf("pop = %q (nil %v), want %q (nil %v)", got, got == nil, tt.want, tt.want == nil)
			}
			if rest := dequeContents(d); !slices.Equal(rest, tt.remaining) {
				t.Fatalf("remaining %q, want %q", rest, tt.remaining)
			}
		})
	}
}

func Test_DequeRange(t *testing.T) {
	d := dequeOf("a", "b", "c", "d", "e")
	tests := []struct {
		name        string
		start, stop int
		limit       int // stop after this many callbacks; 0 means no limit
		want        []string
		wantIdx     []int
	}{
		{"all", 0, 4, 0, []string{"a", "b", "c", "d", "e"}, []int{0, 1, 2, 3, 4}},
		{"inner", 1, 3, 0, []string{"b", "c", "d"}, []int{1, 2, 3}},
		{"single", 2, 2, 0, []string{"c"}, []int{2}},
		{"empty when start > stop", 3, 2, 0, []string{}, []int{}},
		{"clamped", -3, 99, 0, []string{"a", "b", "c", "d", "e"}, []int{0, 1, 2, 3, 4}},
		{"early stop", 0, 4, 2, []string{"a", "b"}, []int{0, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, idx := []string{}, []int{}
			d.Range(tt.start, tt.stop, func(i int, v []byte) bool {
				got, idx = append(got, string(v)), append(idx, i)
				return tt.limit == 0 || len(got) < tt.limit
			})
			if !slices.Equal(got, tt.want) || !slices.Equal(idx, tt.wantIdx) {
				t.Fatalf("got %q at %v, want %q at %v", got, idx, tt.want, tt.wantIdx)
			}
		})
	}
}

func Test_DequeClone(t *testing.T) {
	tests := []struct {
		name string
		vals []string
	}{
		{"empty", nil},
		{"one", []string{"a"}},
		{"several", []string{"a", "b", "c", "d", "e", "f", "g", "h", "i"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := dequeOf(tt.vals...)
			d.PushFront([]byte("front")) // make the ring wrap
			c := d.Clone()
			want := dequeContents(d)
			if got := dequeContents(c); !slices.Equal(got, want) {
				t.Fatalf("clone = %q, want %q", got, want)
			}
			c.PushBack([]byte("only-in-clone"))
			c.Set(0, []byte("changed"))
			if got := dequeContents(d); !slices.Equal(got, want) {
				t.Fatalf("original changed to %q", got)
			}
		})
	}
}

func Test_DequeShrinks(t *testing.T) {
	tests := []struct {
		name    string
		drain   func(d *deque)
		maxCap  int
		wantLen int
	}{
		{"pop front", func(d *deque) {
			for d.Len() > 3 {
				d.PopFront()
			}
		}, dequeMinCap, 3},
		{"pop back", func(d *deque) {
			for d.Len() > 0 {
				d.PopBack()
			}
		}, dequeMinCap, 0},
		{"remove at", func(d *deque) {
			for d.Len() > 10 {
				d.RemoveAt(d.Len() / 2)
			}
		}, 64, 10},
		{"trim", func(d *deque) { d.Trim(100, 104) }, 16, 5},
		{"trim to empty", func(d *deque) { d.Trim(1, 0) }, dequeMinCap, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDeque()
			for i := range 1000 {
				d.PushBack([]byte(strconv.Itoa(i)))
			}
			tt.drain(d)
			if d.Len() != tt.wantLen {
				t.Fatalf("Len() = %d, want %d", d.Len(), tt.wantLen)
			}
			if len(d.buf) > tt.maxCap {
				t.Fatalf("buffer capacity %d after draining to %d, want <= %d", len(d.buf), d.Len(), tt.maxCap)
			}
		})
	}
}

// Test_DequeMatchesSliceModel applies long random operation sequences to a
// deque and to a plain slice and checks that they always agree.
func Test_DequeMatchesSliceModel(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(strconv.FormatUint(seed, 10), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, seed))
			var d deque
			var model []string
			for step := range 20000 {
				v := strconv.Itoa(step)
				switch op := rng.IntN(9); {
				case op == 0:
					d.PushFront([]byte(v))
					model = slices.Insert(model, 0, v)
				case op == 1:
					d.PushBack([]byte(v))
					model = append(model, v)
				case op == 2 && len(model) > 0:
					if got := string(d.PopFront()); got != model[0] {
						t.Fatalf("step %d: PopFront = %q, want %q", step, got, model[0])
					}
					model = model[1:]
				case op == 3 && len(model) > 0:
					if got := string(d.PopBack()); got != model[len(model)-1] {
						t.Fatalf("step %d: PopBack = %q, want %q", step, got, model[len(model)-1])
					}
					model = model[:len(model)-1]
				case op == 4:
					i := rng.IntN(len(model) + 1)
					d.Insert(i, []byte(v))
					model = slices.Insert(model, i, v)
				case op == 5 && len(model) > 0:
					i := rng.IntN(len(model))
					d.RemoveAt(i)
					model = slices.Delete(model, i, i+1)
				case op == 6 && len(model) > 0:
					i := rng.IntN(len(model))
					d.Set(i, []byte(v))
					model[i] = v
				case op == 7 && rng.IntN(50) == 0:
					start, stop := rng.IntN(len(model)+2)-1, rng.IntN(len(model)+2)-1
					d.Trim(start, stop)
					start, stop = max(start, 0), min(stop, len(model)-1)
					if start > stop {
						model = nil
					} else {
						model = slices.Clone(model[start : stop+1])
					}
				case op == 8 && rng.IntN(100) == 0:
					d = *d.Clone()
				}
				if d.Len() != len(model) {
					t.Fatalf("step %d: Len() = %d, want %d", step, d.Len(), len(model))
				}
				if len(model) > 0 {
					i := rng.IntN(len(model))
					if got := string(d.At(i)); got != model[i] {
						t.Fatalf("step %d: At(%d) = %q, want %q", step, i, got, model[i])
					}
				}
			}
			if got := dequeContents(&d); !slices.Equal(got, append([]string{}, model...)) {
				t.Fatalf("final contents differ: got %d elements, want %d", len(got), len(model))
			}
		})
	}
}

func Test_DequeIndexPanics(t *testing.T) {
	tests := []struct {
		name string
		op   func(d *deque)
	}{
		{"At negative", func(d *deque) { d.At(-1) }},
		{"At len", func(d *deque) { d.At(d.Len()) }},
		{"Set len", func(d *deque) { d.Set(d.Len(), nil) }},
		{"Insert past len", func(d *deque) { d.Insert(d.Len()+1, nil) }},
		{"RemoveAt len", func(d *deque) { d.RemoveAt(d.Len()) }},
		{"RemoveAt on empty", func(*deque) { newDeque().RemoveAt(0) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			tt.op(dequeOf("a", "b"))
		})
	}
}
