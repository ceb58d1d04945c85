package controller

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	redraftv1 "github.com/redraft/redraft/operator/api/v1alpha1"
)

// dataVolume is the name of the volume claim template holding /data.
const dataVolume = "data"

// runAsUser is the image's non-root user (distroless nonroot).
const runAsUser = 65532

// terminationGrace gives a stopping member time to hand over leadership
// and snapshot before SIGKILL.
const terminationGrace = 60

func objectMeta(rc *redraftv1.RedraftCluster, name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: rc.Namespace, Labels: objectLabels(rc)}
}

func servicePorts() []corev1.ServicePort {
	return []corev1.ServicePort{
		{Name: "resp", Port: PortRESP, TargetPort: intstr.FromString("resp"), Protocol: corev1.ProtocolTCP},
		{Name: "raft", Port: PortRaft, TargetPort: intstr.FromString("raft"), Protocol: corev1.ProtocolTCP},
		{Name: "http", Port: PortHTTP, TargetPort: intstr.FromString("http"), Protocol: corev1.ProtocolTCP},
	}
}

func respPort() []corev1.ServicePort {
	return []corev1.ServicePort{{Name: "resp", Port: PortRESP, TargetPort: intstr.FromString("resp"), Protocol: corev1.ProtocolTCP}}
}

// buildHeadlessService gives every member a stable DNS name for Raft
// (<pod>.<name>-headless.<ns>.svc). It publishes pods that are not ready:
// a member must be reachable by its peers to become ready (catch up,
// vote), and the founders must find each other before any is ready.
func buildHeadlessService(rc *redraftv1.RedraftCluster) *corev1.Service {
	return &corev1.Service{
		ObjectMeta: objectMeta(rc, headlessName(rc)),
		Spec: corev1.ServiceSpec{
			ClusterIP:                corev1.ClusterIPNone,
			PublishNotReadyAddresses: true,
			Selector:                 clusterLabels(rc),
			Ports:                    servicePorts(),
		},
	}
}

// buildClientService reaches every ready member, voters and read
// replicas: each accepts every command and forwards writes to the leader.
func buildClientService(rc *redraftv1.RedraftCluster) *corev1.Service {
	svc := &corev1.Service{
		ObjectMeta: objectMeta(rc, clientName(rc)),
		Spec: corev1.ServiceSpec{
			Type:     orDefault(rc.Spec.Service.Type, corev1.ServiceTypeClusterIP),
			Selector: clusterLabels(rc),
			Ports:    respPort(),
		},
	}
	svc.Annotations = maps.Clone(rc.Spec.Service.Annotations)
	return svc
}

// buildLeaderService reaches the leader only, through the role label the
// operator keeps on the pods; it saves a follower's forwarding hop. The
// label trails a leadership change by up to one reconcile, during which
// the pod it names forwards writes like any member.
func buildLeaderService(rc *redraftv1.RedraftCluster) *corev1.Service {
	sel := clusterLabels(rc)
	sel[LabelRole] = RoleLeader
	svc := &corev1.Service{
		ObjectMeta: objectMeta(rc, leaderName(rc)),
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: sel,
			Ports:    respPort(),
		},
	}
	svc.Annotations = maps.Clone(rc.Spec.Service.Annotations)
	return svc
}

// buildPDB protects the voters' quorum from voluntary disruptions (see
// voterMaxUnavailable); read replicas have none: they hold no quorum.
func buildPDB(rc *redraftv1.RedraftCluster, maxUnavailable int32) *policyv1.PodDisruptionBudget {
	mu := intstr.FromInt32(maxUnavailable)
	return &policyv1.PodDisruptionBudget{
		ObjectMeta: objectMeta(rc, pdbName(rc)),
		Spec: policyv1.PodDisruptionBudgetSpec{
			MaxUnavailable: &mu,
			Selector:       &metav1.LabelSelector{MatchLabels: componentLabels(rc, ComponentVoter)},
			// A pod that is running but not ready (catching up, or
			// crash-looping) may be evicted: it holds no part of the
			// quorum and evicting it may be what unblocks a drain.
			UnhealthyPodEvictionPolicy: ptr.To(policyv1.AlwaysAllow),
		},
	}
}

