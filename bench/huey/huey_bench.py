#!/usr/bin/env python3
"""Huey throughput: Redraft vs redis-server, in the same run.

For each server (a fresh single Redraft node, then Debian's redis-server
started with --save '' --appendonly no), on free loopback ports:

  1. start one ``huey_consumer`` with K worker threads (RedisHuey);
  2. enqueue N no-op tasks from one client (sequential LPUSHes, as an app
     does) while the consumer runs;
  3. wait until every task has stored its result.

It prints a markdown table with the enqueue rate and the end-to-end rate
(N / time from the first enqueue to the last result), and the ratio
Redraft / redis-server. Everything is bounded: each phase has a timeout, and
every process started here is stopped before the script exits.

    .venv/bin/python bench/huey/huey_bench.py [--tasks 3000] [--workers 4]

Needs: go (or --redraft-bin), redis-server, and huey + redis in the running
Python (the repository's .venv: pip install -r test/python/requirements.txt).
"""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

APP = '''\
import os
from huey import RedisHuey

huey = RedisHuey("bench", host="127.0.0.1", port=int(os.environ["BENCH_PORT"]))


@huey.task()
def noop(i):
    return 1
'''


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def raw_ping(port):
    with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
        s.sendall(b"*1\r\n$4\r\nPING\r\n")
        return s.recv(64).split(b"\r\n", 1)[0]


class Proc:
    def __init__(self, name, argv, log_path, env=None, cwd=None):
        self.name, self.argv, self.log_path = name, argv, log_path
        with open(log_path, "ab") as log:
            self.p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL, env=env, cwd=cwd,
                                      start_new_session=True)

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.p.poll() is None:
            self.p.send_signal(sig)
            try:
                self.p.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.p.pid, signal.SIGKILL)  # its own group (workers)
        except (ProcessLookupError, PermissionError):
            pass
        if self.p.poll() is None:
            self.p.wait()

    def tail(self, n=2000):
        try:
            return Path(self.log_path).read_text(errors="replace")[-n:]
        except OSError:
            return ""


def wait_ready(port, proc, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.p.poll() is not None:
            raise RuntimeError(f"{proc.name} exited early:\n{proc.tail()}")
        try:
            if raw_ping(port) == b"+PONG":
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{proc.name} not ready after {timeout}s:\n{proc.tail()}")


def run_one(label, port, tmp, args):
    import redis

    app_dir = Path(tmp) / "app"
    app_dir.mkdir(exist_ok=True)
    (app_dir / "bench_tasks.py").write_text(APP)
    env = dict(os.environ, BENCH_PORT=str(port), PYTHONPATH=str(app_dir))
    os.environ["BENCH_PORT"] = str(port)
    sys.path.insert(0, str(app_dir))
    sys.modules.pop("bench_tasks", None)
    import bench_tasks  # noqa: E402  (the same module the consumer imports)

    h = bench_tasks.huey
    h.flush()
    consumer = Proc(f"huey_consumer ({label})",
                    [sys.executable, "-m", "huey.bin.huey_consumer", "bench_tasks.huey",
                     "-w", str(args.workers), "-k", "thread", "-n", "-q", "-t", "10"],
                    os.path.join(tmp, f"consumer-{label}.log"), env=env, cwd=str(app_dir))
    try:
        # Ready when a warm-up task has run (the consumer logs quietly, -q:
        # per-task INFO logging would cost the consumer CPU).
        warm = bench_tasks.noop(-1)
        deadline = time.monotonic() + 30
        while warm.get() is None:
            if consumer.p.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"consumer did not start:\n{consumer.tail()}")
            time.sleep(0.05)
        h.storage.flush_results()

        r = redis.Redis(host="127.0.0.1", port=port)
        n = args.tasks
        t0 = time.monotonic()
        for i in range(n):
            bench_tasks.noop(i)
        t_enq = time.monotonic() - t0
        deadline = t0 + args.timeout
        done = 0
        while True:
            done = r.hlen(h.storage.result_key)
            if done >= n:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{label}: only {done}/{n} tasks done in {args.timeout}s\n"
                                   + consumer.tail())
            time.sleep(0.01)
        t_all = time.monotonic() - t0
        r.close()
        return {"enqueue": n / t_enq, "e2e": n / t_all, "t_all": t_all}
    finally:
        consumer.stop(signal.SIGINT, timeout=15)
        h.storage.pool.disconnect()
        sys.path.remove(str(app_dir))
        sys.modules.pop("bench_tasks", None)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tasks", type=int, default=3000)
    ap.add_argument("--workers", type=int, default=4, help="consumer worker threads")
    ap.add_argument("--timeout", type=float, default=300, help="per server, seconds")
    ap.add_argument("--redraft-bin", help="use this binary instead of go build")
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="huey-bench-")
    procs = []
    results = {}
    try:
        bin_ = args.redraft_bin
        if not bin_:
            bin_ = os.path.join(tmp, "redraft")
            subprocess.run(["go", "build", "-o", bin_, "./cmd/redraft"], cwd=REPO_ROOT,
                           check=True, timeout=600)
        servers = []
        port = free_port()
        servers.append(("Redraft", port, [bin_, "server", "--id", "n1",
                                          "--listen", f"127.0.0.1:{port}",
                                          "--raft-listen", f"127.0.0.1:{free_port()}",
                                          "--data-dir", os.path.join(tmp, "data")]))
        redis_server = shutil.which("redis-server")
        if not redis_server:
            sys.exit("redis-server not found (apt-get install redis-server)")
        port = free_port()
        servers.append(("redis-server", port, [redis_server, "--port", str(port),
                                               "--bind", "127.0.0.1", "--save", "",
                                               "--appendonly", "no", "--dir", tmp]))
        for label, port, argv in servers:
            srv = Proc(label, argv, os.path.join(tmp, f"{label}.log"), cwd=tmp)
            procs.append(srv)
            try:
                wait_ready(port, srv)
                print(f"{label}: {args.tasks} tasks, {args.workers} worker threads ...",
                      file=sys.stderr, flush=True)
                results[label] = run_one(label, port, tmp, args)
            except Exception as e:  # report and go on with the other server
                results[label] = {"error": str(e).splitlines()[0]}
                print(f"{label}: {e}", file=sys.stderr)
            finally:
                srv.stop(signal.SIGTERM, timeout=10)
    finally:
        for p in procs:
            p.stop(signal.SIGKILL, timeout=5)
        shutil.rmtree(tmp, ignore_errors=True)

    def cell(label, key):
        res = results.get(label, {})
        return f"{res[key]:.0f}" if key in res else res.get("error", "n/a")

    def ratio(key):
        a, b = results.get("Redraft", {}), results.get("redis-server", {})
        return f"{a[key] / b[key]:.2f}" if key in a and key in b else "n/a"

    print(f"\nHuey {args.tasks} no-op tasks (RedisHuey), 1 consumer with "
          f"{args.workers} worker threads, 1 enqueuing client\n")
    print("| metric | Redraft | redis-server | Redraft / redis |")
    print("|---|---:|---:|---:|")
    print(f"| enqueue (tasks/s) | {cell('Redraft', 'enqueue')} | "
          f"{cell('redis-server', 'enqueue')} | {ratio('enqueue')} |")
    print(f"| end-to-end (tasks/s) | {cell('Redraft', 'e2e')} | "
          f"{cell('redis-server', 'e2e')} | {ratio('e2e')} |")
    return 0 if all("error" not in r for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
