package k8se2e

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/redraft/redraft/httpd"
	"github.com/redraft/redraft/internal/testutil"
	redraftv1 "github.com/redraft/redraft/operator/api/v1alpha1"
)

const (
	ns      = "e2e"
	release = "rd"
)

// e2e is the state the steps of TestKubernetesEndToEnd share.
type e2e struct {
	t    *testing.T
	cp   *controlPlane
	kl   *kubelet
	wr   *writer
	mon  *monitor
	fail bool
}

func (e *e2e) logf(format string, args ...any) {
	e.t.Logf("%s %s", time.Now().Format("15:04:05.000"), fmt.Sprintf(format, args...))
}

// step runs one scenario as a subtest; once a step failed, the later ones
// fail at once (they build on the cluster the previous ones left).
func (e *e2e) step(name string, f func(t *testing.T)) {
	e.t.Run(name, func(t *testing.T) {
		if e.fail {
			t.Fatal("an earlier step failed")
		}
		defer func() {
			if t.Failed() {
				e.fail = true
			}
		}()
		start := time.Now()
		f(t)
		e.logf("step %s done in %v", name, time.Since(start).Round(time.Millisecond))
	})
}

func TestKubernetesEndToEnd(t *testing.T) {
	start := time.Now()
	redraftBin := testutil.BuildRedraft(t)
	buildOperator(t)
	cp := startControlPlane(t)
	e := &e2e{t: t, cp: cp}
	e.logf("control plane up (etcd, kube-apiserver, kube-controller-manager) after %v", time.Since(start).Round(time.Millisecond))
	ctx := context.Background()
	if err := cp.client.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
		t.Fatal(err)
	}
	e.kl = startKubelet(t, cp.kube, ns, redraftBin)
	t.Cleanup(func() { // before the kubelet stops the pods
		if e.wr != nil {
			e.wr.halt()
		}
		if e.mon != nil {
			e.mon.close()
		}
	})

	e.step("install", func(t *testing.T) {
		// The chart's operator Deployment has no pods: the operator runs
		// as a process of the test, with the Deployment's identity.
		out := cp.helm(t, "install", release, filepath.Join(repoRoot(), "charts", "redraft"), "--namespace", ns,
			"--set", "operator.replicas=0", "--set", "image.tag=e2e-1", "--wait=false")
		e.logf("helm install:\n%s", firstLines(out, 6))
		op := cp.startChartOperator(t, e.t, ns)
		e.logf("operator runs as the chart's ServiceAccount: %s (a TokenRequest token), with the chart's RBAC; args %s",
			op.user, strings.Join(op.args, " "))
		rc := e.waitAvailable(t, 3, 3*time.Minute)
		e.logf("install → Available: %s", describe(rc))
	})

	e.step("traffic", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		eps, err := e.clientEndpoints(ctx)
		if err != nil || len(eps) != 3 {
			t.Fatalf("client Service endpoints %v (err %v), want 3 ready", eps, err)
		}
		e.logf("client Service %s endpoints: %v", release, eps)
		for i, ip := range eps {
			out := redisCLI(t, ip, "SET", "e2e:cli:"+strconv.Itoa(i), "via-"+ip)
			if out != "OK" {
				t.Fatalf("redis-cli -h %s SET: %q", ip, out)
			}
		}
		for i := range eps {
			ip := eps[(i+1)%len(eps)]
			if got, want := redisCLI(t, ip, "GET", "e2e:cli:"+strconv.Itoa(i)), "via-"+eps[i]; got != want {
				t.Fatalf("redis-cli -h %s GET e2e:cli:%d = %q, want %q", ip, i, got, want)
			}
		}
		e.logf("redis-cli: SET through every endpoint, GET through another: ok")
		e.mon = e.startMonitor()
		e.wr = e.startWriter()
		e.wr.progress(t, 100, time.Minute)
		a, f := e.wr.counts()
		e.logf("writer running: %d acknowledged, %d failed", a, f)
	})

	e.step("scale 3→5", func(t *testing.T) { e.scale(t, 3, 5) })
	e.step("scale 5→3", func(t *testing.T) { e.scale(t, 5, 3) })
	// The removed members' volumes went with them: new members at those
	// ordinals start empty and join (a removed node's old data would keep
	// it out of the cluster).
	e.step("scale 3→5 again", func(t *testing.T) { e.scale(t, 3, 5) })
	e.step("scale 5→3 again", func(t *testing.T) { e.scale(t, 5, 3) })

	e.step("rolling upgrade", func(t *testing.T) {
		rc0, err := e.cluster(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		leader0 := rc0.Status.Leader
		t0 := time.Now()
		e.logf("rolling upgrade: image tag e2e-1 → e2e-2; leader before: %s", leader0)
		cp.helm(t, "upgrade", release, filepath.Join(repoRoot(), "charts", "redraft"), "--namespace", ns,
			"--reuse-values", "--set", "image.tag=e2e-2", "--wait=false")
		e.waitPods(t, 3, func(p *corev1.Pod) bool { return strings.HasSuffix(p.Spec.Containers[0].Image, ":e2e-2") }, 4*time.Minute)
		rc := e.waitAvailable(t, 3, 3*time.Minute)
		e.logf("rolling upgrade done: %s", describe(rc))
		var stops []podEvent
		readyAfter := map[string]time.Time{}
		for _, ev := range e.kl.Events() {
			if ev.At.Before(t0) {
				continue
			}
			switch ev.Kind {
			case "stop":
				stops = append(stops, ev)
			case "ready":
				if _, ok := readyAfter[ev.Pod]; !ok {
					readyAfter[ev.Pod] = ev.At
				}
			}
		}
		var order []string
		for _, s := range stops {
			order = append(order, fmt.Sprintf("%s(was %s, leader %s)", s.Pod, s.Role, s.Leader))
		}
		e.logf("rolling upgrade order: %s", strings.Join(order, " → "))
		if len(stops) != 3 {
			t.Fatalf("%d pods stopped during the upgrade, want 3: %v", len(stops), order)
		}
		last := stops[len(stops)-1].Pod
		for i, s := range stops {
			if s.Role == "leader" {
				t.Errorf("%s was stopped while it was the Raft leader", s.Pod)
			}
			if i > 0 {
				prev := stops[i-1]
				r, ok := readyAfter[prev.Pod]
				if !ok || r.After(s.At) || r.Before(prev.At) {
					t.Errorf("%s was stopped before %s (stopped earlier) was ready again", s.Pod, prev.Pod)
				}
			}
			// The leader goes last: every earlier restart happens
			// while the leadership is on the pod that restarts last.
			if i < len(stops)-1 && s.Leader != last {
				t.Errorf("%s restarted while %s was the leader, but %s restarted last", s.Pod, s.Leader, last)
			}
		}
		if !t.Failed() {
			e.logf("rolling upgrade: one pod at a time, each after the previous one was ready; the leader (%s, from %s) last, after handing over to %s",
				last, leader0, stops[len(stops)-1].Leader)
		}
		e.wr.progress(t, 100, time.Minute)
	})

	e.step("delete a pod", func(t *testing.T) {
		rc, err := e.cluster(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		victim := rc.Status.Leader
		old := e.podUIDs(t)
		e.logf("deleting pod %s (the leader)", victim)
		if err := cp.kube.CoreV1().Pods(ns).Delete(context.Background(), victim, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		e.waitPods(t, 3, func(p *corev1.Pod) bool { return p.Name != victim || p.UID != old[victim] }, 2*time.Minute)
		rc = e.waitAvailable(t, 3, 2*time.Minute)
		e.logf("pod %s recreated, cluster recovered: %s", victim, describe(rc))
		e.wr.progress(t, 100, time.Minute)
	})

	e.step("delete all pods", func(t *testing.T) {
		old := e.podUIDs(t)
		e.logf("deleting every pod at once: %v", keys(old))
		for name := range old {
			if err := cp.kube.CoreV1().Pods(ns).Delete(context.Background(), name, metav1.DeleteOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		e.waitPods(t, 3, func(p *corev1.Pod) bool { return p.UID != old[p.Name] }, 3*time.Minute)
		rc := e.waitAvailable(t, 3, 3*time.Minute)
		e.logf("all-pods restart recovered from the volumes: %s", describe(rc))
		e.wr.progress(t, 100, time.Minute)
	})

	// kubectl delete pod --all --grace-period=0 --force: the pods vanish
	// from the API at once and the kubelet SIGKILLs the processes, so no
	// member hands over or snapshots.
	e.step("force-delete all pods", func(t *testing.T) {
		old := e.podUIDs(t)
		e.logf("force-deleting every pod at once (grace period 0, SIGKILL): %v", keys(old))
		zero := int64(0)
		for name := range old {
			if err := cp.kube.CoreV1().Pods(ns).Delete(context.Background(), name, metav1.DeleteOptions{GracePeriodSeconds: &zero}); err != nil {
				t.Fatal(err)
			}
		}
		e.waitPods(t, 3, func(p *corev1.Pod) bool { return p.UID != old[p.Name] }, 3*time.Minute)
		rc := e.waitAvailable(t, 3, 3*time.Minute)
		e.logf("all-pods kill -9 recovered from the volumes: %s", describe(rc))
		e.wr.progress(t, 100, time.Minute)
	})

	e.step("verify writes", func(t *testing.T) {
		e.mon.close()
		st, ok := e.leaderStatus()
		if !ok {
			t.Fatal("no leader to read from")
		}
		e.wr.finish(t, e.kl.IP(st.ID))
	})

	// Deleting the RedraftCluster removes what the operator made (owner
	// references, the garbage collector) but keeps the volumes: data is
	// never deleted with a cluster object.
	e.step("delete the cluster", func(t *testing.T) {
		ctx := context.Background()
		pvcs := e.claimNames(t)
		rc, err := e.cluster(ctx)
		if err != nil {
			t.Fatal(err)
		}
		e.wr.halt()
		if err := cp.client.Delete(ctx, rc); err != nil {
			t.Fatal(err)
		}
		e.logf("deleted RedraftCluster %s; volumes before: %v", release, pvcs)
		owned := []client.Object{
			&appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: release}},
			&corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: release}},
			&corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: release + "-headless"}},
			&corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: release + "-leader"}},
			&policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Name: release}},
		}
		deadline := time.Now().Add(2 * time.Minute)
		for _, obj := range owned {
			for {
				err := cp.client.Get(ctx, client.ObjectKey{Namespace: ns, Name: obj.GetName()}, obj)
				if apierrors.IsNotFound(err) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%T %s still exists after the cluster was deleted (err %v)", obj, obj.GetName(), err)
				}
				time.Sleep(200 * time.Millisecond)
			}
		}
		e.waitPods(t, 0, func(*corev1.Pod) bool { return true }, 2*time.Minute)
		if after := e.claimNames(t); !slices.Equal(after, pvcs) || len(after) < 3 {
			t.Fatalf("volumes after deleting the cluster: %v, want them kept: %v", after, pvcs)
		}
		e.logf("cluster deleted: StatefulSet, Services, PDB and pods gone; volumes kept: %v", pvcs)
	})
	e.logf("end-to-end test done in %v", time.Since(start).Round(time.Millisecond))
}

