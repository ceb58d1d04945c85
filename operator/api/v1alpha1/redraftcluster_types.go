package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Condition types of a RedraftCluster's status.
const (
	// ConditionAvailable is true when a leader is known and a quorum of
	// voters is ready: the cluster accepts writes.
	ConditionAvailable = "Available"
	// ConditionProgressing is true while the operator moves the cluster
	// towards its spec: pods joining, members being removed, a rolling
	// update in progress.
	ConditionProgressing = "Progressing"
	// ConditionDegraded is true when a member is unhealthy, the membership
	// cannot be read, or the spec asks for something the operator refuses.
	ConditionDegraded = "Degraded"
)

// Phase summarises the status for people; automation reads the conditions.
type Phase string

// Phases of a RedraftCluster.
const (
	PhasePending   Phase = "Pending"
	PhaseForming   Phase = "Forming"
	PhaseRunning   Phase = "Running"
	PhaseScaling   Phase = "Scaling"
	PhaseUpgrading Phase = "Upgrading"
	PhaseDegraded  Phase = "Degraded"
)

// RedraftClusterSpec is the desired state of a Redraft cluster.
type RedraftClusterSpec struct {
	// Voters is how many voting Raft members the cluster has; a majority of
	// them must be up for writes. Odd, because an even count tolerates no
	// more failures than the odd count below it.
	// +kubebuilder:default=3
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=7
	// +kubebuilder:validation:XValidation:rule="self % 2 == 1",message="voters must be odd (1, 3, 5 or 7)"
	// +optional
	Voters int32 `json:"voters,omitempty"`

	// ReadReplicas is how many non-voting members (Raft non-voters) serve
	// reads; they never count towards the quorum.
	// +kubebuilder:default=0
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=32
	// +optional
	ReadReplicas int32 `json:"readReplicas,omitempty"`

	// Image is the Redraft container image (its entrypoint is /redraft).
	// +kubebuilder:validation:MinLength=1
	Image string `json:"image"`

	// ImagePullPolicy of the Redraft container.
	// +kubebuilder:validation:Enum=Always;IfNotPresent;Never
	// +optional
	ImagePullPolicy corev1.PullPolicy `json:"imagePullPolicy,omitempty"`

	// ImagePullSecrets for the image's registry.
	// +optional
	ImagePullSecrets []corev1.LocalObjectReference `json:"imagePullSecrets,omitempty"`

	// Resources of the Redraft container.
	// +optional
	Resources corev1.ResourceRequirements `json:"resources,omitempty"`

	// Storage is each member's persistent volume. A StatefulSet's volume
	// claim templates cannot change, so neither can this.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="storage is immutable"
	// +optional
	Storage StorageSpec `json:"storage,omitempty"`

	// AuthSecretRef names a Secret key holding the password clients give
	// to AUTH (the node's --requirepass). The operator reads it too, for
	// membership commands. A new password in the Secret (seen within the
	// operator's resync period), or setting or removing this field, rolls
	// the pods one at a time; until that is done some members want the
	// earlier password and others the new one.
	// +optional
	AuthSecretRef *SecretKeySelector `json:"authSecretRef,omitempty"`

	// Config sets Redraft flags by name without the dashes, e.g.
	// {"write-timeout": "5s", "max-staleness": "2s"}. They reach the pods
	// through a ConfigMap; a change rolls the pods. The flags that give a
	// member its identity and addresses are the operator's and refused.
	// +kubebuilder:validation:MaxProperties=64
	// +kubebuilder:validation:XValidation:rule="self.all(k, k.matches('^[a-z][a-z0-9-]*$'))",message="config keys are flag names such as write-timeout"
	// +kubebuilder:validation:XValidation:rule="self.all(k, !(k in ['id', 'listen', 'raft-listen', 'http-listen', 'advertise', 'raft-advertise', 'data-dir', 'join', 'bootstrap-expect', 'nonvoter', 'requirepass']))",message="id, listen, raft-listen, http-listen, advertise, raft-advertise, data-dir, join, bootstrap-expect, nonvoter and requirepass are set by the operator"
	// +optional
	Config map[string]string `json:"config,omitempty"`

	// Args are extra command-line arguments after "server".
	// +optional
	Args []string `json:"args,omitempty"`

	// Env are extra environment variables of the Redraft container; the
	// operator's own variables (REDRAFT_ID, REDRAFT_JOIN, ...) win.
	// +optional
	Env []corev1.EnvVar `json:"env,omitempty"`

	// PodAnnotations are added to every member pod.
	// +optional
	PodAnnotations map[string]string `json:"podAnnotations,omitempty"`

	// Affinity of the member pods. Without it the operator prefers to put
	// members on different nodes.
	// +optional
	Affinity *corev1.Affinity `json:"affinity,omitempty"`

	// Tolerations of the member pods.
	// +optional
	Tolerations []corev1.Toleration `json:"tolerations,omitempty"`

	// TopologySpreadConstraints of the member pods.
	// +optional
	TopologySpreadConstraints []corev1.TopologySpreadConstraint `json:"topologySpreadConstraints,omitempty"`

	// NodeSelector of the member pods.
	// +optional
	NodeSelector map[string]string `json:"nodeSelector,omitempty"`

	// PriorityClassName of the member pods.
	// +optional
	PriorityClassName string `json:"priorityClassName,omitempty"`

	// Service configures the client Service (every member, port 6379).
	// +optional
	Service ServiceSpec `json:"service,omitempty"`
}

