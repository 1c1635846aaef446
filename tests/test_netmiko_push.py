"""Netmiko config push over real SSH against the simulated IOS device, events read from the real stream."""

from __future__ import annotations

import logging

import pytest
from click.testing import CliRunner
from pydantic import SecretStr

from netcache.cli.main import main
from netcache.devtools.local_redis import free_port
from netcache.errors import ConfigError, PushError
from netcache.events.netmiko_push import DeviceSpec, find_config_errors, mask_secrets, push_config
from netcache.events.publisher import EventPublisher
from netcache.events.stream import decode_entry
from tests.support.sim_ios import SimIOS

PASSWORD = "Tr0ub4dor&3-very-secret"


@pytest.fixture(scope="module")
def sim():
    with SimIOS(hostname="rtr-001", username="admin", password=PASSWORD) as device:
        yield device


@pytest.fixture
def device(sim) -> DeviceSpec:
    sim.state.config_lines.clear()
    sim.state.commands.clear()
    sim.state.saves = 0
    return DeviceSpec(name="rtr-001", host="127.0.0.1", port=sim.port, username="admin",
                      password=SecretStr(PASSWORD), conn_timeout_s=5, read_timeout_s=10)


@pytest.fixture
def publisher(redis_client, settings) -> EventPublisher:
    return EventPublisher(redis_client, settings, retries=0)


def stream_events(redis_client, settings):
    return [decode_entry(fields, entry_id) for entry_id, fields in redis_client.xrange(settings.events.stream)]


def test_a_good_push_configures_the_device_and_publishes_one_config_change(device, sim, publisher,
                                                                           redis_client, settings):
    lines = ["interface GigabitEthernet0/1", " description uplink to core", " no shutdown"]
    result = push_config(device, lines, publisher=publisher, who="alice")

    assert sim.config_lines == ["interface GigabitEthernet0/1", "description uplink to core", "no shutdown"]
    assert sim.saves == 0
    assert result.saved is False and result.stream_id is not None
    events = stream_events(redis_client, settings)
    assert len(events) == 1
    event = events[0]
    assert event.type == "config_change" and event.source == "netmiko"
    assert event.device == "rtr-001" and event.user == "alice" and event.method == "netmiko"
    assert event.changed_lines == lines
    assert event.source_address == "127.0.0.1"
    assert event.id == result.event_id


def test_save_runs_write_memory_after_the_config_lines(device, sim, publisher):
    result = push_config(device, ["ntp server 192.0.2.1"], publisher=publisher, save=True)

    assert result.saved is True
    assert sim.saves == 1
    commands = sim.commands
    assert commands.index("ntp server 192.0.2.1") < commands.index("write mem")


def test_a_line_rejected_half_way_publishes_a_partial_config_change_for_the_lines_applied_before_it(
        device, sim, publisher, redis_client, settings):
    with pytest.raises(PushError, match=r"rejected the configuration: % Invalid input detected.*"
                                        r"1 line\(s\) before it were applied: published a partial config_change"):
        push_config(device, ["interface Gi0/2", "frobnicate the widget", "description never sent"],
                    publisher=publisher, save=True, who="alice")

    assert "description never sent" not in sim.commands  # the push stops at the first rejected line
    assert sim.saves == 0
    assert sim.config_lines == ["interface Gi0/2"]  # the device *is* changed ...
    (event,) = stream_events(redis_client, settings)  # ... so the cache must hear of it
    assert event.type == "config_change" and event.partial is True
    assert event.changed_lines == ["interface Gi0/2"] and event.device == "rtr-001" and event.user == "alice"


def test_a_first_line_rejected_changes_nothing_and_publishes_nothing(device, publisher, redis_client, settings):
    with pytest.raises(PushError, match="Incomplete command.*no line was applied, nothing published"):
        push_config(device, ["ip route"], publisher=publisher)
    assert redis_client.xlen(settings.events.stream) == 0


def test_every_netmiko_argument_passes_through_and_a_misspelt_one_is_refused(device, sim, publisher, tmp_path):
    log_file = tmp_path / "session.log"
    spec = device.model_copy(update={"netmiko_args": {"session_log": str(log_file), "fast_cli": False,
                                                      "global_delay_factor": 1}})
    push_config(spec, ["ntp server 192.0.2.7"], publisher=publisher)
    logged = log_file.read_text()
    assert "ntp server 192.0.2.7" in logged and PASSWORD not in logged  # Netmiko's own log, secrets filtered
    seen = {}

    def recording_connect(**params):
        seen.update(params)
        from netmiko import ConnectHandler
        return ConnectHandler(**params)

    push_config(spec, ["ntp server 192.0.2.8"], publisher=publisher, connect=recording_connect)
    assert seen["fast_cli"] is False and seen["global_delay_factor"] == 1 and seen["session_log"] == str(log_file)
    with pytest.raises(ConfigError, match="fastcli .did you mean fast_cli"):
        push_config(device.model_copy(update={"netmiko_args": {"fastcli": False}}), ["x"], publisher=publisher)
    with pytest.raises(ConfigError, match="device spec's own fields"):
        push_config(device.model_copy(update={"netmiko_args": {"password": "x"}}), ["x"], publisher=publisher)


