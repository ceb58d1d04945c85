package testutil

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A Network is a private IPv4 network of "hosts" for one test: a Linux
// bridge in the root network namespace and one network namespace per host,
// each attached to the bridge by a veth pair. Processes started in a host
// (Host.Wrap, or ClusterOptions.Network) listen on the host's own address, so
// the test can cut the traffic between hosts (Partition, Isolate, Heal) while
// the test process, which owns the bridge's address in the same /24, still
// reaches every host directly.
//
// Layout of a network with subnet index k (0..2047):
//
//	subnet      10.(200+k/256).(k%256).0/24
//	bridge      rdb<k>, address .254 (the test process's side)
//	host i      namespace rdn<k>h<i>, interface eth0 with address .(i+1),
//	            veth rdv<k>h<i> in the root namespace, enslaved to the bridge
//
// The namespaces have no default route: a process in a host can only reach
// its own loopback and the subnet. Creating a Network needs root (or
// CAP_NET_ADMIN and CAP_SYS_ADMIN) and the ip command from iproute2; without
// them the test fails, it never skips.
type Network struct {
	t      testing.TB
	ipBin  string
	index  int    // subnet index k
	prefix string // "10.200.5." – the first three octets of the subnet
	bridge string

	mu    sync.Mutex
	hosts []*Host
	cuts  map[cut]bool // the blackhole rules currently installed
}

// A Host is one network namespace of a Network.
type Host struct {
	net   *Network
	index int
	ns    string
	veth  string
	ip    string
}

// cut means: host at drops every packet it receives from host from. A
// partition installs cuts in both directions.
type cut struct{ at, from int }

const (
	// subnetCount is how many /24 subnets (10.200.0.0 to 10.207.255.0) a
	// Network may claim.
	subnetCount = 2048
	// bridgeHost is the last octet of the bridge's (the test process's)
	// address.
	bridgeHost = 254
	// maxHosts keeps host addresses (.1 upwards) below the bridge's.
	maxHosts = bridgeHost - 1
	// cutPref is the priority of the partition rules. It must come before
	// the "lookup local" rule, which setupHost moves from 0 to localPref:
	// otherwise packets addressed to the host would be delivered by the
	// local table before a cut could drop them.
	cutPref   = 10
	localPref = 100
	// ipTimeout bounds every ip command.
	ipTimeout = 15 * time.Second
)

var networkSeq atomic.Int64

// NewNetwork creates a network of n hosts for this test and removes it (the
// namespaces, the veths and the bridge, nothing else) when the test ends,
// whether it passed or not. Call it before starting processes in it, so that
// its cleanup runs after theirs.
//
// The subnet is chosen among 2048 candidates starting at one derived from the
// PID and a per-process counter; a candidate is skipped when any route or
// address of the root namespace overlaps it (so the test never shadows a real
// network) or when its names are taken. Creating the bridge is the atomic
// claim: concurrently running tests, in this process or another, never get
// the same subnet.
func NewNetwork(t testing.TB, n int) *Network {
	t.Helper()
	if n < 1 || n > maxHosts {
		t.Fatalf("testutil: NewNetwork: %d hosts, want 1 to %d", n, maxHosts)
	}
	ipBin, err := exec.LookPath("ip")
	if err != nil {
		t.Fatalf("testutil: NewNetwork needs the ip command (apt-get install -y iproute2): %v", err)
	}
	if os.Geteuid() != 0 {
		t.Fatalf("testutil: NewNetwork needs root to create network namespaces (running as uid %d)", os.Geteuid())
	}
	nw := &Network{t: t, ipBin: ipBin, cuts: map[cut]bool{}}
	start := (os.Getpid()*37 + int(networkSeq.Add(1))*101) % subnetCount
	if err := nw.claimSubnet(start); err != nil {
		t.Fatalf("testutil: NewNetwork: %v", err)
	}
	t.Cleanup(nw.cleanup)
	if err := nw.setupBridge(); err != nil {
		t.Fatalf("testutil: NewNetwork: %v", err)
	}
	for range n {
		nw.AddHost()
	}
	return nw
}

// claimSubnet picks a free subnet, trying candidates from index start on,
// and creates its bridge, which reserves it.
func (nw *Network) claimSubnet(start int) error {
	used, err := nw.usedPrefixes()
	if err != nil {
		return err
	}
	for off := range subnetCount {
		k := (start + off) % subnetCount
		if !nw.subnetFree(k, used) {
			continue
		}
		bridge := fmt.Sprintf("rdb%d", k)
		if _, err := nw.ip("", "link", "add", bridge, "type", "bridge"); err != nil {
			continue // taken by a concurrent test (or anything else): not ours
		}
		nw.index, nw.bridge = k, bridge
		nw.prefix = fmt.Sprintf("10.%d.%d.", 200+k/256, k%256)
		return nil
	}
	return fmt.Errorf("no free subnet among 10.200.0.0/24 to 10.207.255.0/24 (leftovers of killed tests? see `ip link show type bridge` and `ip netns list`, names rdb*/rdn*)")
}

