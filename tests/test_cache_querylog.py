"""The query log (decayed counts, bounded) and scratch namespaces."""

from __future__ import annotations

import pytest

from netcache.errors import ConfigError

# the behaviour suite runs over every backend (tests/conftest.py: backend)
from tests.support.cache import ManualClock, backend_client, backend_settings, cache_settings  # noqa: F401 - fixtures settings, redis_client


def test_top_queries_rank_by_decayed_count_and_say_how_to_re_ask(backend, settings, redis_client):
    clock = ManualClock()
    cache = backend.cache(cache_settings(settings, query_log_halflife_s=3600), clock=clock)
    for _ in range(4):
        cache.get("show bgp summary on rtr-001")  # asked 4 times, an hour ago
    clock.advance(3600)
    for _ in range(3):
        cache.get("show interfaces on rtr-002", context={"site": "nyc"}, params={"vrf": "blue"})
    eid = cache.put("show interfaces on rtr-002", "all up", context={"site": "nyc"}, params={"vrf": "blue"})
    top = cache.top_queries(10)
    assert [q.prompt for q in top] == ["show interfaces on rtr-002", "show bgp summary on rtr-001"]
    assert top[0].score == pytest.approx(3.0) and top[1].score == pytest.approx(2.0)  # 4 halved
    assert top[0].context == {"site": "nyc"} and top[0].params == {"vrf": "blue"}
    assert top[0].entry_id == eid and top[1].entry_id is None


def test_the_query_log_is_bounded(backend, settings, redis_client):
    cache = backend.cache(cache_settings(settings, query_log_max=20))
    for _ in range(3):
        cache.get("show version on rtr-999")
    for i in range(100):
        cache.get(f"show version on rtr-{i:03d}")
    assert redis_client.zcard("{nc}:q:top") <= 20 + 10
    assert redis_client.hlen("{nc}:q:meta") == redis_client.zcard("{nc}:q:top")
    assert cache.top_queries(1)[0].prompt == "show version on rtr-999"


def test_a_namespace_is_isolated_and_can_be_dropped(backend, settings, redis_client):
    main = backend.cache(settings)
    scratch = backend.cache(settings, namespace="tune")
    main.put("show version on rtr-001", "main answer")
    scratch.put("show version on rtr-001", "scratch answer")
    assert scratch.get("show version on rtr-001").answer == "scratch answer"
    assert all(k.startswith(b"nc:tune:") for k in redis_client.scan_iter("nc:tune:*"))
    assert scratch.drop_namespace() > 0
    assert list(redis_client.scan_iter("nc:tune:*")) == []
    assert main.get("show version on rtr-001").answer == "main answer"
    with pytest.raises(ConfigError):
        main.drop_namespace()
    with pytest.raises(ConfigError):
        backend.cache(settings, namespace="a:b")


def test_warming_and_refreshing_do_not_count_as_asks(backend, settings, redis_client):
    cache = backend.cache(settings)
    cache.get_or_generate("show version on rtr-001", generate=lambda p: "17.9", purpose="warm")
    cache.refresh("show version on rtr-001", generate=lambda p: "17.9")
    assert cache.top_queries(5) == []
    cache.get_or_generate("show version on rtr-001", generate=lambda p: "17.9")
    assert [q.prompt for q in cache.top_queries(5)] == ["show version on rtr-001"]


def test_warming_stores_the_question_itself_even_when_a_paraphrase_is_cached(backend, settings, redis_client):
    cache = backend.cache(settings)
    cache.put("Show BGP status on rtr-001", "established")
    assert cache.get("what's the bgp state on rtr-001?").kind == "semantic"
    warmed = cache.get_or_generate("what's the bgp state on rtr-001?", generate=lambda p: "fresh", purpose="warm")
    assert warmed.source == "generated"
    assert cache.get("what's the bgp state on rtr-001?").kind == "exact"
