"""Network events: one pydantic v2 model per kind, a discriminated union on ``type``.

Every event carries the common fields of :class:`EventBase` (``id``, ``source``,
``vendor``, ``device``, ``occurred_at``, ``received_at``, ``severity``, ``raw``,
``schema_version``) plus its own. ``id`` is stable: when not given it is a hash
of source + device + type + the event's key fields + ``occurred_at``, so the
same message seen twice (two collectors, a retried webhook) de-duplicates.

    parse_event({"type": "interface_flap", "device": "rtr-001",
                 "interface": "Gi0/1", "state": "down"})
    # InterfaceFlap(interface="GigabitEthernet0/1", ...) ; .target_key() == "iface:rtr-001:GigabitEthernet0/1"
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import json
import re
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from netcache.errors import EventError

__all__ = [
    "SCHEMA_VERSION",
    "EVENT_TYPES",
    "SOURCES",
    "EventBase",
    "ConfigChange",
    "DeviceReboot",
    "InterfaceFlap",
    "BgpDown",
    "BgpUp",
    "TopologyChange",
    "OspfAdjacency",
    "IsisAdjacency",
    "BgpStateChange",
    "BfdSession",
    "LagMember",
    "InterfaceChange",
    "Maintenance",
    "ProcessRestart",
    "Event",
    "parse_event",
    "build_event",
    "event_json_schema",
    "json_schema",
    "normalize_interface",
    "normalize_neighbor",
    "NetName",
    "check_name",
    "NAME_MAX_CHARS",
]

#: Bumped when a field changes meaning or a required field is added.
SCHEMA_VERSION = 1

Source = Literal["syslog", "webhook", "netmiko", "operator"]
SOURCES: tuple[str, ...] = get_args(Source)

# --- interface names ---------------------------------------------------------------

#: Abbreviation (lower case) → canonical interface type. Longest prefix wins.
_IFACE_TYPES: dict[str, str] = {
    "gi": "GigabitEthernet", "gig": "GigabitEthernet", "ge": "GigabitEthernet",
    "gigabitethernet": "GigabitEthernet",
    "fa": "FastEthernet", "fastethernet": "FastEthernet",
    "te": "TenGigabitEthernet", "ten": "TenGigabitEthernet", "tengig": "TenGigabitEthernet",
    "tengigabitethernet": "TenGigabitEthernet", "tengige": "TenGigE",
    "twe": "TwentyFiveGigE", "twentyfivegige": "TwentyFiveGigE",
    "fo": "FortyGigabitEthernet", "fortygigabitethernet": "FortyGigabitEthernet", "fortygige": "FortyGigE",
    "hu": "HundredGigE", "hundredgige": "HundredGigE", "hundredgigabitethernet": "HundredGigE",
    "fh": "FourHundredGigE", "fourhundredgige": "FourHundredGigE",
    "e": "Ethernet", "et": "Ethernet", "eth": "Ethernet", "ethernet": "Ethernet",
    "po": "Port-channel", "port-channel": "Port-channel", "portchannel": "Port-channel",
    "be": "Bundle-Ether", "bundle-ether": "Bundle-Ether",
    "lo": "Loopback", "loopback": "Loopback",
    "vl": "Vlan", "vlan": "Vlan",
    "tu": "Tunnel", "tunnel": "Tunnel",
    "mg": "MgmtEth", "mgmteth": "MgmtEth",
    "ma": "Management", "management": "Management",
    "se": "Serial", "serial": "Serial",
    "nve": "nve", "mgmt": "mgmt",
}
# "ge-0/0/1" (Junos) must not become GigabitEthernet: only a digit may follow the type.
_IFACE_RE = re.compile(r"^([A-Za-z][A-Za-z-]*?)\s*(\d[\d/.:]*)$")


@functools.lru_cache(maxsize=8192)  # a flap storm repeats a few names; the parser calls this per event
def normalize_interface(name: str) -> str:
    """``Gi0/1`` → ``GigabitEthernet0/1``, ``Eth1/1`` → ``Ethernet1/1``; Junos and unknown names unchanged."""
    name = name.strip()
    m = _IFACE_RE.match(name)
    if not m:
        return name
    kind, number = m.group(1).lower(), m.group(2)
    full = _IFACE_TYPES.get(kind)
    return f"{full}{number}" if full else name


@functools.lru_cache(maxsize=8192)
def normalize_neighbor(value: str) -> str:
    """An IP neighbor in canonical text form (``10.0.0.2+179`` → ``10.0.0.2``); other ids unchanged."""
    value = value.strip()
    candidate = value.split("+", 1)[0]  # Junos appends "+port"
    candidate = candidate.split("%", 1)[0] if candidate.count(":") >= 2 else candidate
    try:
        return ipaddress.ip_address(candidate).compressed
    except ValueError:
        return value


# --- names of devices, interfaces, sites, neighbors ----------------------------------------

#: Longest device / interface / site / neighbor name accepted (a DNS name is at most 253).
NAME_MAX_CHARS = 253
#: What a name may hold: letters, digits, ``. _ - : / @ + # % [ ]`` and single spaces between
#: them (hostnames, FQDNs, IPv4/IPv6 addresses with a scope or ``[addr]:port``, Gi0/1, ge-0/0/1.0,
#: et-0/0/0:1, Brocade's ``ethernet 1/1``, NetBox names). No control characters, no tabs, no
#: leading, trailing or double spaces: a name becomes a cache tag, a log field and part of a
#: warm-up prompt, where a newline or NUL forges lines.
_NAME_PART = r"[A-Za-z0-9._:/@+#%\[\]-]+"
_NAME_RE = re.compile(rf"{_NAME_PART}(?: {_NAME_PART})*")
_NAME_CHAR_RE = re.compile(r"[A-Za-z0-9._:/@+#%\[\] -]")
_NAME_CHARS = "letters, digits, . _ - : / @ + # % [ ] and single spaces"


@functools.lru_cache(maxsize=8192)  # pure: every syslog event checks its device and interface names
def check_name(value: str) -> str:
    """``value`` without surrounding whitespace if it is a valid name, else ``ValueError`` saying why."""
    name = value.strip()
    if not name:
        raise ValueError("must not be empty")
    if len(name) > NAME_MAX_CHARS:
        raise ValueError(f"is {len(name)} characters long (at most {NAME_MAX_CHARS})")
    if not _NAME_RE.fullmatch(name):
        bad = next((c for c in name if not _NAME_CHAR_RE.fullmatch(c)), None)
        if bad is None:
            raise ValueError(f"{name[:60]!r} has a double space; a name holds only {_NAME_CHARS}")
        what = "a control character" if ord(bad) < 32 or 127 <= ord(bad) < 160 else "the character"
        raise ValueError(f"{name[:60]!r} contains {what} {bad!r} at {name.index(bad)}; "
                         f"a name holds only {_NAME_CHARS}")
    return name


#: A device, interface, site or neighbor name (``check_name``): one type for every such field.
NetName = Annotated[str, AfterValidator(check_name)]


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _now() -> datetime:
    return datetime.now(UTC)


# --- the models ----------------------------------------------------------------------


class EventBase(BaseModel):
    """Fields every event has. Subclasses set ``type`` and ``_key_fields``."""

    model_config = ConfigDict(extra="forbid", validate_assignment=False)

    #: Field names (besides source, device, type, occurred_at) that make the event unique.
    _key_fields: ClassVar[tuple[str, ...]] = ()

    id: str = Field("", description="Stable id for de-duplication; derived from the content when empty.")
    source: Source = Field("operator", description="Where the event came from.")
    vendor: str | None = Field(None, description="Vendor / OS that produced it (cisco_ios, junos, ...), if known.")
    device: NetName | None = Field(None, description="Device hostname the event is about.")
    occurred_at: datetime | None = Field(None, description="When it happened on the device (UTC); defaults to received_at.")
    received_at: datetime = Field(default_factory=_now, description="When netcache received it (UTC).")
    severity: int = Field(5, ge=0, le=7, description="Syslog severity, 0 (emergency) .. 7 (debug).")
    raw: str | None = Field(None, description="The original message text, if any.")
    schema_version: int = Field(SCHEMA_VERSION, ge=1, description="Version of this schema.")

    @field_validator("occurred_at", "received_at")
    @classmethod
    def _aware_utc(cls, value: datetime | None) -> datetime | None:
        return None if value is None else _utc(value)

    @field_validator("schema_version")
    @classmethod
    def _known_version(cls, value: int) -> int:
        if value > SCHEMA_VERSION:
            raise ValueError(f"schema_version {value} is newer than this netcache understands ({SCHEMA_VERSION})")
        return value

    @field_validator("device")
    @classmethod
    def _strip_device(cls, value: str | None) -> str | None:
        if value is None:
            return None
        # lowercase: the cache tags answers as device:<lowercase name>, and devices
        # log their hostname in whatever case it was configured (RTR-001)
        value = value.strip().lower()
        if not value:
            raise ValueError("device must not be empty")
        return value

    @model_validator(mode="after")
    def _fill_defaults(self) -> EventBase:
        # written through __dict__: these are derived values, and pydantic's __setattr__ is slow
        if self.occurred_at is None:
            self.__dict__["occurred_at"] = self.received_at
        if not self.id:
            self.__dict__["id"] = self.compute_id()
        return self

    def compute_id(self) -> str:
        """Deterministic id: sha256 of source, device, type, occurred_at and key fields (24 hex chars)."""
        occurred = self.occurred_at or self.received_at
        parts = [self.source, self.device or "", str(getattr(self, "type", "")), occurred.isoformat()]
        parts += [repr(getattr(self, name)) for name in self._key_fields]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]

    def target_key(self) -> str:
        """What the event is about, for coalescing (``iface:rtr-001:GigabitEthernet0/1``)."""
        return f"device:{self.device}"

    def summary(self) -> str:
        """A short human-readable description of the event's own fields."""
        skip = set(EventBase.model_fields) | {"type"}
        parts = []
        for name in type(self).model_fields:
            value = getattr(self, name)
            if name in skip or value is False or value in (None, "", [], ()):
                continue
            if isinstance(value, list):
                value = ",".join(map(str, value)) if len(value) <= 3 else f"{len(value)} items"
            parts.append(f"{name}={value}")
        return " ".join(parts)


