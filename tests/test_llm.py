"""The LLM client: the real Anthropic SDK against the local Messages API server."""

from __future__ import annotations

import asyncio
import logging
import threading

import pytest
from pydantic import SecretStr

from netcache.devtools.messages_server import PLACEHOLDER_PREFIX, MessagesAPIServer
from netcache.errors import LLMError
from netcache.llm.client import NETOPS_SYSTEM_PROMPT, AsyncLLMClient, LLMClient, LLMResponse
from netcache.llm.pricing import FALLBACK_PER_MTOK, price, rates_for, unknown_model_count

SECRET_KEY = "sk-ant-test-DO-NOT-LEAK-1234567890"


@pytest.fixture
def llm_settings(settings, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_AUTH_TOKEN", raising=False)
    settings.llm.max_retries = 2
    settings.llm.timeout_s = 10.0
    return settings


@pytest.fixture
def server():
    with MessagesAPIServer() as srv:
        yield srv


_open_clients: list[LLMClient] = []


@pytest.fixture(autouse=True)
def _close_clients():
    yield
    while _open_clients:
        _open_clients.pop().close()


def client_for(settings, srv, cls=LLMClient):
    settings.llm.base_url = srv.url
    client = cls(settings)
    if cls is LLMClient:
        _open_clients.append(client)
    return client


def test_a_completion_carries_the_answer_usage_and_cost(llm_settings, server):
    response = client_for(llm_settings, server).complete("Show BGP neighbors on rtr-001")

    assert isinstance(response, LLMResponse)
    assert response.text.startswith(PLACEHOLDER_PREFIX)
    assert "Show BGP neighbors on rtr-001" in response.text
    assert response.model == llm_settings.llm.model
    assert response.input_tokens > 0 and response.output_tokens > 0
    assert response.cost_usd == pytest.approx(price(response.model, response.input_tokens, response.output_tokens))
    assert response.cost_usd > 0
    assert response.latency_s > 0
    assert server.calls == 1 and server.answered == 1


def test_the_netops_system_prompt_and_the_context_reach_the_model(llm_settings, server):
    logs = "%LINEPROTO-5-UPDOWN: Line protocol on Interface Gi0/1, changed state to down"
    client_for(llm_settings, server).complete("Why is Gi0/1 down on rtr-001?", context=logs)

    sent = server.last_request
    assert sent["system"] == NETOPS_SYSTEM_PROMPT
    assert sent["model"] == llm_settings.llm.model
    assert sent["max_tokens"] == llm_settings.llm.max_tokens
    user_turn = sent["messages"][-1]["content"]
    assert logs in user_turn and "Why is Gi0/1 down on rtr-001?" in user_turn


def test_a_caller_system_prompt_and_dict_context_are_sent(llm_settings, server):
    client_for(llm_settings, server).complete("Summarise", context={"device": "rtr-002", "cpu": 93},
                                              system="Be brief.")
    assert server.last_request["system"] == "Be brief."
    assert '"device": "rtr-002"' in server.last_request["messages"][-1]["content"]


def test_the_model_is_configurable_and_priced_at_its_own_rate(llm_settings, server):
    llm_settings.llm.model = "claude-haiku-4-5"
    response = client_for(llm_settings, server).complete("What is OSPF?")
    assert response.model == "claude-haiku-4-5"
    assert response.cost_usd == pytest.approx((response.input_tokens * 1.0 + response.output_tokens * 5.0) / 1e6)


def test_price_overrides_in_settings_replace_the_table(llm_settings, server):
    llm_settings.llm.price_input_per_mtok = 100.0
    llm_settings.llm.price_output_per_mtok = 1000.0
    response = client_for(llm_settings, server).complete("What is OSPF?")
    assert response.cost_usd == pytest.approx((response.input_tokens * 100 + response.output_tokens * 1000) / 1e6)


def test_an_overloaded_api_is_retried_by_the_sdk_and_then_answers(llm_settings, server):
    server.fail_next(2, 529)
    response = client_for(llm_settings, server).complete("Is rtr-001 healthy?")
    assert "Is rtr-001 healthy?" in response.text
    assert server.calls == 3 and server.failed == 2 and server.answered == 1


def test_a_rate_limit_is_retried_too(llm_settings, server):
    server.fail_next(1, 429)
    client_for(llm_settings, server).complete("Is rtr-001 healthy?")
    assert server.calls == 2 and server.answered == 1


def test_persistent_overload_raises_llm_error_after_the_configured_retries(llm_settings, server):
    server.fail_next(100, 529)
    with pytest.raises(LLMError) as err:
        client_for(llm_settings, server).complete("Is rtr-001 healthy?")
    assert server.calls == llm_settings.llm.max_retries + 1
    assert server.answered == 0
    message = str(err.value)
    assert "overloaded (529)" in message and "NETCACHE_LLM__MAX_RETRIES" in message


def test_persistent_rate_limits_say_what_to_do(llm_settings, server):
    llm_settings.llm.max_retries = 1
    server.fail_next(100, 429)
    with pytest.raises(LLMError, match=r"rate-limiting \(429\) after 1 retries"):
        client_for(llm_settings, server).complete("Is rtr-001 healthy?")
    assert server.calls == 2


def test_a_rejected_key_fails_at_once_and_is_never_shown(llm_settings, caplog):
    caplog.set_level(logging.DEBUG)
    with MessagesAPIServer(api_key="the-right-key") as srv:
        llm_settings.llm.api_key = SecretStr(SECRET_KEY)
        with pytest.raises(LLMError) as err:
            client_for(llm_settings, srv).complete("Show version on rtr-001")
        assert srv.calls == 1, "a 401 must not be retried"
    assert "401" in str(err.value) and "NETCACHE_LLM__API_KEY" in str(err.value)
    assert SECRET_KEY not in str(err.value)
    assert err.value.__cause__ is None, "the SDK error (with the request headers) is not chained"
    assert SECRET_KEY not in caplog.text
    assert SECRET_KEY not in repr(llm_settings)


def test_the_right_key_is_accepted(llm_settings):
    with MessagesAPIServer(api_key=SECRET_KEY) as srv:
        llm_settings.llm.api_key = SecretStr(SECRET_KEY)
        assert client_for(llm_settings, srv).complete("Show version").text.startswith(PLACEHOLDER_PREFIX)


def test_an_unreachable_api_is_an_llm_error_naming_the_url(llm_settings):
    srv = MessagesAPIServer().start()
    url = srv.url
    srv.stop()
    llm_settings.llm.base_url = url
    llm_settings.llm.max_retries = 0
    with LLMClient(llm_settings) as client, pytest.raises(LLMError, match="cannot reach http://127.0.0.1"):
        client.complete("Show version")


def test_without_a_key_or_a_local_server_the_client_says_how_to_configure_it(llm_settings):
    llm_settings.llm.base_url = None
    with LLMClient(llm_settings) as client, pytest.raises(LLMError, match="NETCACHE_LLM__API_KEY"):
        client.complete("Show version")


def test_an_empty_prompt_is_refused_before_any_call(llm_settings, server):
    with pytest.raises(LLMError, match="prompt is empty"):
        client_for(llm_settings, server).complete("   ")
    assert server.calls == 0


def test_the_server_answers_concurrent_clients(llm_settings):
    with MessagesAPIServer(latency_s=0.2) as srv:
        client = client_for(llm_settings, srv)
        results: list[LLMResponse] = []
        threads = [threading.Thread(target=lambda i=i: results.append(client.complete(f"Status of rtr-00{i}?")))
                   for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert srv.answered == 6
        assert sorted(srv.calls_for(f"rtr-00{i}") for i in range(6)) == [1] * 6
        assert {r.text.split("You asked: ")[1] for r in results} == {f"Status of rtr-00{i}?" for i in range(6)}


def test_the_async_client_matches_the_sync_one(llm_settings, server):
    async def main():
        client = client_for(llm_settings, server, AsyncLLMClient)
        try:
            server.fail_next(1, 529)
            first = await client.complete("Show BGP neighbors on rtr-001", context="log")
            both = await asyncio.gather(client.complete("a on rtr-001"), client.complete("b on rtr-002"))
            server.fail_next(100, 529)
            with pytest.raises(LLMError, match="overloaded"):
                await client.complete("c")
            server.fail_next(0)
            return first, both
        finally:
            await client.close()

    first, both = asyncio.run(main())
    sync = client_for(llm_settings, server).complete("Show BGP neighbors on rtr-001", context="log")
    assert first.text == sync.text
    assert (first.input_tokens, first.output_tokens, first.cost_usd) == (sync.input_tokens, sync.output_tokens,
                                                                         sync.cost_usd)
    assert [r.text.split("You asked: ")[1] for r in both] == ["a on rtr-001", "b on rtr-002"]


def test_model_ids_are_priced_by_their_longest_prefix():
    assert rates_for("claude-sonnet-4-5-20250929") == (3.0, 15.0)
    assert rates_for("claude-haiku-4-5") == (1.0, 5.0)
    assert rates_for("claude-opus-4-1-20250805") == (15.0, 75.0)
    assert rates_for("claude-opus-4-5") == (5.0, 25.0)
    assert price("claude-sonnet-4-5", 1_000_000, 1_000_000) == pytest.approx(18.0)
    assert price("claude-sonnet-4-5", 2000, 500) == pytest.approx(0.0135)


def test_an_unknown_model_uses_the_fallback_and_is_logged_once(caplog):
    caplog.set_level(logging.WARNING, logger="netcache.llm.pricing")
    before = unknown_model_count("mystery-model-x")
    assert price("mystery-model-x", 1_000_000, 0) == FALLBACK_PER_MTOK[0]
    price("mystery-model-x", 10, 10)
    assert unknown_model_count("mystery-model-x") == before + 2
    assert caplog.text.count("mystery-model-x") == (1 if before == 0 else 0)


def test_negative_token_counts_are_refused():
    with pytest.raises(ValueError, match="negative"):
        price("claude-sonnet-4-5", -1, 0)


def test_an_async_client_closed_in_one_event_loop_serves_the_next(llm_settings, server):
    client = client_for(llm_settings, server, AsyncLLMClient)

    async def ask(q, close=True):
        try:
            return await client.complete(q)
        finally:
            if close:
                await client.close()

    first = asyncio.run(ask("first loop on rtr-001"))
    second = asyncio.run(ask("second loop on rtr-001"))
    assert first.text.endswith("first loop on rtr-001") and second.text.endswith("second loop on rtr-001")

    async def from_another_loop():
        with pytest.raises(LLMError, match="another event loop"):
            await client.complete("from another loop")

    async def main():
        await client.complete("third loop")
        await asyncio.to_thread(asyncio.run, from_another_loop())  # while this loop still owns it
        await client.close()

    asyncio.run(main())
    assert server.answered == 3


def test_a_mapping_context_gives_the_system_prompt_and_earlier_turns_and_params_tune_the_call(
        llm_settings, server):
    history = [{"role": "user", "content": "Which routers are in nyc?"}, {"role": "assistant", "content": "rtr-001."}]
    client_for(llm_settings, server).complete(
        "Show BGP on rtr-001", context={"system": "Be terse.", "history": history, "_key_only": "x"},
        params={"max_tokens": 77, "stop": ["END"], "temperature": 0.3})

    sent = server.last_request
    assert sent["system"] == "Be terse." and sent["messages"][:2] == history
    assert sent["messages"][-1] == {"role": "user", "content": "Show BGP on rtr-001"}
    assert sent["max_tokens"] == 77 and sent["stop_sequences"] == ["END"]
    from netcache.llm.client import _SDK_SAMPLING_PARAMS

    # sent where the installed SDK takes it (anthropic 2.x dropped temperature from messages.create)
    assert sent.get("temperature") == (0.3 if "temperature" in _SDK_SAMPLING_PARAMS else None)


def test_a_malformed_history_is_a_config_error_naming_the_turn(llm_settings, server):
    from netcache.errors import ConfigError

    with pytest.raises(ConfigError, match=r"history'\]\[1\]"):
        client_for(llm_settings, server).complete("q", context={"history": [
            {"role": "user", "content": "a"}, {"role": "robot", "content": "b"}]})
    assert server.calls == 0
