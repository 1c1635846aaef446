"""Warm-ups from the device's real state, and warming only what was asked.

Real parts: the simulated IOS device over real SSH (tests/support/sim_ios.py) read by Netmiko,
the test's redis-server, the real Anthropic SDK against the local Messages-API server (whose
request log shows what the model was sent), a real Celery worker process for the event path.
"""

from __future__ import annotations

import json
import socket
import time
import uuid

import pytest

from netcache.devtools.messages_server import MessagesAPIServer
from netcache.events.models import parse_event
from netcache.settings import Settings
from netcache.tasks.app import make_app
from netcache.tasks.device_state import DeviceLogin, DeviceState, load_devices, match_template
from netcache.tasks.invalidation import read_progress, run_invalidation
from netcache.tasks.warming import load_template_commands, run_warm
from netcache.worker.rules import load_rules
from tests.support.sim_ios import SimIOS
from tests.support.tasks import clean_env, start_worker, stop, wait_for

PASSWORD = "sim-pass-7781"
FLAP_Q = "Why is interface GigabitEthernet0/1 on rtr-009 flapping?"


@pytest.fixture
def llm_server():
    with MessagesAPIServer() as server:  # its request log shows what each warm-up sent
        yield server


@pytest.fixture
def sim():
    with SimIOS(hostname="rtr-009", username="admin", password=PASSWORD) as device:
        yield device


@pytest.fixture
def devices_file(tmp_path, sim):
    path = tmp_path / "devices.yaml"
    path.write_text(f"defaults:\n  username: admin\n  password_env: NETCACHE_PUSH_PASSWORD\n"
                    f"devices:\n  rtr-009: {{host: 127.0.0.1, port: {sim.port}}}\n")
    return path


def _settings(redis_url: str, llm_url: str, **worker) -> Settings:
    return Settings(_env_file=None, redis_url=redis_url, llm={"base_url": llm_url}, worker=worker)


def _texts(server: MessagesAPIServer) -> list[str]:
    return [server.request_text(body) for body in server.requests]


def _state(devices: dict, redis_client=None, **kw) -> DeviceState:
    return DeviceState(devices, load_template_commands(), timeout_s=5, redis=redis_client, **kw)


def test_templates_name_show_commands_and_a_question_finds_its_template():
    commands = load_template_commands()
    values, cmds = match_template(FLAP_Q, commands)
    assert values == {"interface": "GigabitEthernet0/1", "device": "rtr-009"}
    assert cmds[0] == "show interfaces GigabitEthernet0/1"
    # the same wording in another case and spacing is the same template; other questions have none
    assert match_template("why is interface Gi0/2 on sw-1   flapping", commands)[1][0] == "show interfaces Gi0/2"
    assert match_template("Explain BGP path selection", commands) is None


def test_a_devices_file_error_names_the_device_and_the_field(tmp_path):
    bad = tmp_path / "d.yaml"
    bad.write_text("devices:\n  rtr-1: {host: 10.0.0.1, username: a, netmiko_args: {fast_clii: true}}\n")
    with pytest.raises(ValueError, match=r"device 'rtr-1'.*fast_clii \(did you mean fast_cli\?\)"):
        load_devices(bad)
    assert load_devices(None) == {}


def test_device_state_reads_the_real_device_over_ssh_once_per_run(sim, devices_file, monkeypatch, redis_client):
    monkeypatch.setenv("NETCACHE_PUSH_PASSWORD", PASSWORD)
    sim.set_interface("GigabitEthernet0/1", False)
    state = _state(load_devices(devices_file), redis_client)
    text, meta = state.for_question({"prompt": FLAP_Q})
    assert "GigabitEthernet0/1 is down, line protocol is down" in text and "1 interface resets" in text
    assert "%LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down" in text
    assert meta == {"device_state": "collected", "device": "rtr-009",
                    "device_state_commands": ["show interfaces GigabitEthernet0/1",
                                              "show logging | include GigabitEthernet0/1"]}
    logins = sim.state.logins
    state.for_question({"prompt": "Show interface GigabitEthernet0/1 status and error counters on rtr-009"})
    assert sim.state.logins == logins, "the output of a command already run in this warm run is reused"
    assert PASSWORD not in text
    assert redis_client.hgetall("nc:w:stats:device_state") == {b"collected": b"2"}


