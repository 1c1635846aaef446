"""Device identity without an inventory: realistic hostname styles are devices, swaps are never served,
and invalidating device:<name> removes every answer about the device, with and without an inventory."""

from __future__ import annotations

import pytest

from netcache.engine.sync import AnswerCache
from netcache.inventory import Inventory
from netcache.matching.embedder import make_embedder
from netcache.matching.entities import extract_entities
from netcache.matching.normalize import exact_key

#: realistic names in swapped pairs (80 names)
PAIRS = [
    ("CORE-RTR-A", "CORE-RTR-B"), ("fw-dmz-a", "fw-dmz-b"), ("SW-FLOOR3", "SW-FLOOR4"),
    ("dist-sw-east", "dist-sw-west"), ("wan-rtr-chicago", "wan-rtr-dallas"), ("ams1-core-sw01", "ams1-core-sw02"),
    ("core1.ams", "core2.ams"), ("pe1.lon", "pe2.lon"), ("leaf-3a.dc2.example.net", "leaf-3b.dc2.example.net"),
    ("R1", "R2"), ("SW2", "SW3"), ("rtr-001", "rtr-002"), ("edge-fw-primary", "edge-fw-secondary"),
    ("bb-rtr-nyc", "bb-rtr-sfo"), ("spine-01.fra", "spine-02.fra"), ("acc-sw-12", "acc-sw-21"),
    ("tor-r12-a", "tor-r12-b"), ("LAB-RTR-X", "LAB-RTR-Y"), ("gw1.branch42.corp.example.com", "gw1.branch43.corp.example.com"),
    ("nyc-pe-01", "nyc-pe-10"), ("agg-sw-north", "agg-sw-south"), ("rr1.core", "rr2.core"), ("spine1", "spine2"),
    ("leaf101", "leaf102"), ("PE-LON-1", "PE-PAR-1"), ("asw-b2-f1", "asw-b2-f2"), ("dc1-bl-01", "dc1-bl-02"),
    ("fra-inet-gw", "ams-inet-gw"), ("CE1", "CE2"), ("mpls-pe-ber", "mpls-pe-muc"), ("branch-rtr-17", "branch-rtr-71"),
    ("n9k-leaf-a", "n9k-leaf-b"), ("srx-edge-1", "srx-edge-2"), ("oob-sw-r1", "oob-sw-r2"),
    ("ISP-EDGE-A", "ISP-EDGE-B"), ("core-a", "core-b"), ("p1.bb.example.net", "p2.bb.example.net"),
    ("dsw1", "dsw2"), ("wlc-hq-01", "wlc-hq-02"), ("vpn-gw-east", "vpn-gw-west"),
]
TEMPLATES = ["Show interface status on {}", "{}: show ip int br", "what is the BGP state on {}",
             "how much CPU is {} using right now", "show the running config of {}"]


def test_at_least_40_realistic_names_are_each_one_device_without_an_inventory():
    names = [n for pair in PAIRS for n in pair]
    assert len(set(names)) >= 80
    for name in names:
        for t in TEMPLATES:
            assert extract_entities(t.format(name)).devices == {name.lower()}, t.format(name)


def test_vocabulary_that_looks_like_a_hostname_is_not_a_device():
    for text in ("what is ipv4", "OSPFv3 over 802.1q trunks", "use sha256 for SNMPv3", "IOS 15.2(4)M3 release notes",
                 "configure route-map and prefix-list", "what is a type-5 LSA", "10g vs 25g optics", "explain IS-IS",
                 "NX-OS vs IOS-XR", "top-10 talkers", "RFC-4271 summary", "use x.509 certificates", "what is 2-way state"):
        assert extract_entities(text).devices == frozenset(), text


def test_a_process_with_an_inventory_computes_the_same_key_and_device_tags_as_one_without():
    inv = Inventory(frozenset(n.lower() for pair in PAIRS for n in pair),
                    sites={"core1.ams": "ams"}, ips={"10.9.0.1": "core1.ams"})
    for a, _b in PAIRS:
        for t in TEMPLATES:
            q = t.format(a)
            assert exact_key(q) == exact_key(q, inventory=inv)
            assert extract_entities(q).devices == extract_entities(q, inv).devices
    # the inventory only adds tags (site, the device of a primary IP), never another device set
    assert "site:ams" in extract_entities("cpu of core1.ams", inv).tags()
    assert "device:core1.ams" in extract_entities("ping 10.9.0.1", inv).tags()


@pytest.fixture
def cache(settings, redis_client):
    c = AnswerCache(settings, redis=redis_client, embedder=make_embedder(settings, redis_client))
    yield c
    c.close()


def test_no_swapped_hostname_is_ever_served_and_the_same_name_is(cache):
    for a, b in PAIRS:
        for t in TEMPLATES[:3]:
            cache.put(t.format(a), f"answer about {a}")
        for t in TEMPLATES[:3]:
            assert cache.get(t.format(b)) is None, (t, a, b)
        hit = cache.get(TEMPLATES[0].format(a).lower() + "?")
        assert hit is not None and hit.answer == f"answer about {a}"


@pytest.mark.parametrize("with_inventory", [False, True])
def test_invalidating_device_name_removes_every_answer_about_it(settings, redis_client, tmp_path, with_inventory):
    cfg = settings
    if with_inventory:
        inv = tmp_path / "inv.txt"
        inv.write_text("".join(f"{n} lab\n" for pair in PAIRS for n in pair))
        cfg = settings.model_copy(update={"cache": settings.cache.model_copy(update={"inventory_file": inv})})
    cache = AnswerCache(cfg, redis=redis_client, embedder=make_embedder(cfg, redis_client))
    try:
        for a, b in PAIRS:
            for t in TEMPLATES:
                cache.put(t.format(a), "x")
                cache.put(t.format(b), "y")
        for a, b in PAIRS:
            removed = cache.invalidate([f"device:{a.lower()}"])
            assert removed == len(TEMPLATES), a
            assert all(cache.get(t.format(a)) is None for t in TEMPLATES)
            assert all(cache.get(t.format(b)) is not None for t in TEMPLATES)  # the other device keeps its answers
    finally:
        cache.close()