// subnetFree tells whether subnet k overlaps no route or address of the root
// namespace and no leftover namespace or veth uses its names.
func (nw *Network) subnetFree(k int, used []netip.Prefix) bool {
	p := netip.MustParsePrefix(fmt.Sprintf("10.%d.%d.0/24", 200+k/256, k%256))
	for _, u := range used {
		if u.Overlaps(p) {
			return false
		}
	}
	if m, _ := filepath.Glob(fmt.Sprintf("/run/netns/rdn%dh*", k)); len(m) > 0 {
		return false
	}
	if m, _ := filepath.Glob(fmt.Sprintf("/sys/class/net/rdv%dh*", k)); len(m) > 0 {
		return false
	}
	return true
}

// usedPrefixes lists the destinations of every IPv4 route of the root
// namespace, in all tables, except the default routes.
func (nw *Network) usedPrefixes() ([]netip.Prefix, error) {
	out, err := nw.ip("", "-4", "-o", "route", "show", "table", "all")
	if err != nil {
		return nil, err
	}
	var used []netip.Prefix
	for _, line := range strings.Split(out, "\n") {
		if p, ok := routePrefix(line); ok {
			used = append(used, p)
		}
	}
	return used, nil
}

// routeTypes are the words that ip may print before a route's destination.
var routeTypes = []string{"unicast", "local", "broadcast", "multicast", "anycast", "blackhole", "unreachable", "prohibit", "throw", "nat"}

// routePrefix parses the destination of one line of `ip -o route show`.
func routePrefix(line string) (netip.Prefix, bool) {
	f := strings.Fields(line)
	if len(f) > 1 && slices.Contains(routeTypes, f[0]) {
		f = f[1:]
	}
	if len(f) == 0 || f[0] == "default" {
		return netip.Prefix{}, false
	}
	dst := f[0]
	if !strings.Contains(dst, "/") {
		dst += "/32"
	}
	p, err := netip.ParsePrefix(dst)
	return p, err == nil
}

// setupBridge labels the bridge, gives it the subnet's .254 and brings it up.
func (nw *Network) setupBridge() error {
	label := fmt.Sprintf("redraft testutil pid %d %s", os.Getpid(), nw.t.Name())
	if len(label) > 200 {
		label = label[:200]
	}
	steps := [][]string{
		{"link", "set", "dev", nw.bridge, "alias", label},
		{"addr", "add", nw.BridgeIP() + "/24", "dev", nw.bridge},
		{"link", "set", "dev", nw.bridge, "up"},
	}
	for _, s := range steps {
		if _, err := nw.ip("", s...); err != nil {
			return err
		}
	}
	return nil
}

// AddHost creates one more host, with the next index and address, and
// returns it. Existing cuts are left as they are: the new host reaches
// everybody until the next Partition or Isolate.
func (nw *Network) AddHost() *Host {
	nw.t.Helper()
	nw.mu.Lock()
	defer nw.mu.Unlock()
	i := len(nw.hosts)
	if i >= maxHosts {
		nw.t.Fatalf("testutil: network %s: at most %d hosts", nw.Subnet(), maxHosts)
	}
	h := &Host{
		net:   nw,
		index: i,
		ns:    fmt.Sprintf("rdn%dh%d", nw.index, i),
		veth:  fmt.Sprintf("rdv%dh%d", nw.index, i),
		ip:    nw.prefix + strconv.Itoa(i+1),
	}
	// Appended first so that cleanup removes whatever part of it exists.
	nw.hosts = append(nw.hosts, h)
	if err := nw.setupHost(h); err != nil {
		nw.t.Fatalf("testutil: network %s: creating host %d: %v", nw.Subnet(), i, err)
	}
	return h
}

// setupHost creates the namespace and the veth pair of h and configures both
// ends. Inside, the interface is called eth0 and the "lookup local" rule is
// moved behind the partition rules (see cutPref).
func (nw *Network) setupHost(h *Host) error {
	root := [][]string{
		{"netns", "add", h.ns},
		{"link", "add", h.veth, "type", "veth", "peer", "name", "eth0", "netns", h.ns},
		{"link", "set", "dev", h.veth, "master", nw.bridge},
		{"link", "set", "dev", h.veth, "up"},
	}
	for _, s := range root {
		if _, err := nw.ip("", s...); err != nil {
			return err
		}
	}
	return nw.ipBatch(h.ns, []string{
		"link set dev lo up",
		"addr add " + h.ip + "/24 dev eth0",
		"link set dev eth0 up",
		fmt.Sprintf("rule add pref %d lookup local", localPref),
		"rule del pref 0 lookup local",
	})
}

