"""``CacheLogic``: the state and the pure steps of one cache (no I/O).

It holds what every operation needs — settings, the tier policy, the keys of its
namespace, the in-process vector index and its mirror, the lease and query-log
components, the embedder, counters and metrics — and the pure parts of the
operations: analysing a question, building script calls, decoding replies, counting.
The operations themselves are plans (:mod:`netcache.engine.operations`,
:mod:`netcache.engine.admin`) that the sync and asyncio drivers execute.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from netcache.engine.analysis import AnalysisMemo, Request, prepare
from netcache.engine.leases import Leases
from netcache.engine.mirror import IndexMirror
from netcache.engine.querylog import QueryLog
from netcache.engine.records import EntryInfo, GenTicket, Hit, hit_from_reply
from netcache.engine.steps import Command, Script, Verify, cmd, script
from netcache.engine.tiers import TierPolicy
from netcache.engine.vector_index import Candidate, VectorIndex
from netcache.errors import ConfigError
from netcache.keys import Keys
from netcache.llm.client import cost_of
from netcache.llm.generator import Generation, as_generation
from netcache.matching.entities import Inventory, load_inventory
from netcache.matching.guard import GuardVerdict, guard
from netcache.matching.lexicon import load_lexicon
from netcache.text import to_text

__all__ = ["CacheLogic", "INVALIDATE_BATCH", "set_default_metrics"]

#: Builds the metrics of a cache given none (``metrics=None``) while ``cache.metrics_enabled`` is on:
#: the package root (netcache/__init__.py) sets it to netcache.metrics' recorder, so every cache a
#: bot builds records its traffic (the engine itself cannot import the metrics layer above it).
_default_metrics: Callable[[Any], Any] | None = None


def set_default_metrics(factory: Callable[[Any], Any] | None) -> None:
    """Set what builds a cache's metrics when it is given none (None: no default metrics)."""
    global _default_metrics
    _default_metrics = factory

#: entries per INVALIDATE_ENTRIES call (one Lua call must stay short)
INVALIDATE_BATCH = 500

#: tag prefixes ``prepare`` derives from the question itself (not the caller's own tags)
_AUTO_TAG_PREFIXES = ("device", "site", "iface", "ip", "prefix", "asn", "vlan", "vrf", "topic", "scope",
                      "volatility")


def check_namespace(namespace: str | None) -> str | None:
    if namespace is not None and (not namespace or ":" in namespace or any(c in namespace for c in "*?[] ")):
        raise ConfigError(f"bad namespace {namespace!r}: a plain word without ':', spaces or glob characters")
    return namespace


