"""The rules table: validation with clear errors, and what each event renders to."""

from __future__ import annotations

import pytest

from netcache.errors import ConfigError
from netcache.events.models import EVENT_TYPES, parse_event
from netcache.events.syslog.parser import SyslogParser
from netcache.worker.rules import DEFAULT_RULES_FILE, INVALIDATE_TASK, WARM_TASK, Action, load_rules, parse_rules

DEVICE_EVENTS = [
    {"type": "config_change", "device": "rtr-001"},
    {"type": "device_reboot", "device": "rtr-001"},
    {"type": "interface_flap", "device": "rtr-001", "interface": "Gi0/1", "state": "down"},
    {"type": "bgp_down", "device": "rtr-001", "neighbor": "10.0.0.2"},
    {"type": "bgp_up", "device": "rtr-001", "neighbor": "10.0.0.2"},
    {"type": "ospf_adjacency", "device": "rtr-001", "neighbor": "10.0.0.9", "new_state": "DOWN"},
    {"type": "isis_adjacency", "device": "rtr-001", "neighbor": "rtr-002", "new_state": "Down"},
    {"type": "bgp_state_change", "device": "rtr-001", "neighbor": "10.0.0.2", "old_state": "Active",
     "new_state": "Connect"},
    {"type": "bfd_session", "device": "rtr-001", "neighbor": "10.0.0.2", "state": "down"},
    {"type": "interface_change", "device": "rtr-001", "interface": "Gi0/1", "setting": "duplex", "value": "half"},
    {"type": "lag_member", "device": "rtr-001", "interface": "Gi0/1", "lag": "Po1", "state": "down"},
    {"type": "maintenance", "device": "rtr-001", "state": "entered"},
    {"type": "process_restart", "device": "rtr-001", "process": "bgpd"},
    {"type": "config_change", "device": "rtr-001", "kind": "saved"},
]


def _tags(rules, event: dict) -> list[tuple[str, str]]:
    return [(tag, a.mode) for a in rules.actions_for(parse_event(event)) for tag in a.tags]


def test_the_shipped_rules_file_is_valid_and_covers_every_event_type():
    rules = load_rules(None)
    assert rules.source == str(DEFAULT_RULES_FILE)
    assert set(rules.rules) == set(EVENT_TYPES)


def test_config_change_and_reboot_invalidate_everything_tagged_with_the_device():
    rules = load_rules(None)
    assert _tags(rules, DEVICE_EVENTS[0]) == [("device:rtr-001", "hard")]
    assert _tags(rules, DEVICE_EVENTS[1]) == [("device:rtr-001", "hard")]


def test_interface_flap_invalidates_the_interface_hard_and_the_device_soft_and_warms_diagnostics():
    actions = load_rules(None).actions_for(parse_event(DEVICE_EVENTS[2]))
    assert [(a.tags, a.mode) for a in actions] == [
        (("iface:rtr-001:GigabitEthernet0/1",), "hard"), (("device:rtr-001",), "soft")]
    assert actions[0].task == INVALIDATE_TASK[0] and actions[0].queue == "invalidate"
    assert "Why is interface GigabitEthernet0/1 on rtr-001 flapping?" in actions[0].warm
    kwargs = actions[0].kwargs(action_id="a1", reason="r", folded=3)
    assert kwargs["tags"] == ["iface:rtr-001:GigabitEthernet0/1"] and kwargs["folded"] == 3
    # a rule's question is warmed only if the query log has seen it (the warm task checks)
    assert kwargs["warm"][0] == {"prompt": "Why is interface GigabitEthernet0/1 on rtr-001 flapping?",
                                 "context": None, "params": None, "if_asked": True}


