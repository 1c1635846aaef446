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


@pytest.fixture
def redis_url(redis_server) -> str:
    """URL of the private Redis, flushed before the test (restarted first if a test stopped it)."""
    if redis_server.proc is None or redis_server.proc.poll() is not None:
        redis_server.start()
    client = redis.Redis.from_url(redis_server.url)
    client.flushall()
    client.close()
    return redis_server.url


@pytest.fixture
def redis_client(redis_url):
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture
def settings(redis_url, monkeypatch) -> Settings:
    """Settings pointing at the private Redis, isolated from the caller's NETCACHE_* variables."""
    for key in list(os.environ):
        if key.startswith("NETCACHE_"):
            monkeypatch.delenv(key)
    # syslog denies every source until an allow-list is set; tests send from this host, and floods
    # of one device's messages (the tests of the syslog rate limits set their own)
    events = EventSettings(syslog_allow=list(LOOPBACK_NETS), syslog_rate_per_source=0, syslog_rate_per_device=0)
    return Settings(redis_url=redis_url, events=events, _env_file=None)


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


#: the backends the cache behaviour suite runs over (tests/support/cache.py: Backend)
CACHE_BACKENDS = ("redis", "asyncio", "memory")


@pytest.fixture(params=CACHE_BACKENDS)
def backend(request, monkeypatch):
    """One cache backend (sync Redis, asyncio Redis, in-process memory://) with one calling
    convention: ``backend.cache(settings, **kwargs)``, ``backend.client``, ``backend.settings``."""
    import uuid

    from tests.support.cache import Backend

    for key in list(os.environ):
        if key.startswith("NETCACHE_"):
            monkeypatch.delenv(key)
    if request.param == "memory":
        url = f"memory://test-{uuid.uuid4().hex}"  # a fresh in-process store per test
    else:
        url = request.getfixturevalue("redis_url")
    made = Backend(request.param, Settings(redis_url=url, _env_file=None))
    yield made
    made.close()
