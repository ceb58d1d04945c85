package resp

import (
	"sort"
	"sync/atomic"

	"github.com/redraft/redraft/reply"
)

// unknownName is the statistics entry of every command the server does not
// know, so that clients sending random names cannot grow the table.
const unknownName = "unknown"

// commandStat counts one command's replies by outcome.
type commandStat struct {
	ok, errors atomic.Int64
}

// record counts a reply: one atomic add, no lock.
func (st *commandStat) record(v reply.Value) {
	if v.IsError() {
		st.errors.Add(1)
	} else {
		st.ok.Add(1)
	}
}

// commandStats holds an entry per command name. It is built before the
// server accepts connections and never changes afterwards, so it is read
// without a lock.
type commandStats map[string]*commandStat

func newCommandStats(names []string) commandStats {
	s := make(commandStats, len(names)+1)
	for _, n := range names {
		s[n] = new(commandStat)
	}
	s[unknownName] = new(commandStat)
	return s
}

func (s commandStats) of(name string) *commandStat {
	if st := s[name]; st != nil {
		return st
	}
	return s[unknownName]
}

// CommandStat is how many replies one command got, by outcome. Name is the
// lower-case command name, or "unknown" for every name the server does not
// know.
type CommandStat struct {
	Name       string
	OK, Errors int64
}

// CommandStats returns the reply counts of every command called since the
// server started, by name. A call is counted when its reply is known (a
// pipelined write's once its proposal completed), as an error when the
// reply is an error reply.
func (s *Server) CommandStats() []CommandStat {
	var out []CommandStat
	for name, st := range s.stats {
		ok, errs := st.ok.Load(), st.errors.Load()
		if ok+errs > 0 {
			out = append(out, CommandStat{Name: name, OK: ok, Errors: errs})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// ClientStats describes the server's clients.
type ClientStats struct {
	// Connected and Blocked are the clients connected now and, of them,
	// those waiting in a blocking command.
	Connected, Blocked int
	// Accepted counts the connections accepted since the server started.
	Accepted int64
}

// ClientStats returns the server's client counts.
func (s *Server) ClientStats() ClientStats {
	s.mu.Lock()
	connected := len(s.conns)
	s.mu.Unlock()
	return ClientStats{Connected: connected, Blocked: int(s.hub.count.Load()), Accepted: s.connsTotal.Load()}
}
