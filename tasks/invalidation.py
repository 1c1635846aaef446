"""Gradual invalidation: by surrogate tags, in batches with pauses, most-asked first.

``run_invalidation`` is the logic behind the ``netcache.invalidate`` task (the
task only builds clients and calls it; tests call it directly):

1. bump the tags' generation counters (answers being generated now will not
   be stored), then collect the affected entries from the tags' members
   (``tag_members``; the cost grows with the entries affected, never with the
   size of the cache);
2. order them by popularity (the query log's decayed score, then hits) and
   keep the most-asked ones (up to ``warm_limit``) as the re-warm plan, stored
   in the progress hash *before* anything is deleted;
3. invalidate them in batches of ``batch_size`` with ``pause_ms`` between
   batches (default 100 entries, 100 ms), hard (delete) or soft (mark stale),
   reporting progress after every batch;
4. hand the re-warm plan (most-asked first, then the rule's critical
   questions) to ``enqueue_warm`` right after the batch that held the last
   planned entry, so the popular answers come back first.

Only what was asked: with ``only_asked`` (the default; an operator's ``netcache invalidate
--warm N`` turns it off) the re-warm plan holds only entries the query log has seen (among
its 1,000 most asked questions): an answer nobody asked for is not regenerated. A soft
invalidation leaves alone answers a warm-up generated less than ``warm_burst_s`` before it
(their metadata says ``warmed``): they were generated after the burst of events began, so a
flap storm's warm → soft-invalidate → warm again costs one LLM call, not three.

Progress lives in the hash ``{prefix}:w:progress:{action_id}`` (``status``,
``total``, ``done``, ``batches``, ``warm_plan``, ``reason`` …, on the worker state Redis, kept an hour after the last step, the plan cut at 32 KiB);
the ids of recent actions in the list ``{prefix}:w:actions``.

Idempotent: a hard-invalidated entry leaves its tag sets, so a second run (or
a redelivery after a worker was killed mid-way: the task is ``acks_late``)
finds only what is left, keeps the stored re-warm plan and completes; a soft
run re-marks entries stale, which is harmless; a run whose action is already
``done`` returns the stored result.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import redis

from netcache.errors import ConfigError
from netcache.keys import WorkerKeys

__all__ = [
    "InvalidationResult",
    "CacheLike",
    "progress_key",
    "read_progress",
    "order_by_popularity",
    "asked_scores",
    "run_invalidation",
    "PROGRESS_TTL_S",
]

log = logging.getLogger(__name__)

#: Progress hashes (``{prefix}:w:progress:{id}``, on the worker's state Redis) live an hour after
#: their last step: as long as the dispatcher's action markers, longer than any run (30 min limit).
PROGRESS_TTL_S = 3600
#: The saved re-warm plan is cut to this many bytes of JSON (the hash stays small whatever the prompts).
PROGRESS_PLAN_MAX_BYTES = 32_768
#: How many recent action ids ``{prefix}:w:actions`` keeps.
RECENT_ACTIONS = 200
_MODES = ("hard", "soft")


class CacheLike(Protocol):
    """What invalidation needs from ``netcache.engine.sync.AnswerCache``."""

    def tag_members(self, tag: str) -> list[str]: ...
    def invalidate_entries(self, entry_ids: list[str], *, mode: str = "hard", tags: Iterable[str] = ()) -> int: ...
    def entry(self, entry_id: str) -> Any: ...
    def top_queries(self, n: int = 100) -> list[Any]: ...


@dataclass
class InvalidationResult:
    """What one run did (returned by the task as a dict)."""

    action_id: str
    tags: list[str]
    mode: str
    total: int = 0
    invalidated: int = 0
    batches: int = 0
    pause_s: float = 0.0
    warm_enqueued: int = 0
    status: str = "done"
    reason: str = ""
    warm_plan: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def progress_key(prefix: str, action_id: str) -> str:
    return WorkerKeys(prefix).progress(action_id)


def read_progress(redis_client: redis.Redis, prefix: str, action_id: str) -> dict[str, str]:
    """The progress hash of one action, decoded (empty when unknown)."""
    raw = redis_client.hgetall(progress_key(prefix, action_id))
    return {k.decode(): v.decode() for k, v in raw.items()}


def _question_of(info: Any) -> dict | None:
    """The re-askable question of a cached entry (``None`` if the entry is gone)."""
    if info is None:
        return None
    q = {"prompt": info.prompt}
    if getattr(info, "context", None):
        q["context"] = info.context
    if getattr(info, "params", None):
        q["params"] = info.params
    return q


def _warmed(raw: Any) -> bool:
    try:
        return bool(json.loads(raw or "{}").get("warmed"))
    except (ValueError, AttributeError):
        return False


def _stats(cache: CacheLike, entry_ids: Sequence[str]) -> list[tuple[int, float, bool] | None]:
    """``(hits, created_at, warmed)`` of many entries (None = gone): one pipelined HMGET per 1,000
    when the cache exposes its Redis client and key layout, else ``cache.entry`` one by one."""
    keys = getattr(cache, "keys", None)
    client = getattr(cache, "redis", None)
    if keys is None or client is None or not hasattr(keys, "entry"):
        infos = [cache.entry(eid) for eid in entry_ids]
        return [None if i is None else (int(getattr(i, "hits", 0) or 0), float(getattr(i, "created_at", 0) or 0),
                                        bool((getattr(i, "metadata", None) or {}).get("warmed")))
                for i in infos]
    out: list[tuple[int, float, bool] | None] = []
    for start in range(0, len(entry_ids), 1000):
        pipe = client.pipeline(transaction=False)
        for eid in entry_ids[start:start + 1000]:
            pipe.hmget(keys.entry(eid), ["hits", "created_at", "prompt", "metadata"])
        for hits, created_at, prompt, metadata in pipe.execute():
            out.append(None if prompt is None else (int(float(hits or 0)), float(created_at or 0),
                                                    _warmed(metadata)))
    return out


def asked_scores(cache: CacheLike, top_n: int = 1000) -> dict[str, float]:
    """Entry id → query-log score of the ``top_n`` most asked questions that are cached now."""
    scores: dict[str, float] = {}
    try:
        for stat in cache.top_queries(top_n):
            if getattr(stat, "entry_id", None):
                scores[stat.entry_id] = float(stat.score)
    except AttributeError:  # a cache without a query log: hits alone decide
        pass
    return scores


def order_by_popularity(cache: CacheLike, entry_ids: Sequence[str], *, top_n: int = 1000,
                        created_before: float | None = None, scores: dict[str, float] | None = None,
                        keep_warmed_after: float | None = None) -> list[str]:
    """``entry_ids`` most-asked first (query-log score, then hits); vanished entries last.

    With ``created_before``, entries created after it are left out: they were generated after
    the tags' generations were bumped, so they are already fresh (e.g. re-warmed by this action).
    With ``keep_warmed_after``, so are entries a warm-up generated after that time (the same burst).
    """
    if scores is None:
        scores = asked_scores(cache, top_n)
    pairs = [(eid, st) for eid, st in zip(entry_ids, _stats(cache, entry_ids))
             if (created_before is None or st is None or st[1] <= created_before)
             and (keep_warmed_after is None or st is None or not (st[2] and st[1] >= keep_warmed_after))]

    def key(pair: tuple[str, tuple[int, float, bool] | None]) -> tuple[int, float, int, str]:
        eid, st = pair
        if st is None:
            return (1, 0.0, 0, eid)
        return (0, -scores.get(eid, 0.0), -st[0], eid)

    return [eid for eid, _ in sorted(pairs, key=key)]


def _bounded_json(items: list[dict], max_bytes: int) -> str:
    """``json.dumps(items)``, dropping items from the end until it fits in ``max_bytes``."""
    text = json.dumps(items)
    while len(text) > max_bytes and items:
        items = items[:-1]
        text = json.dumps(items)
    return text


def _dedupe(questions: Iterable[dict]) -> list[dict]:
    seen: set[str] = set()
    out: list[dict] = []
    for q in questions:
        sig = json.dumps([q.get("prompt"), q.get("context"), q.get("params")], sort_keys=True, default=str)
        if sig not in seen:
            seen.add(sig)
            out.append(q)
    return out


def run_invalidation(
    cache: CacheLike,
    redis_client: redis.Redis,
    *,
    tags: Sequence[str],
    mode: str = "hard",
    warm: Sequence[dict] = (),
    reason: str = "",
    action_id: str | None = None,
    batch_size: int = 100,
    pause_ms: int = 100,
    warm_limit: int = 20,
    prefix: str = "nc",
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.time,
    on_progress: Callable[[int, int], None] | None = None,
    enqueue_warm: Callable[[list[dict], str, str], Any] | None = None,
    only_asked: bool = False,
    warm_burst_s: float = 0.0,
) -> InvalidationResult:
    """Invalidate every entry carrying one of ``tags``, gradually; see the module docstring."""
    if mode not in _MODES:
        raise ConfigError(f"invalidation mode must be one of {_MODES}, got {mode!r}")
    if batch_size < 1:
        raise ConfigError(f"invalidate_batch_size must be at least 1, got {batch_size}")
    tags = [str(t) for t in tags]
    if not tags:
        raise ConfigError("invalidation needs at least one tag")
    action_id = action_id or uuid.uuid4().hex
    key = progress_key(prefix, action_id)
    previous = read_progress(redis_client, prefix, action_id)
    if previous.get("status") == "done":
        log.info("invalidation %s already done (%s of %s): nothing to do", action_id,
                 previous.get("done"), previous.get("total"))
        return InvalidationResult(
            action_id=action_id, tags=tags, mode=mode, total=int(previous.get("total", 0)),
            invalidated=0, batches=0, status="already-done", reason=reason,
            warm_plan=json.loads(previous.get("warm_plan", "[]")))

    # 0. bump the tags' generations first: an answer being generated right now is discarded when
    #    it is stored, and one stored before the bump is in the tag sets read next (a redelivery
    #    keeps the first run's bump, so the re-warm-ups it started are not discarded)
    if "bumped_at" in previous:
        bumped_at = float(previous["bumped_at"])
    else:
        cache.invalidate_entries([], mode=mode, tags=tags)
        bumped_at = clock()
        redis_client.hset(key, mapping={"action_id": action_id, "status": "running",
                                        "bumped_at": f"{bumped_at:.6f}"})
        redis_client.expire(key, PROGRESS_TTL_S)
    # 1. the affected entries (union of the tags' members), minus those created since the bump
    affected: list[str] = sorted({eid for tag in tags for eid in cache.tag_members(tag)})
    # 2. most-asked first; the re-warm plan is saved before anything is deleted
    scores = asked_scores(cache)
    ordered = order_by_popularity(cache, affected, created_before=bumped_at, scores=scores,
                                  keep_warmed_after=bumped_at - warm_burst_s if mode == "soft" and warm_burst_s
                                  else None)
    plan_ids = [eid for eid in ordered if not only_asked or scores.get(eid, 0.0) > 0][:max(0, warm_limit)]
    if "warm_plan" in previous:  # a redelivery: the first run saw the entries now gone
        plan = json.loads(previous["warm_plan"])
        already_done = int(previous.get("done", 0))
    else:
        plan = [q for q in (_question_of(cache.entry(eid)) for eid in plan_ids) if q]
        if mode == "soft":
            for q in plan:
                q["refresh"] = True  # the stale entry is still there: regenerate it, don't serve it
        already_done = 0
    warm_questions = _dedupe([*plan, *warm])
    total = already_done + len(ordered)
    now = clock()
    pipe = redis_client.pipeline()
    pipe.hset(key, mapping={
        "action_id": action_id, "status": "running", "mode": mode, "reason": reason,
        "tags": json.dumps(tags), "total": total, "done": already_done,
        "warm_plan": _bounded_json(plan, PROGRESS_PLAN_MAX_BYTES), "started_at": previous.get("started_at", f"{now:.3f}"),
        "updated_at": f"{now:.3f}",
    })
    pipe.expire(key, PROGRESS_TTL_S)
    if "started_at" not in previous:
        pipe.lpush(WorkerKeys(prefix).actions, action_id)
        pipe.ltrim(WorkerKeys(prefix).actions, 0, RECENT_ACTIONS - 1)
    pipe.execute()
    log.info("invalidation %s: %d entries for tags %s (%s, reason: %s)", action_id, len(ordered),
             ",".join(tags), mode, reason or "-")

    result = InvalidationResult(action_id=action_id, tags=tags, mode=mode, total=total,
                                reason=reason, warm_plan=plan)
    done = already_done
    warm_sent = "warm_enqueued" in previous  # a redelivery after the warm-up was handed on
    plan_left = set(plan_ids)

    def send_warm() -> None:
        nonlocal warm_sent
        warm_sent = True
        if warm_questions and enqueue_warm is not None:
            enqueue_warm(warm_questions, reason or "invalidation", action_id)
            result.warm_enqueued = len(warm_questions)
            redis_client.hset(key, "warm_enqueued", len(warm_questions))

    # 3. batches with pauses
    ids = ordered
    for start in range(0, len(ids), batch_size):
        if start:
            pause_s = pause_ms / 1000.0
            sleep(pause_s)
            result.pause_s += pause_s
        batch = ids[start:start + batch_size]
        result.invalidated += cache.invalidate_entries(batch, mode=mode)
        result.batches += 1
        done += len(batch)
        redis_client.hset(key, mapping={"done": done, "batches": result.batches,
                                        "updated_at": f"{clock():.3f}"})
        if on_progress is not None:
            on_progress(done, total)
        log.info("invalidation %s: %d/%d", action_id, done, total)
        plan_left.difference_update(batch)
        # 4. the most-asked entries are gone: warm them (and the critical questions) now
        if not warm_sent and not plan_left:
            send_warm()
    if not warm_sent:
        send_warm()
    pipe = redis_client.pipeline()
    pipe.hset(key, mapping={"status": "done", "done": done, "finished_at": f"{clock():.3f}"})
    pipe.expire(key, PROGRESS_TTL_S)
    pipe.execute()
    if on_progress is not None and not ids:
        on_progress(done, total)
    return result
