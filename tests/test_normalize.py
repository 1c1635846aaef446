"""Normalisation and the exact key: what must collide and what must not."""

from __future__ import annotations

import pytest

from netcache.matching.normalize import (
    context_fingerprint,
    exact_key,
    normalize_params,
    normalize_prompt,
    params_hash,
    semantic_text,
    time_bucket,
)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Show BGP status on rtr-001", "  show   bgp STATUS on RTR-001?? "),
        ("What's the CPU on rtr-001?", "what is the cpu on rtr-001"),
        ("status of Gi0/1 on rtr-001", "Status of GigabitEthernet0/1 on rtr-001."),
        ("route to 2001:DB8::1", "route to 2001:db8::1!"),
        ("isn't bgp up?", "is not BGP up"),
        ("show ip route 10.0.0.0/24, please", "show ip route 10.0.0.0/24 please"),
    ],
)
def test_case_whitespace_punctuation_and_abbreviations_do_not_matter(a, b):
    assert normalize_prompt(a) == normalize_prompt(b)
    assert exact_key(a) == exact_key(b)


@pytest.mark.parametrize(
    "token",
    ["gigabitethernet0/1", "10.0.0.0/24", "rtr-001", "2001:db8::1", "et-0/0/0.0", "::1", "2001:db8::/32"],
)
def test_punctuation_inside_network_names_survives(token):
    assert token in normalize_prompt(f"Check {token}?").split()


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("show bgp on rtr-001", "show bgp on rtr-002"),
        ("show Gi0/1", "show Gi0/2"),
        ("show running config", "show startup config"),
        ("route to 10.0.0.0/24", "route to 10.0.0.0/25"),
        ("is bgp up", "is bgp not up"),
    ],
)
def test_different_questions_never_share_an_exact_key(a, b):
    assert exact_key(a) != exact_key(b)


def test_parameter_order_case_floats_and_lists_do_not_matter():
    a = {"Device": " RTR-001 ", "threshold": 0.8049, "ports": [3, 1, 2], "opts": {"b": 1, "a": 2}}
    b = {"opts": {"a": 2, "b": 1}, "ports": [2, 3, 1], "threshold": 0.8, "device": "rtr-001"}
    assert normalize_params(a) == normalize_params(b)
    assert params_hash(a) == params_hash(b)
    assert len(params_hash(a)) == 8
    assert exact_key("q", params=a) == exact_key("q", params=b)


def test_different_parameters_give_different_keys_and_none_gives_no_hash():
    assert params_hash({"window": 5}) != params_hash({"window": 10})
    assert params_hash(None) == params_hash({}) == "-"
    assert normalize_params(None) == ""
    with pytest.raises(TypeError):
        normalize_params(["not", "a", "dict"])  # type: ignore[arg-type]


def test_context_fingerprint_separates_contexts_and_is_empty_without_one():
    assert context_fingerprint(None) == context_fingerprint("") == context_fingerprint({}) == ""
    log_a = "Jan 1 10:00:01 rtr-001 %LINK-3-UPDOWN: Interface Gi0/1, changed state to down"
    log_b = "Jan 1 10:05:09 rtr-001 %LINK-3-UPDOWN: Interface Gi0/1, changed state to up"
    assert context_fingerprint(log_a) != context_fingerprint(log_b)
    assert context_fingerprint(log_a) == context_fingerprint("  " + log_a.replace(" ", "  ") + "\n")
    assert context_fingerprint({"a": 1, "b": 2}) == context_fingerprint({"b": 2, "a": 1})
    assert exact_key("summarise these logs", context=log_a) != exact_key("summarise these logs", context=log_b)
    assert exact_key("summarise these logs", context=log_a) != exact_key("summarise these logs")
    with pytest.raises(TypeError):
        context_fingerprint(42)  # type: ignore[arg-type]


def test_exact_key_has_the_chapter_shape_with_scope_type_and_device():
    key = exact_key("Show BGP status on rtr-001")
    version, scope, query_type, device, phash, bucket, digest = key.split(":")
    assert (version, scope, query_type, device, phash, bucket) == ("v1", "device", "device_status", "rtr-001", "-", "-")
    assert len(digest) == 16
    assert exact_key("What is OSPF?").split(":")[1:4] == ["global", "general_protocol", "-"]
    assert exact_key("x", version="v2").startswith("v2:")


