"""The in-process vector index, partitioned by group and mirrored from Redis.

Every process keeps the embeddings of the cached questions in memory, one
numpy matrix per *group* (entity signature + context fingerprint + params +
embedder model): a semantic lookup only ever compares against entries that
already agree on the hard filters, never against the whole cache.

Redis holds the truth:

* ``{base}:ix:vec`` — hash ``entry_id → record`` (group, prompt, float32
  vector), read once at start-up (HSCAN; start-up only).
* ``{base}:ix:log`` — stream of changes (``op`` = add/del, ``id``), written by
  the put / drop Lua scripts, trimmed with ``MAXLEN ~``. Each process reads it
  from its last seen id at most every ``index_sync_interval_ms`` (on lookup).
* ``{base}:ix:epoch`` — a random token set when the first process loads; if
  it disappears or changes (Redis restarted without persistence, FLUSHALL) or
  the log's first retained entry is newer than our last id (XINFO STREAM: we
  may have missed trimmed entries), the process reloads the index from scratch.

This module is pure state plus decoding; :class:`netcache.engine.mirror.IndexMirror`
is the plan that keeps it in step with Redis (the drivers run it).
Thread-safe: one lock around changes and searches.
"""

from __future__ import annotations

import json
import logging
import struct
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from netcache.text import to_text

__all__ = ["VectorIndex", "Candidate", "encode_record", "decode_record", "stream_id"]

log = logging.getLogger("netcache.cache")

_HEADER = struct.Struct("<I")


def encode_record(group: str, prompt: str, vector: np.ndarray) -> bytes:
    """``ix:vec`` value: 4-byte header length, JSON [group, prompt], float32 vector."""
    header = json.dumps([group, prompt]).encode()
    return _HEADER.pack(len(header)) + header + np.asarray(vector, dtype=np.float32).tobytes()


def decode_record(blob: bytes) -> tuple[str, str, np.ndarray]:
    (n,) = _HEADER.unpack_from(blob)
    group, prompt = json.loads(blob[4:4 + n])
    return group, prompt, np.frombuffer(blob[4 + n:], dtype=np.float32)


def stream_id(raw: str | bytes | None) -> tuple[int, int]:
    """``"1700000000000-3"`` → (1700000000000, 3) for ordering; None → (0, 0)."""
    if not raw:
        return (0, 0)
    s = to_text(raw)
    ms, _, seq = s.partition("-")
    return (int(ms), int(seq or 0))


@dataclass(frozen=True)
class Candidate:
    """One semantic candidate: an entry in the same group and its cosine similarity."""

    entry_id: str
    score: float
    prompt: str


@dataclass
class _Partition:
    dim: int
    matrix: np.ndarray = field(init=False)
    ids: list[str] = field(default_factory=list)
    prompts: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.matrix = np.empty((8, self.dim), dtype=np.float32)

    def add(self, entry_id: str, prompt: str, vector: np.ndarray) -> None:
        row = self.rows.get(entry_id)
        if row is None:
            row = len(self.ids)
            if row == self.matrix.shape[0]:
                grown = np.empty((row * 2, self.dim), dtype=np.float32)
                grown[:row] = self.matrix[:row]
                self.matrix = grown
            self.ids.append(entry_id)
            self.prompts.append(prompt)
            self.rows[entry_id] = row
        else:
            self.prompts[row] = prompt
        self.matrix[row] = vector

    def remove(self, entry_id: str) -> None:
        row = self.rows.pop(entry_id)
        last = len(self.ids) - 1
        if row != last:  # swap the last row into the hole
            self.matrix[row] = self.matrix[last]
            self.ids[row] = self.ids[last]
            self.prompts[row] = self.prompts[last]
            self.rows[self.ids[row]] = row
        self.ids.pop()
        self.prompts.pop()


