"""The entry store: key layout, the records the API returns, and the pure logic
shared by the sync (:mod:`cache.core`) and asyncio (:mod:`cache.aio`) caches.

Key layout (``base`` = ``{key_prefix}`` or ``{key_prefix}:{namespace}``)::

    {base}:e:{id}          hash   one answer (fields in docs/interfaces.md, plus `context`)
    {base}:t:{tag}         set    entry ids carrying the tag; expires with its last entry
    {base}:g:{tag}         int    generation of the tag, INCR on every invalidation
    {base}:l:{id}          str    generation lease token
    {base}:tier:hot|warm   zset   last access (LRU) / hits (LFU);  {base}:tier:cold  set
    {base}:ix:vec|log|epoch       the vector index mirror (cache.vector_index)
    {base}:q:top|meta|t0          the query log (cache.querylog)
    {base}:stats           hash   evictions:{tier}, discarded_stale_sets

The entry id is ``sha256(exact_key)[:32]``: the exact index *is* the entry key,
so an exact hit is one Lua call (read, expiry check, hit count, tier move).

Redis Cluster plan (not built): scripts touch keys they derive from ARGV,
which a cluster forbids. To move, (1) put each entry's own keys in one slot
with a hash tag, ``{base}:e:{<id>}`` / ``{base}:l:{<id>}``; (2) shard tag
sets and tier sets by a hash of the member (``{base}:t:{tag}:{shard}``) and
keep the cross-slot steps (tag membership, tier eviction, the change log)
as separate per-slot calls, accepting eventual consistency between them;
(3) keep generation counters next to the tag set shard they guard so the
no-stale-set check stays atomic per tag.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from redis.exceptions import NoScriptError

from .entities import Entities, Inventory, extract_entities, load_inventory
from .errors import ConfigError
from .intent import classify
from .normalize import context_fingerprint, exact_key, normalize_params, normalize_prompt, semantic_text
from .leases import LeaseSteps
from .querylog import QueryLogSteps
from .scripts import sha_of
from .tiers import TierPolicy
from .vector_index import IndexSteps, VectorIndex, encode_record

__all__ = [
    "Keys",
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
    "to_text",
    "CacheLogic",
    "INVALIDATE_BATCH",
]


def to_text(v: Any) -> str | None:
    if v is None:
        return None
    return v.decode() if isinstance(v, bytes) else str(v)


class Keys:
    """Every key of one cache namespace."""

    def __init__(self, key_prefix: str, namespace: str | None = None) -> None:
        self.base = f"{key_prefix}:{namespace}" if namespace else key_prefix

    def entry(self, entry_id: str) -> str:
        return f"{self.base}:e:{entry_id}"

    def tag(self, tag: str) -> str:
        return f"{self.base}:t:{tag}"

    def gen(self, tag: str) -> str:
        return f"{self.base}:g:{tag}"

    def lease(self, entry_id: str) -> str:
        return f"{self.base}:l:{entry_id}"

    def tier(self, name: str) -> str:
        return f"{self.base}:tier:{name}"

    @property
    def stats(self) -> str:
        return f"{self.base}:stats"

    @property
    def ix_vec(self) -> str:
        return f"{self.base}:ix:vec"

    @property
    def ix_log(self) -> str:
        return f"{self.base}:ix:log"

    @property
    def ix_epoch(self) -> str:
        return f"{self.base}:ix:epoch"

    @property
    def q_top(self) -> str:
        return f"{self.base}:q:top"

    @property
    def q_meta(self) -> str:
        return f"{self.base}:q:meta"

    @property
    def q_t0(self) -> str:
        return f"{self.base}:q:t0"


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

    def analysis(self, prompt: str, inventory: Inventory | None) -> _Analysis:
        a = self._analysis.get(prompt)
        if a is None:
            entities = extract_entities(prompt, inventory)
            intent = classify(prompt)
            a = _Analysis(entities, intent.query_type, intent.volatility, tuple(intent.tags()),
                          normalize_prompt(prompt), semantic_text(prompt, entities, inventory=inventory))
            if len(self._analysis) >= self.max_items:
                self._analysis.clear()
            self._analysis[prompt] = a
        return a

    def exact_key(self, prompt: str, context: Any, params: Any, fp: str, pnorm: str,
                  inventory: Inventory | None) -> str:
        k = (prompt, fp, pnorm)
        key = self._keys.get(k)
        if key is None:
            key = exact_key(prompt, context, params, inventory=inventory)
            if len(self._keys) >= self.max_items:
                self._keys.clear()
            self._keys[k] = key
        return key


def prepare(prompt: str, *, context: Any = None, params: Any = None, volatility: str | None = None,
            tags: tuple[str, ...] | list[str] = (), inventory: Inventory | None = None,
            model_id: str = "", policy: TierPolicy | None = None, memo: AnalysisMemo | None = None) -> Request:
    """Analyse a question: everything ``get``/``put`` need, without I/O."""
    if not isinstance(prompt, str) or not prompt.strip():
        raise ValueError("prompt must be a non-empty string")
    memo = memo or AnalysisMemo(1)
    a = memo.analysis(prompt, inventory)
    vol = volatility or a.volatility
    if policy is not None:
        policy.check_volatility(vol)
    fp, pnorm = context_fingerprint(context), normalize_params(params)
    key = memo.exact_key(prompt, context, params, fp, pnorm, inventory)
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
        semantic_text=a.semantic_text,
    )


def hit_from_reply(reply: list | None, entry_id: str, kind: str, score: float, now_s: float) -> Hit | None:
    """Decode the HIT script's reply."""
    if not reply:
        return None
    (answer, created_at, expires_at, stale, stale_at, query_type, volatility,
     cost_usd, tier, _tier_until, hits, prompt) = (to_text(x) for x in reply)
    created = float(created_at or now_s)
    return Hit(answer=answer or "", entry_id=entry_id, kind=kind, score=score, stale=stale == "1",
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
    )


