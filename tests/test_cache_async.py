"""AsyncAnswerCache has the sync cache's semantics, on redis.asyncio and on the in-process memory:// store."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import redis.asyncio as aioredis

from netcache.connections import make_async_redis, make_redis
from netcache.devtools.messages_server import MessagesAPIServer
from netcache.engine.aio import AsyncAnswerCache
from netcache.engine.sync import AnswerCache
from netcache.llm.client import AsyncLLMClient
from netcache.matching.embedder import make_embedder
from tests.support.cache import Generator


@pytest.fixture(params=["redis", "memory"])
def store_settings(request, settings):
    """Settings on the private Redis, or on a fresh in-process store."""
    if request.param == "memory":
        return settings.model_copy(update={"redis_url": f"memory://async-{uuid.uuid4().hex}"})
    return settings


@pytest.fixture
async def acache(store_settings):
    client = make_async_redis(store_settings)
    cache = AsyncAnswerCache(store_settings, redis=client, embedder=make_embedder(store_settings))
    yield cache
    await cache.aclose()
    await client.aclose()


async def test_async_exact_semantic_and_entity_swap_match_the_sync_cache(acache, store_settings):
    gen = Generator()
    first = await acache.get_or_generate("Show BGP status on rtr-001", generate=gen)
    assert first.source == "generated"
    assert (await acache.get_or_generate(" show bgp STATUS on rtr-001 ", generate=gen)).source == "exact"
    hit = await acache.get("what's the bgp state on rtr-001?")
    assert hit is not None and hit.kind == "semantic" and hit.answer == first.text
    assert await acache.get("Show BGP status on rtr-002") is None
    # the sync cache sees the same entry with the same id
    sync = AnswerCache(store_settings, redis=make_redis(store_settings))
    assert sync.get("Show BGP status on rtr-001").entry_id == first.entry_id
    assert gen.calls == 1


async def test_async_concurrent_misses_make_one_llm_call(store_settings):
    server = MessagesAPIServer(latency_s=0.5).start()
    cfg = store_settings.model_copy(update={"llm": store_settings.llm.model_copy(update={"base_url": server.url})})
    client = make_async_redis(cfg)
    llm = AsyncLLMClient(cfg)
    try:
        cache = AsyncAnswerCache(cfg, redis=client, llm=llm)
        answers = await asyncio.gather(*(cache.get_or_generate("show ospf neighbors on rtr-001")
                                         for _ in range(10)))
        assert server.calls == 1
        assert sorted(a.source for a in answers).count("generated") == 1
        assert len({a.text for a in answers}) == 1
    finally:
        await llm.close()
        await client.aclose()
        server.stop()


async def test_async_invalidation_soft_refresh_and_no_stale_set(acache):
    gen = Generator(delay_s=0.1)
    first = await acache.get_or_generate("show running config on rtr-001", volatility="stable", generate=gen)
    assert await acache.invalidate(["device:rtr-001"], mode="soft") == 1
    stale = await acache.get_or_generate("show running config on rtr-001", volatility="stable", generate=gen)
    assert stale.source == "stale" and stale.text == first.text
    await acache.aclose()
    assert gen.calls == 2
    assert (await acache.get("show running config on rtr-001")).answer != first.text

    async def invalidating(prompt):
        await acache.invalidate(["device:rtr-002"])
        return "pre-change answer"

    answer = await acache.get_or_generate("show running config on rtr-002", generate=invalidating)
    assert answer.entry_id is None and (await acache.stats())["discarded_stale_sets"] == 1
    assert await acache.invalidate(["device:rtr-001"]) == 1
    assert await acache.get("show running config on rtr-001") is None
    assert await acache.tag_members("device:rtr-001") == []


async def test_async_query_log_and_entry_info(acache):
    for _ in range(3):
        await acache.get("show bgp summary on rtr-001")
    await acache.put("show bgp summary on rtr-001", "3 peers", params={"vrf": "blue"})
    eid = await acache.put("What is BGP?", "a protocol")
    await acache.get("What is BGP?")
    top = await acache.top_queries(5)
    assert top[0].prompt == "show bgp summary on rtr-001" and top[0].entry_id is None
    assert top[0].score == pytest.approx(3.0, rel=1e-3)
    assert top[1].entry_id == eid
    info = await acache.entry(eid)
    assert info.prompt == "What is BGP?" and info.tier == "cold"


async def test_async_with_redis_down_get_misses_and_get_or_generate_still_answers(settings, redis_server):
    client = aioredis.Redis.from_url(redis_server.url, socket_connect_timeout=0.5)
    cache = AsyncAnswerCache(settings, redis=client, embedder=False)
    await cache.put("show version on rtr-001", "17.9")
    redis_server.stop()
    try:
        assert await cache.get("show version on rtr-001") is None
        answer = await cache.get_or_generate("show version on rtr-001", generate=lambda p: "fresh")
        assert answer.text == "fresh" and answer.entry_id is None and answer.cache_error
        assert cache.counters["redis_errors"] >= 2
    finally:
        redis_server.start()
        await client.aclose()


async def test_async_cache_reads_the_settings_inventory_file_and_refuses_a_bad_one(store_settings, tmp_path):
    from netcache.errors import ConfigError
    from tests.support.cache import cache_settings

    inventory_file = tmp_path / "inventory.txt"
    inventory_file.write_text("coreswitch\nedgebox\n")
    settings = store_settings
    client = make_async_redis(settings)
    cache = AsyncAnswerCache(cache_settings(settings, inventory_file=inventory_file), redis=client,
                             embedder=make_embedder(settings))
    try:
        entry_id = await cache.put("show bgp status on coreswitch", "established")
        assert "device:coreswitch" in (await cache.entry(entry_id)).tags
        assert await cache.get("show bgp status on edgebox") is None
    finally:
        await cache.aclose()
        await client.aclose()
    (tmp_path / "bad.json").write_text("[1, 2]")
    with pytest.raises(ConfigError, match="cache.inventory_file"):
        AsyncAnswerCache(cache_settings(settings, inventory_file=tmp_path / "bad.json"))


async def test_async_sweep_and_a_paged_drop_namespace(store_settings):
    from tests.support.cache import cache_settings

    cfg = cache_settings(store_settings, ttl_volatile_s=1)
    client = make_async_redis(cfg)
    cache = AsyncAnswerCache(cfg, redis=client, embedder=False)
    scratch = AsyncAnswerCache(cfg, redis=client, embedder=False, namespace="scratch")
    try:
        gone = await cache.put("show cpu on rtr-001", "5 %", volatility="volatile")
        await cache.put("show version on rtr-001", "17.9", volatility="stable")
        await client.delete(f"{{nc}}:e:{gone}")  # what Redis does at expiry: the tier record outlives it
        assert await cache.sweep() == 1 and (await cache.stats())["total"] == 1
        for i in range(2500):  # more than one SCAN page (drop_namespace holds a page, not every key)
            await client.set(f"{{nc:scratch}}:junk:{i}", "x")
        await scratch.put("show version on rtr-001", "scratch answer")
        assert await scratch.drop_namespace() >= 2500
        assert [k async for k in client.scan_iter("{nc:scratch}:*")] == []
        assert (await cache.get("show version on rtr-001")).answer == "17.9"
    finally:
        await cache.aclose()
        await client.aclose()
