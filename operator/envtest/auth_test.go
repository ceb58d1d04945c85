package envtest_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	redraftv1 "github.com/redraft/redraft/operator/api/v1alpha1"
	"github.com/redraft/redraft/operator/controller"
)

// authCluster creates the Secret and a cluster whose members need its
// password.
func authCluster(t *testing.T, ns, name, password string, voters int32) *redraftv1.RedraftCluster {
	t.Helper()
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name + "-auth"}, StringData: map[string]string{"password": password}}
	if err := env.client.Create(context.Background(), secret); err != nil {
		t.Fatal(err)
	}
	rc := newCluster(ns, name, voters, 0)
	rc.Spec.AuthSecretRef = &redraftv1.SecretKeySelector{Name: name + "-auth"}
	return rc
}

func setPassword(t *testing.T, rc *redraftv1.RedraftCluster, password string) {
	t.Helper()
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: rc.Namespace, Name: rc.Spec.AuthSecretRef.Name}}
	patch := fmt.Sprintf(`{"stringData":{"password":%q}}`, password)
	if err := env.client.Patch(context.Background(), secret, client.RawPatch("application/merge-patch+json", []byte(patch))); err != nil {
		t.Fatal(err)
	}
}

// templateAuthHash is the auth hash on the voters' pod template.
func templateAuthHash(t *testing.T, rc *redraftv1.RedraftCluster) string {
	t.Helper()
	var s appsv1.StatefulSet
	get(t, rc.Namespace, rc.Name, &s)
	return s.Spec.Template.Annotations[controller.AnnotationAuthHash]
}

// waitRolled waits until the voters' StatefulSet runs its update revision
// everywhere with n restarts done.
func waitRolled(t *testing.T, rc *redraftv1.RedraftCluster, sts *fakeSTS, n int) {
	t.Helper()
	eventually(t, "rolled", func() string {
		var s appsv1.StatefulSet
		get(t, rc.Namespace, rc.Name, &s)
		if len(sts.restartOrder()) != n || s.Status.CurrentRevision != s.Status.UpdateRevision || *s.Spec.UpdateStrategy.RollingUpdate.Partition != 0 {
			return fmt.Sprintf("restarted %v, partition %d", sts.restartOrder(), *s.Spec.UpdateStrategy.RollingUpdate.Partition)
		}
		return ""
	})
}

