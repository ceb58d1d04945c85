package fsm

// dequeMinCap is the smallest buffer a non-empty deque keeps; shrinking
// below it would only cause extra reallocations for small lists.
const dequeMinCap = 8

// deque is a double-ended queue of byte slices backed by a ring buffer, used
// for list values: pushes and pops at either end are amortized O(1) and
// indexing is O(1), which LINDEX/LSET/LRANGE need. The buffer length is
// always zero or a power of two so positions wrap with a mask.
//
// The zero value is an empty deque ready to use. Elements are stored as
// given and never modified in place, so callers must not mutate a slice after
// handing it over, and Clone may share element storage.
type deque struct {
	buf  [][]byte
	head int // buffer index of the front element
	n    int
}

// newDeque returns an empty deque.
func newDeque() *deque {
	return &deque{}
}

// Len returns the number of elements.
func (d *deque) Len() int {
	return d.n
}

// slot maps a logical index to a buffer index.
func (d *deque) slot(i int) int {
	return (d.head + i) & (len(d.buf) - 1)
}

func (d *deque) checkIndex(i int) {
	if i < 0 || i >= d.n {
		panic("deque: index out of range")
	}
}

// PushFront inserts v before the first element.
func (d *deque) PushFront(v []byte) {
	d.grow()
	d.head = (d.head - 1) & (len(d.buf) - 1)
	d.buf[d.head] = v
	d.n++
}

// PushBack appends v after the last element.
func (d *deque) PushBack(v []byte) {
	d.grow()
	d.buf[d.slot(d.n)] = v
	d.n++
}

// PopFront removes and returns the first element, or nil if d is empty.
func (d *deque) PopFront() []byte {
	if d.n == 0 {
		return nil
	}
	v := d.buf[d.head]
	d.buf[d.head] = nil // let the element be garbage collected
	d.head = d.slot(1)
	d.n--
	d.shrink()
	return v
}

// PopBack removes and returns the last element, or nil if d is empty.
func (d *deque) PopBack() []byte {
	if d.n == 0 {
		return nil
	}
	i := d.slot(d.n - 1)
	v := d.buf[i]
	d.buf[i] = nil
	d.n--
	d.shrink()
	return v
}

// At returns the element at index i, counted from the front. It panics if i
// is out of range.
func (d *deque) At(i int) []byte {
	d.checkIndex(i)
	return d.buf[d.slot(i)]
}

// Set replaces the element at index i. It panics if i is out of range.
func (d *deque) Set(i int, v []byte) {
	d.checkIndex(i)
	d.buf[d.slot(i)] = v
}

// Insert inserts v before index i, so that At(i) == v afterwards; i == Len()
// appends. It moves whichever side of i is shorter, so it costs
// O(min(i, Len()-i)). It panics if i is out of range.
func (d *deque) Insert(i int, v []byte) {
	if i < 0 || i > d.n {
		panic("deque: index out of range")
	}
	if i < d.n-i {
		d.PushFront(nil)
		for j := 0; j < i; j++ {
			d.buf[d.slot(j)] = d.buf[d.slot(j+1)]
		}
	} else {
		d.PushBack(nil)
		for j := d.n - 1; j > i; j-- {
			d.buf[d.slot(j)] = d.buf[d.slot(j-1)]
		}
	}
	d.buf[d.slot(i)] = v
}

// RemoveAt deletes the element at index i, moving whichever side of i is
// shorter. It panics if i is out of range.
func (d *deque) RemoveAt(i int) {
	d.checkIndex(i)
	if i < d.n-1-i {
		for j := i; j > 0; j-- {
			d.buf[d.slot(j)] = d.buf[d.slot(j-1)]
		}
		d.PopFront()
	} else {
		for j := i; j < d.n-1; j++ {
			d.buf[d.slot(j)] = d.buf[d.slot(j+1)]
		}
		d.PopBack()
	}
}

// Range calls fn for each index in [start, stop] in order, stopping early if
// fn returns false. The bounds are clamped to the deque, so callers may pass
// LRANGE-style bounds that have only been made non-negative.
func (d *deque) Range(start, stop int, fn func(i int, v []byte) bool) {
	start, stop = max(start, 0), min(stop, d.n-1)
	for i := start; i <= stop; i++ {
		if !fn(i, d.buf[d.slot(i)]) {
			return
		}
	}
}

// Clone returns a copy of d with its own buffer. Element slices are shared,
// which is safe because elements are never modified in place.
func (d *deque) Clone() *deque {
	c := &deque{n: d.n}
	if d.n > 0 {
		c.buf = make([][]byte, ringCap(d.n))
		d.copyTo(c.buf)
	}
	return c
}

// Trim keeps only the elements in [start, stop] (clamped to the deque, as
// LTRIM needs) and removes the rest; start > stop empties the deque.
func (d *deque) Trim(start, stop int) {
	start, stop = max(start, 0), min(stop, d.n-1)
	if start > stop {
		clear(d.buf)
		d.head, d.n = 0, 0
		d.shrink()
		return
	}
	for i := 0; i < start; i++ {
		d.buf[d.slot(i)] = nil
	}
	for i := stop + 1; i < d.n; i++ {
		d.buf[d.slot(i)] = nil
	}
	d.head = d.slot(start)
	d.n = stop - start + 1
	d.shrink()
}

// grow makes room for one more element, doubling the buffer when full.
func (d *deque) grow() {
	if d.n < len(d.buf) {
		return
	}
	d.resize(max(2*len(d.buf), dequeMinCap))
}

// shrink halves the buffer (repeatedly, after a large Trim) while it is at
// most a quarter full, so a list that grew large and then drained does not
// pin its peak memory. Shrinking at a quarter rather than a half keeps
// alternating push/pop at the boundary amortized O(1).
func (d *deque) shrink() {
	c := len(d.buf)
	for c > dequeMinCap && d.n <= c/4 {
		c /= 2
	}
	if c != len(d.buf) {
		d.resize(c)
	}
}

// resize moves the elements into a new buffer of capacity c (a power of two
// of at least d.n), front first.
func (d *deque) resize(c int) {
	buf := make([][]byte, c)
	d.copyTo(buf)
	d.buf, d.head = buf, 0
}

// copyTo copies the elements, front first, into dst[:d.n].
func (d *deque) copyTo(dst [][]byte) {
	if d.n == 0 {
		return
	}
	end := d.head + d.n
	if end <= len(d.buf) {
		copy(dst, d.buf[d.head:end])
		return
	}
	k := copy(dst, d.buf[d.head:])
	copy(dst[k:], d.buf[:end-len(d.buf)])
}

// ringCap returns the smallest valid buffer capacity holding n elements.
func ringCap(n int) int {
	c := dequeMinCap
	for c < n {
		c *= 2
	}
	return c
}
