// Package jepsen drives a Jepsen-style workload against a set of RESP
// servers (a Redraft cluster, or a single redis-server as a reference) and
// checks the resulting history.
//
// A fault-tolerance test calls Run while it kills, pauses or partitions
// nodes (recording what it did with History.Note), lets the faults heal,
// calls History.Verify to read the final state through a node, and then
// Check to obtain a Report:
//
//	h := jepsen.NewHistory()
//	go nemesis(h) // kills, pauses, partitions; h.Note("kill -9 n2") each time
//	jepsen.Run(ctx, jepsen.Config{Addrs: addrs, Clients: 8, Ops: 5000, Duration: 20 * time.Second, History: h})
//	// ... heal every fault ...
//	if err := h.Verify(ctx, addrs); err != nil { ... }
//	rep := jepsen.Check(h, jepsen.CheckOptions{VisualizePath: "lin.html"})
//	if !rep.Passed() { t.Fatal(rep) }
//
// Every operation ends in one of three outcomes. OK means the server
// answered and the answer is recorded. Failed means the operation
// definitely had no effect (no connection could be opened, e.g. it was
// refused, or not one byte of the command was written, or the server
// answered -CLUSTERDOWN or -LOADING, which Redraft only sends for commands
// it never appended to its log); failed operations are left out of the
// linearizability check. Unknown means the operation may or may not have
// taken effect (a timeout, a connection lost after the command was sent,
// -TRYAGAIN or any other error); porcupine is told it returned after every
// other event, so it may be linearized anywhere after its call, including
// never observed.
//
// Reads (GET, LRANGE) that did not return OK are dropped whatever the
// error: they change nothing. Check runs porcupine on each key separately
// with a time budget; a key whose search runs out of time makes its check
// Undetermined, which never counts as a pass. Because unknown outcomes make
// the search explode, the history is first reduced in ways that cannot
// change the verdict (see reduce.go): values and elements are unique, so
// unread ones are anonymous, interchangeable unknown operations are applied
// in call order, and what was read bounds when an unknown write happened.
//
// The client is a minimal RESP2 client of its own rather than go-redis:
// go-redis retries, sends handshakes of its own (HELLO, CLIENT SETINFO) and hides
// whether a command had been written when an error occurred, which is
// exactly the distinction between Failed and Unknown this package needs.
package jepsen
