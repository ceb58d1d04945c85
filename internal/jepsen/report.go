package jepsen

import (
	"fmt"
	"strings"
	"time"
)

// Status is the verdict of a check.
type Status int

// Verdicts. Unknown is never a pass: a check that timed out or lacked data
// proved nothing.
const (
	Pass Status = iota
	Fail
	Undetermined
)

func (s Status) String() string {
	switch s {
	case Pass:
		return "PASS"
	case Fail:
		return "FAIL"
	}
	return "UNKNOWN"
}

// worse combines verdicts: any failure fails, otherwise any undetermined
// check leaves the whole undetermined.
func worse(a, b Status) Status {
	if a == Fail || b == Fail {
		return Fail
	}
	if a == Undetermined || b == Undetermined {
		return Undetermined
	}
	return Pass
}

// Names of the checks a Report holds (those whose data type occurs in the
// history).
const (
	CheckLinRegisters   = "linearizable registers"
	CheckLinCounters    = "linearizable counters"
	CheckLinLists       = "linearizable lists"
	CheckFinalRegisters = "final registers: acknowledged SETs survive"
	CheckFinalCounters  = "final counters: acked <= value <= acked+unknown INCRs"
	CheckFinalLists     = "final lists: acknowledged RPUSHes survive, no duplicates"
)

// maxDetails caps the lines a check keeps, so a badly broken run still
// prints a readable report.
const maxDetails = 20

// CheckResult is the outcome of one check.
type CheckResult struct {
	Name    string
	Status  Status
	Summary string   // one line: what was checked
	Details []string // problems found, or why the verdict is unknown
	Omitted int      // details left out beyond maxDetails
}

// addDetail records a problem line, within the cap.
func (c *CheckResult) addDetail(format string, args ...any) {
	if len(c.Details) >= maxDetails {
		c.Omitted++
		return
	}
	c.Details = append(c.Details, fmt.Sprintf(format, args...))
}

// Counts are the operations of one kind by outcome.
type Counts struct{ OK, Failed, Unknown int }

// Total is the number of operations counted.
func (c Counts) Total() int { return c.OK + c.Failed + c.Unknown }

func (c *Counts) add(o Outcome) {
	switch o {
	case OK:
		c.OK++
	case Failed:
		c.Failed++
	default:
		c.Unknown++
	}
}

// Report is what Check found.
type Report struct {
	Ops    int             // operations in the history, final reads included
	ByKind map[Kind]Counts // operations per kind and outcome
	Total  Counts          // all operations by outcome
	Notes  []Note          // faults and other remarks, in order
	Checks []CheckResult
	// Visualization is the porcupine HTML written for failed
	// linearizability checks; VisualizationErr says why it was not.
	Visualization    string
	VisualizationErr string
	CheckTime        time.Duration // time spent checking
}

// Status is the overall verdict: Pass only if there was something to check
// and every check passed.
func (r *Report) Status() Status {
	if len(r.Checks) == 0 {
		return Undetermined
	}
	s := Pass
	for _, c := range r.Checks {
		s = worse(s, c.Status)
	}
	return s
}

// Passed reports whether the overall verdict is Pass.
func (r *Report) Passed() bool { return r.Status() == Pass }

// Check returns the result of the named check.
func (r *Report) Check(name string) (CheckResult, bool) {
	for _, c := range r.Checks {
		if c.Name == name {
			return c, true
		}
	}
	return CheckResult{}, false
}

// String is a readable multi-line summary.
func (r *Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "jepsen: %s — %d ops (ok %d, failed %d, unknown %d), %d notes, checked in %s\n",
		r.Status(), r.Ops, r.Total.OK, r.Total.Failed, r.Total.Unknown, len(r.Notes), r.CheckTime.Round(time.Millisecond))
	for k := range numKinds {
		if c, ok := r.ByKind[k]; ok {
			fmt.Fprintf(&b, "  %-12s ok %6d  failed %6d  unknown %6d\n", k, c.OK, c.Failed, c.Unknown)
		}
	}
	if len(r.Notes) > 0 {
		b.WriteString("notes:\n")
		for _, n := range r.Notes {
			fmt.Fprintf(&b, "  %s\n", n)
		}
	}
	b.WriteString("checks:\n")
	for _, c := range r.Checks {
		fmt.Fprintf(&b, "  %-7s %s: %s\n", c.Status, c.Name, c.Summary)
		for _, d := range c.Details {
			fmt.Fprintf(&b, "          - %s\n", d)
		}
		if c.Omitted > 0 {
			fmt.Fprintf(&b, "          - ... and %d more\n", c.Omitted)
		}
	}
	if r.Visualization != "" {
		fmt.Fprintf(&b, "visualization: %s\n", r.Visualization)
	}
	if r.VisualizationErr != "" {
		fmt.Fprintf(&b, "visualization not written: %s\n", r.VisualizationErr)
	}
	return b.String()
}
