"""Device syslog through real relays: a private rsyslogd and syslog-ng, loaded with the configs in
docs/configs (rendered as docs/syslog-relays.md says), forward to a real ``netcache syslog`` process
over UDP and TCP with the templates people use; the events are read back from the Redis stream."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from netcache.cli.main import main
from netcache.devtools.local_redis import free_port
from netcache.events.syslog.parser import SyslogParser
from netcache.events.syslog.unrecognized import read_top
from netcache.keys import SyslogUnrecognizedKeys
from netcache.metrics.export import render_prometheus
from tests.support.relays import NetcacheSyslog, health, start_rsyslogd, start_syslog_ng, stream_events, wait_for

#: (what a device sends, the event it must give: type, device, interface or neighbor, state)
DEVICE_LINES: list[tuple[str, tuple[str, str, str, str | None]]] = [
    # IOS with sequence numbers and `logging origin-id hostname`: no RFC 3164 header of its own
    ("<187>4711: rtr-001: *Nov 28 03:41:07.123 UTC: %LINK-3-UPDOWN: Interface GigabitEthernet0/1, "
     "changed state to down", ("interface_flap", "rtr-001", "GigabitEthernet0/1", "down")),
    ("<189>4712: rtr-002: Nov 28 03:41:08.250 UTC: %BGP-5-ADJCHANGE: neighbor 10.0.0.2 Down Interface flap",
     ("bgp_down", "rtr-002", "10.0.0.2", None)),
    # IOS with an RFC 3164 header
    ("<189>Nov 28 03:41:09 rtr-003 %LINEPROTO-5-UPDOWN: Line protocol on Interface GigabitEthernet0/2, "
     "changed state to up", ("interface_flap", "rtr-003", "GigabitEthernet0/2", "up")),
    ("<165>Nov 28 03:41:10 leaf-01 Ebra: %LINEPROTO-5-UPDOWN: Line protocol on Interface Ethernet28, "
     "changed state to down", ("interface_flap", "leaf-01", "Ethernet28", "down")),
    ("<189>2026 Nov 28 03:41:11 n9k-01 %ETHPORT-5-IF_DOWN_ADMIN_DOWN: Interface Ethernet1/1 is down "
     "(Administratively down)", ("interface_flap", "n9k-01", "Ethernet1/1", "down")),
    ("<187>100: gw2.acy1 LC/0/2/CPU0:Nov 28 03:41:12.834 : ifmgr[214]: %PKT_INFRA-LINK-3-UPDOWN : "
     "Interface TenGigE0/2/0/4, changed state to Down", ("interface_flap", "gw2.acy1", "TenGigE0/2/0/4", "down")),
    ("<28>Nov 28 03:41:13 vmx01 mib2d[2424]: SNMP_TRAP_LINK_DOWN: ifIndex 502, ifAdminStatus up(1), "
     "ifOperStatus down(2), ifName xe-0/0/0", ("interface_flap", "vmx01", "xe-0/0/0", "down")),
    ("<28>Nov 28 03:41:14 vmx01 rpd[2902]: RPD_BGP_NEIGHBOR_STATE_CHANGED: BGP peer 10.1.1.1 (External AS 65010) "
     "changed state from Established to Idle (event RecvNotify) (instance master)",
     ("bgp_down", "vmx01", "10.1.1.1", None)),
    # Junos sending RFC 5424 itself (structured-data yes)
    ('<28>1 2026-11-28T03:41:15.123Z vmx02 rpd 2902 RPD_BGP_NEIGHBOR_STATE_CHANGED [junos@2636.1.1.1.2.18 '
     'peer-name="10.1.1.2"] BGP peer 10.1.1.2 (External AS 65011) changed state from Established to Idle '
     '(event HoldTime) (instance master)', ("bgp_down", "vmx02", "10.1.1.2", None)),
    ("<30>Nov 28 03:41:16 sonic-leaf1 INFO bgp#bgpd[51]: %ADJCHANGE: neighbor 10.0.0.57(ARISTA01T1) in vrf "
     "default Up", ("bgp_up", "sonic-leaf1", "10.0.0.57", None)),
]
#: Noise: must give no event, and is counted as unrecognized under its message id.
NOISE = ("<190>Nov 28 03:41:17 rtr-001 %SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: alice] "
         "[Source: 10.9.9.9] [localport: 22] at 03:41:17 UTC Sat Nov 28 2026")
NOISE_ID = "%SEC_LOGIN-5-LOGIN_SUCCESS"


def summary(event) -> tuple[str, str, str, str | None]:
    target = getattr(event, "interface", None) or getattr(event, "neighbor", None)
    return event.type, event.device, target, getattr(event, "state", None)


@pytest.fixture
def netcache_syslog(redis_url):
    proc = NetcacheSyslog(redis_url)
    yield proc
    proc.stop()


def is_rfc5424(line: str) -> bool:
    return line.split(">", 1)[1].startswith("1 ")


def relay_through(start, tmp_path, variables, netcache_syslog, redis_client, settings, device_transport):
    """Send every device line and the noise line through the relay; the events on the stream.
    With ``RELAY_RFC5424_PORT`` set, devices' RFC 5424 lines go there (UDP)."""
    relay = start(tmp_path, variables)
    lines = [line for line, _ in DEVICE_LINES] + [NOISE]
    own_port = variables.get("RELAY_RFC5424_PORT")
    try:
        if own_port:
            relay.send_udp([line for line in lines if is_rfc5424(line)], int(own_port))
        rest = [line for line in lines if not (own_port and is_rfc5424(line))]
        (relay.send_tcp if device_transport == "tcp" else relay.send_udp)(rest)
        wait_for(lambda: netcache_syslog.counter("received") >= len(lines), 30,
                 f"{len(lines)} lines at netcache (relay log: {relay.output()[-2000:]})")
        wait_for(lambda: netcache_syslog.counter("published") + netcache_syslog.counter("duplicates")
                 >= netcache_syslog.counter("parsed"), 10, "the parsed lines published")
    finally:
        relay.stop()
    return stream_events(redis_client, settings.events.stream)


