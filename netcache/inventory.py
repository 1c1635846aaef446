"""Where device names come from: an inventory file, a NetBox dump or API, a Nornir/Ansible hosts file.

An inventory is optional. Hostname-shaped names are devices without one (see
:mod:`netcache.matching.entities`); an inventory adds names that do not look like
hostnames (``border``, ``gateway``), the site of each device (``site:`` tags) and the
device of each primary IP (:meth:`Inventory.device_for_ip`: a question or a syslog
source naming the IP gets the device's tag).

Accepted shapes (:func:`load_inventory`, by content, whatever the file suffix):

* plain text: ``name [site]`` per line, ``#`` comments;
* JSON/YAML list of names or of ``{name, site, role, primary_ip}`` objects, or ``{name: site}``,
  or ``{"devices": [...]}``;
* a NetBox ``/api/dcim/devices/`` response (``{"count", "next", "previous", "results": [...]}``)
  or a list of NetBox device objects (``site`` / ``role`` / ``device_role`` as ``{"slug", "name"}``,
  ``primary_ip4`` / ``primary_ip`` as ``{"address": "10.0.0.1/32"}``);
* a Nornir/Ansible-style hosts YAML: ``{host: {hostname: 10.0.0.1, groups: [...], data: {site: ...}}}``
  or Ansible's ``{all: {hosts: {...}, children: {...}}}``.

``netcache inventory sync --netbox URL --token-env VAR --out FILE`` writes the NetBox devices
(names, sites, roles, primary IPs; every page) to a JSON file this module loads.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from netcache.errors import ConfigError, NetcacheError

__all__ = ["Inventory", "load_inventory", "inventory_from_obj", "inventory_for", "device_for_source",
           "netbox_devices", "inventory_group"]

_EXPECTED = ("a list of device names, a list of {name, site, role, primary_ip} objects, a {name: site} mapping, "
             "{\"devices\": [...]}, a NetBox /api/dcim/devices/ response, or a Nornir/Ansible hosts mapping")


@dataclass(frozen=True)
class Inventory:
    """Known device names (lowercase), and optionally the site, role and primary IPs of each."""

    devices: frozenset[str] = frozenset()
    sites: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    roles: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    #: canonical IP address → device
    ips: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    def site_of(self, device: str) -> str | None:
        return self.sites.get(device.lower())

    def role_of(self, device: str) -> str | None:
        return self.roles.get(device.lower())

    def device_for_ip(self, address: str) -> str | None:
        """The device whose primary IP is ``address`` (``"10.0.0.1"``, ``"10.0.0.1/32"``), else None."""
        try:
            ip = str(ipaddress.ip_interface(address.strip()).ip)
        except ValueError:
            return None
        return self.ips.get(ip)


def _text(value: Any) -> str | None:
    """A label from a string or a NetBox nested object ({"slug", "name", "display"})."""
    if isinstance(value, dict):
        value = value.get("slug") or value.get("name") or value.get("display")
    if value is None:
        return None
    s = str(value).strip().lower()
    return s or None


def _address(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("address")
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return str(ipaddress.ip_interface(value.strip()).ip)
    except ValueError:
        return None


class _Builder:
    def __init__(self, source: str) -> None:
        self.source = source
        self.names: set[str] = set()
        self.sites: dict[str, str] = {}
        self.roles: dict[str, str] = {}
        self.ips: dict[str, str] = {}

    def add(self, name: Any, site: Any = None, role: Any = None, ips: tuple[Any, ...] = ()) -> None:
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"inventory {self.source}: device name must be a non-empty string, got {name!r} "
                              f"(expected {_EXPECTED})")
        key = name.strip().lower()
        self.names.add(key)
        if (s := _text(site)) is not None:
            self.sites[key] = s
        if (r := _text(role)) is not None:
            self.roles[key] = r
        for raw in ips:
            if (ip := _address(raw)) is not None:
                self.ips[ip] = key

    def add_object(self, item: dict[str, Any]) -> None:
        name = item.get("name") or item.get("device") or item.get("hostname") or item.get("display")
        self.add(name, item.get("site"), item.get("role") or item.get("device_role"),
                 tuple(item.get(k) for k in ("primary_ip", "primary_ip4", "primary_ip6", "ip", "address")))

    def build(self) -> Inventory:
        return Inventory(frozenset(self.names), self.sites, self.roles, self.ips)


def _is_hosts_mapping(obj: dict[str, Any]) -> bool:
    """Nornir hosts.yaml ({host: {hostname, groups, data}}) or Ansible ({all: {hosts, children}})."""
    if "all" in obj and isinstance(obj["all"], dict) and {"hosts", "children"} & set(obj["all"]):
        return True
    return bool(obj) and all(isinstance(v, dict) and {"hostname", "groups", "data", "platform", "ansible_host"} & set(v)
                             for v in obj.values())


def _add_hosts(b: _Builder, hosts: dict[str, Any], inherited_site: str | None = None) -> None:
    for name, val in hosts.items():
        val = val if isinstance(val, dict) else {}
        data: dict[str, Any] = val["data"] if isinstance(val.get("data"), dict) else {}
        site = data.get("site") or val.get("site") or inherited_site
        groups: list[Any] = val["groups"] if isinstance(val.get("groups"), list) else []
        if site is None:
            site = next((g[5:] for g in groups if isinstance(g, str) and g.startswith("site_")), None)
        b.add(str(name), site, data.get("role") or val.get("role"),
              (val.get("hostname"), val.get("ansible_host"), data.get("primary_ip")))


def _add_ansible_group(b: _Builder, group: dict[str, Any], name: str = "all") -> None:
    if not isinstance(group, dict):
        return
    site = None
    if isinstance(group.get("vars"), dict):
        site = group["vars"].get("site")
    if isinstance(group.get("hosts"), dict):
        _add_hosts(b, group["hosts"], site)
    for child_name, child in (group.get("children") or {}).items():
        _add_ansible_group(b, child or {}, child_name)


def inventory_from_obj(obj: Any, source: str | Path) -> Inventory:
    """An :class:`Inventory` from parsed JSON/YAML (shapes in the module docstring)."""
    b = _Builder(str(source))
    if isinstance(obj, dict) and "results" in obj and {"count", "next", "previous"} & set(obj):
        if not isinstance(obj["results"], list):
            raise ConfigError(f"inventory {source}: NetBox response 'results' must be a list of devices")
        obj = obj["results"]
    elif isinstance(obj, dict) and "devices" in obj:
        obj = obj["devices"]
    if isinstance(obj, dict):
        if "all" in obj and isinstance(obj["all"], dict):
            _add_ansible_group(b, obj["all"])
        elif _is_hosts_mapping(obj):
            _add_hosts(b, obj)
        else:  # {name: site | {site: ...}}
            for name, val in obj.items():
                if isinstance(val, dict):
                    b.add_object({"name": name, **val})
                elif val is None or isinstance(val, str):
                    b.add(name, val)
                else:
                    raise ConfigError(f"inventory {source}: device {name!r} maps to {type(val).__name__}, "
                                      f"expected a site name or an object (expected {_EXPECTED})")
    elif isinstance(obj, list):
        for item in obj:
            if isinstance(item, dict):
                b.add_object(item)
            else:
                b.add(item)
    else:
        raise ConfigError(f"inventory {source}: got {type(obj).__name__}, expected {_EXPECTED}")
    return b.build()


def load_inventory(path: str | Path) -> Inventory:
    """Devices from a file: plain text, JSON or YAML (shapes in the module docstring)."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"inventory {path} cannot be read: {e}") from e
    suffix = path.suffix.lower()
    if suffix == ".json" or (suffix not in (".yaml", ".yml") and raw.lstrip()[:1] in ("{", "[")):
        try:
            return inventory_from_obj(json.loads(raw), path)
        except json.JSONDecodeError as e:
            raise ConfigError(f"inventory {path} is not valid JSON: {e} (expected {_EXPECTED})") from e
    if suffix in (".yaml", ".yml"):
        import yaml

        try:
            return inventory_from_obj(yaml.safe_load(raw) or [], path)
        except yaml.YAMLError as e:
            raise ConfigError(f"inventory {path} is not valid YAML: {e}") from e
    items: list[Any] = []
    for line in raw.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = re.split(r"[\s,]+", line)
        items.append({"name": parts[0], "site": parts[1] if len(parts) > 1 else None})
    return inventory_from_obj(items, path)


