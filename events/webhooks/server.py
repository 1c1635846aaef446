"""The webhook receiver (``netcache webhook``): HTTP in, validated events on the stream.

Endpoints (POST, ``Content-Type: application/json``):

| path | body | auth |
| --- | --- | --- |
| ``/v1/events`` | one event, a JSON array of events or ``{"events": [...]}`` | Bearer token |
| ``/v1/alertmanager`` | Prometheus Alertmanager webhook (version 4) | Bearer token |
| ``/v1/netbox`` | NetBox webhook | ``X-Hook-Signature`` (HMAC-SHA512) or Bearer token |

plus ``GET /healthz`` (200, or 503 when Redis does not answer) and ``GET /metrics``
(Prometheus text; this receiver's own registry). Both are open, for probes and scrapers.

Answers are JSON: ``202 {"accepted": n, "ids": [...], "duplicates": n, ...}`` or an
error ``{"error": code, "message": what is wrong, "hint": what to do}`` with 400
(not JSON, nested deeper than ``webhook_max_json_depth``, or an ``Authorization`` /
``X-Hook-Signature`` header that is not printable ASCII: checked before anything else),
401 (token / signature), 413 (body over ``webhook_max_body_bytes``),
415 (not JSON content), 422 (valid JSON, not valid events; pydantic's error list in
``details``; a NetBox body whose ``timestamp`` is more than ``netbox_max_age_s`` away from now)
or 503 + ``Retry-After`` when Redis cannot take the events — nothing of
that request was accepted, so the sender's retry loses nothing. There is no
in-memory buffer: webhook senders (Alertmanager, NetBox) retry on 5xx.

Every answer is counted in ``netcache_webhook_requests_total{endpoint, outcome}``; requests
aiohttp cannot even parse count as ``endpoint="http"``.

The server refuses to start without ``NETCACHE_EVENTS__WEBHOOK_TOKEN``. Tokens and
signatures are never logged: aiohttp's own log of an unparseable request (which quotes the
offending header line) is reduced to its first line (``_ServerLog``). Every ``webhook_health_interval_s`` it refreshes
``{prefix}:w:health:webhook:{hostname}`` (TTL 3x the interval).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import click
from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest
from pydantic import ValidationError
from redis.exceptions import RedisError

from netcache.connections import make_async_redis, redact_url, require_server
from netcache.durability import check_at_start
from netcache.errors import BackendUnavailable, ConfigError, EventError
from netcache.events.models import EventBase, parse_event
from netcache.events.publisher import AsyncEventPublisher, StreamFull
from netcache.events.webhooks.alertmanager import AlertRule, load_rules, map_payload
from netcache.events.webhooks.netbox import SIGNATURE_HEADER, map_netbox, verify_signature
from netcache.health import health_key, write_heartbeat
from netcache.settings import Settings

__all__ = [
    "create_app",
    "WebhookMetrics",
    "MAX_BATCH_EVENTS",
    "TOKEN_ENV",
    "webhook_command",
]

log = logging.getLogger(__name__)

#: Most events one /v1/events request may carry.
MAX_BATCH_EVENTS = 1_000
#: Where the token comes from (for error messages).
TOKEN_ENV = "NETCACHE_EVENTS__WEBHOOK_TOKEN"

_TOKEN_HINT = f"send 'Authorization: Bearer <token>' with the token configured in {TOKEN_ENV}"


class WebhookMetrics:
    """The receiver's Prometheus counters, in their own registry (served on /metrics)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        self.requests = Counter("netcache_webhook_requests", "Webhook requests by endpoint and outcome.",
                                ["endpoint", "outcome"], registry=self.registry)
        self.events = Counter("netcache_webhook_events", "Events from webhooks: published or duplicate.",
                              ["endpoint", "result"], registry=self.registry)
        self.ignored = Counter("netcache_webhook_ignored", "Alerts / NetBox objects no rule maps to an event.",
                               ["endpoint"], registry=self.registry)
        self.rejected = Counter("netcache_webhook_rejected_items",
                                "Alerts a rule matched that could not become a valid event.",
                                ["endpoint"], registry=self.registry)


