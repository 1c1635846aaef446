"""A Redis stall or outage costs a bot request at most its Redis budget; the circuit breaker.

Real parts: the test's redis-server, stalled with ``CLIENT PAUSE`` (every command of every other
client waits) or stopped; the real sync and asyncio caches with the real embedding model.
The breaker's state machine is pure logic and is also checked with a hand-driven clock.
"""

from __future__ import annotations

import time

import pytest
import redis
from prometheus_client import CollectorRegistry, generate_latest

from netcache.connections import CircuitBreaker
from netcache.engine.aio import AsyncAnswerCache
from netcache.engine.sync import AnswerCache
from netcache.metrics.export import BreakerCollector
from tests.support.cache import cache_settings

STALL_S = 2.0
Q = "show bgp summary on rtr-001"


def _pause(redis_url: str, seconds: float) -> None:
    """Stall the server: every other client's commands wait ``seconds``."""
    with redis.Redis.from_url(redis_url) as admin:
        admin.execute_command("CLIENT", "PAUSE", int(seconds * 1000), "ALL")


def _unpause(redis_url: str) -> None:
    with redis.Redis.from_url(redis_url) as admin:
        admin.execute_command("CLIENT", "UNPAUSE")


def test_the_breaker_opens_after_n_failures_probes_once_after_the_cool_down_and_closes_on_success():
    now = [0.0]
    b = CircuitBreaker(failures=3, cooldown_s=5.0, clock=lambda: now[0])
    for _ in range(2):
        assert b.allow()
        b.record(False)
    assert b.state == "closed"
    b.record(True)  # a success in between: the count starts again
    for _ in range(3):
        assert b.allow()
        b.record(False)
    assert b.state == "open" and b.opened == 1
    assert not b.allow() and b.short_circuited == 1
    now[0] = 5.0
    assert b.allow() and b.state == "half_open"  # the probe
    assert not b.allow() and b.short_circuited == 2  # everyone else waits for it
    b.record(False)  # the probe failed: open again for another cool-down
    assert b.state == "open" and not b.allow()
    now[0] = 10.0
    assert b.allow()
    b.record(True)
    assert b.state == "closed" and b.allow()


def test_a_stalled_redis_costs_a_sync_request_its_budget_then_the_llm_answers(settings, redis_url):
    cfg = cache_settings(settings, redis_budget_ms=50)
    cache = AnswerCache(cfg)
    calls = []
    gen = lambda prompt: calls.append(prompt) or f"fresh answer to {prompt}"  # noqa: E731
    cache.get_or_generate("show version on rtr-001", generate=gen)  # model loaded, connection open
    control = AnswerCache(cfg, redis=redis.Redis.from_url(redis_url), embedder=cache.embedder)  # a bot's own client
    try:
        _pause(redis_url, STALL_S)
        started = time.monotonic()
        answer = cache.get_or_generate(Q, generate=gen)
        bounded_s = time.monotonic() - started
        assert answer.source == "generated" and answer.text == f"fresh answer to {Q}"
        assert answer.entry_id is None and "Timeout" in answer.cache_error
        started = time.monotonic()
        assert cache.get("show version on rtr-001") is None  # a miss, not a wait
        get_s = time.monotonic() - started
        started = time.monotonic()
        control.get("show version on rtr-001")  # without the budget: held until the stall ends
        unbounded_s = time.monotonic() - started
    finally:
        _unpause(redis_url)
    # the request gave up on Redis after one timeout (50 ms) instead of waiting out the 2 s stall
    assert bounded_s < STALL_S / 2 and get_s < STALL_S / 2, (bounded_s, get_s)
    assert unbounded_s > bounded_s
    assert cache.get_or_generate(Q, generate=gen).source == "generated"  # Redis back: cached again
    assert cache.get(Q) is not None
    cache.close()
    control.redis.close()


async def test_a_stalled_redis_costs_an_async_request_its_budget_then_the_llm_answers(settings, redis_url):
    cfg = cache_settings(settings, redis_budget_ms=50)
    cache = AsyncAnswerCache(cfg)

    async def gen(prompt: str) -> str:
        return f"fresh answer to {prompt}"

    await cache.get_or_generate("show version on rtr-001", generate=gen)
    try:
        _pause(redis_url, STALL_S)
        started = time.monotonic()
        answer = await cache.get_or_generate(Q, generate=gen)
        bounded_s = time.monotonic() - started
    finally:
        _unpause(redis_url)
    assert answer.source == "generated" and answer.entry_id is None and answer.cache_error
    assert bounded_s < STALL_S / 2, bounded_s
    await cache.aclose()
    await cache.redis.aclose()


@pytest.mark.parametrize("driver", ["sync", "asyncio"])
async def test_with_redis_down_the_breaker_stops_trying_and_a_probe_closes_it_when_redis_is_back(
        settings, redis_server, driver):
    cfg = cache_settings(settings, breaker_failures=3, breaker_cooldown_s=0.3)
    cache = AnswerCache(cfg) if driver == "sync" else AsyncAnswerCache(cfg)

    async def call(fn, *args, **kwargs):
        result = fn(*args, **kwargs)
        return (await result) if driver == "asyncio" else result

    await call(cache.put, Q, "established")
    redis_server.stop()
    try:
        for _ in range(3):
            assert await call(cache.get, Q) is None  # each tries Redis and fails
        assert cache.breaker.state == "open"
        answer = await call(cache.get_or_generate, Q, generate=lambda p: "from the LLM")
        assert answer.text == "from the LLM" and answer.cache_error == "Redis unavailable: BreakerOpen"
        assert cache.breaker.short_circuited == 1
        registry = CollectorRegistry()
        registry.register(BreakerCollector())
        text = generate_latest(registry).decode()
        assert f'netcache_redis_breaker_state{{cache="{cache.keys.base}"}} 1.0' in text
        assert f'netcache_redis_short_circuited_total{{cache="{cache.keys.base}"}}' in text
    finally:
        redis_server.start()
    time.sleep(0.35)  # the cool-down: the next request probes Redis, finds it back, closes the breaker
    assert await call(cache.get_or_generate, Q, generate=lambda p: "again") is not None
    assert cache.breaker.state == "closed"
    assert (await call(cache.get, Q)) is not None
    if driver == "sync":
        cache.close()
    else:
        await cache.aclose()
        await cache.redis.aclose()
