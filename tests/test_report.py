"""`netcache report`: sections, projection and warnings from the numbers in Redis."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from netcache.devtools.local_redis import free_port
from netcache.metrics.recorder import Metrics
from netcache.metrics.report import build_report

NETCACHE = os.path.join(os.path.dirname(sys.executable), "netcache")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_report(redis_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETCACHE_")}
    env["NETCACHE_REDIS_URL"] = redis_url
    return subprocess.run([NETCACHE, "report", *args], capture_output=True, text=True, timeout=60, env=env, cwd=ROOT)


def seed_healthy(m: Metrics) -> None:
    """90 % hits, fast hits, few evictions, no false positives."""
    for _ in range(60):
        m.lookup("exact", "bgp_general", 0.0005, saved_usd=0.0104)
    for _ in range(30):
        m.lookup("semantic", "device_status", 0.004, saved_usd=0.0104)
    for _ in range(10):
        m.lookup("generated", "log_analysis", 3.2)
        m.llm_call("log_analysis", "user", "claude-sonnet-4-6", 3.1, 1000, 500, 0.0105)
    m.llm_call("bgp_general", "warm", "claude-sonnet-4-6", 2.0, 800, 400, 0.0084)
    m.eviction("hot", 5)
    m.flush()


@pytest.fixture
def metrics(redis_client, settings):
    m = Metrics(redis_client, settings)
    yield m
    m.close()


def test_the_report_has_every_section_of_the_chapter(metrics, redis_client, settings):
    seed_healthy(metrics)
    redis_client.zadd("{nc}:tier:warm", {"a": 1, "b": 2})
    text = build_report(redis_client, settings).render()

    for title in ("Overall", "By match kind", "Performance", "Cost", "Cache state", "Hit rate by query type",
                  "Monthly projection", "Warnings"):
        assert f"\n{title}\n" in text
    assert "requests                                    100" in text
    assert "hit rate                                 90.0 %" in text
    assert "exact                                        60  60.0 % of requests (hit)" in text
    assert "average miss latency                 3,200.0 ms" in text
    assert "spent on LLM calls                      $0.1134  11 calls" in text
    assert "estimated savings                       $0.9360" in text
    assert "entries warm                                  2" in text
    assert "  log_analysis                           10          0      0.0 %" in text
    assert "\nWarnings\n--------\n  none\n" in text
    assert "warm lookups" not in text


def test_warming_lookups_are_shown_but_not_counted(metrics, redis_client, settings):
    seed_healthy(metrics)
    metrics.lookup("generated", "bgp_general", 2.0, purpose="warm")
    metrics.flush()
    text = build_report(redis_client, settings).render()
    assert "warm lookups (not counted)                    1  generated 1" in text
    assert "requests                                    100" in text


def test_the_monthly_projection_uses_the_measured_hit_rate_and_call_cost(metrics, redis_client, settings):
    seed_healthy(metrics)
    p = build_report(redis_client, settings, monthly_requests=150_000).projection
    assert p["hit_rate"] == pytest.approx(0.9)
    assert p["cost_per_call_usd"] == pytest.approx(0.0105), "user calls only; warming is a separate budget"
    assert p["cost_without_cache_usd"] == pytest.approx(150_000 * 0.0105)
    assert p["cost_with_cache_usd"] == pytest.approx(15_000 * 0.0105 + 135_000 * 0.0001)
    assert p["warming_usd"] == 0.0 and p["warming_basis"] == "too little data to measure"


def test_warming_spend_over_a_long_enough_window_is_projected_into_the_month(metrics, redis_client, settings):
    seed_healthy(metrics)  # one warm call of $0.0084
    first_ts = float(redis_client.hget("nc:m:meta", "first_ts"))
    p = build_report(redis_client, settings, monthly_requests=150_000, now=first_ts + 3600).projection
    assert p["warming_usd"] == pytest.approx(0.0084 * 24 * 30)
    assert p["cost_with_cache_usd"] == pytest.approx(15_000 * 0.0105 + 135_000 * 0.0001 + 0.0084 * 24 * 30)


def test_an_empty_cache_projects_with_the_chapter_figures(redis_client, settings):
    report = build_report(redis_client, settings)
    assert report.projection["monthly_requests"] == 150_000
    assert report.projection["cost_per_call_usd"] == 0.10
    assert report.warnings == []
    assert "requests                                      0" in report.render()


@pytest.mark.parametrize("problem, expected", [
    ("low_hit_rate", "hit rate 40.0 % is below 70.0 %"),
    ("evictions", "150 evictions in the last hour (> 100)"),
    ("false_positives", "false-positive rate 10.0 % is above 5.0 %"),
    ("slow_hits", "average hit latency 150.0 ms is above 100.0 ms"),
])
def test_each_chapter_alert_appears_as_a_warning(metrics, redis_client, settings, problem, expected):
    if problem == "low_hit_rate":
        for i in range(10):
            metrics.lookup("exact" if i < 4 else "miss", "bgp", 0.001)
    else:
        for _ in range(10):
            metrics.lookup("semantic", "bgp", 0.150 if problem == "slow_hits" else 0.001)
    if problem == "evictions":
        metrics.eviction("warm", 150)
    if problem == "false_positives":  # 2 rejected of 20 semantic candidates
        for _ in range(8):
            metrics.lookup("semantic", "bgp", 0.001)
        metrics.false_positive("bgp", 0.9)
        metrics.false_positive("bgp", 0.9)
        metrics.lookup("miss", "bgp", 0.001)
    metrics.flush()
    report = build_report(redis_client, settings)
    assert [w for w in report.warnings if expected in w], report.warnings
    assert len(report.warnings) == 1, report.warnings
    assert f"  ! {report.warnings[0]}" in report.render()


def test_a_false_positive_rate_over_too_few_candidates_gives_no_advice(metrics, redis_client, settings):
    metrics.lookup("semantic", "bgp", 0.001)  # one candidate, and the guard rejected it: "100 %"
    metrics.false_positive("bgp", 0.9)
    metrics.flush()
    report = build_report(redis_client, settings)
    assert report.snapshot["false_positives"]["rate"] > 0.05
    assert not [w for w in report.warnings if "false-positive" in w], report.warnings


def test_netcache_report_prints_text_and_json_from_another_process(metrics, redis_url):
    seed_healthy(metrics)
    text = run_report(redis_url)
    assert text.returncode == 0, text.stderr
    assert "hit rate                                 90.0 %" in text.stdout

    as_json = run_report(redis_url, "--json", "--monthly-requests", "1000")
    assert as_json.returncode == 0, as_json.stderr
    data = json.loads(as_json.stdout)
    assert data["metrics"]["hits"] == 90 and data["metrics"]["misses"] == 10
    assert data["metrics"]["by_query_type"]["device_status"]["hit_rate"] == 1.0
    assert data["projection"]["monthly_requests"] == 1000
    assert data["warnings"] == []
    assert "buckets" not in data["metrics"]["latency"]["hit"]


def test_netcache_report_with_redis_down_names_the_redacted_url_and_exits_1():
    url = f"redis://:hunter2@127.0.0.1:{free_port()}/0"
    result = run_report(url)
    assert result.returncode == 1
    assert "cannot reach Redis at redis://:***@127.0.0.1:" in result.stderr
    assert "NETCACHE_REDIS_URL" in result.stderr
    assert "hunter2" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
