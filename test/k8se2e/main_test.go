// Package k8se2e is the end-to-end test of the Kubernetes deployment with
// real Redraft processes: a real kube-apiserver and etcd (envtest), a real
// kube-controller-manager (the StatefulSet, endpoints, garbage collector and
// disruption controllers), the chart installed with helm, the operator built
// from ./cmd/redraft-operator and run as a process with the identity, RBAC
// and arguments the chart gives it (operator_test.go), and a small test
// "kubelet" (kubelet_test.go) that runs a real redraft process for every Pod.
//
// Pods need IP addresses of their own that the API server accepts (no
// loopback), and the members dial each other by their DNS names
// (rd-0.rd-headless.<ns>.svc). So the test binary re-executes itself inside
// namespaces of its own (see TestMain): a network namespace where
// 10.244.0.0/24 is local (every pod process listens on its 10.244.0.N), a
// mount namespace where /etc/hosts and /etc/resolv.conf are files the
// kubelet writes (the cluster DNS) and the service account directory of a
// pod exists for the operator, and a PID namespace so that nothing survives
// the test binary. The host's network and files are not touched.
//
// The binaries come from KUBEBUILDER_ASSETS (hack/k8s-tools.sh). Without
// them, or without root, the test fails: it never skips.
package k8se2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/redraft/redraft/internal/testutil"
)

// insideEnv marks the re-executed test binary.
const insideEnv = "REDRAFT_K8SE2E_INSIDE"

// The test network: pods get 10.244.0.2 upwards, all local to the
// namespace; the veth pair only provides the non-loopback default route the
// API server insists on (and the address it advertises).
const (
	podPrefix  = "10.244.0."
	hostIP     = "10.244.255.1"
	hostPeerIP = "10.244.255.2"
)

// hostsFile and resolvFile are the files bind-mounted over /etc/hosts and
// /etc/resolv.conf inside the test's mount namespace.
var hostsFile, resolvFile string //nolint:gochecknoglobals // set once by TestMain

func TestMain(m *testing.M) {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		fmt.Fprintln(os.Stderr, "FAIL: KUBEBUILDER_ASSETS is not set. This test needs etcd, kube-apiserver, kube-controller-manager and helm: "+
			"run hack/k8s-tools.sh (it builds them once into a cache) and set KUBEBUILDER_ASSETS to the directory it prints.")
		os.Exit(1)
	}
	if os.Geteuid() != 0 {
		fmt.Fprintf(os.Stderr, "FAIL: the Kubernetes end-to-end test needs root (it runs in network, mount and PID namespaces of its own); running as uid %d\n", os.Geteuid())
		os.Exit(1)
	}
	if os.Getenv(insideEnv) == "" {
		os.Exit(reexec())
	}
	if err := setupNamespaces(); err != nil {
		fmt.Fprintln(os.Stderr, "FAIL: setting up the test's namespaces:", err)
		os.Exit(1)
	}
	code := testutil.Main(m)
	os.RemoveAll(filepath.Dir(hostsFile))
	if operatorBuild.path != "" {
		os.RemoveAll(filepath.Dir(operatorBuild.path))
	}
	os.Exit(code)
}

// reexec runs this test binary again with the same arguments in new network,
// mount and PID namespaces and returns its exit status. unshare's
// --kill-child and the PID namespace make sure that every process of the
// test (etcd and the API server too, which envtest starts without a
// parent-death signal) dies with it.
func reexec() int {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		return 1
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL: the test needs unshare (util-linux):", err)
		return 1
	}
	if _, err := exec.LookPath("ip"); err != nil {
		fmt.Fprintln(os.Stderr, "FAIL: the test needs ip (iproute2):", err)
		return 1
	}
	args := append([]string{"--net", "--mount", "--pid", "--fork", "--kill-child", "--mount-proc", "--", self}, os.Args[1:]...)
	cmd := exec.Command(unshare, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), insideEnv+"=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	err = cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		if exit.ExitCode() >= 0 {
			return exit.ExitCode()
		}
		fmt.Fprintln(os.Stderr, "FAIL: the test process:", err)
		return 1
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL: running the test in its namespaces:", err)
		return 1
	}
	return 0
}

