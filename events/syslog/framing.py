"""Syslog over sockets, without the sockets: TCP framing, the source allow-list, kernel UDP drops.

``SyslogFramer`` splits one TCP byte stream into messages (RFC 6587): octet
counting (``123 <189>...``) when the first bytes are digits, a space and ``<``;
otherwise each message ends at LF or NUL. It never raises; oversized messages
and bad octet counts are counted on it.
"""

from __future__ import annotations

import ipaddress
import os
import socket

from netcache.errors import ConfigError

__all__ = ["SyslogFramer", "AllowList", "udp_kernel_drops"]


class SyslogFramer:
    """Splits one TCP byte stream into messages (sans I/O; one per connection)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.mode: str | None = None  # "octet" | "lf"
        self._buf = bytearray()
        self._skip = 0          # octet mode: bytes of an oversized message still to discard
        self._discarding = False  # LF mode: inside an oversized line
        self.oversized = 0
        self.errors = 0

    def feed(self, data: bytes) -> list[bytes]:
        """Complete messages in ``data`` (plus what was buffered before)."""
        self._buf += data
        if self.mode is None:
            if not self._detect():
                return []
        return self._octets() if self.mode == "octet" else self._lines()

    def close(self) -> list[bytes]:
        """At end of stream: the last LF-mode message if it had no delimiter."""
        out: list[bytes] = []
        if self.mode != "octet" and self._buf and not self._discarding:
            msg = bytes(self._buf).replace(b"\x00", b"").strip(b"\r\n")
            if msg:
                out.append(msg)
        elif self.mode == "octet" and (self._buf or self._skip):
            self.errors += 1  # truncated octet-counted message
        self._buf.clear()
        return out

    def _detect(self) -> bool:
        buf = self._buf
        i = 0
        while i < len(buf) and i < 12 and 48 <= buf[i] <= 57:
            i += 1
        if i == len(buf) and i < 12:
            return False  # only digits so far: wait for more
        self.mode = "octet" if 0 < i < 12 and buf[i:i + 2] in (b" <", b" ") and (
            len(buf) == i + 1 or buf[i + 1] == 60) else "lf"
        return True

    def _lines(self) -> list[bytes]:
        buf = self._buf
        if 0 in buf:
            buf = bytearray(buf.replace(b"\x00", b"\n"))
        parts = buf.split(b"\n")
        tail = parts.pop()
        out: list[bytes] = []
        for part in parts:
            if self._discarding:
                self._discarding = False  # the end of the oversized line
                continue
            if len(part) > self.max_bytes:
                self.oversized += 1
                continue
            part = part.rstrip(b"\r")
            if part:
                out.append(bytes(part))
        if len(tail) > self.max_bytes:
            if not self._discarding:
                self.oversized += 1
            self._discarding = True
            tail = bytearray()
        self._buf = bytearray(tail)
        return out

    def _octets(self) -> list[bytes]:
        out: list[bytes] = []
        buf = self._buf
        pos = 0
        while True:
            if self._skip:
                n = min(self._skip, len(buf) - pos)
                self._skip -= n
                pos += n
                if self._skip:
                    break
            space = buf.find(b" ", pos, pos + 12)
            if space < 0:
                if len(buf) - pos >= 12 or (len(buf) > pos and not buf[pos:].isdigit()):
                    self._resync(buf, pos)  # garbage where a length should be
                    return out + self._lines()
                break
            digits = buf[pos:space]
            if not digits.isdigit():
                self._resync(buf, pos)
                return out + self._lines()
            length = int(digits)
            start = space + 1
            if length > self.max_bytes:
                self.oversized += 1
                pos = start
                self._skip = length
                continue
            if len(buf) - start < length:
                break
            msg = bytes(buf[start:start + length]).rstrip(b"\r\n\x00")
            if msg:
                out.append(msg)
            pos = start + length
        self._buf = bytearray(buf[pos:])
        return out

    def _resync(self, buf: bytearray, pos: int) -> None:
        """Bad octet count: count an error, fall back to LF framing from the next line."""
        self.errors += 1
        self.mode = "lf"
        nl = buf.find(b"\n", pos)
        self._buf = bytearray(buf[nl + 1:]) if nl >= 0 else bytearray()
        self._discarding = nl < 0


def udp_kernel_drops(sock: socket.socket | None) -> int:
    """Datagrams the kernel dropped on ``sock`` because its receive buffer was full (Linux; else 0)."""
    if sock is None:
        return 0
    try:
        inode = str(os.fstat(sock.fileno()).st_ino)
        for table in ("/proc/net/udp", "/proc/net/udp6"):
            with open(table) as f:
                next(f)
                for row in f:
                    cols = row.split()
                    if len(cols) > 12 and cols[9] == inode:
                        return int(cols[-1])
    except (OSError, ValueError, StopIteration):
        pass
    return 0


class AllowList:
    def __init__(self, cidrs: list[str]) -> None:
        try:
            self.nets = [ipaddress.ip_network(c, strict=False) for c in cidrs]
        except ValueError as e:
            raise ConfigError(f"syslog_allow: {e}") from e
        self._cache: dict[str, bool] = {}

    def __call__(self, host: str) -> bool:
        if not self.nets:
            return True
        ok = self._cache.get(host)
        if ok is None:
            try:
                addr = ipaddress.ip_address(host.split("%", 1)[0])
                if getattr(addr, "ipv4_mapped", None):
                    addr = addr.ipv4_mapped  # type: ignore[union-attr,assignment]
                ok = any(addr.version == n.version and addr in n for n in self.nets)
            except ValueError:
                ok = False
            if len(self._cache) > 100_000:
                self._cache.clear()
            self._cache[host] = ok
        return ok
