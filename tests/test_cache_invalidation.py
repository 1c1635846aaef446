"""Tag invalidation (hard and soft), stale-while-revalidate, the no-stale-set race, and
visibility across processes, on a real Redis."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading

import pytest

from netcache.matching.embedder import make_embedder

# the behaviour suite runs over every backend (tests/conftest.py: backend)
from tests.support.cache import (  # noqa: F401 - fixtures settings, redis_client
    Generator,
    ManualClock,
    backend_client,
    backend_settings,
    cache_settings,
    on_backends,
    wait_until,
)


@pytest.fixture
def cache(backend, settings, redis_client):
    c = backend.cache(settings)
    yield c
    c.close()


def test_entries_are_tagged_from_entities_topics_scope_volatility_and_the_caller(cache):
    eid = cache.put("show bgp neighbors on rtr-001 for AS 65001", "2 peers", tags=["ticket:42"])
    tags = set(cache.entry(eid).tags)
    assert {"device:rtr-001", "asn:65001", "topic:bgp", "ticket:42"} <= tags
    assert any(t.startswith("volatility:") for t in tags) and "scope:global" not in tags
    ref = cache.put("What is BGP?", "a path-vector protocol")
    assert "scope:global" in cache.entry(ref).tags
    assert cache.tag_members("device:rtr-001") == [eid]


def test_hard_invalidation_by_device_deletes_only_that_devices_answers(cache, redis_client):
    a = cache.put("show interfaces on rtr-001", "a")
    b = cache.put("show bgp summary on rtr-001", "b")
    c = cache.put("show interfaces on rtr-002", "c")
    ref = cache.put("What is BGP?", "static reference answer")
    assert cache.invalidate(["device:rtr-001"]) == 2
    assert cache.entry(a) is None and cache.entry(b) is None
    assert cache.entry(c) is not None
    assert cache.get("What is BGP?").answer == "static reference answer" and cache.entry(ref) is not None
    assert cache.tag_members("device:rtr-001") == []
    assert not redis_client.hexists("{nc}:ix:vec", a)


@on_backends("redis", "asyncio")
def test_invalidation_cost_follows_the_entries_affected_not_the_cache_size(cache, redis_client):
    for i in range(50):
        cache.put(f"show interfaces on rtr-{i:03d}", f"answer {i}")
    redis_client.config_resetstat()
    assert cache.invalidate(["device:rtr-007"]) == 1
    stats = redis_client.info("commandstats")
    assert not any(k in stats for k in ("cmdstat_keys", "cmdstat_scan"))


def test_soft_invalidation_serves_a_stable_answer_stale_while_one_refresh_runs(backend, settings, redis_client):
    cache = backend.cache(settings)
    gen = Generator()
    first = cache.get_or_generate("show running config on rtr-001", volatility="stable", generate=gen)
    assert cache.invalidate(["device:rtr-001"], mode="soft") == 1
    assert cache.entry(first.entry_id).stale
    refreshing = threading.Event()
    gen.during = lambda: refreshing.wait(30)  # the refresh's LLM call lasts until the lookups are done
    served = [cache.get_or_generate("show running config on rtr-001", volatility="stable", generate=gen)
              for _ in range(5)]
    refreshing.set()
    assert all(a.source == "stale" and a.text == first.text for a in served)
    cache.close()
    assert gen.calls == 2  # the first generation and exactly one refresh
    fresh = cache.get_or_generate("show running config on rtr-001", volatility="stable", generate=gen)
    assert fresh.source == "exact" and fresh.text != first.text and "#2" in fresh.text
    assert not cache.entry(first.entry_id).stale


def test_a_dynamic_answer_is_never_served_stale(cache):
    gen = Generator()
    first = cache.get_or_generate("show interface status on rtr-001", volatility="dynamic", generate=gen)
    cache.invalidate(["device:rtr-001"], mode="soft")
    assert cache.get("show interface status on rtr-001") is None
    again = cache.get_or_generate("show interface status on rtr-001", volatility="dynamic", generate=gen)
    assert again.source == "generated" and again.text != first.text and gen.calls == 2


def test_a_stale_answer_older_than_stale_max_age_is_refreshed_synchronously(backend, settings, redis_client):
    clock = ManualClock()
    cache = backend.cache(settings, clock=clock)
    gen = Generator()
    cache.get_or_generate("show running config on rtr-001", volatility="stable", generate=gen)
    cache.invalidate(["device:rtr-001"], mode="soft")
    clock.advance(settings.cache.stale_max_age_s + 1)
    again = cache.get_or_generate("show running config on rtr-001", volatility="stable", generate=gen)
    assert again.source == "generated" and gen.calls == 2


def test_an_answer_generated_across_an_invalidation_is_not_stored(cache):
    # the generate callable invalidates the device mid-call, like a config push during a 3 s LLM call
    gen = Generator(during=lambda: cache.invalidate(["device:rtr-001"]))
    answer = cache.get_or_generate("show running config on rtr-001", generate=gen)
    assert answer.source == "generated" and answer.entry_id is None
    assert "invalidated" in answer.cache_error
    assert cache.get("show running config on rtr-001") is None
    assert cache.stats()["discarded_stale_sets"] == 1
    gen.during = None
    assert cache.get_or_generate("show running config on rtr-001", generate=gen).entry_id is not None


def test_a_put_with_an_old_ticket_is_discarded_but_unrelated_tags_do_not_matter(cache):
    ticket = cache.ticket("show bgp summary on rtr-001")
    cache.invalidate(["device:rtr-002"])
    assert cache.put("show bgp summary on rtr-001", "ok", ticket=ticket) is not None
    ticket = cache.ticket("show bgp summary on rtr-001")
    cache.invalidate(["topic:bgp"], mode="soft")
    assert cache.put("show bgp summary on rtr-001", "pre-change answer", ticket=ticket) is None


def test_invalidate_entries_batches_and_bumps_the_tags_generation(cache):
    ids = [cache.put(f"show interfaces on rtr-{i:03d}", f"a{i}", tags=["site:nyc"]) for i in range(7)]
    ticket = cache.ticket("show version on rtr-100", tags=["site:nyc"])
    assert sorted(cache.tag_members("site:nyc")) == sorted(ids)
    assert cache.invalidate_entries(ids[:3], mode="hard", tags=["site:nyc"]) == 3
    assert cache.invalidate_entries(ids[3:], mode="soft") == 4
    assert [cache.entry(i) for i in ids[:3]] == [None] * 3
    assert all(cache.entry(i).stale for i in ids[3:])
    assert cache.put("show version on rtr-100", "x", tags=["site:nyc"], ticket=ticket) is None


def test_invalidation_needs_tags_and_a_known_mode(cache):
    from netcache.errors import ConfigError
    with pytest.raises(ConfigError):
        cache.invalidate([], mode="hard")
    with pytest.raises(ConfigError):
        cache.invalidate(["device:rtr-001"], mode="later")


_CHILD = textwrap.dedent("""
    import json, sys
    from netcache.engine.sync import AnswerCache
    from netcache.matching.embedder import make_embedder
    from netcache.settings import Settings
    s = Settings(redis_url=sys.argv[1], _env_file=None)
    c = AnswerCache(s, embedder=make_embedder(s))
    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd[0] == "put":
            out = c.put(cmd[1], cmd[2])
        elif cmd[0] == "invalidate":
            out = c.invalidate(cmd[1])
        else:
            h = c.get(cmd[1])
            out = None if h is None else [h.answer, h.kind]
        print(json.dumps(out), flush=True)
