// Command redraft-operator runs the RedraftCluster operator: a
// controller-runtime manager with the reconciler of operator/controller,
// leader election for running several replicas, metrics and health probes.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"os"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/webhook"

	redraftv1 "github.com/redraft/redraft/operator/api/v1alpha1"
	"github.com/redraft/redraft/operator/controller"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "redraft-operator:", err)
		os.Exit(1)
	}
}

func run() error {
	var (
		metricsAddr, probeAddr, namespace string
		leaderElect, secureMetrics        bool
		resync, step, memberTimeout       time.Duration
	)
	flag.StringVar(&metricsAddr, "metrics-bind-address", ":8080", "address of the metrics endpoint; 0 disables it")
	flag.BoolVar(&secureMetrics, "metrics-secure", false, "serve metrics over HTTPS")
	flag.StringVar(&probeAddr, "health-probe-bind-address", ":8081", "address of /healthz and /readyz")
	flag.BoolVar(&leaderElect, "leader-elect", false, "elect a leader among operator replicas (a Lease in the operator's namespace)")
	flag.StringVar(&namespace, "namespace", "", "watch RedraftClusters in this namespace only (default: all)")
	flag.DurationVar(&resync, "resync", controller.DefaultResync, "how often a settled cluster is looked at again (leader label, health)")
	flag.DurationVar(&step, "step", controller.DefaultStep, "how soon a cluster being changed is looked at again")
	flag.DurationVar(&memberTimeout, "member-timeout", 30*time.Second, "timeout of one request to a member (membership changes wait for a commit)")
	opts := zap.Options{}
	opts.BindFlags(flag.CommandLine)
	flag.Parse()
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&opts)))

	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(redraftv1.AddToScheme(scheme))

	cacheOpts := cache.Options{
		// Only member pods: the operator has no business with the others,
		// and caching every pod of a large cluster costs memory.
		ByObject: map[client.Object]cache.ByObject{
			&corev1.Pod{}: {Label: labels.SelectorFromSet(labels.Set{controller.LabelManagedBy: controller.ManagedBy})},
		},
	}
	if namespace != "" {
		cacheOpts.DefaultNamespaces = map[string]cache.Config{namespace: {}}
	}
	// HTTP/2 is off for the metrics server (CVE-2023-44487, as kubebuilder's scaffold).
	noHTTP2 := func(c *tls.Config) { c.NextProtos = []string{"http/1.1"} }
	mgr, err := ctrl.NewManager(ctrl.GetConfigOrDie(), ctrl.Options{
		Scheme:                 scheme,
		Cache:                  cacheOpts,
		Metrics:                metricsserver.Options{BindAddress: metricsAddr, SecureServing: secureMetrics, TLSOpts: []func(*tls.Config){noHTTP2}},
		WebhookServer:          webhook.NewServer(webhook.Options{TLSOpts: []func(*tls.Config){noHTTP2}}),
		HealthProbeBindAddress: probeAddr,
		LeaderElection:         leaderElect,
		LeaderElectionID:       "redraft-operator.redraft.io",
		// The next leader starts at once when this one stops cleanly.
		LeaderElectionReleaseOnCancel: true,
	})
	if err != nil {
		return fmt.Errorf("creating manager: %w", err)
	}
	r := &controller.RedraftClusterReconciler{
		Client:    mgr.GetClient(),
		APIReader: mgr.GetAPIReader(),
		Scheme:    mgr.GetScheme(),
		Members:   controller.NewNodeClient(memberTimeout),
		Recorder:  mgr.GetEventRecorderFor("redraft-operator"),
		Resync:    resync,
		Step:      step,
	}
	if err := r.SetupWithManager(mgr); err != nil {
		return fmt.Errorf("setting up the controller: %w", err)
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return fmt.Errorf("health check: %w", err)
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		return fmt.Errorf("ready check: %w", err)
	}
	ctrl.Log.WithName("setup").Info("starting manager")
	if err := mgr.Start(ctrl.SetupSignalHandler()); err != nil {
		return fmt.Errorf("running manager: %w", err)
	}
	return nil
}
