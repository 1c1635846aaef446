"""Operator commands: `netcache health`, `status`, `dead-letters list/replay/purge`, and `dispatcher`'s start-up checks."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from netcache.cli.main import COMMANDS, main
from netcache.events.models import parse_event
from netcache.events.stream import encode_entry
from netcache.worker.consumer import Dispatcher
from netcache.worker.rules import load_rules

NETCACHE = str(Path(sys.executable).with_name("netcache"))
STREAM, GROUP = "nc:events", "nc-dispatchers"


class RecordingSender:
    def __init__(self) -> None:
        self.sent: list[dict] = []

    def send(self, name: str, kwargs: dict, queue: str) -> None:
        self.sent.append(kwargs)


@pytest.fixture
def cli(settings, monkeypatch):
    """Run `netcache …` in-process with the test's Redis in NETCACHE_REDIS_URL."""
    monkeypatch.setenv("NETCACHE_REDIS_URL", settings.redis_url)
    runner = CliRunner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)

    return run


def test_health_exits_1_without_a_fresh_key_and_0_with_one(settings, redis_client):
    env = {"NETCACHE_REDIS_URL": settings.redis_url, "PATH": "/usr/bin:/bin"}
    down = subprocess.run([NETCACHE, "health", "--component", "dispatcher"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert down.returncode == 1
    assert down.stdout.strip() == "dispatcher: unhealthy, no fresh health key (nc:w:health:dispatcher:*)"
    d = Dispatcher(settings, redis_client=redis_client, sender=RecordingSender(), rules=load_rules(None))
    d.report()
    up = subprocess.run([NETCACHE, "health", "--component", "dispatcher", "--this-host"], env=env,
                        capture_output=True, text=True, timeout=60)
    assert up.returncode == 0, up.stdout
    assert up.stdout.startswith(f"dispatcher on {socket.gethostname()}: healthy")
    # another component's key does not count
    assert subprocess.run([NETCACHE, "health", "--component", "worker"], env=env, capture_output=True,
                          timeout=60).returncode == 1


def test_health_of_another_host_counts_unless_this_host_is_asked(cli, redis_client):
    redis_client.set("nc:w:health:webhook:other-box", json.dumps({"pid": 1}), ex=30)
    ok = cli("health", "--component", "webhook")
    assert ok.exit_code == 0 and "webhook: healthy (1 fresh: other-box)" in ok.output
    assert cli("health", "--component", "webhook", "--this-host").exit_code == 1


def test_health_says_unhealthy_when_redis_is_unreachable(monkeypatch):
    from netcache.devtools.local_redis import free_port

    monkeypatch.setenv("NETCACHE_REDIS_URL", f"redis://:pw-secret@127.0.0.1:{free_port()}/0")
    result = CliRunner().invoke(main, ["health", "--component", "beat"])
    assert result.exit_code == 1
    assert "unreachable" in result.output and "pw-secret" not in result.output


def test_status_shows_stream_group_pending_dead_letters_queues_refresh_and_health(settings, redis_client, cli):
    d = Dispatcher(settings, redis_client=redis_client, sender=RecordingSender(), rules=load_rules(None),
                   consumer="c1")
    d.ensure_group()
    redis_client.xadd(STREAM, encode_entry(parse_event({"type": "config_change", "device": "rtr-1"})))
    redis_client.xadd(STREAM, {"v": "1", "event": "{bad"})
    d.process([(i.decode(), f) for i, f in redis_client.xreadgroup(GROUP, "c1", {STREAM: ">"})[0][1]],
              check_deliveries=False)
    d.report()
    for n in range(3):  # one read by a consumer that has not acknowledged, two not read yet
        redis_client.xadd(STREAM, encode_entry(parse_event({"type": "device_reboot", "device": f"r{n}"})))
    redis_client.xreadgroup(GROUP, "slow", {STREAM: ">"}, count=1)
    redis_client.lpush("invalidate", "m1", "m2")
    redis_client.hset("nc:w:last_refresh", mapping={"at": "1700000000.0", "generated": "12"})
    redis_client.set("nc:w:health:worker:box-1", "{}", ex=30)

    result = cli("status", "--json")
    data = json.loads(result.output)
    assert data["length"] == 5 and data["group_exists"] is True and data["consumers"] == 2
    assert data["pending"] == 1 and data["lag"] == 2 and data["oldest_pending_idle_ms"] >= 0
    assert data["dead_letters"] == 1
    assert data["queues"] == {"invalidate": 2, "warm": 0}
    assert data["dispatcher_counters"]["read"] == 2 and data["dispatcher_counters"]["dead_lettered"] == 1
    assert data["last_refresh"]["at"] == "1700000000.0"
    assert [h["hostname"] for h in data["health"]["worker"]] == ["box-1"]
    assert data["health"]["dispatcher"][0]["hostname"] == socket.gethostname()
    assert data["health"]["beat"] == []

    table = cli("status").output
    assert "pending (read, not acked)  1" in table
    assert "dead letters               1" in table
    assert "queue invalidate           2" in table
    assert "last nightly refresh       2023-11-14 22:13:20 UTC" in table
    assert "health beat                DOWN" in table


def test_status_before_any_dispatcher_ran_says_the_group_does_not_exist_yet(cli):
    out = cli("status").output
    assert "nc-dispatchers (not created yet)" in out and "last nightly refresh       never" in out


def _dead_letter(redis_client, settings, *fields_list) -> list[str]:
    d = Dispatcher(settings, redis_client=redis_client, sender=RecordingSender(), rules=load_rules(None),
                   consumer="c1")
    d.ensure_group()
    for fields in fields_list:
        redis_client.xadd(STREAM, fields)
    d.process([(i.decode(), f) for i, f in redis_client.xreadgroup(GROUP, "c1", {STREAM: ">"})[0][1]],
              check_deliveries=False)
    return [i.decode() for i, _ in redis_client.xrange("{nc:events}:dead")]


def test_dead_letters_list_shows_the_error_type_and_device(settings, redis_client, cli):
    fields = encode_entry(parse_event({"type": "bgp_down", "device": "rtr-5", "neighbor": "10.0.0.1"}))
    fields["v"] = "99"  # a newer schema than this netcache reads
    (dead_id,) = _dead_letter(redis_client, settings, fields)
    out = cli("dead-letters", "list").output
    assert out.splitlines()[0] == "1 dead letters on {nc:events}:dead"
    line = out.splitlines()[1]
    assert line.startswith(dead_id) and "bgp_down" in line and "rtr-5" in line and "schema version '99'" in line
    (item,) = [json.loads(x) for x in cli("dead-letters", "list", "--json").output.splitlines()]
    assert item["fields"]["v"] == "99" and item["deliveries"] == 1


def test_dead_letters_replay_puts_the_fixed_event_back_and_the_dispatcher_takes_it(settings, redis_client, cli):
    fields = encode_entry(parse_event({"type": "config_change", "device": "rtr-5"}))
    fields["error"] = "a field named like ours survives the round trip"
    bad = {**fields, "v": "99"}
    (dead_id,) = _dead_letter(redis_client, settings, bad)
    # the operator fixes the cause (here: the entry itself) and replays
    redis_client.xdel("{nc:events}:dead", dead_id)
    fixed_id = redis_client.xadd("{nc:events}:dead", {**{"orig.error" if k == "error" else k: v
                                                       for k, v in fields.items()}, "error": "old", "deliveries": "1"})
    result = cli("dead-letters", "replay", fixed_id.decode())
    assert "replayed 1" in result.output
    assert redis_client.xlen("{nc:events}:dead") == 0
    new_id, new_fields = redis_client.xrange(STREAM)[-1]
    assert new_fields[b"v"] == b"1" and new_fields[b"error"] == b"a field named like ours survives the round trip"
    assert b"deliveries" not in new_fields
    sender = RecordingSender()
    d = Dispatcher(settings, redis_client=redis_client, sender=sender, rules=load_rules(None), consumer="c1")
    d._pending_first = False
    d.settings.worker.block_ms = 10
    d.block_ms = 10
    d.step()
    assert [k["tags"] for k in sender.sent] == [["device:rtr-5"]]


def test_dead_letters_replay_of_an_unknown_id_fails(cli):
    result = cli("dead-letters", "replay", "123-0")
    assert result.exit_code == 1 and "not found: 123-0" in result.output


def test_dead_letters_purge_needs_ids_or_all_and_confirmation(settings, redis_client, cli):
    ids = _dead_letter(redis_client, settings, {"event": "{"}, {"event": "["}, {"event": "x"})
    assert len(ids) == 3
    assert cli("dead-letters", "purge").exit_code == 2  # neither ids nor --all
    assert cli("dead-letters", "purge", ids[0], input="n\n").exit_code == 1  # declined
    assert redis_client.xlen("{nc:events}:dead") == 3
    assert "purged 1" in cli("dead-letters", "purge", ids[0], "--yes").output
    assert "purged 2" in cli("dead-letters", "purge", "--all", "--yes").output
    assert redis_client.xlen("{nc:events}:dead") == 0


def test_the_dispatcher_refuses_to_start_with_a_bad_rules_file(settings, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  config_change:\n    - invalidate: ['device:{device}']\n      mode: maybe\n")
    env = {"NETCACHE_REDIS_URL": settings.redis_url, "NETCACHE_WORKER__RULES_FILE": str(rules),
           "PATH": "/usr/bin:/bin"}
    result = subprocess.run([NETCACHE, "dispatcher"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert f"{rules}: invalid rules: line 4: rules.config_change.0.mode" in result.stderr


def test_status_with_redis_unreachable_fails_clearly_without_the_password(monkeypatch):
    from netcache.devtools.local_redis import free_port

    monkeypatch.setenv("NETCACHE_REDIS_URL", f"redis://:pw-secret@127.0.0.1:{free_port()}/0")
    result = CliRunner().invoke(main, ["status"])
    assert result.exit_code == 1
    assert "is unreachable" in result.output and ":***@127.0.0.1" in result.output
    assert "pw-secret" not in result.output


def test_no_command_or_subcommand_help_shows_a_secret_set_in_the_environment():
    secrets = ["RedisPw-7f3a", "BrokerPw-7f3a", "HookTok-7f3a", "NbSec-7f3a", "sk-ant-7f3a", "PushPw-7f3a"]
    env = {"NETCACHE_REDIS_URL": f"redis://:{secrets[0]}@127.0.0.1:1/0",
           "NETCACHE_WORKER__BROKER_URL": f"redis://:{secrets[1]}@127.0.0.1:1/1",
           "NETCACHE_EVENTS__WEBHOOK_TOKEN": secrets[2], "NETCACHE_EVENTS__NETBOX_SECRET": secrets[3],
           "NETCACHE_LLM__API_KEY": secrets[4], "NETCACHE_PUSH_PASSWORD": secrets[5]}
    runner = CliRunner()
    checked = 0
    for name in COMMANDS:
        command = main.get_command(None, name)
        paths = [[name]] + [[name, sub] for sub in getattr(command, "commands", {})]
        for path in paths:
            result = runner.invoke(main, [*path, "--help"], env=env)
            assert result.exit_code == 0, (path, result.output)
            assert "Usage:" in result.output
            assert not [secret for secret in secrets if secret in result.output], path
            checked += 1
    assert checked > len(COMMANDS)  # the groups' subcommands were checked too


def test_the_dispatcher_metrics_bind_this_host_only_by_default(settings):
    import urllib.request

    from netcache.devtools.local_redis import free_port
    from netcache.worker.commands import serve_dispatcher_metrics

    assert settings.worker.dispatcher_metrics_host == "127.0.0.1"
    port = free_port()
    _registry, server = serve_dispatcher_metrics(port, settings.worker.dispatcher_metrics_host)
    try:
        assert server.server_address[0] == "127.0.0.1"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as resp:
            assert resp.status == 200
    finally:
        server.shutdown()
        server.server_close()
