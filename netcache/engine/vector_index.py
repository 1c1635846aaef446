"""The in-process vector index, partitioned by group and mirrored from Redis.

Every process that searches keeps the embeddings of the cached questions in memory,
partitioned by *group* (entity signature + context fingerprint + params + embedder
model): a semantic lookup only ever compares against entries that already agree on
the hard filters, never against the whole cache.

Compact by design (index RSS 440-476 B per entry at 300k entries, ``python -m bench scale``):

* vectors are held as **int8** with one float32 scale per row (``v ≈ q · scale``,
  symmetric per-vector quantisation of the L2-normalised embedding); a search
  dequantises only the rows of the searched group. Measured with ``netcache tune`` on the
  team's five pair sets, int8 changes no recall or false-positive figure at the default
  threshold (bench/README.md);
* all rows of one dimension live in one arena (one matrix, grown by 1/8 when full,
  freed rows reused), so a group costs a small ``array('i')`` of row numbers, not a
  reserved block;
* an entry id is kept as 16 bytes (the 32 hex digits of ``entry_id_for``; other ids are
  hashed and remembered aside), and the id → row map is a sorted uint64 array plus a small
  dict of the changes since it was last rebuilt;
* prompts are **not** kept: the guard's candidates fetch theirs from Redis
  (:func:`netcache.engine.operations.lookup`).

Redis holds the truth:

* ``{base}:ix:vec`` — hash ``entry_id → record`` (:func:`encode_record`: magic, group,
  scale, int8 vector; the older JSON + float32 records still decode), read at start-up
  and after a reset (HSCAN).
* ``{base}:ix:log`` — stream of changes (``op`` = add/del, ``id``), written by
  the put / drop Lua scripts, trimmed with ``MAXLEN ~``. Each process reads it
  from its last seen id at most every ``index_sync_interval_ms`` (on lookup).
* ``{base}:ix:epoch`` — a random token set when the first process loads; if
  it disappears or changes (Redis restarted without persistence, FLUSHALL) or
  the log's first retained entry is newer than our last id (XINFO STREAM: we
  may have missed trimmed entries), the process reloads the index from scratch —
  into a new :class:`VectorIndex` beside the old one, swapped in when complete
  (:meth:`VectorIndex.take`), so lookups go on searching the old one meanwhile.

This module is pure state plus decoding; :class:`netcache.engine.mirror.IndexMirror`
is the plan that keeps it in step with Redis (the drivers run it).
Thread-safe: one lock around changes and searches.
"""

from __future__ import annotations

import hashlib
import json
import logging
import struct
import threading
import time
from array import array
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from threadpoolctl import ThreadpoolController

from netcache.text import to_text

__all__ = ["VectorIndex", "Candidate", "encode_record", "decode_record", "quantize", "stream_id"]

log = logging.getLogger("netcache.cache")

_V1_HEADER = struct.Struct("<I")
#: first bytes of a compact record; as a v1 header length it would mean an 846 MB header
_MAGIC = b"\xffix2"
_V2_HEAD = struct.Struct("<4sHf")  # magic, group length, scale


def quantize(vector: np.ndarray) -> tuple[np.ndarray, float]:
    """Symmetric int8 quantisation: ``(q, scale)`` with ``vector ≈ q * scale``."""
    v = np.asarray(vector, dtype=np.float32).reshape(-1)
    peak = float(np.max(np.abs(v))) if v.size else 0.0
    if peak == 0.0 or not np.isfinite(peak):
        return np.zeros(v.shape[0], dtype=np.int8), 0.0
    scale = peak / 127.0
    return np.clip(np.rint(v / scale), -127, 127).astype(np.int8), scale


def encode_record(group: str, prompt: str, vector: np.ndarray) -> bytes:
    """``ix:vec`` value: magic, group, float32 scale, int8 vector (the prompt lives in the entry
    hash only; the argument stays for the callers' sake)."""
    del prompt
    q, scale = quantize(vector)
    g = group.encode()
    return _V2_HEAD.pack(_MAGIC, len(g), scale) + g + q.tobytes()


def _decode_q(blob: bytes) -> tuple[str, np.ndarray, float]:
    """A record as ``(group, int8 vector, scale)`` (v1 records are quantised here)."""
    if blob[:4] == _MAGIC:
        _m, n, scale = _V2_HEAD.unpack_from(blob)
        start = _V2_HEAD.size
        return blob[start:start + n].decode(), np.frombuffer(blob, dtype=np.int8, offset=start + n), scale
    (n,) = _V1_HEADER.unpack_from(blob)
    group, _prompt = json.loads(blob[4:4 + n])
    q, scale = quantize(np.frombuffer(blob[4 + n:], dtype=np.float32))
    return group, q, scale