// buildConfigMap holds spec.config as REDRAFT_<FLAG> variables; the pods
// read it with envFrom, and the operator's own variables override it.
func buildConfigMap(rc *redraftv1.RedraftCluster) *corev1.ConfigMap {
	data := make(map[string]string, len(rc.Spec.Config))
	for k, v := range rc.Spec.Config {
		data[flagEnv(k)] = v
	}
	return &corev1.ConfigMap{ObjectMeta: objectMeta(rc, configName(rc)), Data: data}
}

// flagEnv is the environment variable of a Redraft flag.
func flagEnv(flag string) string {
	return "REDRAFT_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// setParams are what distinguishes the voters' StatefulSet from the read
// replicas'.
type setParams struct {
	Name      string
	Component string
	Replicas  int32
	Partition int32
	// Voter: the members vote, and the founders among them bootstrap.
	Voter bool
	// Founders is how many voters founded the cluster: --bootstrap-expect
	// and the --join list.
	Founders   int32
	ConfigHash string
	// AuthHash is the pod template's AnnotationAuthHash, "" without auth.
	AuthHash string
}

// foundersJoin is --join: the founding voters' Raft addresses. It stays
// the founders' list forever: a node may bootstrap only if it is in the
// list, so later members (and read replicas) can only join, and never
// found a second cluster while the founders are down.
func foundersJoin(rc *redraftv1.RedraftCluster, founding int32) string {
	addrs := make([]string, founding)
	for i := range founding {
		addrs[i] = peerHost(rc, podID(votersName(rc), i)) + ":" + strconv.Itoa(PortRaft)
	}
	return strings.Join(addrs, ",")
}

// buildStatefulSet returns a StatefulSet of members. Its pod template
// does not depend on the replicas, so scaling never restarts pods.
func buildStatefulSet(rc *redraftv1.RedraftCluster, p setParams) *appsv1.StatefulSet {
	labels := componentLabels(rc, p.Component)
	podLabels := componentLabels(rc, p.Component)
	podLabels[LabelManagedBy] = ManagedBy
	tmpl := buildPodTemplate(rc, p, podLabels)
	sts := &appsv1.StatefulSet{
		ObjectMeta: objectMeta(rc, p.Name),
		Spec: appsv1.StatefulSetSpec{
			Replicas:    ptr.To(p.Replicas),
			Selector:    &metav1.LabelSelector{MatchLabels: labels},
			ServiceName: headlessName(rc),
			// Founders start together (each waits for the others to
			// bootstrap); ordering is the operator's job, not the
			// StatefulSet's.
			PodManagementPolicy: appsv1.ParallelPodManagement,
			UpdateStrategy: appsv1.StatefulSetUpdateStrategy{
				Type:          appsv1.RollingUpdateStatefulSetStrategyType,
				RollingUpdate: &appsv1.RollingUpdateStatefulSetStrategy{Partition: ptr.To(p.Partition)},
			},
			Template:             tmpl,
			VolumeClaimTemplates: []corev1.PersistentVolumeClaim{buildClaim(rc, labels)},
			// Deleting the cluster keeps the data. A claim is deleted
			// when scaling removes its pod: the operator shrinks a set
			// only after taking the member out of Raft, and a removed
			// node restarted with its data would stay out, so a later
			// scale-up must start that ordinal empty.
			PersistentVolumeClaimRetentionPolicy: &appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy{
				WhenDeleted: appsv1.RetainPersistentVolumeClaimRetentionPolicyType,
				WhenScaled:  appsv1.DeletePersistentVolumeClaimRetentionPolicyType,
			},
		},
	}
	sts.Annotations = map[string]string{AnnotationTemplateHash: hashOf(tmpl)}
	if p.Voter {
		sts.Annotations[AnnotationFoundingVoters] = strconv.Itoa(int(p.Founders))
	}
	return sts
}

func buildClaim(rc *redraftv1.RedraftCluster, labels map[string]string) corev1.PersistentVolumeClaim {
	size := rc.Spec.Storage.Size
	if size.IsZero() {
		size = resource.MustParse("1Gi")
	}
	return corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: dataVolume, Labels: labels},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes:      []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			StorageClassName: rc.Spec.Storage.StorageClassName,
			Resources:        corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: size}},
		},
	}
}

