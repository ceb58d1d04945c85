package testutil

import (
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Test servers listen on ports chosen below the kernel's ephemeral range.
// A port picked by listening on port 0 is an ephemeral one: between the
// moment the harness closes it and the moment the server binds it (or
// binds it again after a kill -9), any outgoing connection on the machine
// may take it as its source port, and the server then fails with "address
// already in use". Outgoing connections never use ports below the
// ephemeral range, so there only other listeners compete, and a bind check
// sees them.

// portFloor is the lowest port handed out: above the well-known and
// commonly configured service ports.
const portFloor = 20000

// portAllocator hands out each port at most once per test process, walking
// up from an offset derived from the process ID so that test binaries
// running in parallel start in different places.
type portAllocator struct {
	mu      sync.Mutex
	next    int
	ceiling int // first port of the ephemeral range
}

var ports portAllocator

// FreePort returns a loopback TCP port, below the ephemeral range, that is
// free now and that no other caller in this process got.
func FreePort(t testing.TB) int {
	t.Helper()
	return FreeConsecutivePorts(t, 1)
}

// FreeConsecutivePorts returns the first of n consecutive such ports (for
// `redraft dev`, which numbers its nodes' ports from a base).
func FreeConsecutivePorts(t testing.TB, n int) int {
	t.Helper()
	base, ok := ports.take(n)
	if !ok {
		t.Fatalf("testutil: no %d consecutive free ports in [%d, %d)", n, portFloor, ports.ceiling)
	}
	return base
}

func (a *portAllocator) take(n int) (int, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.ceiling == 0 {
		a.ceiling = ephemeralFloor()
		a.next = portFloor + (os.Getpid()*997)%(a.ceiling-portFloor)
	}
	span := a.ceiling - portFloor
	for tried := 0; tried < span; {
		base := a.next
		if base+n > a.ceiling {
			tried += a.ceiling - base
			a.next = portFloor
			continue
		}
		a.next = base + n
		tried += n
		if allFree(base, n) {
			return base, true
		}
	}
	return 0, false
}

func allFree(base, n int) bool {
	for p := base; p < base+n; p++ {
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			return false
		}
		l.Close()
	}
	return true
}

// ephemeralFloor is the first port of the kernel's ephemeral range
// (32768 when it cannot be read).
func ephemeralFloor() int {
	const fallback = 32768
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return fallback
	}
	fields := strings.Fields(string(b))
	if len(fields) == 0 {
		return fallback
	}
	low, err := strconv.Atoi(fields[0])
	if err != nil || low <= portFloor+1000 {
		return fallback
	}
	return low
}
