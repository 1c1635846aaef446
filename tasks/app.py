"""The Celery app: ``make_app(settings)`` builds it, with netcache's tasks registered.

Broker: Redis at ``WorkerSettings.broker_url`` (default: ``Settings.redis_url``;
``rediss://`` gets TLS options from ``netcache.connections.celery_ssl_options``). The broker is
a standalone Redis (kombu's Redis transport has no Cluster support): with a Redis Cluster in
``NETCACHE_REDIS_URL``, ``NETCACHE_WORKER__BROKER_URL`` must name a standalone Redis; its
high-availability route is Sentinel (kombu's ``sentinel://`` transport), not the cluster.
Results: not stored (``task_ignore_result``; nothing waits on them, tasks chain by
``send_task``), so the broker does not fill with one result per task; progress lives under
netcache's own keys (``{prefix}:w:progress:{action_id}``, with a TTL). A task that fails for
good (not a retry) leaves a dead letter in ``{prefix}:w:tasks:dead`` (task, arguments, error)
and a count in ``{prefix}:w:stats:tasks``, so an invalidation that never happened is visible.

Delivery: JSON only; ``task_acks_late`` + ``task_reject_on_worker_lost`` +
``worker_prefetch_multiplier=1``, so a task whose worker dies mid-way is
redelivered (every task is idempotent). The broker's visibility timeout
(``visibility_timeout_s``) is short, 40 s, so a killed worker's tasks are back within
a minute; the worker's watch (``netcache.tasks.health``) keeps moving the delivery time
of the tasks it holds while its pool is alive, so a long invalidation is not handed out
twice, and it ends the process (exit 1) instead of wedging when the pool is gone. A full
or read-only broker is an outage the consumer reconnects from
(``netcache.tasks.transport``), not an "Unrecoverable error". Time limits
are enforced by the prefork pool only (``netcache celery-worker`` uses it by
default); an invalidation that reaches the soft limit continues in a new run
under the same action id instead of failing half done.

Queues: ``invalidate`` (netcache.invalidate, and netcache.invalidate_batch: a list of
invalidations in one message, what the dispatcher sends by default) and ``warm`` (the rest).
Transient failures (Redis unreachable, full or read-only) retry with exponential backoff and
jitter; they are logged as retries, not failures. ``BudgetExceeded`` is not
transient: the warm run stops and reports it.

Tasks are thin: each builds nothing itself but asks its base class for the
process's :class:`~tasks.runtime.Runtime` and calls a plain function
(``netcache.tasks.invalidation``, ``netcache.tasks.warming``, ``netcache.tasks.refresh``).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from contextlib import contextmanager
from typing import Any

import redis
from celery import Celery, Task
from celery.exceptions import SoftTimeLimitExceeded
from kombu import Exchange, Queue
from kombu.exceptions import OperationalError as KombuOperationalError

from netcache.cluster import CLUSTER_TRANSIENT_ERRORS, is_cluster_url
from netcache.connections import celery_ssl_options, redact_url, require_server
from netcache.errors import BackendUnavailable, ConfigError
from netcache.keys import WorkerKeys
from netcache.settings import Settings
from netcache.tasks.health import HealthStep
from netcache.tasks.invalidation import run_invalidation
from netcache.tasks.refresh import refresh_expiring, refresh_top, warm_topology
from netcache.tasks.runtime import Runtime
from netcache.tasks.schedule import SCHEDULER, beat_schedule
from netcache.tasks.warming import load_templates, run_warm

__all__ = ["make_app", "NetcacheTask", "TASK_QUEUES", "TRANSIENT_ERRORS", "QUEUES"]

log = logging.getLogger(__name__)

#: Queue names.
QUEUES = ("invalidate", "warm")
#: Task name → queue.
TASK_QUEUES = {
    "netcache.invalidate": "invalidate",
    "netcache.invalidate_batch": "invalidate",
    "netcache.warm": "warm",
    "netcache.refresh_top": "warm",
    "netcache.refresh_expiring": "warm",
    "netcache.warm_topology": "warm",
    "netcache.sweep": "warm",
}
#: Errors worth retrying (with backoff and jitter): a backing service is away for a moment.
TRANSIENT_ERRORS = (BackendUnavailable, redis.ConnectionError, redis.TimeoutError,
                    redis.exceptions.OutOfMemoryError, redis.exceptions.ReadOnlyError,
                    # kombu's wrapper of the same when a task enqueues another (a full broker, say)
                    KombuOperationalError, *CLUSTER_TRANSIENT_ERRORS)
#: Dead letters of tasks that failed for good: at most this many are kept.
TASK_DEAD_LETTERS_MAX = 10_000
_DEFAULT_EXCHANGE = Exchange("", type="direct")
#: Retry a transient failure this many times (backoff 1, 2, 4 … capped at 60 s, jittered).
MAX_RETRIES = 8


class NetcacheTask(Task):
    """Base task: the process's one Runtime (Redis, LLM, cache), built on first use.

    It hangs off the app, so every task of the process shares one AnswerCache (one vector
    index in memory); a prefork child builds its own after the fork."""

    _runtime_lock = threading.Lock()

    @property
    def runtime(self) -> Runtime:
        app = self.app
        rt = getattr(app, "netcache_runtime", None)
        if rt is None:
            with self._runtime_lock:
                rt = getattr(app, "netcache_runtime", None)
                if rt is None:
                    rt = app.netcache_runtime = Runtime(app.netcache_settings)
        return rt

    def on_failure(self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        """A task failed for good (retries spent, or an error that is not transient): keep it."""
        self.dead_letter(self.name, task_id, kwargs, exc)

    def dead_letter(self, name: str, task_id: str, kwargs: Any, exc: BaseException) -> None:
        """Record task ``name`` (or one action of a batch) as failed for good: dead letter, counter, log."""
        settings: Settings = self.app.netcache_settings
        keys = WorkerKeys(settings.key_prefix)
        try:
            client = self.runtime.redis
            pipe = client.pipeline(transaction=False)
            pipe.xadd(keys.tasks_dead, {
                "task": name, "task_id": task_id or "",
                "kwargs": json.dumps(kwargs or {}, default=str)[:65_536],
                "error": f"{type(exc).__name__}: {exc}"[:2000], "at": repr(time.time()),
            }, maxlen=TASK_DEAD_LETTERS_MAX, approximate=True)
            pipe.hincrby(keys.stats("tasks"), f"failed:{name}", 1)
            pipe.execute()
        except Exception as e:  # noqa: BLE001 - recording the failure must not hide it
            log.error("task %s %s failed and its dead letter could not be written: %s", name, task_id, e)
        log.error("task %s %s failed for good: %s: %s", name, task_id, type(exc).__name__, exc)


def _retry_opts() -> dict[str, Any]:
    return {
        "autoretry_for": TRANSIENT_ERRORS,
        "retry_backoff": True,
        "retry_backoff_max": 60,
        "retry_jitter": True,
        "max_retries": MAX_RETRIES,
    }


def make_app(settings: Settings) -> Celery:
    """A Celery app for ``settings`` with netcache's tasks, queues and beat schedule."""
    broker = settings.worker.broker_url or settings.redis_url
    require_server(settings, "the Celery app (worker, beat)", broker)
    if is_cluster_url(broker):
        raise ConfigError(f"Celery's broker cannot be a Redis Cluster ({redact_url(broker)}): set "
                          "NETCACHE_WORKER__BROKER_URL to a standalone Redis (redis://host:6379/1); the cache, "
                          "the events stream and the dispatcher may stay on the cluster")
    app = Celery("netcache", broker=broker, backend=broker, set_as_current=False)
    app.netcache_settings = settings
    w = settings.worker
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_accept_content=["json"],
        # the default (nameless) exchange: a message goes to the queue named by its routing key,
        # with no binding table in Redis to lose (the dispatcher publishes the same way)
        task_queues=[Queue(name, _DEFAULT_EXCHANGE, routing_key=name) for name in QUEUES],
        task_default_queue="warm",
        task_default_exchange="",
        task_default_routing_key="warm",
        task_routes={name: {"queue": q, "exchange": "", "routing_key": q} for name, q in TASK_QUEUES.items()},
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_track_started=False,
        task_ignore_result=True,
        worker_prefetch_multiplier=1,
        task_time_limit=w.task_time_limit_s,
        task_soft_time_limit=w.task_soft_time_limit_s,
        # kombu's Redis transport with a full / read-only broker as an outage (tasks/transport.py)
        broker_transport="netcache.tasks.transport:Transport",
        broker_transport_options={
            "visibility_timeout": w.visibility_timeout_s,
            # sweep for tasks of dead workers every interval (kombu's default scans every 10th)
            "unacked_restore_interval": w.unacked_restore_interval_s,
            "unacked_restore_throttle": 1,
        },
        result_backend_transport_options={"visibility_timeout": w.visibility_timeout_s},
        result_expires=w.result_expires_s,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        timezone=w.timezone,
        enable_utc=True,
        beat_scheduler=SCHEDULER,
        beat_max_loop_interval=5,
        redbeat_redis_url=broker,
        # RedBeat's client options, set explicitly (not the broker's transport options)
        redbeat_redis_options={},
        redbeat_key_prefix=WorkerKeys(settings.key_prefix).redbeat_prefix,
        redbeat_lock_key=WorkerKeys(settings.key_prefix).redbeat_lock,
        redbeat_lock_timeout=w.beat_lock_timeout_s,
    )
    ssl_opts = celery_ssl_options(settings, broker)
    if ssl_opts:
        app.conf.broker_use_ssl = ssl_opts
        app.conf.redis_backend_use_ssl = ssl_opts
        # RedBeat builds its client from the rediss:// URL (which implies TLS) plus these; an
        # "ssl" key in redbeat_redis_options reached redis-py as an unknown argument (TypeError)
        app.conf.redbeat_redis_use_ssl = ssl_opts
    app.conf.beat_schedule = beat_schedule(settings, app=app)
    app.steps["worker"].add(HealthStep)
    _register_tasks(app)
    log.debug("celery app on %s", redact_url(broker))
    return app


