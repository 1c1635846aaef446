"""The Redis URL, parsed in one place: clients, TLS, and safe display.

``make_redis(settings)`` and ``make_async_redis(settings)`` build clients
from ``Settings.redis_url`` (passwords and ``rediss://`` TLS included);
``redact_url`` hides the password wherever a URL is shown or logged.

``memory://`` (or ``memory://<name>`` for separate stores) is the in-process backend for
development, notebooks, tests and single-process tools: fakeredis (with lupa, so the very
same Lua scripts run) on one shared in-process server per name, seen by sync and asyncio
clients and by every thread of the process — same semantics as Redis, no redis-server.
It is an optional extra (``pip install 'netcache[memory]'``). Parts that need a real server
(the dispatcher, the Celery worker, the listeners) call :func:`require_server`.

A Redis stall must not hold a bot: :func:`budget_kwargs` gives the client a cache builds for
itself socket and connect timeouts of ``CacheSettings.redis_budget_ms`` and no retries, and
:class:`RequestBudget` stops a request from trying Redis again after one failed round trip; a
:class:`CircuitBreaker` (one per cache) stops requests from trying Redis while it is down
(open after ``breaker_failures`` consecutive failures, one half-open probe after
``breaker_cooldown_s``). Both raise redis-py's own ``ConnectionError`` / ``TimeoutError``
subclasses, so the cache falls back to the LLM exactly as for a real failure.

``redis+cluster://host:port[,host:port…]`` (``rediss+cluster://`` for TLS) builds redis-py's
``RedisCluster`` (:mod:`netcache.cluster`: the URL, the key layout, the errors).
"""

from __future__ import annotations

import ssl
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import redis
import redis.asyncio as aioredis

from netcache.cluster import is_cluster_url, make_async_cluster, make_cluster, redact_cluster_url
from netcache.errors import ConfigError
from netcache.settings import Settings

__all__ = ["redact_url", "redis_kwargs", "make_redis", "make_async_redis", "state_url", "make_state_redis",
           "celery_ssl_options", "is_memory_url", "memory_server", "require_server", "MEMORY_SCHEME", "budget_kwargs",
           "CircuitBreaker", "RequestBudget", "BreakerOpen", "BudgetSpent", "breakers"]

#: the URL scheme of the in-process backend
MEMORY_SCHEME = "memory://"
#: Redis version the in-process server emulates (the engine uses Redis 7 commands)
MEMORY_REDIS_VERSION = (7, 4)

_memory_servers: dict[str, Any] = {}  # name -> fakeredis.FakeServer, made on first use
_memory_lock = threading.Lock()

_CERT_REQS = {"required": ssl.CERT_REQUIRED, "optional": ssl.CERT_OPTIONAL, "none": ssl.CERT_NONE}


def redact_url(url: str) -> str:
    """``redis://:secret@host:6379/0`` → ``redis://:***@host:6379/0`` (safe to log)."""
    if is_cluster_url(url):
        return redact_cluster_url(url)
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, f"{user}:***@{host}", parts.path, parts.query, parts.fragment))


def redis_kwargs(settings: Settings, url: str | None = None) -> dict[str, Any]:
    """Extra client keyword arguments the URL alone does not carry (TLS options)."""
    url = url or settings.redis_url
    kwargs: dict[str, Any] = {"health_check_interval": 30, "socket_connect_timeout": 5}
    if url.startswith(("rediss://", "rediss+cluster://")):
        kwargs["ssl_cert_reqs"] = settings.redis_ssl_cert_reqs
        if settings.redis_ssl_ca_certs:
            kwargs["ssl_ca_certs"] = str(settings.redis_ssl_ca_certs)
    return kwargs


def is_memory_url(url: str) -> bool:
    return url.startswith(MEMORY_SCHEME)


def _fakeredis() -> Any:
    try:
        import fakeredis
        import lupa  # noqa: F401 - fakeredis runs the Lua scripts with it
    except ImportError as e:
        raise ConfigError(f"{MEMORY_SCHEME} (the in-process backend) needs fakeredis and lupa: "
                          f"pip install 'netcache[memory]' ({e})") from e
    return fakeredis