// cleanup removes the hosts and the bridge. It deletes each veth explicitly
// rather than relying on the namespace going away: a namespace outlives
// `ip netns del` while a process still runs in it.
func (nw *Network) cleanup() {
	nw.mu.Lock()
	defer nw.mu.Unlock()
	if nw.t.Failed() {
		nw.t.Logf("testutil: network %s: bridge %s, %d hosts, cuts at the end: %s", nw.Subnet(), nw.bridge, len(nw.hosts), nw.describeCuts())
	}
	for _, h := range nw.hosts {
		if nw.exists("/sys/class/net/" + h.veth) {
			if _, err := nw.ip("", "link", "del", "dev", h.veth); err != nil {
				nw.t.Errorf("testutil: network cleanup: %v", err)
			}
		}
		if nw.exists("/run/netns/" + h.ns) {
			if _, err := nw.ip("", "netns", "del", h.ns); err != nil {
				nw.t.Errorf("testutil: network cleanup: %v", err)
			}
		}
	}
	if nw.bridge != "" {
		if _, err := nw.ip("", "link", "del", "dev", nw.bridge); err != nil {
			nw.t.Errorf("testutil: network cleanup: %v", err)
		}
	}
}

func (nw *Network) exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// Partition cuts all traffic, in both directions, between hosts in different
// groups; hosts in the same group, and every host and the test process, still
// reach each other. Hosts listed in no group form one more group together,
// so Partition([]int{0}) separates host 0 from all others. It replaces the
// previous partition: cuts no longer wanted are removed and new ones added,
// without healing everything in between.
//
// A cut is an input rule in the receiving host, `ip rule add from PEER/32
// iif eth0 blackhole`, so packets are dropped silently as in a real
// partition: a connect times out and established connections stall, they do
// not get an error. Once the cut is removed, stalled TCP connections recover
// through retransmission.
func (nw *Network) Partition(groups ...[]int) {
	nw.t.Helper()
	nw.mu.Lock()
	defer nw.mu.Unlock()
	group, err := nw.groupOf(groups)
	if err != nil {
		nw.t.Fatalf("testutil: Partition: %v", err)
	}
	want := map[cut]bool{}
	for a := range nw.hosts {
		for b := range nw.hosts {
			if group[a] != group[b] {
				want[cut{at: a, from: b}] = true
			}
		}
	}
	if err := nw.applyCuts(want); err != nil {
		nw.t.Fatalf("testutil: Partition: %v", err)
	}
}

// groupOf maps every host to its group number; unlisted hosts get the extra
// group len(groups).
func (nw *Network) groupOf(groups [][]int) ([]int, error) {
	group := make([]int, len(nw.hosts))
	for i := range group {
		group[i] = -1
	}
	for g, members := range groups {
		for _, i := range members {
			switch {
			case i < 0 || i >= len(nw.hosts):
				return nil, fmt.Errorf("host %d out of range (network has %d hosts)", i, len(nw.hosts))
			case group[i] != -1:
				return nil, fmt.Errorf("host %d is in more than one group", i)
			}
			group[i] = g
		}
	}
	for i := range group {
		if group[i] == -1 {
			group[i] = len(groups)
		}
	}
	return group, nil
}

// Isolate cuts host i off from every other host (but not from the test
// process). It replaces the previous partition.
func (nw *Network) Isolate(i int) {
	nw.t.Helper()
	nw.Partition([]int{i})
}

// Heal removes every cut.
func (nw *Network) Heal() {
	nw.t.Helper()
	nw.mu.Lock()
	defer nw.mu.Unlock()
	if err := nw.applyCuts(map[cut]bool{}); err != nil {
		nw.t.Fatalf("testutil: Heal: %v", err)
	}
}

// applyCuts changes the installed cuts into want, one ip batch per host
// whose rules change. Hosts change one after the other, a few milliseconds
// apart: the change is not atomic across hosts.
func (nw *Network) applyCuts(want map[cut]bool) error {
	cmds := make([][]string, len(nw.hosts))
	for c := range nw.cuts {
		if !want[c] {
			cmds[c.at] = append(cmds[c.at], "rule del "+nw.cutRule(c))
		}
	}
	for c := range want {
		if !nw.cuts[c] {
			cmds[c.at] = append(cmds[c.at], "rule add "+nw.cutRule(c))
		}
	}
	for i, lines := range cmds {
		if len(lines) == 0 {
			continue
		}
		// Additions ("rule add") sort before deletions: a host never
		// passes through a state with fewer cuts than both partitions.
		slices.Sort(lines)
		if err := nw.ipBatch(nw.hosts[i].ns, lines); err != nil {
			// The rules of this host are now unknown; forget what we
			// thought and let cleanup remove the namespace anyway.
			return err
		}
		for c := range nw.cuts {
			if c.at == i && !want[c] {
				delete(nw.cuts, c)
			}
		}
		for c := range want {
			if c.at == i {
				nw.cuts[c] = true
			}
		}
	}
	return nil
}