def check_events(events, netcache_syslog, redis_client, settings) -> None:
    got = sorted(summary(e) for e in events)
    missing = [line for line, expect in DEVICE_LINES if expect not in got]
    extra = [g for g in got if g not in [expect for _, expect in DEVICE_LINES]]
    received = [t["sample"] for t in read_top(redis_client, settings.key_prefix, 50)]
    assert not missing and not extra, (f"no right event for {missing}; unexpected events {extra}; "
                                       f"unrecognized as received from the relay: {received}")
    assert len(got) == len(DEVICE_LINES)
    assert netcache_syslog.counter("unrecognized") == 1 and netcache_syslog.counter("errors") == 0
    wait_for(lambda: redis_client.zscore(SyslogUnrecognizedKeys(settings.key_prefix).ids, NOISE_ID) == 1.0,
             5, "the noise line's id in the unrecognized top list")


RSYSLOG_CASES = [  # (relay → netcache protocol, rsyslog template)
    ("tcp", "RSYSLOG_SyslogProtocol23Format"),  # RFC 5424, octet-counted
    ("udp", "RSYSLOG_SyslogProtocol23Format"),
    ("tcp", "RSYSLOG_ForwardFormat"),           # RFC 3164 with an RFC 3339 timestamp
    ("udp", "RSYSLOG_TraditionalForwardFormat"),  # RFC 3164
    ("tcp", "RSYSLOG_TraditionalForwardFormat"),
]


@pytest.mark.parametrize("protocol,template", RSYSLOG_CASES)
def test_device_lines_relayed_by_rsyslog_become_events_named_after_the_device(
        netcache_syslog, redis_client, settings, tmp_path, protocol, template):
    variables = {"NETCACHE_HOST": "127.0.0.1", "NETCACHE_SYSLOG_PORT": str(
        netcache_syslog.tcp_port if protocol == "tcp" else netcache_syslog.udp_port),
        "NETCACHE_SYSLOG_PROTOCOL": protocol, "NETCACHE_SYSLOG_TEMPLATE": template, "RELAY_PORT": str(free_port())}
    events = relay_through(start_rsyslogd, tmp_path, variables, netcache_syslog, redis_client, settings, protocol)
    check_events(events, netcache_syslog, redis_client, settings)


SYSLOG_NG_CASES = [("syslog", "tcp"), ("syslog", "udp"), ("network", "udp"), ("network", "tcp")]


@pytest.mark.parametrize("driver,protocol", SYSLOG_NG_CASES)
def test_device_lines_relayed_by_syslog_ng_become_events_named_after_the_device(
        netcache_syslog, redis_client, settings, tmp_path, driver, protocol):
    variables = {"NETCACHE_HOST": "127.0.0.1", "NETCACHE_SYSLOG_PORT": str(
        netcache_syslog.tcp_port if protocol == "tcp" else netcache_syslog.udp_port),
        "NETCACHE_SYSLOG_DRIVER": driver, "NETCACHE_SYSLOG_PROTOCOL": protocol, "RELAY_PORT": str(free_port()),
        "RELAY_RFC5424_PORT": str(free_port()), "RELAY_BUFFER_DIR": str(tmp_path)}
    events = relay_through(start_syslog_ng, tmp_path, variables, netcache_syslog, redis_client, settings, "udp")
    check_events(events, netcache_syslog, redis_client, settings)