class ConfigChange(EventBase):
    """The running configuration changed (CLI, commit, API or a Netmiko push)."""

    type: Literal["config_change"] = "config_change"
    device: NetName
    user: str | None = Field(None, description="Who changed it.")
    source_address: str | None = Field(None, description="Where from: the client's address or terminal line.")
    method: str | None = Field(None, description="How: cli, commit, netconf, netmiko, api, webhook ...")
    changed_lines: list[str] = Field(default_factory=list, description="The configuration lines, if known.")
    commit_id: str | None = Field(None, description="Commit / rollback id, when the platform has one.")
    partial: bool = Field(False, description="A push the device rejected half-way: changed_lines are the "
                                             "lines applied before the rejection.")
    kind: Literal["running", "saved", "rollback", "replace"] = Field(
        "running", description="running = the running config changed (CLI, commit, push); saved = running "
                               "copied to startup (write memory); rollback = a rollback was applied; "
                               "replace = the whole config was replaced (configure replace, config reload).")
    _key_fields: ClassVar[tuple[str, ...]] = ("user", "source_address", "method", "kind", "commit_id")

    def target_key(self) -> str:
        return f"config:{self.device}"


class DeviceReboot(EventBase):
    """The device restarted or is reloading."""

    type: Literal["device_reboot"] = "device_reboot"
    device: NetName
    reason: str | None = None
    _key_fields: ClassVar[tuple[str, ...]] = ("reason",)


