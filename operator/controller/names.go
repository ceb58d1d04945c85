package controller

import (
	"strconv"
	"strings"

	redraftv1 "github.com/redraft/redraft/operator/api/v1alpha1"
)

// Ports every member listens on (the image's defaults, set explicitly so
// another image works too).
const (
	PortRESP = 6379
	PortRaft = 7379
	PortHTTP = 8080
)

// Labels and annotations the operator sets.
const (
	LabelName      = "app.kubernetes.io/name"
	LabelInstance  = "app.kubernetes.io/instance"
	LabelManagedBy = "app.kubernetes.io/managed-by"
	LabelComponent = "app.kubernetes.io/component"
	// LabelRole is "leader" on the Raft leader's pod and "follower" on the
	// others; the leader Service selects on it. The operator keeps it
	// current on every reconcile.
	LabelRole = "redraft.io/role"

	// ManagedBy is the value of LabelManagedBy; the operator's pod cache
	// only holds pods with it.
	ManagedBy = "redraft-operator"

	ComponentVoter   = "voter"
	ComponentReplica = "replica"
	RoleLeader       = "leader"
	RoleFollower     = "follower"

	// AnnotationTemplateHash on a StatefulSet is the hash of the pod
	// template the operator last wrote: a different hash means a rolling
	// update starts.
	AnnotationTemplateHash = "redraft.io/pod-template-hash"
	// AnnotationFoundingVoters on the voters' StatefulSet is the
	// --bootstrap-expect the cluster was founded with.
	AnnotationFoundingVoters = "redraft.io/founding-voters"
	// AnnotationConfigHash on the pod template rolls the pods when
	// spec.config changes.
	AnnotationConfigHash = "redraft.io/config-hash"
	// AnnotationAuthHash on the pod template (and so on every pod) is
	// authHash of the AUTH password when spec.authSecretRef is set: a new
	// password rolls the pods, and a pod tells which password it started
	// with. It is absent without auth.
	AnnotationAuthHash = "redraft.io/auth-hash"

	// revisionLabel is the StatefulSet controller's revision label on pods.
	revisionLabel = "controller-revision-hash"
)

// Object names derived from the cluster's name.
func votersName(rc *redraftv1.RedraftCluster) string   { return rc.Name }
func replicasName(rc *redraftv1.RedraftCluster) string { return rc.Name + "-replica" }
func headlessName(rc *redraftv1.RedraftCluster) string { return rc.Name + "-headless" }
func clientName(rc *redraftv1.RedraftCluster) string   { return rc.Name }
func leaderName(rc *redraftv1.RedraftCluster) string   { return rc.Name + "-leader" }
func pdbName(rc *redraftv1.RedraftCluster) string      { return rc.Name }
func configName(rc *redraftv1.RedraftCluster) string   { return rc.Name + "-config" }

// clusterLabels select every member pod of the cluster, voters and read
// replicas.
func clusterLabels(rc *redraftv1.RedraftCluster) map[string]string {
	return map[string]string{LabelName: "redraft", LabelInstance: rc.Name}
}

// objectLabels are put on every object the operator creates.
func objectLabels(rc *redraftv1.RedraftCluster) map[string]string {
	l := clusterLabels(rc)
	l[LabelManagedBy] = ManagedBy
	return l
}

// componentLabels select the pods of one StatefulSet.
func componentLabels(rc *redraftv1.RedraftCluster, component string) map[string]string {
	l := clusterLabels(rc)
	l[LabelComponent] = component
	return l
}

// podID is the node ID (and pod name) of a StatefulSet's ordinal.
func podID(set string, ordinal int32) string { return set + "-" + strconv.Itoa(int(ordinal)) }

// ordinalOf returns the ordinal of id in StatefulSet set, and false if id
// is not one of its pods' names.
func ordinalOf(set, id string) (int32, bool) {
	rest, ok := strings.CutPrefix(id, set+"-")
	if !ok || rest == "" || (len(rest) > 1 && rest[0] == '0') {
		return 0, false
	}
	n, err := strconv.ParseInt(rest, 10, 32)
	if err != nil || n < 0 {
		return 0, false
	}
	return int32(n), true
}

// peerHost is the stable DNS name of a member pod through the headless
// Service. The short form (no cluster domain) resolves through the pod's
// DNS search path whatever the cluster domain is.
func peerHost(rc *redraftv1.RedraftCluster, pod string) string {
	return pod + "." + headlessName(rc) + "." + rc.Namespace + ".svc"
}
