"""Fixtures for running Huey (real huey_consumer processes) against Redraft.

* ``redraft_bin``: ``go build ./cmd/redraft`` once per session into a temp
  dir (or the binary named by REDRAFT_BIN).
* ``server``: one Redraft node per session on free loopback ports with a
  temp data dir, ready once PING answers PONG (-LOADING while replaying).
  Teardown: SIGTERM, wait up to 10 s, then SIGKILL; a node that needs the
  SIGKILL or exits non-zero fails the session teardown.
  REDRAFT_HUEY_TARGET=redis runs everything against Debian's redis-server
  instead (to check the tests themselves); REDRAFT_HUEY_TARGET=
  redraft-follower makes ``server`` a follower of a three-node cluster, so
  that the whole suite runs through a follower.
* ``follower``: a follower of a session-wide three-node Redraft cluster
  (the same interface as ``server``), for the tests that also run through
  a follower (``huey_app(storage, node=follower)``); it is made a follower
  again before each test should an election have made it the leader. It
  is ``server`` itself with REDRAFT_HUEY_TARGET=redis or redraft-follower.
* ``app_module``: test/huey/app/tasks.py (with the other modules of app/,
  e.g. failover.py) copied into a temp dir that is put on sys.path (for
  this process) and PYTHONPATH (for the consumers), and imported as
  ``tasks``.
* ``node_factory``: a test's own nodes (e.g. to restart one on its data
  dir), stopped like ``server`` at the test's teardown.
* ``huey_app``: a factory ``huey_app(storage, notify_result=False,
  node=server)`` that empties the node (FLUSHDB of db 0, the queue, and
  db 1, where the tasks record) and returns the test's side of the app
  (``tasks.build(...)``) with its settings, under a fresh Huey name.
* ``consumers``: a factory ``consumers(app, workers=4, worker_type="thread")``
  that starts ``python -m huey.bin.huey_consumer tasks.huey -w N -k TYPE``
  (``module=`` another app module) with the app's settings in environment
  variables, logging to a file.
  Teardown: SIGINT (graceful), wait, then SIGKILL of its process group; a
  consumer that had to be killed, died, or logged an infrastructure error
  (reading the queue or the schedule, enqueueing) makes the test error,
  unless started with ``check_errors=False`` (a test that breaks the
  consumer's node on purpose checks those itself).
* ``cluster_factory``: ``cluster_factory(size=3, args=())`` starts a
  Redraft cluster of real processes (test/python/redraft_cluster.py:
  free ports, temp data dirs, kill9/restart by index, wait_leader with
  RAFT LEADER) and closes it at the test's teardown (SIGTERM; a node that
  needs SIGKILL or exits non-zero fails the teardown). With
  REDRAFT_HUEY_TARGET=redis it returns a ``OneNodeCluster``: one
  redis-server (AOF, fsync always) that plays every node, so that a
  cluster test checks its own logic against the reference.
  The logs of the consumers and of the nodes are attached to failing tests.

Nothing here skips: missing prerequisites (go, redis-server) fail.
"""

import atexit
import ctypes
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
APP_SOURCE = HERE / "app" / "tasks.py"

# The cluster helper is shared with test/python.
sys.path.insert(0, str(REPO_ROOT / "test" / "python"))
import redraft_cluster  # noqa: E402
from redraft_cluster import free_port  # noqa: E402

START_TIMEOUT = 30.0  # node: until PING answers PONG
STOP_TIMEOUT = 10.0  # node: SIGTERM -> SIGKILL
CONSUMER_START_TIMEOUT = 30.0  # consumer: until it logs that it started
CONSUMER_STOP_TIMEOUT = 15.0  # consumer: SIGINT -> SIGKILL (it gets -t 10)

# Consumer log lines that mean the server misbehaved (not a task's own error).
INFRA_ERRORS = re.compile(
    r"Error reading schedule|Error reading from queue|Error enqueueing|"
    r"Error in consumer|Unhandled error during execution"
)


