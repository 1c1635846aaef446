"""The Celery app's delivery guarantees and wiring, read from the app ``make_app`` builds."""

from __future__ import annotations

import subprocess
import sys

import redis

from netcache.errors import BackendUnavailable
from netcache.settings import Settings
from netcache.tasks.app import TASK_QUEUES, make_app


def test_tasks_are_acked_late_one_at_a_time_and_a_dead_workers_tasks_come_back_within_a_minute():
    settings = Settings(_env_file=None)
    app = make_app(settings)
    conf = app.conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    opts = conf.broker_transport_options
    assert opts["visibility_timeout"] + opts["unacked_restore_interval"] <= 60
    # the worker's watch extends running tasks often enough that a long one is never handed out twice
    assert opts["visibility_timeout"] >= 3 * settings.worker.health_ttl_s / 3
    assert conf.task_time_limit > conf.task_soft_time_limit
    assert conf.broker_transport == "netcache.tasks.transport:Transport"
    assert conf.task_serializer == "json" and list(conf.accept_content) == ["json"]
    assert conf.result_expires == 24 * 3600


def test_each_task_is_routed_to_its_own_queue_through_the_default_exchange():
    app = make_app(Settings(_env_file=None))
    for name, queue in TASK_QUEUES.items():
        assert name in app.tasks
        route = app.amqp.router.route({}, name)
        assert route["queue"].name == queue and route["queue"].routing_key == queue
        assert route["queue"].exchange.name == ""  # no binding table in Redis to depend on


def test_transient_redis_trouble_is_retried_with_backoff_and_jitter():
    app = make_app(Settings(_env_file=None))
    for name in TASK_QUEUES:
        task = app.tasks[name]
        assert BackendUnavailable in task.autoretry_for and redis.ConnectionError in task.autoretry_for
        assert task.retry_backoff and task.retry_jitter and task.max_retries >= 5


def test_a_separate_broker_and_rediss_tls_are_passed_to_celery_and_redbeat():
    settings = Settings(_env_file=None, redis_url="redis://cache:6379/0",
                        worker={"broker_url": "rediss://:s3cret@queue:6380/0"}, redis_ssl_cert_reqs="none")
    app = make_app(settings)
    assert app.conf.broker_url == "rediss://:s3cret@queue:6380/0"
    assert app.conf.broker_use_ssl == {"ssl_cert_reqs": 0}
    assert app.conf.redis_backend_use_ssl == {"ssl_cert_reqs": 0}
    assert app.conf.redbeat_redis_url == "rediss://:s3cret@queue:6380/0"


def test_importing_the_celery_entry_builds_nothing_until_celery_asks_for_the_app():
    code = ("import sys, netcache.tasks.celery_entry as e; "
            "assert e._app is None and 'netcache.tasks.app' not in sys.modules; "
            "app = e.app; assert e.app is app and app.main == 'netcache'; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env={"PATH": "/usr/bin:/bin", "NETCACHE_REDIS_URL": "redis://127.0.0.1:1/0"})
    assert out.stdout.strip() == "ok", out.stderr


def test_every_task_of_a_process_shares_one_runtime_and_builds_it_only_when_used():
    app = make_app(Settings(_env_file=None))
    assert getattr(app, "netcache_runtime", None) is None, "nothing built by make_app"
    runtimes = {id(app.tasks[name].runtime) for name in TASK_QUEUES}
    assert len(runtimes) == 1
    app.netcache_runtime.close()


def test_the_sweep_task_drops_what_entries_redis_expired_left_in_the_index_and_tiers(redis_url, redis_client):
    import time

    settings = Settings(_env_file=None, redis_url=redis_url, cache={"embedder": "hash", "ttl_volatile_s": 1})
    app = make_app(settings)
    try:
        cache = app.tasks["netcache.sweep"].runtime.cache
        gone = cache.put("Show CPU usage on rtr-001", "placeholder: 12 %", volatility="volatile")
        kept = cache.put("Show CPU usage on rtr-002", "placeholder: 30 %", volatility="static")
        vec_key = cache.keys.ix_vec
        assert redis_client.hexists(vec_key, gone)
        deadline = time.monotonic() + 10
        while redis_client.exists(cache.keys.entry(gone)):  # Redis expires the entry itself
            assert time.monotonic() < deadline, "the 1 s entry did not expire"
            time.sleep(0.1)
        assert redis_client.hexists(vec_key, gone), "its vector outlives it until a sweep"
        assert app.tasks["netcache.sweep"]() == {"removed": 1}
        assert not redis_client.hexists(vec_key, gone)
        assert redis_client.hexists(vec_key, kept)
        assert cache.get("Show CPU usage on rtr-002").answer == "placeholder: 30 %"
    finally:
        app.netcache_runtime.close()
