package envtest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	redraftv1 "github.com/redraft/redraft/operator/api/v1alpha1"
	"github.com/redraft/redraft/operator/controller"
)

const timeout = 30 * time.Second

// newNamespace gives each test its own namespace and cluster name.
func newNamespace(t *testing.T) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "rd-"}}
	if err := env.client.Create(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
	// No controller-manager makes the default ServiceAccount that pod
	// admission looks for.
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: ns.Name, Name: "default"}}
	if err := env.client.Create(context.Background(), sa); err != nil {
		t.Fatal(err)
	}
	return ns.Name
}

func newCluster(ns, name string, voters, replicas int32) *redraftv1.RedraftCluster {
	return &redraftv1.RedraftCluster{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: redraftv1.RedraftClusterSpec{
			Voters: voters, ReadReplicas: replicas, Image: "redraft:1",
			Storage: redraftv1.StorageSpec{Size: resource.MustParse("1Gi")},
		},
	}
}

// eventually polls cond until it returns "" (success) or the timeout,
// then fails with its last message.
func eventually(t *testing.T, what string, cond func() string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	msg := ""
	for time.Now().Before(deadline) {
		if msg = cond(); msg == "" {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: still %s after %s", what, msg, timeout)
}

func get(t *testing.T, ns, name string, obj client.Object) bool {
	t.Helper()
	err := env.client.Get(context.Background(), types.NamespacedName{Namespace: ns, Name: name}, obj)
	if err != nil && !strings.Contains(err.Error(), "not found") {
		t.Fatal(err)
	}
	return err == nil
}

// startCluster creates a RedraftCluster and its fake StatefulSet
// controller, and waits for it to be Available.
func startCluster(t *testing.T, rc *redraftv1.RedraftCluster) *fakeSTS {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	env.raft.reset()
	if err := env.client.Create(ctx, rc); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Stop the operator from acting on this cluster's pods, whose names
		// later tests may reuse in the fake.
		if err := env.client.Delete(context.Background(), rc); err != nil {
			t.Errorf("deleting %s: %v", rc.Name, err)
		}
	})
	sts := &fakeSTS{t: t, ns: rc.Namespace, name: rc.Name}
	go sts.run(ctx)
	waitAvailable(t, rc)
	return sts
}

func waitAvailable(t *testing.T, rc *redraftv1.RedraftCluster) {
	t.Helper()
	eventually(t, "cluster available", func() string {
		var got redraftv1.RedraftCluster
		get(t, rc.Namespace, rc.Name, &got)
		c := meta.FindStatusCondition(got.Status.Conditions, redraftv1.ConditionAvailable)
		if c == nil || c.Status != metav1.ConditionTrue || got.Status.ObservedGeneration != got.Generation {
			return fmt.Sprintf("status %+v", got.Status)
		}
		return ""
	})
}

func checkNoViolations(t *testing.T) {
	t.Helper()
	if _, v := env.raft.snapshot(); len(v) > 0 {
		t.Fatalf("safety violations: %v", v)
	}
}

