"""A local HTTP server that speaks enough of OpenAI's chat completions API for the real SDK.

The OpenAI-compatible twin of :mod:`netcache.devtools.messages_server` (same lifecycle,
counters and injected failures): tests point ``OpenAIGenerator``, LangChain's ``ChatOpenAI``
or LiteLLM at it, so the real ``openai`` client, its retries and its error handling run.

* ``POST /v1/chat/completions`` (also ``/chat/completions``) answers with a valid
  ``chat.completion`` (``id``, ``object``, ``created``, ``model``, ``choices``, ``usage``
  with ``prompt_tokens``, ``completion_tokens``, ``total_tokens``). The text is a
  deterministic placeholder that says plainly no real LLM was called and echoes the
  question (the last user message).
* ``GET /v1/models`` lists the models asked so far (``default_model`` when none).
* ``requests`` is the log of the request bodies answered (messages, model, temperature …),
  oldest first; ``calls``, ``answered``, ``failed``, ``calls_for(text)``, ``fail_next(n)``
  as in the Messages API server.
* ``latency_s``, ``fail_first`` / ``fail_status`` (with a short ``retry-after-ms``) and
  ``api_key`` (a bearer token other than it gets 401) as there.

``netcache openai-server --port 8098`` runs it in the foreground; point the SDK at
``http://127.0.0.1:8098/v1``.
"""

from __future__ import annotations

import hashlib
import json
import time

import click

from netcache.devtools.messages_server import (
    PLACEHOLDER_PREFIX,
    MessagesAPIServer,
    _estimate_tokens,
    _Handler,
    _question_of,
    _Server,
    serve_in_foreground,
)

__all__ = ["OpenAICompatibleServer", "OPENAI_PLACEHOLDER_PREFIX", "openai_server_command"]

#: Every answer starts with this, so nobody mistakes it for a real model's answer.
OPENAI_PLACEHOLDER_PREFIX = "[placeholder answer from the local OpenAI-compatible server — no real LLM was called]"

_ERROR_TYPES = {400: "invalid_request_error", 401: "invalid_api_key", 404: "not_found",
                429: "rate_limit_exceeded", 500: "server_error", 503: "server_error"}
_PATHS = ("/v1/chat/completions", "/chat/completions")


class _OpenAIHandler(_Handler):
    server: _Server

    def _send_error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        kind = _ERROR_TYPES.get(status, "server_error")
        self._send_json(status, {"error": {"message": message, "type": kind, "param": None, "code": kind}}, headers)

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        if self.path.split("?")[0].rstrip("/") in ("/v1/models", "/models"):
            owner = self.server.owner
            self._send_json(200, {"object": "list", "data": [
                {"id": m, "object": "model", "created": 0, "owned_by": "netcache-local"} for m in owner.models()]})  # type: ignore[attr-defined]
            return
        super().do_GET()

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.path.split("?")[0].rstrip("/") not in _PATHS:
            self._send_error(404, f"no such path {self.path}")
            return
        owner = self.server.owner
        auth = self.headers.get("authorization") or ""
        verdict = owner._admit(auth[7:].strip() if auth.lower().startswith("bearer ") else None)
        if verdict is not None:
            status, message = verdict
            headers = {"retry-after-ms": str(owner.retry_after_ms)} if status == 429 or status >= 500 else {}
            self._send_error(status, message, headers)
            return
        try:
            body = json.loads(raw or b"{}")
            messages, model = body["messages"], str(body["model"])
            if not isinstance(messages, list) or not messages or not all(isinstance(m, dict) for m in messages):
                raise ValueError("messages must be a non-empty list of objects")
        except (ValueError, KeyError, TypeError) as e:
            self._send_error(400, f"invalid request body: {e}")
            return
        if body.get("stream"):
            self._send_error(400, "this local server does not stream; call without stream=True")
            return
        if owner.latency_s > 0:
            time.sleep(owner.latency_s)
        users = [m for m in messages if m.get("role") == "user"]
        question = _question_of(users[-1].get("content")) if users else ""
        text = owner.answer_for(question)
        prompt_tokens = _estimate_tokens("".join(_question_of(m.get("content")) for m in messages))
        out_tokens = owner.output_tokens if owner.output_tokens is not None else _estimate_tokens(text)
        owner._record(question, body)
        self._send_json(200, {
            "id": "chatcmpl-local" + hashlib.sha1(f"{owner.calls}:{question}".encode()).hexdigest()[:20],
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                         "message": {"role": "assistant", "content": text}}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": out_tokens,
                      "total_tokens": prompt_tokens + out_tokens},
        })


class OpenAICompatibleServer(MessagesAPIServer):
    """A real HTTP server on 127.0.0.1 speaking chat completions (see the module docstring)."""

    #: Listed by GET /v1/models before any request named a model.
    default_model = "local-model"

    # the request log (``requests``) is the Messages API server's own

    @property
    def base_url(self) -> str:
        """What the openai SDK's ``base_url`` (and NETCACHE_LLM__BASE_URL) should be."""
        return self.url + "/v1"

    def models(self) -> list[str]:
        seen = dict.fromkeys(str(r.get("model")) for r in self.requests)
        return list(seen) or [self.default_model]

    @staticmethod
    def answer_for(question: str) -> str:
        """The deterministic placeholder answer for a question."""
        return MessagesAPIServer.answer_for(question).replace(PLACEHOLDER_PREFIX, OPENAI_PLACEHOLDER_PREFIX, 1)

    def _bind(self) -> _Server:
        httpd = _Server((self.host, self.port), _OpenAIHandler)
        httpd.owner = self
        self.port = httpd.server_address[1]
        self._httpd = httpd
        return httpd


@click.command("openai-server")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind (0.0.0.0 inside a container).")
@click.option("--port", type=int, default=8098, show_default=True, help="TCP port.")
@click.option("--latency-s", type=float, default=1.0, show_default=True,
              help="Simulated model latency per answer (a real LLM takes 2–5 s).")
@click.option("--fail-first", type=int, default=0, show_default=True,
              help="Fail the first N requests (to watch the client retry).")
@click.option("--fail-status", type=int, default=503, show_default=True, help="Status of injected failures.")
@click.option("--api-key", envvar="NETCACHE_LLM_SERVER_API_KEY", default=None,
              help="Require this bearer token (default: accept any).")
def openai_server_command(host: str, port: int, latency_s: float, fail_first: int, fail_status: int,
                          api_key: str | None) -> None:
    """Run a local OpenAI-compatible chat completions server that answers with placeholders."""
    if latency_s < 0 or fail_first < 0:
        raise click.BadParameter("--latency-s and --fail-first cannot be negative")
    server = OpenAICompatibleServer(port=port, latency_s=latency_s, fail_first=fail_first,
                                    fail_status=fail_status, api_key=api_key, host=host)
    serve_in_foreground(server, host, port, [
        f"local OpenAI-compatible server on {{url}}/v1 (latency {latency_s} s) — answers are placeholders, "
        "no real LLM is called",
        "point netcache at it: export NETCACHE_LLM__GENERATOR=openai NETCACHE_LLM__BASE_URL={url}/v1"])
