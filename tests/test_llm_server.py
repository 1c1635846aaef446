"""The local Messages API server, spoken to over raw HTTP and run as `netcache llm-server`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from netcache.devtools.local_redis import free_port
from netcache.devtools.messages_server import PLACEHOLDER_PREFIX, MessagesAPIServer


def post(url: str, body: dict | bytes, headers: dict | None = None) -> tuple[int, dict, dict]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(url + "/v1/messages", data=data, method="POST",
                                 headers={"content-type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), json.loads(resp.read())
    except urllib.error.HTTPError as e:
        with e:
            return e.code, dict(e.headers), json.loads(e.read())


#: The installed console script (netcache/cli/main.py has no __main__ block).
NETCACHE = os.path.join(os.path.dirname(sys.executable), "netcache")

REQUEST = {"model": "claude-sonnet-4-6", "max_tokens": 100,
           "messages": [{"role": "user", "content": "Show ip bgp summary on rtr-001"}]}


def test_a_message_has_the_shape_the_messages_api_promises():
    with MessagesAPIServer() as srv:
        status, headers, msg = post(srv.url, REQUEST)
    assert status == 200
    assert msg["type"] == "message" and msg["role"] == "assistant" and msg["id"].startswith("msg_")
    assert msg["model"] == "claude-sonnet-4-6"
    assert msg["stop_reason"] == "end_turn"
    assert msg["content"] == [{"type": "text", "text": f"{PLACEHOLDER_PREFIX} You asked: Show ip bgp summary on rtr-001"}]
    assert msg["usage"]["input_tokens"] > 0 and msg["usage"]["output_tokens"] > 0


def test_answers_are_deterministic_and_counted_per_question():
    with MessagesAPIServer() as srv:
        first = post(srv.url, REQUEST)[2]["content"]
        second = post(srv.url, REQUEST)[2]["content"]
        assert first == second
        assert srv.calls == 2 and srv.calls_for("rtr-001") == 2 and srv.calls_for("rtr-002") == 0


def test_reported_output_tokens_can_be_fixed_to_simulate_long_answers():
    with MessagesAPIServer(output_tokens=800) as srv:
        assert post(srv.url, REQUEST)[2]["usage"]["output_tokens"] == 800


def test_injected_failures_use_the_anthropic_error_body_and_a_short_retry_after():
    with MessagesAPIServer(fail_first=2, fail_status=529) as srv:
        status, headers, body = post(srv.url, REQUEST)
        assert status == 529
        assert body["type"] == "error" and body["error"]["type"] == "overloaded_error"
        assert headers["retry-after-ms"] == "10"
        assert post(srv.url, REQUEST)[0] == 529
        assert post(srv.url, REQUEST)[0] == 200
        assert (srv.calls, srv.failed, srv.answered) == (3, 2, 1)


def test_a_wrong_key_gets_401_and_the_right_one_passes():
    with MessagesAPIServer(api_key="good") as srv:
        status, _, body = post(srv.url, REQUEST, {"x-api-key": "bad"})
        assert status == 401 and body["error"]["type"] == "authentication_error"
        assert post(srv.url, REQUEST)[0] == 401
        assert post(srv.url, REQUEST, {"x-api-key": "good"})[0] == 200
        assert post(srv.url, REQUEST, {"authorization": "Bearer good"})[0] == 200


@pytest.mark.parametrize("body", [b"not json", {"model": "m"}, {"model": "m", "messages": []}])
def test_a_malformed_request_gets_400(body):
    with MessagesAPIServer() as srv:
        status, _, reply = post(srv.url, body)
    assert status == 400 and reply["error"]["type"] == "invalid_request_error"


def test_streaming_is_refused_plainly():
    with MessagesAPIServer() as srv:
        status, _, reply = post(srv.url, {**REQUEST, "stream": True})
    assert status == 400 and "does not stream" in reply["error"]["message"]


def test_an_unknown_path_gets_404():
    with MessagesAPIServer() as srv:
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(srv.url + "/v1/nothing", timeout=5)
        err.value.close()
    assert err.value.code == 404


def test_the_url_before_start_is_an_error():
    with pytest.raises(RuntimeError, match="start"):
        MessagesAPIServer().url  # noqa: B018 - the property raises


def test_netcache_llm_server_runs_in_the_foreground_until_sigterm():
    port = free_port()
    proc = subprocess.Popen([NETCACHE, "llm-server", "--port", str(port),
                             "--latency-s", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"}, cwd=os.path.dirname(os.path.dirname(__file__)))
    try:
        banner = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}" in banner and "placeholders" in banner
        assert f"NETCACHE_LLM__BASE_URL=http://127.0.0.1:{port}" in proc.stdout.readline()
        status, _, msg = post(f"http://127.0.0.1:{port}", REQUEST)
        assert status == 200 and msg["content"][0]["text"].startswith(PLACEHOLDER_PREFIX)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
    assert proc.returncode == 0, err
    assert "stopped after 1 requests" in out


def test_netcache_llm_server_says_when_the_port_is_taken():
    with MessagesAPIServer() as srv:
        result = subprocess.run([NETCACHE, "llm-server", "--port", str(srv.port)],
                                capture_output=True, text=True, timeout=60,
                                cwd=os.path.dirname(os.path.dirname(__file__)))
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{srv.port}" in result.stderr and "--port" in result.stderr
