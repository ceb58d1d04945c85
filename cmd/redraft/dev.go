package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// runDev starts a local cluster in one process: node i listens for clients
// on port+i-1 and for Raft on raft-port+i-1, with its data in
// data-dir/node<i>. The nodes bootstrap together the first time and resume
// afterwards.
func runDev(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("redraft dev", flag.ContinueOnError)
	fs.SetOutput(stderr)
	nodes := fs.Int("nodes", 3, "number of nodes (1-7)")
	port := fs.Int("port", 6379, "client port of the first node; the others use the next ones")
	raftPort := fs.Int("raft-port", 7379, "Raft port of the first node; the others use the next ones")
	host := fs.String("host", "127.0.0.1", "address every node listens on")
	dataDir := fs.String("data-dir", "./redraft-dev", "directory holding one data dir per node")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn, error")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if *nodes < 1 || *nodes > 7 {
		return fmt.Errorf("--nodes must be between 1 and 7, not %d", *nodes)
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	base := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	var raftAddrs []string
	for i := range *nodes {
		raftAddrs = append(raftAddrs, net.JoinHostPort(*host, strconv.Itoa(*raftPort+i)))
	}
	configs := make([]*config, *nodes)
	for i := range *nodes {
		id := "node" + strconv.Itoa(i+1)
		configs[i] = &config{
			id: id, listen: net.JoinHostPort(*host, strconv.Itoa(*port+i)), raftListen: raftAddrs[i],
			dataDir: filepath.Join(*dataDir, id), join: strings.Join(raftAddrs, ","), bootstrapExpect: *nodes,
			maxBulkLen: 512 << 20, snapshotThreshold: 8192, snapshotInterval: 30 * time.Second,
			writeTimeout: 10 * time.Second, maxStaleness: 5 * time.Second, electionTimeout: time.Second,
			log: base.With("node", id),
		}
		if *nodes == 1 {
			configs[i].join, configs[i].bootstrapExpect = "", 0
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	for i, c := range configs {
		fmt.Fprintf(stdout, "%s: redis-cli -p %d   (raft %s, data %s)\n", c.id, *port+i, c.raftListen, c.dataDir)
	}
	errs := make([]error, len(configs))
	var wg sync.WaitGroup
	for i, c := range configs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if errs[i] = serve(ctx, c); errs[i] != nil {
				stop() // one node failing to start stops the others
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
