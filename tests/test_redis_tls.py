"""rediss:// URLs with a password against a real TLS-only redis-server.

The certificates come from trustme (a throw-away CA); redis-server is Debian's,
built with TLS. The cache, the event publisher and the Celery broker all take
their connection from the one settings object, so each is exercised here.
"""

from __future__ import annotations

import json

import pytest
import redis
import trustme

from netcache.connections import make_redis
from netcache.devtools.local_redis import LocalRedis, TLSFiles
from netcache.settings import Settings


@pytest.fixture(scope="module")
def tls_redis(tmp_path_factory):
    d = tmp_path_factory.mktemp("tls")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    files = TLSFiles(cert_file=d / "cert.pem", key_file=d / "key.pem", ca_file=d / "ca.pem")
    ca.cert_pem.write_to_path(str(files.ca_file))
    cert.private_key_pem.write_to_path(str(files.key_file))
    cert.cert_chain_pems[0].write_to_path(str(files.cert_file))
    server = LocalRedis(password="tls-s3cret", tls=files).start()
    yield server
    server.close()


def _settings(server: LocalRedis, **kw) -> Settings:
    return Settings(_env_file=None, redis_url=server.url, redis_ssl_ca_certs=server.tls.ca_file, **kw)


def test_a_rediss_url_with_password_and_ca_connects(tls_redis):
    assert tls_redis.url.startswith("rediss://:tls-s3cret@")
    client = make_redis(_settings(tls_redis))
    assert client.ping()
    assert client.connection_pool.connection_class is redis.SSLConnection
    client.close()


def test_a_server_certificate_from_an_untrusted_ca_is_refused(tls_redis, tmp_path):
    other_ca = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other_ca))
    s = Settings(_env_file=None, redis_url=tls_redis.url, redis_ssl_ca_certs=other_ca)
    client = make_redis(s)
    with pytest.raises(redis.ConnectionError):
        client.ping()
    client.close()


def test_the_answer_cache_stores_and_finds_answers_over_tls(tls_redis):
    from netcache.engine.sync import AnswerCache

    cache = AnswerCache(_settings(tls_redis), embedder=False)
    try:
        cache.put("Show BGP summary on rtr-001", "placeholder: all peers established")
        hit = cache.get("show bgp summary on RTR-001")
        assert hit is not None and hit.answer == "placeholder: all peers established"
        assert cache.invalidate(["device:rtr-001"]) == 1
        assert cache.get("Show BGP summary on rtr-001") is None
    finally:
        cache.close()


def test_events_are_published_to_the_stream_over_tls(tls_redis):
    from netcache.events.models import parse_event
    from netcache.events.publisher import EventPublisher

    s = _settings(tls_redis)
    client = make_redis(s)
    event = parse_event({"type": "device_reboot", "device": "rtr-009", "source": "operator"})
    assert EventPublisher(client, s).publish(event) is not None
    [(_, fields)] = client.xrange(s.events.stream)
    assert json.loads(fields[b"event"])["device"] == "rtr-009"
    client.close()


def test_the_celery_app_sends_tasks_to_a_tls_broker(tls_redis):
    from netcache.tasks.app import make_app

    s = _settings(tls_redis)
    app = make_app(s)
    try:
        app.send_task("netcache.invalidate", kwargs={"tags": ["device:rtr-001"], "mode": "hard", "warm": [],
                                                      "reason": "test", "action_id": "tls-1"},
                      queue="invalidate", exchange="", routing_key="invalidate")
        client = make_redis(s)
        [raw] = client.lrange("invalidate", 0, -1)
        assert json.loads(raw)["headers"]["task"] == "netcache.invalidate"
        client.close()
    finally:
        app.close()


def test_a_plain_redis_url_to_a_tls_port_fails_clearly(tls_redis):
    plain = tls_redis.url.replace("rediss://", "redis://")
    client = make_redis(Settings(_env_file=None, redis_url=plain), socket_timeout=2)
    with pytest.raises(redis.ConnectionError):
        client.ping()
    client.close()


def test_netcache_beat_runs_on_a_rediss_url(tls_redis, tmp_path):
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    from redbeat.schedulers import get_redis

    from netcache.keys import WorkerKeys
    from netcache.tasks.app import make_app

    s = _settings(tls_redis)
    app = make_app(s)
    try:
        assert get_redis(app).ping()  # RedBeat's own client, built the way beat builds it
    finally:
        app.close()
    client = make_redis(s)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETCACHE_")}
    env.update(NETCACHE_REDIS_URL=s.redis_url, NETCACHE_REDIS_SSL_CA_CERTS=str(tls_redis.tls.ca_file))
    log = tmp_path / "beat.log"
    with log.open("w") as out:
        proc = subprocess.Popen([str(Path(sys.executable).parent / "netcache"), "beat"], env=env, cwd=tmp_path,
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        lock = WorkerKeys(s.key_prefix).redbeat_lock
        deadline = time.monotonic() + 60
        while not client.exists(lock):
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "beat never took its lock over TLS: " + log.read_text()
            time.sleep(0.2)
    finally:
        proc.terminate()
        proc.wait(30)
        client.close()
    assert "TypeError" not in log.read_text()
