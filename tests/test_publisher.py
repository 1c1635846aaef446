"""The publisher against a real Redis: ids, de-duplication, batching, trimming, outages."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import redis
import redis.asyncio as aioredis

from netcache.connections import make_async_redis
from netcache.devtools.local_redis import LocalRedis
from netcache.errors import BackendUnavailable
from netcache.events.models import parse_event
from netcache.events.publisher import AsyncEventPublisher, EventPublisher, StreamFull
from netcache.events.stream import decode_entry
from netcache.keys import EventKeys

T0 = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)


def flap(i: int = 0, state: str = "down"):
    return parse_event({"type": "interface_flap", "device": f"rtr-{i % 7:03d}", "interface": f"Gi0/{i % 48}",
                        "state": state, "occurred_at": T0 + timedelta(milliseconds=i), "source": "syslog"})


def with_events(settings, **changes):
    return settings.model_copy(update={"events": settings.events.model_copy(update=changes)})


def test_a_published_event_is_on_the_stream_and_decodes_to_itself(settings, redis_client):
    event = flap()
    stream_id = EventPublisher(redis_client, settings).publish(event)
    entries = redis_client.xrange(settings.events.stream)
    assert [e[0].decode() for e in entries] == [stream_id]
    assert decode_entry(entries[0][1], entries[0][0]) == event


def test_the_same_event_twice_is_published_once_within_the_window(settings, redis_client):
    publisher = EventPublisher(redis_client, settings)
    first = publisher.publish(flap())
    assert publisher.publish(flap()) is None
    assert redis_client.xlen(settings.events.stream) == 1
    seen = EventKeys(settings.key_prefix).seen
    assert first and redis_client.zscore(seen, flap().id) is not None
    assert redis_client.ttl(seen) == -1  # no TTL: an eviction policy cannot drop the de-dup record
    assert publisher.counts == {"published": 1, "duplicates": 1, "retries": 0, "refused": 0}


def test_with_a_zero_window_every_publish_lands(settings, redis_client):
    publisher = EventPublisher(redis_client, with_events(settings, dedup_window_s=0))
    assert publisher.publish(flap()) and publisher.publish(flap())
    assert redis_client.xlen(settings.events.stream) == 2
    assert not redis_client.exists(EventKeys(settings.key_prefix, settings.events.stream).seen)


def test_publish_many_splits_big_batches_keeps_order_and_dedups_inside_a_batch(settings, redis_client):
    events = [flap(i) for i in range(1200)]
    events.insert(700, flap(3))  # a repeat inside the second script call
    results = EventPublisher(redis_client, settings).publish_many(events)
    assert len(results) == 1201
    assert results[700] is None
    assert sum(r is not None for r in results) == 1200
    ids = [decode_entry(f).id for _, f in redis_client.xrange(settings.events.stream)]
    assert ids == [e.id for i, e in enumerate(events) if i != 700]


def test_the_de_dup_record_keeps_at_most_dedup_max_ids(settings, redis_client):
    EventPublisher(redis_client, with_events(settings, dedup_max_ids=50)).publish_many(flap(i) for i in range(300))
    assert redis_client.zcard(EventKeys(settings.key_prefix).seen) == 50
    assert redis_client.xlen(settings.events.stream) == 300


def _read_and_ack(redis_client, stream: str, group: str, count: int) -> None:
    reply = redis_client.xreadgroup(group, "c1", {stream: ">"}, count=count)
    ids = [i for i, _ in reply[0][1]] if reply else []
    if ids:
        redis_client.xack(stream, group, *ids)


def test_a_full_stream_nobody_reads_refuses_instead_of_trimming(settings, redis_client):
    s = with_events(settings, stream_maxlen=100)
    publisher = EventPublisher(redis_client, s)
    publisher.publish_many(flap(i) for i in range(100))
    with pytest.raises(StreamFull, match="at its limit"):
        publisher.publish_many([flap(1000 + i) for i in range(10)])
    assert redis_client.xlen(s.events.stream) == 100  # nothing unread was dropped
    assert publisher.counts["refused"] == 10
    assert redis_client.hget(EventKeys(s.key_prefix).stats, "refused_stream_full") == b"10"
    # refused events left no de-dup record: published later, they land
    assert redis_client.zscore(EventKeys(s.key_prefix).seen, flap(1000).id) is None


def test_the_stream_is_trimmed_only_below_what_the_group_read_and_acknowledged(settings, redis_client):
    s = with_events(settings, stream_maxlen=100)
    stream, group = s.events.stream, "g"
    redis_client.xgroup_create(stream, group, id="0", mkstream=True)
    publisher = EventPublisher(redis_client, s)
    publisher.publish_many(flap(i) for i in range(100))
    _read_and_ack(redis_client, stream, group, 60)       # 60 processed
    redis_client.xreadgroup(group, "c1", {stream: ">"}, count=10)  # 10 read, not acknowledged (pending)
    assert all(publisher.publish_many([flap(200 + i) for i in range(60)]))  # room for the 60 processed
    assert redis_client.xlen(stream) == 100
    with pytest.raises(StreamFull):  # the 10 pending and the 30 unread are kept
        publisher.publish(flap(999))
    remaining = [decode_entry(f).id for _, f in redis_client.xrange(stream)]
    assert remaining[:40] == [flap(i).id for i in range(60, 100)]
    assert redis_client.xpending(stream, group)["pending"] == 10


def test_a_partly_refused_batch_is_retried_whole_without_duplicates(settings, redis_client):
    s = with_events(settings, stream_maxlen=10)
    publisher = EventPublisher(redis_client, s)
    batch = [flap(i) for i in range(15)]
    with pytest.raises(StreamFull, match="5 event.s. refused, 10 before them published"):
        publisher.publish_many(batch)
    redis_client.xgroup_create(s.events.stream, "g", id="0")
    _read_and_ack(redis_client, s.events.stream, "g", 100)
    results = publisher.publish_many(batch)
    assert results[:10] == [None] * 10 and all(results[10:])
    assert redis_client.xlen(s.events.stream) == 5


def test_a_stream_key_of_the_wrong_type_is_reported_not_retried(settings, redis_client):
    redis_client.set(settings.events.stream, "oops")
    with pytest.raises(BackendUnavailable, match="refused the XADD"):
        EventPublisher(redis_client, settings).publish(flap())


def test_redis_down_is_retried_with_backoff_then_raised_without_the_password(monkeypatch, settings):
    server = LocalRedis(password="s3cret-pw")
    server.start()
    client = redis.Redis.from_url(server.url, socket_connect_timeout=0.5)
    server.stop()
    sleeps: list[float] = []
    publisher = EventPublisher(client, with_events(settings, publish_retries=3, publish_backoff_ms=100),
                               sleep=sleeps.append)
    try:
        with pytest.raises(BackendUnavailable) as err:
            publisher.publish(flap())
    finally:
        client.close()
        server.close()
    assert "after 4 attempt(s)" in str(err.value)
    assert "s3cret-pw" not in str(err.value)
    assert len(sleeps) == 3
    assert all(0.05 <= s <= 0.1 for s in sleeps[:1]) and sleeps[2] <= 0.4
    assert publisher.counts["retries"] == 3


def test_an_outage_shorter_than_the_retries_loses_nothing_and_doubles_nothing(settings, redis_server, redis_client):
    publisher = EventPublisher(redis_client, with_events(settings, publish_retries=30, publish_backoff_ms=50,
                                                         publish_backoff_max_ms=200))
    publisher.publish(flap(1))
    redis_server.stop()
    restart = threading.Timer(0.5, redis_server.start)
    restart.start()
    try:
        results = publisher.publish_many([flap(2), flap(3)])
    finally:
        restart.join()
    assert all(results)
    assert publisher.counts["retries"] >= 1
    # the restart emptied Redis (no persistence): exactly the two events published after it are there
    assert [decode_entry(f).id for _, f in redis_client.xrange(settings.events.stream)] == [flap(2).id, flap(3).id]


async def test_the_async_publisher_shares_the_dedup_with_the_sync_one(settings, redis_url, redis_client):
    EventPublisher(redis_client, settings).publish(flap(1))
    client = make_async_redis(settings)  # a cluster client on the cluster
    try:
        publisher = AsyncEventPublisher(client, settings)
        results = await publisher.publish_many([flap(1), flap(2), flap(2)])
        assert results[0] is None and results[1] and results[2] is None
        assert await publisher.publish(flap(3))
    finally:
        await client.aclose()
    assert redis_client.xlen(settings.events.stream) == 3


async def test_the_async_publisher_raises_backend_unavailable_when_redis_is_gone(settings):
    server = LocalRedis().start()
    client = aioredis.Redis.from_url(server.url, socket_connect_timeout=0.5)
    server.close()
    try:
        with pytest.raises(BackendUnavailable):
            await AsyncEventPublisher(client, with_events(settings, publish_retries=1, publish_backoff_ms=10)).publish(flap())
    finally:
        await client.aclose()
