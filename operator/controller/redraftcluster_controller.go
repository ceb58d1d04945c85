// Package controller is the RedraftCluster reconciler. It owns the
// cluster's Services, ConfigMap, PodDisruptionBudget and two StatefulSets
// (voters, read replicas), and drives the Raft membership through a
// MemberClient: members leave the configuration before their pods go, the
// leader hands over before its pod restarts, and no step leaves fewer
// healthy voters than a quorum. The decisions themselves are pure
// functions in plan.go.
package controller

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/record"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	redraftv1 "github.com/redraft/redraft/operator/api/v1alpha1"
)

// Default requeue intervals: leadership changes and catching up are not
// Kubernetes events, so the operator looks again on its own.
const (
	DefaultResync = 10 * time.Second
	DefaultStep   = 2 * time.Second
)

// RedraftClusterReconciler reconciles RedraftCluster objects.
type RedraftClusterReconciler struct {
	client.Client
	// APIReader reads Secrets without a cache, so the operator needs only
	// "get" on Secrets instead of watching every Secret in the cluster.
	APIReader client.Reader
	Scheme    *runtime.Scheme
	Members   MemberClient
	Recorder  record.EventRecorder
	// Resync is how soon a settled cluster is looked at again; Step how
	// soon one that is changing is.
	Resync time.Duration
	Step   time.Duration
}

// +kubebuilder:rbac:groups=redraft.io,resources=redraftclusters,verbs=get;list;watch
// +kubebuilder:rbac:groups=redraft.io,resources=redraftclusters/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=redraft.io,resources=redraftclusters/finalizers,verbs=update
// +kubebuilder:rbac:groups=apps,resources=statefulsets,verbs=get;list;watch;create;update;patch
// +kubebuilder:rbac:groups="",resources=services;configmaps,verbs=get;list;watch;create;update;patch
// +kubebuilder:rbac:groups=policy,resources=poddisruptionbudgets,verbs=get;list;watch;create;update;patch
// +kubebuilder:rbac:groups="",resources=pods,verbs=get;list;watch;patch;delete
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get
// +kubebuilder:rbac:groups="",resources=events,verbs=create;patch

// Reconcile brings one RedraftCluster one step closer to its spec. It is
// level-based: every decision is made again from what it observes, and at
// most one membership change is made per call.
func (r *RedraftClusterReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	log := logf.FromContext(ctx)
	var rc redraftv1.RedraftCluster
	if err := r.Get(ctx, req.NamespacedName, &rc); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !rc.DeletionTimestamp.IsZero() {
		return ctrl.Result{}, nil // owner references let the garbage collector do the rest
	}
	var problems []error
	auth, err := r.credentials(ctx, &rc)
	if err != nil {
		problems = append(problems, err)
	}
	obs, err := r.observe(ctx, &rc, auth)
	if err != nil {
		return ctrl.Result{}, err
	}
	p, err := r.apply(ctx, &rc, obs)
	if err != nil {
		return ctrl.Result{}, err
	}
	if p.AuthChanged {
		r.event(&rc, nil, "AuthChanged", "%s", authChangeMessage(&rc))
	}
	if p.Action.Kind != actNone {
		if err := r.act(ctx, &rc, obs, p.Action); err != nil {
			log.Error(err, "membership change failed", "action", p.Action.String())
			problems = append(problems, err)
		}
	}
	if err := r.restartPods(ctx, obs, p.Restart); err != nil {
		return ctrl.Result{}, err
	}
	if err := r.labelRoles(ctx, obs); err != nil {
		return ctrl.Result{}, err
	}
	st := computeStatus(&rc, obs, p, problems)
	if err := r.patchStatus(ctx, &rc, st); err != nil {
		return ctrl.Result{}, err
	}
	if p.Action.Kind != actNone || p.Progressing() {
		return ctrl.Result{RequeueAfter: r.step()}, nil
	}
	return ctrl.Result{RequeueAfter: r.resync()}, nil
}

func (r *RedraftClusterReconciler) step() time.Duration   { return orDefault(r.Step, DefaultStep) }
func (r *RedraftClusterReconciler) resync() time.Duration { return orDefault(r.Resync, DefaultResync) }

// plan is what apply decided: the StatefulSets as written and the
// membership change to make.
type plan struct {
	Voters, Replicas *appsv1.StatefulSet
	Founders         int32
	Action           action
	MaxUnavailable   int32
	TemplateChanged  bool
	// AuthChanged: a pod template is written with a new auth setting
	// (password, or auth turned on or off), which rolls the pods.
	AuthChanged bool
	// Restart lists voter pods to delete (see outdatedWhileDown).
	Restart []string
}

