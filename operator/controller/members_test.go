package controller

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// respStub is a RESP server on a loopback address at PortRESP (the port
// NodeClient dials) that authenticates like a node (resp.checkAuth) with
// password want ("" for none) and answers every other command with OK,
// as a member that takes a RAFT command does.
func respStub(t *testing.T, want string) string {
	t.Helper()
	var ln net.Listener
	var err error
	for i := 2; i < 12 && ln == nil; i++ {
		ln, err = net.Listen("tcp", net.JoinHostPort(fmt.Sprintf("127.0.0.%d", 100+i), strconv.Itoa(PortRESP)))
	}
	if ln == nil {
		t.Skipf("no loopback address with port %d free: %v", PortRESP, err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serveStub(c, want)
		}
	}()
	host, _, _ := net.SplitHostPort(ln.Addr().String())
	return host
}

func serveStub(c net.Conn, want string) {
	defer c.Close()
	r := bufio.NewReader(c)
	authed := want == ""
	// check is the node's: without a password any password of the
	// default user passes; with one, only it does.
	check := func(user, pass string) string {
		if (user == "default" || user == "") && (want == "" || pass == want) {
			authed = true
			return ""
		}
		return "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
	}
	for {
		args, err := readCommand(r)
		if err != nil {
			return
		}
		var out string
		switch {
		case strings.EqualFold(args[0], "HELLO") && len(args) == 5:
			out = check(args[3], args[4])
		case strings.EqualFold(args[0], "HELLO") && !authed:
			out = "-NOAUTH HELLO must be called with the client already authenticated\r\n"
		case strings.EqualFold(args[0], "AUTH"):
			out = check("", args[len(args)-1])
		case !authed:
			out = "-NOAUTH Authentication required.\r\n"
		}
		if out == "" && strings.EqualFold(args[0], "HELLO") {
			out = "*2\r\n$5\r\nproto\r\n:2\r\n"
		} else if out == "" {
			out = "+OK\r\n"
		}
		if _, err := c.Write([]byte(out)); err != nil {
			return
		}
	}
}

// readCommand reads one RESP array of bulk strings.
func readCommand(r *bufio.Reader) ([]string, error) {
	line, err := r.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "*") {
		return nil, errors.Join(err, errors.New("not an array"))
	}
	n, _ := strconv.Atoi(strings.TrimSpace(line[1:]))
	args := make([]string, n)
	for i := range args {
		if _, err := r.ReadString('\n'); err != nil { // $<len>
			return nil, err
		}
		arg, err := r.ReadString('\n')
		if err != nil {
			return nil, err
		}
		args[i] = strings.TrimSuffix(arg, "\r\n")
	}
	return args, nil
}

// TestNodeClientAuthRejected checks that the refusals a real client sees
// (WRONGPASS for a wrong password, NOAUTH for none) are ErrAuthRejected,
// which makes the reconciler try another member.
func TestNodeClientAuthRejected(t *testing.T) {
	tests := []struct {
		name, want, give string
		rejected         bool
	}{
		{"right password", "new", "new", false},
		{"wrong password", "old", "new", true},
		{"no password given", "old", "", true},
		{"none wanted", "", "", false},
		{"none wanted, one given (auth being turned on)", "", "new", false},
	}
	c := NewNodeClient(2 * time.Second)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ip := respStub(t, tt.want)
			err := c.TransferLeadership(context.Background(), Endpoint{Pod: "rd-0", IP: ip, Password: tt.give}, "rd-1")
			if errors.Is(err, ErrAuthRejected) != tt.rejected || (!tt.rejected && err != nil) {
				t.Fatalf("err = %v; want rejected %v", err, tt.rejected)
			}
		})
	}
}
