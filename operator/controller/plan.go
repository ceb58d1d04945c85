package controller

import (
	"cmp"
	"fmt"
	"slices"
)

// This file holds the decisions of the reconciler as pure functions of
// what it observed, so they can be tested as tables: how many pods each
// StatefulSet gets, which member leaves the Raft configuration next, where
// the rolling update's partition goes, how many voters the
// PodDisruptionBudget lets go and through which member a Raft command is
// sent.

// member is one server of the Raft configuration as the reconciler sees it.
type member struct {
	ID      string
	Voter   bool
	Leader  bool
	Healthy bool // its pod is ready: alive and caught up with the leader
	// WrongPassword: its pod runs with another password than the
	// operator's (a password change is rolling out), so it refuses the
	// operator's commands.
	WrongPassword bool
}

// view is the cluster's membership as its leader reports it.
type view struct {
	// Known is false when no leader could be asked: nothing that changes
	// the membership or restarts a pod may then be decided.
	Known   bool
	Leader  string
	Members []member
}

func (v view) member(id string) (member, bool) {
	i := slices.IndexFunc(v.Members, func(m member) bool { return m.ID == id })
	if i < 0 {
		return member{}, false
	}
	return v.Members[i], true
}

// voters counts the voters, and the healthy ones among them, leaving out
// the IDs for which skip is true.
func (v view) voters(skip func(id string) bool) (all, healthy int) {
	for _, m := range v.Members {
		if !m.Voter || (skip != nil && skip(m.ID)) {
			continue
		}
		all++
		if m.Healthy {
			healthy++
		}
	}
	return all, healthy
}

// takesCommands tells whether some member that is up runs the operator's
// commands, leaving out the IDs for which skip is true: any member
// forwards them to the leader, but one that wants another password
// refuses them. Right after a password change none may take them until
// the rolling update restarted one.
func (v view) takesCommands(skip func(id string) bool) bool {
	return slices.ContainsFunc(v.Members, func(m member) bool {
		return (m.Healthy || m.Leader) && !m.WrongPassword && (skip == nil || !skip(m.ID))
	})
}

// quorum is the majority of n voters.
func quorum(n int) int { return n/2 + 1 }

// actionKind is a membership change the reconciler asks of the cluster.
type actionKind int

const (
	actNone actionKind = iota
	// actTransfer hands leadership to action.ID.
	actTransfer
	// actRemove removes member action.ID from the Raft configuration.
	actRemove
)

// action is at most one membership change per reconcile: each one is
// followed by a fresh look at the cluster before the next.
type action struct {
	Kind   actionKind
	ID     string
	Reason string
}

func (a action) String() string {
	switch a.Kind {
	case actTransfer:
		return fmt.Sprintf("transfer leadership to %s (%s)", a.ID, a.Reason)
	case actRemove:
		return fmt.Sprintf("remove %s (%s)", a.ID, a.Reason)
	}
	return "none"
}

// scaleInput is what planScale decides from, for one StatefulSet.
type scaleInput struct {
	Set     string // StatefulSet name; its pods' names are the member IDs
	Desired int32  // replicas the spec asks for
	Current int32  // replicas the StatefulSet has now
	Voters  bool   // the set's members vote: quorum rules apply
	View    view
}

