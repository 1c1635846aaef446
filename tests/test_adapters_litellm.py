"""The LiteLLM cache backend: real litellm.completion / acompletion against the local
OpenAI-compatible and Messages-API servers, a real Redis and the real cache; the nightly
refresh re-asks the user's question."""

from __future__ import annotations

import asyncio
import gc
import inspect
import os

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # offline: LiteLLM's bundled price map

import litellm  # noqa: E402
import pytest  # noqa: E402
from litellm.llms.custom_httpx.async_client_cleanup import close_litellm_async_clients  # noqa: E402

from netcache.adapters.litellm import NetcacheLiteLLMCache, install, split_messages  # noqa: E402
from netcache.devtools.messages_server import MessagesAPIServer  # noqa: E402
from netcache.devtools.openai_server import OPENAI_PLACEHOLDER_PREFIX, OpenAICompatibleServer  # noqa: E402
from netcache.engine.aio import AsyncAnswerCache  # noqa: E402
from netcache.engine.sync import AnswerCache  # noqa: E402
from netcache.tasks.refresh import refresh_top  # noqa: E402

SYSTEM = {"role": "system", "content": "You are the NOC assistant of ACME."}
QUESTION = "Show BGP neighbors on rtr-001"
MODEL = "gpt-4o-mini"


@pytest.fixture(autouse=True, scope="module")
def _close_litellms_idle_event_loop():
    """LiteLLM's sync path leaves an idle event loop behind (its logging worker's); close it."""
    yield
    for obj in gc.get_objects():
        if isinstance(obj, asyncio.AbstractEventLoop) and not obj.is_running() and not obj.is_closed():
            obj.close()


@pytest.fixture(autouse=True)
def _close_litellms_http_clients():
    """LiteLLM caches an HTTP client per provider for the whole process (closed by its atexit hook);
    close them after each test, while the local servers they talk to still run."""
    yield
    for client in list(getattr(litellm.in_memory_llm_clients_cache, "cache_dict", {}).values()):
        close = getattr(client, "close", None)
        if callable(close) and not inspect.iscoroutinefunction(close):
            close()
    litellm.in_memory_llm_clients_cache.flush_cache()


@pytest.fixture
def openai_server():
    with OpenAICompatibleServer() as srv:
        yield srv


@pytest.fixture
def lite_settings(settings, openai_server):
    settings.llm.generator = "openai"  # the workers ask the same endpoint and model as the bot
    settings.llm.base_url = openai_server.base_url
    settings.llm.model = MODEL
    settings.llm.max_retries = 0
    # the bot's Redis budget (50 ms) is tests/test_cache_redis_budget.py's subject; on a starved shared
    # test host a put past it goes uncached, which is not what these tests are about
    settings.cache.redis_budget_ms = 5000
    return settings


@pytest.fixture
def answer_cache(lite_settings):
    return AnswerCache(lite_settings)


@pytest.fixture
def backend(answer_cache):
    wrapper = install(answer_cache, scope=MODEL)
    yield wrapper.cache
    litellm.cache = None


def ask(server, question, *history, **kwargs):
    messages = [SYSTEM, *history, {"role": "user", "content": question}]
    return litellm.completion(model=f"openai/{MODEL}", api_base=server.base_url, api_key="local",
                              messages=messages, caching=True, num_retries=0, **kwargs)


def test_the_user_question_is_cached_and_served_exactly_and_semantically(backend, answer_cache, openai_server):
    first = ask(openai_server, QUESTION)
    again = ask(openai_server, QUESTION)
    para = ask(openai_server, "List the BGP neighbors of rtr-001")

    assert first.choices[0].message.content.startswith(OPENAI_PLACEHOLDER_PREFIX)
    assert again.choices[0].message.content == para.choices[0].message.content == first.choices[0].message.content
    assert len(openai_server.requests) == 1
    assert backend.counts["miss"] == 1 and backend.counts["stored"] == 1
    assert backend.counts["hit_exact"] == 1 and backend.counts["hit_semantic"] == 1
    stats = {s.prompt: s for s in answer_cache.top_queries(5)}
    assert set(stats) == {QUESTION, "List the BGP neighbors of rtr-001"}  # questions, not hashes or message lists
    assert stats[QUESTION].entry_id is not None
    assert stats[QUESTION].context == {"_scope": MODEL, "system": SYSTEM["content"]}


