"""The foundation is the one place for keys, Lua, bytes→str and heartbeats."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from netcache import lua
from netcache.cluster import key_slot, slot_tag, tagged
from netcache.health import Heartbeat, check_health, health_key, read_health, write_heartbeat
from netcache.keys import EventKeys, Keys, WorkerKeys
from netcache.text import to_text

ROOT = Path(__file__).resolve().parents[1]
#: the folders whose Redis keys, Lua and helpers must come from the foundation
CLIENT_FOLDERS = ("events", "worker", "tasks")


def _sources(*folders: str) -> list[Path]:
    return [p for f in folders for p in (ROOT / f).rglob("*.py") if "__pycache__" not in p.parts]


def test_no_redis_key_is_built_by_hand_outside_the_key_registry():
    hand_built = re.compile(r"""f["'][^"']*\{[\w.]*prefix\}:(?!\*)""")
    offenders = [f"{p.relative_to(ROOT)}:{n}: {line.strip()}" for p in _sources(*CLIENT_FOLDERS)
                 for n, line in enumerate(p.read_text().splitlines(), 1) if hand_built.search(line)]
    assert not offenders, "\n".join(offenders)


def test_no_lua_source_lives_in_python_outside_the_engine():
    offenders = [str(p.relative_to(ROOT)) for p in _sources(*CLIENT_FOLDERS, "netcache")
                 if "redis.call(" in p.read_text() and "engine" not in p.parts]
    assert not offenders


def test_every_shipped_lua_script_is_registered_by_name_somewhere():
    code = "\n".join(p.read_text() for p in _sources(*CLIENT_FOLDERS, "netcache"))
    names = sorted(p.stem for p in (ROOT / "netcache" / "lua").glob("*.lua"))
    assert names
    lua = "\n".join(p.read_text() for p in (ROOT / "netcache" / "lua").glob("*.lua"))
    # "_name" files are shared functions other scripts pull in with "--#include _name"
    unused = [n for n in names if f'"{n}"' not in code and not (n.startswith("_") and f"--#include {n}" in lua)]
    assert not unused, f"scripts nobody registers: {unused}"


def test_the_worker_keys_have_the_documented_layout():
    w = WorkerKeys("nc")
    assert w.health("worker", "host1") == "nc:w:health:worker:host1"
    assert w.health_match("beat") == "nc:w:health:beat:*" and w.health_match() == "nc:w:health:*:*"
    assert (w.stats("dispatcher"), w.progress("a1"), w.actions, w.warmed, w.last_refresh) == (
        "nc:w:stats:dispatcher", "nc:w:progress:a1", "nc:w:actions", "nc:w:warmed", "nc:w:last_refresh")
    assert (w.semaphore("warm"), w.budget("20260328")) == ("nc:w:sem:warm", "nc:w:budget:20260328")
    assert (w.window("k"), w.fold_base, w.due, w.actions_pending, w.marker("m"), w.refunds) == (
        "nc:w:{nc:events}:co:k", "nc:w:{nc:events}:co:f:", "nc:w:{nc:events}:co:due", "nc:w:{nc:events}:co:act",
        "nc:w:{nc:events}:action:m", "nc:w:{nc:events}:refunds")
    assert (w.redbeat_prefix, w.redbeat_lock) == ("nc:w:redbeat:", "nc:w:redbeat::lock")
    e = EventKeys("run7")
    assert (e.seen, e.stats, e.stream, e.dead_letter_stream) == (
        "run7:ev:{run7:events}:seen", "run7:ev:{run7:events}:stats", "run7:events", "{run7:events}:dead")
    assert WorkerKeys("nc", "ops:{feed}").due == "nc:w:{feed}:co:due"  # a stream's own hash tag is kept


def test_keys_one_script_or_multi_touches_share_a_cluster_slot():
    k = Keys("nc")
    assert (k.entry("e1"), k.tag("device:r1"), k.gen("device:r1"), k.tier("hot"), k.ix_log, k.q_top) == (
        "{nc}:e:e1", "{nc}:t:device:r1", "{nc}:g:device:r1", "{nc}:tier:hot", "{nc}:ix:log", "{nc}:q:top")
    assert Keys("nc", "scratch").entry("e1") == "{nc:scratch}:e:e1" and k.verdict("p") == "{nc}:vf:p"
    cache = {key_slot(x) for x in (*k.tier_script_keys, k.entry("a"), k.tag("t"), k.gen("t"), k.lease("a"), k.q_meta)}
    assert cache == {key_slot("nc")}
    w, e = WorkerKeys("nc"), EventKeys("nc")
    stream = {key_slot(x) for x in ("nc:events", e.seen, e.stats, e.dead_letter_stream, w.window("k"),
                                    w.fold_base + "k:1", w.due, w.actions_pending, w.marker("m"), w.refunds)}
    assert stream == {key_slot("nc:events")}
    assert slot_tag("a{}b{c}") == "a{}b{c}" and tagged("x{y}z") == "{y}"


def test_to_text_decodes_bytes_keeps_none_and_is_strict_only_when_asked():
    assert (to_text(b"rtr-001"), to_text("x"), to_text(7), to_text(None)) == ("rtr-001", "x", "7", None)
    assert to_text(memoryview(b"ab")) == "ab"
    assert to_text(b"\xff") == "\ufffd"
    with pytest.raises(UnicodeDecodeError):
        to_text(b"\xff", "strict")


def test_an_unknown_lua_script_is_a_value_error_naming_the_file():
    with pytest.raises(ValueError, match=r"netcache/lua/nope\.lua"):
        lua.source("nope")


def test_a_registered_script_runs_and_reloads_itself_after_a_script_flush(redis_client):
    acquire = lua.register(redis_client, "semaphore_acquire")
    assert acquire(keys=["nc:w:sem:t"], args=[repr(time.time()), 1, 60, "tok1"]) == 1
    redis_client.script_flush()
    assert acquire(keys=["nc:w:sem:t"], args=[repr(time.time()), 1, 60, "tok2"]) == 0  # full, and loaded again


def test_a_heartbeat_writes_pid_time_and_fields_with_its_ttl_and_health_reads_it(redis_client):
    key = health_key("nc", "dispatcher", "host-a")
    write_heartbeat(redis_client, key, 30, consumer="c1")
    value = json.loads(redis_client.get(key))
    assert value["consumer"] == "c1" and value["pid"] > 0 and abs(value["at"] - time.time()) < 60
    assert 0 < redis_client.ttl(key) <= 30
    (record,) = read_health(redis_client, "nc", "dispatcher")
    assert (record.component, record.hostname, record.value["consumer"]) == ("dispatcher", "host-a", "c1")
    assert check_health(redis_client, "nc", "dispatcher") == (True, "dispatcher: healthy (1 fresh: host-a)")
    ok, message = check_health(redis_client, "nc", "beat")
    assert not ok and "nc:w:health:beat:*" in message


def test_a_heartbeat_thread_keeps_its_key_and_removes_it_on_stop(redis_client):
    key = health_key("nc", "beat", "host-b")
    beat = Heartbeat(redis_client, key, ttl_s=3).start()
    try:
        assert redis_client.exists(key)
    finally:
        beat.stop()
    assert not redis_client.exists(key)
