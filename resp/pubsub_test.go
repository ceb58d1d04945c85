package resp

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redraft/redraft/fsm"
	"github.com/redraft/redraft/internal/testutil"
)

// readValueWithin reads one frame with testutil's RESP reader, waiting at
// most d.
func (c *client) readValueWithin(d time.Duration) testutil.Value {
	c.t.Helper()
	c.nc.SetReadDeadline(time.Now().Add(d))
	v, err := testutil.ReadValue(c.br)
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return v
}

// A RESP3 subscriber that pipelines commands while messages stream in gets
// every reply and every push whole and in order: pushes never land inside
// a reply.
func Test_PubSubPushesAndRepliesDoNotInterleave(t *testing.T) {
	addr := startServer(t, Config{})
	big := strings.Repeat("v", 100_000)
	if got := dial(t, addr).do("SET", "big", big); got != "+OK\r\n" {
		t.Fatalf("SET: %q", got)
	}
	sub := dial(t, addr)
	sub.do("HELLO", "3")
	if got := sub.do("SUBSCRIBE", "c"); got != ">3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n" {
		t.Fatalf("SUBSCRIBE: %q", got)
	}
	const messages, gets = 300, 200
	pubErr := make(chan error, 1)
	go func() {
		pub, err := testutil.Dial(addr)
		if err != nil {
			pubErr <- err
			return
		}
		defer pub.Close()
		for i := range messages {
			if v, err := pub.Do("PUBLISH", "c", fmt.Sprintf("m%d", i)); err != nil || v.Str != "1" {
				pubErr <- fmt.Errorf("PUBLISH %d: %v %v", i, v, err)
				return
			}
		}
		pubErr <- nil
	}()
	var raw strings.Builder
	for range gets {
		raw.WriteString(encodeCommand("GET", "big"))
	}
	sub.send(raw.String())
	replies, pushes := 0, 0
	for replies < gets || pushes < messages {
		v := sub.readValueWithin(30 * time.Second)
		switch v.Type {
		case '$':
			if v.Str != big {
				t.Fatalf("reply %d: a GET reply of %d bytes, want %d", replies, len(v.Str), len(big))
			}
			replies++
		case '>':
			if want := fmt.Sprintf("m%d", pushes); len(v.Elems) != 3 || v.Elems[0].Str != "message" || v.Elems[1].Str != "c" || v.Elems[2].Str != want {
				t.Fatalf("push %d: %v, want message c %s", pushes, v, want)
			}
			pushes++
		default:
			t.Fatalf("unexpected frame after %d replies and %d pushes: %v", replies, pushes, v)
		}
	}
	if err := <-pubErr; err != nil {
		t.Fatal(err)
	}
}

