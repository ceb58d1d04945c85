package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

const clusterUsage = `Usage:
  redraft cluster status [--addr host:port]
  redraft cluster join <id> <raft-address> [--nonvoter] [--addr host:port]
  redraft cluster remove <id> [--addr host:port]
  redraft cluster transfer [<id>] [--addr host:port]

Commands go to the node at --addr (any member; membership changes are
forwarded to the leader). Flags may come before or after the arguments.
`

// runCluster is a small client for the RAFT administration commands.
func runCluster(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("redraft cluster", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, clusterUsage); fs.PrintDefaults() }
	addr := fs.String("addr", "127.0.0.1:6379", "client address of any node")
	password := fs.String("password", "", "password (--requirepass of the nodes)")
	nonVoter := fs.Bool("nonvoter", false, "join: add the node as a non-voting read replica")
	positional, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(positional) == 0 {
		fs.Usage()
		return errors.New("missing subcommand")
	}
	var cmd []string
	switch sub, rest := positional[0], positional[1:]; {
	case sub == "status" && len(rest) == 0:
		cmd = []string{"RAFT", "NODES"}
	case sub == "join" && len(rest) == 2:
		op := "ADD-VOTER"
		if *nonVoter {
			op = "ADD-NONVOTER"
		}
		cmd = []string{"RAFT", op, rest[0], rest[1]}
	case sub == "remove" && len(rest) == 1:
		cmd = []string{"RAFT", "REMOVE", rest[0]}
	case sub == "transfer" && len(rest) <= 1:
		cmd = append([]string{"RAFT", "TRANSFER-LEADERSHIP"}, rest...)
	default:
		fs.Usage()
		return fmt.Errorf("bad arguments: %s", strings.Join(positional, " "))
	}
	v, err := adminCall(*addr, *password, cmd)
	if err != nil {
		return err
	}
	if positional[0] == "status" {
		return printNodes(stdout, v)
	}
	fmt.Fprintln(stdout, v)
	return nil
}

// parseInterleaved parses flags that may appear between positional args.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// adminCall sends one command and returns its reply as nested values
// (string, int64, []any) or an error for an error reply.
func adminCall(addr, password string, cmd []string) (any, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", addr, err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(3 * time.Minute))
	r := bufio.NewReader(c)
	if password != "" {
		if _, err := roundTrip(c, r, []string{"AUTH", password}); err != nil {
			return nil, err
		}
	}
	return roundTrip(c, r, cmd)
}

func roundTrip(w io.Writer, r *bufio.Reader, cmd []string) (any, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(cmd))
	for _, a := range cmd {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return nil, err
	}
	return readValue(r)
}

func readValue(r *bufio.Reader) (any, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return nil, errors.New("empty reply line")
	}
	body := line[1:]
	switch line[0] {
	case '+':
		return body, nil
	case '-':
		return nil, errors.New(body)
	case ':':
		return strconv.ParseInt(body, 10, 64)
	case '$':
		n, err := strconv.Atoi(body)
		if err != nil || n < 0 {
			return nil, err
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, err
		}
		return string(buf[:n]), nil
	case '*':
		n, err := strconv.Atoi(body)
		if err != nil || n < 0 {
			return nil, err
		}
		out := make([]any, n)
		for i := range out {
			if out[i], err = readValue(r); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("unexpected reply %q", line)
}

// printNodes prints RAFT NODES (flat field/value arrays in RESP2) as a table.
func printNodes(w io.Writer, v any) error {
	nodes, ok := v.([]any)
	if !ok {
		return fmt.Errorf("unexpected RAFT NODES reply %v", v)
	}
	fmt.Fprintf(w, "%-12s %-22s %-22s %-6s %-12s %s\n", "ID", "RAFT", "CLIENT", "VOTER", "STATE", "APPLIED")
	for _, n := range nodes {
		fields, _ := n.([]any)
		m := map[string]string{}
		for i := 0; i+1 < len(fields); i += 2 {
			m[fmt.Sprint(fields[i])] = fmt.Sprint(fields[i+1])
		}
		voter := "no"
		if m["voter"] == "1" {
			voter = "yes"
		}
		for _, k := range []string{"id", "raft-addr", "addr", "state", "applied"} {
			if m[k] == "" {
				m[k] = "-"
			}
		}
		fmt.Fprintf(w, "%-12s %-22s %-22s %-6s %-12s %s\n", m["id"], m["raft-addr"], m["addr"], voter, m["state"], m["applied"])
	}
	return nil
}