def test_a_config_change_s_warm_ups_carry_its_changed_lines_and_survive_coalescing():
    event = parse_event({"type": "config_change", "device": "rtr-001", "source": "netmiko", "method": "netmiko",
                         "user": "alice", "changed_lines": ["interface Gi0/2", "description uplink"],
                         "partial": True})
    (action,) = load_rules(None).actions_for(event)
    assert "Configuration lines just applied on rtr-001" in action.state and "partial push" in action.state
    assert "interface Gi0/2\ndescription uplink" in action.state and "by alice" in action.state
    q = action.kwargs(action_id="a", reason="r")["warm"][0]
    assert q["prompt"] == "What changed in the running configuration of rtr-001?" and q["context"] is None
    assert q["device_state"] == action.state  # for the generator only: the cache key has no context
    assert Action.from_json(action.to_json()) == action  # the coalescer's trailing action keeps it
    flap = load_rules(None).actions_for(parse_event(DEVICE_EVENTS[2]))[0]
    assert flap.state == "" and "device_state" not in flap.kwargs(action_id="a", reason="r")["warm"][0]


def test_bgp_down_invalidates_device_and_neighbor_address_and_warms_bgp_troubleshooting_for_that_neighbor():
    actions = load_rules(None).actions_for(parse_event(DEVICE_EVENTS[3]))
    assert len(actions) == 1
    assert actions[0].tags == ("device:rtr-001", "ip:10.0.0.2") and actions[0].mode == "hard"
    assert "Why is the BGP session between rtr-001 and 10.0.0.2 down?" in actions[0].warm
    assert _tags(load_rules(None), DEVICE_EVENTS[4]) == [("device:rtr-001", "soft"), ("ip:10.0.0.2", "soft")]


@pytest.mark.parametrize("event_type", ["bgp_down", "bgp_up"])
def test_a_bgp_neighbor_named_by_hostname_invalidates_that_device_and_no_ip_tag(event_type):
    tags = [t for t, _ in _tags(load_rules(None), {"type": event_type, "device": "rtr-001", "neighbor": "RTR-003"})]
    assert tags == ["device:rtr-001", "device:rtr-003"]


@pytest.mark.parametrize("event_type", ["bgp_down", "bgp_up"])
def test_a_bgp_neighbor_address_never_becomes_a_device_tag_and_ipv6_is_written_as_the_cache_writes_it(event_type):
    rules = load_rules(None)
    for neighbor, ip_tag in (("10.0.0.6", "ip:10.0.0.6"), ("2001:DB8:0::6", "ip:2001:db8::6"),
                             ("10.0.0.2+179", "ip:10.0.0.2")):
        tags = [t for t, _ in _tags(rules, {"type": event_type, "device": "rtr-001", "neighbor": neighbor})]
        assert tags == ["device:rtr-001", ip_tag], neighbor


def test_derived_neighbor_placeholders_are_only_allowed_for_events_with_a_neighbor():
    rules = parse_rules("rules:\n  ospf_adjacency:\n    - invalidate: ['device:{neighbor_device}', 'ip:{neighbor_ip}']\n")
    ospf = {"type": "ospf_adjacency", "device": "rtr-001", "neighbor": "10.0.0.9", "new_state": "DOWN"}
    assert _tags(rules, ospf) == [("ip:10.0.0.9", "hard")]
    with pytest.raises(ConfigError, match=r"uses \{neighbor_device\}, which a config_change event does not have"):
        parse_rules("rules:\n  config_change:\n    - invalidate: ['device:{neighbor_device}']\n")


def test_a_bgp_down_rule_covers_a_real_cached_answer_about_the_neighbor_address(settings, redis_client):
    from netcache.engine.sync import AnswerCache

    cache = AnswerCache(settings, redis=redis_client)
    try:
        about = cache.put("Why is the BGP session to 10.0.0.6 on rtr-001 down?", "hold timer expired")
        other = cache.put("Show the BGP neighbor summary on rtr-002", "2 peers up")
        entry_tags = set(cache.entry(about).tags)
        assert {"device:rtr-001", "ip:10.0.0.6"} <= entry_tags
        assert not any(t == "device:10.0.0.6" for t in entry_tags)

        # the session seen from the other side: the neighbor's address is all the event names
        (action,) = load_rules(None).actions_for(
            parse_event({"type": "bgp_down", "device": "rtr-009", "neighbor": "10.0.0.6"}))
        assert action.tags == ("device:rtr-009", "ip:10.0.0.6")
        assert set(action.tags) & entry_tags == {"ip:10.0.0.6"}
        assert cache.invalidate(action.tags, mode=action.mode) == 1
        assert cache.entry(about) is None and cache.entry(other) is not None
    finally:
        cache.close()


