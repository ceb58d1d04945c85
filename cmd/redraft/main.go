// Command redraft runs a Redraft node: a Redis-compatible server whose
// writes go through a Raft log.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/redraft/redraft/cluster"
	"github.com/redraft/redraft/fsm"
	"github.com/redraft/redraft/httpd"
	"github.com/redraft/redraft/metrics"
	"github.com/redraft/redraft/resp"
)

const usage = `Redraft: a Redis-compatible key-value store replicated with Raft.

Usage:
  redraft [server] [flags]   start a node (the default command)
  redraft dev [--nodes N]    start a local N-node cluster in one process, for trying things out
  redraft cluster status|join|remove|transfer [--addr host:port] ...
                             inspect or change the membership through any node
  redraft version            print the version

With no flags, a single node bootstraps itself on 127.0.0.1:6379 (Raft on
127.0.0.1:7379) with its data in ./redraft-data; restarting it on the same
data directory resumes from its snapshot and log.

Every flag can also be set with an environment variable REDRAFT_<NAME>, the
flag name upper-cased with dashes as underscores (--data-dir: REDRAFT_DATA_DIR).
Flags given on the command line win.

Server flags:
`

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "redraft:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "server":
			args = args[1:]
		case "dev":
			return runDev(args[1:], stdout, stderr)
		case "cluster":
			return runCluster(args[1:], stdout, stderr)
		case "version", "--version":
			fmt.Fprintln(stdout, "redraft", resp.Version)
			return nil
		}
	}
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	return serve(ctx, cfg)
}

type config struct {
	id, listen, raftListen, dataDir string
	httpListen                      string
	advertise, raftAdvertise        string
	join                            string
	bootstrapExpect                 int
	nonVoter                        bool
	requirePass                     string
	maxBulkLen                      int64
	snapshotThreshold               uint64
	snapshotInterval                time.Duration
	writeTimeout, maxStaleness      time.Duration
	electionTimeout                 time.Duration
	logLevel, logFormat             string
	// log, when set, is used instead of one built from logLevel/logFormat.
	log *slog.Logger
}

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	var c config
	fs := flag.NewFlagSet("redraft server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	fs.StringVar(&c.id, "id", "", "stable node ID (e.g. the pod name); remembered in the data dir (default \"node1\" for a new data dir)")
	fs.StringVar(&c.listen, "listen", "127.0.0.1:6379", "host:port for Redis clients (RESP)")
	fs.StringVar(&c.raftListen, "raft-listen", "127.0.0.1:7379", "host:port for Raft traffic between nodes")
	fs.StringVar(&c.httpListen, "http-listen", "", "host:port for HTTP: /livez and /readyz probes, Prometheus /metrics, JSON /status (empty: no HTTP)")
	fs.StringVar(&c.dataDir, "data-dir", "./redraft-data", "directory for the Raft log, stable store and snapshots")
	fs.StringVar(&c.advertise, "advertise", "", "client address other nodes and tools report for this node (default: the --listen address)")
	fs.StringVar(&c.raftAdvertise, "raft-advertise", "", "Raft address other nodes use to reach this node, e.g. a stable DNS name (default: the --raft-listen address)")
	fs.StringVar(&c.join, "join", "", "comma-separated Raft addresses of members to join through (a fresh node joins; with --bootstrap-expect, fresh nodes form a cluster)")
	fs.IntVar(&c.bootstrapExpect, "bootstrap-expect", 0, "number of fresh nodes, found through --join, that bootstrap a new cluster together")
	fs.BoolVar(&c.nonVoter, "nonvoter", false, "join as a non-voting read replica")
	fs.DurationVar(&c.writeTimeout, "write-timeout", 10*time.Second, "how long a write or linearizable read waits for a leader before failing with CLUSTERDOWN")
	fs.DurationVar(&c.maxStaleness, "max-staleness", 5*time.Second, "READONLY reads on a follower are refused when it has not heard from the leader for this long")
	fs.DurationVar(&c.electionTimeout, "election-timeout", time.Second, "Raft heartbeat and election timeout")
	fs.StringVar(&c.requirePass, "requirepass", "", "password clients must AUTH with (empty: no authentication)")
	fs.Int64Var(&c.maxBulkLen, "max-bulk-len", resp.DefaultMaxBulkLen, "largest bulk string a client may send, in bytes (proto-max-bulk-len)")
	fs.Uint64Var(&c.snapshotThreshold, "snapshot-threshold", 8192, "log entries between automatic snapshots")
	fs.DurationVar(&c.snapshotInterval, "snapshot-interval", 30*time.Second, "how often the snapshot threshold is checked")
	fs.StringVar(&c.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	fs.StringVar(&c.logFormat, "log-format", "text", "log format: text or json")
	if err := applyEnv(fs); err != nil {
		return nil, err
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if c.bootstrapExpect > 1 && c.join == "" {
		return nil, errors.New("--bootstrap-expect needs --join with the other nodes' Raft addresses")
	}
	return &c, nil
}

// applyEnv sets every flag that has a REDRAFT_<NAME> variable; the command
// line is parsed afterwards and overrides it.
func applyEnv(fs *flag.FlagSet) error {
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		name := "REDRAFT_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(name); ok && err == nil {
			if e := f.Value.Set(v); e != nil {
				err = fmt.Errorf("%s: %w", name, e)
			}
		}
	})
	return err
}

