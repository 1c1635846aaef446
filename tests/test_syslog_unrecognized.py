"""What no syslog rule understood: message ids, clean samples, the bounded record in Redis, the ratio."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from netcache.connections import make_async_redis
from netcache.events.syslog import unrecognized as unrec
from netcache.events.syslog.parser import SyslogParser
from netcache.events.syslog.unrecognized import RatioWindow, UnrecognizedTracker, message_id, read_top, sanitize
from netcache.keys import SyslogUnrecognizedKeys
from netcache.metrics.export import read_syslog_window


def test_sanitize_escapes_control_and_invisible_characters_and_caps_the_length():
    assert sanitize("a\x1b[2Jb\x07c\td\ne\x7f\x85") == "a\\x1b[2Jb\\x07c\\td\\ne\\x7f\\x85"
    assert sanitize("evil\u202eoverride") == "evil\\u202eoverride"
    assert sanitize("back\\slash") == "back\\\\slash"  # an escaped line cannot fake an escape
    capped = sanitize("x" * 500, 300)
    assert len(capped) == 300 and capped.endswith("…")
    assert sanitize("plain line: ok") == "plain line: ok"


def test_the_message_id_is_the_cisco_mnemonic_even_where_a_relay_moved_it():
    relayed = ("<189>1 2026-11-28T03:41:08+00:00 localhost 4712 - - -  rtr-002: Nov 28 03:41:08.250 UTC: "
               "%BGP-5-ADJCHANGE: neighbor 10.0.0.2 Down Interface flap")
    result = SyslogParser().parse(relayed)
    if result.status == "unrecognized":  # until the parser reads Cisco inside RFC 5424
        assert message_id(result) == "%BGP-5-ADJCHANGE"
    junos = SyslogParser().parse("<28>Nov 28 03:41:14 vmx01 rpd[2902]: RPD_FOO_BAR: something new")
    assert junos.status == "unrecognized" and message_id(junos) == "RPD_FOO_BAR"


def test_the_parsers_own_message_id_wins_and_is_sanitised():
    result = SimpleNamespace(message_id="WEIRD\x1bID" + "X" * 100, raw="%LINK-3-UPDOWN: x", key="LINK-UPDOWN")
    mid = message_id(result)
    assert mid.startswith("WEIRD\\x1bID") and len(mid) == unrec.ID_MAX_CHARS


def test_the_ratio_window_counts_only_the_last_window():
    w = RatioWindow(window_s=900)
    assert w.ratio(0, 0, 0) == 0.0
    w.mark(0, 0, 0)
    w.mark(600, 90, 10)
    assert w.ratio(600, 90, 10) == pytest.approx(0.1)
    w.mark(1200, 100, 100)  # 10 parsed, 90 unrecognized since t=600
    assert w.ratio(1500, 100, 100) == pytest.approx(90 / 100)
    assert w.ratio(1500, 100, 100) == w.ratio(1500.0, 100, 100)


def line(i: int) -> SimpleNamespace:
    return SimpleNamespace(raw=f"<13>Nov 28 03:00:00 h app: %FAC{i}-5-THING: text {i}", key=None, vendor=None)


async def test_the_record_in_redis_keeps_the_most_frequent_ids_and_their_samples_only(
        settings, redis_client, monkeypatch):
    monkeypatch.setattr(unrec, "TOP_MAX", 20)
    tracker = UnrecognizedTracker(settings.key_prefix)
    redis = make_async_redis(settings)
    try:
        for i in range(50):
            for _ in range(1 + (i >= 40) * 5):  # ids 40..49 are the frequent ones
                tracker.note(line(i))
        await tracker.flush(redis, parsed_total=100, unrecognized_total=100, now=1_000_000.0)
    finally:
        await redis.aclose()
    keys = SyslogUnrecognizedKeys(settings.key_prefix)
    assert redis_client.zcard(keys.ids) == 20
    assert redis_client.hlen(keys.samples) == 20  # samples of trimmed ids are gone too
    top = read_top(redis_client, settings.key_prefix, 10)
    assert {t["id"] for t in top} == {f"%FAC{i}-5-THING" for i in range(40, 50)}
    for t in top:
        i = int(t["id"][4:].split("-")[0])
        assert t["lines"] == 6 and t["sample"].endswith(f"text {i}") and t["last_seen"] == 1_000_000.0
    assert 0 < redis_client.ttl(keys.ids) <= unrec.KEEP_S


async def test_a_flood_of_distinct_ids_is_bounded_in_memory_and_counted_in_the_totals(settings, redis_client):
    tracker = UnrecognizedTracker(settings.key_prefix)
    for i in range(unrec.PENDING_MAX + 500):
        tracker.note(line(i))
    assert len(tracker._pending) == unrec.PENDING_MAX
    redis = make_async_redis(settings)
    try:
        await tracker.flush(redis, parsed_total=0, unrecognized_total=unrec.PENDING_MAX + 500, now=1_000_000.0)
    finally:
        await redis.aclose()
    window = read_syslog_window(redis_client, settings.key_prefix, now=1_000_030.0)
    assert window["unrecognized"] == unrec.PENDING_MAX + 500 and window["ratio"] == 1.0
    assert redis_client.zcard(SyslogUnrecognizedKeys(settings.key_prefix).ids) == unrec.TOP_MAX


async def test_the_global_window_sums_listeners_and_forgets_old_minutes(settings, redis_client):
    a, b = UnrecognizedTracker(settings.key_prefix), UnrecognizedTracker(settings.key_prefix)
    redis = make_async_redis(settings)
    t0 = 1_000_020.0
    try:
        await a.flush(redis, parsed_total=80, unrecognized_total=0, now=t0)
        await b.flush(redis, parsed_total=10, unrecognized_total=10, now=t0)
        assert read_syslog_window(redis_client, settings.key_prefix, now=t0)["ratio"] == pytest.approx(10 / 100)
        later = t0 + 3 * 900
        await a.flush(redis, parsed_total=80, unrecognized_total=5, now=later)  # 5 new unrecognized only
        window = read_syslog_window(redis_client, settings.key_prefix, now=later)
        assert (window["parsed"], window["unrecognized"], window["ratio"]) == (0, 5, 1.0)
        fields = [f.decode() for f in redis_client.hkeys(SyslogUnrecognizedKeys(settings.key_prefix).minutes)]
        assert all(float(f.split("|")[0]) >= later - 2 * 900 for f in fields)  # the old minutes were pruned
    finally:
        await redis.aclose()


async def test_a_failed_flush_keeps_the_counts_for_the_next_one(settings, redis_client, redis_server):
    tracker = UnrecognizedTracker(settings.key_prefix)
    tracker.note(line(1))
    redis = make_async_redis(settings, socket_timeout=1.0)
    try:
        redis_server.stop()
        with pytest.raises(Exception):  # noqa: B017 - whatever redis-py raises for a dead server
            await tracker.flush(redis, parsed_total=3, unrecognized_total=1, now=1_000_000.0)
        redis_server.start()
        await tracker.flush(redis, parsed_total=3, unrecognized_total=1, now=1_000_001.0)
    finally:
        await redis.aclose()
    keys = SyslogUnrecognizedKeys(settings.key_prefix)
    assert redis_client.zscore(keys.ids, "%FAC1-5-THING") == 1.0
    assert json.loads(redis_client.hget(keys.samples, "%FAC1-5-THING"))["sample"].endswith("text 1")
    assert read_syslog_window(redis_client, settings.key_prefix, now=1_000_001.0)["parsed"] == 3
