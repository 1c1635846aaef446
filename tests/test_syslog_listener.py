"""The syslog listener end to end: real UDP/TCP on 127.0.0.1 into a real Redis stream."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from netcache.devtools.local_redis import free_port
from netcache.events.counters import LISTENER_COUNTERS
from netcache.events.stream import decode_entry
from netcache.events.syslog.listener import SyslogFramer, syslog_command
from netcache.events.syslog.thread import ListenerThread
from netcache.health import health_key
from netcache.settings import EventSettings


def line(i: int, device: str = "rtr-001") -> bytes:
    """A unique, real-format Cisco message (the timestamp carries i, so ids differ)."""
    return (f"<187>{i}: {device}: Nov 27 {i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}.{i % 1000:03d} UTC: "
            f"%LINK-3-UPDOWN: Interface GigabitEthernet0/{i % 48}, changed state to down").encode()


def with_events(settings, **changes):
    return settings.model_copy(update={"events": settings.events.model_copy(update=changes)})


def wait_for(check: Callable[[], bool], timeout_s: float = 20.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def stream_events(redis_client, settings):
    return [decode_entry(f, i) for i, f in redis_client.xrange(settings.events.stream)]


def counters(t: ListenerThread) -> dict:
    return t.call(lambda: t.listener.counters.snapshot())


def send_tcp(port: int, payload: bytes) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(payload)


def send_udp(port: int, datagrams: list[bytes]) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for d in datagrams:
            s.sendto(d, ("127.0.0.1", port))


@pytest.fixture
def listener(settings):
    with ListenerThread(with_events(settings, syslog_flush_ms=20), udp_port=0, tcp_port=0) as t:
        yield t


@pytest.mark.parametrize("framing", ["lf", "crlf", "nul", "octet"])
def test_tcp_messages_in_each_framing_reach_the_stream(listener, redis_client, settings, framing):
    msgs = [line(i) for i in range(50)]
    if framing == "octet":
        payload = b"".join(b"%d %s" % (len(m), m) for m in msgs)
    else:
        payload = {"lf": b"\n", "crlf": b"\r\n", "nul": b"\x00"}[framing].join(msgs)  # last one unterminated
    send_tcp(listener.listener.tcp_port, payload)
    wait_for(lambda: redis_client.xlen(settings.events.stream) == 50, what="50 events")
    events = stream_events(redis_client, settings)
    assert sorted(e.raw for e in events) == sorted(m.decode() for m in msgs)
    assert {e.interface for e in events} >= {"GigabitEthernet0/0", "GigabitEthernet0/47"}
    wait_for(lambda: counters(listener)["published"] == 50, what="50 counted as published")
    c = counters(listener)
    assert (c["received"], c["parsed"], c["published"], c["errors"]) == (50, 50, 50, 0)


def test_udp_datagrams_reach_the_stream_and_bad_ones_are_counted(listener, redis_client, settings):
    good = [line(i) for i in range(20)]
    send_udp(listener.listener.udp_port, good + [b"hello", b"<13>Nov 27 03:00:00 h app: unknown thing", b"\xff\x00"])
    wait_for(lambda: counters(listener)["received"] == 23, what="23 datagrams")
    wait_for(lambda: redis_client.xlen(settings.events.stream) == 20, what="20 events")
    wait_for(lambda: counters(listener)["published"] == 20, what="20 counted as published")
    c = counters(listener)
    assert (c["parsed"], c["unrecognized"], c["errors"], c["published"]) == (20, 1, 2, 20)


def test_a_repeated_message_is_published_once(listener, redis_client, settings):
    send_udp(listener.listener.udp_port, [line(1), line(1), line(2)])
    wait_for(lambda: counters(listener)["duplicates"] == 1, what="one duplicate")
    assert redis_client.xlen(settings.events.stream) == 2


def test_sources_outside_the_allow_list_are_rejected_and_counted(settings, redis_client):
    denied = with_events(settings, syslog_allow=["10.0.0.0/8", "2001:db8::/32"], syslog_flush_ms=20)
    with ListenerThread(denied, udp_port=0, tcp_port=0) as t:
        send_udp(t.listener.udp_port, [line(1), line(2)])
        send_tcp(t.listener.tcp_port, line(3) + b"\n")
        wait_for(lambda: counters(t)["rejected"] == 3, what="3 rejections")
        c = counters(t)
        assert (c["received"], c["parsed"]) == (0, 0)
    assert redis_client.xlen(settings.events.stream) == 0
    allowed = with_events(settings, syslog_allow=["127.0.0.0/8"], syslog_flush_ms=20)
    with ListenerThread(allowed, udp_port=0, tcp_port=0) as t:
        send_udp(t.listener.udp_port, [line(1)])
        wait_for(lambda: redis_client.xlen(settings.events.stream) == 1, what="allowed event")


def test_oversized_messages_are_rejected_and_counted_in_every_framing(settings, redis_client):
    s = with_events(settings, syslog_max_line_bytes=480, syslog_flush_ms=20)
    big = line(99) + b" " + b"x" * 600
    with ListenerThread(s, udp_port=0, tcp_port=0) as t:
        port = t.listener.tcp_port
        send_tcp(port, line(1) + b"\n" + big + b"\n" + line(2) + b"\n")
        send_tcp(port, b"".join(b"%d %s" % (len(m), m) for m in (line(3), big, line(4))))
        send_udp(t.listener.udp_port, [big, line(5)])
        wait_for(lambda: redis_client.xlen(settings.events.stream) == 5, what="5 good events")
        wait_for(lambda: counters(t)["oversized"] == 3, what="3 oversized")
    assert sorted(int(e.raw.split(":")[0][5:]) for e in stream_events(redis_client, settings)) == [1, 2, 3, 4, 5]


def test_events_are_buffered_while_redis_is_down_and_all_published_when_it_returns(
        settings, redis_server, redis_client):
    with ListenerThread(with_events(settings, syslog_flush_ms=20), udp_port=0, tcp_port=0) as t:
        redis_server.stop()
        send_tcp(t.listener.tcp_port, b"\n".join(line(i) for i in range(300)) + b"\n")
        wait_for(lambda: counters(t)["buffered"] == 300, what="300 buffered")
        time.sleep(0.3)  # a few failed publish attempts
        assert t.call(lambda: t.listener.redis_ok) is False
        redis_server.start()
        wait_for(lambda: redis_client.xlen(settings.events.stream) == 300, timeout_s=30, what="300 published")
        wait_for(lambda: counters(t)["published"] == 300, what="300 counted as published")
        c = counters(t)
        assert (c["published"], c["dropped"], c["buffered"]) == (300, 0, 0)
    assert len({e.id for e in stream_events(redis_client, settings)}) == 300


def test_when_the_buffer_is_full_udp_events_are_counted_as_dropped(settings, redis_server, redis_client):
    with ListenerThread(with_events(settings, syslog_buffer_max=10, syslog_flush_ms=20), udp_port=0, tcp_port=0) as t:
        redis_server.stop()
        for i in range(30):  # paced so the kernel buffer never overflows
            send_udp(t.listener.udp_port, [line(i)])
        wait_for(lambda: counters(t)["received"] == 30, what="30 datagrams")
        assert (counters(t)["buffered"], counters(t)["dropped"]) == (10, 20)
        redis_server.start()
        wait_for(lambda: redis_client.xlen(settings.events.stream) == 10, timeout_s=30, what="10 published")


def test_when_the_buffer_is_full_tcp_senders_are_paused_and_nothing_is_lost(settings, redis_server, redis_client):
    with ListenerThread(with_events(settings, syslog_buffer_max=50, syslog_flush_ms=20), udp_port=0, tcp_port=0) as t:
        redis_server.stop()
        sender = threading.Thread(target=send_tcp, args=(t.listener.tcp_port,
                                                         b"\n".join(line(i) for i in range(5000)) + b"\n"))
        sender.start()
        wait_for(lambda: t.call(lambda: t.listener._paused), what="reading paused")
        time.sleep(0.2)
        c = counters(t)
        assert 50 <= c["buffered"] < 5000 and c["dropped"] == 0
        redis_server.start()
        sender.join(30)
        wait_for(lambda: redis_client.xlen(settings.events.stream) == 5000, timeout_s=60, what="5000 published")
        assert counters(t)["dropped"] == 0


def test_datagrams_the_kernel_drops_while_the_listener_is_stalled_are_reported(settings, redis_client):
    small = with_events(settings, syslog_rcvbuf_bytes=65_536, syslog_flush_ms=20)
    with ListenerThread(small, udp_port=0, tcp_port=0) as t:
        stall = threading.Thread(target=t.call, args=(lambda: time.sleep(1.0),))
        stall.start()
        time.sleep(0.1)
        send_udp(t.listener.udp_port, [line(i) for i in range(3000)])
        stall.join()
        wait_for(lambda: counters(t)["received"] + counters(t)["udp_kernel_drops"] == 3000, what="all accounted")
        c = counters(t)
        assert c["udp_kernel_drops"] > 0
        wait_for(lambda: redis_client.xlen(settings.events.stream) == c["received"], what="received published")


def test_shutdown_publishes_what_is_still_buffered(settings, redis_client):
    slow = with_events(settings, syslog_flush_ms=600_000, syslog_batch_size=10_000)
    t = ListenerThread(slow, udp_port=0, tcp_port=0).start()
    try:
        send_tcp(t.listener.tcp_port, b"\n".join(line(i) for i in range(100)))
        wait_for(lambda: counters(t)["buffered"] == 100, what="100 buffered")
        assert redis_client.xlen(settings.events.stream) == 0
    finally:
        t.stop()
    assert redis_client.xlen(settings.events.stream) == 100


def test_the_health_key_holds_the_counters_and_expires(settings, redis_client):
    s = with_events(settings, syslog_health_interval_s=0.2, syslog_flush_ms=20)
    with ListenerThread(s, udp_port=0, tcp_port=0, hostname="test-host") as t:
        send_udp(t.listener.udp_port, [line(1), b"garbage"])
        key = health_key(settings.key_prefix, "syslog", "test-host")
        wait_for(lambda: (v := redis_client.get(key)) is not None and json.loads(v)["published"] == 1,
                 what="health key with one published event")
        health = json.loads(redis_client.get(key))
        assert (health["received"], health["errors"], health["redis_ok"]) == (2, 1, True)
        assert 0 < redis_client.ttl(key) <= 1
    assert redis_client.get(key) is None  # removed at clean shutdown


def test_garbage_over_udp_and_tcp_is_all_accounted_for_and_the_listener_keeps_working(listener, redis_client,
                                                                                      settings):
    rng = random.Random(7)
    samples = [line(i) for i in range(20)]
    junk = [rng.randbytes(rng.randint(0, 300)) for _ in range(150)]
    near = [s[:rng.randint(0, len(s))] + rng.randbytes(rng.randint(0, 5)) for s in samples for _ in range(5)]
    udp_port, tcp_port = listener.listener.udp_port, listener.listener.tcp_port
    send_udp(udp_port, [d[:1400] for d in junk + near])
    for chunk in (b"".join(junk), b"\n".join(near), b"5 <13>x" + rng.randbytes(500)):
        send_tcp(tcp_port, chunk)
    time.sleep(0.5)
    send_tcp(tcp_port, line(12345) + b"\n")

    def accounted() -> bool:
        c = counters(listener)
        return c["received"] == c["parsed"] + c["unrecognized"] + c["errors"] + c["oversized"] and any(
            e.raw == line(12345).decode() for e in stream_events(redis_client, settings))

    wait_for(accounted, what="every message counted and the last good one published")
    assert counters(listener)["received"] >= len(junk) + len(near)


# --- framing (sans I/O) ---------------------------------------------------------------------

_BODY = st.binary(min_size=1, max_size=120).map(lambda b: b"<13>" + b.replace(b"\n", b"").replace(b"\x00", b"")
                                                 .rstrip(b"\r"))


@hsettings(max_examples=200, deadline=None)
@given(st.lists(_BODY, min_size=1, max_size=20), st.sampled_from(["lf", "nul", "octet"]),
       st.lists(st.integers(1, 64), min_size=1, max_size=40))
def test_the_framer_returns_the_same_messages_however_the_stream_is_chunked(msgs, framing, cuts):
    if framing == "octet":
        data = b"".join(b"%d %s" % (len(m), m) for m in msgs)
    else:
        sep = b"\n" if framing == "lf" else b"\x00"
        data = b"".join(m + sep for m in msgs)
    framer = SyslogFramer(max_bytes=8192)
    out: list[bytes] = []
    pos = 0
    for cut in cuts * (len(data) // max(1, sum(cuts)) + 1):
        if pos >= len(data):
            break
        out += framer.feed(data[pos:pos + cut])
        pos += cut
    out += framer.close()
    assert out == [m for m in msgs if m]
    assert framer.mode == ("octet" if framing == "octet" else "lf")
    assert (framer.oversized, framer.errors) == (0, 0)


@hsettings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=200), max_size=10), st.integers(16, 300))
def test_the_framer_survives_arbitrary_bytes_and_never_returns_oversized_messages(chunks, max_bytes):
    framer = SyslogFramer(max_bytes=max_bytes)
    out = []
    for chunk in chunks:
        out += framer.feed(chunk)
    out += framer.close()
    assert all(len(m) <= max_bytes for m in out)


def test_a_bad_octet_count_is_counted_and_the_stream_resyncs_on_the_next_line():
    framer = SyslogFramer(max_bytes=8192)
    out = framer.feed(b"12 <13>hello!!x y\n<13>next line\n")
    assert framer.mode == "octet"
    assert framer.errors == 1
    assert out[-1] == b"<13>next line"


def _octet(msgs: list[bytes], *, first_len: int | None = None) -> bytes:
    counts = [len(m) for m in msgs]
    if first_len is not None:
        counts[0] = first_len
    return b"".join(b"%d %s" % (n, m) for n, m in zip(counts, msgs))


@pytest.mark.parametrize("chunk", [7, 50, 100_000])
@pytest.mark.parametrize("wrong_by", [40, 300, -12])
def test_an_octet_count_that_misstates_its_length_costs_one_message_not_the_connection(chunk, wrong_by):
    msgs = [line(i) for i in range(100)]
    data = _octet(msgs, first_len=len(msgs[0]) + wrong_by)
    framer = SyslogFramer(max_bytes=8192)
    out: list[bytes] = []
    for pos in range(0, len(data), chunk):
        out += framer.feed(data[pos:pos + chunk])
    out += framer.close()
    assert framer.mode == "octet" and framer.errors == 1
    assert out[1:] == msgs[1:]  # the 99 valid messages after the bad count
    if wrong_by > 0:
        assert out[0] == msgs[0]  # an over-stated count: the message itself is kept too


# --- the real command ---------------------------------------------------------------------------


def test_the_netcache_syslog_command_receives_exports_metrics_and_flushes_on_sigterm(settings, redis_url, redis_client):
    udp, tcp, metrics = free_port(), free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETCACHE_")}
    env.update(NETCACHE_REDIS_URL=redis_url, NETCACHE_EVENTS__SYSLOG_FLUSH_MS="20")
    proc = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "netcache"), "syslog", "--udp-port", str(udp), "--tcp-port",
                             str(tcp), "--metrics-port", str(metrics), "--allow", "127.0.0.0/8"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: proc.poll() is not None or _port_open(tcp), timeout_s=30, what="listener start")
        assert proc.poll() is None, proc.stderr.read()
        send_tcp(tcp, b"\n".join(line(i) for i in range(10)) + b"\n")
        send_udp(udp, [line(100), b"junk"])
        wait_for(lambda: redis_client.xlen(settings.events.stream) == 11, what="11 events")
        body = urllib.request.urlopen(f"http://127.0.0.1:{metrics}/metrics", timeout=5).read().decode()
        assert 'netcache_syslog_messages_total{outcome="published"} 11.0' in body
        assert 'netcache_syslog_messages_total{outcome="errors"} 1.0' in body
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert '"published": 11' in err


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_the_syslog_help_names_every_counter_and_only_settings_that_exist():
    result = CliRunner().invoke(syslog_command, ["--help"])
    assert result.exit_code == 0
    words = set(re.findall(r"[a-z_]+", result.output.replace(",", " ")))
    assert set(LISTENER_COUNTERS) <= words
    named = re.findall(r"NETCACHE_EVENTS__([A-Z_]+)", result.output)
    assert {"SYSLOG_ALLOW", "SYSLOG_BUFFER_MAX", "SYSLOG_RCVBUF_BYTES"} <= set(named)
    assert {n.lower() for n in named} <= set(EventSettings.model_fields)


# --- abuse: default deny, spoofed floods --------------------------------------------------------


def test_without_an_allow_list_every_source_is_denied_and_the_command_says_so(settings, redis_client):
    from netcache.events.syslog.listener import allow_line
    from netcache.settings import Settings

    assert Settings(_env_file=None).events.syslog_allow == []
    with ListenerThread(with_events(settings, syslog_allow=[], syslog_flush_ms=20), udp_port=0, tcp_port=0) as t:
        send_udp(t.listener.udp_port, [line(1)])
        send_tcp(t.listener.tcp_port, line(2) + b"\n")
        wait_for(lambda: counters(t)["rejected"] == 2, what="2 rejections")
    assert redis_client.xlen(settings.events.stream) == 0
    assert "NO SOURCE IS ALLOWED" in allow_line([]) and "NETCACHE_EVENTS__SYSLOG_ALLOW" in allow_line([])
    assert allow_line(["10.0.0.0/8"]) == "syslog: accepting messages from 10.0.0.0/8 only"


def _spoofed_udp(port: int, packets: list[tuple[str, bytes]]) -> None:
    """Datagrams from many source addresses (every 127.0.0.0/8 address is this host's)."""
    socks: dict[str, socket.socket] = {}
    try:
        for src, data in packets:
            s = socks.get(src)
            if s is None:
                s = socks[src] = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.bind((src, 0))
            s.sendto(data, ("127.0.0.1", port))
    finally:
        for s in socks.values():
            s.close()


def test_a_spoofed_udp_flood_publishes_no_more_than_the_rate_limits_allow(settings, redis_client):
    limited = with_events(settings, syslog_flush_ms=20, syslog_rate_per_source=1.0, syslog_burst_per_source=5,
                          syslog_rate_per_device=1.0, syslog_burst_per_device=10)
    devices = [f"rtr-{d:03d}" for d in range(1, 11)]
    # 2,100 forged messages from 100 addresses about 10 devices (the issue's 2,100 packets in 7 s)
    packets = [(f"127.0.0.{2 + i % 100}", line(i, device=devices[i % 10])) for i in range(2100)]
    started = time.monotonic()
    with ListenerThread(limited, udp_port=0, tcp_port=0) as t:
        _spoofed_udp(t.listener.udp_port, packets)
        wait_for(lambda: counters(t)["received"] == 2100, what="2,100 datagrams")
        elapsed = time.monotonic() - started
        wait_for(lambda: counters(t)["buffered"] == 0, what="the buffer published")
        c = counters(t)
    published = redis_client.xlen(settings.events.stream)
    # each device: its burst plus one per second; each source: its burst plus one per second
    assert published <= len(devices) * (10 + elapsed) and published <= 100 * (5 + elapsed)
    assert published >= len(devices) * 10  # the limits hold the flood, they do not stop syslog
    assert c["parsed"] == 2100 and c["published"] == published
    assert c["rate_limited_source"] + c["rate_limited_device"] == 2100 - published
    assert c["rate_limited_device"] > 0
    per_device = {d: 0 for d in devices}
    for e in stream_events(redis_client, settings):
        per_device[e.device] += 1
    assert max(per_device.values()) <= 10 + elapsed


def test_one_chatty_source_is_held_to_its_own_rate():
    from netcache.events.syslog.framing import RateLimiter

    limit = RateLimiter(2.0, 5, max_keys=3)
    assert [limit.allow("a", 0.0) for _ in range(7)] == [True] * 5 + [False] * 2
    assert limit.allow("b", 0.0)  # another key has its own bucket
    assert limit.allow("a", 0.5) and not limit.allow("a", 0.5)  # 2/s: one token back after 0.5 s
    for n in range(10):  # more keys than the table holds: it stays bounded
        limit.allow(f"k{n}", 1.0)
    assert len(limit._buckets) <= 3
    assert RateLimiter(0, 1).allow("x", 0.0)  # 0 = no limit


def _closed_by_peer(s: socket.socket, timeout_s: float = 5.0) -> bool:
    s.settimeout(timeout_s)
    try:
        return s.recv(1) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def test_tcp_connections_over_the_limits_are_refused_and_counted(settings, redis_client):
    limited = with_events(settings, syslog_flush_ms=20, syslog_tcp_max_per_source=3, syslog_tcp_max_connections=5)
    with ListenerThread(limited, udp_port=0, tcp_port=0) as t:
        port = t.listener.tcp_port
        held = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(3)]
        try:
            wait_for(lambda: counters(t)["tcp_connections"] == 3, what="3 connections held")
            extra = socket.create_connection(("127.0.0.1", port), timeout=5)
            assert _closed_by_peer(extra)
            extra.close()
            # other sources still get in, up to the total
            others = []
            for src in ("127.0.0.2", "127.0.0.3", "127.0.0.4"):
                s = socket.socket()
                s.bind((src, 0))
                s.connect(("127.0.0.1", port))
                others.append(s)
            wait_for(lambda: counters(t)["connections_refused"] == 2, what="2 refusals")
            assert _closed_by_peer(others[-1])
            assert counters(t)["tcp_connections"] == 5
            held[0].sendall(line(1) + b"\n")  # the ones held work
            wait_for(lambda: redis_client.xlen(settings.events.stream) == 1, what="1 event")
            for s in others:
                s.close()
        finally:
            for s in held:
                s.close()
        wait_for(lambda: counters(t)["tcp_connections"] == 0, what="all closed")
        again = socket.create_connection(("127.0.0.1", port), timeout=5)  # the count went back down
        again.sendall(line(2) + b"\n")
        wait_for(lambda: redis_client.xlen(settings.events.stream) == 2, what="2 events")
        again.close()


