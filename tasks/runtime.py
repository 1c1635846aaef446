"""The clients one worker process uses, built lazily, once.

``Runtime(settings)`` builds the Redis client, the generator (``NETCACHE_LLM__GENERATOR``), the metrics
buffer and the ``AnswerCache`` on first use (so a prefork child builds its
own after the fork, never at import), and a fresh :class:`WarmBudget` per run.
The Celery base task holds one Runtime per process; the CLI's ``--sync`` mode
builds one for the command.
"""

from __future__ import annotations

import threading
from functools import cached_property
from typing import Any

import redis

from netcache.connections import make_redis, make_state_redis
from netcache.keys import WorkerKeys
from netcache.settings import Settings
from netcache.tasks.budget import BudgetLimits, WarmBudget

__all__ = ["Runtime"]


class Runtime:
    """Redis, LLM, metrics and cache for one process (thread-safe lazy construction)."""

    def __init__(self, settings: Settings, *, redis_client: redis.Redis | None = None,
                 cache: Any = None, llm: Any = None) -> None:
        self.settings = settings
        self._lock = threading.RLock()
        if redis_client is not None:
            self.__dict__["redis"] = redis_client
        if cache is not None:
            self.__dict__["cache"] = cache
        if llm is not None:
            self.__dict__["llm"] = llm

    @cached_property
    def state_redis(self) -> redis.Redis:
        """The worker's state (invalidation progress): the broker's noeviction Redis when there is one."""
        with self._lock:
            if not self.settings.worker.broker_url:
                return self.redis
            return make_state_redis(self.settings)

    @cached_property
    def redis(self) -> redis.Redis:
        with self._lock:
            return make_redis(self.settings)

    @cached_property
    def llm(self) -> Any:
        """The generator ``settings.llm.generator`` names: the same one the bot uses, so warm-ups
        and refreshes come from the bot's model and prompt (see netcache/llm/loading.py)."""
        with self._lock:
            from netcache.llm.loading import load_generator

            return load_generator(self.settings)

    @cached_property
    def metrics(self) -> Any:
        with self._lock:
            from netcache.metrics.recorder import Metrics

            return Metrics(self.redis, self.settings)

    @cached_property
    def cache(self) -> Any:
        with self._lock:
            from netcache.engine.sync import AnswerCache

            return AnswerCache(self.settings, redis=self.redis, llm=self.llm, metrics=self.metrics)

    def budget(self, *, max_calls_per_run: int | None = None, origin: str = "") -> WarmBudget:
        """A fresh budget for one run (the day's counters are shared in Redis).

        ``max_calls_per_run`` overrides ``warm_max_calls_per_run`` for scheduled jobs whose size is
        chosen on purpose (the nightly top-N refresh, topology warming); the day caps still hold."""
        limits = BudgetLimits.from_settings(self.settings)
        if max_calls_per_run is not None:
            limits = BudgetLimits(max_calls_per_run, limits.max_calls_per_day, limits.max_usd_per_day,
                                  limits.syslog_share)
        return WarmBudget(self.redis, limits, prefix=self.settings.key_prefix, origin=origin)

    def warm_semaphore(self) -> Any:
        """The Redis semaphore bounding warm-up LLM calls across every worker."""
        from netcache.tasks.semaphore import RedisSemaphore

        w = self.settings.worker
        return RedisSemaphore(self.redis, WorkerKeys(self.settings.key_prefix).semaphore("warm"),
                              limit=w.warm_global_concurrency, ttl_s=max(120.0, self.settings.llm.timeout_s * 2))

    def device_state(self) -> Any:
        """A fresh :class:`~tasks.device_state.DeviceState` for one warm run (the device logins of
        ``worker.devices_file`` and the templates' show commands, loaded once per process)."""
        from netcache.tasks.device_state import DeviceState

        devices, commands = self._device_config
        w = self.settings.worker
        return DeviceState(devices, commands, timeout_s=w.device_state_timeout_s,
                           max_chars=w.device_state_max_chars, redis=self.redis, prefix=self.settings.key_prefix)

    @cached_property
    def _device_config(self) -> tuple[dict, dict]:
        from netcache.tasks.device_state import load_devices
        from netcache.tasks.warming import load_template_commands

        return load_devices(self.settings.worker.devices_file), load_template_commands()

    def inventory_devices(self) -> list[str]:
        """Device names from ``CacheSettings.inventory_file`` (empty without one)."""
        path = self.settings.cache.inventory_file
        if path is None:
            return []
        from netcache.matching.entities import load_inventory

        return sorted(load_inventory(path).devices)

    def close(self) -> None:
        """Finish background refreshes, flush metrics, close the clients this Runtime built."""
        built = self.__dict__
        if "cache" in built and hasattr(built["cache"], "close"):
            built["cache"].close()
        if built.get("metrics") is not None:
            built["metrics"].close()
        if "llm" in built and hasattr(built["llm"], "close"):
            built["llm"].close()
        if "state_redis" in built and built["state_redis"] is not built.get("redis"):
            built["state_redis"].close()
        if "redis" in built:
            built["redis"].close()

    def __enter__(self) -> Runtime:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
