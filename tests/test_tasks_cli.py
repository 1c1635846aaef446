"""Operator commands: ``netcache invalidate / warm / refresh-top`` (in-process with click's runner,
real Redis, real cache, local Messages API server) and bad task arguments being counted."""

from __future__ import annotations

import base64
import json
import os

import pytest
from click.testing import CliRunner

from netcache.cli.main import main
from netcache.devtools.messages_server import MessagesAPIServer
from netcache.settings import Settings
from netcache.tasks.app import make_app
from netcache.tasks.runtime import Runtime


@pytest.fixture
def llm_server():
    server = MessagesAPIServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def env(redis_url, llm_server, monkeypatch):
    for key in list(os.environ):
        if key.startswith("NETCACHE_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("NETCACHE_REDIS_URL", redis_url)
    monkeypatch.setenv("NETCACHE_LLM__BASE_URL", llm_server.url)
    monkeypatch.setenv("NETCACHE_WORKER__INVALIDATE_PAUSE_MS", "1")
    settings = Settings(_env_file=None, redis_url=redis_url, llm={"base_url": llm_server.url})
    with Runtime(settings) as rt:
        yield rt


def _run(args):
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    return result.exit_code, result.output


def test_invalidate_sync_removes_the_devices_answers_with_progress_and_rewarms_them(env, llm_server):
    rt = env
    mine = ["Show interface status on rtr-001", "Show the BGP neighbor summary on rtr-001"]
    other = "Show interface status on rtr-002"
    for q in mine + [other]:
        rt.cache.get_or_generate(q)
    code, out = _run(["invalidate", "--device", "rtr-001", "--sync", "--reason", "maintenance"])
    assert code == 0, out
    assert "invalidated 2 of 2 entries in 1 batches" in out
    assert "re-warming 2 most-asked questions" in out
    assert all(llm_server.calls_for(q) == 2 for q in mine)
    assert llm_server.calls_for(other) == 1


def test_invalidate_soft_sync_keeps_the_devices_answers_stale_until_each_is_regenerated_once(env, llm_server):
    rt = env
    mine = ["Show interface status on rtr-001", "Show the BGP neighbor summary on rtr-001"]
    other = "Show interface status on rtr-002"
    ids = {q: rt.cache.get_or_generate(q).entry_id for q in mine + [other]}

    llm_server.fail_next(100, status=400)  # the re-warm fails, so what soft left behind shows
    code, out = _run(["invalidate", "--device", "rtr-001", "--soft", "--sync"])
    assert code == 0, out
    assert "invalidated 2 of 2 entries" in out and '"failed": 2' in out
    assert [rt.cache.entry(ids[q]).stale for q in mine] == [True, True]  # kept, marked stale
    assert rt.cache.entry(ids[other]).stale is False

    llm_server.reset()
    code, out = _run(["invalidate", "--device", "rtr-001", "--soft", "--sync"])
    assert code == 0 and "re-warming 2 most-asked questions" in out
    assert [rt.cache.entry(ids[q]).stale for q in mine] == [False, False]
    assert all(llm_server.calls_for(q) == 1 for q in mine) and llm_server.calls_for(other) == 0


def test_invalidate_without_sync_enqueues_the_task_on_the_invalidate_queue(env, redis_client):
    code, out = _run(["invalidate", "--site", "nyc", "--tag", "topic:bgp", "--soft"])
    assert code == 0, out
    assert "enqueued soft invalidation of site:nyc, topic:bgp" in out
    raw = redis_client.lrange("invalidate", 0, -1)
    assert len(raw) == 1
    msg = json.loads(raw[0])
    assert msg["headers"]["task"] == "netcache.invalidate"
    args, kwargs, _ = json.loads(base64.b64decode(msg["body"]))
    assert kwargs["tags"] == ["site:nyc", "topic:bgp"] and kwargs["mode"] == "soft"


@pytest.mark.parametrize("args, message", [
    (["invalidate"], "say what to invalidate"),
    (["invalidate", "--tag", "rtr-001"], "a tag looks like kind:value"),
    (["refresh-top", "--n", "0"], "0"),
])
def test_bad_operator_input_gets_a_clear_error(env, args, message):
    code, out = _run(args)
    assert code == 2 and message in out


def test_warm_sync_asks_the_interface_diagnostics_once(env, llm_server):
    code, out = _run(["warm", "--device", "rtr-001", "--interface", "Gi0/1", "--sync"])
    assert code == 0, out
    result = json.loads(out.strip().splitlines()[-1])
    assert result["generated"] == 3 and result["failed"] == 0
    code, out = _run(["warm", "--device", "rtr-001", "--interface", "Gi0/1", "--sync"])
    assert json.loads(out.strip().splitlines()[-1])["already_cached"] == 3
    assert llm_server.calls == 3


def test_refresh_top_sync_prints_and_records_its_summary(env, redis_client):
    env.cache.get_or_generate("Show the BGP neighbor summary on rtr-001")
    code, out = _run(["refresh-top", "--n", "5", "--sync"])
    assert code == 0, out
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["fresh"] == 1 and summary["generated"] == 0
    assert redis_client.hget("nc:w:last_refresh", "n") == b"5"


def test_a_task_given_bad_arguments_fails_clearly_and_is_counted(env, redis_client):
    app = make_app(env.settings)
    result = app.tasks["netcache.invalidate"].apply(kwargs={"tags": "device:rtr-001", "mode": "hard"})
    assert result.failed() and "tags must be a list of strings" in str(result.result)
    result = app.tasks["netcache.warm"].apply(kwargs={"questions": [{"text": "no prompt"}]})
    assert result.failed() and "non-empty 'prompt'" in str(result.result)
    counters = redis_client.hgetall("nc:w:stats:tasks")
    assert counters == {b"rejected:netcache.invalidate": b"1", b"rejected:netcache.warm": b"1",
                        b"failed:netcache.invalidate": b"1", b"failed:netcache.warm": b"1"}
    dead = redis_client.xrange("nc:w:tasks:dead")
    assert [f[b"task"] for _, f in dead] == [b"netcache.invalidate", b"netcache.warm"]


def test_invalidate_wait_says_clearly_when_no_worker_finished_the_action(env):
    code, out = _run(["invalidate", "--device", "rtr-001", "--wait", "0.5"])
    assert code == 1
    assert "not done after 0 s" in out or "not done after 1 s" in out
    assert "is a worker running?" in out