def test_push_command_passes_session_log_and_netmiko_args(sim, device, settings, redis_client, tmp_path):
    cfg = tmp_path / "cfg.txt"
    cfg.write_text("ntp server 192.0.2.9\n")
    log_file = tmp_path / "s.log"
    env = {"NETCACHE_REDIS_URL": settings.redis_url, "NETCACHE_PUSH_PASSWORD": PASSWORD}
    base = ["push", "--device", "rtr-001", "--host", "127.0.0.1", "--port", str(sim.port), "--username", "admin",
            "--commands-file", str(cfg)]
    ok = CliRunner().invoke(main, [*base, "--session-log", str(log_file), "--netmiko-arg", "fast_cli=false",
                                   "--netmiko-arg", "global_delay_factor=2"], env=env, catch_exceptions=False)
    assert ok.exit_code == 0, ok.output
    assert "ntp server 192.0.2.9" in log_file.read_text()
    bad = CliRunner().invoke(main, [*base, "--netmiko-arg", "global_delay=2"], env=env)
    assert bad.exit_code == 2 and "not a Netmiko connection argument: global_delay" in bad.output


def test_a_wrong_password_raises_push_error_and_publishes_nothing(device, sim, publisher, redis_client, settings):
    bad = device.model_copy(update={"password": SecretStr("wrong-password")})
    failed_before = sim.state.failed_logins

    with pytest.raises(PushError, match="authentication failed for admin@127.0.0.1") as info:
        push_config(bad, ["ntp server 192.0.2.1"], publisher=publisher)

    assert "wrong-password" not in str(info.value)
    assert sim.state.failed_logins > failed_before
    assert sim.config_lines == []
    assert redis_client.xlen(settings.events.stream) == 0


def test_an_unreachable_device_raises_push_error_naming_where(device, publisher, redis_client, settings):
    closed = device.model_copy(update={"port": free_port(), "conn_timeout_s": 2})
    with pytest.raises(PushError, match=r"127\.0\.0\.1:\d+ .*nothing was pushed"):
        push_config(closed, ["ntp server 192.0.2.1"], publisher=publisher)
    assert redis_client.xlen(settings.events.stream) == 0


def test_the_password_never_appears_in_logs_errors_or_the_stream(device, sim, publisher, redis_client,
                                                                  settings, caplog):
    caplog.set_level(logging.DEBUG)
    push_config(device, ["logging host 192.0.2.9"], publisher=publisher, save=True)
    with pytest.raises(PushError) as rejected:
        push_config(device, ["frobnicate"], publisher=publisher)
    with pytest.raises(PushError) as denied:
        push_config(device.model_copy(update={"password": SecretStr(PASSWORD + "x")}), ["frobnicate"],
                    publisher=publisher)

    assert caplog.records, "the push logs what it does"
    assert PASSWORD not in caplog.text
    assert PASSWORD not in str(rejected.value) and PASSWORD not in str(denied.value)
    assert PASSWORD not in repr(device)
    raw = redis_client.xrange(settings.events.stream)
    assert len(raw) == 1
    assert PASSWORD.encode() not in b"".join(v for _, fields in raw for v in fields.values())


def test_secrets_inside_config_lines_are_masked_in_the_event(device, publisher, redis_client, settings):
    push_config(device, ["username bob secret 0 hunter2", "snmp-server community public RO"], publisher=publisher)

    (event,) = stream_events(redis_client, settings)
    assert event.changed_lines == ["username bob secret 0 ******", "snmp-server community ****** RO"]


def test_ios_error_markers_are_found_and_clean_output_has_none():
    output = ("rtr-001(config)#interface Gi0/1\nrtr-001(config-if)#foo\n        ^\n"
              "% Invalid input detected at '^' marker.\n% Ambiguous command:  \"sh\"\n"
              "% Unknown command or computer name\n% Error opening tftp://x (Timed out)\n")
    assert find_config_errors(output) == [
        "% Invalid input detected at '^' marker.", '% Ambiguous command:  "sh"',
        "% Unknown command or computer name", "% Error opening tftp://x (Timed out)"]
    assert find_config_errors("rtr-001(config)#description 100% uplink\nrtr-001#") == []


