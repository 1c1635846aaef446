"""Faults: Redis restarts and outages, endless redeliveries, a broker that refuses, work that keeps failing."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redis
from kombu.exceptions import OperationalError

from netcache.devtools.local_redis import LocalRedis
from netcache.events.models import parse_event
from netcache.events.stream import encode_entry
from netcache.settings import Settings
from netcache.tasks.app import make_app
from netcache.worker.consumer import CelerySender, Dispatcher
from netcache.worker.rules import load_rules
from tests.support.broker import broker_messages, broker_tasks

NETCACHE = str(Path(sys.executable).with_name("netcache"))
STREAM, GROUP = "nc:events", "nc-dispatchers"


def entry(**event) -> dict[str, str]:
    return encode_entry(parse_event(event))


def wait_for(predicate, timeout_s: float = 40.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def start_dispatcher(url: str, log_path: Path, **env: str) -> subprocess.Popen:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("NETCACHE_")}
    full_env.update({"NETCACHE_REDIS_URL": url, "NETCACHE_WORKER__BLOCK_MS": "100",
                     "NETCACHE_WORKER__COALESCE_WINDOW_S": "0.5",
                     "NETCACHE_WORKER__DISPATCHER_BACKOFF_MAX_S": "0.5", **env})
    with open(log_path, "wb") as log:
        return subprocess.Popen([NETCACHE, "dispatcher"], env=full_env, stdout=log, stderr=subprocess.STDOUT)


def invalidated_devices(r) -> set[str]:
    return {t.split(":", 1)[1] for _, kwargs in broker_tasks(r, "invalidate") for t in kwargs["tags"]}


@pytest.fixture
def durable_redis():
    """A redis-server of its own with an fsync'ed append-only file, so a restart keeps what it accepted."""
    server = LocalRedis(extra_args=["--appendonly", "yes", "--appendfsync", "always"])
    server.start()
    yield server
    server.close()


def test_redis_restart_while_events_flow_loses_no_accepted_event(durable_redis, tmp_path):
    proc = start_dispatcher(durable_redis.url, tmp_path / "d.log")
    r = redis.Redis.from_url(durable_redis.url, socket_timeout=2)
    accepted: list[str] = []
    try:
        restarted = threading.Event()
        for n in range(300):
            device = f"rtr-{n:03d}"
            while True:
                try:
                    r.xadd(STREAM, entry(type="config_change", device=device))
                    accepted.append(device)
                    break
                except redis.ConnectionError:
                    time.sleep(0.05)
            if n == 100:
                threading.Thread(target=lambda: (durable_redis.restart(), restarted.set())).start()
            time.sleep(0.003)
        assert restarted.wait(20)
        wait_for(lambda: set(accepted) <= invalidated_devices(r), timeout_s=40, what="every accepted event")
        wait_for(lambda: r.xpending(STREAM, GROUP)["pending"] == 0, what="all acknowledged")
        assert proc.poll() is None  # it rode out the restart
        assert len(broker_tasks(r, "invalidate")) >= len(accepted)
    finally:
        proc.kill()
        proc.wait(10)
        r.close()


def test_redis_down_at_start_is_retried_with_a_clear_log_line_and_no_password(tmp_path):
    server = LocalRedis(password="s3cret-pass")
    log_path = tmp_path / "d.log"
    proc = start_dispatcher(server.url, log_path)
    try:
        wait_for(lambda: "unavailable" in log_path.read_text(), what="the outage logged")
        time.sleep(1.0)
        assert proc.poll() is None  # no crash loop: it keeps trying
        server.start()
        r = redis.Redis.from_url(server.url)
        r.xadd(STREAM, entry(type="config_change", device="rtr-1"))
        wait_for(lambda: len(broker_tasks(r, "invalidate")) == 1, what="the event after Redis came up")
        text = log_path.read_text()
        assert "retrying in" in text and "s3cret-pass" not in text and ":***@" in text
        r.close()
    finally:
        proc.kill()
        proc.wait(10)
        server.close()


@pytest.fixture
def fast_settings(settings) -> Settings:
    settings.worker.block_ms = 10
    settings.worker.claim_idle_ms = 50
    settings.worker.max_deliveries = 3
    settings.worker.dispatcher_backoff_max_s = 0.05
    return settings


