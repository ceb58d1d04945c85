// Package pubsub checks Pub/Sub on real Redraft processes: a message
// published through any node of a cluster reaches the subscribers of every
// node exactly once and in the same order everywhere, PUBLISH counts the
// receivers of the node it was sent to, and a node that restarts after
// kill -9 does not deliver again the messages of the log it replays.
package pubsub

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redraft/redraft/internal/testutil"
)

func TestMain(m *testing.M) { os.Exit(testutil.Main(m)) }

// wait bounds every wait of these tests.
const wait = 30 * time.Second

const channel = "events"

// subscriber is a connection in subscribed mode to node.
type subscriber struct {
	name string
	node int
	conn *testutil.Conn
}

// subscribe opens a connection to n and sends cmd (SUBSCRIBE or
// PSUBSCRIBE of one name), which it retries until the node accepts
// connections (a node that just started); SUBSCRIBE is answered while the
// node still loads.
func subscribe(t *testing.T, name string, n *testutil.ClusterNode, cmd ...string) *subscriber {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		c, err := testutil.Dial(n.Addr())
		if err == nil {
			var v testutil.Value
			v, err = c.Do(cmd...)
			if err == nil && v.Type == '*' && len(v.Elems) == 3 && v.Elems[2].Str == "1" {
				t.Cleanup(func() { c.Close() })
				return &subscriber{name: name, node: n.Index(), conn: c}
			}
			c.Close()
			err = fmt.Errorf("%v replied %v (%v)", cmd, v, err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: cannot subscribe on %s: %v", name, n, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// receive reads n messages ("message" or "pmessage" of the channel) and
// returns their payloads.
func (s *subscriber) receive(t *testing.T, n int) []string {
	t.Helper()
	var out []string
	for len(out) < n {
		s.conn.SetReadDeadline(time.Now().Add(wait))
		v, err := testutil.ReadValue(s.conn.R)
		if err != nil {
			t.Fatalf("%s: after %d of %d messages: %v", s.name, len(out), n, err)
		}
		if v.Type != '*' || len(v.Elems) < 3 || v.Elems[len(v.Elems)-2].Str != channel {
			t.Fatalf("%s: unexpected frame %v", s.name, v)
		}
		out = append(out, v.Elems[len(v.Elems)-1].Str)
	}
	return out
}

// expectNothingMore checks that no further message arrives for a while:
// nothing was delivered twice.
func (s *subscriber) expectNothingMore(t *testing.T) {
	t.Helper()
	s.conn.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	if v, err := testutil.ReadValue(s.conn.R); err == nil {
		t.Fatalf("%s: unexpected extra frame %v", s.name, v)
	}
}

// publishFromEveryNode publishes perNode messages through each node at
// once, one connection per node, and checks each PUBLISH reply against
// that node's local receivers. It returns the messages, named
// n<node>-<round>-<tag>.
func publishFromEveryNode(t *testing.T, c *testutil.Cluster, perNode int, tag string, receivers map[int]int) []string {
	t.Helper()
	var conns []*testutil.Conn
	for _, n := range c.Nodes() {
		conns = append(conns, n.Client(t))
	}
	errs := make(chan error, len(conns))
	var wg sync.WaitGroup
	var all []string
	for i, conn := range conns {
		for r := range perNode {
			all = append(all, fmt.Sprintf("n%d-%d-%s", i, r, tag))
		}
		wg.Go(func() {
			for r := range perNode {
				v, err := conn.Do("PUBLISH", channel, fmt.Sprintf("n%d-%d-%s", i, r, tag))
				if err != nil || v.Type != ':' || v.Str != strconv.Itoa(receivers[i]) {
					errs <- fmt.Errorf("PUBLISH through node %d: %v %v, want :%d (its local receivers)", i, v, err, receivers[i])
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return all
}

// checkDeliveries checks that every subscriber received exactly the
// messages published, each once, in one order common to all, which keeps
// each publisher's order.
func checkDeliveries(t *testing.T, subs []*subscriber, published []string) {
	t.Helper()
	var first []string
	for _, s := range subs {
		got := s.receive(t, len(published))
		s.expectNothingMore(t)
		if !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(published))) {
			t.Fatalf("%s received %v, want each of %v once", s.name, got, published)
		}
		if first == nil {
			first = got
			checkPublisherOrder(t, s.name, got)
		} else if !slices.Equal(got, first) {
			t.Fatalf("%s received the messages in the order %v, %s in the order %v", s.name, got, subs[0].name, first)
		}
	}
}

func checkPublisherOrder(t *testing.T, who string, got []string) {
	t.Helper()
	last := map[string]int{}
	for _, m := range got {
		var node, round int
		var tag string
		fmt.Sscanf(m, "n%d-%d-%s", &node, &round, &tag)
		key := fmt.Sprint(node)
		if prev, ok := last[key]; ok && round <= prev {
			t.Fatalf("%s: %s arrived after round %d of the same publisher: %v", who, m, prev, got)
		}
		last[key] = round
	}
}

func Test_PubSubAcrossTheCluster(t *testing.T) {
	c := testutil.StartCluster(t, testutil.ClusterOptions{})
	var subs []*subscriber
	for i, n := range c.Nodes() {
		subs = append(subs, subscribe(t, fmt.Sprintf("subscriber on node %d", i), n, "SUBSCRIBE", channel))
	}
	subs = append(subs, subscribe(t, "pattern subscriber on node 0", c.Node(0), "PSUBSCRIBE", "ev*"))
	receivers := map[int]int{0: 2, 1: 1, 2: 1}
	for i, n := range c.Nodes() {
		v, err := n.Do("PUBSUB", "NUMSUB", channel)
		if err != nil || len(v.Elems) != 2 || v.Elems[1].Str != "1" {
			t.Fatalf("PUBSUB NUMSUB on node %d: %v %v, want its one local subscriber", i, v, err)
		}
	}

	checkDeliveries(t, subs, publishFromEveryNode(t, c, 30, "before", receivers))

	// kill -9 the leader, restart it and subscribe there at once (while it
	// replays its log, if the subscription is quick enough): the replayed
	// messages must not reach the new subscriber.
	l := c.Leader()
	c.Kill9(l)
	c.Node(l).Launch()
	fresh := subscribe(t, fmt.Sprintf("new subscriber on the restarted node %d", l), c.Node(l), "SUBSCRIBE", channel)
	waitServes(t, c.Node(l))
	c.WaitLeader(wait)
	live := slices.DeleteFunc(subs, func(s *subscriber) bool { return s.node == l })
	live = append(live, fresh)
	receivers[l] = 1
	checkDeliveries(t, live, publishFromEveryNode(t, c, 10, "after", receivers))
}

// A single node replays its whole log after kill -9; a client that
// subscribed before the replay must not get the old messages.
func Test_PubSubRestartDoesNotRedeliver(t *testing.T) {
	c := testutil.StartCluster(t, testutil.ClusterOptions{Nodes: 1})
	n := c.Node(0)
	old := subscribe(t, "subscriber", n, "SUBSCRIBE", channel)
	checkDeliveries(t, []*subscriber{old}, publishFromEveryNode(t, c, 100, "old", map[int]int{0: 1}))
	c.Kill9(0)
	n.Launch()
	fresh := subscribe(t, "subscriber after the restart", n, "SUBSCRIBE", channel)
	if v, err := n.Do("GET", "k"); err != nil || v.Type != '-' || v.Str[:7] != "LOADING" {
		t.Fatalf("GET right after subscribing: %v %v, want -LOADING (the subscription must precede the replay)", v, err)
	}
	waitServes(t, n)
	checkDeliveries(t, []*subscriber{fresh}, publishFromEveryNode(t, c, 5, "new", map[int]int{0: 1}))
}

// waitServes waits until the node serves reads (no more -LOADING).
func waitServes(t *testing.T, n *testutil.ClusterNode) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		v, err := n.Do("EXISTS", "k")
		if err == nil && v.Type == ':' {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s does not serve reads: %v %v", n, v, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