def test_mask_secrets_leaves_ordinary_lines_alone():
    assert mask_secrets("enable secret 5 $1$abc$def") == "enable secret 5 ******"
    assert mask_secrets(" description link to core") == " description link to core"


def test_an_empty_commands_list_is_refused_before_connecting(device, publisher):
    with pytest.raises(PushError, match="no configuration lines"):
        push_config(device, ["", "! just a comment"], publisher=publisher)


def test_push_command_reads_the_password_from_the_environment(sim, device, settings, redis_client, tmp_path):
    cfg = tmp_path / "cfg.txt"
    cfg.write_text("interface Gi0/3\n description from the cli\n")
    env = {"NETCACHE_REDIS_URL": settings.redis_url, "NETCACHE_PUSH_PASSWORD": PASSWORD}
    args = ["push", "--device", "rtr-001", "--host", "127.0.0.1", "--port", str(sim.port),
            "--username", "admin", "--commands-file", str(cfg), "--save", "--who", "ops-bot"]

    result = CliRunner().invoke(main, args, env=env, catch_exceptions=False)

    assert result.exit_code == 0, result.output
    assert "pushed 2 line(s) to rtr-001" in result.output and "saved" in result.output
    assert PASSWORD not in result.output
    assert sim.config_lines == ["interface Gi0/3", "description from the cli"] and sim.saves == 1
    (event,) = stream_events(redis_client, settings)
    assert event.user == "ops-bot"


def test_push_help_says_when_the_event_is_published_and_where_the_password_comes_from_without_showing_it():
    result = CliRunner().invoke(main, ["push", "--help"], env={"NETCACHE_PUSH_PASSWORD": PASSWORD})
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "published only after every line was accepted" in text and "publishes nothing" in text
    assert "partial config_change for the lines it applied" in text
    assert "--password-env" in text and "NETCACHE_PUSH_PASSWORD" in text and "netcache push --device" in text
    assert PASSWORD not in result.output


def test_push_command_fails_clearly_without_a_password(sim, settings, redis_client, tmp_path):
    cfg = tmp_path / "cfg.txt"
    cfg.write_text("ntp server 192.0.2.1\n")
    env = {"NETCACHE_REDIS_URL": settings.redis_url, "NETCACHE_PUSH_PASSWORD": ""}
    result = CliRunner().invoke(main, ["push", "--device", "rtr-001", "--host", "127.0.0.1", "--port",
                                       str(sim.port), "--username", "admin", "--commands-file", str(cfg)],
                                env=env)
    assert result.exit_code == 2
    assert "NETCACHE_PUSH_PASSWORD" in result.output
    assert redis_client.xlen(settings.events.stream) == 0


def test_an_unprivileged_login_enables_with_the_secret_before_configuring(publisher, redis_client, settings):
    with SimIOS(password=PASSWORD, privileged=False, enable_password="en-secret-42") as user_mode:
        device = DeviceSpec(name="rtr-001", host="127.0.0.1", port=user_mode.port, username="admin",
                            password=SecretStr(PASSWORD), secret=SecretStr("en-secret-42"), conn_timeout_s=5)
        push_config(device, ["vlan 42"], publisher=publisher)
        assert user_mode.config_lines == ["vlan 42"]
        assert "enable" in user_mode.commands and "en-secret-42" not in user_mode.commands
    (event,) = stream_events(redis_client, settings)
    assert event.changed_lines == ["vlan 42"]


def test_the_simulator_asks_for_the_destination_on_copy_run_start_like_ios(sim, device):
    from netmiko import ConnectHandler

    conn = ConnectHandler(device_type="cisco_ios", host="127.0.0.1", port=sim.port, username="admin",
                          password=PASSWORD, fast_cli=True)
    try:
        output = conn.save_config(cmd="copy running-config startup-config", confirm=True, confirm_response="")
    finally:
        conn.disconnect()
    assert "Destination filename [startup-config]?" in output and "[OK]" in output
    assert sim.saves == 1


def test_when_redis_is_down_after_a_good_push_the_error_says_the_device_is_changed(device, sim, publisher,
                                                                                   redis_server):
    from netcache.errors import BackendUnavailable

    redis_server.stop()
    try:
        with pytest.raises(BackendUnavailable, match="rtr-001 was configured, but the config_change event"):
            push_config(device, ["vlan 77"], publisher=publisher)
    finally:
        redis_server.start()
    assert sim.config_lines == ["vlan 77"]
