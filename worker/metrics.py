"""The pipeline's numbers for Prometheus: stream lag, pending and dead letters, queue depth,
component heartbeats and the warm budget left, next to the cache's own (``netcache metrics``).

They are read from Redis at scrape time (the same reads as ``netcache status``), so one
``netcache metrics`` process shows the whole stack, and the shipped alert rules
(deploy/prometheus/alerts.yml) can fire on them.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import click
import redis as redis_lib

from netcache.connections import make_redis, redact_url
from netcache.keys import EventKeys
from netcache.metrics.export import BreakerCollector, RedisMetricsCollector
from netcache.settings import Settings

__all__ = ["PipelineCollector", "metrics_registry", "metrics_command"]


class PipelineCollector:
    """A Prometheus collector for the event pipeline (events Redis + broker), read at scrape time."""

    def __init__(self, redis: redis_lib.Redis, settings: Settings, broker: redis_lib.Redis | None = None) -> None:
        self.redis = redis
        self.broker = broker
        self.settings = settings

    def describe(self) -> list:
        return []  # nothing read at registration

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        from netcache.tasks.budget import BudgetLimits, WarmBudget
        from netcache.worker.health import COMPONENTS, collect_status

        s = collect_status(self.settings, self.redis, self.broker)
        yield GaugeMetricFamily("netcache_stream_length", "Entries on the events stream", value=s["length"])
        yield GaugeMetricFamily("netcache_stream_lag", "Events on the stream the dispatchers have not read yet",
                                value=float(s["lag"] or 0))
        yield GaugeMetricFamily("netcache_stream_pending", "Events read but not yet acknowledged",
                                value=s["pending"])
        yield GaugeMetricFamily("netcache_stream_limit", "The stream's length limit (events.stream_maxlen): at it, "
                                "publishing is refused while events are unread or unacknowledged",
                                value=self.settings.events.stream_maxlen)
        refused = self.redis.hget(EventKeys(self.settings.key_prefix).stats, "refused_stream_full")
        yield CounterMetricFamily("netcache_events_refused_stream_full",
                                  "Events refused (webhook 503, syslog held) because the stream was at its limit",
                                  value=int(refused or 0))
        idle_ms = s["oldest_pending_idle_ms"]
        yield GaugeMetricFamily("netcache_stream_oldest_pending_seconds",
                                "How long the oldest unacknowledged event has waited",
                                value=0.0 if idle_ms is None else idle_ms / 1000)
        yield GaugeMetricFamily("netcache_stream_consumers", "Dispatchers in the consumer group",
                                value=s["consumers"])
        yield GaugeMetricFamily("netcache_dead_letters", "Events in the dead-letter stream", value=s["dead_letters"])
        queues = GaugeMetricFamily("netcache_queue_depth", "Celery tasks waiting per queue", labels=["queue"])
        for name, depth in s["queues"].items():
            queues.add_metric([name], depth)
        yield queues
        alive = GaugeMetricFamily("netcache_component_up", "Processes with a fresh heartbeat per component",
                                  labels=["component"])
        for component in COMPONENTS:
            alive.add_metric([component], len(s["health"].get(component, [])))
        yield alive
        limits = BudgetLimits.from_settings(self.settings)
        calls, usd = WarmBudget(self.redis, limits, prefix=self.settings.key_prefix).spent_today()
        left = GaugeMetricFamily("netcache_warm_budget_remaining", "Warm-up budget left today",
                                 labels=["unit"])
        left.add_metric(["calls"], max(0, limits.max_calls_per_day - calls) if limits.max_calls_per_day else -1)
        left.add_metric(["usd"], max(0.0, limits.max_usd_per_day - usd) if limits.max_usd_per_day else -1)
        yield left
        from prometheus_client.core import CounterMetricFamily

        from netcache.keys import WorkerKeys

        state = CounterMetricFamily("netcache_warm_device_state",
                                    "Warm-up LLM calls by the device state they had (collected, event, none, failed)",
                                    labels=["outcome"])
        raw = self.redis.hgetall(WorkerKeys(self.settings.key_prefix).stats("device_state"))
        for outcome, n in sorted((k.decode() if isinstance(k, bytes) else k, int(v)) for k, v in raw.items()):
            state.add_metric([outcome], n)
        yield state


def metrics_registry(redis: redis_lib.Redis, settings: Settings, broker: redis_lib.Redis | None = None):  # noqa: ANN201
    """A registry with the cache's and the pipeline's collectors."""
    from prometheus_client import CollectorRegistry

    registry = CollectorRegistry(auto_describe=False)
    registry.register(RedisMetricsCollector(redis, settings))
    registry.register(PipelineCollector(redis, settings, broker))
    registry.register(BreakerCollector())
    return registry


@click.command("metrics")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0 in a container).")
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help="Port for /metrics [default: NETCACHE_LLM__METRICS_PORT, else 9101].")
def metrics_command(host: str, port: int | None) -> None:
    """Serve netcache's global metrics for Prometheus at http://HOST:PORT/metrics.

    Read from Redis at scrape time, so they add up every process: the cache (lookups by
    outcome and query type, latency histograms, LLM calls, tokens, dollars spent and
    saved, false positives, near misses, evictions, entries per tier) and the pipeline
    (stream length, limit, lag, pending, refused publishes, oldest pending age, dead letters, Celery queue depth,
    component heartbeats, warm budget left today). Runs until Ctrl-C.
    """
    from prometheus_client import start_http_server

    settings = Settings()
    port = port or settings.llm.metrics_port or 9101
    client = make_redis(settings)
    broker_url = settings.worker.broker_url
    broker = make_redis(settings, broker_url) if broker_url else None
    try:
        client.ping()
    except redis_lib.RedisError as e:
        raise click.ClickException(
            f"cannot reach Redis at {redact_url(settings.redis_url)} ({e}); start Redis or set NETCACHE_REDIS_URL"
        ) from e
    server, _thread = start_http_server(port, addr=host, registry=metrics_registry(client, settings, broker))
    click.echo(f"serving netcache metrics at http://{host}:{port}/metrics (Redis {redact_url(settings.redis_url)}); "
               "Ctrl-C stops")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        client.close()
