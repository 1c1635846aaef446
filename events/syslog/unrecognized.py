"""Syslog lines no rule understood: counted, kept with a sample, shown by ``netcache status``, alerted on.

An event netcache does not understand is an answer it keeps serving after the network
changed, so "unrecognized" is a signal, not noise to drop. Each listener keeps an
``UnrecognizedTracker``: ``note(result)`` on the hot path is one dict update; ``flush``
(every health interval, and at shutdown) adds what it saw to Redis
(``netcache.keys.SyslogUnrecognizedKeys``), shared by every listener:

- ``ids`` (zset): message id → lines, trimmed to the ``TOP_MAX`` most frequent;
- ``samples`` (hash): message id → the latest line (control characters escaped,
  ``SAMPLE_MAX_CHARS`` long at most), its vendor guess and when it was seen;
- ``minutes`` (hash): parsed and unrecognized lines per minute, the last ``WINDOW_S`` or so,
  from which ``netcache metrics`` computes ``netcache_syslog_unrecognized_ratio``.

The ratio is ``unrecognized / (parsed + unrecognized)`` over the window: the share of
well-framed lines that no rule turned into an event (0 when there were none).

The message id is ``ParseResult.message_id`` when the parser gives one; otherwise it is
derived here (``message_id``): a Cisco-style ``%FAC-SEV-MNEMONIC`` anywhere in the line
(relays move it out of the header), else the parser's rule key, else the app name.
"""

from __future__ import annotations

import json
import re
import time
from collections import deque
from typing import Any

from netcache.keys import SyslogUnrecognizedKeys

__all__ = ["TOP_MAX", "PENDING_MAX", "SAMPLE_MAX_CHARS", "ID_MAX_CHARS", "WINDOW_S", "KEEP_S",
           "message_id", "sanitize", "unrecognized_ratio", "SYSLOG_RATIO_WINDOW_S", "RatioWindow", "UnrecognizedTracker",
           "read_top"]

#: The window of the unrecognized ratio (``netcache_syslog_unrecognized_ratio``), seconds.
SYSLOG_RATIO_WINDOW_S = 900


def unrecognized_ratio(parsed: int, unrecognized: int) -> float:
    """``unrecognized / (parsed + unrecognized)`` syslog lines; 0.0 when there were none."""
    total = parsed + unrecognized
    return unrecognized / total if total > 0 else 0.0


#: Message ids kept in Redis (the most frequent; the rest are trimmed at each flush).
TOP_MAX = 200
#: Distinct ids one listener holds between flushes; further new ids are only counted in the totals.
PENDING_MAX = 1_000
#: Longest sample line kept (characters, after escaping); longer ones end in "…".
SAMPLE_MAX_CHARS = 300
#: Longest message id kept (characters, after escaping).
ID_MAX_CHARS = 64
#: The window of the unrecognized ratio (``netcache.metrics.export.SYSLOG_RATIO_WINDOW_S``).
WINDOW_S = SYSLOG_RATIO_WINDOW_S
#: How long the record lives without a new flush (7 days; refreshed by every flush).
KEEP_S = 7 * 86_400

_MNEMONIC_RE = re.compile(r"%[A-Z][A-Z0-9_]*(?:-[A-Z0-9_]+)*?-[0-7]-[A-Z0-9_]+")
# C0, DEL, C1 controls and the other characters str.isprintable() refuses (bidi overrides, separators)
_ESCAPES = {c: f"\\x{c:02x}" for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))}
_ESCAPES.update({ord("\t"): "\\t", ord("\n"): "\\n", ord("\r"): "\\r", ord("\\"): "\\\\"})


def sanitize(text: str, max_chars: int = SAMPLE_MAX_CHARS) -> str:
    """``text`` safe to print on a terminal: control characters escaped, at most ``max_chars`` long."""
    out = text.translate(_ESCAPES)
    if not out.isprintable():
        out = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in out)
    return out if len(out) <= max_chars else out[:max_chars - 1] + "…"


def message_id(result: Any) -> str:
    """The message id of an unrecognized ``ParseResult`` (see the module docstring)."""
    mid = getattr(result, "message_id", None)
    if not mid:
        m = _MNEMONIC_RE.search(result.raw or "")
        mid = m.group(0) if m else (result.key or "(none)")
    return sanitize(str(mid), ID_MAX_CHARS)


