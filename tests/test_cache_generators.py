"""What ``generate=`` may be (a Generator object, f(prompt, context, params), the older f(prompt)),
what it may return (Generation, LLMResponse, str), and what the cache keeps of it: cost and metadata."""

from __future__ import annotations

import pytest

from netcache.errors import ConfigError
from netcache.llm.client import cost_of
from netcache.llm.generator import Generation, Usage

# the behaviour suite runs over every backend (tests/conftest.py: backend)
from tests.support.cache import backend_settings  # noqa: F401 - fixture settings


class DeviceGenerator:
    """A Generator object: sees the question's context and params."""

    def __init__(self) -> None:
        self.seen: list[tuple] = []

    def generate(self, prompt, context=None, params=None) -> Generation:
        self.seen.append((prompt, context, params))
        return Generation(text=f"{prompt} given {context}", usage=Usage(1000, 500), model="claude-haiku-4-5",
                          metadata={"device_state": "none"})


def test_a_generator_object_gets_the_context_and_params_and_its_metadata_is_stored(backend, settings):
    cache = backend.cache(settings, embedder=False)
    gen = DeviceGenerator()
    answer = cache.get_or_generate("show bgp summary on rtr-001", context={"site": "nyc"}, params={"vrf": "blue"},
                                   generate=gen)
    assert gen.seen == [("show bgp summary on rtr-001", {"site": "nyc"}, {"vrf": "blue"})]
    assert answer.text == "show bgp summary on rtr-001 given {'site': 'nyc'}"
    assert answer.cost_usd == pytest.approx(cost_of(settings, "claude-haiku-4-5", 1000, 500)) and answer.cost_usd > 0
    info = cache.entry(answer.entry_id)
    assert info.metadata == {"device_state": "none"}
    assert cache.get_or_generate("show bgp summary on rtr-001", context={"site": "nyc"}, params={"vrf": "blue"},
                                 generate=gen).source == "exact"
    assert len(gen.seen) == 1


def test_a_three_argument_callable_and_the_older_one_argument_form_both_work(backend, settings):
    cache = backend.cache(settings, embedder=False)
    calls = []

    def three(prompt, context, params):
        calls.append((context, params))
        return Generation(text="from three", cost_usd=0.25)

    a = cache.get_or_generate("show version on rtr-001", context="ctx", generate=three)
    b = cache.get_or_generate("show version on rtr-002", generate=lambda prompt: "from one")
    assert (a.text, a.cost_usd, calls) == ("from three", 0.25, [("ctx", None)])
    assert (b.text, b.cost_usd) == ("from one", 0.0)
    assert cache.entry(a.entry_id).metadata == {} and cache.entry(b.entry_id).metadata == {}


def test_an_llm_client_is_asked_with_the_context(backend, settings):
    class EchoLLM:
        def __init__(self):
            self.contexts = []

        def complete(self, prompt, *, context=None):
            self.contexts.append(context)
            return Generation(text=f"echo {prompt}")

    llm = EchoLLM()
    cache = backend.cache(settings, embedder=False, llm=llm)
    assert cache.get_or_generate("show lldp neighbors on rtr-001", context="rtr-001 logs").text.startswith("echo")
    assert llm.contexts == ["rtr-001 logs"]


def test_a_generator_returning_something_else_is_a_config_error_and_counted(backend, settings):
    cache = backend.cache(settings, embedder=False)
    with pytest.raises(ConfigError, match="generate returned int"):
        cache.get_or_generate("show version on rtr-001", generate=lambda prompt: 42)
    assert cache.counters["bad_input"] == 1
    with pytest.raises(ConfigError, match="needs generate= or an llm= client"):
        cache.get_or_generate("show version on rtr-001")


def test_a_failing_generator_raises_to_the_caller_and_releases_the_lease(backend, settings, redis_client):
    cache = backend.cache(settings, embedder=False)

    def down(prompt):
        raise RuntimeError("the LLM is down")

    with pytest.raises(RuntimeError, match="the LLM is down"):
        cache.get_or_generate("show version on rtr-001", generate=down)
    assert redis_client.keys("{nc}:l:*") == []  # the next caller generates at once, no lease wait
    assert cache.get_or_generate("show version on rtr-001", generate=lambda p: "17.9").source == "generated"
