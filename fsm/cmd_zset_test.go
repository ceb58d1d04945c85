package fsm

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/redraft/redraft/reply"
)

// runZ runs a sorted set command (see szDo) and renders its reply.
func runZ(t testing.TB, s *Store, args ...string) string {
	t.Helper()
	return szFmt(szDo(t, s, args...))
}

func TestZSetCommandTable(t *testing.T) {
	szCheckTable(t, zsetCommands(), map[string]string{
		"zadd":             "-4 write,denyoom,fast 1 1 1",
		"zincrby":          "4 write,denyoom,fast 1 1 1",
		"zrem":             "-3 write,fast 1 1 1",
		"zscore":           "3 readonly,fast 1 1 1",
		"zmscore":          "-3 readonly,fast 1 1 1",
		"zcard":            "2 readonly,fast 1 1 1",
		"zcount":           "4 readonly,fast 1 1 1",
		"zlexcount":        "4 readonly,fast 1 1 1",
		"zrank":            "3 readonly,fast 1 1 1",
		"zrevrank":         "3 readonly,fast 1 1 1",
		"zrange":           "-4 readonly 1 1 1",
		"zrangebyscore":    "-4 readonly 1 1 1",
		"zrevrangebyscore": "-4 readonly 1 1 1",
		"zrangebylex":      "-4 readonly 1 1 1",
		"zrevrangebylex":   "-4 readonly 1 1 1",
		"zrevrange":        "-4 readonly 1 1 1",
		"zrangestore":      "-5 write,denyoom 1 2 1",
		"zremrangebyscore": "4 write 1 1 1",
		"zremrangebyrank":  "4 write 1 1 1",
		"zremrangebylex":   "4 write 1 1 1",
		"zpopmin":          "-2 write,fast 1 1 1",
		"zpopmax":          "-2 write,fast 1 1 1",
		"zmpop":            "-4 write 0 0 0",
		"zscan":            "-3 readonly 1 1 1",
		"zrandmember":      "-2 readonly 1 1 1",
	})
}

// TestZSetRedisCases replays exchanges checked against redis-server 7.0.15.
// P[...] is a pair list: flat in RESP2, [member, score] arrays in RESP3.
func TestZSetRedisCases(t *testing.T) { szRunCases(t, zsetRedisCases) }

