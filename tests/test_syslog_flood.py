"""A spoofed syslog flood through the real stack: UDP from 100 forged addresses → the listener →
the stream → ``netcache dispatcher`` → ``netcache celery-worker`` → warm-ups against the local
Messages API server. The rate limits bound what is published (so what is invalidated), and the
syslog share bounds the warm budget: an operator's warm-up afterwards still gets its calls."""

from __future__ import annotations

import json
import subprocess
import time

import pytest

from netcache.devtools.messages_server import MessagesAPIServer
from netcache.engine.sync import AnswerCache
from netcache.events.syslog.parser import SyslogParser
from netcache.events.syslog.thread import ListenerThread
from netcache.keys import WorkerKeys
from netcache.tasks.budget import day_key
from netcache.worker.rules import load_rules
from tests.support.tasks import NETCACHE, clean_env, spawn, stop, wait_for
from tests.test_syslog_listener import _spoofed_udp, line, with_events

DAY_CALLS = 40
SHARE = 0.25


@pytest.fixture
def llm_server():
    server = MessagesAPIServer(latency_s=0.01)
    server.start()
    yield server
    server.stop()


def _warm_runs(redis_client) -> list[dict]:
    return [json.loads(x) for x in redis_client.lrange(WorkerKeys("nc").warmed, 0, -1)]


def test_a_spoofed_flood_spends_only_the_syslog_share_of_the_warm_budget_and_invalidates_within_the_limits(
        settings, redis_url, redis_client, llm_server, tmp_path):
    env = clean_env(redis_url=redis_url, llm__base_url=llm_server.url, worker__coalesce_window_s="0.2",
                    worker__block_ms="100", worker__warm_max_calls_per_day=str(DAY_CALLS),
                    worker__warm_syslog_share=str(SHARE), log_level="INFO")
    logs = [tmp_path / "dispatcher.log", tmp_path / "worker.log"]
    procs = [spawn(["dispatcher"], env, logs[0]),
             spawn(["celery-worker", "--pool", "threads", "--concurrency", "4"], env, logs[1])]
    limited = with_events(settings, syslog_flush_ms=20, syslog_rate_per_source=1.0, syslog_burst_per_source=5,
                          syslog_rate_per_device=1.0, syslog_burst_per_device=10)
    devices = [f"rtr-{d:03d}" for d in range(1, 11)]
    packets = [(f"127.0.0.{2 + i % 100}", line(i, device=devices[i % 10])) for i in range(2100)]
    budget = day_key("nc", time.time())
    # operators have asked the questions a flap on these devices warms (warm-ups are only for asked
    # questions): the flood forges events about devices people care about
    rules, parser, asker = load_rules(), SyslogParser(), AnswerCache(settings, metrics=False)
    for device in devices:
        event = parser.parse(line(0, device=device), source_address="127.0.0.2").event
        for action in rules.actions_for(event):
            for q in action.warm:
                asker.get_or_generate(q, generate=lambda *a, **k: "an operator's answer")
    asker.close()
    try:
        wait_for(lambda: all(any(True for _ in redis_client.scan_iter(f"nc:w:health:{c}:*"))
                             for c in ("dispatcher", "worker")), 60, "dispatcher and worker heartbeats", logs=logs)
        started = time.monotonic()
        with ListenerThread(limited, udp_port=0, tcp_port=0) as t:
            _spoofed_udp(t.listener.udp_port, packets)
            wait_for(lambda: t.call(lambda: t.listener.counters["received"]) == 2100, 30, "2,100 datagrams")
            elapsed = time.monotonic() - started
            wait_for(lambda: t.call(lambda: len(t.listener.buffer)) == 0, 30, "the buffer published")
        published = redis_client.xlen(settings.events.stream)
        wait_for(lambda: int(redis_client.hget(budget, "calls:syslog") or 0) >= DAY_CALLS * SHARE, 120,
                 "the syslog share spent", logs=logs)
        wait_for(lambda: any(r["budget_exceeded"] and "for syslog" in r["budget_exceeded"]
                             for r in _warm_runs(redis_client)), 120, "a warm run stopped by the share", logs=logs)
        wait_for(lambda: redis_client.llen("warm") == 0 and redis_client.llen("invalidate") == 0, 120,
                 "the queues drained", logs=logs)
        time.sleep(1.0)  # the last tasks taken finish
        syslog_calls = int(redis_client.hget(budget, "calls:syslog") or 0)
        all_calls = int(redis_client.hget(budget, "calls") or 0)
        llm_calls = llm_server.calls

        # an operator's warm-up after the flood still has the rest of the day's budget
        out = subprocess.run([NETCACHE, "warm", "--device", "rtr-001"], env=env, capture_output=True, text=True,
                             timeout=60)
        assert out.returncode == 0, out.stderr
        operator = wait_for(lambda: [r for r in _warm_runs(redis_client) if r["reason"] == "operator"], 60,
                            "the operator's warm-up", logs=logs)[0]
    finally:
        for p in procs:
            stop(p)
    # invalidations: only what the rate limits let through was published (each device: burst + rate)
    assert len(devices) * 10 <= published <= len(devices) * (10 + elapsed)
    # warm budget: syslog spent exactly its share, nothing more reached the LLM
    assert syslog_calls == all_calls == int(DAY_CALLS * SHARE)
    assert llm_calls <= syslog_calls
    assert operator["budget_exceeded"] is None and operator["asked"] > 0 and operator["failed"] == 0