// setupNamespaces configures the fresh network namespace, creates
// serviceAccountDir and replaces /etc/hosts and /etc/resolv.conf in the
// private mount namespace.
func setupNamespaces() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	steps := [][]string{
		{"link", "set", "lo", "up"},
		{"link", "add", "e2e0", "type", "veth", "peer", "name", "e2e1"},
		{"addr", "add", hostIP + "/24", "dev", "e2e0"},
		{"link", "set", "e2e0", "up"},
		{"link", "set", "e2e1", "up"},
		{"route", "add", "default", "via", hostPeerIP, "dev", "e2e0"},
		{"route", "add", "local", podPrefix + "0/24", "dev", "lo"},
	}
	for _, s := range steps {
		if out, err := exec.CommandContext(ctx, "ip", s...).CombinedOutput(); err != nil {
			return fmt.Errorf("ip %s: %v: %s", strings.Join(s, " "), err, out)
		}
	}
	dir, err := os.MkdirTemp("", "redraft-k8se2e-etc-")
	if err != nil {
		return err
	}
	// Before the bind mounts: /etc/resolv.conf may be a link into /run.
	if err := makeServiceAccountDir(filepath.Join(dir, "run-overlay")); err != nil {
		return err
	}
	hostsFile = filepath.Join(dir, "hosts")
	resolvFile = filepath.Join(dir, "resolv.conf")
	if err := os.WriteFile(hostsFile, []byte(baseHosts), 0o644); err != nil {
		return err
	}
	// No name server: a name that is not in the hosts file fails at once
	// (connection refused on 127.0.0.1:53) instead of timing out.
	if err := os.WriteFile(resolvFile, []byte("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n"), 0o644); err != nil {
		return err
	}
	for _, b := range [][2]string{{hostsFile, "/etc/hosts"}, {resolvFile, "/etc/resolv.conf"}} {
		if err := unix.Mount(b[0], b[1], "", unix.MS_BIND, ""); err != nil {
			return fmt.Errorf("bind-mounting %s on %s: %v", b[0], b[1], err)
		}
	}
	return nil
}

const baseHosts = "127.0.0.1 localhost\n::1 localhost\n"

// serviceAccountDir is where the kubelet mounts a pod's service account
// volume; controller-runtime reads the namespace of its leader-election
// Lease from the file "namespace" there.
const serviceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount"

// makeServiceAccountDir creates serviceAccountDir in this mount namespace
// only: /var/run becomes an overlay whose changes go to a tmpfs mounted on
// scratch. The tmpfs is detached again at once (the overlay keeps it), so
// that scratch is an empty directory that can be removed.
func makeServiceAccountDir(scratch string) error {
	run, err := filepath.EvalSymlinks("/var/run")
	if err != nil {
		return err
	}
	if err := os.Mkdir(scratch, 0o700); err != nil {
		return err
	}
	if err := unix.Mount("tmpfs", scratch, "tmpfs", 0, "mode=0700"); err != nil {
		return fmt.Errorf("mounting a tmpfs on %s: %w", scratch, err)
	}
	upper, work := filepath.Join(scratch, "upper"), filepath.Join(scratch, "work")
	for _, d := range []string{upper, work} {
		if err := os.Mkdir(d, 0o755); err != nil {
			return err
		}
	}
	opts := "lowerdir=" + run + ",upperdir=" + upper + ",workdir=" + work
	if err := unix.Mount("overlay", run, "overlay", 0, opts); err != nil {
		return fmt.Errorf("mounting an overlay on %s: %w", run, err)
	}
	if err := unix.Unmount(scratch, unix.MNT_DETACH); err != nil {
		return fmt.Errorf("detaching the tmpfs on %s: %w", scratch, err)
	}
	return os.MkdirAll(serviceAccountDir, 0o755)
}
