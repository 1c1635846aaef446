"""Normalisation and the exact key.

``normalize_prompt`` makes case, whitespace, surrounding punctuation, common
contractions and interface abbreviations irrelevant, while keeping the
punctuation that carries meaning inside network names (``Gi0/1``,
``10.0.0.0/24``, ``rtr-001``, ``2001:db8::1``, ``et-0/0/0.0``).

``exact_key`` has the shape
``{version}:{scope}:{query_type}:{device}:{param_hash}:{time_bucket}`` plus a
16-hex-digit hash of the normalised prompt and the context fingerprint:

    v1:device:device_status:rtr-001:3f2a9c1b:-:9b0e4f7d12ac5e60

* scope is ``device`` (devices named), ``site`` (only a site named) or ``global``;
* ``param_hash`` is 8 hex digits of the normalised parameters (``-`` when none);
* the last field is required for correctness: without it two different
  questions with the same type, device and parameters would share one key.
  32 bits (8 hex digits) would collide among ~16k entries with a few
  percent probability, hence 64 bits;
* ``time_bucket`` is ``-`` by default. The store enforces an absolute TTL per
  volatility class (30 s / 5 min / 4 h / 7 d), so a bucket adds no freshness,
  only spurious misses: an answer cached at 12:00:59 with a 30 s TTL would miss
  at 12:01:00 under per-minute buckets. ``exact_key(..., bucketed=True)``
  gives time buckets (volatile → minute, dynamic → hour, stable and
  static → none) for callers that want answers pinned to a wall-clock window.

``context_fingerprint`` turns attached context (device logs, session context;
``str`` or ``dict``) into 16 hex digits, so the same question with different
context never shares a key or a semantic match.

A log pasted into the prompt itself is context too: :func:`split_prompt` keeps the
first :data:`QUESTION_MAX_CHARS` characters (cut at a space) as the *question* — what
is normalised, classified, searched for entities, embedded and compared by the guard —
and the rest is fingerprinted with the context (one linear pass: ~2 ms for 200 KB).
So a pasted 184 KB log costs about as much as a 300-character question (the longest
question in the pair sets has 100 characters), and two prompts share a key or a semantic match only when their pasted parts are the same.
Entities named only in the pasted part are not tags of the entry (the answer is about
that log, which an event on the device does not change).
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
import time
import unicodedata
from typing import Any

from netcache.matching.entities import Entities, Inventory, entity_spans, extract_entities
from netcache.matching.intent import classify
from netcache.matching.lexicon import Lexicon, default_lexicon, literal_starts

__all__ = [
    "normalize_prompt",
    "normalize_params",
    "params_hash",
    "context_fingerprint",
    "time_bucket",
    "exact_key",
    "semantic_text",
    "expand_abbreviations",
    "embedding_text",
    "split_prompt",
    "exact_key_of",
    "QUESTION_MAX_CHARS",
]

#: contractions expanded before comparing (so "what's" and "what is" agree)
_CONTRACTIONS = {
    "what's": "what is", "whats": "what is", "where's": "where is", "how's": "how is",
    "who's": "who is", "that's": "that is", "there's": "there is", "it's": "it is",
    "isn't": "is not", "aren't": "are not", "wasn't": "was not", "weren't": "were not",
    "don't": "do not", "doesn't": "does not", "didn't": "did not", "can't": "cannot",
    "won't": "will not", "couldn't": "could not", "shouldn't": "should not",
    "i'm": "i am", "i've": "i have", "let's": "let us", "we're": "we are",
}
_B, _E = r"(?<![\w./:-])", r"(?![\w./:-])"
#: operator shorthand and synonyms folded to one spelling (on lowercased text; entities are already
#: canonical and protected by the word boundaries). Applied to the exact key and to the embedded text:
#: measured on tests/data/netops_pairs.jsonl it lifts the share of paraphrases at >= 0.72 cosine
#: from 0.855 to 0.904 without moving concept pairs (mean 0.779 -> 0.778).
_ABBREVIATIONS: list[tuple[re.Pattern[str], str, frozenset[str] | None]] = [
    (re.compile(_B + p + _E), r, literal_starts(_B + p + _E)) for p, r in (
        (r"sh", "show"),
        (r"(bgp|ospf|isis|is-is|eigrp|ldp|mpls|vpnv4|evpn) summ?", r"\1 summary"),
        (r"(show|sh) run(?:ning)?(?:-config)?", "show running-config"),
        (r"(show|sh) start(?:up)?(?:-config)?", "show startup-config"),
        (r"int(?:f|erfaces)?", "interface"),
        (r"interface br", "interface brief"),
        (r"(?:nei|neigh|nbrs?|neighbou?rs?|neighbou?r|peers?|peerings?|adjacenc(?:y|ies))", "neighbors"),
        (r"multi[- ]exit discriminator", "med"),
        (r"spanning[- ]tree(?: protocol)?", "stp"),
        (r"access[- ]lists?|access[- ]control lists?", "acls"),
        (r"acl", "acls"),
        (r"admin distance", "administrative distance"),
        (r"external bgp", "ebgp"),
        (r"internal bgp", "ibgp"),
        (r"is-is", "isis"),
        (r"utili[sz]ation", "utilization"),
        (r"config(?:uration)?", "config"),
    )
]
#: stripped from both ends of every word (not from the inside: Gi0/1, 10.0.0.0/24 keep theirs)
_EDGE_PUNCT = "?!.,;:'\"`()[]{}<>*"
_LONG_PARAM_CHARS = 32
#: the part of a prompt analysed as the question; the rest is pasted context (see the module docstring)
QUESTION_MAX_CHARS = 300
_BUCKET_S = {"volatile": 60, "dynamic": 3600}


def _canon_word(word: str) -> str:
    stripped = word.strip(_EDGE_PUNCT)
    # keep IPv6 addresses whole ("::1", "2001:db8::")
    for cand in (word.strip("?!,;'\"`()[]{}<>*"), word.strip("?!,;'\"`()[]{}<>*").rstrip(".")):
        if ":" in cand:
            try:
                ipaddress.ip_interface(cand)
                return cand
            except ValueError:
                pass
    return stripped


def normalize_prompt(text: str, lexicon: Lexicon | None = None) -> str:
    """Lowercase, collapsed whitespace, edge punctuation dropped, contractions expanded,
    interfaces and IPs in canonical form: ``"  Show  GI0/1 status?? "`` →
    ``"show gigabitethernet0/1 status"``."""
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'")
    # canonical interface / address spellings first (needs the original case-insensitive text)
    out, pos = [], 0
    for start, end, kind, value in entity_spans(text):
        if kind in ("iface", "ip", "prefix"):
            out.append(text[pos:start])
            out.append(f" {value} ")
            pos = end
    out.append(text[pos:])
    text = "".join(out).lower()
    words = []
    for raw in text.split():
        raw = _CONTRACTIONS.get(raw.strip(_EDGE_PUNCT), raw)
        for word in raw.split():
            word = _canon_word(word)
            if word:
                words.append(word)
    return expand_abbreviations((lexicon or default_lexicon()).fold(" ".join(words)))


def expand_abbreviations(text: str) -> str:
    """Operator shorthand (``sh``, ``int``, ``nei`` ...) in lowercase text, folded to one spelling."""
    for pattern, replacement, starts in _ABBREVIATIONS:
        if starts is None or any(x in text for x in starts):  # a substring test skips most scans
            text = pattern.sub(replacement, text)
    return text


def _norm_value(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip().lower()
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return value
    if isinstance(value, float):
        return round(value, 2)
    if isinstance(value, dict):
        return {str(k).strip().lower(): _norm_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_norm_value(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, default=str))
    return str(value).strip().lower()


def normalize_params(params: dict | None) -> str:
    """Strings lowercased and stripped, dict keys sorted, floats rounded to
    2 places, lists sorted; compact, stable JSON (``""`` when there are none)."""
    if not params:
        return ""
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict, got {type(params).__name__}")
    return json.dumps(_norm_value(params), sort_keys=True, separators=(",", ":"), default=str)


def params_hash(params: dict | None) -> str:
    """8 hex digits of the normalised parameters (``-`` when there are none)."""
    norm = normalize_params(params)
    return hashlib.sha256(norm.encode()).hexdigest()[:8] if norm else "-"


def split_prompt(prompt: str) -> tuple[str, str]:
    """``(question, pasted)``: the first :data:`QUESTION_MAX_CHARS` characters (cut at the last
    whitespace when there is one in the second half) and the rest (``""`` for a normal question)."""
    if len(prompt) <= QUESTION_MAX_CHARS:
        return prompt, ""
    cut = prompt.rfind(" ", QUESTION_MAX_CHARS // 2, QUESTION_MAX_CHARS + 1)
    cut = max(cut, prompt.rfind("\n", QUESTION_MAX_CHARS // 2, QUESTION_MAX_CHARS + 1))
    if cut <= 0:
        cut = QUESTION_MAX_CHARS
    return prompt[:cut], prompt[cut:]


def context_fingerprint(context: str | dict | None, pasted: str = "") -> str:
    """16 hex digits identifying attached context (and the ``pasted`` part of a long prompt,
    :func:`split_prompt`); ``""`` when there is none.

    Strings are compared after collapsing whitespace (logs keep their case and
    timestamps: different logs are different questions); dicts by canonical JSON.
    Linear in the size: a 200 KB log takes ~2 ms."""
    if context is None:
        body = ""
    elif isinstance(context, dict):
        body = "d:" + json.dumps(context, sort_keys=True, separators=(",", ":"), default=str) if context else ""
    elif isinstance(context, str):
        collapsed = " ".join(context.split())
        body = "s:" + collapsed if collapsed else ""
    else:
        raise TypeError(f"context must be a str or dict, got {type(context).__name__}")
    if pasted:
        collapsed = " ".join(pasted.split())
        if collapsed:
            body += "\x00p:" + collapsed
    if not body:
        return ""
    return hashlib.sha256(body.encode()).hexdigest()[:16]


def time_bucket(volatility: str, now: float | None = None) -> str:
    """The time bucket: volatile → minute, dynamic → hour, stable/static → ``-``."""
    size = _BUCKET_S.get(volatility)
    if size is None:
        return "-"
    now = time.time() if now is None else now
    return str(int(now // size))


def exact_key(
    prompt: str,
    context: str | dict | None = None,
    params: dict | None = None,
    *,
    version: str = "v1",
    inventory: Inventory | None = None,
    bucketed: bool = False,
    now: float | None = None,
    lexicon: Lexicon | None = None,
) -> str:
    """The exact-match key (shape in the module docstring). The device field and the scope come
    from the hostname-shaped names in the prompt (plus inventory names that do not look like
    hostnames), so processes with and without an inventory agree on hostname-shaped names.
    Only the question part of a long prompt is analysed; the pasted rest joins the context
    fingerprint (:func:`split_prompt`)."""
    question, pasted = split_prompt(prompt)
    return exact_key_of(question, context_fingerprint(context, pasted), params_hash(params), version=version,
                        inventory=inventory, bucketed=bucketed, now=now, lexicon=lexicon)


def exact_key_of(question: str, context_fp: str, param_hash: str, *, version: str = "v1",
                 inventory: Inventory | None = None, bucketed: bool = False, now: float | None = None,
                 lexicon: Lexicon | None = None) -> str:
    """:func:`exact_key` from the parts a caller already has (the question part of the prompt,
    its context fingerprint and parameter hash)."""
    norm = normalize_prompt(question, lexicon)
    entities = extract_entities(question, inventory, lexicon)
    intent = classify(norm)  # of the normalised text: spellings that share a key share its type too
    if entities.devices:
        scope, where = "device", ",".join(sorted(entities.devices))
    elif entities.sites:
        scope, where = "site", ",".join(sorted(entities.sites))
    else:
        scope, where = "global", "-"
    bucket = time_bucket(intent.volatility, now) if bucketed else "-"
    digest = hashlib.sha256(f"{norm}\x00{context_fp}".encode()).hexdigest()[:16]
    return f"{version}:{scope}:{intent.query_type}:{where}:{param_hash}:{bucket}:{digest}"


_WS_RE = re.compile(r"\s+")

_SHOW_VERBS = r"(?:check|see|view|verify|display|list|find|get|look at|show|tell|confirm|find out|determine|monitor)"
#: question wrappers and vendor spellings folded to one form in the *embedded* text only (not the exact key,
#: so nothing more is served without the guard): "how do I check X on a Nexus switch" and "nxos show X" are one
#: question to a reader, and MiniLM scores them far apart (0.61) until the wrapper and the product name agree.
#: Measured on the two blind sets (pairs nobody tuned on): paraphrases at >= 0.70 cosine 0.753 -> 0.785 and
#: 0.737 -> 0.832, different-meaning pairs at >= 0.70 0.786 -> 0.798 and 0.757 -> 0.752.
#: a word boundary that does not split names (``eos-sw1``, ``show-rtr.lab`` stay whole)
_NAME_B = r"(?:(?<![\w./:-])(?=\w)|(?<=\w)(?![\w/:-]|\.\w))"
_EMBED_CANON: list[tuple[re.Pattern[str], str]] = [(re.compile(p.replace(r"\b", _NAME_B)), r) for p, r in (
    (r"^(?:hey |hi |please |so |ok |okay )+", ""),
    (r"\b(?:can|could|would) you (?:please )?(?:show|tell|give|get) me\b", "show"),
    (r"\b(?:can|could|would) you (?:please )?", ""),
    (r"\b(?:show|tell|give|get) me\b", "show"),
    (r"\bi (?:want|need|would like) to (?:see|know|check|view|find out)\b", "show"),
    (r"\bhow (?:do|can|could|should|would) (?:i|we|you|one) " + _SHOW_VERBS + r"\b", "show"),
    (r"\bhow to " + _SHOW_VERBS + r"\b", "show"),
    (r"\b(?:check|see|view|verify|display|list|look at|confirm)\b", "show"),
    (r"\bhow (?:do|can|could|should|would) (?:i|we|you|one)\b", "how to"),
    (r"\b(?:steps|procedure) (?:to|for)\b", "how to"),
    (r"\bhow to (?:set ?up|setup|enable|create|add|apply)\b", "how to configure"),
    (r"\b(?:setting up|setting|enabling|creating|configuring)\b", "configure"),
    (r"\bconfiguration\b", "config"),
    (r"\bon (?:a|an|the|my|our|this|that) ", "on "),
    (r"\b(?:cisco )?(?:nexus(?: \d+k?)?|n\dk|nx-os|nxos)(?: switch(?:es)?)?\b", "nxos"),
    (r"\b(?:cisco )?(?:catalyst(?: \d+)?|cat\d+)(?: switch(?:es)?)?\b", "cisco ios"),
    (r"\b(?:palo alto(?: networks)?(?: firewall)?|pan-os|panos)\b", "panos"),
    (r"\b(?:fortigate|fortios)(?: firewall)?\b", "fortios"),
    (r"\b(?:juniper(?: mx| ex| srx| qfx)?|junos)(?: router| switch| device)?\b", "junos"),
    (r"\b(?:arista(?: eos)?|eos)(?: switch)?\b", "eos"),
    (r"\bcisco (?:router|switch)\b", "cisco ios"),
    (r"\b(?:ios-xr|ios xr|iosxr)\b", "iosxr"),
    (r"\b(?:nokia sr os|nokia sros|sr os|sros|nokia)\b", "sros"),
    (r"\s+", " "),
)]


def embedding_text(norm: str) -> str:
    """The normalised prompt with question wrappers and vendor spellings folded (see :data:`_EMBED_CANON`)."""
    for pattern, replacement in _EMBED_CANON:
        norm = pattern.sub(replacement, norm)
    return norm.strip()


def semantic_text(prompt: str, entities: Entities | None = None, *, mask: bool = False,
                  inventory: Inventory | None = None, lexicon: Lexicon | None = None) -> str:
    """What gets embedded: the normalised prompt (:func:`normalize_prompt`: lowercase,
    canonical interface and address spellings, contractions expanded) with question wrappers
    and vendor spellings folded (:func:`embedding_text`).

    ``mask=True`` replaces each entity by a typed placeholder instead
    (``show interfaces on <device>``). Entities are hard filters already, so
    masking would be safe, but measured on tests/data/netops_pairs.jsonl with
    all-MiniLM-L6-v2 it *lowers* paraphrase similarity (mean 0.78 masked vs
    0.82 normalised; share of paraphrases >= 0.70: 0.75 vs 0.90): the shared
    entity strings are part of what makes two phrasings look alike to the
    model. So the default embeds the normalised text.
    ``entities`` is accepted for the interface's sake (masking recomputes spans)."""
    del entities
    if not mask:
        return embedding_text(normalize_prompt(prompt, lexicon))
    out, pos = [], 0
    text = unicodedata.normalize("NFKC", prompt)
    for start, end, kind, _v in entity_spans(text, inventory):
        if start < pos:
            continue
        out.append(text[pos:start])
        out.append(f" <{kind}> ")
        pos = end
    out.append(text[pos:])
    masked = "".join(out).lower()
    words = []
    for raw in masked.split():
        raw = _CONTRACTIONS.get(raw.strip(_EDGE_PUNCT), raw)
        for x in raw.split():
            w = _canon_word(x) if "<" not in x else x.strip("?!.,;:'\"`()[]{}*")
            if w:
                words.append(w)
    return _WS_RE.sub(" ", " ".join(words)).strip()
