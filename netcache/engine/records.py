"""The entry store: key layout, the records the API returns, and how entries are
written (PUT argv) and read back (HIT replies, entry hashes).

The question analysis lives in :mod:`netcache.engine.analysis` (``prepare``, ``Request``
… stay importable from here); the keys are built by :class:`netcache.keys.Keys`.

Key layout (``base`` = ``{nc}`` or ``{nc:<namespace>}``: one hash tag, one cluster slot)::

    {base}:e:{id}          hash   one answer (fields in docs/interfaces.md, plus `context`)
    {base}:t:{tag}         set    entry ids carrying the tag; expires with its last entry
    {base}:g:{tag}         int    generation of the tag, INCR on every invalidation
    {base}:l:{id}          str    generation lease token
    {base}:tier:hot|warm   zset   last access (LRU) / hits (LFU);  {base}:tier:cold  set
    {base}:ix:vec|log|epoch       the vector index mirror (netcache.engine.vector_index)
    {base}:q:top|meta|t0          the query log (netcache.engine.querylog)
    {base}:stats           hash   evictions:{tier}, discarded_stale_sets

The entry id is ``sha256(exact_key)[:32]``: the exact index *is* the entry key,
so an exact hit is one Lua call (read, expiry check, hit count, tier move).

Redis Cluster: every key of a namespace carries the namespace's hash tag, so
the scripts (netcache/lua/) run in one slot. They declare the keys they know in
KEYS (tiers, vector hash, change log, stats, the entry, its tag sets, its
ticket's generations, the entries an invalidation names); the keys they only
find while running (eviction victims, an entry's previous tags) are built from
the key base, in the same slot. A namespace therefore lives on one master.
Spreading one namespace over the cluster would need tag and tier sets sharded
by member hash, one tier set and change log per shard, and the mirror reading
every shard's log.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field
from typing import Any

from netcache.engine.analysis import AnalysisMemo, Request, entry_id_for, group_for, prepare
from netcache.engine.tiers import TierPolicy
from netcache.text import to_text

__all__ = [
    "GenTicket",
    "Hit",
    "Answer",
    "EntryInfo",
    "Request",
    "prepare",
    "AnalysisMemo",
    "entry_id_for",
    "group_for",
    "hit_from_reply",
    "entry_info_from_hash",
    "put_argv",
    "pack_answer",
    "unpack_answer",
    "ANSWER_COMPRESS_BYTES",
]

#: answers longer than this (UTF-8 bytes) are stored zlib-compressed (a 1 KB NetOps answer to ~45 %)
ANSWER_COMPRESS_BYTES = 512
#: first bytes of a compressed ``answer`` field (a text answer that starts with them is compressed too)
_ZLIB_MARK = b"\x00z"


def pack_answer(answer: str) -> str | bytes:
    """The ``answer`` field: the text, or the marker + zlib of it when it is long (stdlib zlib:
    no dependency, and on 1 KB texts zstd without a trained dictionary gains little over it)."""
    raw = answer.encode()
    if len(raw) <= ANSWER_COMPRESS_BYTES and not raw.startswith(_ZLIB_MARK):
        return answer
    return _ZLIB_MARK + zlib.compress(raw, 6)


def unpack_answer(raw: bytes | str | None) -> str:
    """The text of an ``answer`` field (either form)."""
    if isinstance(raw, (bytes, bytearray)) and raw.startswith(_ZLIB_MARK):
        return zlib.decompress(bytes(raw[len(_ZLIB_MARK):])).decode()
    return to_text(raw) or ""



@dataclass(frozen=True)
class GenTicket:
    """The generation counters of an answer's tags when its generation started."""

    gens: tuple[tuple[str, int], ...]

    def to_json(self) -> str:
        return json.dumps([[t, g] for t, g in self.gens])


@dataclass(frozen=True)
class Hit:
    """A cached answer found by ``get``."""

    answer: str
    entry_id: str
    kind: str  #: "exact" | "semantic"
    score: float
    stale: bool
    age_s: float
    query_type: str
    volatility: str = ""
    cost_usd: float = 0.0
    tier: str = ""
    hits: int = 0
    prompt: str = ""
    stale_at: float = 0.0


