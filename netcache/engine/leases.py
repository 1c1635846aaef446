"""Generation leases: one LLM call per question at a time, across threads and processes.

A lease is ``SET {base}:l:{entry_id} <token> NX PX lease_ttl_ms``. Whoever gets
it generates; the others poll for the entry with a small growing backoff up to
``lease_wait_ms``. Release is compare-and-delete (``netcache/lua/release_lease.lua``),
so a generator whose lease expired never deletes a newer holder's lease.
"""

from __future__ import annotations

import random
import secrets
import threading

from netcache.engine.steps import Command, Script, cmd, script
from netcache.keys import Keys

__all__ = ["new_token", "backoff_schedule_s", "Leases"]

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


class Leases:
    """Generation leases of one namespace, and the in-process guard against two background
    refreshes of one entry (thread-safe)."""

    def __init__(self, keys: Keys, *, lease_ttl_ms: int, lease_wait_ms: int) -> None:
        self.keys = keys
        self.lease_ttl_ms = lease_ttl_ms
        self.lease_wait_ms = lease_wait_ms
        self._refreshing: set[str] = set()
        self._lock = threading.Lock()

    def claim(self, entry_id: str, token: str) -> Command:
        """SET NX PX of the lease (queued with the ticket and the re-check of the entry)."""
        return cmd("set", self.keys.lease(entry_id), token, nx=True, px=self.lease_ttl_ms)

    def held(self, entry_id: str) -> Command:
        return cmd("exists", self.keys.lease(entry_id))

    def backoff_s(self):
        return backoff_schedule_s(self.lease_wait_ms)

    @staticmethod
    def release(lease_key: str, token: str) -> Script:
        """Compare-and-delete (netcache/lua/release_lease.lua)."""
        return script("release_lease", [lease_key], [token])

    def claim_refresh(self, entry_id: str) -> bool:
        """True for the one caller that may start the background refresh of ``entry_id``."""
        with self._lock:
            if entry_id in self._refreshing:
                return False
            self._refreshing.add(entry_id)
            return True

    def release_refresh(self, entry_id: str) -> None:
        with self._lock:
            self._refreshing.discard(entry_id)
