package fsm

// dict is a map that keeps its entries in a dense array. Go maps iterate in
// random order; replicas must agree on element order (for snapshots, SPOP,
// HRANDFIELD and scans), and the dense array gives a deterministic order,
// O(1) random picks by index, and a scan cursor (see scanDict).
type dict struct {
	keys []string
	vals [][]byte // nil for sets
	idx  map[string]int
}

func newDict(withVals bool, capHint int) dict {
	d := dict{idx: make(map[string]int, capHint)}
	if withVals {
		d.vals = make([][]byte, 0, capHint)
	}
	d.keys = make([]string, 0, capHint)
	return d
}

func (d *dict) Len() int { return len(d.keys) }

func (d *dict) has(k string) bool {
	_, ok := d.idx[k]
	return ok
}

func (d *dict) get(k string) ([]byte, bool) {
	i, ok := d.idx[k]
	if !ok {
		return nil, false
	}
	if d.vals == nil {
		return nil, true
	}
	return d.vals[i], true
}

// put inserts or updates k and reports whether it was new.
func (d *dict) put(k string, v []byte) bool {
	if i, ok := d.idx[k]; ok {
		if d.vals != nil {
			d.vals[i] = v
		}
		return false
	}
	d.idx[k] = len(d.keys)
	d.keys = append(d.keys, k)
	if d.vals != nil {
		d.vals = append(d.vals, v)
	}
	return true
}

// remove deletes k by moving the last entry into its slot.
func (d *dict) remove(k string) bool {
	i, ok := d.idx[k]
	if !ok {
		return false
	}
	last := len(d.keys) - 1
	if i != last {
		d.keys[i] = d.keys[last]
		d.idx[d.keys[i]] = i
		if d.vals != nil {
			d.vals[i] = d.vals[last]
		}
	}
	d.keys[last] = ""
	d.keys = d.keys[:last]
	if d.vals != nil {
		d.vals[last] = nil
		d.vals = d.vals[:last]
	}
	delete(d.idx, k)
	return true
}

func (d *dict) clone() dict {
	c := dict{keys: append([]string(nil), d.keys...), idx: make(map[string]int, len(d.keys))}
	if d.vals != nil {
		c.vals = append([][]byte(nil), d.vals...)
	}
	for k, i := range d.idx {
		c.idx[k] = i
	}
	return c
}

// scan visits entries from cursor on, at most count of them, and returns the
// next cursor (0 when done). It walks the array from the end towards the
// start: remove moves the last entry into a lower slot, so an entry that is
// present for the whole scan can only move to a slot not yet visited, never
// skip one. The cursor is the number of slots still to visit.
func (d *dict) scan(cursor uint64, count int, fn func(i int)) uint64 {
	n := uint64(len(d.keys))
	if cursor == 0 || cursor > n {
		cursor = n
	}
	i := cursor
	for ; i > 0 && count > 0; count-- {
		i--
		fn(int(i))
	}
	return i
}

// hashValue is a Redis hash.
type hashValue struct{ dict }

func newHash(capHint int) *hashValue { return &hashValue{newDict(true, capHint)} }

func (h *hashValue) Clone() *hashValue { return &hashValue{h.clone()} }

// setValue is a Redis set.
type setValue struct{ dict }

func newSet(capHint int) *setValue { return &setValue{newDict(false, capHint)} }

func (s *setValue) Clone() *setValue { return &setValue{s.clone()} }
