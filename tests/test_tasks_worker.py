"""A real Celery worker process (``netcache celery-worker``) runs the tasks sent by name.

Real parts: the test's redis-server (broker and cache), the worker as a
subprocess, the local Messages API server answering the real Anthropic SDK,
and the real AnswerCache in the test process seeding and checking entries.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from netcache.devtools.messages_server import MessagesAPIServer
from netcache.settings import Settings
from netcache.tasks.app import make_app
from netcache.tasks.invalidation import read_progress
from tests.support.tasks import NETCACHE, clean_env, spawn, start_worker, stop, wait_for


@pytest.fixture
def llm_server():
    server = MessagesAPIServer(latency_s=0.05)
    server.start()
    yield server
    server.stop()


#: Lifted here, as these tests are about the worker, not about time: the per-request Redis budget (50 ms by
#: default, tested in test_cache_redis_budget.py), since on a loaded CI host a slow round trip makes the
#: test's own reads degrade to a miss; and the TTL of volatile answers (30 s: "CPU and memory usage" is
#: volatile), which a slow run outlives before its last assertion.
BUDGET_MS, VOLATILE_TTL_S = 5000, 3600


def _settings(redis_url: str, llm_url: str, **worker) -> Settings:
    return Settings(_env_file=None, redis_url=redis_url, llm={"base_url": llm_url}, worker=worker,
                    cache={"redis_budget_ms": BUDGET_MS, "ttl_volatile_s": VOLATILE_TTL_S})


def _env(redis_url: str, llm_url: str, **worker) -> dict[str, str]:
    return clean_env(redis_url=redis_url, llm__base_url=llm_url, log_level="INFO",
                     cache__redis_budget_ms=str(BUDGET_MS),
                     cache__ttl_volatile_s=str(VOLATILE_TTL_S), **{f"worker__{k}": str(v) for k, v in worker.items()})


def _start_worker(redis_client, redis_url, llm_url, log_path, *, pool="threads", **worker):
    return start_worker(redis_client, _env(redis_url, llm_url, **worker), log_path, pool=pool,
                        concurrency=4 if pool == "threads" else 1)


def _warmed(redis_client) -> list[dict]:
    return [json.loads(x) for x in redis_client.lrange("nc:w:warmed", 0, -1)]


def test_the_worker_invalidates_only_the_tagged_entries_and_rewarms_the_most_asked(
        runtimes, redis_url, redis_client, llm_server, tmp_path):
    settings = _settings(redis_url, llm_server.url)
    rt = runtimes(settings)
    rtr1 = ["Show interface GigabitEthernet0/1 status on rtr-001", "Show the BGP neighbor summary on rtr-001"]
    rtr2 = ["Show the BGP neighbor summary on rtr-002", "Show CPU and memory usage on rtr-002"]
    for q in rtr1 + rtr2:
        assert rt.cache.get_or_generate(q).source == "generated"
    for _ in range(3):
        rt.cache.get(rtr1[1])  # the most asked one
    rtr2_ids = {q: rt.cache.get(q).entry_id for q in rtr2}
    log = tmp_path / "worker.log"
    proc = _start_worker(redis_client, redis_url, llm_server.url, log)
    try:
        app = make_app(settings)
        app.send_task("netcache.invalidate", queue="invalidate", kwargs={
            "tags": ["device:rtr-001"], "mode": "hard", "reason": "device_reboot rtr-001",
            "action_id": "act-1", "folded": 2,
            "warm": [{"prompt": "Why did rtr-001 reboot?"}]})
        wait_for(lambda: read_progress(redis_client, "nc", "act-1").get("status") == "done", 60,
                 "the invalidation", logs=[log])
        wait_for(lambda: _warmed(redis_client), 60, "the re-warm", logs=[log])
        # an operator's enqueued invalidation, followed to the end by `--wait`
        cli = subprocess.run([NETCACHE, "invalidate", "--tag", "vrf:nothing-cached", "--wait", "60"],
                             env=_env(redis_url, llm_server.url), capture_output=True, text=True, timeout=90)
        assert cli.returncode == 0 and "done: 0 of 0 entries" in cli.stdout, cli.stdout + cli.stderr
    finally:
        stop(proc)
    progress = read_progress(redis_client, "nc", "act-1")
    assert progress["total"] == "2" and progress["done"] == "2"
    assert json.loads(progress["warm_plan"])[0]["prompt"] == rtr1[1], "most asked first"
    warm = _warmed(redis_client)[0]
    assert warm["action_id"] == "act-1" and warm["generated"] == 3 and warm["cost_usd"] > 0
    # rtr-001's answers were regenerated (seed + re-warm), rtr-002's were untouched
    for q in rtr1:
        assert llm_server.calls_for(q) == 2, q
    assert llm_server.calls_for("Why did rtr-001 reboot?") == 1
    for q in rtr2:
        assert llm_server.calls_for(q) == 1, q
        hit = rt.cache.get(q)
        assert hit is not None and hit.entry_id == rtr2_ids[q]


def test_a_killed_worker_s_invalidation_completes_after_restart(runtimes, redis_url, redis_client, llm_server, tmp_path):
    worker = {"invalidate_batch_size": 10, "invalidate_pause_ms": 150, "visibility_timeout_s": 4,
              "unacked_restore_interval_s": 1,
              "warm_max_calls_per_run": 0}
    settings = _settings(redis_url, llm_server.url, **worker)
    rt = runtimes(settings)
    big = [f"Show the counters of interface GigabitEthernet0/{i} on rtr-001" for i in range(200)]
    for q in big:
        rt.cache.put(q, f"counters {q}")
    keep = "Show the BGP neighbor summary on rtr-002"
    rt.cache.put(keep, "all established")
    assert len(rt.cache.tag_members("device:rtr-001")) == 200
    logs = [tmp_path / "worker1.log", tmp_path / "worker2.log"]
    first = _start_worker(redis_client, redis_url, llm_server.url, logs[0], **worker)
    second = None
    try:
        make_app(settings).send_task("netcache.invalidate", queue="invalidate", kwargs={
            "tags": ["device:rtr-001"], "mode": "hard", "warm": [], "reason": "kill test", "action_id": "big"})
        wait_for(lambda: int(read_progress(redis_client, "nc", "big").get("done", 0)) >= 40, 60,
                 "the invalidation to be under way", logs=logs)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        mid = read_progress(redis_client, "nc", "big")
        assert mid["status"] == "running" and 40 <= int(mid["done"]) < 200
        second = _start_worker(redis_client, redis_url, llm_server.url, logs[1], **worker)
        wait_for(lambda: read_progress(redis_client, "nc", "big").get("status") == "done", 90,
                 "the redelivered invalidation to finish", logs=logs)
    finally:
        stop(first)
        stop(second)
    assert rt.cache.tag_members("device:rtr-001") == []
    assert all(rt.cache.get(q) is None for q in big[:5] + big[-5:])
    assert rt.cache.get(keep) is not None
    assert read_progress(redis_client, "nc", "big")["done"] == "200"


def test_fifty_concurrent_identical_warmups_and_user_requests_make_one_llm_call(
        runtimes, redis_url, redis_client, tmp_path):
    server = MessagesAPIServer(latency_s=1.0)
    server.start()
    log = tmp_path / "worker.log"
    proc = None
    try:
        settings = _settings(redis_url, server.url)
        proc = _start_worker(redis_client, redis_url, server.url, log)
        app = make_app(settings)
        question = "Why is the BGP session between rtr-007 and 10.0.0.9 down?"
        rt = runtimes(settings)
        for i in range(25):
            app.send_task("netcache.warm", queue="warm", kwargs={
                "questions": [{"prompt": question}], "reason": "bgp_down", "action_id": f"w{i}"})
        barrier = threading.Barrier(25)

        def user() -> str:
            barrier.wait()
            return rt.cache.get_or_generate(question).source

        with ThreadPoolExecutor(25) as pool:
            sources = list(pool.map(lambda _: user(), range(25)))
        wait_for(lambda: len(_warmed(redis_client)) == 25, 90, "all 25 warm tasks", logs=[log])
        assert server.calls_for(question) == 1
        warm = _warmed(redis_client)
        assert sum(w["generated"] for w in warm) + sources.count("generated") == 1
        assert all(s in ("generated", "waited", "exact") for s in sources)
    finally:
        stop(proc)
        server.stop()


def test_a_warm_task_stops_at_its_budget_and_reports_it(redis_url, redis_client, llm_server, tmp_path):
    log = tmp_path / "worker.log"
    proc = _start_worker(redis_client, redis_url, llm_server.url, log, warm_max_calls_per_run=2,
                         warm_concurrency=1)
    try:
        settings = _settings(redis_url, llm_server.url, warm_max_calls_per_run=2)
        questions = [{"prompt": f"Show interface status on rtr-10{i}"} for i in range(5)]
        make_app(settings).send_task("netcache.warm", queue="warm", kwargs={
            "questions": questions, "reason": "test", "action_id": "budget"})
        warm = wait_for(lambda: _warmed(redis_client), 60, "the warm result", logs=[log])[0]
    finally:
        stop(proc)
    assert warm["generated"] == 2 and warm["skipped"] == 3
    assert "run budget" in warm["budget_exceeded"]
    assert llm_server.calls == 2
    assert int(redis_client.hget(f"nc:w:budget:{time.strftime('%Y%m%d', time.gmtime())}", "calls")) == 2


def test_an_invalidation_longer_than_the_soft_time_limit_continues_in_a_new_run(
        runtimes, redis_url, redis_client, llm_server, tmp_path):
    worker = {"invalidate_batch_size": 10, "invalidate_pause_ms": 100, "task_soft_time_limit_s": 1,
              "task_time_limit_s": 30, "warm_max_calls_per_run": 0}
    settings = _settings(redis_url, llm_server.url, **worker)
    rt = runtimes(settings)
    for i in range(150):
        rt.cache.put(f"Show the counters of interface GigabitEthernet1/{i} on rtr-001", "counters")
    log = tmp_path / "worker.log"
    # time limits need the prefork pool (the threads pool cannot interrupt a thread)
    proc = _start_worker(redis_client, redis_url, llm_server.url, log, pool="prefork", **worker)
    try:
        make_app(settings).send_task("netcache.invalidate", queue="invalidate", kwargs={
            "tags": ["device:rtr-001"], "mode": "hard", "warm": [], "reason": "big", "action_id": "long"})
        wait_for(lambda: read_progress(redis_client, "nc", "long").get("status") == "done", 60,
                 "the continued invalidation", logs=[log])
    finally:
        stop(proc)
    assert rt.cache.tag_members("device:rtr-001") == []
    assert read_progress(redis_client, "nc", "long")["done"] == "150"
    assert "continuing in a new run" in log.read_text()


def test_a_cache_redis_outage_is_retried_with_backoff_not_logged_as_a_failure(
        redis_url, redis_server, redis_client, llm_server, tmp_path):
    from netcache.devtools.local_redis import LocalRedis

    log = tmp_path / "worker.log"
    with LocalRedis() as broker:  # the broker stays up while the cache's Redis goes away
        env = _env(redis_url, llm_server.url, broker_url=broker.url)
        proc = spawn(["celery-worker", "--pool", "threads", "--concurrency", "2"], env, log)
        try:
            wait_for(lambda: "ready." in log.read_text(), 60, "the worker", logs=[log])
            redis_server.stop()
            try:
                make_app(_settings(redis_url, llm_server.url, broker_url=broker.url)).send_task(
                    "netcache.invalidate", queue="invalidate", kwargs={
                        "tags": ["device:rtr-004"], "mode": "hard", "warm": [], "reason": "outage",
                        "action_id": "outage"})
                wait_for(lambda: "Retry in" in log.read_text(), 30, "a retry", logs=[log])
            finally:
                redis_server.start()
            # progress is worker state: it lives on the broker's Redis, which stayed up
            state = redis.Redis.from_url(broker.url)
            wait_for(lambda: read_progress(state, "nc", "outage").get("status") == "done", 90,
                     "the retried invalidation", logs=[log])
            state.close()
        finally:
            stop(proc)
    text = log.read_text()
    assert "ERROR" not in text and "raised unexpected" not in text, "a retry is not a failure"
    assert "BackendUnavailable" in text or "ConnectionError" in text, "the retry says why"


def test_a_task_that_fails_for_good_leaves_a_dead_letter_and_a_count_and_no_task_stores_a_result(
        redis_url, redis_client, llm_server, tmp_path):
    log = tmp_path / "worker.log"
    proc = _start_worker(redis_client, redis_url, llm_server.url, log)
    try:
        app = make_app(_settings(redis_url, llm_server.url))
        # a caller mistake (tags must be a list): not transient, so no retry, a failure for good
        app.send_task("netcache.invalidate", queue="invalidate",
                      kwargs={"tags": "device:rtr-1", "mode": "hard", "action_id": "broken"})
        app.send_task("netcache.invalidate", queue="invalidate",
                      kwargs={"tags": ["device:rtr-2"], "mode": "hard", "action_id": "fine"})
        dead = wait_for(lambda: redis_client.xrange("nc:w:tasks:dead"), 60, "the task's dead letter", logs=[log])
        wait_for(lambda: redis_client.hget("nc:w:progress:fine", "status") == b"done", 60, "the good task",
                 logs=[log])
    finally:
        stop(proc)
    (_, fields), = dead
    assert fields[b"task"] == b"netcache.invalidate" and b"ConfigError" in fields[b"error"]
    assert json.loads(fields[b"kwargs"])["action_id"] == "broken"  # enough to re-send it by hand
    assert redis_client.hget("nc:w:stats:tasks", "failed:netcache.invalidate") == b"1"
    # results are not stored: the broker does not grow by one result per task
    assert not list(redis_client.scan_iter("celery-task-meta-*"))


def test_an_invalidation_batch_runs_each_action_once_dead_letters_a_bad_one_and_a_resent_batch_redoes_nothing(
        runtimes, redis_url, redis_client, llm_server, tmp_path):
    """What the dispatcher's batch path sends (``netcache.invalidate_batch``), run by a real worker."""
    settings = _settings(redis_url, llm_server.url)
    rt = runtimes(settings)
    q1, q2 = "Show the BGP neighbor summary on rtr-001", "Show CPU and memory usage on rtr-002"
    rt.cache.put(q1, "all established")
    rt.cache.put(q2, "cpu 5 %")
    id2 = rt.cache.get(q2).entry_id
    batch = [
        {"tags": ["device:rtr-001"], "mode": "hard", "warm": [], "reason": "config_change", "action_id": "b-1"},
        {"tags": "device:rtr-009", "mode": "hard", "action_id": "b-bad"},  # a caller mistake: tags not a list
        {"tags": ["device:rtr-002"], "mode": "soft", "warm": [], "reason": "interface_flap", "action_id": "b-2"},
    ]
    log = tmp_path / "worker.log"
    proc = _start_worker(redis_client, redis_url, llm_server.url, log)
    try:
        app = make_app(settings)
        app.send_task("netcache.invalidate_batch", queue="invalidate", kwargs={"actions": batch})
        wait_for(lambda: all(read_progress(redis_client, "nc", a).get("status") == "done" for a in ("b-1", "b-2")),
                 60, "both good invalidations of the batch", logs=[log])
        assert rt.cache.get(q1) is None and rt.cache.entry(id2).stale  # hard, and soft
        finished = {a: read_progress(redis_client, "nc", a)["finished_at"] for a in ("b-1", "b-2")}
        # a dispatcher killed before its ack sends the same actions again, batched with a new one
        app.send_task("netcache.invalidate_batch", queue="invalidate", kwargs={"actions": batch + [
            {"tags": ["device:rtr-003"], "mode": "hard", "warm": [], "reason": "new", "action_id": "b-3"}]})
        wait_for(lambda: read_progress(redis_client, "nc", "b-3").get("status") == "done", 60, "the new action",
                 logs=[log])
    finally:
        stop(proc)
    assert {a: read_progress(redis_client, "nc", a)["finished_at"] for a in ("b-1", "b-2")} == finished  # not redone
    dead = redis_client.xrange("nc:w:tasks:dead")
    assert len(dead) == 2  # the bad action, once per batch that carried it; the others ran
    assert all(f[b"task"] == b"netcache.invalidate" and b"ConfigError" in f[b"error"] for _, f in dead)
    assert {json.loads(f[b"kwargs"])["action_id"] for _, f in dead} == {"b-bad"}
    assert redis_client.hget("nc:w:stats:tasks", "failed:netcache.invalidate") == b"2"
    assert redis_client.hget("nc:w:stats:tasks", "rejected:netcache.invalidate") == b"2"
