"""A private ``redis-server`` process: for tests, benchmarks and the local demo.

``LocalRedis().start()`` runs ``redis-server`` on a free loopback port with no
persistence, in a temporary directory, and can ``stop()``, ``start()`` and
``restart()`` it on the same port (fault tests restart Redis mid-use).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import redis

from netcache.errors import BackendUnavailable

__all__ = ["LocalRedis", "TLSFiles", "free_port"]


@dataclass(frozen=True)
class TLSFiles:
    """PEM files for a TLS-only redis-server: its certificate, key, and the CA clients trust."""

    cert_file: Path
    key_file: Path
    ca_file: Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalRedis:
    """One ``redis-server`` child process on 127.0.0.1."""

    def __init__(self, port: int | None = None, *, password: str | None = None,
                 maxmemory: str | None = None, extra_args: list[str] | None = None,
                 tls: TLSFiles | None = None) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise BackendUnavailable(
                "redis-server is not installed: run `apt-get install -y redis-server` "
                "(scripts/test.sh and scripts/run.sh do this for you)"
            )
        self.binary: str = binary
        self.port = port or free_port()
        self.password = password
        self.maxmemory = maxmemory
        self.extra_args = extra_args or []
        self.tls = tls
        self.dir = Path(tempfile.mkdtemp(prefix="netcache-redis-"))
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        auth = f":{self.password}@" if self.password else ""
        scheme = "rediss" if self.tls else "redis"
        return f"{scheme}://{auth}127.0.0.1:{self.port}/0"

    def _client_kwargs(self) -> dict:
        if not self.tls:
            return {}
        return {"ssl_ca_certs": str(self.tls.ca_file)}

    def url_for_db(self, db: int) -> str:
        return self.url.rsplit("/", 1)[0] + f"/{db}"

    def start(self, timeout_s: float = 10.0) -> LocalRedis:
        if self.proc is not None and self.proc.poll() is None:
            return self
        if self.tls:
            listen = ["--port", "0", "--tls-port", str(self.port),
                      "--tls-cert-file", str(self.tls.cert_file), "--tls-key-file", str(self.tls.key_file),
                      "--tls-ca-cert-file", str(self.tls.ca_file), "--tls-auth-clients", "no"]
        else:
            listen = ["--port", str(self.port)]
        args = [
            self.binary, *listen, "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", str(self.dir),
            "--daemonize", "no", "--loglevel", "warning",
            "--logfile", str(self.dir / "redis.log"),
        ]
        if self.password:
            args += ["--requirepass", self.password]
        if self.maxmemory is not None:
            args += ["--maxmemory", str(self.maxmemory)]
        args += self.extra_args
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5, **self._client_kwargs())
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    log = (self.dir / "redis.log").read_text() if (self.dir / "redis.log").exists() else ""
                    raise BackendUnavailable(
                        f"redis-server on port {self.port} did not start: {log[-500:]}") from None
                time.sleep(0.02)
        client.close()
        return self

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> LocalRedis:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