# ------------------------------------------------------------ process safety
#
# Every process started here is stopped by its fixture. Should pytest itself
# be stopped first: SIGTERM is turned into KeyboardInterrupt (so that the
# fixtures' teardown runs), an atexit hook kills whatever is still running,
# and each child gets PR_SET_PDEATHSIG=SIGTERM, so it is told to stop if
# pytest dies without any teardown (SIGTERM: a clean stop for the node, an
# immediate one for a consumer, which stops its own worker processes).

_live = set()  # Popen objects started here and not yet reaped


def _set_pdeathsig():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except Exception:
        pass


def _spawn(argv, **kwargs):
    p = subprocess.Popen(argv, preexec_fn=_set_pdeathsig, **kwargs)
    _live.add(p)
    return p


@atexit.register
def _kill_leftovers():
    for p in list(_live):
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except OSError:
                p.kill()
            p.wait()
        _live.discard(p)


def _sigterm(signum, frame):
    raise KeyboardInterrupt(f"received signal {signum}")


_previous_sigterm = None


def pytest_configure(config):
    global _previous_sigterm
    _previous_sigterm = signal.signal(signal.SIGTERM, _sigterm)


def pytest_unconfigure(config):
    if _previous_sigterm is not None:
        signal.signal(signal.SIGTERM, _previous_sigterm)


# ------------------------------------------------------------------- helpers


def require_tool(name, hint):
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is required but not in PATH: {hint}", pytrace=False)
    return path


def read_tail(path, limit=30000):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - limit))
            data = f.read()
    except OSError as e:
        return f"(cannot read {path}: {e})"
    return data.decode(errors="replace")


def raw_command(port, *args):
    """One command on a new connection; the first reply line (no client-side
    retries that could hide a -LOADING)."""
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


class Node:
    """The server under test, its output in a log file."""

    def __init__(self, name, argv, port, workdir):
        self.name = name
        self.argv = argv
        self.port = port
        self.host = "127.0.0.1"
        self.workdir = workdir
        self.log_path = os.path.join(workdir, f"{name}.log")
        self.data_dir = None
        self.proc = None
        self.stopped = False

    def start(self):
        self.stopped = False
        with open(self.log_path, "ab") as log:
            log.write(f"=== {' '.join(self.argv)}\n".encode())
            log.flush()
            self.proc = _spawn(
                self.argv, stdout=log, stderr=subprocess.STDOUT, cwd=self.workdir,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.proc.returncode} before answering "
                    f"PING\n{read_tail(self.log_path)}"
                )
            try:
                last = raw_command(self.port, b"PING")
                if last == b"+PONG":
                    return
            except OSError as e:
                last = e
            time.sleep(0.05)
        raise RuntimeError(
            f"{self.name} did not answer PING within {START_TIMEOUT}s (last: {last!r})\n"
            + read_tail(self.log_path)
        )

    def stop(self):
        """SIGTERM, wait STOP_TIMEOUT, then SIGKILL. Returns an error message
        or None."""
        if self.proc is None or self.stopped:
            return None
        self.stopped = True
        try:
            if self.proc.poll() is not None:
                return f"{self.name} had already exited with {self.proc.returncode}"
            self.proc.send_signal(signal.SIGTERM)
            try:
                code = self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return f"{self.name} did not exit within {STOP_TIMEOUT}s of SIGTERM (killed)"
            if code != 0:
                return f"{self.name} exited with {code} after SIGTERM"
            return None
        finally:
            _live.discard(self.proc)

    def log_tail(self):
        return read_tail(self.log_path)

    def client(self, db=0, **kwargs):
        kwargs.setdefault("socket_timeout", 30)
        return redis.Redis(host=self.host, port=self.port, db=db, **kwargs)