class VectorIndex:
    """Embeddings by group, kept in step with Redis through the change log."""

    def __init__(self, *, sync_interval_ms: int = 200, clock=time.monotonic) -> None:
        self.sync_interval_ms = sync_interval_ms
        self._clock = clock
        self._lock = threading.RLock()
        self._parts: dict[str, _Partition] = {}
        self._group_of: dict[str, str] = {}
        self.loaded = False
        self.epoch: str | None = None
        self.last_id = "0-0"
        self.last_sync_s = float("-inf")
        self.reloads = 0
        self.bad_records = 0

    # -- state ------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._group_of)

    def __contains__(self, entry_id: str) -> bool:
        return entry_id in self._group_of

    def group_sizes(self) -> dict[str, int]:
        with self._lock:
            return {g: len(p.ids) for g, p in self._parts.items()}

    def reset(self, epoch: str | None, last_id: str = "0-0") -> None:
        """Forget everything (before a full reload)."""
        with self._lock:
            self._parts.clear()
            self._group_of.clear()
            self.epoch = epoch
            self.last_id = last_id
            self.loaded = False

    def add(self, entry_id: str, group: str, prompt: str, vector: np.ndarray) -> None:
        vector = np.asarray(vector, dtype=np.float32).reshape(-1)
        with self._lock:
            old = self._group_of.get(entry_id)
            if old is not None and old != group:
                self._remove_locked(entry_id)
            part = self._parts.get(group)
            if part is None:
                part = self._parts[group] = _Partition(vector.shape[0])
            if part.dim != vector.shape[0]:
                self.bad_records += 1
                log.warning("vector index: entry %s has dim %d, group has %d; skipped",
                            entry_id, vector.shape[0], part.dim)
                return
            part.add(entry_id, prompt, vector)
            self._group_of[entry_id] = group

    def add_record(self, entry_id: str, blob: bytes | None) -> None:
        """Add from an ``ix:vec`` value (None = deleted meanwhile: drop it here too)."""
        if blob is None:
            self.remove(entry_id)
            return
        try:
            group, prompt, vector = decode_record(blob)
        except (ValueError, struct.error) as e:
            self.bad_records += 1
            log.warning("vector index: undecodable record for %s: %s", entry_id, e)
            return
        self.add(entry_id, group, prompt, vector)

    def remove(self, entry_id: str) -> None:
        with self._lock:
            self._remove_locked(entry_id)

    def _remove_locked(self, entry_id: str) -> None:
        group = self._group_of.pop(entry_id, None)
        if group is None:
            return
        part = self._parts[group]
        part.remove(entry_id)
        if not part.ids:
            del self._parts[group]

    # -- search -----------------------------------------------------------------------------
    def search(self, group: str, vector: np.ndarray, min_score: float, k: int = 3) -> list[Candidate]:
        """Up to ``k`` entries of ``group`` with cosine ≥ ``min_score``, best first
        (vectors are L2-normalised, so the dot product is the cosine)."""
        with self._lock:
            part = self._parts.get(group)
            if part is None or not part.ids:
                return []
            q = np.asarray(vector, dtype=np.float32).reshape(-1)
            if q.shape[0] != part.dim:
                return []
            n = len(part.ids)
            scores = part.matrix[:n] @ q
            if n > k:
                top = np.argpartition(-scores, k)[:k]
            else:
                top = np.arange(n)
            top = top[np.argsort(-scores[top])]
            return [Candidate(part.ids[i], float(scores[i]), part.prompts[i])
                    for i in top if scores[i] >= min_score]

    # -- syncing with Redis (the I/O is the caller's) ------------------------------------------
    def due(self) -> bool:
        return not self.loaded or (self._clock() - self.last_sync_s) * 1000 >= self.sync_interval_ms

    def mark_synced(self) -> None:
        self.last_sync_s = self._clock()

    def after_poll(self, epoch: str | bytes | None, info: object, entries: list) -> list[str] | None:
        """Apply one poll of ``(GET epoch, XINFO STREAM log, XRANGE log (last_id +)``.

        Returns the ids whose records must be fetched (adds), or None when the
        index must be reloaded from scratch (Redis reset or we fell behind the trim).
        Deletes are applied here."""
        epoch = to_text(epoch)
        if not self.loaded or epoch is None or epoch != self.epoch:
            return None
        if isinstance(info, dict) and info.get("length"):
            first = info.get("recorded-first-entry-id") or (info.get("first-entry") or [None])[0]
            if stream_id(first) > stream_id(self.last_id):
                # entries after our last id may have been trimmed away unseen
                log.info("vector index fell behind the change log trim; reloading")
                return None
        adds: dict[str, None] = {}
        for raw_id, fields in entries:
            op = to_text(fields.get(b"op", fields.get("op")))
            eid = to_text(fields.get(b"id", fields.get("id")))
            if op == "add":
                adds[eid] = None
            elif op == "del":
                adds.pop(eid, None)
                self.remove(eid)
            self.last_id = to_text(raw_id)
        return list(adds)
