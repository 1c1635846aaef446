"""The beat's jobs (refresh_top, refresh_expiring, warm_topology, sweep) run on a real Celery worker.

Real parts: the test's redis-server (broker, result backend and cache), ``netcache celery-worker``
as a subprocess, the local Messages API server behind the real Anthropic SDK, and the real
AnswerCache in the test process seeding and checking entries. Tasks are sent by name, as beat
sends them, and their results read from the result backend.
"""

from __future__ import annotations

import json

import pytest

from netcache.devtools.messages_server import MessagesAPIServer
from netcache.keys import Keys
from netcache.settings import Settings
from netcache.tasks.app import make_app
from tests.support.tasks import clean_env, spawn, stop, wait_for

pytestmark = pytest.mark.slow

INVENTORY = "# name site\nrtr-001 nyc\nrtr-002 nyc\nsw-010 lon\n"


@pytest.fixture
def llm_server():
    server = MessagesAPIServer(latency_s=0.01)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def inventory(tmp_path):
    path = tmp_path / "inventory.txt"
    path.write_text(INVENTORY)
    return path


@pytest.fixture
def settings(redis_url, llm_server, inventory) -> Settings:
    return Settings(_env_file=None, redis_url=redis_url, llm={"base_url": llm_server.url},
                    cache={"inventory_file": str(inventory)})


@pytest.fixture
def worker(settings, redis_client, tmp_path):
    """A ``netcache celery-worker`` on the test Redis; yields a function that runs a task by name."""
    log = tmp_path / "worker.log"
    env = clean_env(redis_url=settings.redis_url, llm__base_url=settings.llm.base_url, log_level="INFO",
                    cache__inventory_file=settings.cache.inventory_file)
    proc = spawn(["celery-worker", "--pool", "threads", "--concurrency", "2"], env, log)
    app = make_app(settings)
    try:
        wait_for(lambda: proc.poll() is not None or any(True for _ in redis_client.scan_iter("nc:w:health:worker:*")),
                 60, "the worker's heartbeat", logs=[log])
        assert proc.poll() is None, log.read_text()

        def run(name: str, **kwargs) -> dict:
            result = app.send_task(name, queue="warm", kwargs=kwargs, ignore_result=False)  # asked for
            try:
                return result.get(timeout=90)
            finally:
                result.forget()

        yield run
    finally:
        stop(proc)
        app.close()


def test_refresh_top_on_the_worker_reasks_the_missing_and_stale_top_questions(
        runtimes, settings, worker, llm_server, redis_client):
    rt = runtimes(settings)
    fresh, gone, stale = ("Show the BGP neighbor summary on rtr-001", "Show interface status on rtr-002",
                          "Show CPU and memory usage on sw-010")
    for q in (fresh, gone, stale):
        rt.cache.get_or_generate(q)
        rt.cache.get(q)
    rt.cache.invalidate(["device:rtr-002"], mode="hard")
    rt.cache.invalidate(["device:sw-010"], mode="soft")
    summary = worker("netcache.refresh_top", n=10)
    assert (summary["missing"], summary["stale"], summary["fresh"], summary["generated"]) == (1, 1, 1, 2)
    assert [llm_server.calls_for(q) for q in (fresh, gone, stale)] == [1, 2, 2]
    hit = rt.cache.get(stale)
    assert hit is not None and not hit.stale
    last = {k.decode(): v.decode() for k, v in redis_client.hgetall("nc:w:last_refresh").items()}
    assert last["generated"] == "2" and last["n"] == "10"


def test_refresh_expiring_on_the_worker_regenerates_an_answer_whose_early_expiration_fires(
        runtimes, settings, worker, llm_server):
    rt = runtimes(settings)
    slow, quick = "Show the BGP neighbor summary on rtr-001", "Show interface status on rtr-002"
    # XFetch refreshes early in proportion to the generation time: a year-long generation is due
    # now with certainty (up to 1e-5), a 1 ms one practically never
    rt.cache.put(slow, "summary", gen_s=3.15e7)
    rt.cache.put(quick, "status", gen_s=0.001)
    for q in (slow, quick):
        assert rt.cache.get(q) is not None
    result = worker("netcache.refresh_expiring", n=10)
    assert (result["considered"], result["refreshed"]) == (2, 1)
    assert (llm_server.calls_for(slow), llm_server.calls_for(quick)) == (1, 0)
    assert rt.cache.get(slow).answer != "summary"


def test_warm_topology_on_the_worker_asks_every_inventory_device_its_questions_once(
        settings, worker, llm_server, redis_client):
    first = worker("netcache.warm_topology")
    again = worker("netcache.warm_topology")
    assert (first["generated"], first["skipped"], first["failed"]) == (9, 0, 0)
    assert (again["generated"], again["already_cached"]) == (0, 9)
    assert llm_server.calls == 9
    for device in ("rtr-001", "rtr-002", "sw-010"):
        assert llm_server.calls_for(device) == 3, device
    recorded = [json.loads(x) for x in redis_client.lrange("nc:w:warmed", 0, -1)]
    assert [r["generated"] for r in recorded] == [0, 9]  # newest first


def test_sweep_on_the_worker_removes_the_records_of_entries_redis_expired(runtimes, settings, worker,
                                                                          redis_client):
    rt = runtimes(settings)
    kept = rt.cache.put("Show interface status on rtr-001", "up")
    expired = rt.cache.put("Show interface status on rtr-002", "down")
    assert worker("netcache.sweep") == {"removed": 0}
    redis_client.delete(Keys(settings.key_prefix).entry(expired))  # what a TTL expiry leaves behind
    assert _tiered(redis_client) == {kept, expired}
    assert worker("netcache.sweep") == {"removed": 1}
    assert _tiered(redis_client) == {kept}
    assert worker("netcache.sweep") == {"removed": 0}


def _tiered(redis_client) -> set[str]:
    """Entry ids in any tier's records (``nc:tier:*``)."""
    out: set[str] = set()
    for key in redis_client.scan_iter(match=Keys("nc").tier("*")):
        kind = redis_client.type(key)
        members = redis_client.zrange(key, 0, -1) if kind == b"zset" else redis_client.smembers(key)
        out |= {m.decode() for m in members}
    return out
