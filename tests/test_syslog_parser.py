"""The syslog parser: real-format messages per vendor rule, framing variants, and hostile input."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from netcache.events.syslog.parser import SyslogParser, parse_frame, parse_syslog
from netcache.events.syslog.vendor_rules import VENDORS, load_rules

SAMPLES = [json.loads(line) for line in
           (Path(__file__).parent / "data" / "syslog" / "vendor_messages.jsonl").read_text().splitlines()]
NOW = datetime(2026, 11, 28, 4, 0, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def parser() -> SyslogParser:
    return SyslogParser()


@pytest.mark.parametrize("sample", SAMPLES, ids=[f"{s['vendor']}-{i}" for i, s in enumerate(SAMPLES)])
def test_real_vendor_message_becomes_the_expected_event(parser, sample):
    result = parser.parse(sample["raw"], "192.0.2.1", now=NOW)
    assert result.status == "event", result.reason
    event = result.event.model_dump(mode="json")
    assert event["vendor"] == sample["vendor"]
    assert event["source"] == "syslog"
    assert event["raw"] == sample["raw"]
    for key, expected in sample["expect"].items():
        assert event[key] == expected, (key, event)


CORPUS = [json.loads(line)["raw"] for line in
          (Path(__file__).parent / "data" / "syslog" / "corpus.jsonl").read_text().splitlines() if line.strip()]


def test_every_rule_in_every_vendor_table_has_a_real_message_that_exercises_it(parser):
    used = {parser.parse(raw, "192.0.2.1", now=NOW).rule for raw in [s["raw"] for s in SAMPLES] + CORPUS}
    every = {rule.name for rule in load_rules().rules}
    assert sorted(every - used) == []
    assert {s["vendor"] for s in SAMPLES} <= set(VENDORS)


def test_a_junos_bgp_transition_that_never_touches_established_is_a_state_change():
    line = ("<28>Jun 21 14:03:12  vmx01 rpd[2902]: RPD_BGP_NEIGHBOR_STATE_CHANGED: BGP peer 1.1.1.1 (External AS "
            "2222) changed state from Active to Connect (event ConnectRetry) (instance master)")
    event = parse_syslog(line, now=NOW).event
    assert (event.type, event.neighbor, event.old_state, event.new_state) == (
        "bgp_state_change", "1.1.1.1", "Active", "Connect")


def test_an_rsyslog_rfc5424_relay_of_a_cisco_line_reads_the_devices_own_header():
    line = ("<187>1 2026-11-28T03:41:09.000000+00:00 relay-01 4711 - - - rtr-007: *Nov 28 03:41:07.100: "
            "%LINEPROTO-5-UPDOWN: Line protocol on Interface GigabitEthernet0/1, changed state to down")
    result = parse_syslog(line, now=NOW)
    assert (result.header.host, result.header.seq, result.header.app, result.header.clock_synced) == (
        "rtr-007", 4711, None, False)
    assert (result.event.device, result.event.interface, result.message_id) == (
        "rtr-007", "GigabitEthernet0/1", "%LINEPROTO-5-UPDOWN")


def test_an_eos_interface_followed_by_its_description_is_read_without_it():
    line = ("<189>Nov 28 03:41:07 leaf-01 Ebra: %LINEPROTO-5-UPDOWN: Line protocol on Interface Ethernet1 "
            "(to spine-1, Ethernet3), changed state to down")
    event = parse_syslog(line, now=NOW).event
    assert (event.interface, event.state, event.vendor) == ("Ethernet1", "down", "arista_eos")


def test_vendor_forced_for_a_source_network_picks_that_vendors_rules():
    line = "<189>Nov 27 03:00:00 leaf-9 %LINEPROTO-5-UPDOWN: Line protocol on Interface Ethernet3, changed state to down"
    p = SyslogParser(vendor_by_source={"10.9.0.0/16": "arista_eos"})
    assert p.parse(line, "10.9.1.1", now=NOW).event.vendor == "arista_eos"
    assert p.parse(line, "10.8.1.1", now=NOW).event.vendor == "cisco_ios"


def test_vendor_forced_globally_leaves_other_vendors_messages_unrecognized():
    line = "<189>Jan 20 10:00:00 router1 %BGP-5-ADJCHANGE: neighbor 1.2.3.4 Up"
    result = SyslogParser(vendor="junos").parse(line, now=NOW)
    assert result.status == "unrecognized"
    assert result.key == "BGP-ADJCHANGE"


def test_rfc5424_header_and_structured_data_are_parsed():
    line = ('<165>1 2026-11-27T22:14:15.003+02:00 mx-01 mgd 7729 UI_COMMIT '
            '[junos@2636.1.1.1.2.39 username="ops\\"1" command="commit"][meta seq="7"] '
            "\ufeffUser 'ops' requested 'commit' operation")
    header = parse_frame(line, now=NOW)
    assert header.format == "rfc5424"
    assert (header.facility, header.severity) == (20, 5)
    assert header.timestamp == datetime(2026, 11, 27, 20, 14, 15, 3000, tzinfo=UTC)
    assert (header.host, header.app, header.procid, header.msgid) == ("mx-01", "mgd", "7729", "UI_COMMIT")
    assert header.structured_data == {"junos@2636.1.1.1.2.39": {"username": 'ops"1', "command": "commit"},
                                      "meta": {"seq": "7"}}
    assert header.message == "User 'ops' requested 'commit' operation"
    event = parse_syslog(line, now=NOW).event
    assert (event.type, event.device, event.user, event.vendor) == ("config_change", "mx-01", "ops", "junos")


def test_a_year_less_december_timestamp_read_in_january_belongs_to_the_previous_year():
    january = datetime(2027, 1, 1, 0, 5, tzinfo=UTC)
    header = parse_frame("<189>Dec 31 23:59:58 rtr-001 %SYS-5-RESTART: System restarted", now=january)
    assert header.timestamp == datetime(2026, 12, 31, 23, 59, 58, tzinfo=UTC)


def test_a_device_time_zone_is_converted_to_utc():
    line = "<189>1179: csr-03: May 31 15:25:53.743 MEST: %LINK-5-CHANGED: Interface Gi2, changed state to administratively down"
    event = parse_syslog(line, now=NOW).event
    assert event.occurred_at == datetime(2026, 5, 31, 13, 25, 53, 743000, tzinfo=UTC)


def test_an_unsynchronised_clock_is_not_trusted_but_the_id_still_deduplicates():
    line = "<187>123: rtr-001: *Mar  1 00:01:02.345 UTC: %LINK-3-UPDOWN: Interface Gi0/1, changed state to down"
    first = parse_syslog(line, now=NOW).event
    second = parse_syslog(line, now=datetime(2026, 11, 28, 4, 0, 3, tzinfo=UTC)).event
    assert first.occurred_at == NOW  # the 1993-style boot clock is ignored
    assert first.id == second.id
    other = parse_syslog(line.replace("Gi0/1", "Gi0/2"), now=NOW).event
    assert other.id != first.id


def test_the_same_synced_message_parsed_twice_has_the_same_id_and_a_different_one_does_not():
    line = "<189>Jan 20 10:00:00 router1 %BGP-5-ADJCHANGE: neighbor 1.2.3.4 Up"
    a = parse_syslog(line, now=NOW).event
    b = parse_syslog(line, now=datetime(2026, 11, 28, 5, tzinfo=UTC)).event
    c = parse_syslog(line.replace("10:00:00", "10:00:01"), now=NOW).event
    assert a.id == b.id != c.id


def test_severity_comes_from_pri_or_else_from_the_cisco_mnemonic():
    with_pri = parse_syslog("<190>Nov 27 03:00:00 rtr-001 %LINK-3-UPDOWN: Interface Gi0/1, changed state to up", now=NOW)
    without = parse_syslog("Nov 27 03:00:00 rtr-001 %LINK-3-UPDOWN: Interface Gi0/1, changed state to up", now=NOW)
    assert with_pri.event.severity == 6
    assert without.event.severity == 3


def test_a_relayed_cisco_line_keeps_the_devices_sequence_number_and_its_own_timestamp():
    line = ("<189>Nov 28 03:41:07 10.0.0.1 4711: rtr-001: Nov 28 2026 04:41:07.250 CET: "
            "%LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down")
    header = parse_frame(line, now=NOW)
    assert (header.format, header.host, header.seq) == ("rfc3164", "rtr-001", 4711)
    assert header.timestamp == datetime(2026, 11, 28, 3, 41, 7, 250000, tzinfo=UTC)
    assert header.clock_synced and header.app is None
    assert header.message.startswith("%LINK-3-UPDOWN: Interface GigabitEthernet0/1")


def test_an_unsynchronised_device_clock_behind_a_relay_header_is_still_not_trusted():
    line = "<189>Nov 28 03:41:07 rtr-001 123: *Nov 28 03:41:07.123: %LINK-3-UPDOWN: Interface Gi0/1, changed state to down"
    header = parse_frame(line, now=NOW)
    assert (header.host, header.seq, header.clock_synced) == ("rtr-001", 123, False)
    event = parse_syslog(line, now=NOW).event
    assert event.occurred_at == NOW
    assert event.id == parse_syslog(line, now=datetime(2026, 11, 28, 4, 0, 3, tzinfo=UTC)).event.id


def test_the_relay_header_host_is_used_when_the_device_sends_no_name_of_its_own():
    header = parse_frame("<189>Nov 28 03:41:07 10.0.0.1 123: %LINK-3-UPDOWN: Interface Gi0/1, changed state to down",
                         now=NOW)
    assert (header.host, header.seq, header.message[:14]) == ("10.0.0.1", 123, "%LINK-3-UPDOWN")


def test_an_origin_id_host_without_timestamps_is_the_host_not_a_tag():
    event = parse_syslog("<189>45: rtr-001: %LINK-3-UPDOWN: Interface Gi0/1, changed state to down", now=NOW).event
    assert (event.device, event.vendor, event.interface) == ("rtr-001", "cisco_ios", "GigabitEthernet0/1")


@pytest.mark.parametrize(("line", "host", "app"), [
    ("<13>Jun  5 10:00:00 host1 cron: Jun  5 10:00:00 job ran", "host1", "cron"),
    ("<165>Feb  6 09:42:36 veos01 Ebra: %LINEPROTO-5-UPDOWN: Line protocol on Interface Ethernet28, changed state to down",
     "veos01", "Ebra"),
    ("<30>Nov 27 03:00:00 sonic-leaf1 INFO bgp#bgpd[51]: %ADJCHANGE: neighbor 10.0.0.57(ARISTA01T1) in vrf default Up",
     "sonic-leaf1", "bgp#bgpd"),
])
def test_an_rfc3164_tag_is_not_mistaken_for_a_cisco_host(line, host, app):
    header = parse_frame(line, now=NOW)
    assert (header.host, header.app) == (host, app)


def test_a_message_without_host_uses_the_sender_address_as_device():
    line = "<189>124: %LINEPROTO-5-UPDOWN: Line protocol on Interface GigabitEthernet0/1, changed state to up"
    assert parse_syslog(line, "198.51.100.7", now=NOW).event.device == "198.51.100.7"
    result = parse_syslog(line, None, now=NOW)
    assert result.status == "error" and "no host" in result.reason


@pytest.mark.parametrize("line", [
    "<13>Jun  5 10:00:00 host1 app: something else entirely",
    "<28>Jun 21 14:03:12  vmx01 rpd[2902]: RPD_SCHED_SLIP: 5 sec scheduler slip, user: 0 sec 12345 usec",
    "<189>12: rtr-001: Nov 27 03:00:00.000: %LINK-5-CHANGED: Interface Loopback9, changed state to deleted",
    "<189>12: rtr-001: Nov 27 03:00:00.000: %SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: a] [Source: 10.0.0.9]",
])
def test_well_framed_messages_no_rule_knows_are_unrecognized_not_errors(line):
    result = parse_syslog(line, now=NOW)
    assert result.status == "unrecognized"
    assert result.to_dict() == {"unrecognized": True, "raw": line, "key": result.key, "reason": result.reason}


@pytest.mark.parametrize(("line", "reason"), [
    ("", "empty"),
    ("<999>Nov 27 03:00:00 h x: y", "PRI 999 out of range"),
    ("<12 Nov 27 03:00:00 h x: y", "malformed PRI"),
    ("just some text", "not a syslog message"),
    ("<13>2 2026-11-27T00:00:00Z h app 1 id - msg", "unsupported syslog version"),
    ("<13>1 2026-13-45T00:00:00Z h app 1 id - msg", "bad RFC 5424 timestamp"),
    ("<13>1 2026-11-27T00:00:00Z h app 1 id [open x=\"1\" msg", "not closed"),
    ("<13>Feb 30 10:00:00 h app: msg", "bad timestamp"),
])
def test_malformed_framing_is_an_error_with_a_clear_reason(line, reason):
    result = parse_syslog(line, now=NOW)
    assert result.status == "error"
    assert reason in result.reason
    assert result.to_dict() == {"error": result.reason, "raw": line}


@hsettings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_arbitrary_bytes_never_raise_and_always_get_a_status(data):
    result = SyslogParser().parse(data, "192.0.2.1")
    assert result.status in ("event", "unrecognized", "error")
    assert (result.event is not None) == (result.status == "event")
    assert "internal parser error" not in (result.reason or "")


@hsettings(max_examples=400, deadline=None)
@given(st.sampled_from(SAMPLES), st.integers(0, 400), st.integers(0, 30),
       st.text(alphabet=" <>:%[]()*.-0123456789abcXYZ\"'\\|#\x00\ufeff", max_size=6))
def test_near_miss_lines_never_raise(sample, cut, drop, junk):
    raw = sample["raw"]
    mutated = raw[:cut] + junk + raw[cut + drop:]
    result = SyslogParser().parse(mutated, "192.0.2.1", now=NOW)
    assert result.status in ("event", "unrecognized", "error")
    assert "internal parser error" not in (result.reason or "")
    json.dumps(result.to_dict(), default=str)


def test_settings_can_add_a_rules_file_and_force_a_vendor(tmp_path):
    from netcache.settings import Settings

    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"cisco_ios": [
        {"key": "SYS-LOGOUT", "type": "config_change", "const": {"method": "logout"},
         "pattern": r"User (?P<user>\S+) has exited tty session"}]}))
    s = Settings(_env_file=None, events={"syslog_rules_file": str(rules), "syslog_vendor": "cisco_ios"})
    parser = SyslogParser.from_settings(s)
    ok = parser.parse("<189>9: rtr-001: Nov 27 03:00:00.000: %SYS-6-LOGOUT: User bob has exited tty session 2(10.0.0.1)")
    assert (ok.event.type, ok.event.user, ok.event.method) == ("config_change", "bob", "logout")
    junos = parser.parse("<28>Jul 20 21:45:59 vmx01 mib2d[2424]: SNMP_TRAP_LINK_UP: ifIndex 502, ifAdminStatus "
                         "up(1), ifOperStatus up(1), ifName xe-0/0/0")
    assert junos.status == "unrecognized"  # vendor forced to cisco_ios


@pytest.mark.parametrize(("line", "message_id", "vendor"), [
    ("<189>12: rtr-001: Nov 27 03:00:00.000: %SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: a] [Source: 10.0.0.9]",
     "%SEC_LOGIN-5-LOGIN_SUCCESS", "cisco_ios"),
    ("<28>Jun 21 14:03:12 vmx01 rpd[2902]: RPD_SOMETHING_NEW: whatever it says", "RPD_SOMETHING_NEW", "junos"),
    ("<13>Jun  5 10:00:00 host1 cron: job ran", "cron", None),
])
def test_an_unrecognized_line_still_carries_its_message_id_and_vendor_guess(line, message_id, vendor):
    result = parse_syslog(line, now=NOW)
    assert result.status == "unrecognized"
    assert (result.message_id, result.vendor) == (message_id, vendor)


def test_an_event_carries_the_message_id_as_the_device_wrote_it():
    result = parse_syslog("<189>Jan 20 10:00:00 router1 %BGP-5-ADJCHANGE: neighbor 1.2.3.4 Up", now=NOW)
    assert (result.status, result.message_id, result.key) == ("event", "%BGP-5-ADJCHANGE", "BGP-ADJCHANGE")