def inventory_for(settings: Any) -> Inventory | None:
    """The inventory ``settings.cache.inventory_file`` names (None when none is configured)."""
    path = settings.cache.inventory_file
    return load_inventory(path) if path else None


def device_for_source(event: Any, inventory: Inventory | None) -> Any:
    """``event`` with its ``device`` replaced by the device name when it is the device's primary IP
    (syslog sent by address only); unchanged otherwise."""
    if inventory is None or not inventory.ips or not getattr(event, "device", None):
        return event
    name = inventory.device_for_ip(event.device)
    if name is None:
        return event
    data = event.model_dump()
    data["device"] = name
    data.pop("id", None)  # the id hashes the device: computed again on validation
    return type(event).model_validate(data)


# --------------------------------------------------------------------------- NetBox


def netbox_devices(url: str, token: str, *, page_size: int = 500, timeout_s: float = 30.0) -> list[dict[str, Any]]:
    """Every device in NetBox (all pages, through pynetbox): name, site, role, primary IPs."""
    try:
        import pynetbox
        import requests
    except ImportError as e:  # pragma: no cover - optional extra
        raise ConfigError("NetBox sync needs pynetbox: pip install 'netcache[netbox]'") from e
    api = pynetbox.api(url.rstrip("/"), token=token)
    session = requests.Session()
    session.request = _with_timeout(session.request, timeout_s)  # type: ignore[method-assign]
    api.http_session = session
    out: list[dict[str, Any]] = []
    try:
        for dev in api.dcim.devices.filter(limit=page_size):
            raw = dict(dev)
            if not raw.get("name"):
                continue  # NetBox allows unnamed devices; nothing to match a question on
            out.append({
                "name": raw["name"],
                "site": _text(raw.get("site")),
                "role": _text(raw.get("role") or raw.get("device_role")),
                "primary_ip4": _address(raw.get("primary_ip4")),
                "primary_ip6": _address(raw.get("primary_ip6")),
            })
    except pynetbox.RequestError as e:
        raise NetcacheError(f"NetBox at {url} refused the request: {e.error}") from e
    except requests.RequestException as e:
        raise NetcacheError(f"NetBox at {url} is not reachable: {e}") from e
    return out


