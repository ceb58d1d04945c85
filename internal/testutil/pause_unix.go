//go:build unix

package testutil

import "syscall"

// The signals behind ClusterNode.Pause and Resume.
const (
	sigStop = syscall.SIGSTOP
	sigCont = syscall.SIGCONT
)
