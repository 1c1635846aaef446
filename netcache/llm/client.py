"""The LLM client: the real Anthropic SDK, token usage and cost of every call.

``LLMClient(settings).complete(prompt, context=..., system=...)`` asks the
Messages API once and returns an :class:`LLMResponse` with the answer, the
model, the tokens from the response's ``usage``, the cost from
:mod:`netcache.llm.pricing` and the wall-clock latency. ``AsyncLLMClient`` does the
same on ``anthropic.AsyncAnthropic``.

Retries on overload (529), rate limits (429), 5xx and connection errors are
the SDK's own (exponential backoff with jitter, ``retry-after`` honoured),
``settings.llm.max_retries`` times. When they are spent, or on an error
that retrying cannot fix (401, 400 …), :class:`~cache.errors.LLMError` is
raised with a message that says what to do. The API key never appears in a
message or a log line.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
import threading
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import anthropic

from netcache.errors import LLMError
from netcache.llm.conversation import NETOPS_SYSTEM_PROMPT, build_user_message, conversation_for
from netcache.llm.pricing import price_with, rates_for_settings
from netcache.settings import Settings

__all__ = [
    "LLMResponse",
    "LLMClient",
    "AsyncLLMClient",
    "NETOPS_SYSTEM_PROMPT",
    "build_user_message",
    "cost_of",
]

log = logging.getLogger(__name__)

#: Key used with a local Messages API server when no key is configured (never a real key).
_LOCAL_PLACEHOLDER_KEY = "netcache-local-no-key"


@dataclass(frozen=True)
class LLMResponse:
    """One answer from the LLM, with what it cost."""

    text: str
    model: str
    input_tokens: int
    output_tokens: int
    cost_usd: float
    latency_s: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def cost_of(settings: Settings, model: str, input_tokens: int, output_tokens: int) -> float:
    """Dollars for a call of ``model``, using the settings' price overrides where set."""
    return price_with(*rates_for_settings(settings.llm, model), input_tokens, output_tokens)


def _api_key(settings: Settings) -> str:
    key = settings.llm.api_key
    secret = key.get_secret_value() if key is not None else None
    if secret:
        return str(secret)
    env_key = os.environ.get("ANTHROPIC_API_KEY")
    if env_key:
        return env_key
    if settings.llm.base_url:
        return _LOCAL_PLACEHOLDER_KEY
    raise LLMError(
        "no Anthropic API key: set NETCACHE_LLM__API_KEY (or ANTHROPIC_API_KEY), or point "
        "NETCACHE_LLM__BASE_URL at a local Messages API server (`netcache llm-server`)"
    )


#: Sampling parameters ``messages.create`` of the installed SDK accepts (2.x dropped temperature and
#: top_p; older SDKs take them).
_SDK_SAMPLING_PARAMS = frozenset(p for p in ("temperature", "top_p")
                                 if p in inspect.signature(anthropic.resources.Messages.create).parameters)
_unsent_warned: set[str] = set()


def _warn_unsent(name: str) -> None:
    if name not in _unsent_warned:
        _unsent_warned.add(name)
        log.warning("%s is not sent to the Messages API: anthropic %s has no such parameter on "
                    "messages.create", name, anthropic.__version__)


def _client_kwargs(settings: Settings) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "api_key": _api_key(settings),
        "max_retries": settings.llm.max_retries,
        "timeout": settings.llm.timeout_s,
    }
    if settings.llm.base_url:
        kwargs["base_url"] = settings.llm.base_url
    return kwargs


def _where(settings: Settings) -> str:
    return settings.llm.base_url or "the Anthropic API"


def _translate(e: Exception, settings: Settings) -> LLMError:
    """An SDK error → an LLMError that says what to do (never containing the key)."""
    where = _where(settings)
    retries = settings.llm.max_retries
    if isinstance(e, anthropic.AuthenticationError):
        return LLMError(
            f"{where} rejected the API key (401 authentication_error): check "
            "NETCACHE_LLM__API_KEY; the request was not retried"
        )
    if isinstance(e, anthropic.PermissionDeniedError):
        return LLMError(f"{where} denied the request (403): the key lacks access to model "
                        f"{settings.llm.model!r}")
    if isinstance(e, anthropic.RateLimitError):
        return LLMError(
            f"{where} kept rate-limiting (429) after {retries} retries: slow down, raise "
            "NETCACHE_LLM__MAX_RETRIES, or ask for a higher rate limit"
        )
    if isinstance(e, anthropic.APIStatusError) and e.status_code == 529:
        return LLMError(
            f"{where} stayed overloaded (529) after {retries} retries: try again in a minute "
            "or raise NETCACHE_LLM__MAX_RETRIES; cached answers are still served"
        )
    if isinstance(e, anthropic.APITimeoutError):
        return LLMError(f"{where} did not answer within {settings.llm.timeout_s} s after "
                        f"{retries} retries: raise NETCACHE_LLM__TIMEOUT_S or try later")
    if isinstance(e, anthropic.APIConnectionError):
        return LLMError(f"cannot reach {where} after {retries} retries: check "
                        "NETCACHE_LLM__BASE_URL and the network")
    if isinstance(e, anthropic.APIStatusError):
        kind = ""
        body = getattr(e, "body", None)
        if isinstance(body, dict):
            found = body.get("error")
            err: dict = found if isinstance(found, dict) else {}
            kind = f" {err.get('type', '')}: {err.get('message', '')}".rstrip(": ")
        hint = "retried" if e.status_code >= 500 else "not retried"
        return LLMError(f"{where} answered {e.status_code}{kind} ({hint}); "
                        f"check the model name {settings.llm.model!r} and the request")
    return LLMError(f"the LLM call to {where} failed: {type(e).__name__}")


