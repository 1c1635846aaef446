"""docker-compose.yml is valid Compose, runs only real commands and sets only real settings.

Offline: the Compose Specification's JSON schema is vendored in
tests/data/compose-spec.json (Apache-2.0, see tests/data/compose-spec.NOTICE).
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import click
import jsonschema
import pytest
import yaml
from pydantic import BaseModel

from netcache.cli.main import COMMANDS, main
from netcache.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SCHEMA = json.loads((ROOT / "tests" / "data" / "compose-spec.json").read_text())
NETCACHE_SERVICES = ["dispatcher", "worker", "beat", "webhook", "syslog"]


def _settings_env_names() -> set[str]:
    """Every NETCACHE_* variable the settings object reads."""
    names = set()
    for field_name, field in Settings.model_fields.items():
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            names |= {f"NETCACHE_{field_name}__{sub}".upper() for sub in ann.model_fields}
        else:
            names.add(f"NETCACHE_{field_name}".upper())
    return names


def _invoke_check(argv: list[str]) -> None:
    """``argv`` is ``netcache <command> [options]`` that click accepts."""
    assert argv[0] == "netcache", argv
    name, args = argv[1], argv[2:]
    assert name in COMMANDS, f"`netcache {name}` is not a netcache command"
    with click.Context(main) as ctx:
        cmd = main.get_command(ctx, name)
        assert cmd is not None and "unavailable" not in (cmd.help or ""), f"`netcache {name}`: {cmd.help}"
        cmd.make_context(name, list(args), resilient_parsing=False)


def test_the_compose_file_is_valid_against_the_compose_specification():
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    jsonschema.Draft7Validator(SCHEMA).validate(COMPOSE)


def test_the_schema_check_really_rejects_a_broken_compose_file():
    broken = json.loads(json.dumps(COMPOSE))
    broken["services"]["worker"]["healthcheck"]["intervall"] = "5s"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(SCHEMA).validate(broken)


def test_the_stack_has_every_component_with_a_health_check():
    services = COMPOSE["services"]
    assert set(NETCACHE_SERVICES) | {"redis", "redis-queue"} <= set(services)
    for name in NETCACHE_SERVICES:
        test = services[name]["healthcheck"]["test"]
        assert test[:2] == ["CMD", "netcache"] and "--component" in test, name
        # in a container the check must look at this container's own heartbeat, not any host's
        assert "--this-host" in test, name
    for name in ("metrics", "llm-server", "redis", "redis-queue"):
        assert services[name]["healthcheck"]["test"], name


def test_every_service_command_and_health_check_is_a_real_netcache_command():
    netcache_services = [n for n, s in COMPOSE["services"].items() if s.get("image", "").startswith("netcache")]
    assert set(NETCACHE_SERVICES) <= set(netcache_services)
    for name in netcache_services:
        service = COMPOSE["services"][name]
        command = service["command"]
        _invoke_check(command if isinstance(command, list) else shlex.split(command))
        if "healthcheck" in service and service["healthcheck"]["test"][1] == "netcache":
            _invoke_check(service["healthcheck"]["test"][1:])


def test_every_environment_variable_is_a_real_setting():
    known = _settings_env_names()
    for name, service in COMPOSE["services"].items():
        if not service.get("image", "").startswith("netcache"):
            continue  # the Redis containers read REDIS_PASSWORD themselves
        for var in service.get("environment", {}) or {}:
            assert var in known, f"{name}: {var} is not a field of netcache/settings.py"


def test_the_broker_redis_never_evicts_and_the_cache_redis_evicts_only_expiring_keys():
    queue = _redis_args("redis-queue")
    cache = _redis_args("redis")
    assert queue[queue.index("--maxmemory-policy") + 1] == "noeviction"
    assert cache[cache.index("--maxmemory-policy") + 1] == "volatile-lfu"
    broker = COMPOSE["services"]["worker"]["environment"]["NETCACHE_WORKER__BROKER_URL"]
    assert broker.startswith("redis://:") and broker.endswith("@redis-queue:6379/0")


def _redis_args(service: str) -> list[str]:
    """The redis-server arguments of a Redis service (its command is ``sh -c "exec redis-server ..."``)."""
    command = COMPOSE["services"][service]["command"]
    assert command[:2] == ["sh", "-c"], command
    args = shlex.split(command[2].replace("$$", "$"))
    assert args[:2] == ["exec", "redis-server"], args
    return args[2:]


def test_both_redis_instances_require_the_password_the_netcache_urls_carry():
    for service in ("redis", "redis-queue"):
        args = _redis_args(service)
        assert args[args.index("--requirepass") + 1] == "$REDIS_PASSWORD"
        assert COMPOSE["services"][service]["environment"]["REDIS_PASSWORD"].startswith("${REDIS_PASSWORD:?")
        assert "$$REDIS_PASSWORD" in " ".join(COMPOSE["services"][service]["healthcheck"]["test"])
    env = COMPOSE["services"]["worker"]["environment"]
    for var in ("NETCACHE_REDIS_URL", "NETCACHE_WORKER__BROKER_URL"):
        assert env[var].startswith("redis://:${REDIS_PASSWORD:?"), var


def test_published_ports_bind_to_this_host_unless_the_operator_says_otherwise():
    published = [(name, port) for name, s in COMPOSE["services"].items() for port in s.get("ports", [])]
    assert {name for name, _ in published} >= {"webhook", "syslog", "metrics"}
    for name, port in published:
        assert str(port).startswith("${PUBLISH_ADDRESS:-127.0.0.1}:"), (name, port)


def test_inventory_and_rules_files_come_from_a_read_only_config_volume_and_empty_means_none():
    worker = COMPOSE["services"]["worker"]
    assert "./config:/etc/netcache:ro" in worker["volumes"]
    for var in ("NETCACHE_CACHE__INVENTORY_FILE", "NETCACHE_WORKER__RULES_FILE", "NETCACHE_EVENTS__SYSLOG_RULES_FILE"):
        assert worker["environment"][var] == f"${{{var}:-}}"
    # what compose passes when the operator sets nothing: an empty value, which must mean "no file"
    unset = Settings(cache={"inventory_file": ""}, worker={"rules_file": ""}, events={"syslog_rules_file": ""})
    assert (unset.cache.inventory_file, unset.worker.rules_file, unset.events.syslog_rules_file) == (None, None, None)


def test_every_variable_the_operator_sets_is_documented_in_the_header_and_the_netbox_secret_reaches_the_webhook():
    text = (ROOT / "docker-compose.yml").read_text()
    header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    interpolated = set(re.findall(r"\$\{(\w+)", text))
    assert "NETCACHE_EVENTS__NETBOX_SECRET" in interpolated
    for var in interpolated:
        assert re.search(rf"^#\s+{var}\s", header, re.M), f"{var} is set from .env but not documented"
    assert COMPOSE["services"]["webhook"]["environment"]["NETCACHE_EVENTS__NETBOX_SECRET"] == \
        "${NETCACHE_EVENTS__NETBOX_SECRET:-}"
