"""``netcache metrics``: the cache's global metrics for Prometheus, on a port of their own."""

from __future__ import annotations

import time

import click
import redis as redis_lib

from netcache.connections import make_redis, redact_url
from netcache.metrics.export import start_metrics_http
from netcache.settings import Settings

__all__ = ["metrics_command"]


@click.command("metrics")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0 in a container).")
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help="Port for /metrics [default: NETCACHE_LLM__METRICS_PORT, else 9101].")
def metrics_command(host: str, port: int | None) -> None:
    """Serve the cache's global metrics for Prometheus at http://HOST:PORT/metrics.

    The numbers are read from Redis at scrape time, so they add up every
    process that uses the cache (chatbots, Celery workers, the stack demo):
    lookups by outcome and query type, latency histograms, LLM calls, tokens,
    dollars spent and saved, false positives, near misses, evictions, entries
    per tier. Runs until Ctrl-C.
    """
    settings = Settings()
    port = port or settings.llm.metrics_port or 9101
    client = make_redis(settings)
    try:
        client.ping()
    except redis_lib.RedisError as e:
        raise click.ClickException(
            f"cannot reach Redis at {redact_url(settings.redis_url)} ({e}); start Redis or set NETCACHE_REDIS_URL"
        ) from e
    server, _thread = start_metrics_http(port, client, settings, addr=host)
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
