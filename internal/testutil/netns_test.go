package testutil

import (
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// cutDialTimeout bounds a dial that a partition is expected to swallow.
const cutDialTimeout = 700 * time.Millisecond

// ping sends PING over c and expects PONG within timeout.
func ping(c *Conn, timeout time.Duration) error {
	c.Timeout = timeout
	v, err := c.Do("PING")
	if err != nil {
		return err
	}
	if v.Type != '+' || v.Str != "PONG" {
		return fmt.Errorf("PING answered %v", v)
	}
	return nil
}

// reach connects to addr, from inside host from or from the test process if
// from is nil, and checks that PING answers PONG.
func reach(from *Host, addr string) error {
	var c *Conn
	var err error
	if from == nil {
		c, err = Dial(addr)
	} else {
		c, err = from.DialRESP(addr, cutDialTimeout)
	}
	if err != nil {
		return err
	}
	defer c.Close()
	return ping(c, 2*time.Second)
}

// expectReach fails the test unless from reaches addr.
func expectReach(t *testing.T, from *Host, addr string) {
	t.Helper()
	if err := reach(from, addr); err != nil {
		t.Fatalf("%v -> %s: %v, want it reachable", from, addr, err)
	}
}

// expectCut fails the test unless a connection from from to addr times out:
// a cut drops packets silently, so the dial must neither succeed nor be
// refused.
func expectCut(t *testing.T, from *Host, addr string) {
	t.Helper()
	start := time.Now()
	err := reach(from, addr)
	var ne net.Error
	if err == nil || !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("%v -> %s: %v after %v, want a dial timeout", from, addr, err, time.Since(start))
	}
}

// startRedisHosts starts a redis-server in each host of nw.
func startRedisHosts(t *testing.T, nw *Network) []string {
	t.Helper()
	addrs := make([]string, nw.Len())
	for i := range addrs {
		addrs[i] = StartRedisOn(t, nw.Host(i)).Addr()
	}
	return addrs
}

// checkMatrix checks every ordered pair of hosts against nw.Connected, and
// that the test process reaches every host.
func checkMatrix(t *testing.T, nw *Network, addrs []string) {
	t.Helper()
	for a := range addrs {
		expectReach(t, nil, addrs[a])
		for b := range addrs {
			if a == b || nw.Connected(a, b) {
				expectReach(t, nw.Host(a), addrs[b])
			} else {
				expectCut(t, nw.Host(a), addrs[b])
			}
		}
	}
}

func Test_NetworkPartitionBlocksTCPBetweenHostsOnly(t *testing.T) {
	nw := NewNetwork(t, 3)
	addrs := startRedisHosts(t, nw)
	for i := range addrs {
		if want := nw.Host(i).Addr(6379); addrs[i] != want {
			t.Fatalf("redis on host %d at %s, want %s", i, addrs[i], want)
		}
	}
	checkMatrix(t, nw, addrs)

	// A connection established before the cut must stall, not fail fast.
	stalled, err := nw.Host(0).DialRESP(addrs[2], time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()

	nw.Partition([]int{0, 1}, []int{2})
	if !nw.Connected(0, 1) || nw.Connected(0, 2) || nw.Connected(2, 1) {
		t.Fatalf("Connected disagrees with the partition {0,1} {2}: cuts %s", nw.describeCuts())
	}
	checkMatrix(t, nw, addrs)
	err = ping(stalled, time.Second)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("PING on a connection across the partition: %v, want a timeout", err)
	}

	nw.Isolate(1)
	if nw.Connected(0, 1) || !nw.Connected(0, 2) || nw.Connected(1, 2) {
		t.Fatalf("Connected disagrees with Isolate(1): cuts %s", nw.describeCuts())
	}
	checkMatrix(t, nw, addrs)

	nw.Heal()
	checkMatrix(t, nw, addrs)
	// The stalled PING is retransmitted once the cut is gone: its PONG
	// arrives on the same connection.
	if v, err := readWithin(stalled, 20*time.Second); err != nil || v.Str != "PONG" {
		t.Fatalf("stalled connection after Heal: %v, %v; want the PONG of the PING sent during the partition", v, err)
	}
}

// readWithin reads one reply from c within timeout.
func readWithin(c *Conn, timeout time.Duration) (Value, error) {
	if err := c.SetDeadline(time.Now().Add(timeout)); err != nil {
		return Value{}, err
	}
	return ReadValue(c.R)
}