// Progressing is true while the StatefulSets are not where the spec wants
// them (scaling, rolling) or their pods are not all ready.
func (p plan) Progressing() bool {
	for _, s := range []*appsv1.StatefulSet{p.Voters, p.Replicas} {
		if s.Status.ObservedGeneration < s.Generation || s.Status.ReadyReplicas != *s.Spec.Replicas ||
			s.Status.Replicas != *s.Spec.Replicas || s.Status.UpdateRevision != s.Status.CurrentRevision {
			return true
		}
	}
	return p.TemplateChanged || partitionOf(p.Voters) > 0
}

// apply writes every owned object and returns the plan it followed.
func (r *RedraftClusterReconciler) apply(ctx context.Context, rc *redraftv1.RedraftCluster, obs *observation) (plan, error) {
	configHash, err := r.applyConfigMap(ctx, rc)
	if err != nil {
		return plan{}, err
	}
	for _, svc := range []*corev1.Service{buildHeadlessService(rc), buildClientService(rc), buildLeaderService(rc)} {
		if err := r.applyService(ctx, rc, svc); err != nil {
			return plan{}, err
		}
	}
	p := planSets(rc, obs, configHash)
	if p.Voters, err = r.applyStatefulSet(ctx, rc, obs.Voters, p.Voters); err != nil {
		return plan{}, err
	}
	if p.Replicas, err = r.applyStatefulSet(ctx, rc, obs.Replicas, p.Replicas); err != nil {
		return plan{}, err
	}
	if err := r.applyPDB(ctx, rc, p.MaxUnavailable); err != nil {
		return plan{}, err
	}
	return p, nil
}

// planSets decides both StatefulSets and the next membership change.
// Scaling goes before the rolling update: while a member must leave, the
// partition stays where it is.
func planSets(rc *redraftv1.RedraftCluster, obs *observation, configHash string) plan {
	p := plan{Founders: foundingVoters(rc, obs.Voters)}
	p.Voters = buildStatefulSet(rc, setParams{
		Name: votersName(rc), Component: ComponentVoter, Voter: true, Founders: p.Founders, ConfigHash: configHash,
		AuthHash: obs.authHashFor(obs.Voters),
	})
	p.Replicas = buildStatefulSet(rc, setParams{
		Name: replicasName(rc), Component: ComponentReplica, Founders: p.Founders, ConfigHash: configHash,
		AuthHash: obs.authHashFor(obs.Replicas),
	})
	p.AuthChanged = authChanged(obs.Voters, p.Voters) || authChanged(obs.Replicas, p.Replicas)

	votersN, act := planScale(scaleInput{
		Set: votersName(rc), Desired: specVoters(rc), Current: currentReplicas(obs.Voters, specVoters(rc)),
		Voters: true, View: obs.View,
	})
	replicasN, ract := planScale(scaleInput{
		Set: replicasName(rc), Desired: rc.Spec.ReadReplicas, Current: currentReplicas(obs.Replicas, rc.Spec.ReadReplicas),
		View: obs.View,
	})
	if act.Kind == actNone {
		act = ract
	}
	p.Voters.Spec.Replicas, p.Replicas.Spec.Replicas = &votersN, &replicasN

	partition := int32(0)
	if obs.Voters != nil {
		p.TemplateChanged = obs.Voters.Annotations[AnnotationTemplateHash] != p.Voters.Annotations[AnnotationTemplateHash]
		var rollAct action
		partition, rollAct = votersPartition(obs, p, act.Kind != actNone)
		if act.Kind == actNone {
			act = rollAct
		}
		if !p.TemplateChanged && stsSettled(obs.Voters) {
			for _, o := range outdatedWhileDown(podStates(obs.Voters, obs.Pods), obs.View) {
				p.Restart = append(p.Restart, podID(obs.Voters.Name, o))
				partition = 0
			}
		}
	}
	p.Voters.Spec.UpdateStrategy.RollingUpdate.Partition = &partition
	p.Action = act
	raftVoters, _ := obs.View.voters(nil)
	p.MaxUnavailable = voterMaxUnavailable(specVoters(rc), raftVoters)
	return p
}

// authHashFor is the auth hash the pod template of existing gets: the
// current password's, or the one it has if the Secret could not be read.
func (o *observation) authHashFor(existing *appsv1.StatefulSet) string {
	if o.Auth.Known {
		return o.Auth.Hash
	}
	return templateAuthHash(existing)
}