def test_silent_tcp_connections_are_closed_after_the_idle_timeout_and_busy_ones_are_not(settings, redis_client):
    with ListenerThread(with_events(settings, syslog_flush_ms=20, syslog_tcp_idle_timeout_s=0.5),
                        udp_port=0, tcp_port=0) as t:
        port = t.listener.tcp_port
        silent = socket.create_connection(("127.0.0.1", port), timeout=5)
        busy = socket.create_connection(("127.0.0.1", port), timeout=5)
        partial = socket.create_connection(("127.0.0.1", port), timeout=5)
        partial.sendall(line(99))  # an LF-framed message without its LF: kept when the connection times out
        for i in range(8):
            busy.sendall(line(i) + b"\n")
            time.sleep(0.15)
        assert _closed_by_peer(silent) and _closed_by_peer(partial)
        wait_for(lambda: counters(t)["idle_closed"] == 2, what="2 idle connections closed")
        busy.sendall(line(8) + b"\n")
        wait_for(lambda: redis_client.xlen(settings.events.stream) == 10, what="10 events")
        for s in (silent, busy, partial):
            s.close()


# --- syslog over TLS (RFC 5425) -----------------------------------------------------------------


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory):
    import trustme

    d = tmp_path_factory.mktemp("syslog-tls")
    ca = trustme.CA()
    server = ca.issue_cert("127.0.0.1", "localhost")
    client = ca.issue_cert("rtr-001.example.net")
    files = {name: d / f"{name}.pem" for name in ("ca", "cert", "key", "client")}
    ca.cert_pem.write_to_path(str(files["ca"]))
    server.private_key_pem.write_to_path(str(files["key"]))
    server.cert_chain_pems[0].write_to_path(str(files["cert"]))
    client.private_key_and_cert_chain_pem.write_to_path(str(files["client"]))
    stranger = trustme.CA().issue_cert("intruder")
    files["stranger"] = d / "stranger.pem"
    stranger.private_key_and_cert_chain_pem.write_to_path(str(files["stranger"]))
    return files


