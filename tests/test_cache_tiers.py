"""TTL by volatility, absolute expiry, promotion, demotion and eviction, on a real Redis."""

from __future__ import annotations

import time

import pytest

# the behaviour suite runs over every backend (tests/conftest.py: backend)
from tests.support.cache import ManualClock, backend_client, backend_settings, cache_settings, wait_until  # noqa: F401 - fixtures settings, redis_client


@pytest.fixture
def clock():
    return ManualClock()


def make(backend, clock=None, **cache_fields):
    return backend.cache(cache_settings(backend.settings, **cache_fields),
                       clock=clock or time.time)


@pytest.mark.parametrize("volatility, ttl_s", [("static", 7 * 86400), ("stable", 4 * 3600),
                                               ("dynamic", 300), ("volatile", 30)])
def test_each_volatility_class_gets_its_ttl(backend, settings, redis_client, clock, volatility, ttl_s):
    cache = make(backend, clock, cold_ttl_s=30 * 86400, warm_ttl_s=30 * 86400)
    eid = cache.put("show cpu on rtr-001", "12 %", volatility=volatility)
    info = cache.entry(eid)
    assert info.volatility == volatility
    assert info.expires_at == pytest.approx(clock() + ttl_s)
    clock.advance(ttl_s - 1)
    assert cache.get("show cpu on rtr-001") is not None
    clock.advance(2)
    assert cache.get("show cpu on rtr-001") is None


def test_volatility_is_inferred_from_the_question(backend, settings, redis_client):
    cache = make(backend)
    assert cache.entry(cache.put("what is the CPU utilisation on rtr-001 right now?", "x")).volatility == "volatile"
    assert cache.entry(cache.put("What is BGP?", "a protocol")).volatility == "static"


def test_hits_never_extend_an_answers_life(backend, settings, redis_client, clock):
    cache = make(backend, clock)
    eid = cache.put("show interfaces on rtr-001", "all up", volatility="dynamic")
    expires_at = cache.entry(eid).expires_at
    for _ in range(15):  # enough to promote to hot, which renews the tier time
        clock.advance(10)
        assert cache.get("show interfaces on rtr-001") is not None
    assert cache.entry(eid).expires_at == expires_at
    assert cache.entry(eid).tier == "hot"
    assert redis_client.pexpiretime(f"{{nc}}:e:{eid}") <= int(expires_at * 1000)
    clock.advance(expires_at - clock() + 0.01)
    assert cache.get("show interfaces on rtr-001") is None


def test_a_real_short_ttl_expires_in_redis_itself(backend, settings, redis_client):
    cache = make(backend, ttl_volatile_s=1)
    eid = cache.put("show memory on rtr-001", "40 % used", volatility="volatile")
    assert redis_client.exists(f"{{nc}}:e:{eid}")
    assert cache.get("show memory on rtr-001").answer == "40 % used"
    assert wait_until(lambda: not redis_client.exists(f"{{nc}}:e:{eid}"), timeout_s=5)
    assert cache.get("show memory on rtr-001") is None


def test_access_counts_promote_cold_to_warm_to_hot(backend, settings, redis_client):
    cache = make(backend)
    eid = cache.put("What is OSPF?", "a link-state IGP")  # static, no entities: reference → cold
    assert cache.entry(eid).tier == "cold"
    tiers = []
    for _ in range(10):
        tiers.append(cache.get("What is OSPF?").tier)
    assert tiers[:4] == ["cold"] * 4 and tiers[4] == "warm" and tiers[-1] == "hot"
    assert redis_client.zscore("{nc}:tier:hot", eid) is not None
    assert redis_client.zscore("{nc}:tier:warm", eid) is None and not redis_client.sismember("{nc}:tier:cold", eid)


def test_new_entries_start_warm(backend, settings, redis_client):
    cache = make(backend)
    assert cache.entry(cache.put("show bgp summary on rtr-001", "3 peers")).tier == "warm"


def test_a_hot_entry_falls_back_to_warm_when_its_hot_time_ends(backend, redis_client, clock):
    cache = make(backend, clock, promote_warm_to_hot=2)
    eid = cache.put("show version on rtr-001", "IOS XE 17.9", volatility="stable")
    cache.get("show version on rtr-001")
    assert cache.get("show version on rtr-001").tier == "hot"
    # Redis keeps it for its warm time after the hot time, not just the hot 5 min
    assert redis_client.pexpiretime(f"{{nc}}:e:{eid}") == int((clock() + 300 + 3600) * 1000)
    clock.advance(301)  # past hot 5 min, inside warm 1 h and stable 4 h
    # a reader whose promotion threshold this entry's 3 hits do not reach: the demotion is all it sees
    reader = make(backend, clock, promote_warm_to_hot=100)
    hit = reader.get("show version on rtr-001")
    assert hit is not None and hit.answer == "IOS XE 17.9" and hit.tier == "warm"
    assert cache.entry(eid).tier == "warm"
    assert redis_client.zscore("{nc}:tier:warm", eid) is not None and redis_client.zscore("{nc}:tier:hot", eid) is None