func Test_NetworkHostsCannotLeaveTheSubnet(t *testing.T) {
	nw := NewNetwork(t, 1)
	srv := StartRedis(t) // on 127.0.0.1 of the root namespace
	_, err := nw.Host(0).Dial(srv.Addr(), cutDialTimeout)
	if err == nil {
		t.Fatalf("host 0 reached %s, the root namespace's loopback", srv.Addr())
	}
	out, err := nw.ip(nw.Host(0).Namespace(), "-4", "route", "show", "table", "all")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "default") {
		t.Fatalf("host 0 has a default route:\n%s", out)
	}
}

func Test_NetworkCleanupRemovesEverything(t *testing.T) {
	var names []string
	t.Run("net", func(t *testing.T) {
		nw := NewNetwork(t, 2)
		nw.AddHost()
		nw.Isolate(2)
		names = append(names, "/sys/class/net/"+nw.bridge)
		for i := range nw.Len() {
			h := nw.Host(i)
			names = append(names, "/run/netns/"+h.Namespace(), "/sys/class/net/"+h.veth)
		}
		for _, n := range names {
			if _, err := os.Stat(n); err != nil {
				t.Fatalf("%s missing while the network exists: %v", n, err)
			}
		}
	})
	for _, n := range names {
		if _, err := os.Stat(n); err == nil {
			t.Errorf("%s still exists after the test", n)
		}
	}
}

func Test_NetworksOfConcurrentTestsDoNotCollide(t *testing.T) {
	subnets := make(chan string, 4)
	t.Run("group", func(t *testing.T) {
		for i := range 4 {
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				t.Parallel()
				nw := NewNetwork(t, 1)
				for _, name := range []string{nw.bridge, nw.Host(0).veth} {
					if len(name) > 15 {
						t.Errorf("interface name %q longer than 15 bytes", name)
					}
				}
				subnets <- nw.Subnet()
			})
		}
	})
	close(subnets)
	var got []string
	for s := range subnets {
		got = append(got, s)
	}
	slices.Sort(got)
	if len(slices.Compact(slices.Clone(got))) != 4 {
		t.Fatalf("subnets of concurrent networks: %v, want 4 distinct", got)
	}
}

func Test_NetworkSkipsTakenSubnets(t *testing.T) {
	first := NewNetwork(t, 1)
	second := &Network{t: t, ipBin: first.ipBin, cuts: map[cut]bool{}}
	if err := second.claimSubnet(first.index); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(second.cleanup)
	if second.index == first.index || second.Subnet() == first.Subnet() || second.bridge == first.bridge {
		t.Fatalf("second network claimed %s (%s) while the first holds %s (%s)", second.Subnet(), second.bridge, first.Subnet(), first.bridge)
	}
}

func Test_PartitionGroups(t *testing.T) {
	nw := &Network{hosts: make([]*Host, 4)}
	g, err := nw.groupOf([][]int{{0, 1}, {3}})
	if err != nil || !slices.Equal(g, []int{0, 0, 2, 1}) {
		t.Fatalf("groupOf({0,1},{3}) = %v, %v; want [0 0 2 1]", g, err)
	}
	for _, bad := range [][][]int{{{4}}, {{-1}}, {{0}, {0}}, {{1, 1}}} {
		if _, err := nw.groupOf(bad); err == nil {
			t.Errorf("groupOf(%v) accepted", bad)
		}
	}
}

func Test_RoutePrefix(t *testing.T) {
	cases := map[string]string{
		"default via 192.0.2.1 dev eth0":                                       "",
		"192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.2":          "192.0.2.0/24",
		"local 127.0.0.1 dev lo table local proto kernel scope host":           "127.0.0.1/32",
		"broadcast 10.1.2.255 dev br0 table local proto kernel scope link":     "10.1.2.255/32",
		"blackhole 10.200.0.0/16":                                              "10.200.0.0/16",
		"unreachable default dev lo proto kernel metric 4294967295 error -101": "",
		"": "",
		"10.204.3.0/24 dev rdb1027 proto kernel scope link src 10.204.3.254 ": "10.204.3.0/24",
	}
	for line, want := range cases {
		p, ok := routePrefix(line)
		got := ""
		if ok {
			got = p.String()
		}
		if got != want {
			t.Errorf("routePrefix(%q) = %q, want %q", line, got, want)
		}
	}
}
