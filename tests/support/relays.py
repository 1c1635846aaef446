"""Real relays and a real ``netcache syslog`` for tests: a private rsyslogd / syslog-ng, configs rendered
from docs/configs with envsubst exactly as docs/syslog-relays.md says."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from netcache.devtools.local_redis import free_port

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = ROOT / "docs" / "configs"
#: Where scripts/setup.sh unpacks Debian's syslog-ng-core (it conflicts with rsyslog as a package).
SYSLOG_NG_ROOT = ROOT / ".cache" / "syslog-ng"


def wait_for(check: Callable[[], bool], timeout_s: float = 20.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def tcp_open(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def render(config: str, variables: dict[str, str]) -> str:
    """The config rendered the documented way: ``envsubst '${A} ${B}' < file`` (only those variables)."""
    names = " ".join(f"${{{k}}}" for k in variables)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **variables}
    with open(CONFIGS / config, "rb") as f:
        out = subprocess.run(["envsubst", names], stdin=f, env=env, capture_output=True, check=True)
    return out.stdout.decode()


class NetcacheSyslog:
    """``netcache syslog`` as a real process on free ports, with its own /metrics."""

    def __init__(self, redis_url: str, *, udp_port: int | None = None, tcp_port: int | None = None) -> None:
        self.udp_port, self.tcp_port = udp_port or free_port(), tcp_port or free_port()
        self.metrics_port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("NETCACHE_")}
        env.update(NETCACHE_REDIS_URL=redis_url, NETCACHE_EVENTS__SYSLOG_FLUSH_MS="20",
                   NETCACHE_EVENTS__SYSLOG_HEALTH_INTERVAL_S="0.2", NETCACHE_EVENTS__SYSLOG_RATE_PER_SOURCE="0",
                   NETCACHE_EVENTS__SYSLOG_RATE_PER_DEVICE="0")
        self.proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "netcache"), "syslog", "--udp-port", str(self.udp_port),
             "--tcp-port", str(self.tcp_port), "--metrics-port", str(self.metrics_port), "--allow", "127.0.0.0/8"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            wait_for(lambda: self.proc.poll() is not None or tcp_open(self.tcp_port), 30, "netcache syslog start")
        except AssertionError:
            self.proc.kill()  # a listener that started too slowly must not outlive the test
            self.proc.communicate(timeout=30)
            raise
        assert self.proc.poll() is None, self.proc.stderr.read() if self.proc.stderr else ""

    def metrics(self) -> str:
        return urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5).read().decode()

    def counter(self, outcome: str) -> float:
        prefix = f'netcache_syslog_messages_total{{outcome="{outcome}"}} '
        for row in self.metrics().splitlines():
            if row.startswith(prefix):
                return float(row[len(prefix):])
        return 0.0

    def stop(self) -> str:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        _, err = self.proc.communicate(timeout=30)
        return err


class Relay:
    """A private relay daemon (rsyslogd or syslog-ng) listening for devices on ``relay_port``."""

    def __init__(self, argv: list[str], env: dict[str, str] | None = None, *, relay_port: int,
                 workdir: Path) -> None:
        self.relay_port, self.workdir = relay_port, workdir
        self.log = open(workdir / "relay.log", "wb")
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        try:
            wait_for(lambda: self.proc.poll() is not None or tcp_open(relay_port), 20, "relay start")
            assert self.proc.poll() is None, self.output()
        except BaseException:
            self.stop()  # a relay that did not start leaves no process and no open log behind
            raise

    def output(self) -> str:
        self.log.flush()
        return (self.workdir / "relay.log").read_text(errors="replace")

    def send_udp(self, lines: list[str], port: int | None = None) -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for line in lines:
                s.sendto(line.encode(), ("127.0.0.1", port or self.relay_port))
                time.sleep(0.002)  # what a device sends is spread out; loopback UDP drops bursts

    def send_tcp(self, lines: list[str]) -> None:
        with socket.create_connection(("127.0.0.1", self.relay_port), timeout=5) as s:
            s.sendall("".join(f"{line}\n" for line in lines).encode())

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.log.close()


RSYSLOG_VARIABLES = ("NETCACHE_HOST", "NETCACHE_SYSLOG_PORT", "NETCACHE_SYSLOG_PROTOCOL",
                     "NETCACHE_SYSLOG_TEMPLATE", "RELAY_PORT")
SYSLOG_NG_VARIABLES = ("NETCACHE_HOST", "NETCACHE_SYSLOG_PORT", "NETCACHE_SYSLOG_DRIVER",
                       "NETCACHE_SYSLOG_PROTOCOL", "RELAY_PORT", "RELAY_RFC5424_PORT", "RELAY_BUFFER_DIR")


def rsyslog_main_conf(workdir: Path, variables: dict[str, str]) -> Path:
    """A private rsyslogd config: its own work directory, no system sockets, and the documented file."""
    (workdir / "spool").mkdir(exist_ok=True)
    included = workdir / "60-netcache.conf"
    included.write_text(render("rsyslog-netcache.conf", variables))
    main = workdir / "rsyslog.conf"
    main.write_text(f'global(workDirectory="{workdir / "spool"}")\ninclude(file="{included}")\n')
    return main


def start_rsyslogd(workdir: Path, variables: dict[str, str]) -> Relay:
    main = rsyslog_main_conf(workdir, variables)
    rsyslogd = shutil.which("rsyslogd") or "/usr/sbin/rsyslogd"
    return Relay([rsyslogd, "-n", "-f", str(main), "-i", str(workdir / "rsyslogd.pid")],
                 relay_port=int(variables["RELAY_PORT"]), workdir=workdir)


def syslog_ng_argv(workdir: Path, main: Path, *extra: str) -> tuple[list[str], dict[str, str]]:
    lib = SYSLOG_NG_ROOT / "usr" / "lib" / "syslog-ng"
    argv = [str(SYSLOG_NG_ROOT / "usr" / "sbin" / "syslog-ng"), f"--module-path={lib / '3.38'}", "-f", str(main),
            "-R", str(workdir / "syslog-ng.persist"), "-c", str(workdir / "syslog-ng.ctl"),
            "-p", str(workdir / "syslog-ng.pid"), "--no-caps", *extra]
    return argv, {**os.environ, "LD_LIBRARY_PATH": str(lib)}


def syslog_ng_main_conf(workdir: Path, variables: dict[str, str]) -> Path:
    included = workdir / "netcache.conf"
    included.write_text(render("syslog-ng-netcache.conf", variables))
    main = workdir / "syslog-ng.conf"
    main.write_text(f'@version: 3.38\noptions {{ stats-freq(0); }};\n@include "{included}"\n')
    return main


def start_syslog_ng(workdir: Path, variables: dict[str, str]) -> Relay:
    argv, env = syslog_ng_argv(workdir, syslog_ng_main_conf(workdir, variables), "-F", "-e")
    return Relay(argv, env, relay_port=int(variables["RELAY_PORT"]), workdir=workdir)


def stream_events(redis_client, stream: str) -> list:
    from netcache.events.stream import decode_entry

    return [decode_entry(f, i) for i, f in redis_client.xrange(stream)]


def health(redis_client, prefix: str) -> dict:
    keys = redis_client.keys(f"{prefix}:w:health:syslog:*")
    return json.loads(redis_client.get(keys[0])) if keys else {}
