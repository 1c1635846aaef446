"""The generators that ship (Anthropic, OpenAI-compatible), load_generator, and the workers using it.

Real SDKs against the local Messages-API and OpenAI-compatible servers; a real Redis and the
real cache for the worker path.
"""

from __future__ import annotations

import asyncio
import logging

import pytest
from click.testing import CliRunner
from pydantic import SecretStr

from netcache.cli.main import main
from netcache.devtools.messages_server import PLACEHOLDER_PREFIX, MessagesAPIServer
from netcache.devtools.openai_server import OPENAI_PLACEHOLDER_PREFIX, OpenAICompatibleServer
from netcache.errors import ConfigError, LLMError
from netcache.llm.conversation import NETOPS_SYSTEM_PROMPT
from netcache.llm.generator import Generation, Usage
from netcache.llm.generators import AnthropicGenerator, PricedGenerator
from netcache.llm.loading import load_generator
from netcache.llm.openai_generator import OpenAIGenerator
from netcache.llm.pricing import price, rates_for, rates_for_settings, unknown_model_count
from netcache.tasks.warming import run_warm

SECRET_KEY = "sk-test-DO-NOT-LEAK-0987654321"
HISTORY = [{"role": "user", "content": "Which routers are in nyc?"},
           {"role": "assistant", "content": "rtr-001 and rtr-002."}]


@pytest.fixture
def gen_settings(settings, monkeypatch):
    for name in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "ANTHROPIC_AUTH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    settings.llm.max_retries = 2
    settings.llm.timeout_s = 10.0
    return settings


@pytest.fixture
def messages_server():
    with MessagesAPIServer() as srv:
        yield srv


@pytest.fixture
def openai_server():
    with OpenAICompatibleServer() as srv:
        yield srv


@pytest.fixture
def openai_settings(gen_settings, openai_server):
    gen_settings.llm.generator = "openai"
    gen_settings.llm.base_url = openai_server.base_url
    gen_settings.llm.model = "gpt-4o-mini"
    return gen_settings


@pytest.fixture
def closing():
    made = []
    yield made.append
    for g in made:
        g.close()


# -- Anthropic -----------------------------------------------------------------------------------
def test_the_anthropic_generator_sends_system_history_context_and_params(gen_settings, messages_server, closing):
    gen_settings.llm.base_url = messages_server.url
    gen = AnthropicGenerator(gen_settings)
    closing(gen)
    out = gen.generate("Why is Gi0/1 down on rtr-001?",
                       {"system": "Answer in one line.", "history": HISTORY, "logs": "%LINK-3-UPDOWN Gi0/1 down",
                        "_llm": "only for matching"},
                       {"max_tokens": 64, "stop": "END", "vrf": "blue"})

    assert isinstance(out, Generation) and out.text.startswith(PLACEHOLDER_PREFIX)
    sent = messages_server.last_request
    assert sent["system"] == "Answer in one line."
    assert sent["messages"][:2] == HISTORY
    question = sent["messages"][-1]["content"]
    assert "%LINK-3-UPDOWN Gi0/1 down" in question and '"vrf": "blue"' in question
    assert question.endswith("Question: Why is Gi0/1 down on rtr-001?")
    assert "only for matching" not in question
    assert sent["max_tokens"] == 64 and sent["stop_sequences"] == ["END"]
    assert out.model == gen_settings.llm.model and out.metadata["generator"] == "anthropic"
    assert out.cost_usd == pytest.approx(price(out.model, out.input_tokens, out.output_tokens)) and out.cost_usd > 0


def test_the_anthropic_generator_answers_asyncio_callers(gen_settings, messages_server):
    gen_settings.llm.base_url = messages_server.url
    gen = AnthropicGenerator(gen_settings)

    async def ask():
        try:
            return await gen.agenerate("Show BGP neighbors on rtr-002", "BGP neighbor 10.0.0.2 Idle")
        finally:
            await gen.aclose()

    out = asyncio.run(ask())
    assert "Show BGP neighbors on rtr-002" in out.text and out.usage.input_tokens > 0
    assert messages_server.last_request["system"] == NETOPS_SYSTEM_PROMPT
    assert "BGP neighbor 10.0.0.2 Idle" in messages_server.last_request["messages"][-1]["content"]


# -- OpenAI-compatible ---------------------------------------------------------------------------
def test_the_openai_generator_sends_the_conversation_and_prices_the_model_that_answered(
        openai_settings, openai_server, closing):
    gen = load_generator(openai_settings)
    closing(gen)
    assert isinstance(gen, OpenAIGenerator)
    out = gen.generate("Show interfaces on rtr-001", {"system": "Be terse.", "history": HISTORY},
                       {"temperature": 0.2, "max_tokens": 50})

    body = openai_server.requests[-1]
    assert body["model"] == "gpt-4o-mini" and body["temperature"] == 0.2 and body["max_tokens"] == 50
    assert body["messages"] == [{"role": "system", "content": "Be terse."}, *HISTORY,
                                {"role": "user", "content": "Show interfaces on rtr-001"}]
    assert out.text.startswith(OPENAI_PLACEHOLDER_PREFIX) and out.metadata["finish_reason"] == "stop"
    assert out.model == "gpt-4o-mini" and out.input_tokens > 0 and out.output_tokens > 0
    assert out.cost_usd == pytest.approx((out.input_tokens * 0.15 + out.output_tokens * 0.60) / 1e6)


