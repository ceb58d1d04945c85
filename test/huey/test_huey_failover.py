"""Huey across a failover: the leader of a three-node Redraft cluster is
killed with SIGKILL in the middle of a few thousand tasks, and restarted
later.

Setup (app: test/huey/app/failover.py):

* a 3-node cluster (--election-timeout 500ms);
* three huey_consumer processes (thread workers), consumer k's RedisHuey
  pointing at node k, so that consumers are spread over all three nodes
  (two of them on followers);
* a producer thread that enqueues REDRAFT_HUEY_FAILOVER_TASKS (3000)
  small tasks at a steady rate, round-robin through the three nodes, and
  records which enqueues were acknowledged. It never retries an enqueue
  (Huey's connection pool does not either): a retry of an enqueue whose
  reply was lost may push the task twice, a duplicate of the client's
  making, not the server's. An enqueue that fails is "unacknowledged"
  (it may or may not have been applied) and the producer goes on with
  the next task, avoiding that node for 0.5 s, as a client with a list
  of nodes would;
* every task appends "run <id>" to its consumer's record file, and the
  consumer's dequeue appends "pop <id>" before Huey does anything else with
  the task: what ran is counted OUTSIDE the system under test.

What a real deployment sees, and what the test does: Huey consumers run on
application hosts, not on the Redraft node, so a node crash does not kill
them. A consumer whose node died keeps running: its worker threads get a
ConnectionError from the dequeue, Huey logs "Error reading from queue",
backs off (-m 1: at most 1 s here) and retries, and it resumes by itself
once the node is back (redis-py reconnects on the next command; while the
restarted node replays its log it answers -LOADING, as a Redis replica
loading its data does, which Huey handles the same way). Nothing
has to supervise it; the test checks that it stays alive and runs tasks
again after the restart. Consumers on the surviving nodes must not notice
the failover at all beyond a pause: the nodes hold their requests while
the survivors elect a new leader (and retry forwarded writes with the same
request identity), so they must log no error.

At the kill, once half of the tasks are acknowledged, the producer and the
consumers are all busy. The killed node is restarted OUTAGE seconds after
the survivors have agreed on a new leader; the producer enqueues the last
fifth of the tasks only after that (it holds at 80% if it gets there
first), so that the restarted node's consumer has work to resume with.
Then the test waits (bounded) for every enqueue to finish and the queue to
drain, stops the consumers gracefully, and checks from the records:

* no task ran twice, and no task was popped twice (0 duplicates);
* every task whose enqueue was acknowledged ran, except tasks "lost" by a
  consumer of the killed node, which Huey (at most once, like Redis) may
  lose in two ways:
  - popped, recorded, not run: the worker's dequeue returned the task but
    Huey's next request (the revocation check) failed because the node
    had died; the pop record names the consumer;
  - popped but never received: the node applied (or had replicated) the
    pop and died before replying. No one can record that pop, so these
    are attributed by elimination: the consumers of the survivors never
    lose a reply, so an acknowledged task that nobody recorded as popped
    can only be one of these. There are at most as many as the worker
    threads of the killed node's consumer (one dequeue in flight each),
    and each was acknowledged before the restart;
* a task that ran is one the producer enqueued (acknowledged or not).

The report line (in the terminal summary) gives enqueued, acknowledged,
ran, duplicates and lost, split as above.

REDRAFT_HUEY_TARGET=redis runs the same scenario against one redis-server
(AOF, fsync always) that plays all three nodes (conftest's
OneNodeCluster): every consumer is then a consumer of the killed node.
"""

import collections
import os
import threading
import time
import uuid

import redis

N_TASKS = int(os.environ.get("REDRAFT_HUEY_FAILOVER_TASKS", "3000"))
RATE = 250.0  # enqueues per second: the producer runs about N_TASKS / RATE seconds
WORKERS = 4  # thread workers per consumer
CONSUMER_ARGS = ["-d", "0.1", "-m", "1"]  # poll/back-off delays after an error
ELECTION_TIMEOUT = "500ms"
KILL_AT = 0.5  # kill the leader once this fraction of the tasks is acknowledged
HOLD_AT = 0.8  # the producer enqueues the tasks from this fraction on after the restart
OUTAGE = 3.0  # seconds between the new leader and the restart of the killed node
SETTLE = 3.0  # the queue is drained when empty and no task has run for this long
PHASE_TIMEOUT = 120.0  # bound of each wait below
STALL_TIMEOUT = 30.0  # no task run for this long while tasks are pending: fail
AVOID = 0.5  # the producer avoids a node that failed an enqueue for this long


