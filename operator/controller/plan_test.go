package controller

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// cluster builds a view of set "rd": voters rd-0..rd-(n-1), the leader at
// ordinal leader (-1: none), the listed ordinals unhealthy.
func cluster(n int, leader int, sick ...int) view {
	v := view{Known: true}
	for i := range n {
		m := member{ID: fmt.Sprintf("rd-%d", i), Voter: true, Healthy: true}
		for _, s := range sick {
			if s == i {
				m.Healthy = false
			}
		}
		if i == leader {
			m.Leader = true
			v.Leader = m.ID
		}
		v.Members = append(v.Members, m)
	}
	return v
}

func withReplicas(v view, n int) view {
	for i := range n {
		v.Members = append(v.Members, member{ID: fmt.Sprintf("rd-replica-%d", i), Healthy: true})
	}
	return v
}

func TestPlanScale(t *testing.T) {
	tests := []struct {
		name         string
		in           scaleInput
		wantReplicas int32
		want         action
	}{
		{"settled", scaleInput{Set: "rd", Desired: 3, Current: 3, Voters: true, View: cluster(3, 0)}, 3, action{}},
		{"grow: the StatefulSet grows, new pods join by themselves",
			scaleInput{Set: "rd", Desired: 5, Current: 3, Voters: true, View: cluster(3, 0)}, 5, action{}},
		{"no view: grow but never shrink",
			scaleInput{Set: "rd", Desired: 3, Current: 5, Voters: true, View: view{}}, 5, action{}},
		{"shrink: highest ordinal leaves first, pods stay until it is out",
			scaleInput{Set: "rd", Desired: 3, Current: 5, Voters: true, View: cluster(5, 0)}, 5, action{Kind: actRemove, ID: "rd-4"}},
		{"shrink: after rd-4 left, its pod goes and rd-3 leaves",
			scaleInput{Set: "rd", Desired: 3, Current: 5, Voters: true, View: cluster(4, 0)}, 4, action{Kind: actRemove, ID: "rd-3"}},
		{"shrink done", scaleInput{Set: "rd", Desired: 3, Current: 4, Voters: true, View: cluster(3, 0)}, 3, action{}},
		{"leader leaving hands over to a member that stays (lowest healthy)",
			scaleInput{Set: "rd", Desired: 3, Current: 5, Voters: true, View: cluster(5, 4, 0)}, 5, action{Kind: actTransfer, ID: "rd-1"}},
		{"leader among the leaving but not next: the next one leaves first",
			scaleInput{Set: "rd", Desired: 3, Current: 5, Voters: true, View: cluster(5, 3)}, 5, action{Kind: actRemove, ID: "rd-4"}},
		{"never below a healthy quorum: 5 voters, 2 of the staying sick",
			scaleInput{Set: "rd", Desired: 3, Current: 5, Voters: true, View: cluster(5, 0, 1, 2)}, 5, action{}},
		{"a sick leaving voter may go when the rest keep a quorum",
			scaleInput{Set: "rd", Desired: 3, Current: 5, Voters: true, View: cluster(5, 0, 4)}, 5, action{Kind: actRemove, ID: "rd-4"}},
		{"the change must commit: 4 voters with 2 healthy cannot remove",
			scaleInput{Set: "rd", Desired: 3, Current: 4, Voters: true, View: cluster(4, 0, 1, 3)}, 4, action{}},
		{"a member whose pod is gone is removed without growing the set back",
			scaleInput{Set: "rd", Desired: 3, Current: 3, Voters: true, View: cluster(4, 0, 3)}, 3, action{Kind: actRemove, ID: "rd-3"}},
		{"read replicas: removed one at a time, no quorum rule",
			scaleInput{Set: "rd-replica", Desired: 0, Current: 2, View: withReplicas(cluster(3, 0, 1, 2), 2)}, 2, action{Kind: actRemove, ID: "rd-replica-1"}},
		{"voter IDs are not read replicas' ordinals",
			scaleInput{Set: "rd", Desired: 1, Current: 1, Voters: true, View: withReplicas(cluster(1, 0), 3)}, 1, action{}},
		{"7 to 1, last step: 3 voters, 1 leaves",
			scaleInput{Set: "rd", Desired: 1, Current: 3, Voters: true, View: cluster(3, 0)}, 3, action{Kind: actRemove, ID: "rd-2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, a := planScale(tt.in)
			a.Reason = ""
			if n != tt.wantReplicas || a != tt.want {
				t.Fatalf("planScale = %d, %+v; want %d, %+v", n, a, tt.wantReplicas, tt.want)
			}
		})
	}
}

