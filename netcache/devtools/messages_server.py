"""A local HTTP server that speaks enough of the Anthropic Messages API for the real SDK.

Tests and the offline demo point ``NETCACHE_LLM__BASE_URL`` at it, so the real
``anthropic`` client, its retries and its error handling run unchanged.

* ``POST /v1/messages`` answers with a valid Message (``id``, ``type``,
  ``role``, ``model``, ``content``, ``stop_reason``, ``usage``). The text is a
  deterministic placeholder that says plainly no real LLM was called and
  echoes the question.
* The first ``fail_first`` requests fail with ``fail_status`` (529
  overloaded, 429 rate limit, 500 …) and an Anthropic error body, with a
  small ``retry-after-ms`` so SDK retries are quick.
* With ``api_key`` set, a request whose ``x-api-key`` (or bearer token) differs gets 401.
* ``latency_s`` simulates the model's think time (a real model takes 2–5 s).
* ``calls`` counts requests (thread-safe), ``answered`` the successful ones,
  ``calls_for(text)`` the answered ones whose question contains ``text``;
  ``requests`` is the request log (every answered request body, oldest first;
  the last ``REQUEST_LOG_MAX``), so a test can read what the model was sent.

``netcache llm-server --port 8099 --latency-s 1.0`` runs it in the foreground.
"""

from __future__ import annotations

import hashlib
import json
import logging
import signal
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import click

__all__ = ["MessagesAPIServer", "PLACEHOLDER_PREFIX", "llm_server_command", "serve_in_foreground"]

log = logging.getLogger(__name__)

#: How many answered request bodies ``MessagesAPIServer.requests`` keeps.
REQUEST_LOG_MAX = 1_000
#: Every answer starts with this, so nobody mistakes it for a real model's answer.
PLACEHOLDER_PREFIX = "[placeholder answer from the local Messages API server — no real LLM was called]"

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}


