// Package clients runs real client libraries against a Redraft node.
package clients

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redraft/redraft/internal/testutil"
)

func TestMain(m *testing.M) { os.Exit(testutil.Main(m)) }

// goRedisCases are run once with RESP2 and once with RESP3, each on an
// emptied database.
var goRedisCases = []struct {
	name string
	fn   func(t *testing.T, ctx context.Context, c *redis.Client)
}{
	{"strings", testStrings},
	{"expiry", testExpiry},
	{"keys", testKeys},
	{"scan iterator", testScanIterator},
	{"lists", testLists},
	{"hashes", testHashes},
	{"sets", testSets},
	{"sorted sets", testSortedSets},
	{"pipeline", testPipeline},
	{"transaction pipeline", testTxPipeline},
	{"watch", testWatch},
	{"watch concurrent increments", testWatchConcurrent},
	{"errors", testErrors},
	{"select db", testSelectDB},
	{"pubsub", testPubSub},
}

// startServer starts the server under test: a Redraft node, or
// redis-server when REDRAFT_CLIENTS_TARGET=redis (to check the tests
// themselves against the reference).
func startServer(t *testing.T, password string) string {
	t.Helper()
	if os.Getenv("REDRAFT_CLIENTS_TARGET") == "redis" {
		return startRedis(t, password)
	}
	return testutil.StartRedraft(t, testutil.Options{RequirePass: password}).Addr()
}

func startRedis(t *testing.T, password string) string {
	t.Helper()
	if password != "" {
		return testutil.StartRedis(t, "--requirepass", password).Addr()
	}
	return testutil.StartRedis(t).Addr()
}

// follower is a follower of a three-node Redraft cluster (testutil's
// StartCluster: three processes on free loopback ports that bootstrap
// together), the client's target in the *Follower tests: every command,
// writes, MULTI/EXEC and WATCH included, must behave there as on the
// leader. With REDRAFT_CLIENTS_TARGET=redis those tests run against a
// redis-server instead, like the others.
type follower struct {
	c     *testutil.Cluster // nil against redis-server
	index int
	addr  string
}

func startFollower(t *testing.T, password string) *follower {
	t.Helper()
	if os.Getenv("REDRAFT_CLIENTS_TARGET") == "redis" {
		return &follower{addr: startRedis(t, password)}
	}
	c := testutil.StartCluster(t, testutil.ClusterOptions{RequirePass: password})
	i := c.Followers()[0]
	return &follower{c: c, index: i, addr: c.Node(i).Addr()}
}

// ensureFollower makes sure the target is still a follower before a case
// runs: should an election (e.g. on a loaded machine) have made it the
// leader, leadership is handed to another node first, so that every case
// does exercise the forwarding path. It uses the node's error-returning
// methods (not the Cluster's, which fail the cluster's test), so that it
// can run in a subtest; bounded by 30s.
func (f *follower) ensureFollower(t *testing.T) {
	t.Helper()
	if f.c == nil {
		return
	}
	n := f.c.Node(f.index)
	deadline := time.Now().Add(30 * time.Second)
	var lastTransfer time.Time
	for {
		leader, err := n.RaftLeader()
		if err == nil && leader != "" && leader != n.ID() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not become a follower of another node within 30s (RAFT LEADER: %q, %v)", n, leader, err)
		}
		if err == nil && leader == n.ID() && time.Since(lastTransfer) > 5*time.Second {
			lastTransfer = time.Now()
			if v, err := n.Do("RAFT", "TRANSFER-LEADERSHIP"); err != nil || v.Type == '-' {
				t.Logf("RAFT TRANSFER-LEADERSHIP on %s: %v %v", n.ID(), v, err)
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	if role, err := n.Role(); err != nil || role != "slave" {
		t.Fatalf("INFO replication of the target follower %s: role %q, %v", n.ID(), role, err)
	}
}

func TestGoRedis(t *testing.T) {
	runGoRedisCases(t, startServer(t, ""), nil)
}

// TestGoRedisFollower runs every case of TestGoRedis through a follower.
func TestGoRedisFollower(t *testing.T) {
	f := startFollower(t, "")
	runGoRedisCases(t, f.addr, f.ensureFollower)
}

func runGoRedisCases(t *testing.T, addr string, before func(*testing.T)) {
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			for _, tc := range goRedisCases {
				t.Run(tc.name, func(t *testing.T) {
					if before != nil {
						before(t)
					}
					ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
					defer cancel()
					c := redis.NewClient(&redis.Options{Addr: addr, Protocol: proto})
					defer c.Close()
					must(t, c.FlushAll(ctx).Err())
					tc.fn(t, ctx, c)
				})
			}
		})
	}
}

