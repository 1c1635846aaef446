"""`netcache chat-demo` end to end: real Redis, the real cache, the real SDK against the local server."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
import redis

from netcache.devtools.local_redis import free_port

NETCACHE = os.path.join(os.path.dirname(sys.executable), "netcache")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(redis_url: str, *args: str, **env_extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NETCACHE_", "ANTHROPIC_"))}
    env.update(NETCACHE_REDIS_URL=redis_url, **env_extra)
    return subprocess.run([NETCACHE, *args], capture_output=True, text=True, timeout=110, env=env, cwd=ROOT)


def rows(out: str) -> dict[int, str]:
    """Numbered result rows of the chat: {step: line}."""
    return {int(m.group(1)): m.group(0) for m in re.finditer(r"(?m)^\s*(\d+)  (?:HIT|MISS|EVENT).*$", out)}


@pytest.fixture(scope="module")
def demo_run(redis_server):
    """One demo run against the session's Redis, flushed first (the demo clears only its own key prefix)."""
    if redis_server.proc is None or redis_server.proc.poll() is not None:
        redis_server.start()
    client = redis.Redis.from_url(redis_server.url)
    client.flushall()
    client.close()
    result = run(redis_server.url, "chat-demo", "--latency-s", "0")
    return result, redis_server.url


def test_the_chat_demo_shows_hits_misses_for_entity_swaps_and_invalidation(demo_run):
    result, url = demo_run
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert f"Redis: {url}" in out
    assert "PLACEHOLDERS (no real LLM is called)" in out
    r = rows(out)
    assert "MISS  generated" in r[1]
    assert "HIT   exact" in r[2]
    assert re.search(r"HIT   (exact|semantic)", r[3]), "case and punctuation"
    assert "MISS" in r[5] and "rtr-002" in r[5], "another router must not get rtr-001's answer"
    assert "MISS" in r[8] and "Gi0/2" in r[8], "another interface must not get Gi0/1's answer"
    assert "HIT" in r[12] and "MISS" in r[13], "same logs hit, different logs miss"
    assert "EVENT config_change on rtr-001" in r[17]
    assert "MISS" in r[18] and "HIT" in r[19], "the config change drops rtr-001's answers, not rtr-002's"
    assert "saved $" in r[2] and "cost  $" in r[1]
    assert "→ [placeholder] You asked: What is the BGP neighbor state on rtr-001?" in out


def test_the_chat_demo_ends_with_the_report(demo_run):
    out = demo_run[0].stdout
    for title in ("Overall", "By match kind", "Performance", "Cost", "Cache state", "Hit rate by query type",
                  "Monthly projection", "Warnings"):
        assert f"\n{title}\n" in out
    summary = re.search(r"(\d+) questions: (\d+) hits, (\d+) misses", out)
    asked, hits, misses = map(int, summary.groups())
    assert asked == hits + misses >= 20 and hits >= 8
    assert re.search(rf"(?m)^  requests\s+{asked}$", out)
    assert re.search(rf"(?m)^  hits\s+{hits}$", out)


def test_the_demos_numbers_stay_in_redis_under_its_own_prefix(demo_run):
    result, url = demo_run
    client = redis.Redis.from_url(url)
    try:
        assert client.exists("nc-demo:m:lookup") == 1
        assert client.exists("nc:m:lookup") == 0, "the demo keeps out of the real cache's keys"
    finally:
        client.close()
    again = run(url, "report", NETCACHE_KEY_PREFIX="nc-demo")
    assert again.returncode == 0, again.stderr
    asked = re.search(r"(\d+) questions:", result.stdout).group(1)
    assert re.search(rf"(?m)^  requests\s+{asked}$", again.stdout)


def test_without_a_reachable_redis_the_demo_starts_its_own_and_stops_it(redis_server):
    url = f"redis://:secret-pw@127.0.0.1:{free_port()}/0"
    result = run(url, "chat-demo", "--latency-s", "0", "--no-report")
    assert result.returncode == 0, result.stderr
    assert "redis://:***@127.0.0.1" in result.stdout and "secret-pw" not in result.stdout + result.stderr
    started = re.search(r"started a private redis-server on (redis://127\.0\.0\.1:\d+/0)", result.stdout)
    assert started, result.stdout
    assert "\nOverall\n" not in result.stdout
    client = redis.Redis.from_url(started.group(1), socket_connect_timeout=1)
    try:
        with pytest.raises(redis.ConnectionError):
            client.ping()
    finally:
        client.close()
