"""Put events on the Redis stream, once each.

``EventPublisher(redis, settings).publish(event)`` XADDs the event to
``settings.events.stream`` (approximate MAXLEN trimming) and returns its stream
id, or ``None`` when an event with the same id was already published inside
``dedup_window_s``. The "seen" marker ``{prefix}:ev:{<stream>}:seen:<id>`` and the XADD are
written by one Lua script (``netcache/lua/publish.lua``, one call per batch of up to
500 events), so a crash or a lost reply can neither lose the
event nor put it on the stream twice: a retry after a lost reply returns ``None``. The
markers carry the stream's name as hash tag, so on a Redis Cluster the script's keys are in
the stream's slot (netcache.keys.EventKeys).

Connection failures are retried with exponential backoff and jitter
(``publish_retries``, ``publish_backoff_ms`` … ``publish_backoff_max_ms``) and
then raised as ``BackendUnavailable``. ``AsyncEventPublisher`` is the same on
``redis.asyncio`` (used by the syslog listener, which buffers while Redis is down).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import redis
import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from netcache import lua
from netcache.errors import BackendUnavailable
from netcache.events.models import EventBase
from netcache.events.stream import encode_entry
from netcache.keys import EventKeys
from netcache.settings import Settings
from netcache.text import to_text

__all__ = ["EventPublisher", "AsyncEventPublisher", "seen_key", "BATCH_SIZE"]


#: Events per script call (one call blocks Redis for roughly this many XADDs).
BATCH_SIZE = 500

_TRANSIENT = (RedisConnectionError, RedisTimeoutError, ConnectionError, OSError)


def seen_key(prefix: str, event_id: str, stream: str | None = None) -> str:
    """The de-duplication marker of one event id on ``stream`` (default: the prefix's stream)."""
    return EventKeys(prefix, stream).seen(event_id)


class _Core:
    """What the sync and async publishers share: script arguments, backoff, counters."""

    def __init__(self, settings: Settings, retries: int | None) -> None:
        ev = settings.events
        self.stream = ev.stream
        self.prefix = settings.key_prefix
        self.maxlen = ev.stream_maxlen
        self.window_s = ev.dedup_window_s
        self.retries = ev.publish_retries if retries is None else retries
        self.backoff_ms = ev.publish_backoff_ms
        self.backoff_max_ms = ev.publish_backoff_max_ms
        self.redis_name = "Redis"
        #: published, duplicates, retries (since this publisher was built)
        self.counts: dict[str, int] = {"published": 0, "duplicates": 0, "retries": 0}

    def batches(self, events: Iterable[EventBase]) -> list[tuple[list[str], list[str]]]:
        """(keys, args) of each script call, BATCH_SIZE events per call."""
        calls: list[tuple[list[str], list[str]]] = []
        keys: list[str] = []
        args: list[str] = []
        for event in events:
            fields = encode_entry(event)
            if not keys:
                keys = [self.stream]
                args = [str(self.window_s), str(self.maxlen), str(len(fields))]
            keys.append(seen_key(self.prefix, event.id, self.stream))
            for k, v in fields.items():
                args += [k, v]
            if len(keys) > BATCH_SIZE:
                calls.append((keys, args))
                keys, args = [], []
        if keys:
            calls.append((keys, args))
        return calls

    def delays_s(self) -> Iterator[float]:
        for attempt in range(self.retries):
            cap = min(self.backoff_max_ms, self.backoff_ms * (2 ** attempt))
            yield cap * random.uniform(0.5, 1.0) / 1000.0

    def results(self, raw: list[Any]) -> list[str | None]:
        out: list[str | None] = []
        for r in raw:
            if r is None:
                self.counts["duplicates"] += 1
                out.append(None)
            else:
                self.counts["published"] += 1
                out.append(to_text(r))
        return out

    def unavailable(self, e: Exception, attempts: int) -> BackendUnavailable:
        return BackendUnavailable(
            f"could not publish to stream {self.stream!r} on {self.redis_name} "
            f"after {attempts} attempt(s): {type(e).__name__}: {e}")

    def refused(self, e: ResponseError) -> BackendUnavailable:
        return BackendUnavailable(f"{self.redis_name} refused the XADD to {self.stream!r}: {e}")


def _redis_name(client: Any) -> str:
    try:
        kw = client.connection_pool.connection_kwargs
        return f"redis at {kw.get('host', '?')}:{kw.get('port', '?')}/{kw.get('db', 0)}"
    except AttributeError:  # pragma: no cover - exotic clients
        return "Redis"


class EventPublisher:
    """Synchronous publisher (webhooks, Netmiko pushes, the operator CLI)."""

    def __init__(self, redis_client: redis.Redis, settings: Settings, *, retries: int | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.redis = redis_client
        self._core = _Core(settings, retries)
        self._core.redis_name = _redis_name(redis_client)
        self._script = lua.register(redis_client, "publish")
        self._sleep = sleep

    @property
    def counts(self) -> dict[str, int]:
        return self._core.counts

    def publish(self, event: EventBase) -> str | None:
        """XADD ``event``; its stream id, or None if the same id was published inside the window."""
        return self.publish_many([event])[0]

    def publish_many(self, events: Iterable[EventBase]) -> list[str | None]:
        """Publish in batched script calls; one result per event, in order (None = duplicate)."""
        calls = self._core.batches(events)
        if not calls:
            return []

        out: list[str | None] = []
        for keys, args in calls:  # each batch retried on its own: earlier ones stay published
            delays = self._core.delays_s()
            attempts = 0
            while True:
                attempts += 1
                try:
                    out += self._core.results(self._script(keys=keys, args=args))
                    break
                except ResponseError as e:
                    raise self._core.refused(e) from e
                except _TRANSIENT as e:
                    delay = next(delays, None)
                    if delay is None:
                        raise self._core.unavailable(e, attempts) from e
                    self._core.counts["retries"] += 1
                    self._sleep(delay)
        return out


class AsyncEventPublisher:
    """The same on ``redis.asyncio``."""

    def __init__(self, redis_client: aioredis.Redis, settings: Settings, *, retries: int | None = None) -> None:
        self.redis = redis_client
        self._core = _Core(settings, retries)
        self._core.redis_name = _redis_name(redis_client)
        self._script = lua.register(redis_client, "publish")

    @property
    def counts(self) -> dict[str, int]:
        return self._core.counts

    async def publish(self, event: EventBase) -> str | None:
        return (await self.publish_many([event]))[0]

    async def publish_many(self, events: Iterable[EventBase]) -> list[str | None]:
        calls = self._core.batches(events)
        if not calls:
            return []

        out: list[str | None] = []
        for keys, args in calls:
            delays = self._core.delays_s()
            attempts = 0
            while True:
                attempts += 1
                try:
                    out += self._core.results(await self._script(keys=keys, args=args))
                    break
                except ResponseError as e:
                    raise self._core.refused(e) from e
                except _TRANSIENT as e:
                    delay = next(delays, None)
                    if delay is None:
                        raise self._core.unavailable(e, attempts) from e
                    self._core.counts["retries"] += 1
                    await asyncio.sleep(delay)
        return out