def wait_until(predicate, timeout, what, check=None, interval=0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if check is not None:
            check()
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


class Producer(threading.Thread):
    """Enqueue n tasks at `rate` per second, round-robin over apps,
    skipping for AVOID seconds an app whose node failed an enqueue; each
    task is enqueued once, never retried. Task `hold_at` and the following
    wait until `resume` is set (at most PHASE_TIMEOUT)."""

    def __init__(self, apps, n, rate, hold_at):
        super().__init__(name="producer", daemon=True)
        self.apps, self.n, self.rate, self.hold_at = apps, n, rate, hold_at
        self.resume = threading.Event()
        self.lock = threading.Lock()
        self.acked = {}  # task id -> (n, app index, time.time() of the ack)
        self.unacked = {}  # task id -> (n, app index, error)
        self.sent = 0
        self.error = None
        self.stop_event = threading.Event()
        self.avoid_until = [0.0] * len(apps)

    def acked_count(self):
        with self.lock:
            return len(self.acked)

    def pick(self, i):
        now = time.monotonic()
        for j in range(len(self.apps)):
            k = (i + j) % len(self.apps)
            if self.avoid_until[k] <= now:
                return k
        return i % len(self.apps)

    def run(self):
        try:
            start, first = time.monotonic(), 0
            for i in range(self.n):
                if self.stop_event.is_set():
                    return
                if i == self.hold_at:
                    if not self.resume.wait(PHASE_TIMEOUT):
                        raise RuntimeError(f"held at task {i} for {PHASE_TIMEOUT}s")
                    start, first = time.monotonic(), i
                k = self.pick(i)
                app = self.apps[k]
                task = app.job.s(i)
                try:
                    app.huey.enqueue(task)
                except (redis.ConnectionError, redis.TimeoutError, redis.ResponseError) as e:
                    with self.lock:
                        self.unacked[task.id] = (i, k, f"{type(e).__name__}: {e}")
                    self.avoid_until[k] = time.monotonic() + AVOID
                else:
                    with self.lock:
                        self.acked[task.id] = (i, k, time.time())
                self.sent += 1
                delay = start + (i + 1 - first) / self.rate - time.monotonic()
                if delay > 0:
                    self.stop_event.wait(delay)
        except BaseException as e:  # noqa: BLE001 - reported by the test
            self.error = e


def read_records(record_dir):
    """{consumer label: [(kind, task id, unix time), ...]} from the record
    files (a torn last line, impossible with single writes, would fail)."""
    out = {}
    for name in sorted(os.listdir(record_dir)):
        label = name[:-len(".log")]
        with open(os.path.join(record_dir, name)) as f:
            out[label] = [(k, t, float(ts)) for k, t, ts in (line.split() for line in f)]
    return out


def count_runs(record_dir):
    n = 0
    for name in os.listdir(record_dir):
        with open(os.path.join(record_dir, name), "rb") as f:
            n += sum(1 for line in f if line.startswith(b"run "))
    return n


def test_huey_failover(cluster_factory, consumers, app_module, tmp_path, report):
    import failover  # app/failover.py, next to tasks.py on sys.path (app_module)

    cluster = cluster_factory(3, args=["--election-timeout", ELECTION_TIMEOUT])
    record_dir = tmp_path / "records"
    record_dir.mkdir()
    name = "failover" + uuid.uuid4().hex[:10]

    # Consumer / producer endpoint k talks to node k (node 0 for every k
    # against a single redis-server).
    apps = []
    for k in range(3):
        node = cluster.node(k % cluster.size)
        label = f"c{k + 1}-{node.id}"
        settings = {"host": node.host, "port": node.port, "name": name}
        app = failover.build(**settings)
        app.node, app.label = node, label
        app.env = failover.settings_to_env(
            dict(settings, record_dir=str(record_dir), consumer=label))
        apps.append(app)
    c = cluster.node(0).client()
    try:
        c.flushall()
    finally:
        c.close()

    cs = []
    for app in apps:
        (con,) = consumers(app, workers=WORKERS, worker_type="thread", module="failover",
                           extra_args=CONSUMER_ARGS, check_errors=False)
        con.app = app
        cs.append(con)

    def check_consumers():
        for con in cs:
            if con.proc.poll() is not None:
                raise AssertionError(
                    f"consumer {con.app.label} exited with {con.proc.returncode}\n{con.log()[-5000:]}")

    producer = Producer(apps, N_TASKS, RATE, int(N_TASKS * HOLD_AT))

    def check_producer():
        if producer.error is not None:
            raise AssertionError(f"producer failed: {producer.error!r}") from producer.error

    def check():
        check_producer()
        check_consumers()

    leader = cluster.wait_leader()
    killed = cluster.node(leader)
    t0 = time.monotonic()
    producer.start()
    try:
        # --- kill -9 the leader in the middle.
        wait_until(lambda: producer.acked_count() >= N_TASKS * KILL_AT, PHASE_TIMEOUT,
                   f"{N_TASKS * KILL_AT:.0f} acknowledged enqueues", check)
        acked_at_kill, runs_at_kill = producer.acked_count(), count_runs(record_dir)
        kill_wall = time.time()
        t_kill = time.monotonic()
        cluster.kill9(leader)
        survivors = [i for i in range(cluster.size) if i != leader]
        new_leader = (cluster.wait_leader(PHASE_TIMEOUT, among=survivors)
                      if survivors else leader)
        election = time.monotonic() - t_kill
        # --- the survivors work on without it; then restart it.
        time.sleep(OUTAGE)
        runs_before_restart = count_runs(record_dir)
        cluster.restart(leader)
        restart_wall = time.time()
        outage = time.monotonic() - t_kill
        cluster.wait_leader(PHASE_TIMEOUT)
        # --- the producer finishes (the last tasks go through every node
        # again, the restarted one included).
        producer.resume.set()
        wait_until(lambda: not producer.is_alive(), PHASE_TIMEOUT + N_TASKS / RATE,
                   "the producer to finish", check_consumers)
        check_producer()
    finally:
        producer.stop_event.set()
        producer.join(timeout=30)
    assert not producer.is_alive(), "the producer did not stop"
    assert producer.sent == N_TASKS, f"the producer sent {producer.sent}/{N_TASKS} tasks"

    # --- drain: the queue empty (read through a node that never died) and
    # no new run for SETTLE seconds; fail on a stall of STALL_TIMEOUT.
    probe = next(a for a in apps if a.node is not killed) if cluster.size > 1 else apps[0]
    t_drain = time.monotonic()
    last = [count_runs(record_dir), time.monotonic()]

    def drained():
        n = count_runs(record_dir)
        now = time.monotonic()
        if n != last[0]:
            last[:] = [n, now]
        pending = probe.huey.pending_count()
        if pending and now - last[1] > STALL_TIMEOUT:
            raise AssertionError(f"no task ran for {STALL_TIMEOUT}s with {pending} pending")
        return pending == 0 and now - last[1] >= SETTLE

    wait_until(drained, PHASE_TIMEOUT, "the queue to drain", check_consumers, interval=0.2)
    drain = time.monotonic() - t_drain
    assert probe.huey.scheduled_count() == 0

    # --- stop the consumers (graceful: in-flight tasks finish), then count.
    problems = [e for e in (con.stop() for con in cs) if e]
    assert not problems, problems
    records = read_records(record_dir)

    acked, unacked = dict(producer.acked), dict(producer.unacked)
    runs, pops = collections.Counter(), collections.Counter()
    pop_by, pop_time = collections.defaultdict(set), {}
    runs_after_restart = collections.Counter()
    for label, events in records.items():
        for kind, tid, ts in events:
            if kind == "run":
                runs[tid] += 1
                if ts > restart_wall:
                    runs_after_restart[label] += 1
            elif kind == "pop":
                pops[tid] += 1
                pop_by[tid].add(label)
                pop_time[tid] = ts
            else:
                raise AssertionError(f"unknown record {kind!r} in {label}.log")

    killed_labels = {a.label for a in apps if a.node is killed}
    killed_workers = WORKERS * sum(1 for a in apps if a.node is killed)
    unknown = set(runs) - set(acked) - set(unacked)
    duplicates = {t: n for t, n in runs.items() if n > 1}
    duplicate_pops = {t: n for t, n in pops.items() if n > 1}
    ran_unacked = set(runs) & set(unacked)
    lost = set(acked) - set(runs)
    lost_recorded = {t for t in lost if pop_by[t] and pop_by[t] <= killed_labels}
    lost_in_flight = {t for t in lost if not pop_by[t]}
    lost_elsewhere = lost - lost_recorded - lost_in_flight

    line = (
        f"enqueued={producer.sent} acknowledged={len(acked)} ran={len(runs)} "
        f"(of them unacknowledged={len(ran_unacked)}/{len(unacked)}) "
        f"duplicates={len(duplicates)} lost={len(lost)} "
        f"(popped by consumers of the killed node {killed.id}: {len(lost_recorded)} recorded "
        f"+ {len(lost_in_flight)} pop replies lost in flight; elsewhere: {len(lost_elsewhere)}) | "
        f"killed leader {killed.id} at acknowledged={acked_at_kill} ran={runs_at_kill}, "
        f"new leader {cluster.node(new_leader).id} after {election:.2f}s, "
        f"{runs_before_restart - runs_at_kill} tasks ran during the outage, "
        f"restarted after {outage:.1f}s, its consumer then ran "
        f"{sum(runs_after_restart[lb] for lb in killed_labels)}; "
        f"total {time.monotonic() - t0:.1f}s (drain {drain:.1f}s)"
    )
    print(line)
    report(line)

    assert not unknown, f"{len(unknown)} unknown task ids ran: {sorted(unknown)[:5]}"
    assert not duplicates, (
        f"{len(duplicates)} tasks ran more than once: {sorted(duplicates.items())[:5]}\n{line}")
    assert not duplicate_pops, (
        f"{len(duplicate_pops)} tasks were popped more than once: "
        f"{sorted(duplicate_pops.items())[:5]}\n{line}")
    assert not lost_elsewhere, (
        f"{len(lost_elsewhere)} acknowledged tasks were popped by consumers of surviving "
        f"nodes and never ran: {[(t, sorted(pop_by[t])) for t in sorted(lost_elsewhere)[:5]]}"
        f"\n{line}")
    assert len(lost_in_flight) <= killed_workers, (
        f"{len(lost_in_flight)} acknowledged tasks never ran and nobody recorded popping them: "
        f"more than the {killed_workers} dequeues the killed node's consumers can have had "
        f"in flight: {sorted(lost_in_flight)[:5]}\n{line}")
    # Such a pop was applied before the kill, so the task was enqueued
    # before it: acknowledged before the restart at the latest (an enqueue
    # forwarded to the dying leader is acknowledged once the follower's
    # retry reaches the new leader, after the kill).
    late = {t for t in lost_in_flight if acked[t][2] > restart_wall}
    assert not late, (
        f"{len(late)} tasks acknowledged after the restart were never popped by anyone "
        f"and never ran: {sorted(late)[:5]}\n{line}")
    late_pops = {t for t in lost_recorded if pop_time[t] > restart_wall}
    assert not late_pops, (
        f"{len(late_pops)} tasks popped after the restart never ran: {sorted(late_pops)[:5]}\n{line}")

    # The consumers of the surviving nodes did not notice the failover; the
    # killed node's consumer only saw its connection fail, and resumed.
    for con in cs:
        errs = con.infra_errors()
        if con.app.label in killed_labels:
            # ConnectionError while the node is down; BusyLoadingError
            # (-LOADING, as from a Redis replica loading its data) while the
            # restarted node replays its log.
            bad = [e for e in errs if not any(
                x in e for x in ("ConnectionError", "TimeoutError", "BusyLoadingError"))]
            assert not bad, (
                f"consumer {con.app.label} of the killed node logged errors other than "
                f"connection errors: {bad[:3]}")
        else:
            assert not errs, (
                f"consumer {con.app.label} of a surviving node logged {len(errs)} "
                f"infrastructure error(s), first: {errs[0]}")
    resumed = sum(runs_after_restart[lb] for lb in killed_labels)
    assert resumed > 0, (
        f"the consumer(s) of the killed node ({sorted(killed_labels)}) ran no task after "
        f"its restart\n{line}")
