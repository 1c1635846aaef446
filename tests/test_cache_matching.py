"""Exact and semantic matching through the real AnswerCache on a real Redis, with the real embedder."""

from __future__ import annotations

import logging

import pytest

from netcache.matching.embedder import make_embedder

# the behaviour suite runs over every backend (tests/conftest.py: backend)
from tests.support.cache import Generator, backend_client, backend_settings, on_backends  # noqa: F401 - fixtures settings, redis_client


@pytest.fixture
def cache(backend, settings, redis_client):
    c = backend.cache(settings, embedder=make_embedder(settings))
    yield c
    c.close()


def test_exact_hits_survive_case_whitespace_and_punctuation(cache):
    gen = Generator()
    first = cache.get_or_generate("Show BGP summary on rtr-001", generate=gen)
    again = cache.get_or_generate("  show bgp SUMMARY on RTR-001?  ", generate=gen)
    assert first.source == "generated" and again.source == "exact"
    assert again.text == first.text and again.entry_id == first.entry_id
    assert gen.calls == 1


def test_a_paraphrase_is_a_semantic_hit(cache):
    cache.put("Show BGP status on rtr-001", "bgp is established with 3 peers")
    hit = cache.get("what's the bgp state on rtr-001?")
    assert hit is not None and hit.kind == "semantic"
    assert hit.answer == "bgp is established with 3 peers"
    assert cache.settings.cache.semantic_threshold <= hit.score < 1.0


@pytest.mark.parametrize("stored, asked", [
    ("Show interfaces on rtr-001", "Show interfaces on rtr-002"),
    ("Is interface Gi0/1 up on rtr-001?", "Is interface Gi0/2 up on rtr-001?"),
    ("show bgp neighbor 10.0.0.1 on rtr-001", "show bgp neighbor 10.0.0.2 on rtr-001"),
    ("what VLANs are on sw-01 trunk, vlan 10?", "what VLANs are on sw-01 trunk, vlan 20?"),
])
def test_swapping_an_entity_is_always_a_miss(cache, stored, asked):
    cache.put(stored, f"answer about {stored}")
    assert cache.get(stored) is not None
    assert cache.get(asked) is None


def test_a_different_concept_on_the_same_device_is_a_miss(cache):
    cache.put("Why is the BGP session down on rtr-001?", "the peer is unreachable")
    assert cache.get("Why is the BGP session up on rtr-001?") is None
    assert cache.get("Why is the OSPF adjacency down on rtr-001?") is None


def test_context_separates_answers_for_the_same_prompt(cache):
    gen = Generator()
    a = cache.get_or_generate("Analyse these logs", context="rtr-001 %LINK-3-UPDOWN Gi0/1 down", generate=gen)
    b = cache.get_or_generate("Analyse these logs", context="rtr-001 %SYS-5-CONFIG_I configured", generate=gen)
    a2 = cache.get_or_generate("Analyse these logs", context="rtr-001 %LINK-3-UPDOWN Gi0/1 down", generate=gen)
    assert gen.calls == 2
    assert a.entry_id != b.entry_id and a.text != b.text
    assert a2.source == "exact" and a2.text == a.text


def test_params_separate_answers_and_are_normalised(cache):
    cache.put("show route table", "table A", params={"vrf": "blue", "limit": 10})
    assert cache.get("show route table", params={"limit": 10, "vrf": " BLUE "}).answer == "table A"
    assert cache.get("show route table", params={"vrf": "red", "limit": 10}) is None


def test_near_misses_are_logged_with_their_score(backend, settings, redis_client, caplog):
    cfg = settings.model_copy(update={"cache": settings.cache.model_copy(
        update={"semantic_threshold": 0.999, "near_miss_margin": 0.5})})
    cache = backend.cache(cfg, embedder=make_embedder(cfg))
    cache.put("Show BGP status on rtr-001", "established")
    with caplog.at_level(logging.INFO, logger="netcache.cache"):
        assert cache.get("what's the bgp state on rtr-001?") is None
    assert cache.counters["near_misses"] == 1
    assert any("near miss: score=0." in r.getMessage() for r in caplog.records)


def test_a_guard_rejection_counts_as_a_false_positive_and_misses(backend, settings, redis_client):
    cfg = settings.model_copy(update={"cache": settings.cache.model_copy(update={"semantic_threshold": 0.5})})
    cache = backend.cache(cfg, embedder=make_embedder(cfg))
    cache.put("Why is the BGP session down on rtr-001?", "the peer is unreachable")
    assert cache.get("Why is the BGP session up on rtr-001?") is None
    assert cache.counters["false_positives"] >= 1