def test_the_openai_generator_answers_asyncio_callers_with_the_settings_temperature(openai_settings, openai_server):
    openai_settings.llm.temperature = 0.0
    gen = OpenAIGenerator(openai_settings)

    async def ask():
        try:
            return await gen.agenerate("What is BGP?")
        finally:
            await gen.aclose()

    out = asyncio.run(ask())
    assert "What is BGP?" in out.text
    assert openai_server.requests[-1]["temperature"] == 0.0
    assert openai_server.requests[-1]["messages"][0] == {"role": "system", "content": NETOPS_SYSTEM_PROMPT}


def test_the_openai_generator_retries_server_errors_then_answers(openai_settings, openai_server, closing):
    openai_server.fail_next(2, status=503)
    gen = OpenAIGenerator(openai_settings)
    closing(gen)
    assert "rtr-003" in gen.generate("Show version on rtr-003").text
    assert openai_server.calls == 3 and openai_server.failed == 2 and openai_server.answered == 1


def test_a_rejected_openai_key_is_one_clear_error_without_the_key(openai_settings, closing):
    with OpenAICompatibleServer(api_key="the-right-key") as srv:
        openai_settings.llm.base_url = srv.base_url
        openai_settings.llm.api_key = SecretStr(SECRET_KEY)
        gen = OpenAIGenerator(openai_settings)
        closing(gen)
        with pytest.raises(LLMError) as e:
            gen.generate("Show ip route on rtr-001")
    assert "401" in str(e.value) and "NETCACHE_LLM__API_KEY" in str(e.value)
    assert SECRET_KEY not in str(e.value) and "\n" not in str(e.value)
    assert srv.calls == 1  # a 401 is not retried


def test_an_unreachable_openai_endpoint_says_to_check_the_base_url(openai_settings, closing):
    with OpenAICompatibleServer() as srv:
        dead_url = srv.base_url
    openai_settings.llm.base_url = dead_url
    openai_settings.llm.max_retries = 0
    gen = OpenAIGenerator(openai_settings)
    closing(gen)
    with pytest.raises(LLMError, match="cannot reach .* NETCACHE_LLM__BASE_URL"):
        gen.generate("Show clock on rtr-001")


def test_the_openai_server_lists_models_and_refuses_streaming(openai_server, openai_settings, closing):
    import openai

    client = openai.OpenAI(base_url=openai_server.base_url, api_key="x", max_retries=0)
    closing(client)
    assert [m.id for m in client.models.list()] == [OpenAICompatibleServer.default_model]
    with pytest.raises(openai.BadRequestError, match="does not stream"):
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": "q"}], stream=True)


# -- load_generator ------------------------------------------------------------------------------
class EchoGenerator:
    """A bot's own generator: answers without pricing, names its model."""

    def __init__(self, settings=None) -> None:
        self.asked: list[tuple] = []

    def generate(self, prompt, context=None, params=None):
        self.asked.append((prompt, context, params))
        return Generation(text=f"echo: {prompt}", usage=Usage(1000, 500), model="gpt-4o")


ECHO = EchoGenerator()


def make_echo(settings):
    return EchoGenerator(settings)


def echo_function(prompt, context, params):
    return f"fn: {prompt} / {context}"


class AsyncOnly:
    async def agenerate(self, prompt, context=None, params=None):
        await asyncio.sleep(0)
        return Generation(text=f"async: {prompt}", usage=Usage(10, 10), model="claude-haiku-4-5", cost_usd=0.5)


def make_async_only(settings):
    return AsyncOnly()


def not_a_factory(settings):
    return 42


def test_the_default_generator_is_anthropic(gen_settings, closing):
    gen = load_generator(gen_settings)
    closing(gen)
    assert isinstance(gen, AnthropicGenerator)


@pytest.mark.parametrize("spec", ["tests.test_generators:make_echo", "tests.test_generators:EchoGenerator",
                                  "tests.test_generators:ECHO"])
def test_a_module_callable_generator_is_loaded_and_priced_by_its_model(gen_settings, spec):
    gen_settings.llm.generator = spec
    gen = load_generator(gen_settings)
    assert isinstance(gen, PricedGenerator)
    out = gen.generate("Show BGP on rtr-001", {"logs": "x"}, {"vrf": "blue"})
    assert out.text == "echo: Show BGP on rtr-001"
    assert out.cost_usd == pytest.approx(price("gpt-4o", 1000, 500))
    assert out.latency_s >= 0
    # the call the workers' warm-ups make
    assert gen.complete("q", context="c", system="s").text == "echo: q"
    assert gen.inner.asked[-1] == ("q", "c", {"system": "s"})