// A subscriber that stops reading is disconnected once its queue passes
// the limit; the publisher and a subscriber that keeps up are not held up
// and lose nothing.
func Test_PubSubSlowSubscriberIsDisconnected(t *testing.T) {
	_, addr := startTestServer(t, Config{PubSubOutputLimit: 1 << 20})
	slow := dial(t, addr)
	if got := slow.do("SUBSCRIBE", "c"); !strings.HasPrefix(got, "*3\r\n$9\r\nsubscribe") {
		t.Fatalf("SUBSCRIBE: %q", got)
	}
	fast := dial(t, addr)
	fast.do("SUBSCRIBE", "c")
	var got atomic.Int64
	var reader sync.WaitGroup
	reader.Go(func() {
		for {
			fast.nc.SetReadDeadline(time.Now().Add(60 * time.Second))
			v, err := testutil.ReadValue(fast.br)
			if err != nil {
				return
			}
			if v.Type == '*' && v.Elems[0].Str == "message" {
				got.Add(1)
			}
		}
	})
	pub := dial(t, addr)
	payload := strings.Repeat("x", 8<<10)
	const batch, maxBytes = 20, 64 << 20
	published := int64(0)
	for numsub := 2; numsub == 2; {
		if published*int64(len(payload)) > maxBytes {
			t.Fatalf("the slow subscriber is still subscribed after %d MiB of messages", maxBytes>>20)
		}
		var raw strings.Builder
		for range batch {
			raw.WriteString(encodeCommand("PUBLISH", "c", payload))
		}
		pub.send(raw.String())
		for range batch {
			if r := pub.readReply(); r != ":2\r\n" && r != ":1\r\n" {
				t.Fatalf("PUBLISH: %q", r)
			}
		}
		published += batch
		fmt.Sscanf(pub.do("PUBSUB", "NUMSUB", "c"), "*2\r\n$1\r\nc\r\n:%d", &numsub)
	}
	// The slow connection was closed: after what was buffered, EOF.
	slow.nc.SetReadDeadline(time.Now().Add(30 * time.Second))
	buf := make([]byte, 64<<10)
	total := 0
	for {
		n, err := slow.nc.Read(buf)
		total += n
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatalf("the slow subscriber's connection is still open (read %d bytes, published %d)", total, published)
			}
			break
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		n := got.Load()
		if n == published {
			break
		}
		if n > published || time.Now().After(deadline) {
			t.Fatalf("the subscriber that keeps up received %d of %d messages", n, published)
		}
		time.Sleep(10 * time.Millisecond)
	}
	fast.nc.Close()
	reader.Wait()
}

