"""The Celery worker's watch: a health key that reports the pool, visibility kept for running tasks,
and an exit instead of a wedge.

``WorkerWatch`` (started by the ``HealthStep`` bootstep ``make_app`` adds) runs in the worker's main
process, every ``health_ttl_s / 3`` (10 s; a third of the visibility timeout if that is shorter):

1. **Health that reports the pool**, not a thread: ``{prefix}:w:health:worker:{hostname}`` holds the
   pool's live children against its size (prefork), the worker's state, the tasks reserved and
   active, how many it accepted and when it last accepted one. ``ok`` is false (and
   ``netcache health --component worker`` exits 1) when the pool has no live child or the worker is
   stopping.
2. **Short visibility timeout, extended while a task runs.** The broker hands an unacknowledged
   task to another worker ``visibility_timeout_s`` (40 s) after its delivery, so a worker killed
   mid-task has its tasks back within a minute; for a task that runs longer, the watch moves the
   delivery time of every task this worker holds (kombu's ``unacked_index`` zset, ``ZADD XX``)
   to now, so it is not handed out twice. A wedged worker stops extending (the pool must be
   alive), so its tasks go back too.
3. **Exit instead of wedging.** When the pool has had no live child for ``worker_exit_grace_s``
   (30 s), or the worker began to stop that long ago and is still here (Celery's "Unrecoverable
   error" path could hang with no children; SIGTERM did not end it), the watch logs why and ends
   the process with exit code 1 (``os._exit``), so its supervisor (compose ``restart:``, systemd)
   starts a fresh one. Tasks it held are redelivered after the visibility timeout.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

import redis
from celery import bootsteps

from netcache.health import health_key, write_heartbeat

__all__ = ["HealthStep", "WorkerWatch", "pool_children"]

log = logging.getLogger(__name__)

_RUN = 1  # celery.bootsteps.RUN


def pool_children(worker: Any) -> tuple[str, int, int]:
    """``(pool kind, expected, alive)`` of the worker's pool (prefork counts its live processes)."""
    pool = getattr(worker, "pool", None)
    expected = int(getattr(worker, "concurrency", 0) or 0)
    kind = type(pool).__module__.rsplit(".", 1)[-1] if pool is not None else "none"
    if kind == "prefork":
        inner = getattr(pool, "_pool", None)
        procs = list(getattr(inner, "_pool", None) or [])
        alive = sum(1 for p in procs if p.exitcode is None and p.is_alive())
        return kind, expected, alive
    if pool is None:
        return kind, expected, 0
    return kind, expected, expected  # threads / solo: no separate processes to lose


