// Package testutil starts the processes that the integration tests talk to:
// a Redraft node built from ./cmd/redraft and Debian's redis-server as the
// reference implementation. Everything runs on free loopback ports in
// per-test temporary directories, and every process is stopped when its test
// ends. A missing prerequisite (go toolchain, redis-server) fails the test:
// nothing here ever skips.
package testutil

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// ModuleRoot returns the directory holding the repository's go.mod, found by
// walking up from the working directory (go test runs each package in its
// own source directory).
func ModuleRoot(t testing.TB) string {
	t.Helper()
	dir, err := moduleRoot()
	if err != nil {
		t.Fatalf("testutil: %v", err)
	}
	return dir
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod found above the working directory")
		}
		dir = parent
	}
}

var build struct {
	once sync.Once
	path string
	err  error
}

// buildDir is where this test binary keeps the redraft executable it built:
// keyed by pid so that concurrently running test binaries never share it.
func buildDir() string {
	return filepath.Join(os.TempDir(), fmt.Sprintf("redraft-testbin-%d", os.Getpid()))
}

// BuildRedraft returns the path of a redraft executable. If the environment
// variable REDRAFT_BIN names one it is used as is; otherwise ./cmd/redraft is
// built once per test binary (with -race when REDRAFT_RACE=1). Use Main in
// TestMain to remove the build directory when the tests are done.
func BuildRedraft(t testing.TB) string {
	t.Helper()
	if bin := os.Getenv("REDRAFT_BIN"); bin != "" {
		abs, err := filepath.Abs(bin)
		if err != nil {
			t.Fatalf("testutil: REDRAFT_BIN=%q: %v", bin, err)
		}
		if _, err := os.Stat(abs); err != nil {
			t.Fatalf("testutil: REDRAFT_BIN=%q: %v", bin, err)
		}
		return abs
	}
	build.once.Do(func() {
		root, err := moduleRoot()
		if err != nil {
			build.err = err
			return
		}
		goBin, err := exec.LookPath("go")
		if err != nil {
			build.err = fmt.Errorf("the go toolchain is not in PATH: %v", err)
			return
		}
		dir := buildDir()
		if err := os.MkdirAll(dir, 0o755); err != nil {
			build.err = err
			return
		}
		out := filepath.Join(dir, "redraft")
		args := []string{"build", "-o", out}
		if os.Getenv("REDRAFT_RACE") == "1" {
			args = append(args, "-race")
		}
		args = append(args, "./cmd/redraft")
		cmd := exec.Command(goBin, args...)
		cmd.Dir = root
		if b, err := cmd.CombinedOutput(); err != nil {
			build.err = fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, b)
			return
		}
		build.path = out
	})
	if build.err != nil {
		t.Fatalf("testutil: building redraft: %v", build.err)
	}
	return build.path
}

// Main runs the tests of a package and then removes the redraft executable
// that BuildRedraft built. Call it from TestMain: os.Exit(testutil.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	os.RemoveAll(buildDir())
	return code
}
