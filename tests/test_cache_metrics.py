"""The cache reports every lookup, LLM call, false positive, near miss and eviction to the real Metrics."""

from __future__ import annotations

from netcache.llm.client import LLMResponse
from netcache.matching.embedder import make_embedder
from netcache.metrics.recorder import Metrics

# the behaviour suite runs over every backend (tests/conftest.py: backend)
from tests.support.cache import backend_client, backend_settings, cache_settings  # noqa: F401 - fixtures settings, redis_client


def hashes(redis_client, name):
    return {k.decode(): v.decode() for k, v in redis_client.hgetall(f"nc:m:{name}").items()}


def test_lookups_llm_calls_and_savings_reach_the_shared_counters(backend, settings, redis_client):
    metrics = Metrics(redis_client, settings)
    cache = backend.cache(settings, embedder=make_embedder(settings), metrics=metrics)
    resp = LLMResponse(text="3 peers", model="claude-x", input_tokens=100, output_tokens=50, cost_usd=0.05,
                       latency_s=0.2)
    cache.get_or_generate("Show BGP status on rtr-001", generate=lambda p: resp)
    cache.get_or_generate("Show BGP status on rtr-001", generate=lambda p: resp)
    cache.get("what's the bgp state on rtr-001?")
    cache.get("Show BGP status on rtr-002")
    cache.get_or_generate("Show BGP status on rtr-001", generate=lambda p: resp, purpose="warm")
    metrics.flush()
    lookups = hashes(redis_client, "lookup")
    qt = cache._prepare("Show BGP status on rtr-001").query_type
    assert lookups[f"generated|{qt}"] == "1" and lookups[f"exact|{qt}"] == "1"
    assert lookups[f"semantic|{qt}"] == "1" and lookups[f"miss|{qt}"] == "1"
    assert sum(int(v) for v in hashes(redis_client, "bglookup").values()) == 1
    llm = hashes(redis_client, "llm")
    assert llm["calls|user"] == "1" and llm["in_tokens|user"] == "100" and llm["out_tokens|user"] == "50"
    assert float(hashes(redis_client, "saved")["usd"]) > 0.09  # two hits of a $0.05 answer, minus the hit cost
    metrics.close()


def test_false_positives_and_evictions_are_reported(backend, settings, redis_client):
    cfg = cache_settings(settings, semantic_threshold=0.5, near_miss_margin=0.5, warm_max_entries=2)
    metrics = Metrics(redis_client, cfg)
    cache = backend.cache(cfg, embedder=make_embedder(cfg), metrics=metrics)
    cache.put("Why is the BGP session down on rtr-001?", "peer unreachable")
    assert cache.get("Why is the BGP session up on rtr-001?") is None
    for i in range(3):
        cache.put(f"show interfaces on rtr-{i:03d}", "x")
    metrics.flush()
    assert any(k.startswith("count|") for k in hashes(redis_client, "fp"))
    assert cache.counters["evictions:warm"] == 2  # four warm entries, room for two
    snap = metrics.snapshot()
    assert snap is not None
    assert list(redis_client.scan_iter("nc:m:ev*"))  # scan_iter: every node of a cluster
    metrics.close()


def test_warm_and_refresh_lookups_leave_the_users_hits_misses_and_latency_alone(backend, settings, redis_client):
    metrics = Metrics(redis_client, settings)
    cache = backend.cache(settings, embedder=make_embedder(settings), metrics=metrics)
    cache.get_or_generate("show version on rtr-001", generate=lambda p: "17.9", purpose="warm")  # generated
    cache.get_or_generate("show version on rtr-001", generate=lambda p: "17.9", purpose="warm")  # exact
    cache.refresh("show version on rtr-001", generate=lambda p: "17.10")  # purpose "refresh"
    metrics.flush()
    assert hashes(redis_client, "lookup") == {} and hashes(redis_client, "hist") == {}
    assert not [k for k in hashes(redis_client, "lat") if k.startswith(("hit_", "miss_"))]  # llm_* stays
    assert hashes(redis_client, "bglookup") == {"generated|warm": "1", "exact|warm": "1", "generated|refresh": "1"}
    cache.get_or_generate("show version on rtr-001", generate=lambda p: "never")  # now a user hit
    metrics.flush()
    assert hashes(redis_client, "lookup") == {f"exact|{cache._prepare('show version on rtr-001').query_type}": "1"}
    metrics.close()


async def test_the_async_cache_also_counts_warm_and_refresh_lookups_apart(settings, redis_url, redis_client):
    import redis.asyncio as aioredis

    from netcache.engine.aio import AsyncAnswerCache

    metrics = Metrics(redis_client, settings)
    client = aioredis.Redis.from_url(redis_url)
    cache = AsyncAnswerCache(settings, redis=client, embedder=make_embedder(settings), metrics=metrics)
    try:
        await cache.get_or_generate("show version on rtr-001", generate=lambda p: "17.9", purpose="warm")
        await cache.refresh("show version on rtr-001", generate=lambda p: "17.10")
    finally:
        await cache.aclose()
        await client.aclose()
    metrics.flush()
    assert hashes(redis_client, "lookup") == {}
    assert hashes(redis_client, "bglookup") == {"generated|warm": "1", "generated|refresh": "1"}
    metrics.close()


async def test_metrics_are_on_by_default_wherever_a_cache_is_built_and_a_switch_turns_them_off(
        settings, redis_client):
    from netcache import AnswerCache, AsyncAnswerCache
    from netcache.metrics.export import read_snapshot

    sync_cache = AnswerCache(settings)  # the README's way: no metrics= given
    sync_cache.get_or_generate("Show BGP status on rtr-001", generate=lambda p: "3 peers")
    sync_cache.get("show bgp status on rtr-001")
    sync_cache.close()  # flushes what it recorded
    async_cache = AsyncAnswerCache(settings)

    async def gen(prompt: str) -> str:
        return "up"

    await async_cache.get_or_generate("Show interface status on rtr-002", generate=gen)
    await async_cache.aclose()
    await async_cache.redis.aclose()
    snap = read_snapshot(redis_client, settings)
    assert snap["requests"] == 3 and snap["hits"] == 1
    # off: per cache (metrics=False) or for every cache (NETCACHE_CACHE__METRICS_ENABLED=false)
    off = cache_settings(settings, metrics_enabled=False)
    for cache in (AnswerCache(settings, metrics=False), AnswerCache(off)):
        assert cache.metrics is None
        cache.get_or_generate("Show CPU and memory usage on rtr-003", generate=lambda p: "low")
        cache.close()
    assert read_snapshot(redis_client, settings)["requests"] == 3
