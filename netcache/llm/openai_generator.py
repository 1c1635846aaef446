"""A generator for OpenAI-compatible endpoints: OpenAI, vLLM, Ollama, a LiteLLM proxy.

``OpenAIGenerator(settings)`` uses the real ``openai`` SDK's chat completions with
``settings.llm.base_url`` (``http://127.0.0.1:8000/v1`` for vLLM, ``:11434/v1`` for
Ollama, a LiteLLM proxy's URL), ``settings.llm.model``, ``max_tokens``,
``temperature``, ``timeout_s`` and ``max_retries`` (the SDK's own backoff on 429, 5xx
and connection errors). The request is built like the Anthropic one
(:func:`~netcache.llm.conversation.conversation_for`): system prompt first, then the
earlier turns, then the question with its context. Cost comes from the response's
``usage`` and the price table of the model that answered.

The key is ``settings.llm.api_key``, else ``OPENAI_API_KEY``; a local endpoint
(``base_url`` set) that needs none gets a placeholder.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Mapping
from typing import Any

import openai

from netcache.errors import LLMError
from netcache.llm.client import cost_of
from netcache.llm.conversation import conversation_for
from netcache.llm.generator import Generation, Usage
from netcache.settings import Settings

__all__ = ["OpenAIGenerator"]

#: Key sent to a local endpoint when none is configured (vLLM and Ollama accept any; never a real key).
_LOCAL_PLACEHOLDER_KEY = "netcache-local-no-key"


def _api_key(settings: Settings) -> str:
    key = settings.llm.api_key
    secret = key.get_secret_value() if key is not None else ""
    if secret:
        return secret
    env_key = os.environ.get("OPENAI_API_KEY")
    if env_key:
        return env_key
    if settings.llm.base_url:
        return _LOCAL_PLACEHOLDER_KEY
    raise LLMError("no OpenAI API key: set NETCACHE_LLM__API_KEY (or OPENAI_API_KEY), or point "
                   "NETCACHE_LLM__BASE_URL at an OpenAI-compatible server (vLLM, Ollama, "
                   "`netcache llm-server --api openai`)")


def _translate(e: Exception, settings: Settings) -> LLMError:
    """An SDK error → an LLMError that says what to do (never containing the key)."""
    where = settings.llm.base_url or "the OpenAI API"
    retries = settings.llm.max_retries
    if isinstance(e, openai.AuthenticationError):
        return LLMError(f"{where} rejected the API key (401): check NETCACHE_LLM__API_KEY; not retried")
    if isinstance(e, openai.RateLimitError):
        return LLMError(f"{where} kept rate-limiting (429) after {retries} retries: slow down or raise "
                        "NETCACHE_LLM__MAX_RETRIES")
    if isinstance(e, openai.APITimeoutError):
        return LLMError(f"{where} did not answer within {settings.llm.timeout_s} s after {retries} retries: "
                        "raise NETCACHE_LLM__TIMEOUT_S or try later")
    if isinstance(e, openai.APIConnectionError):
        return LLMError(f"cannot reach {where} after {retries} retries: check NETCACHE_LLM__BASE_URL "
                        "(it ends in /v1) and the network")
    if isinstance(e, openai.NotFoundError):
        return LLMError(f"{where} answered 404: check NETCACHE_LLM__BASE_URL (it ends in /v1) and the "
                        f"model name {settings.llm.model!r}")
    if isinstance(e, openai.APIStatusError):
        hint = "retried" if e.status_code >= 500 else "not retried"
        return LLMError(f"{where} answered {e.status_code} ({hint}): {e.message}")
    return LLMError(f"the LLM call to {where} failed: {type(e).__name__}")


class OpenAIGenerator:
    """Chat completions through the real ``openai`` SDK (sync and asyncio clients built lazily).

    The asyncio client belongs to the event loop that first used it: ``await aclose()`` before
    that loop ends."""

    name = "openai"

    def __init__(self, settings: Settings, *, client: Any = None, async_client: Any = None) -> None:
        self.settings = settings
        self._client = client
        self._async_client = async_client
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()

    def _kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"api_key": _api_key(self.settings), "max_retries": self.settings.llm.max_retries,
                                  "timeout": self.settings.llm.timeout_s}
        if self.settings.llm.base_url:
            kwargs["base_url"] = self.settings.llm.base_url
        return kwargs

    @property
    def client(self) -> openai.OpenAI:
        with self._lock:
            if self._client is None:
                self._client = openai.OpenAI(**self._kwargs())
            return self._client

    @property
    def async_client(self) -> openai.AsyncOpenAI:
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._async_client is not None and self._loop is not None and self._loop is not loop:
                raise LLMError("this OpenAIGenerator's asyncio client belongs to another event loop: "
                               "`await generator.aclose()` before that loop ends, or make one per loop")
            if self._async_client is None:
                self._async_client = openai.AsyncOpenAI(**self._kwargs())
                self._loop = loop
            return self._async_client

    def _request(self, prompt: str, context: Any, params: Mapping[str, Any] | None,
                 system: str | None = None) -> dict[str, Any]:
        conv = conversation_for(self.settings, prompt, context, params, system=system)
        return {"model": conv.model, "max_tokens": conv.max_tokens,
                "messages": [{"role": "system", "content": conv.system}, *conv.messages], **conv.options}

    def _generation(self, completion: Any, request: dict[str, Any], started: float) -> Generation:
        latency_s = time.perf_counter() - started
        choices = getattr(completion, "choices", None) or []
        if not choices:
            raise LLMError(f"{self.settings.llm.base_url or 'the OpenAI API'} answered without a choice")
        message = choices[0].message
        usage = getattr(completion, "usage", None)
        tokens_in = int(getattr(usage, "prompt_tokens", 0) or 0)
        tokens_out = int(getattr(usage, "completion_tokens", 0) or 0)
        model = getattr(completion, "model", None) or request["model"]
        return Generation(text=message.content or "", usage=Usage(tokens_in, tokens_out), model=model,
                          cost_usd=cost_of(self.settings, model, tokens_in, tokens_out), latency_s=latency_s,
                          metadata={"generator": self.name, "finish_reason": choices[0].finish_reason or ""})

    def complete(self, prompt: str, *, context: Any = None, system: str | None = None,
                 params: Mapping[str, Any] | None = None) -> Generation:
        request = self._request(prompt, context, params, system)
        started = time.perf_counter()
        try:
            completion = self.client.chat.completions.create(**request)
        except openai.OpenAIError as e:
            raise _translate(e, self.settings) from None
        return self._generation(completion, request, started)

    def generate(self, prompt: str, context: Any = None, params: Mapping[str, Any] | None = None) -> Generation:
        return self.complete(prompt, context=context, params=params)

    async def agenerate(self, prompt: str, context: Any = None,
                        params: Mapping[str, Any] | None = None) -> Generation:
        request = self._request(prompt, context, params)
        started = time.perf_counter()
        try:
            completion = await self.async_client.chat.completions.create(**request)
        except openai.OpenAIError as e:
            raise _translate(e, self.settings) from None
        return self._generation(completion, request, started)

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    async def aclose(self) -> None:
        client, self._async_client, self._loop = self._async_client, None, None
        if client is not None:
            await client.close()

    def __repr__(self) -> str:
        return f"OpenAIGenerator(model={self.settings.llm.model!r}, base_url={self.settings.llm.base_url!r})"
