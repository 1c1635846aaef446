"""A real 3-master Redis Cluster on loopback, for the tests that run against a cluster.

``LocalCluster().start()`` runs three ``redis-server --cluster-enabled yes`` processes
(:class:`netcache.devtools.local_redis.LocalRedis`: free ports, temporary directories, no
persistence), joins them with ``redis-cli --cluster create … --cluster-replicas 0`` and waits
until every node reports ``cluster_state:ok``. ``url`` is the ``redis+cluster://`` URL
netcache's ``make_redis`` understands; ``flush()`` empties every master; ``close()`` stops
the nodes and removes their directories. A missing ``redis-server`` or ``redis-cli`` raises
(the tests fail, never skip).
"""

from __future__ import annotations

import random
import shutil
import socket
import subprocess
import time

import redis

from netcache.devtools.local_redis import LocalRedis
from netcache.errors import BackendUnavailable

__all__ = ["LocalCluster"]


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _cluster_port() -> int:
    """A free port P ≤ 55535 whose bus port P + 10000 is free too (a cluster node listens on both)."""
    for _ in range(200):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port <= 55535 and _free(port + 10000):
            return port
    port = random.randint(20000, 45000)
    while not (_free(port) and _free(port + 10000)):
        port = random.randint(20000, 45000)
    return port


class LocalCluster:
    """``masters`` cluster-enabled redis-servers joined into one cluster (no replicas)."""

    def __init__(self, masters: int = 3, *, password: str | None = None) -> None:
        cli = shutil.which("redis-cli")
        if cli is None:
            raise BackendUnavailable("redis-cli is not installed: run `apt-get install -y redis-tools`")
        self.cli: str = cli
        self.password = password
        self.nodes = [LocalRedis(port=_cluster_port(), password=password) for _ in range(masters)]
        for node in self.nodes:
            node.extra_args = ["--cluster-enabled", "yes", "--cluster-config-file", str(node.dir / "nodes.conf"),
                               "--cluster-node-timeout", "5000"]

    @property
    def ports(self) -> list[int]:
        return [node.port for node in self.nodes]

    @property
    def url(self) -> str:
        """``redis+cluster://127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3`` (every node a startup node; no
        password in it even when the cluster has one)."""
        return "redis+cluster://" + ",".join(f"127.0.0.1:{p}" for p in self.ports)

    def start(self, timeout_s: float = 30.0) -> LocalCluster:
        try:
            for node in self.nodes:
                node.start()
            done = subprocess.run(
                [self.cli, *(["-a", self.password, "--no-auth-warning"] if self.password else []), "--cluster", "create", *(f"127.0.0.1:{p}" for p in self.ports),
                 "--cluster-replicas", "0", "--cluster-yes"],
                stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout_s)
            if done.returncode != 0:
                raise BackendUnavailable(f"redis-cli --cluster create failed: {(done.stdout + done.stderr)[-800:]}")
            self._wait_ok(timeout_s)
        except BaseException:
            self.close()
            raise
        return self

    def _wait_ok(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        clients = [redis.Redis(host="127.0.0.1", port=p, password=self.password, socket_connect_timeout=1)
                   for p in self.ports]
        try:
            while True:
                states = [c.execute_command("CLUSTER", "INFO") for c in clients]
                if all(b"cluster_state:ok" in s for s in states):
                    return
                if time.monotonic() > deadline:
                    raise BackendUnavailable(f"the cluster on ports {self.ports} did not reach cluster_state:ok")
                time.sleep(0.05)
        finally:
            for c in clients:
                c.close()

    def flush(self) -> None:
        """FLUSHALL on every master (and SCRIPT FLUSH: a test starts with no loaded scripts)."""
        for port in self.ports:
            c = redis.Redis(host="127.0.0.1", port=port, password=self.password)
            try:
                c.flushall()
                c.script_flush()
            finally:
                c.close()

    def close(self) -> None:
        for node in self.nodes:
            node.close()

    def __enter__(self) -> LocalCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