@on_backends("redis", "asyncio")
def test_lookups_after_start_up_never_scan_the_keyspace(cache, redis_client):
    for i in range(20):
        cache.put(f"show interfaces on rtr-{i:03d}", f"answer {i}")
    cache.get("show interfaces on rtr-998")  # start-up: the one HSCAN that loads the index
    redis_client.config_resetstat()
    cache.get("show interfaces on rtr-005")
    cache.get("list the interfaces of rtr-007")
    cache.get("show interfaces on rtr-999")
    stats = redis_client.info("commandstats")
    assert "cmdstat_evalsha" in stats
    assert not any(k in stats for k in ("cmdstat_keys", "cmdstat_scan", "cmdstat_hscan", "cmdstat_smembers"))


def test_bad_input_raises_a_clear_error_and_is_counted(cache):
    from netcache.errors import ConfigError
    with pytest.raises(ConfigError, match="prompt"):
        cache.get("   ")
    with pytest.raises(ConfigError, match="volatility"):
        cache.put("show version on rtr-001", "x", volatility="sometimes")
    assert cache.counters["bad_input"] == 2


def test_without_an_embedder_argument_the_settings_embedder_is_used_and_false_means_exact_only(backend,
        settings, redis_client):
    default = backend.cache(settings)
    default.put("Show BGP status on rtr-001", "established")
    assert default.get("what's the bgp state on rtr-001?").kind == "semantic"
    exact_only = backend.cache(settings, embedder=False, namespace="plain")
    exact_only.put("Show BGP status on rtr-001", "established")
    assert exact_only.get("Show BGP status on rtr-001").kind == "exact"
    assert exact_only.get("what's the bgp state on rtr-001?") is None


def test_devices_of_the_settings_inventory_file_are_entities_without_the_usual_name_pattern(backend,
        settings, redis_client, tmp_path, monkeypatch):
    from netcache.engine import logic
    from tests.support.cache import cache_settings

    inventory_file = tmp_path / "inventory.txt"
    inventory_file.write_text("coreswitch dc1\nedgebox dc2\n")
    reads = []
    real_load = logic.load_inventory
    monkeypatch.setattr(logic, "load_inventory", lambda path: reads.append(path) or real_load(path))
    cache = backend.cache(cache_settings(settings, inventory_file=inventory_file),
                        embedder=make_embedder(settings))
    entry_id = cache.put("show bgp status on coreswitch", "established")
    assert "device:coreswitch" in cache.entry(entry_id).tags
    assert cache.get("what's the bgp state on coreswitch?").kind == "semantic"
    assert cache.get("show bgp status on edgebox") is None  # another inventory device: an entity swap
    assert reads == [inventory_file]  # once per instance, not per lookup
    # without the setting the name is a plain word: no device tag, so invalidating the device would miss it
    plain = backend.cache(settings, embedder=False, namespace="plain")
    assert not any(t.startswith("device:") for t in plain.entry(plain.put("show bgp status on coreswitch", "x")).tags)


def test_a_bad_settings_inventory_file_is_a_config_error_naming_the_setting(backend, settings, redis_client, tmp_path):
    from netcache.errors import ConfigError
    from tests.support.cache import cache_settings

    with pytest.raises(ConfigError, match=r"cache.inventory_file .*missing.txt"):
        backend.cache(cache_settings(settings, inventory_file=tmp_path / "missing.txt"))
    bad = tmp_path / "inventory.json"
    bad.write_text('{"oops": ')
    with pytest.raises(ConfigError, match="cache.inventory_file .*not valid JSON"):
        backend.cache(cache_settings(settings, inventory_file=bad))


def test_the_engine_modules_export_what_they_declare_and_records_no_longer_re_exports_the_logic():
    from netcache.engine import analysis, logic, records
    from netcache.engine.logic import INVALIDATE_BATCH, CacheLogic
    from netcache.engine.records import prepare

    assert (CacheLogic, INVALIDATE_BATCH, prepare) == (logic.CacheLogic, logic.INVALIDATE_BATCH, analysis.prepare)
    assert all(hasattr(records, name) for name in records.__all__)
    with pytest.raises(AttributeError):
        records.CacheLogic  # noqa: B018 - the lazy re-export hid an import cycle