// planScale returns the StatefulSet's replicas and the membership change
// that scaling needs next.
//
// Growing is the StatefulSet's job: new pods join by themselves (voters as
// non-voters first, promoted by the leader once caught up). Shrinking must
// take members out of the Raft configuration before their pods go, from
// the highest ordinal down, one at a time, the leader only after it handed
// its leadership to a member that stays, and never leaving fewer healthy
// voters than a quorum. So the StatefulSet keeps every pod up to the
// highest ordinal that is still a member; it never grows back to reach a
// member whose pod is already gone. Without a view of the membership it
// never shrinks.
//
// Each command needs a member that takes the operator's password, and one
// that stays: after a password change only restarted members take it, and
// removing the last of them would leave the next command nowhere to go
// until the rolling update restarts another, which with two voters left
// it could not do without losing the quorum. So until a staying member
// takes the password, scaling waits and the rolling update goes first.
func planScale(in scaleInput) (int32, action) {
	if !in.View.Known {
		return max(in.Desired, in.Current), action{}
	}
	var leaving []member
	for _, m := range in.View.Members {
		if o, ok := ordinalOf(in.Set, m.ID); ok && o >= in.Desired {
			leaving = append(leaving, m)
		}
	}
	if len(leaving) == 0 {
		return in.Desired, action{}
	}
	slices.SortFunc(leaving, func(a, b member) int {
		oa, _ := ordinalOf(in.Set, a.ID)
		ob, _ := ordinalOf(in.Set, b.ID)
		return cmp.Compare(ob, oa)
	})
	next := leaving[0]
	top, _ := ordinalOf(in.Set, next.ID)
	replicas := max(in.Desired, min(in.Current, top+1))
	isLeaving := func(id string) bool {
		return slices.ContainsFunc(leaving, func(m member) bool { return m.ID == id })
	}
	if !in.View.takesCommands(isLeaving) {
		return replicas, action{}
	}
	if next.Leader {
		to := pickTarget(in.View, func(m member) bool { return !isLeaving(m.ID) }, nil)
		if to == "" {
			return replicas, action{}
		}
		return replicas, action{Kind: actTransfer, ID: to, Reason: next.ID + " is leaving"}
	}
	if next.Voter && !removalKeepsQuorum(in.View, next.ID) {
		return replicas, action{}
	}
	return replicas, action{Kind: actRemove, ID: next.ID, Reason: fmt.Sprintf("scaling %s to %d", in.Set, in.Desired)}
}

// removalKeepsQuorum tells whether voter id can leave: the change must
// commit under the current configuration (a healthy majority of it) and
// the configuration without id must still have a healthy majority.
func removalKeepsQuorum(v view, id string) bool {
	all, healthy := v.voters(nil)
	rest, restHealthy := v.voters(func(m string) bool { return m == id })
	return rest > 0 && healthy >= quorum(all) && restHealthy >= quorum(rest)
}

// pickTarget returns a healthy voter other than the leader for which ok is
// true, preferring those for which prefer is true, then the lowest ID;
// "" if there is none.
func pickTarget(v view, ok, prefer func(member) bool) string {
	var best *member
	better := func(m member) bool {
		if best == nil {
			return true
		}
		if prefer != nil && prefer(m) != prefer(*best) {
			return prefer(m)
		}
		return m.ID < best.ID
	}
	for _, m := range v.Members {
		if m.Voter && m.Healthy && !m.Leader && ok(m) && better(m) {
			best = &m
		}
	}
	if best == nil {
		return ""
	}
	return best.ID
}

// podState is one ordinal of a StatefulSet during a rolling update.
type podState struct {
	Exists  bool
	Updated bool // runs the StatefulSet's update revision
	Ready   bool
}

// rolloutInput is what planRollout decides from.
type rolloutInput struct {
	Set       string
	Partition int32      // the StatefulSet's partition now
	Pods      []podState // by ordinal, as many as the StatefulSet's replicas
	View      view
}

// planRollout returns the partition of the voters' StatefulSet during a
// rolling update, and the leadership transfer it waits for.
//
// The StatefulSet controller updates the pods at or above the partition,
// highest ordinal first. The operator lowers the partition one ordinal at
// a time, only once every pod above is updated and ready (caught up), and
// only if restarting the next pod leaves a healthy quorum. The leader
// goes last: while it is on a pod that is neither updated nor ordinal 0
// (the last to update), it is moved to ordinal 0; when ordinal 0's turn
// comes it is moved to an updated pod. Without a view of the cluster the
// partition stays where it is.
//
// Right after a password change no member may take the operator's
// commands, so none can be asked to move the leadership: the first pod
// restarts without the leader being parked, and if it is the leader's it
// restarts as the leader, which hands its leadership over as it stops
// (the node does on SIGTERM). From then on the restarted member takes the
// commands and the order above holds.
func planRollout(in rolloutInput) (int32, action) {
	floor := int32(len(in.Pods))
	for floor > 0 {
		p := in.Pods[floor-1]
		if !p.Exists || !p.Updated || !p.Ready {
			break
		}
		floor--
	}
	if floor == 0 {
		return 0, action{}
	}
	if !in.View.Known || in.Partition < floor {
		// Unknown cluster, or the pod below the updated ones is being
		// restarted: wait.
		return max(in.Partition, 0), action{}
	}
	next := floor - 1
	nextID := podID(in.Set, next)
	updated := func(m member) bool { o, ok := ordinalOf(in.Set, m.ID); return ok && o >= floor }
	canTransfer := in.View.takesCommands(nil)
	if lo, ok := ordinalOf(in.Set, in.View.Leader); ok && lo > 0 && lo < next && canTransfer {
		// Park the leadership on ordinal 0 so the leader restarts last.
		if to := pickTarget(in.View, func(m member) bool { return m.ID == podID(in.Set, 0) }, nil); to != "" {
			return floor, action{Kind: actTransfer, ID: to, Reason: "rolling update: the leader goes last"}
		}
	}
	all, healthy := in.View.voters(nil)
	if in.View.Leader == nextID && all > 1 && canTransfer {
		to := pickTarget(in.View, func(m member) bool { return m.ID != nextID }, updated)
		if to == "" {
			return floor, action{}
		}
		return floor, action{Kind: actTransfer, ID: to, Reason: "rolling update: " + nextID + " restarts next"}
	}
	if m, ok := in.View.member(nextID); ok && m.Voter && m.Healthy && all > 1 && healthy-1 < quorum(all) {
		return floor, action{}
	}
	return next, action{}
}

