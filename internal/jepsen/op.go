package jepsen

import (
	"fmt"
	"strconv"
	"strings"
)

// Kind is the operation an Op performed. Each kind belongs to one data type
// (register, counter or list), so a key's model follows from its ops.
type Kind int

// The operations of the workload. CounterGet, LRange and the register Get
// are also what Verify uses for its final reads.
const (
	Get        Kind = iota // GET on a register key
	Set                    // SET of a value unique to this write
	Incr                   // INCR on a counter key; returns the new value
	CounterGet             // GET on a counter key
	RPush                  // RPUSH of one element unique to this push; returns the new length
	LPop                   // LPOP; returns the head or nil
	LRange                 // LRANGE key 0 -1 (final reads only)
	numKinds
)

func (k Kind) String() string {
	switch k {
	case Get:
		return "get"
	case Set:
		return "set"
	case Incr:
		return "incr"
	case CounterGet:
		return "counter-get"
	case RPush:
		return "rpush"
	case LPop:
		return "lpop"
	case LRange:
		return "lrange"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// DataType is the Redis type a key holds in the workload.
type DataType int

// The data types of the workload's keys.
const (
	Register DataType = iota
	Counter
	List
	numTypes
)

func (d DataType) String() string {
	switch d {
	case Register:
		return "registers"
	case Counter:
		return "counters"
	case List:
		return "lists"
	}
	return "type(" + strconv.Itoa(int(d)) + ")"
}

// Type is the data type the kind operates on.
func (k Kind) Type() DataType {
	switch k {
	case Incr, CounterGet:
		return Counter
	case RPush, LPop, LRange:
		return List
	}
	return Register
}

// IsRead reports whether the kind cannot change state: a read that errored
// can be dropped from the history whatever the error was.
func (k Kind) IsRead() bool { return k == Get || k == CounterGet || k == LRange }

// Outcome is what the client knows about whether an operation took effect.
type Outcome int

// Outcomes, from most to least certain.
const (
	OK      Outcome = iota // answered; Output holds the reply
	Failed                 // definitely not applied
	Unknown                // may or may not have been applied
)

func (o Outcome) String() string {
	switch o {
	case OK:
		return "ok"
	case Failed:
		return "failed"
	case Unknown:
		return "unknown"
	}
	return "outcome(" + strconv.Itoa(int(o)) + ")"
}

// Value is a reply as far as the workload cares: a bulk or simple string,
// nil, an integer, or an array of strings (LRANGE).
type Value struct {
	Nil  bool
	Str  string
	Int  int64
	List []string
}

func (v Value) String() string {
	switch {
	case v.Nil:
		return "nil"
	case v.List != nil:
		return "[" + strings.Join(v.List, " ") + "]"
	case v.Str != "":
		return strconv.Quote(v.Str)
	}
	return strconv.FormatInt(v.Int, 10)
}

// Op is one operation of a history. Call and Return are nanoseconds since
// the history's start on the monotonic clock, so wall-clock jumps during a
// test cannot reorder operations.
type Op struct {
	Index   int    // position in the history (order of completion)
	Client  int    // workload client (goroutine) that ran it; -1 for Verify
	Process int    // Jepsen process: a client gets a new one after an unknown outcome
	Kind    Kind   // what was done
	Key     string // the key it was done to
	Input   string // the value written (Set) or the element pushed (RPush)
	Output  Value  // the reply, meaningful when Outcome is OK
	Outcome Outcome
	Err     string // the error, for Failed and Unknown
	Addr    string // the server the client talked to
	Call    int64  // invocation time
	Return  int64  // completion time (when the client gave up, for Unknown)
	Final   bool   // a final read made by Verify
}

func (o Op) String() string {
	s := fmt.Sprintf("#%d p%d %s %s", o.Index, o.Process, o.Kind, o.Key)
	if o.Kind == Set || o.Kind == RPush {
		s += " " + strconv.Quote(o.Input)
	}
	switch o.Outcome {
	case OK:
		s += " -> " + o.Output.String()
	default:
		s += " -> " + o.Outcome.String() + " (" + o.Err + ")"
	}
	return s + fmt.Sprintf(" [%s, %s]", fmtNanos(o.Call), fmtNanos(o.Return))
}

// Note is a timestamped remark in a history, typically a fault the test
// injected or healed, so a report can be read against what happened.
type Note struct {
	At   int64 // nanoseconds since the history's start
	Text string
}

func (n Note) String() string { return fmtNanos(n.At) + " " + n.Text }

// fmtNanos prints a history timestamp as seconds with millisecond precision.
func fmtNanos(ns int64) string { return fmt.Sprintf("%.3fs", float64(ns)/1e9) }
