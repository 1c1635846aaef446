"""Push configuration with Netmiko, then say so on the event stream.

    result = push_config(DeviceSpec(name="rtr-001", host="10.0.0.1", username="admin",
                                    password=SecretStr("...")),
                         ["interface Gi0/1", "description uplink"],
                         publisher=EventPublisher(redis, settings), save=True, who="alice")

Connects with ``netmiko.ConnectHandler``, sends the lines with
``send_config_set`` (stopping at the first line the device rejects), checks the
whole output for IOS error markers (``% Invalid input``, ``% Incomplete
command``, ``% Ambiguous command``, ``% Unknown command``, ``% … error``),
optionally saves (``write memory``), and only after all of that succeeded
publishes one ``config_change`` event (source ``netmiko``, the changed lines,
who, from where). A push that could not start (authentication, connect timeout)
raises ``PushError`` and publishes nothing. A push the device rejected half-way
(or that timed out while configuring) has changed the device all the same: it
publishes a ``config_change`` marked ``partial`` with the lines that were applied
(all of them after a timeout, since which ones landed is unknown), so the cache
drops the pre-change answers, and then raises ``PushError``.

Every Netmiko connection argument passes through ``DeviceSpec.netmiko_args``
(``session_log``, ``fast_cli``, ``global_delay_factor``, ``key_file`` …; checked
against ``ConnectHandler``'s own parameters, so a misspelt one is an error).

Credentials never leave this module: they are ``SecretStr`` in ``DeviceSpec``,
Netmiko's own log filter hides them, error messages are written here (never
copied from the SSH library), and secrets inside config lines
(``username x secret y``, ``snmp-server community z``) are masked in the event.

CLI (``netcache push``): the password comes from ``NETCACHE_PUSH_PASSWORD`` (or
the variable named by ``--password-env``) or an interactive prompt, never argv.
"""

from __future__ import annotations

import getpass
import logging
import os
import re
import socket
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import click
from pydantic import BaseModel, Field, SecretStr

from netcache.errors import BackendUnavailable, ConfigError, EventError, PushError
from netcache.events.models import ConfigChange

__all__ = [
    "DeviceSpec",
    "PushResult",
    "push_config",
    "find_config_errors",
    "mask_secrets",
    "IOS_ERROR_PATTERN",
    "PASSWORD_ENV",
    "push_command",
    "run_show_commands",
]

log = logging.getLogger(__name__)

#: Environment variable the CLI reads the device password from.
PASSWORD_ENV = "NETCACHE_PUSH_PASSWORD"

#: IOS-style error lines in command output ("% Invalid input detected at '^' marker.", "% Error opening ...").
IOS_ERROR_PATTERN = (
    r"(?im)^\s*%\s*(?:Invalid input|Incomplete command|Ambiguous command|Unknown command"
    r"|Bad mask|Unrecognized command|.*\berror\b).*$"
)
_IOS_ERROR_RE = re.compile(IOS_ERROR_PATTERN)
_NETMIKO_ERROR_RE = re.compile(r"at command: (?P<cmd>.*?), matched error: (?P<error>.*)", re.DOTALL)

#: Config keywords followed by a secret: "username bob secret 0 xyz", "snmp-server community public RO".
_SECRET_RE = re.compile(
    r"\b(password|secret|community|key-string|key|pre-shared-key|authentication-key|md5)"
    r"(\s+(?:\d\s+)?)(\S+)",
    re.IGNORECASE,
)


class DeviceSpec(BaseModel):
    """Where and how to log in. ``password`` (and ``secret``, the enable password) are never shown."""

    name: str = Field(description="Device hostname as netcache knows it (the event's device).")
    host: str = Field(description="Address to connect to.")
    port: int = Field(22, ge=1, le=65535)
    device_type: str = Field("cisco_ios", description="Netmiko device_type.")
    username: str
    password: SecretStr
    secret: SecretStr | None = Field(None, description="Enable password, if the login is not privileged.")
    #: TCP connect / SSH banner / auth timeouts (Netmiko's conn_timeout, banner_timeout, auth_timeout).
    conn_timeout_s: float = Field(10.0, gt=0)
    #: Longest wait for the device's output of one command.
    read_timeout_s: float = Field(30.0, gt=0)
    #: Further Netmiko ConnectHandler arguments (session_log, fast_cli, global_delay_factor,
    #: key_file, ssh_config_file …); they override the defaults set here (fast_cli=True,
    #: use_keys=False, allow_agent=False). The login itself comes from the fields above.
    netmiko_args: dict[str, Any] = Field(default_factory=dict)

    def where(self) -> str:
        return f"{self.username}@{self.host}:{self.port} (device {self.name}, {self.device_type})"


