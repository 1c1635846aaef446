"""Shared fixtures: a private redis-server per test session, flushed around each test.

No test skips for a missing Redis: without ``redis-server`` the session fails
with a message that says how to install it (scripts/test.sh installs it).
"""

from __future__ import annotations

import os

import pytest
import redis

from netcache.devtools.local_redis import LocalRedis
from netcache.settings import LOOPBACK_NETS, EventSettings, Settings


@pytest.fixture(scope="session")
def redis_server():
    """The session's own redis-server (``.url``, ``.stop()``, ``.start()``, ``.restart()``)."""
    server = LocalRedis()
    server.start()
    yield server
    server.close()


@pytest.fixture(scope="session")
def redis_cluster():
    """The session's own 3-master Redis Cluster on loopback (tests/support/cluster.py), made on first use."""
    from tests.support.cluster import LocalCluster

    made = LocalCluster().start()
    yield made
    made.close()


@pytest.fixture
def cluster_url(redis_cluster) -> str:
    """``redis+cluster://`` URL of the session's cluster, every master flushed before the test."""
    redis_cluster.flush()
    return redis_cluster.url


#: modules whose tests that take ``redis_url`` / ``redis_client`` / ``settings`` run twice: on the
#: standalone Redis and on the 3-master cluster (tests asking for ``redis_server`` itself, which
#: stop or restart that one server, run on the standalone Redis only)
ALSO_ON_CLUSTER = ("test_publisher", "test_coalesce", "test_dispatcher", "test_tasks_invalidation",
                   "test_tasks_warming")


def pytest_generate_tests(metafunc):
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    if (module in ALSO_ON_CLUSTER and "redis_url" in metafunc.fixturenames
            and "redis_server" not in metafunc.definition._fixtureinfo.argnames):
        metafunc.parametrize("redis_kind", ["standalone", "cluster"], indirect=True)


@pytest.fixture
def redis_kind(request) -> str:
    """"standalone" (the default) or "cluster" (see ALSO_ON_CLUSTER)."""
    return getattr(request, "param", "standalone")


@pytest.fixture
def redis_url(request, redis_server, redis_kind) -> str:
    """URL of the private Redis, flushed before the test (restarted first if a test stopped it);
    the cluster's URL when the test runs on the cluster."""
    if redis_server.proc is None or redis_server.proc.poll() is not None:
        redis_server.start()
    client = redis.Redis.from_url(redis_server.url)
    client.flushall()
    client.close()
    if redis_kind == "cluster":
        return request.getfixturevalue("cluster_url")
    return redis_server.url


@pytest.fixture
def redis_client(redis_url):
    """A client on ``redis_url`` (a cluster client on the cluster)."""
    from netcache.cluster import is_cluster_url, make_cluster

    client = make_cluster(redis_url) if is_cluster_url(redis_url) else redis.Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture
def broker_url(redis_url, redis_server) -> str:
    """Celery's broker: the standalone Redis, also when the test runs on the cluster."""
    return redis_server.url


@pytest.fixture
def broker_client(broker_url):
    client = redis.Redis.from_url(broker_url)
    yield client
    client.close()


@pytest.fixture
def settings(redis_url, redis_server, monkeypatch) -> Settings:
    """Settings pointing at the private Redis, isolated from the caller's NETCACHE_* variables.
    On the cluster, Celery's broker is the standalone Redis (kombu has no cluster transport)."""
    for key in list(os.environ):
        if key.startswith("NETCACHE_"):
            monkeypatch.delenv(key)
    # syslog denies every source until an allow-list is set; tests send from this host, and floods
    # of one device's messages (the tests of the syslog rate limits set their own)
    events = EventSettings(syslog_allow=list(LOOPBACK_NETS), syslog_rate_per_source=0, syslog_rate_per_device=0)
    made = Settings(redis_url=redis_url, events=events, _env_file=None)
    if redis_url != redis_server.url:  # a cluster: Celery's broker (and the worker's state) stays standalone
        made = made.model_copy(update={"worker": made.worker.model_copy(update={"broker_url": redis_server.url})})
    return made


@pytest.fixture
def runtimes():
    """Runtime(settings) factory (one worker process's cache, LLM and metrics); all closed after the test."""
    from netcache.tasks.runtime import Runtime

    made = []

    def make(settings):
        made.append(Runtime(settings))
        return made[-1]

    yield make
    for rt in made:
        rt.close()


#: the backends the cache behaviour suite runs over (tests/support/cache.py: Backend); the
#: "cluster" ones are AnswerCache / AsyncAnswerCache on the session's 3-master Redis Cluster
CACHE_BACKENDS = ("redis", "asyncio", "memory", "cluster", "cluster-asyncio")


@pytest.fixture(params=CACHE_BACKENDS)
def backend(request, monkeypatch):
    """One cache backend (sync Redis, asyncio Redis, in-process memory://, sync and asyncio on a
    Redis Cluster) with one calling
    convention: ``backend.cache(settings, **kwargs)``, ``backend.client``, ``backend.settings``."""
    import uuid

    from tests.support.cache import Backend

    for key in list(os.environ):
        if key.startswith("NETCACHE_"):
            monkeypatch.delenv(key)
    if request.param == "memory":
        url = f"memory://test-{uuid.uuid4().hex}"  # a fresh in-process store per test
    elif request.param.startswith("cluster"):
        url = request.getfixturevalue("cluster_url")
    else:
        url = request.getfixturevalue("redis_url")
    made = Backend(request.param, Settings(redis_url=url, _env_file=None))
    yield made
    made.close()
