"""The webhook receiver over real HTTP on 127.0.0.1, events read back from the real Redis stream."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from click.testing import CliRunner
from pydantic import SecretStr

from netcache.cli.main import main
from netcache.connections import make_async_redis
from netcache.devtools.local_redis import free_port
from netcache.errors import ConfigError
from netcache.events.stream import decode_entry
from netcache.events.webhooks.netbox import compute_signature
from netcache.events.webhooks.server import create_app
from netcache.health import health_key

DATA = Path(__file__).parent / "data" / "webhooks"
TOKEN = "tok-5b0e8f1c2d3a4e6f9a8b7c6d5e4f3a2b"
NETBOX_SECRET = "netbox-hook-secret-0123456789"


def load(name: str) -> bytes:
    """A recorded body; a NetBox one re-stamped with now (older bodies are refused as replays)."""
    raw = (DATA / name).read_bytes()
    if name.startswith("netbox_"):
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f+00:00")
        raw = re.sub(rb'"timestamp": "[^"]*"', f'"timestamp": "{now}"'.encode(), raw)
    return raw


@pytest.fixture
def wh_settings(settings):
    events = settings.events.model_copy(update={
        "webhook_token": SecretStr(TOKEN), "netbox_secret": SecretStr(NETBOX_SECRET),
        "webhook_max_body_bytes": 64 * 1024, "publish_retries": 1, "publish_backoff_ms": 10,
        "webhook_health_interval_s": 0.2,
    })
    return settings.model_copy(update={"events": events})


@pytest.fixture
async def server(wh_settings):
    redis = make_async_redis(wh_settings)
    srv = TestServer(create_app(wh_settings, redis=redis), host="127.0.0.1", port=0)
    await srv.start_server()
    yield srv
    await srv.close()
    await redis.aclose()


@pytest.fixture
async def http():
    async with aiohttp.ClientSession() as session:
        yield session


AUTH = {"Authorization": f"Bearer {TOKEN}"}


async def post(http, server, path, body, *, headers=None, raw=None, content_type="application/json"):
    data = raw if raw is not None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    hdrs = {"Content-Type": content_type, **(AUTH if headers is None else headers)}
    async with http.post(server.make_url(path), data=data, headers=hdrs) as resp:
        return resp.status, await resp.json(), resp.headers


def stream_events(redis_client, settings):
    return [decode_entry(f, i) for i, f in redis_client.xrange(settings.events.stream)]


BGP_DOWN = {"type": "bgp_down", "device": "rtr-001", "neighbor": "10.0.0.2", "remote_as": 65002,
            "occurred_at": "2026-11-28T03:00:00Z"}
FLAP = {"type": "interface_flap", "device": "rtr-002", "interface": "Gi0/1", "state": "down",
        "occurred_at": "2026-11-28T03:00:01Z"}


async def test_a_single_event_is_accepted_and_lands_on_the_stream_as_a_webhook_event(server, http, redis_client,
                                                                                      wh_settings):
    status, body, _ = await post(http, server, "/v1/events", BGP_DOWN)

    assert status == 202
    assert body["accepted"] == 1 and body["duplicates"] == 0 and len(body["ids"]) == 1
    (event,) = stream_events(redis_client, wh_settings)
    assert event.type == "bgp_down" and event.device == "rtr-001" and event.neighbor == "10.0.0.2"
    assert event.source == "webhook" and event.id == body["ids"][0]


@pytest.mark.parametrize("wrap", [lambda evs: evs, lambda evs: {"events": evs}], ids=["array", "object"])
async def test_a_batch_is_accepted_as_an_array_or_an_events_object(server, http, redis_client, wh_settings, wrap):
    status, body, _ = await post(http, server, "/v1/events", wrap([BGP_DOWN, FLAP]))

    assert status == 202 and body["accepted"] == 2
    events = stream_events(redis_client, wh_settings)
    assert [e.type for e in events] == ["bgp_down", "interface_flap"]
    assert events[1].interface == "GigabitEthernet0/1"
    assert [e.id for e in events] == body["ids"]


async def test_the_same_event_sent_twice_is_published_once(server, http, redis_client, wh_settings):
    await post(http, server, "/v1/events", BGP_DOWN)
    status, body, _ = await post(http, server, "/v1/events", BGP_DOWN)

    assert status == 202 and body["duplicates"] == 1 and body["published"] == 0
    assert redis_client.xlen(wh_settings.events.stream) == 1


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-token"}, {"Authorization": TOKEN},
                                     {"Authorization": f"Basic {TOKEN}"}],
                         ids=["missing", "wrong", "no-scheme", "basic"])
async def test_requests_without_the_right_bearer_token_get_401_and_publish_nothing(server, http, redis_client,
                                                                                   wh_settings, headers):
    for path in ("/v1/events", "/v1/alertmanager"):
        status, body, resp_headers = await post(http, server, path, BGP_DOWN, headers=headers)
        assert status == 401
        assert body["error"] == "unauthorized" and "NETCACHE_EVENTS__WEBHOOK_TOKEN" in body["hint"]
        assert resp_headers["WWW-Authenticate"].startswith("Bearer")
    assert redis_client.xlen(wh_settings.events.stream) == 0


async def test_malformed_json_gets_400_saying_so(server, http):
    status, body, _ = await post(http, server, "/v1/events", None, raw=b'{"type": "bgp_down", ')
    assert status == 400 and body["error"] == "invalid_json" and "not valid JSON" in body["message"]


async def test_a_body_that_is_not_json_content_gets_415(server, http, redis_client, wh_settings):
    status, body, _ = await post(http, server, "/v1/events", BGP_DOWN, content_type="text/plain")
    assert status == 415 and "application/json" in body["hint"]
    assert redis_client.xlen(wh_settings.events.stream) == 0


async def test_a_body_over_the_size_limit_gets_413(server, http, redis_client, wh_settings):
    big = [dict(FLAP, occurred_at=f"2026-11-28T03:{i // 60:02d}:{i % 60:02d}Z", reason="x" * 200)
           for i in range(400)]
    assert len(json.dumps(big)) > wh_settings.events.webhook_max_body_bytes
    status, body, _ = await post(http, server, "/v1/events", big)
    assert status == 413 and body["error"] == "body_too_large"
    assert redis_client.xlen(wh_settings.events.stream) == 0


async def test_a_body_over_the_limit_without_content_length_still_gets_413(server, http, wh_settings):
    async def chunks():
        for _ in range(80):
            yield b" " * 1024
        yield b"[]"

    async with http.post(server.make_url("/v1/events"), data=chunks(),
                         headers={**AUTH, "Content-Type": "application/json"}) as resp:
        assert resp.status == 413
        assert (await resp.json())["error"] == "body_too_large"


async def test_an_invalid_event_gets_422_with_the_validation_errors_and_nothing_is_published(
        server, http, redis_client, wh_settings):
    bad = {"type": "interface_flap", "device": "rtr-002", "interface": "Gi0/1", "state": "sideways"}
    status, body, _ = await post(http, server, "/v1/events", [BGP_DOWN, bad, {"type": "volcano"}])

    assert status == 422 and body["error"] == "invalid_event"
    assert [d["index"] for d in body["details"]] == [1, 2]
    assert body["details"][0]["errors"][0]["loc"][-1] == "state"
    assert "unknown event type 'volcano'" in body["details"][1]["message"]
    assert redis_client.xlen(wh_settings.events.stream) == 0


async def test_alertmanager_firing_then_resolved_publishes_bgp_down_then_bgp_up(server, http, redis_client,
                                                                                 wh_settings):
    s1, b1, _ = await post(http, server, "/v1/alertmanager", load("alertmanager_bgp_firing.json"))
    s2, b2, _ = await post(http, server, "/v1/alertmanager", load("alertmanager_bgp_resolved.json"))

    assert (s1, s2) == (202, 202) and b1["accepted"] == b2["accepted"] == 1
    down, up = stream_events(redis_client, wh_settings)
    assert (down.type, up.type) == ("bgp_down", "bgp_up")
    for event in (down, up):
        assert (event.device, event.neighbor, event.remote_as, event.vrf) == ("rtr-001", "10.0.0.2", 65002, "blue")
        assert event.source == "webhook"
    assert up.occurred_at > down.occurred_at


async def test_a_re_sent_alert_is_a_duplicate_and_not_re_published(server, http, redis_client, wh_settings):
    await post(http, server, "/v1/alertmanager", load("alertmanager_bgp_firing.json"))
    status, body, _ = await post(http, server, "/v1/alertmanager", load("alertmanager_bgp_firing.json"))

    assert status == 202 and body["duplicates"] == 1 and body["published"] == 0
    assert redis_client.xlen(wh_settings.events.stream) == 1


async def test_alertmanager_unknown_alertnames_are_ignored_and_unmappable_alerts_reported(
        server, http, redis_client, wh_settings):
    status, body, _ = await post(http, server, "/v1/alertmanager", load("alertmanager_mixed.json"))

    assert status == 202
    assert body["accepted"] == 2 and body["ignored"] == 1
    assert [r["alertname"] for r in body["rejected"]] == ["BgpPeerDown"]
    flap, reboot = stream_events(redis_client, wh_settings)
    assert (flap.type, flap.device, flap.interface, flap.state) == (
        "interface_flap", "sw-core-01", "GigabitEthernet1/0/24", "down")
    assert (reboot.type, reboot.device) == ("device_reboot", "rtr-002")


async def test_a_body_that_is_not_an_alertmanager_payload_gets_422(server, http):
    status, body, _ = await post(http, server, "/v1/alertmanager", {"version": "4", "status": "firing"})
    assert status == 422 and body["error"] == "invalid_payload"
    assert any(d["loc"] == ["alerts"] for d in body["details"])


async def test_a_signed_netbox_device_update_publishes_a_config_change(server, http, redis_client, wh_settings):
    raw = load("netbox_device_updated.json")
    headers = {"X-Hook-Signature": compute_signature(NETBOX_SECRET, raw)}
    status, body, _ = await post(http, server, "/v1/netbox", None, raw=raw, headers=headers)

    assert status == 202 and body["accepted"] == 1
    (event,) = stream_events(redis_client, wh_settings)
    assert (event.type, event.device, event.user, event.method) == ("config_change", "rtr-001", "alice", "netbox")
    assert any(line.startswith("platform:") for line in event.changed_lines)


@pytest.mark.parametrize("signature", [None, "0" * 128, compute_signature("another-secret", b"x")],
                         ids=["unsigned", "zeros", "wrong-secret"])
async def test_a_netbox_request_without_a_valid_signature_gets_401(server, http, redis_client, wh_settings,
                                                                   signature):
    raw = load("netbox_device_updated.json")
    headers = {"X-Hook-Signature": signature} if signature else {}
    status, body, _ = await post(http, server, "/v1/netbox", None, raw=raw, headers=headers)
    assert status == 401 and body["error"] == "unauthorized"
    assert redis_client.xlen(wh_settings.events.stream) == 0


async def test_a_netbox_signature_over_a_different_body_is_refused(server, http, redis_client, wh_settings):
    raw = load("netbox_device_updated.json")
    signature = compute_signature(NETBOX_SECRET, raw)
    tampered = raw.replace(b'"username": "alice"', b'"username": "mallory"')
    status, body, _ = await post(http, server, "/v1/netbox", None, raw=tampered,
                                 headers={"X-Hook-Signature": signature})
    assert status == 401 and "does not match" in body["message"]


async def test_netbox_accepts_a_bearer_token_instead_of_a_signature(server, http, redis_client, wh_settings):
    status, body, _ = await post(http, server, "/v1/netbox", load("netbox_cable_created.json"))
    assert status == 202
    (event,) = stream_events(redis_client, wh_settings)
    assert event.type == "topology_change" and event.devices == ["rtr-001", "sw-core-01"]


async def test_healthz_reports_redis_and_the_health_key_is_refreshed(server, http, redis_client, wh_settings):
    async with http.get(server.make_url("/healthz")) as resp:
        assert resp.status == 200 and (await resp.json())["redis"] == "ok"
    key = health_key(wh_settings.key_prefix, "webhook")
    deadline = time.monotonic() + 10
    while not redis_client.exists(key):  # written by the receiver's background task
        assert time.monotonic() < deadline, f"{key} was never written"
        await asyncio.sleep(0.05)
    assert 0 < redis_client.ttl(key) <= 3 * wh_settings.events.webhook_health_interval_s + 1


async def test_when_redis_is_down_events_get_503_with_retry_after_and_healthz_503(server, http, redis_server):
    redis_server.stop()
    try:
        status, body, headers = await post(http, server, "/v1/events", BGP_DOWN)
        assert status == 503 and body["error"] == "backend_unavailable" and "nothing was accepted" in body["message"]
        assert headers["Retry-After"] == "5"
        async with http.get(server.make_url("/healthz")) as resp:
            assert resp.status == 503 and (await resp.json())["status"] == "unavailable"
    finally:
        redis_server.start()


async def test_metrics_count_requests_by_endpoint_and_outcome(server, http):
    await post(http, server, "/v1/events", BGP_DOWN)
    await post(http, server, "/v1/events", BGP_DOWN, headers={})
    await post(http, server, "/v1/alertmanager", load("alertmanager_mixed.json"))
    async with http.get(server.make_url("/metrics")) as resp:
        assert resp.status == 200 and resp.content_type == "text/plain"
        text = await resp.text()
    assert 'netcache_webhook_requests_total{endpoint="events",outcome="202"} 1.0' in text
    assert 'netcache_webhook_requests_total{endpoint="events",outcome="401"} 1.0' in text
    assert 'netcache_webhook_events_total{endpoint="alertmanager",result="published"} 2.0' in text
    assert 'netcache_webhook_ignored_total{endpoint="alertmanager"} 1.0' in text


async def test_invalid_json_and_an_unknown_event_type_get_clear_errors_and_are_counted(server, http, redis_client,
                                                                                        wh_settings):
    status, body, _ = await post(http, server, "/v1/events", None, raw=b"{not json")
    assert status == 400 and body["error"] == "invalid_json"
    status, body, _ = await post(http, server, "/v1/events", {"type": "link_melted", "device": "rtr-001"})
    assert status == 422 and body["error"] == "invalid_event"
    assert "unknown event type 'link_melted'" in body["details"][0]["message"]
    async with http.get(server.make_url("/metrics")) as resp:
        text = await resp.text()
    assert 'netcache_webhook_requests_total{endpoint="events",outcome="400"} 1.0' in text
    assert 'netcache_webhook_requests_total{endpoint="events",outcome="422"} 1.0' in text
    assert redis_client.xlen(wh_settings.events.stream) == 0


async def test_unknown_paths_and_methods_get_json_errors(server, http):
    async with http.get(server.make_url("/v1/events")) as resp:
        assert resp.status == 405 and (await resp.json())["error"] == "method_not_allowed"
    async with http.post(server.make_url("/nope"), headers=AUTH) as resp:
        assert resp.status == 404 and "hint" in await resp.json()


async def test_tokens_and_signatures_never_appear_in_the_logs(server, http, caplog):
    caplog.set_level(logging.DEBUG)
    raw = load("netbox_device_updated.json")
    signature = compute_signature(NETBOX_SECRET, raw)
    await post(http, server, "/v1/events", BGP_DOWN)
    await post(http, server, "/v1/events", BGP_DOWN, headers={"Authorization": "Bearer guessed-token-123"})
    await post(http, server, "/v1/netbox", None, raw=raw, headers={"X-Hook-Signature": signature})
    await post(http, server, "/v1/netbox", None, raw=raw, headers={"X-Hook-Signature": "ab" * 64})

    assert "accepted 1 event" in caplog.text
    for secret in (TOKEN, "guessed-token-123", signature, "ab" * 64, NETBOX_SECRET):
        assert secret not in caplog.text


def test_the_app_refuses_to_start_without_a_token(settings):
    with pytest.raises(ConfigError, match="NETCACHE_EVENTS__WEBHOOK_TOKEN"):
        create_app(settings)


def test_the_webhook_help_explains_endpoints_and_settings_without_showing_the_secrets(settings):
    env = {"NETCACHE_REDIS_URL": settings.redis_url, "NETCACHE_EVENTS__WEBHOOK_TOKEN": TOKEN,
           "NETCACHE_EVENTS__NETBOX_SECRET": NETBOX_SECRET}
    result = CliRunner().invoke(main, ["webhook", "--help"], env=env)
    assert result.exit_code == 0
    for text in ("/v1/events", "/v1/alertmanager", "/v1/netbox", "X-Hook-Signature", "/healthz", "/metrics",
                 "NETCACHE_EVENTS__WEBHOOK_TOKEN", "NETCACHE_EVENTS__NETBOX_SECRET",
                 "NETCACHE_EVENTS__WEBHOOK_MAX_BODY_BYTES"):
        assert text in result.output
    assert TOKEN not in result.output and NETBOX_SECRET not in result.output


def test_the_webhook_command_exits_with_how_to_set_the_token(settings):
    result = CliRunner().invoke(main, ["webhook", "--port", "0"], env={"NETCACHE_REDIS_URL": settings.redis_url})
    assert result.exit_code == 1
    assert "set NETCACHE_EVENTS__WEBHOOK_TOKEN" in result.output


def test_the_webhook_command_serves_events_as_a_real_process(settings, redis_client):
    port = free_port()
    env = {**os.environ, "NETCACHE_REDIS_URL": settings.redis_url, "NETCACHE_EVENTS__WEBHOOK_TOKEN": TOKEN,
           "NETCACHE_EVENTS__WEBHOOK_PORT": str(port)}
    proc = subprocess.Popen([str(Path(sys.executable).parent / "netcache"), "webhook"], env=env,
                            cwd=Path(__file__).parent.parent, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as resp:
                    assert resp.status == 200
                break
            except (urllib.error.URLError, ConnectionError):
                assert proc.poll() is None, proc.stdout.read().decode()
                assert time.monotonic() < deadline, "webhook process did not come up"
                time.sleep(0.1)
        req = urllib.request.Request(f"{base}/v1/events", data=json.dumps(BGP_DOWN).encode(), method="POST",
                                     headers={**AUTH, "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert resp.status == 202
        assert redis_client.xlen(settings.events.stream) == 1
        deadline = time.monotonic() + 10
        while not redis_client.keys(f"{settings.key_prefix}:w:health:webhook:*"):
            assert time.monotonic() < deadline, "the webhook process never wrote its health key"
            time.sleep(0.05)
    finally:
        proc.terminate()
        output = proc.communicate(timeout=20)[0].decode()
    assert proc.returncode == 0, output
    assert TOKEN not in output


async def test_a_signed_netbox_request_is_refused_when_no_netbox_secret_is_configured(wh_settings, http):
    settings = wh_settings.model_copy(update={"events": wh_settings.events.model_copy(update={"netbox_secret": None})})
    redis = make_async_redis(settings)
    srv = TestServer(create_app(settings, redis=redis), host="127.0.0.1", port=0)
    await srv.start_server()
    try:
        raw = load("netbox_device_updated.json")
        status, body, _ = await post(http, srv, "/v1/netbox", None, raw=raw,
                                     headers={"X-Hook-Signature": compute_signature(NETBOX_SECRET, raw)})
        assert status == 401 and "NETCACHE_EVENTS__NETBOX_SECRET" in body["hint"]
    finally:
        await srv.close()
        await redis.aclose()


# --- bad input: every error a JSON 4xx with a counter, no secret in any log line ------------------------


def _outcome(body: str, endpoint: str, outcome: str) -> float:
    m = re.search(rf'netcache_webhook_requests_total{{endpoint="{endpoint}",outcome="{outcome}"}} ([0-9.]+)', body)
    return float(m.group(1)) if m else 0.0


async def _metrics_text(http, server) -> str:
    async with http.get(server.make_url("/metrics")) as resp:
        return await resp.text()


async def _raw_request(server, head: bytes, body: bytes = b"") -> bytes:
    reader, writer = await asyncio.open_connection(server.host, server.port)
    writer.write(head + b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)
    await writer.drain()
    data = await reader.read()
    writer.close()
    await writer.wait_closed()
    return data


def _status_and_json(response: bytes) -> tuple[int, dict]:
    head, _, body = response.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


@pytest.mark.parametrize("path", ["/v1/events", "/v1/netbox"])
@pytest.mark.parametrize("header", ["Authorization", "X-Hook-Signature"])
async def test_non_ascii_bytes_in_a_credential_header_get_a_json_400_before_authentication(
        server, http, redis_client, wh_settings, path, header):
    value = b"Bearer \xff\xfe" + TOKEN.encode() if header == "Authorization" else b"\xc3\xa9" * 64
    auth = b"" if header == "Authorization" else f"Authorization: Bearer {TOKEN}\r\n".encode()
    head = (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n".encode() + auth
            + header.encode() + b": " + value + b"\r\n")
    status, body = _status_and_json(await _raw_request(server, head, json.dumps(BGP_DOWN).encode()))
    assert status == 400 and body["error"] == "bad_header" and header in body["message"]
    assert TOKEN not in json.dumps(body)
    assert _outcome(await _metrics_text(http, server), path.rsplit("/", 1)[-1], "400") == 1
    assert redis_client.xlen(wh_settings.events.stream) == 0


@pytest.mark.parametrize("depth", [33, 9_000])
async def test_deeply_nested_json_gets_a_json_400_and_a_counter(server, http, redis_client, wh_settings, depth):
    body = b"[" * depth + b"]" * depth
    status, data, _ = await post(http, server, "/v1/events", body)
    assert status == 400 and data["error"] == "json_too_deep"
    raw = load("netbox_device_updated.json")
    nested = b'{"event": "updated", "data": ' + b'{"a": ' * depth + b"1" + b"}" * depth + b"}"
    status, data, _ = await post(http, server, "/v1/netbox", None, raw=nested,
                                 headers={"X-Hook-Signature": compute_signature(NETBOX_SECRET, nested)})
    assert status == 400 and data["error"] == "json_too_deep"
    text = await _metrics_text(http, server)
    assert _outcome(text, "events", "400") == 1 and _outcome(text, "netbox", "400") == 1
    assert redis_client.xlen(wh_settings.events.stream) == 0
    status, _, _ = await post(http, server, "/v1/netbox", None, raw=raw,
                              headers={"X-Hook-Signature": compute_signature(NETBOX_SECRET, raw)})
    assert status == 202  # a real NetBox body is well inside the limit


@pytest.mark.parametrize("age", [timedelta(minutes=6), timedelta(days=3), -timedelta(minutes=10)])
async def test_a_netbox_body_older_than_the_window_is_refused_even_when_signed(
        server, http, redis_client, wh_settings, age):
    data = json.loads(load("netbox_device_updated.json"))
    data["timestamp"] = (datetime.now(UTC) - age).isoformat()
    raw = json.dumps(data).encode()
    status, body, _ = await post(http, server, "/v1/netbox", None, raw=raw,
                                 headers={"X-Hook-Signature": compute_signature(NETBOX_SECRET, raw)})
    assert status == 422 and body["error"] == "stale_delivery" and "300 s" in body["message"]
    assert _outcome(await _metrics_text(http, server), "netbox", "422") == 1
    assert redis_client.xlen(wh_settings.events.stream) == 0


async def test_a_device_name_with_a_newline_or_nul_gets_422_and_reaches_no_log_line(
        server, http, redis_client, wh_settings, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("rtr-101\nrtr-102", "rtr-101\x00", "rtr-1\r2024-01-01 INFO forged"):
        status, body, _ = await post(http, server, "/v1/events", {**BGP_DOWN, "device": name})
        assert status == 422 and body["error"] == "invalid_event"
        assert "control character" in body["details"][0]["message"]
    assert redis_client.xlen(wh_settings.events.stream) == 0
    assert not any(c in caplog.text for c in ("rtr-101\n", "\x00", "\rforged", "\r2024"))


async def test_a_bare_cr_in_the_authorization_header_puts_no_token_in_any_log_line(server, http):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        half = TOKEN[:12].encode()
        head = (b"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Authorization: Bearer " + half + b"\r" + TOKEN[12:].encode() + b"\r\n")
        response = await _raw_request(server, head, b"{}")
        assert response.startswith(b"HTTP/1.") and b" 400 " in response.split(b"\r\n", 1)[0]
        text = stream.getvalue()
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    assert "Error handling request" in text  # the line is there, without the bytes
    assert half.decode() not in text and TOKEN[12:] not in text
    assert _outcome(await _metrics_text(http, server), "http", "400") == 1
