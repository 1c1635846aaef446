"""``AsyncAnswerCache``: the same cache on ``redis.asyncio``.

Semantics are those of :class:`netcache.engine.sync.AnswerCache` (see its docstring);
the analysis, Lua scripts, argv building, decoding and metrics come from
:class:`netcache.engine.logic.CacheLogic`, so only the awaiting differs. ``generate`` may
be a plain function or a coroutine function; ``llm`` is an ``AsyncLLMClient``.
Background refreshes of stale answers run as asyncio tasks (``aclose`` awaits them).
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable, Iterable
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from netcache.errors import BackendUnavailable
from netcache.engine.leases import backoff_schedule_s, new_token
from netcache.engine.querylog import QueryStat
from netcache.connections import make_async_redis
from netcache.engine.scripts import script_source
from netcache.engine.logic import INVALIDATE_BATCH, CacheLogic
from netcache.engine.records import Answer, EntryInfo, GenTicket, Hit, Request, entry_info_from_hash, hit_from_reply, to_text

__all__ = ["AsyncAnswerCache"]


class AsyncAnswerCache(CacheLogic):
    """The answer cache for asyncio code (one per event loop)."""

    def __init__(self, settings, *, redis: aioredis.Redis | None = None, embedder=None, llm=None,
                 metrics=None, inventory=None, namespace: str | None = None, clock=time.time) -> None:
        super().__init__(settings, embedder=embedder, llm=llm, metrics=metrics, inventory=inventory,
                         namespace=namespace, clock=clock)
        self.redis = redis if redis is not None else make_async_redis(settings)
        self._tasks: set[asyncio.Task] = set()
        self._index_lock = asyncio.Lock()

    async def _run(self, calls: list[tuple[str, list]], extra: Callable[[Any], None] | None = None) -> list:
        results = await self._queue(self.redis.pipeline(transaction=False), calls, extra).execute(raise_on_error=False)
        missing = self._unknown_scripts(results, calls)
        retried = []
        if missing:
            for name in {calls[i][0] for i in missing}:
                await self.redis.script_load(script_source(name))
            retried = await self._queue(self.redis.pipeline(transaction=False),
                                    [calls[i] for i in missing]).execute(raise_on_error=False)
        return self._merged(results, missing, retried)

    # -- lookups ------------------------------------------------------------------------------
    async def get(self, prompt: str, *, context: Any = None, params: Any = None) -> Hit | None:
        started = time.perf_counter()
        req = self._prepare(prompt, context=context, params=params)
        try:
            hit = await self._lookup(req)
        except RedisError as e:
            self._redis_failed("get", e)
            hit = None
        return self._finish_get(req, started, hit)

    async def _lookup(self, req: Request, *, record: bool = True, semantic: bool = True) -> Hit | None:
        now = self.now()
        calls = [("HIT", self._hit_argv(req.entry_id, now))]
        if record:
            calls.append(("RECORD_QUERY", self._record_argv(req, now)))
        replies = await self._run(calls)
        hit = hit_from_reply(replies[0], req.entry_id, "exact", 1.0, now)
        if hit is not None or not semantic or self.embedder is None:
            return hit
        await self._sync_index()
        for cand in self._candidates(req):
            now = self.now()
            reply = (await self._run([("HIT", self._hit_argv(cand.entry_id, now))]))[0]
            hit = hit_from_reply(reply, cand.entry_id, "semantic", cand.score, now)
            if hit is not None:
                return hit
            self.index.remove(cand.entry_id)
        return None

    async def _sync_index(self) -> None:
        if not self.index.due():
            return
        async with self._index_lock:
            if not self.index.due():
                return
            try:
                if not self.index.loaded:
                    await self._reload_index()
                while self.index.loaded:
                    pipe = self.redis.pipeline(transaction=False)
                    self._poll_commands(pipe)
                    epoch, info, entries = await pipe.execute(raise_on_error=False)
                    entries = self._ok(entries) or []
                    adds = self.index.after_poll(epoch, self._ok(info), entries)
                    if adds is None:
                        await self._reload_index()
                        break
                    if adds:
                        for eid, blob in zip(adds, await self.redis.hmget(self.keys.ix_vec, adds)):
                            self.index.add_record(eid, blob)
                    if len(entries) < self.POLL_COUNT:
                        break
                self.index.mark_synced()
            except RedisError as e:
                self._redis_failed("index sync", e)
                self.index.reset(None)

    async def _reload_index(self) -> None:
        await self.redis.set(self.keys.ix_epoch, new_token(), nx=True)
        epoch = await self.redis.get(self.keys.ix_epoch)
        last = await self.redis.xrevrange(self.keys.ix_log, count=1)
        self.index.reset(to_text(epoch), last_id=to_text(last[0][0]) if last else "0-0")
        async for eid, blob in self.redis.hscan_iter(self.keys.ix_vec, count=2000):
            self.index.add_record(to_text(eid), blob)
        self._index_loaded()

    # -- storing ------------------------------------------------------------------------------
    async def ticket(self, prompt: str, *, context: Any = None, params: Any = None,
                     volatility: str | None = None, tags: Iterable[str] = ()) -> GenTicket:
        req = self._prepare(prompt, context=context, params=params, volatility=volatility, tags=tags)
        return self._ticket_from(req, (await self._run([("TICKET", [self.keys.base, *req.tags])]))[0])

    async def put(self, prompt: str, answer: str, *, context: Any = None, params: Any = None,
                  volatility: str | None = None, tags: Iterable[str] = (), usage: Any = None,
                  ticket: GenTicket | None = None, tier: str | None = None, gen_s: float | None = None) -> str | None:
        req = self._prepare(prompt, context=context, params=params, volatility=volatility, tags=tags)
        try:
            return await self._store(req, answer, usage=usage, ticket=ticket, tier=tier, gen_s=gen_s)
        except RedisError as e:
            self._redis_failed("put", e)
            return None

    async def _store(self, req: Request, answer: str, *, usage: Any, ticket: GenTicket | None,
                     tier: str | None = None, gen_s: float | None = None) -> str | None:
        argv, vector = self._put_plan(req, answer, usage=usage, ticket=ticket, tier=tier, gen_s=gen_s)
        return self._after_put(req, (await self._run([("PUT", argv)]))[0], vector)

    # -- get_or_generate ----------------------------------------------------------------------
    async def get_or_generate(self, prompt: str, *, context: Any = None, params: Any = None,
                              volatility: str | None = None, tags: Iterable[str] = (),
                              generate: Callable[[str], Any] | None = None, purpose: str = "user") -> Answer:
        started = time.perf_counter()
        req = self._prepare(prompt, context=context, params=params, volatility=volatility, tags=tags)
        try:
            # warming/refreshing wants this very question stored: exact hits only, and no ranking
            user = purpose == "user"
            hit = await self._lookup(req, record=user, semantic=user)
        except RedisError as e:
            self._redis_failed("get_or_generate", e)
            return await self._generate(req, generate, purpose, started, ticket=None, cache_error=self._err(e))
        if hit is not None and not hit.stale:
            return self._served(req, hit, hit.kind, started, purpose)
        if hit is not None and self._stale_ok(hit):
            if self._claim_refresh(hit.entry_id):
                task = asyncio.create_task(self._finish_refresh_async(req, hit, generate))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            return self._served(req, hit, "stale", started, purpose)
        return await self._fill(req, generate, purpose, started)

    async def refresh(self, prompt: str, *, context: Any = None, params: Any = None,
                      volatility: str | None = None, tags: Iterable[str] = (),
                      generate: Callable[[str], Any] | None = None, purpose: str = "refresh") -> Answer:
        req = self._prepare(prompt, context=context, params=params, volatility=volatility, tags=tags)
        return await self._fill(req, generate, purpose, time.perf_counter(), refresh=True)

    async def _finish_refresh_async(self, req: Request, hit: Hit, generate) -> None:
        try:
            target = req if hit.kind == "exact" else self._request_for_entry(await self.entry(hit.entry_id))
            if target is not None:
                await self._fill(target, generate, "refresh", time.perf_counter(), refresh=True)
        except Exception:  # noqa: BLE001 - a background refresh must never kill the loop
            self.log.exception("background refresh of %s failed", hit.entry_id)
        finally:
            self._release_refresh(hit.entry_id)

    async def _fill(self, req: Request, generate, purpose: str, started: float, *, refresh: bool = False) -> Answer:
        token = new_token()
        sleeps = backoff_schedule_s(self.cs.lease_wait_ms)
        lease = self.keys.lease(req.entry_id)
        try:
            while True:
                *replies, got = await self._run(self._claim_calls(req, refresh),
                                           extra=lambda p: p.set(lease, token, nx=True, px=self.cs.lease_ttl_ms))
                hit = None if refresh else self._fresh_hit(req, replies[1], refresh)
                if hit is not None:
                    if got:
                        await self._release(lease, token)
                    return self._served(req, hit, "waited", started, purpose)
                if got:
                    try:
                        return await self._generate(req, generate, purpose, started,
                                                    ticket=self._ticket_from(req, replies[0]))
                    finally:
                        await self._release(lease, token)
                for sleep_s in sleeps:
                    await asyncio.sleep(sleep_s)
                    reply, leased = await self._run([("HIT", self._hit_argv(req.entry_id, self.now()))],
                                                    extra=lambda p: p.exists(lease))
                    hit = self._fresh_hit(req, reply, refresh)
                    if hit is not None:
                        return self._served(req, hit, "waited", started, purpose)
                    if not leased:
                        break  # the holder finished without storing (or died): try the lease again
                else:
                    raw_gens = (await self._run([("TICKET", [self.keys.base, *req.tags])]))[0]
                    return await self._generate(req, generate, purpose, started,
                                                ticket=self._ticket_from(req, raw_gens))
        except RedisError as e:
            self._redis_failed("get_or_generate", e)
            return await self._generate(req, generate, purpose, started, ticket=None, cache_error=self._err(e))

    async def _release(self, lease: str, token: str) -> None:
        try:
            await self.redis.eval(script_source("RELEASE_LEASE"), 1, lease, token)
        except RedisError as e:
            self._redis_failed("lease release", e)

    async def _generate(self, req: Request, generate, purpose: str, started: float, *,
                        ticket: GenTicket | None, cache_error: str | None = None) -> Answer:
        t0 = time.perf_counter()
        result = self._call_generate(req, generate)
        if inspect.isawaitable(result):
            result = await result
        text, usage = self._result(result, time.perf_counter() - t0, req, purpose)
        entry_id = None
        if cache_error is None:
            try:
                entry_id = await self._store(req, text, usage=usage, ticket=ticket, gen_s=time.perf_counter() - t0)
                cache_error = self._not_stored(entry_id)
            except RedisError as e:
                self._redis_failed("put", e)
                cache_error = self._err(e)
        return self._generated(req, text, usage, entry_id, started, cache_error, purpose)

    # -- invalidation and admin ---------------------------------------------------------------
    async def invalidate(self, tags: Iterable[str], *, mode: str = "hard") -> int:
        tags, mode = self._check_invalidation(tags, mode)
        try:
            members = [to_text(m) for m in (await self._run([("BUMP_TAGS", [self.keys.base, *tags])]))[0]]
        except RedisError as e:
            raise BackendUnavailable(f"invalidate {tags}: {self._err(e)}") from e
        return await self.invalidate_entries(members, mode=mode)

    async def invalidate_entries(self, entry_ids: list[str], *, mode: str = "hard",
                                 tags: Iterable[str] = ()) -> int:
        tags, mode = self._check_invalidation(tags, mode, allow_empty=True)
        n = 0
        try:
            if tags:
                await self._run([("BUMP_TAGS", [self.keys.base, *tags])])
            for i in range(0, len(entry_ids), INVALIDATE_BATCH):
                chunk = list(entry_ids[i:i + INVALIDATE_BATCH])
                n += (await self._run([("INVALIDATE_ENTRIES", self._invalidate_argv(mode, chunk))]))[0]
                self._forget(chunk, mode)
        except RedisError as e:
            raise BackendUnavailable(f"invalidate entries: {self._err(e)}") from e
        return n

    async def tag_members(self, tag: str) -> list[str]:
        try:
            return sorted(to_text(m) for m in await self.redis.smembers(self.keys.tag(tag)))
        except RedisError as e:
            raise BackendUnavailable(f"tag_members {tag}: {self._err(e)}") from e

    async def entry(self, entry_id: str) -> EntryInfo | None:
        try:
            info = entry_info_from_hash(entry_id, await self.redis.hgetall(self.keys.entry(entry_id)))
        except RedisError as e:
            raise BackendUnavailable(f"entry {entry_id}: {self._err(e)}") from e
        return info if info is not None and info.expires_at > self.now() else None

    async def top_queries(self, n: int = 100) -> list[QueryStat]:
        try:
            rows = await self.redis.zrevrange(self.keys.q_top, 0, n - 1, withscores=True)
            if not rows:
                return []
            members = [to_text(m) for m, _ in rows]
            replies = await self._top_pipeline(self.redis.pipeline(transaction=False), members).execute()
        except RedisError as e:
            raise BackendUnavailable(f"top_queries: {self._err(e)}") from e
        return self._top_result(rows, members, replies)

    async def stats(self) -> dict:
        try:
            hot, warm, cold, raw = await self._stats_pipeline(self.redis.pipeline(transaction=False)).execute()
        except RedisError as e:
            raise BackendUnavailable(f"stats: {self._err(e)}") from e
        return self._stats_dict(hot, warm, cold, raw)

    async def drop_namespace(self) -> int:
        pattern = self._namespace_pattern()
        keys = []
        try:
            async for key in self.redis.scan_iter(match=pattern, count=1000):
                keys.append(key)
            n = 0
            for i in range(0, len(keys), 500):
                n += await self.redis.unlink(*keys[i:i + 500])
        except RedisError as e:
            raise BackendUnavailable(f"drop_namespace: {self._err(e)}") from e
        self.index.reset(None)
        return n

    async def aclose(self) -> None:
        """Await background refreshes."""
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
