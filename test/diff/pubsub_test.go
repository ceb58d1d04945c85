package diff

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redraft/redraft/internal/testutil"
)

// Pub/Sub exchanges span connections (a subscriber receives what another
// connection publishes) and a command may answer several frames, which
// the one-reply-per-line corpus cannot express. Each scenario below runs
// on fresh connections to redis-server and to Redraft, in RESP2 and after
// HELLO 3, and every frame each connection receives must be byte for byte
// the same.

// psStep sends cmd on connection on, then reads one frame from each
// connection of reads in turn (one from on when reads is empty). proto
// limits the step to RESP2 or RESP3 (0: both); unordered compares the
// elements of an array reply as a multiset (Redis lists channels in hash
// table order).
type psStep struct {
	on        string
	cmd       []string
	reads     []string
	proto     int
	unordered bool
}

type psScenario struct {
	name  string
	conns []string
	steps []psStep
}

func step(on string, cmd string, reads ...string) psStep {
	return psStep{on: on, cmd: strings.Fields(cmd), reads: reads}
}

func onlyIn(proto int, s psStep) psStep {
	s.proto = proto
	return s
}

func unordered(s psStep) psStep {
	s.unordered = true
	return s
}

var pubsubScenarios = []psScenario{
	{"subscribe publish unsubscribe", []string{"sub", "pub"}, []psStep{
		step("sub", "SUBSCRIBE ps1.a ps1.b", "sub", "sub"),
		step("pub", "PUBLISH ps1.a hello", "pub", "sub"),
		step("pub", "PUBLISH ps1.nobody x"),
		{on: "pub", cmd: []string{"PUBLISH", "ps1.b", "bin\x00\r\nary"}, reads: []string{"pub", "sub"}},
		step("sub", "PING"),
		step("sub", "PING hi"),
		step("sub", "GET ps1.k"),
		step("sub", "ECHO x"),
		step("sub", "PUBSUB NUMSUB ps1.a"),
		step("sub", "CLIENT GETNAME"),
		step("sub", "CLIENT FOO"),
		step("sub", "CONFIG FOO"),
		step("sub", "SET ps1.k v"),
		step("sub", "NOSUCHCOMMAND x"),
		step("sub", "PUBLISH x"),
		onlyIn(2, step("sub", "MULTI")),
		onlyIn(2, step("sub", "HELLO 3")),
		onlyIn(2, step("sub", "PUBLISH ps1.a self")),
		onlyIn(3, step("sub", "PUBLISH ps1.a self", "sub", "sub")),
		step("pub", "PUBSUB NUMSUB ps1.a ps1.b ps1.c"),
		step("pub", "PUBSUB CHANNELS ps1.a*"),
		unordered(step("pub", "PUBSUB CHANNELS ps1.?")),
		step("sub", "UNSUBSCRIBE ps1.a"),
		step("sub", "UNSUBSCRIBE ps1.x"),
		step("sub", "UNSUBSCRIBE"),
		step("sub", "UNSUBSCRIBE"),
		step("sub", "PING"),
		step("sub", "GET ps1.k"),
		step("pub", "PUBLISH ps1.a gone"),
	}},
	{"patterns", []string{"sub", "pub"}, []psStep{
		step("sub", "PSUBSCRIBE ps2.* h?llo", "sub", "sub"),
		step("pub", "PUBLISH ps2.tech x", "pub", "sub"),
		step("pub", "PUBLISH hello y", "pub", "sub"),
		step("pub", "PUBLISH hallo z", "pub", "sub"),
		step("pub", "PUBLISH hllo w"),
		step("pub", "PUBSUB NUMPAT"),
		step("sub", "SUBSCRIBE ps2.tech"),
		step("pub", "PUBLISH ps2.tech both", "pub", "sub", "sub"),
		step("pub", "PUBSUB NUMSUB ps2.tech"),
		step("sub", "PUNSUBSCRIBE ps2.*"),
		step("pub", "PUBLISH ps2.tech one", "pub", "sub"),
		step("sub", `PSUBSCRIBE ps2.[a-c]\*`),
		step("pub", "PUBLISH ps2.b* class", "pub", "sub"),
		step("pub", "PUBLISH ps2.bx noclass"),
		step("sub", "PUNSUBSCRIBE", "sub", "sub"),
		step("sub", "PUNSUBSCRIBE"),
		step("sub", "UNSUBSCRIBE"),
		step("pub", "PUBSUB NUMPAT"),
	}},
	{"shard channels", []string{"sub", "pub"}, []psStep{
		step("sub", "SSUBSCRIBE ps3.s ps3.t", "sub", "sub"),
		step("sub", "SUBSCRIBE ps3.s"),
		step("pub", "SPUBLISH ps3.s m", "pub", "sub"),
		step("pub", "PUBLISH ps3.s n", "pub", "sub"),
		step("pub", "SPUBLISH ps3.nobody o"),
		step("pub", "PUBSUB SHARDCHANNELS ps3.s*"),
		step("pub", "PUBSUB SHARDNUMSUB ps3.s ps3.t ps3.u"),
		step("pub", "PUBSUB NUMSUB ps3.t"),
		step("sub", "SUNSUBSCRIBE ps3.s"),
		step("sub", "SUNSUBSCRIBE"),
		step("sub", "SUNSUBSCRIBE"),
		step("sub", "PING"),
		step("sub", "UNSUBSCRIBE"),
		step("sub", "PING"),
	}},
	{"reset and quit", []string{"sub", "pub"}, []psStep{
		step("sub", "SUBSCRIBE ps4.a"),
		step("sub", "PSUBSCRIBE ps4.*"),
		step("sub", "SSUBSCRIBE ps4.s"),
		step("sub", "RESET"),
		step("pub", "PUBLISH ps4.a x"),
		step("pub", "SPUBLISH ps4.s x"),
		step("sub", "PING"),
		step("sub", "SUBSCRIBE ps4.b"),
		step("pub", "PUBLISH ps4.b y", "pub", "sub"),
		step("sub", "QUIT"),
	}},
	{"several subscribers", []string{"s1", "s2", "s3", "pub"}, []psStep{
		step("s1", "SUBSCRIBE ps5.a"),
		step("s2", "PSUBSCRIBE ps5.*"),
		step("s3", "SUBSCRIBE ps5.a"),
		step("s3", "PSUBSCRIBE *5.a"),
		step("pub", "PUBLISH ps5.a x", "pub", "s1", "s2", "s3", "s3"),
		step("pub", "PUBSUB NUMSUB ps5.a"),
		step("s1", "UNSUBSCRIBE"),
		step("pub", "PUBLISH ps5.a y", "pub", "s2", "s3", "s3"),
		step("pub", "PUBLISH ps5.b z", "pub", "s2"),
	}},
	{"message order", []string{"sub", "pub"}, messageOrderSteps()},
}