// pods: n ordinals, the top `updated` of them updated, all ready except
// the listed ordinals.
func pods(n, updated int, unready ...int) []podState {
	out := make([]podState, n)
	for i := range out {
		out[i] = podState{Exists: true, Updated: i >= n-updated, Ready: true}
		for _, u := range unready {
			if u == i {
				out[i].Ready = false
			}
		}
	}
	return out
}

func TestPlanRollout(t *testing.T) {
	tests := []struct {
		name          string
		in            rolloutInput
		wantPartition int32
		want          action
	}{
		{"nothing to update", rolloutInput{Set: "rd", Partition: 0, Pods: pods(3, 3), View: cluster(3, 0)}, 0, action{}},
		{"start with the leader on ordinal 0: the top follower first",
			rolloutInput{Set: "rd", Partition: 3, Pods: pods(3, 0), View: cluster(3, 0)}, 2, action{}},
		{"start with the leader on top: it is parked on ordinal 0 first",
			rolloutInput{Set: "rd", Partition: 3, Pods: pods(3, 0), View: cluster(3, 2)}, 3, action{Kind: actTransfer, ID: "rd-0"}},
		{"leader next: handed to an updated member, never restarted again",
			rolloutInput{Set: "rd", Partition: 2, Pods: pods(3, 1), View: cluster(3, 1)}, 2, action{Kind: actTransfer, ID: "rd-2"}},
		{"leader in the middle, not next: parked on ordinal 0",
			rolloutInput{Set: "rd", Partition: 3, Pods: pods(4, 1), View: cluster(4, 1)}, 3, action{Kind: actTransfer, ID: "rd-0"}},
		{"wait for the restarted pod to be ready",
			rolloutInput{Set: "rd", Partition: 2, Pods: pods(3, 1, 2), View: cluster(3, 0, 2)}, 2, action{}},
		{"the restarted pod is ready: next one",
			rolloutInput{Set: "rd", Partition: 2, Pods: pods(3, 1), View: cluster(3, 0)}, 1, action{}},
		{"the pod being restarted is not back yet",
			rolloutInput{Set: "rd", Partition: 1, Pods: pods(3, 1), View: cluster(3, 0)}, 1, action{}},
		{"the leader last, after handing over to an updated member",
			rolloutInput{Set: "rd", Partition: 1, Pods: pods(3, 2), View: cluster(3, 0)}, 1, action{Kind: actTransfer, ID: "rd-1"}},
		{"the former leader restarts once it is a follower",
			rolloutInput{Set: "rd", Partition: 1, Pods: pods(3, 2), View: cluster(3, 1)}, 0, action{}},
		{"no restart that would leave less than a healthy quorum",
			rolloutInput{Set: "rd", Partition: 5, Pods: pods(5, 0, 1, 2), View: cluster(5, 0, 1, 2)}, 5, action{}},
		{"restarting a sick member costs nothing",
			rolloutInput{Set: "rd", Partition: 3, Pods: pods(3, 0, 2), View: cluster(3, 0, 2)}, 2, action{}},
		{"no view: hold", rolloutInput{Set: "rd", Partition: 3, Pods: pods(3, 0), View: view{}}, 3, action{}},
		{"a single voter is restarted as is", rolloutInput{Set: "rd", Partition: 1, Pods: pods(1, 0), View: cluster(1, 0)}, 0, action{}},
		{"a missing pod stops the rollout", rolloutInput{Set: "rd", Partition: 2,
			Pods: []podState{{Exists: true, Ready: true}, {Exists: true, Ready: true}, {}}, View: cluster(3, 0)}, 2, action{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, a := planRollout(tt.in)
			a.Reason = ""
			if p != tt.wantPartition || a != tt.want {
				t.Fatalf("planRollout = %d, %+v; want %d, %+v", p, a, tt.wantPartition, tt.want)
			}
		})
	}
}

