"""The LangChain cache: real langchain-core, real ChatAnthropic / ChatOpenAI against the local
servers, a real Redis and the real cache; the nightly refresh re-asks the human question."""

from __future__ import annotations

import asyncio

import pytest
from langchain_anthropic import ChatAnthropic
from langchain_core.load import dumps
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_openai import ChatOpenAI

from netcache.adapters.langchain import NetcacheLangChainCache, split_prompt
from netcache.devtools.messages_server import PLACEHOLDER_PREFIX, MessagesAPIServer
from netcache.devtools.openai_server import OpenAICompatibleServer
from netcache.engine.aio import AsyncAnswerCache
from netcache.engine.sync import AnswerCache
from netcache.tasks.refresh import refresh_top

SYSTEM = "You are the NOC assistant of ACME. Answer in two sentences."
QUESTION = "Show BGP neighbors on rtr-001"


@pytest.fixture
def messages_server():
    with MessagesAPIServer() as srv:
        yield srv


@pytest.fixture
def lc_settings(settings, messages_server, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    settings.llm.base_url = messages_server.url
    settings.llm.max_retries = 0
    # the bot's Redis budget (50 ms) is tests/test_cache_redis_budget.py's subject; on a starved shared
    # test host a put past it goes uncached, which is not what these tests are about
    settings.cache.redis_budget_ms = 5000
    return settings


@pytest.fixture
def answer_cache(lc_settings):
    return AnswerCache(lc_settings)


@pytest.fixture
def claude(lc_settings, messages_server, answer_cache):
    lc_cache = NetcacheLangChainCache(answer_cache)
    model = ChatAnthropic(model=lc_settings.llm.model, base_url=messages_server.url, api_key="local",
                          max_retries=0, cache=lc_cache)
    return model, lc_cache


def test_the_human_question_is_stored_with_the_system_prompt_as_context_not_the_prompt_json(
        claude, answer_cache, messages_server):
    model, lc_cache = claude
    reply = model.invoke([SystemMessage(SYSTEM), HumanMessage(QUESTION)])

    assert reply.content.startswith(PLACEHOLDER_PREFIX) and messages_server.answered == 1
    [stat] = answer_cache.top_queries(5)
    assert stat.prompt == QUESTION and stat.entry_id is not None
    assert stat.context["system"] == SYSTEM and "history" not in stat.context
    assert "claude" in stat.context["_llm"]  # LangChain's model string tells entries of other models apart
    assert lc_cache.counts["stored"] == 1


def test_a_repeat_is_an_exact_hit_and_a_paraphrase_a_semantic_hit_without_an_llm_call(claude, messages_server):
    model, lc_cache = claude
    first = model.invoke([SystemMessage(SYSTEM), HumanMessage(QUESTION)])
    again = model.invoke([SystemMessage(SYSTEM), HumanMessage(QUESTION)])
    para = model.invoke([SystemMessage(SYSTEM), HumanMessage("List the BGP neighbors of rtr-001")])

    assert again.content == first.content == para.content
    assert messages_server.answered == 1
    assert lc_cache.counts["hit_exact"] == 1 and lc_cache.counts["hit_semantic"] == 1


def test_another_device_another_system_prompt_or_another_history_misses(claude, messages_server):
    model, lc_cache = claude
    model.invoke([SystemMessage(SYSTEM), HumanMessage(QUESTION)])
    model.invoke([SystemMessage(SYSTEM), HumanMessage("Show BGP neighbors on rtr-002")])
    model.invoke([SystemMessage("You are a pirate."), HumanMessage(QUESTION)])
    model.invoke([SystemMessage(SYSTEM), HumanMessage("Which site is rtr-001 in?"), AIMessage("nyc."),
                  HumanMessage(QUESTION)])

    assert messages_server.answered == 4 and lc_cache.counts["miss"] == 4
    sent = messages_server.last_request
    assert [m["role"] for m in sent["messages"]] == ["user", "assistant", "user"]


def test_the_nightly_refresh_re_asks_the_human_question_with_the_bots_system_prompt_and_history(
        claude, answer_cache, lc_settings, messages_server, runtimes):
    model, _ = claude
    turn = [SystemMessage(SYSTEM), HumanMessage("Which site is rtr-001 in?"), AIMessage("nyc."), HumanMessage(QUESTION)]
    model.invoke(turn)
    assert answer_cache.invalidate(["device:rtr-001"], mode="soft") == 1

    rt = runtimes(lc_settings)  # a worker: the generator NETCACHE_LLM__GENERATOR names (anthropic)
    summary = refresh_top(rt.cache, rt.llm, rt.budget(), rt.redis, n=10, prefix=lc_settings.key_prefix)

    assert summary["stale"] == 1 and summary["generated"] == 1
    assert messages_server.calls_for(QUESTION) == 2
    sent = messages_server.last_request
    assert sent["system"] == SYSTEM
    assert sent["messages"] == [{"role": "user", "content": "Which site is rtr-001 in?"},
                                {"role": "assistant", "content": "nyc."},
                                {"role": "user", "content": QUESTION}]  # the question itself, no JSON, no _llm
    model.invoke(turn)  # the refreshed answer serves the bot: no third call
    assert messages_server.calls_for(QUESTION) == 2


def test_chat_openai_against_the_openai_compatible_server_hits_the_same_way(lc_settings, answer_cache):
    with OpenAICompatibleServer() as srv:
        lc_cache = NetcacheLangChainCache(answer_cache)
        model = ChatOpenAI(model="gpt-4o-mini", base_url=srv.base_url, api_key="local", max_retries=0,
                           temperature=0, cache=lc_cache)
        model.invoke([SystemMessage(SYSTEM), HumanMessage("What is the CPU usage on rtr-002?")])
        model.invoke([SystemMessage(SYSTEM), HumanMessage("What is the CPU usage on rtr-002?")])
        model.invoke([SystemMessage(SYSTEM), HumanMessage("What's the CPU utilization of rtr-002?")])
        assert len(srv.requests) == 1
        assert srv.requests[0]["messages"][0] == {"role": "system", "content": SYSTEM}
    assert lc_cache.counts["hit_exact"] == 1 and lc_cache.counts["hit_semantic"] == 1
    [stat] = answer_cache.top_queries(1)
    assert stat.prompt == "What is the CPU usage on rtr-002?"


def test_async_lookups_and_updates_use_the_asyncio_cache(lc_settings, messages_server):
    async def run():
        acache = AsyncAnswerCache(lc_settings)
        lc_cache = NetcacheLangChainCache(AnswerCache(lc_settings), acache=acache)
        model = ChatAnthropic(model=lc_settings.llm.model, base_url=messages_server.url, api_key="local",
                              max_retries=0, cache=lc_cache)
        try:
            a = await model.ainvoke([SystemMessage(SYSTEM), HumanMessage(QUESTION)])
            b = await model.ainvoke([SystemMessage(SYSTEM), HumanMessage(QUESTION)])
        finally:
            await acache.aclose()
            await acache.redis.aclose()
        return a, b, lc_cache

    a, b, lc_cache = asyncio.run(run())
    assert a.content == b.content and messages_server.answered == 1
    assert lc_cache.counts["stored"] == 1 and lc_cache.counts["hit_exact"] == 1


def test_a_turn_with_tool_results_after_the_question_is_neither_served_nor_stored(claude, messages_server):
    model, lc_cache = claude
    turn = [HumanMessage(QUESTION),
            AIMessage("", tool_calls=[{"name": "show", "args": {"cmd": "show bgp"}, "id": "t1"}]),
            ToolMessage("neighbor 10.0.0.2 Idle", tool_call_id="t1")]
    model.invoke(turn)
    model.invoke(turn)
    assert messages_server.answered == 2 and lc_cache.counts["stored"] == 0
    assert lc_cache.skipped == 4  # two lookups and two updates


def test_split_prompt_reads_langchains_serialisation():
    prompt = dumps([SystemMessage("sys a"), SystemMessage("sys b"), HumanMessage("hi"), AIMessage("hello"),
                    HumanMessage([{"type": "text", "text": "Show ip route on "}, {"type": "text", "text": "rtr-009"}])])
    question, context = split_prompt(prompt, "LLM")
    assert question == "Show ip route on rtr-009"
    assert context == {"_llm": "LLM", "system": "sys a\n\nsys b",
                       "history": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}
    assert split_prompt("What is OSPF?", "LLM") == ("What is OSPF?", {"_llm": "LLM"})  # a completion model's prompt
    assert split_prompt(dumps([SystemMessage("only a system prompt")]), "LLM") is None
    assert split_prompt('[{"not": "langchain"}]', "LLM") is None
    assert split_prompt("   ", "LLM") is None


def test_clear_refuses_a_cache_shared_by_every_bot_and_drops_its_own_namespace(lc_settings, claude):
    from netcache.errors import ConfigError

    _, lc_cache = claude
    with pytest.raises(ConfigError, match="namespace"):
        lc_cache.clear()
    scratch = AnswerCache(lc_settings, namespace="lcbot")
    own = NetcacheLangChainCache(scratch)
    scratch.put(QUESTION, "answer", context={"_llm": "x"})
    own.clear()
    assert scratch.get(QUESTION, context={"_llm": "x"}) is None
