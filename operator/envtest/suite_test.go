// Package envtest_test runs the RedraftCluster reconciler against a real
// kube-apiserver and etcd (controller-runtime's envtest). There is no
// kubelet nor StatefulSet controller: a fake StatefulSet controller in
// this package makes the pods, and fakeRaft answers for the members.
//
// The binaries come from KUBEBUILDER_ASSETS; hack/k8s-tools.sh builds them
// and prints the directory. Without it these tests fail: a skipped test
// would prove nothing in CI.
package envtest_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"go.uber.org/zap/zapcore"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	redraftv1 "github.com/redraft/redraft/operator/api/v1alpha1"
	"github.com/redraft/redraft/operator/controller"
)

// suite is the shared control plane and operator of every test here.
type suite struct {
	client client.Client
	raft   *fakeRaft
}

var env suite //nolint:gochecknoglobals // set once by TestMain, read by the tests

func TestMain(m *testing.M) {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		fmt.Fprintln(os.Stderr, "FAIL: KUBEBUILDER_ASSETS is not set. These tests need kube-apiserver and etcd: "+
			"run hack/k8s-tools.sh (it builds them once into a cache) and set KUBEBUILDER_ASSETS to the directory it prints.")
		os.Exit(1)
	}
	os.Exit(run(m))
}

func run(m *testing.M) int {
	ctrl.SetLogger(zap.New(zap.WriteTo(os.Stderr), zap.Level(zapLevel())))
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	te := &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join(root, "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
	}
	cfg, err := te.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting the control plane:", err)
		return 1
	}
	defer func() {
		if err := te.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stopping the control plane:", err)
		}
	}()
	cfg.WarningHandler = rest.NoWarnings{}
	scheme := k8sruntime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(redraftv1.AddToScheme(scheme))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	raft := newFakeRaft()
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:  scheme,
		Metrics: metricsserver.Options{BindAddress: "0"},
		Cache: cache.Options{ByObject: map[client.Object]cache.ByObject{
			&corev1.Pod{}: {Label: mustSelector(controller.LabelManagedBy + "=" + controller.ManagedBy)},
		}},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "manager:", err)
		return 1
	}
	r := &controller.RedraftClusterReconciler{
		Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(), Scheme: scheme, Members: raft,
		Recorder: mgr.GetEventRecorderFor("redraft-operator"),
		Resync:   300 * time.Millisecond, Step: 100 * time.Millisecond,
	}
	if err := r.SetupWithManager(mgr); err != nil {
		fmt.Fprintln(os.Stderr, "controller:", err)
		return 1
	}
	go func() {
		if err := mgr.Start(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "manager stopped:", err)
		}
	}()
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		fmt.Fprintln(os.Stderr, "client:", err)
		return 1
	}
	env = suite{client: c, raft: raft}
	return m.Run()
}

// zapLevel: the operator's errors only, unless OPERATOR_TEST_VERBOSE is set.
func zapLevel() zapcore.Level {
	if os.Getenv("OPERATOR_TEST_VERBOSE") != "" {
		return zapcore.DebugLevel
	}
	return zapcore.ErrorLevel
}

func mustSelector(s string) labels.Selector {
	sel, err := labels.Parse(s)
	if err != nil {
		panic(err)
	}
	return sel
}
