"""Warm-ups from the device's real state: run the show commands a question's template names first.

With device logins configured (``NETCACHE_WORKER__DEVICES_FILE``), a warm-up whose question
matches a template in ``tasks/templates.yaml`` that lists ``commands`` runs those commands on
the question's device over Netmiko (the same :class:`~netcache.events.netmiko_push.DeviceSpec`
and connection arguments as ``netcache push``) and sends their output to the generator as
context. The output is never part of the cache key: the bot's own question (asked without it)
finds the warmed answer. A config_change's changed lines arrive with the question
(``device_state``, set by the rules) and are sent the same way.

Every warmed answer's metadata says what it was based on (``Generation.metadata``, stored with
the entry): ``device_state`` is ``collected`` (with ``device`` and ``device_state_commands``),
``event`` (the event's own lines only), ``none`` (no login for the device, or no commands for
the question; ``device_state_reason`` says which) or ``failed`` (the device did not answer;
the reason says why, and the warm-up went ahead without state). Outcomes are counted in
``{prefix}:w:stats:device_state`` (``netcache_warm_device_state_total`` on ``/metrics``).

The devices file (YAML or JSON)::

    defaults:                       # merged under every device (optional)
      username: netops
      password_env: NETCACHE_PUSH_PASSWORD   # the variable holding the password (this default)
    devices:
      rtr-001: {host: 192.0.2.11}
      sw-01:   {host: 192.0.2.21, device_type: cisco_nxos, port: 2222, secret_env: SW_ENABLE,
                netmiko_args: {global_delay_factor: 2}}

Passwords are read from the environment when a command runs, never from the file, and never logged.
"""

from __future__ import annotations

import logging
import os
import re
import string
import threading
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from netcache.errors import ConfigError, PushError
from netcache.events.netmiko_push import PASSWORD_ENV, DeviceSpec, check_netmiko_args, run_show_commands
from netcache.keys import WorkerKeys

__all__ = ["DeviceLogin", "DeviceState", "load_devices", "match_template", "OUTCOMES"]

log = logging.getLogger(__name__)

#: ``device_state`` values in an answer's metadata (and counter fields).
OUTCOMES = ("collected", "event", "none", "failed")


class DeviceLogin(BaseModel):
    """One device's login in the devices file (the password comes from ``password_env``)."""

    model_config = ConfigDict(extra="forbid")

    host: str
    port: int = Field(22, ge=1, le=65535)
    device_type: str = "cisco_ios"
    username: str
    password_env: str = PASSWORD_ENV
    secret_env: str | None = None
    netmiko_args: dict[str, Any] = Field(default_factory=dict)

    def spec(self, name: str, timeout_s: float) -> DeviceSpec:
        """The DeviceSpec ``netcache push`` would use; ``ConfigError`` when the password is not set."""
        password = os.environ.get(self.password_env)
        if not password:
            raise ConfigError(f"the password variable {self.password_env} is not set")
        secret = os.environ.get(self.secret_env) if self.secret_env else None
        return DeviceSpec(name=name, host=self.host, port=self.port, device_type=self.device_type,
                          username=self.username, password=SecretStr(password),
                          secret=SecretStr(secret) if secret else None, conn_timeout_s=timeout_s,
                          read_timeout_s=timeout_s, netmiko_args=self.netmiko_args)


def load_devices(path: str | Path | None) -> dict[str, DeviceLogin]:
    """Device name (lower case) → login, from the devices file (empty without one)."""
    if path is None:
        return {}
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as e:
        raise ConfigError(f"cannot read the devices file {path}: {e}") from e
    if not isinstance(data, dict) or not isinstance(data.get("devices", {}), dict):
        raise ConfigError(f"devices file {path}: expected a mapping with 'devices' (name → host, username …)")
    defaults = data.get("defaults") or {}
    out: dict[str, DeviceLogin] = {}
    for name, fields in (data.get("devices") or {}).items():
        try:
            login = DeviceLogin.model_validate({**defaults, **(fields or {})})
            check_netmiko_args(login.netmiko_args)
        except (ValidationError, ConfigError) as e:
            raise ConfigError(f"devices file {path}: device {name!r}: {e}") from e
        out[str(name).lower()] = login
    return out


@lru_cache(maxsize=1024)
def _template_regex(template: str) -> re.Pattern[str] | None:
    parts, seen = [], set()
    for literal, name, _, _ in string.Formatter().parse(template):
        parts.append(r"\s+".join(re.escape(w) for w in literal.split(" ")))
        if name:
            parts.append(f"(?P={name})" if name in seen else f"(?P<{name}>\\S+)")
            seen.add(name)
    try:
        return re.compile("".join(parts).rstrip("?").rstrip("\\") + r"\??", re.IGNORECASE)
    except re.error:
        return None


