package testutil

import "syscall"

// sysProcAttr makes the kernel kill a started server if the test binary dies
// without running its cleanups (a panic, a -timeout, a kill).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
