package controller

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	redraftv1 "github.com/redraft/redraft/operator/api/v1alpha1"
)

func testCluster() *redraftv1.RedraftCluster {
	return &redraftv1.RedraftCluster{
		ObjectMeta: metav1.ObjectMeta{Name: "rd", Namespace: "ns"},
		Spec: redraftv1.RedraftClusterSpec{
			Voters: 3, ReadReplicas: 2, Image: "redraft:1",
			Storage:       redraftv1.StorageSpec{Size: resource.MustParse("5Gi")},
			AuthSecretRef: &redraftv1.SecretKeySelector{Name: "auth"},
			Config:        map[string]string{"write-timeout": "5s"},
			Env:           []corev1.EnvVar{{Name: "REDRAFT_JOIN", Value: "user-value-loses"}, {Name: "EXTRA", Value: "1"}},
		},
	}
}

// env returns the value the container sees for name: the last entry wins.
func env(t *testing.T, sts *appsv1.StatefulSet, name string) (string, bool) {
	t.Helper()
	var val string
	found := false
	for _, e := range sts.Spec.Template.Spec.Containers[0].Env {
		if e.Name == name {
			val, found = e.Value, true
			if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
				val = "secret:" + e.ValueFrom.SecretKeyRef.Name + "/" + e.ValueFrom.SecretKeyRef.Key
			}
		}
	}
	return val, found
}