func TestGoRedisRequirePass(t *testing.T) {
	testRequirePass(t, startServer(t, "s3cret"))
}

// TestGoRedisRequirePassFollower: AUTH on a follower (the password is
// checked by the node the client is connected to).
func TestGoRedisRequirePassFollower(t *testing.T) {
	f := startFollower(t, "s3cret")
	f.ensureFollower(t)
	testRequirePass(t, f.addr)
}

func testRequirePass(t *testing.T, addr string) {
	ctx := context.Background()
	for _, proto := range []int{2, 3} {
		bad := redis.NewClient(&redis.Options{Addr: addr, Protocol: proto, MaxRetries: -1})
		err := bad.Set(ctx, "k", "v", 0).Err()
		bad.Close()
		if err == nil {
			t.Fatalf("RESP%d: SET without a password succeeded", proto)
		}
		wrong := redis.NewClient(&redis.Options{Addr: addr, Protocol: proto, Password: "nope", MaxRetries: -1})
		err = wrong.Ping(ctx).Err()
		wrong.Close()
		if err == nil {
			t.Fatalf("RESP%d: PING with a wrong password succeeded", proto)
		}
		good := redis.NewClient(&redis.Options{Addr: addr, Protocol: proto, Password: "s3cret"})
		must(t, good.Set(ctx, "k", "v"+strconv.Itoa(proto), 0).Err())
		eq(t, "GET", good.Get(ctx, "k").Val(), "v"+strconv.Itoa(proto))
		good.Close()
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func eq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
}

func eqSlice[T comparable](t *testing.T, what string, got, want []T) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	return s
}

func isNil(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, redis.Nil) {
		t.Fatalf("%s: err = %v, want redis.Nil", what, err)
	}
}

func testStrings(t *testing.T, ctx context.Context, c *redis.Client) {
	must(t, c.Set(ctx, "s", "hello", 0).Err())
	eq(t, "GET", c.Get(ctx, "s").Val(), "hello")
	_, err := c.Get(ctx, "missing").Result()
	isNil(t, "GET missing", err)

	eq(t, "SETNX existing", c.SetNX(ctx, "s", "x", 0).Val(), false)
	eq(t, "SETNX new", c.SetNX(ctx, "s2", "x", 0).Val(), true)
	eq(t, "SET XX missing", c.SetXX(ctx, "nope", "x", 0).Val(), false)

	eq(t, "APPEND", c.Append(ctx, "s", " world").Val(), int64(11))
	eq(t, "STRLEN", c.StrLen(ctx, "s").Val(), int64(11))
	eq(t, "GETRANGE", c.GetRange(ctx, "s", 0, 4).Val(), "hello")
	eq(t, "GETRANGE neg", c.GetRange(ctx, "s", -5, -1).Val(), "world")
	eq(t, "SETRANGE", c.SetRange(ctx, "s", 6, "WORLD").Val(), int64(11))
	eq(t, "GET after SETRANGE", c.Get(ctx, "s").Val(), "hello WORLD")

	eq(t, "INCR", c.Incr(ctx, "n").Val(), int64(1))
	eq(t, "INCRBY", c.IncrBy(ctx, "n", 41).Val(), int64(42))
	eq(t, "DECR", c.Decr(ctx, "n").Val(), int64(41))
	eq(t, "DECRBY", c.DecrBy(ctx, "n", 40).Val(), int64(1))
	eq(t, "INCRBYFLOAT", c.IncrByFloat(ctx, "f", 10.5).Val(), 10.5)
	eq(t, "INCRBYFLOAT", c.IncrByFloat(ctx, "f", 0.1).Val(), 10.6)
	eq(t, "GET float", c.Get(ctx, "f").Val(), "10.6")
	if err := c.Incr(ctx, "s").Err(); err == nil || err.Error() != "ERR value is not an integer or out of range" {
		t.Fatalf("INCR on a non-integer: %v", err)
	}

	must(t, c.MSet(ctx, "a", "1", "b", "2", "c", "3").Err())
	vals, err := c.MGet(ctx, "a", "b", "missing", "c").Result()
	must(t, err)
	if len(vals) != 4 || vals[0] != "1" || vals[1] != "2" || vals[2] != nil || vals[3] != "3" {
		t.Fatalf("MGET = %#v", vals)
	}
	eq(t, "MSETNX", c.MSetNX(ctx, "a", "x", "z", "y").Val(), false)
	eq(t, "EXISTS z", c.Exists(ctx, "z").Val(), int64(0))

	eq(t, "GETSET", c.GetSet(ctx, "a", "one").Val(), "1")
	eq(t, "GETDEL", c.GetDel(ctx, "a").Val(), "one")
	eq(t, "EXISTS after GETDEL", c.Exists(ctx, "a").Val(), int64(0))

	prev, err := c.SetArgs(ctx, "b", "two", redis.SetArgs{Get: true}).Result()
	must(t, err)
	eq(t, "SET GET", prev, "2")

	bin := "a\x00b\xff\r\n"
	must(t, c.Set(ctx, "bin", bin, 0).Err())
	eq(t, "binary GET", c.Get(ctx, "bin").Val(), bin)
	big := string(make([]byte, 1<<20))
	must(t, c.Set(ctx, "big", big, 0).Err())
	eq(t, "big STRLEN", c.StrLen(ctx, "big").Val(), int64(1<<20))
}

