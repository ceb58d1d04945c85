package envtest_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/redraft/redraft/httpd"
	"github.com/redraft/redraft/operator/controller"
)

// fakeRaft plays the Raft side of every cluster in the test: the
// membership, who leads, and what the operator asked. Members join when
// their pod starts (as the node does by itself) and a removed member
// stays out.
type fakeRaft struct {
	mu      sync.Mutex
	members map[string]*fakeMember // by pod name, every cluster mixed (names are unique per test)
	running map[string]bool
	removed map[string]bool
	leader  map[string]string // cluster prefix -> leader ID
	ops     []string
	// violations are the safety rules the operator broke.
	violations []string
}

type fakeMember struct {
	cluster string
	voter   bool
}

func newFakeRaft() *fakeRaft {
	return &fakeRaft{members: map[string]*fakeMember{}, running: map[string]bool{}, removed: map[string]bool{}, leader: map[string]string{}}
}

// podStarted is called by the fake StatefulSet controller.
func (f *fakeRaft) podStarted(cluster, pod string, voter bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.running[pod] = true
	if _, ok := f.members[pod]; !ok && !f.removed[pod] {
		f.members[pod] = &fakeMember{cluster: cluster, voter: voter}
	}
	if f.leader[cluster] == "" && voter {
		f.leader[cluster] = pod
	}
}

// podStopped is called when the fake StatefulSet controller deletes a pod,
// for a restart (rolling update) or for good (scale-down).
func (f *fakeRaft) podStopped(cluster, pod string, forGood bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.running, pod)
	if f.leader[cluster] == pod && f.voterCount(cluster) > 1 {
		f.violations = append(f.violations, "leader "+pod+" stopped while leading")
	}
	if forGood && f.members[pod] != nil {
		f.violations = append(f.violations, "pod "+pod+" deleted while still a member")
	}
	if f.leader[cluster] == pod {
		f.leader[cluster] = ""
	}
	if f.healthyVoters(cluster) < f.voterCount(cluster)/2+1 {
		f.violations = append(f.violations, fmt.Sprintf("stopping %s lost the quorum of %s", pod, cluster))
	}
}

func (f *fakeRaft) voterCount(cluster string) int {
	n := 0
	for _, m := range f.members {
		if m.cluster == cluster && m.voter {
			n++
		}
	}
	return n
}

func (f *fakeRaft) healthyVoters(cluster string) int {
	n := 0
	for id, m := range f.members {
		if m.cluster == cluster && m.voter && f.running[id] {
			n++
		}
	}
	return n
}

// reset forgets every cluster: each test starts from an empty fake (the
// clusters of earlier tests are deleted, so the operator leaves them).
func (f *fakeRaft) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.members, f.running, f.removed, f.leader = map[string]*fakeMember{}, map[string]bool{}, map[string]bool{}, map[string]string{}
	f.ops, f.violations = nil, nil
}

func (f *fakeRaft) setLeader(cluster, id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.leader[cluster] = id
}

func (f *fakeRaft) snapshot() (ops, violations []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.ops), slices.Clone(f.violations)
}

func (f *fakeRaft) Status(_ context.Context, ep controller.Endpoint) (*httpd.Status, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, ok := f.members[ep.Pod]
	if !f.running[ep.Pod] {
		return nil, errors.New("connection refused")
	}
	st := &httpd.Status{ID: ep.Pod, Role: "follower"}
	if !ok {
		return st, nil
	}
	leader := f.leader[m.cluster]
	if leader == "" {
		return st, nil
	}
	st.LeaderID, st.Term = leader, 1
	if leader == ep.Pod {
		st.Role = "leader"
	}
	for id, o := range f.members {
		if o.cluster == m.cluster {
			st.Members = append(st.Members, httpd.Member{ID: id, Voter: o.voter, Leader: id == leader})
		}
	}
	return st, nil
}

func (f *fakeRaft) RemoveMember(_ context.Context, ep controller.Endpoint, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, ok := f.members[id]
	if !ok {
		return errors.New("not a member")
	}
	if f.leader[m.cluster] != ep.Pod {
		f.violations = append(f.violations, "remove sent to non-leader "+ep.Pod)
	}
	if f.leader[m.cluster] == id {
		f.violations = append(f.violations, "leader "+id+" removed")
	}
	delete(f.members, id)
	f.removed[id] = true
	f.ops = append(f.ops, "remove "+id)
	return nil
}

func (f *fakeRaft) TransferLeadership(_ context.Context, ep controller.Endpoint, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, ok := f.members[id]
	if !ok || !m.voter || !f.running[id] {
		return errors.New("no such healthy voter")
	}
	if f.leader[m.cluster] != ep.Pod {
		f.violations = append(f.violations, "transfer sent to non-leader "+ep.Pod)
	}
	f.leader[m.cluster] = id
	f.ops = append(f.ops, "transfer "+id)
	return nil
}

func opsWith(ops []string, prefix string) []string {
	var out []string
	for _, o := range ops {
		if strings.HasPrefix(o, prefix) {
			out = append(out, o)
		}
	}
	return out
}
