"""Roles: which entity a role word points at, and when two questions give the same entities other roles.

``entity_roles("routes pe1 sends to pe2")`` → ``{"device:pe2": "dst"}``; ``"redistribute ospf into
bgp"`` → ``{"proto:bgp": "dst"}``. Two questions about the same entities with a role exchanged
(source/destination, from/to, into, primary/backup, local/remote, in/out) want different answers:
:func:`role_conflict` says so. :func:`converse` recognises the one exchange that keeps the meaning:
"pe1 advertises to pe2" / "pe2 receives from pe1".
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet

from netcache.matching.entities import Inventory, entity_spans
from netcache.matching.lexicon import Lexicon

__all__ = ["entity_roles", "role_conflict", "converse"]


#: a word right before an entity (or protocol) that gives it a role
_ROLE_BEFORE: dict[str, str] = {
    "from": "src", "source": "src", "src": "src", "sourced": "src",
    "to": "dst", "towards": "dst", "toward": "dst", "into": "dst", "destination": "dst", "dst": "dst",
    "destined": "dst", "->": "dst", "\u2192": "dst", "=>": "dst",
    "local": "local", "remote": "remote", "primary": "primary", "backup": "backup", "secondary": "backup",
    "standby": "backup", "active": "primary", "master": "primary", "main": "primary",
}
#: a word right after an entity that gives it a role ("route-map X in", "Gi0/1 inbound")
_ROLE_AFTER: dict[str, str] = {"in": "in", "inbound": "in", "ingress": "in", "out": "out", "outbound": "out",
                               "egress": "out", "->": "src", "\u2192": "src", "=>": "src",
                               "primary": "primary", "backup": "backup", "secondary": "backup", "standby": "backup",
                               "active": "primary", "master": "primary", "main": "primary", "source": "src",
                               "destination": "dst"}
#: skipped between an entity and a role word after it ("Gi0/1 is the primary uplink", "Gi0/2 the backup")
_ROLE_AFTER_SKIP = frozenset("is the a an as being was acts serves".split())
#: skipped between a role word and its entity ("from the router rtr-1", "to neighbor 10.0.0.2")
_ROLE_SKIP = frozenset("the a an device router switch host node firewall neighbor peer interface port prefix "
                       "address ip vlan vrf network subnet site link path protocol routes route".split())
_PROTOCOL_RE = re.compile(r"(?<![\w-])(ospf(?:v[23])?|bgp|is-?is|eigrp|rip(?:ng)?|static|connected|ldp|rsvp)(?![\w-])",
                          re.I)
_WORD_RE = re.compile(r"->|=>|\u2192|[\w-]+")
_CLAUSE_RE = re.compile(r"[,;]|\s(?:and|but|while|whereas)\s")


def entity_roles(text: str, inventory: Inventory | None = None, lexicon: Lexicon | None = None,
                 spans: list[tuple[int, int, str, str]] | None = None) -> dict[str, str]:
    """``{kind:value: role}`` for the entities (and routing protocols) a role word points at:
    ``"routes pe1 sends to pe2"`` → ``{"device:pe2": "dst"}``; ``"from ospf into bgp"`` →
    ``{"proto:ospf": "src", "proto:bgp": "dst"}``."""
    if spans is None:
        spans = entity_spans(text, inventory, lexicon)
    items = [(s, e, f"{kind}:{value}") for s, e, kind, value in spans]
    taken = [(s, e) for s, e, _ in items]
    for m in _PROTOCOL_RE.finditer(text):
        if not any(s <= m.start() < e for s, e in taken):
            items.append((m.start(), m.end(), f"proto:{m.group(1).lower().replace('-', '')}"))
    roles: dict[str, str] = {}
    for s, e, key in items:
        # a role word belongs to its own clause: "isp-x as primary, isp-y as backup" gives isp-y no "primary"
        before = [w.lower() for w in _WORD_RE.findall(_CLAUSE_RE.split(text[max(0, s - 40):s])[-1])]
        while before and before[-1] in _ROLE_SKIP:
            before.pop()
        role = _ROLE_BEFORE.get(before[-1]) if before else None
        if role is None:
            after = [w.lower() for w in _WORD_RE.findall(_CLAUSE_RE.split(text[e:e + 24])[0])]
            while len(after) > 1 and after[0] in _ROLE_AFTER_SKIP:
                after.pop(0)
            role = _ROLE_AFTER.get(after[0]) if after else None
        if role is not None and key not in roles:
            roles[key] = role
    return roles


def role_conflict(ra: dict[str, str], rb: dict[str, str]) -> str | None:
    for key in ra.keys() & rb.keys():
        if ra[key] != rb[key]:
            return f"{key} is {ra[key]} on one side, {rb[key]} on the other"
    for role in set(ra.values()) & set(rb.values()):
        va = {k for k, r in ra.items() if r == role}
        vb = {k for k, r in rb.items() if r == role}
        for kind in {k.split(":", 1)[0] for k in va} & {k.split(":", 1)[0] for k in vb}:
            if {k for k in va if k.startswith(kind + ":")} != {k for k in vb if k.startswith(kind + ":")}:
                return f"{role} is {'/'.join(sorted(va))} on one side, {'/'.join(sorted(vb))} on the other"
        # across kinds too: "syslog from R1 to 10.0.0.99" / "from 10.0.0.99 to R1" (a device, an address); a
        # protocol is no endpoint: "routes from 172.16.0.1" / "routes from bgp neighbor 172.16.0.1"
        ea = {k for k in va if not k.startswith("proto:")}
        eb = {k for k in vb if not k.startswith("proto:")}
        if ea and eb and not ea & eb:
            return f"{role} is {'/'.join(sorted(ea))} on one side, {'/'.join(sorted(eb))} on the other"
    return None


def converse(ra: dict[str, str], rb: dict[str, str], sa: AbstractSet[str], sb: AbstractSet[str]) -> bool:
    """One side "advertises to Y", the other "receives from X" (or the reverse), X and Y different."""
    if "advertised" in sb and "received" in sa:
        ra, rb, sa, sb = rb, ra, sb, sa
    if not ("advertised" in sa and "received" in sb and "received" not in sa and "advertised" not in sb):
        return False
    to_a = {k for k, r in ra.items() if r == "dst"}
    from_b = {k for k, r in rb.items() if r == "src"}
    return bool(to_a) and bool(from_b) and not to_a & from_b and not {k for k, r in ra.items() if r == "src"} & from_b
