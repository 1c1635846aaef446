"""Cache metrics shared by every process: buffered in-process, added up in Redis.

A cache hit must stay under a millisecond, so recording a metric never talks
to Redis: :class:`Metrics` adds to an in-process buffer (under a lock) and a
daemon thread flushes it every ``settings.llm.metrics_flush_interval_s``
(HINCRBY / HINCRBYFLOAT in one pipeline), and again at ``flush()``,
``close()`` and interpreter exit. Every process adds to the same hashes, so
``netcache report`` and any process's Prometheus ``/metrics`` show the global
numbers.

Redis layout (prefix ``settings.key_prefix``, default ``nc``):

    nc:m:lookup   {outcome}|{query_type} → count                (users' requests)
    nc:m:bglookup {outcome}|{purpose} → count                   (warming / refresh lookups)
    nc:m:lat      {hit|miss|llm}_sum_s, {hit|miss|llm}_count
    nc:m:hist     {hit|miss}|{bucket} → count      (fixed buckets, LATENCY_BUCKETS_S)
    nc:m:llm      {calls|in_tokens|out_tokens|cost_usd}|{purpose}, model|{model}, qt|{query_type}
    nc:m:saved    usd, usd|{query_type}
    nc:m:fp       count|{query_type}, score_sum|{query_type}   (semantic hits rejected by validation)
    nc:m:nm       count|{query_type}, score_sum|{query_type}   (candidates just below the threshold)
    nc:m:gr       {rule}|{query_type} → count     (semantic candidates the guard rejected, by GuardVerdict.rule)
    nc:m:evict    {tier} → count
    nc:m:evmin    {epoch minute} → evictions in that minute (pruned after 2 h)
    nc:m:meta     first_ts, last_ts

Outcomes: ``exact``, ``semantic``, ``stale``, ``waited`` (another request's
generation was awaited) count as hits; ``miss`` and ``generated`` as misses.
Entries per tier are read from the store's own keys (``{nc}:tier:*``).
"""

from __future__ import annotations

import atexit
import logging
import math
import os
import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import redis as redis_lib

from netcache.connections import redact_url
from netcache.errors import BackendUnavailable
from netcache.metrics.export import RedisMetricsCollector, read_snapshot
from netcache.metrics.names import HIT_OUTCOMES, LATENCY_BUCKETS_S, MISS_OUTCOMES, PURPOSES
from netcache.settings import Settings

__all__ = ["Metrics", "HIT_OUTCOMES", "MISS_OUTCOMES", "LATENCY_BUCKETS_S", "PURPOSES"]

log = logging.getLogger(__name__)

#: Eviction minute buckets older than this are pruned.
_EVMIN_KEEP_S = 2 * 3600


def _label(value: Any, *, default: str = "unknown") -> str:
    """A safe hash-field part: no separator, not empty, bounded length."""
    text = str(value).strip() if value is not None else ""
    if not text:
        return default
    return text.replace("|", "/")[:64]


def _bucket_index(latency_s: float) -> int:
    for i, bound in enumerate(LATENCY_BUCKETS_S):
        if latency_s <= bound:
            return i
    return len(LATENCY_BUCKETS_S) - 1