class _Reject(Exception):
    """A request we answer with an error (status, code, message, hint, details)."""

    def __init__(self, status: int, code: str, message: str, hint: str, details: Any = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.hint = status, code, message, hint
        self.details, self.headers = details, headers or {}

    def response(self) -> web.Response:
        body: dict[str, Any] = {"error": self.code, "message": self.message, "hint": self.hint}
        if self.details is not None:
            body["details"] = self.details
        return web.json_response(body, status=self.status, headers=self.headers)


@dataclass
class _State:
    settings: Settings
    token: bytes = field(repr=False)
    netbox_secret: bytes | None = field(repr=False)
    metrics: WebhookMetrics = field(repr=False)
    rules: tuple[AlertRule, ...] = field(repr=False)
    redis: Any = None
    publisher: AsyncEventPublisher | None = None
    owns_redis: bool = False
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


_STATE = web.AppKey("netcache_webhook_state", _State)

# --- request helpers --------------------------------------------------------------------


def _bearer_ok(request: web.Request, token: bytes) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return False
    return hmac.compare_digest(value.strip().encode(), token)


def _check_content_type(request: web.Request) -> None:
    ctype = request.content_type  # without parameters, lower case
    if ctype != "application/json" and not (ctype.startswith("application/") and ctype.endswith("+json")):
        raise _Reject(415, "unsupported_media_type", f"Content-Type is {ctype!r}, not application/json",
                      "send the body as JSON with 'Content-Type: application/json'")


async def _read_body(request: web.Request, max_bytes: int) -> bytes:
    too_large = _Reject(413, "body_too_large", f"body is larger than {max_bytes} bytes",
                        "split the batch into smaller requests (limit: NETCACHE_EVENTS__WEBHOOK_MAX_BODY_BYTES)")
    if request.content_length is not None and request.content_length > max_bytes:
        raise too_large
    try:
        return await request.read()  # aiohttp enforces client_max_size while reading
    except web.HTTPRequestEntityTooLarge:
        raise too_large from None


def _decode_json(body: bytes, max_depth: int) -> Any:
    too_deep = _Reject(400, "json_too_deep", f"body nests arrays/objects deeper than {max_depth} levels",
                       "send a flat document (limit: NETCACHE_EVENTS__WEBHOOK_MAX_JSON_DEPTH)")
    try:
        data = json.loads(body)
    except RecursionError:
        raise too_deep from None
    except (ValueError, UnicodeDecodeError) as e:
        raise _Reject(400, "invalid_json", f"body is not valid JSON: {e}",
                      "send a JSON document (check quoting and commas)") from None
    if _depth_over(data, max_depth):
        raise too_deep
    return data


def _depth_over(data: Any, max_depth: int) -> bool:
    """Whether ``data`` nests lists/dicts deeper than ``max_depth`` (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > max_depth:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


#: Headers that carry credentials: checked for printable ASCII before anything else reads them.
_CREDENTIAL_HEADERS = ("Authorization", SIGNATURE_HEADER)


def _check_headers(request: web.Request) -> None:
    """A credential header that is not printable ASCII is a 400 (its value is never echoed or logged)."""
    for name in _CREDENTIAL_HEADERS:
        for value in request.headers.getall(name, ()):
            if not (value.isascii() and value.isprintable()):
                raise _Reject(400, "bad_header", f"the {name} header holds bytes that are not printable ASCII",
                              f"send {name} as plain ASCII text")


def _pydantic_errors(e: BaseException | None) -> list[dict[str, Any]] | None:
    if isinstance(e, ValidationError):
        errors = e.errors(include_url=False, include_context=False, include_input=False)
        return [{"loc": list(err["loc"]), "msg": err["msg"], "type": err["type"]} for err in errors]
    return None


def _events_from_body(data: Any) -> list[EventBase]:
    if isinstance(data, dict) and "events" in data and "type" not in data:
        data = data["events"]
    items = data if isinstance(data, list) else [data]
    if not items:
        raise _Reject(422, "no_events", "the batch is empty", "send at least one event")
    if len(items) > MAX_BATCH_EVENTS:
        raise _Reject(422, "batch_too_large", f"{len(items)} events in one request (limit {MAX_BATCH_EVENTS})",
                      "split the batch")
    events: list[EventBase] = []
    problems: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        if isinstance(item, dict) and "source" not in item:
            item = {**item, "source": "webhook"}
        try:
            events.append(parse_event(item))
        except EventError as e:
            problem: dict[str, Any] = {"index": index, "message": str(e)}
            errors = _pydantic_errors(e.__cause__)
            if errors is not None:
                problem["errors"] = errors
            problems.append(problem)
    if problems:
        raise _Reject(422, "invalid_event", f"{len(problems)} of {len(items)} event(s) are not valid; "
                      f"none were accepted", "fix the events listed in details (see `netcache events schema`)",
                      details=problems)
    return events


async def _publish(state: _State, endpoint: str, events: list[EventBase]) -> dict[str, Any]:
    results: list[str | None] = []
    if events:
        assert state.publisher is not None
        try:
            results = await state.publisher.publish_many(events)
        except StreamFull as e:  # unread events at the stream's limit: refused, never trimmed away
            log.warning("webhook %s: events stream full, answered 503: %s", endpoint, e)
            retry_s = state.settings.events.webhook_retry_after_s
            raise _Reject(503, "stream_full", str(e), f"retry the whole batch in {retry_s} s (what was "
                          "published is recognised as a duplicate)", headers={"Retry-After": str(retry_s)}) from None
        except BackendUnavailable as e:
            log.warning("webhook %s: Redis unavailable, answered 503: %s", endpoint, e)
            retry_s = state.settings.events.webhook_retry_after_s
            raise _Reject(503, "backend_unavailable", "Redis cannot take events right now; nothing was accepted",
                          f"retry in {retry_s} s", headers={"Retry-After": str(retry_s)}) from None
    duplicates = sum(1 for r in results if r is None)
    state.metrics.events.labels(endpoint, "published").inc(len(results) - duplicates)
    state.metrics.events.labels(endpoint, "duplicate").inc(duplicates)
    return {"accepted": len(events), "ids": [e.id for e in events], "duplicates": duplicates,
            "published": len(results) - duplicates}


Handler = Callable[[web.Request, _State], Awaitable[dict[str, Any]]]


def _endpoint(name: str, handler: Handler) -> Callable[[web.Request], Awaitable[web.Response]]:
    """Wrap a handler: JSON errors, one counter per outcome, one log line per request."""

    async def wrapped(request: web.Request) -> web.Response:
        state = request.app[_STATE]
        try:
            body = await handler(request, state)
        except _Reject as r:
            state.metrics.requests.labels(name, str(r.status)).inc()
            log.info("webhook %s from %s: %d %s", name, request.remote, r.status, r.code)
            return r.response()
        state.metrics.requests.labels(name, "202").inc()
        log.info("webhook %s from %s: accepted %d event(s), %d duplicate(s)", name, request.remote,
                 body["accepted"], body["duplicates"])
        return web.json_response(body, status=202)

    return wrapped


# --- endpoints --------------------------------------------------------------------------


async def _read_authorised_json(request: web.Request, state: _State) -> Any:
    if not _bearer_ok(request, state.token):
        raise _Reject(401, "unauthorized", "missing or wrong bearer token", _TOKEN_HINT,
                      headers={"WWW-Authenticate": 'Bearer realm="netcache"'})
    _check_content_type(request)
    ev = state.settings.events
    return _decode_json(await _read_body(request, ev.webhook_max_body_bytes), ev.webhook_max_json_depth)


async def _events(request: web.Request, state: _State) -> dict[str, Any]:
    data = await _read_authorised_json(request, state)
    return await _publish(state, "events", _events_from_body(data))


async def _alertmanager(request: web.Request, state: _State) -> dict[str, Any]:
    data = await _read_authorised_json(request, state)
    try:
        result = map_payload(data, state.rules)
    except ValidationError as e:
        raise _Reject(422, "invalid_payload", "body is not an Alertmanager webhook payload (version 4)",
                      "point an Alertmanager webhook_configs receiver at this URL",
                      details=_pydantic_errors(e)) from None
    state.metrics.ignored.labels("alertmanager").inc(len(result.ignored))
    state.metrics.rejected.labels("alertmanager").inc(len(result.rejected))
    for item in result.rejected:
        log.warning("alertmanager alert %s (%s) not mapped: %s", item["alertname"], item["fingerprint"],
                    item["error"])
    body = await _publish(state, "alertmanager", result.events)
    body.update(ignored=len(result.ignored), rejected=result.rejected)
    return body


async def _netbox(request: web.Request, state: _State) -> dict[str, Any]:
    _check_content_type(request)
    raw = await _read_body(request, state.settings.events.webhook_max_body_bytes)
    signature = request.headers.get(SIGNATURE_HEADER)
    signed = state.netbox_secret is not None and verify_signature(state.netbox_secret, raw, signature)
    if not signed and not _bearer_ok(request, state.token):
        if signature and state.netbox_secret is None:
            message = "signed request, but no NetBox secret is configured here"
            hint = "set NETCACHE_EVENTS__NETBOX_SECRET to the webhook's secret, or send a bearer token"
        elif signature:
            message, hint = "X-Hook-Signature does not match the body", \
                "check that the NetBox webhook's secret equals NETCACHE_EVENTS__NETBOX_SECRET"
        else:
            message, hint = "no X-Hook-Signature and no valid bearer token", \
                "give the NetBox webhook a secret (= NETCACHE_EVENTS__NETBOX_SECRET) or " + _TOKEN_HINT
        raise _Reject(401, "unauthorized", message, hint)
    ev = state.settings.events
    data = _decode_json(raw, ev.webhook_max_json_depth)
    _check_netbox_age(data, ev.netbox_max_age_s)
    try:
        result = map_netbox(data)
    except ValidationError as e:
        raise _Reject(422, "invalid_payload", "body is not a NetBox webhook (event, object_type or model, data)",
                      "use NetBox's default webhook body template", details=_pydantic_errors(e)) from None
    except EventError as e:
        raise _Reject(422, "invalid_event", str(e), "check the object in NetBox") from None
    if result.ignored:
        state.metrics.ignored.labels("netbox").inc()
    body = await _publish(state, "netbox", result.events)
    body["ignored"] = result.ignored
    return body


def _check_netbox_age(data: Any, max_age_s: int) -> None:
    """A NetBox body whose ``timestamp`` is further than ``max_age_s`` from now is refused (a replay
    after the de-duplication window, or a clock that is far off). 0 = no check."""
    if not max_age_s or not isinstance(data, dict):
        return
    hint = ("NetBox stamps each delivery; a replayed or long-delayed body is refused "
            "(limit: NETCACHE_EVENTS__NETBOX_MAX_AGE_S; check both clocks)")
    stamp = data.get("timestamp")
    if not isinstance(stamp, str):
        raise _Reject(422, "no_timestamp", "the NetBox body has no 'timestamp'", hint)
    try:
        when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        raise _Reject(422, "invalid_timestamp", "the NetBox body's 'timestamp' is not an ISO 8601 time",
                      hint) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    age_s = (datetime.now(UTC) - when).total_seconds()
    if abs(age_s) > max_age_s:
        what = f"{age_s:.0f} s old" if age_s > 0 else f"{-age_s:.0f} s in the future"
        raise _Reject(422, "stale_delivery", f"the NetBox body's timestamp is {what} (limit {max_age_s} s)", hint)


async def _healthz(request: web.Request) -> web.Response:
    state = request.app[_STATE]
    try:
        await asyncio.wait_for(state.redis.ping(), timeout=2.0)
    except (TimeoutError, RedisError, OSError) as e:
        return web.json_response({"status": "unavailable", "redis": f"down: {type(e).__name__}",
                                  "hint": "check that Redis at NETCACHE_REDIS_URL is up"}, status=503)
    return web.json_response({"status": "ok", "redis": "ok"})


async def _metrics(request: web.Request) -> web.Response:
    state = request.app[_STATE]
    return web.Response(body=generate_latest(state.metrics.registry),
                        headers={"Content-Type": CONTENT_TYPE_LATEST})


_ENDPOINTS = {"/v1/events": "events", "/v1/alertmanager": "alertmanager", "/v1/netbox": "netbox",
              "/healthz": "healthz", "/metrics": "metrics"}


@web.middleware
async def _json_errors(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                       ) -> web.StreamResponse:
    """Credential headers checked first (400); aiohttp's own HTTP errors (404, 405, 413 ...) and
    anything unexpected as JSON bodies too, each counted."""
    metrics = request.app[_STATE].metrics
    endpoint = _ENDPOINTS.get(request.path, "other")
    try:
        _check_headers(request)
        return await handler(request)
    except _Reject as r:
        metrics.requests.labels(endpoint, str(r.status)).inc()
        log.info("webhook %s from %s: %d %s", endpoint, request.remote, r.status, r.code)
        return r.response()
    except web.HTTPException as e:
        if e.status < 400:
            raise
        metrics.requests.labels(endpoint, str(e.status)).inc()
        return web.json_response({"error": e.reason.lower().replace(" ", "_"), "message": e.reason,
                                  "hint": "POST JSON to /v1/events, /v1/alertmanager or /v1/netbox"},
                                 status=e.status)
    except Exception as e:  # noqa: BLE001 - a bug must still answer JSON, be counted, and log no request data
        metrics.requests.labels(endpoint, "500").inc()
        log.error("webhook %s from %s: internal error %s", endpoint, request.remote, type(e).__name__)
        return web.json_response({"error": "internal_error", "message": f"internal error ({type(e).__name__})",
                                  "hint": "nothing of this request was accepted; report it with the time"},
                                 status=500)


class _ServerLog:
    """aiohttp's server logger for this app: one line per bad request, never the request's bytes.

    aiohttp logs a request it cannot parse with the offending header line (a bare CR inside
    ``Authorization`` puts the token in the log); this keeps only the first line of the reason and
    counts it as ``netcache_webhook_requests{endpoint="http", outcome="400"}``."""

    def __init__(self, metrics: WebhookMetrics) -> None:
        self.metrics = metrics
        self.log = logging.getLogger(f"{__name__}.http")

    def _emit(self, level: int, msg: str, *args: Any, exc_info: Any = None, **_: Any) -> None:
        exc = exc_info if isinstance(exc_info, BaseException) else None
        if exc is not None:
            self.metrics.requests.labels("http", "400" if isinstance(exc, HttpProcessingError) else "500").inc()
            reason = str(getattr(exc, "message", "") or "").strip().splitlines()
            first = reason[0].rstrip(":") if reason else ""
            detail = f"{type(exc).__name__}: {first}" if isinstance(exc, HttpProcessingError) and first \
                else type(exc).__name__
            msg = f"{msg}: {detail}"
        try:
            text = msg % args if args else msg
        except (TypeError, ValueError):
            text = msg
        self.log.log(level, "%s", text)

    def debug(self, msg: str, *args: Any, **kw: Any) -> None:
        self._emit(logging.DEBUG, msg, *args, **kw)

    def info(self, msg: str, *args: Any, **kw: Any) -> None:
        self._emit(logging.INFO, msg, *args, **kw)

    def warning(self, msg: str, *args: Any, **kw: Any) -> None:
        self._emit(logging.WARNING, msg, *args, **kw)

    def error(self, msg: str, *args: Any, **kw: Any) -> None:
        self._emit(logging.ERROR, msg, *args, **kw)

    def exception(self, msg: str, *args: Any, exc_info: Any = True, **kw: Any) -> None:
        self._emit(logging.WARNING, msg, *args, exc_info=exc_info, **kw)


# --- lifecycle ---------------------------------------------------------------------------


async def _health_loop(state: _State, stop: asyncio.Event) -> None:
    interval_s = state.settings.events.webhook_health_interval_s
    key = health_key(state.settings.key_prefix, "webhook")
    ttl_s = max(1, int(round(interval_s * 3)))
    failing = False
    while not stop.is_set():
        try:
            await write_heartbeat(state.redis, key, ttl_s)
            failing = False
        except (RedisError, OSError) as e:
            if not failing:
                log.warning("cannot refresh %s: %s", key, type(e).__name__)
            failing = True
        try:
            await asyncio.wait_for(stop.wait(), timeout=interval_s)
        except TimeoutError:
            pass


async def _lifecycle(app: web.Application) -> AsyncIterator[None]:
    state = app[_STATE]
    if state.redis is None:
        require_server(state.settings, "the webhook receiver")
        state.redis = make_async_redis(state.settings)
        state.owns_redis = True
    state.publisher = AsyncEventPublisher(state.redis, state.settings)
    stop = asyncio.Event()
    state.tasks.append(asyncio.create_task(_health_loop(state, stop), name="webhook-health"))
    yield
    # A stop flag, not cancel(): redis-py may turn a cancellation inside a command into a
    # ConnectionError, which the loop would swallow and keep going.
    stop.set()
    _, pending = await asyncio.wait(state.tasks, timeout=5.0)
    for task in pending:
        task.cancel()
    await asyncio.gather(*state.tasks, return_exceptions=True)
    state.tasks.clear()
    if state.owns_redis:
        await state.redis.aclose()


def create_app(settings: Settings, *, redis: Any = None, metrics: WebhookMetrics | None = None,
               rules: tuple[AlertRule, ...] | None = None) -> web.Application:
    """The aiohttp application. ``redis`` (an asyncio client) is built from settings when not given.

    Raises ``ConfigError`` when no webhook token is configured.
    """
    ev = settings.events
    token = ev.webhook_token.get_secret_value() if ev.webhook_token is not None else ""
    if not token:
        raise ConfigError(f"no webhook token configured: set {TOKEN_ENV} to a long random string "
                          f"(e.g. `openssl rand -hex 32`) and give it to the senders as a Bearer token")
    secret = ev.netbox_secret.get_secret_value() if ev.netbox_secret is not None else ""
    state = _State(settings=settings, token=token.encode(), netbox_secret=secret.encode() or None,
                   metrics=metrics or WebhookMetrics(),
                   rules=rules if rules is not None else load_rules(ev.alertmanager_rules_file),
                   redis=redis)
    app = web.Application(client_max_size=ev.webhook_max_body_bytes, middlewares=[_json_errors],
                          handler_args={"logger": _ServerLog(state.metrics)})
    app[_STATE] = state
    app.cleanup_ctx.append(_lifecycle)
    app.router.add_post("/v1/events", _endpoint("events", _events))
    app.router.add_post("/v1/alertmanager", _endpoint("alertmanager", _alertmanager))
    app.router.add_post("/v1/netbox", _endpoint("netbox", _netbox))
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/metrics", _metrics)
    return app


@click.command("webhook")
@click.option("--host", default=None, help="Bind address (default: NETCACHE_EVENTS__WEBHOOK_HOST).")
@click.option("--port", default=None, type=click.IntRange(0, 65535),
              help="Port (default: NETCACHE_EVENTS__WEBHOOK_PORT).")
def webhook_command(host: str | None, port: int | None) -> None:
    """Receive events over HTTP (own JSON, Alertmanager, NetBox) and put them on the stream.

    \b
    Endpoints (POST, answer 202 with the event ids, or a JSON error):
      /v1/events        netcache events: one object, an array or {"events": [...]}
      /v1/alertmanager  Alertmanager webhook (resolved alerts become "up" events)
      /v1/netbox        NetBox webhook, signed with X-Hook-Signature (HMAC-SHA512)
      GET /healthz      Redis reachable?   GET /metrics   Prometheus counters

    \b
    Settings (environment):
      NETCACHE_EVENTS__WEBHOOK_TOKEN           bearer token every POST must send
                                               (required; never logged)
      NETCACHE_EVENTS__NETBOX_SECRET           NetBox webhook secret (optional)
      NETCACHE_EVENTS__WEBHOOK_MAX_BODY_BYTES  larger bodies get 413 (1 MiB)
      NETCACHE_EVENTS__WEBHOOK_HOST / _PORT    bind address (127.0.0.1:8088)
    """
    settings = Settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        app = create_app(settings)
        check_at_start(settings, "webhook")
    except ConfigError as e:
        raise click.ClickException(str(e)) from None
    host = host or settings.events.webhook_host
    port = settings.events.webhook_port if port is None else port
    log.info("webhook receiver on http://%s:%d (Redis %s, stream %s)", host, port,
             redact_url(settings.redis_url), settings.events.stream)
    web.run_app(app, host=host, port=port, print=None, access_log=None, handle_signals=True)