def build_redraft(tmp):
    env_bin = os.environ.get("REDRAFT_BIN")
    if env_bin:
        if not os.path.exists(env_bin):
            pytest.fail(f"REDRAFT_BIN={env_bin} does not exist", pytrace=False)
        return os.path.abspath(env_bin)
    go = require_tool("go", "install Go")
    out = os.path.join(tmp, "redraft")
    res = subprocess.run(
        [go, "build", "-o", out, "./cmd/redraft"],
        cwd=REPO_ROOT, capture_output=True, text=True,
    )
    if res.returncode != 0:
        pytest.fail(f"go build ./cmd/redraft failed:\n{res.stdout}{res.stderr}", pytrace=False)
    return out


def target():
    t = os.environ.get("REDRAFT_HUEY_TARGET", "redraft")
    if t not in ("redraft", "redis", "redraft-follower"):
        raise pytest.UsageError(
            f"REDRAFT_HUEY_TARGET={t!r}: expected redraft, redis or redraft-follower")
    return t


@pytest.fixture(scope="session")
def redraft_bin(tmp_path_factory):
    return build_redraft(str(tmp_path_factory.mktemp("redraft-bin")))


def make_node(request, workdir, port, data_dir, persistent=False):
    """A Redraft node (or redis-server, see REDRAFT_HUEY_TARGET) on port
    with its data in data_dir (not started). persistent: for redis-server,
    an fsync-always AOF instead of no persistence (Redraft always persists)."""
    if target() == "redis":
        bin_ = require_tool("redis-server", "apt-get install -y redis-server")
        os.makedirs(data_dir, exist_ok=True)
        argv = [bin_, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                "--dir", data_dir]
        argv += (["--appendonly", "yes", "--appendfsync", "always"] if persistent
                 else ["--appendonly", "no"])
        node = Node("redis-server", argv, port, workdir)
        node.data_dir = data_dir
        return node
    bin_ = request.getfixturevalue("redraft_bin")
    argv = [bin_, "server", "--id", "n1",
            "--listen", f"127.0.0.1:{port}",
            "--raft-listen", f"127.0.0.1:{free_port()}",
            "--data-dir", data_dir]
    node = Node("redraft", argv, port, workdir)
    node.data_dir = data_dir
    return node


@pytest.fixture(scope="session")
def server(request, tmp_path_factory):
    """The server under test (a Redraft node, or redis-server, or a
    follower, see above), shared by the session."""
    if target() == "redraft-follower":
        yield from follower_of_new_cluster(request, str(tmp_path_factory.mktemp("huey-cluster")))
        return
    tmp = str(tmp_path_factory.mktemp("huey-server"))
    node = make_node(request, tmp, free_port(), os.path.join(tmp, "data"))
    try:
        node.start()
        yield node
    finally:
        err = node.stop()
    if err:
        pytest.fail(f"{err}\n{node.log_tail()}", pytrace=False)


def follower_of_new_cluster(request, workdir):
    """Start a three-node Redraft cluster, yield one of its followers, close
    the cluster (a node that needs SIGKILL or exits non-zero fails)."""
    cluster = redraft_cluster.Cluster(request.getfixturevalue("redraft_bin"), workdir, size=3)
    try:
        cluster.start()
        node = cluster.node(cluster.followers()[0])
        node.keep_follower = True  # huey_app makes it a follower again if needed
        yield node
    finally:
        errors = cluster.close()
    if errors:
        pytest.fail("\n".join(errors) + "\n" + cluster.logs(), pytrace=False)


@pytest.fixture(scope="session")
def follower(request, tmp_path_factory):
    """A follower of a session-wide three-node cluster (see above)."""
    if target() != "redraft":
        yield request.getfixturevalue("server")
        return
    yield from follower_of_new_cluster(request, str(tmp_path_factory.mktemp("huey-cluster")))


