"""Syslog over sockets, without the sockets: TCP framing, the source allow-list, kernel UDP drops.

``SyslogFramer`` splits one TCP byte stream into messages (RFC 6587): octet
counting (``123 <189>...``) when the first bytes are digits, a space and ``<``;
otherwise each message ends at LF or NUL. It never raises; oversized messages
and bad octet counts are counted on it. A connection that starts octet-counted stays so: a
count that over- or under-states its message (no length follows where the message says it ends)
is counted as an error and the next frame is found by its ``LEN SP <`` header, so the messages
after it are parsed, not discarded.
"""

from __future__ import annotations

import ipaddress
import os
import re
import socket

from netcache.errors import ConfigError

__all__ = ["SyslogFramer", "AllowList", "RateLimiter", "udp_kernel_drops"]


class SyslogFramer:
    """Splits one TCP byte stream into messages (sans I/O; one per connection)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.mode: str | None = None  # "octet" | "lf"
        self._buf = bytearray()
        self._skip = 0          # octet mode: bytes of an oversized message still to discard
        self._discarding = False  # LF mode: inside an oversized line
        self._line_start = False  # octet mode after a resync: the buffer starts a LF-delimited line
        self._closing = False
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
        if self.mode == "octet":
            self._closing = True
            out += self._octets()
        if self.mode != "octet" and self._buf and not self._discarding:
            msg = bytes(self._buf).replace(b"\x00", b"").strip(b"\r\n")
            if msg:
                out.append(msg)
        elif self.mode == "octet" and self._line_start and self._buf.startswith(b"<") \
                and len(self._buf) <= self.max_bytes:
            out.append(bytes(self._buf).rstrip(b"\r\n\x00"))  # a last LF-framed line after a resync
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
            if pos >= len(buf):
                break
            space = buf.find(b" ", pos, pos + 12)
            digits = buf[pos:space] if space > pos else b""
            if not digits.isdigit() or len(digits) > 10:
                if space < 0 and len(buf) - pos < 12 and buf[pos:].isdigit():
                    break  # the start of a length: wait for the rest
                pos = self._resync(buf, pos, out)  # garbage where a length should be
                if pos < 0:
                    return out
                continue
            length = int(digits)
            start = space + 1
            if length > self.max_bytes:
                self.oversized += 1
                pos = start
                self._skip = length
                continue
            end = start + length
            if end > len(buf):
                break
            if end == len(buf) or not _frame_starts(buf, end):
                # no length follows where this message says it ends: the count may over-state the
                # length, and a chain of frames that starts inside it holds the next messages.
                inner = _next_header(buf, start + 1, end, exact=end == len(buf))
                if inner is not None:
                    self.errors += 1
                    msg = bytes(buf[start:inner]).rstrip(b" \r\n\x00")
                    if msg:
                        out.append(msg)
                    pos = inner
                    continue
                if end == len(buf) and not self._closing and _next_header(buf, start + 1, end) is not None:
                    break  # a chain may start inside: decide when the next bytes show where it ends
            msg = bytes(buf[start:end]).rstrip(b"\r\n\x00")
            if msg:
                out.append(msg)
            pos = end
        self._buf = bytearray(buf[pos:])
        return out

    def _resync(self, buf: bytearray, pos: int, out: list[bytes]) -> int:
        """Bad octet count at ``pos``: skip to the next plausible frame and stay in octet framing.

        Complete LF-delimited lines in the skipped bytes that look like syslog (start with ``<``)
        are returned as messages; the rest is discarded and counted as one error. Returns the
        position to go on from, or -1 when no frame starts in the buffer (the tail after the last
        LF is kept for the next chunk, at most ``max_bytes`` of it)."""
        nxt = _next_header(buf, pos + 1, len(buf))
        stop = len(buf) if nxt is None else nxt
        chunk = bytes(buf[pos:stop])
        if nxt is None:
            nl = chunk.rfind(b"\n")
            tail = chunk[nl + 1:] if nl >= 0 else chunk
            chunk = chunk[:nl + 1] if nl >= 0 else b""
        else:
            tail = b""
        lines = chunk.replace(b"\x00", b"\n").split(b"\n")
        discarded = False
        line_start, self._line_start = self._line_start and pos == 0, False
        for n, part in enumerate(lines):
            part = part.rstrip(b"\r")
            if (n > 0 or line_start) and part.startswith(b"<") and len(part) <= self.max_bytes:
                out.append(part)
            elif part.strip():
                discarded = True
        if discarded:
            self.errors += 1
        if nxt is not None:
            return nxt
        if len(tail) > self.max_bytes:
            self.errors += 0 if discarded else 1
            tail = b""
        self._buf = bytearray(tail)
        self._line_start = bool(tail) and (nl >= 0 or line_start)
        return -1


#: ``LEN SP <`` where LEN has no leading zero (RFC 6587: NONZERO-DIGIT *DIGIT).
_HEADER_RE = re.compile(rb"([1-9][0-9]{0,9}) <")
#: Frames followed when checking that a header found by resync is a real one.
_CHAIN_FRAMES = 64


def _frame_starts(buf: bytearray, pos: int) -> bool:
    """Whether a ``LEN SP <`` header (or the start of one, at the end of the buffer) is at ``pos``."""
    if _HEADER_RE.match(buf, pos):
        return True
    rest = bytes(buf[pos:pos + 12])
    return len(buf) - pos < 12 and (rest.isdigit() or rest.rstrip(b" ").isdigit()) and rest[:1] != b"0"


def _chain_ends(buf: bytearray, pos: int) -> int | None:
    """Follow the frames from ``pos``: where the last one ends (possibly past the buffer), or None
    if a frame ends where no ``LEN SP <`` begins."""
    for _ in range(_CHAIN_FRAMES):
        m = _HEADER_RE.match(buf, pos)
        if m is None:
            if len(buf) - pos < 12 and buf[pos:].isdigit():
                return len(buf)  # a length that is still arriving
            return None
        pos = m.end() - 1 + int(m.group(1))
        if pos >= len(buf):
            return pos
    return len(buf)  # this many frames in a row: a real chain


def _next_header(buf: bytearray, start: int, stop: int, *, exact: bool = False) -> int | None:
    """The first position in ``buf[start:stop]`` where a plausible octet-counted frame begins: a
    ``LEN SP <`` whose frames follow one another up to the end of the buffer (``exact``: end at it)."""
    stop = min(len(buf), stop)
    k = buf.find(b" <", start)
    while 0 <= k < stop:
        first = k
        while first > start and k - first < 10 and 48 <= buf[first - 1] <= 57:
            first -= 1
        for pos in range(first, k):  # a message may end in digits: "... port 1" + "39 <13>..."
            end = _chain_ends(buf, pos) if buf[pos] != 48 else None
            if end is not None and (end == len(buf) or (end > len(buf) and not exact)):
                return pos
        k = buf.find(b" <", k + 2)
    return None


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
    """Source addresses allowed to send: an empty list denies every source."""

    def __init__(self, cidrs: list[str]) -> None:
        try:
            self.nets = [ipaddress.ip_network(c, strict=False) for c in cidrs]
        except ValueError as e:
            raise ConfigError(f"syslog_allow: {e}") from e
        self._cache: dict[str, bool] = {}

    def __call__(self, host: str) -> bool:
        if not self.nets:
            return False  # no allow-list: every source is denied
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


class RateLimiter:
    """Token buckets by key (a source address, a device): ``rate_per_s`` sustained, ``burst`` at once.

    Sans I/O and bounded: at most ``max_keys`` buckets are kept (a spoofed flood from many
    addresses must not grow memory); when the table is full, the buckets that have refilled are
    dropped (forgetting them changes nothing), and if none has, the table starts over. Hand-written
    rather than the ``limits`` package: its memory storage keeps a key per identifier until its
    window expires, with no bound, and runs a timer thread. ``rate_per_s`` 0 = no limit."""

    def __init__(self, rate_per_s: float, burst: int, *, max_keys: int = 100_000) -> None:
        self.rate = float(rate_per_s)
        self.burst = float(max(1, burst))
        self.max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)

    def allow(self, key: str, now: float) -> bool:
        """Take one token for ``key`` at time ``now`` (seconds); False when its bucket is empty."""
        if self.rate <= 0:
            return True
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self.max_keys:
                self._prune(now)
            tokens = self.burst
        else:
            tokens = min(self.burst, bucket[0] + (now - bucket[1]) * self.rate)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            return False
        self._buckets[key] = (tokens - 1.0, now)
        return True

    def _prune(self, now: float) -> None:
        full = [k for k, (tokens, at) in self._buckets.items() if tokens + (now - at) * self.rate >= self.burst]
        for k in full:
            del self._buckets[k]
        if len(self._buckets) >= self.max_keys:
            self._buckets.clear()
