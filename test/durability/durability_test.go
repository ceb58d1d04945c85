// Package durability checks that every write a Redraft node acknowledged
// survives a crash (SIGKILL) and a restart on the same data directory, both
// when the state comes back from the log alone and from a snapshot plus the
// log written after it.
package durability

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redraft/redraft/internal/testutil"
)

func TestMain(m *testing.M) { os.Exit(testutil.Main(m)) }

const (
	writers     = 8
	totalWrites = 2000
)

// ledger records what the node acknowledged.
type ledger struct {
	mu      sync.Mutex
	acked   map[string]string // key -> value of an acknowledged SET
	incrs   atomic.Int64      // acknowledged INCRs of the counter
	unknown atomic.Int64      // INCRs whose outcome is unknown (error or cut off by the kill)
	hashes  map[string]bool   // acknowledged HSET fields of the hash
	listLen atomic.Int64      // acknowledged RPUSHes
	listUnk atomic.Int64      // RPUSHes with unknown outcome
	setsLen atomic.Int64      // acknowledged total SETs
}

func newLedger() *ledger {
	return &ledger{acked: map[string]string{}, hashes: map[string]bool{}}
}

// writeLoad runs writers concurrent clients that each issue SET, INCR,
// HSET and RPUSH commands until stop is closed or the quota of writes is
// used up. Every acknowledged write is recorded in l. It returns when all
// writers are done.
func writeLoad(ctx context.Context, t *testing.T, addr string, l *ledger, round string, quota int64, stop <-chan struct{}) {
	t.Helper()
	var issued atomic.Int64
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: 2 * time.Second, ReadTimeout: 10 * time.Second})
			defer c.Close()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if issued.Add(1) > quota {
					return
				}
				key := fmt.Sprintf("%s:w%d:k%d", round, w, i)
				val := fmt.Sprintf("v-%s-%d-%d", round, w, i)
				if err := c.Set(ctx, key, val, 0).Err(); err == nil {
					l.mu.Lock()
					l.acked[key] = val
					l.mu.Unlock()
					l.setsLen.Add(1)
				}
				switch i % 4 {
				case 0:
					if err := c.Incr(ctx, "counter").Err(); err == nil {
						l.incrs.Add(1)
					} else {
						l.unknown.Add(1)
					}
				case 1:
					field := fmt.Sprintf("%s:%d:%d", round, w, i)
					if err := c.HSet(ctx, "hash", field, i).Err(); err == nil {
						l.mu.Lock()
						l.hashes[field] = true
						l.mu.Unlock()
					}
				case 2:
					if err := c.RPush(ctx, "list", key).Err(); err == nil {
						l.listLen.Add(1)
					} else {
						l.listUnk.Add(1)
					}
				}
			}
		}()
	}
	wg.Wait()
}

// verify checks every acknowledged write against the node at addr.
func verify(ctx context.Context, t *testing.T, addr string, l *ledger) {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	l.mu.Lock()
	defer l.mu.Unlock()
	keys := make([]string, 0, len(l.acked))
	for k := range l.acked {
		keys = append(keys, k)
	}
	missing := 0
	for start := 0; start < len(keys); start += 500 {
		batch := keys[start:min(start+500, len(keys))]
		vals, err := c.MGet(ctx, batch...).Result()
		if err != nil {
			t.Fatalf("MGET after restart: %v", err)
		}
		for i, k := range batch {
			if vals[i] != l.acked[k] {
				missing++
				if missing <= 10 {
					t.Errorf("acknowledged SET %s = %q lost: after restart the key holds %v", k, l.acked[k], vals[i])
				}
			}
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d acknowledged SETs lost", missing, len(keys))
	}

	got, err := c.Get(ctx, "counter").Int64()
	if err != nil && !errors.Is(err, redis.Nil) {
		t.Fatalf("GET counter: %v", err)
	}
	acked, unknown := l.incrs.Load(), l.unknown.Load()
	if got < acked || got > acked+unknown {
		t.Errorf("counter = %d after restart, want between %d (acknowledged INCRs) and %d (+ INCRs with unknown outcome)", got, acked, acked+unknown)
	}

	fields, err := c.HGetAll(ctx, "hash").Result()
	if err != nil {
		t.Fatalf("HGETALL: %v", err)
	}
	lostFields := 0
	for f := range l.hashes {
		if _, ok := fields[f]; !ok {
			lostFields++
		}
	}
	if lostFields > 0 {
		t.Errorf("%d of %d acknowledged HSET fields lost", lostFields, len(l.hashes))
	}

	n, err := c.LLen(ctx, "list").Result()
	if err != nil {
		t.Fatalf("LLEN: %v", err)
	}
	if la, lu := l.listLen.Load(), l.listUnk.Load(); n < la || n > la+lu {
		t.Errorf("list length = %d after restart, want between %d and %d", n, la, la+lu)
	}
	t.Logf("verified %d SETs, counter %d (%d acked INCRs, %d unknown), %d hash fields, list of %d",
		len(keys), got, acked, unknown, len(l.hashes), n)
}

// loadThenKill writes the full quota, then kills the node: every write has
// been answered before the kill.
func loadThenKill(ctx context.Context, t *testing.T, node *testutil.Node, l *ledger, round string) {
	t.Helper()
	writeLoad(ctx, t, node.Addr(), l, round, totalWrites, nil)
	if l.setsLen.Load() == 0 {
		t.Fatal("no write was acknowledged")
	}
	node.Kill9()
}

// killDuringLoad kills the node while the writers are still running, after
// at least half the quota has been acknowledged.
func killDuringLoad(ctx context.Context, t *testing.T, node *testutil.Node, l *ledger, round string) {
	t.Helper()
	before := l.setsLen.Load()
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		writeLoad(ctx, t, node.Addr(), l, round, 1<<40, stop)
	}()
	deadline := time.Now().Add(2 * time.Minute)
	for l.setsLen.Load()-before < totalWrites/2 {
		if time.Now().After(deadline) {
			close(stop)
			<-done
			t.Fatalf("only %d writes acknowledged within 2 minutes", l.setsLen.Load()-before)
		}
		time.Sleep(5 * time.Millisecond)
	}
	node.Kill9()
	close(stop)
	<-done
}