func TestOwnedObjects(t *testing.T) {
	ns := newNamespace(t)
	rc := newCluster(ns, "rd", 3, 1)
	rc.Spec.AuthSecretRef = &redraftv1.SecretKeySelector{Name: "auth"}
	rc.Spec.Config = map[string]string{"write-timeout": "5s"}
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "auth"}, StringData: map[string]string{"password": "pw"}}
	if err := env.client.Create(context.Background(), secret); err != nil {
		t.Fatal(err)
	}
	startCluster(t, rc)

	var voters, replicas appsv1.StatefulSet
	get(t, ns, "rd", &voters)
	get(t, ns, "rd-replica", &replicas)
	if *voters.Spec.Replicas != 3 || *replicas.Spec.Replicas != 1 {
		t.Errorf("replicas %d, %d", *voters.Spec.Replicas, *replicas.Spec.Replicas)
	}
	if voters.Spec.PodManagementPolicy != appsv1.ParallelPodManagement || voters.Annotations[controller.AnnotationFoundingVoters] != "3" {
		t.Errorf("voters statefulset %+v", voters.ObjectMeta.Annotations)
	}
	var headless, clientSvc, leader corev1.Service
	get(t, ns, "rd-headless", &headless)
	get(t, ns, "rd", &clientSvc)
	get(t, ns, "rd-leader", &leader)
	if headless.Spec.ClusterIP != corev1.ClusterIPNone || !headless.Spec.PublishNotReadyAddresses {
		t.Errorf("headless service %+v", headless.Spec)
	}
	if leader.Spec.Selector[controller.LabelRole] != controller.RoleLeader {
		t.Errorf("leader selector %v", leader.Spec.Selector)
	}
	var pdb policyv1.PodDisruptionBudget
	get(t, ns, "rd", &pdb)
	eventually(t, "pdb allows one voter down", func() string {
		get(t, ns, "rd", &pdb)
		if pdb.Spec.MaxUnavailable.IntValue() != 1 {
			return "maxUnavailable " + pdb.Spec.MaxUnavailable.String()
		}
		return ""
	})
	var cm corev1.ConfigMap
	get(t, ns, "rd-config", &cm)
	if cm.Data["REDRAFT_WRITE_TIMEOUT"] != "5s" {
		t.Errorf("configmap %v", cm.Data)
	}
	// Every object is owned by the cluster, so deleting it collects them
	// (envtest runs no garbage collector: the owner references are checked).
	for _, obj := range []client.Object{&voters, &replicas, &headless, &clientSvc, &leader, &pdb, &cm} {
		ref := metav1.GetControllerOf(obj)
		if ref == nil || ref.Kind != "RedraftCluster" || ref.Name != "rd" {
			t.Errorf("%T %s is not owned by the cluster: %v", obj, obj.GetName(), obj.GetOwnerReferences())
		}
	}
	// The leader's pod, and only it, carries the leader label.
	eventually(t, "leader label", func() string {
		var got redraftv1.RedraftCluster
		get(t, ns, "rd", &got)
		var pods corev1.PodList
		if err := env.client.List(context.Background(), &pods, client.InNamespace(ns),
			client.MatchingLabels{controller.LabelRole: controller.RoleLeader}); err != nil {
			t.Fatal(err)
		}
		if len(pods.Items) != 1 || got.Status.Leader == "" || pods.Items[0].Name != got.Status.Leader {
			return fmt.Sprintf("%d pods labelled leader, status leader %q", len(pods.Items), got.Status.Leader)
		}
		if len(got.Status.Members) != 4 || got.Status.ReadyVoters != 3 || got.Status.ReadyReplicas != 1 {
			return fmt.Sprintf("status %+v", got.Status)
		}
		return ""
	})
	// A leadership change moves the label.
	env.raft.setLeader("rd", "rd-2")
	eventually(t, "leader label follows", func() string {
		var p corev1.Pod
		get(t, ns, "rd-2", &p)
		if p.Labels[controller.LabelRole] != controller.RoleLeader {
			return "rd-2 labelled " + p.Labels[controller.LabelRole]
		}
		return ""
	})
	checkNoViolations(t)
}

func TestScaleUpAndDown(t *testing.T) {
	ns := newNamespace(t)
	rc := newCluster(ns, "sc", 3, 0)
	startCluster(t, rc)
	var before appsv1.StatefulSet
	get(t, ns, "sc", &before)

	setVoters(t, rc, 5)
	eventually(t, "5 voters", func() string { return membersAre(t, rc, 5) })
	var after appsv1.StatefulSet
	get(t, ns, "sc", &after)
	if after.Annotations[controller.AnnotationTemplateHash] != before.Annotations[controller.AnnotationTemplateHash] ||
		after.Annotations[controller.AnnotationFoundingVoters] != "3" {
		t.Fatal("scaling up changed the pod template or the founding size")
	}

	// The leader is among the members that leave: it must hand over first.
	env.raft.setLeader("sc", "sc-4")
	opsBefore, _ := env.raft.snapshot()
	setVoters(t, rc, 3)
	eventually(t, "3 voters", func() string { return membersAre(t, rc, 3) })
	eventually(t, "statefulset shrunk", func() string {
		var s appsv1.StatefulSet
		get(t, ns, "sc", &s)
		if *s.Spec.Replicas != 3 {
			return fmt.Sprint("replicas ", *s.Spec.Replicas)
		}
		return ""
	})
	ops, _ := env.raft.snapshot()
	ops = ops[len(opsBefore):]
	if len(ops) != 3 || !strings.HasPrefix(ops[0], "transfer sc-") || ops[1] != "remove sc-4" || ops[2] != "remove sc-3" {
		t.Fatalf("membership changes %v: want a transfer away from sc-4, then remove sc-4, then sc-3", ops)
	}
	if to := strings.TrimPrefix(ops[0], "transfer "); to == "sc-3" || to == "sc-4" {
		t.Fatalf("leadership went to %s, which is leaving", to)
	}
	waitAvailable(t, rc)
	checkNoViolations(t)
}

