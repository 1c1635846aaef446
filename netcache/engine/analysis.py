"""Question analysis: everything ``get``/``put`` need to know about a question, without I/O.

:func:`prepare` turns a prompt (+ context, params, volatility, extra tags) into a
:class:`Request`: the normalised text, the exact key and entry id, the entities,
the intent, the tags and the semantic group (the hard filters a semantic
candidate must agree on). :class:`AnalysisMemo` keeps the regex-heavy part of it
for repeated questions.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from netcache.engine.tiers import TierPolicy
from netcache.matching.entities import Entities, Inventory, extract_entities
from netcache.matching.intent import classify
from netcache.matching.lexicon import Lexicon
from netcache.matching.normalize import (
    context_fingerprint,
    exact_key_of,
    normalize_params,
    normalize_prompt,
    params_hash,
    semantic_text,
    split_prompt,
)

__all__ = ["Request", "prepare", "AnalysisMemo", "entry_id_for", "group_for"]


@dataclass
class Request:
    """One question, analysed once: keys, entities, intent, tags, group."""

    prompt: str
    context: Any
    params: Any
    norm: str
    exact_key: str
    entry_id: str
    entities: Entities
    query_type: str
    volatility: str
    tags: list[str]
    group: str
    semantic_text: str
    vector: np.ndarray | None = field(default=None, repr=False)
    #: the fingerprint of the context and of the pasted part of the prompt (computed once)
    context_fp: str = ""


def entry_id_for(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def group_for(model_id: str, signature: str, context_fp: str, params: str) -> str:
    """Semantic candidates must agree on all of these (hard filters)."""
    raw = "\x1f".join((model_id, signature, context_fp, params))
    return hashlib.sha1(raw.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class _Analysis:
    entities: Entities
    query_type: str
    volatility: str
    topic_tags: tuple[str, ...]
    norm: str
    semantic_text: str


class AnalysisMemo:
    """Bounded memo of the pure analysis of prompts (entities, intent, keys): a repeated
    question skips ~0.25 ms of regexes on the hot path. Thread-safe enough: dict
    operations are atomic and a lost race only recomputes."""

    def __init__(self, max_items: int = 10_000) -> None:
        self.max_items = max_items
        self._analysis: dict[str, _Analysis] = {}
        self._keys: dict[tuple[str, str, str], str] = {}

    def analysis(self, prompt: str, inventory: Inventory | None, lexicon: Lexicon | None = None) -> _Analysis:
        a = self._analysis.get(prompt)
        if a is None:
            entities = extract_entities(prompt, inventory, lexicon)
            intent = classify(prompt)
            a = _Analysis(entities, intent.query_type, intent.volatility, tuple(intent.tags()),
                          normalize_prompt(prompt, lexicon),
                          semantic_text(prompt, entities, inventory=inventory, lexicon=lexicon))
            if len(self._analysis) >= self.max_items:
                self._analysis.clear()
            self._analysis[prompt] = a
        return a

    def exact_key(self, question: str, params: Any, fp: str, pnorm: str,
                  inventory: Inventory | None, lexicon: Lexicon | None = None) -> str:
        """The exact key of ``question`` (the question part of the prompt) with context fingerprint ``fp``."""
        k = (question, fp, pnorm)
        key = self._keys.get(k)
        if key is None:
            key = exact_key_of(question, fp, params_hash(params), inventory=inventory, lexicon=lexicon)
            if len(self._keys) >= self.max_items:
                self._keys.clear()
            self._keys[k] = key
        return key


def prepare(prompt: str, *, context: Any = None, params: Any = None, volatility: str | None = None,
            tags: tuple[str, ...] | list[str] = (), inventory: Inventory | None = None,
            model_id: str = "", policy: TierPolicy | None = None, memo: AnalysisMemo | None = None,
            lexicon: Lexicon | None = None) -> Request:
    """Analyse a question: everything ``get``/``put`` need, without I/O.

    Entities → signature (devices, interfaces, IPs, prefixes, ASNs, VLANs, VRFs, policy objects) →
    group (the hard filters); tags add sites and the devices of named primary IPs from the
    inventory. ``lexicon`` (``load_lexicon(settings.cache.lexicon_file)``) folds spellings; None:
    the shipped one."""
    if not isinstance(prompt, str) or not prompt.strip():
        raise ValueError("prompt must be a non-empty string")
    memo = memo or AnalysisMemo(1)
    question, pasted = split_prompt(prompt)  # a pasted log is context: hashed once, never analysed
    a = memo.analysis(question, inventory, lexicon)
    vol = volatility or a.volatility
    if policy is not None:
        policy.check_volatility(vol)
    fp, pnorm = context_fingerprint(context, pasted), normalize_params(params)
    key = memo.exact_key(question, params, fp, pnorm, inventory, lexicon)
    all_tags = list(a.entities.tags()) + list(a.topic_tags)
    if not a.entities:
        all_tags.append("scope:global")
    all_tags.append(f"volatility:{vol}")
    for t in tags:
        if not isinstance(t, str) or not t or any(c.isspace() for c in t):
            raise ValueError(f"bad tag {t!r}: tags are non-empty strings without spaces")
        all_tags.append(t)
    return Request(
        prompt=prompt, context=context, params=params, norm=a.norm,
        exact_key=key, entry_id=entry_id_for(key), entities=a.entities,
        query_type=a.query_type, volatility=vol, tags=sorted(set(all_tags)),
        group=group_for(model_id, a.entities.signature(), fp, pnorm),
        semantic_text=a.semantic_text, context_fp=fp,
    )
