"""Prometheus Alertmanager webhook payloads → netcache events, through a rules table.

    result = map_payload(body, rules=DEFAULT_RULES)
    result.events     # e.g. [BgpDown(device="rtr-001", neighbor="10.0.0.2", ...)]
    result.ignored    # alertnames no rule knows (HighCPU ...): counted, not errors
    result.rejected   # alerts a rule knows but cannot turn into an event (missing label ...)

A rule says which alertnames it handles, which event type a *firing* alert
becomes and which a *resolved* one becomes (None = nothing), which labels fill
which event fields (first label present wins) and fixed field values:

    {"alertnames": ["BGPSessionDown", "BgpPeerDown"],
     "firing": "bgp_down", "resolved": "bgp_up",
     "fields": {"device": ["device", "instance"], "neighbor": ["peer", "neighbor"],
                "remote_as": ["peer_as"], "vrf": ["vrf"]}}

Users extend the table with a JSON (or YAML) file (``EventSettings.alertmanager_rules_file``);
their rules come first, so they can also override a built-in alertname.

The event id is derived from the alert's fingerprint, status and startsAt, so
Alertmanager's re-sends of the same alert (every ``repeat_interval``, or after a
failed delivery) are published once.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from netcache.errors import ConfigError, EventError
from netcache.events.models import (
    EVENT_TYPES,
    BgpDown,
    BgpUp,
    ConfigChange,
    DeviceReboot,
    EventBase,
    InterfaceFlap,
    IsisAdjacency,
    OspfAdjacency,
    TopologyChange,
    parse_event,
)

__all__ = [
    "AlertRule",
    "Alert",
    "AlertmanagerPayload",
    "MappingResult",
    "DEFAULT_RULES",
    "load_rules",
    "map_alert",
    "map_payload",
    "alert_event_id",
]

_DEVICE_LABELS = ["device", "hostname", "host", "instance", "target"]


class AlertRule(BaseModel):
    """One row of the mapping table."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    alertnames: list[str] = Field(min_length=1, description="Alertnames this rule handles (case-insensitive).")
    firing: str | None = Field(description="Event type a firing alert becomes (None = nothing).")
    resolved: str | None = Field(None, description="Event type a resolved alert becomes (None = nothing).")
    fields: dict[str, list[str]] = Field(default_factory=dict,
                                         description="Event field → labels to read it from, first present wins.")
    set_firing: dict[str, Any] = Field(default_factory=dict, description="Fixed fields of the firing event.")
    set_resolved: dict[str, Any] = Field(default_factory=dict, description="Fixed fields of the resolved event.")

    def model_post_init(self, __context: Any) -> None:
        for kind in (self.firing, self.resolved):
            if kind is not None and kind not in EVENT_TYPES:
                raise ValueError(f"unknown event type {kind!r}; known: {', '.join(EVENT_TYPES)}")