// authChanged: the existing StatefulSet's pods get another auth setting.
func authChanged(existing, desired *appsv1.StatefulSet) bool {
	return existing != nil && templateAuthHash(existing) != templateAuthHash(desired)
}

// votersPartition: a new pod template is written with the partition at
// the top, so no pod restarts before the operator chose which; from then
// on planRollout moves it, unless a scaling step is pending or the
// StatefulSet controller has not caught up with the last write.
func votersPartition(obs *observation, p plan, scaling bool) (int32, action) {
	current := partitionOf(obs.Voters)
	if p.TemplateChanged {
		return max(ptrValue(obs.Voters.Spec.Replicas, 0), *p.Voters.Spec.Replicas), action{}
	}
	if scaling || !stsSettled(obs.Voters) {
		return current, action{}
	}
	return planRollout(rolloutInput{
		Set: obs.Voters.Name, Partition: current, Pods: podStates(obs.Voters, obs.Pods), View: obs.View,
	})
}

// stsSettled: the StatefulSet controller has seen the latest spec, so its
// update revision is current.
func stsSettled(sts *appsv1.StatefulSet) bool {
	return sts.Status.ObservedGeneration >= sts.Generation && sts.Status.UpdateRevision != ""
}

func partitionOf(sts *appsv1.StatefulSet) int32 {
	if sts == nil || sts.Spec.UpdateStrategy.RollingUpdate == nil {
		return 0
	}
	return ptrValue(sts.Spec.UpdateStrategy.RollingUpdate.Partition, 0)
}

func currentReplicas(sts *appsv1.StatefulSet, def int32) int32 {
	if sts == nil {
		return def
	}
	return ptrValue(sts.Spec.Replicas, def)
}

// applyStatefulSet creates desired, or brings the existing StatefulSet's
// mutable fields to it. The pod template is written only when its hash
// changed, so the API server's defaulting never looks like a change.
// Immutable fields (selector, volume claim templates) are set at creation
// only.
func (r *RedraftClusterReconciler) applyStatefulSet(ctx context.Context, rc *redraftv1.RedraftCluster, existing, desired *appsv1.StatefulSet) (*appsv1.StatefulSet, error) {
	if existing == nil {
		if err := controllerutil.SetControllerReference(rc, desired, r.Scheme); err != nil {
			return nil, fmt.Errorf("owning statefulset %s: %w", desired.Name, err)
		}
		if err := r.Create(ctx, desired); err != nil {
			return nil, fmt.Errorf("creating statefulset %s: %w", desired.Name, err)
		}
		return desired, nil
	}
	updated := existing.DeepCopy()
	updated.Labels = mergeMaps(updated.Labels, desired.Labels)
	updated.Annotations = mergeMaps(updated.Annotations, desired.Annotations)
	updated.Spec.Replicas = desired.Spec.Replicas
	updated.Spec.UpdateStrategy = desired.Spec.UpdateStrategy
	updated.Spec.PersistentVolumeClaimRetentionPolicy = desired.Spec.PersistentVolumeClaimRetentionPolicy
	if existing.Annotations[AnnotationTemplateHash] != desired.Annotations[AnnotationTemplateHash] {
		updated.Spec.Template = desired.Spec.Template
	}
	if err := controllerutil.SetControllerReference(rc, updated, r.Scheme); err != nil {
		return nil, fmt.Errorf("owning statefulset %s: %w", desired.Name, err)
	}
	if equality.Semantic.DeepEqual(existing, updated) {
		return existing, nil
	}
	if err := r.Patch(ctx, updated, client.MergeFrom(existing)); err != nil {
		return nil, fmt.Errorf("updating statefulset %s: %w", desired.Name, err)
	}
	logf.FromContext(ctx).Info("statefulset updated", "statefulset", desired.Name,
		"replicas", *updated.Spec.Replicas, "partition", partitionOf(updated),
		"newTemplate", existing.Annotations[AnnotationTemplateHash] != desired.Annotations[AnnotationTemplateHash])
	return updated, nil
}