def match_template(prompt: str, commands: Mapping[str, list[str]]) -> tuple[dict[str, str], list[str]] | None:
    """The placeholder values and the rendered commands of the first template ``prompt`` is an
    instance of (``"Why is interface Gi0/1 on rtr-001 flapping?"`` → device, interface), or None."""
    text = prompt.strip()
    for template, cmds in commands.items():
        rx = _template_regex(template)
        m = rx.fullmatch(text) if rx is not None else None
        if m:
            values = {k: v.rstrip("?,.") for k, v in m.groupdict().items()}
            return values, [c.format(**values) for c in cmds]
    return None


class DeviceState:
    """Collects device state for the questions of one warm run (each command runs once per device).

    ``devices`` (name → :class:`DeviceLogin`) and ``commands`` (question template → command
    templates) are loaded by the caller; ``redis`` gets the outcome counters."""

    def __init__(self, devices: Mapping[str, DeviceLogin], commands: Mapping[str, list[str]], *,
                 timeout_s: float = 5.0, max_chars: int = 20_000, redis: Any = None, prefix: str = "nc",
                 run: Callable[..., dict[str, str]] = run_show_commands) -> None:
        self.devices = dict(devices)
        self.commands = dict(commands)
        self.timeout_s = timeout_s
        self.max_chars = max_chars
        self.redis = redis
        self.key = WorkerKeys(prefix).stats("device_state")
        self._run = run
        self._lock = threading.Lock()
        self._device_locks: dict[str, threading.Lock] = {}
        self._outputs: dict[tuple[str, str], str] = {}
        self._failures: dict[str, str] = {}

    def for_question(self, q: Mapping[str, Any]) -> tuple[str | None, dict[str, Any]]:
        """(context text for the generator or None, the answer's metadata) for question ``q``."""
        given = q.get("device_state") or None
        matched = match_template(str(q.get("prompt", "")), self.commands)
        device = str(q.get("device") or (matched[0].get("device") if matched else "") or "")
        cmds = matched[1] if matched else []
        if not cmds:
            if given:
                return self._done(given, {"device_state": "event", "device": device})
            return self._done(None, {"device_state": "none",
                                     "device_state_reason": "no show commands for this question"})
        login = self.devices.get(device.lower())
        if login is None:
            return self._done(given, {"device_state": "event" if given else "none", "device": device,
                                      "device_state_reason": f"no device login for {device} "
                                                             "(NETCACHE_WORKER__DEVICES_FILE)"})
        try:
            outputs = self._collect(device, login, cmds)
        except (PushError, ConfigError) as e:
            log.warning("warm-up without device state for %s: %s", device, e)
            return self._done(given, {"device_state": "failed", "device": device,
                                      "device_state_reason": str(e)})
        text = "\n\n".join(f"{device}# {c}\n{outputs[c].strip()}" for c in cmds)
        if len(text) > self.max_chars:
            text = text[:self.max_chars] + "\n[… output cut]"
        if given:
            text = f"{given}\n\n{text}"
        return self._done(text, {"device_state": "collected", "device": device, "device_state_commands": cmds})

    def _collect(self, device: str, login: DeviceLogin, cmds: list[str]) -> dict[str, str]:
        with self._lock:
            lock = self._device_locks.setdefault(device.lower(), threading.Lock())
        with lock:  # one session per device at a time; outputs are reused within the run
            if device.lower() in self._failures:
                raise PushError(self._failures[device.lower()])
            missing = [c for c in cmds if (device.lower(), c) not in self._outputs]
            if missing:
                try:
                    got = self._run(login.spec(device, self.timeout_s), missing)
                except (PushError, ConfigError) as e:
                    self._failures[device.lower()] = str(e)  # do not wait for a dead device twice
                    raise
                for c in missing:
                    self._outputs[(device.lower(), c)] = got.get(c, "")
            return {c: self._outputs[(device.lower(), c)] for c in cmds}

    def _done(self, text: str | None, meta: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
        if self.redis is not None:
            try:
                self.redis.hincrby(self.key, meta["device_state"], 1)
            except Exception as e:  # noqa: BLE001 - a counter must not stop a warm-up
                log.debug("device state counter not written: %s", e)
        return text, {k: v for k, v in meta.items() if v not in ("", None)}


def combine_context(context: Any, state: str | None) -> Any:
    """The generator's context: the question's own context plus the device state."""
    if not state:
        return context
    if context in (None, "", {}):
        return state
    if isinstance(context, Mapping):
        return {**context, "device_state": state}
    return f"{context}\n\n{state}"
