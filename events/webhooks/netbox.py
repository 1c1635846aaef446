"""NetBox webhooks → netcache events, and NetBox's ``X-Hook-Signature`` check.

NetBox POSTs ``{"event": "created"|"updated"|"deleted", "model": "device", "data": {...},
"snapshots": {"prechange": {...}, "postchange": {...}}, "username", "timestamp", "request_id"}``
(newer releases: ``"object_type": "dcim.device"`` instead of ``model`` and
``"request": {"id", "user", ...}`` instead of ``request_id`` and ``username``; both are read)
and, when the webhook has a secret, the header ``X-Hook-Signature``: the hex
HMAC-SHA512 of the raw body keyed with that secret (``verify_signature``).

What becomes what (NetBox is the intended state, so changes there make cached
answers about inventory, config and topology stale):

| model | created / deleted | updated |
| --- | --- | --- |
| device | topology_change (site, device) | topology_change if name/site/location/rack/status/role changed, else config_change with the changed fields |
| interface | config_change on its device | topology_change (device) if cable/LAG/parent/mode changed, else config_change |
| cable | topology_change (both ends' devices) | topology_change |
| ipaddress | config_change on the assigned device (ignored when unassigned) | same |
| site | topology_change (site) | topology_change (site) |
| anything else | ignored (counted) | ignored |

Event ids come from ``request_id`` + model + object id + event, so NetBox's
retries of one delivery de-duplicate.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from netcache.errors import EventError
from netcache.events.models import EventBase, parse_event

__all__ = [
    "SIGNATURE_HEADER",
    "NetBoxPayload",
    "NetBoxResult",
    "compute_signature",
    "verify_signature",
    "map_netbox",
    "TOPOLOGY_FIELDS",
]

#: The header NetBox puts the body's HMAC-SHA512 (hex) in.
SIGNATURE_HEADER = "X-Hook-Signature"

#: Device / interface fields whose change is a topology change rather than a config change.
TOPOLOGY_FIELDS: dict[str, frozenset[str]] = {
    "device": frozenset({"name", "site", "location", "rack", "status", "role", "device_role",
                         "virtual_chassis", "cluster"}),
    "interface": frozenset({"cable", "lag", "parent", "bridge", "mode", "connected_endpoints",
                            "link_peers", "wireless_link"}),
}
#: Snapshot fields that change on every save and mean nothing.
_NOISE_FIELDS = frozenset({"last_updated", "created", "custom_field_data", "_path", "_cable_peer",
                           "cable_end", "mark_connected"})


class NetBoxPayload(BaseModel):
    """A NetBox webhook body (the default body template); unknown keys kept."""

    model_config = ConfigDict(extra="allow")

    event: Literal["created", "updated", "deleted"]
    #: older NetBox: the model name ("device")
    model: str | None = Field(None, min_length=1)
    #: newer NetBox: "app_label.model" ("dcim.device")
    object_type: str | None = Field(None, min_length=1)
    data: dict[str, Any]
    snapshots: dict[str, Any] | None = None
    username: str | None = None
    timestamp: datetime | None = None
    request_id: str | None = None
    #: newer NetBox: {"id", "user", "method", "path", ...} of the request that made the change
    request: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _names_a_model(self) -> NetBoxPayload:
        if not (self.model or self.object_type):
            raise ValueError("a NetBox webhook body names its model in 'object_type' (or 'model')")
        return self

    @property
    def model_name(self) -> str:
        """``device``, ``interface``, ``ipaddress`` ... whichever field NetBox used."""
        name = self.object_type or self.model or ""
        return name.lower().rsplit(".", 1)[-1].replace("_", "")

    @property
    def user(self) -> str | None:
        return self.username or (str(self.request["user"]) if self.request and self.request.get("user") else None)

    @property
    def change_id(self) -> str | None:
        return self.request_id or (str(self.request["id"]) if self.request and self.request.get("id") else None)


@dataclass
class NetBoxResult:
    events: list[EventBase] = field(default_factory=list)
    #: why nothing was made, when nothing was ("model 'tenant' is not mapped", "no field changed")
    ignored: str | None = None


def compute_signature(secret: bytes | str, body: bytes) -> str:
    """The hex HMAC-SHA512 of ``body`` NetBox would send for ``secret``."""
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, body, hashlib.sha512).hexdigest()


def verify_signature(secret: bytes | str, body: bytes, header: str | None) -> bool:
    """True when ``header`` is the body's HMAC-SHA512 under ``secret`` (constant-time compare)."""
    if not header:
        return False
    expected = compute_signature(secret, body)
    return hmac.compare_digest(expected.encode(), header.strip().lower().encode())


def _name(obj: Any) -> str | None:
    """The name of a nested NetBox object ({"name": ..}, {"display": ..}) or None."""
    if isinstance(obj, Mapping):
        for key in ("name", "display"):
            if obj.get(key):
                return str(obj[key])
    return None


def _site(obj: Any) -> str | None:
    if isinstance(obj, Mapping):
        return str(obj.get("slug") or obj.get("name") or "") or None
    return None


