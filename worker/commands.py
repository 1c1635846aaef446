"""Operator commands of the dispatcher side (mapped in ``netcache/cli/main.py``).

- ``netcache dispatcher [--metrics-port N] [--rules FILE] [--consumer NAME]``
- ``netcache status [--json]``
- ``netcache dead-letters list [--count N] [--json] | replay [ID…|--all] | purge [ID…|--all] --yes``
- ``netcache health --component dispatcher|worker|beat|webhook|syslog [--this-host]``

``NETCACHE_DEBUG_PAUSE_BEFORE_ACK_S`` (tests only) makes the dispatcher sleep
between enqueueing a batch's tasks and acknowledging it, so a crash can be
placed exactly there.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
from typing import Any

import click
import redis

from netcache.connections import make_redis, redact_url, require_server
from netcache.errors import NetcacheError
from netcache.health import COMPONENTS, check_health
from netcache.settings import Settings

__all__ = ["dispatcher", "status", "dead_letters", "health", "DEBUG_PAUSE_ENV"]

log = logging.getLogger(__name__)

#: Test hook: seconds to sleep after enqueueing, before acknowledging.
DEBUG_PAUSE_ENV = "NETCACHE_DEBUG_PAUSE_BEFORE_ACK_S"


def _settings() -> Settings:
    try:
        return Settings()
    except Exception as e:  # pydantic's ValidationError: say which variable is wrong
        from netcache.settings import describe_settings_error

        raise click.ClickException(f"bad setting: {describe_settings_error(e)}") from e


def _setup_logging(settings: Settings) -> None:
    logging.basicConfig(level=getattr(logging, settings.log_level.upper(), logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)


def _client(settings: Settings, url: str | None = None) -> redis.Redis:
    return make_redis(settings, url, socket_timeout=10)


def _unreachable(settings: Settings, e: Exception, url: str | None = None) -> click.ClickException:
    return click.ClickException(f"Redis at {redact_url(url or settings.redis_url)} is unreachable ({e}): "
                                f"start it or set NETCACHE_REDIS_URL")


def serve_dispatcher_metrics(port: int, host: str) -> tuple[Any, Any]:
    """A registry for the dispatcher's counters, served on ``host:port`` /metrics: (registry, server)."""
    from prometheus_client import CollectorRegistry, start_http_server

    registry = CollectorRegistry()
    server, _thread = start_http_server(port, addr=host, registry=registry)
    return registry, server


def _durability(settings: Settings, component: str) -> None:
    """Warn (or refuse, NETCACHE_DURABILITY_CHECK=refuse) when a Redis cannot keep what it is given."""
    from netcache.durability import check_at_start

    try:
        check_at_start(settings, component)
    except NetcacheError as e:
        raise click.ClickException(str(e)) from e


@click.command("dispatcher")
@click.option("--metrics-port", type=int, default=None,
              help="Serve Prometheus /metrics on this port (default: NETCACHE_WORKER__DISPATCHER_METRICS_PORT; 0 = off).")
@click.option("--rules", "rules_file", type=click.Path(dir_okay=False), default=None,
              help="Rules file (default: NETCACHE_WORKER__RULES_FILE or the built-in rules).")
@click.option("--metrics-host", default=None,
              help="Address /metrics binds (default: NETCACHE_WORKER__DISPATCHER_METRICS_HOST, 127.0.0.1).")
