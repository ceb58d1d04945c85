"""redis-py (and redis-cli, huey) against a Redraft node, in RESP2 and RESP3."""

import shutil
import subprocess
import threading
import time

import pytest
import redis


def pairs(result):
    """Normalise a WITHSCORES reply: RESP2 gives tuples, RESP3 lists."""
    return [(m, float(s)) for m, s in result]


# ---------------------------------------------------------------- strings


def test_strings(r):
    assert r.set("s", "hello") is True
    assert r.get("s") == "hello"
    assert r.get("missing") is None
    assert r.set("s", "x", nx=True) is None
    assert r.set("s2", "x", nx=True) is True
    assert r.set("nope", "x", xx=True) is None
    assert r.set("s", "hi", get=True) == "hello"
    assert r.append("s", " there") == 8
    assert r.strlen("s") == 8
    assert r.getrange("s", 0, 1) == "hi"
    assert r.getrange("s", -5, -1) == "there"
    assert r.setrange("s", 3, "THERE") == 8
    assert r.get("s") == "hi THERE"
    assert r.getset("s", "new") == "hi THERE"
    assert r.getdel("s") == "new"
    assert r.exists("s") == 0


def test_counters(r):
    assert r.incr("n") == 1
    assert r.incrby("n", 41) == 42
    assert r.decr("n") == 41
    assert r.decrby("n", 40) == 1
    assert r.incrbyfloat("f", 10.5) == 10.5
    assert r.incrbyfloat("f", 0.1) == pytest.approx(10.6)
    assert r.get("f") == "10.6"
    r.set("s", "abc")
    with pytest.raises(redis.ResponseError, match="value is not an integer or out of range"):
        r.incr("s")
    r.set("big", 2**63 - 1)
    with pytest.raises(redis.ResponseError, match="increment or decrement would overflow"):
        r.incr("big")


def test_mset_mget(r):
    assert r.mset({"a": "1", "b": "2", "c": "3"}) is True
    assert r.mget("a", "missing", "c") == ["1", None, "3"]
    assert r.msetnx({"a": "x", "z": "y"}) is False
    assert r.exists("z") == 0
    assert r.msetnx({"y": "1", "z": "2"}) is True
    assert r.mget(["y", "z"]) == ["1", "2"]


def test_binary_values(server):
    c = redis.Redis(host="127.0.0.1", port=server.port)
    value = bytes(range(256)) * 4
    c.set(b"bin\x00key", value)
    assert c.get(b"bin\x00key") == value
    assert c.strlen(b"bin\x00key") == 1024
    c.delete(b"bin\x00key")
    c.close()


# ----------------------------------------------------------------- expiry


def test_expiry(r):
    r.set("k", "v", ex=100)
    assert 90 < r.ttl("k") <= 100
    assert 90_000 < r.pttl("k") <= 100_000
    assert r.persist("k") is True
    assert r.ttl("k") == -1
    assert r.ttl("missing") == -2
    assert r.expireat("k", 4102444800) is True
    assert r.expiretime("k") == 4102444800
    assert r.expire("k", 3600, nx=True) is False
    assert r.expire("k", 3600, lt=True) is True
    assert r.expire("k", 60, gt=True) is False
    r.set("k", "v2", keepttl=True)
    assert r.ttl("k") > 3500
    assert r.getex("k", persist=True) == "v2"
    assert r.ttl("k") == -1
    r.set("short", "v", px=150)
    deadline = time.monotonic() + 5
    while r.exists("short"):
        assert time.monotonic() < deadline, "key with a 150ms TTL still exists after 5s"
        time.sleep(0.05)
    assert r.get("short") is None


# ------------------------------------------------------------------- keys


def test_keys(r):
    r.mset({"k1": "1", "k2": "2", "other": "3"})
    r.rpush("list", "a")
    assert r.dbsize() == 4
    assert sorted(r.keys("k*")) == ["k1", "k2"]
    assert r.exists("k1", "k2", "nope") == 2
    assert r.type("k1") == "string"
    assert r.type("list") == "list"
    assert r.type("nope") == "none"
    assert r.rename("k1", "k3") is True
    assert r.renamenx("k3", "k2") is False
    with pytest.raises(redis.ResponseError, match="no such key"):
        r.rename("nope", "x")
    assert r.copy("k3", "k4") is True
    assert r.copy("k3", "k4") is False
    assert r.copy("k2", "k4", replace=True) is True
    assert r.get("k4") == "2"
    assert r.delete("k2", "k3", "nope") == 2
    assert r.unlink("k4") == 1
    assert r.randomkey() in ("other", "list")
    r.flushdb()
    assert r.dbsize() == 0
    assert r.randomkey() is None


