"""The start-up durability check against real redis-servers configured both ways."""

from __future__ import annotations

import subprocess

import pytest
import redis

from netcache.devtools.local_redis import LocalRedis
from netcache.durability import check, inspect, problems
from netcache.errors import ConfigError
from netcache.settings import Settings
from tests.support.tasks import NETCACHE, clean_env, spawn, stop, wait_for

DURABLE = ["--appendonly", "yes", "--maxmemory-policy", "noeviction"]


@pytest.fixture
def servers():
    made: list[LocalRedis] = []

    def start(*args: str) -> LocalRedis:
        made.append(LocalRedis(extra_args=list(args)).start())
        return made[-1]

    yield start
    for s in made:
        s.close()


def _inspect(server: LocalRedis):
    client = redis.Redis.from_url(server.url)
    try:
        return inspect(client)
    finally:
        client.close()


def test_a_durable_noeviction_redis_passes_for_both_roles(servers):
    d = _inspect(servers(*DURABLE))
    assert (d.policy, d.aof, d.source) == ("noeviction", True, "config")
    assert problems(d, "events") == [] and problems(d, "state") == []


def test_no_persistence_is_reported_for_both_roles(servers):
    d = _inspect(servers())  # LocalRedis: no AOF, no RDB
    assert d.aof is False and d.rdb is False
    for role in ("events", "state"):
        [p] = problems(d, role)
        assert "appendonly is off" in p and "loses everything" in p


def test_volatile_lfu_keeps_the_stream_but_not_the_worker_state(servers):
    d = _inspect(servers("--appendonly", "yes", "--maxmemory-policy", "volatile-lfu", "--maxmemory", "64mb"))
    assert problems(d, "events") == []
    [p] = problems(d, "state")
    assert "volatile-lfu can evict" in p and "NETCACHE_WORKER__BROKER_URL" in p


def test_allkeys_eviction_is_reported_for_the_stream(servers):
    d = _inspect(servers("--appendonly", "yes", "--maxmemory-policy", "allkeys-lru"))
    [p] = problems(d, "events")
    assert "allkeys-lru can evict the events stream" in p


def test_with_config_disabled_info_persistence_still_tells(servers):
    on = _inspect(servers(*DURABLE, "--rename-command", "CONFIG", '""'))
    off = _inspect(servers("--rename-command", "CONFIG", '""'))
    assert (on.source, on.aof, on.policy) == ("info", True, "noeviction")
    assert (off.source, off.aof) == ("info", False)
    assert problems(on, "state") == [] and "appendonly is off" in problems(off, "events")[0]


def test_refuse_raises_and_warn_returns_the_problems(servers):
    bare = servers()
    client = redis.Redis.from_url(bare.url)
    try:
        warn = Settings(redis_url=bare.url, _env_file=None)
        assert len(check(warn, "webhook", {"events": (client, bare.url)})) == 1
        refuse = warn.model_copy(update={"durability_check": "refuse"})
        with pytest.raises(ConfigError, match="webhook refuses to start"):
            check(refuse, "webhook", {"events": (client, bare.url)})
        off = warn.model_copy(update={"durability_check": "off"})
        assert check(off, "webhook", {"events": (client, bare.url)}) == []
    finally:
        client.close()


@pytest.mark.parametrize("command", [["dispatcher"], ["webhook", "--port", "0"], ["syslog", "--port", "0"]])
def test_a_component_refuses_to_start_on_redis_without_persistence(servers, command):
    bare = servers()
    env = clean_env(redis_url=bare.url, durability_check="refuse", events__webhook_token="t0ken-for-test")
    proc = subprocess.run([NETCACHE, *command], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "refuses to start" in proc.stderr and "appendonly is off" in proc.stderr, proc.stderr


def test_the_dispatcher_warns_at_start_and_runs(servers, tmp_path):
    events = servers("--appendonly", "yes", "--maxmemory-policy", "volatile-lfu", "--maxmemory", "64mb")
    broker = servers(*DURABLE)
    log = tmp_path / "d.log"
    proc = spawn(["dispatcher"], clean_env(redis_url=events.url, worker__broker_url=broker.url), log)
    try:
        wait_for(lambda: "dispatcher nc-" in log.read_text() or "→ group" in log.read_text(), 30,
                 "the dispatcher started", logs=[log])
        assert proc.poll() is None
        assert "can evict" not in log.read_text()  # the state Redis is the noeviction one
        assert "WARNING" not in log.read_text()
    finally:
        stop(proc)
    single = spawn(["dispatcher"], clean_env(redis_url=events.url), tmp_path / "s.log")
    try:
        wait_for(lambda: "volatile-lfu can evict the Celery queues" in (tmp_path / "s.log").read_text(), 30,
                 "the warning", logs=[tmp_path / "s.log"])
        assert single.poll() is None  # warn mode: it runs
    finally:
        stop(single)