def _register_tasks(app: Celery) -> None:
    settings: Settings = app.netcache_settings
    w = settings.worker

    def invalidate_one(task: NetcacheTask, tags: list[str], mode: str = "hard", warm: list[dict] | None = None,
                       reason: str = "", action_id: str | None = None, folded: int = 0,
                       warm_limit: int | None = None, origin: str = "", only_asked: bool = True) -> dict:
        limit = w.warm_max_calls_per_run if warm_limit is None else max(0, int(warm_limit))
        rt = task.runtime
        aid = action_id or task.request.id

        def enqueue_warm(questions: list[dict], why: str, warm_aid: str) -> None:
            app.send_task("netcache.warm", kwargs={"questions": questions, "reason": why, "action_id": warm_aid,
                                                   "origin": origin},
                          queue="warm")

        if folded:
            log.info("invalidation %s stands for %d coalesced events", aid, folded)
        with _counting_rejections(rt, "netcache.invalidate"):
            if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
                raise ConfigError(f"tags must be a list of strings, got {tags!r}")
            return run_invalidation(
                rt.cache, rt.state_redis, tags=tags, mode=mode, warm=warm or [], reason=reason,
                action_id=aid, batch_size=w.invalidate_batch_size,
                pause_ms=w.invalidate_pause_ms, warm_limit=limit,
                prefix=settings.key_prefix, enqueue_warm=enqueue_warm, only_asked=bool(only_asked),
                warm_burst_s=w.warm_burst_s,
            ).to_dict()

    @app.task(bind=True, base=NetcacheTask, name="netcache.invalidate", shared=False, **_retry_opts())
    def invalidate(self, tags: list[str], mode: str = "hard", warm: list[dict] | None = None,
                   reason: str = "", action_id: str | None = None, folded: int = 0,
                   warm_limit: int | None = None, origin: str = "", only_asked: bool = True) -> dict:
        """Gradual invalidation of every entry carrying one of ``tags``; then re-warm the most-asked
        ``warm_limit`` of them (None = ``worker.warm_max_calls_per_run``; 0 = no re-warm), only those
        the query log has seen unless ``only_asked`` is false (an operator's explicit ``--warm N``)."""
        try:
            return invalidate_one(self, tags, mode, warm, reason, action_id, folded, warm_limit, origin, only_asked)
        except SoftTimeLimitExceeded:
            # too big for one run: continue in a new one (same action id, so it picks up
            # where this one stopped) instead of failing half done
            log.warning("invalidation %s hit the soft time limit; continuing in a new run",
                        action_id or self.request.id)
            raise self.retry(kwargs={"tags": tags, "mode": mode, "warm": warm or [], "reason": reason,
                                     "action_id": action_id or self.request.id, "folded": folded,
                                     "warm_limit": warm_limit, "origin": origin, "only_asked": only_asked},
                             countdown=0, max_retries=None) from None

    @app.task(bind=True, base=NetcacheTask, name="netcache.invalidate_batch", shared=False, **_retry_opts())
    def invalidate_batch(self, actions: list[dict]) -> dict:
        """The dispatcher's batch path: each of ``actions`` (``netcache.invalidate`` keyword
        arguments) run as that task would run it, in order, under its own ``action_id``.

        One action that fails for good (bad arguments, a bug) is dead-lettered as a
        ``netcache.invalidate`` and counted; the others go on. A transient failure retries the
        whole batch: the actions already done return their stored result (idempotent by
        ``action_id``), so only the rest runs again; so does the soft time limit.
        """
        rt = self.runtime
        with _counting_rejections(rt, "netcache.invalidate_batch"):
            if not isinstance(actions, list) or not all(isinstance(a, dict) for a in actions):
                raise ConfigError(f"actions must be a list of netcache.invalidate arguments, got {actions!r:.200}")
        done = failed = 0
        for kwargs in actions:
            try:
                invalidate_one(self, **kwargs)
                done += 1
            except TRANSIENT_ERRORS:
                raise
            except SoftTimeLimitExceeded:
                log.warning("invalidation batch %s hit the soft time limit after %d of %d; continuing in a new run",
                            self.request.id, done + failed, len(actions))
                raise self.retry(kwargs={"actions": actions}, countdown=0, max_retries=None) from None
            except Exception as e:  # noqa: BLE001 - one bad action must not hold back the rest of the batch
                failed += 1
                self.dead_letter("netcache.invalidate", str(kwargs.get("action_id") or ""), kwargs, e)
        return {"actions": len(actions), "done": done, "failed": failed}

    @app.task(bind=True, base=NetcacheTask, name="netcache.warm", shared=False, **_retry_opts())
    def warm(self, questions: list[dict], reason: str = "", action_id: str | None = None,
             origin: str = "") -> dict:
        """Ask ``questions`` through the cache within the warming budget (``origin`` syslog: its share)."""
        rt = self.runtime
        with _counting_rejections(rt, "netcache.warm"):
            if not isinstance(questions, list):
                raise ConfigError(f"questions must be a list of {{'prompt': ...}} objects, got {questions!r}")
            result = run_warm(rt.cache, rt.llm, rt.budget(origin=origin), questions, reason=reason,
                              action_id=action_id or self.request.id or "", concurrency=w.warm_concurrency,
                              metrics=rt.metrics, semaphore=rt.warm_semaphore(), slot_wait_s=w.warm_slot_wait_s,
                              device_state=rt.device_state())
        _record_warm(rt, result.to_dict())
        return result.to_dict()

    @app.task(bind=True, base=NetcacheTask, name="netcache.refresh_top", shared=False, **_retry_opts())
    def refresh_top_task(self, n: int = w.refresh_top_n) -> dict:
        """The nightly job: re-ask the top ``n`` questions that are missing, stale or near expiry."""
        rt = self.runtime
        return refresh_top(rt.cache, rt.llm, rt.budget(max_calls_per_run=n), rt.redis, n=n,
                           prefix=settings.key_prefix, concurrency=w.warm_concurrency,
                           semaphore=rt.warm_semaphore(), device_state=rt.device_state())

    @app.task(bind=True, base=NetcacheTask, name="netcache.refresh_expiring", shared=False, **_retry_opts())
    def refresh_expiring_task(self, n: int = w.refresh_top_n) -> dict:
        """XFetch early refresh over the top ``n`` questions."""
        rt = self.runtime
        return refresh_expiring(rt.cache, rt.llm, rt.budget(max_calls_per_run=n), n=n,
                                concurrency=w.warm_concurrency, semaphore=rt.warm_semaphore(),
                                device_state=rt.device_state())

    @app.task(bind=True, base=NetcacheTask, name="netcache.warm_topology", shared=False, **_retry_opts())
    def warm_topology_task(self) -> dict:
        """Every inventory device's interface status, BGP summary and CPU/memory questions."""
        rt = self.runtime
        devices = rt.inventory_devices()
        templates = load_templates()
        per_device = len(templates.get("topology", []))
        result = warm_topology(rt.cache, rt.llm, rt.budget(max_calls_per_run=max(1, len(devices) * per_device)),
                               devices, templates, concurrency=w.warm_concurrency,
                               semaphore=rt.warm_semaphore(), device_state=rt.device_state())
        _record_warm(rt, result.to_dict())
        return result.to_dict()

    @app.task(bind=True, base=NetcacheTask, name="netcache.sweep", shared=False, **_retry_opts())
    def sweep_task(self) -> dict:
        """Drop the vectors and tier records of entries Redis expired on its own (maintenance)."""
        return {"removed": self.runtime.cache.sweep()}


@contextmanager
def _counting_rejections(rt: Runtime, task_name: str):
    """Bad task arguments: a clear error in the task's result, and a counter operators can watch
    (``{prefix}:w:stats:tasks`` field ``rejected:{task}``). Not retried: retrying cannot fix them."""
    try:
        yield
    except ConfigError as e:
        log.error("%s rejected its arguments: %s", task_name, e)
        try:
            rt.redis.hincrby(WorkerKeys(rt.settings.key_prefix).stats("tasks"), f"rejected:{task_name}", 1)
        except redis.RedisError:
            pass
        raise


def _record_warm(rt: Runtime, result: dict) -> None:
    """Keep the last warm runs where ``netcache stack`` and operators can see them."""
    import json

    key = WorkerKeys(rt.settings.key_prefix).warmed
    pipe = rt.redis.pipeline()
    pipe.lpush(key, json.dumps(result, default=str))
    pipe.ltrim(key, 0, 199)
    pipe.execute()
