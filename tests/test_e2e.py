"""End to end: an event on the stream → dispatcher process → Celery worker process → cache.

Real parts throughout: the test Redis (stream, broker, cache), ``netcache
dispatcher`` and ``netcache celery-worker`` as subprocesses, the local Messages
API server behind the real SDK, the real AnswerCache checking the result.
"""

from __future__ import annotations

import json

import pytest

from netcache.devtools.messages_server import MessagesAPIServer
from netcache.events.models import ConfigChange
from netcache.events.publisher import EventPublisher
from netcache.settings import Settings
from tests.support.tasks import clean_env, spawn, stop, wait_for


@pytest.fixture
def llm_server():
    server = MessagesAPIServer(latency_s=0.02)
    server.start()
    yield server
    server.stop()


def test_a_config_change_event_invalidates_that_device_only_and_warms_its_next_questions(
        runtimes, redis_url, redis_client, llm_server, tmp_path):
    settings = Settings(_env_file=None, redis_url=redis_url, llm={"base_url": llm_server.url})
    rt = runtimes(settings)
    changed = ["Show the running configuration of rtr-004", "Show the BGP neighbor summary on rtr-004"]
    others = ["Show the running configuration of rtr-005", "What is the default BGP keepalive timer?"]
    for q in changed + others:
        assert rt.cache.get_or_generate(q).source == "generated"
    before = {q: rt.cache.entry(rt.cache.get(q).entry_id).created_at for q in changed + others}
    env = clean_env(redis_url=redis_url, llm__base_url=llm_server.url, worker__coalesce_window_s="0.2",
                    worker__block_ms="100", log_level="INFO")
    logs = [tmp_path / "dispatcher.log", tmp_path / "worker.log"]
    procs = [spawn(["dispatcher"], env, logs[0]),
             spawn(["celery-worker", "--pool", "threads", "--concurrency", "4"], env, logs[1])]
    try:
        wait_for(lambda: all(any(True for _ in redis_client.scan_iter(f"nc:w:health:{c}:*"))
                             for c in ("dispatcher", "worker")), 60, "dispatcher and worker heartbeats", logs=logs)
        assert EventPublisher(redis_client, settings).publish(
            ConfigChange(device="rtr-004", source="netmiko", user="automation"))
        warmed = wait_for(lambda: redis_client.lrange("nc:w:warmed", 0, -1), 60, "the re-warm", logs=logs)
    finally:
        for p in procs:
            stop(p)
    actions = [x.decode() for x in redis_client.lrange("nc:w:actions", 0, -1)]
    assert len(actions) == 1
    progress = {k.decode(): v.decode() for k, v in redis_client.hgetall(f"nc:w:progress:{actions[0]}").items()}
    assert json.loads(progress["tags"]) == ["device:rtr-004"] and progress["status"] == "done"
    assert progress["total"] == "2"
    warm = json.loads(warmed[0])
    assert warm["generated"] == 2 and warm["failed"] == 0  # the two re-warm-ups
    # the rule's own question was never asked by anyone: not warmed, no LLM call
    assert warm["not_asked"] == 1
    assert llm_server.calls_for("What changed in the running configuration of rtr-004?") == 0
    for q in changed:  # invalidated, then re-warmed: a second LLM call, a newer entry
        assert llm_server.calls_for(q) == 2, q
        assert rt.cache.entry(rt.cache.get(q).entry_id).created_at > before[q]
    for q in others:  # untouched
        assert llm_server.calls_for(q) == 1, q
        assert rt.cache.entry(rt.cache.get(q).entry_id).created_at == before[q]
