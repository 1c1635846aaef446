"""Metrics: buffered in each process, added up in Redis, exported to Prometheus."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
import urllib.request

import pytest
import redis
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from netcache.devtools.local_redis import LocalRedis, free_port
from netcache.errors import BackendUnavailable
from netcache.metrics.export import estimate_quantile, read_snapshot, render_prometheus, start_metrics_http
from netcache.metrics.recorder import LATENCY_BUCKETS_S, Metrics
from netcache.settings import Settings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def metrics(redis_client, settings):
    m = Metrics(redis_client, settings)
    yield m
    m.close()


def families(text: str) -> dict:
    return {f.name: f for f in text_string_to_metric_families(text)}


def sample(fams: dict, family: str, name: str | None = None, **labels) -> float:
    for s in fams[family].samples:
        if (name is None or s.name == name) and all(s.labels.get(k) == v for k, v in labels.items()):
            return s.value
    raise AssertionError(f"no sample {family} {name} {labels}")


def test_recording_stays_in_the_process_until_a_flush(metrics, redis_client):
    metrics.lookup("exact", "bgp", 0.0003, saved_usd=0.0099)
    assert redis_client.exists("nc:m:lookup") == 0
    assert metrics.flush() > 0
    assert redis_client.hget("nc:m:lookup", "exact|bgp") == b"1"
    assert float(redis_client.hget("nc:m:saved", "usd")) == pytest.approx(0.0099)
    assert metrics.flush() == 0, "an empty buffer writes nothing"


def test_the_background_thread_flushes_on_its_own(redis_client, settings):
    settings.llm.metrics_flush_interval_s = 0.05
    with Metrics(redis_client, settings) as m:
        m.lookup("miss", "device_status", 2.5)
        deadline = time.monotonic() + 10
        while redis_client.hget("nc:m:lookup", "miss|device_status") is None:
            assert time.monotonic() < deadline, "the flusher never wrote"
            time.sleep(0.02)


def test_the_snapshot_adds_up_hits_misses_latency_cost_and_savings(metrics, redis_client, settings):
    for _ in range(3):
        metrics.lookup("exact", "bgp", 0.0004, saved_usd=0.01)
    metrics.lookup("semantic", "bgp", 0.002, saved_usd=0.01)
    metrics.lookup("miss", "log_analysis", 3.0)
    metrics.llm_call("log_analysis", "user", "claude-sonnet-4-6", 2.9, 1000, 500, 0.0105)
    metrics.llm_call("bgp", "warm", "claude-sonnet-4-6", 1.0, 100, 100, 0.0018)
    metrics.false_positive("bgp", 0.91)
    metrics.near_miss("bgp", 0.78)
    metrics.eviction("hot", 4)
    redis_client.zadd("{nc}:tier:hot", {"e1": 1, "e2": 2})
    redis_client.zadd("{nc}:tier:warm", {"e3": 1})
    redis_client.sadd("{nc}:tier:cold", "e4", "e5", "e6")

    s = metrics.snapshot()

    assert (s["requests"], s["hits"], s["misses"]) == (5, 4, 1)
    assert s["hit_rate"] == pytest.approx(0.8)
    assert s["by_outcome"] == {"exact": 3, "semantic": 1, "miss": 1}
    assert s["by_query_type"]["bgp"]["hit_rate"] == 1.0
    assert s["by_query_type"]["log_analysis"]["hit_rate"] == 0.0
    assert s["latency"]["hit"]["avg_s"] == pytest.approx((3 * 0.0004 + 0.002) / 4)
    assert s["latency"]["miss"]["avg_s"] == pytest.approx(3.0)
    assert s["latency"]["llm"]["avg_s"] == pytest.approx(1.95)
    assert 0.00025 < s["latency"]["hit"]["p50_s"] <= 0.0005
    assert 2.5 < s["latency"]["miss"]["p95_s"] <= 5.0
    assert s["llm"]["calls"] == 2 and s["llm"]["input_tokens"] == 1100 and s["llm"]["output_tokens"] == 600
    assert s["llm"]["cost_usd"] == pytest.approx(0.0123)
    assert s["llm"]["by_purpose"]["warm"]["cost_usd"] == pytest.approx(0.0018)
    assert s["llm"]["by_model"] == {"claude-sonnet-4-6": 2}
    assert s["saved_usd"] == pytest.approx(0.04)
    assert s["false_positives"]["total"] == 1
    assert s["false_positives"]["rate"] == pytest.approx(0.5), "1 rejected of 2 semantic candidates"
    assert s["near_misses"]["total"] == 1
    assert s["evictions"] == {"total": 4, "by_tier": {"hot": 4}, "last_hour": 4}
    assert s["entries"] == {"by_tier": {"hot": 2, "warm": 1, "cold": 3}, "total": 6}


def test_warming_lookups_are_counted_apart_from_the_users_hit_rate(metrics):
    metrics.lookup("exact", "bgp", 0.001)
    metrics.lookup("generated", "bgp", 2.0, purpose="warm")
    metrics.lookup("exact", "bgp", 0.001, purpose="warm")
    metrics.lookup("generated", "bgp", 2.0, purpose="refresh")
    s = metrics.snapshot()
    assert (s["requests"], s["hits"], s["hit_rate"]) == (1, 1, 1.0)
    assert s["latency"]["miss"]["count"] == 0
    assert s["background_lookups"] == {"warm": {"generated": 1, "exact": 1}, "refresh": {"generated": 1}}
    fams = families(render_prometheus(metrics.redis, metrics.settings).decode())
    assert sample(fams, "netcache_background_lookups", purpose="warm", outcome="generated") == 1


def test_bad_input_is_refused_and_counted(metrics, caplog):
    metrics.lookup("bogus", "bgp", 0.1)
    metrics.lookup("exact", "bgp", -1.0)
    metrics.llm_call("bgp", "user", "m", 1.0, -5, 1, 0.1)
    metrics.eviction("hot", -2)
    metrics.false_positive("bgp", float("nan"))
    s = metrics.snapshot()
    assert s["requests"] == 0 and s["llm"]["calls"] == 0 and s["evictions"]["total"] == 0
    assert s["invalid_records"] == 5 and metrics.invalid == 5
    assert caplog.text.count("refused lookup") == 1, "logged once per kind, counted every time"


def test_two_processes_add_up_in_redis(redis_url, redis_client):
    script = textwrap.dedent(f"""
        import redis, sys
        from netcache.metrics.recorder import Metrics
        from netcache.settings import Settings
        s = Settings(redis_url={redis_url!r}, _env_file=None)
        m = Metrics(redis.Redis.from_url(s.redis_url), s)
        for _ in range(100):
            m.lookup("exact", "bgp", 0.001, saved_usd=0.01)
        m.lookup("miss", "bgp", 2.0)
        m.llm_call("bgp", "user", "claude-sonnet-4-6", 2.0, 10, 20, 0.001)
        if sys.argv[1] == "close":
            m.close()
        # otherwise the atexit hook flushes
    """)
    procs = [subprocess.Popen([sys.executable, "-c", script, how], cwd=ROOT) for how in ("close", "atexit")]
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    s = read_snapshot(redis_client, Settings(redis_url=redis_url, _env_file=None))
    assert (s["hits"], s["misses"], s["llm"]["calls"]) == (200, 2, 2)
    assert s["saved_usd"] == pytest.approx(2.0)
    assert s["llm"]["cost_usd"] == pytest.approx(0.002)


def test_a_forked_child_does_not_flush_its_parents_numbers(metrics, redis_client):
    metrics.lookup("exact", "bgp", 0.001)
    pid = os.fork()
    if pid == 0:  # child: record its own, flush, leave without atexit hooks
        code = 0
        try:
            metrics.lookup("miss", "bgp", 1.0)
            metrics.flush()
        except BaseException:
            code = 1
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    metrics.flush()
    assert redis_client.hgetall("nc:m:lookup") == {b"exact|bgp": b"1", b"miss|bgp": b"1"}


def test_numbers_survive_a_redis_outage_in_the_buffer(caplog):
    with LocalRedis() as server:
        settings = Settings(redis_url=server.url, _env_file=None)
        client = redis.Redis.from_url(server.url, socket_connect_timeout=0.5, socket_timeout=0.5)
        m = Metrics(client, settings)
        try:
            m.lookup("exact", "bgp", 0.001)
            server.stop()
            with pytest.raises(BackendUnavailable, match="127.0.0.1"):
                m.flush()
            m.lookup("exact", "bgp", 0.001)
            server.start()
            m.flush()
            assert client.hget("nc:m:lookup", "exact|bgp") == b"2"
        finally:
            m.close()
            client.close()
    assert "cannot flush to Redis" in caplog.text


def test_evictions_in_the_last_hour_ignore_older_minutes_and_old_minutes_are_pruned(metrics, redis_client, settings):
    now = time.time()
    minute = lambda t: str(int(t // 60) * 60)  # noqa: E731
    redis_client.hset("nc:m:evmin", mapping={minute(now - 1800): 7, minute(now - 5400): 50, minute(now - 3 * 3600): 9})
    metrics.eviction("warm", 2)
    metrics.flush()
    s = read_snapshot(redis_client, settings, now=now)
    assert s["evictions"]["last_hour"] == 9
    assert redis_client.hexists("nc:m:evmin", minute(now - 3 * 3600)) == 0
    assert redis_client.hexists("nc:m:evmin", minute(now - 5400)) == 1


def test_quantiles_interpolate_inside_their_bucket():
    counts = [0] * len(LATENCY_BUCKETS_S)
    assert estimate_quantile(counts, 0.5) is None
    i = LATENCY_BUCKETS_S.index(0.05)
    counts[i] = 100  # all between 25 ms and 50 ms
    assert estimate_quantile(counts, 0.5) == pytest.approx(0.0375)
    counts[-1] = 100  # half above the last finite bound
    assert estimate_quantile(counts, 0.99) == LATENCY_BUCKETS_S[-2]


def test_the_prometheus_exposition_parses_and_shows_the_global_numbers(metrics, redis_client, settings):
    metrics.lookup("exact", "bgp", 0.0004, saved_usd=0.01)
    metrics.lookup("miss", "bgp", 3.0)
    metrics.llm_call("bgp", "user", "claude-sonnet-4-6", 3.0, 100, 200, 0.0033)
    metrics.eviction("cold", 2)
    metrics.flush()
    redis_client.zadd("{nc}:tier:warm", {"a": 1})

    fams = families(render_prometheus(redis_client, settings).decode())

    assert sample(fams, "netcache_lookups", outcome="exact", query_type="bgp") == 1
    assert sample(fams, "netcache_hit_rate") == pytest.approx(0.5)
    assert sample(fams, "netcache_lookup_latency_seconds", "netcache_lookup_latency_seconds_bucket",
                  result="hit", le="0.0005") == 1
    assert sample(fams, "netcache_lookup_latency_seconds", "netcache_lookup_latency_seconds_count",
                  result="miss") == 1
    assert sample(fams, "netcache_llm_tokens", purpose="user", direction="output") == 200
    assert sample(fams, "netcache_llm_cost_usd", purpose="user") == pytest.approx(0.0033)
    assert sample(fams, "netcache_saved_usd") == pytest.approx(0.01)
    assert sample(fams, "netcache_evictions", tier="cold") == 2
    assert sample(fams, "netcache_entries", tier="warm") == 1


def test_a_registry_passed_in_exports_the_redis_numbers(redis_client, settings):
    registry = CollectorRegistry()
    with Metrics(redis_client, settings, registry=registry) as m:
        m.lookup("stale", "topology", 0.001)
        m.flush()
        fams = families(generate_latest(registry).decode())
    assert sample(fams, "netcache_lookups", outcome="stale", query_type="topology") == 1


def test_metrics_are_served_over_http(metrics, redis_client, settings):
    metrics.lookup("exact", "bgp", 0.001)
    metrics.flush()
    port = free_port()
    server, thread = start_metrics_http(port, redis_client, settings)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as resp:
            fams = families(resp.read().decode())
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    assert sample(fams, "netcache_lookups", outcome="exact", query_type="bgp") == 1


def test_netcache_metrics_serves_the_global_numbers_for_prometheus(settings, redis_client, tmp_path):
    import os
    import subprocess
    import sys
    import time
    import urllib.request

    from prometheus_client.parser import text_string_to_metric_families

    from netcache.devtools.local_redis import free_port
    from netcache.metrics.recorder import Metrics

    m = Metrics(redis_client, settings)
    m.lookup("exact", "device_status", 0.0004, saved_usd=0.02)
    m.lookup("miss", "device_status", 0.0007)
    m.flush()
    port = free_port()
    env = {**os.environ, "NETCACHE_REDIS_URL": settings.redis_url}
    proc = subprocess.Popen([sys.executable, "-m", "netcache.cli.main", "metrics", "--port", str(port)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2).read().decode()
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read().decode()
                assert time.monotonic() < deadline, "metrics server did not answer"
                time.sleep(0.1)
        samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
                   for fam in text_string_to_metric_families(body) for s in fam.samples}
        lookups = {k: v for k, v in samples.items() if "lookup" in k[0] and v}
        assert lookups, body[:2000]
        assert any(dict(k[1]).get("outcome") == "exact" for k in lookups), lookups
        assert any(dict(k[1]).get("outcome") == "miss" for k in lookups), lookups
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()
    m.close()
