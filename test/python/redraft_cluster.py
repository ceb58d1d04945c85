"""A Redraft cluster of real processes, for the Python tests (test/python
and test/huey, which puts this directory on sys.path).

    cluster = Cluster(redraft_bin, workdir, size=3, args=["--election-timeout", "500ms"])
    cluster.start()                  # all nodes answer PONG and agree on a leader
    leader = cluster.wait_leader()   # index of the node every live node names in RAFT LEADER
    f = cluster.node(cluster.followers()[0])
    r = f.client()                   # redis-py client to that node
    cluster.kill9(leader)            # SIGKILL, as a crash
    cluster.wait_leader()            # the survivors elect a new one
    cluster.restart(leader)          # same ports, same data dir, same flags
    errors = cluster.close()         # SIGTERM all (SIGKILL after a timeout)
    print(cluster.logs())            # the tail of every node's log

Node i has the ID n<i+1>, its own free loopback ports (RESP and Raft) and
its data dir and log under workdir/n<i+1>/; every node lists the Raft
addresses of all of them in --join and starts with --bootstrap-expect
<size>, as the README's Clustering section says. A restarted node keeps its
ports and data dir, so it resumes as the same member.

Every wait is bounded (the timeouts below) and says what it waited for.
Every process started here is in its own session and gets
PR_SET_PDEATHSIG=SIGTERM, so that it stops if the test process dies without
a teardown; an atexit hook SIGKILLs whatever is still running.
"""

import atexit
import ctypes
import os
import signal
import socket
import subprocess
import time

START_TIMEOUT = 30.0  # launch -> PONG (-LOADING while replaying the log)
LEADER_TIMEOUT = 30.0  # until every live node names the same live leader
STOP_TIMEOUT = 30.0  # SIGTERM -> SIGKILL (a leader hands over leadership first)

_live = set()  # Popen objects started here and not yet reaped


def _set_pdeathsig():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except Exception:
        pass


@atexit.register
def _kill_leftovers():
    for p in list(_live):
        if p.poll() is None:
            p.kill()
            p.wait()
        _live.discard(p)


# Servers listen below the kernel's ephemeral port range: a port picked by
# binding port 0 is an ephemeral one, and between its release and the
# server's bind (or its re-bind after a kill -9) any outgoing connection may
# take it as its source port ("address already in use"). Ports are handed
# out once per process, walking up from a pid-derived offset so that test
# processes running side by side start in different places.
_PORT_FLOOR = 20000


def _ephemeral_floor():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768
    return low if low > _PORT_FLOOR + 1000 else 32768


_CEILING = _ephemeral_floor()
_next_port = _PORT_FLOOR + (os.getpid() * 997) % (_CEILING - _PORT_FLOOR)


def free_port():
    """A loopback port below the ephemeral range, free now, not handed out before."""
    global _next_port
    for _ in range(_CEILING - _PORT_FLOOR):
        port = _next_port
        _next_port = port + 1 if port + 1 < _CEILING else _PORT_FLOOR
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in [{_PORT_FLOOR}, {_CEILING})")


def read_tail(path, limit=20000):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - limit))
            data = f.read()
    except OSError as e:
        return f"(cannot read {path}: {e})"
    return data.decode(errors="replace")


class RespError(Exception):
    """An error reply (-ERR ..., -LOADING ...)."""


def _read_reply(f):
    line = f.readline()
    if not line.endswith(b"\r\n"):
        raise ConnectionError("connection closed before a complete reply")
    kind, rest = line[:1], line[1:-2]
    if kind == b"+":
        return rest.decode()
    if kind == b"-":
        return RespError(rest.decode())
    if kind == b":":
        return int(rest)
    if kind == b"$":
        n = int(rest)
        if n < 0:
            return None
        data = f.read(n + 2)
        if len(data) != n + 2:
            raise ConnectionError("connection closed inside a bulk string")
        return data[:-2].decode(errors="replace")
    if kind == b"*":
        n = int(rest)
        return None if n < 0 else [_read_reply(f) for _ in range(n)]
    raise ConnectionError(f"unexpected RESP2 reply line {line!r}")


def raw_command(port, *args, host="127.0.0.1", timeout=5.0):
    """Send one RESP2 command on a new connection and return the reply
    (str, int, None, list, or a RespError instance for an error reply).
    Raw sockets, not redis-py, so that no client-side retry hides a reply;
    OSError (refused, timeout) propagates."""
    args = [a if isinstance(a, bytes) else str(a).encode() for a in args]
    req = b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.settimeout(timeout)
        s.sendall(req)
        with s.makefile("rb") as f:
            return _read_reply(f)


