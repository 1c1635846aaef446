"""The nightly top-query refresh and topology warming against the real cache and a local LLM server."""

from __future__ import annotations

import pytest

from netcache.devtools.messages_server import MessagesAPIServer
from netcache.settings import Settings
from netcache.tasks.refresh import refresh_expiring, refresh_top, warm_topology
from netcache.tasks.runtime import Runtime
from netcache.tasks.warming import load_templates


@pytest.fixture
def llm_server():
    server = MessagesAPIServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def rt(redis_url, llm_server):
    with Runtime(Settings(_env_file=None, redis_url=redis_url, llm={"base_url": llm_server.url})) as runtime:
        yield runtime


def test_refresh_top_reasks_only_missing_and_stale_top_questions_and_records_the_run(rt, llm_server):
    fresh = "Show the BGP neighbor summary on rtr-001"
    gone = "Show interface status on rtr-002"
    stale = "Show CPU and memory usage on rtr-003"
    for q in (fresh, gone, stale):
        rt.cache.get_or_generate(q)
        rt.cache.get(q)
    rt.cache.invalidate(["device:rtr-002"], mode="hard")
    rt.cache.invalidate(["device:rtr-003"], mode="soft")
    summary = refresh_top(rt.cache, rt.llm, rt.budget(), rt.redis, n=10)
    assert (summary["missing"], summary["stale"], summary["fresh"]) == (1, 1, 1)
    assert summary["generated"] == 2
    assert llm_server.calls_for(fresh) == 1
    assert llm_server.calls_for(gone) == 2 and llm_server.calls_for(stale) == 2
    hit = rt.cache.get(stale)
    assert hit is not None and not hit.stale
    last = {k.decode(): v.decode() for k, v in rt.redis.hgetall("nc:w:last_refresh").items()}
    assert last["generated"] == "2" and float(last["at"]) > 0 and last["n"] == "10"


def test_xfetch_refresh_regenerates_an_answer_whose_early_expiration_fires(rt, llm_server):
    q = "Show the BGP neighbor summary on rtr-007"
    rt.cache.get_or_generate(q)
    never = refresh_expiring(rt.cache, rt.llm, rt.budget(), n=10, rand=lambda: 1.0)
    assert never["refreshed"] == 0 and llm_server.calls_for(q) == 1
    now = refresh_expiring(rt.cache, rt.llm, rt.budget(), n=10, rand=lambda: 0.0)  # ln(0) = -inf: due now
    assert now["refreshed"] == 1 and llm_server.calls_for(q) == 2


def test_topology_warming_asks_each_device_three_questions_once(rt, llm_server):
    templates = load_templates()
    first = warm_topology(rt.cache, rt.llm, rt.budget(), ["rtr-001", "rtr-002"], templates)
    again = warm_topology(rt.cache, rt.llm, rt.budget(), ["rtr-002", "rtr-001"], templates)
    assert first.generated == 6 and first.cost_usd > 0
    assert again.generated == 0 and again.already_cached == 6
    assert llm_server.calls == 6


def test_the_topology_task_warms_every_inventory_device_beyond_the_event_run_cap(redis_url, llm_server, tmp_path):
    inventory = tmp_path / "inventory.txt"
    inventory.write_text("# name site\nrtr-001 nyc\nrtr-002 nyc\nsw-010 lon\n")
    settings = Settings(_env_file=None, redis_url=redis_url, llm={"base_url": llm_server.url},
                        cache={"inventory_file": str(inventory)}, worker={"warm_max_calls_per_run": 2})
    from netcache.tasks.app import make_app

    app = make_app(settings)
    try:
        result = app.tasks["netcache.warm_topology"].apply().get()
    finally:
        rt = app.tasks["netcache.warm_topology"].runtime
        rt.close()
    assert result["generated"] == 9 and result["skipped"] == 0
    assert llm_server.calls_for("sw-010") == 3
