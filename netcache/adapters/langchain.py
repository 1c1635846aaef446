"""A LangChain ``BaseCache`` on netcache: keyed on the human question, the rest as context.

LangChain hands a cache its prompt serialised as JSON (every message of the turn) and
the model's settings as ``llm_string``. Storing that JSON as the "question" would make
the nightly refresh re-ask a blob of JSON and would defeat entity extraction and
semantic matching. :class:`NetcacheLangChainCache` splits it instead
(:func:`split_prompt`):

* the **question** is the last human message: what the cache matches (exactly, then
  semantically, entities as hard filters) and what a refresh re-asks;
* the **context** is the rest: ``"system"`` (the system messages), ``"history"`` (the
  earlier turns, ``[{"role": "user"|"assistant", "content": ...}]``) and ``"_llm"``
  (LangChain's ``llm_string``: model, temperature, bound tools). A hit needs the same
  context, so another system prompt, another conversation so far or another model
  misses. The shipped generators send ``system`` as the system prompt and ``history``
  as the earlier turns, and do not send ``_llm``, so a worker's refresh reaches the
  model as the bot's own call did.

When in doubt, miss: a turn that goes on after the human question (tool results in an
agent loop), a prompt that is not LangChain's message list or a plain string, and an
answer that calls tools are neither looked up nor stored (counted in ``skipped``).

Usage::

    from langchain_core.globals import set_llm_cache
    from netcache.adapters.langchain import NetcacheLangChainCache
    set_llm_cache(NetcacheLangChainCache(AnswerCache(settings), acache=AsyncAnswerCache(settings)))

``pip install netcache[langchain]``.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Sequence
from typing import Any

from langchain_core.caches import RETURN_VAL_TYPE, BaseCache
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration
from langchain_core.outputs import Generation as LCGeneration

from netcache.llm.generator import Generation, Usage
from netcache.llm.generators import priced

__all__ = ["NetcacheLangChainCache", "split_prompt"]

_ROLE_OF = {"human": "user", "ai": "assistant", "AIMessageChunk": "assistant", "chat": "user"}


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(b if isinstance(b, str) else str(b.get("text", "")) for b in content
                       if isinstance(b, str) or (isinstance(b, dict) and b.get("type") in ("text", None)))
    return ""


def _messages(prompt: str) -> list[dict] | None:
    """LangChain's serialised messages as ``[{"type", "content", ...}]``, or None for a plain prompt."""
    if not prompt.startswith("["):
        return None
    try:
        raw = json.loads(prompt)
    except ValueError:
        return None
    out = []
    for item in raw if isinstance(raw, list) else ():
        kwargs = item.get("kwargs") if isinstance(item, dict) else None
        if not isinstance(kwargs, dict) or "content" not in kwargs:
            return None
        out.append(kwargs)
    return out or None


def split_prompt(prompt: str, llm_string: str) -> tuple[str, dict] | None:
    """(question, context) for a LangChain prompt, or None when it must not be cached."""
    messages = _messages(prompt)
    if messages is None:
        if prompt.lstrip().startswith("[{"):
            return None  # JSON we do not understand: never store it as a question
        return (prompt, {"_llm": llm_string}) if prompt.strip() else None
    humans = [i for i, m in enumerate(messages) if m.get("type") == "human"]
    if not humans or humans[-1] != len(messages) - 1:
        return None  # no human question, or the turn goes on after it (tool results)
    question = _text(messages[-1]["content"]).strip()
    if not question:
        return None
    system = [_text(m["content"]) for m in messages if m.get("type") == "system"]
    history = []
    for m in messages[:-1]:
        kind = m.get("type")
        if kind == "system":
            continue
        if kind == "tool" or m.get("tool_calls"):
            return None  # a conversation with tool use: its answers depend on more than the text
        role = _ROLE_OF.get(str(kind))
        if role is None:
            return None
        history.append({"role": role, "content": _text(m["content"])})
    context: dict[str, Any] = {"_llm": llm_string}
    if system:
        context["system"] = "\n\n".join(system)
    if history:
        context["history"] = history
    return question, context


