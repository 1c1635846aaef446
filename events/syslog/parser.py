"""Raw syslog line → event, as a pure function returning a result (never raising).

The header (``events/syslog/header.py``: RFC 5424, RFC 3164 and the vendor variants, relays
in front) gives the device, the time and the message; the message id (Cisco mnemonic without
severity, Junos tag, FRR ``%TAG``, RFC 5424 MSGID, else the app name, see ``message_id.py``)
selects candidate rules from ``events/syslog/vendor_rules``; the first rule whose pattern
matches builds the event.

    result = SyslogParser().parse(b"<189>Jan 20 10:00:00 rtr-001 %BGP-5-ADJCHANGE: neighbor 10.0.0.2 Down Interface flap")
    result.status   # "event" | "unrecognized" | "error"
    result.event    # BgpDown(device="rtr-001", neighbor="10.0.0.2", ...)
"""

from __future__ import annotations

import dataclasses
import hashlib
import ipaddress
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from netcache.errors import ConfigError, EventError, ParseError
from netcache.events.models import EventBase, build_event
from netcache.events.syslog.header import PRI_RE, SyslogHeader, is_ip, parse_frame
from netcache.events.syslog.message_id import find_message_id, looks_like_device_tag
from netcache.events.syslog.vendor_rules import VENDORS, Rule, RuleSet, load_rules, load_rules_file

__all__ = ["SyslogHeader", "ParseResult", "SyslogParser", "parse_frame", "parse_syslog", "detect_vendor"]

Status = Literal["event", "unrecognized", "error"]

_STATE_WORDS = {"up": "up", "down": "down", "1": "up", "0": "down", "admindown": "admin_down",
                "admin_down": "admin_down", "init": "init", "operational": "up", "not operational": "down",
                "online": "up", "link down": "down", "protocol down": "down", "offline": "down"}
_EOS_APPS = frozenset({"Ebra", "Bgp", "Rib", "ConfigAgent", "Stp", "Lag", "Lldp", "Fhrp", "Ira", "Sysdb",
                       "Launcher", "ProcMgr", "ProcMgr-worker", "ProcMgr-master", "Aaa", "Acl", "Arp", "Mlag",
                       "Ospf", "Isis", "PhyEthtool", "Bfd", "MaintenanceMode"})
_SONIC_APPS = frozenset({"bgpcfgd", "orchagent", "portsyncd", "portmgrd", "config", "syncd", "teamd",
                         "supervisord", "process-reboot-cause"})
_JUNOS_APPS = frozenset({"rpd", "mgd", "mib2d", "chassisd", "dcd", "eventd", "lacpd", "kernel", "cosd"})


@dataclass(slots=True)
class ParseResult:
    """What became of one line: an event, an unrecognized message, or a framing error (with reason); read-only."""

    status: Status
    raw: str
    event: EventBase | None = None
    reason: str | None = None
    header: SyslogHeader | None = None
    vendor: str | None = None
    key: str | None = None
    rule: str | None = None
    #: The message id as the device wrote it (``%BGP-5-ADJCHANGE``, ``RPD_BGP_NEIGHBOR_STATE_CHANGED``,
    #: ``%ADJCHANGE``, an RFC 5424 MSGID or the program tag), also for unrecognized lines.
    message_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON line ``netcache events parse`` prints."""
        if self.event is not None:
            return self.event.model_dump(mode="json")
        if self.status == "unrecognized":
            out: dict[str, Any] = {"unrecognized": True, "raw": self.raw}
            if self.key:
                out["key"] = self.key
            if self.reason:
                out["reason"] = self.reason
            return out
        return {"error": self.reason or "error", "raw": self.raw}


# --- framing -------------------------------------------------------------------------


# --- rules ---------------------------------------------------------------------------


_SHAPE_VENDOR = {"huawei": "huawei_vrp", "sros": "nokia_sros", "raslog": "brocade", "exos": "brocade", "fortios": "fortios",
                 "panos": "panos"}
_FRR_DAEMONS = frozenset({"bgpd", "ospfd", "ospf6d", "isisd", "bfdd", "zebra", "staticd", "watchfrr"})
_BROCADE_APPS = frozenset({"System", "Security", "BGP", "OSPF", "ISIS", "LACP", "BFD", "STP", "MSTP", "VRRP",
                           "RASLOG", "raslogd"})


def detect_vendor(header: SyslogHeader, key: str, shape: str = "app") -> str | None:
    """A guess from the message's shape (None when it could be several)."""
    vendor = _SHAPE_VENDOR.get(shape)
    if vendor is not None:
        return vendor
    app = header.app or ""
    if header.node or key.startswith(("PKT_INFRA-", "ROUTING-", "MGBL-", "OS-", "L2-")):
        return "cisco_iosxr"
    if key.startswith(("ETHPORT-", "VSHD-", "ETH_PORT_CHANNEL-", "SYSMGR-")) or "[" in header.message[:60] \
            and key.startswith(("BGP-", "OSPF-", "ISIS-")) and "bgp-" in header.message[:60]:
        return "cisco_nxos"
    if "#" in app or app in _SONIC_APPS or app.startswith("teamd"):
        return "frr" if app in _FRR_DAEMONS and "#" not in app else "sonic"
    if app in _EOS_APPS:
        return "arista_eos"
    if app in _JUNOS_APPS or (header.structured_data and any(k.startswith("junos@") for k in header.structured_data)):
        return "junos"
    if app in _BROCADE_APPS and shape == "app":
        return "brocade"
    if shape == "cisco" and not app:
        return "cisco_ios"
    return None