def _question_of(content: Any) -> str:
    """The text of a user turn (string or list of content blocks)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(b.get("text", "") for b in content if isinstance(b, dict) and b.get("type") == "text")
    return ""


def _estimate_tokens(text: str) -> int:
    """Roughly four characters per token, at least one."""
    return max(1, (len(text) + 3) // 4)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are separate writes; avoid the 40 ms delayed-ACK stall
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        log.debug("llm-server %s - %s", self.address_string(), format % args)

    def _send_json(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.send_header("request-id", "req_local_" + hashlib.sha1(body).hexdigest()[:16])
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _send_error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        kind = _ERROR_TYPES.get(status, "api_error")
        self._send_json(status, {"type": "error", "error": {"type": kind, "message": message}}, headers)

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        if self.path.rstrip("/") in ("", "/health"):
            self._send_json(200, {"status": "ok", "calls": self.server.owner.calls})
        else:
            self._send_error(404, f"no such path {self.path}")

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.path.split("?")[0].rstrip("/") != "/v1/messages":
            self._send_error(404, f"no such path {self.path}")
            return
        owner = self.server.owner
        key = self.headers.get("x-api-key")
        auth = self.headers.get("authorization") or ""
        if key is None and auth.lower().startswith("bearer "):
            key = auth[7:].strip()  # newer SDKs send the key as a bearer token
        verdict = owner._admit(key)
        if verdict is not None:
            status, message = verdict
            headers = {"retry-after-ms": str(owner.retry_after_ms)} if status in (429, 529) or status >= 500 else {}
            self._send_error(status, message, headers)
            return
        try:
            body = json.loads(raw or b"{}")
            messages = body["messages"]
            model = str(body["model"])
            if not isinstance(messages, list) or not messages:
                raise ValueError("messages must be a non-empty list")
        except (ValueError, KeyError, TypeError) as e:
            self._send_error(400, f"invalid request body: {e}")
            return
        if body.get("stream"):
            self._send_error(400, "this local server does not stream; call without stream=True")
            return
        if owner.latency_s > 0:
            time.sleep(owner.latency_s)
        question = _question_of(messages[-1].get("content") if isinstance(messages[-1], dict) else "")
        text = owner.answer_for(question)
        prompt_text = _question_of(body.get("system") or "") + "".join(
            _question_of(m.get("content")) for m in messages if isinstance(m, dict))
        out_tokens = owner.output_tokens if owner.output_tokens is not None else _estimate_tokens(text)
        owner._record(question, body)
        self._send_json(200, {
            "id": "msg_local_" + hashlib.sha1(f"{owner.calls}:{question}".encode()).hexdigest()[:20],
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": [{"type": "text", "text": text}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": _estimate_tokens(prompt_text), "output_tokens": out_tokens},
        })


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: MessagesAPIServer


class MessagesAPIServer:
    """A real HTTP server on 127.0.0.1 in a background thread (or the foreground via ``serve_forever``)."""

    def __init__(self, port: int = 0, latency_s: float = 0.0, fail_first: int = 0, fail_status: int = 529,
                 *, api_key: str | None = None, host: str = "127.0.0.1", retry_after_ms: int = 10,
                 output_tokens: int | None = None) -> None:
        self.host = host
        self.port = port
        self.latency_s = latency_s
        self.fail_first = fail_first
        self.fail_status = fail_status
        self.retry_after_ms = retry_after_ms
        #: Report this many output tokens per answer (None = estimate from the placeholder text).
        self.output_tokens = output_tokens
        self._api_key = api_key
        self._lock = threading.Lock()
        self._calls = 0
        self._answered = 0
        self._failed = 0
        self._per_question: Counter[str] = Counter()
        self.last_request: dict[str, Any] | None = None
        self._requests: list[dict[str, Any]] = []
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- counters ------------------------------------------------------------------------------
    @property
    def calls(self) -> int:
        """Requests received on /v1/messages (failed ones included)."""
        with self._lock:
            return self._calls

    @property
    def answered(self) -> int:
        with self._lock:
            return self._answered

    @property
    def failed(self) -> int:
        with self._lock:
            return self._failed

    def calls_for(self, text: str) -> int:
        """Answered requests whose question contains ``text``."""
        with self._lock:
            return sum(n for q, n in self._per_question.items() if text in q)

    @property
    def requests(self) -> list[dict[str, Any]]:
        """The request log: the bodies of the answered requests, oldest first."""
        with self._lock:
            return list(self._requests)

    @staticmethod
    def request_text(body: dict[str, Any]) -> str:
        """Everything a request sent the model (system prompt and every turn), as one text."""
        return _question_of(body.get("system") or "") + "\n".join(
            _question_of(m.get("content")) for m in body.get("messages", []) if isinstance(m, dict))

    def fail_next(self, n: int, status: int = 529) -> None:
        """Make the next ``n`` requests fail with ``status``."""
        with self._lock:
            self.fail_first = self._calls + n
            self.fail_status = status

    def reset(self) -> None:
        with self._lock:
            self._calls = self._answered = self._failed = 0
            self._per_question.clear()
            self._requests.clear()
            self.fail_first = 0

    def _admit(self, api_key: str | None) -> tuple[int, str] | None:
        with self._lock:
            self._calls += 1
            n = self._calls
            if self._api_key is not None and api_key != self._api_key:
                self._failed += 1
                return 401, "invalid x-api-key"
            if n <= self.fail_first:
                self._failed += 1
                kind = "Overloaded" if self.fail_status == 529 else f"Injected failure {self.fail_status}"
                return self.fail_status, f"{kind} (injected failure {n} of {self.fail_first})"
        return None

    def _record(self, question: str, body: dict[str, Any]) -> None:
        with self._lock:
            self._answered += 1
            self._per_question[question] += 1
            self.last_request = body
            self._requests.append(body)
            del self._requests[:-REQUEST_LOG_MAX]

    @staticmethod
    def answer_for(question: str) -> str:
        """The deterministic placeholder answer for a question."""
        asked = question.split("Question:", 1)[-1].strip() if "Question:" in question else question.strip()
        if len(asked) > 500:
            asked = asked[:500] + " …"
        return f"{PLACEHOLDER_PREFIX} You asked: {asked}"

    # -- lifecycle -----------------------------------------------------------------------------
    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the server is not started: call start() first")
        return f"http://{self.host}:{self.port}"

    def _bind(self) -> _Server:
        httpd = _Server((self.host, self.port), _Handler)
        httpd.owner = self
        self.port = httpd.server_address[1]
        self._httpd = httpd
        return httpd

    def start(self) -> MessagesAPIServer:
        if self._httpd is not None:
            return self
        httpd = self._bind()
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=f"llm-server-{self.port}", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Run in the calling thread until ``stop()`` (from a signal handler) or Ctrl-C."""
        httpd = self._httpd or self._bind()
        try:
            httpd.serve_forever(poll_interval=0.2)
        finally:
            httpd.server_close()
            self._httpd = None

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> MessagesAPIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@click.command("llm-server")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind (0.0.0.0 inside a container).")
@click.option("--port", type=int, default=8099, show_default=True, help="TCP port.")
@click.option("--latency-s", type=float, default=1.0, show_default=True,
              help="Simulated model latency per answer (a real model takes 2–5 s).")
@click.option("--fail-first", type=int, default=0, show_default=True,
              help="Fail the first N requests (to watch the client retry).")
@click.option("--fail-status", type=int, default=529, show_default=True, help="Status of injected failures.")
@click.option("--api-key", envvar="NETCACHE_LLM_SERVER_API_KEY", default=None,
              help="Require this x-api-key (default: accept any).")
def llm_server_command(host: str, port: int, latency_s: float, fail_first: int, fail_status: int,
                       api_key: str | None) -> None:
    """Run a local Messages API server that answers with placeholders (no real LLM)."""
    if latency_s < 0 or fail_first < 0:
        raise click.BadParameter("--latency-s and --fail-first cannot be negative")
    server = MessagesAPIServer(port=port, latency_s=latency_s, fail_first=fail_first,
                               fail_status=fail_status, api_key=api_key, host=host)
    serve_in_foreground(server, host, port, [
        f"local Messages API server on {{url}} (latency {latency_s} s) — answers are placeholders, "
        "no real LLM is called",
        "point netcache at it: export NETCACHE_LLM__BASE_URL={url}"])


def serve_in_foreground(server: MessagesAPIServer, host: str, port: int, banner: list[str]) -> None:
    """Bind ``server``, print ``banner`` (``{url}`` filled in), serve until SIGTERM or Ctrl-C."""
    try:
        server._bind()
    except OSError as e:
        raise click.ClickException(f"cannot listen on {host}:{port}: {e.strerror}; pick another --port") from e

    def _stop(signum: int, frame: Any) -> None:
        threading.Thread(target=server._httpd.shutdown if server._httpd else (lambda: None), daemon=True).start()

    signal.signal(signal.SIGTERM, _stop)
    for line in banner:
        click.echo(line.format(url=server.url))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    click.echo(f"stopped after {server.calls} requests")
