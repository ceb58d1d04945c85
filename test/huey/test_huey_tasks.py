"""Huey (real huey_consumer processes) against a Redraft node.

Every test runs for each of Huey's four Redis storages (RedisHuey,
PriorityRedisHuey, RedisExpireHuey, PriorityRedisExpireHuey) and, where a
consumer is involved, for both the thread and the process worker types.
The tasks (app/tasks.py) record what they do in database 1 of the same
server, so the tests check from outside what ran, how often and when.

Every wait is bounded; a timeout says what was awaited and how far it got.
REDRAFT_HUEY_TASKS (default 2000) sets the size of the exactly-once test.
"""

import datetime
import os
import threading
import time

import pytest
from huey import group
from huey.api import Result
from huey.exceptions import ResultTimeout
from huey.exceptions import TaskException
from huey.utils import Error

STORAGES = ["RedisHuey", "PriorityRedisHuey", "RedisExpireHuey", "PriorityRedisExpireHuey"]
PRIORITY_STORAGES = [s for s in STORAGES if s.startswith("Priority")]
WORKER_TYPES = ["thread", "process"]

N_TASKS = int(os.environ.get("REDRAFT_HUEY_TASKS", "2000"))
# The exactly-once test fails if no task completes for this long...
STALL_TIMEOUT = 30.0
# ...or if all of them have not completed within this long.
TOTAL_TIMEOUT = 600.0

# Scheduling tolerances (seconds): never earlier than asked (minus float
# rounding of the timestamps), and not later than asked + LATE.
EARLY = 0.05
LATE = 5.0


def storage_params(storages=STORAGES):
    return pytest.mark.parametrize("storage", storages)


worker_params = pytest.mark.parametrize("worker_type", WORKER_TYPES)

# The exactly-once test runs for every storage and worker type against the
# session's node, and for two of the combinations (a list queue with
# destructive results and thread workers; a priority queue with expiring
# results and process workers) with every client connected to a follower of
# a three-node cluster: about 15 s each, hence not all eight. Against
# redis-server, or when the whole session targets a follower (see
# conftest), the follower cases would repeat the others and are left out.
EXACTLY_ONCE_CASES = [
    pytest.param(s, w, "node", id=f"{s}-{w}") for w in WORKER_TYPES for s in STORAGES
]
if os.environ.get("REDRAFT_HUEY_TARGET", "redraft") == "redraft":
    EXACTLY_ONCE_CASES += [
        pytest.param(s, w, "follower", id=f"{s}-{w}-follower")
        for s, w in (("RedisHuey", "thread"), ("PriorityRedisExpireHuey", "process"))
    ]


def destructive(storage):
    """Reading a result deletes it, except with the *Expire* storages, whose
    results stay until they expire (pop_data is a peek there, by design)."""
    return "Expire" not in storage


# What a consumer may not log while a test waits on it (conftest's default:
# errors reading the queue or the schedule, enqueueing, in the consumer).
EXACTLY_ONCE_FAIL_ON = (
    r"Error reading from queue|Error enqueueing|Error in consumer|"
    r"Unhandled error during execution|Unhandled exception in task"
)


def check_consumers(cs, fail_on=None):
    for c in cs or ():
        if fail_on is None:
            c.check()
        else:
            c.check(fail_on)