def test_a_warm_entry_idle_past_its_tier_time_is_gone(backend, settings, redis_client, clock):
    cache = make(backend, clock)
    cache.put("show version on rtr-001", "IOS XE 17.9", volatility="stable")
    clock.advance(3601)
    assert cache.get("show version on rtr-001") is None


def test_the_warm_tier_evicts_the_least_frequently_used_at_its_size_limit(backend, settings, redis_client):
    cache = make(backend, warm_max_entries=3, promote_warm_to_hot=100)
    ids = [cache.put(f"show bgp summary on rtr-{i:03d}", f"answer {i}") for i in range(3)]
    for _ in range(3):
        cache.get("show bgp summary on rtr-000")
        cache.get("show bgp summary on rtr-002")
    cache.put("show bgp summary on rtr-003", "answer 3")
    assert cache.entry(ids[1]) is None  # fewest hits
    assert cache.entry(ids[0]) is not None and cache.entry(ids[2]) is not None
    stats = cache.stats()
    assert stats["entries"]["warm"] == 3 and stats["evictions"]["warm"] == 1
    assert cache.counters["evictions:warm"] == 1
    assert redis_client.sismember("{nc}:t:device:rtr-001", ids[1]) == 0  # tags cleaned too


def test_hot_overflow_falls_back_to_warm_without_losing_the_entry(backend, settings, redis_client):
    cache = make(backend, hot_max_entries=1, promote_warm_to_hot=2)
    a = cache.put("show bgp summary on rtr-001", "a")
    b = cache.put("show bgp summary on rtr-002", "b")
    for q in ("show bgp summary on rtr-001", "show bgp summary on rtr-002"):
        cache.get(q)
        cache.get(q)
    assert cache.entry(b).tier == "hot" and cache.entry(a).tier == "warm"
    assert cache.stats()["evictions"] == {"hot": 0, "warm": 0, "cold": 0}


def test_max_entries_caps_the_whole_cache(backend, settings, redis_client):
    cache = make(backend, max_entries=5)
    for i in range(8):
        cache.put(f"show bgp summary on rtr-{i:03d}", f"answer {i}")
    stats = cache.stats()
    assert stats["total"] == 5
    assert sum(stats["evictions"].values()) == 3
    assert len([k for k in redis_client.scan_iter("{nc}:e:*")]) == 5


def test_sweep_removes_what_redis_expired_on_its_own(backend, settings, redis_client):
    cache = make(backend, ttl_volatile_s=1)
    gone = cache.put("show cpu on rtr-001", "5 %", volatility="volatile")
    kept = cache.put("show version on rtr-001", "17.9", volatility="stable")
    assert wait_until(lambda: not redis_client.exists(f"{{nc}}:e:{gone}"), timeout_s=5)
    assert redis_client.hexists("{nc}:ix:vec", gone)  # the vector outlives the expired entry
    assert cache.sweep() == 1
    assert not redis_client.hexists("{nc}:ix:vec", gone) and redis_client.hexists("{nc}:ix:vec", kept)
    assert redis_client.zscore("{nc}:tier:warm", gone) is None and cache.stats()["total"] == 1


def test_the_cold_tier_evicts_at_random_at_its_size_limit(backend, redis_client):
    survivors = set()
    for trial in range(8):
        cache = backend.cache(cache_settings(backend.settings, cold_max_entries=3), namespace=f"cold{trial}")
        ids = []
        for i in range(6):
            ids.append(cache.put(f"What is protocol number {i}?", f"reference {i}"))
            # static, entity-free: reference → cold; over the limit a random cold entry goes (the new one too)
            assert cache.stats()["entries"] == {"hot": 0, "warm": 0, "cold": min(i + 1, 3)}
        stats = cache.stats()
        assert stats["entries"]["cold"] == 3 and stats["evictions"]["cold"] == 3
        kept = frozenset(i for i, eid in enumerate(ids) if cache.entry(eid) is not None)
        assert len(kept) == 3 and redis_client.scard(f"{{nc:cold{trial}}}:tier:cold") == 3
        survivors.add(kept)
    assert len(survivors) > 1  # not oldest-first: 8 identical outcomes of a random choice is ~1e-7


def test_the_total_cap_evicts_cold_entries_before_warm_ones(backend, redis_client):
    cache = make(backend, max_entries=4)
    cold = [cache.put(f"What is protocol number {i}?", f"reference {i}") for i in range(2)]
    warm = [cache.put(f"show bgp summary on rtr-{i:03d}", f"answer {i}") for i in range(3)]
    assert [cache.entry(e) for e in cold].count(None) == 1  # the fifth entry pushed one cold entry out
    assert all(cache.entry(e) is not None for e in warm)
    warm.append(cache.put("show bgp summary on rtr-999", "answer 999"))
    stats = cache.stats()
    assert stats["total"] == 4 and stats["entries"] == {"hot": 0, "warm": 4, "cold": 0}
    assert stats["evictions"] == {"hot": 0, "warm": 0, "cold": 2}
    assert all(cache.entry(e) is not None for e in warm)
    assert not redis_client.exists(*(f"{{nc}}:e:{e}" for e in cold))
