"""A simulated Cisco IOS device over real SSH, for tests of the Netmiko push.

    with SimIOS(username="admin", password="s3cret") as dev:
        ConnectHandler(device_type="cisco_ios", host="127.0.0.1", port=dev.port, ...)
        dev.config_lines   # the configuration lines it accepted, in order
        dev.saves          # how many times `write memory` / `copy run start` ran
        dev.set_interface("GigabitEthernet0/1", up=False)   # a flap: `show interfaces` and
                                                            # `show logging` report it

An asyncssh server on 127.0.0.1 (a free port, a host key generated at start)
running in its own thread with its own event loop, so synchronous code (Netmiko)
can talk to it from the test thread. Password authentication only; a wrong
password is rejected. The shell echoes what it receives, answers with IOS
prompts (``rtr-001>``, ``rtr-001#``, ``rtr-001(config)#``,
``rtr-001(config-if)#``, ``rtr-001(config-router)#``), ends lines with
``\\r\\n``, and rejects what it does not know exactly like IOS:

    rtr-001(config)#frobnicate
                    ^
    % Invalid input detected at '^' marker.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from dataclasses import dataclass, field

import asyncssh

__all__ = ["SimIOS"]

#: Config-mode commands the device accepts (a regex per line; the mode they lead to, if any).
_CONFIG_COMMANDS: list[tuple[re.Pattern[str], str | None]] = [
    (re.compile(r"^interface \S+( \S+)?$"), "config-if"),
    (re.compile(r"^router (bgp \d+|ospf \d+|isis( \S+)?)$"), "config-router"),
    (re.compile(r"^(no )?hostname \S+$"), None),
    (re.compile(r"^(no )?ip route \S+ \S+ \S+.*$"), None),
    (re.compile(r"^(no )?logging (host )?\S+.*$"), None),
    (re.compile(r"^(no )?ntp server \S+.*$"), None),
    (re.compile(r"^(no )?snmp-server .+$"), None),
    (re.compile(r"^(no )?vlan \d+$"), None),
    (re.compile(r"^(no )?banner motd .+$"), None),
    (re.compile(r"^(no )?username \S+ .+$"), None),
    (re.compile(r"^(no )?ip domain[- ]name \S+$"), None),
]
_INTERFACE_COMMANDS = [
    re.compile(r"^(no )?description( .*)?$"),
    re.compile(r"^(no )?shutdown$"),
    re.compile(r"^(no )?ip address( \S+ \S+( secondary)?)?$"),
    re.compile(r"^(no )?switchport( .+)?$"),
    re.compile(r"^(no )?mtu \d+$"),
    re.compile(r"^(no )?speed \S+$"),
    re.compile(r"^(no )?duplex \S+$"),
    re.compile(r"^(no )?ip ospf .+$"),
]
_ROUTER_COMMANDS = [
    re.compile(r"^(no )?neighbor \S+ .+$"),
    re.compile(r"^(no )?network .+$"),
    re.compile(r"^(no )?bgp .+$"),
    re.compile(r"^(no )?redistribute .+$"),
    re.compile(r"^(no )?address-family .+$"),
    re.compile(r"^(no )?router-id \S+$"),
]
#: Keywords that need arguments: alone they give "% Incomplete command.".
_INCOMPLETE = {"interface", "ip address", "router", "hostname", "ip route", "neighbor", "vlan", "description"}

_INVALID = "% Invalid input detected at '^' marker."


@dataclass
class _DeviceState:
    hostname: str
    config_lines: list[str] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)
    saves: int = 0
    logins: int = 0
    failed_logins: int = 0
    #: interface (full name) → [is up, times it went down] for ``show interfaces``
    interfaces: dict[str, list] = field(default_factory=lambda: {
        "GigabitEthernet0/0": [True, 0], "GigabitEthernet0/1": [True, 0]})


class _Server(asyncssh.SSHServer):
    def __init__(self, username: str, password: str, state: _DeviceState,
                 connections: set[asyncssh.SSHServerConnection]) -> None:
        self._username = username
        self._password = password
        self._state = state
        self._connections = connections
        self._conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        self._connections.add(conn)

    def connection_lost(self, exc: Exception | None) -> None:
        self._connections.discard(self._conn)  # type: ignore[arg-type]

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        ok = username == self._username and password == self._password
        if ok:
            self._state.logins += 1
        else:
            self._state.failed_logins += 1
        return ok


class _Shell:
    """One interactive IOS session: echo, prompts, modes."""

    def __init__(self, process: asyncssh.SSHServerProcess, state: _DeviceState, privileged: bool,
                 enable_password: str | None) -> None:
        self.process = process
        self.state = state
        self.mode = "exec" if privileged else "user"
        self.enable_password = enable_password
        self.awaiting_enable_password = False
        self.awaiting_copy_destination = False

    def prompt(self) -> str:
        name = self.state.hostname
        if self.awaiting_enable_password:
            return "Password: "
        if self.awaiting_copy_destination:
            return "Destination filename [startup-config]? "
        return {
            "user": f"{name}>",
            "exec": f"{name}#",
            "config": f"{name}(config)#",
            "config-if": f"{name}(config-if)#",
            "config-router": f"{name}(config-router)#",
        }[self.mode]

    def write(self, text: str) -> None:
        self.process.stdout.write(text)

    async def run(self) -> None:
        self.write(self.prompt())
        pending = ""
        last_cr = False
        try:
            while not self.process.stdin.at_eof():
                chunk = await self.process.stdin.read(4096)
                if not chunk:
                    break
                for ch in chunk:
                    if ch == "\n" and last_cr:  # "\r\n" is one line end
                        last_cr = False
                        continue
                    last_cr = ch == "\r"
                    if ch in "\r\n":
                        line, pending = pending, ""
                        if not self.awaiting_enable_password:
                            self.write(line)
                        self.write("\r\n")
                        if self.handle(line.strip()) == "close":
                            self.process.exit(0)
                            return
                        self.write(self.prompt())
                    else:
                        pending += ch
        except (asyncssh.BreakReceived, asyncssh.TerminalSizeChanged):
            pass
        except (asyncssh.DisconnectError, asyncssh.ConnectionLost, BrokenPipeError):
            return
        self.process.exit(0)

    def save(self) -> None:
        self.state.saves += 1
        self.write("Building configuration...\r\n[OK]\r\n")

    def reject(self, line: str, column: int = 0) -> None:
        self.write(" " * (len(self.prompt()) + column) + "^\r\n" + _INVALID + "\r\n\r\n")

    def handle(self, line: str) -> str | None:
        if self.awaiting_enable_password:
            self.awaiting_enable_password = False
            if line == self.enable_password:
                self.mode = "exec"
            else:
                self.write("% Access denied\r\n\r\n")
            return None
        if self.awaiting_copy_destination:
            self.awaiting_copy_destination = False
            if line in ("", "startup-config"):
                self.save()
            else:
                self.write(f"%Error opening {line} (Permission denied)\r\n")
            return None
        if not line:
            return None
        self.state.commands.append(line)
        if self.mode == "user":
            return self.user_mode(line)
        if self.mode == "exec":
            return self.exec_mode(line)
        return self.config_mode(line)

    def user_mode(self, line: str) -> str | None:
        if line in ("enable", "en"):
            if self.enable_password is None:
                self.mode = "exec"
            else:
                self.awaiting_enable_password = True
        elif line in ("exit", "logout", "quit"):
            return "close"
        elif line.startswith("terminal "):
            pass
        else:
            self.reject(line)
        return None

    def exec_mode(self, line: str) -> str | None:
        if line in ("enable", "en") or re.match(r"^terminal (length|width) \d+$", line):
            return None
        if line in ("configure terminal", "conf t", "config t", "configure"):
            self.write("Enter configuration commands, one per line.  End with CNTL/Z.\r\n")
            self.mode = "config"
        elif line in ("disable",):
            self.mode = "user"
        elif line in ("exit", "logout", "quit"):
            return "close"
        elif line in ("write memory", "write mem", "wr", "write"):
            self.save()
        elif line in ("copy running-config startup-config", "copy run start"):
            self.awaiting_copy_destination = True
        elif line in ("show running-config", "sh run", "show run"):
            self.write(self.running_config())
        elif re.match(r"^(show|sh) (interfaces?|int)( \S+)?$", line):
            self.write(self.show_interfaces(line.split()[2] if len(line.split()) > 2 else None))
        elif line.startswith("show logging"):
            self.write(self.show_logging(line.partition("| include")[2].strip()))
        elif line in ("show version", "sh ver"):
            self.write("Cisco IOS Software, netcache simulator, Version 15.9(3)M\r\n"
                       f"{self.state.hostname} uptime is 1 day, 2 hours\r\n")
        else:
            self.reject(line)
        return None

    def config_mode(self, line: str) -> str | None:
        if line == "end":
            self.mode = "exec"
            return None
        if line == "exit":
            self.mode = "config" if self.mode != "config" else "exec"
            return None
        if line.startswith("do "):
            return self.exec_mode(line[3:])
        if line in _INCOMPLETE or line.removeprefix("no ") in _INCOMPLETE:
            self.write("% Incomplete command.\r\n\r\n")
            return None
        tables = {"config-if": _INTERFACE_COMMANDS, "config-router": _ROUTER_COMMANDS}
        for pattern in tables.get(self.mode, []):
            if pattern.match(line):
                self.state.config_lines.append(line)
                return None
        for pattern, mode in _CONFIG_COMMANDS:  # IOS falls back to the parent mode's commands
            if pattern.match(line):
                self.state.config_lines.append(line)
                if mode is not None:
                    self.mode = mode
                elif self.mode != "config":
                    self.mode = "config"
                return None
        self.reject(line)
        return None

    def show_interfaces(self, name: str | None) -> str:
        """IOS-style ``show interfaces [name]`` (abbreviations Gi/Gig/GigabitEthernet)."""
        if name is not None:
            m = re.match(r"^(?i:gi(?:g(?:abit(?:ethernet)?)?)?)(\d+/\d+)$", name)
            full = f"GigabitEthernet{m.group(1)}" if m else name
            if full not in self.state.interfaces:
                return " " * (len(self.prompt()) + 16) + "^\r\n" + _INVALID + "\r\n\r\n"
            names = [full]
        else:
            names = sorted(self.state.interfaces)
        out = []
        for n in names:
            up, resets = self.state.interfaces[n]
            state = "up" if up else "down"
            out.append(f"{n} is {state}, line protocol is {state}\r\n"
                       f"  Hardware is iGbE, address is 5254.0012.3401 (bia 5254.0012.3401)\r\n"
                       f"  MTU 1500 bytes, BW 1000000 Kbit/sec, DLY 10 usec,\r\n"
                       f"  Full Duplex, 1000Mbps, link type is auto, media type is RJ45\r\n"
                       f"  Last input 00:00:01, output 00:00:00, output hang never\r\n"
                       f"     {resets} interface resets\r\n"
                       f"     {resets * 7} input errors, {resets * 5} CRC, 0 frame, 0 overrun, 0 ignored\r\n"
                       f"     {resets} carrier transitions\r\n")
        return "".join(out)

    def show_logging(self, include: str) -> str:
        """The link up/down lines of the interfaces' flaps (filtered by ``| include``)."""
        lines = [f"*Mar  1 00:0{i % 10}:00: %LINK-3-UPDOWN: Interface {n}, changed state to down"
                 for n, (_, resets) in sorted(self.state.interfaces.items()) for i in range(resets)]
        short = {n: "Gi" + n.removeprefix("GigabitEthernet") for n in self.state.interfaces}
        keep = [x for x in lines if not include or include in x
                or any(include == short[n] and n in x for n in short)]
        return "".join(x + "\r\n" for x in keep)

    def running_config(self) -> str:
        lines = ["Building configuration...", "", "Current configuration : 1024 bytes", "!",
                 f"hostname {self.state.hostname}", "!"]
        lines += self.state.config_lines + ["!", "end"]
        return "\r\n".join(lines) + "\r\n"


