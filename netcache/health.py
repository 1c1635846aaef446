"""Heartbeats: one expiring key per running component, refreshed on a timer.

Every long-running component (dispatcher, Celery worker, beat, webhook receiver,
syslog listener) writes ``{prefix}:w:health:{component}:{hostname}``
(:meth:`netcache.keys.WorkerKeys.health`) with a TTL: a key that exists is fresh.
The value is JSON: ``pid``, ``at`` (epoch seconds) and the component's own fields.

- :func:`health_key` names the key; :func:`write_heartbeat` writes it (on a sync
  client, a pipeline or an asyncio client: it returns what ``client.set`` returns);
- :class:`Heartbeat` refreshes one key from a daemon thread (worker, beat);
- :func:`read_health` lists the fresh keys; :func:`check_health` answers
  ``netcache health --component X`` (the docker-compose healthcheck).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

import redis

from netcache.keys import WorkerKeys
from netcache.text import to_text

__all__ = ["COMPONENTS", "health_key", "write_heartbeat", "Heartbeat", "HealthRecord", "read_health",
           "check_health"]

log = logging.getLogger(__name__)

#: Components that write health keys.
COMPONENTS = ("dispatcher", "worker", "beat", "webhook", "syslog")


def health_key(key_prefix: str, component: str, hostname: str | None = None) -> str:
    """``{prefix}:w:health:{component}:{hostname}`` (this host by default)."""
    return WorkerKeys(key_prefix).health(component, hostname or socket.gethostname())


def write_heartbeat(client: Any, key: str, ttl_s: float, **fields: Any) -> Any:
    """``SET key {"pid", "at", **fields} EX ttl_s`` (at least 1 s); returns ``client.set``'s result.

    On an asyncio client await the result; on a pipeline the command is queued.
    """
    value = json.dumps({"pid": os.getpid(), "at": time.time(), **fields})
    return client.set(key, value, ex=max(1, int(round(ttl_s))))


class Heartbeat:
    """Refreshes one health key; ``beat()`` once, or ``start()`` a daemon thread that does it.

    The key expires after ``ttl_s`` and the thread refreshes it every third of that.
    """

    def __init__(self, redis_client: redis.Redis, key: str, *, ttl_s: int = 30) -> None:
        self._redis = redis_client
        self.key = key
        self.ttl_s = ttl_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def beat(self) -> None:
        try:
            write_heartbeat(self._redis, self.key, self.ttl_s)
        except redis.RedisError as e:  # Redis away: the key expires and health says so
            log.warning("heartbeat %s not written: %s", self.key, e)

    def start(self) -> Heartbeat:
        self.beat()
        self._thread = threading.Thread(target=self._run, name="nc-heartbeat", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(max(1.0, self.ttl_s / 3)):
            self.beat()

    def stop(self, *, remove: bool = True) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if remove:
            try:
                self._redis.delete(self.key)
            except redis.RedisError:
                pass


@dataclass
class HealthRecord:
    """One fresh health key."""

    component: str
    hostname: str
    ttl_s: int
    value: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"component": self.component, "hostname": self.hostname, "ttl_s": self.ttl_s, "value": self.value}


def read_health(redis_client: redis.Redis, prefix: str, component: str | None = None,
                hostname: str | None = None) -> list[HealthRecord]:
    """Fresh health keys (of one component and/or host); SCANs only ``{prefix}:w:health:*``."""
    keys = WorkerKeys(prefix)
    base = keys.health_base
    if component and hostname:
        names = [keys.health(component, hostname)]
    else:
        names = [to_text(k) for k in redis_client.scan_iter(match=keys.health_match(component), count=1000)]
    out = []
    for key in sorted(names):
        pipe = redis_client.pipeline(transaction=False)
        pipe.get(key)
        pipe.ttl(key)
        raw, ttl = pipe.execute()
        if raw is None:
            continue
        comp, _, host = key[len(base):].partition(":")
        try:
            value = json.loads(raw)
            value = value if isinstance(value, dict) else {"value": value}
        except ValueError:
            value = {"value": to_text(raw)}
        out.append(HealthRecord(component=comp, hostname=host, ttl_s=int(ttl), value=value))
    return out


def check_health(redis_client: redis.Redis, prefix: str, component: str, *,
                 this_host: bool = False) -> tuple[bool, str]:
    """``(ok, one-line message)``: is a fresh health key there for ``component`` (on this host), and does
    it not say ``"ok": false`` (the worker reports its pool: no live child = unhealthy)?"""
    host = socket.gethostname() if this_host else None
    records = read_health(redis_client, prefix, component, host)
    where = f" on {host}" if host else ""
    if not records:
        pattern = WorkerKeys(prefix).health_match(component)
        return False, f"{component}{where}: unhealthy, no fresh health key ({pattern})"
    # a component that checks itself (the worker's pool) says ok=false with the problem
    sick = [r for r in records if r.value.get("ok") is False]
    if len(sick) == len(records):
        why = "; ".join(f"{r.hostname}: {r.value.get('problem') or 'not ok'}" for r in sick)
        return False, f"{component}{where}: unhealthy ({why})"
    hosts = ", ".join(r.hostname + _detail(r.value) for r in records)
    return True, f"{component}{where}: healthy ({len(records)} fresh: {hosts})"


def _detail(value: dict[str, Any]) -> str:
    """What a record says about itself beyond being fresh (the worker's pool and tasks)."""
    if "children" not in value:
        return ""
    return (f" [pool {value.get('pool')} {value.get('children')}/{value.get('concurrency')} alive, "
            f"{value.get('active', 0)} active, {value.get('accepted', 0)} accepted]")