def test_device_events_never_name_topic_or_scope_tags_so_static_reference_answers_survive():
    rules = load_rules(None)
    for event in DEVICE_EVENTS:
        for tag, _ in _tags(rules, event):
            assert tag.startswith(("device:", "iface:", "ip:")), (event["type"], tag)


def test_topology_change_expands_the_device_list_and_skips_an_absent_site():
    rules = load_rules(None)
    tags = _tags(rules, {"type": "topology_change", "devices": ["sw-2", "sw-1"]})
    assert tags == [("device:sw-1", "hard"), ("device:sw-2", "hard"), ("topic:topology", "soft")]
    action = rules.actions_for(parse_event({"type": "topology_change", "site": "nyc"}))[0]
    assert action.tags == ("site:nyc",)
    assert action.warm[0] == "Show the network topology overview for site nyc"
    # no site: the site questions are not asked half-filled
    assert rules.actions_for(parse_event({"type": "topology_change", "devices": ["sw-1"]}))[0].warm == ()


def test_an_item_without_tags_becomes_a_warm_task():
    rules = parse_rules("rules:\n  bgp_up:\n    - warm: ['Show the BGP neighbor summary on {device}']\n")
    (action,) = rules.actions_for(parse_event(DEVICE_EVENTS[4]))
    assert (action.task, action.queue) == WARM_TASK
    kwargs = action.kwargs(action_id="a", reason="bgp_up", folded=2)
    assert kwargs == {"questions": [{"prompt": "Show the BGP neighbor summary on rtr-001", "context": None,
                                     "params": None, "if_asked": True}],
                      "reason": "bgp_up (2 events folded)", "action_id": "a", "origin": "operator"}


def test_event_types_without_a_rule_cause_nothing():
    rules = parse_rules("version: 1\nrules:\n  bgp_up:\n    - invalidate: ['device:{device}']\n")
    assert rules.actions_for(parse_event(DEVICE_EVENTS[0])) == []


def test_a_bad_field_value_is_a_config_error_naming_the_line_and_field(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("version: 1\nrules:\n  config_change:\n    - invalidate: ['device:{device}']\n"
                    "      mode: sometimes\n")
    with pytest.raises(ConfigError) as e:
        load_rules(path)
    text = str(e.value)
    assert str(path) in text and "line 5" in text and "rules.config_change.0.mode" in text
    assert "'hard' or 'soft'" in text


def test_an_unknown_key_is_a_config_error_pointing_at_that_key():
    with pytest.raises(ConfigError, match=r"line 5: rules\.bgp_down\.0\.tagz: Extra inputs"):
        parse_rules("version: 1\nrules:\n  bgp_down:\n    - invalidate: ['device:{device}']\n"
                    "      tagz: [x]\n")


def test_an_unknown_event_type_is_a_config_error_naming_it_and_its_line():
    with pytest.raises(ConfigError) as e:
        parse_rules("version: 1\nrules:\n  config_change:\n    - invalidate: ['device:{device}']\n"
                    "  cpu_high:\n    - invalidate: ['device:{device}']\n")
    assert "unknown event type 'cpu_high'" in str(e.value) and "line 5" in str(e.value)
    assert "config_change" in str(e.value)  # the known types are listed


def test_a_placeholder_the_event_does_not_have_is_a_config_error():
    with pytest.raises(ConfigError, match=r"uses \{interface\}, which a bgp_down event does not have"):
        parse_rules("rules:\n  bgp_down:\n    - invalidate: ['iface:{device}:{interface}']\n")


@pytest.mark.parametrize("template", ["device:{device!r:>12}", "device:{device!r}", "device:{device:>12}",
                                      "Why did {device!s} reboot?"])
def test_a_placeholder_with_a_conversion_or_format_spec_is_a_config_error(template):
    with pytest.raises(ConfigError, match="conversion or format spec") as e:
        parse_rules(f"rules:\n  device_reboot:\n    - invalidate: ['device:{{device}}']\n      warm: ['{template}']\n")
    assert "line 4" in str(e.value) and "write plain {device}" in str(e.value)


def test_a_malformed_template_or_an_empty_item_is_a_config_error():
    with pytest.raises(ConfigError, match="bad template"):
        parse_rules("rules:\n  bgp_down:\n    - invalidate: ['device:{device']\n")
    with pytest.raises(ConfigError, match="neither invalidates nor warms"):
        parse_rules("rules:\n  bgp_down:\n    - mode: soft\n")


def test_broken_yaml_and_a_missing_file_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="not valid YAML"):
        parse_rules("rules: [unclosed\n")
    with pytest.raises(ConfigError, match="cannot read rules file"):
        load_rules(tmp_path / "nope.yaml")
    with pytest.raises(ConfigError, match="expected a mapping"):
        parse_rules("- just a list\n")