// messageOrderSteps publishes a run of messages to two channels that a
// pattern matches too, then reads them: they arrive in publishing order,
// each channel message followed by its pattern message.
func messageOrderSteps() []psStep {
	steps := []psStep{step("sub", "SUBSCRIBE ps6.a ps6.b", "sub", "sub"), step("sub", "PSUBSCRIBE ps6.*")}
	const n = 30
	for i := range n {
		ch := "ps6.a"
		if i%3 == 0 {
			ch = "ps6.b"
		}
		steps = append(steps, step("pub", "PUBLISH "+ch+" m"+strconv.Itoa(i)))
	}
	reads := []string{"pub"}
	for range 2 * n {
		reads = append(reads, "sub")
	}
	return append(steps, step("pub", "PING", reads...))
}

func Test_PubSubDifferential(t *testing.T) {
	ref, sut, sutName := servers(t)
	for _, proto := range []int{2, 3} {
		for _, sc := range pubsubScenarios {
			t.Run(fmt.Sprintf("RESP%d/%s", proto, sc.name), func(t *testing.T) {
				want := runPubSubScenario(t, "redis-server", ref, proto, sc)
				got := runPubSubScenario(t, sutName, sut, proto, sc)
				for i := range max(len(want), len(got)) {
					if i >= len(want) || i >= len(got) || want[i] != got[i] {
						t.Fatalf("exchange %d differs:\n  redis-server: %s\n  %s: %s", i, at(want, i), sutName, at(got, i))
					}
				}
			})
		}
	}
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return "(nothing)"
}

// runPubSubScenario runs sc against addr and returns a transcript: one
// line per frame read, naming the step, the connection and the raw bytes,
// then what each connection does once the scenario is over (stays silent,
// or was closed). It ends with RESET on every open connection, so that no
// subscription outlives the scenario.
func runPubSubScenario(t *testing.T, name, addr string, proto int, sc psScenario) []string {
	t.Helper()
	conns := make(map[string]*testutil.Conn)
	for _, n := range sc.conns {
		c := dialEndpoint(t, name, addr).conn
		if proto == 3 {
			if v, err := c.Do("HELLO", "3"); err != nil || v.Type != '%' {
				t.Fatalf("%s: HELLO 3: %v %v", name, v, err)
			}
		}
		conns[n] = c
	}
	var out []string
	for i, s := range sc.steps {
		if s.proto != 0 && s.proto != proto {
			continue
		}
		c := conns[s.on]
		c.SetWriteDeadline(time.Now().Add(10 * time.Second))
		if _, err := c.Write(testutil.EncodeCommand(s.cmd...)); err != nil {
			t.Fatalf("%s: step %d (%s: %q): write: %v", name, i, s.on, s.cmd, err)
		}
		reads := s.reads
		if len(reads) == 0 {
			reads = []string{s.on}
		}
		for _, r := range reads {
			rc := conns[r]
			rc.SetReadDeadline(time.Now().Add(10 * time.Second))
			v, err := testutil.ReadValue(rc.R)
			if err != nil {
				t.Fatalf("%s: step %d (%s: %q): reading from %s: %v", name, i, s.on, s.cmd, r, err)
			}
			if s.unordered {
				slices.SortFunc(v.Elems, func(a, b testutil.Value) int { return bytes.Compare(a.Encode(), b.Encode()) })
			}
			out = append(out, fmt.Sprintf("step %d %q -> %s: %s", i, s.cmd, r, strconv.Quote(string(v.Encode()))))
		}
	}
	ends := make([]string, len(sc.conns))
	var wg sync.WaitGroup
	for i, n := range sc.conns {
		wg.Go(func() { ends[i] = n + " at the end: " + settle(conns[n]) })
	}
	wg.Wait()
	return append(out, ends...)
}

// settle tells whether c stays silent (then resets it) or was closed; any
// other frame is reported as is.
func settle(c *testutil.Conn) string {
	c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	v, err := testutil.ReadValue(c.R)
	switch {
	case errors.Is(err, io.EOF):
		return "closed"
	case err != nil:
		if v, err := c.Do("RESET"); err != nil || v.Str != "RESET" {
			return fmt.Sprintf("silent, but RESET failed: %v %v", v, err)
		}
		return "silent"
	}
	return "unexpected frame " + strconv.Quote(string(v.Encode()))
}
