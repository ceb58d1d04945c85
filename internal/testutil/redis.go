package testutil

import (
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// RedisServer is a reference redis-server run by a test.
type RedisServer struct {
	port    int
	logPath string
	proc    *process
}

// StartRedis starts Debian's redis-server on a free loopback port with
// persistence off (--save "" --appendonly no), waits for PONG and stops it
// when the test ends. Extra arguments are appended to the command line
// (e.g. "--requirepass", "pw"). The test fails, and does not skip, if
// redis-server is not installed.
func StartRedis(t testing.TB, extra ...string) *RedisServer {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("testutil: redis-server is required as the reference implementation but is not in PATH (%v); "+
			"install it with: apt-get install -y redis-server", err)
	}
	dir := t.TempDir()
	s := &RedisServer{port: FreePort(t), logPath: filepath.Join(dir, "redis.log")}
	args := []string{
		"--port", strconv.Itoa(s.port),
		"--bind", "127.0.0.1",
		"--save", "",
		"--appendonly", "no",
		"--daemonize", "no",
		"--dir", dir,
		"--logfile", "",
	}
	args = append(args, extra...)
	password := ""
	for i := 0; i+1 < len(extra); i++ {
		if extra[i] == "--requirepass" {
			password = extra[i+1]
		}
	}
	logOnFailure(t, "redis-server", s.logPath)
	p, err := startProcess("redis-server", bin, args, dir, s.logPath)
	if err != nil {
		t.Fatalf("testutil: starting redis-server: %v", err)
	}
	s.proc = p
	t.Cleanup(func() {
		if s.proc.exited() {
			return
		}
		if err := s.proc.terminate(15 * time.Second); err != nil {
			t.Errorf("testutil: stopping redis-server: %v", err)
		}
	})
	if err := waitPong(p, s.Addr(), password, 20*time.Second); err != nil {
		t.Fatalf("testutil: redis-server did not become ready: %v", err)
	}
	return s
}

// Addr is the server's host:port.
func (s *RedisServer) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// Port is the server's port.
func (s *RedisServer) Port() int { return s.port }
