"""The guard: differing words that change the meaning reject a semantic hit; paraphrases pass."""

from __future__ import annotations

import pytest

from netcache.matching.guard import EXCLUSIVE, OPPOSITES, guard, guard_tokens


@pytest.mark.parametrize(
    ("a", "b", "reason_part"),
    [
        ("How do I enable OSPF authentication?", "How do I disable OSPF authentication?", "enable"),
        ("why is Gi0/1 down on rtr-001", "why is Gi0/1 up on rtr-001", "up"),
        ("How do I add a VLAN?", "How do I remove a VLAN?", "add"),
        ("How do I permit SSH in an ACL?", "How do I deny SSH in an ACL?", "permit"),
        ("apply the ACL inbound on Gi0/1", "apply the ACL outbound on Gi0/1", "inbound"),
        ("ingress traffic on Gi0/1", "egress traffic on Gi0/1", "inbound"),
        ("How do I start the BGP process?", "How do I stop the BGP process?", "start"),
        ("increase the hello interval", "decrease the hello interval", "increase"),
        ("how do I shutdown Gi0/1", "how do I no shutdown Gi0/1", "shutdown"),
        ("which routes does rtr-001 advertise", "which routes does rtr-001 receive", "advertised"),
    ],
)
def test_opposites_are_rejected_with_a_reason(a, b, reason_part):
    verdict = guard(a, b)
    assert not verdict.ok
    assert reason_part in verdict.reason
    assert not guard(b, a).ok  # symmetric


@pytest.mark.parametrize(
    ("a", "b", "group"),
    [
        ("Show BGP neighbors on rtr-001", "Show OSPF neighbors on rtr-001", "routing_protocol"),
        ("Is OSPF running on rtr-001?", "Is IS-IS running on rtr-001?", "routing_protocol"),
        ("configure an IPv4 static route", "configure an IPv6 static route", "ip_version"),
        ("Explain TCP port 179", "Explain UDP port 179", "transport"),
        ("Explain OSPF LSA type 3", "Explain OSPF LSA type-5", "lsa_type"),
        ("what is eBGP multihop", "what is iBGP multihop", "bgp_kind"),
        ("What is a layer 2 switch?", "What is a layer 3 switch?", "layer"),
        ("static routes on rtr-001", "dynamic routes on rtr-001", "route_origin"),
        ("BGP stuck in Active", "BGP stuck in Idle", "bgp_state"),
        ("what does the OSPF FULL state mean", "what does the OSPF 2-WAY state mean", "ospf_state"),
        ("show running config on rtr-001", "show startup-config on rtr-001", "config_store"),
        ("show bgp summary on rtr-001", "clear bgp sessions on rtr-001", "verb"),
        ("show ospf hello interval", "show ospf dead interval", "timer"),
        ("CPU of last minute", "CPU of last hour", "time_unit"),
    ],
)
def test_distinct_terms_of_one_group_are_rejected(a, b, group):
    verdict = guard(a, b)
    assert not verdict.ok and verdict.reason.startswith(group)


def test_negation_ipv6_addresses_and_numbers_are_meaningful():
    assert not guard("why is BGP not established", "why is BGP established").ok
    assert not guard("why isn't BGP established", "why is BGP established").ok
    assert "numbers" in guard("traffic in the last 5 minutes", "traffic in the last 30 minutes").reason
    assert guard("top five talkers", "top 5 talkers").ok
    # an IPv6 address says ipv6 as clearly as the word
    assert guard("what is the route to 2001:db8::/32", "show ipv6 route 2001:db8::/32").ok


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Show BGP status on rtr-001", "what's the bgp state on rtr-001?"),
        ("show bgp neighbors on rtr-001", "list the BGP peers of rtr-001"),
        ("show isis adjacencies on p-01", "list the IS-IS neighbors of p-01"),
        ("Why is the BGP session down", "troubleshoot the BGP session not coming up"),
        ("show Gi0/1 on rtr-001", "display GigabitEthernet0/1 on rtr-001"),
        ("how do I enable SSH on a Cisco router", "how to turn on SSH on cisco IOS"),
        ("Explain OSPF LSA types", "what are the different OSPF LSA types"),
    ],
)
def test_paraphrases_pass(a, b):
    assert guard(a, b).ok, guard(a, b).reason


def test_numbers_inside_entities_are_not_compared():
    # entities are equal by the time the guard runs; their digits are masked
    assert guard("show Gi0/1 on rtr-001", "status of Gi0/1 on rtr-001").ok
    assert "<device>" in guard_tokens("show rtr-001")


def test_tables_are_plain_data_and_extending_them_changes_the_verdict(monkeypatch):
    a, b = "show me the blue path please", "what is the green path"
    assert guard(a, b).ok  # several edits: not a single substitution
    monkeypatch.setitem(EXCLUSIVE, "colour", ("differ", frozenset({"blue", "green"})))
    assert guard(a, b).reason == "colour: blue vs green"
    assert ("enable", "disable") in OPPOSITES


