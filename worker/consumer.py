"""The dispatcher: events stream → consumer group → rules → coalescing → Celery tasks.

One loop (``Dispatcher.run``), each step:

1. after a start or an error: re-read this consumer's own pending entries
   (``XREADGROUP … 0``), so nothing it read before is forgotten;
2. every ``claim_idle_ms / 2``: ``XAUTOCLAIM`` entries idle longer than
   ``claim_idle_ms`` (a crashed dispatcher's), dead-lettering those delivered
   more than ``max_deliveries`` times (``XPENDING``'s delivery count);
3. read up to ``read_count`` new entries (``XREADGROUP … >``, ``BLOCK block_ms``,
   shortened when a coalescing window is due sooner);
4. decode each with ``netcache.events.stream.decode_entry``: an invalid entry goes to the
   dead-letter stream with its error and original fields and is acknowledged
   in the same MULTI, so it never blocks the group;
5. render the rules' actions, decide leading / folded in one pipelined round
   trip (:mod:`netcache.worker.coalesce`), enqueue the leading ones with
   ``send_task`` (by default the batch's invalidations as ``netcache.invalidate_batch``
   messages, all in one round trip: :class:`CelerySender`), mark them "sent", and only
   then acknowledge (``XACK``, in one MULTI with the batch's dead letters);
6. send the trailing actions of windows that are due;
7. every ``dispatcher_health_interval_s``: refresh the health key
   ``{prefix}:w:health:dispatcher:{hostname}`` and add the counters to
   ``{prefix}:w:stats:dispatcher``.

Guarantees:

* **At least once, exactly once in effect.** An entry is acknowledged only
  after every task it causes was handed to the broker (``send_task``
  returned). Killed between read and ack, the entry stays pending; this
  dispatcher after a restart under the same consumer name, or any other after
  ``claim_idle_ms``, processes it again. The action marker is set to
  ``sent`` right after the batch's ``send_task`` calls return (before the
  ack), so the second pass enqueues nothing; only a crash in the instant
  between ``send_task`` returning and that marker write enqueues the same
  ``action_id`` a second time, which the tasks de-duplicate.
* **Folded events.** An event folded into a coalescing window is
  acknowledged once Redis holds it in the window (fold set + due list); the
  window's trailing action is sent by whichever dispatcher takes the due
  window, under a lease, so it survives the death of the one that folded it.
* **Order.** Inside one dispatcher, entries are processed and their tasks
  enqueued in stream order, so one device's events keep their order within a
  batch and across the batches of one dispatcher. Several dispatchers read
  different batches concurrently, and Celery workers run tasks concurrently,
  so there is no order across dispatchers; invalidation does not need it (an
  invalidation is idempotent, and the trailing edge runs after the last event
  of a window).
* **Where a new group starts.** The group is created (with the stream, MKSTREAM)
  by the first dispatcher, from ``WorkerSettings.group_start_id``: ``"0"``
  (default) processes every event already on the stream, so events published
  before any dispatcher ran (a webhook receiver that started first) are not
  lost; ``"$"`` starts with events published from then on. If Redis loses
  the group (a restart without persistence), it is recreated the same way.
* **A full broker.** While the broker uses more than ``broker_high_water`` of its
  maxmemory, nothing is read or sent (a hold, retried with backoff like an outage): the
  events wait on the stream, and the worker keeps room to take tasks and drain it.
* **Dead consumers.** Every ``claim_idle_ms``, consumers of the group idle longer than
  ``consumer_grace_s`` with nothing pending (XAUTOCLAIM took their entries first) are
  removed (``XGROUP DELCONSUMER``), so the group lists only live dispatchers.
* **Outages.** Redis or broker errors are retried with exponential backoff
  (capped at ``dispatcher_backoff_max_s``), logged once per attempt with the
  redacted URL, counted as ``errors``; the loop never exits on them.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import random
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import Any, Protocol

import redis
from kombu.exceptions import OperationalError as KombuOperationalError

from netcache import lua
from netcache.cluster import CLUSTER_TRANSIENT_ERRORS, check_same_slot
from netcache.connections import redact_url
from netcache.errors import BackendUnavailable, EventError
from netcache.events.stream import decode_entry
from netcache.health import health_key, write_heartbeat
from netcache.keys import WorkerKeys
from netcache.settings import Settings
from netcache.text import to_text
from netcache.worker.coalesce import Coalescer, Decision
from netcache.worker.deadletter import dead_letter_fields
from netcache.worker.rules import INVALIDATE_TASK, Action, RuleSet

__all__ = [
    "TaskSender",
    "CelerySender",
    "INVALIDATE_BATCH_TASK",
    "Counters",
    "Dispatcher",
    "consumer_name",
    "TRANSIENT_ERRORS",
]

log = logging.getLogger(__name__)

#: Errors that mean "Redis or the broker is away right now": retried with backoff.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError, KombuOperationalError,
    BackendUnavailable, ConnectionError, OSError,
    # a full or read-only (failed-over replica) Redis passes too: retried, never a failure
    redis.exceptions.OutOfMemoryError, redis.exceptions.ReadOnlyError,
    # a Redis Cluster failing over, resharding or out of reach (netcache.cluster)
    *CLUSTER_TRANSIENT_ERRORS,
)


#: The broker's high-water mark is checked again every this many sends inside a batch.
HIGH_WATER_EVERY = 25


def consumer_name() -> str:
    """This process's consumer name in the group: ``hostname-pid`` (unique per running dispatcher)."""
    return f"{socket.gethostname()}-{os.getpid()}"


