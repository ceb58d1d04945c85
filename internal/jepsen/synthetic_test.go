package jepsen

import (
	"os"
	"strings"
	"testing"
	"time"
)

// ms is a synthetic timestamp in milliseconds.
func ms(n int64) int64 { return n * int64(time.Millisecond) }

// add appends one synthetic operation with the given interval (in ms).
func add(h *History, p int, k Kind, key, in string, call, ret int64, out Value, o Outcome) {
	h.Add(Op{Client: p, Process: p, Kind: k, Key: key, Input: in, Output: out, Outcome: o, Call: ms(call), Return: ms(ret)})
}

// final appends a Verify-style final read at [call, call+1] ms.
func final(h *History, k Kind, key string, call int64, out Value) {
	h.Add(Op{Client: -1, Process: 99, Kind: k, Key: key, Output: out, Outcome: OK, Call: ms(call), Return: ms(call + 1), Final: true})
}

func str(s string) Value     { return Value{Str: s} }
func num(n int64) Value      { return Value{Int: n} }
func list(e ...string) Value { return Value{List: append([]string{}, e...)} }
func nilValue() Value        { return Value{Nil: true} }
func okReply() Value         { return Value{Str: "OK"} }
func unknownReply() Value    { return Value{} }
func quick() CheckOptions    { return CheckOptions{KeyTimeout: 10 * time.Second} }
func statusOf(r *Report, name string, t *testing.T) CheckResult {
	t.Helper()
	c, ok := r.Check(name)
	if !ok {
		t.Fatalf("report has no check %q:\n%s", name, r)
	}
	return c
}

// expect asserts a check's verdict and, if given, that a detail mentions want.
func expect(t *testing.T, r *Report, name string, s Status, want string) {
	t.Helper()
	c := statusOf(r, name, t)
	if c.Status != s {
		t.Fatalf("check %q: got %s, want %s\n%s", name, c.Status, s, r)
	}
	if want != "" && !strings.Contains(strings.Join(c.Details, "\n"), want) {
		t.Fatalf("check %q: no detail mentions %q\n%s", name, want, r)
	}
}

func Test_StaleReadIsNotLinearizable(t *testing.T) {
	build := func(read string) *History {
		h := NewHistory()
		add(h, 0, Set, "r", "a", 0, 10, okReply(), OK)
		add(h, 1, Set, "r", "b", 20, 30, okReply(), OK)
		add(h, 0, Get, "r", "", 40, 50, str(read), OK)
		final(h, Get, "r", 100, str("b"))
		return h
	}
	stale := Check(build("a"), quick())
	expect(t, stale, CheckLinRegisters, Fail, "key r: NOT linearizable")
	// The final value is right: only linearizability sees a stale read.
	expect(t, stale, CheckFinalRegisters, Pass, "")
	if stale.Passed() || stale.Status() != Fail {
		t.Fatalf("a stale read must fail the report:\n%s", stale)
	}

	fresh := Check(build("b"), quick())
	if !fresh.Passed() {
		t.Fatalf("reading the latest write must pass:\n%s", fresh)
	}
}

func Test_LostAcknowledgedSetIsDetected(t *testing.T) {
	h := NewHistory()
	add(h, 0, Set, "r", "a", 0, 10, okReply(), OK)
	add(h, 1, Set, "r", "b", 20, 30, okReply(), OK)
	final(h, Get, "r", 100, str("a"))
	r := Check(h, quick())
	expect(t, r, CheckFinalRegisters, Fail, `acknowledged SET "b"`)
	expect(t, r, CheckLinRegisters, Fail, "")

	// Overwritten by a concurrent write that may have landed last: fine.
	h = NewHistory()
	add(h, 0, Set, "r", "a", 0, 30, okReply(), OK)
	add(h, 1, Set, "r", "b", 20, 25, okReply(), OK)
	final(h, Get, "r", 100, str("a"))
	if r := Check(h, quick()); !r.Passed() {
		t.Fatalf("a concurrent SET may win:\n%s", r)
	}

	// Nil at the end loses every acknowledged SET.
	h = NewHistory()
	add(h, 0, Set, "r", "a", 0, 10, okReply(), OK)
	final(h, Get, "r", 100, nilValue())
	expect(t, Check(h, quick()), CheckFinalRegisters, Fail, "final value is nil")
}