class WorkerWatch:
    """See the module docstring; ``start()`` a daemon thread, ``stopping()`` when the worker stops."""

    def __init__(self, worker: Any, client: redis.Redis, broker: redis.Redis | None, *, key: str,
                 ttl_s: int, exit_grace_s: float, unacked_index_key: str = "unacked_index",
                 visibility_timeout_s: float = 3600.0, exit: Any = os._exit) -> None:
        self.worker = worker
        self.client = client
        self.broker = broker
        self.key = key
        self.ttl_s = ttl_s
        # often enough for the heartbeat and for the visibility of running tasks
        self.every_s = max(0.5, min(ttl_s / 3, visibility_timeout_s / 3))
        self.exit_grace_s = exit_grace_s
        self.unacked_index_key = unacked_index_key
        self._exit = exit
        self._stop = threading.Event()
        self._stopping_since: float | None = None
        self._no_children_since: float | None = None
        self._accepted = 0
        self._last_task_at: float | None = None
        self.started_at = time.time()
        self.thread: threading.Thread | None = None

    # -- one round ------------------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        from celery.worker import state

        kind, expected, alive = pool_children(self.worker)
        accepted = int(state.all_total_count[0])
        if accepted != self._accepted:
            self._accepted, self._last_task_at = accepted, time.time()
        bp = getattr(self.worker, "blueprint", None)
        running = bp is not None and bp.state == _RUN and self._stopping_since is None
        problem = None
        if not running:
            problem = "worker is stopping"
        elif alive < 1:
            problem = f"no live pool children ({alive} of {expected})"
        return {"ok": problem is None, "problem": problem, "pool": kind, "children": alive, "concurrency": expected,
                "active": len(state.active_requests), "reserved": len(state.reserved_requests),
                "accepted": accepted, "last_task_at": self._last_task_at, "started_at": self.started_at}

    def extend_visibility(self) -> int:
        """Move the delivery time of every task this worker holds to now; how many were moved."""
        from celery.worker import state

        if self.broker is None:
            return 0
        tags = []
        for request in list(state.reserved_requests):
            tag = getattr(getattr(request, "message", None), "delivery_tag", None)
            if tag:
                tags.append(tag)
        if not tags:
            return 0
        now = time.time()
        self.broker.zadd(self.unacked_index_key, dict.fromkeys(tags, now), xx=True)
        return len(tags)

    def round(self) -> dict[str, Any]:
        snap = self.snapshot()
        now = time.monotonic()
        if snap["ok"]:
            self._no_children_since = None
            try:
                snap["extended"] = self.extend_visibility()
            except redis.RedisError as e:
                log.warning("could not extend the visibility of running tasks: %s", e)
        elif snap["children"] < 1 and self._stopping_since is None:
            self._no_children_since = self._no_children_since or now
        if self._stopping_since is None:
            try:
                write_heartbeat(self.client, self.key, self.ttl_s, **snap)
            except redis.RedisError as e:  # Redis away: the key expires and health says so
                log.warning("heartbeat %s not written: %s", self.key, e)
        since = self._stopping_since or self._no_children_since
        if since is not None and now - since >= self.exit_grace_s:
            why = "still not stopped" if self._stopping_since else "no live pool children"
            log.critical("worker %s %.0f s after it began: exiting (code 1) so its supervisor restarts it",
                         why, now - since)
            logging.shutdown()
            self._exit(1)
        return snap

    # -- thread ---------------------------------------------------------------------------------
    def start(self) -> WorkerWatch:
        self.thread = threading.Thread(target=self._run, name="nc-worker-watch", daemon=True)
        self.thread.start()
        return self

    def _run(self) -> None:
        while True:
            try:
                self.round()
            except Exception:  # noqa: BLE001 - the watch must outlive any one failure
                log.exception("worker watch round failed")
            if self._stop.wait(self.every_s if self._stopping_since is None else 1.0):
                return

    def stopping(self) -> None:
        """The worker began to stop: health says so at once; exit if it is still here after the grace."""
        if self._stopping_since is None:
            self._stopping_since = time.monotonic()
            try:
                self.client.delete(self.key)
            except redis.RedisError:
                pass

    def close(self) -> None:
        self._stop.set()


class HealthStep(bootsteps.StartStopStep):
    """Worker bootstep: the worker's watch, started with the worker; at stop it becomes an exit timer."""

    def __init__(self, worker, **kwargs) -> None:
        super().__init__(worker, **kwargs)
        self.watch: WorkerWatch | None = None

    def start(self, worker) -> None:
        from netcache.connections import make_redis

        settings = worker.app.netcache_settings
        client = make_redis(settings)  # where `netcache health` looks
        broker_url = worker.app.conf.broker_url
        broker = None if broker_url.startswith("memory://") else make_redis(settings, broker_url)
        opts = worker.app.conf.broker_transport_options or {}
        index = opts.get("global_keyprefix", "") + opts.get("unacked_index_key", "unacked_index")
        self.watch = WorkerWatch(worker, client, broker, key=health_key(settings.key_prefix, "worker", worker.hostname),
                                 ttl_s=settings.worker.health_ttl_s, exit_grace_s=settings.worker.worker_exit_grace_s,
                                 unacked_index_key=index,
                                 visibility_timeout_s=opts.get("visibility_timeout", 3600)).start()

    def stop(self, worker) -> None:
        if self.watch is not None:
            self.watch.stopping()
