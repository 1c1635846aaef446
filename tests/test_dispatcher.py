"""`netcache dispatcher` as a real process against a real Redis: events in, Celery messages in the broker lists.

Each test runs on the standalone Redis and on the 3-master cluster (tests/conftest.py:
ALSO_ON_CLUSTER); the broker is the standalone Redis in both (``broker_client``).

Messages enqueued by ``send_task`` on the Redis broker are JSON in the list named
after the queue; these tests read them there, batches unpacked (``tests/support/broker.py``;
the Celery worker side is tested in the tasks tests).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import redis

from netcache.devtools.local_redis import free_port
from netcache.events.models import parse_event
from netcache.events.stream import encode_entry
from tests.support.broker import broker_messages, broker_tasks
from tests.support.tasks import stop

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


def pending(r) -> int:
    return int(r.xpending(STREAM, GROUP)["pending"])


class Dispatchers:
    """Starts `netcache dispatcher` processes and makes sure none outlives the test."""

    def __init__(self, url: str, tmp_path: Path, broker_url: str) -> None:
        self.url = url
        self.broker_url = broker_url
        self.tmp_path = tmp_path
        self.procs: list[subprocess.Popen] = []

    def start(self, *args: str, **env: str) -> subprocess.Popen:
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("NETCACHE_")}
        full_env.update({
            "NETCACHE_REDIS_URL": self.url,
            "NETCACHE_WORKER__BROKER_URL": self.broker_url,
            "NETCACHE_WORKER__COALESCE_WINDOW_S": "0.5",
            "NETCACHE_WORKER__BLOCK_MS": "100",
            "NETCACHE_WORKER__DISPATCHER_HEALTH_INTERVAL_S": "0.2",
            "NETCACHE_WORKER__DISPATCHER_BACKOFF_MAX_S": "0.5",
        })
        full_env.update(env)
        log = open(self.tmp_path / f"dispatcher-{len(self.procs)}.log", "wb")
        proc = subprocess.Popen([NETCACHE, "dispatcher", *args], env=full_env, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        proc.log_path = self.tmp_path / f"dispatcher-{len(self.procs)}.log"  # type: ignore[attr-defined]
        self.procs.append(proc)
        return proc

    def log(self, proc: subprocess.Popen) -> str:
        return proc.log_path.read_text()  # type: ignore[attr-defined]

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)


@pytest.fixture
def dispatchers(redis_url, tmp_path, broker_url):
    d = Dispatchers(redis_url, tmp_path, broker_url)
    yield d
    d.stop_all()


def test_events_become_invalidation_tasks_with_the_right_tags_in_the_broker(dispatchers, redis_client, broker_client):
    proc = dispatchers.start()
    for fields in [
        entry(type="config_change", device="rtr-1"),
        entry(type="interface_flap", device="rtr-2", interface="Gi0/1", state="down"),
        entry(type="bgp_down", device="rtr-3", neighbor="10.0.0.2"),
        entry(type="topology_change", site="nyc"),
    ]:
        redis_client.xadd(STREAM, fields)
    wait_for(lambda: len(broker_tasks(broker_client, "invalidate")) >= 6, what="six invalidation messages")
    tasks = broker_tasks(broker_client, "invalidate")
    assert {name for name, _ in tasks} == {"netcache.invalidate"}
    assert [(k["tags"], k["mode"]) for _, k in tasks] == [
        (["device:rtr-1"], "hard"),
        (["iface:rtr-2:GigabitEthernet0/1"], "hard"),
        (["device:rtr-2"], "soft"),
        (["device:rtr-3", "ip:10.0.0.2"], "hard"),
        (["site:nyc"], "hard"),
        (["topic:topology"], "soft"),
    ]
    bgp = tasks[3][1]
    assert bgp["warm"][0]["prompt"] == "Why is the BGP session between rtr-3 and 10.0.0.2 down?"
    assert bgp["reason"].startswith("bgp_down bgp:rtr-3:10.0.0.2") and bgp["folded"] == 0
    assert len({k["action_id"] for _, k in tasks}) == 6
    wait_for(lambda: pending(redis_client) == 0, what="everything acknowledged")
    assert proc.poll() is None


def test_a_poison_event_goes_to_the_dead_letters_and_the_rest_flow_on(dispatchers, redis_client, broker_client):
    dispatchers.start()
    redis_client.xadd(STREAM, entry(type="config_change", device="rtr-1"))
    redis_client.xadd(STREAM, {"v": "1", "type": "config_change", "event": "{not json"})
    redis_client.xadd(STREAM, {"v": "1", "type": "cpu_high", "event": json.dumps({"type": "cpu_high"})})
    redis_client.xadd(STREAM, entry(type="config_change", device="rtr-2"))
    wait_for(lambda: len(broker_tasks(broker_client, "invalidate")) == 2, what="both good events")
    wait_for(lambda: redis_client.xlen("{nc:events}:dead") == 2, what="two dead letters")
    assert [k["tags"] for _, k in broker_tasks(broker_client, "invalidate")] == [["device:rtr-1"], ["device:rtr-2"]]
    dead = redis_client.xrange("{nc:events}:dead")
    assert b"not valid JSON" in dead[0][1][b"error"] and dead[0][1][b"event"] == b"{not json"
    assert b"unknown event type 'cpu_high'" in dead[1][1][b"error"]
    wait_for(lambda: pending(redis_client) == 0, what="poison acknowledged too")


@pytest.mark.parametrize("restart", ["same consumer re-reads its pending", "another dispatcher claims it"])
def test_killed_between_enqueue_and_ack_the_event_takes_effect_exactly_once(dispatchers, redis_client, broker_client, restart):
    args = ("--consumer", "disp-a") if restart.startswith("same") else ()
    first = dispatchers.start(*args, NETCACHE_DEBUG_PAUSE_BEFORE_ACK_S="60")
    redis_client.xadd(STREAM, entry(type="config_change", device="rtr-7"))
    wait_for(lambda: len(broker_tasks(broker_client, "invalidate")) == 1, what="the task enqueued")
    wait_for(lambda: "pausing" in dispatchers.log(first), what="the pause before ack")
    assert pending(redis_client) == 1  # enqueued, not acknowledged
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    dispatchers.start(*args, NETCACHE_WORKER__CLAIM_IDLE_MS="300")
    wait_for(lambda: pending(redis_client) == 0, what="the redelivered entry acknowledged")
    time.sleep(0.8)  # longer than the coalescing window: no trailing action either
    tasks = broker_tasks(broker_client, "invalidate")
    assert [k["tags"] for _, k in tasks] == [["device:rtr-7"]]
    wait_for(lambda: int(redis_client.hget("nc:w:stats:dispatcher", "acked") or 0) >= 1,
             what="the second dispatcher's counters")
    stats = redis_client.hgetall("nc:w:stats:dispatcher")
    assert int(stats.get(b"actions", 0)) == 0  # the killed one never reported; the second sent nothing


def test_a_second_dispatcher_claims_a_crashed_ones_pending_entries(dispatchers, redis_client, broker_client):
    redis_client.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
    for n in range(3):
        redis_client.xadd(STREAM, entry(type="device_reboot", device=f"rtr-{n}"))
    # a dispatcher on another host read them and died before doing anything
    got = redis_client.xreadgroup(GROUP, "ghost-1234", {STREAM: ">"}, count=10)
    assert len(got[0][1]) == 3 and pending(redis_client) == 3
    dispatchers.start(NETCACHE_WORKER__CLAIM_IDLE_MS="300")
    wait_for(lambda: len(broker_tasks(broker_client, "invalidate")) == 3, what="the claimed events' tasks")
    wait_for(lambda: pending(redis_client) == 0, what="claimed entries acknowledged")
    assert [k["tags"] for _, k in broker_tasks(broker_client, "invalidate")] == [
        ["device:rtr-0"], ["device:rtr-1"], ["device:rtr-2"]]
    wait_for(lambda: int(redis_client.hget("nc:w:stats:dispatcher", "claimed") or 0) == 3, what="claimed count")


def test_sigterm_finishes_the_batch_acknowledges_and_exits_cleanly(dispatchers, redis_client, broker_client):
    proc = dispatchers.start(NETCACHE_DEBUG_PAUSE_BEFORE_ACK_S="1.5")
    redis_client.xadd(STREAM, entry(type="config_change", device="rtr-1"))
    wait_for(lambda: "pausing" in dispatchers.log(proc), what="the batch in hand")
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(15) == 0
    assert pending(redis_client) == 0 and len(broker_tasks(broker_client, "invalidate")) == 1
    assert "SIGTERM received" in dispatchers.log(proc)
    assert redis_client.exists("nc:w:health:dispatcher:" + os.uname().nodename) == 0  # a clean stop says so


def test_several_dispatchers_share_the_stream_and_each_event_is_enqueued_once(dispatchers, redis_client, broker_client):
    for _ in range(3):
        dispatchers.start(NETCACHE_WORKER__READ_COUNT="20")

    def registered() -> int:
        try:
            return len(redis_client.xinfo_consumers(STREAM, GROUP))
        except redis.ResponseError:  # the group does not exist yet
            return 0

    # all three are reading before the feed starts, so each gets a share of it
    wait_for(lambda: registered() == 3, what="three consumers in the group")
    pipe = redis_client.pipeline()
    for n in range(300):
        pipe.xadd(STREAM, entry(type="config_change", device=f"rtr-{n:03d}"))
    pipe.execute()
    wait_for(lambda: len(broker_tasks(broker_client, "invalidate")) >= 300 and pending(redis_client) == 0, what="all 300")
    tags = [k["tags"][0] for _, k in broker_tasks(broker_client, "invalidate")]
    assert sorted(tags) == sorted(f"device:rtr-{n:03d}" for n in range(300))
    consumers = redis_client.xinfo_consumers(STREAM, GROUP)
    assert len(consumers) == 3


def test_the_dispatcher_exports_its_counters_to_prometheus_and_refreshes_its_health_key(dispatchers, redis_client, broker_client):
    port = free_port()
    dispatchers.start("--metrics-port", str(port))
    redis_client.xadd(STREAM, entry(type="config_change", device="rtr-1"))
    wait_for(lambda: len(broker_tasks(broker_client, "invalidate")) == 1, what="the task")

    def scraped() -> str:
        try:
            return urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2).read().decode()
        except OSError:
            return ""

    wait_for(lambda: "netcache_dispatcher_actions_total 1.0" in scraped(), what="metrics")
    assert "netcache_dispatcher_read_total 1.0" in scraped()
    key = "nc:w:health:dispatcher:" + os.uname().nodename
    wait_for(lambda: redis_client.exists(key), what="health key")
    assert 0 < redis_client.ttl(key) <= 30
    wait_for(lambda: json.loads(redis_client.get(key) or "{}").get("counters", {}).get("read") == 1,
             what="the health key's counters")


def test_a_real_celery_worker_runs_what_the_dispatcher_enqueued(dispatchers, redis_url, redis_client, broker_client,
                                                               broker_url, tmp_path):
    """The messages (default exchange, routed by queue name) are the ones a `netcache celery-worker` consumes."""
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  config_change:\n    - invalidate: ['device:{device}']\n      mode: hard\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETCACHE_")}
    env.update(NETCACHE_REDIS_URL=redis_url, NETCACHE_WORKER__BROKER_URL=broker_url, NETCACHE_CACHE__EMBEDDER="hash")
    log_path = tmp_path / "celery.log"
    with open(log_path, "wb") as log:
        worker = subprocess.Popen([NETCACHE, "celery-worker", "--pool", "solo", "--concurrency", "1"], env=env,
                                  stdout=log, stderr=subprocess.STDOUT)
    try:
        dispatchers.start(NETCACHE_WORKER__RULES_FILE=str(rules), NETCACHE_CACHE__EMBEDDER="hash")
        for n in range(3):  # one leading action, then two folded into a trailing one
            redis_client.xadd(STREAM, entry(type="config_change", device="rtr-1", user=f"u{n}"))

        def progress() -> list[dict]:
            # progress lives on the worker's state Redis: the broker's (NETCACHE_WORKER__BROKER_URL)
            return [{k.decode(): v.decode() for k, v in broker_client.hgetall(key).items()}
                    for key in broker_client.scan_iter(match="nc:w:progress:*")]

        wait_for(lambda: len(progress()) == 2 and all(p.get("status") == "done" for p in progress()),
                 timeout_s=40, what="both invalidations run by the worker")
        reasons = sorted(p["reason"] for p in progress())
        assert reasons[0].startswith("config_change config:rtr-1 (event ")
        assert reasons[1] == "config_change config:rtr-1 (trailing edge: 2 events folded)"
        assert len(broker_tasks(broker_client, "invalidate")) == 0
    finally:
        stop(worker)


@pytest.mark.parametrize("mode", ["batch", "per_action"])
def test_a_batch_killed_between_enqueue_and_ack_enqueues_each_event_once(dispatchers, redis_client, broker_client,
                                                                         mode):
    # the whole batch is on the stream before the dispatcher starts, so its first read takes all of it
    redis_client.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
    devices = [f"rtr-{n:02d}" for n in range(50)]
    for device in devices:
        redis_client.xadd(STREAM, entry(type="config_change", device=device))
    first = dispatchers.start("--consumer", "disp-a", NETCACHE_DEBUG_PAUSE_BEFORE_ACK_S="60",
                              NETCACHE_WORKER__DISPATCH_MODE=mode)
    wait_for(lambda: "pausing" in dispatchers.log(first), what="the pause before ack")
    messages = broker_messages(broker_client, "invalidate")
    # the batch path: one message for the 50 actions (dispatch_batch_max 100); the old path: one each
    assert len(messages) == (1 if mode == "batch" else 50)
    assert {name for name, _ in messages} == {"netcache.invalidate_batch" if mode == "batch" else "netcache.invalidate"}
    assert pending(redis_client) == 50  # enqueued, not acknowledged
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    dispatchers.start("--consumer", "disp-a", NETCACHE_WORKER__DISPATCH_MODE=mode)
    wait_for(lambda: pending(redis_client) == 0, what="the redelivered batch acknowledged")
    time.sleep(0.8)  # longer than the coalescing window: no trailing action either
    tags = [k["tags"] for _, k in broker_tasks(broker_client, "invalidate")]
    assert sorted(tags) == [[f"device:{d}"] for d in devices]  # each once: the markers said "sent"
    assert len(broker_messages(broker_client, "invalidate")) == len(messages)