func Test_LostAcknowledgedPushIsDetected(t *testing.T) {
	h := NewHistory()
	add(h, 0, RPush, "l", "x", 0, 10, num(1), OK)
	add(h, 1, RPush, "l", "y", 20, 30, num(2), OK)
	final(h, LRange, "l", 100, list("y"))
	r := Check(h, quick())
	expect(t, r, CheckFinalLists, Fail, "1 acknowledged RPUSH elements are neither in the final list nor popped (x)")
	expect(t, r, CheckLinLists, Fail, "")

	// The same final state is fine if an LPOP of unknown outcome may have
	// taken x.
	h = NewHistory()
	add(h, 0, RPush, "l", "x", 0, 10, num(1), OK)
	add(h, 1, RPush, "l", "y", 20, 30, num(2), OK)
	add(h, 2, LPop, "l", "", 40, 50, unknownReply(), Unknown)
	final(h, LRange, "l", 100, list("y"))
	if r := Check(h, quick()); !r.Passed() {
		t.Fatalf("an unknown LPOP may have popped x:\n%s", r)
	}
}

func Test_DuplicatedIncrIsDetected(t *testing.T) {
	build := func(finalValue string, unknown bool) *History {
		h := NewHistory()
		add(h, 0, Incr, "c", "", 0, 10, num(1), OK)
		add(h, 1, Incr, "c", "", 20, 30, num(2), OK)
		if unknown {
			add(h, 2, Incr, "c", "", 40, 50, unknownReply(), Unknown)
		}
		final(h, CounterGet, "c", 100, str(finalValue))
		return h
	}
	dup := Check(build("3", false), quick())
	expect(t, dup, CheckFinalCounters, Fail, "applied twice")
	expect(t, dup, CheckLinCounters, Fail, "")

	lost := Check(build("1", false), quick())
	expect(t, lost, CheckFinalCounters, Fail, "increments lost")

	// With one unknown INCR both 2 and 3 are possible, 4 is not.
	for v, want := range map[string]Status{"2": Pass, "3": Pass, "4": Fail} {
		r := Check(build(v, true), quick())
		expect(t, r, CheckFinalCounters, want, "")
		expect(t, r, CheckLinCounters, want, "")
	}

	// Two acknowledged INCRs that returned the same value.
	h := NewHistory()
	add(h, 0, Incr, "c", "", 0, 10, num(1), OK)
	add(h, 1, Incr, "c", "", 20, 30, num(1), OK)
	final(h, CounterGet, "c", 100, str("2"))
	expect(t, Check(h, quick()), CheckFinalCounters, Fail, "both returned 1")
}

func Test_DuplicatedListElementIsDetected(t *testing.T) {
	// Popped and still in the list.
	h := NewHistory()
	add(h, 0, RPush, "l", "x", 0, 10, num(1), OK)
	add(h, 1, RPush, "l", "y", 20, 30, num(2), OK)
	add(h, 0, LPop, "l", "", 40, 50, str("x"), OK)
	final(h, LRange, "l", 100, list("x", "y"))
	r := Check(h, quick())
	expect(t, r, CheckFinalLists, Fail, `element "x" appears 2 times`)
	expect(t, r, CheckLinLists, Fail, "")

	// A push applied twice (e.g. replayed after a retry).
	h = NewHistory()
	add(h, 0, RPush, "l", "x", 0, 10, num(1), OK)
	final(h, LRange, "l", 100, list("x", "x"))
	expect(t, Check(h, quick()), CheckFinalLists, Fail, `element "x" appears 2 times`)

	// Control: the consistent version passes.
	h = NewHistory()
	add(h, 0, RPush, "l", "x", 0, 10, num(1), OK)
	add(h, 1, RPush, "l", "y", 20, 30, num(2), OK)
	add(h, 0, LPop, "l", "", 40, 50, str("x"), OK)
	add(h, 0, LPop, "l", "", 60, 70, str("y"), OK)
	add(h, 0, LPop, "l", "", 80, 90, nilValue(), OK)
	final(h, LRange, "l", 100, list())
	if r := Check(h, quick()); !r.Passed() {
		t.Fatalf("consistent list history must pass:\n%s", r)
	}
}

