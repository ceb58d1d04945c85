package k8se2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/client-go/kubernetes"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	redraftv1 "github.com/redraft/redraft/operator/api/v1alpha1"
)

// controlPlane is the API server and etcd (envtest), the controller
// manager, and clients of them.
type controlPlane struct {
	cfg        *rest.Config
	client     client.Client
	kube       kubernetes.Interface
	kubeconfig string // an admin kubeconfig file, for kcm and helm
	dir        string // logs and files of this run
}

func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

func assets(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(os.Getenv("KUBEBUILDER_ASSETS"), name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s not found in KUBEBUILDER_ASSETS (%v): run hack/k8s-tools.sh", name, err)
	}
	return p
}

// startControlPlane starts etcd and kube-apiserver (envtest, no CRDs: helm
// installs them from the chart) and kube-controller-manager, and stops them
// when the test ends.
func startControlPlane(t *testing.T) *controlPlane {
	t.Helper()
	dir := t.TempDir()
	te := &envtest.Environment{ControlPlaneStartTimeout: 60 * time.Second, ControlPlaneStopTimeout: 30 * time.Second}
	// The API server advertises the veth's address (its default route).
	te.ControlPlane.GetAPIServer().Configure().Set("advertise-address", hostIP)
	cfg, err := te.Start()
	if err != nil {
		t.Fatalf("starting etcd and kube-apiserver: %v", err)
	}
	t.Cleanup(func() {
		if err := te.Stop(); err != nil {
			t.Logf("stopping the control plane: %v", err)
		}
	})
	cfg.WarningHandler = rest.NoWarnings{}
	admin, err := te.AddUser(envtest.User{Name: "e2e-admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	kc, err := admin.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	kubeconfig := filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(kubeconfig, kc, 0o600); err != nil {
		t.Fatal(err)
	}
	scheme := k8sruntime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(redraftv1.AddToScheme(scheme))
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	kube, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cp := &controlPlane{cfg: cfg, client: c, kube: kube, kubeconfig: kubeconfig, dir: dir}
	cp.startProcess(t, t, "kube-controller-manager", assets(t, "kube-controller-manager"), []string{
		"--kubeconfig=" + kubeconfig,
		"--controllers=statefulset-controller,replicaset-controller,deployment-controller,garbage-collector-controller," +
			"endpoints-controller,endpointslice-controller,disruption-controller,persistentvolumeclaim-protection-controller",
		"--leader-elect=false", "--use-service-account-credentials=false", "--secure-port=0",
		"--concurrent-statefulset-syncs=5",
	}, nil)
	return cp
}

// A proc is a long-running helper process (kcm, the operator) whose output
// goes to a log file, printed if the test fails.
type proc struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
}

// startProcess starts the process; failures end t, and owner's cleanup
// stops it (owner may outlive t: a subtest starts what the test keeps).
func (cp *controlPlane) startProcess(t, owner *testing.T, name, bin string, args, env []string) *proc {
	t.Helper()
	logPath := cp.logPath(name)
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	p := &proc{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); f.Close(); close(p.done) }()
	owner.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-p.done
		}
		if owner.Failed() {
			owner.Logf("---- %s log (%s), last 16 KiB ----\n%s", name, logPath, tail(logPath, 16<<10))
		}
	})
	return p
}

// logPath is the log file of the process called name.
func (cp *controlPlane) logPath(name string) string {
	return filepath.Join(cp.dir, name+".log")
}

func tail(path string, n int64) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	if int64(len(b)) > n {
		b = b[int64(len(b))-n:]
	}
	return string(b)
}

var operatorBuild struct {
	once sync.Once
	path string
	err  error
}

// buildOperator builds ./cmd/redraft-operator once.
func buildOperator(t testing.TB) string {
	t.Helper()
	operatorBuild.once.Do(func() {
		dir, err := os.MkdirTemp("", "redraft-k8se2e-bin-")
		if err != nil {
			operatorBuild.err = err
			return
		}
		out := filepath.Join(dir, "redraft-operator")
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./cmd/redraft-operator")
		cmd.Dir = repoRoot()
		if b, err := cmd.CombinedOutput(); err != nil {
			operatorBuild.err = fmt.Errorf("go build ./cmd/redraft-operator: %v\n%s", err, b)
			return
		}
		operatorBuild.path = out
	})
	if operatorBuild.err != nil {
		t.Fatal(operatorBuild.err)
	}
	return operatorBuild.path
}

// helm runs helm with the admin kubeconfig, bounded in time.
func (cp *controlPlane) helm(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, assets(t, "helm"), append(args, "--kubeconfig", cp.kubeconfig)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + cp.dir,
		"HELM_CACHE_HOME=" + filepath.Join(cp.dir, "helm-cache"), "HELM_CONFIG_HOME=" + filepath.Join(cp.dir, "helm-config"),
		"HELM_DATA_HOME=" + filepath.Join(cp.dir, "helm-data")}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("helm %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}