def wait_until(predicate, timeout, what, cs=None, fail_on=None, interval=0.05):
    """Poll predicate until true or timeout; fail at once if a consumer of
    cs died or logged an error (the cause, rather than a timeout)."""
    deadline = time.monotonic() + timeout
    next_check = 0.0
    while True:
        value = predicate()
        if value:
            return value
        now = time.monotonic()
        if now >= next_check:
            check_consumers(cs, fail_on)
            next_check = now + 0.5
        if now >= deadline:
            check_consumers(cs, fail_on)
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def result_of(r, timeout, cs, what=None):
    """r.get(blocking=True) for at most `timeout` seconds, in 1 s slices so
    that a consumer error fails the test at once (Result objects keep what
    they have already read, so slicing loses nothing)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return r.get(blocking=True, timeout=1.0)
        except ResultTimeout:
            check_consumers(cs)
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"timed out after {timeout}s waiting for the result of {what or r}"
                ) from None


def wait_quiet(app, cs, timeout=15.0):
    """Until the queue and the schedule are both empty."""
    h = app.huey
    wait_until(lambda: h.pending_count() == 0 and h.scheduled_count() == 0, timeout,
               "the queue and the schedule to drain", cs)


def as_float(b):
    return float(b.decode() if isinstance(b, bytes) else b)


# --------------------------------------------------------------- exactly once


@pytest.mark.parametrize("storage,worker_type,via", EXACTLY_ONCE_CASES)
def test_exactly_once(request, huey_app, consumers, storage, worker_type, via):
    """N no-op tasks, enqueued while two consumers (3 workers each) run:
    every task runs exactly once, every result is read exactly once. With
    via=follower the producer, the consumers, the result reads and the
    tasks' records all go through a follower of a three-node cluster."""
    app = huey_app(storage, node=request.getfixturevalue("follower") if via == "follower" else None)
    h, rec = app.huey, app.rec.client
    cs = consumers(app, workers=3, worker_type=worker_type, count=2)

    start = time.monotonic()
    results = [app.noop(i) for i in range(N_TASKS)]
    ids = [r.id for r in results]
    assert len(set(ids)) == N_TASKS

    last_count, last_progress = -1, start
    while True:
        count = rec.scard("executed")
        now = time.monotonic()
        if count >= N_TASKS:
            break
        if count != last_count:
            last_count, last_progress = count, now
        check_consumers(cs, EXACTLY_ONCE_FAIL_ON)
        if now - last_progress > STALL_TIMEOUT:
            raise AssertionError(
                f"no progress for {STALL_TIMEOUT}s: {count}/{N_TASKS} tasks ran, "
                f"queue={h.pending_count()} schedule={h.scheduled_count()}"
            )
        if now - start > TOTAL_TIMEOUT:
            raise AssertionError(f"only {count}/{N_TASKS} tasks ran in {TOTAL_TIMEOUT}s")
        time.sleep(0.2)
    elapsed = time.monotonic() - start

    # Give a duplicate delivery time to show up before checking.
    time.sleep(1.5)
    assert h.pending_count() == 0
    assert h.scheduled_count() == 0

    executed = {m.decode() for m in rec.smembers("executed")}
    missing = set(ids) - executed
    extra = executed - set(ids)
    assert not missing, f"{len(missing)} tasks never ran, e.g. {sorted(missing)[:5]}"
    assert not extra, f"unknown task ids ran: {sorted(extra)[:5]}"

    runs = {}
    for i in range(0, N_TASKS, 500):
        chunk = ids[i:i + 500]
        runs.update(zip(chunk, rec.mget(["runs:%s" % t for t in chunk])))
    not_once = {t: v for t, v in runs.items() if v != b"1"}
    assert not not_once, (
        f"{len(not_once)} tasks did not run exactly once, e.g. "
        f"{list(not_once.items())[:5]}"
    )

    # Each result is there once: the first read returns it; with the
    # destructive storages a second read finds nothing.
    wrong, second = [], []
    for i, r in enumerate(results):
        v = h.result(r.id, blocking=True, timeout=10)
        if v != i:
            wrong.append((r.id, i, v))
        again = h.result(r.id)
        expected_again = None if destructive(storage) else i
        if again != expected_again:
            second.append((r.id, expected_again, again))
    assert not wrong, f"{len(wrong)} wrong results (id, expected, got): {wrong[:5]}"
    assert not second, (
        f"{len(second)} second reads gave the wrong value (id, expected, got): {second[:5]}"
    )
    if destructive(storage):
        assert h.result_count() == 0, "results left after reading every one once"
    else:
        ttl = h.storage.conn.ttl(h.storage.result_key(results[0].id))
        assert 0 < ttl <= 3600, f"an *Expire* result has TTL {ttl}"
    print(f"{storage}/{worker_type}/{via}: {N_TASKS} tasks enqueued and run in {elapsed:.1f}s "
          f"({N_TASKS / elapsed:.0f} tasks/s)")


# ------------------------------------------------------------------- delayed


