"""Redis restarts and outages: errors or misses, never wrong answers or a crashed caller."""

from __future__ import annotations

import time

import pytest

from netcache.errors import BackendUnavailable
from netcache.matching.embedder import make_embedder
from tests.support.cache import Generator, cache_settings, on_backends

# the behaviour suite runs over every backend (tests/conftest.py: backend); stopping and
# restarting Redis needs the real server, so those tests run on the sync and asyncio drivers
from tests.support.cache import backend_settings  # noqa: F401 - fixture settings  # isort: skip


@pytest.fixture
def client(backend):
    return backend.client


@on_backends("redis", "asyncio")
def test_a_redis_restart_empties_the_cache_and_the_index_follows(backend, settings, client, redis_server):
    cfg = cache_settings(settings, index_sync_interval_ms=0)
    cache = backend.cache(cfg, embedder=make_embedder(cfg))
    cache.put("Show BGP status on rtr-001", "pre-restart answer")
    assert cache.get("what's the bgp state on rtr-001?").kind == "semantic"
    redis_server.restart()  # no persistence: everything is gone
    assert cache.get("what's the bgp state on rtr-001?") is None
    assert cache.get("Show BGP status on rtr-001") is None
    assert len(cache.index) == 0  # the epoch changed: the index was reset
    cache.put("Show BGP status on rtr-001", "post-restart answer")
    assert cache.get("what's the bgp state on rtr-001?").answer == "post-restart answer"


@on_backends("redis", "asyncio")
def test_with_redis_down_get_misses_and_get_or_generate_still_answers(backend, settings, client, redis_server):
    cfg = cache_settings(settings, breaker_cooldown_s=0.2)
    cache = backend.cache(cfg, embedder=make_embedder(cfg))
    gen = Generator()
    cache.get_or_generate("show bgp summary on rtr-001", generate=gen)
    redis_server.stop()
    try:
        assert cache.get("show bgp summary on rtr-001") is None
        answer = cache.get_or_generate("show interfaces on rtr-001", generate=gen)
        assert answer.source == "generated" and answer.entry_id is None
        assert answer.cache_error.startswith("Redis unavailable")
        assert cache.put("show version on rtr-001", "x") is None
        assert cache.counters["redis_errors"] >= 3
        with pytest.raises(BackendUnavailable):
            cache.invalidate(["device:rtr-001"])
        with pytest.raises(BackendUnavailable):
            cache.stats()
    finally:
        redis_server.start()
    assert cache.breaker.state == "open"  # three failures in a row: bot requests stopped trying Redis
    time.sleep(0.25)  # its cool-down: the next request probes Redis, finds it back and closes it
    assert cache.get_or_generate("show interfaces on rtr-001", generate=gen).entry_id is not None
    assert cache.breaker.state == "closed"


def test_a_semantic_candidate_redis_lost_is_never_served(backend, settings, client):
    cfg = cache_settings(settings, index_sync_interval_ms=60_000)
    cache = backend.cache(cfg, embedder=make_embedder(cfg))
    eid = cache.put("Show BGP status on rtr-001", "gone soon")
    client.delete(f"{{nc}}:e:{eid}")  # lost behind the index's back (eviction by maxmemory, say)
    assert cache.get("what's the bgp state on rtr-001?") is None
    assert eid not in cache.index


def test_a_process_that_fell_behind_the_change_log_trim_reloads(backend, settings, client):
    cfg = cache_settings(settings, index_log_maxlen=5, index_sync_interval_ms=0)
    reader = backend.cache(cfg, embedder=make_embedder(cfg))
    writer = backend.cache(cfg, embedder=make_embedder(cfg))
    reader.get("what's the bgp state on rtr-000?")
    reloads = reader.index.reloads
    for i in range(300):  # far more than the log keeps
        writer.put(f"Show BGP status on rtr-{i:03d}", f"answer {i}")
    assert client.xlen("{nc}:ix:log") < 300
    hit = reader.get("what's the bgp state on rtr-123?")
    assert hit is not None and hit.answer == "answer 123"
    assert reader.index.reloads == reloads + 1 and len(reader.index) == 300