def test_warm_up_sends_the_device_output_as_context_but_keys_on_the_question(
        runtimes, redis_url, redis_client, llm_server, sim, devices_file, monkeypatch):
    monkeypatch.setenv("NETCACHE_PUSH_PASSWORD", PASSWORD)
    sim.set_interface("GigabitEthernet0/1", False)
    rt = runtimes(_settings(redis_url, llm_server.url))
    result = run_warm(rt.cache, rt.llm, rt.budget(), [{"prompt": FLAP_Q}], reason="t",
                      device_state=_state(load_devices(devices_file), redis_client))
    assert result.generated == 1 and result.device_state == {"collected": 1}
    (sent,) = _texts(llm_server)
    assert "GigabitEthernet0/1 is down, line protocol is down" in sent and FLAP_Q in sent
    hit = rt.cache.get(FLAP_Q)  # the bot asks without any context and gets the warmed answer
    assert hit is not None and hit.kind == "exact"
    meta = rt.cache.entry(hit.entry_id).metadata
    assert meta["device_state"] == "collected" and meta["warmed"] == "warm"


def test_without_a_login_or_with_the_device_down_the_warm_up_says_so(
        runtimes, redis_url, redis_client, llm_server, monkeypatch):
    monkeypatch.setenv("NETCACHE_PUSH_PASSWORD", PASSWORD)
    rt = runtimes(_settings(redis_url, llm_server.url))
    with socket.socket() as s:  # a port nothing listens on: the device is unreachable
        s.bind(("127.0.0.1", 0))
        dead_port = s.getsockname()[1]
    devices = {"rtr-010": DeviceLogin(host="127.0.0.1", port=dead_port, username="admin")}
    questions = [{"prompt": "Show interface status on rtr-010"}, {"prompt": "Show interface status on rtr-011"},
                 {"prompt": "Explain what BGP MED is"}]
    result = run_warm(rt.cache, rt.llm, rt.budget(), questions, device_state=_state(devices, redis_client))
    assert result.generated == 3 and result.failed == 0, result.errors
    assert result.device_state == {"failed": 1, "none": 2}
    metas = {q["prompt"]: rt.cache.entry(rt.cache.get(q["prompt"]).entry_id).metadata for q in questions}
    down = metas["Show interface status on rtr-010"]
    assert down["device_state"] == "failed" and f"127.0.0.1:{dead_port}" in down["device_state_reason"]
    assert metas["Show interface status on rtr-011"]["device_state"] == "none"
    assert "no device login for rtr-011" in metas["Show interface status on rtr-011"]["device_state_reason"]
    assert metas["Explain what BGP MED is"]["device_state_reason"] == "no show commands for this question"
    assert redis_client.hgetall("nc:w:stats:device_state") == {b"failed": b"1", b"none": b"2"}
    # without any device logins configured at all, the metadata says that too
    run_warm(rt.cache, rt.llm, rt.budget(), [{"prompt": "Show CPU and memory usage on rtr-012"}])
    meta = rt.cache.entry(rt.cache.get("Show CPU and memory usage on rtr-012").entry_id).metadata
    assert meta["device_state"] == "none" and meta["device_state_reason"] == "no device logins"