def _text_of(message: Any) -> str:
    parts = [getattr(block, "text", "") for block in (message.content or [])
             if getattr(block, "type", None) == "text"]
    return "".join(parts)


class _Base:
    def __init__(self, settings: Settings, *, client: Any = None) -> None:
        self.settings = settings
        self._client = client
        self._lock = threading.Lock()

    def _request(self, prompt: str, context: Any, system: str | None,
                 params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        conv = conversation_for(self.settings, prompt, context, params, system=system)
        request: dict[str, Any] = {"model": conv.model, "max_tokens": conv.max_tokens, "system": conv.system,
                                   "messages": conv.messages}
        for name, value in conv.options.items():
            if name == "stop":
                request["stop_sequences"] = value
            elif name in _SDK_SAMPLING_PARAMS:
                request[name] = value
            else:
                _warn_unsent(name)
        return request

    def _response(self, message: Any, started: float) -> LLMResponse:
        latency_s = time.perf_counter() - started
        usage = getattr(message, "usage", None)
        input_tokens = int(getattr(usage, "input_tokens", 0) or 0)
        output_tokens = int(getattr(usage, "output_tokens", 0) or 0)
        model = getattr(message, "model", None) or self.settings.llm.model
        return LLMResponse(
            text=_text_of(message),
            model=model,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            cost_usd=cost_of(self.settings, model, input_tokens, output_tokens),
            latency_s=latency_s,
        )


class LLMClient(_Base):
    """Synchronous client; the SDK client is built on first use (or passed in)."""

    @property
    def client(self) -> anthropic.Anthropic:
        with self._lock:
            if self._client is None:
                self._client = anthropic.Anthropic(**_client_kwargs(self.settings))
            return self._client

    def complete(self, prompt: str, *, context: Any = None, system: str | None = None,
                 params: Mapping[str, Any] | None = None) -> LLMResponse:
        """Ask once (with the SDK's retries); raise LLMError when it cannot answer."""
        request = self._request(prompt, context, system, params)
        started = time.perf_counter()
        try:
            message = self.client.messages.create(**request)
        except anthropic.AnthropicError as e:
            raise _translate(e, self.settings) from None
        return self._response(message, started)

    def close(self) -> None:
        with self._lock:
            if self._client is not None and hasattr(self._client, "close"):
                self._client.close()
            self._client = None

    def __enter__(self) -> LLMClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncLLMClient(_Base):
    """The same on ``anthropic.AsyncAnthropic``.

    Its connections belong to the event loop that first used it: ``await close()`` before
    that loop ends (or use ``async with``); after a close it may serve another loop.
    """

    _loop: asyncio.AbstractEventLoop | None = None

    @property
    def client(self) -> anthropic.AsyncAnthropic:
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._client is not None and self._loop is not None and self._loop is not loop:
                raise LLMError("this AsyncLLMClient belongs to another event loop: `await client.close()` "
                               "before that loop ends, or make one client per loop")
            if self._client is None:
                self._client = anthropic.AsyncAnthropic(**_client_kwargs(self.settings))
                self._loop = loop
            return self._client

    async def complete(self, prompt: str, *, context: Any = None, system: str | None = None,
                       params: Mapping[str, Any] | None = None) -> LLMResponse:
        request = self._request(prompt, context, system, params)
        started = time.perf_counter()
        try:
            message = await self.client.messages.create(**request)
        except anthropic.AnthropicError as e:
            raise _translate(e, self.settings) from None
        return self._response(message, started)

    async def close(self) -> None:
        client, self._client, self._loop = self._client, None, None
        if client is not None and hasattr(client, "close"):
            await client.close()

    async def __aenter__(self) -> AsyncLLMClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