def memory_server(url: str) -> Any:
    """The one in-process server of ``memory://<name>`` (made on first use, kept for the process)."""
    fakeredis = _fakeredis()
    name = url[len(MEMORY_SCHEME):].strip("/")
    with _memory_lock:
        server = _memory_servers.get(name)
        if server is None:
            server = _memory_servers[name] = fakeredis.FakeServer(version=MEMORY_REDIS_VERSION)
        return server


def _memory_kwargs(overrides: dict[str, Any]) -> dict[str, Any]:
    """Only the overrides that change replies (socket options mean nothing in process)."""
    return {k: v for k, v in overrides.items() if k == "decode_responses"}


def make_redis(settings: Settings, url: str | None = None, **overrides: Any) -> redis.Redis:
    """A synchronous client for ``settings.redis_url`` (or ``url``)."""
    url = url or settings.redis_url
    if is_memory_url(url):
        return _fakeredis().FakeRedis(server=memory_server(url), **_memory_kwargs(overrides))
    if is_cluster_url(url):
        return make_cluster(url, **{**redis_kwargs(settings, url), **overrides})  # type: ignore[return-value]
    return redis.Redis.from_url(url, **{**redis_kwargs(settings, url), **overrides})


def state_url(settings: Settings) -> str:
    """The Redis of the Celery queues and the worker's state (windows, markers, refunds, progress):
    the broker (``NETCACHE_WORKER__BROKER_URL``, meant to be a ``noeviction`` Redis), else the main one."""
    return settings.worker.broker_url or settings.redis_url


def make_state_redis(settings: Settings, **overrides: Any) -> redis.Redis:
    """A client for :func:`state_url` (see netcache/durability.py for why it is a separate Redis)."""
    return make_redis(settings, state_url(settings), **overrides)


def make_async_redis(settings: Settings, url: str | None = None, **overrides: Any) -> aioredis.Redis:
    """An asyncio client for ``settings.redis_url`` (or ``url``)."""
    url = url or settings.redis_url
    if is_memory_url(url):
        return _fakeredis().FakeAsyncRedis(server=memory_server(url), **_memory_kwargs(overrides))
    if is_cluster_url(url):
        return make_async_cluster(url, **{**redis_kwargs(settings, url), **overrides})  # type: ignore[return-value]
    return aioredis.Redis.from_url(url, **{**redis_kwargs(settings, url), **overrides})


def require_server(settings: Settings, component: str, url: str | None = None) -> None:
    """ConfigError when ``component`` (e.g. "the dispatcher") is given the in-process backend:
    it shares Redis with other processes, which ``memory://`` cannot do."""
    url = url or settings.redis_url
    if is_memory_url(url):
        raise ConfigError(f"{component} needs a Redis server; {MEMORY_SCHEME} is in-process only (for "
                          f"development, notebooks, tests and single-process tools): set NETCACHE_REDIS_URL "
                          f"to redis://host:6379/0")


def celery_ssl_options(settings: Settings, url: str) -> dict[str, Any] | None:
    """``broker_use_ssl`` / ``redis_backend_use_ssl`` for Celery when ``url`` is ``rediss://``."""
    if not url.startswith("rediss://"):
        return None
    opts: dict[str, Any] = {"ssl_cert_reqs": _CERT_REQS[settings.redis_ssl_cert_reqs]}
    if settings.redis_ssl_ca_certs:
        opts["ssl_ca_certs"] = str(settings.redis_ssl_ca_certs)
    return opts


# --- the bot's Redis time budget and circuit breaker ------------------------------------------


def budget_kwargs(settings: Settings, *, asyncio: bool = False) -> dict[str, Any]:
    """Client options bounding each Redis call to the budget: socket and connect timeouts of
    ``cache.redis_budget_ms``, no retries (redis-py retries 10 times by default)."""
    if asyncio:
        from redis.asyncio.retry import Retry as AsyncRetry
        from redis.backoff import NoBackoff

        retry: Any = AsyncRetry(NoBackoff(), 0)
    else:
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        retry = Retry(NoBackoff(), 0)
    budget_s = settings.cache.redis_budget_ms / 1000.0
    return {"socket_timeout": budget_s, "socket_connect_timeout": budget_s, "retry": retry}


