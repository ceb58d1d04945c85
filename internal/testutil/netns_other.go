//go:build !linux

package testutil

import (
	"errors"
	"net"
	"time"
)

// Dial needs Linux network namespaces.
func (h *Host) Dial(addr string, timeout time.Duration) (net.Conn, error) {
	return nil, errors.New("testutil: Host.Dial needs Linux network namespaces")
}
