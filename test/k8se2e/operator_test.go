package k8se2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// operatorName is the chart's app.kubernetes.io/name of the operator, and
// the name of its process here.
const operatorName = "redraft-operator"

// operatorTestFlags replace the chart's values of these flags: the metrics
// and probe servers are off (the test's network namespace is shared with
// the members, whose ports they could take), and the operator looks at the
// cluster more often than it would in production.
var operatorTestFlags = []string{
	"--metrics-bind-address=0", "--health-probe-bind-address=0",
	"--resync=2s", "--step=500ms", "--member-timeout=10s",
}

// chartOperator is how the operator process runs.
type chartOperator struct {
	user string // as the API server authenticates it
	args []string
}

// startChartOperator runs the operator as the chart's Deployment in ns
// would, without a pod (the chart installs it with no replicas): with a
// token of the Deployment's ServiceAccount, so with exactly the chart's
// RBAC, its container's arguments but operatorTestFlags, and ns in
// serviceAccountDir. owner's cleanup stops it, then fails owner if the API
// server ever denied the operator a request.
func (cp *controlPlane) startChartOperator(t, owner *testing.T, ns string) chartOperator {
	t.Helper()
	dep := cp.operatorDeployment(t, ns)
	pod := dep.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("the operator Deployment %s has %d containers, want 1", dep.Name, len(pod.Containers))
	}
	c := pod.Containers[0]
	if len(c.Env) > 0 || len(c.EnvFrom) > 0 {
		t.Fatalf("the operator's container sets environment variables, which the test does not pass on: %v %v", c.Env, c.EnvFrom)
	}
	kubeconfig, user := cp.serviceAccountKubeconfig(t, ns, pod.ServiceAccountName)
	if err := os.WriteFile(filepath.Join(serviceAccountDir, "namespace"), []byte(ns), 0o644); err != nil {
		t.Fatal(err)
	}
	op := chartOperator{user: user, args: operatorArgs(c.Args)}
	owner.Cleanup(func() { checkNoRBACDenials(owner, cp.logPath(operatorName)) }) // after the process stops
	cp.startProcess(t, owner, operatorName, buildOperator(t), op.args,
		[]string{"KUBECONFIG=" + kubeconfig, "PATH=" + os.Getenv("PATH"), "HOME=" + cp.dir})
	return op
}

// operatorDeployment is the operator Deployment helm created in ns.
func (cp *controlPlane) operatorDeployment(t *testing.T, ns string) *appsv1.Deployment {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	list, err := cp.kube.AppsV1().Deployments(ns).List(ctx, metav1.ListOptions{LabelSelector: "app.kubernetes.io/name=" + operatorName})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 1 {
		t.Fatalf("%d operator Deployments in %s, want 1", len(list.Items), ns)
	}
	return &list.Items[0]
}

// operatorArgs are the chart's arguments with operatorTestFlags in place
// of theirs.
func operatorArgs(chart []string) []string {
	overridden := func(arg string) bool {
		return slices.ContainsFunc(operatorTestFlags, func(f string) bool { return flagName(f) == flagName(arg) })
	}
	return append(slices.DeleteFunc(slices.Clone(chart), overridden), operatorTestFlags...)
}

func flagName(arg string) string {
	name, _, _ := strings.Cut(arg, "=")
	return name
}

// serviceAccountKubeconfig writes a kubeconfig for the API server that
// authenticates with a token of the ServiceAccount ns/name from the
// TokenRequest API, and returns it and the user the API server sees.
func (cp *controlPlane) serviceAccountKubeconfig(t *testing.T, ns, name string) (path, user string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	expiry := int64(time.Hour / time.Second)
	tr, err := cp.kube.CoreV1().ServiceAccounts(ns).CreateToken(ctx, name,
		&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: &expiry}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("requesting a token of the ServiceAccount %s/%s: %v", ns, name, err)
	}
	kc := clientcmdapi.NewConfig()
	kc.Clusters["e2e"] = &clientcmdapi.Cluster{Server: cp.cfg.Host, CertificateAuthorityData: cp.cfg.CAData}
	kc.AuthInfos[name] = &clientcmdapi.AuthInfo{Token: tr.Status.Token}
	kc.Contexts["e2e"] = &clientcmdapi.Context{Cluster: "e2e", AuthInfo: name}
	kc.CurrentContext = "e2e"
	path = filepath.Join(cp.dir, name+".kubeconfig")
	if err := clientcmd.WriteToFile(*kc, path); err != nil {
		t.Fatal(err)
	}
	user, err = whoAmI(ctx, path)
	if err != nil {
		t.Fatalf("authenticating with the token of the ServiceAccount %s/%s: %v", ns, name, err)
	}
	return path, user
}

// whoAmI is the user the API server authenticates with the kubeconfig.
func whoAmI(ctx context.Context, kubeconfig string) (string, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return "", fmt.Errorf("loading %s: %w", kubeconfig, err)
	}
	kube, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return "", err
	}
	r, err := kube.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil {
		return "", fmt.Errorf("SelfSubjectReview: %w", err)
	}
	return r.Status.UserInfo.Username, nil
}

// checkNoRBACDenials fails t if the log has requests the API server
// refused ("... is forbidden: User ... cannot ..."): a refused watch only
// shows in the log, as the informer retries.
func checkNoRBACDenials(t *testing.T, logPath string) {
	t.Helper()
	b, err := os.ReadFile(logPath)
	if err != nil {
		t.Error(err)
		return
	}
	var denials []string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Contains(strings.ToLower(line), "forbidden") {
			denials = append(denials, line)
		}
	}
	if len(denials) > 0 {
		t.Errorf("the API server denied the operator %d requests (RBAC of the chart):\n%s", len(denials), strings.Join(denials, "\n"))
	}
}