func buildPodTemplate(rc *redraftv1.RedraftCluster, p setParams, labels map[string]string) corev1.PodTemplateSpec {
	annotations := maps.Clone(rc.Spec.PodAnnotations)
	if annotations == nil {
		annotations = map[string]string{}
	}
	annotations[AnnotationConfigHash] = p.ConfigHash
	delete(annotations, AnnotationAuthHash) // the operator's, even if spec.podAnnotations names it
	if p.AuthHash != "" {
		annotations[AnnotationAuthHash] = p.AuthHash
	}
	affinity := rc.Spec.Affinity
	if affinity == nil {
		affinity = defaultAffinity(rc)
	}
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: maps.Clone(labels), Annotations: annotations},
		Spec: corev1.PodSpec{
			Containers:                    []corev1.Container{buildContainer(rc, p)},
			ImagePullSecrets:              rc.Spec.ImagePullSecrets,
			Affinity:                      affinity,
			Tolerations:                   rc.Spec.Tolerations,
			TopologySpreadConstraints:     rc.Spec.TopologySpreadConstraints,
			NodeSelector:                  rc.Spec.NodeSelector,
			PriorityClassName:             rc.Spec.PriorityClassName,
			TerminationGracePeriodSeconds: ptr.To[int64](terminationGrace),
			// The node never talks to the Kubernetes API.
			AutomountServiceAccountToken: ptr.To(false),
			// Service links would put <SERVICE>_PORT variables into the
			// environment, and a Service named "redraft" yields
			// REDRAFT_* names: the node reads REDRAFT_<FLAG> variables.
			EnableServiceLinks: ptr.To(false),
			SecurityContext: &corev1.PodSecurityContext{
				RunAsNonRoot:   ptr.To(true),
				RunAsUser:      ptr.To[int64](runAsUser),
				RunAsGroup:     ptr.To[int64](runAsUser),
				FSGroup:        ptr.To[int64](runAsUser),
				SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
			},
		},
	}
}

// defaultAffinity prefers members of one cluster on different nodes.
func defaultAffinity(rc *redraftv1.RedraftCluster) *corev1.Affinity {
	return &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{
		PreferredDuringSchedulingIgnoredDuringExecution: []corev1.WeightedPodAffinityTerm{{
			Weight: 100,
			PodAffinityTerm: corev1.PodAffinityTerm{
				LabelSelector: &metav1.LabelSelector{MatchLabels: clusterLabels(rc)},
				TopologyKey:   corev1.LabelHostname,
			},
		}},
	}}
}

