//go:build !unix

package testutil

import "syscall"

// Without SIGSTOP, Pause fails: Signal rejects these values.
const (
	sigStop = syscall.Signal(-1)
	sigCont = syscall.Signal(-1)
)