func TestDurabilityKill9(t *testing.T) {
	ctx := context.Background()
	node := testutil.StartRedraft(t, testutil.Options{})
	l := newLedger()

	loadThenKill(ctx, t, node, l, "r1")
	node.Restart()
	verify(ctx, t, node.Addr(), l)

	// Crash in the middle of a write load: acknowledged writes still survive,
	// and unanswered ones may or may not.
	killDuringLoad(ctx, t, node, l, "r2")
	node.Restart()
	verify(ctx, t, node.Addr(), l)

	// A clean restart keeps everything too.
	node.Restart()
	verify(ctx, t, node.Addr(), l)
}

// snapshotFiles lists the files under the data directory's snapshots/.
func snapshotFiles(dir string) []string {
	var files []string
	_ = filepath.WalkDir(filepath.Join(dir, "snapshots"), func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, path)
		}
		return nil
	})
	return files
}

// forceSnapshot asks the node for a snapshot with RAFT SNAPSHOT; if the node
// has no such command it relies on the low --snapshot-threshold. Either way
// it waits until a snapshot file that did not exist before appears under the
// data directory.
func forceSnapshot(ctx context.Context, t *testing.T, node *testutil.Node) {
	t.Helper()
	before := map[string]bool{}
	for _, f := range snapshotFiles(node.DataDir()) {
		before[f] = true
	}
	isNew := func() bool {
		for _, f := range snapshotFiles(node.DataDir()) {
			if !before[f] {
				return true
			}
		}
		return false
	}
	c := redis.NewClient(&redis.Options{Addr: node.Addr()})
	defer c.Close()
	if err := c.Do(ctx, "RAFT", "SNAPSHOT").Err(); err != nil {
		t.Logf("RAFT SNAPSHOT: %v; relying on --snapshot-threshold", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for !isNew() {
		if time.Now().After(deadline) {
			t.Fatalf("no new snapshot file under %s within 30s", filepath.Join(node.DataDir(), "snapshots"))
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("snapshot files: %v", snapshotFiles(node.DataDir()))
}

func TestDurabilityKill9AfterSnapshot(t *testing.T) {
	ctx := context.Background()
	node := testutil.StartRedraft(t, testutil.Options{SnapshotThreshold: 100, SnapshotInterval: time.Second})
	l := newLedger()

	// Writes before the snapshot, the snapshot, then more writes that only
	// the log holds.
	writeLoad(ctx, t, node.Addr(), l, "pre", totalWrites, nil)
	forceSnapshot(ctx, t, node)
	writeLoad(ctx, t, node.Addr(), l, "post", totalWrites/4, nil)
	node.Kill9()
	node.Restart()
	verify(ctx, t, node.Addr(), l)

	// Crash mid-load after a restore from snapshot, then restart again.
	killDuringLoad(ctx, t, node, l, "mid")
	node.Restart()
	verify(ctx, t, node.Addr(), l)

	// Deletions and overwrites must survive too (not just additions).
	c := redis.NewClient(&redis.Options{Addr: node.Addr()})
	for i := range 50 {
		key := "pre:w0:k" + strconv.Itoa(i)
		l.mu.Lock()
		_, had := l.acked[key]
		l.mu.Unlock()
		if !had {
			continue
		}
		if i%2 == 0 {
			if err := c.Del(ctx, key).Err(); err != nil {
				t.Fatal(err)
			}
			l.mu.Lock()
			delete(l.acked, key)
			l.mu.Unlock()
		} else if err := c.Set(ctx, key, "overwritten", 0).Err(); err != nil {
			t.Fatal(err)
		} else {
			l.mu.Lock()
			l.acked[key] = "overwritten"
			l.mu.Unlock()
		}
	}
	c.Close()
	// Enough further writes to pass the snapshot threshold even without
	// RAFT SNAPSHOT, then a new snapshot that holds the deletions.
	writeLoad(ctx, t, node.Addr(), l, "late", 400, nil)
	forceSnapshot(ctx, t, node)
	node.Kill9()
	node.Restart()
	verify(ctx, t, node.Addr(), l)
	c = redis.NewClient(&redis.Options{Addr: node.Addr()})
	defer c.Close()
	for i := 0; i < 50; i += 2 {
		if n := c.Exists(ctx, "pre:w0:k"+strconv.Itoa(i)).Val(); n != 0 {
			t.Errorf("deleted key pre:w0:k%d exists after restart", i)
		}
	}
}