class InterfaceFlap(EventBase):
    """An interface went up or down (physical link, line protocol, or admin state)."""

    type: Literal["interface_flap"] = "interface_flap"
    device: NetName
    interface: NetName = Field(description="Full interface name (Gi0/1 is stored as GigabitEthernet0/1).")
    state: Literal["up", "down"]
    layer: Literal["link", "lineproto", "admin"] = Field(
        "link", description="link = physical/oper state, lineproto = line protocol, admin = shut/no shut.")
    reason: str | None = None
    err_disabled: bool = Field(False, description="The device disabled the port itself (err-disable, BPDU "
                                                  "guard, bpdu-block, port security); reason says why.")
    _key_fields: ClassVar[tuple[str, ...]] = ("interface", "state", "layer", "err_disabled")

    @field_validator("interface")
    @classmethod
    def _norm_iface(cls, value: str) -> str:
        value = normalize_interface(value)
        if not value:
            raise ValueError("interface must not be empty")
        return value

    def target_key(self) -> str:
        return f"iface:{self.device}:{self.interface}"


class _BgpEvent(EventBase):
    device: NetName
    neighbor: NetName = Field(description="Neighbor address (canonical IP text) or name.")
    remote_as: int | None = Field(None, ge=0, le=4294967295)
    vrf: str | None = Field(None, description="VRF / routing instance; None = default.")
    old_state: str | None = None
    new_state: str | None = None
    reason: str | None = None
    _key_fields: ClassVar[tuple[str, ...]] = ("neighbor", "vrf", "new_state")

    @field_validator("neighbor")
    @classmethod
    def _norm_neighbor(cls, value: str) -> str:
        value = normalize_neighbor(value)
        if not value:
            raise ValueError("neighbor must not be empty")
        return value

    @field_validator("vrf")
    @classmethod
    def _default_vrf(cls, value: str | None) -> str | None:
        return None if value in (None, "", "default", "global", "master") else value

    def target_key(self) -> str:
        vrf = f"{self.vrf}:" if self.vrf else ""
        return f"bgp:{self.device}:{vrf}{self.neighbor}"


