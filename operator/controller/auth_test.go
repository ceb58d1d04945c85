package controller

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/redraft/redraft/httpd"
	redraftv1 "github.com/redraft/redraft/operator/api/v1alpha1"
)

// authCluster is testCluster with 3 voters, no read replicas and a UID.
func authCluster() *redraftv1.RedraftCluster {
	rc := testCluster()
	rc.UID = "uid"
	rc.Spec.ReadReplicas = 0
	return rc
}

// settledSet is the StatefulSet the operator wrote with auth hash hash,
// seen by the StatefulSet controller at revision rev.
func settledSet(rc *redraftv1.RedraftCluster, p setParams, rev string) *appsv1.StatefulSet {
	p.Founders, p.ConfigHash = 3, "cfg"
	sts := buildStatefulSet(rc, p)
	sts.Generation = 1
	sts.Status = appsv1.StatefulSetStatus{
		ObservedGeneration: 1, Replicas: p.Replicas, ReadyReplicas: p.Replicas,
		CurrentRevision: rev, UpdateRevision: rev,
	}
	return sts
}

// memberPod is a ready pod of revision rev, started with the password
// whose hash is hash ("" for none).
func memberPod(name, rev, hash string) *corev1.Pod {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{revisionLabel: rev}},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "redraft"}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, PodIP: "10.0.0.1",
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}},
	}
	if hash != "" {
		pod.Annotations = map[string]string{AnnotationAuthHash: hash}
		pod.Spec.Containers[0].Env = []corev1.EnvVar{{Name: envRequirePass, ValueFrom: &corev1.EnvVarSource{}}}
	}
	return pod
}

// authObservation is a settled 3-voter cluster whose pods were made with
// auth hash podHash, led by rd-<leader>, seen with auth.
func authObservation(rc *redraftv1.RedraftCluster, auth credentials, podHash string, leader int) *observation {
	obs := &observation{
		Voters:   settledSet(rc, setParams{Name: "rd", Component: ComponentVoter, Voter: true, Replicas: 3, AuthHash: podHash}, "r1"),
		Replicas: settledSet(rc, setParams{Name: "rd-replica", Component: ComponentReplica, AuthHash: podHash}, "r1"),
		Pods:     map[string]*corev1.Pod{},
		Statuses: map[string]*httpd.Status{},
		Auth:     auth,
	}
	var members []httpd.Member
	for i := range 3 {
		members = append(members, httpd.Member{ID: fmt.Sprintf("rd-%d", i), Voter: true, Leader: i == leader})
	}
	for i := range 3 {
		name := fmt.Sprintf("rd-%d", i)
		obs.Pods[name] = memberPod(name, "r1", podHash)
		st := &httpd.Status{ID: name, Role: "follower", Term: 1, LeaderID: fmt.Sprintf("rd-%d", leader), Members: members}
		if i == leader {
			st.Role = "leader"
		}
		obs.Statuses[name] = st
	}
	obs.View = obs.buildView()
	return obs
}

// rolled is obs after the StatefulSet controller took the voters' new
// template p.Voters (revision r2), with the listed ordinals restarted.
func rolled(obs *observation, p plan, restarted ...int) *observation {
	next := *obs
	next.Voters = p.Voters.DeepCopy()
	next.Voters.Generation = 2
	next.Voters.Status = obs.Voters.Status
	next.Voters.Status.ObservedGeneration, next.Voters.Status.UpdateRevision = 2, "r2"
	next.Pods = map[string]*corev1.Pod{}
	for name, pod := range obs.Pods {
		next.Pods[name] = pod
	}
	for _, o := range restarted {
		name := podID("rd", int32(o))
		next.Pods[name] = memberPod(name, "r2", p.Voters.Spec.Template.Annotations[AnnotationAuthHash])
	}
	next.View = next.buildView()
	return &next
}

// TestPasswordChangeRolls follows planSets through a password change: the
// new template carries the new hash and starts a rolling update like a
// new image does; while no member takes the new password the top
// follower restarts without the leader being parked, and the restarted
// member is the one the leadership transfer goes through.
func TestPasswordChangeRolls(t *testing.T) {
	rc := authCluster()
	oldAuth := credentials{Password: "old", Hash: authHash(rc, "old"), Known: true}
	newAuth := credentials{Password: "new", Hash: authHash(rc, "new"), Known: true}

	settled := planSets(rc, authObservation(rc, oldAuth, oldAuth.Hash, 1), "cfg")
	if settled.TemplateChanged || settled.AuthChanged || partitionOf(settled.Voters) != 0 {
		t.Fatalf("same password: template changed %v, auth changed %v, partition %d",
			settled.TemplateChanged, settled.AuthChanged, partitionOf(settled.Voters))
	}

	obs := authObservation(rc, newAuth, oldAuth.Hash, 1)
	p := planSets(rc, obs, "cfg")
	if !p.TemplateChanged || !p.AuthChanged || partitionOf(p.Voters) != 3 || p.Action.Kind != actNone {
		t.Fatalf("new password: template changed %v, auth changed %v, partition %d, action %v; want a new template written with the partition on top",
			p.TemplateChanged, p.AuthChanged, partitionOf(p.Voters), p.Action)
	}
	for _, s := range []*appsv1.StatefulSet{p.Voters, p.Replicas} {
		if got := s.Spec.Template.Annotations[AnnotationAuthHash]; got != newAuth.Hash {
			t.Errorf("%s template auth hash %q, want the new password's", s.Name, got)
		}
	}
	if ok, why := progress(rc, obs, p); !ok || why != reasonAuthRollout {
		t.Errorf("progress = %v, %s; want %s", ok, why, reasonAuthRollout)
	}
	if msg := progressMessage(rc, obs, p, reasonAuthRollout); !strings.Contains(msg, "not restarted yet: rd-0, rd-1, rd-2") {
		t.Errorf("progress message %q", msg)
	}

	obs = rolled(obs, p)
	p = planSets(rc, obs, "cfg")
	if partitionOf(p.Voters) != 2 || p.Action.Kind != actNone {
		t.Fatalf("no member takes the new password: partition %d, action %v; want rd-2 restarted, no transfer", partitionOf(p.Voters), p.Action)
	}

	obs = rolled(obs, p, 2)
	p = planSets(rc, obs, "cfg")
	if p.Action.Kind != actTransfer || p.Action.ID != "rd-2" || partitionOf(p.Voters) != 2 {
		t.Fatalf("rd-2 restarted: partition %d, action %v; want the leader rd-1 to hand over to rd-2", partitionOf(p.Voters), p.Action)
	}
	if route := commandRoute(obs.commandCandidates()); route[0] != "rd-2" {
		t.Fatalf("command route %v: the restarted rd-2 takes the new password and goes first", route)
	}
}

