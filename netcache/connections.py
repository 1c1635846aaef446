"""The Redis URL, parsed in one place: clients, TLS, and safe display.

``make_redis(settings)`` and ``make_async_redis(settings)`` build clients
from ``Settings.redis_url`` (passwords and ``rediss://`` TLS included);
``redact_url`` hides the password wherever a URL is shown or logged.
"""

from __future__ import annotations

import ssl
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import redis
import redis.asyncio as aioredis

from netcache.settings import Settings

__all__ = ["redact_url", "redis_kwargs", "make_redis", "make_async_redis", "celery_ssl_options"]

_CERT_REQS = {"required": ssl.CERT_REQUIRED, "optional": ssl.CERT_OPTIONAL, "none": ssl.CERT_NONE}


def redact_url(url: str) -> str:
    """``redis://:secret@host:6379/0`` → ``redis://:***@host:6379/0`` (safe to log)."""
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
    if url.startswith("rediss://"):
        kwargs["ssl_cert_reqs"] = settings.redis_ssl_cert_reqs
        if settings.redis_ssl_ca_certs:
            kwargs["ssl_ca_certs"] = str(settings.redis_ssl_ca_certs)
    return kwargs


def make_redis(settings: Settings, url: str | None = None, **overrides: Any) -> redis.Redis:
    """A synchronous client for ``settings.redis_url`` (or ``url``)."""
    url = url or settings.redis_url
    return redis.Redis.from_url(url, **{**redis_kwargs(settings, url), **overrides})


def make_async_redis(settings: Settings, url: str | None = None, **overrides: Any) -> aioredis.Redis:
    """An asyncio client for ``settings.redis_url`` (or ``url``)."""
    url = url or settings.redis_url
    return aioredis.Redis.from_url(url, **{**redis_kwargs(settings, url), **overrides})


def celery_ssl_options(settings: Settings, url: str) -> dict[str, Any] | None:
    """``broker_use_ssl`` / ``redis_backend_use_ssl`` for Celery when ``url`` is ``rediss://``."""
    if not url.startswith("rediss://"):
        return None
    opts: dict[str, Any] = {"ssl_cert_reqs": _CERT_REQS[settings.redis_ssl_cert_reqs]}
    if settings.redis_ssl_ca_certs:
        opts["ssl_ca_certs"] = str(settings.redis_ssl_ca_certs)
    return opts
