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
    assert got[0].score > got[1].score > got[2].score >= 0.6 and got[0].prompt == ""  # prompts stay in Redis


def test_removing_keeps_the_other_rows_right_and_growing_keeps_data():
    ix = loaded()
    vecs = {f"e{i}": unit(np.cos(i), np.sin(i), 0.3) for i in range(40)}
    for k, v in vecs.items():
        ix.add(k, "g", k, v)
    for k in ["e0", "e17", "e39"]:
        ix.remove(k)
        del vecs[k]
    for k, v in vecs.items():
        assert ix.search("g", v, 0.99, k=1)[0].entry_id == k  # int8: self-scores are ~0.999
    assert len(ix) == 37


def test_an_entry_moving_group_leaves_its_old_group():
    ix = loaded()
    ix.add("a", "g1", "q", unit(1, 0))
    ix.add("a", "g2", "q", unit(1, 0))
    assert ix.search("g1", unit(1, 0), 0.0) == [] and len(ix) == 1


def test_records_round_trip_and_bad_ones_are_counted():
    blob = encode_record("g", "show bgp", unit(1, 2, 3))
    g, v = decode_record(blob)
    assert g == "g" and np.allclose(v, unit(1, 2, 3), atol=0.01) and len(blob) == 4 + 2 + 4 + 1 + 3
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


def test_the_older_float32_records_still_load():
    import json
    import struct
    header = json.dumps(["g", "show bgp"]).encode()
    old = struct.pack("<I", len(header)) + header + unit(1, 2, 3).tobytes()
    ix = loaded()
    ix.add_record("a" * 32, old)
    assert [c.entry_id for c in ix.search("g", unit(1, 2, 3), 0.99)] == ["a" * 32]


def test_int8_scores_stay_within_a_few_thousandths_of_float32():
    rng = np.random.default_rng(7)
    vecs = rng.normal(size=(300, 384)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    ix = loaded()
    for i, v in enumerate(vecs):
        ix.add(f"{i:032x}", "g", "", v)
    q = vecs[5] + 0.3 * vecs[9]
    q /= np.linalg.norm(q)
    got = ix.search("g", q, -1.0, k=300)
    exact = {f"{i:032x}": float(v @ q) for i, v in enumerate(vecs)}
    assert len(got) == 300 and max(abs(c.score - exact[c.entry_id]) for c in got) < 0.005
    assert got[0].entry_id == f"{5:032x}"


def test_groups_reserve_no_rows_and_freed_rows_are_reused():
    ix = loaded()
    for i in range(5000):
        ix.add(f"{i:032x}", f"g{i}", "", unit(1, i % 7, 0.5))
    per_entry = ix.nbytes() / len(ix)
    assert per_entry < 600, per_entry  # float32 with 8 reserved rows per group was ~12 KB
    for i in range(0, 5000, 2):
        ix.remove(f"{i:032x}")
    rows_before = ix._arenas[0].used
    for i in range(5000, 7500):
        ix.add(f"{i:032x}", "big", "", unit(1, 0, i % 5))
    assert ix._arenas[0].used == rows_before and len(ix) == 5000
    assert ix.group_sizes()["big"] == 2500 and "g0" not in ix.group_sizes() and "g1" in ix.group_sizes()


def test_a_bulk_load_keeps_the_last_copy_of_a_repeated_id_and_swaps_in_whole():
    ix = loaded()
    ix.add("old", "g", "", unit(1, 0))
    fresh = ix.fresh()
    fresh.reset("e2", last_id="9-0")
    fresh.load_records([("a", encode_record("g", "", unit(1, 0))), ("b", encode_record("g", "", unit(0, 1))),
                        ("bad", b"\x01")])
    fresh.load_records([("a", encode_record("g2", "", unit(1, 0)))])  # HSCAN may repeat a key
    fresh.loaded = True
    assert "old" in ix and ix.search("g2", unit(1, 0), 0.5) == []  # the old index serves until the swap
    ix.take(fresh)
    assert "old" not in ix and len(ix) == 2 and ix.epoch == "e2" and ix.last_id == "9-0" and ix.bad_records == 1
    assert [c.entry_id for c in ix.search("g2", unit(1, 0), 0.5)] == ["a"] and ix.search("g", unit(1, 0), 0.5) == []
    ix.remove("a")
    assert len(ix) == 1 and "a" not in ix and ix.group_sizes() == {"g": 1}


def test_the_id_map_survives_its_rebuilds():
    ix = loaded()
    ix.MAP_MERGE_MIN = 10
    ids = [f"{i:032x}" for i in range(200)] + [f"odd-{i}" for i in range(50)]
    vecs = np.random.default_rng(3).normal(size=(len(ids), 16))
    for n, eid in enumerate(ids):
        ix.add(eid, f"g{n % 3}", "", unit(*vecs[n]))
    for eid in ids[::3]:
        ix.remove(eid)
    kept = [e for e in ids if e not in ids[::3]]
    assert len(ix) == len(kept) and all(e in ix for e in kept) and not any(e in ix for e in ids[::3])
    n = ids.index("odd-2")
    assert ix.search(f"g{n % 3}", unit(*vecs[n]), 0.99, k=1)[0].entry_id == "odd-2"


def test_a_group_larger_than_one_search_block_scores_every_row():
    from netcache.engine.vector_index import SEARCH_BLOCK

    n = 2 * SEARCH_BLOCK + 7
    vecs = np.random.default_rng(1).normal(size=(n, 32)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    ix = loaded()
    for i, v in enumerate(vecs):
        ix.add(f"{i:032x}", "g", "", v)
    for i in (0, SEARCH_BLOCK, n - 1):
        got = ix.search("g", vecs[i], -1.0, k=n)
        assert got[0].entry_id == f"{i:032x}" and len(got) == n
        assert max(abs(c.score - float(vecs[int(c.entry_id, 16)] @ vecs[i])) for c in got) < 0.01


def test_ids_that_only_look_like_hex_keep_their_spelling():
    ix = loaded()
    odd = ["AB" * 16, "ab cd" + "0" * 27, "12", "1" * 32, "f" * 31 + "g"]
    for n, eid in enumerate(odd):
        ix.add(eid, f"g{n}", "", unit(1, n, 0.5))
    for n, eid in enumerate(odd):
        assert [c.entry_id for c in ix.search(f"g{n}", unit(1, n, 0.5), 0.9)] == [eid]