def test_the_same_action_has_the_same_key_whatever_event_caused_it():
    rules = load_rules(None)
    a = rules.actions_for(parse_event(DEVICE_EVENTS[0]))[0]
    b = rules.actions_for(parse_event({**DEVICE_EVENTS[0], "user": "alice"}))[0]
    c = rules.actions_for(parse_event({"type": "config_change", "device": "rtr-002"}))[0]
    assert a.key() == b.key() != c.key()


def test_rules_name_the_tags_the_cache_puts_on_answers_and_spare_static_reference_answers():
    from netcache.engine.records import prepare  # the cache's own tagging of a question (pure logic)

    rules = load_rules(None)

    def hit_by(event: dict, prompt: str) -> set[str]:
        return {t for t, _ in _tags(rules, event)} & set(prepare(prompt).tags)

    for event in DEVICE_EVENTS:
        for static in ("Explain the BGP states", "What is OSPF?", "What is a spanning tree topology?"):
            assert not hit_by(event, static), (event["type"], static)
    assert hit_by(DEVICE_EVENTS[3], "Why is BGP to 10.0.0.2 flapping?") == {"ip:10.0.0.2"}
    assert hit_by(DEVICE_EVENTS[3], "Show BGP neighbors on rtr-001") == {"device:rtr-001"}
    assert "iface:rtr-001:GigabitEthernet0/1" in hit_by(DEVICE_EVENTS[2], "Show interface Gi0/1 status on rtr-001")
    assert not hit_by(DEVICE_EVENTS[2], "Show interface Gi0/1 status on rtr-002")
    topology = {"type": "topology_change", "site": "nyc"}
    assert hit_by(topology, "Show the network topology overview") == {"topic:topology"}


@pytest.mark.parametrize("event_type", ["ospf_adjacency", "isis_adjacency"])
def test_an_adjacency_change_invalidates_the_neighbor_by_hostname_or_by_address_as_bgp_does(event_type):
    rules = load_rules(None)
    by_name = {"type": event_type, "device": "rtr-001", "neighbor": "RTR-002", "new_state": "Down"}
    by_address = {"type": event_type, "device": "rtr-001", "neighbor": "10.0.0.9", "new_state": "DOWN"}
    assert _tags(rules, by_name) == [("device:rtr-001", "hard"), ("device:rtr-002", "hard")]
    assert _tags(rules, by_address) == [("device:rtr-001", "hard"), ("ip:10.0.0.9", "hard")]


def test_an_is_is_adjacency_from_real_ios_syslog_invalidates_the_neighbor_router_by_its_hostname():
    raw = ("<189>Nov 28 03:00:00 rtr-001 %CLNS-5-ADJCHANGE: ISIS: Adjacency to RTR-002 (GigabitEthernet0/1) "
           "Down, hold time expired")
    event = SyslogParser().parse(raw, "192.0.2.1").event
    assert event is not None and event.type == "isis_adjacency"
    assert [t for a in load_rules(None).actions_for(event) for t in a.tags] == ["device:rtr-001", "device:rtr-002"]


