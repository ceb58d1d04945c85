package controller

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/redraft/redraft/httpd"
	redraftv1 "github.com/redraft/redraft/operator/api/v1alpha1"
)

// statusTimeout bounds the question to one member; members are asked
// concurrently.
const statusTimeout = 2 * time.Second

// observation is what one reconcile sees: the objects that exist, the
// pods, and the members' own reports.
type observation struct {
	Voters   *appsv1.StatefulSet // nil until created
	Replicas *appsv1.StatefulSet
	Pods     map[string]*corev1.Pod
	Statuses map[string]*httpd.Status // by pod name; missing if unreachable
	View     view
	Auth     credentials
}

// observe reads the cluster's objects and asks every running member pod
// for its status.
func (r *RedraftClusterReconciler) observe(ctx context.Context, rc *redraftv1.RedraftCluster, auth credentials) (*observation, error) {
	obs := &observation{Auth: auth}
	var err error
	if obs.Voters, err = r.getStatefulSet(ctx, rc.Namespace, votersName(rc)); err != nil {
		return nil, err
	}
	if obs.Replicas, err = r.getStatefulSet(ctx, rc.Namespace, replicasName(rc)); err != nil {
		return nil, err
	}
	var pods corev1.PodList
	if err := r.List(ctx, &pods, client.InNamespace(rc.Namespace), client.MatchingLabels(clusterLabels(rc))); err != nil {
		return nil, fmt.Errorf("listing pods: %w", err)
	}
	obs.Pods = make(map[string]*corev1.Pod, len(pods.Items))
	for i := range pods.Items {
		obs.Pods[pods.Items[i].Name] = &pods.Items[i]
	}
	obs.Statuses = r.memberStatuses(ctx, obs)
	obs.View = obs.buildView()
	return obs, nil
}

func (r *RedraftClusterReconciler) getStatefulSet(ctx context.Context, ns, name string) (*appsv1.StatefulSet, error) {
	var sts appsv1.StatefulSet
	err := r.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, &sts)
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("getting statefulset %s: %w", name, err)
	}
	return &sts, nil
}

// memberStatuses asks each pod that has an IP and is not terminating.
func (r *RedraftClusterReconciler) memberStatuses(ctx context.Context, obs *observation) map[string]*httpd.Status {
	var (
		mu  sync.Mutex
		wg  sync.WaitGroup
		out = make(map[string]*httpd.Status)
	)
	for _, pod := range obs.Pods {
		if pod.Status.PodIP == "" || pod.DeletionTimestamp != nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(ctx, statusTimeout)
			defer cancel()
			st, err := r.Members.Status(ctx, obs.endpoint(pod.Name))
			if err != nil {
				return // an unreachable member is reported unhealthy, not an error
			}
			mu.Lock()
			out[pod.Name] = st
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

// endpoint is how to reach pod name.
func (o *observation) endpoint(name string) Endpoint {
	ep := Endpoint{Pod: name, Password: o.Auth.Password}
	if pod, ok := o.Pods[name]; ok {
		ep.IP = pod.Status.PodIP
	}
	return ep
}

// buildView takes the membership from the member that leads with the
// highest term (a deposed leader cut off from the others may still think
// it leads, in an older term). Health is the pod's readiness, which the
// node gives only when it is caught up with a leader that counts it.
func (o *observation) buildView() view {
	var leader *httpd.Status
	for _, st := range o.Statuses {
		if st.Role == "leader" && (leader == nil || st.Term > leader.Term) {
			leader = st
		}
	}
	if leader == nil {
		return view{}
	}
	v := view{Known: true, Leader: leader.ID}
	for _, m := range leader.Members {
		pod, ok := o.Pods[m.ID]
		v.Members = append(v.Members, member{
			ID: m.ID, Voter: m.Voter, Leader: m.ID == leader.ID,
			Healthy:       ok && podReady(pod),
			WrongPassword: !ok || !o.takesPassword(pod),
		})
	}
	slices.SortFunc(v.Members, func(a, b member) int { return cmp.Compare(a.ID, b.ID) })
	return v
}

// commandCandidates are the members whose pods answered: any of them runs
// a Raft command on the leader.
func (o *observation) commandCandidates() []commandCandidate {
	var out []commandCandidate
	for _, m := range o.View.Members {
		pod, ok := o.Pods[m.ID]
		if _, answered := o.Statuses[m.ID]; !ok || !answered {
			continue
		}
		out = append(out, commandCandidate{Pod: m.ID, WrongPassword: m.WrongPassword, Leader: m.Leader, Ready: podReady(pod)})
	}
	return out
}

// podReady: running, not terminating, Ready condition true.
func podReady(pod *corev1.Pod) bool {
	if pod.DeletionTimestamp != nil || pod.Status.Phase != corev1.PodRunning {
		return false
	}
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// podStates lists a StatefulSet's ordinals for planRollout.
func podStates(sts *appsv1.StatefulSet, pods map[string]*corev1.Pod) []podState {
	n := ptrValue(sts.Spec.Replicas, 1)
	out := make([]podState, n)
	for i := range n {
		pod, ok := pods[podID(sts.Name, i)]
		if !ok || pod.DeletionTimestamp != nil {
			continue
		}
		out[i] = podState{
			Exists:  true,
			Updated: sts.Status.UpdateRevision != "" && pod.Labels[revisionLabel] == sts.Status.UpdateRevision,
			Ready:   podReady(pod),
		}
	}
	return out
}

// foundingVoters is --bootstrap-expect: recorded on the voters'
// StatefulSet when it was created, else in the status (the StatefulSet
// was deleted but the volumes remain), else the spec's voters for a new
// cluster.
func foundingVoters(rc *redraftv1.RedraftCluster, sts *appsv1.StatefulSet) int32 {
	if sts != nil {
		if n, err := strconv.ParseInt(sts.Annotations[AnnotationFoundingVoters], 10, 32); err == nil && n > 0 {
			return int32(n)
		}
	}
	if rc.Status.FoundingVoters > 0 {
		return rc.Status.FoundingVoters
	}
	return specVoters(rc)
}

func specVoters(rc *redraftv1.RedraftCluster) int32 { return orDefault(rc.Spec.Voters, 3) }

func ptrValue[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}
