"""What an LLM call costs: a price table in US dollars per million tokens.

Model ids are matched by the longest prefix in ``PRICES_PER_MTOK``
(``claude-sonnet-4-5-20250929`` → ``claude-sonnet-4``). Settings can override
the table (``NETCACHE_LLM__PRICE_INPUT_PER_MTOK`` / ``..._OUTPUT_PER_MTOK``).
An unknown model is priced at ``FALLBACK_PER_MTOK`` (the Sonnet rate, the
the default model's family), counted in ``unknown_model_count`` and logged once.

Source: Anthropic's published per-model prices (platform.claude.com
"Pricing" and the model overview pages, as quoted by the docs we could reach
in Nov 2026). Opus dropped from $15/$75 to $5/$25 with Opus 4.5; Sonnet 5
costs $2/$10; Haiku 5.5 above 100k prompt tokens costs more
($0.50 / $2.50), which this table ignores. Check the page when a new model ships and add a row here.
"""

from __future__ import annotations

import logging
import threading

__all__ = [
    "PRICES_PER_MTOK",
    "FALLBACK_PER_MTOK",
    "DEFAULT_HIT_COST_USD",
    "rates_for",
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
}

#: Price of a model missing from the table: the Sonnet rate ($3 / $15 per MTok).
FALLBACK_PER_MTOK: tuple[float, float] = (3.00, 15.00)

#: What serving one answer from the cache costs (≈ $0.0001).
DEFAULT_HIT_COST_USD = 0.0001

_lock = threading.Lock()
_unknown: dict[str, int] = {}


def rates_for(model: str) -> tuple[float, float]:
    """($/MTok input, $/MTok output) for ``model``; the fallback (logged once) if unknown."""
    key = (model or "").strip().lower()
    best = ""
    for prefix in PRICES_PER_MTOK:
        if key.startswith(prefix) and len(prefix) > len(best):
            best = prefix
    if best:
        return PRICES_PER_MTOK[best]
    with _lock:
        first = key not in _unknown
        _unknown[key] = _unknown.get(key, 0) + 1
    if first:
        log.warning("no price for model %r: using the fallback $%.2f / $%.2f per million tokens; "
                    "add it to netcache/llm/pricing.py or set NETCACHE_LLM__PRICE_INPUT_PER_MTOK / "
                    "NETCACHE_LLM__PRICE_OUTPUT_PER_MTOK", model, *FALLBACK_PER_MTOK)
    return FALLBACK_PER_MTOK


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
        return _unknown.get(model.strip().lower(), 0)
