"""Huey's own Redis tests (huey.tests, shipped in the huey wheel) against Redraft.

Each Redis-backed unittest class of the installed huey runs, through
huey_suite_runner.py in a subprocess, with its default connection
(localhost:6379) redirected to the node under test and the slow tests
enabled. The unittest result must have no failure, no error and no skip,
with one exception that is not about the server: StorageTests.test_priority
raises SkipTest('priority support required') on the storages that have no
priorities (RedisHuey, RedisExpireHuey) by design.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

RUNNER = Path(__file__).resolve().parent / "huey_suite_runner.py"
SUITE_TIMEOUT = 600

# class -> (module under huey.tests, whether its storage lacks priorities,
# i.e. StorageTests.test_priority skips by design)
CLASSES = {
    "TestRedisStorage": ("test_storage", True),
    "TestRedisStorageWaitResult": ("test_storage", True),
    "TestRedisExpireStorage": ("test_storage", True),
    "TestPriorityRedisStorage": ("test_storage", False),
    "TestPriorityRedisStorageNotBlocking": ("test_storage", False),
    "TestRedisStorageOffline": ("test_storage", False),
    "TestLockTaskSemaphore": ("test_helpers", False),
}
ALLOWED_SKIP = ("test_priority", "priority support required")


@pytest.mark.parametrize("cls", list(CLASSES))
def test_huey_own_redis_tests(server, cls, tmp_path):
    mod, no_priority = CLASSES[cls]
    for db in (0, 1):
        c = server.client(db=db)
        try:
            c.flushdb()
        finally:
            c.close()

    out_json = tmp_path / "result.json"
    env = dict(os.environ)
    env.pop("HUEY_CI", None)
    proc = subprocess.run(
        [sys.executable, str(RUNNER), "--host", server.host, "--port", str(server.port),
         "--json", str(out_json), f"{mod}:{cls}"],
        capture_output=True, text=True, timeout=SUITE_TIMEOUT, env=env, cwd=str(tmp_path),
    )
    assert out_json.exists(), (
        f"runner exited with {proc.returncode} and wrote no result\n{proc.stdout}{proc.stderr}"
    )
    res = json.loads(out_json.read_text())
    assert res["import_error"] is None, res["import_error"]
    report = res["output"] + proc.stderr[-5000:]

    assert res["redis_version"] and res["redis_version"] >= 5, (
        f"huey's test suite saw redis major version {res['redis_version']!r} "
        "(0 means it could not connect or INFO had no redis_version): "
        "its Redis tests would all be skipped"
    )
    assert res["tests_run"] > 0, report

    unexpected_skips = []
    for test_id, reason in res["skipped"]:
        if no_priority and test_id.endswith("." + ALLOWED_SKIP[0]) and reason == ALLOWED_SKIP[1]:
            continue
        unexpected_skips.append((test_id, reason))

    problems = []
    for test_id, tb in res["failures"]:
        problems.append(f"FAIL {test_id}\n{tb}")
    for test_id, tb in res["errors"]:
        problems.append(f"ERROR {test_id}\n{tb}")
    for test_id, reason in unexpected_skips:
        problems.append(f"SKIPPED {test_id}: {reason}")
    for test_id in res["unexpected_successes"]:
        problems.append(f"UNEXPECTED SUCCESS {test_id}")
    assert not problems, (
        f"{len(problems)} of {res['tests_run']} huey tests in {cls} did not pass:\n\n"
        + "\n".join(problems) + "\n\n--- unittest output ---\n" + report
    )
    print(f"{cls}: {res['tests_run']} tests passed "
          f"({len(res['skipped'])} skipped by design), "
          f"{res['redirected_connections']} connections redirected")
