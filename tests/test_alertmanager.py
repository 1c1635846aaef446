"""Alertmanager payload → events: the rules table, ids that survive re-sends, user rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from netcache.errors import ConfigError, EventError
from netcache.events.webhooks.alertmanager import (
    DEFAULT_RULES,
    Alert,
    alert_event_id,
    load_rules,
    map_alert,
    map_payload,
)

DATA = Path(__file__).parent / "data" / "webhooks"


def payload(name: str) -> dict:
    return json.loads((DATA / name).read_text())


def alert(alertname: str, status: str = "firing", **labels: str) -> Alert:
    return Alert.model_validate({
        "status": status, "labels": {"alertname": alertname, **labels}, "annotations": {},
        "startsAt": "2026-11-28T03:00:00Z",
        "endsAt": "2026-11-28T03:05:00Z" if status == "resolved" else "0001-01-01T00:00:00Z",
        "fingerprint": "f00d",
    })


def test_a_firing_bgp_alert_becomes_bgp_down_with_the_labels_mapped():
    (event,) = map_payload(payload("alertmanager_bgp_firing.json")).events
    assert event.type == "bgp_down"
    assert (event.device, event.neighbor, event.remote_as, event.vrf) == ("rtr-001", "10.0.0.2", 65002, "blue")
    assert event.reason.startswith("BGP session to 10.0.0.2") and event.severity == 2
    assert event.occurred_at.isoformat() == "2026-11-28T03:10:00+00:00"


def test_the_resolved_alert_becomes_bgp_up_at_its_end_time_with_a_different_id():
    (down,) = map_payload(payload("alertmanager_bgp_firing.json")).events
    (up,) = map_payload(payload("alertmanager_bgp_resolved.json")).events
    assert up.type == "bgp_up" and up.occurred_at.isoformat() == "2026-11-28T03:14:30+00:00"
    assert up.id != down.id


def test_the_event_id_depends_on_fingerprint_status_and_start_only():
    a = alert("BGPSessionDown", device="rtr-001", peer="10.0.0.2")
    resent = a.model_copy(update={"annotations": {"summary": "changed wording"}})
    later = a.model_copy(update={"startsAt": a.startsAt.replace(hour=4)})
    assert alert_event_id(a) == alert_event_id(resent)
    assert alert_event_id(a) != alert_event_id(later)
    assert map_alert(a).id == map_alert(resent).id


@pytest.mark.parametrize("name", ["InterfaceDown", "LinkDown", "linkdown"])
def test_interface_alerts_map_to_flaps_down_and_then_up(name):
    down = map_alert(alert(name, device="sw-1", ifName="Gi1/0/1"))
    up = map_alert(alert(name, "resolved", device="sw-1", ifName="Gi1/0/1"))
    assert (down.type, down.state, down.interface) == ("interface_flap", "down", "GigabitEthernet1/0/1")
    assert (up.type, up.state) == ("interface_flap", "up")


def test_a_reboot_alert_becomes_device_reboot_and_its_resolution_nothing():
    assert map_alert(alert("DeviceRebooted", instance="rtr-009:9116")).device == "rtr-009"
    assert map_alert(alert("DeviceRebooted", "resolved", instance="rtr-009:9116")) is None


def test_the_device_label_wins_over_instance_and_ipv6_instances_are_kept():
    assert map_alert(alert("DeviceReload", instance="10.1.1.1:161", device="rtr-002")).device == "rtr-002"
    assert map_alert(alert("DeviceReload", instance="[2001:db8::1]:161")).device == "[2001:db8::1]:161"


def test_unknown_alertnames_are_ignored_and_alerts_missing_labels_are_rejected():
    result = map_payload(payload("alertmanager_mixed.json"))
    assert [e.type for e in result.events] == ["interface_flap", "device_reboot"]
    assert result.ignored == ["HighCPU"]
    assert result.rejected[0]["alertname"] == "BgpPeerDown" and "device labels" in result.rejected[0]["error"]
    with pytest.raises(EventError):
        map_alert(alert("BGPSessionDown", device="rtr-001"))  # no peer label: not a valid bgp_down
    with pytest.raises(LookupError):
        map_alert(alert("HighCPU", device="rtr-001"))


def test_a_payload_without_alerts_or_of_another_version_is_refused():
    with pytest.raises(ValidationError):
        map_payload({"version": "4"})
    with pytest.raises(ValidationError):
        map_payload({"version": "3", "alerts": []})
    with pytest.raises(ValidationError):
        map_payload([1, 2])


def test_user_rules_from_a_file_extend_and_override_the_table(tmp_path):
    rules_file = tmp_path / "rules.json"
    rules_file.write_text(json.dumps([
        {"alertnames": ["CoreUplinkLost"], "firing": "interface_flap", "resolved": "interface_flap",
         "fields": {"device": ["router"], "interface": ["port"]},
         "set_firing": {"state": "down", "layer": "lineproto"}, "set_resolved": {"state": "up"}},
        {"alertnames": ["DeviceRebooted"], "firing": None},
    ]))
    rules = load_rules(rules_file)
    assert len(rules) == len(DEFAULT_RULES) + 2
    event = map_alert(alert("CoreUplinkLost", router="core-1", port="Te1/1"), rules)
    assert (event.device, event.interface, event.layer) == ("core-1", "TenGigabitEthernet1/1", "lineproto")
    assert map_alert(alert("DeviceRebooted", device="rtr-001"), rules) is None


@pytest.mark.parametrize("suffix, content, match", [
    (".json", '[{"alertnames": ["X"], "firing": "volcano_eruption"}]', "unknown event type"),
    (".json", '{"rules": "nope"}', "must hold a list"),
    (".json", "[{", "not valid JSON"),
    (".yaml", "rules: [unclosed", "not valid YAML"),
])
def test_a_bad_rules_file_is_a_config_error_that_names_the_file(tmp_path, suffix, content, match):
    path = tmp_path / f"rules{suffix}"
    path.write_text(content)
    with pytest.raises(ConfigError, match=match) as info:
        load_rules(path)
    assert str(path) in str(info.value)


def test_a_yaml_rules_file_works_too(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("rules:\n  - alertnames: [PeerGone]\n    firing: bgp_down\n    resolved: bgp_up\n"
                    "    fields: {device: [device], neighbor: [peer]}\n")
    event = map_alert(alert("PeerGone", "resolved", device="r1", peer="192.0.2.1"), load_rules(path))
    assert (event.type, event.neighbor) == ("bgp_up", "192.0.2.1")
