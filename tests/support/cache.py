"""Helpers for the cache tests: settings with small limits, a manual clock, counting generators."""

from __future__ import annotations

import threading
import time

import pytest

from netcache.settings import Settings

__all__ = ["ManualClock", "Generator", "cache_settings", "wait_until", "Backend", "AsyncCacheOnALoop", "on_backends"]


def cache_settings(settings: Settings, **cache_fields) -> Settings:
    """A copy of ``settings`` with some ``cache`` fields changed."""
    return settings.model_copy(update={"cache": settings.cache.model_copy(update=cache_fields)})


def wait_until(condition, timeout_s: float = 10.0, interval_s: float = 0.02) -> bool:
    """Poll ``condition()`` until it is true (True) or ``timeout_s`` passed (False): for things
    that happen in their own time (a Redis expiry, another process's write), without a fixed sleep."""
    deadline = time.monotonic() + timeout_s
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval_s)


class ManualClock:
    """A wall clock (epoch seconds) that only moves when told; starts at the real time."""

    def __init__(self) -> None:
        self.t = time.time()

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


class Generator:
    """A ``generate`` callable that counts its calls and can run a hook mid-call."""

    def __init__(self, prefix: str = "answer", delay_s: float = 0.0, during=None) -> None:
        self.prefix = prefix
        self.delay_s = delay_s
        self.during = during
        self.prompts: list[str] = []
        self._lock = threading.Lock()

    @property
    def calls(self) -> int:
        return len(self.prompts)

    def __call__(self, prompt: str) -> str:
        with self._lock:
            self.prompts.append(prompt)
            n = len(self.prompts)
        if self.during is not None:
            self.during()
        if self.delay_s:
            time.sleep(self.delay_s)
        return f"{self.prefix} #{n} to: {prompt}"


class AsyncCacheOnALoop:
    """An AsyncAnswerCache driven from synchronous test code: its coroutines run on a private
    event loop in a background thread, so one test body checks the sync and asyncio drivers.
    ``generate=`` callables run in a worker thread (a test's sleeping or cache-calling
    generator must not block the loop)."""

    def __init__(self, make_cache) -> None:
        import asyncio

        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="async-cache-loop", daemon=True)
        self._thread.start()
        self.cache = self._call(self._built(make_cache))

    @staticmethod
    async def _built(make_cache):
        return make_cache()

    def _call(self, coro):
        import asyncio

        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=120)

    def _offloaded(self, generate):
        if generate is None or not callable(generate) or hasattr(generate, "agenerate"):
            return generate
        from netcache.llm.generator import call_generator

        loop = self._loop
        return lambda prompt, context=None, params=None: loop.run_in_executor(
            None, call_generator, generate, prompt, context, params)

    def __getattr__(self, name):
        attr = getattr(self.cache, name)
        if name.startswith("__") or not callable(attr):
            return attr

        def run(*args, **kwargs):
            if "generate" in kwargs:
                kwargs["generate"] = self._offloaded(kwargs["generate"])
            result = attr(*args, **kwargs)
            return self._call(result) if hasattr(result, "__await__") else result
        return run

    def close(self) -> None:
        self._call(self.cache.aclose())

    def shutdown(self) -> None:
        self.close()
        self._call(self.cache.redis.aclose())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()


class Backend:
    """One cache backend of the behaviour suite: ``kind`` is "redis" (AnswerCache on redis-py),
    "asyncio" (AsyncAnswerCache on redis.asyncio, driven through :class:`AsyncCacheOnALoop`),
    "memory" (AnswerCache on ``memory://``, no server), or "cluster" / "cluster-asyncio" (the same
    two drivers on a 3-master Redis Cluster, ``redis+cluster://``). ``client`` is a synchronous client on
    the same data, for looking at the keys; ``cache(settings, **kwargs)`` builds a cache."""

    def __init__(self, kind: str, settings: Settings) -> None:
        from netcache.connections import make_redis

        self.kind = kind
        self.settings = settings
        self.client = make_redis(settings)
        self._made: list = []

    def cache(self, settings: Settings | None = None, **kwargs):
        from netcache.connections import make_async_redis
        from netcache.engine.aio import AsyncAnswerCache
        from netcache.engine.sync import AnswerCache

        settings = settings or self.settings
        kwargs.pop("redis", None)
        if self.kind in ("asyncio", "cluster-asyncio"):
            made = AsyncCacheOnALoop(lambda: AsyncAnswerCache(settings, redis=make_async_redis(settings), **kwargs))
        else:
            made = AnswerCache(settings, redis=self.client, **kwargs)
        self._made.append(made)
        return made

    def close(self) -> None:
        for made in self._made:
            if isinstance(made, AsyncCacheOnALoop):
                made.shutdown()
            else:
                made.close()
        if self.kind == "memory":
            self.client.flushall()  # the store lives as long as the process: free it
        self.client.close()


@pytest.fixture(name="settings")
def backend_settings(backend):
    """``settings`` of a behaviour-suite module: those of its backend (import this fixture)."""
    return backend.settings


@pytest.fixture(name="redis_client")
def backend_client(backend):
    """``redis_client`` of a behaviour-suite module: a sync client on its backend's data."""
    return backend.client


def on_backends(*kinds: str):
    """Run a behaviour test only on these backends (e.g. a test reading INFO commandstats, or
    one sharing the cache with another process, needs a real Redis server)."""
    return pytest.mark.parametrize("backend", kinds, indirect=True)
