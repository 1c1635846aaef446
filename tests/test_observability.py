"""What ships for Prometheus and Grafana works: the alert rules pass promtool, `netcache metrics`
serves the cache's and the pipeline's numbers (checked by promtool too), and every metric the
rules and the dashboard use is one that is really served."""

from __future__ import annotations

import json
import re
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from netcache.devtools.local_redis import free_port
from netcache.metrics.recorder import Metrics
from netcache.tasks.budget import BudgetLimits, WarmBudget
from tests.support.tasks import clean_env, spawn, stop

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "deploy" / "prometheus" / "alerts.yml"
DASHBOARD = ROOT / "deploy" / "grafana" / "netcache-dashboard.json"
SCRAPE = ROOT / "deploy" / "prometheus" / "prometheus.yml"
PROMQL_FUNCS = {"sum", "rate", "increase", "by", "clamp_min", "histogram_quantile", "absent", "and", "or",
                "le", "on", "without", "ignoring", "group_left"}


def _promtool(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["promtool", *args], input=stdin, capture_output=True, text=True, timeout=60)


def test_the_alert_and_recording_rules_pass_promtool_and_a_broken_rule_does_not():
    ok = _promtool("check", "rules", str(RULES))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "SUCCESS" in ok.stdout
    names = {r.get("alert") for g in yaml.safe_load(RULES.read_text())["groups"] for r in g["rules"]}
    # what must page someone: the cache's health and the pipeline's
    assert {"NetcacheHitRateLow", "NetcacheEvictionsHigh", "NetcacheLookupSlow", "NetcacheEventLag",
            "NetcacheDeadLetters", "NetcacheWarmBudgetExhausted", "NetcacheNoWorker"} <= names
    broken = RULES.read_text().replace("expr: netcache_evictions_last_hour > 100", "expr: netcache_evictions_last_hour >")
    assert _promtool("check", "rules", "/dev/stdin", stdin=broken).returncode != 0


def test_the_scrape_config_is_valid():
    proc = _promtool("check", "config", str(SCRAPE))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _scrape(port: int, proc, deadline_s: float = 30.0) -> str:
    deadline = time.monotonic() + deadline_s
    while True:
        try:
            return urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=3).read().decode()
        except OSError:
            assert proc.poll() is None, "netcache metrics exited"
            assert time.monotonic() < deadline, "netcache metrics did not answer"
            time.sleep(0.2)


@pytest.fixture
def served(settings, redis_client, tmp_path):
    """A real `netcache metrics` over a Redis with cache traffic, unread events, a dead letter,
    a queued task and part of the warm budget spent; yields (body, samples)."""
    m = Metrics(redis_client, settings)
    m.lookup("exact", "device_status", 0.0004, saved_usd=0.02)
    m.lookup("miss", "device_status", 0.0007)
    m.false_positive("device_status", 0.81)
    m.near_miss("device_status", 0.7)
    m.llm_call("device_status", "user", "claude-test", 1.2, 100, 50, 0.003)
    m.eviction("hot", 2)
    m.flush()
    stream, w = settings.events.stream, settings.worker
    redis_client.xgroup_create(stream, w.consumer_group, id="0", mkstream=True)
    for i in range(5):
        redis_client.xadd(stream, {"n": str(i)})
    redis_client.xreadgroup(w.consumer_group, "c1", {stream: ">"}, count=2)  # 2 read, not acked; 3 unread
    redis_client.xadd(w.dead_letter_stream, {"error": "test"})
    redis_client.rpush("invalidate", "task")
    budget = WarmBudget(redis_client, BudgetLimits.from_settings(settings), prefix=settings.key_prefix)
    budget.reserve()
    budget.record(0.25)
    redis_client.hincrby("nc:w:stats:device_state", "collected", 2)  # what warm-ups had (tasks/device_state.py)
    redis_client.hincrby("nc:w:stats:device_state", "failed", 1)
    port = free_port()
    proc = spawn(["metrics", "--port", str(port)], clean_env(redis_url=settings.redis_url), tmp_path / "m.log")
    try:
        body = _scrape(port, proc)
    finally:
        stop(proc)
    m.close()
    families = list(text_string_to_metric_families(body))
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value for fam in families for s in fam.samples}
    return body, samples