class TaskSender(Protocol):
    """Hands a task to the broker; returns only once the broker holds it.

    A sender may also offer ``session()``, a context manager the dispatcher holds
    around one batch's sends (to reuse one broker connection), and
    ``send_many(items)`` with ``batches = True``: every ``(name, kwargs, queue)`` of
    a read batch at once, returning only once the broker holds them all.
    """

    def send(self, name: str, kwargs: dict[str, Any], queue: str) -> None: ...


#: The task that applies a list of invalidations (tasks/app.py); the batch path sends it.
INVALIDATE_BATCH_TASK = "netcache.invalidate_batch"


class CelerySender:
    """``app.send_task`` by name (the dispatcher never imports the task code).

    Messages go through the default exchange with the queue name as routing
    key: on the Redis transport that is one LPUSH on the queue's list, without
    a binding lookup per message; the worker consumes the same list.
    ``ignore_result``: the dispatcher never waits for results, and asking for
    them would subscribe this process to one result channel per task.

    ``mode`` (default ``WorkerSettings.dispatch_mode``) decides what ``send_many``
    does with a read batch's actions: ``"batch"`` packs the ``netcache.invalidate``
    ones into ``netcache.invalidate_batch`` messages of up to ``batch_max`` actions
    (other tasks go one message each), ``"pipelined"`` sends one message per action;
    both publish inside kombu's ``Producer.batch()``, so the batch's LPUSHes are one
    pipelined round trip on one Redis client. ``"per_action"`` (``batches`` False)
    leaves the dispatcher calling ``send`` once per action, one round trip each.
    """

    def __init__(self, app: Any, mode: str | None = None, batch_max: int | None = None) -> None:
        self.app = app
        self._producer: Any = None
        w = app.netcache_settings.worker if hasattr(app, "netcache_settings") else None
        self.mode = mode or (w.dispatch_mode if w is not None else "per_action")
        if self.mode not in ("batch", "pipelined", "per_action"):
            raise ValueError(f"dispatch mode must be batch, pipelined or per_action, not {self.mode!r}")
        self.batch_max = max(1, batch_max or (w.dispatch_batch_max if w is not None else 100))

    @property
    def batches(self) -> bool:
        return self.mode != "per_action"

    @contextlib.contextmanager
    def session(self) -> Iterator[None]:
        with self.app.producer_or_acquire() as producer:
            self._producer = producer
            try:
                yield
            finally:
                self._producer = None

    def send(self, name: str, kwargs: dict[str, Any], queue: str) -> None:
        # a short kwargsrepr (what `celery inspect` and logs show) instead of a saferepr of everything
        brief = {k: kwargs[k] for k in ("tags", "mode", "action_id", "folded") if k in kwargs}
        self.app.send_task(name, kwargs=kwargs, exchange="", routing_key=queue, ignore_result=True,
                           producer=self._producer, argsrepr="()", kwargsrepr=repr(brief))

    def send_many(self, items: list[tuple[str, dict[str, Any], str]]) -> None:
        """Send every ``(name, kwargs, queue)``; returns once the broker holds them all."""
        messages: list[tuple[str, dict[str, Any], str]] = []
        if self.mode == "batch":
            by_queue: dict[str, list[dict[str, Any]]] = {}
            for name, kwargs, queue in items:
                if name == INVALIDATE_TASK[0]:
                    by_queue.setdefault(queue, []).append(kwargs)
                else:
                    messages.append((name, kwargs, queue))
            for queue, actions in by_queue.items():
                for i in range(0, len(actions), self.batch_max):
                    messages.append((INVALIDATE_BATCH_TASK, {"actions": actions[i:i + self.batch_max]}, queue))
        else:
            messages = list(items)
        with self.app.producer_or_acquire() as producer, producer.batch(max_size=max(1, 2 * len(messages))):
            for name, kwargs, queue in messages:
                if name == INVALIDATE_BATCH_TASK:
                    brief = repr({"actions": len(kwargs["actions"]),
                                  "first": kwargs["actions"][0].get("action_id")})
                else:
                    brief = repr({k: kwargs[k] for k in ("tags", "mode", "action_id", "folded") if k in kwargs})
                self.app.send_task(name, kwargs=kwargs, exchange="", routing_key=queue, ignore_result=True,
                                   producer=producer, argsrepr="()", kwargsrepr=brief)