// Unsubscribing, RESET and disconnecting free every subscription.
func Test_PubSubSubscriptionsAreFreed(t *testing.T) {
	srv, addr := startTestServer(t, Config{})
	h := srv.pubsub
	sizes := func() [4]int {
		h.mu.RLock()
		defer h.mu.RUnlock()
		return [4]int{len(h.index[subChannel]), len(h.index[subPattern]), len(h.index[subShard]), len(h.patterns)}
	}
	a, b := dial(t, addr), dial(t, addr)
	a.do("HELLO", "3")
	b.do("HELLO", "3")
	for i := range 100 {
		a.do("SUBSCRIBE", fmt.Sprint("ch", i))
		a.do("PSUBSCRIBE", fmt.Sprint("p", i, "*"))
		a.do("SSUBSCRIBE", fmt.Sprint("s", i))
	}
	b.do("SUBSCRIBE", "ch0")
	b.do("PSUBSCRIBE", "p0*")
	if got, want := sizes(), [4]int{100, 100, 100, 100}; got != want {
		t.Fatalf("index sizes %v, want %v", got, want)
	}
	if got := a.do("CLIENT", "INFO"); !strings.Contains(got, " flags=P ") || !strings.Contains(got, " sub=100 psub=100 ssub=100 ") {
		t.Fatalf("CLIENT INFO: %q", got)
	}
	for i := range 50 {
		a.do("UNSUBSCRIBE", fmt.Sprint("ch", i))
	}
	if got, want := sizes(), [4]int{51, 100, 100, 100}; got != want {
		t.Fatalf("after UNSUBSCRIBE: index sizes %v, want %v", got, want)
	}
	a.nc.Close()
	deadline := time.Now().Add(10 * time.Second)
	for h.subscribed.Load() != 2 {
		if time.Now().After(deadline) {
			t.Fatalf("%d subscriptions left after the client disconnected, want b's 2", h.subscribed.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got, want := sizes(), [4]int{1, 1, 0, 1}; got != want {
		t.Fatalf("after disconnect: index sizes %v, want %v", got, want)
	}
	if got := b.do("RESET"); got != "+RESET\r\n" {
		t.Fatalf("RESET: %q", got)
	}
	if got, want := sizes(), [4]int{}; got != want || h.subscribed.Load() != 0 {
		t.Fatalf("after RESET: index sizes %v, %d subscriptions", got, h.subscribed.Load())
	}
	if got := b.do("CLIENT", "INFO"); !strings.Contains(got, " flags=N ") || !strings.Contains(got, " sub=0 psub=0 ssub=0 ") {
		t.Fatalf("CLIENT INFO after RESET: %q", got)
	}
}

// INFO counts this node's channels and patterns.
func Test_PubSubInfo(t *testing.T) {
	addr := startServer(t, Config{})
	sub := dial(t, addr)
	sub.do("HELLO", "3")
	sub.do("SUBSCRIBE", "a")
	sub.do("SUBSCRIBE", "b")
	sub.do("PSUBSCRIBE", "x*")
	sub.do("SSUBSCRIBE", "s")
	info := dial(t, addr).do("INFO", "stats")
	for _, want := range []string{"pubsub_channels:2\r\n", "pubsub_patterns:1\r\n", "pubsubshard_channels:1\r\n"} {
		if !strings.Contains(info, want) {
			t.Errorf("INFO stats lacks %q:\n%s", want, info)
		}
	}
}

// Entries at or below the index the node was ready at are replays (Raft
// may still hand them to the state machine after the node became ready):
// their messages are not delivered; later ones are.
func Test_PubSubSkipsEntriesUpToTheReadyIndex(t *testing.T) {
	srv, addr := startTestServer(t, Config{})
	sub := dial(t, addr)
	sub.do("SUBSCRIBE", "c")
	floor, ready := srv.node.ReadyIndex()
	if !ready || floor == 0 {
		t.Fatalf("ReadyIndex = %d, %v on a ready node", floor, ready)
	}
	srv.pubsub.published([]fsm.Message{
		{Index: floor - 1, Channel: []byte("c"), Payload: []byte("replayed")},
		{Index: floor, Channel: []byte("c"), Payload: []byte("replayed too")},
		{Index: floor + 1, Channel: []byte("c"), Payload: []byte("new")},
	})
	if got := sub.readReply(); got != "*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$3\r\nnew\r\n" {
		t.Fatalf("first message delivered: %q", got)
	}
}

// While a channel is busy, a SUBSCRIBE confirmation still comes before the
// first message of the channel, and no message follows the UNSUBSCRIBE
// confirmation.
func Test_PubSubConfirmationsBracketMessages(t *testing.T) {
	addr := startServer(t, Config{})
	stop := make(chan struct{})
	var publisher sync.WaitGroup
	publisher.Go(func() {
		pub, err := testutil.Dial(addr)
		if err != nil {
			t.Error(err)
			return
		}
		defer pub.Close()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := pub.Do("PUBLISH", "busy", strconv.Itoa(i)); err != nil {
				t.Error(err)
				return
			}
		}
	})
	defer func() {
		close(stop)
		publisher.Wait()
	}()
	for _, proto := range []string{"2", "3"} {
		sub := dial(t, addr)
		sub.do("HELLO", proto)
		messages := 0
		for round := range 50 {
			sub.send(encodeCommand("SUBSCRIBE", "busy"))
			if v := sub.readValueWithin(10 * time.Second); v.Elems[0].Str != "subscribe" {
				t.Fatalf("RESP%s round %d: first frame after SUBSCRIBE is %v", proto, round, v)
			}
			if v := sub.readValueWithin(10 * time.Second); v.Elems[0].Str != "message" {
				t.Fatalf("RESP%s round %d: unexpected frame %v", proto, round, v)
			}
			messages++
			sub.send(encodeCommand("UNSUBSCRIBE", "busy"))
			for {
				v := sub.readValueWithin(10 * time.Second)
				if v.Elems[0].Str == "unsubscribe" {
					break
				}
				if v.Elems[0].Str != "message" {
					t.Fatalf("RESP%s round %d: unexpected frame %v", proto, round, v)
				}
				messages++
			}
			if got := sub.do("PING"); got != "+PONG\r\n" {
				t.Fatalf("RESP%s round %d: after UNSUBSCRIBE, PING got %q (a message after the confirmation?)", proto, round, got)
			}
		}
		t.Logf("RESP%s: %d messages received between the confirmations", proto, messages)
	}
}