def _tls_client(port: int, ca, client_pem=None):
    import ssl

    ctx = ssl.create_default_context(cafile=str(ca))
    if client_pem is not None:
        ctx.load_cert_chain(str(client_pem))
    raw = socket.create_connection(("127.0.0.1", port), timeout=5)
    return ctx.wrap_socket(raw, server_hostname="127.0.0.1")


def _tls_settings(settings, files, **kw):
    return with_events(settings, syslog_flush_ms=20, syslog_tls_cert_file=files["cert"],
                       syslog_tls_key_file=files["key"], **kw)


def test_octet_counted_syslog_over_tls_reaches_the_stream(settings, redis_client, tls_files):
    with ListenerThread(_tls_settings(settings, tls_files), udp_port=0, tcp_port=0, tls_port=0) as t:
        with _tls_client(t.listener.tls_port, tls_files["ca"]) as s:
            s.sendall(_octet([line(i) for i in range(20)]))
        wait_for(lambda: redis_client.xlen(settings.events.stream) == 20, what="20 events over TLS")
        # plain TCP to the TLS port is not syslog: nothing gets through
        send_tcp(t.listener.tls_port, line(99) + b"\n")
        time.sleep(0.3)
    assert redis_client.xlen(settings.events.stream) == 20


def test_with_required_client_certificates_only_senders_the_ca_signed_get_in(settings, redis_client, tls_files):
    import ssl

    s = _tls_settings(settings, tls_files, syslog_tls_ca_file=tls_files["ca"], syslog_tls_require_client_cert=True)
    with ListenerThread(s, udp_port=0, tcp_port=0, tls_port=0) as t:
        port = t.listener.tls_port
        with _tls_client(port, tls_files["ca"], tls_files["client"]) as c:
            c.sendall(_octet([line(1), line(2)]))
        wait_for(lambda: redis_client.xlen(settings.events.stream) == 2, what="2 events from the device")
        for pem in (None, tls_files["stranger"]):
            try:
                with _tls_client(port, tls_files["ca"], pem) as c:
                    c.sendall(_octet([line(3)]))
                    assert c.recv(1) == b""  # TLS 1.3: the refusal arrives after the handshake
            except (ssl.SSLError, ConnectionResetError, BrokenPipeError):
                pass
        time.sleep(0.3)
    assert redis_client.xlen(settings.events.stream) == 2


def test_tls_without_a_certificate_is_a_clear_config_error(settings):
    from netcache.errors import ConfigError
    from netcache.events.syslog.listener import tls_context

    with pytest.raises(ConfigError, match="SYSLOG_TLS_CERT_FILE"):
        tls_context(settings.events)


def test_a_device_name_with_control_characters_is_an_error_not_an_event(listener, redis_client, settings):
    bad = [line(1, device="rtr\x00-9"), line(2, device="rtr\x1b[2J"), line(3, device="rtr\x7f")]
    send_udp(listener.listener.udp_port, bad + [line(4)])
    wait_for(lambda: counters(listener)["received"] == 4, what="4 datagrams")
    wait_for(lambda: redis_client.xlen(settings.events.stream) == 1, what="the good one")
    assert counters(listener)["errors"] + counters(listener)["unrecognized"] == 3
    assert [e.device for e in stream_events(redis_client, settings)] == ["rtr-001"]