@dataclass(frozen=True)
class Answer:
    """What ``get_or_generate`` returns."""

    text: str
    source: str  #: "exact" | "semantic" | "stale" | "generated" | "waited"
    entry_id: str | None
    cost_usd: float
    saved_usd: float
    latency_s: float
    query_type: str
    #: why the answer could not be cached (Redis down, discarded stale set), None when it was
    cache_error: str | None = None


@dataclass(frozen=True)
class EntryInfo:
    """One stored entry, for the worker (gradual invalidation, warming)."""

    entry_id: str
    prompt: str
    context: Any
    params: Any
    hits: int
    tags: list[str]
    volatility: str
    query_type: str
    tier: str
    created_at: float
    expires_at: float
    gen_s: float
    stale: bool
    stale_at: float | None
    #: what the generator said about the answer (``Generation.metadata``), {} if nothing
    metadata: dict = field(default_factory=dict)





def hit_from_reply(reply: list | None, entry_id: str, kind: str, score: float, now_s: float) -> Hit | None:
    """Decode the HIT script's reply."""
    if not reply:
        return None
    answer = unpack_answer(reply[0])
    (created_at, expires_at, stale, stale_at, query_type, volatility,
     cost_usd, tier, _tier_until, hits, prompt) = (to_text(x) for x in reply[1:])
    created = float(created_at or now_s)
    return Hit(answer=answer, entry_id=entry_id, kind=kind, score=score, stale=stale == "1",
               age_s=max(0.0, now_s - created), query_type=query_type or "", volatility=volatility or "",
               cost_usd=float(cost_usd or 0.0), tier=tier or "", hits=int(hits or 0), prompt=prompt or "",
               stale_at=float(stale_at or 0.0))


def _loads(raw: str | None) -> Any:
    if raw in (None, ""):
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def entry_info_from_hash(entry_id: str, h: dict) -> EntryInfo | None:
    if not h:
        return None
    d = {to_text(k): to_text(v) for k, v in h.items()}
    return EntryInfo(
        entry_id=entry_id, prompt=d.get("prompt", ""), context=_loads(d.get("context")),
        params=_loads(d.get("params")), hits=int(d.get("hits") or 0), tags=_loads(d.get("tags")) or [],
        volatility=d.get("volatility", ""), query_type=d.get("query_type", ""), tier=d.get("tier", ""),
        created_at=float(d.get("created_at") or 0), expires_at=float(d.get("expires_at") or 0),
        gen_s=float(d.get("gen_s") or 0), stale=d.get("stale") == "1",
        stale_at=float(d["stale_at"]) if d.get("stale_at") else None,
        metadata=_loads(d.get("metadata")) or {},
    )


def put_argv(req: Request, answer: str, *, policy: TierPolicy, key_base: str, now_s: float,
             usage: Any = None, ticket: GenTicket | None = None, tier: str | None = None,
             vector_blob: bytes = b"", gen_s: float = 0.0) -> list:
    """ARGV of the PUT script (netcache/lua/put.lua)."""
    if not isinstance(answer, str) or not answer:
        raise ValueError("answer must be a non-empty string")
    expires_at = policy.expires_at(req.volatility, now_s)
    first_tier = policy.initial_tier(req.volatility, bool(req.entities), tier)
    fields: dict[str, Any] = {
        "prompt": req.prompt, "norm": req.norm, "answer": pack_answer(answer),
        "context": json.dumps(req.context), "context_fp": req.context_fp,
        "params": json.dumps(req.params, sort_keys=True, default=str),
        "entities": req.entities.signature(), "group": req.group, "query_type": req.query_type,
        "volatility": req.volatility, "gen_s": repr(float(gen_s)),
        "model": getattr(usage, "model", "") or "",
        "input_tokens": int(getattr(usage, "input_tokens", 0) or 0),
        "output_tokens": int(getattr(usage, "output_tokens", 0) or 0),
        "cost_usd": repr(float(getattr(usage, "cost_usd", 0.0) or 0.0)),
        "metadata": json.dumps(dict(getattr(usage, "metadata", None) or {}), sort_keys=True, default=str),
    }
    flat: list[Any] = []
    for k, v in fields.items():
        flat += [k, v]
    return [*policy.argv(key_base, now_s), req.entry_id, first_tier, repr(float(expires_at)),
            json.dumps(req.tags), ticket.to_json() if ticket is not None else "",
            vector_blob, 0, *flat]
