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
// stays out. Like the node, any running member takes a Raft command (and
// forwards it to the leader) if the operator gives the password the
// member started with; one started without a password takes any.
type fakeRaft struct {
	mu      sync.Mutex
	members map[string]*fakeMember // by pod name, every cluster mixed (names are unique per test)
	running map[string]bool
	removed map[string]bool
	leader  map[string]string // cluster prefix -> leader ID
	// passwords is what each running pod started with ("" for none).
	passwords map[string]string
	ops       []string
	// via is the member each op went through, refused the members that
	// refused the operator's password.
	via, refused []string
	// violations are the safety rules the operator broke.
	violations []string
}

type fakeMember struct {
	cluster string
	voter   bool
}

func newFakeRaft() *fakeRaft {
	f := &fakeRaft{}
	f.reset()
	return f
}

// podStarted is called by the fake StatefulSet controller, with the
// password the pod's environment got.
func (f *fakeRaft) podStarted(cluster, pod string, voter bool, password string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.running[pod] = true
	f.passwords[pod] = password
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
	f.passwords = map[string]string{}
	f.ops, f.via, f.refused, f.violations = nil, nil, nil, nil
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

// routes are the members the ops went through, and those that refused
// the operator's password.
func (f *fakeRaft) routes() (via, refused []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.via), slices.Clone(f.refused)
}

// admit checks a Raft command sent through ep as the node would: the
// member must run and take ep.Password.
func (f *fakeRaft) admit(ep controller.Endpoint) error {
	if !f.running[ep.Pod] {
		f.violations = append(f.violations, "command sent to "+ep.Pod+", which is not running")
		return errors.New("connection refused")
	}
	if pw := f.passwords[ep.Pod]; pw != "" && pw != ep.Password {
		f.refused = append(f.refused, ep.Pod)
		return fmt.Errorf("%w: WRONGPASS invalid username-password pair or user is disabled", controller.ErrAuthRejected)
	}
	return nil
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
	if err := f.admit(ep); err != nil {
		return err
	}
	m, ok := f.members[id]
	if !ok {
		return errors.New("not a member")
	}
	if f.leader[m.cluster] == id {
		f.violations = append(f.violations, "leader "+id+" removed")
	}
	delete(f.members, id)
	f.removed[id] = true
	f.ops, f.via = append(f.ops, "remove "+id), append(f.via, ep.Pod)
	return nil
}

func (f *fakeRaft) TransferLeadership(_ context.Context, ep controller.Endpoint, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.admit(ep); err != nil {
		return err
	}
	m, ok := f.members[id]
	if !ok || !m.voter || !f.running[id] {
		return errors.New("no such healthy voter")
	}
	f.leader[m.cluster] = id
	f.ops, f.via = append(f.ops, "transfer "+id), append(f.via, ep.Pod)
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
