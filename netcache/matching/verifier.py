"""An opt-in second opinion for the grey zone: does a small model think two questions want one answer?

The guard's wording rules (:data:`netcache.matching.guard.SOFT_RULES`: a substituted or added word,
an intent or marker word on one side) reject some true paraphrases. When
``settings.cache.verifier_enabled`` is on, a candidate that passed every hard filter (entities,
policies, the semantic group, roles, numbers, opposites, term groups) but failed a soft rule is
put to a small model through the generator interface:

    "Do these two questions ask for the same answer? Reply yes or no."

Only a clear "yes" serves the candidate; "no", anything unclear and any error is a miss (the
cache never serves on doubt). The verdict is cached per pair in Redis (``Keys.verdict``), so a
pair costs at most one call per ``verifier_cache_ttl_s``; every call's tokens and dollars are
recorded with purpose ``verify`` (``Metrics.llm_call``).

The engine calls :func:`verify_candidate` once per candidate, right after ``guard(...)``.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from dataclasses import dataclass
from typing import Any

from netcache.keys import Keys
from netcache.llm.generator import as_generation, call_generator
from netcache.matching.guard import GuardVerdict
from netcache.matching.normalize import normalize_prompt

__all__ = ["Verifier", "VerifierVerdict", "verify_candidate", "make_verifier", "pair_id", "VERIFY_PROMPT"]

log = logging.getLogger(__name__)

#: What the model is asked (the two questions follow it)
VERIFY_PROMPT = (
    "You check a cache of answers about computer networks. Do these two questions ask for exactly the same "
    "answer (same devices, interfaces, direction, policy names and the same thing asked about them)? "
    "Reply with one word: yes or no.\n\nQuestion 1: {a}\nQuestion 2: {b}"
)
_YES = re.compile(r"^\W*yes\b", re.I)
_NO = re.compile(r"^\W*no\b", re.I)


@dataclass(frozen=True)
class VerifierVerdict:
    #: True: same answer; False: not, or no clear reply
    same: bool
    cached: bool = False
    cost_usd: float = 0.0
    reply: str = ""


def pair_id(a: str, b: str) -> str:
    """Order-free id of a pair of questions (normalised, so spelling variants share a verdict)."""
    x, y = sorted((normalize_prompt(a), normalize_prompt(b)))
    return hashlib.sha256(f"{x}\x00{y}".encode()).hexdigest()[:32]


class Verifier:
    """Asks ``generate`` (anything :func:`call_generator` accepts) and caches the verdict in ``redis``."""

    def __init__(self, generate: Any, redis: Any = None, keys: Keys | None = None, *, ttl_s: int = 30 * 24 * 3600,
                 metrics: Any = None, model: str = "", on_close: Any = None) -> None:
        if generate is None:
            raise TypeError("Verifier needs a generator (an object with generate(), or a callable)")
        self.generate = generate
        self.redis = redis
        self.keys = keys or Keys("nc")
        self.ttl_s = ttl_s
        self.metrics = metrics
        self.model = model
        self.calls = 0  #: model calls made by this verifier
        self.errors = 0  #: calls that failed (counted as "not the same")
        self._on_close = on_close

    def close(self) -> None:
        """Close the model client this verifier made (make_verifier); a passed-in generator is the caller's."""
        if self._on_close is not None:
            self._on_close()
            self._on_close = None

    def same_answer(self, a: str, b: str, *, query_type: str = "unknown") -> VerifierVerdict:
        key = self.keys.verdict(pair_id(a, b))
        if self.redis is not None:
            try:
                cached = self.redis.get(key)
            except Exception as e:  # Redis trouble: ask the model, do not fail the lookup
                log.warning("verifier: cannot read the cached verdict: %s", e)
                cached = None
            if cached is not None:
                return VerifierVerdict(same=cached in (b"1", "1"), cached=True)
        started = time.perf_counter()
        self.calls += 1
        try:
            params = {"model": self.model} if self.model else None
            gen = as_generation(call_generator(self.generate, VERIFY_PROMPT.format(a=a, b=b), None, params),
                                time.perf_counter() - started)
        except Exception as e:  # any failure is a miss, never a hit
            self.errors += 1
            log.warning("verifier: the model could not be asked (%s); treating the pair as different", e)
            return VerifierVerdict(same=False)
        reply = gen.text.strip()
        same = bool(_YES.match(reply)) and not _NO.match(reply)
        cost = float(gen.cost_usd or 0.0)
        if self.metrics is not None:
            self.metrics.llm_call(query_type, "verify", gen.model or self.model or "unknown",
                                  gen.latency_s or time.perf_counter() - started, gen.input_tokens,
                                  gen.output_tokens, cost)
        if self.redis is not None and (_YES.match(reply) or _NO.match(reply)):  # unclear replies are not kept
            try:
                self.redis.set(key, b"1" if same else b"0", ex=self.ttl_s)
            except Exception as e:
                log.warning("verifier: cannot cache the verdict: %s", e)
        return VerifierVerdict(same=same, cost_usd=cost, reply=reply[:80])


def verify_candidate(verdict: GuardVerdict, prompt: str, candidate_prompt: str, verifier: Verifier | None, *,
                     query_type: str = "unknown") -> GuardVerdict:
    """The verdict the engine acts on: the guard's, unless it rejected on a soft rule and the
    verifier (when there is one) says the two questions want the same answer."""
    if verdict.ok or verdict.hard or verifier is None:
        return verdict
    if verifier.same_answer(prompt, candidate_prompt, query_type=query_type).same:
        return GuardVerdict(True, f"verifier overruled: {verdict.reason}", "verifier", False)
    return verdict


def make_verifier(settings: Any, redis: Any = None, *, metrics: Any = None, namespace: str | None = None,
                  generate: Any = None) -> Verifier | None:
    """The verifier the settings ask for (``None`` when ``cache.verifier_enabled`` is off): the configured
    LLM endpoint with ``cache.verifier_model``, unless ``generate`` is given."""
    if not settings.cache.verifier_enabled:
        return None
    model = settings.cache.verifier_model
    on_close = None
    if generate is None:
        from netcache.llm.client import LLMClient

        client = LLMClient(settings.model_copy(update={"llm": settings.llm.model_copy(update={"model": model,
                                                                                              "max_tokens": 5})}))

        def generate(prompt: str, context: Any = None, params: Any = None) -> Any:
            return client.complete(prompt, system="Answer yes or no.")

        on_close = client.close

    return Verifier(generate, redis, Keys(settings.key_prefix, namespace), ttl_s=settings.cache.verifier_cache_ttl_s,
                    metrics=metrics, model=model, on_close=on_close)
