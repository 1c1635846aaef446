"""``SyslogParser.explain`` and ``netcache events parse --explain``: why a line did or did not become an event."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from click.testing import CliRunner

from netcache.events.cli import events_group
from netcache.events.syslog.explain import explain_line
from netcache.events.syslog.parser import SyslogParser

NOW = datetime(2026, 11, 28, 4, 0, 0, tzinfo=UTC)


def test_a_matching_line_names_the_header_message_id_vendor_rule_and_fields():
    line = "<189>Jan 20 10:00:00 r1 %BGP-5-ADJCHANGE: neighbor 10.0.0.2 vpn vrf BLUE Down Peer closed the session"
    e = explain_line(SyslogParser(), line, now=NOW)
    assert (e.status, e.header_format, e.host, e.message_id, e.key, e.vendor) == (
        "event", "rfc3164", "r1", "%BGP-5-ADJCHANGE", "BGP-ADJCHANGE", "cisco_ios")
    assert [t.matched for t in e.tried] == [False, True]  # the "Up" rule first, then the "Down" one
    assert e.tried[1].type == "bgp_down"
    assert e.tried[1].fields["neighbor"] == "10.0.0.2" and e.tried[1].fields["vrf"] == "BLUE"
    assert e.event["type"] == "bgp_down"


def test_a_line_whose_rules_do_not_match_says_which_words_the_text_lacks():
    line = ("<28>Nov 28 03:41:07 mx-01 rpd[2902]: RPD_BGP_NEIGHBOR_STATE_CHANGED: BGP peer 10.0.0.1 "
            "(External AS 65001) moved to Idle")
    e = explain_line(SyslogParser(), line, now=NOW)
    assert e.status == "unrecognized" and e.vendor == "junos"
    assert len(e.tried) == 3 and not any(t.matched for t in e.tried)
    assert all("'changed state from'" in t.why for t in e.tried)


def test_a_message_id_without_rules_and_a_framing_error_are_explained():
    none = explain_line(SyslogParser(), "<189>12: rtr-001: Nov 27 03:00:00.000: %SEC_LOGIN-5-LOGIN_SUCCESS: Login", now=NOW)
    assert (none.status, none.tried, none.message_id) == ("unrecognized", (), "%SEC_LOGIN-5-LOGIN_SUCCESS")
    assert "none for message id 'SEC_LOGIN-LOGIN_SUCCESS'" in none.to_text()
    bad = explain_line(SyslogParser(), "just words", now=NOW)
    assert bad.status == "error" and "not a syslog message" in bad.to_text()


def test_the_cli_prints_the_explanation_as_text_or_json():
    line = "<189>Nov 28 03:41:07 sw-1 %EC-5-UNBUNDLE: Interface Gi1/0/2 left the port-channel Po1"
    text = CliRunner().invoke(events_group, ["parse", "--explain", line])
    assert text.exit_code == 0, text.output
    assert "message id:  %EC-5-UNBUNDLE" in text.output
    assert "matched    cisco_ios:EC-UNBUNDLE" in text.output and "lag_member" in text.output
    as_json = CliRunner().invoke(events_group, ["parse", "--explain", line, "--json"])
    data = json.loads(as_json.stdout)
    assert data["event"]["lag"] == "Port-channel1" and data["tried"][0]["matched"] is True