def test_a_config_change_warm_up_gets_the_event_s_changed_lines(runtimes, redis_url, llm_server):
    rt = runtimes(_settings(redis_url, llm_server.url))
    question = "What changed in the running configuration of rtr-001?"
    rt.cache.get(question)  # someone asked it (nothing cached yet): the rule's warm-up is wanted
    event = parse_event({"type": "config_change", "device": "rtr-001", "source": "netmiko", "user": "alice",
                         "method": "netmiko", "changed_lines": ["interface Gi0/3", "shutdown"]})
    (action,) = load_rules(None).actions_for(event)
    kwargs = action.kwargs(action_id="a1", reason="config_change rtr-001")
    result = run_warm(rt.cache, rt.llm, rt.budget(), kwargs["warm"], device_state=_state({}))
    assert result.generated == 1 and result.device_state == {"event": 1}
    (sent,) = _texts(llm_server)
    assert "interface Gi0/3\nshutdown" in sent and "by alice" in sent
    hit = rt.cache.get(question)
    assert hit.kind == "exact" and rt.cache.entry(hit.entry_id).metadata["device_state"] == "event"


def test_rule_questions_nobody_asked_cost_nothing(runtimes, redis_url, llm_server):
    rt = runtimes(_settings(redis_url, llm_server.url))
    asked = "Show the BGP neighbor summary on rtr-002"
    rt.cache.get("show the BGP neighbor summary on RTR-002")  # other case: the same exact key
    questions = [{"prompt": asked, "if_asked": True},
                 {"prompt": "Show the BGP neighbor summary on rtr-003", "if_asked": True},
                 {"prompt": "Show CPU and memory usage on rtr-003"}]  # an operator's: always asked
    result = run_warm(rt.cache, rt.llm, rt.budget(), questions)
    assert (result.generated, result.not_asked) == (2, 1)
    assert llm_server.calls_for(asked) == 1 and llm_server.calls_for("on rtr-003") == 1


@pytest.mark.parametrize("only_asked, planned", [(True, 1), (False, 2)])
def test_a_re_warm_plan_holds_only_asked_answers_unless_an_operator_asks_for_n(
        runtimes, redis_url, redis_client, llm_server, only_asked, planned):
    rt = runtimes(_settings(redis_url, llm_server.url))
    rt.cache.put("Show interface status on rtr-020", "seeded, never asked")
    assert rt.cache.get_or_generate("Show the BGP neighbor summary on rtr-020").source == "generated"
    plans: list[list[dict]] = []
    # the dispatcher's invalidations keep only_asked; `netcache invalidate --warm N` turns it off
    result = run_invalidation(rt.cache, redis_client, tags=["device:rtr-020"], mode="hard", pause_ms=0,
                              action_id=uuid.uuid4().hex, only_asked=only_asked,
                              enqueue_warm=lambda q, r, a: plans.append(q))
    assert result.total == 2 and len(result.warm_plan) == planned
    assert result.warm_plan[0]["prompt"] == "Show the BGP neighbor summary on rtr-020"


def _storm(rt, redis_client, burst_s: float) -> None:
    """A flap's hard invalidation and its warm-up, then the rule's soft one, then the warm-up again."""
    common = {"prefix": "nc", "pause_ms": 0, "only_asked": True, "warm_burst_s": burst_s}
    plans: list[list[dict]] = []
    run_invalidation(rt.cache, redis_client, tags=["iface:rtr-009:GigabitEthernet0/1"], mode="hard",
                     action_id=uuid.uuid4().hex, enqueue_warm=lambda q, r, a: plans.append(q), **common)
    for plan in plans:
        run_warm(rt.cache, rt.llm, rt.budget(), plan)
    time.sleep(0.01)
    plans.clear()
    run_invalidation(rt.cache, redis_client, tags=["device:rtr-009"], mode="soft",
                     action_id=uuid.uuid4().hex, enqueue_warm=lambda q, r, a: plans.append(q), **common)
    for plan in plans:
        run_warm(rt.cache, rt.llm, rt.budget(), plan)
    run_warm(rt.cache, rt.llm, rt.budget(), [{"prompt": FLAP_Q, "if_asked": True}])


