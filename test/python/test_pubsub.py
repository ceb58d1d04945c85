"""redis-py's Pub/Sub (PubSub objects, get_message, listen, handlers in a
thread, patterns, shard channels) against a Redraft node and a follower,
in RESP2 and RESP3.

Channel names carry the protocol: the RESP2 run's subscriber connection
may still be going away on the server when the RESP3 run starts.
"""

import queue
import shutil
import subprocess
import threading
import time

import pytest
import redis

WAIT = 30.0


def name(r, base):
    return f"{base}.resp{r.connection_pool.connection_kwargs.get('protocol', 2)}"


def next_message(p, timeout=WAIT):
    """The next message of any type (confirmations included), waiting at
    most timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        m = p.get_message(timeout=1.0)
        if m is not None:
            return m
    pytest.fail(f"no Pub/Sub message within {timeout}s")


def eventually(check, what, timeout=WAIT):
    """Poll check() until it is true: a closed subscriber's subscriptions
    go away when the server notices the disconnection."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not true within {timeout}s")
        time.sleep(0.02)


def test_pubsub_subscribe_and_get_message(r):
    ch = name(r, "news")
    p = r.pubsub()
    try:
        p.subscribe(ch)
        assert next_message(p) == {"type": "subscribe", "pattern": None, "channel": ch, "data": 1}
        assert r.pubsub_numsub(ch, name(r, "none")) == [(ch, 1), (name(r, "none"), 0)]
        assert r.pubsub_channels(name(r, "new*")) == [ch]
        assert r.publish(ch, "hello") == 1
        assert r.publish(ch, "bin\x00\r\nary") == 1
        assert r.publish(name(r, "none"), "x") == 0
        assert next_message(p) == {"type": "message", "pattern": None, "channel": ch, "data": "hello"}
        assert next_message(p)["data"] == "bin\x00\r\nary"
        p.unsubscribe(ch)
        assert next_message(p) == {"type": "unsubscribe", "pattern": None, "channel": ch, "data": 0}
        assert r.publish(ch, "late") == 0
        assert p.get_message(timeout=0.3) is None
    finally:
        p.close()


def test_pubsub_patterns(r):
    pattern = name(r, "ev") + ".*"
    p = r.pubsub(ignore_subscribe_messages=True)
    try:
        p.psubscribe(pattern)
        eventually(lambda: r.pubsub_numpat() >= 1, "PUBSUB NUMPAT counts the pattern")
        assert r.publish(name(r, "ev") + ".click", "1") == 1
        assert r.publish(name(r, "other"), "2") == 0
        assert next_message(p) == {
            "type": "pmessage",
            "pattern": pattern,
            "channel": name(r, "ev") + ".click",
            "data": "1",
        }
        p.punsubscribe(pattern)
        eventually(lambda: r.publish(name(r, "ev") + ".click", "late") == 0, "PUNSUBSCRIBE took effect")
    finally:
        p.close()


def test_pubsub_listen_in_order(r):
    ch = name(r, "stream")
    p = r.pubsub(ignore_subscribe_messages=True)
    try:
        p.subscribe(ch)
        eventually(lambda: r.pubsub_numsub(ch) == [(ch, 1)], "SUBSCRIBE took effect")
        n = 200

        def publish():
            for i in range(n):
                r.publish(ch, str(i))

        t = threading.Thread(target=publish)
        t.start()
        got = []
        for m in p.listen():
            if m["type"] == "message":
                got.append(m["data"])
            if len(got) == n:
                break
        t.join(timeout=WAIT)
        assert got == [str(i) for i in range(n)]
    finally:
        p.close()


def test_pubsub_shard_channels(r):
    ch = name(r, "orders")
    p = r.pubsub()
    try:
        p.ssubscribe(ch)
        assert next_message(p) == {"type": "ssubscribe", "pattern": None, "channel": ch, "data": 1}
        assert r.pubsub_shardnumsub(ch) == [(ch, 1)]
        assert r.pubsub_shardchannels(ch) == [ch]
        assert r.pubsub_numsub(ch) == [(ch, 0)]
        assert r.publish(ch, "not for shard subscribers") == 0
        assert r.spublish(ch, "o1") == 1
        assert next_message(p) == {"type": "smessage", "pattern": None, "channel": ch, "data": "o1"}
        p.sunsubscribe(ch)
        assert next_message(p) == {"type": "sunsubscribe", "pattern": None, "channel": ch, "data": 0}
    finally:
        p.close()


def test_pubsub_handlers_in_thread(r):
    ch = name(r, "jobs")
    got = []
    done = threading.Event()

    def handler(m):
        got.append(m["data"])
        if len(got) == 3:
            done.set()

    p = r.pubsub()
    p.subscribe(**{ch: handler})
    worker = p.run_in_thread(sleep_time=0.01, daemon=True)
    try:
        eventually(lambda: r.pubsub_numsub(ch) == [(ch, 1)], "SUBSCRIBE took effect")
        for data in ("a", "b", "c"):
            assert r.publish(ch, data) == 1
        assert done.wait(WAIT), f"handler got {got}"
        assert got == ["a", "b", "c"]
    finally:
        worker.stop()
        worker.join(timeout=WAIT)
        p.close()


def test_pubsub_counts_every_local_receiver(r):
    ch = name(r, "fanout")
    subs = [r.pubsub() for _ in range(3)]
    try:
        subs[0].subscribe(ch)
        subs[1].subscribe(ch)
        subs[2].psubscribe(ch.replace("fanout", "fan*"))
        for s in subs:
            assert next_message(s)["type"] in ("subscribe", "psubscribe")
        assert r.publish(ch, "hi") == 3
        for s in subs:
            m = next_message(s)
            assert m["channel"] == ch and m["data"] == "hi"
    finally:
        for s in subs:
            s.close()


@pytest.mark.parametrize("proto", ["-2", "-3"])
def test_pubsub_redis_cli(server, proto):
    """redis-cli SUBSCRIBE prints the confirmation, then each message."""
    cli = shutil.which("redis-cli")
    if cli is None:
        pytest.fail("redis-cli is required: apt-get install -y redis-tools", pytrace=False)
    ch = f"cli.news{proto}"
    proc = subprocess.Popen(
        [cli, "-h", "127.0.0.1", "-p", str(server.port), proto, "subscribe", ch],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(l) for l in proc.stdout], daemon=True).start()

    def read_lines(n):
        return [lines.get(timeout=WAIT).rstrip("\n") for _ in range(n)]

    try:
        assert read_lines(3) == ["subscribe", ch, "1"]
        pub = redis.Redis(host="127.0.0.1", port=server.port, decode_responses=True)
        assert pub.publish(ch, "hello world") == 1
        pub.close()
        assert read_lines(3) == ["message", ch, "hello world"]
    finally:
        proc.kill()
        proc.wait(timeout=WAIT)
