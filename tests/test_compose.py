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

from netcache.settings import Settings
from netcache.cli.main import COMMANDS, main

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


def test_every_service_command_and_health_check_is_a_real_netcache_command():
    netcache_services = [n for n, s in COMPOSE["services"].items() if s.get("image", "").startswith("netcache")]
    assert set(NETCACHE_SERVICES) <= set(netcache_services)
    for name in netcache_services:
        service = COMPOSE["services"][name]
        command = service["command"]
        _invoke_check(command if isinstance(command, list) else shlex.split(command))
        if "healthcheck" in service:
            _invoke_check(service["healthcheck"]["test"][1:])


def test_every_environment_variable_is_a_real_setting():
    known = _settings_env_names()
    for name, service in COMPOSE["services"].items():
        for var in service.get("environment", {}) or {}:
            assert var in known, f"{name}: {var} is not a field of netcache/settings.py"


def test_the_broker_redis_never_evicts_and_the_cache_redis_evicts_only_expiring_keys():
    queue = COMPOSE["services"]["redis-queue"]["command"]
    cache = COMPOSE["services"]["redis"]["command"]
    assert queue[queue.index("--maxmemory-policy") + 1] == "noeviction"
    assert cache[cache.index("--maxmemory-policy") + 1] == "volatile-lfu"
    assert COMPOSE["services"]["worker"]["environment"]["NETCACHE_WORKER__BROKER_URL"].startswith("redis://redis-queue")


def test_every_variable_the_operator_sets_is_documented_in_the_header_and_the_netbox_secret_reaches_the_webhook():
    text = (ROOT / "docker-compose.yml").read_text()
    header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    interpolated = set(re.findall(r"\$\{(\w+)", text))
    assert "NETCACHE_EVENTS__NETBOX_SECRET" in interpolated
    for var in interpolated:
        assert re.search(rf"^#\s+{var}\s", header, re.M), f"{var} is set from .env but not documented"
    assert COMPOSE["services"]["webhook"]["environment"]["NETCACHE_EVENTS__NETBOX_SECRET"] == \
        "${NETCACHE_EVENTS__NETBOX_SECRET:-}"