def _session(sender: TaskSender) -> contextlib.AbstractContextManager[Any]:
    session = getattr(sender, "session", None)
    return session() if session is not None else contextlib.nullcontext()


@dataclass
class Counters:
    """What one dispatcher did since it started."""

    read: int = 0
    actions: int = 0
    coalesced: int = 0
    dead_lettered: int = 0
    claimed: int = 0
    errors: int = 0
    acked: int = 0
    #: deliveries that ended in an outage and do not count against max_deliveries
    refunded: int = 0
    #: dead consumers removed from the group
    reaped: int = 0

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


class _Prometheus:
    """The counters as Prometheus counters in ``registry`` (built per dispatcher, not at import)."""

    def __init__(self, registry: Any) -> None:
        from prometheus_client import Counter

        help_ = {
            "read": "Stream entries read", "actions": "Tasks enqueued (leading and trailing)",
            "coalesced": "Events folded into another event's action", "dead_lettered": "Entries dead-lettered",
            "claimed": "Entries claimed from idle consumers", "errors": "Errors (Redis, broker, unexpected)",
            "acked": "Entries acknowledged",
            "refunded": "Deliveries that ended in an outage (not counted against max_deliveries)",
            "reaped": "Dead consumers removed from the group (idle past the grace, nothing pending)",
        }
        self.counters = {name: Counter(f"netcache_dispatcher_{name}", text, registry=registry)
                         for name, text in help_.items()}

    def add(self, name: str, n: int) -> None:
        if n:
            self.counters[name].inc(n)


