"""Entity extraction: every entity type, canonical forms, tags, signature, inventory files."""

from __future__ import annotations

import json

import pytest

from netcache.errors import ConfigError
from netcache.matching.entities import Inventory, extract_entities, load_inventory, mask_entities, normalize_interface


@pytest.mark.parametrize(
    ("text", "device"),
    [
        ("Show BGP status on rtr-001", "rtr-001"),
        ("uptime of core-sw-01?", "core-sw-01"),
        ("is NYC-EDGE-2 reachable", "nyc-edge-2"),
        ("lldp neighbors on spine1", "spine1"),
        ("interfaces of leaf12.", "leaf12"),
        ("cpu on pe-01", "pe-01"),
        ("routes on edge-rtr-07", "edge-rtr-07"),
    ],
)
def test_device_names_are_found_by_pattern_and_lowercased(text, device):
    assert extract_entities(text).devices == {device}


@pytest.mark.parametrize(
    "text",
    ["explain OSPF LSA type-3", "what is ipv6", "RFC-4271 summary", "top-10 talkers", "layer-2 loops", "what is 802.1q"],
)
def test_words_with_digits_that_are_not_devices_are_ignored(text):
    assert extract_entities(text).devices == frozenset()


def test_inventory_names_are_found_even_without_a_pattern(tmp_path):
    inv_file = tmp_path / "inventory.txt"
    inv_file.write_text("# name site\nFIREWALL-MAIN nyc\nborder\n\nlab-box lon\n")
    inventory = load_inventory(inv_file)
    assert inventory.devices == {"firewall-main", "border", "lab-box"}
    ents = extract_entities("show sessions on firewall-main and border", inventory)
    assert ents.devices == {"firewall-main", "border"}
    assert ents.sites == {"nyc"}
    assert "site:nyc" in ents.tags()


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_inventory_loads_from_json_and_yaml_with_sites(tmp_path, suffix):
    data = {"devices": [{"name": "rtr-001", "site": "NYC"}, {"name": "gw"}]}
    path = tmp_path / f"inv{suffix}"
    if suffix == ".json":
        path.write_text(json.dumps(data))
    else:
        path.write_text("devices:\n  - name: rtr-001\n    site: NYC\n  - name: gw\n")
    inventory = load_inventory(path)
    assert inventory.devices == {"rtr-001", "gw"}
    assert inventory.site_of("RTR-001") == "nyc"
    # a hostname-shaped name is a device with or without the inventory (one key in every process)
    assert extract_entities("ping from gw").devices == extract_entities("ping from gw", inventory).devices == {"gw"}


def test_a_broken_inventory_file_raises_a_config_error_naming_it(tmp_path):
    path = tmp_path / "inv.json"
    path.write_text("{not json")
    with pytest.raises(ConfigError, match="inv.json"):
        load_inventory(path)
    with pytest.raises(ConfigError, match="missing.txt"):
        load_inventory(tmp_path / "missing.txt")


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("Gi0/1", "GigabitEthernet0/1"),
        ("gi 0/1", "GigabitEthernet0/1"),
        ("GigabitEthernet0/1", "GigabitEthernet0/1"),
        ("Te1/0/1", "TenGigabitEthernet1/0/1"),
        ("TenGigabitEthernet1/0/1", "TenGigabitEthernet1/0/1"),
        ("Fa0/24", "FastEthernet0/24"),
        ("Eth1/1", "Ethernet1/1"),
        ("Hu0/0/0/1", "HundredGigE0/0/0/1"),
        ("Fo1/0/1", "FortyGigabitEthernet1/0/1"),
        ("Twe1/0/1", "TwentyFiveGigE1/0/1"),
        ("Po1", "Port-channel1"),
        ("port-channel10", "Port-channel10"),
        ("Lo0", "Loopback0"),
        ("Tunnel10", "Tunnel10"),
        ("mgmt0", "mgmt0"),
        ("Gi0/1.100", "GigabitEthernet0/1.100"),
        ("et-0/0/0.0", "et-0/0/0.0"),
        ("XE-0/0/1", "xe-0/0/1"),
        ("ge-0/0/0", "ge-0/0/0"),
        ("ae1", "ae1"),
        ("TenGigE0/0/0/1", "TenGigE0/0/0/1"),  # IOS-XR keeps its spelling, as events/models.py does
        ("MgmtEth0/RP0/CPU0/0", "MgmtEth0/RP0/CPU0/0"),
        ("BE1", "Bundle-Ether1"),
    ],
)
def test_interface_abbreviations_normalise_to_one_name(raw, canonical):
    assert normalize_interface(raw) == canonical
    assert extract_entities(f"status of {raw} please").interfaces == {canonical}