func newLogger(c *config) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch c.logFormat {
	case "text":
		return slog.New(slog.NewTextHandler(os.Stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(os.Stderr, opts)), nil
	}
	return nil, fmt.Errorf("--log-format must be text or json, not %q", c.logFormat)
}

// resolveID returns the node ID, recording it in the data dir the first
// time: a data dir belongs to one node, and starting it under another ID
// would leave that node outside its own Raft configuration.
func resolveID(dataDir, flagID string) (string, error) {
	path := filepath.Join(dataDir, "node-id")
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		stored := strings.TrimSpace(string(b))
		if flagID != "" && flagID != stored {
			return "", fmt.Errorf("data dir %s belongs to node %q, not %q", dataDir, stored, flagID)
		}
		return stored, nil
	case !errors.Is(err, os.ErrNotExist):
		return "", fmt.Errorf("read node id: %w", err)
	}
	if flagID == "" {
		flagID = "node1"
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return "", fmt.Errorf("create data dir: %w", err)
	}
	if err := os.WriteFile(path, []byte(flagID+"\n"), 0o644); err != nil {
		return "", fmt.Errorf("write node id: %w", err)
	}
	return flagID, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func serve(ctx context.Context, c *config) error {
	log := c.log
	if log == nil {
		var err error
		if log, err = newLogger(c); err != nil {
			return err
		}
	}
	id, err := resolveID(c.dataDir, c.id)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	advertise := c.advertise
	if advertise == "" {
		advertise = ln.Addr().String()
	}
	ccfg := cluster.Config{
		ID: id, RaftAddr: c.raftListen, RaftAdvertise: c.raftAdvertise, RESPAddr: advertise, DataDir: c.dataDir,
		JoinAddrs: splitList(c.join), BootstrapExpect: c.bootstrapExpect, NonVoter: c.nonVoter,
		SnapshotThreshold: c.snapshotThreshold, SnapshotInterval: c.snapshotInterval,
		WriteTimeout: c.writeTimeout, MaxStaleness: c.maxStaleness, ElectionTimeout: c.electionTimeout,
		Logger: log,
	}
	// The HTTP port is taken before Raft starts, like the RESP port, so a
	// port conflict fails the start instead of leaving a node without probes.
	var httpLn net.Listener
	var mtr *metrics.Metrics
	if c.httpListen != "" {
		if httpLn, err = net.Listen("tcp", c.httpListen); err != nil {
			ln.Close()
			return fmt.Errorf("http listen: %w", err)
		}
		mtr = metrics.New()
		ccfg.Observer = mtr
	}
	store := fsm.NewStore()
	node, err := cluster.Open(ccfg, store)
	if err != nil {
		ln.Close()
		if httpLn != nil {
			httpLn.Close()
		}
		return err
	}
	_, portStr, _ := net.SplitHostPort(ln.Addr().String())
	port, _ := strconv.Atoi(portStr)
	srv := resp.NewServer(resp.Config{
		RequirePass: c.requirePass, MaxBulkLen: c.maxBulkLen, Port: port, DataDir: c.dataDir, NodeID: id, Logger: log,
	}, store, node)
	log.Info("redraft listening", "id", id, "addr", ln.Addr().String(), "raft", c.raftListen, "data_dir", c.dataDir, "version", resp.Version)
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	var hs *httpd.Server
	if httpLn != nil {
		mtr.Watch(node, store, srv)
		hs = httpd.New(node, mtr.Handler(log), log)
		log.Info("http listening", "addr", httpLn.Addr().String())
		go func() { errc <- hs.Serve(httpLn) }()
	}

	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case err = <-errc:
		log.Error("server stopped", "err", err)
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if e := srv.Shutdown(sctx); e != nil {
		log.Warn("connections did not finish in time", "err", e)
	}
	if e := node.Close(); e != nil {
		log.Warn("raft shutdown", "err", e)
	}
	// HTTP stops last: while the node closes, /readyz says so and
	// /metrics can still be scraped.
	if hs != nil {
		if e := hs.Shutdown(sctx); e != nil {
			log.Warn("http requests did not finish in time", "err", e)
		}
	}
	log.Info("stopped")
	return err
}