def test_rsyslog_holds_lines_while_netcache_is_down_and_delivers_them_when_it_is_back(
        redis_url, redis_client, settings, tmp_path):
    port = free_port()
    variables = {"NETCACHE_HOST": "127.0.0.1", "NETCACHE_SYSLOG_PORT": str(port), "NETCACHE_SYSLOG_PROTOCOL": "tcp",
                 "NETCACHE_SYSLOG_TEMPLATE": "RSYSLOG_SyslogProtocol23Format", "RELAY_PORT": str(free_port())}
    relay = start_rsyslogd(tmp_path, variables)
    listener = None
    try:
        relay.send_udp([DEVICE_LINES[3][0], DEVICE_LINES[6][0]])  # netcache is not running yet
        listener = NetcacheSyslog(redis_url, tcp_port=port)
        # rsyslog retries the suspended action every resumeInterval (5 s)
        wait_for(lambda: redis_client.xlen(settings.events.stream) == 2, 30, "the held lines delivered")
    finally:
        relay.stop()
        if listener is not None:
            listener.stop()
    assert sorted(summary(e) for e in stream_events(redis_client, settings.events.stream)) == sorted(
        [DEVICE_LINES[3][1], DEVICE_LINES[6][1]])


def test_unrecognized_lines_are_in_the_ratio_metrics_and_status_shows_their_ids_with_a_clean_sample(
        netcache_syslog, redis_client, settings):
    hostile = "<190>Nov 28 03:41:18 rtr-009 %FOO-5-BAR: evil \x1b[2J\x07 text " + "x" * 600
    lines = [line for line, _ in DEVICE_LINES] + [NOISE, NOISE, hostile]
    with socket.create_connection(("127.0.0.1", netcache_syslog.tcp_port), timeout=5) as s:
        s.sendall("".join(f"{len(m.encode())} {m}" for m in lines).encode())  # octet-counted
    wait_for(lambda: netcache_syslog.counter("received") == len(lines), 20, "every line received")
    ids = SyslogUnrecognizedKeys(settings.key_prefix).ids
    wait_for(lambda: redis_client.zcard(ids) == 2, 10, "two unrecognized ids in Redis")
    wait_for(lambda: health(redis_client, settings.key_prefix).get("unrecognized") == 3, 10, "health counters")
    expected_ratio = 3 / (len(DEVICE_LINES) + 3)

    # the listener's own /metrics
    own = netcache_syslog.metrics()
    assert f"netcache_syslog_unrecognized_ratio {expected_ratio!r}" in own
    # the global `netcache metrics` view, summed over every listener from Redis
    wait_for(lambda: f"netcache_syslog_unrecognized_ratio {expected_ratio!r}" in
             render_prometheus(redis_client, settings).decode(), 10, "the global ratio")
    text = render_prometheus(redis_client, settings).decode()
    assert 'netcache_syslog_window_lines{outcome="unrecognized"} 3.0' in text
    assert f'netcache_syslog_window_lines{{outcome="parsed"}} {float(len(DEVICE_LINES))!r}' in text

    env = {k: v for k, v in os.environ.items() if not k.startswith("NETCACHE_")}
    env["NETCACHE_REDIS_URL"] = settings.redis_url
    result = CliRunner().invoke(main, ["status"], env=env)
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"{expected_ratio:.1%} of {len(DEVICE_LINES) + 3} lines" in out
    assert out.index(NOISE_ID) < out.index("%FOO-5-BAR")  # most frequent first
    assert f"{NOISE_ID}  2 lines" in out and "Login Success [user: alice]" in out
    sample = next(row for row in out.splitlines() if "evil" in row)
    assert "\\x1b[2J\\x07" in sample and "\x1b" not in out and "\x07" not in out
    assert sample.strip().endswith("…") and len(sample.strip()) <= 300


RECORDED = [json.loads(row) for row in
            (Path(__file__).parent / "data" / "syslog" / "relayed.jsonl").read_text().splitlines()]


@pytest.mark.parametrize("row", RECORDED, ids=lambda r: f"{r['relay']}-{'-'.join(v for k, v in r.items() if k.startswith('NETCACHE'))}-"
                         f"{r['expect']['device']}")
def test_every_line_recorded_from_a_real_relay_parses_into_the_devices_event(row):
    """What rsyslog and syslog-ng really forwarded (recorded by tests/support/capture_relayed.py with the
    configs above): the parser alone, no relay needed."""
    result = SyslogParser().parse(row["forwarded"], "127.0.0.1")
    assert result.event is not None, f"{result.status}: {result.reason} ({row['forwarded']})"
    assert dict(zip(("type", "device", "target", "state"), summary(result.event))) == row["expect"]