def decode_record(blob: bytes) -> tuple[str, np.ndarray]:
    """``(group, float32 vector)`` of an ``ix:vec`` value (either format)."""
    group, q, scale = _decode_q(blob)
    return group, q.astype(np.float32) * np.float32(scale)


def stream_id(raw: str | bytes | None) -> tuple[int, int]:
    """``"1700000000000-3"`` → (1700000000000, 3) for ordering; None → (0, 0)."""
    if not raw:
        return (0, 0)
    s = to_text(raw)
    ms, _, seq = s.partition("-")
    return (int(ms), int(seq or 0))


@dataclass(frozen=True)
class Candidate:
    """One semantic candidate: an entry in the same group and its cosine similarity
    (``prompt`` is filled from Redis before the guard runs)."""

    entry_id: str
    score: float
    prompt: str = ""


_BLAS: list[ThreadpoolController] = []
_BLAS_LOCK = threading.Lock()


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """BLAS on one thread for the block (threadpoolctl; ~15 µs). A group search is one
    matrix-vector product: measured on this 2-core machine under load, OpenBLAS's 2 threads took
    4.5 ms for a 2,000-row group, one thread 0.8 ms. The limit is process-wide, so the blocks of
    all indexes take turns (else overlapping blocks could restore each other's limits)."""
    with _BLAS_LOCK:
        if not _BLAS:
            _BLAS.append(ThreadpoolController())
        with _BLAS[0].limit(limits=1, user_api="blas"):
            yield


def _raw_id(entry_id: str) -> tuple[bytes, bool]:
    """16 bytes for an id: its hex digits when it is ``entry_id_for``'s 32, else a hash (True)."""
    if len(entry_id) == 32 and (entry_id.islower() or entry_id.isdigit()):  # no upper case: hex() gives it back
        try:
            raw = bytes.fromhex(entry_id)
        except ValueError:
            raw = b""
        if len(raw) == 16:  # (fromhex skips spaces)
            return raw, False
    return hashlib.blake2b(entry_id.encode(), digest_size=16).digest(), True


def _key(raw: bytes) -> int:
    """The id map's 64-bit key of 16 id bytes (both halves count: ids may share a prefix)."""
    return int.from_bytes(raw[:8], "little") ^ int.from_bytes(raw[8:], "little")


class _Arena:
    """Rows of one dimension: int8 vectors, scales, raw ids, and where each row sits."""

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self.vecs = np.empty((0, dim), dtype=np.int8)
        self.scale = np.empty(0, dtype=np.float32)
        self.ids = np.empty((0, 2), dtype=np.uint64)  # the 16 id bytes (map key: the halves xor-ed)
        self.group = np.empty(0, dtype=np.int32)      # group number, -1 = free row
        self.pos = np.empty(0, dtype=np.int32)        # index of the row in its group's row list
        self.free: list[int] = []
        self.used = 0  # rows ever handed out (high-water mark)

    def reserve(self, n: int) -> None:
        need = self.used + n - len(self.free)
        cap = self.vecs.shape[0]
        if need <= cap:
            return
        new = max(need, cap + cap // 8, 1024)

        def grow(a: np.ndarray, fill: int | None = None) -> np.ndarray:
            out = np.empty((new, *a.shape[1:]), dtype=a.dtype)
            out[:self.used] = a[:self.used]
            if fill is not None:
                out[self.used:] = fill
            return out

        self.vecs, self.scale, self.ids = grow(self.vecs), grow(self.scale), grow(self.ids)
        self.group, self.pos = grow(self.group, -1), grow(self.pos)

    def take_row(self) -> int:
        if self.free:
            return self.free.pop()
        self.reserve(1)
        row = self.used
        self.used += 1
        return row

    def take_rows(self, n: int) -> np.ndarray:
        """``n`` rows at the end (bulk load into a fresh arena)."""
        self.reserve(n)
        rows = np.arange(self.used, self.used + n, dtype=np.int64)
        self.used += n
        return rows

    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.vecs, self.scale, self.ids, self.group, self.pos))


@dataclass
class _Group:
    name: str
    arena: int
    rows: array  # array('i') of row numbers in its arena

    @property
    def size(self) -> int:
        return len(self.rows)


#: rows dequantised at a time by a search (a float32 block that stays in the CPU cache: 3x faster
#: than converting a 30k-row group at once)
SEARCH_BLOCK = 2048


