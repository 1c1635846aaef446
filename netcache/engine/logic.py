"""What the sync (:mod:`netcache.engine.sync`) and asyncio (:mod:`netcache.engine.aio`) caches share:
analysis, argv building, decoding, metrics. No I/O here; the subclasses do the Redis calls.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Iterable
from typing import Any

import numpy as np
from redis.exceptions import NoScriptError

from netcache.engine.analysis import AnalysisMemo, Request, entry_id_for, prepare
from netcache.matching.entities import Inventory, load_inventory
from netcache.errors import ConfigError
from netcache.engine.leases import LeaseSteps
from netcache.engine.querylog import QueryLogSteps
from netcache.engine.scripts import sha_of
from netcache.engine.records import Answer, EntryInfo, GenTicket, Hit, Keys, hit_from_reply, put_argv, to_text
from netcache.engine.tiers import TierPolicy
from netcache.engine.vector_index import IndexSteps, VectorIndex, encode_record

__all__ = ["CacheLogic", "INVALIDATE_BATCH"]


#: entries per INVALIDATE_ENTRIES call (one Lua call must stay short)
INVALIDATE_BATCH = 500


class CacheLogic(IndexSteps, LeaseSteps, QueryLogSteps):
    """What the sync and asyncio caches share: analysis, argv building, decoding, metrics.
    No I/O here; subclasses do the Redis calls. The index, lease and query-log steps live
    beside their concepts (netcache.engine.vector_index, netcache.engine.leases, netcache.engine.querylog)."""

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
        from netcache.matching.embedder import make_embedder  # loads onnxruntime: only when a cache needs it
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
        """Queue scripts (EVALSHA, no KEYS: see netcache.engine.scripts) and ``extra`` commands on a pipeline."""
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