@dataclass(frozen=True)
class PushResult:
    """What a successful push did."""

    device: str
    lines: list[str]
    output: str
    saved: bool
    event_id: str
    #: Stream id of the config_change event; None if the publisher saw the same event id already.
    stream_id: str | None
    duration_s: float


def find_config_errors(output: str) -> list[str]:
    """The error lines in device output (empty when the device accepted everything)."""
    return [m.group(0).strip() for m in _IOS_ERROR_RE.finditer(output)]


def mask_secrets(line: str) -> str:
    """``username bob secret 0 xyz`` → ``username bob secret 0 ******`` (for events and logs)."""
    return _SECRET_RE.sub(lambda m: f"{m.group(1)}{m.group(2)}******", line)


def _clean(commands: Iterable[str]) -> list[str]:
    lines = [c.rstrip() for c in commands]
    lines = [c for c in lines if c.strip() and not c.lstrip().startswith("!")]
    if not lines:
        raise PushError("no configuration lines to push (empty list, or only blank lines and '!' comments)")
    return lines


def _scrub(text: str, device: DeviceSpec) -> str:
    for secret in (device.password, device.secret):
        value = secret.get_secret_value() if secret is not None else ""
        if value:
            text = text.replace(value, "******")
    return text


def _local_address(conn: Any) -> str:
    """The address this host used to reach the device ("from where"); the hostname if unknown."""
    try:
        return str(conn.remote_conn.get_transport().sock.getsockname()[0])
    except (AttributeError, OSError, IndexError, TypeError):
        return socket.gethostname()


#: DeviceSpec fields that set these ConnectHandler arguments (not accepted in netmiko_args).
_SPEC_ARGS = frozenset({"device_type", "host", "ip", "port", "username", "password", "secret"})


def netmiko_parameters() -> frozenset[str]:
    """The keyword arguments Netmiko's connection classes accept."""
    import inspect

    from netmiko.base_connection import BaseConnection

    return frozenset(name for name in inspect.signature(BaseConnection.__init__).parameters if name != "self")


def check_netmiko_args(args: dict[str, Any]) -> dict[str, Any]:
    """``args`` if every key is a Netmiko connection argument not set by DeviceSpec's own fields."""
    spec = sorted(set(args) & _SPEC_ARGS)
    if spec:
        raise ConfigError(f"netmiko_args {spec}: set these with the device spec's own fields (--host, "
                          "--username, the password variable …)")
    unknown = sorted(set(args) - netmiko_parameters())
    if unknown:
        import difflib

        close = [difflib.get_close_matches(u, sorted(netmiko_parameters()), n=1) for u in unknown]
        hints = ", ".join(f"{u} (did you mean {c[0]}?)" if c else u for u, c in zip(unknown, close))
        raise ConfigError(f"not a Netmiko connection argument: {hints}")
    return args


