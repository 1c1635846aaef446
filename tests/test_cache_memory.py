"""The in-process backend (memory://): one store per name, shared by sync and asyncio clients and
threads of a process; parts that need a Redis server refuse it with a clear error."""

from __future__ import annotations

import asyncio
import re
import sys
import uuid

import pytest

from netcache.connections import make_async_redis, make_redis, require_server
from netcache.engine.aio import AsyncAnswerCache
from netcache.engine.sync import AnswerCache
from netcache.errors import ConfigError
from netcache.settings import Settings


def memory_settings(name: str | None = None) -> Settings:
    return Settings(redis_url=f"memory://{name or uuid.uuid4().hex}", _env_file=None)


def test_one_name_is_one_store_for_sync_and_asyncio_clients_and_other_names_are_apart():
    s = memory_settings()
    AnswerCache(s, embedder=False).put("show version on rtr-001", "17.9")

    async def read():
        cache = AsyncAnswerCache(s, embedder=False)
        try:
            return (await cache.get("show version on rtr-001")).answer
        finally:
            await cache.redis.aclose()

    assert asyncio.run(read()) == "17.9"
    assert AnswerCache(memory_settings(), embedder=False).get("show version on rtr-001") is None
    make_redis(s).flushall()


def test_the_same_lua_scripts_run_in_process():
    s = memory_settings()
    cache = AnswerCache(s, embedder=False)
    eid = cache.put("show bgp summary on rtr-001", "3 peers", tags=["ticket:7"])
    client = make_redis(s)
    assert client.hget(f"{{nc}}:e:{eid}", "tier") == b"warm" and client.smembers("{nc}:t:ticket:7") == {eid.encode()}
    assert cache.invalidate(["ticket:7"]) == 1 and client.exists(f"{{nc}}:e:{eid}") == 0
    client.flushall()


@pytest.mark.parametrize("component", ["the dispatcher", "the Celery app (worker, beat)", "the syslog listener",
                                       "the webhook receiver"])
def test_components_that_share_redis_with_other_processes_refuse_memory(component):
    with pytest.raises(ConfigError, match=re.escape(f"{component} needs a Redis server; memory:// is in-process only")):
        require_server(memory_settings(), component)
    require_server(Settings(redis_url="redis://127.0.0.1:6379/0", _env_file=None), component)  # fine


def test_the_celery_app_refuses_memory():
    from netcache.tasks.app import make_app

    with pytest.raises(ConfigError, match="needs a Redis server"):
        make_app(memory_settings())


def test_without_the_memory_extra_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "lupa", None)  # as if lupa were not installed
    with pytest.raises(ConfigError, match=r"pip install 'netcache\[memory\]'"):
        make_async_redis(memory_settings())