func testExpiry(t *testing.T, ctx context.Context, c *redis.Client) {
	must(t, c.Set(ctx, "k", "v", 100*time.Second).Err())
	ttl := c.TTL(ctx, "k").Val()
	if ttl <= 90*time.Second || ttl > 100*time.Second {
		t.Fatalf("TTL after SET EX 100 = %v", ttl)
	}
	pttl := c.PTTL(ctx, "k").Val()
	if pttl <= 90*time.Second || pttl > 100*time.Second {
		t.Fatalf("PTTL after SET EX 100 = %v", pttl)
	}
	eq(t, "PERSIST", c.Persist(ctx, "k").Val(), true)
	eq(t, "TTL after PERSIST", c.TTL(ctx, "k").Val(), time.Duration(-1))
	eq(t, "TTL missing", c.TTL(ctx, "missing").Val(), time.Duration(-2))

	at := time.Unix(4102444800, 0)
	eq(t, "EXPIREAT", c.ExpireAt(ctx, "k", at).Val(), true)
	eq(t, "EXPIRETIME", c.ExpireTime(ctx, "k").Val(), 4102444800*time.Second)
	eq(t, "EXPIRE NX on a volatile key", c.ExpireNX(ctx, "k", time.Hour).Val(), false)
	eq(t, "EXPIRE LT", c.ExpireLT(ctx, "k", time.Hour).Val(), true)
	eq(t, "EXPIRE GT smaller", c.ExpireGT(ctx, "k", time.Minute).Val(), false)

	must(t, c.SetArgs(ctx, "k", "v2", redis.SetArgs{KeepTTL: true}).Err())
	if ttl := c.TTL(ctx, "k").Val(); ttl < 59*time.Minute {
		t.Fatalf("TTL after SET KEEPTTL = %v", ttl)
	}
	v, err := c.GetEx(ctx, "k", 0).Result()
	must(t, err)
	eq(t, "GETEX", v, "v2")

	// A short TTL really expires.
	must(t, c.Set(ctx, "short", "v", 0).Err())
	eq(t, "PEXPIRE", c.PExpire(ctx, "short", 150*time.Millisecond).Val(), true)
	deadline := time.Now().Add(5 * time.Second)
	for c.Exists(ctx, "short").Val() == 1 {
		if time.Now().After(deadline) {
			t.Fatal("key with a 150ms TTL still exists after 5s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	_, err = c.Get(ctx, "short").Result()
	isNil(t, "GET expired", err)
	eq(t, "EXPIRE 0 deletes", c.Set(ctx, "gone", "v", 0).Err() == nil && c.Expire(ctx, "gone", 0).Val(), true)
	eq(t, "EXISTS after EXPIRE 0", c.Exists(ctx, "gone").Val(), int64(0))
}

func testKeys(t *testing.T, ctx context.Context, c *redis.Client) {
	must(t, c.MSet(ctx, "k1", "1", "k2", "2", "other", "3").Err())
	must(t, c.RPush(ctx, "list", "a").Err())
	eq(t, "DBSIZE", c.DBSize(ctx).Val(), int64(4))
	eqSlice(t, "KEYS k*", sorted(c.Keys(ctx, "k*").Val()), []string{"k1", "k2"})
	eq(t, "EXISTS", c.Exists(ctx, "k1", "k2", "nope", "k1").Val(), int64(3))
	eq(t, "TYPE string", c.Type(ctx, "k1").Val(), "string")
	eq(t, "TYPE list", c.Type(ctx, "list").Val(), "list")
	eq(t, "TYPE none", c.Type(ctx, "nope").Val(), "none")
	must(t, c.Rename(ctx, "k1", "k3").Err())
	eq(t, "GET renamed", c.Get(ctx, "k3").Val(), "1")
	eq(t, "RENAMENX onto existing", c.RenameNX(ctx, "k3", "k2").Val(), false)
	if err := c.Rename(ctx, "nope", "x").Err(); err == nil || err.Error() != "ERR no such key" {
		t.Fatalf("RENAME missing: %v", err)
	}
	eq(t, "COPY", c.Copy(ctx, "k3", "k4", 0, false).Val(), int64(1))
	eq(t, "COPY onto existing", c.Copy(ctx, "k3", "k4", 0, false).Val(), int64(0))
	eq(t, "COPY REPLACE", c.Copy(ctx, "k2", "k4", 0, true).Val(), int64(1))
	eq(t, "GET copy", c.Get(ctx, "k4").Val(), "2")
	eq(t, "DEL", c.Del(ctx, "k2", "k3", "nope").Val(), int64(2))
	eq(t, "UNLINK", c.Unlink(ctx, "k4").Val(), int64(1))
	if k := c.RandomKey(ctx).Val(); k != "other" && k != "list" {
		t.Fatalf("RANDOMKEY = %q", k)
	}
	must(t, c.FlushDB(ctx).Err())
	eq(t, "DBSIZE after FLUSHDB", c.DBSize(ctx).Val(), int64(0))
	_, err := c.RandomKey(ctx).Result()
	isNil(t, "RANDOMKEY on an empty db", err)
}

func testScanIterator(t *testing.T, ctx context.Context, c *redis.Client) {
	want := map[string]bool{}
	pipe := c.Pipeline()
	for i := range 500 {
		k := fmt.Sprintf("key:%03d", i)
		want[k] = true
		pipe.Set(ctx, k, i, 0)
	}
	pipe.RPush(ctx, "a-list", "x")
	_, err := pipe.Exec(ctx)
	must(t, err)

	seen := map[string]bool{}
	it := c.Scan(ctx, 0, "key:*", 50).Iterator()
	for it.Next(ctx) {
		seen[it.Val()] = true
	}
	must(t, it.Err())
	if len(seen) != len(want) {
		t.Fatalf("SCAN MATCH key:* found %d keys, want %d", len(seen), len(want))
	}
	for k := range want {
		if !seen[k] {
			t.Fatalf("SCAN missed %s", k)
		}
	}
	var lists []string
	it = c.ScanType(ctx, 0, "", 100, "list").Iterator()
	for it.Next(ctx) {
		lists = append(lists, it.Val())
	}
	must(t, it.Err())
	eqSlice(t, "SCAN TYPE list", lists, []string{"a-list"})
}

func testLists(t *testing.T, ctx context.Context, c *redis.Client) {
	eq(t, "RPUSH", c.RPush(ctx, "l", "a", "b", "c").Val(), int64(3))
	eq(t, "LPUSH", c.LPush(ctx, "l", "z").Val(), int64(4))
	eqSlice(t, "LRANGE", c.LRange(ctx, "l", 0, -1).Val(), []string{"z", "a", "b", "c"})
	eq(t, "LLEN", c.LLen(ctx, "l").Val(), int64(4))
	eq(t, "LINDEX", c.LIndex(ctx, "l", -1).Val(), "c")
	must(t, c.LSet(ctx, "l", 1, "A").Err())
	eq(t, "LINSERT", c.LInsertBefore(ctx, "l", "b", "ab").Val(), int64(5))
	eq(t, "LPOS", c.LPos(ctx, "l", "b", redis.LPosArgs{}).Val(), int64(3))
	eq(t, "LPOP", c.LPop(ctx, "l").Val(), "z")
	eq(t, "RPOP", c.RPop(ctx, "l").Val(), "c")
	eqSlice(t, "LRANGE after pops", c.LRange(ctx, "l", 0, -1).Val(), []string{"A", "ab", "b"})
	must(t, c.RPush(ctx, "l", "b", "b").Err())
	eq(t, "LREM", c.LRem(ctx, "l", 0, "b").Val(), int64(3))
	must(t, c.LTrim(ctx, "l", 0, 0).Err())
	eqSlice(t, "LRANGE after LTRIM", c.LRange(ctx, "l", 0, -1).Val(), []string{"A"})
	eqSlice(t, "LPOP count", c.LPopCount(ctx, "l", 5).Val(), []string{"A"})
	eq(t, "EXISTS emptied list", c.Exists(ctx, "l").Val(), int64(0))
	_, err := c.LPop(ctx, "l").Result()
	isNil(t, "LPOP empty", err)
	must(t, c.RPush(ctx, "src", "1", "2").Err())
	eq(t, "LMOVE", c.LMove(ctx, "src", "dst", "RIGHT", "LEFT").Val(), "2")
	eqSlice(t, "dst", c.LRange(ctx, "dst", 0, -1).Val(), []string{"2"})
}

func testHashes(t *testing.T, ctx context.Context, c *redis.Client) {
	eq(t, "HSET", c.HSet(ctx, "h", "f1", "v1", "f2", "v2", "n", "5").Val(), int64(3))
	eq(t, "HSET update", c.HSet(ctx, "h", "f1", "V1").Val(), int64(0))
	eq(t, "HGET", c.HGet(ctx, "h", "f1").Val(), "V1")
	_, err := c.HGet(ctx, "h", "nope").Result()
	isNil(t, "HGET missing field", err)
	all, err := c.HGetAll(ctx, "h").Result()
	must(t, err)
	if len(all) != 3 || all["f1"] != "V1" || all["f2"] != "v2" || all["n"] != "5" {
		t.Fatalf("HGETALL = %v", all)
	}
	if m := c.HGetAll(ctx, "missing").Val(); len(m) != 0 {
		t.Fatalf("HGETALL missing = %v", m)
	}
	vals, err := c.HMGet(ctx, "h", "f2", "nope", "n").Result()
	must(t, err)
	if len(vals) != 3 || vals[0] != "v2" || vals[1] != nil || vals[2] != "5" {
		t.Fatalf("HMGET = %#v", vals)
	}
	eq(t, "HINCRBY", c.HIncrBy(ctx, "h", "n", 10).Val(), int64(15))
	eq(t, "HINCRBYFLOAT", c.HIncrByFloat(ctx, "h", "fl", 1.25).Val(), 1.25)
	eq(t, "HEXISTS", c.HExists(ctx, "h", "f2").Val(), true)
	eq(t, "HLEN", c.HLen(ctx, "h").Val(), int64(4))
	eqSlice(t, "HKEYS", sorted(c.HKeys(ctx, "h").Val()), []string{"f1", "f2", "fl", "n"})
	eqSlice(t, "HVALS", sorted(c.HVals(ctx, "h").Val()), []string{"1.25", "15", "V1", "v2"})
	eq(t, "HDEL", c.HDel(ctx, "h", "f1", "nope").Val(), int64(1))
	eq(t, "HSETNX", c.HSetNX(ctx, "h", "f2", "x").Val(), false)

	for i := range 300 {
		must(t, c.HSet(ctx, "big", fmt.Sprintf("field:%d", i), i).Err())
	}
	seen := map[string]string{}
	it := c.HScan(ctx, "big", 0, "", 25).Iterator()
	for it.Next(ctx) {
		f := it.Val()
		if !it.Next(ctx) {
			t.Fatal("HSCAN returned a field without a value")
		}
		seen[f] = it.Val()
	}
	must(t, it.Err())
	if len(seen) != 300 || seen["field:123"] != "123" {
		t.Fatalf("HSCAN found %d fields (field:123=%q)", len(seen), seen["field:123"])
	}
}

func testSets(t *testing.T, ctx context.Context, c *redis.Client) {
	eq(t, "SADD", c.SAdd(ctx, "s1", "a", "b", "c", "a").Val(), int64(3))
	must(t, c.SAdd(ctx, "s2", "b", "c", "d").Err())
	eqSlice(t, "SMEMBERS", sorted(c.SMembers(ctx, "s1").Val()), []string{"a", "b", "c"})
	eq(t, "SISMEMBER", c.SIsMember(ctx, "s1", "a").Val(), true)
	eq(t, "SISMEMBER no", c.SIsMember(ctx, "s1", "z").Val(), false)
	eqSlice(t, "SMISMEMBER", c.SMIsMember(ctx, "s1", "a", "z").Val(), []bool{true, false})
	eq(t, "SCARD", c.SCard(ctx, "s1").Val(), int64(3))
	eqSlice(t, "SINTER", sorted(c.SInter(ctx, "s1", "s2").Val()), []string{"b", "c"})
	eqSlice(t, "SUNION", sorted(c.SUnion(ctx, "s1", "s2").Val()), []string{"a", "b", "c", "d"})
	eqSlice(t, "SDIFF", c.SDiff(ctx, "s1", "s2").Val(), []string{"a"})
	eq(t, "SINTERSTORE", c.SInterStore(ctx, "dst", "s1", "s2").Val(), int64(2))
	eqSlice(t, "dst", sorted(c.SMembers(ctx, "dst").Val()), []string{"b", "c"})
	eq(t, "SREM", c.SRem(ctx, "s1", "a", "z").Val(), int64(1))
	eq(t, "SMOVE", c.SMove(ctx, "s1", "s3", "b").Val(), true)
	popped := c.SPopN(ctx, "s2", 10).Val()
	eqSlice(t, "SPOP count", sorted(popped), []string{"b", "c", "d"})
	eq(t, "EXISTS popped set", c.Exists(ctx, "s2").Val(), int64(0))
	if m := c.SMembers(ctx, "missing").Val(); len(m) != 0 {
		t.Fatalf("SMEMBERS missing = %v", m)
	}
	for i := range 200 {
		must(t, c.SAdd(ctx, "big", fmt.Sprintf("m%d", i)).Err())
	}
	seen := map[string]bool{}
	it := c.SScan(ctx, "big", 0, "m1*", 20).Iterator()
	for it.Next(ctx) {
		seen[it.Val()] = true
	}
	must(t, it.Err())
	// m1, m10-m19, m100-m199
	eq(t, "SSCAN MATCH m1* count", len(seen), 111)
	if r := c.SRandMember(ctx, "big").Val(); r == "" {
		t.Fatal("SRANDMEMBER returned nothing")
	}
}

func testSortedSets(t *testing.T, ctx context.Context, c *redis.Client) {
	n, err := c.ZAdd(ctx, "z", redis.Z{Score: 1, Member: "a"}, redis.Z{Score: 2.5, Member: "b"}, redis.Z{Score: -3, Member: "c"}).Result()
	must(t, err)
	eq(t, "ZADD", n, int64(3))
	eq(t, "ZSCORE", c.ZScore(ctx, "z", "b").Val(), 2.5)
	_, err = c.ZScore(ctx, "z", "nope").Result()
	isNil(t, "ZSCORE missing", err)
	zs, err := c.ZRangeWithScores(ctx, "z", 0, -1).Result()
	must(t, err)
	want := []redis.Z{{Score: -3, Member: "c"}, {Score: 1, Member: "a"}, {Score: 2.5, Member: "b"}}
	if len(zs) != len(want) {
		t.Fatalf("ZRANGE WITHSCORES = %v", zs)
	}
	for i := range want {
		if zs[i].Score != want[i].Score || zs[i].Member != want[i].Member {
			t.Fatalf("ZRANGE WITHSCORES = %v, want %v", zs, want)
		}
	}
	eqSlice(t, "ZRANGE", c.ZRange(ctx, "z", 0, -1).Val(), []string{"c", "a", "b"})
	eqSlice(t, "ZREVRANGE", c.ZRevRange(ctx, "z", 0, 0).Val(), []string{"b"})
	eqSlice(t, "ZRANGEBYSCORE", c.ZRangeByScore(ctx, "z", &redis.ZRangeBy{Min: "0", Max: "(2.5"}).Val(), []string{"a"})
	// go-redis sends Stop before Start with Rev+ByScore: this is
	// ZRANGE z +inf -inf BYSCORE REV LIMIT 1 1.
	eqSlice(t, "ZRANGE BYSCORE REV LIMIT", c.ZRangeArgs(ctx, redis.ZRangeArgs{Key: "z", Start: "-inf", Stop: "+inf", ByScore: true, Rev: true, Offset: 1, Count: 1}).Val(), []string{"a"})
	eq(t, "ZRANK", c.ZRank(ctx, "z", "a").Val(), int64(1))
	eq(t, "ZREVRANK", c.ZRevRank(ctx, "z", "a").Val(), int64(1))
	eq(t, "ZINCRBY", c.ZIncrBy(ctx, "z", 2, "a").Val(), 3.0)
	eq(t, "ZCARD", c.ZCard(ctx, "z").Val(), int64(3))
	eq(t, "ZCOUNT", c.ZCount(ctx, "z", "-inf", "2.5").Val(), int64(2))
	eqSlice(t, "ZMSCORE", c.ZMScore(ctx, "z", "a", "c").Val(), []float64{3, -3})
	eq(t, "ZREM", c.ZRem(ctx, "z", "c", "nope").Val(), int64(1))
	pop, err := c.ZPopMin(ctx, "z", 1).Result()
	must(t, err)
	if len(pop) != 1 || pop[0].Member != "b" || pop[0].Score != 2.5 {
		t.Fatalf("ZPOPMIN = %v", pop)
	}
	must(t, c.ZAdd(ctx, "lex", redis.Z{Member: "a"}, redis.Z{Member: "b"}, redis.Z{Member: "c"}).Err())
	eqSlice(t, "ZRANGEBYLEX", c.ZRangeByLex(ctx, "lex", &redis.ZRangeBy{Min: "[b", Max: "+"}).Val(), []string{"b", "c"})
	for i := range 200 {
		must(t, c.ZAdd(ctx, "big", redis.Z{Score: float64(i), Member: fmt.Sprintf("m%d", i)}).Err())
	}
	seen := map[string]string{}
	it := c.ZScan(ctx, "big", 0, "", 30).Iterator()
	for it.Next(ctx) {
		m := it.Val()
		if !it.Next(ctx) {
			t.Fatal("ZSCAN returned a member without a score")
		}
		seen[m] = it.Val()
	}
	must(t, it.Err())
	if len(seen) != 200 || seen["m42"] != "42" {
		t.Fatalf("ZSCAN found %d members (m42=%q)", len(seen), seen["m42"])
	}
}

func testPipeline(t *testing.T, ctx context.Context, c *redis.Client) {
	var incr *redis.IntCmd
	var get *redis.StringCmd
	cmds, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i := range 100 {
			p.Set(ctx, fmt.Sprintf("p:%d", i), i, 0)
		}
		incr = p.Incr(ctx, "p:5")
		get = p.Get(ctx, "p:99")
		p.RPush(ctx, "pl", "a", "b")
		p.LRange(ctx, "pl", 0, -1)
		return nil
	})
	must(t, err)
	eq(t, "commands", len(cmds), 104)
	eq(t, "INCR in pipeline", incr.Val(), int64(6))
	eq(t, "GET in pipeline", get.Val(), "99")
	eqSlice(t, "LRANGE in pipeline", cmds[103].(*redis.StringSliceCmd).Val(), []string{"a", "b"})

	// An error in one command does not stop the others.
	cmds, err = c.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, "str", "x", 0)
		p.Incr(ctx, "str")
		p.Get(ctx, "str")
		return nil
	})
	if err == nil {
		t.Fatal("pipeline with a failing INCR returned no error")
	}
	eq(t, "GET after failing INCR", cmds[2].(*redis.StringCmd).Val(), "x")
}