def _connect(device: DeviceSpec, connect: Callable[..., Any], *, untouched: str = "nothing was pushed") -> Any:
    from netmiko.exceptions import NetmikoAuthenticationException, NetmikoTimeoutException

    params: dict[str, Any] = {
        "device_type": device.device_type,
        "host": device.host,
        "port": device.port,
        "username": device.username,
        "password": device.password.get_secret_value(),
        "conn_timeout": device.conn_timeout_s,
        "auth_timeout": device.conn_timeout_s,
        "banner_timeout": device.conn_timeout_s,
        "read_timeout_override": device.read_timeout_s,
        "fast_cli": True,
        "use_keys": False,
        "allow_agent": False,
        **check_netmiko_args(device.netmiko_args),
    }
    if device.secret is not None:
        params["secret"] = device.secret.get_secret_value()
    try:
        return connect(**params)
    except NetmikoAuthenticationException:
        raise PushError(f"authentication failed for {device.where()}: check the username and password "
                        f"({untouched}, nothing published)") from None
    except NetmikoTimeoutException:
        raise PushError(f"could not connect to {device.where()} within {device.conn_timeout_s:g} s: "
                        f"check host, port and reachability ({untouched})") from None
    except (OSError, EOFError) as e:
        raise PushError(f"SSH connection to {device.where()} failed: {type(e).__name__} "
                        f"({untouched})") from None
    except Exception as e:  # paramiko.SSHException, ValueError (unknown device_type) ...
        raise PushError(f"could not open a Netmiko session to {device.where()}: "
                        f"{type(e).__name__}: {_scrub(str(e), device)}") from None


def run_show_commands(device: DeviceSpec, commands: Iterable[str], *,
                      connect: Callable[..., Any] | None = None) -> dict[str, str]:
    """Run read-only ``commands`` on ``device`` in one session (same login and Netmiko arguments as
    a push); command → output, passwords scrubbed. Raises ``PushError`` (the message says why) when
    the session cannot be opened or a command times out; an IOS error in the output is output."""
    from netmiko.exceptions import ReadTimeout

    commands = [c.strip() for c in commands if c and c.strip()]
    if not commands:
        return {}
    if connect is None:
        from netmiko import ConnectHandler

        connect = ConnectHandler
    conn = _connect(device, connect, untouched="no command was run")
    out: dict[str, str] = {}
    try:
        for command in commands:
            try:
                out[command] = _scrub(conn.send_command(command, read_timeout=device.read_timeout_s), device)
            except ReadTimeout:
                raise PushError(f"{device.name} did not answer {command!r} within "
                                f"{device.read_timeout_s:g} s") from None
    finally:
        try:
            conn.disconnect()
        except Exception:  # the outputs stand whether or not the goodbye works
            log.debug("disconnect from %s failed", device.name, exc_info=False)
    return out


class _PartialPush(Exception):
    """The device took ``applied`` of the lines, then refused (or stopped answering)."""

    def __init__(self, message: str, applied: list[str]) -> None:
        super().__init__(message)
        self.message = message
        self.applied = applied


def _applied_before(lines: list[str], rejected: str | None) -> list[str]:
    """The lines sent before the rejected one (send_config_set stops at the first error)."""
    if rejected is None or rejected not in lines:
        return []
    return lines[:lines.index(rejected)]


def _apply(conn: Any, device: DeviceSpec, lines: list[str], save: bool) -> tuple[str, bool]:
    from netmiko.exceptions import ConfigInvalidException, ReadTimeout

    try:
        if device.secret is not None and not conn.check_enable_mode():
            conn.enable()
        output = conn.send_config_set(lines, error_pattern=IOS_ERROR_PATTERN,
                                      read_timeout=device.read_timeout_s)
    except ConfigInvalidException as e:
        m = _NETMIKO_ERROR_RE.search(_scrub(str(e), device))
        error = m.group("error").strip() if m else "the device rejected a line"
        at = f" at {mask_secrets(m.group('cmd').strip())!r}" if m else ""
        applied = _applied_before(lines, m.group("cmd").strip() if m else None)
        raise _PartialPush(f"{device.name} rejected the configuration: {error}{at} (push stopped there)",
                           applied) from None
    except ReadTimeout:
        raise _PartialPush(f"{device.name} did not answer within {device.read_timeout_s:g} s while "
                           f"configuring; the push may be partial", list(lines)) from None
    errors = find_config_errors(output)
    if errors:
        raise _PartialPush(f"{device.name} rejected the configuration: {errors[0]}", [])
    saved = False
    if save:
        try:
            save_output = conn.save_config()
        except (ReadTimeout, ValueError) as e:
            raise PushError(f"{device.name}: saving the configuration failed ({type(e).__name__}); "
                            f"the running config is changed but not saved; nothing published") from None
        errors = find_config_errors(save_output)
        if errors:
            raise PushError(f"{device.name}: saving the configuration failed: {errors[0]}; nothing published")
        output += "\n" + save_output
        saved = True
    return _scrub(output, device), saved


