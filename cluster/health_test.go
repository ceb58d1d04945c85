package cluster

import (
	"strings"
	"testing"
)

func Test_FollowerReadiness(t *testing.T) {
	members := []Member{{ID: "n1", Voter: true, Leader: true}, {ID: "n2", Voter: true}, {ID: "r1"}}
	leader := Status{ID: "n1", RaftAddr: "n1:7379", State: "Leader", Commit: 1000, Members: members}
	tests := []struct {
		name    string
		self    string
		applied uint64
		leader  func(Status) Status
		maxLag  uint64
		want    string // "" for ready, else a part of the reason
	}{
		{name: "caught up", self: "n2", applied: 1000, maxLag: 64},
		{name: "ahead of a stale commit index", self: "n2", applied: 1003, maxLag: 0},
		{name: "within the lag", self: "n2", applied: 936, maxLag: 64},
		{name: "one entry beyond the lag", self: "n2", applied: 935, maxLag: 64, want: "65 entries behind"},
		{name: "fresh node", self: "n2", applied: 0, maxLag: 64, want: "catching up"},
		{name: "no lag allowed", self: "n2", applied: 999, maxLag: 0, want: "1 entries behind"},
		{name: "non-voter", self: "r1", applied: 1000, maxLag: 64},
		{name: "removed", self: "n3", applied: 1000, maxLag: 64, want: "not a member"},
		{name: "leader stepped down", self: "n2", applied: 1000, maxLag: 64,
			leader: func(s Status) Status { s.State = "Follower"; return s }, want: "no longer leads"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := leader
			if tt.leader != nil {
				l = tt.leader(l)
			}
			err := followerReadiness(tt.self, tt.applied, l, tt.maxLag)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("want ready, got %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("want a reason containing %q, got %v", tt.want, err)
			}
		})
	}
}