func testTxPipeline(t *testing.T, ctx context.Context, c *redis.Client) {
	var incr *redis.IntCmd
	var hget *redis.StringCmd
	_, err := c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, "tx:a", "1", 0)
		incr = p.IncrBy(ctx, "tx:a", 9)
		p.HSet(ctx, "tx:h", "f", "v")
		hget = p.HGet(ctx, "tx:h", "f")
		p.Expire(ctx, "tx:a", time.Hour)
		return nil
	})
	must(t, err)
	eq(t, "INCRBY in tx", incr.Val(), int64(10))
	eq(t, "HGET in tx", hget.Val(), "v")
	if ttl := c.TTL(ctx, "tx:a").Val(); ttl < 59*time.Minute {
		t.Fatalf("TTL set in tx = %v", ttl)
	}

	// A runtime error inside EXEC fails only that command.
	cmds, err := c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, "tx:s", "str", 0)
		p.LPush(ctx, "tx:s", "x")
		p.Set(ctx, "tx:after", "ok", 0)
		return nil
	})
	if err == nil || err.Error() != "WRONGTYPE Operation against a key holding the wrong kind of value" {
		t.Fatalf("tx with a WRONGTYPE command: err = %v", err)
	}
	eq(t, "commands", len(cmds), 3)
	eq(t, "SET after the failing command ran", c.Get(ctx, "tx:after").Val(), "ok")
}

