"""Event models and the stream entry format: validation, ids, target keys, round trips, schema."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import jsonschema
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from netcache.errors import EventError
from netcache.events.models import (
    EVENT_TYPES,
    SCHEMA_VERSION,
    BgpDown,
    InterfaceFlap,
    check_name,
    event_json_schema,
    normalize_interface,
    parse_event,
)
from netcache.events.stream import decode_entry, encode_entry

T0 = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)

EXAMPLES = [
    ({"type": "config_change", "device": "rtr-001", "user": "alice", "source_address": "10.0.0.9",
      "method": "cli", "changed_lines": ["interface Gi0/1", " shutdown"]}, "config:rtr-001"),
    ({"type": "device_reboot", "device": "rtr-001", "reason": "power"}, "device:rtr-001"),
    ({"type": "interface_flap", "device": "rtr-001", "interface": "Gi0/1", "state": "down"},
     "iface:rtr-001:GigabitEthernet0/1"),
    ({"type": "bgp_down", "device": "rtr-001", "neighbor": "10.0.0.2", "remote_as": 65001},
     "bgp:rtr-001:10.0.0.2"),
    ({"type": "bgp_up", "device": "rtr-001", "neighbor": "2001:db8:0:0::2", "vrf": "blue"},
     "bgp:rtr-001:blue:2001:db8::2"),
    ({"type": "topology_change", "site": "dc1", "devices": ["sw-1", "sw-2"], "change": "device added"},
     "topology:dc1"),
    ({"type": "topology_change", "devices": ["sw-2", "sw-1"]}, "topology:sw-1,sw-2"),
    ({"type": "ospf_adjacency", "device": "rtr-001", "neighbor": "10.0.0.2", "interface": "Te1/0/1",
      "old_state": "FULL", "new_state": "DOWN", "area": "0"}, "ospf:rtr-001:10.0.0.2"),
    ({"type": "isis_adjacency", "device": "rtr-001", "neighbor": "rtr-002", "new_state": "Up", "level": "L2"},
     "isis:rtr-001:rtr-002"),
    ({"type": "bgp_state_change", "device": "mx-01", "neighbor": "10.0.0.2+179", "old_state": "Active",
      "new_state": "Connect", "vrf": "master"}, "bgp:mx-01:10.0.0.2"),
    ({"type": "bfd_session", "device": "rtr-001", "neighbor": "10.0.0.2", "interface": "Gi0/1", "state": "down",
      "reason": "ECHO FAILURE"}, "bfd:rtr-001:10.0.0.2"),
    ({"type": "lag_member", "device": "n9k-01", "interface": "Eth1/1", "lag": "Po10", "state": "down",
      "reason": "LACP timeout"}, "iface:n9k-01:Ethernet1/1"),
    ({"type": "interface_change", "device": "sw-01", "interface": "Gi1/0/3", "setting": "duplex", "value": "half"},
     "iface:sw-01:GigabitEthernet1/0/3"),
    ({"type": "maintenance", "device": "leaf-01", "state": "entered", "profile": "default"}, "device:leaf-01"),
    ({"type": "process_restart", "device": "mx-01", "process": "rpd", "reason": "core dumped"},
     "process:mx-01:rpd"),
]


@pytest.mark.parametrize(("data", "target"), EXAMPLES, ids=[e[0]["type"] for e in EXAMPLES])
def test_each_event_type_validates_round_trips_through_json_and_has_a_target_key(data, target):
    event = parse_event({**data, "occurred_at": T0})
    assert event.type == data["type"]
    assert event.target_key() == target
    assert parse_event(event.model_dump_json()) == event
    assert parse_event(event.model_dump_json().encode()) == event
    assert event.schema_version == SCHEMA_VERSION
    assert event.summary()  # something human-readable for `events tail`


def test_every_known_type_has_an_example_here():
    assert {e[0]["type"] for e in EXAMPLES} == set(EVENT_TYPES)


@pytest.mark.parametrize(("short", "full"), [
    ("Gi0/1", "GigabitEthernet0/1"), ("gi0/1", "GigabitEthernet0/1"), ("GigabitEthernet0/1", "GigabitEthernet0/1"),
    ("Te1/0/1", "TenGigabitEthernet1/0/1"), ("Eth1/1", "Ethernet1/1"), ("Et1", "Ethernet1"),
    ("Po10", "Port-channel10"), ("Lo0", "Loopback0"), ("Vl100", "Vlan100"), ("BE100", "Bundle-Ether100"),
    ("Hu0/0/0/1", "HundredGigE0/0/0/1"), ("Gi0/1.100", "GigabitEthernet0/1.100"),
    ("ge-0/0/1", "ge-0/0/1"), ("xe-0/0/0.0", "xe-0/0/0.0"), ("Ethernet4", "Ethernet4"), ("weird", "weird"),
])
def test_interface_names_are_normalised_to_their_full_form(short, full):
    assert normalize_interface(short) == full


def test_a_config_change_says_what_kind_of_change_and_defaults_to_the_running_config():
    assert parse_event({"type": "config_change", "device": "r1"}).kind == "running"
    saved = parse_event({"type": "config_change", "device": "r1", "kind": "saved", "occurred_at": T0})
    running = parse_event({"type": "config_change", "device": "r1", "occurred_at": T0})
    assert saved.kind == "saved" and saved.id != running.id
    with pytest.raises(EventError, match="kind"):
        parse_event({"type": "config_change", "device": "r1", "kind": "pending"})


def test_an_err_disabled_port_is_an_interface_event_with_its_reason():
    e = parse_event({"type": "interface_flap", "device": "sw1", "interface": "Gi1/0/1", "state": "down",
                     "err_disabled": True, "reason": "bpduguard"})
    assert (e.err_disabled, e.reason, e.target_key()) == (True, "bpduguard", "iface:sw1:GigabitEthernet1/0/1")
    assert parse_event({"type": "interface_flap", "device": "sw1", "interface": "Gi1/0/1",
                        "state": "down"}).err_disabled is False


def test_the_id_is_derived_from_content_and_a_given_id_is_kept():
    base = {"type": "interface_flap", "device": "rtr-001", "interface": "Gi0/1", "state": "down", "occurred_at": T0}
    a = parse_event(base)
    assert a.id == parse_event({**base, "interface": "GigabitEthernet0/1", "received_at": T0 + timedelta(1)}).id
    assert a.id != parse_event({**base, "state": "up"}).id
    assert a.id != parse_event({**base, "occurred_at": T0 + timedelta(seconds=1)}).id
    assert a.id != parse_event({**base, "source": "syslog"}).id
    assert parse_event({**base, "id": "given-1"}).id == "given-1"


def test_naive_times_are_taken_as_utc_and_occurred_at_defaults_to_received_at():
    e = parse_event({"type": "device_reboot", "device": "r1", "received_at": "2026-11-28T04:00:00"})
    assert e.received_at == T0
    assert e.occurred_at == T0


def test_bgp_neighbors_are_canonical_and_default_vrfs_are_none():
    e = parse_event({"type": "bgp_down", "device": "r1", "neighbor": "10.0.0.2+179", "vrf": "master"})
    assert isinstance(e, BgpDown)
    assert (e.neighbor, e.vrf) == ("10.0.0.2", None)


@pytest.mark.parametrize(("data", "message"), [
    ({"type": "link_down", "device": "r1"}, "unknown event type 'link_down'; known types: config_change"),
    ({"device": "r1"}, "event has no 'type'; known types:"),
    ({"type": "bgp_up", "device": "r1"}, "invalid bgp_up event: neighbor: Field required"),
    ({"type": "interface_flap", "device": "r1", "interface": "Gi0/1", "state": "sideways"}, "state"),
    ({"type": "device_reboot", "device": "r1", "severity": 9}, "severity"),
    ({"type": "device_reboot", "device": "r1", "colour": "red"}, "colour: Extra inputs are not permitted"),
    ({"type": "device_reboot", "device": "r1", "schema_version": SCHEMA_VERSION + 1}, "newer than this netcache"),
    ({"type": "device_reboot", "device": "  "}, "device: must not be empty"),
    ({"type": "topology_change"}, "needs a site, a device or devices"),
    ({"type": "bfd_session", "device": "r1", "neighbor": "10.0.0.2", "state": "flapping"}, "state"),
    ({"type": "maintenance", "device": "r1"}, "state: Field required"),
    ({"type": "lag_member", "device": "r1", "state": "down"}, "interface: Field required"),
    ({"type": "device_reboot", "device": "r1", "source": "carrier-pigeon"}, "source"),
])
def test_invalid_events_raise_event_error_with_a_clear_message(data, message):
    with pytest.raises(EventError) as err:
        parse_event(data)
    assert message in str(err.value)


@pytest.mark.parametrize("raw", ["{not json", b"\xff\xfe", "[1, 2]", "42"])
def test_non_objects_and_bad_json_raise_event_error(raw):
    with pytest.raises(EventError):
        parse_event(raw)


def test_the_json_schema_accepts_real_events_and_rejects_broken_ones():
    schema = event_json_schema()
    assert schema["x-schema-version"] == SCHEMA_VERSION
    validator = jsonschema.Draft202012Validator(schema)
    for data, _ in EXAMPLES:
        validator.validate(json.loads(parse_event(data).model_dump_json()))
    assert not validator.is_valid({"type": "interface_flap", "device": "r1", "interface": "Gi0/1", "state": "x"})
    assert not validator.is_valid({"type": "nope", "device": "r1"})


@hsettings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["type", "device", "interface", "state", "neighbor", "severity", "id",
                                        "occurred_at", "site", "devices", "layer", "remote_as"]),
                       st.one_of(st.none(), st.text(max_size=12), st.integers(-5, 10**10),
                                 st.sampled_from(list(EVENT_TYPES)), st.lists(st.text(max_size=5), max_size=3))))
def test_arbitrary_dicts_either_validate_or_raise_event_error(data):
    try:
        event = parse_event(data)
    except EventError:
        return
    assert parse_event(event.model_dump_json()) == event


# --- stream entries ------------------------------------------------------------------------


def test_stream_entries_carry_routing_fields_and_decode_from_bytes():
    event = parse_event(EXAMPLES[2][0])
    fields = encode_entry(event)
    assert fields == {"v": str(SCHEMA_VERSION), "type": "interface_flap", "id": event.id, "device": "rtr-001",
                      "event": event.model_dump_json()}
    as_bytes = {k.encode(): v.encode() for k, v in fields.items()}
    assert decode_entry(as_bytes, b"1-0") == event
    assert isinstance(decode_entry(fields), InterfaceFlap)


def test_a_topology_change_without_device_encodes_an_empty_device_field():
    assert encode_entry(parse_event({"type": "topology_change", "site": "dc1"}))["device"] == ""


@pytest.mark.parametrize(("fields", "message"), [
    ({"v": "1", "type": "bgp_up"}, "stream entry 7-1 has no 'event' field (fields: type, v)"),
    ({"v": "99", "event": "{}"}, "stream entry 7-1 has schema version '99'"),
    ({"event": "{broken"}, "stream entry 7-1: event is not valid JSON"),
    ({"event": '{"type": "warp_drive"}'}, "stream entry 7-1: unknown event type 'warp_drive'"),
    ({"type": "bgp_up", "event": '{"type": "device_reboot", "device": "r1"}'}, "disagrees with the event"),
    ({b"event": b"\xff\xfe"}, "stream entry 7-1 is not UTF-8"),
])
def test_undecodable_entries_raise_event_error_naming_the_entry(fields, message):
    with pytest.raises(EventError) as err:
        decode_entry(fields, "7-1")
    assert message in str(err.value)


def test_decode_errors_keep_the_original_cause():
    with pytest.raises(EventError) as err:
        decode_entry({"event": "{broken"}, "7-1")
    assert err.value.__cause__ is not None


def test_device_and_site_names_are_lowercased_to_match_cache_tags():
    from netcache.events.models import parse_event

    flap = parse_event({"type": "interface_flap", "device": " RTR-001 ", "interface": "Gi0/1", "state": "down"})
    assert flap.device == "rtr-001"
    assert flap.target_key() == "iface:rtr-001:GigabitEthernet0/1"
    topo = parse_event({"type": "topology_change", "site": "NYC", "devices": ["Core-SW-01", "RTR-002"]})
    assert topo.site == "nyc" and topo.devices == ["core-sw-01", "rtr-002"]


# --- names: one type for devices, interfaces, sites and neighbors ---------------------------------


def _with_name(field: str, name: str) -> dict:
    return {
        "device": {"type": "device_reboot", "device": name},
        "interface": {"type": "interface_flap", "device": "rtr-001", "state": "down", "interface": name},
        "site": {"type": "topology_change", "site": name},
        "devices": {"type": "topology_change", "devices": [name]},
        "neighbor": {"type": "bgp_down", "device": "rtr-001", "neighbor": name},
    }[field]


@pytest.mark.parametrize("field", ["device", "interface", "site", "devices", "neighbor"])
@pytest.mark.parametrize("bad, why", [
    ("rtr-101\nrtr-102", "control character '\\n'"),
    ("rtr-101\x00x", "control character '\\x00'"),
    ("rtr\r2026-01-01 INFO forged", "control character '\\r'"),
    ("rtr\t1", "control character '\\t'"),
    ("rtr\x1b[31m", "control character '\\x1b'"),
    ("rtr-1  x", "double space"),
    ("rtr{device}", "the character '{'"),
    ("r" * 254, "254 characters long (at most 253)"),
])
def test_a_name_with_control_characters_or_too_long_is_refused_with_the_reason(field, bad, why):
    with pytest.raises(EventError) as err:
        parse_event(_with_name(field, bad))
    assert why in str(err.value) and field in str(err.value)


@pytest.mark.parametrize("name", ["rtr-001", "core1.ams.example.net", "10.0.0.1", "2001:db8::1", "[2001:db8::1]:161",
                                  "fe80::1%eth0", "ethernet 1/1/36", "ve 172", "ge-0/0/1.0", "et-0/0/0:1",
                                  "Port-channel 10", "1/1/c1", "sw_01", "leaf#3", "r" * 253])
def test_real_names_of_every_vendor_are_accepted(name):
    assert check_name(f" {name} ") == name
    event = parse_event({"type": "interface_flap", "device": name, "interface": name, "state": "down"})
    assert event.device == name.lower()
