"""Dead consumers leave the group after a grace, once their entries were claimed; a full broker holds."""

from __future__ import annotations

import time

import pytest

from netcache.errors import BackendUnavailable
from netcache.events.models import parse_event
from netcache.events.stream import encode_entry
from netcache.worker.consumer import Dispatcher
from netcache.worker.rules import load_rules


class _Sender:
    def __init__(self) -> None:
        self.sent: list[dict] = []

    def send(self, name, kwargs, queue) -> None:
        self.sent.append(kwargs)


def _dispatcher(settings, redis_client, consumer: str, **worker) -> Dispatcher:
    s = settings.model_copy(update={"worker": settings.worker.model_copy(update=worker)})
    return Dispatcher(s, redis_client=redis_client, sender=_Sender(), rules=load_rules(None), consumer=consumer)


def test_a_dead_consumer_is_removed_after_its_entries_were_claimed(settings, redis_client):
    stream, group = settings.events.stream, settings.worker.consumer_group
    dead = _dispatcher(settings, redis_client, "dead-1", claim_idle_ms=200, consumer_grace_s=0.5)
    dead.ensure_group()
    redis_client.xadd(stream, encode_entry(parse_event({"type": "config_change", "device": "rtr-1",
                                                        "kind": "running"})))
    redis_client.xreadgroup(group, "dead-1", {stream: ">"})  # read, then it "dies" before the ack
    live = _dispatcher(settings, redis_client, "live-1", claim_idle_ms=200, consumer_grace_s=0.5)
    assert live.reap_consumers() == []  # idle, but it still holds an entry: not removed
    time.sleep(0.7)
    assert live.reap_consumers() == []
    assert live.claim() == 1 and len(live.sender.sent) == 1  # its entry is taken over first
    assert live.reap_consumers() == ["dead-1"]
    names = {c["name"].decode() for c in redis_client.xinfo_consumers(stream, group)}
    assert names == {"live-1"}
    assert redis_client.xpending(stream, group)["pending"] == 0


def test_the_dispatcher_holds_while_the_broker_is_above_its_high_water_mark(settings, redis_client):
    used = int(redis_client.info("memory")["used_memory"])
    redis_client.config_set("maxmemory", str(used + 400_000))
    try:
        d = _dispatcher(settings, redis_client, "d1", broker_high_water=0.5)
        d.ensure_group()
        with pytest.raises(BackendUnavailable, match="high-water mark"):
            d.step()
        redis_client.config_set("maxmemory", "0")
        d.step()  # room again: it reads
    finally:
        redis_client.config_set("maxmemory", "0")
