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
	host    string
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
	return startRedis(t, nil, extra)
}

// StartRedisOn is StartRedis inside a Network's host: the server listens on
// the host's IP, port 6379, and the test reaches it through the bridge.
// Protected mode is off since its clients are not on loopback.
func StartRedisOn(t testing.TB, h *Host, extra ...string) *RedisServer {
	t.Helper()
	return startRedis(t, h, extra)
}

func startRedis(t testing.TB, h *Host, extra []string) *RedisServer {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("testutil: redis-server is required as the reference implementation but is not in PATH (%v); "+
			"install it with: apt-get install -y redis-server", err)
	}
	dir := t.TempDir()
	s := &RedisServer{host: "127.0.0.1", logPath: filepath.Join(dir, "redis.log")}
	if h != nil {
		s.host, s.port = h.IP(), 6379
	} else {
		s.port = FreePort(t)
	}
	args := []string{
		"--port", strconv.Itoa(s.port),
		"--bind", s.host,
		"--save", "",
		"--appendonly", "no",
		"--daemonize", "no",
		"--dir", dir,
		"--logfile", "",
	}
	if h != nil {
		args = append(args, "--protected-mode", "no")
	}
	args = append(args, extra...)
	password := ""
	for i := 0; i+1 < len(extra); i++ {
		if extra[i] == "--requirepass" {
			password = extra[i+1]
		}
	}
	name := "redis-server"
	if h != nil {
		name += " on " + h.String()
		bin, args = h.Wrap(bin, args...)
	}
	logOnFailure(t, name, s.logPath)
	p, err := startProcess(name, bin, args, dir, s.logPath)
	if err != nil {
		t.Fatalf("testutil: starting %s: %v", name, err)
	}
	s.proc = p
	t.Cleanup(func() {
		if s.proc.exited() {
			return
		}
		if err := s.proc.terminate(15 * time.Second); err != nil {
			t.Errorf("testutil: stopping %s: %v", name, err)
		}
	})
	if err := waitPong(p, s.Addr(), password, 20*time.Second); err != nil {
		t.Fatalf("testutil: %s did not become ready: %v", name, err)
	}
	return s
}

// Addr is the server's host:port.
func (s *RedisServer) Addr() string { return net.JoinHostPort(s.host, strconv.Itoa(s.port)) }

// Port is the server's port.
func (s *RedisServer) Port() int { return s.port }
