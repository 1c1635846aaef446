"""The cache's operations, written once as plans (see :mod:`netcache.engine.steps`).

Lookup: exact first (one HIT script call that also records the question in the query
log), then semantic: the question's embedding is compared only with the entries of its
group in the in-process vector index; candidates above the threshold must pass the guard
and are verified in Redis before they are served. Never KEYS/SCAN on the hot path.

Misses in ``get_or_generate`` generate under a lease (one LLM call per question across
threads and processes), store with a ticket (no stale sets), and serve soft-invalidated
answers while one background refresh runs where the volatility class allows it.
``purpose`` other than ``"user"`` (warm, refresh, seed) takes exact hits only and is
neither ranked in the query log nor counted in the users' hit rate.

Redis failures: ``get`` misses, ``put`` returns None, ``get_or_generate`` still answers
from the LLM (``Answer.cache_error`` says why it was not cached).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from redis.exceptions import RedisError

from netcache.engine.admin import entry
from netcache.engine.analysis import Request
from netcache.engine.leases import new_token
from netcache.engine.logic import CacheLogic
from netcache.engine.records import Answer, GenTicket, Hit, hit_from_reply, put_argv
from netcache.engine.steps import Background, Generate, Plan, Sleep, pipe, script
from netcache.engine.vector_index import encode_record
from netcache.llm.generator import Generation

__all__ = ["get", "put", "ticket", "get_or_generate", "refresh", "release_lease"]

NOT_STORED = "discarded: a tag of this answer was invalidated while it was generated"
#: what waiting for another lease holder ended with when the wait ran out
_TIMED_OUT = object()


# -- lookups ---------------------------------------------------------------------------------------
def get(c: CacheLogic, prompt: str, *, context: Any = None, params: Any = None) -> Plan[Hit | None]:
    started = time.perf_counter()
    req = c._prepare(prompt, context=context, params=params)
    try:
        hit = yield from lookup(c, req)
    except RedisError as e:
        c.redis_failed("get", e)
        hit = None
    if hit is not None and hit.stale and not stale_ok(c, hit):
        hit = None
    record_lookup(c, "miss" if hit is None else ("stale" if hit.stale else hit.kind), req, started, hit)
    return hit


def lookup(c: CacheLogic, req: Request, *, record: bool = True, semantic: bool = True) -> Plan[Hit | None]:
    now = c.now()
    (reply,) = yield pipe(c.hit_call(req.entry_id, now, req if record else None))
    hit = hit_from_reply(reply, req.entry_id, "exact", 1.0, now)
    if hit is not None or not semantic or c.embedder is None:
        return hit
    yield from c.mirror.sync()
    near = c.nearest(req)
    prompts = (yield pipe(*c.prompt_calls(near))) if near else []
    for cand, verdict in c.candidates(req, near, prompts):
        if not verdict.ok:  # rejected on wording only, and a verifier is configured: ask it
            verdict = yield c.verify_step(req, cand, verdict)
            if not c.settle(req, cand, verdict):
                continue
        now = c.now()
        (reply,) = yield pipe(c.hit_call(cand.entry_id, now))
        hit = hit_from_reply(reply, cand.entry_id, "semantic", cand.score, now)
        if hit is not None:
            return hit
        c.index.remove(cand.entry_id)  # Redis lost or expired it: never serve it
    return None


# -- storing ---------------------------------------------------------------------------------------
def ticket(c: CacheLogic, prompt: str, *, context: Any = None, params: Any = None, volatility: str | None = None,
           tags: Iterable[str] = ()) -> Plan[GenTicket]:
    req = c._prepare(prompt, context=context, params=params, volatility=volatility, tags=tags)
    (raw,) = yield pipe(c.ticket_call(req))
    return c.ticket_from(req, raw)


def put(c: CacheLogic, prompt: str, answer: str, *, context: Any = None, params: Any = None,
        volatility: str | None = None, tags: Iterable[str] = (), usage: Any = None,
        ticket: GenTicket | None = None, tier: str | None = None, gen_s: float | None = None) -> Plan[str | None]:
    req = c._prepare(prompt, context=context, params=params, volatility=volatility, tags=tags)
    try:
        return (yield from store(c, req, answer, usage=usage, ticket=ticket, tier=tier, gen_s=gen_s))
    except RedisError as e:
        c.redis_failed("put", e)
        return None


def store(c: CacheLogic, req: Request, answer: str, *, usage: Any, ticket: GenTicket | None,
          tier: str | None = None, gen_s: float | None = None) -> Plan[str | None]:
    vector = c.vector_for_put(req)
    blob = encode_record(req.group, req.prompt, vector) if vector is not None else b""
    if gen_s is None:
        gen_s = float(getattr(usage, "latency_s", 0.0) or 0.0)
    argv = put_argv(req, answer, policy=c.policy, key_base=c.keys.base, now_s=c.now(), usage=c.priced(usage),
                    ticket=ticket, tier=tier, vector_blob=blob, gen_s=gen_s)
    (reply,) = yield pipe(script("put", c.put_keys(req, ticket), argv))
    return c.after_put(req, reply, vector)


# -- get_or_generate, refresh, leases --------------------------------------------------------------
def get_or_generate(c: CacheLogic, prompt: str, *, context: Any = None, params: Any = None,
                    volatility: str | None = None, tags: Iterable[str] = (), generate: Any = None,
                    purpose: str = "user") -> Plan[Answer]:
    started = time.perf_counter()
    req = c._prepare(prompt, context=context, params=params, volatility=volatility, tags=tags)
    user = purpose == "user"  # warming/refreshing wants this very question stored: exact hits only
    try:
        hit = yield from lookup(c, req, record=user, semantic=user)
    except RedisError as e:
        c.redis_failed("get_or_generate", e)
        return (yield from generate_answer(c, req, generate, purpose, started, ticket=None, cache_error=c.err(e)))
    if hit is not None and not hit.stale:
        return served(c, req, hit, hit.kind, started, purpose)
    if hit is not None and stale_ok(c, hit):
        if c.leases.claim_refresh(hit.entry_id):
            yield Background(background_refresh(c, req, hit, generate), name=f"netcache-refresh-{hit.entry_id[:8]}")
        return served(c, req, hit, "stale", started, purpose)
    return (yield from fill(c, req, generate, purpose, started))


def refresh(c: CacheLogic, prompt: str, *, context: Any = None, params: Any = None, volatility: str | None = None,
            tags: Iterable[str] = (), generate: Any = None, purpose: str = "refresh") -> Plan[Answer]:
    req = c._prepare(prompt, context=context, params=params, volatility=volatility, tags=tags)
    return (yield from fill(c, req, generate, purpose, time.perf_counter(), refresh=True))


def background_refresh(c: CacheLogic, req: Request, hit: Hit, generate: Any) -> Plan[None]:
    """One refresh of a stale entry (others find it claimed and keep serving stale)."""
    try:
        target = req if hit.kind == "exact" else c.request_for_entry((yield from entry(c, hit.entry_id)))
        if target is not None:
            yield from fill(c, target, generate, "refresh", time.perf_counter(), refresh=True)
    except Exception:  # noqa: BLE001 - a background refresh must never kill the process
        c.log.exception("background refresh of %s failed", hit.entry_id)
    finally:
        c.leases.release_refresh(hit.entry_id)


def fill(c: CacheLogic, req: Request, generate: Any, purpose: str, started: float, *,
         refresh: bool = False) -> Plan[Answer]:
    """Generate under the lease, or serve what the lease holder stored meanwhile."""
    token = new_token()
    lease = c.keys.lease(req.entry_id)
    try:
        while True:
            recheck = [] if refresh else [c.hit_call(req.entry_id, c.now())]
            *replies, got = yield pipe(c.ticket_call(req), *recheck, c.leases.claim(req.entry_id, token))
            hit = None if refresh else c.fresh_hit(req, replies[1], refresh)
            if hit is not None:
                if got:
                    yield from release_lease(c, lease, token)
                return served(c, req, hit, "waited", started, purpose)
            if got:
                try:
                    return (yield from generate_answer(c, req, generate, purpose, started,
                                                       ticket=c.ticket_from(req, replies[0])))
                finally:
                    yield from release_lease(c, lease, token)
            waited = yield from wait_for_holder(c, req, refresh)
            if isinstance(waited, Hit):
                return served(c, req, waited, "waited", started, purpose)
            if waited is _TIMED_OUT:
                (raw,) = yield pipe(c.ticket_call(req))
                return (yield from generate_answer(c, req, generate, purpose, started, ticket=c.ticket_from(req, raw)))
            # the holder finished without storing (or died): try the lease again
    except RedisError as e:
        c.redis_failed("get_or_generate", e)
        return (yield from generate_answer(c, req, generate, purpose, started, ticket=None, cache_error=c.err(e)))


def wait_for_holder(c: CacheLogic, req: Request, refresh: bool) -> Plan[Any]:
    """Poll with a growing backoff: the holder's Hit, None when the lease is free again, or _TIMED_OUT."""
    for sleep_s in c.leases.backoff_s():
        yield Sleep(sleep_s)
        reply, leased = yield pipe(c.hit_call(req.entry_id, c.now()), c.leases.held(req.entry_id))
        hit = c.fresh_hit(req, reply, refresh)
        if hit is not None:
            return hit
        if not leased:
            return None
    return _TIMED_OUT