def _scores(arena: _Arena, rows: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Cosine of ``q`` with each of ``rows`` (int8 rows × their scales), block by block."""
    out = np.empty(rows.shape[0], dtype=np.float32)
    block = np.empty((min(SEARCH_BLOCK, rows.shape[0]), arena.dim), dtype=np.float32)
    for i in range(0, rows.shape[0], SEARCH_BLOCK):
        r = rows[i:i + SEARCH_BLOCK]
        n = r.shape[0]
        block[:n] = arena.vecs[r]
        np.dot(block[:n], q, out=out[i:i + n])
    return out * arena.scale[rows]


class VectorIndex:
    """Embeddings by group, kept in step with Redis through the change log."""

    #: rebuild the sorted id map when the dict of changes grows past max(this, entries / 16)
    MAP_MERGE_MIN = 4096

    def __init__(self, *, sync_interval_ms: int = 200, clock=time.monotonic) -> None:
        self.sync_interval_ms = sync_interval_ms
        self._clock = clock
        self._lock = threading.RLock()
        self.loaded = False
        self.epoch: str | None = None
        self.last_id = "0-0"
        self.last_sync_s = float("-inf")
        self.reloads = 0
        self.bad_records = 0
        self._clear()

    def _clear(self) -> None:
        self._arenas: list[_Arena] = []
        self._arena_of_dim: dict[int, int] = {}
        self._groups: dict[str, int] = {}          # group name → group number
        self._group_list: list[_Group | None] = []
        self._free_groups: list[int] = []
        self._map_keys = np.empty(0, dtype=np.uint64)  # sorted id keys ...
        self._map_vals = np.empty(0, dtype=np.int64)   # ... → row * 8 + arena
        self._map_over: dict[int, int] = {}            # changes since the rebuild (-1 = removed)
        self._odd_ids: dict[bytes, str] = {}           # raw → id for ids that are not 32 hex digits
        self._count = 0
        self._map_dirty = False

    # -- state ------------------------------------------------------------------------------
    def __len__(self) -> int:
        return self._count

    def __contains__(self, entry_id: str) -> bool:
        return self._find(_raw_id(entry_id)[0]) is not None

    def group_sizes(self) -> dict[str, int]:
        with self._lock:
            return {g.name: g.size for g in self._group_list if g is not None}

    def nbytes(self) -> int:
        """Bytes held by the index's arrays and its per-group and per-id bookkeeping (estimate
        for the Python objects; the benchmark measures RSS)."""
        with self._lock:
            n = sum(a.nbytes() for a in self._arenas) + self._map_keys.nbytes + self._map_vals.nbytes
            groups = sum(1 for g in self._group_list if g is not None)
            return n + groups * 240 + sum(g.rows.itemsize * g.rows.buffer_info()[1]
                                          for g in self._group_list if g is not None) + len(self._map_over) * 100

    def reset(self, epoch: str | None, last_id: str = "0-0") -> None:
        """Forget everything (before a full reload)."""
        with self._lock:
            self._clear()
            self.epoch = epoch
            self.last_id = last_id
            self.loaded = False

    def fresh(self) -> VectorIndex:
        """An empty index with this one's settings (a reload fills it, then :meth:`take`)."""
        return VectorIndex(sync_interval_ms=self.sync_interval_ms, clock=self._clock)

    def take(self, other: VectorIndex) -> None:
        """Adopt ``other``'s contents in one step (the swap at the end of a reload)."""
        with self._lock:
            self.__dict__.update({k: v for k, v in other.__dict__.items()
                                  if k not in ("_lock", "_clock", "sync_interval_ms", "reloads", "bad_records",
                                               "last_sync_s")})
            self.bad_records += other.bad_records

    # -- the id map ---------------------------------------------------------------------------
    def _find(self, raw: bytes) -> int | None:
        if self._map_dirty:
            self._rebuild_map()
        key = _key(raw)
        v = self._map_over.get(key)
        if v is not None:
            return None if v < 0 else v
        i = int(np.searchsorted(self._map_keys, np.uint64(key)))
        if i < self._map_keys.shape[0] and int(self._map_keys[i]) == key:
            return int(self._map_vals[i])
        return None

    def _map_set(self, raw: bytes, val: int) -> None:
        self._map_over[_key(raw)] = val
        if len(self._map_over) > max(self.MAP_MERGE_MIN, self._count // 16):
            self._rebuild_map()

    def _map_del(self, raw: bytes) -> None:
        if self._map_dirty:
            self._rebuild_map()
        key = _key(raw)
        i = int(np.searchsorted(self._map_keys, np.uint64(key)))
        if i < self._map_keys.shape[0] and int(self._map_keys[i]) == key:
            self._map_over[key] = -1
        else:
            self._map_over.pop(key, None)

    def _rebuild_map(self) -> None:
        """The sorted id map from the arenas (a bulk load's repeated ids: the last copy stays)."""
        self._map_dirty = False
        keys, vals = [], []
        for a_no, arena in enumerate(self._arenas):
            live = np.flatnonzero(arena.group[:arena.used] >= 0)
            keys.append(arena.ids[live, 0] ^ arena.ids[live, 1])
            vals.append(live.astype(np.int64) * 8 + a_no)
        k = np.concatenate(keys) if keys else np.empty(0, dtype=np.uint64)
        v = np.concatenate(vals) if vals else np.empty(0, dtype=np.int64)
        order = np.argsort(k, kind="stable")
        k, v = k[order], v[order]
        dup = np.flatnonzero(k[1:] == k[:-1])  # HSCAN may return a key twice
        self._map_keys, self._map_vals, self._map_over = k, v, {}
        if dup.size:
            for val in v[dup].tolist():
                self._remove_slot(int(val))
            keep = np.ones(k.shape[0], dtype=bool)
            keep[dup] = False
            self._map_keys, self._map_vals = k[keep], v[keep]

    def _id_of(self, arena: _Arena, row: int) -> str:
        raw = arena.ids[row].tobytes()
        return self._odd_ids.get(raw) or raw.hex()

    # -- changes ----------------------------------------------------------------------------
    def _arena_for(self, dim: int) -> int:
        a = self._arena_of_dim.get(dim)
        if a is None:
            if len(self._arenas) == 8:
                raise ValueError("more than 8 vector dimensions in one index")
            a = self._arena_of_dim[dim] = len(self._arenas)
            self._arenas.append(_Arena(dim))
        return a

    def _group_for(self, name: str, a_no: int) -> int | None:
        g_no = self._groups.get(name)
        if g_no is not None:
            g = self._group_list[g_no]
            assert g is not None
            return g_no if g.arena == a_no else None
        g = _Group(name, a_no, array("i"))
        if self._free_groups:
            g_no = self._free_groups.pop()
            self._group_list[g_no] = g
        else:
            g_no = len(self._group_list)
            self._group_list.append(g)
        self._groups[name] = g_no
        return g_no

    def add(self, entry_id: str, group: str, prompt: str, vector: np.ndarray) -> None:
        """Add or replace one entry (``prompt`` is not kept; see the module docstring)."""
        del prompt
        q, scale = quantize(vector)
        with self._lock:
            self._add_q(entry_id, group, q, scale)

    def _add_q(self, entry_id: str, group: str, q: np.ndarray, scale: float) -> None:
        raw, odd = _raw_id(entry_id)
        a_no = self._arena_for(q.shape[0])
        found = self._find(raw)
        if found is not None:
            arena = self._arenas[found & 7]
            g = self._group_list[int(arena.group[found >> 3])]
            if g is not None and g.name == group and found & 7 == a_no:
                row = found >> 3
                arena.vecs[row], arena.scale[row] = q, scale
                return
            self._remove_raw(raw)
        g_no = self._group_for(group, a_no)
        if g_no is None:
            self.bad_records += 1
            log.warning("vector index: entry %s has dim %d, its group another; skipped", entry_id, q.shape[0])
            return
        if odd:
            self._odd_ids[raw] = entry_id
        arena = self._arenas[a_no]
        row = arena.take_row()
        g = self._group_list[g_no]
        assert g is not None
        arena.vecs[row], arena.scale[row] = q, scale
        arena.ids[row] = np.frombuffer(raw, dtype=np.uint64)
        arena.group[row], arena.pos[row] = g_no, len(g.rows)
        g.rows.append(row)
        self._count += 1
        self._map_set(raw, row * 8 + a_no)

    def add_record(self, entry_id: str, blob: bytes | None) -> None:
        """Add from an ``ix:vec`` value (None = deleted meanwhile: drop it here too)."""
        if blob is None:
            self.remove(entry_id)
            return
        decoded = self._decoded(entry_id, blob)
        if decoded is not None:
            with self._lock:
                self._add_q(entry_id, *decoded)

    def _decoded(self, entry_id: str, blob: bytes) -> tuple[str, np.ndarray, float] | None:
        try:
            return _decode_q(bytes(blob))
        except (ValueError, struct.error, UnicodeDecodeError) as e:
            self.bad_records += 1
            log.warning("vector index: undecodable record for %s: %s", entry_id, e)
            return None

    def expect(self, n: int, dim: int = 384) -> None:
        """Room for ``n`` rows of ``dim`` (before a bulk load: no growing copies on the way)."""
        with self._lock:
            self._arenas[self._arena_for(dim)].reserve(n)

    def load_records(self, records: Iterable[tuple[str, bytes]]) -> None:
        """Bulk add into a *fresh* index (a reload): one copy per batch instead of one per row."""
        by_dim: dict[int, tuple[list[str], list[str], list[bytes], list[float]]] = {}
        unpack, head = _V2_HEAD.unpack_from, _V2_HEAD.size
        for entry_id, blob in records:
            try:
                if blob[:4] == _MAGIC:  # the fast path: slices, no arrays per row
                    _m, n, scale = unpack(blob)
                    group, vec = blob[head:head + n].decode(), bytes(blob[head + n:])
                else:
                    group, q, scale = _decode_q(bytes(blob))
                    vec = q.tobytes()
            except (ValueError, struct.error, UnicodeDecodeError) as e:
                self.bad_records += 1
                log.warning("vector index: undecodable record for %s: %s", entry_id, e)
                continue
            ids, groups, vecs, scales = by_dim.setdefault(len(vec), ([], [], [], []))
            ids.append(entry_id)
            groups.append(group)
            vecs.append(vec)
            scales.append(scale)
        with self._lock:
            for dim, (ids, groups, vecs, scales) in by_dim.items():
                self._bulk(dim, ids, groups, vecs, scales)

    def _bulk(self, dim: int, ids: list[str], groups: list[str], vecs: list[bytes], scales: list[float]) -> None:
        a_no = self._arena_for(dim)
        arena = self._arenas[a_no]
        raws = []
        for entry_id in ids:
            raw, odd = _raw_id(entry_id)
            if odd:
                self._odd_ids[raw] = entry_id
            raws.append(raw)
        rows = arena.take_rows(len(ids))
        arena.vecs[rows] = np.frombuffer(b"".join(vecs), dtype=np.int8).reshape(-1, dim)
        arena.scale[rows] = np.asarray(scales, dtype=np.float32)
        arena.ids[rows] = np.frombuffer(b"".join(raws), dtype=np.uint64).reshape(-1, 2)
        for row, name in zip(rows.tolist(), groups):
            g_no = self._group_for(name, a_no)
            if g_no is None:
                self.bad_records += 1
                arena.group[row] = -1
                arena.free.append(row)
                continue
            g = self._group_list[g_no]
            assert g is not None
            arena.group[row], arena.pos[row] = g_no, len(g.rows)
            g.rows.append(row)
            self._count += 1
        self._map_dirty = True  # rebuilt (and de-duplicated) on the next look-up by id

    def remove(self, entry_id: str) -> None:
        with self._lock:
            self._remove_raw(_raw_id(entry_id)[0])

    def _remove_raw(self, raw: bytes) -> None:
        found = self._find(raw)
        if found is None:
            return
        self._remove_slot(found)
        self._odd_ids.pop(raw, None)
        self._map_del(raw)

    def _remove_slot(self, found: int) -> None:
        """Free one row (``row * 8 + arena``) and take it out of its group; the id map is the caller's."""
        arena, row = self._arenas[found & 7], found >> 3
        g_no = int(arena.group[row])
        g = self._group_list[g_no]
        assert g is not None
        pos, last = int(arena.pos[row]), g.rows[-1]
        g.rows[pos] = last  # swap the last row into the hole
        arena.pos[last] = pos
        g.rows.pop()
        if not g.rows:
            del self._groups[g.name]
            self._group_list[g_no] = None
            self._free_groups.append(g_no)
        arena.group[row] = -1
        arena.free.append(row)
        self._count -= 1

    # -- search -----------------------------------------------------------------------------
    def search(self, group: str, vector: np.ndarray, min_score: float, k: int = 3) -> list[Candidate]:
        """Up to ``k`` entries of ``group`` with cosine ≥ ``min_score``, best first
        (vectors are L2-normalised, so the dot product is the cosine)."""
        with self._lock:
            g_no = self._groups.get(group)
            if g_no is None:
                return []
            g = self._group_list[g_no]
            assert g is not None
            arena = self._arenas[g.arena]
            q = np.asarray(vector, dtype=np.float32).reshape(-1)
            if q.shape[0] != arena.dim:
                return []
            rows = np.frombuffer(g.rows, dtype=np.int32) if g.rows else np.empty(0, dtype=np.int32)
            with one_blas_thread():
                scores = _scores(arena, rows, q)
            n = scores.shape[0]
            top = np.argpartition(-scores, k)[:k] if n > k else np.arange(n)
            top = top[np.argsort(-scores[top])]
            return [Candidate(self._id_of(arena, int(rows[i])), float(scores[i]))
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
