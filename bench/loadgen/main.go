// Command loadgen is a small redis-benchmark substitute for what
// redis-benchmark cannot do: read through connections that sent READONLY
// first. bench/cluster.sh uses it to measure GET on every target with the
// same client, so the READONLY row compares with the others.
//
//	go run ./bench/loadgen -addr 127.0.0.1:6379 -c 50 -n 100000 -P 16 -t get -readonly
//
// It opens -c connections (each sends READONLY on connect when -readonly is
// set, and fails if the server refuses it), then shares -n requests among
// them, -P per round trip, on keys "key:%012d" drawn from -r (the names
// redis-benchmark -r uses, so a preceding redis-benchmark SET run has filled
// them). It prints redis-benchmark's --csv format: a header, then one line
// per test with the requests per second. Errors of any request (a missing
// key is not one, but the share of missing keys is reported on stderr) are
// counted; if any occurred, the test is reported on stderr and the command
// exits 1. -fill sets every key of -r instead. The whole run is bounded by
// -timeout.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6379", "server address")
	clients := flag.Int("c", 50, "parallel connections")
	requests := flag.Int("n", 100000, "requests per test")
	pipeline := flag.Int("P", 1, "requests per round trip (pipeline depth)")
	keyspace := flag.Int("r", 100000, "number of distinct keys (key:%012d, as redis-benchmark -r)")
	size := flag.Int("d", 3, "SET value size in bytes (redis-benchmark's default is 3)")
	tests := flag.String("t", "get", "comma-separated tests: get, set")
	readonly := flag.Bool("readonly", false, "send READONLY on every connection before using it")
	fill := flag.Bool("fill", false, "instead of a test, SET every key of -r once (values of -d bytes), -P per round trip")
	timeout := flag.Duration("timeout", 60*time.Second, "bound on the whole run")
	flag.Parse()
	if *clients < 1 || *requests < 1 || *pipeline < 1 || *keyspace < 1 {
		fmt.Fprintln(os.Stderr, "loadgen: -c, -n, -P and -r must be positive")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()

	opts := &redis.Options{
		Addr:            *addr,
		Protocol:        2, // as redis-benchmark
		DisableIdentity: true,
		PoolSize:        *clients,
		MaxRetries:      -1, // an error is reported, not hidden by a retry
		DialTimeout:     5 * time.Second,
		ReadTimeout:     30 * time.Second,
		WriteTimeout:    30 * time.Second,
		// Cancel a blocked request when the run's deadline passes.
		ContextTimeoutEnabled: true,
	}
	if *readonly {
		opts.OnConnect = func(ctx context.Context, cn *redis.Conn) error {
			return cn.Do(ctx, "READONLY").Err()
		}
	}
	rdb := redis.NewClient(opts)
	defer rdb.Close()

	// One dedicated connection per worker, opened (and READONLY sent)
	// before the clock starts.
	conns := make([]*redis.Conn, *clients)
	for i := range conns {
		conns[i] = rdb.Conn()
		defer conns[i].Close()
		if err := conns[i].Ping(ctx).Err(); err != nil {
			fmt.Fprintf(os.Stderr, "loadgen: connection %d to %s: %v\n", i, *addr, err)
			os.Exit(1)
		}
	}

	value := strings.Repeat("x", *size)
	if *fill {
		start := time.Now()
		if err := fillKeys(ctx, conns, *keyspace, *pipeline, value); err != nil {
			fmt.Fprintf(os.Stderr, "loadgen: filling %s: %v\n", *addr, err)
			os.Exit(1)
		}
		fmt.Fprintf(os.Stderr, "loadgen: filled %d keys on %s in %s\n", *keyspace, *addr, time.Since(start).Round(time.Millisecond))
		return
	}
	fmt.Println(`"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"`)
	failed := false
	for _, t := range strings.Split(*tests, ",") {
		t = strings.ToUpper(strings.TrimSpace(t))
		if t != "GET" && t != "SET" {
			fmt.Fprintf(os.Stderr, "loadgen: unknown test %q (get, set)\n", t)
			os.Exit(2)
		}
		rps, misses, errs, firstErr := run(ctx, conns, t, *requests, *pipeline, *keyspace, value)
		if errs > 0 {
			fmt.Fprintf(os.Stderr, "loadgen: %s on %s: %d errors, first: %v\n", t, *addr, errs, firstErr)
			failed = true
			continue
		}
		if t == "GET" {
			fmt.Fprintf(os.Stderr, "loadgen: GET on %s: %.1f%% of the keys missing\n", *addr, 100*float64(misses)/float64(*requests))
		}
		// Latencies are not measured; the columns keep redis-benchmark's layout.
		fmt.Printf("\"%s\",\"%.2f\",\"0\",\"0\",\"0\",\"0\",\"0\",\"0\"\n", t, rps)
	}
	if failed {
		os.Exit(1)
	}
}

// fillKeys sets key:0 ... key:keyspace-1 once, the connections taking
// pipeline keys at a time.
func fillKeys(ctx context.Context, conns []*redis.Conn, keyspace, pipeline int, value string) error {
	var next atomic.Int64
	errs := make(chan error, len(conns))
	var wg sync.WaitGroup
	for _, cn := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				from := int(next.Add(int64(pipeline))) - pipeline
				if from >= keyspace {
					return
				}
				to := min(from+pipeline, keyspace)
				_, err := cn.Pipelined(ctx, func(p redis.Pipeliner) error {
					for k := from; k < to; k++ {
						p.Set(ctx, fmt.Sprintf("key:%012d", k), value, 0)
					}
					return nil
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}

// run shares n requests among the connections and returns the requests per
// second, the number of missing keys (GET), the number of failed requests
// and the first error.
func run(ctx context.Context, conns []*redis.Conn, test string, n, pipeline, keyspace int, value string) (float64, int64, int64, error) {
	var remaining atomic.Int64
	var misses atomic.Int64
	remaining.Store(int64(n))
	var errs atomic.Int64
	var firstErr error
	var errOnce sync.Once
	fail := func(err error, count int64) {
		errs.Add(count)
		errOnce.Do(func() { firstErr = err })
	}
	start := time.Now()
	var wg sync.WaitGroup
	for _, cn := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
			key := func() string { return fmt.Sprintf("key:%012d", rng.IntN(keyspace)) }
			for {
				batch := int64(pipeline)
				left := remaining.Add(-batch)
				if left <= -batch {
					return
				}
				if left < 0 {
					batch += left
				}
				if ctx.Err() != nil {
					fail(ctx.Err(), batch)
					return
				}
				if batch == 1 {
					var err error
					if test == "GET" {
						err = cn.Get(ctx, key()).Err()
					} else {
						err = cn.Set(ctx, key(), value, 0).Err()
					}
					if errors.Is(err, redis.Nil) {
						misses.Add(1)
					} else if err != nil {
						fail(err, 1)
					}
					continue
				}
				cmds, err := cn.Pipelined(ctx, func(p redis.Pipeliner) error {
					for range batch {
						if test == "GET" {
							p.Get(ctx, key())
						} else {
							p.Set(ctx, key(), value, 0)
						}
					}
					return nil
				})
				if len(cmds) == 0 && err != nil {
					fail(err, batch)
					continue
				}
				for _, c := range cmds { // Pipelined's error is one of these
					if e := c.Err(); errors.Is(e, redis.Nil) {
						misses.Add(1)
					} else if e != nil {
						fail(e, 1)
					}
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	return float64(n) / elapsed, misses.Load(), errs.Load(), firstErr
}