func TestVoterStatefulSet(t *testing.T) {
	rc := testCluster()
	sts := buildStatefulSet(rc, setParams{Name: "rd", Component: ComponentVoter, Voter: true, Founders: 3, Replicas: 3, Partition: 0})
	checks := map[string]string{
		"REDRAFT_ID":               "$(POD_NAME)",
		"REDRAFT_RAFT_ADVERTISE":   "$(POD_NAME).rd-headless.$(POD_NAMESPACE).svc:7379",
		"REDRAFT_ADVERTISE":        "$(POD_NAME).rd-headless.$(POD_NAMESPACE).svc:6379",
		"REDRAFT_JOIN":             "rd-0.rd-headless.ns.svc:7379,rd-1.rd-headless.ns.svc:7379,rd-2.rd-headless.ns.svc:7379",
		"REDRAFT_BOOTSTRAP_EXPECT": "3",
		"REDRAFT_REQUIREPASS":      "secret:auth/password",
		"REDRAFT_DATA_DIR":         "/data",
		"EXTRA":                    "1",
	}
	for name, want := range checks {
		if got, _ := env(t, sts, name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if _, ok := env(t, sts, "REDRAFT_NONVOTER"); ok {
		t.Error("voters must not set REDRAFT_NONVOTER")
	}
	spec := sts.Spec
	if spec.PodManagementPolicy != appsv1.ParallelPodManagement || spec.ServiceName != "rd-headless" {
		t.Errorf("policy %s, service %s", spec.PodManagementPolicy, spec.ServiceName)
	}
	if spec.PersistentVolumeClaimRetentionPolicy.WhenDeleted != appsv1.RetainPersistentVolumeClaimRetentionPolicyType {
		t.Error("deleting the cluster must keep its volumes")
	}
	if got := spec.VolumeClaimTemplates[0].Spec.Resources.Requests[corev1.ResourceStorage]; got.String() != "5Gi" {
		t.Errorf("claim size %s", got.String())
	}
	c := spec.Template.Spec.Containers[0]
	if c.ReadinessProbe.HTTPGet.Path != "/readyz" || c.LivenessProbe.HTTPGet.Path != "/livez" {
		t.Error("probes must be /readyz and /livez")
	}
	if !*spec.Template.Spec.SecurityContext.RunAsNonRoot || *spec.Template.Spec.EnableServiceLinks {
		t.Error("pods run as non-root without service links")
	}
	if sts.Annotations[AnnotationFoundingVoters] != "3" {
		t.Error("the founding size is recorded")
	}
	if spec.Selector.MatchLabels[LabelComponent] != ComponentVoter || spec.Template.Labels[LabelManagedBy] != ManagedBy {
		t.Errorf("labels %v / %v", spec.Selector.MatchLabels, spec.Template.Labels)
	}
}

func TestReplicaStatefulSet(t *testing.T) {
	rc := testCluster()
	sts := buildStatefulSet(rc, setParams{Name: "rd-replica", Component: ComponentReplica, Founders: 3, Replicas: 2})
	if v, _ := env(t, sts, "REDRAFT_NONVOTER"); v != "true" {
		t.Error("read replicas join as non-voters")
	}
	if _, ok := env(t, sts, "REDRAFT_BOOTSTRAP_EXPECT"); ok {
		t.Error("read replicas never bootstrap")
	}
	if v, _ := env(t, sts, "REDRAFT_JOIN"); v != "rd-0.rd-headless.ns.svc:7379,rd-1.rd-headless.ns.svc:7379,rd-2.rd-headless.ns.svc:7379" {
		t.Errorf("join %q", v)
	}
}

// Scaling must not touch the pod template (it would restart every pod);
// the founders' list stays that of the founding size.
func TestTemplateHash(t *testing.T) {
	rc := testCluster()
	base := buildStatefulSet(rc, setParams{Name: "rd", Component: ComponentVoter, Voter: true, Founders: 3, Replicas: 3})
	rc.Spec.Voters = 7
	scaled := buildStatefulSet(rc, setParams{Name: "rd", Component: ComponentVoter, Voter: true, Founders: 3, Replicas: 7, Partition: 7})
	if base.Annotations[AnnotationTemplateHash] != scaled.Annotations[AnnotationTemplateHash] {
		t.Error("scaling changed the pod template")
	}
	rc.Spec.Image = "redraft:2"
	upgraded := buildStatefulSet(rc, setParams{Name: "rd", Component: ComponentVoter, Voter: true, Founders: 3, Replicas: 7})
	if base.Annotations[AnnotationTemplateHash] == upgraded.Annotations[AnnotationTemplateHash] {
		t.Error("a new image did not change the template hash")
	}
	reconfigured := buildStatefulSet(rc, setParams{Name: "rd", Component: ComponentVoter, Voter: true, Founders: 3, ConfigHash: "x"})
	if reconfigured.Annotations[AnnotationTemplateHash] == upgraded.Annotations[AnnotationTemplateHash] {
		t.Error("a config change did not change the template hash")
	}
}

func TestServices(t *testing.T) {
	rc := testCluster()
	rc.Spec.Service = redraftv1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, Annotations: map[string]string{"a": "b"}}
	h := buildHeadlessService(rc)
	if h.Spec.ClusterIP != corev1.ClusterIPNone || !h.Spec.PublishNotReadyAddresses || h.Name != "rd-headless" {
		t.Errorf("headless service %+v", h.Spec)
	}
	if _, ok := h.Spec.Selector[LabelComponent]; ok {
		t.Error("the headless service names voters and read replicas")
	}
	c := buildClientService(rc)
	if c.Spec.Type != corev1.ServiceTypeLoadBalancer || c.Annotations["a"] != "b" || c.Spec.PublishNotReadyAddresses {
		t.Errorf("client service %+v", c)
	}
	l := buildLeaderService(rc)
	if l.Spec.Selector[LabelRole] != RoleLeader || l.Name != "rd-leader" {
		t.Errorf("leader service selector %v", l.Spec.Selector)
	}
}

func TestPDBAndConfig(t *testing.T) {
	rc := testCluster()
	pdb := buildPDB(rc, 1)
	if pdb.Spec.MaxUnavailable.IntValue() != 1 || pdb.Spec.Selector.MatchLabels[LabelComponent] != ComponentVoter {
		t.Errorf("pdb %+v", pdb.Spec)
	}
	cm := buildConfigMap(rc)
	if cm.Data["REDRAFT_WRITE_TIMEOUT"] != "5s" || len(cm.Data) != 1 {
		t.Errorf("configmap %v", cm.Data)
	}
}

func TestAuthHashAnnotation(t *testing.T) {
	rc := testCluster()
	rc.Spec.PodAnnotations = map[string]string{AnnotationAuthHash: "user-value-loses", "team": "a"}
	voters := func(hash string) *appsv1.StatefulSet {
		return buildStatefulSet(rc, setParams{Name: "rd", Component: ComponentVoter, Voter: true, Founders: 3, AuthHash: hash})
	}
	replicas := func(hash string) *appsv1.StatefulSet {
		return buildStatefulSet(rc, setParams{Name: "rd-replica", Component: ComponentReplica, Founders: 3, AuthHash: hash})
	}
	for _, build := range []func(string) *appsv1.StatefulSet{voters, replicas} {
		withAuth, other, without := build("h1"), build("h2"), build("")
		if got := withAuth.Spec.Template.Annotations[AnnotationAuthHash]; got != "h1" {
			t.Errorf("%s: auth hash %q, want h1", withAuth.Name, got)
		}
		if got, ok := without.Spec.Template.Annotations[AnnotationAuthHash]; ok {
			t.Errorf("%s: auth hash %q without auth, want none", without.Name, got)
		}
		if without.Spec.Template.Annotations["team"] != "a" {
			t.Errorf("%s: the user's pod annotations are kept", without.Name)
		}
		hashes := map[string]bool{}
		for _, s := range []*appsv1.StatefulSet{withAuth, other, without} {
			hashes[s.Annotations[AnnotationTemplateHash]] = true
		}
		if len(hashes) != 3 {
			t.Errorf("%s: a new password, or auth turned on or off, must change the template hash (it rolls the pods)", withAuth.Name)
		}
	}
}

func TestAuthHash(t *testing.T) {
	rc := testCluster()
	rc.UID = "uid-1"
	h := authHash(rc, "secret-password")
	if len(h) != 16 || strings.Trim(h, "0123456789abcdef") != "" {
		t.Fatalf("authHash = %q, want 16 hex digits", h)
	}
	if authHash(rc, "secret-password") != h {
		t.Error("the hash of a password is stable")
	}
	if authHash(rc, "another-password") == h {
		t.Error("another password, the same hash")
	}
	other := testCluster()
	other.UID = "uid-2"
	if authHash(other, "secret-password") == h {
		t.Error("two clusters with the same password have the same hash")
	}
}
