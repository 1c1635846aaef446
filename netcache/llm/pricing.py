"""What an LLM call costs: a price table in US dollars per million tokens.

Model ids are matched by the longest prefix in ``PRICES_PER_MTOK``
(``claude-sonnet-4-5-20250929`` → ``claude-sonnet-4``), case-insensitively and
after a router's provider prefix (``openai/gpt-4o`` → ``gpt-4o``). Settings can
override the table, per model (``NETCACHE_LLM__PRICES_PER_MTOK``, a JSON object
of prefix → [in, out]) or for every model (``NETCACHE_LLM__PRICE_INPUT_PER_MTOK``
/ ``..._OUTPUT_PER_MTOK``); :func:`rates_for_settings` applies them.
An unknown model is priced at ``FALLBACK_PER_MTOK`` (the Sonnet rate, the
the default model's family), counted in ``unknown_model_count`` and logged once.

Source: Anthropic's published per-model prices (platform.claude.com
"Pricing" and the model overview pages, as quoted by the docs we could reach
in Nov 2026). Opus dropped from $15/$75 to $5/$25 with Opus 4.5; Sonnet 5
costs $2/$10; Haiku 5.5 above 100k prompt tokens costs more
($0.50 / $2.50), which this table ignores. OpenAI rows: OpenAI's published API
prices (standard tier, per million tokens, as listed in 2025). Open-weight models
served by vLLM or Ollama have no per-token price: they are listed at $0 so the
table says so instead of guessing; set ``NETCACHE_LLM__PRICES_PER_MTOK`` to your
GPU cost per token, or to your hosting provider's price. Check the pages when a
new model ships and add a row here.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any

__all__ = [
    "PRICES_PER_MTOK",
    "FALLBACK_PER_MTOK",
    "DEFAULT_HIT_COST_USD",
    "rates_for",
    "rates_for_settings",
    "price",
    "price_with",
    "unknown_model_count",
]

log = logging.getLogger(__name__)

#: model id prefix → ($ per million input tokens, $ per million output tokens)
PRICES_PER_MTOK: dict[str, tuple[float, float]] = {
    # Fable / Mythos
    "claude-fable-5": (10.00, 50.00),
    "claude-mythos-5": (10.00, 50.00),
    # Opus
    "claude-opus-5-5": (4.00, 20.00),
    "claude-opus-5": (5.00, 25.00),
    "claude-opus-4-8": (5.00, 25.00),
    "claude-opus-4-7": (5.00, 25.00),
    "claude-opus-4-6": (5.00, 25.00),
    "claude-opus-4-5": (5.00, 25.00),
    "claude-opus-4": (15.00, 75.00),        # Opus 4.0 / 4.1
    "claude-3-opus": (15.00, 75.00),
    # Sonnet
    "claude-sonnet-5": (2.00, 10.00),
    "claude-sonnet-4": (3.00, 15.00),       # Sonnet 4, 4.5, 4.6 (the default model)
    "claude-3-7-sonnet": (3.00, 15.00),
    "claude-3-5-sonnet": (3.00, 15.00),
    # Haiku
    "claude-haiku-5": (0.10, 0.50),         # Haiku 5.5, prompts ≤ 100k tokens
    "claude-haiku-4": (1.00, 5.00),         # Haiku 4.5
    "claude-3-5-haiku": (0.80, 4.00),
    "claude-3-haiku": (0.25, 1.25),
    # OpenAI (for "openai" generators and LiteLLM proxies in front of OpenAI)
    "gpt-5": (1.25, 10.00),
    "gpt-5-mini": (0.25, 2.00),
    "gpt-5-nano": (0.05, 0.40),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
    "o3": (2.00, 8.00),
    "o3-mini": (1.10, 4.40),
    "o4-mini": (1.10, 4.40),
    # open weights, self-hosted (vLLM, Ollama): no per-token price, see the module docstring
    "llama": (0.0, 0.0),
    "meta-llama/": (0.0, 0.0),
    "qwen": (0.0, 0.0),
    "mistral": (0.0, 0.0),
    "mistralai/": (0.0, 0.0),
    "gemma": (0.0, 0.0),
    "google/gemma": (0.0, 0.0),
}

#: Provider prefixes routers put before a model id (LiteLLM's ``openai/gpt-4o``); stripped before lookup.
PROVIDER_PREFIXES: tuple[str, ...] = ("anthropic/", "openai/", "hosted_vllm/", "vllm/", "ollama/",
                                      "ollama_chat/", "litellm_proxy/")

#: Price of a model missing from the table: the Sonnet rate ($3 / $15 per MTok).
FALLBACK_PER_MTOK: tuple[float, float] = (3.00, 15.00)

#: What serving one answer from the cache costs (≈ $0.0001).
DEFAULT_HIT_COST_USD = 0.0001

_lock = threading.Lock()
_unknown: dict[str, int] = {}


def _model_key(model: str) -> str:
    key = (model or "").strip().lower()
    for provider in PROVIDER_PREFIXES:
        if key.startswith(provider):
            return key[len(provider):]
    return key


def _longest_prefix(key: str, table: Mapping[str, tuple[float, float]]) -> str:
    best, best_len = "", 0
    for prefix in table:
        p = prefix.strip().lower()
        if p and key.startswith(p) and len(p) > best_len:
            best, best_len = prefix, len(p)
    return best


def rates_for(model: str, overrides: Mapping[str, tuple[float, float]] | None = None) -> tuple[float, float]:
    """($/MTok input, $/MTok output) for ``model``: the longest matching prefix of ``overrides``,
    else of the table; the fallback (logged once, counted) if neither knows it."""
    key = _model_key(model)
    if overrides:
        best = _longest_prefix(key, overrides)
        if best:
            rate_in, rate_out = overrides[best]
            return float(rate_in), float(rate_out)
    best = _longest_prefix(key, PRICES_PER_MTOK)
    if best:
        return PRICES_PER_MTOK[best]
    with _lock:
        first = key not in _unknown
        _unknown[key] = _unknown.get(key, 0) + 1
    if first:
        log.warning("no price for model %r: using the fallback $%.2f / $%.2f per million tokens; "
                    "add it to netcache/llm/pricing.py or set NETCACHE_LLM__PRICES_PER_MTOK", model,
                    *FALLBACK_PER_MTOK)
    return FALLBACK_PER_MTOK


def rates_for_settings(llm_settings: Any, model: str) -> tuple[float, float]:
    """The rates the settings' ``llm`` section gives ``model``: a per-model entry of
    ``prices_per_mtok`` first, then the two every-model overrides over the table."""
    per_model = getattr(llm_settings, "prices_per_mtok", None) or {}
    if _longest_prefix(_model_key(model), per_model):
        return rates_for(model, per_model)
    rate_in_override = getattr(llm_settings, "price_input_per_mtok", None)
    rate_out_override = getattr(llm_settings, "price_output_per_mtok", None)
    if rate_in_override is not None and rate_out_override is not None:
        return float(rate_in_override), float(rate_out_override)
    rate_in, rate_out = rates_for(model)
    return (float(rate_in_override) if rate_in_override is not None else rate_in,
            float(rate_out_override) if rate_out_override is not None else rate_out)


def price(model: str, input_tokens: int, output_tokens: int) -> float:
    """Dollars for one call of ``model`` with this many input and output tokens."""
    rate_in, rate_out = rates_for(model)
    return price_with(rate_in, rate_out, input_tokens, output_tokens)


def price_with(rate_in_per_mtok: float, rate_out_per_mtok: float,
               input_tokens: int, output_tokens: int) -> float:
    """Dollars for a call at explicit rates (settings overrides use this)."""
    if input_tokens < 0 or output_tokens < 0:
        raise ValueError(f"token counts cannot be negative: {input_tokens=}, {output_tokens=}")
    return (input_tokens * rate_in_per_mtok + output_tokens * rate_out_per_mtok) / 1_000_000


def unknown_model_count(model: str | None = None) -> int:
    """How often an unknown model was priced with the fallback (for one model, or all)."""
    with _lock:
        if model is None:
            return sum(_unknown.values())
        return _unknown.get(_model_key(model), 0)