// TestRolloutOrder runs planRollout to completion against a simulated
// StatefulSet controller and checks that each restart keeps a healthy
// quorum, that followers restart first and that the leader is never
// restarted while it leads.
func TestRolloutOrder(t *testing.T) {
	for n := 1; n <= 7; n += 2 {
		for leader := range n {
			t.Run(fmt.Sprintf("%d voters, leader %d", n, leader), func(t *testing.T) {
				v := cluster(n, leader)
				st := pods(n, 0)
				partition := int32(n)
				var order []int
				for step := 0; step < 4*n+4; step++ {
					p, a := planRollout(rolloutInput{Set: "rd", Partition: partition, Pods: st, View: v})
					if a.Kind == actTransfer {
						o, _ := ordinalOf("rd", a.ID)
						v = cluster(n, int(o))
						continue
					}
					partition = p
					// The StatefulSet controller restarts the top outdated pod at or above the partition.
					for o := n - 1; o >= int(partition); o-- {
						if !st[o].Updated {
							if v.Leader == podID("rd", int32(o)) && n > 1 {
								t.Fatalf("leader rd-%d restarted while leading", o)
							}
							st[o] = podState{Exists: true, Updated: true, Ready: true}
							order = append(order, o)
							break
						}
					}
					if partition == 0 && len(order) == n {
						break
					}
				}
				if len(order) != n {
					t.Fatalf("rollout did not finish: restarted %v, partition %d", order, partition)
				}
				if n > 1 && order[n-1] != 0 {
					t.Fatalf("order %v: ordinal 0 (where the leader was parked) should be last", order)
				}
			})
		}
	}
}

func TestVoterMaxUnavailable(t *testing.T) {
	tests := []struct {
		spec  int32
		raft  int
		want  int32
		story string
	}{
		{1, 1, 0, "one voter: evicting it stops the cluster"},
		{3, 3, 1, "3 voters survive 1 down"},
		{5, 5, 2, "5 voters survive 2 down"},
		{7, 7, 3, "7 voters survive 3 down"},
		{5, 3, 1, "growing 3 to 5: the joiners are no margin yet"},
		{3, 5, 1, "shrinking 5 to 3: the smaller count"},
		{3, 0, 0, "no view of the configuration: no voluntary disruption"},
	}
	for _, tt := range tests {
		if got := voterMaxUnavailable(tt.spec, tt.raft); got != tt.want {
			t.Errorf("%s: voterMaxUnavailable(%d, %d) = %d, want %d", tt.story, tt.spec, tt.raft, got, tt.want)
		}
	}
}

func TestOrdinalOf(t *testing.T) {
	tests := []struct {
		set, id string
		want    int32
		ok      bool
	}{
		{"rd", "rd-0", 0, true},
		{"rd", "rd-12", 12, true},
		{"rd", "rd-replica-0", 0, false},
		{"rd-replica", "rd-replica-3", 3, true},
		{"rd", "rd-", 0, false},
		{"rd", "rd-01", 0, false},
		{"rd", "rd-x", 0, false},
		{"rd", "other-1", 0, false},
	}
	for _, tt := range tests {
		got, ok := ordinalOf(tt.set, tt.id)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ordinalOf(%q, %q) = %d, %v; want %d, %v", tt.set, tt.id, got, ok, tt.want, tt.ok)
		}
	}
}

func TestOutdatedWhileDown(t *testing.T) {
	down := []podState{{Exists: true}, {Exists: true, Updated: true}, {Exists: true}, {}}
	if got := outdatedWhileDown(down, view{}); fmt.Sprint(got) != "[0 2]" {
		t.Errorf("cluster down: %v, want [0 2]", got)
	}
	if got := outdatedWhileDown(down, cluster(3, 0)); got != nil {
		t.Errorf("a leader is known: %v, want none", got)
	}
	oneReady := []podState{{Exists: true}, {Exists: true, Ready: true}}
	if got := outdatedWhileDown(oneReady, view{}); got != nil {
		t.Errorf("a pod is ready: %v, want none", got)
	}
}