def _changed_fields(snapshots: Mapping[str, Any] | None) -> dict[str, tuple[Any, Any]]:
    if not snapshots:
        return {}
    pre = snapshots.get("prechange") or {}
    post = snapshots.get("postchange") or {}
    if not isinstance(pre, Mapping) or not isinstance(post, Mapping):
        return {}
    return {k: (pre.get(k), post.get(k)) for k in sorted(set(pre) | set(post))
            if k not in _NOISE_FIELDS and pre.get(k) != post.get(k)}


def _lines(changes: Mapping[str, tuple[Any, Any]], prefix: str = "") -> list[str]:
    return [f"{prefix}{k}: {old!r} -> {new!r}"[:300] for k, (old, new) in changes.items()]


def _termination_devices(data: Mapping[str, Any]) -> list[str]:
    names: list[str] = []
    for side in ("a_terminations", "b_terminations"):
        for term in data.get(side) or []:
            obj = term.get("object") if isinstance(term, Mapping) else None
            device = _name(obj.get("device")) if isinstance(obj, Mapping) else None
            if device is None and isinstance(obj, Mapping) and obj.get("object_type") == "dcim.device":
                device = _name(obj)
            if device:
                names.append(device)
    for legacy in ("termination_a", "termination_b"):  # NetBox < 3.3
        obj = data.get(legacy)
        device = _name(obj.get("device")) if isinstance(obj, Mapping) else None
        if device:
            names.append(device)
    return sorted(set(names))


def map_netbox(body: Any) -> NetBoxResult:
    """Events for one webhook body. ``pydantic.ValidationError`` if it is not a NetBox body,
    ``EventError`` if a mapped object lacks what its event needs (a device name ...)."""
    p = NetBoxPayload.model_validate(body)
    model, what = p.model_name, p.object_type or p.model
    data = p.data
    common: dict[str, Any] = {"source": "webhook", "vendor": "netbox", "raw": None}
    if p.timestamp is not None:
        common["occurred_at"] = p.timestamp
    ident = f"{p.change_id or p.timestamp}|{model}|{data.get('id')}|{p.event}"

    def make(kind: str, n: int = 0, **fields: Any) -> EventBase:
        event_id = hashlib.sha256(f"netbox|{ident}|{kind}|{n}".encode()).hexdigest()[:24]
        try:
            return parse_event({"type": kind, "id": event_id, **common, **fields})
        except EventError as e:
            raise EventError(f"NetBox {what} {p.event} (id {data.get('id')}): {e}") from e

    def config_change(device: str | None, lines: list[str]) -> EventBase:
        if not device:
            raise EventError(f"NetBox {what} {p.event} (id {data.get('id')}) names no device")
        return make("config_change", device=device, user=p.user, method="netbox",
                    source_address=None, changed_lines=lines)

    changes = _changed_fields(p.snapshots)
    if model == "device":
        name, site = _name(data), _site(data.get("site"))
        if not name:
            raise EventError(f"NetBox device {p.event} (id {data.get('id')}) has no name")
        if p.event in ("created", "deleted"):
            return NetBoxResult([make("topology_change", site=site, devices=[name], device=name,
                                      change=f"device {p.event}")])
        if p.snapshots and not changes:
            return NetBoxResult(ignored="no field changed")
        topo = {k: v for k, v in changes.items() if k in TOPOLOGY_FIELDS["device"]}
        events = []
        if topo:
            events.append(make("topology_change", site=site, devices=[name], device=name,
                               change="device " + ", ".join(f"{k} changed" for k in topo)))
        rest = {k: v for k, v in changes.items() if k not in topo}
        if rest or not changes:
            events.append(config_change(name, _lines(rest)))
        return NetBoxResult(events)
    if model == "interface":
        device, iface = _name(data.get("device")), _name(data)
        if p.event == "updated" and p.snapshots and not changes:
            return NetBoxResult(ignored="no field changed")
        topo = {k: v for k, v in changes.items() if k in TOPOLOGY_FIELDS["interface"]}
        if topo:
            return NetBoxResult([make("topology_change", devices=[device] if device else [], device=device,
                                      change=f"interface {iface} " + ", ".join(f"{k} changed" for k in topo))])
        lines = _lines(changes, prefix=f"interface {iface} ") if changes else [f"interface {iface} {p.event}"]
        return NetBoxResult([config_change(device, lines)])
    if model == "cable":
        devices = _termination_devices(data)
        if not devices:
            raise EventError(f"NetBox cable {p.event} (id {data.get('id')}) has no terminations on devices")
        return NetBoxResult([make("topology_change", devices=devices, change=f"cable {p.event}")])
    if model == "ipaddress":
        assigned = data.get("assigned_object")
        device = _name(assigned.get("device")) if isinstance(assigned, Mapping) else None
        if not device:
            return NetBoxResult(ignored="IP address is not assigned to a device interface")
        iface = _name(assigned)
        return NetBoxResult([config_change(device, [f"ip address {data.get('address')} on {iface} {p.event}"])])
    if model == "site":
        site = _site(data)
        if not site:
            raise EventError(f"NetBox site {p.event} (id {data.get('id')}) has no slug or name")
        return NetBoxResult([make("topology_change", site=site, change=f"site {p.event}")])
    return NetBoxResult(ignored=f"model {what!r} is not mapped")
