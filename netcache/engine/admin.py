"""Invalidation, inspection and maintenance, written once as plans (see :mod:`netcache.engine.steps`).

Every call here raises :class:`~netcache.errors.BackendUnavailable` when Redis is
unavailable (they are admin and worker calls: they must not pretend to succeed).
Invalidation reads tag members (surrogate keys) and never scans; ``drop_namespace``
and ``sweep`` scan page by page (admin only), holding one page of keys at a time.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from redis.exceptions import RedisError

from netcache.engine.logic import INVALIDATE_BATCH, CacheLogic
from netcache.engine.querylog import QueryStat
from netcache.engine.records import EntryInfo, entry_info_from_hash
from netcache.engine.steps import Plan, cmd, pipe
from netcache.errors import BackendUnavailable, ConfigError
from netcache.text import to_text

__all__ = ["invalidate", "invalidate_entries", "tag_members", "entry", "top_queries", "stats", "drop_namespace",
           "sweep"]

#: SCAN COUNT of drop_namespace (and the most keys one UNLINK deletes)
DROP_PAGE = 1_000


def guarded(what: str, c: CacheLogic, plan: Plan[Any]) -> Plan[Any]:
    """Run ``plan``; Redis trouble becomes BackendUnavailable naming ``what``."""
    try:
        return (yield from plan)
    except RedisError as e:
        raise BackendUnavailable(f"{what}: {c.err(e)}") from e


def check_invalidation(c: CacheLogic, tags: Iterable[str], mode: str, *, allow_empty: bool = False):
    if mode not in ("hard", "soft"):
        c.counters["bad_input"] += 1
        raise ConfigError(f"invalidation mode must be 'hard' or 'soft', not {mode!r}")
    tags = [tags] if isinstance(tags, str) else list(tags)
    if (not tags and not allow_empty) or any(not isinstance(t, str) or not t for t in tags):
        c.counters["bad_input"] += 1
        raise ConfigError(f"invalidate needs non-empty tag strings, got {tags!r}")
    return tags, mode


def invalidate(c: CacheLogic, tags: Iterable[str], *, mode: str = "hard") -> Plan[int]:
    """Invalidate every entry carrying any of ``tags``; how many entries were affected."""
    tags, mode = check_invalidation(c, tags, mode)
    (members,) = yield from guarded(f"invalidate {tags}", c, _run(pipe(c.bump_call(list(tags)))))
    return (yield from invalidate_entries(c, [to_text(m) for m in members], mode=mode))


def invalidate_entries(c: CacheLogic, entry_ids: list[str], *, mode: str = "hard",
                       tags: Iterable[str] = ()) -> Plan[int]:
    """Invalidate a batch of entries (the worker's gradual invalidation); ``tags`` being
    invalidated get their generations bumped first so in-flight answers are not stored."""
    tags, mode = check_invalidation(c, tags, mode, allow_empty=True)
    return (yield from guarded("invalidate entries", c, _invalidate(c, list(entry_ids), mode, list(tags))))


def _invalidate(c: CacheLogic, entry_ids: list[str], mode: str, tags: list[str]) -> Plan[int]:
    if tags:
        yield pipe(c.bump_call(tags))
    n = 0
    for i in range(0, len(entry_ids), INVALIDATE_BATCH):
        chunk = entry_ids[i:i + INVALIDATE_BATCH]
        (affected,) = yield pipe(c.invalidate_call(c.now(), mode, chunk))
        n += int(affected)
        c.mirror.forget(chunk, mode)
    return n


def _run(step: Any) -> Plan[Any]:
    return (yield step)


def tag_members(c: CacheLogic, tag: str) -> Plan[list[str]]:
    (members,) = yield from guarded(f"tag_members {tag}", c, _run(pipe(cmd("smembers", c.keys.tag(tag)))))
    return sorted(to_text(m) for m in members)


def entry(c: CacheLogic, entry_id: str) -> Plan[EntryInfo | None]:
    (raw,) = yield from guarded(f"entry {entry_id}", c, _run(pipe(cmd("hgetall", c.keys.entry(entry_id)))))
    info = entry_info_from_hash(entry_id, raw)
    return info if info is not None and info.expires_at > c.now() else None


def top_queries(c: CacheLogic, n: int = 100) -> Plan[list[QueryStat]]:
    return (yield from guarded("top_queries", c, c.querylog.top(n, c.now)))


def asked(c: CacheLogic, questions: list[dict]) -> Plan[list[bool]]:
    """Whether the query log has seen each of ``questions`` (``prompt``, ``context``, ``params``)."""
    keys = [c._prepare(q["prompt"], context=q.get("context"), params=q.get("params")).exact_key for q in questions]
    return (yield from guarded("asked", c, c.querylog.asked(keys)))


def stats(c: CacheLogic) -> Plan[dict]:
    """Entries per tier, total, evictions, discarded stale sets, this process's counters."""
    k = c.keys
    hot, warm, cold, raw = yield from guarded("stats", c, _run(pipe(
        cmd("zcard", k.tier("hot")), cmd("zcard", k.tier("warm")), cmd("scard", k.tier("cold")),
        cmd("hgetall", k.stats))))
    shared = {to_text(f): int(to_text(v) or 0) for f, v in (raw or {}).items()}
    return {
        "entries": {"hot": int(hot), "warm": int(warm), "cold": int(cold)},
        "total": int(hot) + int(warm) + int(cold),
        "evictions": {t: shared.get(f"evictions:{t}", 0) for t in ("hot", "warm", "cold")},
        "discarded_stale_sets": shared.get("discarded_stale_sets", 0),
        "index_entries": len(c.index),
        "index_groups": len(c.index.group_sizes()),
        "process": dict(c.counters),
    }


def drop_namespace(c: CacheLogic) -> Plan[int]:
    """Delete every key of this (scratch) namespace, one SCAN page at a time."""
    if not c.namespace:
        raise ConfigError("drop_namespace only works on a cache built with namespace=...")
    n = yield from guarded("drop_namespace", c, _drop_pages(c))
    c.index.reset(None)
    return n


def _drop_pages(c: CacheLogic) -> Plan[int]:
    n, cursor = 0, 0
    while True:
        ((cursor, keys),) = yield pipe(cmd("scan", cursor, match=c.keys.pattern, count=DROP_PAGE))
        if keys:
            (deleted,) = yield pipe(cmd("unlink", *keys))
            n += int(deleted)
        if int(cursor) == 0:
            return n


def sweep(c: CacheLogic, batch: int = 1000) -> Plan[int]:
    """Remove index and tier records of entries Redis expired on its own (their vectors and
    tier memberships outlive them). Maintenance only: it scans. Returns how many."""
    return (yield from guarded("sweep", c, _sweep(c, batch)))


def _sweep(c: CacheLogic, batch: int) -> Plan[int]:
    removed: set[str] = set()
    k = c.keys
    for scan, key in (("hscan", k.ix_vec), ("zscan", k.tier("hot")), ("zscan", k.tier("warm")),
                      ("sscan", k.tier("cold"))):
        cursor: Any = 0
        while True:
            ((cursor, page),) = yield pipe(cmd(scan, key, cursor, count=batch))
            ids = [eid for eid in dict.fromkeys(_members(page)) if eid not in removed]
            removed.update((yield from _drop_ghosts(c, ids)))
            if int(cursor) == 0:
                break
    return len(removed)


def _members(page: Any) -> list[str]:
    """Entry ids of one HSCAN (dict), ZSCAN (member, score) or SSCAN page."""
    rows = page.keys() if isinstance(page, dict) else page
    return [str(to_text(r[0] if isinstance(r, (tuple, list)) else r)) for r in rows]


def _drop_ghosts(c: CacheLogic, ids: list[str]) -> Plan[list[str]]:
    if not ids:
        return []
    exists = yield pipe(*(cmd("exists", c.keys.entry(eid)) for eid in ids))
    ghosts = [eid for eid, ex in zip(ids, exists) if not ex]
    if ghosts:
        yield pipe(c.invalidate_call(c.now(), "hard", ghosts))
        c.mirror.forget(ghosts, "hard")
    return ghosts