// applyService creates or updates svc, keeping what the API server
// assigned (cluster IP, node ports) and annotations others added.
func (r *RedraftClusterReconciler) applyService(ctx context.Context, rc *redraftv1.RedraftCluster, desired *corev1.Service) error {
	svc := &corev1.Service{ObjectMeta: desired.ObjectMeta}
	svc.Labels, svc.Annotations = nil, nil
	_, err := controllerutil.CreateOrPatch(ctx, r.Client, svc, func() error {
		svc.Labels = mergeMaps(svc.Labels, desired.Labels)
		svc.Annotations = mergeMaps(svc.Annotations, desired.Annotations)
		if svc.CreationTimestamp.IsZero() {
			svc.Spec.ClusterIP = desired.Spec.ClusterIP
		}
		svc.Spec.Type = desired.Spec.Type
		svc.Spec.Selector = desired.Spec.Selector
		svc.Spec.PublishNotReadyAddresses = desired.Spec.PublishNotReadyAddresses
		svc.Spec.Ports = keepNodePorts(svc.Spec.Ports, desired.Spec.Ports, desired.Spec.Type)
		return controllerutil.SetControllerReference(rc, svc, r.Scheme)
	})
	if err != nil {
		return fmt.Errorf("applying service %s: %w", desired.Name, err)
	}
	return nil
}

// keepNodePorts returns want with the node ports already allocated to the
// same-named ports, so an update does not reallocate them.
func keepNodePorts(have, want []corev1.ServicePort, typ corev1.ServiceType) []corev1.ServicePort {
	out := make([]corev1.ServicePort, len(want))
	copy(out, want)
	if typ != corev1.ServiceTypeNodePort && typ != corev1.ServiceTypeLoadBalancer {
		return out
	}
	for i := range out {
		for _, h := range have {
			if h.Name == out[i].Name {
				out[i].NodePort = h.NodePort
			}
		}
	}
	return out
}

// applyConfigMap writes spec.config and returns the hash the pod template
// carries, so that a change of flags rolls the pods.
func (r *RedraftClusterReconciler) applyConfigMap(ctx context.Context, rc *redraftv1.RedraftCluster) (string, error) {
	desired := buildConfigMap(rc)
	cm := &corev1.ConfigMap{ObjectMeta: desired.ObjectMeta}
	cm.Labels = nil
	_, err := controllerutil.CreateOrPatch(ctx, r.Client, cm, func() error {
		cm.Labels = mergeMaps(cm.Labels, desired.Labels)
		cm.Data = desired.Data
		return controllerutil.SetControllerReference(rc, cm, r.Scheme)
	})
	if err != nil {
		return "", fmt.Errorf("applying configmap %s: %w", desired.Name, err)
	}
	return hashOf(desired.Data), nil
}

func (r *RedraftClusterReconciler) applyPDB(ctx context.Context, rc *redraftv1.RedraftCluster, maxUnavailable int32) error {
	desired := buildPDB(rc, maxUnavailable)
	pdb := &policyv1.PodDisruptionBudget{ObjectMeta: desired.ObjectMeta}
	pdb.Labels = nil
	_, err := controllerutil.CreateOrPatch(ctx, r.Client, pdb, func() error {
		pdb.Labels = mergeMaps(pdb.Labels, desired.Labels)
		pdb.Spec.MaxUnavailable = desired.Spec.MaxUnavailable
		pdb.Spec.MinAvailable = nil
		pdb.Spec.Selector = desired.Spec.Selector
		pdb.Spec.UnhealthyPodEvictionPolicy = desired.Spec.UnhealthyPodEvictionPolicy
		return controllerutil.SetControllerReference(rc, pdb, r.Scheme)
	})
	if err != nil {
		return fmt.Errorf("applying poddisruptionbudget %s: %w", desired.Name, err)
	}
	return nil
}

// act makes one membership change, through a member that takes the
// operator's password.
func (r *RedraftClusterReconciler) act(ctx context.Context, rc *redraftv1.RedraftCluster, obs *observation, a action) error {
	var (
		via string
		err error
	)
	switch a.Kind {
	case actTransfer:
		via, err = obs.throughMembers(func(ep Endpoint) error { return r.Members.TransferLeadership(ctx, ep, a.ID) })
		r.event(rc, err, "LeadershipTransferred", "leadership from %s to %s: %s", obs.View.Leader, a.ID, a.Reason)
	case actRemove:
		via, err = obs.throughMembers(func(ep Endpoint) error { return r.Members.RemoveMember(ctx, ep, a.ID) })
		r.event(rc, err, "MemberRemoved", "removed %s: %s", a.ID, a.Reason)
	}
	if err == nil {
		logf.FromContext(ctx).Info("membership change", "action", a.String(), "leader", obs.View.Leader, "via", via)
	}
	return err
}