@worker_params
@storage_params()
def test_delayed_and_eta(huey_app, consumers, storage, worker_type):
    """delay=2 and eta=now+2s run no earlier than asked, and not much later."""
    app = huey_app(storage)
    cs = consumers(app, workers=2, worker_type=worker_type)

    asked = []
    t = time.time()
    asked.append(("delay=2", app.stamp.schedule(delay=2), t + 2))
    t = time.time()
    eta = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=2)
    asked.append(("eta=aware utc", app.stamp.schedule(eta=eta), eta.timestamp()))
    local = datetime.datetime.now() + datetime.timedelta(seconds=2)
    # Huey converts a naive local eta to UTC through time.mktime/gmtime,
    # which drops the microseconds: the eta it stores is the whole second.
    asked.append(("eta=naive local", app.stamp.schedule(eta=local),
                  local.replace(microsecond=0).timestamp()))
    t = time.time()
    asked.append(("s(delay=2)", app.huey.enqueue(app.stamp.s(delay=2)), t + 2))

    # Not yet: they sit in the schedule.
    time.sleep(1.0)
    assert app.rec.client.scard("executed") == 0, "a delayed task ran a second early"

    problems = []
    for label, result, when in asked:
        ran = result_of(result, 2 + LATE + 5, cs, label)
        if ran < when - EARLY:
            problems.append(f"{label}: ran {when - ran:.3f}s early")
        elif ran > when + LATE:
            problems.append(f"{label}: ran {ran - when:.3f}s late")
    assert not problems, problems
    for _, result, _ in asked:
        assert app.rec.client.get("runs:%s" % result.id) == b"1"
    wait_quiet(app, cs)


# ------------------------------------------------------------------- retries


@worker_params
@storage_params()
def test_retries_with_delay(huey_app, consumers, storage, worker_type):
    """retries=3, retry_delay=1: a task failing twice succeeds on attempt 3;
    one that always fails is tried 4 times and its result raises."""
    app = huey_app(storage)
    rec = app.rec.client
    cs = consumers(app, workers=2, worker_type=worker_type)

    ok = app.flaky("ok", 2)
    bad = app.flaky("bad", 100)
    h = app.huey

    # Huey stores each intermediate error as the result (store_intermediate_
    # errors=True by default) until a later attempt overwrites it: wait for
    # the final outcome with peeks, then read it.
    def final(result, attempts):
        def check():
            n = int(rec.get("attempts:%s" % result.task.args[0]) or 0)
            v = h.get(result.id, peek=True)
            return n == attempts and v is not None and (
                not isinstance(v, Error) or "attempt %d of" % attempts in str(v.metadata))
        wait_until(check, 20, f"flaky {result.task.args[0]!r} to end after {attempts} attempts",
                   cs)

    final(ok, 3)
    assert ok.get() == 3
    final(bad, 4)
    with pytest.raises(TaskException) as exc:
        bad.get()
    assert "failing attempt 4 of 100" in str(exc.value.metadata), exc.value.metadata

    time.sleep(1.5)  # no attempt after the last one
    assert int(rec.get("attempts:ok")) == 3
    assert int(rec.get("attempts:bad")) == 4
    for key in ("ok", "bad"):
        times = [as_float(x) for x in rec.lrange("attempt_times:%s" % key, 0, -1)]
        gaps = [b - a for a, b in zip(times, times[1:])]
        assert gaps and all(1 - EARLY <= g <= 1 + LATE for g in gaps), (
            f"{key}: gaps between attempts {gaps} (retry_delay=1)"
        )
    wait_quiet(app, cs)


# ---------------------------------------------------------------- revocation


@worker_params
@storage_params()
def test_revocation(huey_app, consumers, storage, worker_type):
    """Revoked tasks (by result, by id, scheduled, whole task class) never run;
    the others do, and a restored task class runs again."""
    app = huey_app(storage)
    h, rec = app.huey, app.rec.client

    # Enqueued before any consumer runs.
    app.ordered.revoke()  # the whole task class
    class_revoked = app.ordered("class-revoked")
    doomed = app.noop(1)
    doomed.revoke()
    by_id = app.noop(2)
    h.revoke_by_id(by_id.id)
    sched_doomed = app.stamp.schedule(delay=2)
    sched_doomed.revoke()
    sched_keep = app.stamp.schedule(delay=2)
    keep = app.noop(3)
    assert doomed.is_revoked() and sched_doomed.is_revoked()
    assert app.ordered.is_revoked()

    cs = consumers(app, workers=2, worker_type=worker_type)
    assert result_of(keep, 15, cs) == 3
    result_of(sched_keep, 2 + LATE + 5, cs, "the scheduled task that was not revoked")
    wait_quiet(app, cs)
    time.sleep(1.0)

    executed = {m.decode() for m in rec.smembers("executed")}
    assert executed == {keep.id, sched_keep.id}, (
        f"ran: {executed}; revoked: {doomed.id} {by_id.id} {sched_doomed.id}"
    )
    assert rec.lrange("order", 0, -1) == []
    for r in (doomed, by_id, sched_doomed, class_revoked):
        assert r.get() is None

    assert app.ordered.restore()
    restored = app.ordered("restored")
    assert result_of(restored, 15, cs) == "restored"
    assert rec.lrange("order", 0, -1) == [b"restored"]