class BgpDown(_BgpEvent):
    """A BGP session left Established."""

    type: Literal["bgp_down"] = "bgp_down"


class BgpUp(_BgpEvent):
    """A BGP session reached Established."""

    type: Literal["bgp_up"] = "bgp_up"


class BgpStateChange(_BgpEvent):
    """A BGP session moved between states neither of which is Established (Active → Connect, OpenSent → Idle).

    The session was not up before and is not up now, but what a cached "show bgp neighbor" says
    about it (state, last error, attempts) has changed.
    """

    type: Literal["bgp_state_change"] = "bgp_state_change"
    _key_fields: ClassVar[tuple[str, ...]] = ("neighbor", "vrf", "old_state", "new_state")


class InterfaceChange(EventBase):
    """An interface setting changed without an up/down: duplex, speed, MTU, a mismatch found."""

    type: Literal["interface_change"] = "interface_change"
    device: NetName
    interface: NetName = Field(description="Full interface name.")
    setting: Literal["duplex", "speed", "mtu", "mismatch", "other"] = "other"
    value: str | None = Field(None, description="The new value (full, half, 10 Gbps ...), if given.")
    reason: str | None = None
    _key_fields: ClassVar[tuple[str, ...]] = ("interface", "setting", "value")

    @field_validator("interface")
    @classmethod
    def _norm_iface(cls, value: str) -> str:
        return normalize_interface(value)

    def target_key(self) -> str:
        return f"iface:{self.device}:{self.interface}"