def test_normalize_interface_rejects_what_is_not_an_interface():
    with pytest.raises(ValueError):
        normalize_interface("rtr-001")


def test_interface_vlan10_and_vlan_10_are_one_vlan_on_both_sides_and_tag_the_svi():
    svi = extract_entities("show interface Vlan10 on core-sw-01")
    assert svi.vlans == {"10"} and svi.interfaces == frozenset()
    assert svi.signature() == extract_entities("show the SVI for vlan 10 on core-sw-01").signature()
    assert "iface:core-sw-01:Vlan10" in svi.tags()
    vid = extract_entities("which ports are in vlan 10 on core-sw-01")
    assert vid.vlans == {"10"} and vid.interfaces == frozenset()
    assert extract_entities("VLAN10 members").vlans == {"10"}
    assert extract_entities("ports in vlan-10").vlans == {"10"}
    assert extract_entities("vlans 10, 20 and 30").vlans == {"10", "20", "30"}
    assert extract_entities("vlan 5000").vlans == frozenset()  # out of range


def test_addresses_and_prefixes_are_validated_and_canonical():
    ents = extract_entities("ping 10.0.0.1 and 2001:DB8:0::1 via 10.1.0.0/16, 2001:db8::/32 and 10.9.9.9/24")
    assert ents.ips == {"10.0.0.1", "2001:db8::1"}
    assert ents.prefixes == {"10.1.0.0/16", "2001:db8::/32", "10.9.9.9/24"}
    assert extract_entities("route 10.0.0.0 255.255.255.0").prefixes == {"10.0.0.0/24"}
    assert extract_entities("bad 999.1.1.1 and 10.0.0.0/40").ips == frozenset()
    # MAC addresses and clock times are not IPv6
    assert extract_entities("mac 00:1a:2b:3c:4d:5e at 10:30:00").ips == frozenset()


@pytest.mark.parametrize(
    ("text", "asn"),
    [("peers in AS 65001", "65001"), ("ASN 65001", "65001"), ("AS65001", "65001"),
     ("neighbor 10.0.0.2 remote-as 65001", "65001"), ("router bgp 65001", "65001"),
     ("AS 1.10 in asdot", "65546"), ("asn 4200000000", "4200000000")],
)
def test_as_numbers_in_every_spelling_become_asplain(text, asn):
    assert asn in extract_entities(text).asns


def test_the_english_word_as_is_not_an_as_number():
    assert extract_entities("treat it as 2 links").asns == frozenset()


@pytest.mark.parametrize(
    ("text", "vrf"),
    [("routes in vrf blue", "blue"), ("show routes in VRF MGMT", "mgmt"), ("vrf-name customer-a", "customer-a"),
     ("ip vrf forwarding RED", "red"), ("routes in the blue vrf", "blue")],
)
def test_vrf_names_are_found(text, vrf):
    assert extract_entities(text).vrfs == {vrf}


def test_vrf_followed_by_an_ordinary_word_is_not_a_vrf_name():
    assert extract_entities("show the vrf table").vrfs == frozenset()
    assert extract_entities("explain vrf lite").vrfs == frozenset()