class ClusterNode:
    """One node of a Cluster; its ports, data dir and flags stay the same
    across kill9 / stop / start."""

    def __init__(self, cluster, index):
        self.cluster = cluster
        self.index = index
        self.id = f"n{index + 1}"
        self.name = f"redraft {self.id}"
        self.host = "127.0.0.1"
        self.port = free_port()
        self.raft_port = free_port()
        self.workdir = os.path.join(cluster.workdir, self.id)
        self.data_dir = os.path.join(self.workdir, "data")
        self.log_path = os.path.join(self.workdir, "redraft.log")
        self.proc = None
        self.argv = None  # set by Cluster.start
        os.makedirs(self.workdir, exist_ok=True)

    @property
    def addr(self):
        return f"{self.host}:{self.port}"

    @property
    def raft_addr(self):
        return f"{self.host}:{self.raft_port}"

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def launch(self):
        if self.running:
            raise RuntimeError(f"{self.name} is already running")
        with open(self.log_path, "ab") as log:
            log.write(f"=== {time.strftime('%H:%M:%S')} {' '.join(self.argv)}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(
                self.argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                cwd=self.workdir, start_new_session=True, preexec_fn=_set_pdeathsig,
            )
        _live.add(self.proc)

    def wait_pong(self, timeout=START_TIMEOUT):
        """Poll PING until PONG (-LOADING and refused connections mean not
        yet); fail at once if the process exits."""
        deadline = time.monotonic() + timeout
        last = None
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.proc.returncode} before answering PING\n"
                    + self.log_tail()
                )
            try:
                last = raw_command(self.port, "PING", timeout=2)
                if last == "PONG":
                    return
            except OSError as e:
                last = e
            if time.monotonic() >= deadline:
                raise RuntimeError(
                    f"{self.name} did not answer PING within {timeout}s (last: {last!r})\n"
                    + self.log_tail()
                )
            time.sleep(0.05)

    def start(self, timeout=START_TIMEOUT):
        """Start the (stopped or killed) node again and wait for PONG."""
        self.launch()
        self.wait_pong(timeout)

    def kill9(self):
        """SIGKILL, as a crash would, and reap the process."""
        if not self.running:
            raise RuntimeError(f"kill9: {self.name} is not running")
        self.proc.kill()
        self.proc.wait()
        _live.discard(self.proc)

    def stop(self, timeout=STOP_TIMEOUT, signalled=False):
        """SIGTERM (unless signalled: the caller already sent it), wait,
        then SIGKILL. Returns an error message, or None after a clean exit
        (or if the node was not running)."""
        if self.proc is None or (not signalled and self.proc.poll() is not None):
            _live.discard(self.proc)
            return None
        try:
            if not signalled:
                self.proc.send_signal(signal.SIGTERM)
            try:
                code = self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return f"{self.name} did not exit within {timeout}s of SIGTERM (killed)"
            if code != 0:
                return f"{self.name} exited with {code} after SIGTERM"
            return None
        finally:
            _live.discard(self.proc)

    def command(self, *args, timeout=5.0):
        """One command on a fresh raw connection (see raw_command)."""
        return raw_command(self.port, *args, host=self.host, timeout=timeout)

    def raft_leader(self):
        """This node's RAFT LEADER: the leader's ID, or None when it knows
        none. Raises OSError / RespError."""
        v = self.command("RAFT", "LEADER")
        if isinstance(v, RespError):
            raise v
        return v or None

    def role(self):
        """The role field of INFO replication: master or slave."""
        info = self.command("INFO", "replication")
        if isinstance(info, RespError):
            raise info
        for line in info.splitlines():
            if line.startswith("role:"):
                return line.split(":", 1)[1].strip()
        raise RuntimeError(f"{self.name}: INFO replication has no role field:\n{info}")

    def client(self, db=0, **kwargs):
        import redis

        kwargs.setdefault("socket_timeout", 30)
        return redis.Redis(host=self.host, port=self.port, db=db, **kwargs)

    def log_tail(self, limit=20000):
        return read_tail(self.log_path, limit)

    def __repr__(self):
        state = "running" if self.running else "down"
        return f"<{self.name} {self.addr} raft {self.raft_addr} {state}>"