func Test_FailedOpsAreDroppedUnknownOpsMayApply(t *testing.T) {
	// A failed SET was not applied, so reading its value is an anomaly.
	h := NewHistory()
	add(h, 0, Set, "r", "a", 0, 10, okReply(), OK)
	add(h, 1, Set, "r", "b", 20, 30, unknownReply(), Failed)
	add(h, 0, Get, "r", "", 40, 50, str("b"), OK)
	r := Check(h, quick())
	expect(t, r, CheckLinRegisters, Fail, "")
	expect(t, r, CheckFinalRegisters, Undetermined, "no final read")

	// An unknown SET may take effect, even long after the client gave up,
	// and may also never take effect.
	for _, read := range []string{"a", "b"} {
		h := NewHistory()
		add(h, 0, Set, "r", "a", 0, 10, okReply(), OK)
		add(h, 1, Set, "r", "b", 20, 30, unknownReply(), Unknown)
		add(h, 0, Get, "r", "", 400, 500, str(read), OK)
		final(h, Get, "r", 600, str(read))
		if r := Check(h, quick()); !r.Passed() {
			t.Fatalf("unknown SET, then read %q: must pass:\n%s", read, r)
		}
	}

	// Reads that did not return are dropped, whatever they "returned".
	h = NewHistory()
	add(h, 0, Set, "r", "a", 0, 10, okReply(), OK)
	add(h, 0, Get, "r", "", 20, 30, str("garbage"), Unknown)
	final(h, Get, "r", 100, str("a"))
	if r := Check(h, quick()); !r.Passed() {
		t.Fatalf("an unanswered read must not count:\n%s", r)
	}
}

func Test_PorcupineTimeoutIsUndeterminedNotPass(t *testing.T) {
	// Many concurrent writes and a read of a value nobody wrote: porcupine
	// must try every order before it can say Illegal, which takes far
	// longer than the budget.
	h := NewHistory()
	for i := range 24 {
		add(h, i, Set, "r", "v"+string(rune('a'+i)), 0, 1000, okReply(), OK)
	}
	add(h, 30, Get, "r", "", 0, 1000, str("never-written"), OK)
	start := time.Now()
	r := Check(h, CheckOptions{KeyTimeout: 100 * time.Millisecond})
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("checking took %s despite a 100ms key timeout", d)
	}
	expect(t, r, CheckLinRegisters, Undetermined, "porcupine gave up")
	if r.Passed() || r.Status() != Undetermined {
		t.Fatalf("a timed-out check must not pass:\n%s", r)
	}
}

func Test_ReportPrintsNotesAndWritesVisualization(t *testing.T) {
	h := NewHistory()
	h.Note("partition n1 | n2 n3")
	add(h, 0, Set, "r", "a", 0, 10, okReply(), OK)
	add(h, 1, Set, "r", "b", 20, 30, okReply(), OK)
	add(h, 0, Get, "r", "", 40, 50, str("a"), OK)
	add(h, 2, Incr, "c", "", 0, 5, num(1), OK)
	add(h, 2, Incr, "c", "", 6, 7, unknownReply(), Unknown)
	add(h, 3, Incr, "c", "", 8, 9, unknownReply(), Failed)
	path := t.TempDir() + "/lin.html"
	r := Check(h, CheckOptions{KeyTimeout: 10 * time.Second, VisualizePath: path})
	s := r.String()
	for _, want := range []string{"FAIL", "partition n1 | n2 n3", CheckLinRegisters, "NOT linearizable",
		"incr", "ok      1  failed      1  unknown      1"} {
		if !strings.Contains(s, want) {
			t.Fatalf("report lacks %q:\n%s", want, s)
		}
	}
	if r.ByKind[Incr] != (Counts{OK: 1, Failed: 1, Unknown: 1}) || r.Total.Total() != 6 {
		t.Fatalf("wrong counts %+v total %+v", r.ByKind, r.Total)
	}
	if r.Visualization != path {
		t.Fatalf("visualization not reported: %q (%s)", r.Visualization, r.VisualizationErr)
	}
	b, err := os.ReadFile(path)
	if err != nil || len(b) < 1000 || !strings.Contains(string(b), "<html") {
		t.Fatalf("visualization file: %d bytes, err %v", len(b), err)
	}

	// No visualization when everything is linearizable.
	ok := NewHistory()
	add(ok, 0, Set, "r", "a", 0, 10, okReply(), OK)
	final(ok, Get, "r", 100, str("a"))
	path2 := t.TempDir() + "/none.html"
	if r := Check(ok, CheckOptions{VisualizePath: path2}); !r.Passed() || r.Visualization != "" {
		t.Fatalf("unexpected: %s", r)
	}
	if _, err := os.Stat(path2); !os.IsNotExist(err) {
		t.Fatalf("visualization written for a passing history: %v", err)
	}
}

func Test_EmptyHistoryIsNotAPass(t *testing.T) {
	if r := Check(NewHistory(), quick()); r.Passed() || r.Status() != Undetermined {
		t.Fatalf("nothing checked must not pass:\n%s", r)
	}
}