class BreakerOpen(redis.exceptions.ConnectionError):
    """The circuit breaker is open: Redis was not tried."""


class BudgetSpent(redis.exceptions.TimeoutError):
    """Redis failed earlier in this request (its time budget is spent): not tried again."""


_BREAKERS: weakref.WeakSet[CircuitBreaker] = weakref.WeakSet()

#: breaker states as numbers (the ``netcache_redis_breaker_state`` gauge)
BREAKER_STATES = {"closed": 0, "open": 1, "half_open": 2}


def breakers() -> list[CircuitBreaker]:
    """The live circuit breakers of this process (for its /metrics)."""
    return list(_BREAKERS)


class CircuitBreaker:
    """Closed → open after ``failures`` consecutive Redis failures → after ``cooldown_s`` one
    request probes (half-open; the others are still short-circuited) → closed on its success,
    open again on its failure. Thread-safe; ``short_circuited`` counts the calls not tried."""

    def __init__(self, failures: int = 3, cooldown_s: float = 5.0, *, name: str = "cache",
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.failures = failures
        self.cooldown_s = cooldown_s
        self.name = name
        self.clock = clock
        self.state = "closed"
        self.consecutive = 0
        self.opened_at = 0.0
        self.short_circuited = 0
        self.opened = 0
        self._probing = False
        self._lock = threading.Lock()
        _BREAKERS.add(self)

    @classmethod
    def from_settings(cls, settings: Settings, name: str = "cache") -> CircuitBreaker:
        return cls(settings.cache.breaker_failures, settings.cache.breaker_cooldown_s, name=name)

    def allow(self) -> bool:
        """Whether a call may try Redis now (False counts a short-circuited call)."""
        with self._lock:
            if self.state == "open" and self.clock() - self.opened_at >= self.cooldown_s:
                self.state, self._probing = "half_open", False
            if self.state == "closed" or (self.state == "half_open" and not self._probing):
                self._probing = self.state == "half_open"
                return True
            self.short_circuited += 1
            return False

    def release(self) -> None:
        """A call that ended without telling whether Redis works (cancelled): let another probe."""
        with self._lock:
            self._probing = False

    def record(self, ok: bool) -> None:
        with self._lock:
            self._probing = False
            if ok:
                self.state, self.consecutive = "closed", 0
                return
            self.consecutive += 1
            if self.state == "half_open" or self.consecutive >= self.failures:
                if self.state != "open":
                    self.opened += 1
                self.state, self.opened_at = "open", self.clock()


class RequestBudget:
    """One request's Redis time: ``with budget.guard(): <one round trip>``. Each round trip is bounded
    by the client's socket timeout (the budget, :func:`budget_kwargs`); once one has failed, the
    request tries Redis no more (``BudgetSpent``), so a stall costs it one budget, not one per
    round trip. While the breaker is open nothing is tried (``BreakerOpen``). Every round trip's
    outcome goes to the breaker; ``spent_s`` is the request's time in Redis."""

    def __init__(self, breaker: CircuitBreaker, budget_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.breaker = breaker
        self.budget_s = budget_s
        self.clock = clock
        self.spent_s = 0.0
        self.failed: BaseException | None = None

    @contextmanager
    def guard(self) -> Iterator[None]:
        if self.failed is not None:
            raise BudgetSpent(f"Redis failed earlier in this request ({type(self.failed).__name__}); "
                              f"not tried again (budget {self.budget_s * 1000:.0f} ms)")
        if not self.breaker.allow():
            raise BreakerOpen(f"Redis circuit breaker open after {self.breaker.consecutive} consecutive failures "
                              f"(probed again {self.breaker.cooldown_s:g} s after opening)")
        started = self.clock()
        try:
            yield
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as e:
            self.spent_s += self.clock() - started
            self.failed = e
            self.breaker.record(False)
            raise
        except redis.exceptions.RedisError:
            self.spent_s += self.clock() - started
            self.breaker.record(True)  # Redis answered (an error reply is still an answer)
            raise
        except BaseException:
            self.breaker.release()  # cancelled or a bug: says nothing about Redis
            raise
        self.spent_s += self.clock() - started
        self.breaker.record(True)