@pytest.fixture
def node_factory(request, tmp_path):
    """Factory for a test's own nodes: node_factory(port, data_dir) starts
    one (a fresh port and data dir by default) and returns it; node.stop()
    returns an error message or None. Every node is stopped at teardown."""
    nodes = []
    request.node._huey_nodes = nodes

    def start(port=None, data_dir=None):
        port = port or free_port()
        data_dir = data_dir or str(tmp_path / f"node-data-{len(nodes)}")
        node = make_node(request, str(tmp_path), port, data_dir, persistent=True)
        node.log_path = str(tmp_path / f"{node.name}-{len(nodes)}.log")
        nodes.append(node)
        node.start()
        return node

    yield start
    errors = [e for e in (n.stop() for n in nodes) if e]
    if errors:
        pytest.fail("\n".join(errors), pytrace=False)


@pytest.fixture(scope="session")
def app_dir(tmp_path_factory):
    """A temp dir holding the app as tasks.py, on sys.path for this process."""
    d = tmp_path_factory.mktemp("huey-app")
    for src in APP_SOURCE.parent.glob("*.py"):
        shutil.copy(src, d / src.name)
    sys.path.insert(0, str(d))
    try:
        yield d
    finally:
        sys.path.remove(str(d))
        for src in APP_SOURCE.parent.glob("*.py"):
            sys.modules.pop(src.stem, None)


@pytest.fixture(scope="session")
def app_module(app_dir):
    import importlib

    mod = importlib.import_module("tasks")
    assert Path(mod.__file__).resolve() == (app_dir / "tasks.py").resolve(), (
        f"imported the wrong tasks module: {mod.__file__}"
    )
    return mod


@pytest.fixture
def huey_app(server, app_module):
    """Factory: huey_app(storage, notify_result=False, node=server) -> the
    app namespace (``tasks.build``) with ``.settings``; the node is emptied
    first."""
    created = []

    def make(storage, notify_result=False, node=None):
        node = node or server
        if getattr(node, "keep_follower", False):
            node.cluster.ensure_follower(node.index)
        for db in (0, 1):
            c = node.client(db=db)
            try:
                c.flushdb()
            finally:
                c.close()
        settings = {
            "storage": storage,
            "host": node.host,
            "port": node.port,
            "name": "hueytest" + uuid.uuid4().hex[:10],
            "notify_result": notify_result,
            "record_db": 1,
        }
        app = app_module.build(**settings)
        app.settings = settings
        app.env = app_module.settings_to_env(settings)
        created.append(app)
        return app

    yield make
    for app in created:
        app.huey.storage.pool.disconnect()
        if app.rec._client is not None:
            app.rec._client.close()