@pytest.mark.parametrize(
    ("a", "b", "reason_start"),
    [
        ("show the policy map on Gi0/1", "show the class map on Gi0/1", "substituted 'policy' for 'class'"),
        ("how do I configure SNMPv2c", "how do I configure SNMPv3", "substituted"),
        ("explain OSPF virtual links", "explain OSPF sham links", "substituted"),
        ("show the ospf routes on rtr-023", "show the ospf external routes on rtr-023", "qualifier"),
        ("show the dhcp bindings", "show the dhcp snooping bindings", "qualifier"),
    ],
)
def test_a_single_swapped_or_added_content_word_is_rejected_even_outside_the_tables(a, b, reason_start):
    verdict = guard(a, b)
    assert not verdict.ok and verdict.reason.startswith(reason_start)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("What is OSPF?", "explain OSPF"),  # only filler words differ
        ("show bgp summary on rtr-001", "show ip bgp summary on rtr-001"),
        ("show vrf mgmt routes on leaf12", "show the routing table of VRF MGMT on leaf12"),
        ("show the ISIS database on p-03", "display the IS-IS LSP database on p-03"),
    ],
)
def test_filler_words_and_folded_synonyms_do_not_count_as_an_edit(a, b):
    assert guard(a, b).ok, guard(a, b).reason


@pytest.mark.parametrize(
    ("a", "b", "intent"),
    [
        ("Show the running configuration of rtr-004", "What changed in the running configuration of rtr-004?",
         "change"),
        ("Show the running configuration of rtr-004", "show the diff of the running config on rtr-004", "change"),
        ("Show the running configuration of rtr-004", "who changed the running config on rtr-004", "change"),
        ("show the config of rtr-004", "show the last config change on rtr-004", "change"),
        ("Show the running configuration of rtr-004", "compare the running configuration of rtr-004", "compare"),
        ("is BGP down on rtr-001", "why is BGP down on rtr-001", "cause"),
        ("explain OSPF neighbor states", "troubleshoot OSPF neighbor states", "cause"),
        ("what is the OSPF config on rtr-001", "how do I configure OSPF on rtr-001", "howto"),
    ],
)
def test_the_same_object_asked_with_another_intent_is_rejected(a, b, intent):
    verdict = guard(a, b)
    assert not verdict.ok and verdict.reason.startswith(f"intent {intent}"), verdict.reason
    assert not guard(b, a).ok  # symmetric


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("show the config history of rtr-004", "what changed in the config of rtr-004"),
        ("who changed the running config on rtr-004", "who modified the running configuration of rtr-004"),
        ("why is interface Gi0/1 down on rtr-001", "what is causing Gi0/1 on rtr-001 to be down"),
        ("diagnose BGP flapping on rtr-003", "why is BGP flapping on rtr-003"),
        ("What is the difference between OSPF and IS-IS?", "compare OSPF with IS-IS"),
        ("how do I redistribute static routes into OSPF", "how to redistribute static into OSPF"),  # 2 edits
        ("how do I see the OSPF config on rtr-001", "show the OSPF config on rtr-001"),  # a how-to of a show
        ("what's the purpose of OSPF stub areas", "why use stub areas in OSPF"),  # a purpose, not a cause
        ("how do I change the OSPF hello timer", "how to set the OSPF hello interval"),  # a bare change is a how-to
    ],
)
def test_words_of_one_intent_are_interchangeable(a, b):
    assert guard(a, b).ok, guard(a, b).reason


@pytest.mark.parametrize("a, b", [
    ("vpc peer-keepalive sourced from CORE-SW-A to CORE-SW-B", "vpc peer-keepalive sourced from CORE-SW-B to CORE-SW-A"),
    ("make edge-rtr-1 the HSRP active router and edge-rtr-2 standby", "make edge-rtr-2 the HSRP active router and edge-rtr-1 standby"),
    ("traceroute from nyc-core-1 to lax-core-3 is slow", "traceroute from lax-core-3 to nyc-core-1 is slow"),
    ("native vlan 99 with allowed vlan 200 on the trunk", "native vlan 200 with allowed vlan 99 on the trunk"),
])
def test_the_same_entities_named_in_the_other_order_are_a_role_swap(a, b):
    verdict = guard(a, b)
    assert not verdict.ok and verdict.rule == "role" and verdict.hard


