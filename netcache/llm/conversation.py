"""One question with its context and parameters, shaped as a chat request (any API).

Both shipped generators (Anthropic, OpenAI-compatible) build their request from
:func:`conversation_for`, so a question asked by the bot and re-asked by a
worker's warm-up or nightly refresh reaches the model the same way:

* ``context`` a string: device output or logs, put before the question in the
  user turn (see :func:`~netcache.llm.client.build_user_message`).
* ``context`` a mapping: its ``"system"`` key is the system prompt, its
  ``"history"`` key the earlier turns (``[{"role": "user"|"assistant",
  "content": str}, ...]``, as the LangChain adapter stores them); keys starting
  with ``_`` only tell cache entries apart (e.g. LangChain's model string) and
  are not sent; the other keys are context for the user turn.
* ``params``: the keys in ``LLM_PARAMS`` tune the call (``model``, ``system``,
  ``max_tokens``, ``temperature``, ``top_p``, ``stop``); the others are the
  question's own parameters (a VRF, a limit) and are sent as context.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from netcache.errors import ConfigError, LLMError

__all__ = ["Conversation", "conversation_for", "build_user_message", "NETOPS_SYSTEM_PROMPT", "LLM_PARAMS",
           "SYSTEM_KEY", "HISTORY_KEY"]

#: The system prompt used when the caller gives none.
NETOPS_SYSTEM_PROMPT = (
    "You are a senior network operations engineer. Answer questions about routers, "
    "switches, firewalls, routing protocols (BGP, OSPF, IS-IS), interfaces, VLANs, VRFs "
    "and network troubleshooting precisely and concisely. When device output or logs are "
    "given as context, base the answer on them and name the device and interface you mean. "
    "If the context is not enough to answer, say what command output you would need."
)

#: Context keys with a meaning of their own.
SYSTEM_KEY = "system"
HISTORY_KEY = "history"
#: Parameters that tune the LLM call rather than describe the question.
LLM_PARAMS = frozenset({"model", "system", "max_tokens", "temperature", "top_p", "stop"})
_ROLES = ("user", "assistant")


def build_user_message(prompt: str, context: str | dict | None = None) -> str:
    """The user turn: the question, preceded by the context (device output, logs) if any."""
    if not isinstance(prompt, str) or not prompt.strip():
        raise LLMError("the prompt is empty: pass the question to ask")
    if context is None or context == "" or context == {}:
        return prompt
    if not isinstance(context, str):
        context = json.dumps(context, sort_keys=True, indent=2, default=str)
    return f"Context (device output, logs):\n<context>\n{context}\n</context>\n\nQuestion: {prompt}"


@dataclass(frozen=True)
class Conversation:
    """What to send: system prompt, turns (the last is the question) and call options."""

    system: str
    messages: list[dict[str, str]]
    model: str
    max_tokens: int
    options: dict[str, Any] = field(default_factory=dict)  #: temperature, top_p, stop (a list; when set)


def _history(turns: Any) -> list[dict[str, str]]:
    if turns is None:
        return []
    if not isinstance(turns, list | tuple):
        raise ConfigError(f"context['history'] must be a list of {{'role', 'content'}} turns, not "
                          f"{type(turns).__name__}")
    out = []
    for i, turn in enumerate(turns):
        if not isinstance(turn, Mapping) or turn.get("role") not in _ROLES or not isinstance(turn.get("content"), str):
            raise ConfigError(f"context['history'][{i}] must be {{'role': 'user'|'assistant', 'content': str}}, "
                              f"got {turn!r}")
        out.append({"role": turn["role"], "content": turn["content"]})
    return out


def conversation_for(settings: Any, prompt: str, context: Any = None,
                     params: Mapping[str, Any] | None = None, *, system: str | None = None) -> Conversation:
    """The request for ``prompt`` (see the module docstring); ``system`` (a caller's explicit
    system prompt) wins over ``params['system']``, then ``context['system']``, then the netops one."""
    if params is not None and not isinstance(params, Mapping):
        raise ConfigError(f"params must be a mapping (e.g. {{'temperature': 0}}), not {type(params).__name__}")
    params = dict(params or {})
    ctx_system, history, rest = None, [], context
    if isinstance(context, Mapping):
        ctx_system = context.get(SYSTEM_KEY)
        history = _history(context.get(HISTORY_KEY))
        rest = {k: v for k, v in context.items()
                if k not in (SYSTEM_KEY, HISTORY_KEY) and not str(k).startswith("_")}
    question_params = {k: v for k, v in params.items() if k not in LLM_PARAMS}
    if question_params:
        rest = {"context": rest, "parameters": question_params} if rest not in (None, "", {}) else \
            {"parameters": question_params}
    chosen = next((s for s in (system, params.get("system"), ctx_system) if s is not None), NETOPS_SYSTEM_PROMPT)
    if not isinstance(chosen, str):
        raise ConfigError(f"the system prompt must be a string, not {type(chosen).__name__}")
    temperature = params.get("temperature", getattr(settings.llm, "temperature", None))
    stop = params.get("stop")
    stop = [stop] if isinstance(stop, str) else (list(stop) if stop is not None else None)
    options = {k: v for k, v in (("temperature", temperature), ("top_p", params.get("top_p")),
                                 ("stop", stop)) if v is not None}
    max_tokens = params.get("max_tokens", settings.llm.max_tokens)
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
        raise ConfigError(f"max_tokens must be a positive integer, not {max_tokens!r}")
    return Conversation(
        system=chosen,
        messages=[*history, {"role": "user", "content": build_user_message(prompt, rest)}],
        model=str(params.get("model") or settings.llm.model),
        max_tokens=max_tokens,
        options=options,
    )
