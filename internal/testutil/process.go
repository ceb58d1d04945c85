package testutil

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// process is one run of a server binary whose output is appended to a log
// file.
type process struct {
	name string
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	err  error         // its exit status, once done is closed
}

// startProcess runs bin with args, appending stdout and stderr to logPath.
func startProcess(name, bin string, args []string, dir, logPath string) (*process, error) {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(logf, "=== %s %s: %s %s\n", time.Now().Format(time.RFC3339Nano), name, bin, strings.Join(args, " "))
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	p := &process{name: name, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		fmt.Fprintf(logf, "=== %s %s exited: %v\n", time.Now().Format(time.RFC3339Nano), name, exitDesc(p.err))
		logf.Close()
		close(p.done)
	}()
	return p, nil
}

func exitDesc(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *process) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// terminate sends SIGTERM and waits up to timeout for a clean exit. It
// returns an error if the process did not exit in time (it is then killed)
// or exited with a non-zero status.
func (p *process) terminate(timeout time.Duration) error {
	if p.exited() {
		return fmt.Errorf("%s had already exited before SIGTERM: %v", p.name, exitDesc(p.err))
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(timeout):
		p.kill()
		return fmt.Errorf("%s did not exit within %v of SIGTERM; killed it", p.name, timeout)
	}
	if p.err != nil {
		return fmt.Errorf("%s did not exit cleanly after SIGTERM: %v", p.name, p.err)
	}
	return nil
}

// waitPong polls addr with PING (after AUTH when password is set) until it
// answers +PONG. Replies such as -LOADING mean "not yet". It fails if the
// process exits or the timeout passes first.
func waitPong(p *process, addr, password string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	last := "no attempt"
	for {
		if p.exited() {
			return fmt.Errorf("%s exited before answering PING: %v (last PING attempt: %s)", p.name, exitDesc(p.err), last)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not answer PING with PONG within %v (last attempt: %s)", p.name, timeout, last)
		}
		ok, desc := tryPing(addr, password)
		if ok {
			return nil
		}
		last = desc
		time.Sleep(50 * time.Millisecond)
	}
}

func tryPing(addr, password string) (bool, string) {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false, err.Error()
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	r := bufio.NewReader(c)
	if password != "" {
		if _, err := c.Write(EncodeCommand("AUTH", password)); err != nil {
			return false, err.Error()
		}
		v, err := ReadValue(r)
		if err != nil {
			return false, "AUTH: " + err.Error()
		}
		if v.Type != '+' {
			return false, "AUTH: " + v.String()
		}
	}
	if _, err := c.Write(EncodeCommand("PING")); err != nil {
		return false, err.Error()
	}
	v, err := ReadValue(r)
	if err != nil {
		return false, "PING: " + err.Error()
	}
	if v.Type == '+' && v.Str == "PONG" {
		return true, ""
	}
	return false, "PING: " + v.String()
}

// logOnFailure registers a cleanup that prints the tail of the log file if
// the test failed. Register it before the cleanup that stops the process so
// that it runs after it (cleanups run last-in first-out) and shows the
// shutdown too.
func logOnFailure(t testing.TB, what, logPath string) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		t.Logf("---- %s output (%s) ----\n%s\n---- end of %s output ----", what, logPath, tailFile(logPath, 64<<10), what)
	})
}

// tailFile returns the last max bytes of a file.
func tailFile(path string, max int64) string {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err.Error()
	}
	off := int64(0)
	prefix := ""
	if st.Size() > max {
		off = st.Size() - max
		prefix = fmt.Sprintf("(first %d bytes omitted)\n", off)
	}
	buf := make([]byte, st.Size()-off)
	n, err := f.ReadAt(buf, off)
	if err != nil && !errors.Is(err, os.ErrClosed) && n == 0 {
		return prefix + err.Error()
	}
	return prefix + string(buf[:n])
}
