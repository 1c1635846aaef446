"""NetBox webhook → events, and the X-Hook-Signature check."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from netcache.errors import EventError
from netcache.events.webhooks.netbox import compute_signature, map_netbox, verify_signature

DATA = Path(__file__).parent / "data" / "webhooks"


def body(name: str) -> dict:
    return json.loads((DATA / name).read_text())


def test_the_signature_is_the_hex_hmac_sha512_of_the_raw_body():
    raw = (DATA / "netbox_device_updated.json").read_bytes()
    expected = hmac.new(b"s3cret", raw, hashlib.sha512).hexdigest()
    assert compute_signature("s3cret", raw) == expected
    assert verify_signature("s3cret", raw, expected)
    assert verify_signature("s3cret", raw, expected.upper())  # hex case does not matter
    assert not verify_signature("s3cret", raw + b" ", expected)
    assert not verify_signature("other", raw, expected)
    assert not verify_signature("s3cret", raw, None) and not verify_signature("s3cret", raw, "")


def test_a_device_update_becomes_a_config_change_listing_the_changed_fields():
    (event,) = map_netbox(body("netbox_device_updated.json")).events
    assert (event.type, event.device, event.user, event.source) == ("config_change", "rtr-001", "alice", "webhook")
    assert event.changed_lines == ["description: 'edge router' -> 'edge router, NYC'",
                                   "platform: 2 -> 3", "primary_ip4: 39 -> 40"]
    assert event.occurred_at.isoformat().startswith("2026-11-28T03:20:11")


def test_a_device_moved_to_another_site_is_a_topology_change():
    data = body("netbox_device_updated.json")
    data["snapshots"]["postchange"]["site"] = 9
    data["data"]["site"] = {"id": 9, "name": "Boston 1", "slug": "bos1"}
    kinds = {e.type: e for e in map_netbox(data).events}
    assert kinds["topology_change"].site == "bos1" and kinds["topology_change"].devices == ["rtr-001"]
    assert "site changed" in kinds["topology_change"].change
    assert "config_change" in kinds  # the other fields changed too


def test_a_device_saved_without_changes_makes_no_event():
    data = body("netbox_device_updated.json")
    data["snapshots"]["postchange"] = dict(data["snapshots"]["prechange"], last_updated="2026-11-28T04:00:00Z")
    result = map_netbox(data)
    assert result.events == [] and result.ignored == "no field changed"


def test_a_deleted_device_is_a_topology_change_of_its_site():
    (event,) = map_netbox(body("netbox_device_deleted.json")).events
    assert (event.type, event.site, event.devices, event.change) == (
        "topology_change", "lon2", ["sw-acc-09"], "device deleted")


def test_a_new_cable_is_a_topology_change_between_its_devices():
    (event,) = map_netbox(body("netbox_cable_created.json")).events
    assert event.type == "topology_change" and event.devices == ["rtr-001", "sw-core-01"]
    assert event.change == "cable created"


def test_an_interface_update_is_a_config_change_on_its_device():
    (event,) = map_netbox(body("netbox_interface_updated.json")).events
    assert (event.type, event.device) == ("config_change", "rtr-001")
    assert event.changed_lines == ["interface GigabitEthernet0/1 enabled: True -> False",
                                   "interface GigabitEthernet0/1 mtu: 1500 -> 9000"]


def test_an_interface_recabled_is_a_topology_change():
    data = body("netbox_interface_updated.json")
    data["snapshots"]["postchange"]["cable"] = 91
    (event,) = map_netbox(data).events
    assert event.type == "topology_change" and event.devices == ["rtr-001"]


def test_an_ip_address_assigned_to_an_interface_is_a_config_change_and_an_unassigned_one_is_ignored():
    ip = {"event": "created", "model": "ipaddress", "username": "bob", "request_id": "r-1",
          "timestamp": "2026-11-28T03:00:00Z",
          "data": {"id": 5, "address": "10.9.9.1/24",
                   "assigned_object": {"id": 120, "name": "Gi0/2", "device": {"id": 17, "name": "rtr-001"}}}}
    (event,) = map_netbox(ip).events
    assert event.device == "rtr-001" and event.changed_lines == ["ip address 10.9.9.1/24 on Gi0/2 created"]
    ip["data"]["assigned_object"] = None
    assert map_netbox(ip).ignored.startswith("IP address is not assigned")


def test_unmapped_models_are_ignored_and_bodies_that_are_not_netbox_are_refused():
    assert map_netbox({"event": "updated", "model": "tenant", "data": {"id": 1}}).ignored == "model 'tenant' is not mapped"
    with pytest.raises(ValidationError):
        map_netbox({"event": "renamed", "model": "device", "data": {}})
    with pytest.raises(EventError, match="has no name"):
        map_netbox({"event": "created", "model": "device", "data": {"id": 3}})


def test_a_retried_delivery_gets_the_same_event_ids():
    first = map_netbox(body("netbox_cable_created.json")).events[0]
    again = map_netbox(body("netbox_cable_created.json")).events[0]
    other = body("netbox_cable_created.json")
    other["request_id"] = "another-request"
    assert first.id == again.id != map_netbox(other).events[0].id