def test_another_device_or_another_history_misses(backend, openai_server):
    ask(openai_server, QUESTION)
    ask(openai_server, "Show BGP neighbors on rtr-002")
    ask(openai_server, QUESTION, {"role": "user", "content": "Which site is rtr-001 in?"},
        {"role": "assistant", "content": "nyc."})
    assert len(openai_server.requests) == 3 and backend.counts["miss"] == 3


def test_the_nightly_refresh_re_asks_the_question_with_the_bots_system_prompt_and_history(
        backend, answer_cache, lite_settings, openai_server, runtimes):
    history = [{"role": "user", "content": "Which site is rtr-001 in?"}, {"role": "assistant", "content": "nyc."}]
    ask(openai_server, QUESTION, *history)
    assert answer_cache.invalidate(["device:rtr-001"], mode="soft") == 1

    rt = runtimes(lite_settings)
    summary = refresh_top(rt.cache, rt.llm, rt.budget(), rt.redis, n=10, prefix=lite_settings.key_prefix)

    assert summary["stale"] == 1 and summary["generated"] == 1
    assert len(openai_server.requests) == 2
    refreshed = openai_server.requests[-1]
    assert refreshed["model"] == MODEL
    assert refreshed["messages"] == [SYSTEM, *history, {"role": "user", "content": QUESTION}]
    ask(openai_server, QUESTION, *history)  # the refreshed answer serves the bot
    assert len(openai_server.requests) == 2


def test_async_completions_use_the_asyncio_cache(lite_settings, openai_server):
    async def run():
        acache = AsyncAnswerCache(lite_settings)
        wrapper = install(AnswerCache(lite_settings), acache=acache, scope=MODEL)
        try:
            kwargs = dict(model=f"openai/{MODEL}", api_base=openai_server.base_url, api_key="local",
                          messages=[SYSTEM, {"role": "user", "content": QUESTION}], caching=True)
            a = await litellm.acompletion(**kwargs)
            for _ in range(50):  # LiteLLM stores an async answer from its success callback
                if wrapper.cache.counts["stored"]:
                    break
                await asyncio.sleep(0.05)
            b = await litellm.acompletion(**kwargs)
        finally:
            await acache.aclose()
            await acache.redis.aclose()
            litellm.cache = None
            await close_litellm_async_clients()  # they belong to this event loop
        return a, b, wrapper.cache

    a, b, backend = asyncio.run(run())
    assert a.choices[0].message.content == b.choices[0].message.content
    assert len(openai_server.requests) == 1 and backend.counts["hit_exact"] == 1


def test_litellms_anthropic_provider_against_the_messages_api_server_is_cached_too(answer_cache):
    with MessagesAPIServer() as srv:
        install(answer_cache, scope="claude")
        try:
            for _ in range(2):
                litellm.completion(model="anthropic/claude-sonnet-4-6", api_base=srv.url, api_key="local",
                                   messages=[{"role": "user", "content": "What is OSPF?"}], caching=True)
        finally:
            litellm.cache = None
        assert srv.answered == 1


def test_tool_use_is_neither_served_nor_stored(backend, openai_server):
    call = {"role": "assistant", "content": None,
            "tool_calls": [{"id": "t1", "type": "function", "function": {"name": "show", "arguments": "{}"}}]}
    tool = {"role": "tool", "tool_call_id": "t1", "content": "neighbor 10.0.0.2 Idle"}
    for _ in range(2):
        litellm.completion(model=f"openai/{MODEL}", api_base=openai_server.base_url, api_key="local",
                           messages=[{"role": "user", "content": QUESTION}, call, tool], caching=True)
    assert len(openai_server.requests) == 2 and backend.counts["stored"] == 0 and backend.counts["skipped"] == 4


def test_split_messages_keeps_the_question_and_refuses_what_it_cannot_read():
    q, ctx = split_messages([SYSTEM, {"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"},
                             {"role": "user", "content": [{"type": "text", "text": "Show ip route on rtr-009"}]}],
                            scope="m")
    assert q == "Show ip route on rtr-009"
    assert ctx == {"_scope": "m", "system": SYSTEM["content"],
                   "history": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}
    assert split_messages([{"role": "assistant", "content": "x"}]) is None
    assert split_messages([{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]) is None
    assert split_messages("not a list") is None


def test_the_backend_reports_its_redis_connection(answer_cache):
    status = asyncio.run(NetcacheLiteLLMCache(answer_cache).test_connection())
    assert status["status"] == "success"