class LagMember(EventBase):
    """A port joined or left a port-channel / LAG / bundle (LACP timeout, suspended, bundled)."""

    type: Literal["lag_member"] = "lag_member"
    device: NetName
    interface: NetName = Field(description="The member port, full name.")
    lag: NetName | None = Field(None, description="The port-channel / ae / Bundle-Ether / Eth-Trunk, if named.")
    state: Literal["up", "down"] = Field(description="up = bundled / collecting-distributing; down = left it.")
    reason: str | None = None
    _key_fields: ClassVar[tuple[str, ...]] = ("interface", "lag", "state")

    @field_validator("interface", "lag")
    @classmethod
    def _norm_iface(cls, value: str | None) -> str | None:
        return None if value is None else normalize_interface(value)

    def target_key(self) -> str:
        return f"iface:{self.device}:{self.interface}"


class BfdSession(EventBase):
    """A BFD session changed state (Up / Down / AdminDown / Init)."""

    type: Literal["bfd_session"] = "bfd_session"
    device: NetName
    neighbor: NetName = Field(description="Peer address (canonical IP text) or discriminator.")
    interface: NetName | None = None
    state: Literal["up", "down", "admin_down", "init"]
    vrf: str | None = None
    reason: str | None = None
    _key_fields: ClassVar[tuple[str, ...]] = ("neighbor", "interface", "state")

    @field_validator("neighbor")
    @classmethod
    def _norm_neighbor(cls, value: str) -> str:
        return normalize_neighbor(value)

    @field_validator("interface")
    @classmethod
    def _norm_iface(cls, value: str | None) -> str | None:
        return None if value is None else normalize_interface(value)

    @field_validator("vrf")
    @classmethod
    def _default_vrf(cls, value: str | None) -> str | None:
        return None if value in (None, "", "default", "global", "master") else value

    def target_key(self) -> str:
        return f"bfd:{self.device}:{self.neighbor}"


class Maintenance(EventBase):
    """The device entered or left maintenance mode (GIR, EOS maintenance, Junos/SR OS drain)."""

    type: Literal["maintenance"] = "maintenance"
    device: NetName
    state: Literal["entered", "exited"]
    profile: str | None = Field(None, description="Maintenance profile / unit, if named.")
    _key_fields: ClassVar[tuple[str, ...]] = ("state", "profile")


class ProcessRestart(EventBase):
    """A routing or system process restarted or crashed (rpd, bgpd, Bgp agent, orchagent ...)."""

    type: Literal["process_restart"] = "process_restart"
    device: NetName
    process: str
    reason: str | None = None
    _key_fields: ClassVar[tuple[str, ...]] = ("process",)

    def target_key(self) -> str:
        return f"process:{self.device}:{self.process}"


class TopologyChange(EventBase):
    """Devices or links were added, removed or moved (site and/or devices)."""

    type: Literal["topology_change"] = "topology_change"
    site: NetName | None = None
    devices: list[NetName] = Field(default_factory=list)
    change: str = Field("changed", description="What changed, e.g. 'device added', 'link removed'.")
    _key_fields: ClassVar[tuple[str, ...]] = ("site", "devices", "change")

    @field_validator("site")
    @classmethod
    def _lower_site(cls, value: str | None) -> str | None:
        return value.strip().lower() or None if value is not None else None

    @field_validator("devices")
    @classmethod
    def _lower_devices(cls, value: list[str]) -> list[str]:
        return [d.strip().lower() for d in value if d.strip()]

    @model_validator(mode="after")
    def _needs_scope(self) -> TopologyChange:
        if not (self.site or self.devices or self.device):
            raise ValueError("topology_change needs a site, a device or devices")
        return self

    def target_key(self) -> str:
        if self.site:
            return f"topology:{self.site}"
        names = sorted(set(self.devices) | ({self.device} if self.device else set()))
        return "topology:" + ",".join(names)


class _AdjacencyEvent(EventBase):
    device: NetName
    neighbor: NetName
    interface: NetName | None = None
    old_state: str | None = None
    new_state: str
    reason: str | None = None
    _key_fields: ClassVar[tuple[str, ...]] = ("neighbor", "interface", "new_state")

    @field_validator("neighbor")
    @classmethod
    def _norm_neighbor(cls, value: str) -> str:
        return normalize_neighbor(value)

    @field_validator("interface")
    @classmethod
    def _norm_iface(cls, value: str | None) -> str | None:
        return None if value is None else normalize_interface(value)