// claimNames lists the namespace's PersistentVolumeClaims, sorted.
func (e *e2e) claimNames(t *testing.T) []string {
	t.Helper()
	var list corev1.PersistentVolumeClaimList
	if err := e.cp.client.List(context.Background(), &list, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range list.Items {
		names = append(names, c.Name)
	}
	sort.Strings(names)
	return names
}

// scale changes cluster.voters with helm upgrade and checks that the
// membership changed one member at a time, never below a quorum of the
// smaller size, and that removed members left Raft before their pods went.
func (e *e2e) scale(t *testing.T, from, to int32) {
	t0 := time.Now()
	e.logf("scale %d→%d: helm upgrade --set cluster.voters=%d", from, to, to)
	e.cp.helm(t, "upgrade", release, filepath.Join(repoRoot(), "charts", "redraft"), "--namespace", ns,
		"--reuse-values", "--set", fmt.Sprintf("cluster.voters=%d", to), "--wait=false")
	e.waitPods(t, int(to), func(*corev1.Pod) bool { return true }, 3*time.Minute)
	rc := e.waitAvailable(t, to, 3*time.Minute)
	e.logf("scale %d→%d done: %s", from, to, describe(rc))
	// The monitor's samples may merge changes made within one poll; the
	// leaders' logs have every change.
	changes := e.kl.raftChanges(t0)
	if len(changes) == 0 {
		t.Fatalf("no Raft configuration change in the members' logs")
	}
	removed := map[string]time.Time{}
	var order []string
	for _, c := range changes {
		e.logf("membership change: %s", c)
		if c.Voters < int(min(from, to)) {
			t.Errorf("configuration change %s left %d voters, fewer than %d", c, c.Voters, min(from, to))
		}
		if c.Command == "RemoveServer" {
			removed[c.Server] = c.At
			order = append(order, c.Server)
		}
	}
	if last := changes[len(changes)-1]; last.Voters != int(to) || last.Members != int(to) {
		t.Errorf("last configuration change %s: want %d voters and members", last, to)
	}
	if to < from {
		var want []string
		for i := from - 1; i >= to; i-- {
			want = append(want, fmt.Sprintf("%s-%d", release, i))
		}
		if !slices.Equal(order, want) {
			t.Errorf("members removed from Raft in order %v, want %v (highest ordinal first)", order, want)
		}
	}
	e.logf("scale %d→%d: %d configuration changes, one server each, voters never below %d", from, to, len(changes), min(from, to))
	for _, ev := range e.kl.Events() {
		if ev.At.After(t0) && ev.Kind == "stop" {
			at, ok := removed[ev.Pod]
			switch {
			case ev.Member || !ok || at.After(ev.At):
				t.Errorf("pod %s was stopped while still in the Raft configuration", ev.Pod)
			default:
				e.logf("pod %s stopped %v after it left the Raft configuration", ev.Pod, ev.At.Sub(at).Round(time.Millisecond))
			}
		}
	}
	e.wr.progress(t, 100, time.Minute)
}

// waitPods waits until exactly n pods exist, all Running and ready, none
// being deleted, and ok holds for each.
func (e *e2e) waitPods(t *testing.T, n int, ok func(*corev1.Pod) bool, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		pods, err := e.cp.kube.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		cancel()
		desc := ""
		if err == nil {
			good := 0
			for i := range pods.Items {
				p := &pods.Items[i]
				ready := p.DeletionTimestamp == nil && p.Status.Phase == corev1.PodRunning && podReady(p) && ok(p)
				if ready {
					good++
				}
				desc += fmt.Sprintf(" %s(%s ready=%v ok=%v)", p.Name, shortUID(p.UID), podReady(p), ready)
			}
			if good == n && len(pods.Items) == n {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("pods not as wanted (%d ready and matching) within %v:%s (err %v)", n, timeout, desc, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func (e *e2e) podUIDs(t *testing.T) map[string]types.UID {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pods, err := e.cp.kube.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]types.UID{}
	for _, p := range pods.Items {
		m[p.Name] = p.UID
	}
	return m
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// leaderStatus finds the leader among the pods the kubelet ran and
// returns its /status.
func (e *e2e) leaderStatus() (*httpd.Status, bool) {
	for _, ip := range e.kl.IPs() {
		st, err := memberStatus(ip)
		if err != nil {
			continue
		}
		if st.Role == "leader" {
			return st, true
		}
		if st.LeaderID != "" {
			if lip := e.kl.IP(st.LeaderID); lip != "" {
				if l, err := memberStatus(lip); err == nil && l.Role == "leader" {
					return l, true
				}
			}
		}
	}
	return nil, false
}

// redisCLI runs redis-cli against a pod and returns its trimmed output.
func redisCLI(t *testing.T, ip string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "redis-cli", append([]string{"-h", ip, "-p", "6379"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("redis-cli -h %s %v: %v\n%s", ip, args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func firstLines(s string, n int) string {
	l := strings.SplitN(s, "\n", n+1)
	if len(l) > n {
		l = l[:n]
	}
	return strings.Join(l, "\n")
}

// cluster fetches the RedraftCluster.
func (e *e2e) cluster(ctx context.Context) (*redraftv1.RedraftCluster, error) {
	rc := &redraftv1.RedraftCluster{}
	err := e.cp.client.Get(ctx, client.ObjectKey{Namespace: ns, Name: release}, rc)
	return rc, err
}

// waitAvailable waits until the RedraftCluster has observed its latest
// spec, is Available and not Progressing, with voters voters, all of them
// healthy, and as many ready pods.
func (e *e2e) waitAvailable(t *testing.T, voters int32, timeout time.Duration) *redraftv1.RedraftCluster {
	t.Helper()
	deadline := time.Now().Add(timeout)
	last := ""
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		rc, err := e.cluster(ctx)
		cancel()
		if err == nil {
			d := describe(rc)
			if d != last {
				e.logf("cluster: %s", d)
				last = d
			}
			if settled(rc, voters) {
				return rc
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the cluster did not become Available with %d healthy voters within %v; last: %s (err %v)", voters, timeout, last, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func settled(rc *redraftv1.RedraftCluster, voters int32) bool {
	if rc.Status.ObservedGeneration != rc.Generation {
		return false
	}
	if !meta.IsStatusConditionTrue(rc.Status.Conditions, redraftv1.ConditionAvailable) ||
		meta.IsStatusConditionTrue(rc.Status.Conditions, redraftv1.ConditionProgressing) {
		return false
	}
	if rc.Status.Voters != voters || rc.Status.ReadyVoters != voters || len(rc.Status.Members) != int(voters) {
		return false
	}
	for _, m := range rc.Status.Members {
		if !m.Voter || !m.Healthy {
			return false
		}
	}
	return rc.Status.CurrentRevision == rc.Status.UpdateRevision
}

// describe summarizes a cluster's status in one line.
func describe(rc *redraftv1.RedraftCluster) string {
	var conds []string
	for _, c := range rc.Status.Conditions {
		conds = append(conds, fmt.Sprintf("%s=%s", c.Type, c.Status))
	}
	sort.Strings(conds)
	var members []string
	for _, m := range rc.Status.Members {
		s := m.ID
		if !m.Voter {
			s += "(nonvoter)"
		}
		if !m.Healthy {
			s += "(unhealthy)"
		}
		if m.Leader {
			s += "*"
		}
		members = append(members, s)
	}
	return fmt.Sprintf("gen %d/%d phase %s [%s] voters %d ready %d leader %s members [%s] rev %s→%s",
		rc.Status.ObservedGeneration, rc.Generation, rc.Status.Phase, strings.Join(conds, " "),
		rc.Status.Voters, rc.Status.ReadyVoters, rc.Status.Leader, strings.Join(members, " "),
		rc.Status.CurrentRevision, rc.Status.UpdateRevision)
}

// clientEndpoints are the ready addresses of the client Service, from its
// EndpointSlices (there is no kube-proxy: clients use the pod IPs, as a
// headless client would).
func (e *e2e) clientEndpoints(ctx context.Context) ([]string, error) {
	var slices_ discoveryv1.EndpointSliceList
	err := e.cp.client.List(ctx, &slices_, client.InNamespace(ns), client.MatchingLabels{discoveryv1.LabelServiceName: release})
	if err != nil {
		return nil, err
	}
	var addrs []string
	for _, s := range slices_.Items {
		for _, ep := range s.Endpoints {
			if ep.Conditions.Ready != nil && *ep.Conditions.Ready {
				addrs = append(addrs, ep.Addresses...)
			}
		}
	}
	slices.Sort(addrs)
	return slices.Compact(addrs), nil
}