def test_interfaces_are_tagged_under_their_device_only_when_one_device_is_named():
    one = extract_entities("is Gi0/1 up on rtr-001 in vrf blue, AS 65001, vlan 10, 10.0.0.0/24, 10.0.0.1")
    assert one.tags() == [
        "device:rtr-001", "iface:rtr-001:GigabitEthernet0/1", "iface:rtr-001:Vlan10", "ip:10.0.0.1",
        "prefix:10.0.0.0/24",
        "asn:65001", "vlan:10", "vrf:blue",
    ]
    two = extract_entities("is Gi0/1 up on rtr-001 and rtr-002")
    assert "iface:GigabitEthernet0/1" in two.tags()


def test_signature_is_stable_empty_without_entities_and_differs_on_any_swap():
    a = extract_entities("Gi0/1 on rtr-001")
    b = extract_entities("GigabitEthernet0/1 on RTR-001")
    assert a.signature() == b.signature() != ""
    assert extract_entities("what is OSPF").signature() == ""
    swaps = ["Gi0/2 on rtr-001", "Gi0/1 on rtr-002", "Gi0/1 on rtr-001 vrf red", "Gi0/1 on rtr-001 vlan 2"]
    assert len({a.signature(), *(extract_entities(s).signature() for s in swaps)}) == 5


def test_masking_replaces_entities_with_typed_placeholders():
    assert mask_entities("show Gi0/1 on rtr-001 to 10.0.0.1 in vrf blue") == \
        "show <iface> on <device> to <ip> in <vrf>"


def test_an_empty_inventory_changes_nothing():
    assert extract_entities("rtr-001", Inventory()).devices == {"rtr-001"}


def test_netmasks_and_wildcards_after_an_address_make_a_prefix_but_two_hosts_stay_two_hosts():
    assert extract_entities("ip route 10.0.0.0 255.255.255.0 10.1.1.1").prefixes == {"10.0.0.0/24"}
    assert extract_entities("permit 10.0.0.0 0.0.0.255").prefixes == {"10.0.0.0/24"}
    assert extract_entities("network 10.0.0.0 mask 255.255.0.0").prefixes == {"10.0.0.0/16"}
    assert extract_entities("ping 10.0.0.1 10.0.0.2").ips == {"10.0.0.1", "10.0.0.2"}


def test_vlan_ranges_expand_but_huge_ranges_are_not_entities():
    assert extract_entities("trunk allowed vlans 10-12 and 20").vlans == {"10", "11", "12", "20"}
    assert extract_entities("vlan 1-4094").vlans == frozenset()


def test_short_interface_abbreviations_need_a_slash_or_no_space():
    assert extract_entities("ma 2 or lo 0").interfaces == frozenset()
    assert extract_entities("Gi 0/1 and Loopback 0").interfaces == {"GigabitEthernet0/1", "Loopback0"}


def test_interface_names_match_the_event_side_so_invalidation_tags_line_up():
    from netcache.events.models import normalize_interface as event_normalize

    for name in ["Gi0/1", "Te1/0/1", "TenGigE0/0/0/1", "Fa0/1", "Eth1/1", "Hu0/0/0/1", "Fo1/0/1", "Twe1/0/1",
                 "Po1", "Lo0", "Tunnel1", "Vlan10", "mgmt0", "ge-0/0/0", "xe-0/0/1.0", "ae1", "BE1", "Se0/0/0",
                 "MgmtEth0/RP0/CPU0/0", "GigabitEthernet1/0/1.100"]:
        assert normalize_interface(name) == event_normalize(name), name


def test_firewall_rules_time_ranges_and_object_groups_are_policy_objects_when_named_like_names():
    assert extract_entities("Palo Alto rule Allow-DNS-Out").policies == {"rule:allow-dns-out"}
    assert extract_entities("time-range WORKHOURS").policies == {"timerange:workhours"}
    assert extract_entities("the rule that allows ssh").policies == frozenset()  # a word, not a name
    assert extract_entities("tx and rx power of Te1/0/8 on tor-1").devices == {"tor-1"}


def test_a_single_capital_letter_after_a_device_noun_is_a_name():
    assert extract_entities("host A can reach host B over the VPN").devices == {"a", "b"}
    assert extract_entities("show a summary of the routes").devices == frozenset()
