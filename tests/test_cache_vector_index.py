"""The in-process vector index: partitions, search, change-log replay decisions (pure logic)."""

from __future__ import annotations

import numpy as np

from netcache.engine.vector_index import VectorIndex, decode_record, encode_record


def unit(*xs):
    v = np.asarray(xs, dtype=np.float32)
    return v / np.linalg.norm(v)


def loaded(epoch="e1"):
    ix = VectorIndex()
    ix.reset(epoch)
    ix.loaded = True
    return ix


def test_search_only_compares_within_the_group():
    ix = loaded()
    ix.add("a", "g1", "qa", unit(1, 0, 0))
    ix.add("b", "g2", "qb", unit(1, 0, 0))
    assert [c.entry_id for c in ix.search("g1", unit(1, 0, 0), 0.5)] == ["a"]
    assert ix.search("g3", unit(1, 0, 0), 0.0) == []


def test_search_returns_the_best_first_above_the_minimum():
    ix = loaded()
    for i, v in enumerate([unit(1, 0, 0), unit(1, 1, 0), unit(0, 1, 0), unit(1, 0.1, 0)]):
        ix.add(f"e{i}", "g", f"q{i}", v)
    got = ix.search("g", unit(1, 0, 0), 0.6, k=3)
    assert [c.entry_id for c in got] == ["e0", "e3", "e1"]
    assert got[0].score > got[1].score > got[2].score >= 0.6 and got[0].prompt == "q0"


def test_removing_keeps_the_other_rows_right_and_growing_keeps_data():
    ix = loaded()
    vecs = {f"e{i}": unit(np.cos(i), np.sin(i), 0.3) for i in range(40)}
    for k, v in vecs.items():
        ix.add(k, "g", k, v)
    for k in ["e0", "e17", "e39"]:
        ix.remove(k)
        del vecs[k]
    for k, v in vecs.items():
        assert ix.search("g", v, 0.9999, k=1)[0].entry_id == k
    assert len(ix) == 37


def test_an_entry_moving_group_leaves_its_old_group():
    ix = loaded()
    ix.add("a", "g1", "q", unit(1, 0))
    ix.add("a", "g2", "q", unit(1, 0))
    assert ix.search("g1", unit(1, 0), 0.0) == [] and len(ix) == 1


def test_records_round_trip_and_bad_ones_are_counted():
    blob = encode_record("g", "show bgp", unit(1, 2, 3))
    g, p, v = decode_record(blob)
    assert (g, p) == ("g", "show bgp") and np.allclose(v, unit(1, 2, 3))
    ix = loaded()
    ix.add_record("x", b"\xff\xff")
    assert ix.bad_records == 1 and len(ix) == 0


def test_a_poll_applies_deletes_and_asks_for_added_vectors():
    ix = loaded()
    ix.add("old", "g", "q", unit(1, 0))
    entries = [(b"5-0", {b"op": b"add", b"id": b"new"}), (b"6-0", {b"op": b"del", b"id": b"old"}),
               (b"7-0", {b"op": b"add", b"id": b"gone"}), (b"8-0", {b"op": b"del", b"id": b"gone"})]
    assert ix.after_poll(b"e1", {"length": 4, "recorded-first-entry-id": b"0-0"}, entries) == ["new"]
    assert "old" not in ix and ix.last_id == "8-0"


def test_a_changed_epoch_or_a_trimmed_log_asks_for_a_reload():
    ix = loaded()
    ix.last_id = "100-0"
    assert ix.after_poll(b"e2", None, []) is None
    assert ix.after_poll(None, None, []) is None
    assert ix.after_poll(b"e1", {"length": 10, "recorded-first-entry-id": b"150-0"}, []) is None
    assert ix.after_poll(b"e1", {"length": 10, "recorded-first-entry-id": b"90-0"}, []) == []
