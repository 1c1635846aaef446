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

``redis+cluster://host:port[,host:port…]`` (``rediss+cluster://`` for TLS) builds redis-py's
``RedisCluster`` (:mod:`netcache.cluster`: the URL, the key layout, the errors).
"""

from __future__ import annotations

import ssl
import threading
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import redis
import redis.asyncio as aioredis

from netcache.cluster import is_cluster_url, make_async_cluster, make_cluster, redact_cluster_url
from netcache.errors import ConfigError
from netcache.settings import Settings

__all__ = ["redact_url", "redis_kwargs", "make_redis", "make_async_redis", "celery_ssl_options",
           "is_memory_url", "memory_server", "require_server", "MEMORY_SCHEME"]

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
