"""Operator commands for the Celery side (mapped in ``netcache/cli/main.py``).

- ``netcache invalidate --device X / --tag T / --site S [--soft] [--sync]``
- ``netcache warm --device X [--interface I] [--neighbor N] [--sync]``
- ``netcache refresh-top [--n 100] [--sync]``
- ``netcache celery-worker [--queues invalidate,warm] [--pool threads] [--concurrency 4]``
- ``netcache beat``

Without ``--sync`` the work is enqueued on the broker (a running
``netcache celery-worker`` does it) and the command prints the action id to
follow (``{prefix}:w:progress:{action_id}``); with ``--sync`` it runs here,
with a progress bar.
"""

from __future__ import annotations

import json
import logging
import sys
import uuid

import click

from netcache.connections import redact_url
from netcache.errors import NetcacheError
from netcache.keys import WorkerKeys
from netcache.settings import Settings

__all__ = ["invalidate", "warm", "refresh_top", "celery_worker", "beat", "build_tags", "warm_questions"]

log = logging.getLogger(__name__)


def build_tags(devices: tuple[str, ...], tags: tuple[str, ...], sites: tuple[str, ...]) -> list[str]:
    """``--device rtr-1 --site nyc --tag topic:bgp`` → ``["device:rtr-1", "site:nyc", "topic:bgp"]``."""
    out = [f"device:{d.strip()}" for d in devices if d.strip()]
    out += [f"site:{s.strip()}" for s in sites if s.strip()]
    for t in tags:
        t = t.strip()
        if not t or ":" not in t:
            raise click.BadParameter(f"a tag looks like kind:value (device:rtr-001, topic:bgp), got {t!r}",
                                     param_hint="--tag")
        out.append(t)
    if not out:
        raise click.UsageError("say what to invalidate: --device, --site or --tag (repeatable)")
    return list(dict.fromkeys(out))


def warm_questions(device: str, interface: str | None, neighbor: str | None,
                   templates: dict[str, list[str]]) -> list[dict]:
    """The questions ``netcache warm`` asks: interface diagnostics, BGP troubleshooting, or topology."""
    from netcache.tasks.warming import questions_for, topology_questions

    if interface:
        return questions_for("interface_flap", templates, device=device, interface=interface)
    if neighbor:
        return questions_for("bgp_down", templates, device=device, neighbor=neighbor)
    return topology_questions([device], templates)