# ----------------------------------------------------------------- lock_task


@worker_params
@storage_params()
def test_lock_task_mutual_exclusion(huey_app, consumers, storage, worker_type):
    """8 lock_task('mutex') tasks on 4 workers: never two inside at once;
    those finding the lock held are retried until each has run once."""
    app = huey_app(storage)
    rec = app.rec.client
    n = 8
    results = [app.locked(i) for i in range(n)]  # queued before the workers start
    cs = consumers(app, workers=4, worker_type=worker_type)

    deadline = time.monotonic() + 45
    values = [result_of(r, max(1.0, deadline - time.monotonic()), cs) for r in results]
    assert values == list(range(n))
    assert rec.smembers("violations") == set(), "two tasks were inside the lock at once"
    assert int(rec.get("inside")) == 0
    done = sorted(int(x) for x in rec.lrange("locked_done", 0, -1))
    assert done == list(range(n)), f"completions: {done}"
    misses = int(rec.get("lock_misses") or 0)
    assert misses > 0, "no run ever found the lock held: the test did not exercise the lock"
    assert not app.huey.is_locked("mutex")
    wait_quiet(app, cs, timeout=30)


@storage_params()
def test_lock_primitive_concurrent(huey_app, storage):
    """The lock primitive (put_if_empty: HSETNX or SET NX) from 8 threads:
    each lock is won exactly once."""
    app = huey_app(storage)
    h = app.huey
    nthreads, nkeys = 8, 25
    barrier = threading.Barrier(nthreads)
    winners, errors = [], []
    mu = threading.Lock()

    def run(t):
        try:
            barrier.wait(timeout=10)
            for i in range(nkeys):
                if h.put_if_empty("lock.k%d" % i, b"%d" % t):
                    with mu:
                        winners.append(i)
        except Exception as e:  # reported below
            errors.append(repr(e))

    threads = [threading.Thread(target=run, args=(t,)) for t in range(nthreads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "threads still running after 60s"
    assert not errors, errors
    assert sorted(winners) == list(range(nkeys))


# ------------------------------------------------------- pipelines and chords


@worker_params
@storage_params()
def test_pipeline_group_chord(huey_app, consumers, storage, worker_type):
    app = huey_app(storage)
    h = app.huey
    cs = consumers(app, workers=3, worker_type=worker_type)

    pipe = app.add.s(1, 2).then(app.add, 3).then(app.add, 4)
    assert result_of(h.enqueue(pipe), 20, cs, "a pipeline") == [3, 6, 10]

    g = h.enqueue(group([app.add.s(i, 1) for i in range(5)]))
    assert result_of(g, 20, cs, "a group") == [1, 2, 3, 4, 5]

    mapped = app.add.map([(i, i) for i in range(4)])
    assert result_of(mapped, 20, cs, "map()") == [0, 2, 4, 6]

    ch = h.enqueue(group([app.add.s(i, i) for i in range(5)]).then(app.tsum))
    assert result_of(ch, 20, cs, "a chord") == 20
    assert result_of(ch.results, 20, cs, "the chord's members") == [0, 2, 4, 6, 8]

    # A chord whose callback is itself a pipeline.
    ch2 = h.enqueue(group([app.add.s(1, 1), app.add.s(2, 2)]).then(app.tsum).then(app.add, 100))
    assert result_of(ch2, 20, cs, "a chord with a pipeline callback") == 6
    assert result_of(ch2.pipeline_results, 20, cs)[-1] == 106
    wait_quiet(app, cs)


# ----------------------------------------------- blocking result with notify


@worker_params
@storage_params()
def test_blocking_result_with_notify(huey_app, consumers, storage, worker_type):
    """notify_result=True: result(blocking=True, timeout=...) wakes on the
    notification (BLPOP with a float timeout) and times out when due."""
    app = huey_app(storage, notify_result=True)
    h = app.huey
    cs = consumers(app, workers=4, worker_type=worker_type)

    t0 = time.monotonic()
    r = app.slow(1.0, "v")
    assert r.get(blocking=True, timeout=15) == "v"
    elapsed = time.monotonic() - t0
    assert 1.0 <= elapsed <= 1.0 + LATE, f"blocking result took {elapsed:.2f}s for a 1s task"

    # A result that never comes: ResultTimeout after about the timeout.
    t0 = time.monotonic()
    with pytest.raises(ResultTimeout):
        h.result("no-such-task", blocking=True, timeout=1.5)
    elapsed = time.monotonic() - t0
    assert 1.4 <= elapsed <= 1.5 + LATE, f"timeout=1.5 returned after {elapsed:.2f}s"

    # Several waiters at once, each on its own result.
    rs = [app.slow(0.3, i) for i in range(8)]
    got, errors = {}, []

    def wait(i, res):
        try:
            got[i] = res.get(blocking=True, timeout=20)
        except Exception as e:
            errors.append(repr(e))

    threads = [threading.Thread(target=wait, args=(i, res)) for i, res in enumerate(rs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    check_consumers(cs)
    assert not errors, errors
    assert got == {i: i for i in range(8)}

    # The notification keys are consumed (or expire: notify_result_ttl).
    keys = h.storage.conn.keys(h.storage.notify_prefix + "*")
    for k in keys:
        assert 0 < h.storage.conn.ttl(k) <= h.storage.notify_result_ttl


# ---------------------------------------------------------------- priorities


@worker_params
@storage_params(PRIORITY_STORAGES)
def test_priority_order(huey_app, consumers, storage, worker_type):
    """Priority storages: higher priority first, FIFO within a priority."""
    app = huey_app(storage)
    rec = app.rec.client
    priorities = (1, None, 5, None, 3, None, 9, None, 7, 0)
    for i, p in enumerate(priorities):
        app.ordered("i%d-%s" % (i, p), priority=p)
    cs = consumers(app, workers=1, worker_type=worker_type)
    wait_until(lambda: rec.llen("order") == len(priorities), 20,
               f"{len(priorities)} tasks to run", cs)
    order = [x.decode() for x in rec.lrange("order", 0, -1)]
    assert order == ["i6-9", "i8-7", "i2-5", "i4-3", "i0-1",
                     "i1-None", "i3-None", "i5-None", "i7-None", "i9-0"]


# ------------------------------------------------------------------- restart


@storage_params()
def test_tasks_survive_node_restart(node_factory, huey_app, consumers, storage):
    """Tasks queued, and tasks in the schedule, before a clean restart of
    the node (SIGTERM, same data dir and port) all run after it, once."""
    node = node_factory()
    app = huey_app(storage, node=node)
    h, rec = app.huey, app.rec.client

    queued = [app.noop(i) for i in range(200)]
    scheduled = []
    for _ in range(5):
        t = app.stamp.s(delay=1)
        h.add_schedule(t)  # straight into the schedule, as a worker would
        scheduled.append(Result(h, t))
    assert h.pending_count() == 200
    assert h.scheduled_count() == 5

    h.storage.pool.disconnect()
    err = node.stop()
    assert err is None, err
    node2 = node_factory(port=node.port, data_dir=node.data_dir)

    assert h.pending_count() == 200, "queued tasks lost in the restart"
    assert h.scheduled_count() == 5, "scheduled tasks lost in the restart"
    cs = consumers(app, workers=3, worker_type="thread")
    ids = [r.id for r in queued + scheduled]
    wait_until(lambda: rec.scard("executed") >= len(ids), 30,
               f"{len(ids)} tasks to run after the restart", cs)
    time.sleep(1.0)
    assert {m.decode() for m in rec.smembers("executed")} == set(ids)
    assert rec.mget(["runs:%s" % i for i in ids]) == [b"1"] * len(ids)
    assert [result_of(r, 10, cs) for r in queued] == list(range(200))
    wait_quiet(app, cs)
    assert node2.proc.poll() is None