// progressReasons records the Progressing reasons the cluster goes
// through until the test ends.
func progressReasons(t *testing.T, rc *redraftv1.RedraftCluster) func() []string {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	var mu sync.Mutex
	var seen []string
	go func() {
		for ctx.Err() == nil {
			var got redraftv1.RedraftCluster
			if err := env.client.Get(ctx, client.ObjectKeyFromObject(rc), &got); err == nil {
				if c := meta.FindStatusCondition(got.Status.Conditions, redraftv1.ConditionProgressing); c != nil {
					mu.Lock()
					if !slices.Contains(seen, c.Reason) {
						seen = append(seen, c.Reason)
					}
					mu.Unlock()
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(seen)
	}
}

// waitEvent waits for an Event of the cluster with the given reason.
func waitEvent(t *testing.T, rc *redraftv1.RedraftCluster, reason string) {
	t.Helper()
	eventually(t, "event "+reason, func() string {
		var events corev1.EventList
		if err := env.client.List(context.Background(), &events, client.InNamespace(rc.Namespace)); err != nil {
			t.Fatal(err)
		}
		for _, e := range events.Items {
			if e.InvolvedObject.Name == rc.Name && e.Reason == reason {
				return ""
			}
		}
		return fmt.Sprintf("%d events, none %s", len(events.Items), reason)
	})
}

// checkRoutes: every Raft command went through a member on the
// operator's password, and none was first tried through one on another
// (members restarted with the new password are preferred).
func checkRoutes(t *testing.T) {
	t.Helper()
	via, refused := env.raft.routes()
	if len(refused) > 0 {
		t.Errorf("commands tried through members on another password %v (went through %v)", refused, via)
	}
}

// TestPasswordChangeRollsPods changes the password in the Secret: the pod
// template gets the new hash and the pods roll in the usual order,
// followers first and the leader last. The leader is in the middle, so it
// cannot be parked at first: no member takes the new password until the
// top follower restarted, and the leadership goes through it.
func TestPasswordChangeRollsPods(t *testing.T) {
	ns := newNamespace(t)
	rc := authCluster(t, ns, "pw", "old", 3)
	sts := startCluster(t, rc)
	before := templateAuthHash(t, rc)
	if before == "" {
		t.Fatal("no auth hash on the pod template of a cluster with auth")
	}
	env.raft.setLeader("pw", "pw-1")
	reasons := progressReasons(t, rc)
	setPassword(t, rc, "new")
	waitRolled(t, rc, sts, 3)

	if after := templateAuthHash(t, rc); after == "" || after == before {
		t.Fatalf("auth hash %q after the password change, %q before", after, before)
	}
	if got := strings.Join(sts.restartOrder(), ","); got != "pw-2,pw-1,pw-0" {
		t.Fatalf("restart order %s", got)
	}
	ops, _ := env.raft.snapshot()
	via, _ := env.raft.routes()
	if len(ops) != 1 || ops[0] != "transfer pw-2" || via[0] != "pw-2" {
		t.Fatalf("membership changes %v through %v: want the leader pw-1 handing over to the restarted pw-2, through it", ops, via)
	}
	checkRoutes(t)
	waitEvent(t, rc, "AuthChanged")
	if !slices.Contains(reasons(), "PasswordRollout") {
		t.Errorf("Progressing reasons %v: want PasswordRollout during the rollout", reasons())
	}
	waitAvailable(t, rc)
	checkNoViolations(t)
}

// TestPasswordChangeWhileScalingDown changes the password and scales 3
// voters to 1 at once. Only restarted members take the new password, and
// the one that stays restarts last: the rollout goes first, then the
// members leave through it.
func TestPasswordChangeWhileScalingDown(t *testing.T) {
	ns := newNamespace(t)
	rc := authCluster(t, ns, "pd", "old", 3)
	sts := startCluster(t, rc)
	env.raft.setLeader("pd", "pd-0")
	setPassword(t, rc, "new")
	setVoters(t, rc, 1)
	eventually(t, "1 voter", func() string { return membersAre(t, rc, 1) })
	waitRolled(t, rc, sts, 3)
	if got := strings.Join(sts.restartOrder(), ","); got != "pd-2,pd-1,pd-0" {
		t.Fatalf("restart order %s", got)
	}
	ops, _ := env.raft.snapshot()
	if got := strings.Join(ops, ","); got != "transfer pd-1,remove pd-2,transfer pd-0,remove pd-1" {
		t.Fatalf("membership changes %s: want the rollout's transfer off pd-0, then pd-2 and pd-1 leaving through pd-0", got)
	}
	checkRoutes(t)
	waitAvailable(t, rc)
	checkNoViolations(t)
}

// TestAuthTurnedOnAndOff adds authSecretRef, then removes it: both roll
// the pods. Turning auth on, the old pods have no password and take the
// operator's, so the order is the usual one (the leader on top parked on
// ordinal 0 first); turning it off, the old pods want the password the
// operator no longer gives.
func TestAuthTurnedOnAndOff(t *testing.T) {
	ns := newNamespace(t)
	rc := newCluster(ns, "ao", 3, 0)
	sts := startCluster(t, rc)
	if h := templateAuthHash(t, rc); h != "" {
		t.Fatalf("auth hash %q without auth", h)
	}
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "ao-auth"}, StringData: map[string]string{"password": "pw"}}
	if err := env.client.Create(context.Background(), secret); err != nil {
		t.Fatal(err)
	}

	env.raft.setLeader("ao", "ao-2")
	patchSpec(t, rc, `{"spec":{"authSecretRef":{"name":"ao-auth"}}}`)
	waitRolled(t, rc, sts, 3)
	if templateAuthHash(t, rc) == "" {
		t.Fatal("no auth hash once auth is on")
	}
	ops, _ := env.raft.snapshot()
	if transfers := opsWith(ops, "transfer "); len(transfers) != 2 || transfers[0] != "transfer ao-0" {
		t.Fatalf("transfers %v: want the leader parked on ao-0 first, as with any new template", transfers)
	}

	env.raft.setLeader("ao", "ao-1")
	patchSpec(t, rc, `{"spec":{"authSecretRef":null}}`)
	waitRolled(t, rc, sts, 6)
	if h := templateAuthHash(t, rc); h != "" {
		t.Fatalf("auth hash %q once auth is off", h)
	}
	if got := strings.Join(sts.restartOrder()[3:], ","); got != "ao-2,ao-1,ao-0" {
		t.Fatalf("restart order %s", got)
	}
	checkRoutes(t)
	waitAvailable(t, rc)
	checkNoViolations(t)
}
