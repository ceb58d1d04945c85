package controller

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redraft/redraft/httpd"
)

// Endpoint is how the operator reaches one member: its pod's IP, and the
// password its RESP port wants (empty without auth).
type Endpoint struct {
	Pod      string
	IP       string
	Password string
}

// ErrAuthRejected is the error of a Raft command refused by the member
// ep names because it wants another password than ep.Password: it runs
// with an earlier one until its pod restarts. The command may well pass
// through another member.
var ErrAuthRejected = errors.New("the member refused the password")

// MemberClient is everything the operator asks of a running cluster. The
// reconciler only talks to members through it, so tests replace it.
//
// The Raft commands may go through any member: one that does not lead
// forwards them to the leader (see cluster.Node.Admin). Both wrap
// ErrAuthRejected when ep refuses ep.Password.
type MemberClient interface {
	// Status returns the member's /status.
	Status(ctx context.Context, ep Endpoint) (*httpd.Status, error)
	// RemoveMember takes id out of the Raft configuration (RAFT REMOVE).
	RemoveMember(ctx context.Context, ep Endpoint, id string) error
	// TransferLeadership hands the leadership to id (RAFT
	// TRANSFER-LEADERSHIP id).
	TransferLeadership(ctx context.Context, ep Endpoint, id string) error
}

// NodeClient is the MemberClient of real members: HTTP for /status, RESP
// for the Raft commands.
type NodeClient struct {
	HTTP *http.Client
	// Timeout bounds each request; membership changes wait for a commit.
	Timeout time.Duration
}

// NewNodeClient returns a NodeClient with the given per-request timeout.
func NewNodeClient(timeout time.Duration) *NodeClient {
	return &NodeClient{HTTP: &http.Client{Timeout: timeout}, Timeout: timeout}
}

// Status implements MemberClient.
func (c *NodeClient) Status(ctx context.Context, ep Endpoint) (*httpd.Status, error) {
	url := "http://" + net.JoinHostPort(ep.IP, strconv.Itoa(PortHTTP)) + "/status"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("status of %s: %w", ep.Pod, err)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("status of %s: %w", ep.Pod, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status of %s: HTTP %s", ep.Pod, resp.Status)
	}
	var st httpd.Status
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return nil, fmt.Errorf("status of %s: %w", ep.Pod, err)
	}
	return &st, nil
}

// RemoveMember implements MemberClient.
func (c *NodeClient) RemoveMember(ctx context.Context, ep Endpoint, id string) error {
	if err := c.do(ctx, ep, "RAFT", "REMOVE", id); err != nil {
		return fmt.Errorf("removing %s through %s: %w", id, ep.Pod, err)
	}
	return nil
}

// TransferLeadership implements MemberClient.
func (c *NodeClient) TransferLeadership(ctx context.Context, ep Endpoint, id string) error {
	if err := c.do(ctx, ep, "RAFT", "TRANSFER-LEADERSHIP", id); err != nil {
		return fmt.Errorf("transferring leadership to %s through %s: %w", id, ep.Pod, err)
	}
	return nil
}

// do runs one command on a connection of its own: the operator's commands
// are rare, and a pooled connection to a pod that has since moved would
// only be found dead later.
func (c *NodeClient) do(ctx context.Context, ep Endpoint, args ...any) error {
	rdb := redis.NewClient(&redis.Options{
		Addr:            net.JoinHostPort(ep.IP, strconv.Itoa(PortRESP)),
		Password:        ep.Password,
		Protocol:        2,
		DisableIdentity: true,
		DialTimeout:     c.Timeout,
		ReadTimeout:     c.Timeout,
		WriteTimeout:    c.Timeout,
		MaxRetries:      -1, // the reconciler retries after a fresh look
		PoolSize:        1,
	})
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	err := rdb.Do(ctx, args...).Err()
	if redis.IsAuthError(err) {
		return fmt.Errorf("%w: %w", ErrAuthRejected, err)
	}
	return err
}
