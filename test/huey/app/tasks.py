"""The Huey application used by the Redraft Huey tests.

The consumer (``python -m huey.bin.huey_consumer tasks.huey ...``) imports
this module under the name ``tasks`` and uses the module-level ``huey``,
configured from environment variables:

    REDRAFT_HUEY_STORAGE   RedisHuey | PriorityRedisHuey | RedisExpireHuey |
                           PriorityRedisExpireHuey            (RedisHuey)
    REDRAFT_HUEY_HOST      server host                          (127.0.0.1)
    REDRAFT_HUEY_PORT      server port                          (6379)
    REDRAFT_HUEY_NAME      Huey instance name (key prefix)      (redraft)
    REDRAFT_HUEY_NOTIFY    1: notify_result=True                (0)
    REDRAFT_HUEY_RECORD_DB database the tasks record into       (1)

The test process imports the same module (also as ``tasks``, so that task
names match: Huey names a task ``<module>.<function>``) and calls
``build(...)`` with the same settings to enqueue and read results.

The tasks record what they do in the SAME server, through a separate
redis-py client on database REDRAFT_HUEY_RECORD_DB, so that the tests can
check exactly-once execution, timing and mutual exclusion from outside:

    executed            set of task ids that ran (noop, stamp)
    runs:<id>           how many times task <id> ran
    at:<id>             wall-clock time (time.time()) task <id> ran (stamp)
    attempts:<key>      attempts of flaky(<key>, ...)
    attempt_times:<key> list of time.time() of each attempt
    inside              tasks currently inside the lock_task section
    violations          set of "<i>:<inside>" seen when inside != 1
    lock_misses         how many times a locked() run found the lock held
    locked_done         list of the locked() calls that completed
    order               list of ordered() labels in execution order
"""

import os
import threading
import time
import types

import redis
from huey import PriorityRedisExpireHuey
from huey import PriorityRedisHuey
from huey import RedisExpireHuey
from huey import RedisHuey
from huey import signals

STORAGES = {
    "RedisHuey": RedisHuey,
    "PriorityRedisHuey": PriorityRedisHuey,
    "RedisExpireHuey": RedisExpireHuey,
    "PriorityRedisExpireHuey": PriorityRedisExpireHuey,
}

# Results of the *Expire* storages live this long (seconds).
EXPIRE_TIME = 3600
# The lock_task-protected section holds the lock this long (seconds).
LOCK_HOLD = 0.2


class Recorder:
    """A redis-py client on the record database, created lazily once per
    process (process workers fork after import: a client is never shared
    across a fork) and shared by the worker threads (redis-py clients are
    thread-safe; creating one is guarded so that no thread's client is
    replaced, and closed, under another thread)."""

    def __init__(self, host, port, db):
        self.host, self.port, self.db = host, port, db
        self._pid = None
        self._client = None
        self._lock = threading.Lock()

    @property
    def client(self):
        pid = os.getpid()
        if self._client is None or self._pid != pid:
            with self._lock:
                if self._client is None or self._pid != pid:
                    self._client = redis.Redis(
                        host=self.host, port=self.port, db=self.db, socket_timeout=30
                    )
                    self._pid = pid
        return self._client


def build(storage="RedisHuey", host="127.0.0.1", port=6379, name="redraft",
          notify_result=False, record_db=1):
    """Return a namespace with the Huey instance (``.huey``), its recorder
    client (``.rec``) and the tasks."""
    if storage not in STORAGES:
        raise ValueError(f"unknown storage {storage!r}: one of {sorted(STORAGES)}")
    kwargs = {"host": host, "port": int(port), "utc": True}
    if notify_result:
        kwargs["notify_result"] = True
    if "Expire" in storage:
        kwargs["expire_time"] = EXPIRE_TIME
    huey = STORAGES[storage](name, **kwargs)
    recorder = Recorder(host, int(port), int(record_db))

    def record_run(task_id, extra=None):
        pipe = recorder.client.pipeline(transaction=True)
        pipe.sadd("executed", task_id)
        pipe.incr("runs:%s" % task_id)
        if extra:
            for k, v in extra.items():
                pipe.set(k, v)
        pipe.execute()

    @huey.task(context=True)
    def noop(n, task=None):
        """Record the run (SADD executed, INCR runs:<id>) and return n."""
        record_run(task.id)
        return n

    @huey.task(context=True)
    def stamp(task=None):
        """Record the run and the wall-clock time it happened."""
        now = time.time()
        record_run(task.id, {"at:%s" % task.id: repr(now)})
        return now

    @huey.task(retries=3, retry_delay=1)
    def flaky(key, fail_times):
        """Fail the first `fail_times` attempts, then return the attempt number."""
        rec = recorder.client
        attempt = rec.incr("attempts:%s" % key)
        rec.rpush("attempt_times:%s" % key, repr(time.time()))
        if attempt <= fail_times:
            raise RuntimeError("flaky %s: failing attempt %d of %d"
                               % (key, attempt, fail_times))
        return attempt

    @huey.task(retries=40, retry_delay=1)
    @huey.lock_task("mutex")
    def locked(i):
        """Run under lock_task('mutex'): no two runs may overlap."""
        rec = recorder.client
        inside = rec.incr("inside")
        try:
            if inside != 1:
                rec.sadd("violations", "%s:%s" % (i, inside))
            time.sleep(LOCK_HOLD)
        finally:
            rec.decr("inside")
        rec.rpush("locked_done", i)
        return i

    @huey.signal(signals.SIGNAL_LOCKED)
    def count_lock_miss(signal, task, *args, **kwargs):
        recorder.client.incr("lock_misses")

    @huey.task()
    def add(a, b):
        return a + b

    @huey.task()
    def tsum(values):
        return sum(values)

    @huey.task()
    def slow(seconds, value):
        time.sleep(seconds)
        return value

    @huey.task()
    def ordered(label):
        recorder.client.rpush("order", label)
        return label

    return types.SimpleNamespace(
        huey=huey, rec=recorder, storage=storage, noop=noop, stamp=stamp,
        flaky=flaky, locked=locked, add=add, tsum=tsum, slow=slow,
        ordered=ordered,
    )


def settings_from_env(environ=os.environ):
    return {
        "storage": environ.get("REDRAFT_HUEY_STORAGE", "RedisHuey"),
        "host": environ.get("REDRAFT_HUEY_HOST", "127.0.0.1"),
        "port": int(environ.get("REDRAFT_HUEY_PORT", "6379")),
        "name": environ.get("REDRAFT_HUEY_NAME", "redraft"),
        "notify_result": environ.get("REDRAFT_HUEY_NOTIFY", "0") == "1",
        "record_db": int(environ.get("REDRAFT_HUEY_RECORD_DB", "1")),
    }


def settings_to_env(settings):
    return {
        "REDRAFT_HUEY_STORAGE": settings["storage"],
        "REDRAFT_HUEY_HOST": settings["host"],
        "REDRAFT_HUEY_PORT": str(settings["port"]),
        "REDRAFT_HUEY_NAME": settings["name"],
        "REDRAFT_HUEY_NOTIFY": "1" if settings["notify_result"] else "0",
        "REDRAFT_HUEY_RECORD_DB": str(settings["record_db"]),
    }


app = build(**settings_from_env())
huey = app.huey