var zsetRedisCases = []szCase{
	{"zadd-basics", []szStep{
		{"ZADD z 1 a 2 b 3 c", ":3"},
		{"ZADD z 4 d 1 a", ":1"},
		{"ZCARD z", ":4"},
		{"ZSCORE z a", ",1"},
		{"ZSCORE z nosuch", "(nil)"},
		{"ZSCORE nokey a", "(nil)"},
		{"ZADD z 2 a 2 a 3 a", ":0"},
		{"ZSCORE z a", ",3"},
		{"ZRANGE z 0 -1 WITHSCORES", `P["b" ,2 "a" ,3 "c" ,3 "d" ,4]`},
		{"ZCARD nokey", ":0"},
	}},
	{"zadd-options", []szStep{
		{"ZADD z 1 a 2 b 3 c", ":3"},
		{"ZADD z NX 10 a 4 d", ":1"},
		{"ZSCORE z a", ",1"},
		{"ZADD z XX 10 a 5 e", ":0"},
		{"ZSCORE z a", ",10"},
		{"ZSCORE z e", "(nil)"},
		{"ZADD z CH 10 a 20 b 3 c 6 f", ":2"},
		{"ZADD z XX CH 11 a 11 zz", ":1"},
		{"ZADD z GT 5 a 12 b", ":0"},
		{"ZADD z GT CH 5 a 30 b 7 g", ":2"},
		{"ZADD z LT CH 100 a 1 b", ":1"},
		{"ZRANGE z 0 -1 WITHSCORES", `P["b" ,1 "c" ,3 "d" ,4 "f" ,6 "g" ,7 "a" ,11]`},
		{"ZADD z ch 1 a 2 a", ":2"},
		{"ZADD z nx xx 1 a", "-ERR XX and NX options at the same time are not compatible"},
		{"ZADD z NX GT 1 a", "-ERR GT, LT, and/or NX options at the same time are not compatible"},
		{"ZADD z NX LT 1 a", "-ERR GT, LT, and/or NX options at the same time are not compatible"},
		{"ZADD z GT LT 1 a", "-ERR GT, LT, and/or NX options at the same time are not compatible"},
		{"ZADD z NX XX GT 1 a", "-ERR XX and NX options at the same time are not compatible"},
		{"ZADD z INCR 1 a 2 b", "-ERR INCR option supports a single increment-element pair"},
		{"ZADD z INCR NX XX 1 a 2 b", "-ERR XX and NX options at the same time are not compatible"},
		{"ZADD z foo 1 a", "-ERR syntax error"},
		{"ZADD z 1 a 2", "-ERR syntax error"},
		{"ZADD z INCR 1", "-ERR syntax error"},
		{"ZADD z 1", "-ERR wrong number of arguments for 'zadd' command"},
		{"ZADD z x a", "-ERR value is not a valid float"},
		{"ZADD z 1 a x b", "-ERR value is not a valid float"},
		{"ZADD z nan a", "-ERR value is not a valid float"},
		{"ZADD nokey XX 1 a", ":0"},
		{"ZADD nokey XX INCR 1 a", "(nil)"},
		{"EXISTS nokey", ":0"},
		{"ZADD nokey GT 5 a", ":1"},
	}},
	{"incr", []szStep{
		{"ZADD z INCR 5 a", ",5"},
		{"ZADD z INCR 1.5 a", ",6.5"},
		{"ZADD z XX INCR 1 nosuch", "(nil)"},
		{"ZADD z NX INCR 1 a", "(nil)"},
		{"ZADD z GT INCR -1 a", "(nil)"},
		{"ZADD z GT INCR 1 a", ",7.5"},
		{"ZADD z LT INCR 1 a", "(nil)"},
		{"ZADD z INCR 0 a", ",7.5"},
		{"ZINCRBY z -1 a", ",6.5"},
		{"ZINCRBY nokey 3 m", ",3"},
		{"ZINCRBY z x a", "-ERR value is not a valid float"},
		{`ZINCRBY z "" a`, "-ERR value is not a valid float"},
		{"ZINCRBY z 1 a b", "-ERR wrong number of arguments for 'zincrby' command"},
		{"ZADD z inf i", ":1"},
		{"ZINCRBY z -inf i", "-ERR resulting score is not a number (NaN)"},
		{"ZADD z INCR -inf i", "-ERR resulting score is not a number (NaN)"},
		{"ZINCRBY z inf i", ",inf"},
		{"ZSCORE z i", ",inf"},
	}},
	{"float-format", []szStep{
		{"ZADD z 1.1 a 0.1 b 1e300 c -1e300 d 1e-300 e 2.5e-5 f 1E5 g", ":7"},
		{"ZSCORE z a", ",1.1000000000000001"},
		{"ZINCRBY z 0.2 b", ",0.30000000000000004"},
		{"ZSCORE z c", ",1.0000000000000001e+300"},
		{"ZSCORE z d", ",-1.0000000000000001e+300"},
		{"ZSCORE z e", ",1e-300"},
		{"ZSCORE z f", ",2.5000000000000001e-05"},
		{"ZSCORE z g", ",100000"},
		{"ZADD z 1e17 h 123456789012345678 i 0x10 o .5 l 5. m +7 n", ":6"},
		{"ZMSCORE z h i o l m n nosuch", "[,1e+17 ,1.2345678901234568e+17 ,16 ,0.5 ,5 ,7 (nil)]"},
		{"ZADD z 1e400 x", "-ERR value is not a valid float"},
		{"ZADD z 1e-400 x", "-ERR value is not a valid float"},
		{`ZADD z " 1" x`, "-ERR value is not a valid float"},
		{"ZADD z Infinity x -INFINITY y", ":2"},
		{"ZMSCORE z x y", "[,inf ,-inf]"},
		{"ZADD z 1.7976931348623157e308 max", ":1"},
		{"ZINCRBY z 1.7976931348623157e308 max", ",inf"},
	}},
	{"negative-zero", []szStep{
		{"ZADD z -0 a", ":1"},
		{"ZSCORE z a", ",0"},
		{"ZADD z INCR -0 b", ",-0"},
		{"ZSCORE z b", ",0"},
		{"ZINCRBY z -0 c", ",-0"},
		{"ZINCRBY z -0 a", ",0"},
		{"ZSCAN z 0", `["0" ["a" "0" "b" "0" "c" "0"]]`},
	}},
	{"zrem-zcard", []szStep{
		{"ZADD z 1 a 2 b 3 c", ":3"},
		{"ZREM z a nosuch", ":1"},
		{"ZREM z nosuch", ":0"},
		{"ZREM nokey a", ":0"},
		{"ZREM z b c", ":2"},
		{"EXISTS z", ":0"},
		{"ZMSCORE nokey a b", "[(nil) (nil)]"},
	}},
	{"wrongtype", []szStep{
		{"SET k v", "+OK"},
		{"ZADD k 1 a", wrongTypeErr},
		{"ZADD k x a", "-ERR value is not a valid float"},
		{"ZINCRBY k 1 a", wrongTypeErr},
		{"ZREM k a", wrongTypeErr},
		{"ZSCORE k a", wrongTypeErr},
		{"ZMSCORE k a", wrongTypeErr},
		{"ZCARD k", wrongTypeErr},
		{"ZCOUNT k 0 1", wrongTypeErr},
		{"ZCOUNT k x 1", "-ERR min or max is not a float"},
		{"ZLEXCOUNT k - +", wrongTypeErr},
		{"ZRANK k a", wrongTypeErr},
		{"ZREVRANK k a", wrongTypeErr},
		{"ZRANGE k 0 -1", wrongTypeErr},
		{"ZRANGE k x 1", "-ERR value is not an integer or out of range"},
		{"ZRANGE k 0 1 BYLEX", "-ERR min or max not valid string range item"},
		{"ZRANGEBYSCORE k 0 1", wrongTypeErr},
		{"ZRANGEBYLEX k - +", wrongTypeErr},
		{"ZREVRANGE k 0 1", wrongTypeErr},
		{"ZRANGESTORE d k 0 -1", wrongTypeErr},
		{"ZREMRANGEBYSCORE k 0 1", wrongTypeErr},
		{"ZREMRANGEBYRANK k 0 1", wrongTypeErr},
		{"ZREMRANGEBYRANK k x 1", "-ERR value is not an integer or out of range"},
		{"ZREMRANGEBYLEX k - +", wrongTypeErr},
		{"ZPOPMIN k", wrongTypeErr},
		{"ZPOPMAX k 0", wrongTypeErr},
		{"ZPOPMIN k -1", "-ERR value is out of range, must be positive"},
		{"ZMPOP 2 nokey k MIN", wrongTypeErr},
		{"ZSCAN k 0", wrongTypeErr},
		{"ZRANDMEMBER k", wrongTypeErr},
		{"ZRANDMEMBER k x", "-ERR value is not an integer or out of range"},
		{"GET k", `"v"`},
	}},
	{"zcount-zlexcount", []szStep{
		{"ZADD z 1 a 2 b 3 c 4 d 5 e", ":5"},
		{"ZCOUNT z 2 4", ":3"},
		{"ZCOUNT z (2 4", ":2"},
		{"ZCOUNT z (2 (4", ":1"},
		{"ZCOUNT z -inf +inf", ":5"},
		{"ZCOUNT z 5 1", ":0"},
		{"ZCOUNT z (3 3", ":0"},
		{`ZCOUNT z "" 2`, ":2"},
		{`ZCOUNT z " 2" 3`, ":2"},
		{"ZCOUNT z 1e400 10", ":0"},
		{"ZCOUNT z x 1", "-ERR min or max is not a float"},
		{"ZCOUNT z 1 nan", "-ERR min or max is not a float"},
		{"ZCOUNT nokey x 2", "-ERR min or max is not a float"},
		{"ZCOUNT nokey 1 2", ":0"},
		{"ZADD l 0 a 0 b 0 c 0 d 0 e", ":5"},
		{"ZLEXCOUNT l - +", ":5"},
		{"ZLEXCOUNT l [b [d", ":3"},
		{"ZLEXCOUNT l (b (d", ":1"},
		{"ZLEXCOUNT l + -", ":0"},
		{"ZLEXCOUNT l b d", "-ERR min or max not valid string range item"},
		{"ZLEXCOUNT nokey - +", ":0"},
	}},
	{"zrank", []szStep{
		{"ZADD z 1 a 2 b 3 c", ":3"},
		{"ZRANK z a", ":0"},
		{"ZRANK z c", ":2"},
		{"ZREVRANK z a", ":2"},
		{"ZRANK z nosuch", "(nil)"},
		{"ZRANK nokey a", "(nil)"},
		{"ZRANK z a WITHSCORE", "-ERR wrong number of arguments for 'zrank' command"},
	}},
	{"zrange-rank", []szStep{
		{"ZADD z 1 a 2 b 3 c 4 d 5 e", ":5"},
		{"ZRANGE z 0 -1", `["a" "b" "c" "d" "e"]`},
		{"ZRANGE z 1 2 WITHSCORES", `P["b" ,2 "c" ,3]`},
		{"ZRANGE z -2 -1", `["d" "e"]`},
		{"ZRANGE z 3 1", "[]"},
		{"ZRANGE z 10 20", "[]"},
		{"ZRANGE z -100 100", `["a" "b" "c" "d" "e"]`},
		{"ZRANGE z -9223372036854775808 9223372036854775807", `["a" "b" "c" "d" "e"]`},
		{"ZRANGE z 0 1 REV", `["e" "d"]`},
		{"ZRANGE z 0 -1 WITHSCORES REV", `P["e" ,5 "d" ,4 "c" ,3 "b" ,2 "a" ,1]`},
		{"ZRANGE z x 1", "-ERR value is not an integer or out of range"},
		{"ZRANGE z 0 1 LIMIT 0 1", "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"},
		{"ZRANGE z 0 1 LIMIT 0 -1", `["a" "b"]`},
		{"ZRANGE z 0 1 LIMIT x 1", "-ERR value is not an integer or out of range"},
		{"ZRANGE z 0 1 LIMIT 0", "-ERR syntax error"},
		{"ZRANGE z 0 1 REV REV", "-ERR syntax error"},
		{"ZRANGE z 0 1 BYSCORE BYLEX", "-ERR syntax error"},
		{"ZRANGE nokey 0 -1", "[]"},
		{"ZREVRANGE z 0 1 WITHSCORES", `P["e" ,5 "d" ,4]`},
		{"ZREVRANGE z 0 1 LIMIT 0 1", "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"},
		{"ZREVRANGE z 0 1 REV", "-ERR syntax error"},
	}},
	{"zrange-score", []szStep{
		{"ZADD z 1 a 2 b 3 c 4 d 5 e", ":5"},
		{"ZRANGE z 2 4 BYSCORE", `["b" "c" "d"]`},
		{"ZRANGE z (2 4 BYSCORE WITHSCORES", `P["c" ,3 "d" ,4]`},
		{"ZRANGE z 4 (2 BYSCORE REV", `["d" "c"]`},
		{"ZRANGE z 2 4 BYSCORE REV", "[]"},
		{"ZRANGE z -inf +inf BYSCORE LIMIT 1 2", `["b" "c"]`},
		{"ZRANGE z -inf +inf BYSCORE LIMIT -1 2", "[]"},
		{"ZRANGE z -inf +inf BYSCORE LIMIT 1 -1", `["b" "c" "d" "e"]`},
		{"ZRANGE z -inf +inf BYSCORE LIMIT 1 0", "[]"},
		{"ZRANGE z -inf +inf BYSCORE LIMIT 4 10", `["e"]`},
		{"ZRANGE z -inf +inf BYSCORE LIMIT 5 10", "[]"},
		{"ZRANGE z +inf -inf BYSCORE REV LIMIT 1 2 WITHSCORES", `P["d" ,4 "c" ,3]`},
		{"ZRANGE z 3 5 BYSCORE LIMIT 1 1 limit 0 10", `["c" "d" "e"]`},
		{"ZRANGE z x y BYSCORE", "-ERR min or max is not a float"},
		{"ZRANGEBYSCORE z 1 3 WITHSCORES LIMIT 1 1", `P["b" ,2]`},
		{"ZRANGEBYSCORE z 1 3 REV", "-ERR syntax error"},
		{"ZRANGEBYSCORE z 1 3 LIMIT 0", "-ERR syntax error"},
		{`ZRANGEBYSCORE z "(" 3`, `["a" "b" "c"]`},
		{"ZREVRANGEBYSCORE z 3 1", `["c" "b" "a"]`},
		{"ZREVRANGEBYSCORE z 3 1 WITHSCORES LIMIT 1 5", `P["b" ,2 "a" ,1]`},
		{"ZREVRANGEBYSCORE z 1 3", "[]"},
	}},
	{"zrange-lex", []szStep{
		{"ZADD l 0 a 0 b 0 c 0 d 0 e 0 ab", ":6"},
		{"ZRANGE l - + BYLEX", `["a" "ab" "b" "c" "d" "e"]`},
		{"ZRANGE l [b (d BYLEX", `["b" "c"]`},
		{"ZRANGE l (d [b BYLEX REV", `["c" "b"]`},
		{"ZRANGE l - + BYLEX LIMIT 1 2", `["ab" "b"]`},
		{"ZRANGE l - + BYLEX WITHSCORES", "-ERR syntax error, WITHSCORES not supported in combination with BYLEX"},
		{"ZRANGEBYLEX l - + WITHSCORES", "-ERR syntax error, WITHSCORES not supported in combination with BYLEX"},
		{"ZRANGEBYLEX l (a [b", `["ab" "b"]`},
		{"ZRANGEBYLEX l - + LIMIT -1 10", "[]"},
		{"ZRANGEBYLEX l + -", "[]"},
		{"ZRANGEBYLEX l a +", "-ERR min or max not valid string range item"},
		{`ZRANGEBYLEX l "" +`, "-ERR min or max not valid string range item"},
		{"ZREVRANGEBYLEX l + -", `["e" "d" "c" "b" "ab" "a"]`},
		{"ZREVRANGEBYLEX l [c - LIMIT 1 1", `["b"]`},
		{"ZREVRANGEBYLEX l - +", "[]"},
	}},
	{"zrangestore", []szStep{
		{"ZADD z 1 a 2 b 3 c 4 d 5 e", ":5"},
		{"ZRANGESTORE dst z 0 -1", ":5"},
		{"ZRANGESTORE dst z 1 3 BYSCORE LIMIT 1 1", ":1"},
		{"ZRANGE dst 0 -1 WITHSCORES", `P["b" ,2]`},
		{"ZRANGESTORE dst z [b [d BYLEX", ":3"},
		{"ZRANGE dst 0 -1 WITHSCORES", `P["b" ,2 "c" ,3 "d" ,4]`},
		{"ZRANGESTORE dst z 0 1 REV", ":2"},
		{"ZRANGE dst 0 -1 WITHSCORES", `P["d" ,4 "e" ,5]`},
		{"ZRANGESTORE dst z 0 1 WITHSCORES", "-ERR syntax error"},
		{"ZRANGESTORE dst z 0 1 LIMIT 0 1", "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"},
		{"ZRANGESTORE dst z 5 10", ":0"},
		{"EXISTS dst", ":0"},
		{"SET dst x EX 100", "+OK"},
		{"ZRANGESTORE dst z 0 0", ":1"},
		{"TYPE dst", "+zset"},
		{"TTL dst", ":-1"},
		{"ZRANGESTORE dst nokey 0 -1", ":0"},
		{"EXISTS dst", ":0"},
		{"ZRANGESTORE z z 0 1", ":2"},
		{"ZRANGE z 0 -1", `["a" "b"]`},
	}},
	{"zremrange", []szStep{
		{"ZADD z 1 a 2 b 3 c 4 d 5 e", ":5"},
		{"ZREMRANGEBYRANK z 0 0", ":1"},
		{"ZREMRANGEBYRANK z -1 -1", ":1"},
		{"ZREMRANGEBYRANK z 5 10", ":0"},
		{"ZREMRANGEBYRANK z 1 0", ":0"},
		{"ZREMRANGEBYRANK z x 1", "-ERR value is not an integer or out of range"},
		{"ZRANGE z 0 -1", `["b" "c" "d"]`},
		{"ZREMRANGEBYRANK z -100 100", ":3"},
		{"EXISTS z", ":0"},
		{"ZADD z 1 a 2 b 3 c 4 d 5 e", ":5"},
		{"ZREMRANGEBYSCORE z (1 2", ":1"},
		{"ZREMRANGEBYSCORE z 4 3", ":0"},
		{"ZREMRANGEBYSCORE z x 1", "-ERR min or max is not a float"},
		{"ZREMRANGEBYSCORE nokey x 2", "-ERR min or max is not a float"},
		{"ZREMRANGEBYSCORE z -inf +inf", ":4"},
		{"EXISTS z", ":0"},
		{"ZADD l 0 a 0 b 0 c 0 d", ":4"},
		{"ZREMRANGEBYLEX l [b (d", ":2"},
		{"ZREMRANGEBYLEX l b d", "-ERR min or max not valid string range item"},
		{"ZREMRANGEBYLEX l + -", ":0"},
		{"ZREMRANGEBYLEX l - +", ":2"},
		{"EXISTS l", ":0"},
	}},
	{"zpop", []szStep{
		{"ZADD z 1 a 2 b 3 c 4 d 5 e", ":5"},
		{"ZPOPMIN z", `["a" ,1]`},
		{"ZPOPMIN z 2", `P["b" ,2 "c" ,3]`},
		{"ZPOPMAX z", `["e" ,5]`},
		{"ZPOPMAX z 1", `P["d" ,4]`},
		{"ZPOPMIN z 0", "[]"},
		{"ZPOPMIN z -1", "-ERR value is out of range, must be positive"},
		{"ZPOPMIN z x", "-ERR value is out of range, must be positive"},
		{"ZPOPMIN z 1 2", "-ERR syntax error"},
		{"EXISTS z", ":0"},
		{"ZPOPMIN nokey", "[]"},
		{"ZPOPMIN nokey 2", "[]"},
		{"ZADD z 1.1 a inf b", ":2"},
		{"ZPOPMAX z 5", `P["b" ,inf "a" ,1.1000000000000001]`},
	}},
	{"zmpop", []szStep{
		{"ZADD z 1 a 2 b 3 c 4 d 5 e", ":5"},
		{"ZMPOP 1 z MIN", `["z" [["a" ,1]]]`},
		{"ZMPOP 1 z max COUNT 2", `["z" [["e" ,5] ["d" ,4]]]`},
		{"ZMPOP 2 nokey z MAX COUNT 10", `["z" [["c" ,3] ["b" ,2]]]`},
		{"EXISTS z", ":0"},
		{"ZMPOP 1 nokey MIN", "(nil-array)"},
		{"ZMPOP 0 z MIN", "-ERR numkeys should be greater than 0"},
		{"ZMPOP x z MIN", "-ERR numkeys should be greater than 0"},
		{"ZMPOP 2 z MIN", "-ERR syntax error"},
		{"ZMPOP 9223372036854775807 z MIN", "-ERR syntax error"},
		{"ZMPOP 1 z FOO", "-ERR syntax error"},
		{"ZMPOP 1 z MIN COUNT 0", "-ERR count should be greater than 0"},
		{"ZMPOP 1 z MIN COUNT x", "-ERR count should be greater than 0"},
		{"ZMPOP 1 z MIN COUNT 1 COUNT 2", "-ERR syntax error"},
		{"ZMPOP 1 z MIN COUNT", "-ERR syntax error"},
	}},
	{"zscan", []szStep{
		{"ZADD z 1.5 a 2 b 1e17 c 1.1 d inf e 4611686018427387904 g 4611686018427387905 h", ":7"},
		{"ZSCAN z 0", `["0" ["d" "1.1000000000000001" "a" "1.5" "b" "2" "c" "100000000000000000" "g" "4611686018427387904" "h" "4611686018427387904" "e" "inf"]]`},
		{"ZSCAN z 0 MATCH [a-c]", `["0" ["a" "1.5" "b" "2" "c" "100000000000000000"]]`},
		{"ZSCAN nokey 0 COUNT 0", `["0" []]`},
		{"ZSCAN z x", "-ERR invalid cursor"},
		{"ZSCAN z 0 COUNT 0", "-ERR syntax error"},
		{"ZSCAN z 0 TYPE zset", "-ERR syntax error"},
	}},
	{"zrandmember", []szStep{
		{"ZRANDMEMBER nokey", "(nil)"},
		{"ZRANDMEMBER nokey 2", "[]"},
		{"ZRANDMEMBER nokey -2 WITHSCORES", "[]"},
		{"ZADD z 1 a 2 b 3 c", ":3"},
		{"ZRANDMEMBER z 0", "[]"},
		{"ZRANDMEMBER z 3 WITHSCORES", `P["c" ,3 "b" ,2 "a" ,1]`},
		{"ZRANDMEMBER z 100", `["c" "b" "a"]`},
		{"ZRANDMEMBER z x", "-ERR value is not an integer or out of range"},
		{"ZRANDMEMBER z x foo", "-ERR value is not an integer or out of range"},
		{"ZRANDMEMBER z 1 foo", "-ERR syntax error"},
		{"ZRANDMEMBER z -9223372036854775808", "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"},
		{"ZRANDMEMBER z -4611686018427387904 WITHSCORES", "-ERR value is out of range"},
		{"ZRANDMEMBER z 4611686018427387904 WITHSCORES", "-ERR value is out of range"},
		{"ZRANDMEMBER z -4611686018427387903 WITHSCORES", "-ERR value is out of range"},
		{"ZADD one 1.5 only", ":1"},
		{"ZRANDMEMBER one", `"only"`},
		{"ZRANDMEMBER one -3 WITHSCORES", `P["only" ,1.5 "only" ,1.5 "only" ,1.5]`},
	}},
}

