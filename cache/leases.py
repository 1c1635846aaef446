"""Generation leases: one LLM call per question at a time, across threads and processes.

A lease is ``SET {base}:l:{entry_id} <token> NX PX lease_ttl_ms``. Whoever gets
it generates; the others poll for the entry with a small growing backoff up to
``lease_wait_ms``. Release is compare-and-delete (:data:`cache.scripts.RELEASE_LEASE`),
so a generator whose lease expired never deletes a newer holder's lease.
"""

from __future__ import annotations

import random
import secrets

__all__ = ["new_token", "backoff_schedule_s"]

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