@click.option("--consumer", default=None, help="Consumer name in the group (default: hostname-pid).")
def dispatcher(metrics_port: int | None, metrics_host: str | None, rules_file: str | None,
               consumer: str | None) -> None:
    """Consume the events stream and enqueue invalidation and warm-up tasks.

    Runs until SIGTERM or SIGINT, then finishes the batch in hand, acknowledges
    it and exits. Several dispatchers can run at once (one consumer group).
    """
    from netcache.tasks.app import make_app
    from netcache.worker.consumer import CelerySender, Dispatcher
    from netcache.worker.rules import load_rules

    settings = _settings()
    _setup_logging(settings)
    try:
        rules = load_rules(rules_file or settings.worker.rules_file)
    except NetcacheError as e:
        raise click.ClickException(str(e)) from e
    registry = None
    port = settings.worker.dispatcher_metrics_port if metrics_port is None else metrics_port
    if port:
        host = metrics_host or settings.worker.dispatcher_metrics_host
        registry, _server = serve_dispatcher_metrics(port, host)
        log.info("dispatcher metrics on %s:%d/metrics", host, port)
    pause_s = float(os.environ.get(DEBUG_PAUSE_ENV, "0") or 0)
    stop = threading.Event()

    def _stop(signum: int, _frame: object) -> None:
        log.info("dispatcher: %s received, finishing the batch in hand", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    require_server(settings, "the dispatcher")
    _durability(settings, "dispatcher")
    app = make_app(settings)
    state_url = settings.worker.broker_url
    d = Dispatcher(settings, redis_client=_client(settings), sender=CelerySender(app), rules=rules,
                   consumer=consumer, registry=registry, pause_before_ack_s=pause_s,
                   state_client=_client(settings, state_url) if state_url else None)
    click.echo(f"dispatcher {d.consumer}: {settings.events.stream} → group {d.group} "
               f"on {redact_url(settings.redis_url)} (rules: {rules.source})", err=True)
    d.run(stop)


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def status(as_json: bool) -> None:
    """Stream, consumer group, dead letters, Celery queues, last refresh and component health."""
    from netcache.worker.health import collect_status, render_status

    settings = _settings()
    broker_url = settings.worker.broker_url or settings.redis_url
    try:
        client = _client(settings)
        broker = client if broker_url == settings.redis_url else _client(settings, broker_url)
        data = collect_status(settings, client, broker)
    except redis.RedisError as e:
        raise _unreachable(settings, e) from e
    click.echo(json.dumps(data, indent=2, sort_keys=True) if as_json else render_status(data))


@click.command("health")
@click.option("--component", required=True, type=click.Choice(list(COMPONENTS)), help="Which component to check.")
@click.option("--this-host", is_flag=True,
              help="Only this host's key (for a container's own healthcheck).")
def health(component: str, this_host: bool) -> None:
    """Exit 0 if the component's health key is fresh, 1 otherwise (docker-compose healthcheck)."""
    settings = _settings()
    try:
        ok, message = check_health(_client(settings), settings.key_prefix, component, this_host=this_host)
    except redis.RedisError as e:
        click.echo(f"{component}: unhealthy, Redis at {redact_url(settings.redis_url)} unreachable ({e}): "
                   f"start it or set NETCACHE_REDIS_URL")
        sys.exit(1)
    click.echo(message)
    sys.exit(0 if ok else 1)


@click.group("dead-letters")
def dead_letters() -> None:
    """List, replay or purge events the dispatcher could not process."""


def _dead(settings: Settings):
    from netcache.worker.deadletter import DeadLetters

    return DeadLetters(_client(settings), stream=settings.worker.dead_letter_stream,
                       events_stream=settings.events.stream, events_maxlen=settings.events.stream_maxlen)


def _ids_or_all(ids: tuple[str, ...], all_: bool, verb: str) -> list[str] | None:
    if all_ and ids:
        raise click.UsageError("give dead-letter ids or --all, not both")
    if not all_ and not ids:
        raise click.UsageError(f"say which dead letters to {verb}: their ids, or --all")
    return None if all_ else list(ids)


@dead_letters.command("list")
@click.option("--count", default=50, show_default=True, help="How many (oldest first).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines.")
def dead_letters_list(count: int, as_json: bool) -> None:
    """Show dead letters: id, when, type, device, deliveries and the error."""
    settings = _settings()
    try:
        dl = _dead(settings)
        items, total = dl.list(count=count), dl.count()
    except redis.RedisError as e:
        raise _unreachable(settings, e) from e
    if as_json:
        for item in items:
            click.echo(json.dumps(item.to_dict(), sort_keys=True))
        return
    import time as _time

    click.echo(f"{total} dead letters on {settings.worker.dead_letter_stream}" +
               (f" (showing {len(items)})" if len(items) < total else ""))
    for item in items:
        at = _time.strftime("%Y-%m-%d %H:%M:%S", _time.gmtime(item.at_s)) if item.at_s else "-"
        click.echo(f"{item.id}  {at}  {item.type or '?':<16} {item.device or '-':<12} "
                   f"x{item.deliveries}  {item.error}")


@dead_letters.command("replay")
@click.argument("ids", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Replay every dead letter.")
def dead_letters_replay(ids: tuple[str, ...], all_: bool) -> None:
    """Put dead letters back on the events stream (after fixing the cause)."""
    settings = _settings()
    which = _ids_or_all(ids, all_, "replay")
    try:
        done = _dead(settings).replay(which)
    except redis.RedisError as e:
        raise _unreachable(settings, e) from e
    for old, new in done:
        click.echo(f"{old} → {settings.events.stream} {new}")
    missing = set(which or ()) - {old for old, _ in done}
    click.echo(f"replayed {len(done)}" + (f"; not found: {', '.join(sorted(missing))}" if missing else ""))
    if missing:
        sys.exit(1)


@dead_letters.command("purge")
@click.argument("ids", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Delete every dead letter.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def dead_letters_purge(ids: tuple[str, ...], all_: bool, yes: bool) -> None:
    """Delete dead letters for good."""
    settings = _settings()
    which = _ids_or_all(ids, all_, "purge")
    if not yes:
        click.confirm(f"delete {'every' if which is None else len(which)} dead letter(s)?", abort=True)
    try:
        n = _dead(settings).purge(which)
    except redis.RedisError as e:
        raise _unreachable(settings, e) from e
    click.echo(f"purged {n}")
