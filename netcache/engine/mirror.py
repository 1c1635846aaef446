"""``IndexMirror``: the plan that keeps the in-process :class:`~netcache.engine.vector_index.VectorIndex`
in step with Redis (``ix:vec``, ``ix:log``, ``ix:epoch``; layout in :mod:`netcache.engine.vector_index`).

At most every ``index_sync_interval_ms`` a lookup polls the change log from the last id
it saw (one round trip: epoch, XINFO, XRANGE); added vectors are fetched with HMGET.
A changed epoch or a log trimmed past our last id reloads the index with HSCAN (start-up
and recovery only) into a new index that replaces the old one when complete; meanwhile other
threads' lookups search the old one instead of waiting (only a process with no index yet waits).
Redis trouble resets the index (reloaded on the next due sync).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from netcache.engine.leases import new_token
from netcache.engine.steps import Locked, Plan, cmd, pipe
from netcache.engine.vector_index import VectorIndex
from netcache.keys import Keys
from netcache.text import to_text

__all__ = ["IndexMirror", "POLL_COUNT", "LOAD_BATCH"]

log = logging.getLogger("netcache.cache")

#: change-log entries read per poll of the vector index
POLL_COUNT = 5_000
#: HSCAN COUNT while (re)loading the index
LOAD_BATCH = 2_000


def _ok(result: Any) -> Any:
    """A pipeline result, None when it was an error reply (e.g. XINFO on a missing stream)."""
    if isinstance(result, (RedisConnectionError, RedisTimeoutError)):
        raise result
    return None if isinstance(result, Exception) else result


class IndexMirror:
    """Syncs ``index`` from the keys of one namespace; ``on_error(op, exc)`` counts Redis trouble."""

    def __init__(self, index: VectorIndex, keys: Keys, *, on_error: Callable[[str, Exception], None],
                 poll_count: int = POLL_COUNT) -> None:
        self.index = index
        self.keys = keys
        self.on_error = on_error
        self.poll_count = poll_count

    def sync(self) -> Plan[None]:
        """Bring the index up to date when a sync is due (one sync at a time: the driver's lock)."""
        if self.index.due():
            # a loaded index is searched as it is while another thread syncs (or reloads) it
            yield Locked(self._sync(), wait=not self.index.loaded)

    def _sync(self) -> Plan[None]:
        if not self.index.due():
            return  # another thread synced while we waited for the lock
        try:
            if not self.index.loaded:
                yield from self._reload()
            while self.index.loaded and (yield from self._poll_once()):
                pass
            self.index.mark_synced()
        except RedisError as e:
            self.on_error("index sync", e)
            self.index.reset(None)

    def _poll_once(self) -> Plan[bool]:
        """Apply one page of the change log; True when there may be more."""
        log = self.keys.ix_log
        epoch, info, entries = yield pipe(cmd("get", self.keys.ix_epoch), cmd("xinfo_stream", log),
                                          cmd("xrange", log, min=f"({self.index.last_id}", count=self.poll_count),
                                          strict=False)
        entries = _ok(entries) or []
        adds = self.index.after_poll(_ok(epoch), _ok(info), entries)
        if adds is None:
            yield from self._reload()
            return False
        if adds:
            (blobs,) = yield pipe(cmd("hmget", self.keys.ix_vec, adds))
            for eid, blob in zip(adds, blobs):
                self.index.add_record(eid, blob)
        return len(entries) >= self.poll_count

    def _reload(self) -> Plan[None]:
        """Load every record into a new index beside the current one, then swap it in."""
        _, epoch, last = yield pipe(cmd("set", self.keys.ix_epoch, new_token(), nx=True),
                                    cmd("get", self.keys.ix_epoch), cmd("xrevrange", self.keys.ix_log, count=1))
        fresh = self.index.fresh()
        fresh.reset(to_text(epoch), last_id=to_text(last[0][0]) if last else "0-0")
        (size,) = yield pipe(cmd("hlen", self.keys.ix_vec))
        fresh.expect(int(size or 0))
        cursor: Any = 0
        while True:
            ((cursor, records),) = yield pipe(cmd("hscan", self.keys.ix_vec, cursor, count=LOAD_BATCH))
            fresh.load_records((to_text(eid), blob) for eid, blob in records.items())
            if int(cursor) == 0:
                break
        fresh.loaded = True
        self.index.take(fresh)
        self.index.reloads += 1
        self.index_loaded_log()

    def index_loaded_log(self) -> None:
        log.info("vector index loaded: %d entries in %d groups", len(self.index), len(self.index.group_sizes()))

    def forget(self, entry_ids: list[str], mode: str) -> None:
        """Drop hard-invalidated entries from this process's index at once (others follow the log)."""
        if mode == "hard":
            for eid in entry_ids:
                self.index.remove(eid)