// TestZSetPairsRendering checks the wire forms that differ between RESP2 and
// RESP3: WITHSCORES pairs, scores as doubles, ZPOPMIN without COUNT.
func TestZSetPairsRendering(t *testing.T) {
	s := NewStore()
	runZ(t, s, "ZADD", "z", "1.5", "a", "2", "b", "3", "c")
	cases := []struct {
		args       []string
		resp2, res string
	}{
		{[]string{"ZRANGE", "z", "0", "1", "WITHSCORES"},
			"*4\r\n$1\r\na\r\n$3\r\n1.5\r\n$1\r\nb\r\n$1\r\n2\r\n",
			"*2\r\n*2\r\n$1\r\na\r\n,1.5\r\n*2\r\n$1\r\nb\r\n,2\r\n"},
		{[]string{"ZSCORE", "z", "a"}, "$3\r\n1.5\r\n", ",1.5\r\n"},
		{[]string{"ZPOPMIN", "z"}, "*2\r\n$1\r\na\r\n$3\r\n1.5\r\n", "*2\r\n$1\r\na\r\n,1.5\r\n"},
		{[]string{"ZPOPMIN", "z", "1"}, "*2\r\n$1\r\nb\r\n$1\r\n2\r\n", "*1\r\n*2\r\n$1\r\nb\r\n,2\r\n"},
		{[]string{"ZMPOP", "1", "z", "MIN"}, "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n", "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nc\r\n,3\r\n"},
		{[]string{"ZMPOP", "1", "z", "MIN"}, "*-1\r\n", "_\r\n"},
	}
	for _, c := range cases {
		v := szDo(t, s, c.args...)
		if got := string(reply.Append(nil, v, 2)); got != c.resp2 {
			t.Errorf("%q RESP2: got %q, want %q", c.args, got, c.resp2)
		}
		if got := string(reply.Append(nil, v, 3)); got != c.res {
			t.Errorf("%q RESP3: got %q, want %q", c.args, got, c.res)
		}
	}
}

