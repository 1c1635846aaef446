"""``CacheAPI``: the public methods of the cache, written once for both drivers.

Each method builds the operation's plan (:mod:`netcache.engine.operations`,
:mod:`netcache.engine.admin`) and hands it to ``self._drive``: the sync driver
(:class:`netcache.engine.sync.AnswerCache`) runs it and returns the result, the asyncio
driver (:class:`netcache.engine.aio.AsyncAnswerCache`) returns a coroutine to await —
the way redis-py writes a command once for both of its clients.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from netcache.connections import CircuitBreaker, RequestBudget
from netcache.engine import admin, operations
from netcache.engine.analysis import Request
from netcache.engine.logic import CacheLogic
from netcache.engine.records import GenTicket
from netcache.engine.steps import Plan

__all__ = ["CacheAPI"]


class CacheAPI:
    """The cache's methods over a :class:`CacheLogic`; subclasses define ``_drive(plan)``."""

    def __init__(self, logic: CacheLogic) -> None:
        self.logic = logic
        self.settings = logic.settings
        self.keys = logic.keys
        self.namespace = logic.namespace
        self.policy = logic.policy
        self.index = logic.index
        self.counters = logic.counters
        self.log = logic.log
        self.llm = logic.llm
        self.metrics = logic.metrics
        self.inventory = logic.inventory
        #: bot requests stop trying Redis while it is down (netcache.connections.CircuitBreaker)
        self.breaker = CircuitBreaker.from_settings(self.settings, name=self.keys.base)

    def _drive(self, plan: Plan[Any], budget: RequestBudget | None = None) -> Any:
        raise NotImplementedError

    def _bounded(self, plan: Plan[Any]) -> Any:
        """Drive a bot request's plan within its Redis time budget, through the circuit breaker."""
        return self._drive(plan, RequestBudget(self.breaker, self.settings.cache.redis_budget_ms / 1000.0))

    @property
    def embedder(self) -> Any:
        return self.logic.embedder

    def now(self) -> float:
        return self.logic.now()

    def _prepare(self, prompt: str, **kwargs: Any) -> Request:
        return self.logic._prepare(prompt, **kwargs)

    # -- lookups and storing ---------------------------------------------------------------------
    def get(self, prompt: str, *, context: Any = None, params: Any = None):
        """A cached answer (exact, then semantic) as a Hit, or None. Never raises for Redis trouble."""
        return self._bounded(operations.get(self.logic, prompt, context=context, params=params))

    def ticket(self, prompt: str, *, context: Any = None, params: Any = None, volatility: str | None = None,
               tags: Iterable[str] = ()):
        """Capture the generation counters of the question's tags before generating its answer."""
        return self._drive(operations.ticket(self.logic, prompt, context=context, params=params,
                                             volatility=volatility, tags=tags))

    def put(self, prompt: str, answer: str, *, context: Any = None, params: Any = None,
            volatility: str | None = None, tags: Iterable[str] = (), usage: Any = None,
            ticket: GenTicket | None = None, tier: str | None = None, gen_s: float | None = None):
        """Store an answer; the entry id, or None when discarded (a ticket tag was invalidated
        meanwhile) or Redis is unavailable (counted, logged)."""
        return self._bounded(operations.put(self.logic, prompt, answer, context=context, params=params,
                                          volatility=volatility, tags=tags, usage=usage, ticket=ticket,
                                          tier=tier, gen_s=gen_s))

    def get_or_generate(self, prompt: str, *, context: Any = None, params: Any = None,
                        volatility: str | None = None, tags: Iterable[str] = (), generate: Any = None,
                        purpose: str = "user"):
        """The cached answer, or one generated under the lease (and cached). ``generate``: a
        Generator object, ``f(prompt, context, params)`` or ``f(prompt)``; else ``llm=``. A user request
        (``purpose="user"``) spends at most ``cache.redis_budget_ms`` in Redis before answering from the LLM."""
        drive = self._bounded if purpose == "user" else self._drive
        return drive(operations.get_or_generate(self.logic, prompt, context=context, params=params,
                                                volatility=volatility, tags=tags, generate=generate,
                                                purpose=purpose))

    def refresh(self, prompt: str, *, context: Any = None, params: Any = None, volatility: str | None = None,
                tags: Iterable[str] = (), generate: Any = None, purpose: str = "refresh"):
        """Regenerate an answer under the lease, whatever is cached (warming, nightly refresh)."""
        return self._drive(operations.refresh(self.logic, prompt, context=context, params=params,
                                              volatility=volatility, tags=tags, generate=generate, purpose=purpose))

    def _release(self, lease: str, token: str):
        """Release a generation lease if ``token`` still holds it."""
        return self._drive(operations.release_lease(self.logic, lease, token))

    # -- invalidation and admin ------------------------------------------------------------------
    def invalidate(self, tags: Iterable[str], *, mode: str = "hard"):
        """Invalidate every entry carrying any of ``tags``; how many entries were affected."""
        return self._drive(admin.invalidate(self.logic, tags, mode=mode))

    def invalidate_entries(self, entry_ids: list[str], *, mode: str = "hard", tags: Iterable[str] = ()):
        """Invalidate a batch of entries (the worker's gradual invalidation)."""
        return self._drive(admin.invalidate_entries(self.logic, entry_ids, mode=mode, tags=tags))

    def tag_members(self, tag: str):
        return self._drive(admin.tag_members(self.logic, tag))

    def entry(self, entry_id: str):
        """The stored entry (EntryInfo), or None when it is gone or expired."""
        return self._drive(admin.entry(self.logic, entry_id))

    def top_queries(self, n: int = 100):
        """The most asked questions (decayed counts), with their cached entry id or None."""
        return self._drive(admin.top_queries(self.logic, n))

    def asked(self, questions: list[dict]):
        """For each of ``questions`` (``prompt``, ``context``, ``params``): has the query log seen it?"""
        return self._drive(admin.asked(self.logic, questions))

    def stats(self):
        """Entries per tier, total, evictions, discarded stale sets, this process's counters."""
        return self._drive(admin.stats(self.logic))

    def drop_namespace(self):
        """Delete every key of this (scratch) namespace. Admin only: it scans."""
        return self._drive(admin.drop_namespace(self.logic))

    def sweep(self, batch: int = 1000):
        """Remove vectors and tier records of entries Redis expired on its own. Maintenance only."""
        return self._drive(admin.sweep(self.logic, batch))