#: The built-in table (common exporter / vendor alert names).
DEFAULT_RULES: tuple[AlertRule, ...] = (
    AlertRule(
        alertnames=["BGPSessionDown", "BgpSessionDown", "BGPPeerDown", "BgpPeerDown", "BGPNeighborDown",
                    "BgpNeighborDown", "BGPSessionNotEstablished"],
        firing="bgp_down", resolved="bgp_up",
        fields={"device": _DEVICE_LABELS, "neighbor": ["peer", "neighbor", "peer_address", "bgp_peer", "remote_ip"],
                "remote_as": ["peer_as", "remote_as", "peer_asn", "asn"], "vrf": ["vrf", "routing_instance"]},
        set_firing={"new_state": "Idle"}, set_resolved={"new_state": "Established"},
    ),
    AlertRule(
        alertnames=["InterfaceDown", "LinkDown", "InterfaceOperStatusDown", "IfOperStatusDown", "PortDown"],
        firing="interface_flap", resolved="interface_flap",
        fields={"device": _DEVICE_LABELS, "interface": ["interface", "ifName", "ifname", "ifDescr", "port"]},
        set_firing={"state": "down"}, set_resolved={"state": "up"},
    ),
    AlertRule(
        alertnames=["DeviceRebooted", "DeviceReload", "DeviceRestarted", "UptimeReset", "DeviceReloaded"],
        firing="device_reboot", resolved=None,
        fields={"device": _DEVICE_LABELS},
    ),
    AlertRule(
        alertnames=["OSPFNeighborDown", "OspfNeighborDown", "OSPFAdjacencyDown"],
        firing="ospf_adjacency", resolved="ospf_adjacency",
        fields={"device": _DEVICE_LABELS, "neighbor": ["neighbor", "peer", "router_id", "neighbor_id"],
                "interface": ["interface", "ifName"], "area": ["area"]},
        set_firing={"old_state": "FULL", "new_state": "DOWN"}, set_resolved={"new_state": "FULL"},
    ),
    AlertRule(
        alertnames=["ISISAdjacencyDown", "IsisAdjacencyDown"],
        firing="isis_adjacency", resolved="isis_adjacency",
        fields={"device": _DEVICE_LABELS, "neighbor": ["neighbor", "peer", "system_id"],
                "interface": ["interface", "ifName"], "level": ["level"]},
        set_firing={"old_state": "Up", "new_state": "Down"}, set_resolved={"new_state": "Up"},
    ),
)


class Alert(BaseModel):
    """One alert of an Alertmanager webhook (version 4); unknown keys kept."""

    model_config = ConfigDict(extra="allow")

    status: Literal["firing", "resolved"]
    labels: dict[str, str]
    annotations: dict[str, str] = Field(default_factory=dict)
    startsAt: datetime | None = None
    endsAt: datetime | None = None
    generatorURL: str | None = None
    fingerprint: str | None = None


class AlertmanagerPayload(BaseModel):
    """The webhook body Alertmanager POSTs (``version`` "4")."""

    model_config = ConfigDict(extra="allow")

    version: Literal["4"] = "4"
    status: Literal["firing", "resolved"] | None = None
    receiver: str | None = None
    groupKey: str | None = None
    alerts: list[Alert]


@dataclass
class MappingResult:
    """Events from one payload, and what was left out and why."""

    events: list[EventBase] = field(default_factory=list)
    #: alertnames without a rule (one entry per alert)
    ignored: list[str] = field(default_factory=list)
    #: alerts a rule matched that could not become an event: {"alertname", "fingerprint", "error"}
    rejected: list[dict[str, str]] = field(default_factory=list)


def load_rules(path: str | Path | None) -> tuple[AlertRule, ...]:
    """The user's rules from ``path`` (JSON, or YAML if PyYAML is installed) followed by DEFAULT_RULES."""
    if path is None:
        return DEFAULT_RULES
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"cannot read Alertmanager rules file {path}: {e.strerror}") from e
    if path.suffix in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError as e:
            raise ConfigError(f"{path} is YAML but PyYAML is not installed: `pip install pyyaml` "
                              f"or write the rules as JSON") from e
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as e:
            raise ConfigError(f"Alertmanager rules file {path} is not valid YAML: {e}") from e
    else:
        try:
            data = json.loads(text)
        except ValueError as e:
            raise ConfigError(f"Alertmanager rules file {path} is not valid JSON: {e}") from e
    if isinstance(data, dict):
        data = data.get("rules")
    if not isinstance(data, list):
        raise ConfigError(f"Alertmanager rules file {path} must hold a list of rules (or {{'rules': [...]}})")
    try:
        rules = tuple(AlertRule.model_validate(item) for item in data)
    except ValidationError as e:
        raise ConfigError(f"Alertmanager rules file {path}: {e}") from e
    return rules + DEFAULT_RULES


def _rule_for(alertname: str, rules: tuple[AlertRule, ...]) -> AlertRule | None:
    wanted = alertname.lower()
    for rule in rules:
        if any(name.lower() == wanted for name in rule.alertnames):
            return rule
    return None