def release_lease(c: CacheLogic, lease: str, token: str) -> Plan[None]:
    try:
        yield pipe(c.leases.release(lease, token))
    except RedisError as e:
        c.redis_failed("lease release", e)


def generate_answer(c: CacheLogic, req: Request, generate: Any, purpose: str, started: float, *,
                    ticket: GenTicket | None, cache_error: str | None = None) -> Plan[Answer]:
    t0 = time.perf_counter()
    result = yield Generate(generate, c.llm, req.prompt, req.context, req.params)
    gen = c.generation_of(result, time.perf_counter() - t0, req, purpose)
    entry_id = None
    if cache_error is None:
        try:
            entry_id = yield from store(c, req, gen.text, usage=gen, ticket=ticket, gen_s=time.perf_counter() - t0)
            cache_error = NOT_STORED if entry_id is None else None
        except RedisError as e:
            c.redis_failed("put", e)
            cache_error = c.err(e)
    return generated(c, req, gen, entry_id, started, cache_error, purpose)


# -- serving and counting --------------------------------------------------------------------------
def stale_ok(c: CacheLogic, hit: Hit) -> bool:
    return c.policy.may_serve_stale(hit.volatility, hit.stale_at, c.now())


def saved_usd(c: CacheLogic, hit: Hit) -> float:
    return max(0.0, hit.cost_usd - float(getattr(c.settings.llm, "hit_cost_usd", 0.0)))


def record_lookup(c: CacheLogic, outcome: str, req: Request, started: float, hit: Hit | None,
                  purpose: str = "user") -> None:
    c.counters[f"lookup:{outcome}"] += 1
    c.metric("lookup", outcome, req.query_type, time.perf_counter() - started,
             saved_usd(c, hit) if hit is not None else 0.0, purpose)


def served(c: CacheLogic, req: Request, hit: Hit, source: str, started: float, purpose: str = "user") -> Answer:
    record_lookup(c, source, req, started, hit, purpose)
    return Answer(text=hit.answer, source=source, entry_id=hit.entry_id, cost_usd=0.0, saved_usd=saved_usd(c, hit),
                  latency_s=time.perf_counter() - started, query_type=req.query_type or hit.query_type)


def generated(c: CacheLogic, req: Request, gen: Generation, entry_id: str | None, started: float,
              cache_error: str | None, purpose: str) -> Answer:
    record_lookup(c, "generated", req, started, None, purpose)
    return Answer(text=gen.text, source="generated", entry_id=entry_id, cost_usd=float(gen.cost_usd or 0.0),
                  saved_usd=0.0, latency_s=time.perf_counter() - started, query_type=req.query_type,
                  cache_error=cache_error)
