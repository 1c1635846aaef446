"""The warming budget: LLM calls and dollars per run and per UTC day.

Warming spends real API money (a budget of about $150/month), so every
warm-up asks the budget first. A run has its own cap on calls
(``warm_max_calls_per_run``); the day has caps on calls and dollars shared by
every worker, counted in Redis at ``{prefix}:w:budget:{YYYYMMDD}`` (a hash with
``calls`` and ``usd``, kept two days).

``reserve()`` takes one call atomically (a Lua script checks both day caps and
increments in one step, so two workers can never both take the last call) and
raises :class:`~cache.errors.BudgetExceeded` when a cap is reached;
``record(cost_usd)`` adds the dollars once the call's cost is known;
``refund()`` gives a reserved call back when no LLM call happened after all
(the answer was already cached, or another process's lease produced it).

A run on behalf of an unauthenticated origin (``origin="syslog"``: UDP sources can be spoofed)
may spend only its share of the day's calls (``warm_syslog_share``, counted in the same hash as
``calls:syslog``): a forged flood cannot spend the budget operators and the nightly refresh need.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import redis

from netcache import lua
from netcache.errors import BudgetExceeded
from netcache.keys import WorkerKeys
from netcache.text import to_text

__all__ = ["BudgetLimits", "WarmBudget", "day_key"]

#: Day counters are kept this long, so yesterday's spend can still be read.
DAY_KEY_TTL_S = 2 * 24 * 3600



def day_key(prefix: str, now_s: float) -> str:
    """``nc:w:budget:20260328``: the UTC day's counter hash."""
    day = datetime.fromtimestamp(now_s, tz=UTC).strftime("%Y%m%d")
    return WorkerKeys(prefix).budget(day)


@dataclass(frozen=True)
class BudgetLimits:
    """Caps for one run and one UTC day (from ``WorkerSettings.warm_max_*``)."""

    max_calls_per_run: int
    max_calls_per_day: int
    max_usd_per_day: float
    #: share of the day's calls runs on behalf of syslog may spend (1.0 = all of it)
    syslog_share: float = 1.0

    @classmethod
    def from_settings(cls, settings) -> BudgetLimits:
        w = settings.worker
        return cls(w.warm_max_calls_per_run, w.warm_max_calls_per_day, w.warm_max_dollars_per_day,
                   w.warm_syslog_share)

    def origin_max_calls(self, origin: str) -> int | None:
        """The day's calls runs for ``origin`` may spend, or None for no cap of its own."""
        if origin == "syslog" and self.syslog_share < 1.0:
            return int(self.max_calls_per_day * self.syslog_share)
        return None


class WarmBudget:
    """One run's view of the warming budget (thread-safe; one per task run)."""

    def __init__(self, redis_client: redis.Redis, limits: BudgetLimits, *, prefix: str = "nc",
                 clock: Callable[[], float] = time.time, origin: str = "") -> None:
        self._redis = redis_client
        self.limits = limits
        #: whom the run warms for ("syslog", "webhook", "operator", ...; "" = netcache's own jobs)
        self.origin = origin
        self._origin_max = limits.origin_max_calls(origin)
        self._prefix = prefix
        self._clock = clock
        self._lock = threading.Lock()
        self._reserve = lua.register(redis_client, "budget_reserve")
        #: calls taken by this run (refunds subtracted) and dollars recorded by it
        self.run_calls = 0
        self.run_usd = 0.0

    def _key(self) -> str:
        return day_key(self._prefix, self._clock())

    def reserve(self) -> None:
        """Take one LLM call from the run and day budgets, or raise ``BudgetExceeded``."""
        with self._lock:
            if self.run_calls >= self.limits.max_calls_per_run:
                raise BudgetExceeded(
                    f"warming run budget spent: {self.run_calls} of {self.limits.max_calls_per_run} calls")
            args: list[Any] = [self.limits.max_calls_per_day, repr(self.limits.max_usd_per_day), DAY_KEY_TTL_S]
            if self._origin_max is not None:
                args += [f"calls:{self.origin}", self._origin_max]
            ok, detail = self._reserve(keys=[self._key()], args=args)
            if not int(ok):
                what = to_text(detail)
                if what == "share":
                    raise BudgetExceeded(
                        f"warming day budget for {self.origin} spent: {self._origin_max} of "
                        f"{self.limits.max_calls_per_day} calls (warm_syslog_share "
                        f"{self.limits.syslog_share:g})")
                if what == "calls":
                    raise BudgetExceeded(f"warming day budget spent: {self.limits.max_calls_per_day} calls")
                raise BudgetExceeded(f"warming day budget spent: ${self.limits.max_usd_per_day:.2f}")
            self.run_calls += 1

    def refund(self) -> None:
        """Give back a reserved call that did not reach the LLM."""
        with self._lock:
            self.run_calls = max(0, self.run_calls - 1)
            self._redis.hincrby(self._key(), "calls", -1)
            if self._origin_max is not None:
                self._redis.hincrby(self._key(), f"calls:{self.origin}", -1)

    def record(self, cost_usd: float) -> None:
        """Add a finished call's cost to the day's dollars."""
        if cost_usd <= 0:
            return
        with self._lock:
            self.run_usd += cost_usd
            key = self._key()
            self._redis.hincrbyfloat(key, "usd", cost_usd)
            self._redis.expire(key, DAY_KEY_TTL_S)

    def spent_today(self) -> tuple[int, float]:
        """(calls, dollars) spent on warming today by every worker."""
        calls, usd = self._redis.hmget(self._key(), ["calls", "usd"])
        return int(calls or 0), float(usd or 0.0)
