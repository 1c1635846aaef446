from pydantic import SecretStr

from netcache.connections import celery_ssl_options, make_redis, redact_url, redis_kwargs
from netcache.settings import Settings


def test_settings_read_prefixed_and_nested_environment(monkeypatch):
    monkeypatch.setenv("NETCACHE_REDIS_URL", "redis://:pw@10.0.0.1:6380/2")
    monkeypatch.setenv("NETCACHE_CACHE__SEMANTIC_THRESHOLD", "0.9")
    monkeypatch.setenv("NETCACHE_EVENTS__WEBHOOK_TOKEN", "zq-secret-77")
    s = Settings(_env_file=None)
    assert s.redis_url == "redis://:pw@10.0.0.1:6380/2"
    assert s.cache.semantic_threshold == 0.9
    assert isinstance(s.events.webhook_token, SecretStr)
    assert "zq-secret-77" not in repr(s)


def test_redact_url_hides_the_password_only():
    assert redact_url("redis://:s3cret@h:6379/0") == "redis://:***@h:6379/0"
    assert redact_url("rediss://user:s3cret@h:6380/1") == "rediss://user:***@h:6380/1"
    assert redact_url("redis://h:6379/0") == "redis://h:6379/0"


def test_tls_url_gets_certificate_options(tmp_path):
    ca = tmp_path / "ca.pem"
    s = Settings(redis_url="rediss://:pw@h:6380/0", redis_ssl_ca_certs=ca, _env_file=None)
    kw = redis_kwargs(s)
    assert kw["ssl_cert_reqs"] == "required" and kw["ssl_ca_certs"] == str(ca)
    assert celery_ssl_options(s, s.redis_url)["ssl_ca_certs"] == str(ca)
    assert celery_ssl_options(s, "redis://h:6379/0") is None


def test_password_url_connects_to_a_password_protected_redis():
    from netcache.devtools.local_redis import LocalRedis

    with LocalRedis(password="s3cret") as server:
        s = Settings(redis_url=server.url, _env_file=None)
        client = make_redis(s)
        assert client.ping()
        client.close()
        bad = make_redis(s, url=server.url.replace("s3cret", "wrong"))
        import redis

        try:
            bad.ping()
            raise AssertionError("a wrong password must be refused")
        except redis.AuthenticationError:
            pass
        finally:
            bad.close()
