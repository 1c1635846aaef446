"""Stampede protection: concurrent misses across threads and processes make one LLM call,
with the real Anthropic SDK talking to the local Messages API server."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

import pytest

from netcache.devtools.messages_server import MessagesAPIServer
from netcache.llm.client import LLMClient, LLMResponse

# the behaviour suite runs over every backend (tests/conftest.py: backend)
from tests.support.cache import Generator, backend_client, backend_settings, cache_settings, on_backends  # noqa: F401 - fixtures settings, redis_client


@pytest.fixture
def llm_server():
    server = MessagesAPIServer(latency_s=1.0).start()
    yield server
    server.stop()


def with_llm(settings, url):
    return settings.model_copy(update={"llm": settings.llm.model_copy(update={"base_url": url})})


_CHILD = textwrap.dedent("""
    import json, sys, threading
    from concurrent.futures import ThreadPoolExecutor
    from netcache.engine.sync import AnswerCache
    from netcache.llm.client import LLMClient
    from netcache.settings import Settings
    # a budget for a starved test host: 20 threads on 2 shared cores can keep redis-server from
    # answering within the 50 ms default, and a request past its budget answers without the lease
    # (that bound is tests/test_cache_redis_budget.py's subject, the lease is this test's)
    s = Settings(redis_url=sys.argv[1], _env_file=None, llm={"base_url": sys.argv[2]},
                 cache={"redis_budget_ms": 5000})
    cache = AnswerCache(s, llm=LLMClient(s))
    start = threading.Barrier(10)
    def ask(_):
        start.wait()
        a = cache.get_or_generate("show bgp summary on rtr-001")
        return [a.source, a.text]
    with ThreadPoolExecutor(10) as pool:
        print(json.dumps(list(pool.map(ask, range(10)))), flush=True)
""")


@on_backends("redis", "cluster")
def test_twenty_concurrent_misses_from_two_processes_make_one_llm_call(settings, llm_server):
    import json
    procs = [subprocess.Popen([sys.executable, "-c", _CHILD, settings.redis_url, llm_server.url],
                              stdout=subprocess.PIPE, text=True) for _ in range(2)]
    results = []
    for p in procs:
        out, _ = p.communicate(timeout=60)
        assert p.returncode == 0
        results += json.loads(out)
    assert len(results) == 20
    assert llm_server.calls == 1
    assert len({text for _, text in results}) == 1
    sources = sorted(s for s, _ in results)
    assert sources.count("generated") == 1
    assert set(sources) <= {"generated", "waited", "exact"}


def test_concurrent_threads_share_one_generation_and_llm_usage_is_recorded(backend, settings, redis_client, llm_server):
    cfg = with_llm(settings, llm_server.url)
    llm = LLMClient(cfg)
    cache = backend.cache(cfg, llm=llm)
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: cache.get_or_generate("show ospf neighbors on rtr-001"), range(8)))
    assert llm_server.calls == 1
    generated = [a for a in answers if a.source == "generated"]
    assert len(generated) == 1 and generated[0].cost_usd > 0
    info = cache.entry(generated[0].entry_id)
    assert info.gen_s >= 1.0
    hit = cache.get_or_generate("show ospf neighbors on rtr-001")
    assert hit.source == "exact" and hit.saved_usd == pytest.approx(
        max(0.0, generated[0].cost_usd - cfg.llm.hit_cost_usd))
    llm.close()


def test_a_waiter_generates_itself_when_the_lease_holder_dies(backend, settings, redis_client):
    cfg = cache_settings(settings, lease_ttl_ms=300, lease_wait_ms=3000)
    cache = backend.cache(cfg)
    req = cache._prepare("show bgp summary on rtr-001")
    redis_client.set(cache.keys.lease(req.entry_id), "a-crashed-process", px=300)
    gen = Generator()
    answer = cache.get_or_generate("show bgp summary on rtr-001", generate=gen)
    assert answer.source == "generated" and gen.calls == 1
    assert cache.get("show bgp summary on rtr-001") is not None


def test_the_lease_is_released_only_by_its_holder(backend, settings, redis_client):
    cache = backend.cache(settings)
    redis_client.set("{nc}:l:x", "theirs")
    cache._release("{nc}:l:x", "mine")
    assert redis_client.get("{nc}:l:x") == b"theirs"
    cache._release("{nc}:l:x", "theirs")
    assert redis_client.get("{nc}:l:x") is None


def test_generate_may_return_an_llm_response(backend, settings, redis_client):
    cache = backend.cache(settings)
    resp = LLMResponse(text="3 peers up", model="m", input_tokens=10, output_tokens=5, cost_usd=0.02,
                       latency_s=0.1)
    answer = cache.get_or_generate("show bgp summary on rtr-001", generate=lambda p: resp)
    assert answer.text == "3 peers up" and answer.cost_usd == 0.02
    info = cache.entry(answer.entry_id)
    assert redis_client.hget(f"{{nc}}:e:{info.entry_id}", "output_tokens") == b"5"