func testWatch(t *testing.T, ctx context.Context, c *redis.Client) {
	must(t, c.Set(ctx, "w", "10", 0).Err())
	// Unmodified: the transaction applies.
	err := c.Watch(ctx, func(tx *redis.Tx) error {
		n, err := tx.Get(ctx, "w").Int()
		if err != nil {
			return err
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, "w", n*2, 0)
			return nil
		})
		return err
	}, "w")
	must(t, err)
	eq(t, "after watched tx", c.Get(ctx, "w").Val(), "20")

	// Modified by another client between WATCH and EXEC: aborted.
	other := redis.NewClient(c.Options())
	defer other.Close()
	err = c.Watch(ctx, func(tx *redis.Tx) error {
		if err := tx.Get(ctx, "w").Err(); err != nil {
			return err
		}
		if err := other.Set(ctx, "w", "changed", 0).Err(); err != nil {
			return err
		}
		_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, "w", "from-tx", 0)
			return nil
		})
		return err
	}, "w")
	if !errors.Is(err, redis.TxFailedErr) {
		t.Fatalf("watched tx after a concurrent write: err = %v, want redis.TxFailedErr", err)
	}
	eq(t, "value after aborted tx", c.Get(ctx, "w").Val(), "changed")

	// Watching a missing key that another client creates: aborted.
	err = c.Watch(ctx, func(tx *redis.Tx) error {
		if err := other.Set(ctx, "w-new", "1", 0).Err(); err != nil {
			return err
		}
		_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, "w-new", "2", 0)
			return nil
		})
		return err
	}, "w-new")
	if !errors.Is(err, redis.TxFailedErr) {
		t.Fatalf("watched tx on a key created meanwhile: err = %v, want redis.TxFailedErr", err)
	}
}

