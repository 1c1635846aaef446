"""The Celery worker's heartbeat bootstep (the key and the thread are :mod:`netcache.health`'s).

The worker refreshes ``{prefix}:w:health:worker:{hostname}`` from a
:class:`netcache.health.Heartbeat` thread its bootstep (``HealthStep``, added by ``make_app``) starts
and stops with the worker; beat runs one too (started by ``netcache beat``). Each key expires after
``WorkerSettings.health_ttl_s`` (30 s) and is refreshed every third of that;
``netcache health --component worker|beat`` exits 0 while one is fresh.
"""

from __future__ import annotations

from celery import bootsteps

from netcache.health import Heartbeat, health_key

__all__ = ["HealthStep"]


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
