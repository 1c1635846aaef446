"""``AnswerCache``: the public, synchronous cache API (Redis-backed, shared by every process).

Lookup: exact first (one Lua round trip that also records the question in the
query log), then semantic: the question's embedding is compared only with the
entries of its group (same entities, context, params, embedder) in the
in-process :class:`~cache.vector_index.VectorIndex`; candidates above the
threshold must pass :func:`~cache.guard.guard` and are verified in Redis before
they are served. Never KEYS/SCAN on the hot path.

Misses in ``get_or_generate`` generate under a lease (one LLM call per question
across threads and processes), store with a :class:`~cache.store.GenTicket`
(no stale sets), and serve soft-invalidated answers while one background
refresh runs where the volatility class allows it.

``purpose`` other than ``"user"`` (warm, refresh, seed) takes exact hits only (warming
exists to store that very question) and is neither ranked in the query log nor
counted in the users' hit rate.

Redis failures: ``get`` returns None, ``get_or_generate`` still answers from the
LLM (``Answer.cache_error`` says why it was not cached); admin calls
(``invalidate``, ``entry``, ``stats`` …) raise :class:`~cache.errors.BackendUnavailable`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import redis as redis_lib
from redis.exceptions import RedisError

from netcache.errors import BackendUnavailable
from netcache.engine.leases import backoff_schedule_s, new_token
from netcache.engine.querylog import QueryStat
from netcache.connections import make_redis
from netcache.engine.scripts import script_source
from netcache.engine.logic import INVALIDATE_BATCH, CacheLogic
from netcache.engine.records import Answer, EntryInfo, GenTicket, Hit, Request, entry_info_from_hash, hit_from_reply, to_text

__all__ = ["AnswerCache", "Answer", "Hit", "EntryInfo", "GenTicket", "QueryStat"]


class AnswerCache(CacheLogic):
    """The answer cache (see the module docstring). Thread-safe; one per process is enough."""

    def __init__(self, settings, *, redis: redis_lib.Redis | None = None, embedder=None, llm=None,
                 metrics=None, inventory=None, namespace: str | None = None, clock=time.time) -> None:
        super().__init__(settings, embedder=embedder, llm=llm, metrics=metrics, inventory=inventory,
                         namespace=namespace, clock=clock)
        self.redis = redis if redis is not None else make_redis(settings)
        self._threads: list[threading.Thread] = []
        self._index_lock = threading.Lock()

    def _default_embedder(self):
        from netcache.matching.embedder import make_embedder  # loads onnxruntime: only when a cache needs it
        return make_embedder(self.settings, self.redis)  # embeddings cached in Redis by text hash

    # -- Lua over pipelines (one round trip; reload scripts after a Redis restart) ----------------
    def _run(self, calls: list[tuple[str, list]], extra: Callable[[Any], None] | None = None) -> list:
        """Run scripts (by SHA) plus ``extra`` commands in one pipeline; scripts Redis does not
        know (first use, or after a restart) are loaded and only they are run again."""
        results = self._queue(self.redis.pipeline(transaction=False), calls, extra).execute(raise_on_error=False)
        missing = self._unknown_scripts(results, calls)
        retried = []
        if missing:
            for name in {calls[i][0] for i in missing}:
                self.redis.script_load(script_source(name))
            retried = self._queue(self.redis.pipeline(transaction=False),
                                    [calls[i] for i in missing]).execute(raise_on_error=False)
        return self._merged(results, missing, retried)

    # -- lookups ------------------------------------------------------------------------------
    def get(self, prompt: str, *, context: Any = None, params: Any = None) -> Hit | None:
        """A cached answer (exact, then semantic) or None. Never raises for Redis trouble."""
        started = time.perf_counter()
        req = self._prepare(prompt, context=context, params=params)
        try:
            hit = self._lookup(req)
        except RedisError as e:
            self._redis_failed("get", e)
            hit = None
        return self._finish_get(req, started, hit)

    def _lookup(self, req: Request, *, record: bool = True, semantic: bool = True) -> Hit | None:
        now = self.now()
        calls = [("HIT", self._hit_argv(req.entry_id, now))]
        if record:
            calls.append(("RECORD_QUERY", self._record_argv(req, now)))
        hit = hit_from_reply(self._run(calls)[0], req.entry_id, "exact", 1.0, now)
        if hit is not None or not semantic:
            return hit
        return self._semantic(req)

    def _semantic(self, req: Request) -> Hit | None:
        if self.embedder is None:
            return None
        self._sync_index()
        for cand in self._candidates(req):
            now = self.now()
            hit = hit_from_reply(self._run([("HIT", self._hit_argv(cand.entry_id, now))])[0],
                                 cand.entry_id, "semantic", cand.score, now)
            if hit is not None:
                return hit
            self.index.remove(cand.entry_id)  # Redis lost or expired it: never serve it
        return None

    # -- the index mirror -------------------------------------------------------------------------
    def _sync_index(self) -> None:
        if not self.index.due():
            return
        with self._index_lock:
            if not self.index.due():
                return
            try:
                if not self.index.loaded:
                    self._reload_index()
                while self.index.loaded:
                    pipe = self.redis.pipeline(transaction=False)
                    self._poll_commands(pipe)
                    epoch, info, entries = pipe.execute(raise_on_error=False)
                    adds = self.index.after_poll(epoch, self._ok(info), self._ok(entries) or [])
                    if adds is None:
                        self._reload_index()
                        break
                    if adds:
                        for eid, blob in zip(adds, self.redis.hmget(self.keys.ix_vec, adds)):
                            self.index.add_record(eid, blob)
                    if len(self._ok(entries) or []) < self.POLL_COUNT:
                        break
                self.index.mark_synced()
            except RedisError as e:
                self._redis_failed("index sync", e)
                self.index.reset(None)

    def _reload_index(self) -> None:
        self.redis.set(self.keys.ix_epoch, new_token(), nx=True)
        epoch = self.redis.get(self.keys.ix_epoch)
        last = self.redis.xrevrange(self.keys.ix_log, count=1)
        self.index.reset(to_text(epoch), last_id=to_text(last[0][0]) if last else "0-0")
        for eid, blob in self.redis.hscan_iter(self.keys.ix_vec, count=2000):
            self.index.add_record(to_text(eid), blob)
        self._index_loaded()

    # -- storing ------------------------------------------------------------------------------
    def ticket(self, prompt: str, *, context: Any = None, params: Any = None, volatility: str | None = None,
               tags: Iterable[str] = ()) -> GenTicket:
        """Capture the generation counters of the question's tags before generating its answer."""
        req = self._prepare(prompt, context=context, params=params, volatility=volatility, tags=tags)
        return self._ticket_from(req, self._run([("TICKET", [self.keys.base, *req.tags])])[0])

    def put(self, prompt: str, answer: str, *, context: Any = None, params: Any = None,
            volatility: str | None = None, tags: Iterable[str] = (), usage: Any = None,
            ticket: GenTicket | None = None, tier: str | None = None, gen_s: float | None = None) -> str | None:
        """Store an answer; the entry id, or None when discarded (a ticket tag was invalidated
        meanwhile) or Redis is unavailable (counted, logged)."""
        req = self._prepare(prompt, context=context, params=params, volatility=volatility, tags=tags)
        try:
            return self._store(req, answer, usage=usage, ticket=ticket, tier=tier, gen_s=gen_s)
        except RedisError as e:
            self._redis_failed("put", e)
            return None

    def _store(self, req: Request, answer: str, *, usage: Any, ticket: GenTicket | None,
               tier: str | None = None, gen_s: float | None = None) -> str | None:
        argv, vector = self._put_plan(req, answer, usage=usage, ticket=ticket, tier=tier, gen_s=gen_s)
        return self._after_put(req, self._run([("PUT", argv)])[0], vector)

    # -- get_or_generate ----------------------------------------------------------------------
    def get_or_generate(self, prompt: str, *, context: Any = None, params: Any = None,
                        volatility: str | None = None, tags: Iterable[str] = (),
                        generate: Callable[[str], Any] | None = None, purpose: str = "user") -> Answer:
        """The cached answer, or one generated under the lease (and cached)."""
        started = time.perf_counter()
        req = self._prepare(prompt, context=context, params=params, volatility=volatility, tags=tags)
        try:
            # warming/refreshing wants this very question stored: exact hits only, and no ranking
            user = purpose == "user"
            hit = self._lookup(req, record=user, semantic=user)
        except RedisError as e:
            self._redis_failed("get_or_generate", e)
            return self._generate(req, generate, purpose, started, ticket=None, cache_error=self._err(e))
        if hit is not None and not hit.stale:
            return self._served(req, hit, hit.kind, started, purpose)
        if hit is not None and self._stale_ok(hit):
            self._refresh_in_background(req, hit, generate)
            return self._served(req, hit, "stale", started, purpose)
        return self._fill(req, generate, purpose, started)

    def refresh(self, prompt: str, *, context: Any = None, params: Any = None, volatility: str | None = None,
                tags: Iterable[str] = (), generate: Callable[[str], Any] | None = None,
                purpose: str = "refresh") -> Answer:
        """Regenerate an answer under the lease, whatever is cached (warming, nightly refresh)."""
        req = self._prepare(prompt, context=context, params=params, volatility=volatility, tags=tags)
        return self._fill(req, generate, purpose, time.perf_counter(), refresh=True)

    def _fill(self, req: Request, generate, purpose: str, started: float, *, refresh: bool = False) -> Answer:
        token = new_token()
        sleeps = backoff_schedule_s(self.cs.lease_wait_ms)
        lease = self.keys.lease(req.entry_id)
        try:
            while True:
                *replies, got = self._run(self._claim_calls(req, refresh),
                                           extra=lambda p: p.set(lease, token, nx=True, px=self.cs.lease_ttl_ms))
                hit = None if refresh else self._fresh_hit(req, replies[1], refresh)
                if hit is not None:
                    if got:
                        self._release(lease, token)
                    return self._served(req, hit, "waited", started, purpose)
                if got:
                    try:
                        return self._generate(req, generate, purpose, started,
                                                    ticket=self._ticket_from(req, replies[0]))
                    finally:
                        self._release(lease, token)
                for sleep_s in sleeps:
                    time.sleep(sleep_s)
                    reply, leased = self._run([("HIT", self._hit_argv(req.entry_id, self.now()))],
                                                    extra=lambda p: p.exists(lease))
                    hit = self._fresh_hit(req, reply, refresh)
                    if hit is not None:
                        return self._served(req, hit, "waited", started, purpose)
                    if not leased:
                        break  # the holder finished without storing (or died): try the lease again
                else:
                    raw_gens = (self._run([("TICKET", [self.keys.base, *req.tags])]))[0]
                    return self._generate(req, generate, purpose, started,
                                                ticket=self._ticket_from(req, raw_gens))
        except RedisError as e:
            self._redis_failed("get_or_generate", e)
            return self._generate(req, generate, purpose, started, ticket=None, cache_error=self._err(e))

    def _release(self, lease: str, token: str) -> None:
        try:
            self.redis.eval(script_source("RELEASE_LEASE"), 1, lease, token)
        except RedisError as e:
            self._redis_failed("lease release", e)

    def _generate(self, req: Request, generate, purpose: str, started: float, *, ticket: GenTicket | None,
                  cache_error: str | None = None) -> Answer:
        t0 = time.perf_counter()
        result = self._call_generate(req, generate)
        text, usage = self._result(result, time.perf_counter() - t0, req, purpose)
        entry_id = None
        if cache_error is None:
            try:
                entry_id = self._store(req, text, usage=usage, ticket=ticket, gen_s=time.perf_counter() - t0)
                cache_error = self._not_stored(entry_id)
            except RedisError as e:
                self._redis_failed("put", e)
                cache_error = self._err(e)
        return self._generated(req, text, usage, entry_id, started, cache_error, purpose)

    def _refresh_in_background(self, req: Request, hit: Hit, generate) -> None:
        """Start one refresh of a stale entry (others find the lease taken and keep serving stale)."""
        def run() -> None:
            try:
                target = req if hit.kind == "exact" else self._request_for_entry(self.entry(hit.entry_id))
                if target is not None:
                    self._fill(target, generate, "refresh", time.perf_counter(), refresh=True)
            except Exception:  # noqa: BLE001 - a background refresh must never kill the process
                self.log.exception("background refresh of %s failed", hit.entry_id)

        if not self._claim_refresh(hit.entry_id):
            return
        t = threading.Thread(target=self._finish_refresh, args=(hit.entry_id, run), daemon=True,
                             name=f"netcache-refresh-{hit.entry_id[:8]}")
        self._threads = [x for x in self._threads if x.is_alive()] + [t]
        t.start()

    # -- invalidation and admin ---------------------------------------------------------------
    def invalidate(self, tags: Iterable[str], *, mode: str = "hard") -> int:
        """Invalidate every entry carrying any of ``tags``; returns how many entries were affected."""
        tags, mode = self._check_invalidation(tags, mode)
        try:
            members = [to_text(m) for m in self._run([("BUMP_TAGS", [self.keys.base, *tags])])[0]]
        except RedisError as e:
            raise BackendUnavailable(f"invalidate {tags}: {self._err(e)}") from e
        return self.invalidate_entries(members, mode=mode)

    def invalidate_entries(self, entry_ids: list[str], *, mode: str = "hard", tags: Iterable[str] = ()) -> int:
        """Invalidate a batch of entries (the worker's gradual invalidation). ``tags`` are the tags
        being invalidated: their generations are bumped first so in-flight answers are not stored."""
        tags, mode = self._check_invalidation(tags, mode, allow_empty=True)
        n = 0
        try:
            if tags:
                self._run([("BUMP_TAGS", [self.keys.base, *tags])])
            for i in range(0, len(entry_ids), INVALIDATE_BATCH):
                chunk = list(entry_ids[i:i + INVALIDATE_BATCH])
                n += self._run([("INVALIDATE_ENTRIES", self._invalidate_argv(mode, chunk))])[0]
                self._forget(chunk, mode)
        except RedisError as e:
            raise BackendUnavailable(f"invalidate entries: {self._err(e)}") from e
        return n

    def tag_members(self, tag: str) -> list[str]:
        try:
            return sorted(to_text(m) for m in self.redis.smembers(self.keys.tag(tag)))
        except RedisError as e:
            raise BackendUnavailable(f"tag_members {tag}: {self._err(e)}") from e

    def entry(self, entry_id: str) -> EntryInfo | None:
        try:
            info = entry_info_from_hash(entry_id, self.redis.hgetall(self.keys.entry(entry_id)))
        except RedisError as e:
            raise BackendUnavailable(f"entry {entry_id}: {self._err(e)}") from e
        return info if info is not None and info.expires_at > self.now() else None

    def top_queries(self, n: int = 100) -> list[QueryStat]:
        """The most asked questions (decayed counts), with their cached entry id or None."""
        try:
            rows = self.redis.zrevrange(self.keys.q_top, 0, n - 1, withscores=True)
            if not rows:
                return []
            members = [to_text(m) for m, _ in rows]
            replies = self._top_pipeline(self.redis.pipeline(transaction=False), members).execute()
        except RedisError as e:
            raise BackendUnavailable(f"top_queries: {self._err(e)}") from e
        return self._top_result(rows, members, replies)

    def stats(self) -> dict:
        """Entries per tier, total, evictions, discarded stale sets, this process's counters."""
        try:
            hot, warm, cold, raw = self._stats_pipeline(self.redis.pipeline(transaction=False)).execute()
        except RedisError as e:
            raise BackendUnavailable(f"stats: {self._err(e)}") from e
        return self._stats_dict(hot, warm, cold, raw)

    def drop_namespace(self) -> int:
        """Delete every key of this (scratch) namespace. Admin only: it scans."""
        pattern = self._namespace_pattern()
        n = 0
        try:
            batch = []
            for key in self.redis.scan_iter(match=pattern, count=1000):
                batch.append(key)
                if len(batch) >= 500:
                    n += self.redis.unlink(*batch)
                    batch = []
            if batch:
                n += self.redis.unlink(*batch)
        except RedisError as e:
            raise BackendUnavailable(f"drop_namespace: {self._err(e)}") from e
        self.index.reset(None)
        return n

    def sweep(self, batch: int = 1000) -> int:
        """Remove index and tier records of entries Redis expired on its own (their vectors and
        tier memberships outlive them). Admin/maintenance only: it scans. Returns how many."""
        removed: set[str] = set()
        try:
            for ids in self._sweep_batches(batch):
                ids = [eid for eid in dict.fromkeys(ids) if eid not in removed]
                pipe = self.redis.pipeline(transaction=False)
                for eid in ids:
                    pipe.exists(self.keys.entry(eid))
                ghosts = [eid for eid, ex in zip(ids, pipe.execute()) if not ex]
                if ghosts:
                    self._run([("INVALIDATE_ENTRIES", self._invalidate_argv("hard", ghosts))])
                    self._forget(ghosts, "hard")
                    removed.update(ghosts)
        except RedisError as e:
            raise BackendUnavailable(f"sweep: {self._err(e)}") from e
        return len(removed)

    def _sweep_batches(self, batch: int):
        seen: list[str] = []
        sources = [lambda: (k for k, _ in self.redis.hscan_iter(self.keys.ix_vec, count=batch)),
                   lambda: (m for m, _ in self.redis.zscan_iter(self.keys.tier("hot"), count=batch)),
                   lambda: (m for m, _ in self.redis.zscan_iter(self.keys.tier("warm"), count=batch)),
                   lambda: self.redis.sscan_iter(self.keys.tier("cold"), count=batch)]
        for source in sources:
            for member in source():
                seen.append(to_text(member))
                if len(seen) >= batch:
                    yield seen
                    seen = []
        if seen:
            yield seen

    def close(self, timeout_s: float = 10.0) -> None:
        """Wait for background refreshes to finish."""
        for t in list(self._threads):
            t.join(timeout_s)
        self._threads = []