class OspfAdjacency(_AdjacencyEvent):
    """An OSPF neighbor changed state (e.g. FULL → DOWN)."""

    type: Literal["ospf_adjacency"] = "ospf_adjacency"
    area: str | None = None

    def target_key(self) -> str:
        return f"ospf:{self.device}:{self.neighbor}"


class IsisAdjacency(_AdjacencyEvent):
    """An IS-IS adjacency changed state (Up / Down / Init)."""

    type: Literal["isis_adjacency"] = "isis_adjacency"
    level: str | None = None

    def target_key(self) -> str:
        return f"isis:{self.device}:{self.neighbor}"


Event = Annotated[
    ConfigChange | DeviceReboot | InterfaceFlap | BgpDown | BgpUp | TopologyChange | OspfAdjacency | IsisAdjacency | BgpStateChange | InterfaceChange | LagMember | BfdSession | Maintenance | ProcessRestart,
    Field(discriminator="type"),
]

_MODELS: dict[str, type[EventBase]] = {
    m.model_fields["type"].default: m
    for m in (ConfigChange, DeviceReboot, InterfaceFlap, BgpDown, BgpUp, TopologyChange,
              OspfAdjacency, IsisAdjacency, BgpStateChange, InterfaceChange, LagMember, BfdSession,
              Maintenance, ProcessRestart)
}
#: Every known event type, e.g. "config_change".
EVENT_TYPES: tuple[str, ...] = tuple(_MODELS)

_ADAPTER: TypeAdapter[Any] = TypeAdapter(Event)


def _msg(err: Any) -> str:
    return str(err["msg"]).removeprefix("Value error, ")


def _describe(e: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc'][1:]) or '(event)'}: {_msg(err)}" for err in e.errors()
    )


def parse_event(data: dict[str, Any] | str | bytes | EventBase) -> EventBase:
    """Validate ``data`` (a dict or JSON text) into the right event model; raise ``EventError``."""
    if isinstance(data, EventBase):
        return data
    if isinstance(data, (bytes, bytearray, str)):
        try:
            data = json.loads(data)
        except (ValueError, UnicodeDecodeError) as e:
            raise EventError(f"event is not valid JSON: {e}") from e
    if not isinstance(data, dict):
        raise EventError(f"event must be a JSON object, got {type(data).__name__}")
    kind = data.get("type")
    if kind is None:
        raise EventError(f"event has no 'type'; known types: {', '.join(EVENT_TYPES)}")
    if not isinstance(kind, str) or kind not in _MODELS:
        raise EventError(f"unknown event type {kind!r}; known types: {', '.join(EVENT_TYPES)}")
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as e:
        raise EventError(f"invalid {kind} event: {_describe(e)}") from e


def build_event(kind: str, data: dict[str, Any]) -> EventBase:
    """Validate ``data`` as an event of type ``kind`` (a producer that knows the type skips the union)."""
    model = _MODELS.get(kind)
    if model is None:
        raise EventError(f"unknown event type {kind!r}; known types: {', '.join(EVENT_TYPES)}")
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise EventError(f"invalid {kind} event: {'; '.join(_describe_flat(e))}") from e


def _describe_flat(e: ValidationError) -> list[str]:
    return [f"{'.'.join(str(p) for p in err['loc']) or '(event)'}: {_msg(err)}" for err in e.errors()]


def event_json_schema() -> dict[str, Any]:
    """JSON Schema of every event (a oneOf on ``type``), tagged with SCHEMA_VERSION."""
    schema = _ADAPTER.json_schema()
    schema["title"] = "netcache event"
    schema["$id"] = f"https://netcache.local/schema/event/v{SCHEMA_VERSION}.json"
    schema["x-schema-version"] = SCHEMA_VERSION
    return schema


#: Alias: ``netcache.events.models.json_schema()``.
json_schema = event_json_schema