func TestRollingUpdate(t *testing.T) {
	ns := newNamespace(t)
	rc := newCluster(ns, "ru", 3, 0)
	sts := startCluster(t, rc)
	env.raft.setLeader("ru", "ru-2") // the highest ordinal would restart first
	patchSpec(t, rc, `{"spec":{"image":"redraft:2"}}`)
	eventually(t, "rolled", func() string {
		var s appsv1.StatefulSet
		get(t, ns, "ru", &s)
		if len(sts.restartOrder()) != 3 || s.Status.CurrentRevision != s.Status.UpdateRevision || *s.Spec.UpdateStrategy.RollingUpdate.Partition != 0 {
			return fmt.Sprintf("restarted %v, partition %d", sts.restartOrder(), *s.Spec.UpdateStrategy.RollingUpdate.Partition)
		}
		return ""
	})
	if got := strings.Join(sts.restartOrder(), ","); got != "ru-2,ru-1,ru-0" {
		t.Fatalf("restart order %s", got)
	}
	ops, _ := env.raft.snapshot()
	transfers := opsWith(ops, "transfer ru-")
	if len(transfers) != 2 || transfers[0] != "transfer ru-0" {
		t.Fatalf("transfers %v: want the leader parked on ru-0, then moved to an updated member", transfers)
	}
	waitAvailable(t, rc)
	checkNoViolations(t)
}

func TestValidation(t *testing.T) {
	ns := newNamespace(t)
	bad := map[string]func(*redraftv1.RedraftCluster){
		"even voters":         func(rc *redraftv1.RedraftCluster) { rc.Spec.Voters = 4 },
		"too many voters":     func(rc *redraftv1.RedraftCluster) { rc.Spec.Voters = 9 },
		"operator's flag":     func(rc *redraftv1.RedraftCluster) { rc.Spec.Config = map[string]string{"join": "x"} },
		"bad flag name":       func(rc *redraftv1.RedraftCluster) { rc.Spec.Config = map[string]string{"Write Timeout": "1s"} },
		"no image":            func(rc *redraftv1.RedraftCluster) { rc.Spec.Image = "" },
		"bad service type":    func(rc *redraftv1.RedraftCluster) { rc.Spec.Service.Type = "ExternalName" },
		"negative replicas":   func(rc *redraftv1.RedraftCluster) { rc.Spec.ReadReplicas = -1 },
		"a name too long":     func(rc *redraftv1.RedraftCluster) { rc.Name = strings.Repeat("a", 41) },
		"bad pull policy":     func(rc *redraftv1.RedraftCluster) { rc.Spec.ImagePullPolicy = "Sometimes" },
		"auth without a name": func(rc *redraftv1.RedraftCluster) { rc.Spec.AuthSecretRef = &redraftv1.SecretKeySelector{} },
	}
	for name, mutate := range bad {
		rc := newCluster(ns, "v", 3, 0)
		mutate(rc)
		if err := env.client.Create(context.Background(), rc, client.DryRunAll); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	rc := newCluster(ns, "v", 3, 0)
	if err := env.client.Create(context.Background(), rc); err != nil {
		t.Fatal(err)
	}
	if rc.Spec.Service.Type != corev1.ServiceTypeClusterIP || rc.Spec.AuthSecretRef != nil {
		t.Errorf("defaults not applied: %+v", rc.Spec)
	}
	rc.Spec.Storage.Size = resource.MustParse("2Gi")
	if err := env.client.Update(context.Background(), rc); err == nil || !strings.Contains(err.Error(), "storage is immutable") {
		t.Errorf("storage change: %v", err)
	}
}

func setVoters(t *testing.T, rc *redraftv1.RedraftCluster, n int32) {
	t.Helper()
	patchSpec(t, rc, fmt.Sprintf(`{"spec":{"voters":%d}}`, n))
}

// patchSpec merge-patches the cluster (the operator writes its status
// concurrently, so an update could conflict).
func patchSpec(t *testing.T, rc *redraftv1.RedraftCluster, patch string) {
	t.Helper()
	obj := &redraftv1.RedraftCluster{ObjectMeta: metav1.ObjectMeta{Namespace: rc.Namespace, Name: rc.Name}}
	if err := env.client.Patch(context.Background(), obj, client.RawPatch(types.MergePatchType, []byte(patch))); err != nil {
		t.Fatal(err)
	}
}

// membersAre: the status lists n healthy voters and the cluster is available.
func membersAre(t *testing.T, rc *redraftv1.RedraftCluster, n int32) string {
	var got redraftv1.RedraftCluster
	get(t, rc.Namespace, rc.Name, &got)
	c := meta.FindStatusCondition(got.Status.Conditions, redraftv1.ConditionAvailable)
	if got.Status.Voters != n || got.Status.ReadyVoters != n || c == nil || c.Status != metav1.ConditionTrue {
		return fmt.Sprintf("status %+v", got.Status)
	}
	return ""
}
