"""Intent rules: volatility class, query type and topics from the wording."""

from __future__ import annotations

import pytest

from netcache.matching.intent import QUERY_TYPES, VOLATILITIES, classify


@pytest.mark.parametrize(
    ("prompt", "volatility"),
    [
        ("Explain how BGP works", "static"),
        ("What is OSPF?", "static"),
        ("how to set up authentication for OSPF", "static"),
        ("best practices for BGP route reflectors", "static"),
        ("what does RFC 4271 say about the hold timer", "static"),
        ("show running-config on rtr-001", "stable"),
        ("what devices are connected to core-sw-01", "stable"),
        ("show the lldp topology of the nyc fabric", "stable"),
        ("Show BGP status on rtr-001", "dynamic"),
        ("show ospf neighbors on core-sw-01", "dynamic"),
        ("show the routes on rtr-002", "dynamic"),
        ("is Gi0/1 up on rtr-001", "dynamic"),
        ("What is the CPU on rtr-001?", "volatile"),
        ("memory usage of spine1", "volatile"),
        ("interface counters on Gi0/1 of rtr-001", "volatile"),
        ("traffic utilisation on xe-0/0/1 on mx-01", "volatile"),
    ],
)
def test_volatility_follows_how_fast_the_answer_changes(prompt, volatility):
    assert classify(prompt).volatility == volatility


@pytest.mark.parametrize(
    ("prompt", "query_type"),
    [
        ("Explain how BGP route selection works", "general_protocol"),
        ("what is the difference between OSPF and IS-IS", "general_protocol"),
        ("Show BGP status on rtr-001", "device_status"),
        ("show interfaces on nyc-edge-2", "device_status"),
        ("why is the bgp session to 10.0.0.1 down on rtr-001", "troubleshooting"),
        ("troubleshoot OSPF stuck in EXSTART", "troubleshooting"),
        ("how do I configure OSPF authentication", "configuration"),
        ("show running-config on rtr-001", "configuration"),
        ("analyse these logs from rtr-001", "log_analysis"),
        ("what does %LINK-3-UPDOWN mean", "log_analysis"),
        ("What is the CPU utilization on rtr-001?", "performance"),
        ("which devices are connected to core-sw-01", "topology"),
        ("how to add a static route on Cisco IOS", "configuration"),
        ("how do I block telnet on the vty lines", "configuration"),
        ("explain BGP route flap dampening", "general_protocol"),
        ("how much RAM is used on rtr-002", "performance"),
    ],
)
def test_query_type_is_one_of_the_chapter_classes(prompt, query_type):
    intent = classify(prompt)
    assert intent.query_type == query_type
    assert intent.query_type in QUERY_TYPES and intent.volatility in VOLATILITIES


def test_topics_become_topic_tags():
    intent = classify("why are BGP routes in vrf blue missing on rtr-001 after the OSPF change")
    assert {"bgp", "ospf", "vrf", "routing"} <= set(intent.topics)
    assert "topic:bgp" in intent.tags()
    assert {"vlan", "interface"} <= set(classify("show vlan 10 trunk ports").topics)
    assert classify("hello there").topics == ()


def test_classification_is_deterministic_and_free_of_entities_in_the_result():
    a = classify("Show BGP status on rtr-001")
    b = classify("Show BGP status on rtr-002")
    assert a == b
