"""Redis Cluster: the URL, the clients, the errors, and the worker, on real 3-master clusters.

The cache behaviour suite, the publisher, coalescing and dispatcher tests also run on the
session's cluster (``backend`` "cluster"/"cluster-asyncio", ``ALSO_ON_CLUSTER`` in conftest);
here are the cluster's own cases: URL parsing, a master going away (the cache degrades), a
real Celery worker invalidating and re-warming a cache that lives on the cluster (its broker a
standalone Redis), and the configurations netcache refuses.
"""

from __future__ import annotations

import json

import pytest
import redis

from netcache.cluster import (
    ClusterUnavailable,
    NetcacheAsyncRedisCluster,
    NetcacheRedisCluster,
    cluster_nodes,
    key_slot,
)
from netcache.connections import make_async_redis, make_redis, make_state_redis, redact_url
from netcache.devtools.messages_server import MessagesAPIServer
from netcache.engine.sync import AnswerCache
from netcache.errors import ConfigError
from netcache.settings import Settings
from netcache.tasks.app import make_app
from netcache.tasks.invalidation import read_progress
from tests.support.cache import Generator
from tests.support.cluster import LocalCluster
from tests.support.tasks import clean_env, spawn, stop, wait_for


def test_a_cluster_url_names_its_startup_nodes_credentials_and_tls():
    assert cluster_nodes("redis+cluster://10.0.0.1:7000,10.0.0.2:7001,node3") == (
        [("10.0.0.1", 7000), ("10.0.0.2", 7001), ("node3", 6379)], None, None, False)
    assert cluster_nodes("rediss+cluster://app:s%40cret@a:1,b:2/0") == ([("a", 1), ("b", 2)], "app", "s@cret", True)
    with pytest.raises(ConfigError, match="only database 0"):
        cluster_nodes("redis+cluster://a:1/3")
    with pytest.raises(ConfigError, match="bad node"):
        cluster_nodes("redis+cluster://a:1,:x")
    assert Settings(_env_file=None, redis_url="redis+cluster://a:1,b:2").redis_url == "redis+cluster://a:1,b:2"
    assert redact_url("redis+cluster://app:secret@a:1,b:2") == "redis+cluster://app:***@a:1,b:2"


def test_make_redis_builds_sync_and_asyncio_cluster_clients_that_find_every_slot(cluster_url):
    settings = Settings(_env_file=None, redis_url=cluster_url)
    client = make_redis(settings)
    try:
        assert isinstance(client, NetcacheRedisCluster) and len(client.get_primaries()) == 3
        for n in range(30):  # keys all over the slot space, served by their three masters
            client.set(f"k{n}", n)
        assert {client.get_node_from_key(f"k{n}").name for n in range(30)} == {p.name for p in client.get_primaries()}
        assert client.execute_command("CLUSTER", "KEYSLOT", "{nc}:e:x") == key_slot("{nc}:e:x") == key_slot("nc")
    finally:
        client.close()
    assert isinstance(make_async_redis(settings), NetcacheAsyncRedisCluster)


def test_a_password_protected_cluster_is_reached_with_the_urls_password():
    with LocalCluster(password="s3cret") as private:
        url = private.url.replace("redis+cluster://", "redis+cluster://:s3cret@")
        client = make_redis(Settings(_env_file=None, redis_url=url))
        try:
            client.set("x", "1")
            assert client.get("x") == b"1"
        finally:
            client.close()
        with pytest.raises(redis.RedisError):
            make_redis(Settings(_env_file=None, redis_url=private.url)).get("x")  # no password: refused


def test_a_master_going_away_degrades_the_cache_like_any_redis_outage():
    with LocalCluster() as private:
        settings = Settings(_env_file=None, redis_url=private.url)
        client = make_redis(settings, socket_timeout=1)
        cache = AnswerCache(settings, redis=client, embedder=False)
        gen = Generator()
        try:
            assert cache.get_or_generate("show bgp summary on rtr-001", generate=gen).source == "generated"
            assert cache.get("show bgp summary on rtr-001") is not None
            holder = next(n for n in private.nodes if n.port == client.get_node_from_key("{nc}").port)
            holder.stop()  # the master of the cache's slot is gone (no replica takes over)
            assert cache.get("show bgp summary on rtr-001") is None
            answer = cache.get_or_generate("show interfaces on rtr-001", generate=gen)
            assert answer.source == "generated" and answer.entry_id is None
            assert answer.cache_error.startswith("Redis unavailable")
            assert cache.put("show version on rtr-001", "x") is None
            assert cache.counters["redis_errors"] >= 3
        finally:
            cache.close()
            client.close()