// zModelElem is an element of the reference model: a slice kept sorted by
// (score, member).
type zModelElem struct {
	m string
	s float64
}

func zModelCmp(a, b zModelElem) int {
	if c := cmp.Compare(a.s, b.s); c != 0 {
		return c
	}
	return strings.Compare(a.m, b.m)
}

func zModelReply(elems []zModelElem, withScores bool) string {
	var parts []string
	for _, e := range elems {
		parts = append(parts, strconv.Quote(e.m))
		if withScores {
			parts = append(parts, ","+formatDouble(e.s))
		}
	}
	if withScores {
		return "P[" + strings.Join(parts, " ") + "]"
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// TestZSetModel runs random commands on a large sorted set and checks every
// reply against a sorted slice: ranks, ranges by rank, score and lex (with
// LIMIT), counts, removals and pops.
func TestZSetModel(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	s := NewStore()
	var model []zModelElem
	find := func(m string) int {
		for i, e := range model {
			if e.m == m {
				return i
			}
		}
		return -1
	}
	scoreStr := func() string {
		if r.IntN(10) == 0 {
			return []string{"inf", "-inf", "0.5", "1e10"}[r.IntN(4)]
		}
		return strconv.Itoa(r.IntN(200) - 100)
	}
	member := func() string { return "m" + strconv.Itoa(r.IntN(3000)) }
	norm := func(i, n int) int {
		if i < 0 {
			i += n
		}
		return i
	}
	for step := 0; step < 4000; step++ {
		switch op := r.IntN(12); op {
		case 0, 1, 2: // ZADD several
			args := []string{"ZADD", "z"}
			added := 0
			pend := map[string]bool{}
			for range 1 + r.IntN(20) {
				sc, m := scoreStr(), member()
				args = append(args, sc, m)
				f, _ := parseFloatArg([]byte(sc))
				if i := find(m); i >= 0 {
					model = slices.Delete(model, i, i+1)
				} else if !pend[m] {
					added++
				}
				pend[m] = true
				i, _ := slices.BinarySearchFunc(model, zModelElem{m, f}, zModelCmp)
				model = slices.Insert(model, i, zModelElem{m, f})
			}
			if got, want := runZ(t, s, args...), ":"+strconv.Itoa(added); got != want {
				t.Fatalf("%q: got %s want %s", args, got, want)
			}
		case 3: // ZRANK / ZREVRANK / ZSCORE
			m := member()
			i := find(m)
			want, wantRev, wantScore := "(nil)", "(nil)", "(nil)"
			if i >= 0 {
				want, wantRev = ":"+strconv.Itoa(i), ":"+strconv.Itoa(len(model)-1-i)
				wantScore = "," + formatDouble(model[i].s)
			}
			if got := runZ(t, s, "ZRANK", "z", m); got != want {
				t.Fatalf("ZRANK %s: got %s want %s", m, got, want)
			}
			if got := runZ(t, s, "ZREVRANK", "z", m); got != wantRev {
				t.Fatalf("ZREVRANK %s: got %s want %s", m, got, wantRev)
			}
			if got := runZ(t, s, "ZSCORE", "z", m); got != wantScore {
				t.Fatalf("ZSCORE %s: got %s want %s", m, got, wantScore)
			}
		case 4: // ZRANGE by rank, both directions
			n := len(model)
			a, b := r.IntN(2*n+3)-n-1, r.IntN(2*n+3)-n-1
			start, end := max(norm(a, n), 0), min(norm(b, n), n-1)
			var want []zModelElem
			if start <= end && start < n {
				want = model[start : end+1]
			}
			if got := runZ(t, s, "ZRANGE", "z", strconv.Itoa(a), strconv.Itoa(b), "WITHSCORES"); got != zModelReply(want, true) {
				t.Fatalf("ZRANGE %d %d: got %s want %s", a, b, got, zModelReply(want, true))
			}
			rev := slices.Clone(model)
			slices.Reverse(rev)
			want = nil
			if start <= end && start < n {
				want = rev[start : end+1]
			}
			if got := runZ(t, s, "ZREVRANGE", "z", strconv.Itoa(a), strconv.Itoa(b)); got != zModelReply(want, false) {
				t.Fatalf("ZREVRANGE %d %d: got %s", a, b, got)
			}
		case 5, 6: // ZRANGE BYSCORE with LIMIT, ZCOUNT
			lo, hi := r.IntN(220)-110, r.IntN(220)-110
			loEx, hiEx := r.IntN(2) == 0, r.IntN(2) == 0
			in := func(f float64) bool {
				return (f > float64(lo) || (!loEx && f == float64(lo))) && (f < float64(hi) || (!hiEx && f == float64(hi)))
			}
			var want []zModelElem
			for _, e := range model {
				if in(e.s) {
					want = append(want, e)
				}
			}
			bound := func(v int, ex bool) string {
				if ex {
					return "(" + strconv.Itoa(v)
				}
				return strconv.Itoa(v)
			}
			if got := runZ(t, s, "ZCOUNT", "z", bound(lo, loEx), bound(hi, hiEx)); got != ":"+strconv.Itoa(len(want)) {
				t.Fatalf("ZCOUNT %d %d: got %s want %d", lo, hi, got, len(want))
			}
			off, lim := r.IntN(20), r.IntN(30)-1
			page := want[min(off, len(want)):]
			if lim >= 0 {
				page = page[:min(lim, len(page))]
			}
			args := []string{"ZRANGEBYSCORE", "z", bound(lo, loEx), bound(hi, hiEx), "LIMIT", strconv.Itoa(off), strconv.Itoa(lim)}
			if got := runZ(t, s, args...); got != zModelReply(page, false) {
				t.Fatalf("%q: got %s want %s", args, got, zModelReply(page, false))
			}
			rev := slices.Clone(want)
			slices.Reverse(rev)
			page = rev[min(off, len(rev)):]
			if lim >= 0 {
				page = page[:min(lim, len(page))]
			}
			args = []string{"ZRANGE", "z", bound(hi, hiEx), bound(lo, loEx), "BYSCORE", "REV", "LIMIT", strconv.Itoa(off), strconv.Itoa(lim), "WITHSCORES"}
			if got := runZ(t, s, args...); got != zModelReply(page, true) {
				t.Fatalf("%q: got %s want %s", args, got, zModelReply(page, true))
			}
		case 7: // ZREMRANGEBYSCORE
			lo := r.IntN(200) - 100
			hi := lo + r.IntN(6)
			var keep []zModelElem
			for _, e := range model {
				if e.s < float64(lo) || e.s > float64(hi) {
					keep = append(keep, e)
				}
			}
			want := ":" + strconv.Itoa(len(model)-len(keep))
			if got := runZ(t, s, "ZREMRANGEBYSCORE", "z", strconv.Itoa(lo), strconv.Itoa(hi)); got != want {
				t.Fatalf("ZREMRANGEBYSCORE %d %d: got %s want %s", lo, hi, got, want)
			}
			model = keep
		case 8: // ZREMRANGEBYRANK
			n := len(model)
			a := r.IntN(n + 2)
			b := a + r.IntN(4)
			var removed int
			if a < n {
				removed = min(b, n-1) - a + 1
				model = slices.Delete(model, a, min(b, n-1)+1)
			}
			if got := runZ(t, s, "ZREMRANGEBYRANK", "z", strconv.Itoa(a), strconv.Itoa(b)); got != ":"+strconv.Itoa(removed) {
				t.Fatalf("ZREMRANGEBYRANK %d %d: got %s want %d", a, b, got, removed)
			}
		case 9: // ZPOPMIN / ZPOPMAX with count
			n := min(1+r.IntN(3), len(model))
			if n == 0 {
				continue
			}
			if r.IntN(2) == 0 {
				want := zModelReply(model[:n], true)
				if got := runZ(t, s, "ZPOPMIN", "z", strconv.Itoa(n)); got != want {
					t.Fatalf("ZPOPMIN %d: got %s want %s", n, got, want)
				}
				model = model[n:]
			} else {
				popped := slices.Clone(model[len(model)-n:])
				slices.Reverse(popped)
				if got := runZ(t, s, "ZPOPMAX", "z", strconv.Itoa(n)); got != zModelReply(popped, true) {
					t.Fatalf("ZPOPMAX %d: got %s want %s", n, got, zModelReply(popped, true))
				}
				model = model[:len(model)-n]
			}
		case 10: // ZINCRBY
			m, inc := member(), r.IntN(11)-5
			old := 0.0
			if i := find(m); i >= 0 {
				old = model[i].s
				model = slices.Delete(model, i, i+1)
			}
			nw := old + float64(inc)
			if math.IsNaN(nw) {
				t.Fatalf("model NaN")
			}
			i, _ := slices.BinarySearchFunc(model, zModelElem{m, nw}, zModelCmp)
			model = slices.Insert(model, i, zModelElem{m, nw})
			if got := runZ(t, s, "ZINCRBY", "z", strconv.Itoa(inc), m); got != ","+formatDouble(nw) {
				t.Fatalf("ZINCRBY: got %s want %s", got, formatDouble(nw))
			}
		case 11: // ZREM
			m := member()
			want := ":0"
			if i := find(m); i >= 0 {
				want = ":1"
				model = slices.Delete(model, i, i+1)
			}
			if got := runZ(t, s, "ZREM", "z", m); got != want {
				t.Fatalf("ZREM %s: got %s want %s", m, got, want)
			}
		}
		if step%100 == 0 {
			if got := runZ(t, s, "ZRANGE", "z", "0", "-1", "WITHSCORES"); got != zModelReply(model, true) {
				t.Fatalf("step %d: contents differ", step)
			}
		}
	}
	if len(model) < 200 {
		t.Fatalf("the model stayed small (%d): the test lost its point", len(model))
	}
}

// TestZSetLexModel checks lex ranges, counts and removals against a sorted
// slice of members with equal scores.
func TestZSetLexModel(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	s := NewStore()
	var members []string
	args := []string{"ZADD", "l"}
	for i := range 500 {
		m := strconv.Itoa(i * 7919 % 1000)
		members = append(members, m)
		args = append(args, "0", m)
	}
	runZ(t, s, args...)
	slices.Sort(members)
	members = slices.Compact(members)
	for range 2000 {
		mk := func() (string, func(string) bool, func(string) bool) {
			switch r.IntN(6) {
			case 0:
				return "-", func(string) bool { return true }, func(string) bool { return false }
			case 1:
				return "+", func(string) bool { return false }, func(string) bool { return true }
			}
			v := strconv.Itoa(r.IntN(1000))
			if r.IntN(2) == 0 {
				return "(" + v, func(x string) bool { return x > v }, func(x string) bool { return x < v }
			}
			return "[" + v, func(x string) bool { return x >= v }, func(x string) bool { return x <= v }
		}
		minArg, gteMin, _ := mk()
		maxArg, _, lteMax := mk()
		var want []zModelElem
		for _, m := range members {
			if gteMin(m) && lteMax(m) {
				want = append(want, zModelElem{m, 0})
			}
		}
		if got := runZ(t, s, "ZLEXCOUNT", "l", minArg, maxArg); got != ":"+strconv.Itoa(len(want)) {
			t.Fatalf("ZLEXCOUNT %s %s: got %s want %d", minArg, maxArg, got, len(want))
		}
		off, lim := r.IntN(5), r.IntN(8)-1
		page := want[min(off, len(want)):]
		if lim >= 0 {
			page = page[:min(lim, len(page))]
		}
		if got := runZ(t, s, "ZRANGEBYLEX", "l", minArg, maxArg, "LIMIT", strconv.Itoa(off), strconv.Itoa(lim)); got != zModelReply(page, false) {
			t.Fatalf("ZRANGEBYLEX %s %s LIMIT %d %d: got %s want %s", minArg, maxArg, off, lim, got, zModelReply(page, false))
		}
		rev := slices.Clone(want)
		slices.Reverse(rev)
		if got := runZ(t, s, "ZREVRANGEBYLEX", "l", maxArg, minArg); got != zModelReply(rev, false) {
			t.Fatalf("ZREVRANGEBYLEX %s %s: got %s", maxArg, minArg, got)
		}
		if r.IntN(20) == 0 {
			if got := runZ(t, s, "ZREMRANGEBYLEX", "l", minArg, maxArg); got != ":"+strconv.Itoa(len(want)) {
				t.Fatalf("ZREMRANGEBYLEX %s %s: got %s want %d", minArg, maxArg, got, len(want))
			}
			members = slices.DeleteFunc(members, func(m string) bool { return gteMin(m) && lteMax(m) })
		}
	}
}

// TestZSetDeterminism feeds two stores the same log (ZADD, ZINCRBY, pops,
// ZMPOP) and the same ZRANDMEMBER reads with equal seeds, and compares
// every reply.
func TestZSetDeterminism(t *testing.T) {
	run := func() []string {
		s := NewStore()
		var out []string
		for i := range 300 {
			m := "m" + strconv.Itoa(i*31%257)
			out = append(out, runZ(t, s, "ZADD", "z", strconv.Itoa(i%17), m, "1.5", m+"x"))
			if i%7 == 0 {
				out = append(out, runZ(t, s, "ZINCRBY", "z", "0.1", m))
			}
			if i%11 == 0 {
				out = append(out, runZ(t, s, "ZPOPMIN", "z", "2"), runZ(t, s, "ZMPOP", "1", "z", "MAX"))
			}
			if i%5 == 0 {
				for _, n := range []string{"3", "-4", "1000"} {
					b := [][]byte{[]byte("ZRANDMEMBER"), []byte("z"), []byte(n), []byte("WITHSCORES")}
					out = append(out, szFmt(szDoBytes(t, s, b, uint64(i))))
				}
				out = append(out, szFmt(szDoBytes(t, s, [][]byte{[]byte("ZRANDMEMBER"), []byte("z")}, uint64(i))))
			}
		}
		return append(out, runZ(t, s, "ZRANGE", "z", "0", "-1", "WITHSCORES"))
	}
	a, b := run(), run()
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("reply %d differs:\n%s\n%s", i, a[i], b[i])
		}
	}
}