""")


@on_backends("redis", "asyncio", "cluster", "cluster-asyncio")
def test_a_second_process_sees_anothers_put_and_invalidation(backend, settings, redis_client):
    fast = cache_settings(settings, index_sync_interval_ms=50)
    here = backend.cache(fast, embedder=make_embedder(fast))
    here.get("what's the bgp state on rtr-001?")  # loads the (empty) index in this process
    child = subprocess.Popen([sys.executable, "-c", _CHILD, settings.redis_url], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)

    def ask(*cmd):
        child.stdin.write(json.dumps(cmd) + "\n")
        child.stdin.flush()
        return json.loads(child.stdout.readline())

    try:
        assert ask("put", "Show BGP status on rtr-001", "from the other process")
        # semantic: needs the other's vector, which this process reads from the change log
        assert wait_until(lambda: here.get("what's the bgp state on rtr-001?") is not None)
        hit = here.get("what's the bgp state on rtr-001?")
        assert hit is not None and hit.kind == "semantic" and hit.answer == "from the other process"
        here.put("show interfaces on rtr-002", "from here")
        assert ask("get", "list the interfaces of rtr-002") == ["from here", "semantic"]
        assert ask("invalidate", ["device:rtr-001"]) == 1
        assert wait_until(lambda: here.get("what's the bgp state on rtr-001?") is None)
        assert len(here.index) == 1  # only rtr-002's entry is left in this process's index
    finally:
        child.stdin.close()
        child.wait(timeout=30)
        child.stdout.close()


def test_a_background_refresh_that_straddles_another_invalidation_is_not_stored(backend, settings, redis_client):
    cache = backend.cache(settings)
    first = cache.get_or_generate("show running config on rtr-001", volatility="stable", generate=Generator())
    cache.invalidate(["device:rtr-001"], mode="soft")
    # the refresh's LLM call sees another config change land mid-call
    refresher = Generator(prefix="refreshed", during=lambda: cache.invalidate(["device:rtr-001"], mode="soft"))
    served = cache.get_or_generate("show running config on rtr-001", volatility="stable", generate=refresher)
    cache.close()
    assert served.source == "stale" and refresher.calls == 1
    info = cache.entry(first.entry_id)
    assert info.stale and cache.get("show running config on rtr-001").answer == first.text
    assert cache.stats()["discarded_stale_sets"] == 1