class NetcacheLangChainCache(BaseCache):
    """LangChain's cache interface over an ``AnswerCache`` (and an ``AsyncAnswerCache`` for
    ``alookup``/``aupdate``; without one they run the sync calls in a thread).

    ``tags`` are added to every stored entry; ``volatility`` fixes the class instead of
    inferring it from the question."""

    def __init__(self, cache: Any, *, acache: Any = None, tags: Sequence[str] = (),
                 volatility: str | None = None) -> None:
        self.cache = cache
        self.acache = acache
        self.tags = tuple(tags)
        self.volatility = volatility
        self._lock = threading.Lock()
        #: calls by outcome: hit_exact, hit_semantic, miss (lookups), stored (updates), skipped (either)
        self.counts: Counter[str] = Counter()

    @property
    def skipped(self) -> int:
        return self.counts["skipped"]

    def _count(self, what: str) -> None:
        with self._lock:
            self.counts[what] += 1

    def _split(self, prompt: str, llm_string: str) -> tuple[str, dict] | None:
        split = split_prompt(prompt, llm_string)
        if split is None:
            self._count("skipped")
        return split

    def _found(self, prompt: str, hit: Any) -> RETURN_VAL_TYPE | None:
        if hit is None:
            self._count("miss")
            return None
        self._count(f"hit_{hit.kind}")
        if _messages(prompt) is None:
            return [LCGeneration(text=hit.answer)]
        return [ChatGeneration(message=AIMessage(content=hit.answer))]

    def _answer(self, return_val: RETURN_VAL_TYPE) -> tuple[str, Generation] | None:
        if not return_val:
            return None
        first = return_val[0]
        message = getattr(first, "message", None)
        if message is not None and getattr(message, "tool_calls", None):
            return None  # a tool call is not an answer to store
        text = first.text
        if not isinstance(text, str) or not text.strip():
            return None
        usage = getattr(message, "usage_metadata", None) or {}
        meta = getattr(message, "response_metadata", None) or {}
        model = str(meta.get("model_name") or meta.get("model") or "")
        gen = Generation(text=text, usage=Usage(int(usage.get("input_tokens", 0) or 0),
                                                int(usage.get("output_tokens", 0) or 0)), model=model)
        return text, priced(self.cache.settings, gen) if model else gen

    def lookup(self, prompt: str, llm_string: str) -> RETURN_VAL_TYPE | None:
        split = self._split(prompt, llm_string)
        if split is None:
            return None
        question, context = split
        return self._found(prompt, self.cache.get(question, context=context))

    def _to_store(self, prompt: str, llm_string: str, return_val: RETURN_VAL_TYPE) -> tuple[str, str, dict] | None:
        split = self._split(prompt, llm_string)
        if split is None:
            return None
        answer = self._answer(return_val)
        if answer is None:
            self._count("skipped")
            return None
        (question, context), (text, usage) = split, answer
        return question, text, {"context": context, "usage": usage, "tags": self.tags, "volatility": self.volatility}

    def update(self, prompt: str, llm_string: str, return_val: RETURN_VAL_TYPE) -> None:
        plan = self._to_store(prompt, llm_string, return_val)
        if plan is not None:
            self.cache.put(plan[0], plan[1], **plan[2])
            self._count("stored")

    async def alookup(self, prompt: str, llm_string: str) -> RETURN_VAL_TYPE | None:
        if self.acache is None:
            return await super().alookup(prompt, llm_string)
        split = self._split(prompt, llm_string)
        if split is None:
            return None
        question, context = split
        return self._found(prompt, await self.acache.get(question, context=context))

    async def aupdate(self, prompt: str, llm_string: str, return_val: RETURN_VAL_TYPE) -> None:
        if self.acache is None:
            return await super().aupdate(prompt, llm_string, return_val)
        plan = self._to_store(prompt, llm_string, return_val)
        if plan is not None:
            await self.acache.put(plan[0], plan[1], **plan[2])
            self._count("stored")

    def clear(self, **kwargs: Any) -> None:
        """Drop every entry of the cache's namespace (a cache without a namespace refuses:
        it would drop every answer of every bot)."""
        self.cache.drop_namespace()

    async def aclear(self, **kwargs: Any) -> None:
        if self.acache is None:
            return await super().aclear(**kwargs)
        await self.acache.drop_namespace()