class Dispatcher:
    """Consumes the events stream for one consumer of the group (see the module docstring)."""

    def __init__(self, settings: Settings, *, redis_client: redis.Redis, sender: TaskSender, rules: RuleSet,
                 consumer: str | None = None, hostname: str | None = None, registry: Any = None,
                 pause_before_ack_s: float = 0.0, clock: Callable[[], float] = time.monotonic,
                 state_client: redis.Redis | None = None) -> None:
        w = settings.worker
        self.settings = settings
        self.redis = redis_client
        #: the worker's state (coalescing windows, markers, refunds): the noeviction Redis when there is one
        self.state = state_client if state_client is not None else redis_client
        self.sender = sender
        self.rules = rules
        self.stream = settings.events.stream
        self.group = w.consumer_group
        self.dead_stream = w.dead_letter_stream
        self.prefix = settings.key_prefix
        self.hostname = hostname or socket.gethostname()
        self.consumer = consumer or consumer_name()
        self.read_count = max(1, w.read_count)
        self.block_ms = max(1, w.block_ms)
        self.claim_idle_ms = max(1, w.claim_idle_ms)
        self.claim_every_s = min(5.0, max(0.05, self.claim_idle_ms / 2000.0))
        self.max_deliveries = max(1, w.max_deliveries)
        self.health_every_s = max(0.1, w.dispatcher_health_interval_s)
        self.health_ttl_s = max(1, w.health_ttl_s)
        self.backoff_max_s = max(0.1, w.dispatcher_backoff_max_s)
        self.pause_before_ack_s = pause_before_ack_s
        self.clock = clock
        self.coalescer = Coalescer(self.state, prefix=self.prefix, window_s=w.coalesce_window_s,
                                   marker_ttl_s=w.action_marker_ttl_s, lease_ms=self.claim_idle_ms,
                                   stream=self.stream)
        self.counters = Counters()
        self._reported = Counters()
        self._prom = _Prometheus(registry) if registry is not None else None
        self._pending_first = True
        self._last_claim = float("-inf")
        self._last_health = float("-inf")
        self._url = redact_url(settings.redis_url)
        self._refunds_key = WorkerKeys(self.prefix, self.stream).refunds
        self.high_water = w.broker_high_water
        self.consumer_grace_ms = max(self.claim_idle_ms, int(w.consumer_grace_s * 1000))
        self._last_reap = float("-inf")
        self._reap = lua.register(redis_client, "reap_consumers")
        self._room_checked = float("-inf")
        self._sends = 0
        check_same_slot(redis_client, self.stream, self.dead_stream)

    # -- counters -----------------------------------------------------------------------
    def _count(self, name: str, n: int = 1) -> None:
        setattr(self.counters, name, getattr(self.counters, name) + n)
        if self._prom is not None:
            self._prom.add(name, n)

    # -- group ---------------------------------------------------------------------------
    def ensure_group(self) -> bool:
        """Create the consumer group (and the stream) if missing; True if it was created."""
        start = self.settings.worker.group_start_id
        try:
            self.redis.xgroup_create(self.stream, self.group, id=start, mkstream=True)
        except redis.ResponseError as e:
            if "BUSYGROUP" in str(e):
                return False
            raise
        log.info("created consumer group %s on %s (from %s)", self.group, self.stream, start)
        return True

    # -- the loop ------------------------------------------------------------------------
    def run(self, stop: threading.Event | None = None) -> Counters:
        """Run until ``stop`` is set; finishes (and acknowledges) the batch in hand before returning."""
        stop = stop or threading.Event()
        log.info("dispatcher %s on %s: stream %s, group %s", self.consumer, self._url, self.stream, self.group)
        delay = 0.0
        group_ready = False
        while not stop.is_set():
            try:
                if not group_ready:
                    self.ensure_group()
                    group_ready = True
                self.step(stop)
                if delay:
                    log.info("dispatcher %s: Redis and broker reachable again", self.consumer)
                delay = 0.0
            except redis.ResponseError as e:
                self._count("errors")
                self._pending_first = True
                if "NOGROUP" in str(e):  # Redis lost its data (restart without persistence)
                    log.warning("consumer group %s is gone (Redis restarted empty?): recreating it", self.group)
                    group_ready = False
                    continue
                delay = self._backoff(delay)
                log.error("dispatcher %s: Redis error: %s; retrying in %.1f s", self.consumer, e, delay)
                stop.wait(delay)
            except TRANSIENT_ERRORS as e:
                self._count("errors")
                self._pending_first = True
                delay = self._backoff(delay)
                log.warning("dispatcher %s: Redis/broker at %s unavailable (%s: %s); retrying in %.1f s",
                            self.consumer, self._url, type(e).__name__, e, delay)
                stop.wait(delay)
            except Exception:  # a bug must not kill the loop; the entry stays pending and is retried
                self._count("errors")
                self._pending_first = True
                delay = self._backoff(delay)
                log.exception("dispatcher %s: unexpected error; retrying in %.1f s", self.consumer, delay)
                stop.wait(delay)
        try:
            self.report(final=True)
        except TRANSIENT_ERRORS + (redis.RedisError,):
            pass
        log.info("dispatcher %s stopped: %s", self.consumer, json.dumps(self.counters.to_dict()))
        return self.counters

    def _backoff(self, delay: float) -> float:
        base = 0.1 if not delay else min(self.backoff_max_s, delay * 2)
        return min(self.backoff_max_s, base * (0.8 + 0.4 * random.random()))

    def _broker_room(self) -> None:
        """Raise BackendUnavailable (a hold, retried with backoff) while the broker is above its
        high-water mark, so a full broker keeps room for workers to take tasks (tasks/transport.py)."""
        if self.high_water <= 0 or self.clock() < self._room_checked + 1.0:
            return
        info = self.state.info("memory")
        used, limit = int(info.get("used_memory", 0)), int(info.get("maxmemory", 0) or 0)
        if limit and used > self.high_water * limit:
            self._room_checked = float("-inf")  # look again next round
            if self.clock() - self._last_health >= self.health_every_s:
                self.report()  # holding is not being down
            raise BackendUnavailable(f"the broker uses {used / limit:.0%} of its maxmemory (high-water mark "
                                     f"{self.high_water:.0%}): holding events until workers drain it")
        self._room_checked = self.clock()

    def step(self, stop: threading.Event | None = None) -> int:
        """One round (own pending, claim, read, process, trailing edges, health); entries handled."""
        handled = 0
        self._broker_room()
        if self._pending_first:
            entries = self._read("0")
            if entries:
                handled += self.process(entries, check_deliveries=True)
            else:
                self._pending_first = False
        now = self.clock()
        if now - self._last_claim >= self.claim_every_s:
            self._last_claim = now
            handled += self.claim()
            if now - self._last_reap >= self.claim_idle_ms / 1000:
                self._last_reap = now
                self.reap_consumers()
        if not self._pending_first and not (stop is not None and stop.is_set()):
            block_ms = self.block_ms
            due_s = self.coalescer.next_due_in_s()
            if due_s is not None:
                block_ms = max(1, min(block_ms, int(due_s * 1000) + 1))
            entries = self._read(">", block_ms=block_ms)
            if entries:
                handled += self.process(entries, check_deliveries=False)
        self.flush_due()
        if self.clock() - self._last_health >= self.health_every_s:
            self.report()
        return handled

    def _read(self, start: str, block_ms: int | None = None) -> list[tuple[str, dict | None]]:
        reply = self.redis.xreadgroup(self.group, self.consumer, {self.stream: start},
                                      count=self.read_count, block=block_ms)
        if not reply:
            return []
        entries = reply[0][1] if isinstance(reply, list) else next(iter(reply.values()))[0]
        return [(to_text(i), f) for i, f in entries]

    def claim(self) -> int:
        """XAUTOCLAIM idle entries of any consumer (crashed ones) and process them."""
        handled = 0
        cursor = "0-0"
        for _ in range(10):  # bounded per round; the rest next round
            reply = self.redis.xautoclaim(self.stream, self.group, self.consumer, self.claim_idle_ms,
                                          start_id=cursor, count=self.read_count)
            cursor, entries = to_text(reply[0]), reply[1]
            entries = [(to_text(i), f) for i, f in entries]
            if entries:
                self._count("claimed", len(entries))
                log.info("dispatcher %s claimed %d idle entries", self.consumer, len(entries))
                handled += self.process(entries, check_deliveries=True)
            if cursor == "0-0":
                break
        return handled

    def reap_consumers(self) -> list[str]:
        """Remove consumers idle past ``consumer_grace_s`` with nothing pending (their entries were
        claimed first); names removed."""
        removed = [to_text(n) for n in self._reap(keys=[self.stream],
                                                   args=[self.group, self.consumer_grace_ms, self.consumer])]
        if removed:
            self._count("reaped", len(removed))
            log.info("dispatcher %s removed %d dead consumer(s) from %s: %s", self.consumer, len(removed),
                     self.group, ", ".join(removed))
        return removed

    # -- one batch -----------------------------------------------------------------------
    def _deliveries(self, ids: list[str]) -> dict[str, int]:
        """Deliveries that count against max_deliveries: XPENDING's, less those refunded for outages."""
        if not ids:
            return {}
        rows = self.redis.xpending_range(self.stream, self.group, min=ids[0], max=ids[-1],
                                         count=len(ids) + 1000, consumername=self.consumer)
        refunds = dict(zip(ids, self.state.hmget(self._refunds_key, ids)))
        return {to_text(r["message_id"]): max(1, int(r["times_delivered"]) - int(refunds.get(to_text(r["message_id"])) or 0))
                for r in rows}

    def _refund(self, entry_ids: list[str]) -> None:
        """This delivery of ``entry_ids`` ended in an outage: it does not count (best effort)."""
        if not entry_ids:
            return
        try:
            pipe = self.state.pipeline(transaction=False)
            for entry_id in entry_ids:
                pipe.hincrby(self._refunds_key, entry_id, 1)
            pipe.execute()
            self._count("refunded", len(entry_ids))
        except TRANSIENT_ERRORS + (redis.RedisError,):
            log.debug("could not refund %d deliveries (Redis away too); they count", len(entry_ids))

    def process(self, entries: list[tuple[str, dict | None]], *, check_deliveries: bool) -> int:
        """Dead-letter, decide, enqueue, then acknowledge ``entries`` (in stream order)."""
        self._count("read", len(entries))
        deliveries = self._deliveries([i for i, _ in entries]) if check_deliveries else {}
        dead: list[tuple[str, dict | None, str, int]] = []
        ack_only: list[str] = []
        work: list[tuple[str, Action]] = []
        for entry_id, fields in entries:
            n = deliveries.get(entry_id, 1)
            if not fields:  # deleted from the stream (trimmed) while pending
                ack_only.append(entry_id)
                continue
            if n > self.max_deliveries:
                dead.append((entry_id, fields, f"delivered {n} times (max_deliveries={self.max_deliveries})", n))
                continue
            try:
                event = decode_entry(fields, entry_id)
                actions = self.rules.actions_for(event)
            except EventError as e:
                dead.append((entry_id, fields, str(e), n))
                continue
            except (KeyError, ValueError, IndexError, TypeError) as e:  # a rule that cannot render
                dead.append((entry_id, fields, f"rules {self.rules.source}: {type(e).__name__}: {e}", n))
                continue
            work.extend((entry_id, a) for a in actions)

        decisions = self.coalescer.decide_many(work)
        entry_order = [i for i, _ in entries]
        sends_left: dict[str, int] = {}
        for (entry_id, _), d in zip(work, decisions):
            if d.outcome == "lead":
                sends_left[entry_id] = sends_left.get(entry_id, 0) + 1
            elif d.outcome == "fold":
                self._count("coalesced")
        leads = [(entry_id, action, d) for (entry_id, action), d in zip(work, decisions) if d.outcome == "lead"]
        sent, failure = self._send_leads(leads)
        sent_ids = [action_id for _, action_id in sent]
        for entry_id, _ in sent:
            sends_left[entry_id] -= 1
        if sent_ids:  # remembered at once, so a crash before the ack does not enqueue them again
            marks = self.state.pipeline(transaction=False)
            self.coalescer.mark_sent(sent_ids, marks)
            marks.execute()
        if self.pause_before_ack_s > 0:
            log.warning("debug: %d tasks enqueued, pausing %.1f s before ack", len(sent_ids), self.pause_before_ack_s)
            time.sleep(self.pause_before_ack_s)
        dead_ids = {d[0] for d in dead}
        done = [i for i in entry_order if i not in dead_ids and sends_left.get(i, 0) == 0]
        pipe = self.redis.pipeline(transaction=True)
        for entry_id, fields, error, n in dead:
            pipe.xadd(self.dead_stream, dead_letter_fields(fields, error=error, deliveries=n, source_id=entry_id,
                                                           consumer=self.consumer),
                      maxlen=self.settings.events.stream_maxlen, approximate=True)
            log.warning("dead letter %s: %s", entry_id, error)
        to_ack = done + [d[0] for d in dead]
        if to_ack:
            pipe.xack(self.stream, self.group, *to_ack)
        pipe.execute()
        if to_ack:  # after the ack: a crash in between leaves a field that only lowers a count
            self.state.hdel(self._refunds_key, *to_ack)
        self._count("dead_lettered", len(dead))
        self._count("acked", len(to_ack))
        if ack_only:
            self.redis.xack(self.stream, self.group, *ack_only)
            self._count("acked", len(ack_only))
        if failure is not None:
            if isinstance(failure, TRANSIENT_ERRORS):  # an outage: these deliveries are not the entries' fault
                acked = set(to_ack)
                self._refund([i for i in entry_order if i not in acked and i not in ack_only])
            raise failure
        return len(entries)

    def _send_leads(self, leads: list[tuple[str, Action, Decision]]
                    ) -> tuple[list[tuple[str, str]], BaseException | None]:
        """Enqueue the leading actions of one read batch; ``(entry id, action id)`` sent, and the failure.

        A sender that ``batches`` gets them all in one ``send_many`` (one round trip to the
        broker); if that fails for a reason other than an outage (a task that cannot be
        serialised), they are sent one by one so only the bad entry stays pending. An outage
        stops the sends: what was sent is acknowledged, the rest stays pending (a batch that
        failed mid-way may have reached the broker in part: its actions go again, and the
        tasks de-duplicate by ``action_id``).
        """
        sent: list[tuple[str, str]] = []
        if not leads:
            return sent, None
        if getattr(self.sender, "batches", False):
            items = [(a.task, self._kwargs(a, d, entry_id), a.queue) for entry_id, a, d in leads]
            try:
                self._room_checked = float("-inf")  # a batch must not overshoot the high-water mark
                self._broker_room()
                self.sender.send_many(items)  # type: ignore[attr-defined]
            except TRANSIENT_ERRORS as e:
                return sent, e
            except Exception as e:  # noqa: BLE001 - isolate the entry at fault below
                log.warning("dispatcher %s: batch of %d actions not enqueued (%s: %s); sending them one by one",
                            self.consumer, len(leads), type(e).__name__, e)
            else:
                self._count("actions", len(leads))
                return [(entry_id, d.action_id) for entry_id, _, d in leads], None
        failure: BaseException | None = None
        failed: set[str] = set()
        try:
            with _session(self.sender):
                for entry_id, action, d in leads:
                    if entry_id in failed:
                        continue
                    try:
                        self._send(action, d, entry_id)
                    except TRANSIENT_ERRORS:
                        raise  # the broker is away: stop; what was sent is acknowledged
                    except Exception as e:  # this entry cannot be sent: it stays pending, the others go on
                        failed.add(entry_id)
                        failure = e
                        log.error("dispatcher %s: cannot enqueue %s for entry %s: %s: %s", self.consumer,
                                  action.task, entry_id, type(e).__name__, e)
                        continue
                    sent.append((entry_id, d.action_id))
        except TRANSIENT_ERRORS as e:
            failure = e
        return sent, failure

    @staticmethod
    def _kwargs(action: Action, decision: Decision, entry_id: str, folded: int = 0) -> dict[str, Any]:
        reason = f"{action.event_type} {action.target} (event {entry_id})"
        return action.kwargs(action_id=decision.action_id, reason=reason, folded=folded)

    def _send(self, action: Action, decision: Decision, entry_id: str, folded: int = 0) -> None:
        self._sends += 1
        if self._sends % HIGH_WATER_EVERY == 0:  # a big batch must not overshoot the mark either
            self._room_checked = float("-inf")
            self._broker_room()
        self.sender.send(action.task, self._kwargs(action, decision, entry_id, folded), action.queue)
        self._count("actions")

    # -- trailing edges ------------------------------------------------------------------
    def flush_due(self) -> int:
        """Send the trailing action of every window that is due; returns how many were sent.

        A sender that ``batches`` gets them in one ``send_many`` before any window is
        finished (a crash in between: the leases expire and the windows are sent again,
        under the same action ids)."""
        windows = self.coalescer.claim_due(limit=self.read_count)
        if not windows:
            return 0
        items = []
        for window in windows:
            if window.action is not None and window.folded > 0:
                a = window.action
                reason = f"{a.event_type} {a.target} (trailing edge: {window.folded} events folded)"
                items.append((a.task, a.kwargs(action_id=window.action_id, reason=reason, folded=window.folded),
                              a.queue))
        if items:
            self._broker_room()
        if items and getattr(self.sender, "batches", False):
            self.sender.send_many(items)  # type: ignore[attr-defined]
        elif items:
            with _session(self.sender):
                for name, kwargs, queue in items:
                    self.sender.send(name, kwargs, queue)
        self._count("actions", len(items))
        finished = self.state.pipeline(transaction=False)  # one round trip for the batch's windows
        for window in windows:
            self.coalescer.finish(window, finished)
        finished.execute()
        return len(items)

    # -- health and counters -------------------------------------------------------------
    def report(self, *, final: bool = False) -> None:
        """Refresh the health key (deleted on a clean stop) and add new counts to the shared hash."""
        self._last_health = self.clock()
        now = self.counters.to_dict()
        before = self._reported.to_dict()
        pipe = self.redis.pipeline(transaction=False)
        for name, value in now.items():
            if value - before[name]:
                pipe.hincrby(WorkerKeys(self.prefix).stats("dispatcher"), name, value - before[name])
        key = health_key(self.prefix, "dispatcher", self.hostname)
        if final:  # a clean stop says so at once, unless another dispatcher on this host wrote the key
            current = self.redis.get(key)
            if current is not None and json.loads(current).get("consumer") == self.consumer:
                pipe.delete(key)
        else:
            write_heartbeat(pipe, key, self.health_ttl_s, consumer=self.consumer, counters=now)
        pipe.execute()
        self._reported = Counters(**now)
