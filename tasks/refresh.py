"""Keeping popular answers fresh: the nightly top-N refresh, XFetch early refresh, topology warming.

- ``refresh_top`` (the 02:00 job): re-ask the top N questions of the
  query log whose answers are missing, stale or close to expiry; the rest are
  left alone. Records ``{prefix}:w:last_refresh`` (time and counts).
- ``refresh_expiring`` (every few minutes): probabilistic early expiration
  (XFetch, Vattani et al. 2015) over the top questions: an answer that took
  ``gen_s`` to generate is refreshed when
  ``now - gen_s * beta * ln(rand()) >= expires_at``, so refreshes spread out
  ahead of expiry instead of all missing at once, and slow-to-generate answers
  start earlier.
- ``warm_topology``: every inventory device's interface status, BGP neighbor
  summary and CPU/memory questions.

All three ask through :func:`netcache.tasks.warming.run_warm`, so they share its budget,
concurrency limit and lease behaviour.
"""

from __future__ import annotations

import json
import logging
import math
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import redis

from netcache.keys import WorkerKeys
from netcache.tasks.budget import WarmBudget
from netcache.tasks.warming import WarmResult, run_warm, topology_questions

__all__ = [
    "xfetch_due",
    "RefreshPlan",
    "plan_refresh",
    "refresh_top",
    "refresh_expiring",
    "warm_topology",
    "last_refresh_key",
]

log = logging.getLogger(__name__)

#: XFetch's beta: > 1 refreshes earlier, < 1 later (1.0 is the paper's optimum).
XFETCH_BETA = 1.0
#: The nightly refresh also re-asks answers expiring within this share of their lifetime.
NEAR_EXPIRY_FRACTION = 0.25
#: Generation time assumed for entries that did not record one.
DEFAULT_GEN_S = 3.0


def last_refresh_key(prefix: str) -> str:
    return WorkerKeys(prefix).last_refresh


def xfetch_due(now_s: float, expires_at_s: float, gen_s: float, *, beta: float = XFETCH_BETA,
               rand: Callable[[], float] = random.random) -> bool:
    """XFetch: refresh now if ``now - gen_s * beta * ln(rand()) >= expires_at``."""
    r = rand()
    if r <= 0.0:  # ln(0) = -inf: the formula says refresh now
        return True
    return now_s - gen_s * beta * math.log(r) >= expires_at_s


@dataclass
class RefreshPlan:
    """The top questions sorted into what to do with each."""

    missing: list[dict]
    stale: list[dict]
    expiring: list[dict]
    fresh: int

    def questions(self) -> list[dict]:
        return [*self.missing, *self.stale, *self.expiring]


def _question(stat: Any, *, refresh: bool) -> dict:
    q: dict = {"prompt": stat.prompt}
    if getattr(stat, "context", None):
        q["context"] = stat.context
    if getattr(stat, "params", None):
        q["params"] = stat.params
    if refresh:
        q["refresh"] = True
    return q


def plan_refresh(cache: Any, n: int, *, now_s: float,
                 due: Callable[[Any, float], bool]) -> RefreshPlan:
    """Sort ``cache.top_queries(n)`` into missing / stale / due-for-refresh / fresh."""
    plan = RefreshPlan([], [], [], 0)
    for stat in cache.top_queries(n):
        info = cache.entry(stat.entry_id) if getattr(stat, "entry_id", None) else None
        if info is None:
            plan.missing.append(_question(stat, refresh=False))
        elif getattr(info, "stale", False):
            plan.stale.append(_question(stat, refresh=True))
        elif due(info, now_s):
            plan.expiring.append(_question(stat, refresh=True))
        else:
            plan.fresh += 1
    return plan


def _near_expiry(info: Any, now_s: float) -> bool:
    lifetime = max(1.0, float(info.expires_at) - float(info.created_at))
    return float(info.expires_at) - now_s <= lifetime * NEAR_EXPIRY_FRACTION


def refresh_top(cache: Any, llm: Any, budget: WarmBudget, redis_client: redis.Redis, *, n: int = 100,
                prefix: str = "nc", concurrency: int = 4, action_id: str = "refresh-top",
                clock: Callable[[], float] = time.time, semaphore: Any = None,
                device_state: Any = None) -> dict:
    """Re-ask the top ``n`` questions whose answers are missing, stale or near expiry."""
    now = clock()
    plan = plan_refresh(cache, n, now_s=now, due=_near_expiry)
    result = run_warm(cache, llm, budget, plan.questions(), reason="nightly top-query refresh",
                      action_id=action_id, concurrency=concurrency, purpose="refresh", semaphore=semaphore,
                      device_state=device_state)
    summary = {
        "at": f"{clock():.3f}", "n": n, "missing": len(plan.missing), "stale": len(plan.stale),
        "expiring": len(plan.expiring), "fresh": plan.fresh, "generated": result.generated,
        "already_cached": result.already_cached, "failed": result.failed, "skipped": result.skipped,
        "cost_usd": f"{result.cost_usd:.6f}", "budget_exceeded": result.budget_exceeded or "",
    }
    redis_client.hset(last_refresh_key(prefix), mapping=summary)
    log.info("refresh-top: %s", json.dumps(summary))
    return summary


def refresh_expiring(cache: Any, llm: Any, budget: WarmBudget, *, n: int = 100, concurrency: int = 4,
                     beta: float = XFETCH_BETA, rand: Callable[[], float] = random.random,
                     clock: Callable[[], float] = time.time, semaphore: Any = None,
                     device_state: Any = None) -> dict:
    """XFetch over the top ``n`` questions: refresh those whose early expiration fires now."""
    def due(info: Any, now_s: float) -> bool:
        gen_s = float(getattr(info, "gen_s", 0.0) or DEFAULT_GEN_S)
        return xfetch_due(now_s, float(info.expires_at), gen_s, beta=beta, rand=rand)

    plan = plan_refresh(cache, n, now_s=clock(), due=due)
    # missing ones are the nightly job's business; stale ones are refreshed on their next read
    result = run_warm(cache, llm, budget, plan.expiring, reason="xfetch early refresh",
                      action_id="refresh-expiring", concurrency=concurrency, purpose="refresh",
                      semaphore=semaphore, device_state=device_state)
    return {"considered": len(plan.expiring) + plan.fresh + len(plan.stale) + len(plan.missing),
            "refreshed": result.generated, "skipped": result.skipped, "cost_usd": result.cost_usd,
            "budget_exceeded": result.budget_exceeded}


def warm_topology(cache: Any, llm: Any, budget: WarmBudget, devices: Iterable[str],
                  templates: dict[str, list[str]], *, concurrency: int = 4, semaphore: Any = None,
                  device_state: Any = None) -> WarmResult:
    """Ask every device's topology questions (answers already cached cost nothing)."""
    questions = topology_questions(sorted(set(devices)), templates)
    return run_warm(cache, llm, budget, questions, reason="topology warming",
                    action_id="warm-topology", concurrency=concurrency, semaphore=semaphore,
                    device_state=device_state)