// testWatchConcurrent runs the classic optimistic-locking increment from
// several clients at once: no increment may be lost.
func testWatchConcurrent(t *testing.T, ctx context.Context, c *redis.Client) {
	const workers, perWorker = 4, 15
	must(t, c.Set(ctx, "counter", "0", 0).Err())
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := redis.NewClient(c.Options())
			defer cl.Close()
			for range perWorker {
				for attempt := 0; ; attempt++ {
					if attempt > 1000 {
						errs <- fmt.Errorf("gave up after %d optimistic-lock retries", attempt)
						return
					}
					err := cl.Watch(ctx, func(tx *redis.Tx) error {
						n, err := tx.Get(ctx, "counter").Int()
						if err != nil {
							return err
						}
						_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
							p.Set(ctx, "counter", n+1, 0)
							return nil
						})
						return err
					}, "counter")
					if err == nil {
						break
					}
					if !errors.Is(err, redis.TxFailedErr) {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	eq(t, "counter", c.Get(ctx, "counter").Val(), strconv.Itoa(workers*perWorker))
}

func testErrors(t *testing.T, ctx context.Context, c *redis.Client) {
	must(t, c.RPush(ctx, "l", "a").Err())
	err := c.Get(ctx, "l").Err()
	if err == nil || err.Error() != "WRONGTYPE Operation against a key holding the wrong kind of value" {
		t.Fatalf("GET on a list: %v", err)
	}
	err = c.Do(ctx, "NOSUCHCOMMAND", "x").Err()
	if err == nil || err.Error() != "ERR unknown command 'NOSUCHCOMMAND', with args beginning with: 'x' " {
		t.Fatalf("unknown command: %v", err)
	}
	err = c.Do(ctx, "GET").Err()
	if err == nil || err.Error() != "ERR wrong number of arguments for 'get' command" {
		t.Fatalf("wrong arity: %v", err)
	}
	must(t, c.Set(ctx, "n", "9223372036854775807", 0).Err())
	err = c.Incr(ctx, "n").Err()
	if err == nil || err.Error() != "ERR increment or decrement would overflow" {
		t.Fatalf("INCR overflow: %v", err)
	}
	// The connection is still usable after errors.
	eq(t, "PING", c.Ping(ctx).Val(), "PONG")
	eq(t, "ECHO", c.Echo(ctx, "hi").Val(), "hi")
}

func testSelectDB(t *testing.T, ctx context.Context, c *redis.Client) {
	opts := c.Options()
	opts.DB = 3
	c3 := redis.NewClient(opts)
	defer c3.Close()
	must(t, c3.Set(ctx, "k", "db3", 0).Err())
	_, err := c.Get(ctx, "k").Result()
	isNil(t, "GET in db 0", err)
	eq(t, "GET in db 3", c3.Get(ctx, "k").Val(), "db3")
	eq(t, "DBSIZE db 3", c3.DBSize(ctx).Val(), int64(1))
	eq(t, "COPY to db 0", c3.Copy(ctx, "k", "k", 0, false).Val(), int64(1))
	eq(t, "GET copied into db 0", c.Get(ctx, "k").Val(), "db3")
}