def _fields_from(rule: Rule, m: re.Match[str]) -> dict[str, Any]:
    out: dict[str, Any] = dict(rule.const)
    for name, value in m.groupdict().items():
        if value is None or name.startswith("_"):
            continue
        value = value.strip()
        if not value:
            continue
        if name == "state":
            value = _STATE_WORDS.get(value.lower(), value.lower())
        elif name == "remote_as":
            value = int(value)
        out[name] = value
    return out


class SyslogParser:
    """Parses lines with a rule set; vendor forced globally or per source network, else guessed."""

    def __init__(self, rules: RuleSet | None = None, *, vendor: str = "auto",
                 vendor_by_source: dict[str, str] | None = None) -> None:
        self.rules = rules or load_rules()
        if vendor not in ("auto", *VENDORS, *self.rules.vendors):
            raise ConfigError(f"unknown syslog vendor {vendor!r}; known: auto, {', '.join(VENDORS)}")
        self.vendor = None if vendor == "auto" else vendor
        self._by_source: list[tuple[Any, str]] = []
        for net, name in (vendor_by_source or {}).items():
            try:
                self._by_source.append((ipaddress.ip_network(net, strict=False), name))
            except ValueError as e:
                raise ConfigError(f"syslog_vendor_by_source: {net!r} is not an address or network") from e
        self._source_cache: dict[str, str | None] = {}

    @classmethod
    def from_settings(cls, settings: Any) -> SyslogParser:
        ev = settings.events
        extra = load_rules_file(ev.syslog_rules_file) if ev.syslog_rules_file else []
        return cls(load_rules(extra=extra), vendor=ev.syslog_vendor, vendor_by_source=ev.syslog_vendor_by_source)

    def _vendor_for(self, source_address: str | None) -> str | None:
        if not self._by_source or not source_address:
            return self.vendor
        if source_address not in self._source_cache:
            found = self.vendor
            try:
                addr = ipaddress.ip_address(source_address)
                for net, name in self._by_source:
                    if addr.version == net.version and addr in net:
                        found = name
                        break
            except ValueError:
                pass
            if len(self._source_cache) > 50_000:
                self._source_cache.clear()
            self._source_cache[source_address] = found
        return self._source_cache[source_address]

    def parse(self, raw: bytes | str, source_address: str | None = None, *,
              now: datetime | None = None) -> ParseResult:
        """Never raises: framing problems are ``error`` results, unknown messages ``unrecognized``."""
        try:
            text = raw.decode("utf-8", errors="replace") if isinstance(raw, (bytes, bytearray)) else str(raw)
        except Exception as e:  # noqa: BLE001 - e.g. memoryview oddities; counted, never raised
            return ParseResult("error", repr(raw)[:200], reason=f"undecodable input: {e}")
        text = text.rstrip("\r\n\x00")
        try:
            return self._parse(text, source_address, now or datetime.now(UTC))
        except ParseError as e:
            return ParseResult("error", text, reason=str(e))
        except Exception as e:  # noqa: BLE001 - a parser bug must not stop a listener
            return ParseResult("error", text, reason=f"internal parser error: {type(e).__name__}: {e}")

    def _parse(self, text: str, source_address: str | None, now: datetime) -> ParseResult:
        header = parse_frame(text, now=now)
        mid = find_message_id(header.message, msgid=header.msgid, app=header.app)
        key, body, mnem_sev, message_id = mid.key, mid.body, mid.severity, mid.message_id
        if (not mid.host and mid.shape == "cisco" and header.format == "rfc5424" and header.app
                and looks_like_device_tag(header.app) and header.app.lower() != (header.host or "").lower()):
            # a relay's RFC 5424 with the device's name as APP-NAME ("localhost rtr-001 - - - %LINK-...")
            mid = dataclasses.replace(mid, host=header.app, own_host=True)
        if mid.host and (mid.own_host or not header.host or is_ip(header.host)):  # the device's own name wins
            header = dataclasses.replace(header, host=mid.host)
        forced = self._vendor_for(source_address)
        vendor = forced or detect_vendor(header, key, mid.shape)
        candidates = self.rules.candidates(key, vendor, only_vendor=forced is not None) if key else ()
        for rule in candidates:
            m = rule.pattern.match(body)
            if m is None:
                continue
            # the event names the OS the line came from: forced, else a guess from the line's shape or
            # program (FortiOS carrying a Cisco-style BGP line, SONiC's bgp#bgpd read by the FRR table),
            # else the vendor of the rule (a bare %FAC-SEV-MNEMONIC is only a weak hint of IOS)
            named = forced or (vendor if vendor and vendor != "cisco_ios" else None)
            return self._build(rule, m, header, text, source_address, now, key, named, mnem_sev, message_id)
        reason = f"no rule for message id {key!r}" if not candidates else f"no {key} rule matched the text"
        return ParseResult("unrecognized", text, reason=reason, header=header, vendor=vendor, key=key or None,
                           message_id=message_id or None)

    def _build(self, rule: Rule, m: re.Match[str], header: SyslogHeader, text: str,
               source_address: str | None, now: datetime, key: str, forced: str | None,
               mnem_sev: int | None, message_id: str) -> ParseResult:
        data = _fields_from(rule, m)
        if rule.type == "config_change" and "user" not in data:
            for params in header.structured_data.values():  # Junos RFC 5424: username="..."
                if params.get("username"):
                    data["user"] = params["username"]
                    break
        device = header.host or source_address
        if not device:
            return ParseResult("error", text, reason="no host in the message and no source address",
                               header=header, key=key, message_id=message_id or None)
        severity = header.severity if header.severity is not None else (mnem_sev if mnem_sev is not None else 5)
        data.update(type=rule.type, source="syslog", vendor=forced or rule.vendor, device=device,
                    severity=severity, raw=text, received_at=now)
        if header.timestamp is not None and header.clock_synced:
            data["occurred_at"] = header.timestamp
        else:
            # unsynchronised clock: when it happened is unknown; the id comes from the text itself,
            # so the same line reaching two collectors still de-duplicates
            body = PRI_RE.sub("", text, count=1)
            data["id"] = hashlib.sha256(f"syslog|{device}|{rule.type}|{body}".encode()).hexdigest()[:24]
        try:
            event = build_event(rule.type, data)
        except EventError as e:
            return ParseResult("error", text, reason=f"rule {rule.name}: {e}", header=header,
                               vendor=rule.vendor, key=key, rule=rule.name, message_id=message_id or None)
        return ParseResult("event", text, event=event, header=header, vendor=event.vendor, key=key,
                           rule=rule.name, message_id=message_id or None)


_DEFAULT: SyslogParser | None = None


def parse_syslog(raw: bytes | str, source_address: str | None = None, *,
                 now: datetime | None = None) -> ParseResult:
    """Parse one line with every built-in rule and vendor auto-detection."""
    global _DEFAULT
    if _DEFAULT is None:  # built on first use, not at import
        _DEFAULT = SyslogParser()
    return _DEFAULT.parse(raw, source_address, now=now)
