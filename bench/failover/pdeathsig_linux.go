package main

import (
	"os/exec"
	"syscall"
)

// setPdeathsig has the kernel kill the node if this program dies first.
func setPdeathsig(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
