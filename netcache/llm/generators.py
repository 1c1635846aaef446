"""The generators that ship: Anthropic (the default) and any user generator, priced.

:class:`AnthropicGenerator` asks the Messages API through :class:`~netcache.llm.client.LLMClient`
(sync) and :class:`~netcache.llm.client.AsyncLLMClient` (asyncio), with the SDK's retries and
the client's error messages; the OpenAI-compatible one is in :mod:`netcache.llm.openai_generator`.
:class:`PricedGenerator` wraps a generator the bot wrote itself (an object with ``generate`` /
``agenerate``, or a function ``f(prompt, context, params)``) so that it offers the same four
calls as the shipped ones and every :class:`Generation` carries a cost: one it did not price is
priced from its usage and the price table of the model it names.

Every generator here has ``generate`` and ``agenerate`` (the :class:`Generator` protocols),
``complete(prompt, context=..., system=..., params=...)`` (the call the workers' warm-ups made
on the old client) and ``close`` / ``aclose``.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from netcache.llm.client import AsyncLLMClient, LLMClient, LLMResponse, cost_of
from netcache.llm.generator import Generation, Usage, as_generation, call_generator
from netcache.settings import Settings

__all__ = ["AnthropicGenerator", "PricedGenerator", "priced"]


def priced(settings: Settings, generation: Generation) -> Generation:
    """``generation`` with ``cost_usd`` filled in from its usage and model (settings' prices)."""
    if generation.cost_usd is not None:
        return generation
    model = generation.model or settings.llm.model
    return replace(generation, cost_usd=cost_of(settings, model, generation.usage.input_tokens,
                                                generation.usage.output_tokens))


def _from_response(response: LLMResponse, generator: str) -> Generation:
    return Generation(text=response.text, usage=Usage(response.input_tokens, response.output_tokens),
                      model=response.model, cost_usd=response.cost_usd, latency_s=response.latency_s,
                      metadata={"generator": generator})


class AnthropicGenerator:
    """Claude through the real Anthropic SDK (``settings.llm``: model, base_url, api_key, retries).

    The sync and asyncio SDK clients are built on first use; ``client`` / ``async_client`` may be
    passed in (e.g. one :class:`LLMClient` shared with other code)."""

    name = "anthropic"

    def __init__(self, settings: Settings, *, client: LLMClient | None = None,
                 async_client: AsyncLLMClient | None = None) -> None:
        self.settings = settings
        self.client = client if client is not None else LLMClient(settings)
        self.async_client = async_client if async_client is not None else AsyncLLMClient(settings)

    def generate(self, prompt: str, context: Any = None, params: Mapping[str, Any] | None = None) -> Generation:
        return self.complete(prompt, context=context, params=params)

    async def agenerate(self, prompt: str, context: Any = None,
                        params: Mapping[str, Any] | None = None) -> Generation:
        response = await self.async_client.complete(prompt, context=context, params=params)
        return _from_response(response, self.name)

    def complete(self, prompt: str, *, context: Any = None, system: str | None = None,
                 params: Mapping[str, Any] | None = None) -> Generation:
        return _from_response(self.client.complete(prompt, context=context, system=system, params=params), self.name)

    def close(self) -> None:
        self.client.close()

    async def aclose(self) -> None:
        await self.async_client.close()

    def __repr__(self) -> str:
        return f"AnthropicGenerator(model={self.settings.llm.model!r}, base_url={self.settings.llm.base_url!r})"


class PricedGenerator:
    """A caller's generator with the shipped generators' calls, and a cost on every answer.

    The sync call of an asyncio-only generator runs it in a fresh event loop (workers call from
    plain threads); the asyncio call of a sync-only one runs it in a thread."""

    def __init__(self, inner: Any, settings: Settings, *, name: str = "") -> None:
        if not (hasattr(inner, "generate") or hasattr(inner, "agenerate") or callable(inner)):
            raise TypeError(f"a generator needs generate() or agenerate(), or must be callable; got "
                            f"{type(inner).__name__}")
        self.inner = inner
        self.settings = settings
        self.name = name or getattr(inner, "name", "") or type(inner).__name__

    def _done(self, result: Any, started: float) -> Generation:
        return priced(self.settings, as_generation(result, latency_s=time.perf_counter() - started))

    def generate(self, prompt: str, context: Any = None, params: Mapping[str, Any] | None = None) -> Generation:
        started = time.perf_counter()
        result = call_generator(self.inner, prompt, context, params)
        if asyncio.iscoroutine(result):
            result = asyncio.run(result)  # an asyncio-only generator called from a worker thread
        return self._done(result, started)

    async def agenerate(self, prompt: str, context: Any = None,
                        params: Mapping[str, Any] | None = None) -> Generation:
        started = time.perf_counter()
        if hasattr(self.inner, "agenerate") or inspect.iscoroutinefunction(self.inner):
            result = await call_generator(self.inner, prompt, context, params, prefer_async=True)
        else:
            result = await asyncio.to_thread(call_generator, self.inner, prompt, context, params)
        if asyncio.iscoroutine(result):
            result = await result
        return self._done(result, started)

    def complete(self, prompt: str, *, context: Any = None, system: str | None = None,
                 params: Mapping[str, Any] | None = None) -> Generation:
        if system is not None:
            params = {**(params or {}), "system": system}
        return self.generate(prompt, context, params)

    def close(self) -> None:
        close = getattr(self.inner, "close", None)
        if callable(close) and not inspect.iscoroutinefunction(close):
            close()

    async def aclose(self) -> None:
        aclose = getattr(self.inner, "aclose", None)
        if callable(aclose):
            await aclose()

    def __repr__(self) -> str:
        return f"PricedGenerator({self.inner!r})"