def test_scan_iter(r):
    expected = {f"key:{i:03d}" for i in range(500)}
    with r.pipeline(transaction=False) as p:
        for k in expected:
            p.set(k, "v")
        p.rpush("a-list", "x")
        p.execute()
    assert set(r.scan_iter(match="key:*", count=50)) == expected
    assert list(r.scan_iter(_type="list")) == ["a-list"]
    assert set(r.scan_iter()) == expected | {"a-list"}


def test_select_db(server):
    c0 = redis.Redis(host="127.0.0.1", port=server.port, db=0, decode_responses=True)
    c5 = redis.Redis(host="127.0.0.1", port=server.port, db=5, decode_responses=True)
    c0.flushall()
    c5.set("k", "db5")
    assert c0.get("k") is None
    assert c5.get("k") == "db5"
    assert c5.copy("k", "k", destination_db=0) is True
    assert c0.get("k") == "db5"
    c0.close()
    c5.close()


# ------------------------------------------------------------------ lists


def test_lists(r):
    assert r.rpush("l", "a", "b", "c") == 3
    assert r.lpush("l", "z") == 4
    assert r.lrange("l", 0, -1) == ["z", "a", "b", "c"]
    assert r.llen("l") == 4
    assert r.lindex("l", -1) == "c"
    assert r.lset("l", 1, "A") is True
    assert r.linsert("l", "BEFORE", "b", "ab") == 5
    assert r.lpos("l", "b") == 3
    assert r.lpop("l") == "z"
    assert r.rpop("l") == "c"
    assert r.lrange("l", 0, -1) == ["A", "ab", "b"]
    r.rpush("l", "b", "b")
    assert r.lrem("l", 0, "b") == 3
    assert r.ltrim("l", 0, 0) is True
    assert r.lpop("l", 5) == ["A"]
    assert r.exists("l") == 0
    assert r.lpop("l") is None
    r.rpush("src", "1", "2")
    assert r.lmove("src", "dst", "RIGHT", "LEFT") == "2"
    assert r.lrange("dst", 0, -1) == ["2"]
    r.set("str", "x")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        r.lpush("str", "a")


# ----------------------------------------------------------------- hashes


def test_hashes(r):
    assert r.hset("h", mapping={"f1": "v1", "f2": "v2", "n": "5"}) == 3
    assert r.hset("h", "f1", "V1") == 0
    assert r.hget("h", "f1") == "V1"
    assert r.hget("h", "nope") is None
    assert r.hgetall("h") == {"f1": "V1", "f2": "v2", "n": "5"}
    assert r.hgetall("missing") == {}
    assert r.hmget("h", "f2", "nope", "n") == ["v2", None, "5"]
    assert r.hincrby("h", "n", 10) == 15
    assert r.hincrbyfloat("h", "fl", 1.25) == 1.25
    assert r.hexists("h", "f2") is True
    assert r.hlen("h") == 4
    assert sorted(r.hkeys("h")) == ["f1", "f2", "fl", "n"]
    assert sorted(r.hvals("h")) == ["1.25", "15", "V1", "v2"]
    assert r.hdel("h", "f1", "nope") == 1
    assert r.hsetnx("h", "f2", "x") == 0
    assert r.hstrlen("h", "f2") == 2


def test_hscan_iter(r):
    r.hset("big", mapping={f"field:{i}": i for i in range(300)})
    got = dict(r.hscan_iter("big", count=25))
    assert len(got) == 300
    assert got["field:123"] == "123"
    assert dict(r.hscan_iter("big", match="field:29*")) == {
        "field:29": "29", **{f"field:29{i}": f"29{i}" for i in range(10)}}


# ------------------------------------------------------------------- sets


