"""Run Huey's own Redis-backed unittest classes against a given server.

    python huey_suite_runner.py --port PORT --json OUT.json test_storage:TestRedisStorage ...

Huey's test suite (shipped in the huey wheel as huey.tests) connects with
redis-py's defaults (RedisHuey(), Redis(), ConnectionPool(),
url='redis://localhost'), i.e. localhost:6379. This runner, a separate
process so that nothing leaks into pytest (Huey's in-process consumer
installs signal handlers), patches redis-py's TCP Connection so that a
connection to localhost:6379 goes to --host:--port instead, sets
HUEY_SLOW_TESTS=1 so that no test is skipped as slow, imports the test
modules under the patch (test_storage probes the server's version at import
time), runs the named classes with unittest and writes the outcome as JSON.
"""

import argparse
import importlib
import io
import json
import os
import sys
import traceback
import unittest


def patch_redis(host, port, counter):
    import redis.connection

    orig = redis.connection.Connection.__init__

    def init(self, host_arg="localhost", port_arg=6379, *args, **kwargs):
        if "host" in kwargs:
            host_arg = kwargs.pop("host")
        if "port" in kwargs:
            port_arg = kwargs.pop("port")
        if host_arg in ("localhost", "127.0.0.1", None) and int(port_arg or 6379) == 6379:
            host_arg, port_arg = host, port
            counter["redirected"] += 1
        return orig(self, host_arg, port_arg, *args, **kwargs)

    redis.connection.Connection.__init__ = init


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--json", required=True)
    ap.add_argument("classes", nargs="+", help="module:Class under huey.tests")
    opts = ap.parse_args()

    os.environ["HUEY_SLOW_TESTS"] = "1"
    os.environ.pop("HUEY_CI", None)
    counter = {"redirected": 0}
    patch_redis(opts.host, opts.port, counter)

    out = {"classes": opts.classes, "tests_run": 0, "failures": [], "errors": [],
           "skipped": [], "unexpected_successes": [], "expected_failures": [],
           "redis_version": None, "output": "", "import_error": None}
    try:
        storage_mod = importlib.import_module("huey.tests.test_storage")
        out["redis_version"] = storage_mod.REDIS_VERSION
        loader = unittest.TestLoader()
        suite = unittest.TestSuite()
        for spec in opts.classes:
            mod_name, cls_name = spec.split(":")
            mod = importlib.import_module("huey.tests." + mod_name)
            suite.addTests(loader.loadTestsFromTestCase(getattr(mod, cls_name)))
    except Exception:
        out["import_error"] = traceback.format_exc()
        with open(opts.json, "w") as f:
            json.dump(out, f, indent=1)
        return 2

    stream = io.StringIO()
    result = unittest.TextTestRunner(stream=stream, verbosity=2).run(suite)
    out["tests_run"] = result.testsRun
    out["failures"] = [(t.id(), tb) for t, tb in result.failures]
    out["errors"] = [(t.id(), tb) for t, tb in result.errors]
    out["skipped"] = [(t.id(), reason) for t, reason in result.skipped]
    out["expected_failures"] = [(t.id(), tb) for t, tb in result.expectedFailures]
    out["unexpected_successes"] = [t.id() for t in result.unexpectedSuccesses]
    out["output"] = stream.getvalue()
    out["redirected_connections"] = counter["redirected"]
    with open(opts.json, "w") as f:
        json.dump(out, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