class Consumer:
    """One huey_consumer process (in its own process group)."""

    def __init__(self, argv, env, log_path, cwd, check_errors=True):
        self.argv = argv
        self.env = env
        self.log_path = log_path
        self.cwd = cwd
        self.check_errors = check_errors
        self.proc = None
        self.stopped = False  # stop() was called (a second call is a no-op)

    def start(self):
        with open(self.log_path, "ab") as log:
            log.write(f"=== {' '.join(self.argv)}\n".encode())
            log.flush()
            self.proc = _spawn(
                self.argv, env=self.env, cwd=self.cwd, stdout=log,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def wait_started(self, timeout=CONSUMER_START_TIMEOUT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"huey_consumer exited with {self.proc.returncode} at startup\n"
                    + read_tail(self.log_path)
                )
            if "Huey consumer started" in read_tail(self.log_path, 200000):
                return
            time.sleep(0.05)
        raise AssertionError(
            f"huey_consumer did not log its start within {timeout}s\n"
            + read_tail(self.log_path)
        )

    def _killpg(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def stop(self):
        """SIGINT (graceful shutdown), then SIGKILL of the process group.
        Returns an error message or None; a second call does nothing and
        returns None (a test may stop its consumers before the teardown)."""
        if self.proc is None or self.stopped:
            return None
        self.stopped = True
        err = None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=CONSUMER_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                err = f"huey_consumer pid {self.proc.pid} ignored SIGINT for " \
                      f"{CONSUMER_STOP_TIMEOUT}s: killed"
        else:
            err = f"huey_consumer pid {self.proc.pid} died early with {self.proc.returncode}"
        # Process workers are children of the consumer: kill what is left of
        # its process group (nothing, after a clean shutdown).
        self._killpg()
        if self.proc.poll() is None:
            self.proc.wait()
        _live.discard(self.proc)
        return err

    def log(self):
        return read_tail(self.log_path, 200000)

    def errors(self, pattern=INFRA_ERRORS):
        """Each log line matching pattern with the exception it ended with
        (the last line of its traceback), e.g. "Error reading schedule. ->
        redis.exceptions.ResponseError: unknown command 'EVALSHA' ..."."""
        if isinstance(pattern, str):
            pattern = re.compile(pattern)
        try:
            with open(self.log_path, "rb") as f:
                lines = f.read().decode(errors="replace").splitlines()
        except OSError:
            return []
        found = []
        for i, line in enumerate(lines):
            if not pattern.search(line):
                continue
            exc = ""
            for nxt in lines[i + 1:i + 200]:
                if nxt.startswith("[") or nxt.startswith("==="):
                    break  # the next log record
                if nxt and not nxt.startswith((" ", "Traceback", "During handling")):
                    exc = nxt.strip()
            found.append(f"{line.strip()} -> {exc}" if exc else line.strip())
        return found

    def infra_errors(self):
        return self.errors(INFRA_ERRORS)

    def check(self, pattern=INFRA_ERRORS):
        """Raise if the consumer died or logged a line matching pattern."""
        if self.proc.poll() is not None:
            raise AssertionError(
                f"huey_consumer pid {self.proc.pid} exited with {self.proc.returncode}\n"
                + read_tail(self.log_path)
            )
        bad = self.errors(pattern)
        if bad:
            raise AssertionError(
                f"huey_consumer logged {len(bad)} error(s) ({self.log_path}); first: {bad[0]}"
            )


@pytest.fixture
def consumers(request, app_dir, tmp_path):
    """Factory: consumers(app, workers=4, worker_type="thread", count=1,
    extra_args=(), module="tasks", check_errors=True) -> list of started
    Consumer (already logged their start). ``module`` is the app module
    whose ``huey`` the consumer runs; ``app.env`` its settings.

    At teardown every consumer is stopped; a consumer that had to be killed,
    died early, or (unless check_errors=False) logged an infrastructure
    error (reading the queue or the schedule, enqueueing) makes the test
    error."""
    started = []
    request.node._huey_consumers = started

    def start(app, workers=4, worker_type="thread", count=1, extra_args=(), module="tasks",
              check_errors=True):
        env = dict(os.environ)
        env.update(app.env)
        env["PYTHONPATH"] = str(app_dir) + (
            os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else ""
        )
        env["PYTHONUNBUFFERED"] = "1"
        group = []
        for _ in range(count):
            n = len(started)
            argv = [sys.executable, "-m", "huey.bin.huey_consumer", f"{module}.huey",
                    "-w", str(workers), "-k", worker_type, "-t", "10", "-n",
                    *extra_args]
            c = Consumer(argv, env, str(tmp_path / f"consumer-{n}.log"), str(tmp_path),
                         check_errors=check_errors)
            started.append(c)
            c.start()
            group.append(c)
        for c in group:
            c.wait_started()
        return group

    yield start
    problems = []
    for c in started:
        err = c.stop()
        if err:
            problems.append(f"{err} (log: {c.log_path})")
        infra = c.infra_errors() if c.check_errors else []
        if infra:
            problems.append(
                f"consumer {c.log_path} logged {len(infra)} infrastructure error(s), "
                f"first: {infra[0]}"
            )
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


class OneNodeCluster:
    """REDRAFT_HUEY_TARGET=redis: the cluster interface of
    redraft_cluster.Cluster played by one redis-server (AOF, fsync always),
    node(i) being that server for every i and always the "leader"; kill9
    and restart kill and restart it. A cluster test then checks its own
    bookkeeping against the reference (every consumer is a consumer of the
    killed node)."""

    size = 1

    def __init__(self, node):
        self.the_node = node
        node.index, node.id = 0, "redis"
        node.cluster = self
        self.nodes = [node]

    def start(self):
        self.the_node.start()
        return 0

    def node(self, i):
        return self.the_node

    def wait_leader(self, timeout=None, among=None):
        return 0

    def live(self):
        return [0] if self.the_node.proc.poll() is None else []

    def kill9(self, i):
        self.the_node.proc.kill()
        self.the_node.proc.wait()

    def restart(self, i, timeout=None):
        if self.the_node.proc.poll() is None:
            err = self.the_node.stop()
            if err:
                raise RuntimeError(err)
        self.the_node.start()

    def close(self):
        err = self.the_node.stop()
        return [err] if err else []

    def logs(self, limit=20000):
        return f"---- {self.the_node.name} ----\n{read_tail(self.the_node.log_path, limit)}"


@pytest.fixture
def cluster_factory(request, tmp_path):
    """Factory: cluster_factory(size=3, args=()) -> a started
    redraft_cluster.Cluster (or a OneNodeCluster, see above), closed at
    teardown; a node that then needs SIGKILL or exits non-zero fails the
    teardown."""
    clusters = []
    request.node._huey_clusters = clusters

    def start(size=3, args=()):
        d = tmp_path / f"cluster-{len(clusters)}"
        d.mkdir()
        if target() == "redis":
            c = OneNodeCluster(make_node(request, str(d), free_port(), str(d / "data"),
                                         persistent=True))
        else:
            c = redraft_cluster.Cluster(request.getfixturevalue("redraft_bin"), str(d),
                                        size=size, args=args)
        clusters.append(c)
        c.start()
        return c

    yield start
    errors = []
    for c in clusters:
        errors += c.close()
    if errors:
        pytest.fail("\n".join(errors), pytrace=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Attach the consumers' and the server's logs to failing tests."""
    outcome = yield
    rep = outcome.get_result()
    if not rep.failed:
        return
    for i, c in enumerate(getattr(item, "_huey_consumers", [])):
        rep.sections.append((f"huey_consumer {i} log ({c.log_path})", read_tail(c.log_path, 15000)))
    funcargs = getattr(item, "funcargs", {})
    shown = set()
    for key in ("server", "follower"):
        srv = funcargs.get(key)
        cluster = getattr(srv, "cluster", None)
        for node in (cluster.nodes if cluster is not None else [srv] if srv is not None else []):
            if id(node) not in shown:
                shown.add(id(node))
                rep.sections.append((f"{node.name} log ({node.log_path})",
                                     read_tail(node.log_path, 10000)))
    for node in getattr(item, "_huey_nodes", []):
        rep.sections.append((f"{node.name} log ({node.log_path})", read_tail(node.log_path, 10000)))
    for cluster in getattr(item, "_huey_clusters", []):
        for node in cluster.nodes:
            rep.sections.append((f"{node.name} log ({node.log_path})", read_tail(node.log_path, 10000)))


# Report lines that tests add with the report fixture, printed in the
# terminal summary (so that they show in a -q run, e.g. make test-python).
_REPORTS = pytest.StashKey[list]()


@pytest.fixture
def report(request):
    """report(line): print line in the session's terminal summary."""
    def add(line):
        request.config.stash.setdefault(_REPORTS, []).append(f"{request.node.nodeid}: {line}")
    return add


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    lines = config.stash.get(_REPORTS, [])
    if lines:
        terminalreporter.section("Redraft Huey reports")
        for line in lines:
            terminalreporter.write_line(line)