def put_argv(req: Request, answer: str, *, policy: TierPolicy, key_base: str, now_s: float,
             usage: Any = None, ticket: GenTicket | None = None, tier: str | None = None,
             vector_blob: bytes = b"", gen_s: float = 0.0) -> list:
    """ARGV of the PUT script (see cache.scripts.PUT)."""
    if not isinstance(answer, str) or not answer:
        raise ValueError("answer must be a non-empty string")
    expires_at = policy.expires_at(req.volatility, now_s)
    first_tier = policy.initial_tier(req.volatility, bool(req.entities), tier)
    fields: dict[str, Any] = {
        "prompt": req.prompt, "norm": req.norm, "answer": answer,
        "context": json.dumps(req.context), "context_fp": context_fingerprint(req.context),
        "params": json.dumps(req.params, sort_keys=True, default=str),
        "entities": req.entities.signature(), "group": req.group, "query_type": req.query_type,
        "volatility": req.volatility, "gen_s": repr(float(gen_s)),
        "model": getattr(usage, "model", "") or "",
        "input_tokens": int(getattr(usage, "input_tokens", 0) or 0),
        "output_tokens": int(getattr(usage, "output_tokens", 0) or 0),
        "cost_usd": repr(float(getattr(usage, "cost_usd", 0.0) or 0.0)),
    }
    flat: list[Any] = []
    for k, v in fields.items():
        flat += [k, v]
    return [*policy.argv(key_base, now_s), req.entry_id, first_tier, repr(float(expires_at)),
            json.dumps(req.tags), ticket.to_json() if ticket is not None else "",
            vector_blob, 0, *flat]


def now_or(clock) -> float:
    return float(clock()) if clock is not None else time.time()


#: entries per INVALIDATE_ENTRIES call (one Lua call must stay short)
INVALIDATE_BATCH = 500