def _with_timeout(request, timeout_s: float):
    def call(method, url, **kwargs):
        kwargs.setdefault("timeout", timeout_s)
        return request(method, url, **kwargs)

    return call


@click.group("inventory")
def inventory_group() -> None:
    """Device inventory: sync it from NetBox, check a file."""


@inventory_group.command("sync")
@click.option("--netbox", "netbox_url", required=True, help="NetBox base URL, e.g. https://netbox.example.net")
@click.option("--token-env", default="NETBOX_TOKEN", show_default=True,
              help="Environment variable holding the NetBox API token (never pass the token itself).")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="JSON file to write (point NETCACHE_CACHE__INVENTORY_FILE at it).")
@click.option("--page-size", default=500, show_default=True, type=click.IntRange(1, 1000))
def sync_command(netbox_url: str, token_env: str, out_path: Path, page_size: int) -> None:
    """Write every NetBox device (name, site, role, primary IPs) to an inventory file."""
    token = os.environ.get(token_env, "").strip()
    if not token:
        raise click.ClickException(f"environment variable {token_env} holds no NetBox token")
    try:
        devices = netbox_devices(netbox_url, token, page_size=page_size)
    except NetcacheError as e:
        raise click.ClickException(str(e)) from e
    tmp = out_path.with_name(out_path.name + ".tmp")
    tmp.write_text(json.dumps({"devices": devices}, indent=1) + "\n", encoding="utf-8")
    tmp.replace(out_path)
    inventory_from_obj({"devices": devices}, out_path)  # what we wrote loads
    click.echo(f"wrote {len(devices)} devices to {out_path}")


@inventory_group.command("check")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def check_command(path: Path) -> None:
    """Load an inventory file and print how many devices, sites and IPs it holds."""
    try:
        inv = load_inventory(path)
    except ConfigError as e:
        raise click.ClickException(str(e)) from e
    click.echo(f"{path}: {len(inv.devices)} devices, {len(set(inv.sites.values()))} sites, {len(inv.ips)} IPs")