def test_an_entry_delivered_more_than_max_deliveries_times_goes_to_the_dead_letters(fast_settings, redis_client):
    d = Dispatcher(fast_settings, redis_client=redis_client, sender=CelerySender(make_app(fast_settings)),
                   rules=load_rules(None), consumer="c1")
    d.ensure_group()
    poison = redis_client.xadd(STREAM, entry(type="config_change", device="rtr-1"))
    good = redis_client.xadd(STREAM, entry(type="config_change", device="rtr-2"))
    redis_client.xreadgroup(GROUP, "crashy", {STREAM: ">"}, count=10)
    # the poison entry crashed consumers 9 times already; the good one once
    redis_client.xclaim(STREAM, GROUP, "crashy", 0, [poison], retrycount=9)
    time.sleep(0.06)
    d.claim()
    dead = redis_client.xrange("{nc:events}:dead")
    assert len(dead) == 1
    fields = dead[0][1]
    assert fields[b"dl_source_id"] == poison and fields[b"deliveries"] == b"10"
    assert b"delivered 10 times (max_deliveries=3)" in fields[b"error"]
    assert fields[b"device"] == b"rtr-1" and fields[b"event"]  # the original entry, to replay later
    assert invalidated_devices(redis_client) == {"rtr-2"}
    assert redis_client.xpending(STREAM, GROUP)["pending"] == 0
    assert d.counters.claimed == 2 and d.counters.dead_lettered == 1
    assert redis_client.xpending_range(STREAM, GROUP, min=good, max=good, count=1) == []  # acked with the rest


class FlakySender:
    """Stands in for the broker boundary: refuses some sends, records the others."""

    def __init__(self, *, fail_first_n: int = 0, fail_device: str | None = None, error=OperationalError) -> None:
        self.fail_first_n = fail_first_n
        self.fail_device = fail_device
        self.error = error
        self.calls = 0
        self.sent: list[dict] = []

    def send(self, name: str, kwargs: dict, queue: str) -> None:
        self.calls += 1
        if self.calls <= self.fail_first_n:
            raise self.error("broker connection refused")
        if self.fail_device and any(t == f"device:{self.fail_device}" for t in kwargs.get("tags", ())):
            raise self.error(f"cannot serialise task for {self.fail_device}")
        self.sent.append(kwargs)


def _two_events_through_an_outage(fast_settings, redis_client, sender) -> Dispatcher:
    """Run a dispatcher over two config changes until the flaky sender has taken both."""
    d = Dispatcher(fast_settings, redis_client=redis_client, sender=sender, rules=load_rules(None), consumer="c1")
    redis_client.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
    redis_client.xadd(STREAM, entry(type="config_change", device="rtr-1"))
    redis_client.xadd(STREAM, entry(type="config_change", device="rtr-2"))
    stop = threading.Event()
    t = threading.Thread(target=d.run, args=(stop,))
    t.start()
    try:
        wait_for(lambda: len(sender.sent) == 2 and redis_client.xpending(STREAM, GROUP)["pending"] == 0,
                 what="both enqueued after the outage")
    finally:
        stop.set()
        t.join(10)
    return d


def test_a_broker_outage_leaves_the_entry_pending_and_it_is_enqueued_once_when_the_broker_is_back(
        fast_settings, redis_client):
    sender = FlakySender(fail_first_n=2)
    d = _two_events_through_an_outage(fast_settings, redis_client, sender)
    assert [k["tags"] for k in sender.sent] == [["device:rtr-1"], ["device:rtr-2"]]
    assert d.counters.errors == 2 and redis_client.xlen("{nc:events}:dead") == 0


