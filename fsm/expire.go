package fsm

// ExpiredKeys returns up to limit keys whose deadline is at or before now,
// grouped by database, for the leader to propose as an EntryExpire. Keys are
// only deleted when that entry applies, by the log clock, so every replica
// deletes the same keys at the same point of the log.
func (s *Store) ExpiredKeys(now int64, limit int) []Cmd {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Cmd
	for i, d := range s.dbs {
		var keys [][]byte
		d.volatile.Scan(func(v volatileKey) bool {
			if v.at > now || limit == 0 {
				return false
			}
			keys = append(keys, []byte(v.key))
			limit--
			return true
		})
		if len(keys) > 0 {
			out = append(out, Cmd{DB: i, Args: keys})
		}
		if limit == 0 {
			break
		}
	}
	return out
}

// expireIfDue deletes key if it is expired by the log clock and reports
// whether it did.
func (c *Ctx) expireIfDue(key []byte) bool {
	k := string(key)
	it, ok := c.db.keys.Get(&item{key: k, hash: keyHash(k)})
	if !ok || !c.expired(it) {
		return false
	}
	c.removeItem(c.db, it)
	return true
}