// StorageSpec is a member's persistent volume claim.
type StorageSpec struct {
	// Size of each member's volume.
	// +kubebuilder:default="1Gi"
	// +optional
	Size resource.Quantity `json:"size,omitempty"`

	// StorageClassName of the claims; empty means the cluster's default.
	// +optional
	StorageClassName *string `json:"storageClassName,omitempty"`
}

// SecretKeySelector names a key of a Secret in the cluster's namespace.
type SecretKeySelector struct {
	// Name of the Secret.
	// +kubebuilder:validation:MinLength=1
	Name string `json:"name"`

	// Key within the Secret.
	// +kubebuilder:default=password
	// +optional
	Key string `json:"key,omitempty"`
}

// ServiceSpec configures the client Service.
type ServiceSpec struct {
	// Type of the client Service.
	// +kubebuilder:default=ClusterIP
	// +kubebuilder:validation:Enum=ClusterIP;NodePort;LoadBalancer
	// +optional
	Type corev1.ServiceType `json:"type,omitempty"`

	// Annotations of the client and leader Services (e.g. for a load
	// balancer).
	// +optional
	Annotations map[string]string `json:"annotations,omitempty"`
}

// RedraftClusterStatus is the observed state of a Redraft cluster.
type RedraftClusterStatus struct {
	// ObservedGeneration is the spec generation this status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions: Available, Progressing, Degraded.
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// Phase is a one-word summary for people.
	// +optional
	Phase Phase `json:"phase,omitempty"`

	// FoundingVoters is how many voters founded the cluster
	// (--bootstrap-expect). It never changes afterwards, so scaling does
	// not change the pod template and later members join instead of
	// bootstrapping.
	// +optional
	FoundingVoters int32 `json:"foundingVoters,omitempty"`

	// Leader is the ID (pod name) of the Raft leader, if one is known.
	// +optional
	Leader string `json:"leader,omitempty"`

	// Voters is how many voters the Raft configuration has.
	// +optional
	Voters int32 `json:"voters,omitempty"`

	// ReadyVoters is how many voters are ready (caught up with the leader).
	// +optional
	ReadyVoters int32 `json:"readyVoters,omitempty"`

	// ReadyReplicas is how many read replicas are ready.
	// +optional
	ReadyReplicas int32 `json:"readyReplicas,omitempty"`

	// Members is the Raft configuration as the leader reports it.
	// +listType=map
	// +listMapKey=id
	// +optional
	Members []MemberStatus `json:"members,omitempty"`

	// CurrentRevision and UpdateRevision are the voters' StatefulSet
	// revisions; they differ during a rolling update.
	// +optional
	CurrentRevision string `json:"currentRevision,omitempty"`
	// +optional
	UpdateRevision string `json:"updateRevision,omitempty"`
}

// MemberStatus is one member of the Raft configuration.
type MemberStatus struct {
	// ID is the member's node ID, its pod's name.
	ID string `json:"id"`
	// Voter is false for read replicas and for members still catching up
	// before their promotion.
	Voter bool `json:"voter"`
	// Healthy means the member's pod is ready: it is caught up with the
	// leader.
	Healthy bool `json:"healthy"`
	// Leader marks the Raft leader.
	// +optional
	Leader bool `json:"leader,omitempty"`
}

// RedraftCluster is a Redis-compatible key-value store replicated with Raft.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=rdc;redraft,categories=all
// +kubebuilder:printcolumn:name="Voters",type=integer,JSONPath=`.spec.voters`
// +kubebuilder:printcolumn:name="Ready",type=integer,JSONPath=`.status.readyVoters`
// +kubebuilder:printcolumn:name="Replicas",type=integer,JSONPath=`.spec.readReplicas`,priority=1
// +kubebuilder:printcolumn:name="Leader",type=string,JSONPath=`.status.leader`
// +kubebuilder:printcolumn:name="Phase",type=string,JSONPath=`.status.phase`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:validation:XValidation:rule="size(self.metadata.name) <= 40",message="the name is at most 40 characters: it prefixes the names of the StatefulSets, their pods and Services"
type RedraftCluster struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   RedraftClusterSpec   `json:"spec,omitempty"`
	Status RedraftClusterStatus `json:"status,omitempty"`
}

// RedraftClusterList is a list of RedraftClusters.
//
// +kubebuilder:object:root=true
type RedraftClusterList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []RedraftCluster `json:"items"`
}

func init() {
	SchemeBuilder.Register(&RedraftCluster{}, &RedraftClusterList{})
}