func (nw *Network) cutRule(c cut) string {
	return fmt.Sprintf("pref %d from %s/32 iif eth0 blackhole", cutPref, nw.hosts[c.from].ip)
}

// describeCuts lists the installed cuts for failure messages, e.g.
// "0<-/-1 1<-/-0" (host 0 drops what comes from host 1 and vice versa).
func (nw *Network) describeCuts() string {
	var s []string
	for c := range nw.cuts {
		s = append(s, fmt.Sprintf("%d<-/-%d", c.at, c.from))
	}
	if len(s) == 0 {
		return "none"
	}
	slices.Sort(s)
	return strings.Join(s, " ")
}

// Connected tells whether the installed cuts let hosts a and b talk (both
// directions must be open for TCP).
func (nw *Network) Connected(a, b int) bool {
	nw.mu.Lock()
	defer nw.mu.Unlock()
	return !nw.cuts[cut{at: a, from: b}] && !nw.cuts[cut{at: b, from: a}]
}

// ip runs the ip command, in namespace ns unless it is empty, and returns its
// output. The error includes the command line and its output.
func (nw *Network) ip(ns string, args ...string) (string, error) {
	return nw.runIP(ns, nil, args...)
}

// ipBatch runs several ip commands (without the leading "ip") in one process
// through ip -batch.
func (nw *Network) ipBatch(ns string, lines []string) error {
	_, err := nw.runIP(ns, []byte(strings.Join(lines, "\n")+"\n"), "-batch", "-")
	return err
}

func (nw *Network) runIP(ns string, stdin []byte, args ...string) (string, error) {
	if ns != "" {
		args = append([]string{"-n", ns}, args...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), ipTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, nw.ipBin, args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		what := "ip " + strings.Join(args, " ")
		if stdin != nil {
			what += " <<< " + strings.ReplaceAll(strings.TrimSpace(string(stdin)), "\n", "; ")
		}
		return string(out), fmt.Errorf("%s: %v: %s", what, err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}

// Host returns host i (0-based).
func (nw *Network) Host(i int) *Host {
	nw.t.Helper()
	nw.mu.Lock()
	defer nw.mu.Unlock()
	if i < 0 || i >= len(nw.hosts) {
		nw.t.Fatalf("testutil: Host(%d): network has %d hosts", i, len(nw.hosts))
	}
	return nw.hosts[i]
}

// Len is the number of hosts.
func (nw *Network) Len() int {
	nw.mu.Lock()
	defer nw.mu.Unlock()
	return len(nw.hosts)
}

// Subnet is the network's /24 in CIDR notation.
func (nw *Network) Subnet() string { return nw.prefix + "0/24" }

// BridgeIP is the test process's own address in the subnet: the address that
// hosts see connections from the test come from.
func (nw *Network) BridgeIP() string { return nw.prefix + strconv.Itoa(bridgeHost) }

// Index is the host's index in its Network.
func (h *Host) Index() int { return h.index }

// IP is the host's IPv4 address, e.g. "10.200.5.1" for host 0.
func (h *Host) IP() string { return h.ip }

// Addr joins the host's IP with port.
func (h *Host) Addr(port int) string { return net.JoinHostPort(h.ip, strconv.Itoa(port)) }

// Namespace is the name of the host's network namespace, as `ip netns`
// knows it.
func (h *Host) Namespace() string { return h.ns }

// Wrap returns the program and arguments that run bin with args inside the
// host: `ip netns exec NS bin args...`. ip execs bin in place, so the process
// that is started is bin itself and signals sent to its PID reach it.
func (h *Host) Wrap(bin string, args ...string) (string, []string) {
	return h.net.ipBin, append([]string{"netns", "exec", h.ns, bin}, args...)
}

// Command returns an exec.Cmd that runs bin with args inside the host.
func (h *Host) Command(bin string, args ...string) *exec.Cmd {
	name, a := h.Wrap(bin, args...)
	return exec.Command(name, a...)
}

// String describes the host for messages.
func (h *Host) String() string {
	return fmt.Sprintf("host %d (%s, netns %s)", h.index, h.ip, h.ns)
}

// DialRESP is Dial wrapped in a Conn, for talking RESP to a server from
// inside the host.
func (h *Host) DialRESP(addr string, timeout time.Duration) (*Conn, error) {
	c, err := h.Dial(addr, timeout)
	if err != nil {
		return nil, err
	}
	return &Conn{Conn: c, R: bufio.NewReader(c)}, nil
}
