"""A counting semaphore in Redis: at most N warm-up LLM calls at once across every worker.

Each holder is a member of a sorted set scored by its expiry, so a holder that
died (worker killed mid-call) frees its slot after ``ttl_s`` instead of
leaking it. Acquire is one Lua call (drop expired holders, check the count,
add); release removes the member.

    sem = RedisSemaphore(redis, "nc:w:sem:warm", limit=8, ttl_s=120)
    with sem.slot(timeout_s=60):
        llm.complete(...)
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import redis

from netcache import lua
from netcache.errors import LeaseTimeout

__all__ = ["RedisSemaphore"]



class RedisSemaphore:
    """``limit`` slots shared by every process using ``key``."""

    def __init__(self, redis_client: redis.Redis, key: str, *, limit: int, ttl_s: float = 120.0,
                 clock: Callable[[], float] = time.time, poll_s: float = 0.05) -> None:
        self._redis = redis_client
        self.key = key
        self.limit = limit
        self.ttl_s = ttl_s
        self._clock = clock
        self._poll_s = poll_s
        self._acquire = lua.register(redis_client, "semaphore_acquire")

    def try_acquire(self) -> str | None:
        token = uuid.uuid4().hex
        ok = self._acquire(keys=[self.key], args=[repr(self._clock()), self.limit, self.ttl_s, token])
        return token if int(ok) else None

    def acquire(self, timeout_s: float) -> str:
        deadline = time.monotonic() + timeout_s
        while True:
            token = self.try_acquire()
            if token is not None:
                return token
            if time.monotonic() >= deadline:
                raise LeaseTimeout(f"no free slot in {self.key} (limit {self.limit}) after {timeout_s:.0f} s")
            time.sleep(self._poll_s)

    def release(self, token: str) -> None:
        self._redis.zrem(self.key, token)

    def holders(self) -> int:
        """Slots taken right now (expired holders excluded)."""
        return int(self._redis.zcount(self.key, self._clock(), "+inf"))

    @contextmanager
    def slot(self, timeout_s: float) -> Iterator[None]:
        token = self.acquire(timeout_s)
        try:
            yield
        finally:
            self.release(token)