def test_sets(r):
    assert r.sadd("s1", "a", "b", "c", "a") == 3
    r.sadd("s2", "b", "c", "d")
    assert r.smembers("s1") == {"a", "b", "c"}
    assert r.smembers("missing") == set()
    assert r.sismember("s1", "a") == 1
    assert r.sismember("s1", "z") == 0
    assert r.smismember("s1", "a", "z") == [1, 0]
    assert r.scard("s1") == 3
    assert r.sinter("s1", "s2") == {"b", "c"}
    assert r.sunion("s1", "s2") == {"a", "b", "c", "d"}
    assert r.sdiff("s1", "s2") == {"a"}
    assert r.sinterstore("dst", "s1", "s2") == 2
    assert r.smembers("dst") == {"b", "c"}
    assert r.srem("s1", "a", "z") == 1
    assert r.smove("s1", "s3", "b") is True
    assert set(r.spop("s2", 10)) == {"b", "c", "d"}
    assert r.exists("s2") == 0
    r.sadd("big", *[f"m{i}" for i in range(200)])
    assert set(r.sscan_iter("big", match="m1*", count=20)) == (
        {"m1"} | {f"m1{i}" for i in range(10)} | {f"m1{i:02d}" for i in range(100)})
    assert r.srandmember("big") in {f"m{i}" for i in range(200)}


# ------------------------------------------------------------ sorted sets


def test_zsets(r):
    assert r.zadd("z", {"a": 1, "b": 2.5, "c": -3}) == 3
    assert r.zscore("z", "b") == 2.5
    assert r.zscore("z", "nope") is None
    assert pairs(r.zrange("z", 0, -1, withscores=True)) == [("c", -3.0), ("a", 1.0), ("b", 2.5)]
    assert r.zrange("z", 0, -1) == ["c", "a", "b"]
    assert pairs(r.zrevrange("z", 0, 0, withscores=True)) == [("b", 2.5)]
    assert r.zrangebyscore("z", 0, "(2.5") == ["a"]
    assert pairs(r.zrangebyscore("z", "-inf", "+inf", withscores=True)) == [
        ("c", -3.0), ("a", 1.0), ("b", 2.5)]
    assert r.zrange("z", "+inf", "-inf", byscore=True, desc=True, offset=1, num=1) == ["a"]
    assert r.zrank("z", "a") == 1
    assert r.zrevrank("z", "a") == 1
    assert r.zincrby("z", 2, "a") == 3.0
    assert r.zcard("z") == 3
    assert r.zcount("z", "-inf", 2.5) == 2
    assert r.zmscore("z", ["a", "nope", "c"]) == [3.0, None, -3.0]
    assert r.zrem("z", "c", "nope") == 1
    assert pairs(r.zpopmin("z", 1)) == [("b", 2.5)]
    r.zadd("lex", {"a": 0, "b": 0, "c": 0})
    assert r.zrangebylex("lex", "[b", "+") == ["b", "c"]
    r.zadd("big", {f"m{i}": i for i in range(200)})
    got = dict(r.zscan_iter("big", count=30))
    assert len(got) == 200
    assert got["m42"] == 42.0


# ------------------------------------------------------ pipelines and MULTI


def test_pipeline_non_transaction(r):
    with r.pipeline(transaction=False) as p:
        for i in range(100):
            p.set(f"p:{i}", i)
        p.incr("p:5")
        p.get("p:99")
        p.rpush("pl", "a", "b")
        p.lrange("pl", 0, -1)
        res = p.execute()
    assert res[:100] == [True] * 100
    assert res[100:] == [6, "99", 2, ["a", "b"]]
    with r.pipeline(transaction=False) as p:
        p.set("str", "x")
        p.incr("str")
        p.get("str")
        res = p.execute(raise_on_error=False)
    assert res[0] is True
    assert isinstance(res[1], redis.ResponseError)
    assert res[2] == "x"


def test_pipeline_transaction(r):
    with r.pipeline(transaction=True) as p:
        p.set("tx:a", 1)
        p.incrby("tx:a", 9)
        p.hset("tx:h", "f", "v")
        p.hgetall("tx:h")
        p.expire("tx:a", 3600)
        res = p.execute()
    assert res == [True, 10, 1, {"f": "v"}, True]
    assert r.ttl("tx:a") > 3500
    with r.pipeline(transaction=True) as p:
        p.set("tx:s", "str")
        p.lpush("tx:s", "x")
        p.set("tx:after", "ok")
        res = p.execute(raise_on_error=False)
    assert res[0] is True
    assert isinstance(res[1], redis.ResponseError)
    assert "WRONGTYPE" in str(res[1])
    assert res[2] is True
    assert r.get("tx:after") == "ok"