// outdatedWhileDown returns the ordinals of pods to delete so that they
// restart with the update revision, when no pod of the set is ready and
// no leader is known: the cluster serves nothing, so there is no quorum
// to protect, and the StatefulSet controller would wait forever for its
// first restarted pod to become ready, which it cannot before a majority
// runs the new template (say a cluster created with a wrong image, then
// fixed). The volumes stay, so no data goes with the pods.
func outdatedWhileDown(pods []podState, v view) []int32 {
	if v.Known {
		return nil
	}
	var out []int32
	for o, p := range pods {
		if p.Ready {
			return nil
		}
		if p.Exists && !p.Updated {
			out = append(out, int32(o))
		}
	}
	return out
}

// voterMaxUnavailable is the voters' PodDisruptionBudget: how many voter
// pods may be down (for any reason) before the eviction API refuses to
// take another one.
//
// Raft needs quorum(n) = n/2+1 of n voters, so (n-1)/2 may be down. n is
// the smaller of the spec's voters and the voters in the Raft
// configuration: while the cluster grows, the new pods are not voters yet
// and must not count as margin. The budget covers all voter pods, voters
// and those still joining alike, so it errs on the safe side. With one
// voter the answer is 0: evicting it would stop the cluster, so a drain
// waits until someone deletes the pod or scales up. Without a view of the
// configuration it is 0 too: the operator cannot tell what is safe.
// The operator's own restarts (rolling update) are gated on the same
// healthy-quorum rule, and the StatefulSet controller does not use the
// eviction API, so the two never add up to a lost quorum.
func voterMaxUnavailable(specVoters int32, raftVoters int) int32 {
	if raftVoters <= 0 {
		return 0
	}
	n := min(specVoters, int32(raftVoters))
	return max((n-1)/2, 0)
}

// commandCandidate is a member pod a Raft command may be sent through.
type commandCandidate struct {
	Pod           string
	WrongPassword bool // see member.WrongPassword
	Leader        bool
	Ready         bool
}

// commandRoute orders the pods to try a Raft command through: those
// expected to take the operator's password first (a member still on an
// earlier password refuses it, so the others are only tried after them,
// in case the expectation is wrong: a container restarted in place reads
// the new password with the old annotation), then the leader (no
// forwarding hop), then ready members (they know the leader), then by
// name so that retries are predictable.
func commandRoute(cands []commandCandidate) []string {
	cands = slices.Clone(cands)
	slices.SortFunc(cands, func(a, b commandCandidate) int {
		return cmp.Or(
			compareTrueFirst(!a.WrongPassword, !b.WrongPassword),
			compareTrueFirst(a.Leader, b.Leader),
			compareTrueFirst(a.Ready, b.Ready),
			cmp.Compare(a.Pod, b.Pod),
		)
	})
	out := make([]string, len(cands))
	for i, c := range cands {
		out[i] = c.Pod
	}
	return out
}

// compareTrueFirst orders true before false.
func compareTrueFirst(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}
