"""The generator interface: how the cache (and the workers' warm-ups and refreshes) ask an LLM.

A generator answers one question with its context and parameters::

    class MyGenerator:
        def generate(self, prompt: str, context: Any = None, params: Mapping | None = None) -> Generation: ...

Asyncio back ends implement ``agenerate`` with the same arguments (a coroutine). The
cache's ``generate=`` argument accepts a generator object, or a plain callable
``f(prompt, context, params)`` returning a :class:`Generation`, an ``LLMResponse`` or a
``str`` (see :func:`call_generator`). Workers load the bot's own generator from
``NETCACHE_LLM__GENERATOR`` (``"package.module:callable"``), so warm-ups and refreshes
come from the same model and prompt as the bot's answers.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

__all__ = ["Usage", "Generation", "Generator", "AsyncGenerator", "call_generator", "as_generation"]


@dataclass(frozen=True)
class Usage:
    """Token usage as the model's response reported it."""

    input_tokens: int = 0
    output_tokens: int = 0


@dataclass(frozen=True)
class Generation:
    """One generated answer: the text, what it used, the model, and what it cost."""

    text: str
    usage: Usage = field(default_factory=Usage)
    model: str = ""
    #: cost in USD; None = compute it from ``usage`` and the price table of ``model``
    cost_usd: float | None = None
    latency_s: float = 0.0
    #: free-form facts about the generation (e.g. ``{"device_state": "none"}`` for a warm-up
    #: that had no device output); stored with the entry
    metadata: Mapping[str, Any] = field(default_factory=dict)

    # the names the cache reads from an LLMResponse, so both can be handled alike
    @property
    def input_tokens(self) -> int:
        return self.usage.input_tokens

    @property
    def output_tokens(self) -> int:
        return self.usage.output_tokens


@runtime_checkable
class Generator(Protocol):
    """Answers a question (sync)."""

    def generate(self, prompt: str, context: Any = None, params: Mapping[str, Any] | None = None) -> Generation: ...


@runtime_checkable
class AsyncGenerator(Protocol):
    """Answers a question (asyncio)."""

    async def agenerate(self, prompt: str, context: Any = None,
                        params: Mapping[str, Any] | None = None) -> Generation: ...


def _positional_arity(fn: Any) -> int:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return 1
    n = 0
    for p in sig.parameters.values():
        if p.kind is p.VAR_POSITIONAL:
            return 3
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            n += 1
    return n


def call_generator(generate: Any, prompt: str, context: Any = None, params: Mapping[str, Any] | None = None,
                   *, prefer_async: bool = False) -> Any:
    """Start one generation with whatever the caller passed as ``generate``; may return an awaitable.

    - an object with ``agenerate`` (when ``prefer_async``) or ``generate``: called with
      ``(prompt, context, params)``;
    - a callable taking three positional arguments: ``generate(prompt, context, params)``;
    - a callable taking one (the older form): ``generate(prompt)``.
    """
    if prefer_async and hasattr(generate, "agenerate"):
        return generate.agenerate(prompt, context, params)
    if hasattr(generate, "generate") and callable(generate.generate):
        return generate.generate(prompt, context, params)
    if hasattr(generate, "agenerate"):
        return generate.agenerate(prompt, context, params)
    if not callable(generate):
        raise TypeError(f"generate must be a Generator or a callable, not {type(generate).__name__}")
    if _positional_arity(generate) >= 3:
        return generate(prompt, context, params)
    return generate(prompt)


def as_generation(result: Any, latency_s: float = 0.0) -> Generation:
    """A :class:`Generation` from what a generator returned: a Generation, an LLMResponse-like
    object (``text``, ``model``, ``input_tokens``, ``output_tokens``, ``cost_usd``) or a str."""
    if isinstance(result, Generation):
        return result
    if isinstance(result, str):
        return Generation(text=result, latency_s=latency_s)
    if hasattr(result, "text") and isinstance(result.text, str):
        return Generation(
            text=result.text,
            usage=Usage(int(getattr(result, "input_tokens", 0) or 0), int(getattr(result, "output_tokens", 0) or 0)),
            model=str(getattr(result, "model", "") or ""),
            cost_usd=getattr(result, "cost_usd", None),
            latency_s=float(getattr(result, "latency_s", latency_s) or latency_s),
            metadata=dict(getattr(result, "metadata", {}) or {}),
        )
    raise TypeError(f"a generator returned {type(result).__name__}; expected Generation, LLMResponse or str")