// TestZSetRandMemberProperties checks ZRANDMEMBER's counts: distinct members
// with their scores for a positive count, repeats for a negative one.
func TestZSetRandMemberProperties(t *testing.T) {
	s := NewStore()
	args := []string{"ZADD", "z"}
	for i := range 300 {
		args = append(args, strconv.Itoa(i), "m"+strconv.Itoa(i))
	}
	runZ(t, s, args...)
	for _, n := range []int{1, 5, 150, 299} {
		v := szDo(t, s, "ZRANDMEMBER", "z", strconv.Itoa(n), "WITHSCORES")
		if v.Kind != reply.KindPairs || len(v.Elems) != 2*n {
			t.Fatalf("ZRANDMEMBER %d: %d elements", n, len(v.Elems))
		}
		seen := map[string]bool{}
		for i := 0; i < len(v.Elems); i += 2 {
			m, sc := string(v.Elems[i].Str), string(v.Elems[i+1].Str)
			if seen[m] || "m"+sc != m {
				t.Fatalf("ZRANDMEMBER %d: bad or repeated pair %s %s", n, m, sc)
			}
			seen[m] = true
		}
	}
	v := szDo(t, s, "ZRANDMEMBER", "z", "-1000")
	if v.Kind != reply.KindArray || len(v.Elems) != 1000 {
		t.Fatalf("ZRANDMEMBER -1000: %d elements", len(v.Elems))
	}
	if got := runZ(t, s, "ZRANDMEMBER", "z", "-9223372036854775807"); got != "-ERR value is out of range" {
		t.Fatalf("huge negative count: %s", got)
	}
}