def test_transaction_helper(r):
    r.set("balance", 100)

    def withdraw(pipe):
        balance = int(pipe.get("balance"))
        pipe.multi()
        pipe.set("balance", balance - 30)
        pipe.rpush("ledger", "-30")

    res = r.transaction(withdraw, "balance")
    assert res == [True, 1]
    assert r.get("balance") == "70"
    assert r.lrange("ledger", 0, -1) == ["-30"]


def test_watch_conflict(r, server):
    other = redis.Redis(host="127.0.0.1", port=server.port, decode_responses=True)
    r.set("w", "1")
    with r.pipeline() as p:
        p.watch("w")
        assert p.get("w") == "1"
        other.set("w", "changed")
        p.multi()
        p.set("w", "from-tx")
        with pytest.raises(redis.WatchError):
            p.execute()
    assert r.get("w") == "changed"
    other.close()


def test_transaction_helper_concurrent(server):
    """Optimistic-locking increments from several threads lose nothing."""
    workers, per_worker = 4, 15
    setup = redis.Redis(host="127.0.0.1", port=server.port)
    setup.set("counter", 0)
    errors = []

    def work():
        c = redis.Redis(host="127.0.0.1", port=server.port)
        try:
            for _ in range(per_worker):
                def incr(pipe):
                    n = int(pipe.get("counter"))
                    pipe.multi()
                    pipe.set("counter", n + 1)
                c.transaction(incr, "counter")
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            c.close()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert int(setup.get("counter")) == workers * per_worker
    setup.close()


def test_errors(r):
    r.rpush("l", "a")
    with pytest.raises(redis.ResponseError) as e:
        r.get("l")
    assert str(e.value) == "WRONGTYPE Operation against a key holding the wrong kind of value"
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command("NOSUCHCOMMAND", "x")
    assert str(e.value) == "unknown command 'NOSUCHCOMMAND', with args beginning with: 'x' "
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command("GET")
    assert str(e.value) == "wrong number of arguments for 'get' command"
    assert r.ping() is True
    assert r.echo("hi") == "hi"


# ------------------------------------------------------------- redis-cli


def redis_cli(server, *args, stdin=None):
    cli = shutil.which("redis-cli")
    if cli is None:
        pytest.fail("redis-cli is required: apt-get install -y redis-tools", pytrace=False)
    res = subprocess.run(
        [cli, "-h", "127.0.0.1", "-p", str(server.port), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert res.returncode == 0, res.stderr
    return res.stdout


def test_redis_cli(server):
    redis.Redis(host="127.0.0.1", port=server.port).flushall()
    assert redis_cli(server, "ping") == "PONG\n"
    assert redis_cli(server, "set", "cli:k", "hello world") == "OK\n"
    assert redis_cli(server, "get", "cli:k") == "hello world\n"
    assert redis_cli(server, "--raw", "incr", "cli:n") == "1\n"
    assert redis_cli(server, "rpush", "cli:l", "a", "b") == "2\n"
    assert redis_cli(server, "lrange", "cli:l", "0", "-1") == "a\nb\n"
    assert redis_cli(server, "get", "cli:missing") == "\n"
    assert redis_cli(server, "-3", "hset", "cli:h", "f", "v") == "1\n"
    # redis-cli prints a RESP3 map entry as "key value" on one line.
    assert redis_cli(server, "-3", "hgetall", "cli:h") == "f v\n"
    assert redis_cli(server, "hgetall", "cli:h") == "f\nv\n"
    assert redis_cli(server, "exists", "cli:k", "cli:l", "cli:nope") == "2\n"
    assert "ERR" in redis_cli(server, "incr", "cli:k")
    # Commands piped on stdin, as in `cat cmds | redis-cli`.
    out = redis_cli(server, stdin="SET cli:p 1\nINCR cli:p\nGET cli:p\n")
    assert out == "OK\n2\n2\n"
    assert redis_cli(server, "dbsize") == "5\n"


# ------------------------------------------------------------------ huey


def test_huey_task_roundtrip(server):
    """A huey task goes through the queue (LPUSH/RPOP) and its result
    through the result hash (HSET/HGET/HDEL)."""
    from huey import RedisHuey

    huey = RedisHuey("redraft-test", host="127.0.0.1", port=server.port, blocking=False)
    huey.flush()

    @huey.task()
    def add(a, b):
        return a + b

    result = add(2, 3)
    assert huey.pending_count() == 1
    task = huey.dequeue()
    assert task is not None
    huey.execute(task)
    assert result.get() == 5
    assert huey.pending_count() == 0