// throughMembers runs send through the members in commandRoute's order
// until one takes the operator's password, and returns that member. A
// refused password is no failure of the command, which never ran: the
// member is on an earlier password until its pod restarts, and the next
// one is tried. Any other error ends the attempt: the command may have
// run, and the next reconcile decides again from a fresh look.
func (o *observation) throughMembers(send func(Endpoint) error) (string, error) {
	var refused []error
	for _, pod := range commandRoute(o.commandCandidates()) {
		err := send(o.endpoint(pod))
		if !errors.Is(err, ErrAuthRejected) {
			return pod, err
		}
		refused = append(refused, err)
	}
	if len(refused) == 0 {
		return "", errors.New("no member answers")
	}
	return "", fmt.Errorf("no member takes the operator's password (a password change is rolling out): %w", errors.Join(refused...))
}

func (r *RedraftClusterReconciler) event(rc *redraftv1.RedraftCluster, err error, reason, format string, args ...any) {
	if r.Recorder == nil {
		return
	}
	msg := fmt.Sprintf(format, args...)
	if err != nil {
		r.Recorder.Event(rc, corev1.EventTypeWarning, reason+"Failed", msg+": "+err.Error())
		return
	}
	r.Recorder.Event(rc, corev1.EventTypeNormal, reason, msg)
}

// restartPods deletes the named pods (the exact pods observed: a UID
// precondition) so their StatefulSet recreates them from the new template.
func (r *RedraftClusterReconciler) restartPods(ctx context.Context, obs *observation, names []string) error {
	for _, name := range names {
		pod, ok := obs.Pods[name]
		if !ok || pod.DeletionTimestamp != nil {
			continue
		}
		logf.FromContext(ctx).Info("restarting outdated pod: no member is ready, nothing to protect", "pod", name)
		err := r.Delete(ctx, pod, client.Preconditions{UID: &pod.UID})
		if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
			return fmt.Errorf("deleting pod %s: %w", name, err)
		}
	}
	return nil
}

// labelRoles keeps LabelRole current: "leader" on the leader's pod only.
// Without a known leader no pod is labelled leader, so the leader Service
// has no endpoints rather than a wrong one.
func (r *RedraftClusterReconciler) labelRoles(ctx context.Context, obs *observation) error {
	var errs []error
	for name, pod := range obs.Pods {
		role := RoleFollower
		if obs.View.Known && name == obs.View.Leader {
			role = RoleLeader
		}
		if pod.Labels[LabelRole] == role || pod.DeletionTimestamp != nil {
			continue
		}
		orig := pod.DeepCopy()
		pod.Labels = mergeMaps(pod.Labels, map[string]string{LabelRole: role})
		if err := r.Patch(ctx, pod, client.MergeFrom(orig)); err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("labelling pod %s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

func (r *RedraftClusterReconciler) patchStatus(ctx context.Context, rc *redraftv1.RedraftCluster, st redraftv1.RedraftClusterStatus) error {
	if equality.Semantic.DeepEqual(rc.Status, st) {
		return nil
	}
	orig := rc.DeepCopy()
	rc.Status = st
	if err := r.Status().Patch(ctx, rc, client.MergeFrom(orig)); err != nil {
		return fmt.Errorf("updating status: %w", err)
	}
	return nil
}

func mergeMaps(dst, src map[string]string) map[string]string {
	if dst == nil && len(src) > 0 {
		dst = make(map[string]string, len(src))
	}
	maps.Copy(dst, src)
	return dst
}

// SetupWithManager registers the reconciler: it watches its
// RedraftClusters, the objects they own, and the member pods (owned by
// the StatefulSets), found by their instance label.
func (r *RedraftClusterReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&redraftv1.RedraftCluster{}).
		Owns(&appsv1.StatefulSet{}).
		Owns(&corev1.Service{}).
		Owns(&corev1.ConfigMap{}).
		Owns(&policyv1.PodDisruptionBudget{}).
		Watches(&corev1.Pod{}, handler.EnqueueRequestsFromMapFunc(podToCluster)).
		Named("redraftcluster").
		Complete(r)
}

func podToCluster(_ context.Context, obj client.Object) []ctrl.Request {
	l := obj.GetLabels()
	if l[LabelManagedBy] != ManagedBy || l[LabelInstance] == "" {
		return nil
	}
	return []ctrl.Request{{NamespacedName: types.NamespacedName{Namespace: obj.GetNamespace(), Name: l[LabelInstance]}}}
}
