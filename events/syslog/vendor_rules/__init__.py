"""Syslog message rules, one data table per vendor, compiled into one index.

A rule is plain data (see any vendor module)::

    {"key": "LINK-UPDOWN",                       # message id: Cisco mnemonic without severity,
                                                 # Junos tag, FRR %TAG, or the app name (SONiC)
     "type": "interface_flap",                   # event type
     "pattern": r"Interface (?P<interface>[^,\\s]+), changed state to (?P<state>up|down)",
     "const": {"layer": "link"}}                 # fixed event fields

Named groups become event fields (groups starting with "_" are only matched);
a key ending in "*" matches every message id with that prefix, and a ``*`` elsewhere
(``BGP-*BACKWARDTRANS*``) matches any run of characters there. Several rules
may share a key: the first whose pattern matches (``re.match`` on the message
body) wins, so a transition that is not an event (BGP Active → Connect) simply
matches no rule and is counted as unrecognized.

To add a vendor: a module here with ``VENDOR`` and ``RULES``, listed in ``VENDOR_MODULES``.

Why hand-written tables and not napalm-logs (Apache-2.0, PyPI ``napalm-logs``): its YAML
profiles were read and are cited as a format source (EOS, NetIron, Huawei, Junos, IOS, IOS-XR), but
they do not back the rules. The last release is 0.11.0 (2022-11); the package is a daemon that
publishes over ZeroMQ and pulls in pyzmq, PyNaCl, u-msgpack and napalm-yang/pyangbind to map
messages into OpenConfig trees; its profiles cover about a hundred messages of the NAPALM
platforms plus a few (no SONiC, FRR, SR OS, SLX, PAN-OS system logs; FortiOS traffic logs only),
match by prefix template rather than by message-id lookup, and have no notion of "known but not
an event" (a BGP transition that never touches Established) or of unrecognized lines. Taking
its templates would have meant re-encoding them anyway; a table per vendor here is data the
parser indexes by message id, tested line by line against ``tests/data/syslog/corpus.jsonl``.
"""

from __future__ import annotations

import fnmatch
import importlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netcache.errors import ConfigError

__all__ = ["Rule", "RuleSet", "VENDOR_MODULES", "VENDORS", "compile_rule", "load_rules", "load_rules_file"]

#: Vendor name → module in this package holding its table.
VENDOR_MODULES: dict[str, str] = {
    "cisco_ios": "cisco_ios",
    "cisco_nxos": "cisco_nxos",
    "cisco_iosxr": "cisco_iosxr",
    "junos": "junos",
    "arista_eos": "arista_eos",
    "sonic": "sonic",
    "frr": "frr",
    "huawei_vrp": "huawei_vrp",
    "brocade": "brocade",
    "nokia_sros": "nokia_sros",
    "fortios": "fortios",
    "panos": "panos",
}
VENDORS: tuple[str, ...] = tuple(VENDOR_MODULES)


@dataclass(frozen=True, slots=True)
class Rule:
    """One compiled rule."""

    vendor: str
    key: str
    type: str
    pattern: re.Pattern[str]
    const: Mapping[str, Any] = field(default_factory=dict)
    name: str = ""

    @property
    def is_prefix(self) -> bool:
        return "*" in self.key

    def key_matches(self, key: str) -> bool:
        """Whether message id ``key`` selects this rule (exact, prefix ``X*`` or glob ``X*Y*``)."""
        if "*" not in self.key:
            return key == self.key
        if self.key.count("*") == 1 and self.key.endswith("*"):
            return key.startswith(self.key[:-1])
        return fnmatch.fnmatchcase(key, self.key)


def compile_rule(vendor: str, data: Mapping[str, Any], index: int = 0) -> Rule:
    """A ``Rule`` from its data; ``ConfigError`` naming the rule when it is malformed."""
    name = data.get("name") or f"{vendor}:{data.get('key', '?')}#{index}"
    missing = [k for k in ("key", "type", "pattern") if not data.get(k)]
    if missing:
        raise ConfigError(f"syslog rule {name} lacks {', '.join(missing)}")
    unknown = set(data) - {"key", "type", "pattern", "const", "name"}
    if unknown:
        raise ConfigError(f"syslog rule {name} has unknown keys: {', '.join(sorted(unknown))}")
    try:
        pattern = re.compile(data["pattern"])
    except re.error as e:
        raise ConfigError(f"syslog rule {name} has a bad pattern: {e}") from e
    return Rule(vendor=vendor, key=str(data["key"]).upper(), type=str(data["type"]), pattern=pattern,
                const=dict(data.get("const") or {}), name=name)


class RuleSet:
    """Every rule, indexed by message id; the preferred vendor's rules are tried first."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules: list[Rule] = list(rules)
        self._exact: dict[str, list[Rule]] = {}
        self._prefix: list[Rule] = []
        for rule in self.rules:
            if rule.is_prefix:
                self._prefix.append(rule)
            else:
                self._exact.setdefault(rule.key, []).append(rule)
        self._cache: dict[tuple[str, str | None], tuple[Rule, ...]] = {}
        self.vendors: tuple[str, ...] = tuple(dict.fromkeys(r.vendor for r in self.rules))

    def candidates(self, key: str, vendor: str | None = None, *, only_vendor: bool = False) -> tuple[Rule, ...]:
        """Rules for message id ``key``: ``vendor``'s first (or only theirs with ``only_vendor``)."""
        cache_key = (key, f"={vendor}" if only_vendor else vendor)
        hit = self._cache.get(cache_key)
        if hit is not None:
            return hit
        found = list(self._exact.get(key, ()))
        found += [r for r in self._prefix if r.key_matches(key)]
        if only_vendor:
            found = [r for r in found if r.vendor == vendor]
        elif vendor:
            found.sort(key=lambda r: r.vendor != vendor)  # stable: keeps table order
        result = tuple(found)
        if len(self._cache) < 10_000:
            self._cache[cache_key] = result
        return result


def load_rules(vendors: Iterable[str] | None = None, extra: Iterable[Rule] = ()) -> RuleSet:
    """The built-in tables (all vendors, or those named), plus ``extra`` rules tried first."""
    names = list(vendors) if vendors is not None else list(VENDORS)
    rules: list[Rule] = list(extra)
    for vendor in names:
        module_name = VENDOR_MODULES.get(vendor)
        if module_name is None:
            raise ConfigError(f"unknown syslog vendor {vendor!r}; known: {', '.join(VENDORS)}")
        module = importlib.import_module(f"{__name__}.{module_name}")
        rules += [compile_rule(vendor, data, i) for i, data in enumerate(module.RULES)]
    return RuleSet(rules)


def load_rules_file(path: str | Path) -> list[Rule]:
    """Extra rules from a JSON file: ``{"vendor": [rule, ...], ...}`` (same shape as the tables)."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError) as e:
        raise ConfigError(f"cannot read syslog rules file {path}: {e}") from e
    if not isinstance(data, dict):
        raise ConfigError(f"syslog rules file {path} must hold an object: vendor → list of rules")
    return [compile_rule(vendor, rule, i) for vendor, rules in data.items() for i, rule in enumerate(rules)]
