"""A LiteLLM cache backend on netcache: keyed on the user's question, the rest as context.

LiteLLM's ``Cache`` hashes the whole request into a key and hands its backend that key
plus the request's ``messages``. :class:`NetcacheLiteLLMCache` ignores the hash and splits
the messages (:func:`split_messages`): the **question** is the last user message (what
the cache matches exactly and semantically, entities as hard filters, and what the
nightly refresh re-asks); the **context** is ``"system"`` (the system messages),
``"history"`` (the earlier turns) and ``"_scope"`` (the ``scope`` you give, e.g. the model
name: LiteLLM's sync lookups do not say which model is asked, so answers of different
models are told apart by building one backend per model with its own ``scope`` or
``namespace``). The shipped generators send ``system`` and ``history`` as the bot did, and
not ``_scope``.

When in doubt, miss: a request whose last message is not the user's (tool results), with
tool messages or tool calls in it, or whose answer calls tools is neither looked up nor
stored (counted in ``counts["skipped"]``). Entries live as long as netcache's volatility
classes say, not LiteLLM's ``ttl``.

Usage::

    import litellm
    from netcache.adapters.litellm import install
    install(AnswerCache(settings), acache=AsyncAnswerCache(settings), scope="gpt-4o-mini")
    litellm.completion(model="openai/gpt-4o-mini", messages=[...], caching=True)

``pip install netcache[litellm]``. LiteLLM fetches its model price map from the internet
at import; offline, set ``LITELLM_LOCAL_MODEL_COST_MAP=True`` before importing it.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

import litellm
from litellm.caching.base_cache import BaseCache
from litellm.caching.caching import Cache

from netcache.llm.generator import Generation, Usage
from netcache.llm.generators import priced

__all__ = ["NetcacheLiteLLMCache", "install", "split_messages"]

_ROLES = {"user": "user", "assistant": "assistant"}


def _text(content: Any) -> str | None:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [b.get("text", "") for b in content if isinstance(b, dict) and b.get("type") == "text"]
        return "".join(parts) if len(parts) == len(content) else None  # images, files: not plain text
    return None


def split_messages(messages: Any, scope: str = "") -> tuple[str, dict] | None:
    """(question, context) for OpenAI-style ``messages``, or None when they must not be cached."""
    if not isinstance(messages, list) or not messages or not all(isinstance(m, dict) for m in messages):
        return None
    last = messages[-1]
    question = _text(last.get("content")) if last.get("role") == "user" else None
    if not question or not question.strip():
        return None
    system, history = [], []
    for m in messages[:-1]:
        role, text = m.get("role"), _text(m.get("content"))
        if text is None or m.get("tool_calls") or role not in ("system", "developer", *_ROLES):
            return None  # tool use, images, unknown roles: the answer depends on more than the text
        if role in ("system", "developer"):
            system.append(text)
        else:
            history.append({"role": _ROLES[role], "content": text})
    context: dict[str, Any] = {"_scope": scope}
    if system:
        context["system"] = "\n\n".join(system)
    if history:
        context["history"] = history
    return question.strip(), context


def _answer_of(value: Any) -> tuple[str, dict] | None:
    """(text, response dict) of what LiteLLM stores: ``{"timestamp", "response": <ModelResponse JSON>}``."""
    response = value.get("response") if isinstance(value, dict) else None
    if isinstance(response, str):
        try:
            response = json.loads(response)
        except ValueError:
            return None
    choices = response.get("choices") if isinstance(response, dict) else None
    if not choices or not isinstance(choices[0], dict):
        return None
    message = choices[0].get("message") or {}
    text = message.get("content")
    if message.get("tool_calls") or message.get("function_call") or not isinstance(text, str) or not text.strip():
        return None
    return text, response  # type: ignore[return-value]  # a dict: checked above


def _response(text: str, model: str) -> dict:
    """A chat.completion LiteLLM turns back into a ModelResponse."""
    return {"timestamp": time.time(), "response": {
        "id": "chatcmpl-netcache", "object": "chat.completion", "created": int(time.time()), "model": model,
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}}}


class NetcacheLiteLLMCache(BaseCache):
    """LiteLLM's backend interface over an ``AnswerCache`` (and an ``AsyncAnswerCache`` for the
    async calls; without one they run the sync calls in a thread)."""

    def __init__(self, cache: Any, *, acache: Any = None, scope: str = "", tags: Sequence[str] = (),
                 volatility: str | None = None) -> None:
        super().__init__()
        self.cache = cache
        self.acache = acache
        self.scope = scope
        self.tags = tuple(tags)
        self.volatility = volatility
        self._lock = threading.Lock()
        #: calls by outcome: hit_exact, hit_semantic, miss (lookups), stored (writes), skipped (either)
        self.counts: Counter[str] = Counter()

    def _count(self, what: str) -> None:
        with self._lock:
            self.counts[what] += 1

    def _split(self, kwargs: dict) -> tuple[str, dict] | None:
        split = split_messages(kwargs.get("messages"), self.scope)
        if split is None:
            self._count("skipped")
        return split

    def _found(self, hit: Any, kwargs: dict) -> dict | None:
        if hit is None:
            self._count("miss")
            return None
        self._count(f"hit_{hit.kind}")
        metadata = kwargs.get("metadata")
        if isinstance(metadata, dict) and hit.kind == "semantic":
            metadata["semantic-similarity"] = hit.score
        return _response(hit.answer, str(kwargs.get("model") or self.scope or "netcache"))

    def _to_store(self, value: Any, kwargs: dict) -> tuple[str, str, dict] | None:
        split = self._split(kwargs)
        if split is None:
            return None
        answer = _answer_of(value)
        if answer is None:
            self._count("skipped")
            return None
        (question, context), (text, response) = split, answer
        usage = response.get("usage") or {}
        gen = priced(self.cache.settings, Generation(
            text=text, usage=Usage(int(usage.get("prompt_tokens", 0) or 0), int(usage.get("completion_tokens", 0) or 0)),
            model=str(response.get("model") or kwargs.get("model") or self.cache.settings.llm.model)))
        return question, text, {"context": context, "usage": gen, "tags": self.tags, "volatility": self.volatility}

    # -- LiteLLM's interface ------------------------------------------------------------------------
    def get_cache(self, key: str, **kwargs: Any) -> dict | None:
        split = self._split(kwargs)
        if split is None:
            return None
        return self._found(self.cache.get(split[0], context=split[1]), kwargs)

    def set_cache(self, key: str, value: Any, **kwargs: Any) -> None:
        plan = self._to_store(value, kwargs)
        if plan is not None:
            self.cache.put(plan[0], plan[1], **plan[2])
            self._count("stored")

    async def async_get_cache(self, key: str, **kwargs: Any) -> dict | None:
        if self.acache is None:
            return await asyncio.to_thread(self.get_cache, key, **kwargs)
        split = self._split(kwargs)
        if split is None:
            return None
        return self._found(await self.acache.get(split[0], context=split[1]), kwargs)

    async def async_set_cache(self, key: str, value: Any, **kwargs: Any) -> None:
        if self.acache is None:
            return await asyncio.to_thread(self.set_cache, key, value, **kwargs)
        plan = self._to_store(value, kwargs)
        if plan is not None:
            await self.acache.put(plan[0], plan[1], **plan[2])
            self._count("stored")

    async def async_set_cache_pipeline(self, cache_list: list[tuple[str, Any]], **kwargs: Any) -> None:
        for key, value in cache_list:
            await self.async_set_cache(key, value, **kwargs)

    async def disconnect(self) -> None:
        if self.acache is not None:
            await self.acache.aclose()

    async def test_connection(self) -> dict:
        try:
            self.cache.redis.ping()
        except Exception as e:  # noqa: BLE001 - LiteLLM wants a status, not an exception
            return {"status": "failed", "message": "netcache's Redis does not answer", "error": str(e)}
        return {"status": "success", "message": "netcache's Redis answers"}


def install(cache: Any, *, acache: Any = None, scope: str = "", **options: Any) -> Cache:
    """Make ``litellm.cache`` a LiteLLM ``Cache`` whose backend is a :class:`NetcacheLiteLLMCache`;
    ``options`` go to the backend (``tags``, ``volatility``). Returns the ``Cache``."""
    backend = NetcacheLiteLLMCache(cache, acache=acache, scope=scope, **options)
    wrapper = Cache()  # LiteLLM's request handling (keys, cache controls, callbacks) …
    wrapper.cache = backend  # … over our backend instead of its in-memory one
    litellm.cache = wrapper
    return wrapper