class CacheLogic(IndexSteps, LeaseSteps, QueryLogSteps):
    """What the sync and asyncio caches share: analysis, argv building, decoding, metrics.
    No I/O here; subclasses do the Redis calls. The index, lease and query-log steps live
    beside their concepts (cache.vector_index, cache.leases, cache.querylog)."""

    def __init__(self, settings, *, embedder=None, llm=None, metrics=None, inventory=None,
                 namespace: str | None = None, clock=time.time) -> None:
        if namespace is not None and (not namespace or ":" in namespace or any(c in namespace for c in "*?[] ")):
            raise ConfigError(f"bad namespace {namespace!r}: a plain word without ':', spaces or glob characters")
        self.settings = settings
        self.cs = settings.cache
        self.policy = TierPolicy.from_settings(self.cs)
        self.keys = Keys(settings.key_prefix, namespace)
        self.namespace = namespace
        #: None = build the one settings name on first use (make_embedder); False = exact matching only
        self._embedder = embedder
        self.llm = llm
        self.metrics = metrics
        #: None = the devices of ``cache.inventory_file`` (read once, here); an Inventory = that one
        self.inventory = inventory if inventory is not None else self._settings_inventory()
        self.clock = clock
        self.index = VectorIndex(sync_interval_ms=self.cs.index_sync_interval_ms)
        self.counters: Counter[str] = Counter()
        self.log = logging.getLogger("netcache.cache")
        self._memo = AnalysisMemo()
        self._refreshing: set[str] = set()
        self._refresh_lock = threading.Lock()

    def now(self) -> float:
        return float(self.clock())

    def _settings_inventory(self) -> Inventory | None:
        path = self.cs.inventory_file
        if path is None:
            return None
        try:
            return load_inventory(path)
        except ConfigError as e:
            raise ConfigError(f"cache.inventory_file (NETCACHE_CACHE__INVENTORY_FILE): {e}") from e

    @property
    def embedder(self):
        if self._embedder is None:
            try:
                self._embedder = self._default_embedder()
            except Exception as e:  # noqa: BLE001 - no embedder means exact matching only, not an outage
                self.counters["embed_errors"] += 1
                self.log.warning("no embedder (%s): semantic matching is off in this process", e)
                self._embedder = False
        return self._embedder or None

    def _default_embedder(self):
        from .embedder import make_embedder  # loads onnxruntime: only when a cache needs it
        return make_embedder(self.settings)

    @property
    def model_id(self) -> str:
        return getattr(self.embedder, "model_id", "") if self.embedder is not None else ""

    def _prepare(self, prompt: str, *, context: Any = None, params: Any = None,
                 volatility: str | None = None, tags: Iterable[str] = ()) -> Request:
        try:
            return prepare(prompt, context=context, params=params, volatility=volatility, tags=tuple(tags),
                           inventory=self.inventory, model_id=self.model_id, policy=self.policy,
                           memo=self._memo)
        except ConfigError:
            self.counters["bad_input"] += 1
            raise
        except (ValueError, TypeError) as e:
            self.counters["bad_input"] += 1
            raise ConfigError(f"bad cache request: {e}") from e

    def _exact_hit(self, req: Request, reply: Any) -> Hit | None:
        return hit_from_reply(reply, req.entry_id, "exact", 1.0, self.now())

    @staticmethod
    def _entry_id_for(question_key: str) -> str:
        return entry_id_for(question_key)

    def _hit_argv(self, entry_id: str, now_s: float) -> list:
        return [*self.policy.argv(self.keys.base, now_s), entry_id]

    # -- storing -------------------------------------------------------------------------------
    @staticmethod
    def _ticket_from(req: Request, raw_gens: list) -> GenTicket:
        return GenTicket(tuple((t, int(to_text(g) or 0)) for t, g in zip(req.tags, raw_gens)))

    def _vector_for_put(self, req: Request) -> np.ndarray | None:
        try:
            return self._embed(req)
        except Exception as e:  # noqa: BLE001 - an embedder failure must not lose the answer
            self.counters["embed_errors"] += 1
            self.log.warning("embedding failed, storing %s for exact matches only: %s", req.entry_id, e)
            return None

    def _after_put(self, req: Request, reply: list, vector: np.ndarray | None) -> str | None:
        if not reply or int(reply[0]) == 0:
            self.counters["discarded_stale_sets"] += 1
            self.log.info("discarded answer for %r: a tag was invalidated while it was generated", req.prompt)
            return None
        for tier, n in zip(("hot", "warm", "cold"), reply[1:]):
            if int(n):
                self.counters[f"evictions:{tier}"] += int(n)
                self._metric("eviction", tier, int(n))
        if vector is not None:
            self.index.add(req.entry_id, req.group, req.prompt, vector)
        return req.entry_id

    # -- serving -------------------------------------------------------------------------------
    def _stale_ok(self, hit: Hit) -> bool:
        return self.policy.may_serve_stale(hit.volatility, hit.stale_at, self.now())

    def _servable(self, hit: Hit | None) -> Hit | None:
        if hit is not None and hit.stale and not self._stale_ok(hit):
            return None
        return hit

    def _finish_get(self, req: Request, started: float, hit: Hit | None) -> Hit | None:
        """What ``get`` returns for a lookup's hit (stale answers only where allowed), counted."""
        hit = self._servable(hit)
        outcome = "miss" if hit is None else ("stale" if hit.stale else hit.kind)
        self._record_lookup(outcome, req, started, hit)
        return hit

    def _put_plan(self, req: Request, answer: str, *, usage: Any, ticket: GenTicket | None,
                  tier: str | None, gen_s: float | None) -> tuple[list, np.ndarray | None]:
        """(PUT argv, vector) for storing ``answer``."""
        vector = self._vector_for_put(req)
        blob = encode_record(req.group, req.prompt, vector) if vector is not None else b""
        if gen_s is None:
            gen_s = float(getattr(usage, "latency_s", 0.0) or 0.0)
        argv = put_argv(req, answer, policy=self.policy, key_base=self.keys.base, now_s=self.now(),
                        usage=usage, ticket=ticket, tier=tier, vector_blob=blob, gen_s=gen_s)
        return argv, vector

    def _call_generate(self, req: Request, generate) -> Any:
        """Start the generation: ``generate(prompt)`` or ``llm.complete`` (may return an awaitable)."""
        if generate is not None:
            return generate(req.prompt)
        if self.llm is not None:
            return self.llm.complete(req.prompt, context=req.context)
        raise ConfigError("get_or_generate needs generate= or an llm= client")

    @staticmethod
    def _not_stored(entry_id: str | None) -> str | None:
        return "discarded: a tag of this answer was invalidated while it was generated" if entry_id is None else None

    def _saved(self, hit: Hit) -> float:
        return max(0.0, hit.cost_usd - float(getattr(self.settings.llm, "hit_cost_usd", 0.0)))

    def _record_lookup(self, outcome: str, req: Request, started: float, hit: Hit | None,
                       purpose: str = "user") -> None:
        self.counters[f"lookup:{outcome}"] += 1
        self._metric("lookup", outcome, req.query_type, time.perf_counter() - started,
                     self._saved(hit) if hit is not None else 0.0, purpose)

    def _served(self, req: Request, hit: Hit, source: str, started: float, purpose: str = "user") -> Answer:
        self._record_lookup(source, req, started, hit, purpose)
        return Answer(text=hit.answer, source=source, entry_id=hit.entry_id, cost_usd=0.0,
                      saved_usd=self._saved(hit), latency_s=time.perf_counter() - started,
                      query_type=req.query_type or hit.query_type)

    def _result(self, result: Any, latency_s: float, req: Request, purpose: str) -> tuple[str, Any]:
        """(text, usage) from what ``generate`` returned: a str or an LLMResponse."""
        if isinstance(result, str):
            text, usage = result, None
        elif hasattr(result, "text"):
            text, usage = result.text, result
            self._metric("llm_call", req.query_type, purpose, getattr(result, "model", "") or "",
                         float(getattr(result, "latency_s", latency_s) or latency_s),
                         int(getattr(result, "input_tokens", 0) or 0), int(getattr(result, "output_tokens", 0) or 0),
                         float(getattr(result, "cost_usd", 0.0) or 0.0))
        else:
            self.counters["bad_input"] += 1
            raise ConfigError(f"generate returned {type(result).__name__}; expected str or LLMResponse")
        self.counters["llm_calls"] += 1
        if usage is None:
            self._metric("llm_call", req.query_type, purpose, "", latency_s, 0, 0, 0.0)
        return text, usage

    def _generated(self, req: Request, text: str, usage: Any, entry_id: str | None, started: float,
                   cache_error: str | None, purpose: str) -> Answer:
        self._record_lookup("generated", req, started, None, purpose)
        return Answer(text=text, source="generated", entry_id=entry_id,
                      cost_usd=float(getattr(usage, "cost_usd", 0.0) or 0.0), saved_usd=0.0,
                      latency_s=time.perf_counter() - started, query_type=req.query_type, cache_error=cache_error)

    def _request_for_entry(self, info: EntryInfo | None) -> Request | None:
        if info is None:
            return None
        auto = {t for t in info.tags if t.split(":", 1)[0] in ("device", "site", "iface", "ip", "prefix", "asn",
                                                                 "vlan", "vrf", "topic", "scope", "volatility")}
        return self._prepare(info.prompt, context=info.context, params=info.params, volatility=info.volatility,
                             tags=[t for t in info.tags if t not in auto])

    # -- building and reading pipelines (the sync and async caches only execute them) -------------
    @staticmethod
    def _queue(pipe, calls: list[tuple[str, list]], extra=None):
        """Queue scripts (EVALSHA, no KEYS: see cache.scripts) and ``extra`` commands on a pipeline."""
        for name, args in calls:
            pipe.evalsha(sha_of(name), 0, *args)
        if extra is not None:
            extra(pipe)
        return pipe

    @staticmethod
    def _unknown_scripts(results: list, calls: list[tuple[str, list]]) -> list[int]:
        """Indexes of the calls Redis did not know the script of (first use, or after a restart)."""
        return [i for i, r in enumerate(results[:len(calls)]) if isinstance(r, NoScriptError)]

    @staticmethod
    def _merged(results: list, missing: list[int], retried: list) -> list:
        for i, r in zip(missing, retried):
            results[i] = r
        for r in results:
            if isinstance(r, Exception):
                raise r
        return results

    def _invalidate_argv(self, mode: str, chunk: list[str]) -> list:
        return [*self.policy.argv(self.keys.base, self.now()), mode, *chunk]

    def _stats_pipeline(self, pipe):
        pipe.zcard(self.keys.tier("hot"))
        pipe.zcard(self.keys.tier("warm"))
        pipe.scard(self.keys.tier("cold"))
        pipe.hgetall(self.keys.stats)
        return pipe

    # -- errors, metrics, admin helpers ---------------------------------------------------------
    @staticmethod
    def _err(e: Exception) -> str:
        return f"Redis unavailable: {type(e).__name__}"

    def _redis_failed(self, op: str, e: Exception) -> None:
        self.counters["redis_errors"] += 1
        self.log.warning("%s: Redis unavailable (%s: %s)", op, type(e).__name__, e)

    def _metric(self, name: str, *args: Any) -> None:
        if self.metrics is None:
            return
        try:
            getattr(self.metrics, name)(*args)
        except Exception as e:  # noqa: BLE001 - metrics must never break a lookup
            self.counters["metrics_errors"] += 1
            self.log.debug("metrics.%s failed: %s", name, e)

    def _check_invalidation(self, tags: Iterable[str], mode: str, *, allow_empty: bool = False):
        if mode not in ("hard", "soft"):
            self.counters["bad_input"] += 1
            raise ConfigError(f"invalidation mode must be 'hard' or 'soft', not {mode!r}")
        tags = [tags] if isinstance(tags, str) else list(tags)
        if (not tags and not allow_empty) or any(not isinstance(t, str) or not t for t in tags):
            self.counters["bad_input"] += 1
            raise ConfigError(f"invalidate needs non-empty tag strings, got {tags!r}")
        return tags, mode

    def _stats_dict(self, hot: int, warm: int, cold: int, raw: dict) -> dict:
        shared = {to_text(k): int(to_text(v) or 0) for k, v in (raw or {}).items()}
        return {
            "entries": {"hot": int(hot), "warm": int(warm), "cold": int(cold)},
            "total": int(hot) + int(warm) + int(cold),
            "evictions": {t: shared.get(f"evictions:{t}", 0) for t in ("hot", "warm", "cold")},
            "discarded_stale_sets": shared.get("discarded_stale_sets", 0),
            "index_entries": len(self.index),
            "index_groups": len(self.index.group_sizes()),
            "process": dict(self.counters),
        }

    def _namespace_pattern(self) -> str:
        if not self.namespace:
            raise ConfigError("drop_namespace only works on a cache built with namespace=...")
        return f"{self.keys.base}:*"