@pytest.mark.parametrize("a, b, reason_part", [
    # two words (or two-word spans) trade places around fixed anchors: the same words, other bindings
    ("vtp mode server on acc-sw12, client on acc-sw13", "vtp mode client on acc-sw12, server on acc-sw13", "trade places"),
    ("LACP mode active on leaf-07 and passive on leaf-08", "LACP mode passive on leaf-07 and active on leaf-08",
     "trade places"),
    ("rx errors climbing on Te1/0/2 while tx errors stay at zero",
     "tx errors climbing on Te1/0/2 while rx errors stay at zero", "trade places"),
    ("tx 9.5 Gbps rx 100 Mbps on et-0/0/0", "tx 100 Mbps rx 9.5 Gbps on et-0/0/0", "trade places"),
    ("interfaces at 10g that should be 25g", "interfaces at 25g that should be 10g", "trade places"),
    ("hub sees spoke registration, spoke does not see hub", "spoke sees hub registration, hub does not see spoke",
     "trade places"),
    # a word after from / to keeps its role even when it is no entity
    ("CoPP rate limit for traffic to the CPU", "rate limit for traffic from the CPU", "'cpu' is dst"),
    ("nat rule from inside to outside on edge-asa2", "nat rule from outside to inside on edge-asa2", "role"),
    # roles across entity kinds: a device and an address
    ("Why is syslog from R1 not reaching server 10.0.0.99?", "Why is syslog from 10.0.0.99 not reaching R1?", "src"),
])
def test_roles_that_are_not_a_reorder_of_two_entities_are_rejected(a, b, reason_part):
    verdict = guard(a, b)
    assert not verdict.ok and verdict.rule == "role" and verdict.hard
    assert reason_part in verdict.reason
    assert not guard(b, a).ok


@pytest.mark.parametrize("a, b", [
    ("show ospf neighbors on abr-1 in area 0", "show ospf neighbors in area 0 on abr-1"),  # a block moved
    ("make isp-x the primary and isp-y the backup", "isp-x as primary, isp-y as backup"),  # a role word per clause
    ("how do i see the bgp routes from 172.16.0.1 on rtr-011",
     "show routes received from bgp neighbor 172.16.0.1 on rtr-011"),  # a protocol is no endpoint
    ("how to configure NTP authentication", "steps to configure NTP authentication"),  # "to" + verb is no role
])
def test_moving_a_block_or_rewording_a_role_is_no_role_swap(a, b):
    assert guard(a, b).ok, guard(a, b).reason


@pytest.mark.parametrize("a, b", [
    ("where is acl MGMT-IN applied on rtr-branch-14", "what does acl MGMT-IN permit on rtr-branch-14"),
    ("how many bgp neighbors does rr-2.lon have", "which bgp neighbors does rr-2.lon have"),
    ("members of port-channel 12 on n9k-leaf-a", "load-balancing method of port-channel 12 on n9k-leaf-a"),
    ("what is the IP address of Vlan100?", "is Vlan100 up?"),
    ("stp root port vs designated port", "stp designated port vs alternate port"),
    ("interface MTU on ge-0/0/1", "interface MTU-related drops on ge-0/0/1"),
    ("prefix-list applied as distribute-list in on OSPF", "prefix-list applied as distribute-list out on OSPF"),
])
def test_aspects_said_in_other_words_are_distinct(a, b):
    assert not guard(a, b).ok


@pytest.mark.parametrize("a, b", [
    ("How do I set the MTU on a Junos interface?", "junos interface mtu configuration"),
    ("How do I check for CRC errors on an interface?", "interface crc error counter check"),
    ("what is the uptime of rtr-001", "how long has rtr-001 been up"),
    ("what is wrong with vlan 60 on trunk Po1 of sw-core", "troubleshoot vlan 60 on trunk Po1 of sw-core"),
])
def test_one_aspect_or_cause_in_other_words_passes(a, b):
    assert guard(a, b).ok, guard(a, b).reason


def test_the_literal_prefilter_of_the_phrases_never_skips_a_phrase_that_matches():
    import json
    from pathlib import Path

    from netcache.matching.guard import _PHRASES_RE
    from netcache.matching.lexicon import literal_starts

    assert literal_starts(r"\broute[- ]maps?\b") == {"route"}
    assert literal_starts(r"\b(?:ipv6|v6)\b") == {"ipv6", "v6"}
    assert literal_starts(r"\b(\d+)k\b") is None and literal_starts(r"\b(?:a|)b") is None
    texts = [json.loads(x)[k].lower() for x in (Path(__file__).parent / "data" / "netops_pairs_dev3.jsonl")
             .read_text().splitlines() for k in ("a", "b")] + ["how do i configure a route-map", "no shut ebgp type 5"]
    for pattern, _token, starts in _PHRASES_RE:
        if starts is None:
            continue
        for text in texts:
            for m in pattern.finditer(text):
                assert any(s in text for s in starts), (pattern.pattern, text, m.group(0))
def test_the_guard_compares_the_questions_not_a_pasted_log():
    log = "Jan  1 10:00:01 RTR-009 %OSPF-5-ADJCHG: Process 1, Nbr 10.0.0.2 on Gi0/1 from FULL to DOWN\n" * 2000
    assert guard("why did this ospf adjacency go down?", "why did the ospf adjacency go down?").ok
    ok = guard("why did this ospf adjacency go down? " + log, "why did the ospf adjacency go down? " + log)
    assert ok.ok, ok.reason
    bad = guard("why did this ospf adjacency drop? " + log, "why did this bgp session drop? " + log)
    assert not bad.ok and bad.rule == "routing_protocol"