// onOldPassword marks the listed ordinals of v as running with another
// password than the operator's (a password change rolling out).
func onOldPassword(v view, ordinals ...int) view {
	v.Members = slices.Clone(v.Members)
	for _, o := range ordinals {
		v.Members[o].WrongPassword = true
	}
	return v
}

func TestPlanScaleDuringPasswordRollout(t *testing.T) {
	tests := []struct {
		name         string
		in           scaleInput
		wantReplicas int32
		want         action
	}{
		{"no member takes the password: wait, the rollout makes one",
			scaleInput{Set: "rd", Desired: 3, Current: 5, Voters: true, View: onOldPassword(cluster(5, 0), 0, 1, 2, 3, 4)}, 5, action{}},
		{"the one that takes it is not ready: wait",
			scaleInput{Set: "rd", Desired: 3, Current: 5, Voters: true, View: onOldPassword(cluster(5, 0, 4), 0, 1, 2, 3)}, 5, action{}},
		{"only leaving members take it: wait, the last of them gone none would",
			scaleInput{Set: "rd", Desired: 3, Current: 5, Voters: true, View: onOldPassword(cluster(5, 0), 0, 1, 2)}, 5, action{}},
		{"a staying member takes it: the leaving ones go through it",
			scaleInput{Set: "rd", Desired: 3, Current: 5, Voters: true, View: onOldPassword(cluster(5, 0), 0, 1, 3, 4)}, 5, action{Kind: actRemove, ID: "rd-4"}},
		{"a leaving leader hands over through a staying restarted member",
			scaleInput{Set: "rd", Desired: 3, Current: 5, Voters: true, View: onOldPassword(cluster(5, 4), 1, 2, 3, 4)}, 5, action{Kind: actTransfer, ID: "rd-0"}},
		{"read replicas leave through a voter that takes it",
			scaleInput{Set: "rd-replica", Desired: 0, Current: 2, View: onOldPassword(withReplicas(cluster(3, 0), 2), 0, 1, 3, 4)}, 2, action{Kind: actRemove, ID: "rd-replica-1"}},
		{"nothing to remove: the replicas are what the spec says",
			scaleInput{Set: "rd", Desired: 5, Current: 3, Voters: true, View: onOldPassword(cluster(3, 0), 0, 1, 2)}, 5, action{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, a := planScale(tt.in)
			a.Reason = ""
			if n != tt.wantReplicas || a != tt.want {
				t.Fatalf("planScale = %d, %+v; want %d, %+v", n, a, tt.wantReplicas, tt.want)
			}
		})
	}
}

func TestPlanRolloutDuringPasswordRollout(t *testing.T) {
	tests := []struct {
		name          string
		in            rolloutInput
		wantPartition int32
		want          action
	}{
		{"leader in the middle, nobody takes the password: the top follower restarts, unparked",
			rolloutInput{Set: "rd", Partition: 3, Pods: pods(3, 0), View: onOldPassword(cluster(3, 1), 0, 1, 2)}, 2, action{}},
		{"then the leader, next, hands over to the restarted member",
			rolloutInput{Set: "rd", Partition: 2, Pods: pods(3, 1), View: onOldPassword(cluster(3, 1), 0, 1)}, 2, action{Kind: actTransfer, ID: "rd-2"}},
		{"5 voters, leader in the middle, nobody takes the password: the top follower restarts",
			rolloutInput{Set: "rd", Partition: 5, Pods: pods(5, 0), View: onOldPassword(cluster(5, 2), 0, 1, 2, 3, 4)}, 4, action{}},
		{"then the leader is parked on ordinal 0",
			rolloutInput{Set: "rd", Partition: 4, Pods: pods(5, 1), View: onOldPassword(cluster(5, 2), 0, 1, 2, 3)}, 4, action{Kind: actTransfer, ID: "rd-0"}},
		{"leader on top, nobody takes the password: it restarts as the leader (it hands over as it stops)",
			rolloutInput{Set: "rd", Partition: 3, Pods: pods(3, 0), View: onOldPassword(cluster(3, 2), 0, 1, 2)}, 2, action{}},
		{"leader on 0, nobody takes the password: the usual order needs no transfer yet",
			rolloutInput{Set: "rd", Partition: 3, Pods: pods(3, 0), View: onOldPassword(cluster(3, 0), 0, 1, 2)}, 2, action{}},
		{"the leader's turn: handed to an updated member, which takes the password",
			rolloutInput{Set: "rd", Partition: 1, Pods: pods(3, 2), View: onOldPassword(cluster(3, 0), 0)}, 1, action{Kind: actTransfer, ID: "rd-1"}},
		{"never below a healthy quorum, password or not",
			rolloutInput{Set: "rd", Partition: 3, Pods: pods(3, 0, 1), View: onOldPassword(cluster(3, 2, 1), 0, 1, 2)}, 3, action{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, a := planRollout(tt.in)
			a.Reason = ""
			if p != tt.wantPartition || a != tt.want {
				t.Fatalf("planRollout = %d, %+v; want %d, %+v", p, a, tt.wantPartition, tt.want)
			}
		})
	}
}

