package testutil

import (
	"fmt"
	"net"
	"os"
	"runtime"
	"time"

	"golang.org/x/sys/unix"
)

// Dial opens a TCP connection to addr (an IP literal and a port) from inside
// the host, so that the connection is subject to the host's cuts as the
// connections of its processes are: a client that sits in a partition.
func (h *Host) Dial(addr string, timeout time.Duration) (net.Conn, error) {
	type result struct {
		c   net.Conn
		err error
	}
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		c, restored, err := h.dialInside(addr, timeout)
		// A thread left in the host's namespace must die with this
		// goroutine (it stays locked). One that is back home is unlocked
		// instead: the runtime would otherwise end it, and the kernel
		// then SIGKILLs every child it forked, since processes are
		// started with Pdeathsig (see sysProcAttr).
		if restored {
			runtime.UnlockOSThread()
		}
		ch <- result{c, err}
	}()
	r := <-ch
	return r.c, r.err
}

// dialInside moves the calling (locked) thread into the host's namespace,
// dials there and moves the thread back; the socket stays in the host's
// namespace whichever thread uses it afterwards. restored tells whether the
// thread is back in its original namespace.
func (h *Host) dialInside(addr string, timeout time.Duration) (c net.Conn, restored bool, err error) {
	home, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		return nil, true, err
	}
	defer home.Close()
	target, err := os.Open("/run/netns/" + h.ns)
	if err != nil {
		return nil, true, err
	}
	defer target.Close()
	if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
		return nil, true, fmt.Errorf("setns into %s: %v", h.ns, err)
	}
	c, err = net.DialTimeout("tcp", addr, timeout)
	return c, unix.Setns(int(home.Fd()), unix.CLONE_NEWNET) == nil, err
}
