"""``netcache syslog``: receive syslog over UDP and TCP, parse, and publish events in batches.

TCP framing is detected per connection (RFC 6587, see ``syslog_framing``):
octet counting or LF / NUL delimited. Messages longer than ``syslog_max_line_bytes``
are discarded and counted. Sources outside ``syslog_allow`` are rejected; with no allow-list
(the default) every source is, and ``netcache syslog`` says so at start.

Events wait in a bounded in-memory buffer (``syslog_buffer_max``) and are
published every ``syslog_batch_size`` messages or ``syslog_flush_ms``. While
Redis is down the buffer holds them and publishing is retried with backoff;
when it is full TCP connections stop being read (the senders wait) and UDP
events are counted as ``dropped``. Datagrams the kernel drops before we read
them (receive buffer overflow) are reported as the ``udp_kernel_drops`` gauge. Shutdown stops reading, then flushes.

Unrecognized lines are a signal (``events/syslog/unrecognized.py``): their message ids and a
sample line go to Redis every health interval (``netcache status`` shows the top ones), and
``unrecognized_ratio`` (unrecognized / (parsed + unrecognized), last 15 min) is a gauge.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import signal
import socket
import ssl
import time
from collections import deque
from itertools import islice
from typing import Any

import click
from redis.asyncio import Redis as AsyncRedis

from netcache.connections import make_async_redis, redact_url, require_server
from netcache.durability import check_at_start
from netcache.errors import BackendUnavailable, ConfigError
from netcache.events.counters import IngestCounters
from netcache.events.models import EventBase
from netcache.events.publisher import AsyncEventPublisher
from netcache.events.syslog.framing import AllowList, RateLimiter, SyslogFramer, udp_kernel_drops
from netcache.events.syslog.parser import SyslogParser
from netcache.events.syslog.unrecognized import UnrecognizedTracker
from netcache.health import health_key, write_heartbeat
from netcache.inventory import device_for_source, inventory_for
from netcache.settings import Settings

__all__ = ["SyslogFramer", "SyslogListener", "allow_line", "syslog_command"]

log = logging.getLogger(__name__)

#: How long shutdown keeps trying to publish what is still buffered.
DRAIN_TIMEOUT_S = 10.0
#: Longest pause between publish attempts while Redis is down.
RETRY_MAX_S = 2.0
#: Datagrams read per wake-up of the UDP socket before other work gets a turn.
UDP_BURST = 1000


class _Tcp(asyncio.Protocol):
    def __init__(self, listener: SyslogListener) -> None:
        self.listener = listener
        self.framer = SyslogFramer(listener.max_line_bytes)
        self.peer = ""
        self.last_data = 0.0
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        peer = transport.get_extra_info("peername")
        self.peer = peer[0] if peer else ""
        listener = self.listener
        if not listener.allowed(self.peer):
            listener.counters.inc("rejected")
            transport.close()
            return
        per_source = listener.tcp_per_source.get(self.peer, 0)
        if len(listener.tcp_connections) >= listener.tcp_max or per_source >= listener.tcp_max_per_source:
            listener.counters.inc("connections_refused")
            transport.close()
            return
        listener.tcp_per_source[self.peer] = per_source + 1
        self.last_data = time.monotonic()
        listener.tcp_connections.add(self)
        if listener._paused:
            transport.pause_reading()  # type: ignore[attr-defined]

    def data_received(self, data: bytes) -> None:
        self.last_data = time.monotonic()
        self._consume(self.framer.feed(data))

    def eof_received(self) -> bool | None:
        self._consume(self.framer.close())
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        listener = self.listener
        if self in listener.tcp_connections:
            listener.tcp_connections.discard(self)
            left = listener.tcp_per_source.get(self.peer, 1) - 1
            if left > 0:
                listener.tcp_per_source[self.peer] = left
            else:
                listener.tcp_per_source.pop(self.peer, None)

    def _consume(self, messages: list[bytes]) -> None:
        c = self.listener.counters
        if self.framer.oversized:
            c.inc("received", self.framer.oversized)
            c.inc("oversized", self.framer.oversized)
            self.framer.oversized = 0
        if self.framer.errors:
            c.inc("received", self.framer.errors)
            c.inc("errors", self.framer.errors)
            self.framer.errors = 0
        ingest = self.listener.ingest
        for msg in messages:
            ingest(msg, self.peer)


class SyslogListener:
    """The asyncio server: UDP + TCP in, a bounded buffer, batched publishes out."""

    def __init__(self, settings: Settings, redis: AsyncRedis, *, parser: SyslogParser | None = None,
                 host: str | None = None, udp_port: int | None = None, tcp_port: int | None = None,
                 tls_port: int | None = None, hostname: str | None = None) -> None:
        ev = settings.events
        self.settings = settings
        self.redis = redis
        self.parser = parser or SyslogParser.from_settings(settings)
        #: maps IP-only sources to device names (netcache.inventory); None without an inventory
        self.inventory = inventory_for(settings)
        self.publisher = AsyncEventPublisher(redis, settings, retries=0)
        self.host = host or ev.syslog_host
        self.udp_port = ev.syslog_port if udp_port is None else udp_port
        self.tcp_port = ev.syslog_port if tcp_port is None else tcp_port
        self.hostname = hostname or socket.gethostname()
        #: the RFC 5425 port (None = no TLS listener); 0 = any free port
        tls = ev.syslog_tls_port if tls_port is None else tls_port
        self.tls_port: int | None = tls if tls or tls_port == 0 else None
        self.max_line_bytes = ev.syslog_max_line_bytes
        self.buffer_max = ev.syslog_buffer_max
        self.batch_size = ev.syslog_batch_size
        self.flush_s = ev.syslog_flush_ms / 1000.0
        self.health_interval_s = ev.syslog_health_interval_s
        self.allowed = AllowList(ev.syslog_allow)
        #: what syslog may make the worker invalidate and warm: events per source address and per device
        self.source_limit = RateLimiter(ev.syslog_rate_per_source, ev.syslog_burst_per_source)
        self.device_limit = RateLimiter(ev.syslog_rate_per_device, ev.syslog_burst_per_device)
        self.counters = IngestCounters("syslog")
        self.buffer: deque[EventBase] = deque()
        self.counters.gauges["buffered"] = lambda: float(len(self.buffer))
        #: lost before netcache saw them (UDP receive buffer overflow): read from /proc at scrape time
        self.counters.gauges["udp_kernel_drops"] = lambda: float(udp_kernel_drops(self._usock))
        self.unrecognized = UnrecognizedTracker(settings.key_prefix)
        values = self.counters.values
        self.counters.gauges["unrecognized_ratio"] = lambda: self.unrecognized.window.ratio(
            time.time(), values["parsed"], values["unrecognized"])
        self.tcp_connections: set[_Tcp] = set()
        self.tcp_per_source: dict[str, int] = {}
        self.tcp_max = ev.syslog_tcp_max_connections
        self.tcp_max_per_source = ev.syslog_tcp_max_per_source
        self.tcp_idle_timeout_s = ev.syslog_tcp_idle_timeout_s
        self.counters.gauges["tcp_connections"] = lambda: float(len(self.tcp_connections))
        self.redis_ok = True
        self._paused = False
        self._wake = asyncio.Event()
        self._closed = asyncio.Event()
        self._usock: socket.socket | None = None
        self._tcp: asyncio.Server | None = None
        self._tls: asyncio.Server | None = None
        self._tasks: list[asyncio.Task[None]] = []

    # --- ingest (hot path) ------------------------------------------------------------

    def _udp_ready(self) -> None:
        sock = self._usock
        if sock is None:
            return
        size = self.max_line_bytes + 1  # a longer datagram arrives truncated to this and counts as oversized
        for _ in range(UDP_BURST):
            try:
                data, addr = sock.recvfrom(size)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as e:  # e.g. ICMP errors surfaced on the socket
                log.debug("udp receive: %s", e)
                return
            self.ingest_datagram(data, addr[0])

    def ingest_datagram(self, data: bytes, peer: str) -> None:
        if not self.allowed(peer):
            self.counters.inc("rejected")
            return
        if len(data) > self.max_line_bytes:
            self.counters.inc("received")
            self.counters.inc("oversized")
            return
        self.ingest(data.rstrip(b"\r\n\x00"), peer, udp=True)

    def ingest(self, raw: bytes, peer: str, *, udp: bool = False) -> None:
        values = self.counters.values
        values["received"] += 1
        result = self.parser.parse(raw, peer)
        if result.event is None:
            if result.status == "unrecognized":
                values["unrecognized"] += 1
                self.unrecognized.note(result)
            else:
                values["errors"] += 1
                log.debug("syslog from %s: %s", peer, result.reason)
            return
        values["parsed"] += 1
        event = device_for_source(result.event, self.inventory)
        now = time.monotonic()
        if not self.source_limit.allow(peer, now):
            values["rate_limited_source"] += 1
            return
        if event.device and not self.device_limit.allow(event.device, now):
            values["rate_limited_device"] += 1
            return
        if len(self.buffer) >= self.buffer_max:
            if udp:
                values["dropped"] += 1
                return
            if not self._paused:  # TCP: stop reading (senders wait); the rest of this chunk still fits
                self._pause_tcp(True)
        self.buffer.append(event)
        if len(self.buffer) >= self.batch_size:
            self._wake.set()

    def _pause_tcp(self, pause: bool) -> None:
        self._paused = pause
        for conn in list(self.tcp_connections):
            if conn.transport is not None and not conn.transport.is_closing():
                (conn.transport.pause_reading if pause else conn.transport.resume_reading)()

    # --- publishing ---------------------------------------------------------------------

    async def flush_once(self) -> int:
        """Publish one batch from the buffer; the number published (raises BackendUnavailable)."""
        if not self.buffer:
            return 0
        batch = list(islice(self.buffer, 0, self.batch_size))
        results = await self.publisher.publish_many(batch)
        for _ in batch:
            self.buffer.popleft()
        published = sum(1 for r in results if r is not None)
        self.counters.inc("published", published)
        self.counters.inc("duplicates", len(results) - published)
        if self._paused and len(self.buffer) < self.buffer_max // 2:
            self._pause_tcp(False)
        return published

    async def _flush_loop(self) -> None:
        delay_s = 0.05
        while not self._closed.is_set():
            if len(self.buffer) < self.batch_size:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.flush_s)
                self._wake.clear()
            try:
                while self.buffer:
                    await self.flush_once()
                    if len(self.buffer) < self.batch_size:
                        break
                if not self.redis_ok:
                    log.warning("redis is back: publishing resumed (%d events buffered)", len(self.buffer))
                self.redis_ok, delay_s = True, 0.05
            except BackendUnavailable as e:
                if self.redis_ok:
                    log.warning("redis unavailable, buffering events (%d buffered): %s", len(self.buffer), e)
                self.redis_ok = False
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._closed.wait(), delay_s * random.uniform(0.5, 1.0))
                delay_s = min(RETRY_MAX_S, delay_s * 2)

    async def _idle_loop(self) -> None:
        """Close TCP connections silent for longer than ``syslog_tcp_idle_timeout_s``."""
        period_s = min(5.0, max(0.05, self.tcp_idle_timeout_s / 4))
        while not self._closed.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._closed.wait(), period_s)
            cutoff = time.monotonic() - self.tcp_idle_timeout_s
            for conn in [c for c in self.tcp_connections if c.last_data < cutoff]:
                if conn.transport is not None and not conn.transport.is_closing():
                    conn._consume(conn.framer.close())
                    conn.transport.close()
                    self.counters.inc("idle_closed")

    async def _health_loop(self) -> None:
        key = health_key(self.settings.key_prefix, "syslog", self.hostname)
        while not self._closed.is_set():
            try:
                await write_heartbeat(self.redis, key, max(1, int(self.health_interval_s * 3)),
                                      **self.counters.snapshot(), redis_ok=self.redis_ok,
                                      udp_port=self.udp_port, tcp_port=self.tcp_port)
                await self._flush_unrecognized()
            except Exception as e:  # noqa: BLE001 - health is best effort; the flusher reports outages
                log.debug("health key / unrecognized ids not written: %s", e)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._closed.wait(), self.health_interval_s)

    async def _flush_unrecognized(self) -> None:
        values = self.counters.values
        await self.unrecognized.flush(self.redis, values["parsed"], values["unrecognized"])

    # --- lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        rcvbuf = self.settings.events.syslog_rcvbuf_bytes
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        usock = socket.socket(family, socket.SOCK_DGRAM)
        usock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        usock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        usock.bind((self.host, self.udp_port))
        usock.setblocking(False)
        # read datagrams in bursts from one reader callback: asyncio's datagram transport reads one per
        # loop iteration, which is several times slower under load and lets the kernel buffer overflow
        self._usock = usock
        loop.add_reader(usock.fileno(), self._udp_ready)
        self.udp_port = usock.getsockname()[1]
        self._tcp = await loop.create_server(lambda: _Tcp(self), self.host, self.tcp_port,
                                             reuse_address=True, backlog=1024)
        self.tcp_port = self._tcp.sockets[0].getsockname()[1]
        if self.tls_port is not None:
            self._tls = await loop.create_server(lambda: _Tcp(self), self.host, self.tls_port, reuse_address=True,
                                                 backlog=1024, ssl=tls_context(self.settings.events),
                                                 ssl_handshake_timeout=10.0)
            self.tls_port = self._tls.sockets[0].getsockname()[1]
        self._tasks = [asyncio.create_task(self._flush_loop(), name="syslog-flush"),
                       asyncio.create_task(self._health_loop(), name="syslog-health"),
                       asyncio.create_task(self._idle_loop(), name="syslog-idle")]
        log.info("syslog listener on %s udp/%d tcp/%d%s → %s stream %s", self.host, self.udp_port,
                 self.tcp_port, f" tls/{self.tls_port}" if self.tls_port is not None else "",
                 redact_url(self.settings.redis_url), self.settings.events.stream)

    async def stop(self, drain_timeout_s: float = DRAIN_TIMEOUT_S) -> None:
        """Stop receiving, publish what is buffered (up to ``drain_timeout_s``), then release everything."""
        if self._usock is not None:
            asyncio.get_running_loop().remove_reader(self._usock.fileno())
            self._udp_ready()  # what the kernel already holds
            self._usock.close()
            self._usock = None
        if self._tcp is not None:
            self._tcp.close()
            if self._tls is not None:
                self._tls.close()
            for conn in list(self.tcp_connections):
                if conn.transport is not None:
                    conn._consume(conn.framer.close())
                    conn.transport.close()
            await self._tcp.wait_closed()
            if self._tls is not None:
                await self._tls.wait_closed()
        # the loops finish their current Redis call and exit (cancelling a command in flight can
        # leave the client's connection pool waiting forever)
        self._closed.set()
        self._wake.set()
        if self._tasks:
            _, pending = await asyncio.wait(self._tasks, timeout=DRAIN_TIMEOUT_S)
            for task in pending:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
        deadline = time.monotonic() + drain_timeout_s
        while self.buffer and time.monotonic() < deadline:
            try:
                await self.flush_once()
            except BackendUnavailable:
                await asyncio.sleep(0.2)
        if self.buffer:
            log.error("redis unavailable at shutdown: %d buffered events dropped", len(self.buffer))
            self.counters.inc("dropped", len(self.buffer))
            self.buffer.clear()
        with contextlib.suppress(Exception):
            await self._flush_unrecognized()
        with contextlib.suppress(Exception):
            await self.redis.delete(health_key(self.settings.key_prefix, "syslog", self.hostname))

    async def serve_forever(self, stop: asyncio.Event) -> None:
        await self.start()
        try:
            await stop.wait()
        finally:
            await self.stop()


def tls_context(ev: Any) -> ssl.SSLContext:
    """The server-side TLS context of the RFC 5425 port (``ConfigError`` naming what is missing)."""
    if ev.syslog_tls_cert_file is None or ev.syslog_tls_key_file is None:
        raise ConfigError("syslog over TLS needs NETCACHE_EVENTS__SYSLOG_TLS_CERT_FILE and "
                          "NETCACHE_EVENTS__SYSLOG_TLS_KEY_FILE (PEM)")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        ctx.load_cert_chain(str(ev.syslog_tls_cert_file), str(ev.syslog_tls_key_file))
        if ev.syslog_tls_ca_file is not None:
            ctx.load_verify_locations(cafile=str(ev.syslog_tls_ca_file))
    except (OSError, ssl.SSLError) as e:
        raise ConfigError(f"syslog TLS certificate, key or CA file unusable: {e}") from e
    if ev.syslog_tls_require_client_cert:
        if ev.syslog_tls_ca_file is None:
            raise ConfigError("syslog_tls_require_client_cert needs NETCACHE_EVENTS__SYSLOG_TLS_CA_FILE "
                              "(the CA that signs the senders' certificates)")
        ctx.verify_mode = ssl.CERT_REQUIRED
    elif ev.syslog_tls_ca_file is not None:
        ctx.verify_mode = ssl.CERT_OPTIONAL
    return ctx


def allow_line(allow: list[str]) -> str:
    """The one line the command prints at start about who may send."""
    if not allow:
        return ("syslog: NO SOURCE IS ALLOWED: every message is rejected (counted as rejected) until "
                "NETCACHE_EVENTS__SYSLOG_ALLOW or --allow lists the senders' networks")
    return f"syslog: accepting messages from {', '.join(allow)} only"


@click.command("syslog")
@click.option("--host", default=None, help="Bind address (default: NETCACHE_EVENTS__SYSLOG_HOST, 127.0.0.1).")
@click.option("--port", type=int, default=None, help="UDP and TCP port (default: NETCACHE_EVENTS__SYSLOG_PORT, 5514).")
@click.option("--udp-port", type=int, default=None, help="UDP port, if different from --port (0 = any free port).")
@click.option("--tcp-port", type=int, default=None, help="TCP port, if different from --port (0 = any free port).")
@click.option("--tls-port", type=int, default=None,
              help="Syslog over TLS (RFC 5425) on this port (default: NETCACHE_EVENTS__SYSLOG_TLS_PORT; 0 = off).")
@click.option("--allow", multiple=True, help="Source network allowed to send (CIDR; repeatable). Default: "
              "NETCACHE_EVENTS__SYSLOG_ALLOW; none = every source is denied (0.0.0.0/0 and ::/0 allow all).")
@click.option("--vendor", default=None, help="Vendor rules to use: auto (default) or cisco_ios, cisco_nxos, "
              "cisco_iosxr, junos, arista_eos, sonic.")
@click.option("--metrics-port", type=int, default=None, help="Serve Prometheus /metrics on this port (0 = off).")
def syslog_command(host: str | None, port: int | None, udp_port: int | None, tcp_port: int | None,
                   tls_port: int | None, allow: tuple[str, ...], vendor: str | None,
                   metrics_port: int | None) -> None:
    """Receive syslog (UDP and TCP: LF, NUL or octet-counted framing), parse it into network
    events and publish them to the Redis stream. Counters are kept in the health key
    nc:w:health:syslog:{hostname} and, with --metrics-port, on /metrics. Stop with Ctrl-C or
    SIGTERM: what is buffered is published before exit.

    \b
    Counters: received, parsed, unrecognized (not an event: counted, not an
    error), errors (bad framing or fields), rejected (source not allowed),
    oversized, dropped (buffer full), rate_limited_source and
    rate_limited_device (events over the per-source / per-device rate, not
    published), connections_refused (TCP over its limits), idle_closed (TCP
    silent too long), published, duplicates. Gauge
    unrecognized_ratio: unrecognized / (parsed + unrecognized), last 15 min;
    `netcache status` lists the most frequent unrecognized message ids with a
    sample line (docs/syslog-relays.md).

    \b
    Settings (environment, besides the options above):
      NETCACHE_EVENTS__SYSLOG_ALLOW           allowed source CIDRs (JSON list; none = deny all)
      NETCACHE_EVENTS__SYSLOG_RATE_PER_SOURCE events/s one source address may publish (20)
      NETCACHE_EVENTS__SYSLOG_RATE_PER_DEVICE events/s about one device (2)
      NETCACHE_EVENTS__SYSLOG_TCP_MAX_CONNECTIONS  TCP connections at once (1000)
      NETCACHE_EVENTS__SYSLOG_TCP_MAX_PER_SOURCE   ... from one address (20)
      NETCACHE_EVENTS__SYSLOG_TCP_IDLE_TIMEOUT_S   silent connections are closed (300)
      NETCACHE_EVENTS__SYSLOG_TLS_PORT        RFC 5425 syslog over TLS (0 = off), with
      NETCACHE_EVENTS__SYSLOG_TLS_CERT_FILE / _KEY_FILE  the server's PEM chain and key,
      NETCACHE_EVENTS__SYSLOG_TLS_CA_FILE     the CA of client certificates (optional)
      NETCACHE_EVENTS__SYSLOG_TLS_REQUIRE_CLIENT_CERT  refuse clients without one
      NETCACHE_EVENTS__SYSLOG_BUFFER_MAX      events held while Redis is down (100000)
      NETCACHE_EVENTS__SYSLOG_BATCH_SIZE      events per XADD pipeline (500)
      NETCACHE_EVENTS__SYSLOG_FLUSH_MS        longest wait before a batch goes (50)
      NETCACHE_EVENTS__SYSLOG_MAX_LINE_BYTES  longer messages are rejected (8192)
      NETCACHE_EVENTS__SYSLOG_RCVBUF_BYTES    UDP receive buffer asked for (8 MiB)
      NETCACHE_EVENTS__SYSLOG_RULES_FILE      extra parse rules (JSON), tried first
    """
    settings = Settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    updates: dict[str, Any] = {}
    if allow:
        updates["syslog_allow"] = list(allow)
    if vendor:
        updates["syslog_vendor"] = vendor
    if tls_port is not None:
        updates["syslog_tls_port"] = tls_port
    if updates:
        settings = settings.model_copy(update={"events": settings.events.model_copy(update=updates)})
    port = settings.events.syslog_port if port is None else port
    metrics_port = settings.events.syslog_metrics_port if metrics_port is None else metrics_port
    try:
        check_at_start(settings, "syslog")
    except ConfigError as e:
        raise click.ClickException(str(e)) from None

    async def main() -> None:
        require_server(settings, "the syslog listener")
        redis = make_async_redis(settings, socket_timeout=5.0)
        listener = SyslogListener(settings, redis, host=host,
                                  udp_port=port if udp_port is None else udp_port,
                                  tcp_port=port if tcp_port is None else tcp_port)
        server = None
        if metrics_port:
            from prometheus_client import CollectorRegistry, start_http_server

            registry = CollectorRegistry()
            registry.register(listener.counters.collector())
            server, _ = start_http_server(metrics_port, addr=listener.host, registry=registry)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            await listener.start()
            tls = f" tls/{listener.tls_port}" if listener.tls_port is not None else ""
            click.echo(f"syslog listening on {listener.host} udp/{listener.udp_port} tcp/{listener.tcp_port}{tls}",
                       err=True)
            click.echo(allow_line(settings.events.syslog_allow), err=True)
            await stop.wait()
        finally:
            await listener.stop()
            await redis.aclose()
            if server is not None:
                server.shutdown()
            click.echo("syslog stopped: " + json.dumps(listener.counters.snapshot()), err=True)

    try:
        asyncio.run(main())
    except (ConfigError, OSError) as e:
        raise click.ClickException(str(e)) from e