def test_every_cluster_error_is_a_redis_error():
    with pytest.raises(ClusterUnavailable) as e:  # no node of the URL answers
        make_redis(Settings(_env_file=None, redis_url="redis+cluster://127.0.0.1:1"), socket_connect_timeout=0.2)
    assert isinstance(e.value, redis.RedisError) and isinstance(e.value, redis.ConnectionError)


def test_celerys_broker_may_not_be_the_cluster_and_the_dead_letters_must_share_the_streams_slot(cluster_url,
                                                                                                 redis_server):
    with pytest.raises(ConfigError, match="broker cannot be a Redis Cluster"):
        make_app(Settings(_env_file=None, redis_url=cluster_url))
    make_app(Settings(_env_file=None, redis_url=cluster_url, worker={"broker_url": redis_server.url}))
    from netcache.worker.consumer import Dispatcher
    from netcache.worker.rules import load_rules

    settings = Settings(_env_file=None, redis_url=cluster_url, worker={"dead_letter_stream": "nc:dead"})
    client = make_redis(settings)
    try:
        with pytest.raises(ConfigError, match="must be in one slot"):
            Dispatcher(settings, redis_client=client, sender=None, rules=load_rules(None))  # type: ignore[arg-type]
    finally:
        client.close()


def test_a_real_celery_worker_invalidates_and_rewarms_a_cache_on_the_cluster(cluster_url, redis_server, tmp_path):
    """The cache on the cluster, Celery's broker on a standalone Redis (the documented layout)."""
    llm = MessagesAPIServer(latency_s=0.01)
    llm.start()
    settings = Settings(_env_file=None, redis_url=cluster_url, llm={"base_url": llm.url},
                        worker={"broker_url": redis_server.url}, cache={"embedder": "hash"})
    client = make_redis(settings)
    state = make_state_redis(settings)  # the worker's progress lives on the state (broker) Redis
    from netcache.tasks.runtime import Runtime

    rt = Runtime(settings, redis_client=client)
    log = tmp_path / "worker.log"
    proc = None
    try:
        rtr1 = [f"Show the BGP neighbor summary on rtr-001 vrf {n}" for n in range(40)]  # many entries, one tag
        rtr2 = "Show the BGP neighbor summary on rtr-002"
        for q in [*rtr1, rtr2]:
            assert rt.cache.get_or_generate(q).source == "generated"
        keep = rt.cache.get(rtr2).entry_id
        proc = spawn(["celery-worker", "--pool", "threads", "--concurrency", "2"],
                     clean_env(redis_url=cluster_url, worker__broker_url=redis_server.url, llm__base_url=llm.url,
                               cache__embedder="hash", log_level="INFO"), log)
        wait_for(lambda: proc.poll() is not None or any(True for _ in client.scan_iter("nc:w:health:worker:*")),
                 90, "the worker's heartbeat", logs=[log])
        make_app(settings).send_task("netcache.invalidate", queue="invalidate", kwargs={
            "tags": ["device:rtr-001"], "mode": "hard", "reason": "device_reboot rtr-001", "action_id": "act-c",
            "warm": [{"prompt": "Why did rtr-001 reboot?"}]})
        wait_for(lambda: read_progress(state, "nc", "act-c").get("status") == "done", 90, "the invalidation",
                 logs=[log])
        wait_for(lambda: client.lrange("nc:w:warmed", 0, -1), 90, "the re-warm", logs=[log])
        progress = read_progress(state, "nc", "act-c")
        assert progress["total"] == "40" and progress["done"] == "40"
        warmed = json.loads(client.lrange("nc:w:warmed", 0, -1)[0])
        assert warmed["action_id"] == "act-c" and warmed["generated"] >= 1
        assert rt.cache.get(rtr2).entry_id == keep  # another device's answer untouched
        # every rtr-001 question asked once to fill, plus what the re-warm generated (most asked first)
        assert llm.calls_for("rtr-001") == 40 + warmed["generated"]
        assert sum(rt.cache.get(q) is not None for q in rtr1) == warmed["generated"] - llm.calls_for("reboot")
    finally:
        stop(proc)
        rt.close()
        llm.stop()