def _setup_logging(settings: Settings) -> None:
    logging.basicConfig(level=settings.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


#: How long the CLI waits for the broker before saying it is unreachable (instead of Celery's
#: own reconnect loop, which retries for 20 s and ends in a traceback).
BROKER_CHECK_TIMEOUT_S = 2.0


def _app(settings: Settings):
    """The Celery app, after checking that its broker answers (one clear line if it does not)."""
    from redis.exceptions import RedisError

    from netcache.connections import make_redis
    from netcache.tasks.app import make_app

    url = settings.worker.broker_url or settings.redis_url
    client = make_redis(settings, url, socket_connect_timeout=BROKER_CHECK_TIMEOUT_S,
                        socket_timeout=BROKER_CHECK_TIMEOUT_S, retry_on_timeout=False)
    try:
        client.ping()
    except RedisError as e:
        raise click.ClickException(
            f"the Celery broker at {redact_url(url)} is unreachable ({type(e).__name__}): start it, or set "
            "NETCACHE_WORKER__BROKER_URL / NETCACHE_REDIS_URL; --sync runs the work here instead") from e
    finally:
        client.close()
    return make_app(settings)


def _run_warm_sync(settings: Settings, runtime, questions: list[dict], reason: str, action_id: str) -> dict:
    from netcache.tasks.warming import run_warm

    result = run_warm(runtime.cache, runtime.llm, runtime.budget(), questions, reason=reason,
                      action_id=action_id, concurrency=settings.worker.warm_concurrency,
                      metrics=runtime.metrics, semaphore=runtime.warm_semaphore(),
                      slot_wait_s=settings.worker.warm_slot_wait_s, device_state=runtime.device_state())
    return result.to_dict()


@click.command("invalidate")
@click.option("--device", "devices", multiple=True, help="Invalidate every answer about this device.")
@click.option("--tag", "tags", multiple=True, help="A surrogate tag, e.g. topic:bgp or iface:rtr-1:GigabitEthernet0/1.")
@click.option("--site", "sites", multiple=True, help="Invalidate every answer tagged with this site.")
@click.option("--soft", is_flag=True, help="Mark stale (served while one refresh runs) instead of deleting.")
@click.option("--sync", is_flag=True, help="Run here with a progress bar instead of enqueueing.")
@click.option("--wait", "wait_s", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
              help="After enqueueing, follow the worker's progress for up to this long.")
@click.option("--reason", default="operator", show_default=True, help="Recorded with the action.")
@click.option("--warm", "warm_n", type=click.IntRange(min=0), default=None, metavar="N",
              help="Re-warm at most the N most-asked of the invalidated questions, even ones the query log "
                   "has not seen [default: NETCACHE_WORKER__WARM_MAX_CALLS_PER_RUN, asked ones only].")
@click.option("--no-warm", is_flag=True, help="Do not re-warm anything (same as --warm 0).")
def invalidate(devices, tags, sites, soft, sync, wait_s, reason, warm_n, no_warm) -> None:
    """Invalidate cached answers by device, site or tag, gradually (batches with pauses)."""
    settings = Settings()
    _setup_logging(settings)
    tag_list = build_tags(devices, tags, sites)
    mode = "soft" if soft else "hard"
    action_id = f"cli-{uuid.uuid4().hex[:12]}"
    if no_warm and warm_n:
        raise click.UsageError("--no-warm and --warm N contradict each other: give one")
    warm_limit = 0 if no_warm else warm_n
    if not sync:
        app = _app(settings)
        res = app.send_task("netcache.invalidate", queue="invalidate", kwargs={
            "tags": tag_list, "mode": mode, "warm": [], "reason": reason, "action_id": action_id,
            "warm_limit": warm_limit, "only_asked": warm_n is None})
        click.echo(f"enqueued {mode} invalidation of {', '.join(tag_list)}: action {action_id} (task {res.id})")
        click.echo(f"progress: HGETALL {WorkerKeys(settings.key_prefix).progress(action_id)}")
        if wait_s:
            _follow(settings, action_id, wait_s)
        return
    from netcache.tasks.invalidation import run_invalidation
    from netcache.tasks.runtime import Runtime

    rt = Runtime(settings)
    pending: list[tuple[list[dict], str, str]] = []
    w = settings.worker
    try:
        with click.progressbar(length=1, label=f"invalidating {','.join(tag_list)}", file=sys.stderr) as bar:
            seen = [0]

            def on_progress(done: int, total: int) -> None:
                bar.length = max(total, 1)
                bar.update(done - seen[0])
                seen[0] = done

            result = run_invalidation(
                rt.cache, rt.redis, tags=tag_list, mode=mode, reason=reason, action_id=action_id,
                batch_size=w.invalidate_batch_size, pause_ms=w.invalidate_pause_ms,
                warm_limit=w.warm_max_calls_per_run if warm_limit is None else warm_limit,
                prefix=settings.key_prefix, only_asked=warm_n is None, warm_burst_s=w.warm_burst_s,
                on_progress=on_progress, enqueue_warm=lambda q, r, a: pending.append((q, r, a)))
        click.echo(f"invalidated {result.invalidated} of {result.total} entries in {result.batches} batches "
                   f"({result.pause_s:.1f} s of pauses)")
        for questions, why, aid in pending:
            click.echo(f"re-warming {len(questions)} most-asked questions …")
            click.echo(json.dumps(_run_warm_sync(settings, rt, questions, why, aid)))
    except NetcacheError as e:
        raise click.ClickException(str(e)) from e


def _follow(settings: Settings, action_id: str, wait_s: float) -> None:
    """Show an enqueued invalidation's progress (written by the worker) until done or ``wait_s``."""
    import time

    from netcache.connections import make_state_redis
    from netcache.tasks.invalidation import read_progress

    client = make_state_redis(settings)
    deadline = time.monotonic() + wait_s
    shown = 0
    with click.progressbar(length=1, label=f"action {action_id}", file=sys.stderr) as bar:
        while time.monotonic() < deadline:
            p = read_progress(client, settings.key_prefix, action_id)
            if p:
                bar.length = max(int(p.get("total", 0)), 1)
                done = int(p.get("done", 0))
                bar.update(done - shown)
                shown = done
                if p.get("status") == "done":
                    break
            time.sleep(0.2)
    p = read_progress(client, settings.key_prefix, action_id)
    client.close()
    if p.get("status") != "done":
        raise click.ClickException(f"action {action_id} not done after {wait_s:.0f} s "
                                   f"({p.get('done', 0)}/{p.get('total', '?')}); is a worker running?")
    click.echo(f"done: {p['done']} of {p['total']} entries in {p.get('batches', 0)} batches")


@click.command("warm")
@click.option("--device", required=True, help="Device the questions are about.")
@click.option("--interface", default=None, help="Ask interface diagnostics for this interface.")
@click.option("--neighbor", default=None, help="Ask BGP troubleshooting for this neighbor.")
@click.option("--sync", is_flag=True, help="Ask here instead of enqueueing.")
def warm(device, interface, neighbor, sync) -> None:
    """Warm the cache with the questions operators ask next about a device."""
    from netcache.tasks.warming import load_templates

    settings = Settings()
    _setup_logging(settings)
    questions = warm_questions(device, interface, neighbor, load_templates())
    action_id = f"cli-{uuid.uuid4().hex[:12]}"
    app = None if sync else _app(settings)  # an unreachable broker is said before anything else
    for q in questions:
        click.echo(f"  {q['prompt']}")
    if app is not None:
        res = app.send_task("netcache.warm", queue="warm", kwargs={
            "questions": questions, "reason": "operator", "action_id": action_id})
        click.echo(f"enqueued {len(questions)} warm-ups: action {action_id} (task {res.id})")
        return
    from netcache.tasks.runtime import Runtime

    try:
        click.echo(json.dumps(_run_warm_sync(settings, Runtime(settings), questions, "operator", action_id)))
    except NetcacheError as e:
        raise click.ClickException(str(e)) from e


@click.command("refresh-top")
@click.option("--n", "n", type=click.IntRange(min=1), default=None, help="How many top questions (default: refresh_top_n).")
@click.option("--sync", is_flag=True, help="Run here instead of enqueueing.")
def refresh_top(n, sync) -> None:
    """Re-ask the most-asked questions whose answers are missing, stale or near expiry."""
    settings = Settings()
    _setup_logging(settings)
    n = n or settings.worker.refresh_top_n
    if not sync:
        res = _app(settings).send_task("netcache.refresh_top", queue="warm", kwargs={"n": n})
        click.echo(f"enqueued refresh of the top {n} questions (task {res.id})")
        return
    from netcache.tasks.refresh import refresh_top as run
    from netcache.tasks.runtime import Runtime

    rt = Runtime(settings)
    try:
        summary = run(rt.cache, rt.llm, rt.budget(max_calls_per_run=n), rt.redis, n=n, prefix=settings.key_prefix,
                      concurrency=settings.worker.warm_concurrency)
    except NetcacheError as e:
        raise click.ClickException(str(e)) from e
    click.echo(json.dumps(summary))


@click.command("celery-worker")
@click.option("--queues", default="invalidate,warm", show_default=True, help="Queues to consume.")
@click.option("--pool", type=click.Choice(["prefork", "threads", "solo"]), default="prefork", show_default=True,
              help="prefork enforces the task time limits; threads is lighter but cannot stop a task.")
@click.option("--concurrency", type=click.IntRange(min=1), default=2, show_default=True,
              help="Tasks at once (each warm task also asks warm_concurrency questions in parallel).")
@click.option("--name", default="netcache-worker@%h", show_default=True, help="Worker node name.")
@click.option("--loglevel", default=None, help="Default: NETCACHE_LOG_LEVEL.")
def celery_worker(queues, pool, concurrency, name, loglevel) -> None:
    """Run a Celery worker for netcache's tasks (invalidate and warm queues)."""
    from netcache.durability import check_at_start

    settings = Settings()
    app = _app(settings)
    try:
        check_at_start(settings, "worker")
    except NetcacheError as e:
        raise click.ClickException(str(e)) from e
    click.echo(f"celery worker on {redact_url(app.conf.broker_url)} queues={queues} pool={pool}", err=True)
    app.worker_main(["worker", "-Q", queues, "--pool", pool, "-c", str(concurrency), "-n", name,
                     "--loglevel", (loglevel or settings.log_level).upper(), "--without-mingle",
                     "--without-gossip"])


@click.command("beat")
@click.option("--loglevel", default=None, help="Default: NETCACHE_LOG_LEVEL.")
def beat(loglevel) -> None:
    """Run Celery beat (RedBeat: one beat fires even if several run) with a heartbeat."""
    from netcache.connections import make_redis
    from netcache.health import Heartbeat, health_key

    settings = Settings()
    app = _app(settings)
    heartbeat = Heartbeat(make_redis(settings), health_key(settings.key_prefix, "beat"),
                          ttl_s=settings.worker.health_ttl_s).start()
    click.echo(f"celery beat on {redact_url(app.conf.broker_url)} (timezone {settings.worker.timezone})", err=True)
    try:
        app.start(["beat", "--loglevel", (loglevel or settings.log_level).upper(), "-S", app.conf.beat_scheduler])
    finally:
        heartbeat.stop()