def push_config(device: DeviceSpec, commands: Iterable[str], *, publisher: Any, save: bool = False,
                who: str | None = None, connect: Callable[..., Any] | None = None) -> PushResult:
    """Push ``commands`` to ``device``; on success publish a ``config_change`` event and return what happened.

    Raises ``PushError`` (nothing published) if the session cannot be opened, a line is
    rejected or the save fails; ``BackendUnavailable`` if the push worked but Redis
    could not take the event (the message says so: the device *is* changed).
    """
    lines = _clean(commands)
    if connect is None:
        from netmiko import ConnectHandler

        connect = ConnectHandler
    if not who:
        try:
            who = getpass.getuser()
        except (KeyError, OSError):  # no login name in some containers
            who = "unknown"
    started = time.monotonic()
    log.info("pushing %d line(s) to %s as %s", len(lines), device.where(), who)
    conn = _connect(device, connect)
    try:
        source_address = _local_address(conn)
        output, saved = _apply(conn, device, lines, save)
    except _PartialPush as e:
        raise PushError(e.message + "; " + _publish_partial(device, e.applied, who, source_address, publisher)) from None
    finally:
        try:
            conn.disconnect()
        except Exception:  # the push result stands whether or not the goodbye works
            log.debug("disconnect from %s failed", device.name, exc_info=False)
    event = _config_change(device, lines, who, source_address, partial=False)
    try:
        stream_id = publisher.publish(event)
    except BackendUnavailable as e:
        raise BackendUnavailable(f"{device.name} was configured, but the config_change event could not be "
                                 f"published ({e}); run `netcache events publish` for it or invalidate "
                                 f"device:{device.name} by hand") from e
    duration_s = time.monotonic() - started
    log.info("pushed %d line(s) to %s in %.2f s (saved=%s); published config_change %s",
             len(lines), device.name, duration_s, saved, event.id)
    return PushResult(device=device.name, lines=lines, output=output, saved=saved, event_id=event.id,
                      stream_id=stream_id, duration_s=duration_s)


def _config_change(device: DeviceSpec, lines: list[str], who: str | None, source_address: str,
                   *, partial: bool) -> ConfigChange:
    try:
        return ConfigChange(source="netmiko", device=device.name, vendor=device.device_type,
                            user=who, source_address=source_address, method="netmiko",
                            changed_lines=[mask_secrets(line) for line in lines], partial=partial)
    except ValueError as e:
        raise EventError(f"could not build the config_change event for {device.name}: {e}") from e


def _publish_partial(device: DeviceSpec, applied: list[str], who: str | None, source_address: str,
                     publisher: Any) -> str:
    """Publish the partial config_change of a rejected push; what to tell the operator."""
    if not applied:
        return "no line was applied, nothing published"
    try:
        publisher.publish(_config_change(device, applied, who, source_address, partial=True))
    except BackendUnavailable as e:
        return (f"{len(applied)} line(s) before it were applied but the partial config_change could not be "
                f"published ({e}): invalidate device:{device.name} by hand")
    return f"{len(applied)} line(s) before it were applied: published a partial config_change for them"


# --- CLI -------------------------------------------------------------------------------


def _read_commands(path: str) -> list[str]:
    try:
        if path == "-":
            return sys.stdin.read().splitlines()
        with open(path, encoding="utf-8") as f:
            return f.read().splitlines()
    except OSError as e:
        raise click.BadParameter(f"cannot read {path}: {e.strerror}", param_hint="--commands-file") from None


def _netmiko_args(pairs: tuple[str, ...]) -> dict[str, Any]:
    import json

    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"expected KEY=VALUE, got {pair!r}", param_hint="--netmiko-arg")
        try:
            out[key.strip()] = json.loads(value)
        except ValueError:
            out[key.strip()] = value
    return out