class Cluster:
    def __init__(self, redraft_bin, workdir, size=3, args=()):
        self.bin = redraft_bin
        self.workdir = workdir
        self.size = size
        self.args = list(args)
        self.nodes = [ClusterNode(self, i) for i in range(size)]
        join = ",".join(n.raft_addr for n in self.nodes)
        for n in self.nodes:
            n.argv = [
                self.bin, "server", "--id", n.id,
                "--listen", n.addr, "--raft-listen", n.raft_addr,
                "--data-dir", n.data_dir,
                "--join", join, "--bootstrap-expect", str(size),
                *self.args,
            ]

    def start(self, timeout=START_TIMEOUT + LEADER_TIMEOUT):
        """Launch every node, wait until each answers PONG and all agree on
        a leader; returns the leader's index. On failure the nodes that
        run are left for close() (call it in a finally)."""
        deadline = time.monotonic() + timeout
        for n in self.nodes:
            n.launch()
        for n in self.nodes:
            n.wait_pong(max(1.0, deadline - time.monotonic()))
        return self.wait_leader(max(1.0, deadline - time.monotonic()))

    def node(self, i):
        return self.nodes[i]

    def live(self):
        return [n.index for n in self.nodes if n.running]

    def index_of(self, node_id):
        for n in self.nodes:
            if n.id == node_id:
                return n.index
        return None

    def leader_views(self, among=None):
        """{index: RAFT LEADER answer (an ID, None) or the exception}."""
        views = {}
        for i in (self.live() if among is None else among):
            try:
                views[i] = self.nodes[i].raft_leader()
            except (OSError, RespError, ConnectionError) as e:
                views[i] = e
        return views

    def wait_leader(self, timeout=LEADER_TIMEOUT, among=None):
        """Until every live node (or every node of `among`) names the same
        leader with RAFT LEADER, that leader being one of them; returns its
        index."""
        deadline = time.monotonic() + timeout
        while True:
            views = self.leader_views(among)
            ids = set(views.values())
            if len(ids) == 1:
                (lid,) = ids
                if isinstance(lid, str):
                    i = self.index_of(lid)
                    if i is not None and i in views:
                        return i
            if time.monotonic() >= deadline:
                said = ", ".join(f"{self.nodes[i].id}: {v!r}" for i, v in views.items())
                raise AssertionError(
                    f"nodes did not agree on a leader within {timeout}s ({said})\n" + self.logs(4000)
                )
            time.sleep(0.05)

    def leader(self):
        return self.wait_leader()

    def followers(self):
        """Indexes of the live nodes other than the leader."""
        lead = self.wait_leader()
        return [i for i in self.live() if i != lead]

    def ensure_follower(self, i, timeout=LEADER_TIMEOUT):
        """Make sure node i is a follower of a leader that every live node
        agrees on: if it is the leader, hand leadership over (RAFT
        TRANSFER-LEADERSHIP, retried every 5 s) until another node leads.
        Returns the leader's index."""
        deadline = time.monotonic() + timeout
        last_transfer = None
        while True:
            lead = self.wait_leader(max(1.0, deadline - time.monotonic()))
            if lead != i:
                return lead
            if time.monotonic() >= deadline:
                raise AssertionError(f"{self.nodes[i].name} is still the leader after {timeout}s")
            if last_transfer is None or time.monotonic() - last_transfer > 5:
                last_transfer = time.monotonic()
                self.nodes[i].command("RAFT", "TRANSFER-LEADERSHIP")
            time.sleep(0.1)

    def kill9(self, i):
        self.nodes[i].kill9()

    def stop(self, i, timeout=STOP_TIMEOUT):
        """SIGTERM node i; returns an error message or None."""
        return self.nodes[i].stop(timeout)

    def restart(self, i, timeout=START_TIMEOUT):
        """Start node i again (after SIGTERM if it still runs) on the same
        ports and data dir and wait for PONG; raises if it did not stop
        cleanly."""
        n = self.nodes[i]
        if n.running:
            err = n.stop()
            if err:
                raise RuntimeError(err + "\n" + n.log_tail())
        n.start(timeout)

    def close(self, timeout=STOP_TIMEOUT):
        """Stop every running node: SIGTERM to all at once, then wait for
        each (SIGKILL after timeout). Returns the list of error messages
        (a node that needed SIGKILL or exited non-zero)."""
        running = [n for n in self.nodes if n.running]
        for n in running:
            n.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        return [e for e in (n.stop(max(1.0, deadline - time.monotonic()), signalled=True)
                            for n in running) if e]

    def logs(self, limit=20000):
        """The tail of every node's log, for failure reports."""
        return "\n".join(
            f"---- {n.name} ({n.log_path}) ----\n{n.log_tail(limit)}" for n in self.nodes
        )
