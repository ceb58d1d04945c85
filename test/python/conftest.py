"""Fixtures that build and run Redraft for the Python client tests.

Redraft is built once per session with `go build` (or taken from the
REDRAFT_BIN environment variable). The `server` fixture is parametrized by
target, so that every test that uses it (directly or through `r`) runs
once per target, with the same code:

* ``redraft``: a single node, started on free loopback ports with a fresh
  data directory;
* ``redraft-follower``: a FOLLOWER of a three-node cluster
  (redraft_cluster.Cluster: three processes that bootstrap together), so
  that every write, transaction, WATCH, blocking command and redis-cli call
  goes through the follower's forwarding to the leader. Before each test
  the node is made a follower again should an election have made it the
  leader (RAFT TRANSFER-LEADERSHIP).

Each target is started once per session (pytest groups the tests by the
session-scoped parameter, so one target is stopped before the next starts)
and stopped with SIGTERM at the end; the session fails if a node does not
exit cleanly. The tests isolate themselves with FLUSHALL.

REDRAFT_PY_TARGET selects the targets: unset runs both Redraft targets,
``redraft`` or ``redraft-follower`` only that one, and ``redis`` runs the
same tests against Debian's redis-server instead (to check the tests
themselves).

Missing prerequisites (go, redis-server, redis-cli) fail the tests: nothing
here skips.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import redis

# The cluster helper lives next to this file (also used by test/huey).
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
from redraft_cluster import Cluster, free_port  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 20.0


def require_tool(name, hint):
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is required but not in PATH: {hint}", pytrace=False)
    return path


class Server:
    """A server process with its output in a log file."""

    def __init__(self, name, argv, port, workdir):
        self.name = name
        self.argv = argv
        self.port = port
        self.workdir = workdir
        self.log_path = os.path.join(workdir, f"{name}.log")
        self.proc = None

    def start(self):
        log = open(self.log_path, "ab")
        log.write(f"=== {' '.join(self.argv)}\n".encode())
        log.flush()
        self.proc = subprocess.Popen(
            self.argv, stdout=log, stderr=subprocess.STDOUT, cwd=self.workdir
        )
        log.close()
        self.wait_ready()

    def log_tail(self, limit=20000):
        try:
            with open(self.log_path, "rb") as f:
                data = f.read()
        except OSError as e:
            return f"(cannot read {self.log_path}: {e})"
        return data[-limit:].decode(errors="replace")

    def wait_ready(self):
        """Poll PING until PONG: -LOADING and refused connections mean not yet.

        Raw sockets, not redis-py, so that no client-side retry hides a reply.
        """
        deadline = time.monotonic() + START_TIMEOUT
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.proc.returncode} before answering PING\n"
                    + self.log_tail()
                )
            try:
                last = raw_command(self.port, b"PING")
                if last == b"+PONG":
                    self.probe_ready()
                    return
            except OSError as e:
                last = e
            time.sleep(0.05)
        raise RuntimeError(
            f"{self.name} did not answer PING within {START_TIMEOUT}s (last: {last!r})\n"
            + self.log_tail()
        )

    def probe_ready(self):
        """PONG means ready: a read right after it must not answer -LOADING."""
        line = raw_command(self.port, b"EXISTS", b"__conftest_ready_probe__")
        if line.startswith(b"-LOADING"):
            raise RuntimeError(
                f"{self.name} answered PING with PONG but then EXISTS with {line!r}: "
                "PING must answer -LOADING until the node serves commands\n" + self.log_tail()
            )

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise RuntimeError(f"{self.name} did not exit within 15s of SIGTERM\n" + self.log_tail())
        if code != 0:
            raise RuntimeError(
                f"{self.name} exited with {code} after SIGTERM\n" + self.log_tail()
            )


def raw_command(port, *args):
    """Send one command on a new connection and return the first reply line."""
    req = b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)
    with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
        s.sendall(req)
        buf = b""
        while not buf.endswith(b"\r\n"):
            chunk = s.recv(4096)
            if not chunk:
                raise ConnectionError("connection closed before a reply")
            buf += chunk
    return buf.split(b"\r\n", 1)[0]


def build_redraft(tmp):
    env_bin = os.environ.get("REDRAFT_BIN")
    if env_bin:
        if not os.path.exists(env_bin):
            pytest.fail(f"REDRAFT_BIN={env_bin} does not exist", pytrace=False)
        return os.path.abspath(env_bin)
    go = require_tool("go", "install Go 1.26")
    out = os.path.join(tmp, "redraft")
    res = subprocess.run(
        [go, "build", "-o", out, "./cmd/redraft"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    if res.returncode != 0:
        pytest.fail(f"go build ./cmd/redraft failed:\n{res.stdout}{res.stderr}", pytrace=False)
    return out


REDRAFT_TARGETS = ("redraft", "redraft-follower")


def targets():
    t = os.environ.get("REDRAFT_PY_TARGET", "")
    if t == "":
        return list(REDRAFT_TARGETS)
    if t == "redis" or t in REDRAFT_TARGETS:
        return [t]
    raise pytest.UsageError(
        f"REDRAFT_PY_TARGET={t!r}: expected redis, redraft, redraft-follower or nothing"
    )


@pytest.fixture(scope="session")
def redraft_bin(tmp_path_factory):
    return build_redraft(str(tmp_path_factory.mktemp("redraft-bin")))


@pytest.fixture(scope="session", params=targets())
def server(request, tmp_path_factory):
    """The server under test, one per target (see above). It has .port,
    .name and .log_tail(); the follower also has .cluster and .index."""
    if request.param == "redraft-follower":
        yield from follower_server(request, str(tmp_path_factory.mktemp("redraft-cluster")))
        return
    tmp = tempfile.mkdtemp(prefix="redraft-pytest-")
    port = free_port()
    if request.param == "redis":
        bin_ = require_tool("redis-server", "apt-get install -y redis-server")
        argv = [bin_, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", tmp]
        srv = Server("redis-server", argv, port, tmp)
    else:
        bin_ = request.getfixturevalue("redraft_bin")
        argv = [bin_, "server", "--id", "n1",
                "--listen", f"127.0.0.1:{port}",
                "--raft-listen", f"127.0.0.1:{free_port()}",
                "--data-dir", os.path.join(tmp, "data")]
        srv = Server("redraft", argv, port, tmp)
    try:
        srv.start()
        yield srv
        srv.stop()
    finally:
        if srv.proc is not None and srv.proc.poll() is None:
            srv.proc.kill()
            srv.proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


def follower_server(request, workdir):
    """A three-node cluster (default election timeout) and one of its
    followers as the server under test."""
    cluster = Cluster(request.getfixturevalue("redraft_bin"), workdir, size=3)
    try:
        cluster.start()
        node = cluster.node(cluster.followers()[0])
        yield node
    finally:
        errors = cluster.close()
    if errors:
        pytest.fail("\n".join(errors) + "\n" + cluster.logs(), pytrace=False)


@pytest.fixture(autouse=True)
def _follower_stays_follower(request):
    """With the follower target, make sure the node is still a follower
    when the test starts (an election on a loaded machine could have made
    it the leader)."""
    if "server" in request.fixturenames:
        srv = request.getfixturevalue("server")
        if getattr(srv, "cluster", None) is not None:
            srv.cluster.ensure_follower(srv.index)
    yield


@pytest.fixture(params=[2, 3], ids=["resp2", "resp3"])
def r(request, server):
    """A redis-py client speaking RESP2 or RESP3 to an emptied server."""
    c = redis.Redis(
        host="127.0.0.1",
        port=server.port,
        protocol=request.param,
        socket_timeout=30,
        decode_responses=True,
    )
    c.flushall()
    yield c
    c.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Attach the server's log to failing tests."""
    outcome = yield
    rep = outcome.get_result()
    if rep.failed and "server" in item.fixturenames:
        srv = item.funcargs.get("server")
        if getattr(srv, "cluster", None) is not None:
            for n in srv.cluster.nodes:
                target = " (the target)" if n is srv else ""
                rep.sections.append((f"{n.name}{target} log ({n.log_path})", n.log_tail()))
        elif srv is not None:
            rep.sections.append((f"{srv.name} log", srv.log_tail()))
