"""Generation leases: one LLM call per question at a time, across threads and processes.

A lease is ``SET {base}:l:{entry_id} <token> NX PX lease_ttl_ms``. Whoever gets
it generates; the others poll for the entry with a small growing backoff up to
``lease_wait_ms``. Release is compare-and-delete (:data:`netcache.engine.scripts.RELEASE_LEASE`),
so a generator whose lease expired never deletes a newer holder's lease.
"""

from __future__ import annotations

import random
import secrets
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from netcache.engine.records import Hit, Request

__all__ = ["new_token", "backoff_schedule_s", "LeaseSteps"]

#: first poll interval and the cap of the growing backoff while waiting for a lease holder
FIRST_POLL_S = 0.01
MAX_POLL_S = 0.1


def new_token() -> str:
    """A token that identifies this lease holder."""
    return secrets.token_hex(12)


def backoff_schedule_s(wait_ms: int):
    """Sleep intervals (s) summing to about ``wait_ms``: 10 ms growing ×1.5 to 100 ms, with jitter."""
    left = wait_ms / 1000.0
    step = FIRST_POLL_S
    while left > 0:
        sleep = min(step * random.uniform(0.8, 1.2), left)
        yield sleep
        left -= sleep
        step = min(step * 1.5, MAX_POLL_S)


class LeaseSteps:
    """The cache's lease steps (mixed into netcache.engine.logic.CacheLogic): what runs with the lease
    claim, what a waiter accepts, and the in-process guard against two refreshes of one entry."""

    def _claim_calls(self, req: Request, refresh: bool) -> list[tuple[str, list]]:
        """Scripts run with the lease's SET NX: the ticket, and (unless refreshing) a re-check of the
        entry, so an answer stored just after our miss is served instead of generated twice."""
        calls = [("TICKET", [self.keys.base, *req.tags])]
        if not refresh:
            calls.append(("HIT", self._hit_argv(req.entry_id, self.now())))
        return calls

    def _fresh_hit(self, req: Request, reply: Any, refresh: bool) -> Hit | None:
        """A waiter's exact re-check: a fresh (not stale; when refreshing, new) entry, else None."""
        hit = self._exact_hit(req, reply)
        if hit is None or hit.stale or (refresh and hit.age_s * 1000 >= self.cs.lease_wait_ms):
            return None
        return hit

    def _claim_refresh(self, entry_id: str) -> bool:
        with self._refresh_lock:
            if entry_id in self._refreshing:
                return False
            self._refreshing.add(entry_id)
            return True

    def _release_refresh(self, entry_id: str) -> None:
        with self._refresh_lock:
            self._refreshing.discard(entry_id)

    def _finish_refresh(self, entry_id: str, run) -> Any:
        try:
            return run()
        finally:
            self._release_refresh(entry_id)