// TestZSetScanLarge walks a sorted set too large for a one-call reply.
func TestZSetScanLarge(t *testing.T) {
	s := NewStore()
	args := []string{"ZADD", "z"}
	for i := range 1000 {
		args = append(args, strconv.Itoa(i)+".5", "m"+strconv.Itoa(i))
	}
	runZ(t, s, args...)
	seen := map[string]bool{}
	cursor, calls := "0", 0
	for {
		v := szDo(t, s, "ZSCAN", "z", cursor, "COUNT", "33")
		el := v.Elems[1].Elems
		for i := 0; i < len(el); i += 2 {
			m, sc := string(el[i].Str), string(el[i+1].Str)
			if seen[m] || m != "m"+strings.TrimSuffix(sc, ".5") {
				t.Fatalf("bad or repeated pair %s %s", m, sc)
			}
			seen[m] = true
		}
		cursor = string(v.Elems[0].Str)
		if calls++; cursor == "0" || calls > 1000 {
			break
		}
	}
	if len(seen) != 1000 || calls != 31 {
		t.Fatalf("scan saw %d members in %d calls", len(seen), calls)
	}
	if got := runZ(t, s, "ZSCAN", "z", "990", "MATCH", "m99*"); got != `["0" ["m990" "990.5" "m991" "991.5" "m992" "992.5" "m993" "993.5" "m994" "994.5" "m995" "995.5" "m996" "996.5" "m997" "997.5" "m998" "998.5" "m999" "999.5"]]` {
		t.Fatalf("ZSCAN tail: %s", got)
	}
}

