package durability

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/redraft/redraft/internal/testutil"
)

// hueyScheduleScript is the script Huey 3.5's RedisStorage loads to pop due
// scheduled tasks (huey/storage.py, SCHEDULE_POP_LUA), byte for byte.
const hueyScheduleScript = `local unix_ts = tonumber(ARGV[1])
local res = redis.call('zrangebyscore', KEYS[1], '-inf', unix_ts)
if #res and redis.call('zremrangebyscore', KEYS[1], '-inf', unix_ts) == #res then
    return res
end`

// A script loaded with SCRIPT LOAD is replicated state: it survives kill -9
// and restart, with and without a snapshot in between.
func TestScriptsSurviveKill9(t *testing.T) {
	ctx := context.Background()
	node := testutil.StartRedraft(t, testutil.Options{})
	c := redis.NewClient(&redis.Options{Addr: node.Addr()})
	sha, err := c.ScriptLoad(ctx, hueyScheduleScript).Result()
	if err != nil {
		t.Fatalf("SCRIPT LOAD: %v", err)
	}
	c.Close()
	schedule := func(round string) {
		c := redis.NewClient(&redis.Options{Addr: node.Addr()})
		defer c.Close()
		if err := c.ZAdd(ctx, "huey.schedule.q", redis.Z{Score: 100.5, Member: round + "-due"}, redis.Z{Score: 9e9, Member: round + "-later"}).Err(); err != nil {
			t.Fatalf("ZADD: %v", err)
		}
		got, err := c.EvalSha(ctx, sha, []string{"huey.schedule.q"}, 1700000000.25).StringSlice()
		if err != nil {
			t.Fatalf("%s: EVALSHA after restart: %v", round, err)
		}
		if len(got) != 1 || got[0] != round+"-due" {
			t.Fatalf("%s: EVALSHA = %q, want only the due task", round, got)
		}
	}
	schedule("first")
	node.Kill9()
	node.Restart()
	schedule("after-log-replay")
	forceSnapshot(ctx, t, node)
	node.Kill9()
	node.Restart()
	schedule("after-snapshot")
	c = redis.NewClient(&redis.Options{Addr: node.Addr()})
	defer c.Close()
	exists, err := c.ScriptExists(ctx, sha).Result()
	if err != nil || len(exists) != 1 || !exists[0] {
		t.Fatalf("SCRIPT EXISTS after restarts = %v, %v", exists, err)
	}
	if n, err := c.ZCard(ctx, "huey.schedule.q").Result(); err != nil || n != 3 {
		t.Fatalf("ZCARD = %d, %v; want the 3 later tasks", n, err)
	}
}
