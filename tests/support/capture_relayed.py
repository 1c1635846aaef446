"""Record what real relays send for the device lines of tests/test_relays.py (tests/data/syslog/relayed.jsonl).

    .venv/bin/python -m tests.support.capture_relayed > tests/data/syslog/relayed.jsonl

Each line of the output: the relay and its settings, the device's line, what the relay forwarded
(exactly, framing removed) and the event the device line must give. Parser tests can use it without
running rsyslogd or syslog-ng.
"""

from __future__ import annotations

import json
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

from netcache.devtools.local_redis import free_port
from netcache.events.syslog.framing import SyslogFramer
from tests.support.relays import start_rsyslogd, start_syslog_ng
from tests.test_relays import DEVICE_LINES, RSYSLOG_CASES, SYSLOG_NG_CASES, is_rfc5424


class Sink:
    """Collects what arrives on one UDP and one TCP port (any framing)."""

    def __init__(self) -> None:
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.tcp = socket.socket()
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen(8)
        self.messages: list[bytes] = []
        self._stop = False
        for target in (self._udp_loop, self._tcp_loop):
            threading.Thread(target=target, daemon=True).start()

    def _udp_loop(self) -> None:
        self.udp.settimeout(0.2)
        while not self._stop:
            try:
                self.messages.append(self.udp.recv(65536).rstrip(b"\n"))
            except OSError:
                continue

    def _tcp_loop(self) -> None:
        self.tcp.settimeout(0.2)
        while not self._stop:
            try:
                conn, _ = self.tcp.accept()
            except OSError:
                continue
            threading.Thread(target=self._read, args=(conn,), daemon=True).start()

    def _read(self, conn: socket.socket) -> None:
        framer = SyslogFramer(65536)
        conn.settimeout(0.2)
        with conn:
            while not self._stop:
                try:
                    data = conn.recv(65536)
                except OSError:
                    continue
                if not data:
                    break
                self.messages.extend(framer.feed(data))
            self.messages.extend(framer.close())


def capture() -> None:
    cases = [("rsyslog", {"NETCACHE_SYSLOG_PROTOCOL": p, "NETCACHE_SYSLOG_TEMPLATE": t}) for p, t in RSYSLOG_CASES]
    cases += [("syslog-ng", {"NETCACHE_SYSLOG_DRIVER": d, "NETCACHE_SYSLOG_PROTOCOL": p}) for d, p in SYSLOG_NG_CASES]
    for relay_name, settings in cases:
        sink = Sink()
        port = sink.tcp.getsockname()[1] if settings["NETCACHE_SYSLOG_PROTOCOL"] == "tcp" else sink.udp.getsockname()[1]
        with tempfile.TemporaryDirectory() as tmp:
            variables = {"NETCACHE_HOST": "127.0.0.1", "NETCACHE_SYSLOG_PORT": str(port), "RELAY_PORT": str(free_port()),
                         **settings}
            if relay_name == "syslog-ng":
                variables.update(RELAY_RFC5424_PORT=str(free_port()), RELAY_BUFFER_DIR=tmp)
            relay = (start_rsyslogd if relay_name == "rsyslog" else start_syslog_ng)(Path(tmp), variables)
            try:
                for line, expect in DEVICE_LINES:
                    before = len(sink.messages)
                    own = variables.get("RELAY_RFC5424_PORT") if is_rfc5424(line) else None
                    relay.send_udp([line], int(own) if own else None)
                    deadline = time.monotonic() + 10
                    while len(sink.messages) == before and time.monotonic() < deadline:
                        time.sleep(0.02)
                    forwarded = sink.messages[before].decode("utf-8", "replace") if len(sink.messages) > before \
                        else None
                    print(json.dumps({"relay": relay_name, **settings, "device_line": line, "forwarded": forwarded,
                                      "expect": dict(zip(("type", "device", "target", "state"), expect))}))
            finally:
                relay.stop()
                sink._stop = True


if __name__ == "__main__":
    capture()
    sys.stdout.flush()