def test_time_buckets_only_when_asked_and_only_for_fast_moving_answers():
    assert time_bucket("volatile", now=120.0) == "2"
    assert time_bucket("dynamic", now=7200.0) == "2"
    assert time_bucket("stable", now=7200.0) == time_bucket("static", now=7200.0) == "-"
    q = "cpu utilization on rtr-001"
    assert exact_key(q, now=59.0) == exact_key(q, now=61.0)  # default: the store's TTL decides
    assert exact_key(q, bucketed=True, now=59.0) != exact_key(q, bucketed=True, now=61.0)


def test_semantic_text_is_the_normalised_prompt_and_can_mask_entities():
    assert semantic_text("Show Gi0/1 on RTR-001?", None) == "show gigabitethernet0/1 on rtr-001"
    assert semantic_text("Show Gi0/1 on RTR-001?", None, mask=True) == "show <iface> on <device>"


@pytest.mark.parametrize(
    ("short", "long"),
    [
        ("sh ip bgp sum on rtr-011", "show ip bgp summary on rtr-011"),
        ("sh run int Gi0/1 on rtr-001", "show running-config interface GigabitEthernet0/1 on rtr-001"),
        ("show ip int br on rtr-004", "show ip interface brief on rtr-004"),
        ("list the BGP peers of rtr-001", "list the bgp neighbors of rtr-001"),
        ("default admin distance for external BGP", "default administrative distance for eBGP"),
    ],
)
def test_operator_shorthand_and_synonyms_share_the_exact_key(short, long):
    assert exact_key(short) == exact_key(long)


def test_shorthand_folding_leaves_entities_and_ordinary_verbs_alone():
    assert normalize_prompt("uptime of sh-01") == "uptime of sh-01"
    assert "running-config" not in normalize_prompt("which interfaces run OSPF on rtr-001")
    assert exact_key("show running config") != exact_key("show startup config")


def test_the_embedded_text_folds_question_wrappers_and_vendor_names_but_not_the_exact_key():
    assert semantic_text("How do I check the BGP summary on a Nexus 9000 switch?") == "show the bgp summary on nxos"
    assert semantic_text("can you show me the logs on gw-paris") == "show the logs on gw-paris"
    assert semantic_text("show interfaces on eos-sw1") == "show interface on eos-sw1"  # names stay whole
    assert exact_key("how do I check the logs on gw-paris") != exact_key("show the logs on gw-paris")


@pytest.mark.parametrize(("terse", "chatty"), [
    ("sh standby brief on core-gw1", "show hsrp on core-gw1"),
    ("show ip mroute", "show multicast route"),
    ("show crypto ipsec sa", "show ipsec sa"),
    ("display current-configuration", "show running-config"),
    ("show ip ospf database on abr-9", "show ospf link state database on abr-9"),
])
def test_vendor_command_spellings_fold_to_one_reading(terse, chatty):
    assert normalize_prompt(terse) == normalize_prompt(chatty)
def test_a_log_pasted_into_the_prompt_is_context_not_question():
    from netcache.matching.normalize import QUESTION_MAX_CHARS, split_prompt

    log_a = "Jan  1 10:00:01 RTR-009 %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down\n" * 2000
    log_b = log_a.replace("10:00:01", "10:00:02", 1)
    question = "why did the bgp session on rtr-001 flap after this? "
    q, pasted = split_prompt(question + log_a)
    assert q.startswith(question) and len(q) <= QUESTION_MAX_CHARS and q + pasted == question + log_a
    assert split_prompt(question) == (question, "")
    # the pasted part keys the answer like a context does: another log is another question
    assert exact_key(question + log_a) != exact_key(question + log_b)
    assert exact_key(question + log_a) == exact_key(question + log_a.replace("\n", "  \n"))
    assert context_fingerprint(None, pasted) != "" and context_fingerprint("ctx") != context_fingerprint("ctx", pasted)
    # only the question part is analysed: a device named only deep in the log is not the key's device
    key = exact_key(question + log_a + "Jan  1 10:00:09 RTR-777 %SYS-5-RESTART: System restarted")
    assert ":rtr-001,rtr-009:" in key and "rtr-777" not in key


def test_short_prompts_keep_their_keys():
    from netcache.matching.normalize import context_fingerprint

    # the pasted-log split must not move any existing key (these are the keys of the previous release)
    assert exact_key("show bgp summary on rtr-001") == "v1:device:device_status:rtr-001:-:-:5086a5a409d51fe4"
    assert exact_key("what is ospf", "some  log line", {"vrf": "A"}) == "v1:global:general_protocol:-:76b6f1f2:-:2380d50662fa2948"
    assert context_fingerprint({"a": 1}) == "2116b39520289e1a"
    assert context_fingerprint("a  b") == context_fingerprint("a b") and context_fingerprint(None) == ""
    assert context_fingerprint({}) == "" and context_fingerprint("   ") == ""
