package controller

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	redraftv1 "github.com/redraft/redraft/operator/api/v1alpha1"
)

// computeStatus derives the whole status from this reconcile's
// observation and plan; nothing in it is remembered except the founding
// size and the conditions' transition times.
func computeStatus(rc *redraftv1.RedraftCluster, obs *observation, p plan, problems []error) redraftv1.RedraftClusterStatus {
	st := redraftv1.RedraftClusterStatus{
		ObservedGeneration: rc.Generation,
		Conditions:         append([]metav1.Condition(nil), rc.Status.Conditions...),
		FoundingVoters:     p.Founders,
		Leader:             obs.View.Leader,
		CurrentRevision:    p.Voters.Status.CurrentRevision,
		UpdateRevision:     p.Voters.Status.UpdateRevision,
	}
	for _, m := range obs.View.Members {
		st.Members = append(st.Members, redraftv1.MemberStatus{ID: m.ID, Voter: m.Voter, Healthy: m.Healthy, Leader: m.Leader})
	}
	voters, healthy := obs.View.voters(nil)
	st.Voters, st.ReadyVoters = int32(voters), int32(healthy)
	for name, pod := range obs.Pods {
		if _, ok := ordinalOf(replicasName(rc), name); ok && podReady(pod) {
			st.ReadyReplicas++
		}
	}
	available := obs.View.Known && healthy >= quorum(voters)
	progressing, why := progress(rc, obs, p)
	degraded, dwhy := degradation(rc, obs, problems)

	set := func(t string, ok bool, reason, msg string) {
		status := metav1.ConditionFalse
		if ok {
			status = metav1.ConditionTrue
		}
		meta.SetStatusCondition(&st.Conditions, metav1.Condition{
			Type: t, Status: status, Reason: reason, Message: msg, ObservedGeneration: rc.Generation,
		})
	}
	if available {
		set(redraftv1.ConditionAvailable, true, "QuorumReady", fmt.Sprintf("leader %s, %d of %d voters ready", st.Leader, healthy, voters))
	} else if !obs.View.Known {
		set(redraftv1.ConditionAvailable, false, "NoLeader", "no member reports a leader")
	} else {
		set(redraftv1.ConditionAvailable, false, "QuorumNotReady", fmt.Sprintf("%d of %d voters ready", healthy, voters))
	}
	set(redraftv1.ConditionProgressing, progressing, why, progressMessage(rc, obs, p, why))
	set(redraftv1.ConditionDegraded, degraded, dwhy.reason, dwhy.message)
	st.Phase = phase(obs, available, degraded, why)
	return st
}

// progress says whether the cluster is still moving towards its spec, and
// why, as a condition reason.
func progress(rc *redraftv1.RedraftCluster, obs *observation, p plan) (bool, string) {
	switch {
	case len(obs.podsOnEarlierAuth()) > 0:
		return true, reasonAuthRollout
	case p.TemplateChanged || partitionOf(p.Voters) > 0 || p.Voters.Status.CurrentRevision != p.Voters.Status.UpdateRevision:
		return true, "RollingUpdate"
	case p.Action.Kind == actRemove || *p.Voters.Spec.Replicas != specVoters(rc) || *p.Replicas.Spec.Replicas != rc.Spec.ReadReplicas:
		return true, "Scaling"
	case !obs.View.Known && len(rc.Status.Members) == 0:
		return true, "Forming"
	case !obs.View.Known:
		return true, "Recovering"
	case len(obs.View.Members) != int(specVoters(rc)+rc.Spec.ReadReplicas):
		return true, "Joining"
	case p.Progressing():
		return true, "PodsNotReady"
	}
	return false, "Settled"
}

// reasonAuthRollout is the Progressing reason while pods restart onto a
// new auth setting; members on the earlier one refuse clients with the
// new password until then.
const reasonAuthRollout = "PasswordRollout"

// progressMessage says what the operator does next, and during a
// password rollout which pods still run with the earlier setting.
func progressMessage(rc *redraftv1.RedraftCluster, obs *observation, p plan, why string) string {
	if why != reasonAuthRollout {
		return p.Action.String()
	}
	msg := fmt.Sprintf("%s; not restarted yet: %s", authChangeMessage(rc), strings.Join(obs.podsOnEarlierAuth(), ", "))
	if p.Action.Kind != actNone {
		msg += "; now: " + p.Action.String()
	}
	return msg
}

// podsOnEarlierAuth lists, sorted, the live member pods made with another
// auth setting than the current one.
func (o *observation) podsOnEarlierAuth() []string {
	var out []string
	for name, pod := range o.Pods {
		if pod.DeletionTimestamp == nil && !o.onCurrentAuth(pod) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

type reason struct{ reason, message string }

// degradation reports what needs a person's attention.
func degradation(rc *redraftv1.RedraftCluster, obs *observation, problems []error) (bool, reason) {
	if len(problems) > 0 {
		msgs := make([]string, len(problems))
		for i, e := range problems {
			msgs[i] = e.Error()
		}
		return true, reason{"ReconcileError", strings.Join(msgs, "; ")}
	}
	if !obs.View.Known {
		if len(obs.Statuses) == 0 {
			return false, reason{"NoMemberReachable", "no member answered yet"}
		}
		return true, reason{"NoLeader", fmt.Sprintf("%d members answered, none leads", len(obs.Statuses))}
	}
	var sick, strangers []string
	for _, m := range obs.View.Members {
		if !m.Healthy {
			sick = append(sick, m.ID)
		}
		if !ownedMember(rc, m.ID) {
			strangers = append(strangers, m.ID)
		}
	}
	switch {
	case len(sick) > 0:
		return true, reason{"MembersUnhealthy", "not ready: " + strings.Join(sick, ", ")}
	case len(strangers) > 0:
		return true, reason{"UnknownMembers", "members that are no pod of this cluster: " + strings.Join(strangers, ", ")}
	}
	return false, reason{"AsExpected", ""}
}

// ownedMember: id is a pod name of one of the cluster's StatefulSets.
func ownedMember(rc *redraftv1.RedraftCluster, id string) bool {
	_, v := ordinalOf(votersName(rc), id)
	_, r := ordinalOf(replicasName(rc), id)
	return v || r
}

func phase(obs *observation, available, degraded bool, why string) redraftv1.Phase {
	switch {
	case len(obs.Pods) == 0:
		return redraftv1.PhasePending
	case !available && why == "Forming":
		return redraftv1.PhaseForming
	case why == "RollingUpdate" || why == reasonAuthRollout:
		return redraftv1.PhaseUpgrading
	case why == "Scaling" || why == "Joining":
		return redraftv1.PhaseScaling
	case degraded || !available:
		return redraftv1.PhaseDegraded
	}
	return redraftv1.PhaseRunning
}