// TestPasswordRolloutOrder runs planRollout to completion after a
// password change: every member starts on the old password and takes the
// operator's once restarted. No transfer may be asked while no member
// takes it; the leader restarts while leading only as the very first
// restart, when nothing else was possible; otherwise the usual order.
func TestPasswordRolloutOrder(t *testing.T) {
	for n := 1; n <= 7; n += 2 {
		for leader := range n {
			t.Run(fmt.Sprintf("%d voters, leader %d", n, leader), func(t *testing.T) {
				st := pods(n, 0)
				lead := leader
				viewNow := func() view {
					v := cluster(n, lead)
					for i := range v.Members {
						v.Members[i].WrongPassword = !st[i].Updated
					}
					return v
				}
				partition := int32(n)
				var order []int
				for step := 0; step < 4*n+4 && len(order) < n; step++ {
					v := viewNow()
					p, a := planRollout(rolloutInput{Set: "rd", Partition: partition, Pods: st, View: v})
					if a.Kind == actTransfer {
						if !v.takesCommands(nil) {
							t.Fatalf("transfer to %s asked while no member takes the password", a.ID)
						}
						o, _ := ordinalOf("rd", a.ID)
						lead = int(o)
						continue
					}
					partition = p
					for o := n - 1; o >= int(partition); o-- {
						if st[o].Updated {
							continue
						}
						if o == lead && n > 1 {
							if len(order) > 0 {
								t.Fatalf("leader rd-%d restarted while leading after %v", o, order)
							}
							lead = (o + 1) % n // it hands over as it stops
						}
						st[o] = podState{Exists: true, Updated: true, Ready: true}
						order = append(order, o)
						break
					}
				}
				if len(order) != n || partition != 0 {
					t.Fatalf("rollout did not finish: restarted %v, partition %d", order, partition)
				}
				if n > 1 && order[n-1] != 0 {
					t.Fatalf("order %v: ordinal 0 (where the leader was parked) should be last", order)
				}
			})
		}
	}
}

func TestCommandRoute(t *testing.T) {
	tests := []struct {
		name  string
		cands []commandCandidate
		want  string
	}{
		{"the leader first when it takes the password",
			[]commandCandidate{{Pod: "rd-0", Ready: true}, {Pod: "rd-1", Leader: true, Ready: true}, {Pod: "rd-2", Ready: true}},
			"rd-1,rd-0,rd-2"},
		{"restarted members before the leader on the old password",
			[]commandCandidate{{Pod: "rd-0", Leader: true, Ready: true, WrongPassword: true}, {Pod: "rd-1", Ready: true, WrongPassword: true}, {Pod: "rd-2", Ready: true}},
			"rd-2,rd-0,rd-1"},
		{"ready before not ready, then by name",
			[]commandCandidate{{Pod: "rd-2"}, {Pod: "rd-replica-0", Ready: true}, {Pod: "rd-1"}},
			"rd-replica-0,rd-1,rd-2"},
		{"nobody", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := strings.Join(commandRoute(tt.cands), ","); got != tt.want {
				t.Fatalf("commandRoute = %s, want %s", got, tt.want)
			}
		})
	}
}
