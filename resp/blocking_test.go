package resp

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

func Test_BlockingPopServesPushAndTimesOut(t *testing.T) {
	addr := startServer(t, Config{})
	waiter, pusher := dial(t, addr), dial(t, addr)
	waiter.send(encodeCommand("BRPOP", "q", "0"))
	time.Sleep(100 * time.Millisecond)
	if got := pusher.do("LPUSH", "q", "job"); got != ":1\r\n" {
		t.Fatalf("LPUSH: %q", got)
	}
	if got := waiter.readReply(); got != "*2\r\n$1\r\nq\r\n$3\r\njob\r\n" {
		t.Fatalf("BRPOP: %q", got)
	}
	start := time.Now()
	if got := waiter.do("BLPOP", "empty", "0.2"); got != "*-1\r\n" {
		t.Fatalf("BLPOP timeout: %q", got)
	}
	if waited := time.Since(start); waited < 200*time.Millisecond {
		t.Fatalf("fractional timeout returned after %v", waited)
	}
	for _, tc := range []struct{ timeout, want string }{
		{"-1", "-ERR timeout is negative\r\n"},
		{"abc", "-ERR timeout is not a float or out of range\r\n"},
	} {
		if got := waiter.do("BLPOP", "k", tc.timeout); got != tc.want {
			t.Fatalf("timeout %s: %q", tc.timeout, got)
		}
	}
}

// Waiters are served in the order they blocked.
func Test_BlockingPopFIFO(t *testing.T) {
	addr := startServer(t, Config{})
	var clients []*client
	for i := 0; i < 5; i++ {
		c := dial(t, addr)
		c.send(encodeCommand("BLPOP", "fifo", "10"))
		clients = append(clients, c)
		time.Sleep(50 * time.Millisecond)
	}
	p := dial(t, addr)
	for i := 0; i < 5; i++ {
		p.do("RPUSH", "fifo", fmt.Sprint(i))
	}
	for i, c := range clients {
		want := fmt.Sprintf("*2\r\n$4\r\nfifo\r\n$1\r\n%d\r\n", i)
		if got := c.readReply(); got != want {
			t.Fatalf("waiter %d got %q, want %q", i, got, want)
		}
	}
}

// Many clients block on one list while others push: every element is
// delivered exactly once.
func Test_BlockingPopNoLossNoDuplicate(t *testing.T) {
	addr := startServer(t, Config{})
	const consumers, producers, perProducer = 50, 10, 1000
	total := producers * perProducer
	var mu sync.Mutex
	seen := make(map[string]int)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for i := 0; i < consumers; i++ {
		c := dial(t, addr)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				got := c.do("BRPOP", "jobs", "2")
				if got == "*-1\r\n" {
					continue
				}
				parts := strings.Split(got, "\r\n")
				if len(parts) < 5 {
					t.Errorf("bad reply %q", got)
					return
				}
				mu.Lock()
				seen[parts[4]]++
				mu.Unlock()
			}
		}()
	}
	var pw sync.WaitGroup
	for p := 0; p < producers; p++ {
		c := dial(t, addr)
		pw.Add(1)
		go func() {
			defer pw.Done()
			for i := 0; i < perProducer; i++ {
				c.do("LPUSH", "jobs", fmt.Sprintf("p%d-%d", p, i))
			}
		}()
	}
	pw.Wait()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		mu.Lock()
		n := len(seen)
		mu.Unlock()
		if n >= total {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if len(seen) != total {
		t.Fatalf("delivered %d distinct elements, want %d", len(seen), total)
	}
	for k, n := range seen {
		if n != 1 {
			t.Fatalf("element %s delivered %d times", k, n)
		}
	}
	if got := dial(t, addr).do("LLEN", "jobs"); got != ":0\r\n" {
		t.Fatalf("left over: %q", got)
	}
}

// A client that disconnects while blocked takes nothing.
func Test_BlockingPopDisconnectedClientTakesNothing(t *testing.T) {
	addr := startServer(t, Config{})
	gone := dial(t, addr)
	gone.send(encodeCommand("BLPOP", "dq", "0"))
	time.Sleep(100 * time.Millisecond)
	gone.nc.Close()
	time.Sleep(100 * time.Millisecond)
	c := dial(t, addr)
	c.do("RPUSH", "dq", "a")
	time.Sleep(200 * time.Millisecond)
	if got := c.do("LRANGE", "dq", "0", "-1"); got != "*1\r\n$1\r\na\r\n" {
		t.Fatalf("element taken by a disconnected client: %q", got)
	}
}
