package controller

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	redraftv1 "github.com/redraft/redraft/operator/api/v1alpha1"
)

// The AUTH password reaches the pods through a secretKeyRef, which the
// kubelet resolves when a container starts: changing the Secret changes
// nothing in a running pod. So the pod template carries a hash of the
// password (AnnotationAuthHash), a new password is a new template, and the
// usual rolling update restarts the pods onto it. Until it is done some
// members run with the old password and refuse the operator's, which is
// why the operator sends its Raft commands through a member that takes it
// (commandRoute).

// envRequirePass is the node's --requirepass variable.
const envRequirePass = "REDRAFT_REQUIREPASS"

// credentials are the cluster's AUTH password as this reconcile read it.
type credentials struct {
	Password string
	// Hash is authHash of the password, "" without auth.
	Hash string
	// Known is false when the Secret could not be read: the pod templates
	// then keep the hash they carry (a failed read must not roll the
	// pods) and every member is taken to accept the password.
	Known bool
}

// credentials reads the cluster's AUTH password, uncached.
func (r *RedraftClusterReconciler) credentials(ctx context.Context, rc *redraftv1.RedraftCluster) (credentials, error) {
	ref := rc.Spec.AuthSecretRef
	if ref == nil {
		return credentials{Known: true}, nil
	}
	var s corev1.Secret
	if err := r.APIReader.Get(ctx, types.NamespacedName{Namespace: rc.Namespace, Name: ref.Name}, &s); err != nil {
		return credentials{}, fmt.Errorf("auth secret %s: %w", ref.Name, err)
	}
	v, ok := s.Data[secretKey(ref)]
	if !ok {
		return credentials{}, fmt.Errorf("auth secret %s has no key %q", ref.Name, secretKey(ref))
	}
	return credentials{Password: string(v), Hash: authHash(rc, string(v)), Known: true}, nil
}

// authHash tells passwords apart without showing them: HMAC-SHA256 keyed
// by the cluster's UID, so that equal passwords of two clusters do not
// look alike and no precomputed table applies, truncated to 64 bits,
// plenty to tell one password from the next. Whoever reads pods can still
// test guesses against it offline: a weak password stays weak.
func authHash(rc *redraftv1.RedraftCluster, password string) string {
	mac := hmac.New(sha256.New, []byte(rc.UID))
	mac.Write([]byte(password))
	return hex.EncodeToString(mac.Sum(nil))[:16]
}

// templateAuthHash is the auth hash a StatefulSet's pods are made with
// ("" without auth or without a StatefulSet).
func templateAuthHash(sts *appsv1.StatefulSet) string {
	if sts == nil {
		return ""
	}
	return sts.Spec.Template.Annotations[AnnotationAuthHash]
}

// onCurrentAuth: the pod was made from a template with the operator's
// current auth setting, so it started with the current password, or
// without one when auth is off.
func (o *observation) onCurrentAuth(pod *corev1.Pod) bool {
	return !o.Auth.Known || pod.Annotations[AnnotationAuthHash] == o.Auth.Hash
}

// takesPassword predicts whether the member of pod runs the operator's
// commands: it is on the current auth setting, or it runs without a
// password (auth was just turned on), as a node without a password takes
// any password for the default user, like Redis, and the operator's client
// authenticates as the default user. A pod from before AnnotationAuthHash
// that has a password is counted out: its password is unknown.
func (o *observation) takesPassword(pod *corev1.Pod) bool {
	return o.onCurrentAuth(pod) || !hasPassword(pod)
}

// hasPassword: the pod's member was started with --requirepass.
func hasPassword(pod *corev1.Pod) bool {
	for _, c := range pod.Spec.Containers {
		for _, e := range c.Env {
			if e.Name == envRequirePass {
				return true
			}
		}
	}
	return false
}

// authChangeMessage is the event and condition text of a rollout onto a
// new auth setting.
func authChangeMessage(rc *redraftv1.RedraftCluster) string {
	ref := rc.Spec.AuthSecretRef
	if ref == nil {
		return "restarting the pods one at a time without a password (authSecretRef removed)"
	}
	return fmt.Sprintf("restarting the pods one at a time with the password of secret %s (key %s)",
		ref.Name, secretKey(ref))
}