def _password(env_name: str) -> str:
    value = os.environ.get(env_name)
    if value:
        return value
    if sys.stdin.isatty():
        return click.prompt("Device password", hide_input=True)
    raise click.UsageError(f"no password: set {env_name} (or name another variable with --password-env), "
                           f"or run from a terminal to be prompted")


@click.command("push")
@click.option("--device", "name", required=True, help="Device name as netcache knows it (e.g. rtr-001).")
@click.option("--host", required=True, help="Address to SSH to.")
@click.option("--port", default=22, show_default=True, type=click.IntRange(1, 65535))
@click.option("--device-type", default="cisco_ios", show_default=True, help="Netmiko device_type.")
@click.option("--username", required=True)
@click.option("--commands-file", required=True, help="File with one config line per line ('-' = stdin).")
@click.option("--save", is_flag=True, help="Save the configuration afterwards (write memory).")
@click.option("--who", default=None, help="Who is pushing (default: the local user).")
@click.option("--password-env", default=PASSWORD_ENV, show_default=True,
              help="Environment variable holding the password (prompted for if unset).")
@click.option("--secret-env", default=None, help="Environment variable holding the enable password, if needed.")
@click.option("--timeout-s", default=10.0, show_default=True, type=float, help="Connect/auth timeout.")
@click.option("--session-log", default=None, metavar="FILE",
              help="Netmiko's session log of everything sent and received (passwords are filtered).")
@click.option("--netmiko-arg", "netmiko_arg", multiple=True, metavar="KEY=VALUE",
              help="Any other Netmiko connection argument, e.g. fast_cli=false, global_delay_factor=2 "
                   "(values are JSON where they parse as JSON, else strings; repeatable).")
def push_command(name: str, host: str, port: int, device_type: str, username: str, commands_file: str,
                 save: bool, who: str | None, password_env: str, secret_env: str | None,
                 timeout_s: float, session_log: str | None, netmiko_arg: tuple[str, ...]) -> None:
    """Push config lines to a device with Netmiko, then publish a config_change event.

    The event is published only after every line was accepted (and saved, with
    --save), so its answers are invalidated; a push that cannot start exits
    non-zero and publishes nothing; a push the device rejects half-way exits
    non-zero after publishing a partial config_change for the lines it applied. The password is read from the
    variable named by --password-env (or prompted for), never from the command
    line, and it never appears in logs, errors or the event; secrets inside
    config lines are masked in the event.

    \b
    Example:
      NETCACHE_PUSH_PASSWORD=... netcache push --device rtr-001 --host 192.0.2.11 \\
        --username admin --commands-file change.txt --save
    """
    from netcache.connections import make_redis, redact_url
    from netcache.events.publisher import EventPublisher
    from netcache.settings import Settings

    lines = _read_commands(commands_file)
    secret = os.environ.get(secret_env) if secret_env else None
    if secret_env and not secret:
        raise click.UsageError(f"--secret-env {secret_env}: that variable is not set")
    extra = _netmiko_args(netmiko_arg)
    if session_log:
        extra["session_log"] = session_log
    try:
        check_netmiko_args(extra)
    except ConfigError as e:
        raise click.BadParameter(str(e), param_hint="--netmiko-arg") from None
    device = DeviceSpec(name=name, host=host, port=port, device_type=device_type, username=username,
                        password=SecretStr(_password(password_env)),
                        secret=SecretStr(secret) if secret else None, conn_timeout_s=timeout_s,
                        netmiko_args=extra)
    settings = Settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    client = make_redis(settings)
    try:
        result = push_config(device, lines, publisher=EventPublisher(client, settings), save=save, who=who)
    except PushError as e:
        raise click.ClickException(str(e)) from None
    except BackendUnavailable as e:
        raise click.ClickException(f"{e} (Redis: {redact_url(settings.redis_url)})") from None
    finally:
        client.close()
    dup = " (duplicate, not re-published)" if result.stream_id is None else ""
    click.echo(f"pushed {len(result.lines)} line(s) to {result.device} in {result.duration_s:.2f} s"
               f"{', saved' if result.saved else ''}; config_change {result.event_id} "
               f"stream id {result.stream_id}{dup}")
