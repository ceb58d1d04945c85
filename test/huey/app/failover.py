"""The Huey application of the failover test (test_huey_failover.py).

The consumer (``python -m huey.bin.huey_consumer failover.huey ...``)
imports this module as ``failover`` and uses the module-level ``huey``,
configured from environment variables:

    REDRAFT_HUEY_HOST        the node this consumer talks to   (127.0.0.1)
    REDRAFT_HUEY_PORT        its RESP port                     (6379)
    REDRAFT_HUEY_NAME        Huey instance name (key prefix)   (redraft)
    REDRAFT_HUEY_RECORD_DIR  directory of the durable records  (none: no records)
    REDRAFT_HUEY_CONSUMER    this consumer's label, names its record file

The test process imports the same module (as ``failover``, so that task
names match) and calls ``build(...)`` once per node to enqueue through
that node.

What ran is recorded OUTSIDE the system under test, in one append-only
file per consumer (<record dir>/<label>.log), one line per event:

    pop <task id> <unix time>   the consumer's dequeue returned the task
                                (written before Huey looks at it further)
    run <task id> <unix time>   the task's body ran

Each line is a single os.write() on an O_APPEND descriptor, so lines of
concurrent worker threads never interleave and a line that was written
survives the writer's kill -9 (it is in the page cache; only a machine
crash could lose it, and the test never crashes the machine, so no fsync).
"""

import os
import threading
import time
import types

from huey import RedisHuey


class Record:
    """An append-only record file, opened lazily once per process."""

    def __init__(self, path):
        self.path = path
        self._fd = None
        self._pid = None
        self._lock = threading.Lock()

    def write(self, kind, task_id):
        pid = os.getpid()
        if self._fd is None or self._pid != pid:
            with self._lock:
                if self._fd is None or self._pid != pid:
                    self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
                    self._pid = pid
        os.write(self._fd, ("%s %s %.6f\n" % (kind, task_id, time.time())).encode())


class RecordingHuey(RedisHuey):
    """RedisHuey whose dequeue records every task it returns (``pop``), so
    that a task popped by a worker that then fails to run it (e.g. its
    node died before Huey's revocation check) is known. A pop whose reply
    never arrived (the node died after applying it) cannot be recorded by
    anyone: the test bounds those by the number of workers that talked to
    the killed node."""

    record = None

    def dequeue(self):
        task = super().dequeue()
        if task is not None and self.record is not None:
            self.record.write("pop", task.id)
        return task


def build(host="127.0.0.1", port=6379, name="redraft", record_dir=None, consumer=None):
    """Return a namespace with the Huey instance (``.huey``) and the task
    (``.job``). Huey's Redis connection pool is created without retries
    (redis-py's default for a pool built from parameters): an enqueue that
    fails is reported, never silently sent twice."""
    huey = RecordingHuey(name, host=host, port=int(port), utc=True)
    if record_dir:
        huey.record = Record(os.path.join(record_dir, "%s.log" % (consumer or os.getpid())))

    @huey.task(context=True)
    def job(n, task=None):
        """Record the run; return None so that no result is stored (the
        test counts runs from the records, not from results)."""
        huey.record.write("run", task.id)

    return types.SimpleNamespace(huey=huey, job=job)


def settings_from_env(environ=os.environ):
    return {
        "host": environ.get("REDRAFT_HUEY_HOST", "127.0.0.1"),
        "port": int(environ.get("REDRAFT_HUEY_PORT", "6379")),
        "name": environ.get("REDRAFT_HUEY_NAME", "redraft"),
        "record_dir": environ.get("REDRAFT_HUEY_RECORD_DIR") or None,
        "consumer": environ.get("REDRAFT_HUEY_CONSUMER") or None,
    }


def settings_to_env(settings):
    env = {
        "REDRAFT_HUEY_HOST": settings["host"],
        "REDRAFT_HUEY_PORT": str(settings["port"]),
        "REDRAFT_HUEY_NAME": settings["name"],
    }
    if settings.get("record_dir"):
        env["REDRAFT_HUEY_RECORD_DIR"] = settings["record_dir"]
    if settings.get("consumer"):
        env["REDRAFT_HUEY_CONSUMER"] = settings["consumer"]
    return env


app = build(**settings_from_env())
huey = app.huey
