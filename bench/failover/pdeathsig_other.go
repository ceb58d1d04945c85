//go:build !linux

package main

import "os/exec"

// setPdeathsig is Linux only; elsewhere the nodes are stopped on a normal exit.
func setPdeathsig(cmd *exec.Cmd) {}
