"""What an entry costs in Redis: long answers stored compressed, compact vector records,
and a process that only puts keeps no vectors (real Redis)."""

from __future__ import annotations

import time

import numpy as np

from netcache.engine.records import ANSWER_COMPRESS_BYTES, pack_answer, unpack_answer
from netcache.engine.vector_index import decode_record
from tests.support.cache import backend_client, backend_settings, cache_settings, on_backends  # noqa: F401 - fixtures settings, redis_client

LONG = ("BGP neighbor 10.0.0.2 is Established, 812 prefixes received; Gi0/1 up, MTU 1500, CRC 0. " * 14)[:1100]


def make(backend):
    return backend.cache(cache_settings(backend.settings), clock=time.time)


def test_answers_round_trip_in_either_form():
    for text in ["short", LONG, "\x00z looks like the marker", "é" * 600]:
        assert unpack_answer(pack_answer(text) if isinstance(pack_answer(text), bytes)
                             else pack_answer(text).encode()) == text
    assert pack_answer("short") == "short" and isinstance(pack_answer(LONG), bytes)
    assert len(pack_answer(LONG)) < len(LONG) * 0.6 and len(LONG.encode()) > ANSWER_COMPRESS_BYTES


def test_a_long_answer_is_stored_compressed_and_served_whole(backend, settings, redis_client):
    cache = make(backend)
    entry_id = cache.put("show bgp summary on rtr-001", LONG)
    stored = redis_client.hget(cache.keys.entry(entry_id), "answer")
    assert stored is not None and len(stored) < len(LONG) * 0.6
    assert cache.get("show bgp summary on rtr-001").answer == LONG
    assert cache.get("show me the bgp summary on rtr-001").answer == LONG  # semantic path too
    short = cache.put("show version on rtr-001", "17.9")
    assert redis_client.hget(cache.keys.entry(short), "answer") == b"17.9"


def test_vector_records_are_int8_and_a_put_only_process_keeps_none(backend, settings, redis_client):
    writer = make(backend)
    for n in range(20):
        writer.put(f"show interface gi0/{n} status on rtr-001", f"up {n}")
    assert len(writer.index) == 0  # never searched: holds no vectors
    blob = redis_client.hget(writer.keys.ix_vec, writer.put("show version on rtr-002", "17.9"))
    group, vec = decode_record(blob)
    assert len(blob) < 450 and vec.shape == (384,) and abs(float(np.linalg.norm(vec)) - 1) < 0.01
    reader = make(backend)
    assert reader.get("what is the status of interface gi0/3 on rtr-001") is not None
    assert len(reader.index) == 21 and len(writer.index) == 0


@on_backends("redis")
def test_a_loaded_index_is_searched_while_another_thread_syncs_it(backend, settings, redis_client):
    cache = make(backend)
    cache.put("show bgp summary on rtr-001", "established")
    assert cache.get("show me the bgp summary on rtr-001") is not None  # loads the index
    cache.index.last_sync_s = float("-inf")  # a sync is due ...
    with cache._index_lock:  # ... and another thread holds the lock, reloading (a wait would hang here)
        hit = cache.get("display the bgp summary on rtr-001")
    assert hit is not None and hit.kind == "semantic" and hit.answer == "established"
    assert cache.index.due()  # the sync was skipped, not waited for: the next lookup does it


def test_a_reload_swaps_the_new_index_in_whole(backend, settings, redis_client):
    cache = make(backend)
    cache.put("show bgp summary on rtr-001", "established")
    assert cache.get("show me the bgp summary on rtr-001") is not None
    old_epoch = cache.index.epoch
    redis_client.delete(cache.keys.ix_epoch)  # as after a Redis restart: the next sync reloads
    cache.index.last_sync_s = float("-inf")
    assert cache.get("display the bgp summary on rtr-001") is not None
    assert cache.index.reloads == 2 and cache.index.epoch != old_epoch and len(cache.index) == 1
