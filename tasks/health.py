"""Heartbeats of the Celery worker and beat: an expiring key refreshed on a timer.

The worker refreshes ``{prefix}:w:health:worker:{hostname}`` from a
``Heartbeat`` thread its bootstep (``HealthStep``, added by ``make_app``) starts
and stops with the worker; beat runs one too (started by ``netcache beat``). Each key expires after
``WorkerSettings.health_ttl_s`` (30 s) and is refreshed every third of that;
``netcache health --component worker|beat`` exits 0 while one is fresh.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time

import redis
from celery import bootsteps

__all__ = ["health_key", "Heartbeat", "HealthStep"]

log = logging.getLogger(__name__)


def health_key(prefix: str, component: str, hostname: str | None = None) -> str:
    return f"{prefix}:w:health:{component}:{hostname or socket.gethostname()}"


class Heartbeat:
    """Refreshes one health key; ``beat()`` once, or ``start()`` a daemon thread that does it."""

    def __init__(self, redis_client: redis.Redis, key: str, *, ttl_s: int = 30) -> None:
        self._redis = redis_client
        self.key = key
        self.ttl_s = ttl_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def beat(self) -> None:
        try:
            self._redis.set(self.key, json.dumps({"pid": os.getpid(), "at": time.time()}), ex=self.ttl_s)
        except redis.RedisError as e:  # Redis away: the key expires and health says so
            log.warning("heartbeat %s not written: %s", self.key, e)

    def start(self) -> "Heartbeat":
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


class HealthStep(bootsteps.StartStopStep):
    """Worker bootstep: the worker's heartbeat thread, started and stopped with the worker."""

    def __init__(self, worker, **kwargs) -> None:
        super().__init__(worker, **kwargs)
        self.heartbeat: Heartbeat | None = None

    def start(self, worker) -> None:
        from netcache.connections import make_redis

        settings = worker.app.netcache_settings
        client = make_redis(settings)  # where `netcache health` looks
        self.heartbeat = Heartbeat(client, health_key(settings.key_prefix, "worker", worker.hostname),
                                   ttl_s=settings.worker.health_ttl_s).start()

    def stop(self, worker) -> None:
        if self.heartbeat is not None:
            self.heartbeat.stop()
            self.heartbeat = None