def test_netcache_metrics_serves_the_pipeline_next_to_the_cache_and_promtool_accepts_it(served, settings):
    body, samples = served
    lint = _promtool("check", "metrics", stdin=body)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert samples[("netcache_stream_length", ())] == 5
    assert samples[("netcache_stream_lag", ())] == 3
    assert samples[("netcache_stream_pending", ())] == 2
    assert samples[("netcache_stream_limit", ())] == settings.events.stream_maxlen
    assert samples[("netcache_events_refused_stream_full_total", ())] == 0
    assert samples[("netcache_dead_letters", ())] == 1
    assert samples[("netcache_queue_depth", (("queue", "invalidate"),))] == 1
    w = settings.worker
    assert samples[("netcache_warm_budget_remaining", (("unit", "calls"),))] == w.warm_max_calls_per_day - 1
    assert samples[("netcache_warm_budget_remaining", (("unit", "usd"),))] == pytest.approx(
        w.warm_max_dollars_per_day - 0.25)
    assert samples[("netcache_component_up", (("component", "worker"),))] == 0  # no worker runs here
    assert samples[("netcache_lookups_total", (("outcome", "exact"), ("query_type", "device_status")))] == 1
    assert samples[("netcache_syslog_unrecognized_ratio", ())] == 0  # no listener has read a line
    assert samples[("netcache_warm_device_state_total", (("outcome", "collected"),))] == 2
    assert samples[("netcache_warm_device_state_total", (("outcome", "failed"),))] == 1


def _metric_names(expr: str) -> set[str]:
    names = set(re.findall(r"\b(netcache[a-z_:0-9]*)", expr))
    return {n for n in names if n not in PROMQL_FUNCS}


def _served_names(samples) -> set[str]:
    return {name for name, _ in samples}


def test_every_metric_the_rules_and_the_dashboard_use_is_served_or_recorded(served):
    _, samples = served
    groups = yaml.safe_load(RULES.read_text())["groups"]
    recorded = {r["record"] for g in groups for r in g["rules"] if "record" in r}
    exprs = [r["expr"] for g in groups for r in g["rules"]]
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["panels"], "the dashboard has no panels"
    exprs += [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    served_names = _served_names(samples)
    for expr in exprs:
        for name in _metric_names(expr):
            if ":" in name:
                assert name in recorded, f"{name} is used but no recording rule defines it"
            else:
                base = re.sub(r"_(bucket|sum|count)$", "", name)
                assert name in served_names or base in {re.sub(r"_(bucket|sum|count)$", "", s) for s in served_names}, \
                    f"{name} (in {expr!r}) is not served by netcache metrics"


def test_every_metrics_endpoint_passes_promtool(settings, redis_client, tmp_path):
    """The dispatcher's, the syslog listener's and the webhook receiver's /metrics (real processes), and
    a bot process's own (``start_metrics_http``, with its cache's Redis circuit breaker)."""
    from netcache.engine.sync import AnswerCache
    from netcache.metrics.export import start_metrics_http

    ports = {name: free_port() for name in ("dispatcher", "syslog", "webhook", "bot")}
    env = clean_env(redis_url=settings.redis_url, events__webhook_token="t0ken-for-the-test",
                    events__webhook_port=str(ports["webhook"]))
    procs = {
        "dispatcher": spawn(["dispatcher", "--metrics-port", str(ports["dispatcher"])], env, tmp_path / "d.log"),
        "syslog": spawn(["syslog", "--port", str(free_port()), "--metrics-port", str(ports["syslog"])], env,
                        tmp_path / "s.log"),
        "webhook": spawn(["webhook"], env, tmp_path / "w.log"),
    }
    cache = AnswerCache(settings, embedder=False, namespace="promcheck")  # its own breaker label
    cache.get("show version on rtr-001")
    server, thread = start_metrics_http(ports["bot"], redis_client, settings)
    bodies = {}
    try:
        for name, proc in procs.items():
            bodies[name] = _scrape(ports[name], proc)
        bodies["bot"] = urllib.request.urlopen(f"http://127.0.0.1:{ports['bot']}/metrics", timeout=3).read().decode()
    finally:
        for proc in procs.values():
            stop(proc)
        server.shutdown()
        server.server_close()
        thread.join(5)
        cache.close()
    for name, body in bodies.items():
        lint = _promtool("check", "metrics", stdin=body)
        assert lint.returncode == 0, f"{name}: {lint.stdout}{lint.stderr}"
    assert f'netcache_redis_breaker_state{{cache="{cache.keys.base}"}} 0.0' in bodies["bot"]
