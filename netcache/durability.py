"""Start-up check: can the Redis instances keep what netcache promises?

Two roles, because the cache and the queues want opposite eviction rules:

- **events** (``NETCACHE_REDIS_URL``): the answer cache, the events stream, its dead letters and the
  de-dup record. The stream and the de-dup record have no TTL, so ``noeviction`` or any
  ``volatile-*`` policy keeps them (``volatile-lfu`` lets Redis evict expiring cache entries first);
  ``allkeys-*`` can evict the stream itself. Accepted events must survive a restart: append-only
  file on (an RDB snapshot alone loses what came after it).
- **state** (``NETCACHE_WORKER__BROKER_URL``, else the same Redis): the Celery queues and the
  worker's state — coalescing windows, fold sets, leading-action markers, delivery refunds,
  invalidation progress. Some of those keys expire, so only ``noeviction`` keeps them
  (under ``volatile-*`` a flap storm loses its trailing invalidation); AOF on.

``inspect(client)`` reads ``maxmemory-policy`` from ``INFO memory`` and persistence from
``CONFIG GET appendonly`` / ``save``, or ``INFO persistence`` where CONFIG is disabled (renamed,
or a managed Redis). ``check(settings, component, clients)`` logs one warning per problem, or,
with ``NETCACHE_DURABILITY_CHECK=refuse``, raises :class:`~netcache.errors.ConfigError` so the
component does not start on a configuration that cannot keep its promise (``off`` skips it).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import redis

from netcache.connections import make_redis, redact_url
from netcache.errors import ConfigError
from netcache.settings import Settings
from netcache.text import to_text

__all__ = ["RedisDurability", "inspect", "problems", "check", "check_at_start", "ROLES", "COMPONENT_ROLES"]

log = logging.getLogger(__name__)

#: What each role holds (for the messages).
ROLES = {
    "events": "the events stream, its dead letters and the de-dup record",
    "state": "the Celery queues and the worker's coalescing windows, markers, refunds and progress",
}

#: The Redis roles each long-running component depends on.
COMPONENT_ROLES = {
    "dispatcher": ("events", "state"),
    "worker": ("state",),
    "syslog": ("events",),
    "webhook": ("events",),
}


@dataclass(frozen=True)
class RedisDurability:
    """What one Redis says about eviction and persistence (``None`` = could not tell)."""

    policy: str | None
    maxmemory: int | None
    aof: bool | None
    rdb: bool | None
    source: str  # "config" or "info"


def inspect(client: redis.Redis) -> RedisDurability:
    """Eviction policy and persistence of the Redis behind ``client``."""
    memory = client.info("memory")
    policy = memory.get("maxmemory_policy")
    maxmemory = memory.get("maxmemory")
    try:
        conf = client.config_get("appendonly")
        conf.update(client.config_get("save"))
        return RedisDurability(policy=to_text(policy) if policy else None,
                               maxmemory=int(maxmemory) if maxmemory is not None else None,
                               aof=to_text(conf.get("appendonly", "")).lower() == "yes",
                               rdb=bool(to_text(conf.get("save", "")).strip()), source="config")
    except redis.ResponseError:  # CONFIG renamed or forbidden: INFO persistence still says whether AOF is on
        pers = client.info("persistence")
        aof = pers.get("aof_enabled")
        return RedisDurability(policy=to_text(policy) if policy else None,
                               maxmemory=int(maxmemory) if maxmemory is not None else None,
                               aof=None if aof is None else bool(int(aof)), rdb=None, source="info")


def problems(d: RedisDurability, role: str) -> list[str]:
    """What breaks the promise for ``role`` ("events" or "state"); empty = fine."""
    out: list[str] = []
    policy = d.policy or "unknown"
    if role == "events" and policy.startswith("allkeys-"):
        out.append(f"maxmemory-policy {policy} can evict {ROLES[role]} (use noeviction or volatile-lfu)")
    if role == "state" and policy != "noeviction":
        out.append(f"maxmemory-policy {policy} can evict {ROLES[role]} (they need noeviction: give the worker "
                   f"a noeviction Redis with NETCACHE_WORKER__BROKER_URL)")
    if d.aof is False:
        lost = "writes since the last RDB snapshot" if d.rdb else "everything"
        out.append(f"appendonly is off: a crash or kill -9 loses {lost} of {ROLES[role]} (set appendonly yes)")
    elif d.aof is None:
        out.append("persistence cannot be read (CONFIG and INFO persistence refused): cannot tell whether "
                   f"{ROLES[role]} survive a restart")
    return out


def check(settings: Settings, component: str, clients: dict[str, tuple[Any, str]]) -> list[str]:
    """Check each ``role -> (client, url)``; log the problems (or refuse, by the setting); returns them."""
    mode = settings.durability_check
    if mode == "off":
        return []
    found: list[str] = []
    seen: dict[str, RedisDurability] = {}
    for role, (client, url) in clients.items():
        if url.startswith("memory://"):
            continue
        try:
            d = seen[url] if url in seen else inspect(client)
        except redis.RedisError as e:  # unreachable now: the component's own retry loop says so
            log.warning("%s: could not check Redis at %s for durability: %s", component, redact_url(url), e)
            continue
        seen[url] = d
        for p in problems(d, role):
            found.append(f"Redis at {redact_url(url)} ({role}): {p}")
    for p in found:
        log.warning("%s: %s", component, p)
    if found and mode == "refuse":
        raise ConfigError(f"{component} refuses to start (NETCACHE_DURABILITY_CHECK=refuse): " + "; ".join(found))
    return found


def check_at_start(settings: Settings, component: str) -> list[str]:
    """:func:`check` the Redis instances ``component`` depends on (its own short-lived clients)."""
    if settings.durability_check == "off":
        return []
    urls = {"events": settings.redis_url, "state": settings.worker.broker_url or settings.redis_url}
    clients: dict[str, tuple[Any, str]] = {}
    made = []
    for role in COMPONENT_ROLES[component]:
        url = urls[role]
        if not url.startswith("memory://"):
            made.append(make_redis(settings, url, socket_timeout=5, socket_connect_timeout=5))
            clients[role] = (made[-1], url)
    try:
        return check(settings, component, clients)
    finally:
        for c in made:
            c.close()
