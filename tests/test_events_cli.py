"""``netcache events parse|publish|tail|schema``: real subprocesses and click's runner, against a real Redis."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from netcache.events.cli import events_group
from netcache.events.models import EVENT_TYPES
from netcache.events.stream import decode_entry

NETCACHE = os.path.join(os.path.dirname(sys.executable), "netcache")
SAMPLES = [json.loads(x) for x in
           (Path(__file__).parent / "data" / "syslog" / "vendor_messages.jsonl").read_text().splitlines()]


@pytest.fixture
def env(settings, redis_url, monkeypatch) -> dict[str, str]:
    monkeypatch.setenv("NETCACHE_REDIS_URL", redis_url)
    return {**{k: v for k, v in os.environ.items() if not k.startswith("NETCACHE_")}, "NETCACHE_REDIS_URL": redis_url}


def run(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([NETCACHE, "events", *args], input=stdin, capture_output=True, text=True,
                          env=env, timeout=60)


def test_parse_prints_one_json_object_per_line_and_counts_on_stderr(env):
    lines = [s["raw"] for s in SAMPLES[:5]] + ["<13>Nov 27 03:00:00 h app: nothing known", "<999>broken", ""]
    proc = run("parse", stdin="\n".join(lines) + "\n", env=env)
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(x) for x in proc.stdout.splitlines()]
    assert len(out) == 7  # the blank line is skipped
    assert [o["type"] for o in out[:5]] == [s["expect"]["type"] for s in SAMPLES[:5]]
    assert out[5]["unrecognized"] is True and out[5]["raw"] == lines[5]
    assert out[6] == {"error": "PRI 999 out of range (0-191)", "raw": "<999>broken"}
    assert proc.stderr.strip().endswith("lines=7 events=5 unrecognized=1 errors=1")


def test_parse_uses_the_given_source_as_device_for_host_less_messages():
    result = CliRunner().invoke(events_group, ["parse", "--source", "10.1.2.3"],
                                input="<189>7: %LINK-3-UPDOWN: Interface Gi0/3, changed state to up\n")
    assert result.exit_code == 0, result.output
    event = json.loads(result.stdout.splitlines()[0])
    assert (event["device"], event["interface"]) == ("10.1.2.3", "GigabitEthernet0/3")


def test_parse_rejects_an_unknown_vendor():
    result = CliRunner().invoke(events_group, ["parse", "--vendor", "vaxvms"], input="")
    assert result.exit_code == 1
    assert "unknown syslog vendor 'vaxvms'" in result.output


def test_publish_puts_an_operator_event_on_the_stream(env, redis_client, settings):
    result = CliRunner().invoke(events_group, ["publish", "--type", "interface_flap", "--device", "rtr-001",
                                               "--interface", "Gi0/1", "--state", "down", "--layer", "admin"])
    assert result.exit_code == 0, result.output
    stream_id, kind, event_id, target = result.stdout.strip().split("\t")
    assert (kind, target) == ("interface_flap", "iface:rtr-001:GigabitEthernet0/1")
    [(entry_id, fields)] = redis_client.xrange(settings.events.stream)
    event = decode_entry(fields)
    assert entry_id.decode() == stream_id and event.id == event_id
    assert (event.source, event.state, event.layer) == ("operator", "down", "admin")


def test_publish_maps_state_to_the_new_state_of_sessions(env, redis_client, settings):
    result = CliRunner().invoke(events_group, ["publish", "--type", "bgp_down", "--device", "rtr-001",
                                               "--neighbor", "10.0.0.2", "--state", "Idle", "--remote-as", "65001"])
    assert result.exit_code == 0, result.output
    event = decode_entry(redis_client.xrange(settings.events.stream)[0][1])
    assert (event.new_state, event.remote_as, event.target_key()) == ("Idle", 65001, "bgp:rtr-001:10.0.0.2")


def test_publish_from_json_on_stdin_reports_duplicates(env, redis_client, settings):
    events = [{"type": "device_reboot", "device": "rtr-001", "occurred_at": "2026-11-28T04:00:00Z"},
              {"type": "topology_change", "site": "dc1", "change": "device added", "devices": ["sw-9"]}]
    first = run("publish", "--json", "-", stdin=json.dumps(events), env=env)
    assert first.returncode == 0, first.stderr
    again = run("publish", "--json", "-", stdin="\n".join(json.dumps(e) for e in events[:1]), env=env)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("duplicate\tdevice_reboot")
    assert redis_client.xlen(settings.events.stream) == 2


@pytest.mark.parametrize(("args", "code", "message"), [
    (["publish"], 2, "give --type (with its fields) or --json FILE"),
    (["publish", "--type", "warp"], 2, "Invalid value for '--type'"),
    (["publish", "--type", "bgp_up", "--device", "r1"], 1, "invalid bgp_up event: neighbor: Field required"),
    (["publish", "--type", "device_reboot", "--device", "r1", "--state", "up"], 2, "--state does not apply"),
])
def test_publish_explains_bad_input(env, args, code, message):
    result = CliRunner().invoke(events_group, args)
    assert result.exit_code == code
    assert message in result.output


@pytest.mark.parametrize(("stdin", "code", "message"), [
    ('{"type": "warp", "device": "r1"}\n', 1, "unknown event type 'warp'; known types: config_change"),
    ("{bad\n", 2, "--json: not JSON or JSON lines"),
])
def test_publish_from_json_explains_an_unknown_type_or_broken_json_and_publishes_nothing(
        env, redis_client, settings, stdin, code, message):
    result = CliRunner().invoke(events_group, ["publish", "--json", "-"], input=stdin)
    assert result.exit_code == code
    assert message in result.output
    assert redis_client.xlen(settings.events.stream) == 0


def test_publish_says_when_redis_is_unreachable():
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("NETCACHE_")},
           "NETCACHE_REDIS_URL": "redis://:hunter2@127.0.0.1:1/0", "NETCACHE_EVENTS__PUBLISH_RETRIES": "1"}
    proc = run("publish", "--type", "device_reboot", "--device", "r1", env=env)
    assert proc.returncode == 1
    assert "could not publish" in proc.stderr and "hunter2" not in proc.stderr


def test_tail_shows_the_latest_events_oldest_first_and_flags_undecodable_entries(env, redis_client, settings):
    runner = CliRunner()
    for device in ("rtr-001", "rtr-002", "rtr-003"):
        assert runner.invoke(events_group, ["publish", "--type", "device_reboot", "--device", device,
                                            "--reason", "power"]).exit_code == 0
    redis_client.xadd(settings.events.stream, {"v": "1", "event": "{not json"})
    result = runner.invoke(events_group, ["tail", "--count", "3"])
    assert result.exit_code == 0, result.output
    rows = result.stdout.splitlines()
    assert len(rows) == 3
    assert "device_reboot" in rows[0] and "rtr-002" in rows[0] and "reason=power" in rows[0]
    assert "rtr-003" in rows[1]
    assert "(undecodable) stream entry" in rows[2]


def test_tail_follow_prints_events_as_they_arrive(env):
    proc = subprocess.Popen([NETCACHE, "events", "tail", "--count", "0", "--follow", "--block-ms", "100"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    rows: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [rows.put(r) for r in proc.stdout], daemon=True)
    reader.start()
    try:
        # tail may not be reading yet when the first event lands: publish until one shows up
        for attempt in range(40):
            published = run("publish", "--type", "interface_flap", "--device", "sw-7", "--interface",
                            f"Eth1/{attempt}", "--state", "up", env=env)
            assert published.returncode == 0, published.stderr
            try:
                row = rows.get(timeout=0.5)
                break
            except queue.Empty:
                continue
        else:
            raise AssertionError("tail --follow printed nothing")
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
    assert "interface_flap" in row and "sw-7" in row and "interface=Ethernet1/" in row and "state=up" in row


def test_schema_prints_the_json_schema_of_every_event_type():
    result = CliRunner().invoke(events_group, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert {ref["$ref"].rsplit("/", 1)[-1] for ref in schema["oneOf"]} == {
        "ConfigChange", "DeviceReboot", "InterfaceFlap", "BgpDown", "BgpUp", "TopologyChange",
        "OspfAdjacency", "IsisAdjacency", "BgpStateChange", "BfdSession", "LagMember", "InterfaceChange",
        "Maintenance", "ProcessRestart"}
    assert set(schema["discriminator"]["mapping"]) == set(EVENT_TYPES)


def test_help_explains_each_command():
    result = CliRunner().invoke(events_group, ["--help"])
    for name in ("parse", "publish", "tail", "schema"):
        assert name in result.output
    publish_help = CliRunner().invoke(events_group, ["publish", "--help"]).output
    assert "--interface" in publish_help and "GigabitEthernet0/1" in publish_help and "--json" in publish_help


def test_parse_takes_extra_rules_from_a_json_file(tmp_path):
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"acme_os": [
        {"key": "PORT-LINKDOWN", "type": "interface_flap", "const": {"state": "down"},
         "pattern": r"port (?P<interface>\S+) lost carrier"}]}))
    line = "<187>Nov 27 03:00:00 acme-1 %PORT-3-LINKDOWN: port Eth9 lost carrier\n"
    result = CliRunner().invoke(events_group, ["parse", "--rules", str(rules)], input=line)
    assert result.exit_code == 0, result.output
    event = json.loads(result.stdout.splitlines()[0])
    assert (event["vendor"], event["device"], event["interface"]) == ("acme_os", "acme-1", "Ethernet9")
    rules.write_text(json.dumps({"acme_os": [{"key": "X", "type": "interface_flap", "pattern": "(unclosed"}]}))
    bad = CliRunner().invoke(events_group, ["parse", "--rules", str(rules)], input=line)
    assert bad.exit_code == 1 and "bad pattern" in bad.output