class CacheLogic:
    """One cache's state and pure steps (see the module docstring)."""

    def __init__(self, settings, *, embedder=None, llm=None, metrics=None, inventory: Inventory | None = None,
                 namespace: str | None = None, clock: Callable[[], float] = time.time,
                 embedder_factory: Callable[[], Any] | None = None, verifier: Any = None) -> None:
        self.settings = settings
        self.cs = settings.cache
        self.namespace = check_namespace(namespace)
        self.policy = TierPolicy.from_settings(self.cs)
        self.keys = Keys(settings.key_prefix, namespace)
        #: None = build the settings' embedder on first use; False = exact matching only
        self._embedder = embedder
        self._embedder_factory = embedder_factory
        self.llm = llm
        #: ``metrics=None``: on by default (``cache.metrics_enabled``), built here and closed with the
        #: cache; ``metrics=False``: off
        self.owns_metrics = metrics is None and self.cs.metrics_enabled and _default_metrics is not None
        self.metrics = _default_metrics(settings) if self.owns_metrics and _default_metrics else (metrics or None)
        #: None = the devices of ``cache.inventory_file`` (read once, here); an Inventory = that one
        self.inventory = inventory if inventory is not None else self._settings_inventory()
        #: the shipped NetOps lexicon plus ``cache.lexicon_file`` (read once, here)
        self.lexicon = load_lexicon(self.cs.lexicon_file)
        #: asks a small model about candidates rejected only on wording (None = off, the default;
        #: ``netcache.matching.verifier.make_verifier``)
        self.verifier = verifier
        self.clock = clock
        self.counters: Counter[str] = Counter()
        self.log = logging.getLogger("netcache.cache")
        self.index = VectorIndex(sync_interval_ms=self.cs.index_sync_interval_ms)
        self.mirror = IndexMirror(self.index, self.keys, on_error=self.redis_failed)
        self.leases = Leases(self.keys, lease_ttl_ms=self.cs.lease_ttl_ms, lease_wait_ms=self.cs.lease_wait_ms)
        self.querylog = QueryLog(self.keys, halflife_s=self.cs.query_log_halflife_s, max_questions=self.cs.query_log_max)
        self._memo = AnalysisMemo()

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

    # -- the embedder ----------------------------------------------------------------------------
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
        if self._embedder_factory is not None:
            return self._embedder_factory()
        from netcache.matching.embedder import make_embedder  # loads onnxruntime: only when a cache needs it
        return make_embedder(self.settings)

    @property
    def model_id(self) -> str:
        return getattr(self.embedder, "model_id", "") if self.embedder is not None else ""

    def embed(self, req: Request) -> np.ndarray | None:
        if req.vector is None and self.embedder is not None:
            req.vector = np.asarray(self.embedder.embed([req.semantic_text]), dtype=np.float32)[0]
        return req.vector

    def vector_for_put(self, req: Request) -> np.ndarray | None:
        try:
            return self.embed(req)
        except Exception as e:  # noqa: BLE001 - an embedder failure must not lose the answer
            self.counters["embed_errors"] += 1
            self.log.warning("embedding failed, storing %s for exact matches only: %s", req.entry_id, e)
            return None

    # -- analysis ----------------------------------------------------------------------------------
    def _prepare(self, prompt: str, *, context: Any = None, params: Any = None,
                 volatility: str | None = None, tags: Iterable[str] = ()) -> Request:
        try:
            return prepare(prompt, context=context, params=params, volatility=volatility, tags=tuple(tags),
                           inventory=self.inventory, model_id=self.model_id, policy=self.policy, memo=self._memo,
                           lexicon=self.lexicon)
        except ConfigError:
            self.counters["bad_input"] += 1
            raise
        except (ValueError, TypeError) as e:
            self.counters["bad_input"] += 1
            raise ConfigError(f"bad cache request: {e}") from e

    def request_for_entry(self, info: EntryInfo | None) -> Request | None:
        """The request that stored ``info`` (its caller's own tags; the derived ones come back)."""
        if info is None:
            return None
        own = [t for t in info.tags if t.split(":", 1)[0] not in _AUTO_TAG_PREFIXES]
        return self._prepare(info.prompt, context=info.context, params=info.params, volatility=info.volatility,
                             tags=own)

    # -- script calls and replies ----------------------------------------------------------------
    def hit_call(self, entry_id: str, now_s: float, record: Request | None = None) -> Script:
        """The HIT script for ``entry_id``; with ``record``, it also counts the ask in the query log."""
        keys = [*self.keys.tier_script_keys, self.keys.entry(entry_id)]
        args = [*self.policy.argv(self.keys.base, now_s), entry_id]
        if record is not None:
            extra_keys, extra_args = self.querylog.record(record)
            keys += extra_keys
            args += extra_args
        return script("hit", keys, args)

    def invalidate_call(self, now_s: float, mode: str, entry_ids: list[str]) -> Script:
        """INVALIDATE_ENTRIES for a batch of ids: their entry keys are declared in KEYS."""
        keys = self.keys.tier_script_keys + [self.keys.entry(i) for i in entry_ids]
        return script("invalidate_entries", keys, [*self.policy.argv(self.keys.base, now_s), mode, *entry_ids])

    def put_keys(self, req: Request, ticket: GenTicket | None) -> list[str]:
        """KEYS of PUT: the tier keys, the entry, its tag sets, the generations of its ticket's tags."""
        gens = [self.keys.gen(t) for t, _ in ticket.gens] if ticket is not None else []
        return [*self.keys.tier_script_keys, self.keys.entry(req.entry_id), *(self.keys.tag(t) for t in req.tags),
                *gens]

    def ticket_call(self, req: Request) -> Script:
        return script("ticket", [self.keys.gen(t) for t in req.tags])

    def bump_call(self, tags: list[str]) -> Script:
        return script("bump_tags", [self.keys.gen(t) for t in tags] + [self.keys.tag(t) for t in tags])

    @staticmethod
    def ticket_from(req: Request, raw_gens: list) -> GenTicket:
        return GenTicket(tuple((t, int(to_text(g) or 0)) for t, g in zip(req.tags, raw_gens)))

    def exact_hit(self, req: Request, reply: Any) -> Hit | None:
        return hit_from_reply(reply, req.entry_id, "exact", 1.0, self.now())

    def fresh_hit(self, req: Request, reply: Any, refresh: bool) -> Hit | None:
        """A waiter's exact re-check: a fresh (not stale; when refreshing, new) entry, else None."""
        hit = self.exact_hit(req, reply)
        if hit is None or hit.stale or (refresh and hit.age_s * 1000 >= self.cs.lease_wait_ms):
            return None
        return hit

    def after_put(self, req: Request, reply: list, vector: np.ndarray | None) -> str | None:
        if not reply or int(reply[0]) == 0:
            self.counters["discarded_stale_sets"] += 1
            self.log.info("discarded answer for %r: a tag was invalidated while it was generated", req.prompt)
            return None
        for tier, n in zip(("hot", "warm", "cold"), reply[1:]):
            if int(n):
                self.counters[f"evictions:{tier}"] += int(n)
                self.metric("eviction", tier, int(n))
        if vector is not None and self.index.loaded:  # a process that never searched keeps no vectors
            self.index.add(req.entry_id, req.group, req.prompt, vector)
        return req.entry_id

    # -- semantic candidates ---------------------------------------------------------------------
    def nearest(self, req: Request) -> list[Candidate]:
        """The request's group's nearest entries above the near-miss line (prompts not yet known)."""
        vector = self.embed(req)
        if vector is None:
            return []
        return [c for c in self.index.search(req.group, vector, self.cs.semantic_threshold - self.cs.near_miss_margin,
                                             k=5)
                if c.entry_id != req.entry_id]  # the exact lookup just missed it: it is gone

    def prompt_calls(self, cands: list[Candidate]) -> list[Command]:
        """HGET of each candidate's prompt (the index keeps no prompts)."""
        return [cmd("hget", self.keys.entry(c.entry_id), "prompt") for c in cands]

    def candidates(self, req: Request, cands: list[Candidate],
                   prompts: list[Any]) -> list[tuple[Candidate, GuardVerdict]]:
        """Of :meth:`nearest`'s ``cands`` (with their ``prompts`` from Redis, None = gone), those above the
        threshold that pass the guard, best first, with the guard's verdict: ok, or (only with a verifier)
        a soft rejection the plan puts to the verifier (:meth:`verify_step`, then :meth:`settle`). Near
        misses are logged and counted, guard rejections counted as false positives."""
        threshold = self.cs.semantic_threshold
        out = []
        for cand, raw in zip(cands, prompts):
            if raw is None:
                self.index.remove(cand.entry_id)  # Redis lost or expired it
                continue
            cand = Candidate(cand.entry_id, cand.score, to_text(raw))
            if cand.score < threshold:
                self.counters["near_misses"] += 1
                self.log.info("near miss: score=%.4f threshold=%.2f %r ~ %r", cand.score, threshold,
                              req.prompt, cand.prompt)
                self.metric("near_miss", req.query_type, cand.score)
            else:
                verdict = self.guard_verdict(req, cand)
                if verdict.ok or (self.verifier is not None and not verdict.hard):
                    out.append((cand, verdict))  # a soft rejection waits for the verifier (a plan step)
                else:
                    self.settle(req, cand, verdict)
        return out

    def guard_verdict(self, req: Request, cand: Candidate) -> GuardVerdict:
        if not self.cs.guard_enabled:
            return GuardVerdict(True)
        return guard(req.prompt, cand.prompt, inventory=self.inventory, lexicon=self.lexicon)

    def verify_step(self, req: Request, cand: Candidate, verdict: GuardVerdict) -> Verify:
        """The step that puts a softly rejected candidate to the verifier (run by the driver)."""
        return Verify(self.verifier, verdict, req.prompt, cand.prompt, req.query_type)

    def settle(self, req: Request, cand: Candidate, verdict: GuardVerdict) -> bool:
        """Count and log a rejection; True when the candidate may be served."""
        if not verdict.ok:
            self.metric("guard_rejected", req.query_type, verdict.rule or "other")
            self.counters["false_positives"] += 1
            self.log.info("guard rejected semantic hit: score=%.4f reason=%s %r ~ %r", cand.score,
                          verdict.reason, req.prompt, cand.prompt)
            self.metric("false_positive", req.query_type, cand.score)
        return verdict.ok

    # -- generations and their cost ------------------------------------------------------------
    def priced(self, usage: Any, latency_s: float = 0.0) -> Generation | None:
        """``usage`` (a Generation, an LLMResponse, or None) as a Generation with its cost:
        the one it reports, else computed from its tokens and the price table."""
        if usage is None:
            return None
        gen = as_generation(usage, latency_s)
        if gen.cost_usd is None:
            tokens = gen.input_tokens or gen.output_tokens
            cost = cost_of(self.settings, gen.model, gen.input_tokens, gen.output_tokens) if tokens else 0.0
            gen = dataclasses.replace(gen, cost_usd=cost)
        return gen

    def generation_of(self, result: Any, latency_s: float, req: Request, purpose: str) -> Generation:
        """What a generator returned, as a priced Generation (counted and reported)."""
        try:
            gen = self.priced(as_generation(result, latency_s), latency_s)
        except TypeError as e:
            self.counters["bad_input"] += 1
            raise ConfigError(f"generate returned {type(result).__name__}; expected Generation, LLMResponse "
                              f"or str") from e
        assert gen is not None
        self.counters["llm_calls"] += 1
        self.metric("llm_call", req.query_type, purpose, gen.model, float(gen.latency_s or latency_s),
                    gen.input_tokens, gen.output_tokens, float(gen.cost_usd or 0.0))
        return gen

    # -- errors and metrics ----------------------------------------------------------------------
    @staticmethod
    def err(e: Exception) -> str:
        return f"Redis unavailable: {type(e).__name__}"

    def redis_failed(self, op: str, e: Exception) -> None:
        self.counters["redis_errors"] += 1
        self.log.warning("%s: Redis unavailable (%s: %s)", op, type(e).__name__, e)

    def metric(self, name: str, *args: Any) -> None:
        if self.metrics is None:
            return
        try:
            getattr(self.metrics, name)(*args)
        except Exception as e:  # noqa: BLE001 - metrics must never break a lookup
            self.counters["metrics_errors"] += 1
            self.log.debug("metrics.%s failed: %s", name, e)