def test_a_broker_outage_longer_than_max_deliveries_retries_dead_letters_nothing(fast_settings, redis_client):
    # every retry re-reads the pending entries (XPENDING counts each read), but an outage is not their
    # fault: the deliveries are refunded, and both events are enqueued once the broker is back
    sender = FlakySender(fail_first_n=4 * fast_settings.worker.max_deliveries)
    d = _two_events_through_an_outage(fast_settings, redis_client, sender)
    assert sender.calls > 2 * fast_settings.worker.max_deliveries  # the outage outlasted max_deliveries reads
    assert redis_client.xlen("{nc:events}:dead") == 0
    assert [k["tags"] for k in sender.sent] == [["device:rtr-1"], ["device:rtr-2"]]
    assert d.counters.refunded >= fast_settings.worker.max_deliveries
    assert redis_client.hlen("nc:w:{nc:events}:refunds") == 0  # forgotten once acknowledged


def test_an_entry_whose_task_can_never_be_sent_is_dead_lettered_without_holding_back_the_others(
        fast_settings, redis_client):
    sender = FlakySender(fail_device="rtr-bad", error=ValueError)
    d = Dispatcher(fast_settings, redis_client=redis_client, sender=sender, rules=load_rules(None), consumer="c1")
    redis_client.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
    redis_client.xadd(STREAM, entry(type="config_change", device="rtr-bad"))
    for n in range(5):
        redis_client.xadd(STREAM, entry(type="config_change", device=f"rtr-{n}"))
    stop = threading.Event()
    t = threading.Thread(target=d.run, args=(stop,))
    t.start()
    try:
        wait_for(lambda: redis_client.xlen("{nc:events}:dead") == 1, what="the dead letter")
        wait_for(lambda: redis_client.xpending(STREAM, GROUP)["pending"] == 0, what="everything acknowledged")
    finally:
        stop.set()
        t.join(10)
    assert sorted(k["tags"][0] for k in sender.sent) == [f"device:rtr-{n}" for n in range(5)]
    (dead,) = redis_client.xrange("{nc:events}:dead")
    assert dead[1][b"device"] == b"rtr-bad" and b"max_deliveries=3" in dead[1][b"error"]


def test_a_broker_outage_on_the_batch_path_keeps_the_batch_pending_and_sends_it_once_the_broker_is_back(
        redis_url, tmp_path):
    broker = LocalRedis()
    broker.start()
    log_path = tmp_path / "d.log"
    proc = start_dispatcher(redis_url, log_path, NETCACHE_WORKER__BROKER_URL=broker.url,
                            NETCACHE_WORKER__DISPATCH_MODE="batch")
    r = redis.Redis.from_url(redis_url)
    b = redis.Redis.from_url(broker.url)
    try:
        r.xadd(STREAM, entry(type="config_change", device="rtr-first"))
        wait_for(lambda: invalidated_devices(b) == {"rtr-first"}, what="the first event enqueued")
        broker.stop()
        devices = [f"rtr-{n:02d}" for n in range(40)]
        pipe = r.pipeline()
        for device in devices:
            pipe.xadd(STREAM, entry(type="config_change", device=device))
        pipe.execute()
        wait_for(lambda: "unavailable" in log_path.read_text(), what="the broker outage logged")
        # Depending on whether the broker check or the read comes first, the batch is either read and held
        # pending, or left unread in the stream: either way none of the 40 may be acknowledged while the
        # broker is away (acknowledged = neither pending nor still to be read)
        def unacknowledged() -> int:
            (info,) = [g for g in r.xinfo_groups(STREAM) if g["name"] == GROUP.encode()]
            return r.xpending(STREAM, GROUP)["pending"] + info["lag"]
        deadline = time.monotonic() + 3.0
        while time.monotonic() < deadline:  # through several retry rounds of the outage
            assert unacknowledged() == 40
            time.sleep(0.1)
        broker.start()  # an empty broker (no persistence): the batch must come again, whole
        wait_for(lambda: unacknowledged() == 0, timeout_s=40, what="the batch acknowledged")
        tasks = broker_tasks(b, "invalidate")
        assert sorted(k["tags"][0] for _, k in tasks) == [f"device:{d}" for d in devices]  # each once
        assert {name for name, _ in broker_messages(b, "invalidate")} == {"netcache.invalidate_batch"}
        assert r.xlen("nc:events:dead") == 0  # an outage is not the events' fault
        assert proc.poll() is None
    finally:
        proc.kill()
        proc.wait(10)
        r.close()
        b.close()
        broker.close()