@pytest.mark.parametrize("burst_s, calls", [(60.0, 1), (0.0, 2)])
def test_a_flap_storm_costs_one_call_because_answers_warmed_in_the_burst_are_not_soft_invalidated(
        runtimes, redis_url, redis_client, llm_server, burst_s, calls):
    rt = runtimes(_settings(redis_url, llm_server.url))
    assert rt.cache.get_or_generate(FLAP_Q).source == "generated"  # a user asked it
    llm_server.reset()
    _storm(rt, redis_client, burst_s)
    # with the burst rule: warm once, the soft invalidation leaves it, the second warm-up is a hit;
    # without it (burst 0) the warmed answer is marked stale and regenerated
    assert llm_server.calls == calls
    hit = rt.cache.get(FLAP_Q)
    assert hit is not None and not hit.stale


# --- the event path, with a real Celery worker -----------------------------------------------------------


def _warmed(redis_client) -> list[dict]:
    return [json.loads(x) for x in redis_client.lrange("nc:w:warmed", 0, -1)]


def _flap(app, redis_client, device: str, log) -> None:
    """Send an interface flap's actions as the dispatcher does (rules → tasks), one after the other."""
    event = parse_event({"type": "interface_flap", "device": device, "interface": "Gi0/1", "state": "down",
                         "source": "syslog"})
    for n, action in enumerate(load_rules(None).actions_for(event)):
        aid = f"{device}-{n}-{uuid.uuid4().hex[:6]}"
        app.send_task(action.task, queue=action.queue, kwargs=action.kwargs(action_id=aid, reason="flap"))
        wait_for(lambda aid=aid: read_progress(redis_client, "nc", aid).get("status") == "done", 60,
                 f"invalidation {aid}", logs=[log])
        if n == 0:  # the hard invalidation hands its warm-up on: wait for it before the soft one
            wait_for(lambda: _warmed(redis_client), 60, "the warm-up", logs=[log])


def test_a_flap_on_the_simulated_device_warms_from_its_show_interfaces_output(
        runtimes, redis_url, redis_client, llm_server, sim, devices_file, tmp_path):
    settings = _settings(redis_url, llm_server.url, devices_file=str(devices_file))
    rt = runtimes(settings)
    assert rt.cache.get_or_generate(FLAP_Q).source == "generated"  # the bot's user asked about it
    sim.set_interface("GigabitEthernet0/1", False)
    log = tmp_path / "worker.log"
    env = clean_env(redis_url=redis_url, llm__base_url=llm_server.url, worker__devices_file=str(devices_file),
                    push_password=PASSWORD, log_level="INFO")
    proc = start_worker(redis_client, env, log, concurrency=2)
    try:
        _flap(make_app(settings), redis_client, "rtr-009", log)
    finally:
        stop(proc)
    texts = _texts(llm_server)
    assert len(texts) == 2, texts  # the user's question, then one warm-up (nothing else was asked)
    assert FLAP_Q in texts[1] and "GigabitEthernet0/1 is down, line protocol is down" in texts[1]
    assert "show interfaces GigabitEthernet0/1" in texts[1] and PASSWORD not in log.read_text()
    (warm,) = _warmed(redis_client)
    assert warm["generated"] == 1 and warm["device_state"] == {"collected": 1} and warm["not_asked"] == 1
    hit = rt.cache.get(FLAP_Q)  # the soft invalidation of the device left the fresh warm-up alone
    assert hit is not None and not hit.stale
    assert rt.cache.entry(hit.entry_id).metadata["device_state"] == "collected"
    assert "show interfaces GigabitEthernet0/1" in sim.commands


def test_a_flap_on_a_device_nobody_asked_about_makes_no_llm_call(
        runtimes, redis_url, redis_client, llm_server, tmp_path):
    settings = _settings(redis_url, llm_server.url)
    rt = runtimes(settings)
    rt.cache.put("Show interface status on rtr-077", "all up")  # cached (seeded), but nobody asked
    log = tmp_path / "worker.log"
    proc = start_worker(redis_client, clean_env(redis_url=redis_url, llm__base_url=llm_server.url), log,
                        concurrency=2)
    try:
        _flap(make_app(settings), redis_client, "rtr-077", log)
    finally:
        stop(proc)
    assert llm_server.requests == []
    (warm,) = _warmed(redis_client)
    assert warm["generated"] == 0 and warm["not_asked"] == 2