_HOST_PORT_RE = re.compile(r"^(?P<host>[^:\[\]]+):\d+$")


def _label_value(field_name: str, labels: dict[str, str], names: list[str]) -> str | None:
    for name in names:
        value = labels.get(name)
        if value not in (None, ""):
            if field_name == "device" and name == "instance":  # "rtr-001:9116" → "rtr-001"
                m = _HOST_PORT_RE.match(value)
                value = m.group("host") if m else value
            return value
    return None


def alert_event_id(alert: Alert) -> str:
    """Stable id of one alert state: fingerprint (or labels) + status + startsAt."""
    identity = alert.fingerprint or json.dumps(alert.labels, sort_keys=True)
    starts = alert.startsAt.isoformat() if alert.startsAt else ""
    blob = f"alertmanager|{identity}|{alert.status}|{starts}"
    return hashlib.sha256(blob.encode()).hexdigest()[:24]


def map_alert(alert: Alert, rules: tuple[AlertRule, ...] = DEFAULT_RULES) -> EventBase | None:
    """The event for one alert; None when its rule has no event for this status.

    Raises ``LookupError`` for an alertname no rule knows, ``EventError`` when the
    labels do not make a valid event.
    """
    alertname = alert.labels.get("alertname", "")
    rule = _rule_for(alertname, rules) if alertname else None
    if rule is None:
        raise LookupError(alertname or "(no alertname)")
    kind = rule.firing if alert.status == "firing" else rule.resolved
    if kind is None:
        return None
    data: dict[str, Any] = {"type": kind, "source": "webhook", "id": alert_event_id(alert)}
    for field_name, names in rule.fields.items():
        value = _label_value(field_name, alert.labels, names)
        if value is not None:
            data[field_name] = value
    data.update(rule.set_firing if alert.status == "firing" else rule.set_resolved)
    when = alert.startsAt if alert.status == "firing" else (alert.endsAt or alert.startsAt)
    if when is not None and when.year > 1:  # Alertmanager sends 0001-01-01 for "unset"
        data["occurred_at"] = when
    reason = alert.annotations.get("summary") or alert.annotations.get("description")
    if reason and "reason" in _model_fields(kind):
        data["reason"] = reason[:500]
    severity = _SEVERITY.get(alert.labels.get("severity", "").lower())
    if severity is not None:
        data["severity"] = severity
    data["raw"] = json.dumps({"alertname": alertname, "status": alert.status, "labels": alert.labels},
                             sort_keys=True)[:2000]
    if "device" not in data:
        raise EventError(f"alert {alertname} has none of the device labels {rule.fields.get('device')}")
    return parse_event(data)


_SEVERITY = {"critical": 2, "error": 3, "major": 3, "warning": 4, "minor": 4, "info": 6}


def _model_fields(kind: str) -> set[str]:
    for model in (ConfigChange, DeviceReboot, InterfaceFlap, BgpDown, BgpUp, TopologyChange,
                  OspfAdjacency, IsisAdjacency):
        if model.model_fields["type"].default == kind:
            return set(model.model_fields)
    return set()


def map_payload(body: Any, rules: tuple[AlertRule, ...] = DEFAULT_RULES) -> MappingResult:
    """Validate a webhook body and map every alert. ``ValidationError`` if the body is not a payload."""
    payload = AlertmanagerPayload.model_validate(body)
    result = MappingResult()
    for alert in payload.alerts:
        alertname = alert.labels.get("alertname", "(no alertname)")
        try:
            event = map_alert(alert, rules)
        except LookupError:
            result.ignored.append(alertname)
            continue
        except EventError as e:
            result.rejected.append({"alertname": alertname, "fingerprint": alert.fingerprint or "",
                                    "error": str(e)})
            continue
        if event is None:
            result.ignored.append(alertname)
        else:
            result.events.append(event)
    return result