class RatioWindow:
    """The ratio over the last ``window_s`` from cumulative counters (marks taken at each flush)."""

    def __init__(self, window_s: float = WINDOW_S) -> None:
        self.window_s = window_s
        self._marks: deque[tuple[float, int, int]] = deque()

    def mark(self, now: float, parsed: int, unrecognized: int) -> None:
        self._marks.append((now, parsed, unrecognized))
        while len(self._marks) > 1 and self._marks[1][0] <= now - self.window_s:
            self._marks.popleft()

    def ratio(self, now: float, parsed: int, unrecognized: int) -> float:
        base_p = base_u = 0
        for t, p, u in self._marks:
            if t > now - self.window_s:
                break
            base_p, base_u = p, u  # the last mark at or before the start of the window
        return unrecognized_ratio(parsed - base_p, unrecognized - base_u)


class UnrecognizedTracker:
    """One listener's unrecognized lines since the last flush, and the flush to Redis."""

    def __init__(self, key_prefix: str, *, window_s: float = WINDOW_S) -> None:
        self.keys = SyslogUnrecognizedKeys(key_prefix)
        self.window = RatioWindow(window_s)
        self._pending: dict[str, list[Any]] = {}  # id -> [count, latest raw line, vendor]
        self._flushed = (0, 0)  # parsed, unrecognized totals already added to the minute buckets

    def note(self, result: Any) -> None:
        """Count one unrecognized ``ParseResult`` (hot path)."""
        mid = message_id(result)
        entry = self._pending.get(mid)
        if entry is not None:
            entry[0] += 1
            entry[1] = result.raw
        elif len(self._pending) < PENDING_MAX:
            self._pending[mid] = [1, result.raw, getattr(result, "vendor", None)]

    async def flush(self, redis: Any, parsed_total: int, unrecognized_total: int,
                    now: float | None = None) -> None:
        """Add what was seen since the last flush to Redis (an asyncio client); raises on Redis errors
        and keeps the pending counts for the next attempt."""
        now = time.time() if now is None else now
        self.window.mark(now, parsed_total, unrecognized_total)
        pending, (done_p, done_u) = self._pending, self._flushed
        d_parsed, d_unrec = parsed_total - done_p, unrecognized_total - done_u
        if not pending and not d_parsed and not d_unrec:
            return
        k = self.keys
        minute = int(now // 60) * 60
        pipe = redis.pipeline(transaction=False)
        for mid, (count, raw, vendor) in pending.items():
            pipe.zincrby(k.ids, count, mid)
            pipe.hset(k.samples, mid, json.dumps({"sample": sanitize(raw), "vendor": vendor,
                                                  "last_seen": round(now, 3)}))
        if d_parsed:
            pipe.hincrby(k.minutes, f"{minute}|parsed", d_parsed)
        if d_unrec:
            pipe.hincrby(k.minutes, f"{minute}|unrecognized", d_unrec)
        for key in (k.ids, k.samples, k.minutes):
            pipe.expire(key, KEEP_S)
        pipe.zrange(k.ids, 0, -(TOP_MAX + 1))
        pipe.zremrangebyrank(k.ids, 0, -(TOP_MAX + 1))
        pipe.hkeys(k.minutes)
        results = await pipe.execute()
        self._pending, self._flushed = {}, (parsed_total, unrecognized_total)
        trimmed, fields = results[-3], results[-1]
        old = [f for f in fields if _field_minute(f) < now - 2 * self.window.window_s]
        if trimmed or old:
            pipe = redis.pipeline(transaction=False)
            if trimmed:
                pipe.hdel(k.samples, *trimmed)
            if old:
                pipe.hdel(k.minutes, *old)
            await pipe.execute()


def _field_minute(field: bytes | str) -> float:
    text = field.decode() if isinstance(field, bytes) else field
    try:
        return float(text.partition("|")[0])
    except ValueError:
        return 0.0


def read_top(redis: Any, key_prefix: str, top_n: int = 10) -> list[dict[str, Any]]:
    """The ``top_n`` most frequent unrecognized message ids (a sync client): id, lines, sample, vendor,
    last_seen (epoch s), most frequent first."""
    k = SyslogUnrecognizedKeys(key_prefix)
    rows = redis.zrevrange(k.ids, 0, top_n - 1, withscores=True)
    if not rows:
        return []
    ids = [r[0].decode() if isinstance(r[0], bytes) else r[0] for r in rows]
    samples = redis.hmget(k.samples, ids)
    out = []
    for mid, (_, count), raw in zip(ids, rows, samples):
        try:
            info = json.loads(raw) if raw else {}
        except ValueError:
            info = {}
        out.append({"id": mid, "lines": int(count), "sample": info.get("sample"), "vendor": info.get("vendor"),
                    "last_seen": info.get("last_seen")})
    return out