// TestZSetNoOpKeepsVersion checks that commands that change nothing leave the
// key's WATCH version alone, and that changes bump it.
func TestZSetNoOpKeepsVersion(t *testing.T) {
	s := NewStore()
	runZ(t, s, "ZADD", "z", "1", "a", "2", "b")
	ver := func() uint64 { v, _ := s.WatchVersion(0, []byte("z"), szNow); return v }
	v0 := ver()
	for _, c := range [][]string{
		{"ZADD", "z", "1", "a"}, {"ZADD", "z", "NX", "5", "a"}, {"ZADD", "z", "GT", "0", "b"},
		{"ZADD", "z", "XX", "1", "new"}, {"ZINCRBY", "z", "0", "a"}, {"ZREM", "z", "zz"},
		{"ZREMRANGEBYSCORE", "z", "10", "20"}, {"ZREMRANGEBYRANK", "z", "5", "9"}, {"ZREMRANGEBYLEX", "z", "[x", "[y"},
		{"ZPOPMIN", "z", "0"},
	} {
		runZ(t, s, c...)
		if ver() != v0 {
			t.Fatalf("%q changed the version", c)
		}
	}
	runZ(t, s, "ZADD", "z", "3", "a")
	if ver() == v0 {
		t.Fatal("ZADD of a new score kept the version")
	}
}