class _DropClosedSocketWrites(logging.Filter):
    """Netmiko writes "exit" and closes at once; the echo and SSH close messages that follow
    hit a closed socket and asyncio warns "socket.send() raised exception." — expected here."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != "socket.send() raised exception."


_ASYNCIO_FILTER = _DropClosedSocketWrites()


class SimIOS:
    """The simulated device: ``start()`` / ``stop()`` (or a ``with`` block), then inspect it."""

    def __init__(self, *, hostname: str = "rtr-001", username: str = "admin", password: str = "admin",
                 privileged: bool = True, enable_password: str | None = None) -> None:
        self.username = username
        self._password = password
        self.privileged = privileged
        self.enable_password = enable_password
        self.state = _DeviceState(hostname=hostname)
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncssh.SSHAcceptor | None = None
        self._connections: set[asyncssh.SSHServerConnection] = set()

    @property
    def config_lines(self) -> list[str]:
        return list(self.state.config_lines)

    @property
    def commands(self) -> list[str]:
        return list(self.state.commands)

    @property
    def saves(self) -> int:
        return self.state.saves

    def set_interface(self, name: str, up: bool) -> None:
        """Take an interface (full name) down or up; going down counts a reset and CRC errors."""
        entry = self.state.interfaces.setdefault(name, [True, 0])
        if entry[0] and not up:
            entry[1] += 1
        entry[0] = up

    async def _serve(self) -> None:
        key = asyncssh.generate_private_key("ssh-ed25519")

        async def shell(process: asyncssh.SSHServerProcess) -> None:
            await _Shell(process, self.state, self.privileged, self.enable_password).run()

        self._server = await asyncssh.create_server(
            lambda: _Server(self.username, self._password, self.state, self._connections),
            "127.0.0.1", 0, server_host_keys=[key], process_factory=shell,
            line_editor=False, encoding="utf-8", login_timeout=30,
        )
        self.port = self._server.sockets[0].getsockname()[1]

    def start(self) -> SimIOS:
        logging.getLogger("asyncio").addFilter(_ASYNCIO_FILTER)
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(target=loop.run_forever, name="sim-ios", daemon=True)
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), loop).result(timeout=30)
        return self

    def stop(self) -> None:
        loop, self._loop = self._loop, None
        if loop is None:
            return

        async def close() -> None:
            if self._server is not None:
                self._server.close()
                await self._server.wait_closed()
            for conn in list(self._connections):
                conn.close()
                await conn.wait_closed()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(close(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        assert self._thread is not None
        self._thread.join(timeout=30)
        loop.close()
        logging.getLogger("asyncio").removeFilter(_ASYNCIO_FILTER)

    def __enter__(self) -> SimIOS:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