func TestAuthSettingChanges(t *testing.T) {
	rc := authCluster()
	auth := credentials{Password: "pw", Hash: authHash(rc, "pw"), Known: true}
	tests := []struct {
		name      string
		spec      func(*redraftv1.RedraftCluster)
		auth      credentials
		podHash   string
		wantHash  string
		wantRoll  bool
		wantTakes bool // the old pods take the operator's commands
	}{
		{"auth turned on: old pods have no password and take any", func(*redraftv1.RedraftCluster) {}, auth, "", auth.Hash, true, true},
		{"auth turned off: old pods want their password", func(rc *redraftv1.RedraftCluster) { rc.Spec.AuthSecretRef = nil },
			credentials{Known: true}, auth.Hash, "", true, false},
		{"the secret cannot be read: the template keeps its hash", func(*redraftv1.RedraftCluster) {},
			credentials{}, auth.Hash, auth.Hash, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := authCluster()
			tt.spec(rc)
			obs := authObservation(rc, tt.auth, tt.podHash, 0)
			p := planSets(rc, obs, "cfg")
			if got := p.Voters.Spec.Template.Annotations[AnnotationAuthHash]; got != tt.wantHash {
				t.Errorf("template auth hash %q, want %q", got, tt.wantHash)
			}
			if p.TemplateChanged != tt.wantRoll || p.AuthChanged != tt.wantRoll {
				t.Errorf("template changed %v, auth changed %v; want %v", p.TemplateChanged, p.AuthChanged, tt.wantRoll)
			}
			if got := obs.View.takesCommands(nil); got != tt.wantTakes {
				t.Errorf("takesCommands = %v, want %v", got, tt.wantTakes)
			}
		})
	}
}

// stubMembers refuses a Raft command through a pod unless it comes with
// the password that pod wants, and records the pods tried.
type stubMembers struct {
	wants map[string]string
	fail  map[string]error
	tried []string
}

func (s *stubMembers) send(ep Endpoint) error {
	s.tried = append(s.tried, ep.Pod)
	if s.wants[ep.Pod] != ep.Password {
		return fmt.Errorf("%w: WRONGPASS invalid username-password pair", ErrAuthRejected)
	}
	return s.fail[ep.Pod]
}

func TestThroughMembers(t *testing.T) {
	rc := authCluster()
	oldAuth := credentials{Password: "old", Hash: authHash(rc, "old"), Known: true}
	newAuth := credentials{Password: "new", Hash: authHash(rc, "new"), Known: true}
	before := authObservation(rc, newAuth, oldAuth.Hash, 1)
	p := planSets(rc, before, "cfg")
	withRd2 := rolled(rolled(before, p), p, 2)
	boom := errors.New("boom")
	tests := []struct {
		name      string
		obs       *observation
		wants     map[string]string
		fail      map[string]error
		wantTried string
		wantVia   string
		wantErr   error
	}{
		{"the restarted member first, though it does not lead", withRd2,
			map[string]string{"rd-0": "old", "rd-1": "old", "rd-2": "new"}, nil, "rd-2", "rd-2", nil},
		{"a refused password is skipped: the leader, then by name", before,
			map[string]string{"rd-0": "new", "rd-1": "old", "rd-2": "old"}, nil, "rd-1,rd-0", "rd-0", nil},
		{"nobody takes it", before,
			map[string]string{"rd-0": "old", "rd-1": "old", "rd-2": "old"}, nil, "rd-1,rd-0,rd-2", "", ErrAuthRejected},
		{"another error ends the attempt: the command may have run", before,
			map[string]string{"rd-0": "new", "rd-1": "new", "rd-2": "new"}, map[string]error{"rd-1": boom}, "rd-1", "rd-1", boom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stub := &stubMembers{wants: tt.wants, fail: tt.fail}
			via, err := tt.obs.throughMembers(stub.send)
			if got := strings.Join(stub.tried, ","); got != tt.wantTried || via != tt.wantVia || !errors.Is(err, tt.wantErr) {
				t.Fatalf("tried %s, via %q, err %v; want tried %s, via %q, err %v", got, via, err, tt.wantTried, tt.wantVia, tt.wantErr)
			}
		})
	}
}