// TestZSetSnapshotIsolation checks that sorted set commands copy a set shared
// with a running snapshot instead of modifying it.
func TestZSetSnapshotIsolation(t *testing.T) {
	s := NewStore()
	runZ(t, s, "ZADD", "z", "1", "a", "2", "b", "3", "c")
	f := s.freeze()
	defer f.release()
	for _, c := range [][]string{
		{"ZADD", "z", "9", "a", "4", "d"}, {"ZINCRBY", "z", "1", "b"}, {"ZREM", "z", "c"},
		{"ZPOPMIN", "z"}, {"ZREMRANGEBYRANK", "z", "0", "0"}, {"ZADD", "z", "0", "x", "0", "y"},
		{"ZREMRANGEBYSCORE", "z", "0", "0"}, {"ZADD", "z", "0", "p"}, {"ZREMRANGEBYLEX", "z", "-", "+"},
		{"ZMPOP", "1", "z", "MAX", "COUNT", "10"},
	} {
		runZ(t, s, c...)
	}
	it, ok := f.dbs[0].Get(&item{key: "z", hash: keyHash("z")})
	if !ok {
		t.Fatal("zset missing from the snapshot")
	}
	var got []string
	it.val.(*zset).Each(func(m string, sc float64) bool {
		got = append(got, m+"="+formatDouble(sc))
		return true
	})
	if strings.Join(got, " ") != "a=1 b=2 c=3" {
		t.Fatalf("snapshot zset changed: %v", got)
	}
	if got := runZ(t, s, "EXISTS", "z"); got != ":0" {
		t.Fatalf("emptied zset still exists: %s", got)
	}
}

// TestZSetNoPanic feeds the sorted set commands random arguments.
func TestZSetNoPanic(t *testing.T) {
	var names []string
	for _, c := range zsetCommands() {
		names = append(names, c.Name)
	}
	szFuzz(t, names, 40000)
}