func buildContainer(rc *redraftv1.RedraftCluster, p setParams) corev1.Container {
	return corev1.Container{
		Name:            "redraft",
		Image:           rc.Spec.Image,
		ImagePullPolicy: rc.Spec.ImagePullPolicy,
		Args:            append([]string{"server"}, rc.Spec.Args...),
		Ports: []corev1.ContainerPort{
			{Name: "resp", ContainerPort: PortRESP, Protocol: corev1.ProtocolTCP},
			{Name: "raft", ContainerPort: PortRaft, Protocol: corev1.ProtocolTCP},
			{Name: "http", ContainerPort: PortHTTP, Protocol: corev1.ProtocolTCP},
		},
		EnvFrom: []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: configName(rc)},
		}}},
		Env:          buildEnv(rc, p),
		Resources:    rc.Spec.Resources,
		VolumeMounts: []corev1.VolumeMount{{Name: dataVolume, MountPath: "/data"}},
		// Ready = caught up with a leader that counts this node as a
		// member (see httpd): a new or restarted pod is not ready, and
		// the rolling update does not go on, until it has the log.
		ReadinessProbe: &corev1.Probe{
			ProbeHandler:     corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/readyz", Port: intstr.FromString("http")}},
			PeriodSeconds:    5,
			TimeoutSeconds:   2,
			FailureThreshold: 3,
		},
		// /livez fails only once Raft has shut down; replaying a long
		// log keeps it healthy, so no startup probe is needed.
		LivenessProbe: &corev1.Probe{
			ProbeHandler:     corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/livez", Port: intstr.FromString("http")}},
			PeriodSeconds:    10,
			TimeoutSeconds:   2,
			FailureThreshold: 6,
		},
		SecurityContext: &corev1.SecurityContext{
			AllowPrivilegeEscalation: ptr.To(false),
			ReadOnlyRootFilesystem:   ptr.To(true),
			Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		},
	}
}

// buildEnv is the member's identity and addresses. User variables come
// first so that the operator's, later in the list, win.
func buildEnv(rc *redraftv1.RedraftCluster, p setParams) []corev1.EnvVar {
	advertise := "$(POD_NAME)." + headlessName(rc) + ".$(POD_NAMESPACE).svc"
	env := slices.Clone(rc.Spec.Env)
	env = append(env,
		corev1.EnvVar{Name: "POD_NAME", ValueFrom: fieldRef("metadata.name")},
		corev1.EnvVar{Name: "POD_NAMESPACE", ValueFrom: fieldRef("metadata.namespace")},
		corev1.EnvVar{Name: "REDRAFT_ID", Value: "$(POD_NAME)"},
		corev1.EnvVar{Name: "REDRAFT_LISTEN", Value: fmt.Sprintf("0.0.0.0:%d", PortRESP)},
		corev1.EnvVar{Name: "REDRAFT_RAFT_LISTEN", Value: fmt.Sprintf("0.0.0.0:%d", PortRaft)},
		corev1.EnvVar{Name: "REDRAFT_HTTP_LISTEN", Value: fmt.Sprintf("0.0.0.0:%d", PortHTTP)},
		corev1.EnvVar{Name: "REDRAFT_DATA_DIR", Value: "/data"},
		corev1.EnvVar{Name: "REDRAFT_ADVERTISE", Value: fmt.Sprintf("%s:%d", advertise, PortRESP)},
		corev1.EnvVar{Name: "REDRAFT_RAFT_ADVERTISE", Value: fmt.Sprintf("%s:%d", advertise, PortRaft)},
		corev1.EnvVar{Name: "REDRAFT_JOIN", Value: foundersJoin(rc, p.Founders)},
	)
	if p.Voter {
		env = append(env, corev1.EnvVar{Name: "REDRAFT_BOOTSTRAP_EXPECT", Value: strconv.Itoa(int(p.Founders))})
	} else {
		env = append(env, corev1.EnvVar{Name: "REDRAFT_NONVOTER", Value: "true"})
	}
	if ref := rc.Spec.AuthSecretRef; ref != nil {
		env = append(env, corev1.EnvVar{Name: envRequirePass, ValueFrom: &corev1.EnvVarSource{
			SecretKeyRef: &corev1.SecretKeySelector{
				LocalObjectReference: corev1.LocalObjectReference{Name: ref.Name},
				Key:                  secretKey(ref),
			},
		}})
	}
	return env
}

func fieldRef(path string) *corev1.EnvVarSource {
	return &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: path}}
}

func secretKey(ref *redraftv1.SecretKeySelector) string { return orDefault(ref.Key, "password") }

// orDefault returns v, or def if v is the zero value.
func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// hashOf is a short stable hash of v's JSON form.
func hashOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("hashing %T: %v", v, err)) // only API types, which always marshal
	}
	h := fnv.New64a()
	h.Write(b)
	return strconv.FormatUint(h.Sum64(), 36)
}