class Metrics:
    """Record cache metrics cheaply; flush them to Redis in the background."""

    def __init__(self, redis: redis_lib.Redis, settings: Settings, registry: Any = None) -> None:
        self.redis = redis
        self.settings = settings
        self.prefix = f"{settings.key_prefix}:m"
        self.flush_interval_s = settings.llm.metrics_flush_interval_s
        self.invalid = 0  #: records refused because of bad input
        self._refused_kinds: set[str] = set()
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._ints: defaultdict[tuple[str, str], int] = defaultdict(int)
        self._floats: defaultdict[tuple[str, str], float] = defaultdict(float)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._flush_failed = False
        self._closed = False
        atexit.register(self._at_exit)
        if registry is not None:
            registry.register(RedisMetricsCollector(redis, settings))

    # -- recording (hot path: no I/O) ----------------------------------------------------------
    def _add(self, ints: Iterable[tuple[str, str, int]], floats: Iterable[tuple[str, str, float]] = ()) -> None:
        if self._pid != os.getpid():  # forked (Celery prefork): start afresh in the child
            self._after_fork()
        with self._lock:
            for key, field, n in ints:
                self._ints[(key, field)] += n
            for key, field, x in floats:
                self._floats[(key, field)] += x
        if self._thread is None and not self._closed:
            self._start_flusher()

    def _refuse(self, what: str, **values: Any) -> None:
        """Count a record refused for bad input; log the first of each kind (no log flood)."""
        with self._lock:
            self.invalid += 1
            first = what not in self._refused_kinds
            self._refused_kinds.add(what)
        self._add([("invalid", what, 1)])
        if first:
            log.warning("metrics: refused %s with bad input %s (further ones are only counted)", what, values)

    @staticmethod
    def _ok_number(x: Any) -> bool:
        return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) and x >= 0

    def lookup(self, outcome: str, query_type: str, latency_s: float, saved_usd: float = 0.0,
               purpose: str = "user") -> None:
        """One answered request: ``outcome`` (exact/semantic/stale/waited = hit, miss/generated = miss).

        Lookups made for warming or refreshing (``purpose`` other than ``"user"``) are counted
        apart (``nc:m:bglookup``) so they do not distort the users' hit rate and latency.
        """
        if outcome not in HIT_OUTCOMES and outcome not in MISS_OUTCOMES:
            self._refuse("lookup", outcome=outcome)
            return
        if not self._ok_number(latency_s) or not self._ok_number(saved_usd):
            self._refuse("lookup", latency_s=latency_s, saved_usd=saved_usd)
            return
        if purpose != "user":
            self._add([("bglookup", f"{outcome}|{_label(purpose)}", 1)])
            return
        kind = "hit" if outcome in HIT_OUTCOMES else "miss"
        qt = _label(query_type)
        ints = [("lookup", f"{outcome}|{qt}", 1), ("lat", f"{kind}_count", 1),
                ("hist", f"{kind}|{_bucket_index(latency_s)}", 1)]
        floats = [("lat", f"{kind}_sum_s", latency_s)]
        if saved_usd:
            floats += [("saved", "usd", saved_usd), ("saved", f"usd|{qt}", saved_usd)]
        self._add(ints, floats)

    def false_positive(self, query_type: str, score: float) -> None:
        """A semantic candidate that validation rejected (served as a miss instead)."""
        if not isinstance(score, (int, float)) or not math.isfinite(score):
            self._refuse("false_positive", score=score)
            return
        qt = _label(query_type)
        self._add([("fp", f"count|{qt}", 1)], [("fp", f"score_sum|{qt}", float(score))])

    def guard_rejected(self, query_type: str, reason: str) -> None:
        """A semantic candidate the guard rejected, by rule (``GuardVerdict.rule``: ``role``, ``aspect``,
        ``substitution`` ...; a short fixed label, not the free-text reason)."""
        if not isinstance(reason, str) or not reason.strip():
            self._refuse("guard_rejected", reason=reason)
            return
        rule = _label(reason.split(":", 1)[0].strip().split(" ", 1)[0])
        self._add([("gr", f"{rule}|{_label(query_type)}", 1)])

    def near_miss(self, query_type: str, score: float) -> None:
        """A candidate just below the semantic threshold (for tuning)."""
        if not isinstance(score, (int, float)) or not math.isfinite(score):
            self._refuse("near_miss", score=score)
            return
        qt = _label(query_type)
        self._add([("nm", f"count|{qt}", 1)], [("nm", f"score_sum|{qt}", float(score))])

    def llm_call(self, query_type: str, purpose: str, model: str, latency_s: float,
                 input_tokens: int, output_tokens: int, cost_usd: float) -> None:
        """One LLM call with its tokens and dollars, by purpose (user / warm / refresh)."""
        nums = (latency_s, input_tokens, output_tokens, cost_usd)
        if not all(self._ok_number(x) for x in nums):
            self._refuse("llm_call", latency_s=latency_s, input_tokens=input_tokens,
                         output_tokens=output_tokens, cost_usd=cost_usd)
            return
        p = _label(purpose, default="user")
        self._add(
            [("llm", f"calls|{p}", 1), ("llm", f"in_tokens|{p}", int(input_tokens)),
             ("llm", f"out_tokens|{p}", int(output_tokens)), ("llm", f"model|{_label(model)}", 1),
             ("llm", f"qt|{_label(query_type)}", 1), ("lat", "llm_count", 1)],
            [("llm", f"cost_usd|{p}", float(cost_usd)), ("lat", "llm_sum_s", float(latency_s))],
        )

    def eviction(self, tier: str, n: int = 1) -> None:
        """``n`` entries evicted from ``tier`` (hot / warm / cold) to respect its size limit."""
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            self._refuse("eviction", n=n)
            return
        if n == 0:
            return
        minute = int(time.time() // 60) * 60
        self._add([("evict", _label(tier), n), ("evmin", str(minute), n)])

    # -- flushing ------------------------------------------------------------------------------
    def _start_flusher(self) -> None:
        with self._lock:
            if self._thread is not None or self._closed:
                return
            self._thread = threading.Thread(target=self._run, name="netcache-metrics-flush", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.flush_interval_s):
            try:
                self.flush()
            except BackendUnavailable:
                pass  # kept in the buffer; logged once by flush()
            except Exception:  # never let the flusher die silently
                log.exception("metrics flush failed")

    def _take(self) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], float]]:
        with self._lock:
            ints, floats = dict(self._ints), dict(self._floats)
            self._ints.clear()
            self._floats.clear()
        return ints, floats

    def _give_back(self, ints: dict[tuple[str, str], int], floats: dict[tuple[str, str], float]) -> None:
        with self._lock:
            for k, n in ints.items():
                self._ints[k] += n
            for k, x in floats.items():
                self._floats[k] += x

    def flush(self) -> int:
        """Write the buffer to Redis in one pipeline; returns the number of fields written.

        Raises BackendUnavailable when Redis cannot be reached (the numbers stay buffered).
        """
        ints, floats = self._take()
        if not ints and not floats:
            return 0
        now = time.time()
        pipe = self.redis.pipeline(transaction=False)
        for (key, field), n in ints.items():
            pipe.hincrby(f"{self.prefix}:{key}", field, n)
        for (key, field), x in floats.items():
            pipe.hincrbyfloat(f"{self.prefix}:{key}", field, x)
        pipe.hsetnx(f"{self.prefix}:meta", "first_ts", now)
        pipe.hset(f"{self.prefix}:meta", "last_ts", now)
        try:
            pipe.execute()
            if any(k == "evmin" for k, _ in ints):
                self._prune_eviction_minutes(now)
        except (redis_lib.ConnectionError, redis_lib.TimeoutError) as e:
            self._give_back(ints, floats)
            if not self._flush_failed:
                url = redact_url(self.settings.redis_url)
                log.warning("metrics: cannot flush to Redis at %s (%s); keeping them buffered", url, e)
            self._flush_failed = True
            raise BackendUnavailable(f"metrics flush: Redis at {redact_url(self.settings.redis_url)} "
                                     "is unreachable") from e
        if self._flush_failed:
            log.info("metrics: flushing to Redis again")
            self._flush_failed = False
        return len(ints) + len(floats)

    def _prune_eviction_minutes(self, now: float) -> None:
        key = f"{self.prefix}:evmin"
        old = [f for f in self.redis.hkeys(key) if float(f) < now - _EVMIN_KEEP_S]
        if old:
            self.redis.hdel(key, *old)

    def snapshot(self) -> dict[str, Any]:
        """Flush, then read the global numbers (every process's) from Redis."""
        self.flush()
        return read_snapshot(self.redis, self.settings)

    def close(self) -> None:
        """Stop the flusher and write what is buffered (best effort if Redis is down)."""
        self._closed = True
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)
        try:
            self.flush()
        except BackendUnavailable:
            log.warning("metrics: dropped unflushed numbers, Redis is unreachable")
        atexit.unregister(self._at_exit)

    def _at_exit(self) -> None:
        if not self._closed:
            try:
                self.close()
            except Exception:  # interpreter is exiting; nothing more to do
                pass

    def _after_fork(self) -> None:
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._ints = defaultdict(int)
        self._floats = defaultdict(float)
        self._stop = threading.Event()
        self._thread = None

    def __enter__(self) -> Metrics:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
