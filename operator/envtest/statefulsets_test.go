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
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/redraft/redraft/operator/controller"
)

// fakeSTS plays the StatefulSet controller and the kubelet for one
// RedraftCluster: pods for ordinals below replicas, started ready (the
// members "catch up" at once); the highest outdated pod at or above the
// partition restarted, one per step; pods above replicas deleted. The
// revision of a pod is the operator's template hash.
type fakeSTS struct {
	t        *testing.T
	ns, name string
	mu       sync.Mutex
	// restarts is the order in which pods were restarted for an update.
	restarts []string
}

func (s *fakeSTS) sets() []string { return []string{s.name, s.name + "-replica"} }

// run steps every StatefulSet of the cluster until ctx ends.
func (s *fakeSTS) run(ctx context.Context) {
	for ctx.Err() == nil {
		for _, set := range s.sets() {
			if err := s.step(ctx, set); err != nil && ctx.Err() == nil && !apierrors.IsConflict(err) && !apierrors.IsNotFound(err) {
				s.t.Errorf("fake statefulset controller: %v", err)
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (s *fakeSTS) step(ctx context.Context, set string) error {
	c := env.client
	var sts appsv1.StatefulSet
	if err := c.Get(ctx, types.NamespacedName{Namespace: s.ns, Name: set}, &sts); err != nil {
		return err
	}
	voter := set == s.name
	update := sts.Annotations[controller.AnnotationTemplateHash]
	current := sts.Status.CurrentRevision
	if current == "" {
		current = update
	}
	replicas, partition := *sts.Spec.Replicas, int32(0)
	if ru := sts.Spec.UpdateStrategy.RollingUpdate; ru != nil && ru.Partition != nil {
		partition = *ru.Partition
	}
	pods, err := s.pods(ctx, set)
	if err != nil {
		return err
	}
	for name, pod := range pods {
		if o := ordinal(set, name); o >= replicas {
			env.raft.podStopped(s.name, name, true)
			if err := c.Delete(ctx, pod); err != nil && !apierrors.IsNotFound(err) {
				return err
			}
			delete(pods, name)
		}
	}
	for o := range replicas {
		name := fmt.Sprintf("%s-%d", set, o)
		if _, ok := pods[name]; ok {
			continue
		}
		rev := current
		if o >= partition {
			rev = update
		}
		if err := s.startPod(ctx, &sts, name, rev, voter); err != nil {
			return err
		}
		pods[name] = nil
	}
	restarted := false
	for o := replicas - 1; o >= partition && !restarted; o-- {
		name := fmt.Sprintf("%s-%d", set, o)
		pod := pods[name]
		if pod == nil || pod.Labels["controller-revision-hash"] == update {
			continue
		}
		env.raft.podStopped(s.name, name, false)
		if err := c.Delete(ctx, pod, client.GracePeriodSeconds(0)); err != nil {
			return err
		}
		if err := s.waitGone(ctx, name); err != nil {
			return err
		}
		if err := s.startPod(ctx, &sts, name, update, voter); err != nil {
			return err
		}
		s.mu.Lock()
		s.restarts = append(s.restarts, name)
		s.mu.Unlock()
		restarted = true
	}
	return s.updateStatus(ctx, &sts, update, current, replicas, partition, restarted)
}

func (s *fakeSTS) updateStatus(ctx context.Context, sts *appsv1.StatefulSet, update, current string, replicas, partition int32, restarted bool) error {
	pods, err := s.pods(ctx, sts.Name)
	if err != nil {
		return err
	}
	allUpdated := true
	for _, p := range pods {
		allUpdated = allUpdated && p.Labels["controller-revision-hash"] == update
	}
	if allUpdated && !restarted && partition == 0 {
		current = update
	}
	sts.Status = appsv1.StatefulSetStatus{
		ObservedGeneration: sts.Generation, Replicas: int32(len(pods)), ReadyReplicas: int32(len(pods)),
		CurrentReplicas: replicas, UpdatedReplicas: replicas, AvailableReplicas: int32(len(pods)),
		CurrentRevision: current, UpdateRevision: update,
	}
	return env.client.Status().Update(ctx, sts)
}

func (s *fakeSTS) pods(ctx context.Context, set string) (map[string]*corev1.Pod, error) {
	var list corev1.PodList
	if err := env.client.List(ctx, &list, client.InNamespace(s.ns)); err != nil {
		return nil, err
	}
	out := map[string]*corev1.Pod{}
	for i := range list.Items {
		if ordinal(set, list.Items[i].Name) >= 0 {
			out[list.Items[i].Name] = &list.Items[i]
		}
	}
	return out, nil
}

func (s *fakeSTS) waitGone(ctx context.Context, name string) error {
	for ctx.Err() == nil {
		var p corev1.Pod
		err := env.client.Get(ctx, types.NamespacedName{Namespace: s.ns, Name: name}, &p)
		if apierrors.IsNotFound(err) {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return ctx.Err()
}

// startPod creates a pod from the template, running and ready.
func (s *fakeSTS) startPod(ctx context.Context, sts *appsv1.StatefulSet, name, rev string, voter bool) error {
	labels := map[string]string{"controller-revision-hash": rev}
	for k, v := range sts.Spec.Template.Labels {
		labels[k] = v
	}
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: s.ns, Labels: labels, Annotations: sts.Spec.Template.Annotations},
		Spec:       *sts.Spec.Template.Spec.DeepCopy(),
	}
	password, err := s.requirePass(ctx, pod)
	if err != nil {
		return err
	}
	// The StatefulSet controller adds the claims' volumes.
	for _, vct := range sts.Spec.VolumeClaimTemplates {
		pod.Spec.Volumes = append(pod.Spec.Volumes, corev1.Volume{Name: vct.Name,
			VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}})
	}
	if err := env.client.Create(ctx, pod); err != nil {
		return err
	}
	// A patch without a resource version: the operator labels pods
	// concurrently.
	orig := pod.DeepCopy()
	now := metav1.Now()
	pod.Status = corev1.PodStatus{
		Phase: corev1.PodRunning, PodIP: "10.0.0.1", StartTime: &now,
		Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: now}},
	}
	if err := env.client.Status().Patch(ctx, pod, client.MergeFrom(orig)); err != nil {
		_ = env.client.Delete(ctx, pod, client.GracePeriodSeconds(0)) // made again on the next step
		return err
	}
	env.raft.podStarted(s.name, name, voter, password)
	return nil
}

// requirePass resolves the pod's REDRAFT_REQUIREPASS as the kubelet does
// when the container starts: from the Secret as it is now.
func (s *fakeSTS) requirePass(ctx context.Context, pod *corev1.Pod) (string, error) {
	for _, e := range pod.Spec.Containers[0].Env {
		if e.Name != "REDRAFT_REQUIREPASS" || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
			continue
		}
		var secret corev1.Secret
		if err := env.client.Get(ctx, types.NamespacedName{Namespace: s.ns, Name: e.ValueFrom.SecretKeyRef.Name}, &secret); err != nil {
			return "", fmt.Errorf("password of %s: %w", pod.Name, err)
		}
		return string(secret.Data[e.ValueFrom.SecretKeyRef.Key]), nil
	}
	return "", nil
}

// ordinal of pod name in set, -1 if it is not one of its pods.
func ordinal(set, name string) int32 {
	rest, ok := strings.CutPrefix(name, set+"-")
	if !ok {
		return -1
	}
	var n int32
	if _, err := fmt.Sscanf(rest, "%d", &n); err != nil || fmt.Sprint(n) != rest {
		return -1
	}
	return n
}

func (s *fakeSTS) restartOrder() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.restarts)
}