def test_a_plain_function_and_an_asyncio_only_generator_both_answer_sync_and_async(gen_settings):
    gen_settings.llm.generator = "tests.test_generators:echo_function"
    fn = load_generator(gen_settings)
    assert fn.generate("q1", "ctx").text == "fn: q1 / ctx"
    assert asyncio.run(fn.agenerate("q2")).text == "fn: q2 / None"

    gen_settings.llm.generator = "tests.test_generators:make_async_only"
    aonly = load_generator(gen_settings)
    assert aonly.generate("q3").text == "async: q3" and aonly.generate("q3").cost_usd == 0.5
    assert asyncio.run(aonly.agenerate("q4")).text == "async: q4"


@pytest.mark.parametrize("spec, says", [
    ("gpt4", "neither anthropic nor openai nor 'package.module:callable'"),
    ("no_such_pkg.mod:make", "cannot import 'no_such_pkg.mod'"),
    ("tests.test_generators:missing", "has no 'missing'"),
    ("tests.test_generators:SECRET_KEY", "names a str"),
    ("tests.test_generators:not_a_factory", "returned a int"),
])
def test_a_generator_setting_that_cannot_load_is_a_config_error_saying_what_to_fix(gen_settings, spec, says):
    gen_settings.llm.generator = spec
    with pytest.raises(ConfigError, match="NETCACHE_LLM__GENERATOR") as e:
        load_generator(gen_settings)
    assert says in str(e.value)


# -- prices --------------------------------------------------------------------------------------
def test_prices_cover_openai_and_open_weight_models_and_router_prefixes():
    assert rates_for("gpt-4o-mini-2024-07-18") == (0.15, 0.60)
    assert rates_for("gpt-4o-2024-08-06") == (2.50, 10.00)
    assert rates_for("openai/gpt-4.1-mini") == (0.40, 1.60)
    assert rates_for("ollama/llama3.1:8b") == (0.0, 0.0)
    assert rates_for("meta-llama/Llama-3.1-8B-Instruct") == (0.0, 0.0)
    assert rates_for("anthropic/claude-sonnet-4-6") == (3.00, 15.00)


def test_per_model_prices_in_settings_win_over_the_table_and_the_global_override(gen_settings, caplog):
    llm = gen_settings.llm
    llm.prices_per_mtok = {"llama3.1": (0.20, 0.40), "gpt-4o": (1.0, 2.0)}
    llm.price_input_per_mtok = 9.0
    assert rates_for_settings(llm, "llama3.1:70b") == (0.20, 0.40)
    assert rates_for_settings(llm, "gpt-4o-mini") == (1.0, 2.0)  # the longest matching prefix of the overrides
    assert rates_for_settings(llm, "claude-sonnet-4-6") == (9.0, 15.00)
    before = unknown_model_count("my-finetune-v2")
    with caplog.at_level(logging.WARNING):
        assert rates_for_settings(llm, "my-finetune-v2")[1] == 15.00
    assert unknown_model_count("my-finetune-v2") == before + 1


def test_settings_prices_reach_the_cost_of_a_generation(openai_settings, openai_server, closing):
    openai_settings.llm.model = "qwen2.5:7b"
    openai_settings.llm.prices_per_mtok = {"qwen2.5": (1.0, 1.0)}
    gen = OpenAIGenerator(openai_settings)
    closing(gen)
    out = gen.generate("Show ospf neighbors on rtr-001")
    assert out.cost_usd == pytest.approx((out.input_tokens + out.output_tokens) / 1e6)


# -- the workers load the same generator ---------------------------------------------------------
def test_a_worker_runtime_warms_through_the_generator_the_settings_name(openai_settings, openai_server, runtimes):
    rt = runtimes(openai_settings)
    assert isinstance(rt.llm, OpenAIGenerator)
    result = run_warm(rt.cache, rt.llm, rt.budget(), [
        {"prompt": "Show interfaces status on rtr-007", "context": "Gi0/1 is down, line protocol is down"}],
        reason="test", action_id="t1")

    assert result.generated == 1 and result.cost_usd > 0
    body = openai_server.requests[-1]
    assert body["model"] == "gpt-4o-mini"
    assert "Gi0/1 is down, line protocol is down" in body["messages"][-1]["content"]
    hit = rt.cache.get("Show interfaces status on rtr-007", context="Gi0/1 is down, line protocol is down")
    assert hit is not None and hit.answer.startswith(OPENAI_PLACEHOLDER_PREFIX)


def test_the_openai_server_command_is_registered():
    result = CliRunner().invoke(main, ["openai-server", "--help"])
    assert result.exit_code == 0 and "OpenAI-compatible" in result.output