def test_a_bgp_transition_that_never_touches_established_refreshes_only_that_sessions_answers():
    assert _tags(load_rules(None), DEVICE_EVENTS[7]) == [("ip:10.0.0.2", "soft")]
    by_name = {**DEVICE_EVENTS[7], "neighbor": "RTR-002"}
    assert _tags(load_rules(None), by_name) == [("device:rtr-002", "soft")]


def test_bfd_down_drops_the_sessions_answers_and_refreshes_the_devices():
    assert _tags(load_rules(None), DEVICE_EVENTS[8]) == [("ip:10.0.0.2", "hard"), ("device:rtr-001", "soft")]


def test_a_lag_member_change_drops_the_member_and_its_port_channel_answers():
    actions = load_rules(None).actions_for(parse_event(DEVICE_EVENTS[10]))
    assert [(a.tags, a.mode) for a in actions] == [
        (("iface:rtr-001:GigabitEthernet0/1", "iface:rtr-001:Port-channel1"), "hard"), (("device:rtr-001",), "soft")]
    assert actions[0].warm == ("Show port-channel Port-channel1 member status on rtr-001",)
    no_lag = {k: v for k, v in DEVICE_EVENTS[10].items() if k != "lag"}
    first = load_rules(None).actions_for(parse_event(no_lag))[0]
    assert first.tags == ("iface:rtr-001:GigabitEthernet0/1",) and first.warm == ()


def test_duplex_changes_maintenance_and_process_restarts_have_their_defaults():
    rules = load_rules(None)
    assert _tags(rules, DEVICE_EVENTS[9]) == [("iface:rtr-001:GigabitEthernet0/1", "hard"), ("device:rtr-001", "soft")]
    assert _tags(rules, DEVICE_EVENTS[11]) == [("device:rtr-001", "soft")]
    (restart,) = rules.actions_for(parse_event(DEVICE_EVENTS[12]))
    assert (restart.tags, restart.mode, restart.warm) == (("device:rtr-001",), "soft", ("Why did bgpd restart on rtr-001?",))


def test_a_saved_config_refreshes_the_devices_answers_while_a_running_change_or_rollback_drops_them():
    rules = load_rules(None)
    assert _tags(rules, DEVICE_EVENTS[13]) == [("device:rtr-001", "soft")]
    for kind in ("running", "rollback", "replace"):
        assert _tags(rules, {"type": "config_change", "device": "rtr-001", "kind": kind}) == [("device:rtr-001", "hard")]


def test_when_selects_items_by_field_value_and_null_matches_an_empty_field():
    rules = parse_rules("rules:\n  interface_flap:\n"
                        "    - when: {err_disabled: true}\n      invalidate: ['device:{device}']\n"
                        "    - when: {reason: null, state: [up]}\n      invalidate: ['iface:{device}:{interface}']\n")
    flap = {"type": "interface_flap", "device": "r1", "interface": "Gi0/1", "state": "down"}
    assert _tags(rules, flap) == []
    assert _tags(rules, {**flap, "err_disabled": True}) == [("device:r1", "hard")]
    assert _tags(rules, {**flap, "state": "up"}) == [("iface:r1:GigabitEthernet0/1", "hard")]
    assert _tags(rules, {**flap, "state": "up", "reason": "x"}) == []


@pytest.mark.parametrize(("when", "message"), [
    ("{colour: red}", "when names 'colour', which a config_change event does not have"),
    ("{kind: pending}", "when 'kind' can never be 'pending' (a config_change's kind is one of: replace, rollback"),
    ("{kind: []}", "when 'kind' lists no values"),
])
def test_a_when_on_a_missing_field_or_an_impossible_value_is_a_config_error(when, message):
    with pytest.raises(ConfigError) as e:
        parse_rules(f"rules:\n  config_change:\n    - when: {when}\n      invalidate: ['device:{{device}}']\n")
    assert message in str(e.value)
