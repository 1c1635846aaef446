"""Network entities in a question: the hard filters of semantic matching.

``extract_entities(text, inventory)`` finds device names, interfaces
(normalised across abbreviations: ``Gi0/1`` = ``GigabitEthernet0/1``), IPv4/IPv6
addresses and prefixes (validated and canonicalised with :mod:`ipaddress`), AS
numbers (asplain; asdot ``1.10`` → ``65546``), VLAN ids and VRF names.

Two questions may share a cached answer only when their ``Entities.signature()``
are equal; ``Entities.tags()`` are the surrogate keys an entry is filed under
(``device:rtr-001``, ``iface:rtr-001:GigabitEthernet0/1``, ``vrf:blue`` ...).

``mask_entities(text)`` replaces every entity by a typed placeholder
(``<device>``, ``<iface>``, ``<ip>`` ...): used for the embedded text and by the
guard, which compares the words *around* the entities.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from dataclasses import dataclass

from netcache.inventory import Inventory, load_inventory
from netcache.matching.lexicon import Lexicon, default_lexicon

__all__ = [
    "Entities",
    "Inventory",
    "extract_entities",
    "normalize_interface",
    "load_inventory",
    "mask_entities",
    "entity_spans",
]


# --------------------------------------------------------------------------- interfaces

#: lowercase abbreviation or full name → canonical Cisco-style prefix
_IF_PREFIX: dict[str, str] = {}
for _canon, _aliases in {
    # kept in step with events/models.py (the tags of invalidation events must match ours)
    "GigabitEthernet": ["gigabitethernet", "gigabit", "gige", "gig", "gi", "ge", "g"],
    "TenGigabitEthernet": ["tengigabitethernet", "tengig", "ten", "te", "tge"],
    "TenGigE": ["tengige"],  # IOS-XR spelling
    "FastEthernet": ["fastethernet", "fast", "fa", "f"],
    "Ethernet": ["ethernet", "eth", "et", "e"],
    "TwentyFiveGigE": ["twentyfivegigabitethernet", "twentyfivegige", "twe"],
    "TwoGigabitEthernet": ["twogigabitethernet", "twogige", "tw"],
    "FortyGigabitEthernet": ["fortygigabitethernet", "fo"],
    "FortyGigE": ["fortygige"],  # IOS-XR spelling
    "HundredGigE": ["hundredgigabitethernet", "hundredgige", "hu"],
    "FourHundredGigE": ["fourhundredgige", "fh"],
    "MgmtEth": ["mgmteth", "mg"],
    "Port-channel": ["port-channel", "portchannel", "port-chan", "po"],
    "Loopback": ["loopback", "lo"],
    "Tunnel": ["tunnel", "tu"],
    "Vlan": ["vlan", "vl"],
    "Serial": ["serial", "se"],
    "Bundle-Ether": ["bundle-ether", "be"],
    "Management": ["management", "ma"],
    "mgmt": ["mgmt"],
    "nve": ["nve"],
}.items():
    for _a in _aliases:
        _IF_PREFIX[_a] = _canon

#: prefixes that stand alone with a bare number (Lo0, Po1, Tu10, mgmt0); the others need a slash
_BARE_OK = {"Port-channel", "Loopback", "Tunnel", "mgmt", "Management", "Bundle-Ether", "nve", "MgmtEth"}
#: full names are unambiguous even without a slash (IOS-XE CSR "GigabitEthernet1")
_FULL_NAMES = {c.lower() for c in _IF_PREFIX.values()} | {"port-channel", "portchannel"}

_IF_NUM = r"\d+(?:/(?:RP|RSP|CPU|LC)?\d+){0,4}(?:\.\d+)?(?::\d+)?"  # IOS-XR: MgmtEth0/RP0/CPU0/0
_IF_ALIASES = "|".join(sorted((re.escape(a) for a in _IF_PREFIX), key=len, reverse=True))
_CISCO_IF_RE = re.compile(rf"(?<![\w/.-])(?P<pfx>{_IF_ALIASES})\s?(?P<num>{_IF_NUM})(?![\w/])", re.I)
_JUNOS_IF_RE = re.compile(
    r"(?<![\w/.-])(?P<name>(?:ge|xe|et|fe|so|gr|lt|ip|mt|vt|ps)-\d+/\d+/\d+(?::\d+)?(?:\.\d+)?"
    r"|(?:ae|irb|em|fxp|me|vme|reth|st)\d*(?:\.\d+)?)(?![\w/])",
    re.I,
)
_JUNOS_BARE = re.compile(r"(?:ae|em|fxp|me|vme|reth|st)\d+(?:\.\d+)?|irb\.\d+", re.I)
_IF_CONTEXT_RE = re.compile(r"(?:\binterfaces?|\bint|\bsvi|\bon|\bport)\s*$", re.I)


def normalize_interface(name: str) -> str:
    """Canonical interface name: ``Gi0/1`` → ``GigabitEthernet0/1``, ``po1`` →
    ``Port-channel1``, ``XE-0/0/1.0`` → ``xe-0/0/1.0`` (Junos names are lowercase).

    Raises ``ValueError`` when ``name`` is not an interface name."""
    s = name.strip()
    if _JUNOS_IF_RE.fullmatch(s) and (_JUNOS_BARE.fullmatch(s) or "-" in s):
        return s.lower()
    m = _CISCO_IF_RE.fullmatch(s)
    if not m:
        raise ValueError(f"not an interface name: {name!r}")
    return _IF_PREFIX[m.group("pfx").lower()] + m.group("num")


# --------------------------------------------------------------------------- other entities

#: parts of hyphenated names that say "this is a device" (``fw-dmz-a``, ``dist-sw-east``, ``wan-rtr-chicago``)
_ROLE_PARTS = frozenset("""
rtr router rt sw switch fw firewall core edge border pe ce dist agg aggr tor access acc wan lan lb gw gateway spine leaf
dmz oob bb cr ar br er asw csw dsw rr vpn inet isp dc pop branch hq lab stack stk ap wlc nat proxy mpls bras bng
olt cpe srx asa ids ips waf cs ds as mx ex qfx nx ios sbc mgmt ts
""".split())
#: a token after one of these (or before ":") is a device when it looks like a name, not a word
_PLACE_WORDS = frozenset({"on", "from", "to", "between", "of", "for", "at", "and", "via", "towards", "toward", "into",
                          "behind", "router", "switch", "firewall", "device", "host", "node", "box"})
#: nouns after which a single capital letter is a name ("host A can reach host B")
_LETTER_NAMED = frozenset("host hosts router routers switch switches node nodes site sites server servers firewall "
                          "device devices box peer spoke hub pe ce leaf spine".split())
_TOKEN_RE = re.compile(r"(?<![\w@$%<>/\\.:)-])[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9])?(?![\w@/\\-]|\.[A-Za-z0-9]|:\w)")
_PREV_WORD_RE = re.compile(r"([A-Za-z]+)\W{0,2}$")
_FILE_EXT = frozenset({"txt", "cfg", "conf", "bin", "log", "yaml", "yml", "json", "py", "tar", "gz", "zip", "pkg",
                       "img", "iso", "csv", "xml", "html", "pcap", "md", "sh", "j2", "ini", "pem", "crt", "key"})
_VOWELS = set("aeiouy")
_DIGIT_RE = re.compile(r"\d")
_ALPHA_RE = re.compile(r"[a-z]")


def _looks_like_hostname(token: str, context: bool, lexicon: Lexicon) -> bool:
    """Is ``token`` a device name? (``context``: it follows on/from/to/... or precedes ":")."""
    low = token.lower()
    if lexicon.is_vocabulary(low):
        return False
    has_digit = _DIGIT_RE.search(low) is not None
    if _ALPHA_RE.search(low) is None:
        return False
    if "." in low:  # FQDNs and dotted names: core1.ams, pe1.lon, leaf-3a.dc2.example.net
        labels = low.split(".")
        if labels[-1] in _FILE_EXT or not labels[0][:1].isalpha() or any(not x for x in labels):
            return False
        return all(re.fullmatch(r"[a-z0-9_-]+", x) for x in labels)
    if low[0].isdigit() and not _ROLE_PARTS & set(low.split("-")):
        return False  # 10g, 2nd, 100ms, 2-way: units, ordinals, states (but 3750-sw-1 is a switch)
    upper = token.upper() == token
    if has_digit:  # letters and digits: R1, SW2, spine1, ams1-core-sw01, leaf-3a
        return True
    parts = low.split("-")
    if len(parts) > 1:  # hyphenated, no digit
        if upper or context or _ROLE_PARTS & set(parts):
            return True
        return len(parts[-1]) == 1 and len(parts[0]) >= 2  # fw-dmz-a, core-b
    # one plain word: only in a place a name goes, and only if it is not an English word (no vowel: gw, rtr)
    return context and len(low) >= 2 and not _VOWELS & set(low)


_IPV4_RE = re.compile(r"(?<![\w.])(\d{1,3}(?:\.\d{1,3}){3})(?:/(\d{1,2}))?(?![\w.])")
_MASK_AFTER_RE = re.compile(r"\s+(?:mask\s+)?(\d{1,3}(?:\.\d{1,3}){3})(?![\w.])", re.I)
_IPV6_RE = re.compile(r"(?<![\w:.])((?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?:\.\d{1,3}){0,3})"
                      r"(?:/(\d{1,3}))?(?![\w:])", re.I)
_ASN_RE = re.compile(
    r"(?:\b(?:AS|ASN|As)|(?i:\basn|\bremote-as|\blocal-as|\brouter\s+bgp|\bautonomous[-\s]system(?:\s+number)?|"
    r"\bas[-\s]number|\bbgp\s+as|\bas(?=\d)))\s*[:#]?\s*(\d+(?:\.\d+)?)\b(?![./:]\d)"
)
_VLAN_RE = re.compile(
    r"\bvlans?\s*(?:ids?\s*)?[:#-]?\s*(\d{1,4}(?:\s*-\s*\d{1,4})?(?:\s*(?:,|and|&|or)\s*\d{1,4}(?:\s*-\s*\d{1,4})?)*)"
    r"\b(?![/.]\d)",
    re.I,
)
#: longest VLAN range expanded into ids ("vlan 10-20"); longer ranges are refused as entities
_VLAN_RANGE_MAX = 64
_VRF_RE = re.compile(
    r"\b(?:vrf(?:[-\s](?:name|forwarding|definition|instance|context))?|routing-instance|vpn-instance|"
    r"vrf-name)(?![a-z])\s*[:=]?\s*\"?([A-Za-z0-9][\w.:-]*)",
    re.I,
)
_VRF_BEFORE_RE = re.compile(r"\b(?:the|in|for|of)\s+([A-Za-z0-9][\w.:-]*)\s+vrf\b", re.I)
_VRF_STOP = {
    "the", "a", "an", "is", "are", "table", "tables", "lite", "list", "config", "configuration",
    "routes", "route", "routing", "and", "or", "on", "in", "of", "for", "with", "to", "instance",
    "instances", "name", "names", "aware", "leaking", "leak", "import", "export", "default-free",
    "interfaces", "interface", "members", "member", "definition", "forwarding", "context", "by",
    "this", "that", "each", "every", "all", "any", "which", "what", "vrf", "vrfs", "ip", "ipv4",
    "ipv6", "bgp", "ospf", "static", "rd", "rt", "route-target", "membership", "setup", "settings",
    "status", "summary", "details", "detail", "from", "into", "at", "its", "their", "my", "our",
}

#: policy objects: keyword (regex) → canonical type; the name follows the keyword ("route-map EDGE-1-OUT")
#: or precedes it ("the EDGE-1-OUT route-map")
_POLICY_TYPES: dict[str, str] = {
    r"route[- ]?maps?": "routemap", r"(?:ip\s+|ipv6\s+)?prefix[- ]?lists?": "prefixlist",
    r"(?:ip\s+|ipv6\s+|mac\s+)?access[- ]?lists?(?:\s+(?:standard|extended))?|acls?": "acl",
    r"(?:ip\s+)?community[- ]lists?(?:\s+(?:standard|expanded))?": "communitylist",
    r"as-path[- ]?(?:access-)?lists?": "aspathlist",
    r"class[- ]?maps?(?:\s+(?:type\s+\w+\s+)?match-(?:any|all))?": "classmap", r"policy[- ]?maps?": "policymap",
    r"peer[- ]?groups?": "peergroup", r"route-polic(?:y|ies)": "routepolicy", r"prefix-sets?": "prefixset",
    r"policy-statements?": "policystatement", r"tunnel-groups?": "tunnelgroup", r"firewall filters?": "filter",
    r"(?:security[- ])?rules?": "rule", r"time-ranges?": "timerange", r"object-groups?": "objectgroup",
}
#: types whose keyword is also a plain word ("the rule that allows ssh"): only names shaped like names count
_STRICT_POLICY_TYPES = frozenset({"rule", "timerange", "objectgroup"})
_POLICY_NAME = r"[A-Za-z0-9][\w.-]*[A-Za-z0-9]|[A-Za-z0-9]"
_POLICY_STOP = frozenset("""
the a an in out on to for is are was applied configuration config configured entries entry sequence seq named called
name names that which this with and or of from match matches permit deny statistics stats counters counter hits hit
list lists map maps used using does do be it its their set sets clause clauses line lines inbound outbound direction
type standard extended expanded rule rules term terms applies apply order default all any each every some definition
definitions filter filters group groups members member neighbor neighbors peer peers policy policies there here
""".split())
_POLICY_AFTER_RE = re.compile(
    r"\b(?P<kw>" + "|".join(_POLICY_TYPES) + r")(?![\w-])\s+(?:(?:named|called)\s+)?[\"']?(?P<name>" + _POLICY_NAME + ")",
    re.I)
_POLICY_BEFORE_RE = re.compile(
    r"(?<![\w.-])(?P<name>" + _POLICY_NAME + r")\s+(?P<kw>" + "|".join(_POLICY_TYPES) + r")(?![\w-])", re.I)
_POLICY_KW_RES = [(re.compile(k, re.I), v) for k, v in _POLICY_TYPES.items()]


def _policy_type(keyword: str) -> str:
    return next(v for rx, v in _POLICY_KW_RES if rx.fullmatch(keyword))


def _policy_name_ok(name: str, before: bool) -> bool:
    low = name.lower()
    if low in _POLICY_STOP or low in _VRF_STOP:
        return False
    # before the keyword, only names that look like names (EDGE-1-OUT, CUST_A, 101), not words ("bgp route-map")
    return not before or any(c.isdigit() or c in "-_" for c in name) or name.isupper() and len(name) > 3


_SPAN_KINDS = ("iface", "ip", "prefix", "asn", "vlan", "vrf", "policy", "device")


# --------------------------------------------------------------------------- result


@dataclass(frozen=True)
class Entities:
    """The network entities of one question (all sets of canonical strings)."""

    devices: frozenset[str] = frozenset()
    interfaces: frozenset[str] = frozenset()
    ips: frozenset[str] = frozenset()
    prefixes: frozenset[str] = frozenset()
    asns: frozenset[str] = frozenset()
    vlans: frozenset[str] = frozenset()
    vrfs: frozenset[str] = frozenset()
    #: route-maps, prefix-lists, ACLs, community-lists, class/policy-maps, peer-groups: ``type:name``
    policies: frozenset[str] = frozenset()
    #: sites of the devices, from the inventory (tags only, not part of the signature)
    sites: frozenset[str] = frozenset()
    #: devices whose primary IP the question names, from the inventory (tags only)
    ip_devices: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.signature())

    def signature(self) -> str:
        """Stable string over every entity set; ``""`` when there are none."""
        parts = []
        for key, values in (("d", self.devices), ("i", self.interfaces), ("ip", self.ips),
                            ("pfx", self.prefixes), ("as", self.asns), ("vlan", self.vlans),
                            ("vrf", self.vrfs), ("pol", self.policies)):
            if values:
                parts.append(f"{key}={','.join(sorted(values))}")
        return "|".join(parts)

    def tags(self) -> list[str]:
        """Surrogate keys: ``device:``, ``site:``, ``iface:[device:]``, ``ip:``, ``prefix:``,
        ``asn:``, ``vlan:``, ``vrf:`` (sorted, no duplicates)."""
        out: list[str] = [f"device:{d}" for d in sorted(self.devices | self.ip_devices)]
        out += [f"site:{s}" for s in sorted(self.sites)]
        owner = f"{next(iter(self.devices))}:" if len(self.devices) == 1 else ""
        out += [f"iface:{owner}{i}" for i in sorted(self.interfaces)]
        out += [f"iface:{owner}Vlan{v}" for v in sorted(self.vlans, key=int)]  # the SVI of each VLAN
        out += [f"ip:{x}" for x in sorted(self.ips)]
        out += [f"prefix:{x}" for x in sorted(self.prefixes)]
        out += [f"asn:{x}" for x in sorted(self.asns, key=int)]
        out += [f"vlan:{x}" for x in sorted(self.vlans, key=int)]
        out += [f"vrf:{x}" for x in sorted(self.vrfs)]
        out += [f"policy:{x}" for x in sorted(self.policies)]
        return sorted(set(out), key=out.index)


# --------------------------------------------------------------------------- extraction


def _canon_asn(raw: str) -> str | None:
    if "." in raw:  # asdot: high.low
        hi, lo = raw.split(".", 1)
        if not (hi.isdigit() and lo.isdigit()) or int(hi) > 65535 or int(lo) > 65535:
            return None
        value = int(hi) * 65536 + int(lo)
    else:
        value = int(raw)
    return str(value) if 0 < value <= 4_294_967_295 else None


def _netmask_len(mask: str) -> int | None:
    """Prefix length of a dotted netmask (255.255.255.0) or wildcard (0.0.0.255), else None."""
    try:
        bits = int(ipaddress.IPv4Address(mask))
    except ValueError:
        return None
    inv = bits ^ 0xFFFFFFFF
    for value in (bits, inv):  # contiguous ones then zeros
        ones = bin(value).count("1")
        if value == (0xFFFFFFFF << (32 - ones)) & 0xFFFFFFFF and (value == bits or mask.startswith("0.")):
            return ones
    return None


def _if_context(text: str, pos: int) -> bool:
    """Does "interface"/"int"/"svi"/"on"/"port" end right before ``pos``? (looks back 24 chars only)"""
    return _IF_CONTEXT_RE.search(text, max(0, pos - 24), pos) is not None


#: questions up to this long keep their spans in a bounded memo (normalisation, intent, the key and the
#: guard all ask for the spans of the same text; pasted logs are not kept)
_MEMO_MAX_CHARS = 2_000


def entity_spans(text: str, inventory: Inventory | None = None,
                 lexicon: Lexicon | None = None) -> list[tuple[int, int, str, str]]:
    """Every entity mention as ``(start, end, kind, canonical value)``, non-overlapping, in order
    (memoised for question-sized texts; see :func:`_entity_spans`)."""
    memo = _entity_spans_memo if len(text) <= _MEMO_MAX_CHARS else _entity_spans_long_memo
    return list(memo(text, inventory, lexicon or default_lexicon()))


@functools.lru_cache(maxsize=4)
def _entity_spans_long_memo(text: str, inventory: Inventory | None, lexicon: Lexicon) -> tuple[tuple[int, int, str, str], ...]:
    """A pasted log's spans, for the three callers that ask for them in one lookup (a few kept only)."""
    return tuple(_entity_spans(text, inventory, lexicon))


@functools.lru_cache(maxsize=4096)
def _entity_spans_memo(text: str, inventory: Inventory | None, lexicon: Lexicon) -> tuple[tuple[int, int, str, str], ...]:
    return tuple(_entity_spans(text, inventory, lexicon))


def _entity_spans(text: str, inventory: Inventory | None = None,
                  lexicon: Lexicon | None = None) -> list[tuple[int, int, str, str]]:
    """Every entity mention as ``(start, end, kind, canonical value)``, non-overlapping, in order.

    Earlier kinds win overlaps in this order: interface, IP, prefix, ASN, VLAN, VRF, device."""
    found: list[tuple[int, int, str, str]] = []
    taken = bytearray(len(text))  # 1 where a span already claimed the character (linear, not quadratic)

    def free(s: int, e: int) -> bool:
        return not any(taken[s:e])

    def claim(s: int, e: int) -> None:
        taken[s:e] = b"\x01" * (e - s)

    def add(s: int, e: int, kind: str, value: str) -> None:
        if free(s, e):
            claim(s, e)
            found.append((s, e, kind, value))

    # interfaces (an "interface Vlan10" is an SVI; a bare "vlan 10" is a VLAN id)
    for m in _JUNOS_IF_RE.finditer(text):
        name = m.group("name")
        if "-" in name or _JUNOS_BARE.fullmatch(name):
            add(m.start(), m.end(), "iface", name.lower())
    for m in _CISCO_IF_RE.finditer(text):
        pfx, num = m.group("pfx").lower(), m.group("num")
        canon = _IF_PREFIX[pfx]
        if canon == "Vlan":
            if num.isdigit() and 1 <= int(num) <= 4094 and (_if_context(text, m.start()) or " " not in m.group(0)):
                add(m.start(), m.end(), "vlan", str(int(num)))
            continue
        if "/" not in num and canon not in _BARE_OK and pfx not in _FULL_NAMES:
            continue
        elif " " in m.group(0) and "/" not in num and pfx not in _FULL_NAMES:
            continue  # "lo 0", "ma 2": only slashed or full names may have a space
        add(m.start(), m.end(), "iface", canon + num)
    # addresses and prefixes
    mask_spans: list[int] = []  # starts of addresses consumed as the netmask of the one before
    for m in _IPV4_RE.finditer(text):
        if m.start() in mask_spans:
            continue
        addr, plen, end = m.group(1), m.group(2), m.end()
        mm = _MASK_AFTER_RE.match(text, m.end())
        if plen is None and mm is not None and (ml := _netmask_len(mm.group(1))) is not None:
            plen, end = str(ml), mm.end()
            mask_spans.append(mm.start(1))
        try:
            if plen is None:
                add(m.start(), end, "ip", str(ipaddress.IPv4Address(addr)))
            else:
                iface = ipaddress.IPv4Interface(f"{addr}/{plen}")
                network = iface.network
                add(m.start(), end, "prefix", str(network if iface.ip == network.network_address else iface))
        except ValueError:
            continue
    for m in _IPV6_RE.finditer(text):
        addr, plen = m.group(1), m.group(2)
        if addr.count(":") < 2:
            continue
        try:
            if plen is None:
                add(m.start(), m.end(), "ip", ipaddress.IPv6Address(addr).compressed)
            else:
                iface6 = ipaddress.IPv6Interface(f"{addr}/{plen}")
                net = iface6.network
                text6 = net.compressed if iface6.ip == net.network_address else iface6.compressed
                add(m.start(), m.end(), "prefix", text6)
        except ValueError:
            continue
    for m in _ASN_RE.finditer(text):
        if (asn := _canon_asn(m.group(1))) is not None:
            add(m.start(), m.end(), "asn", asn)
    for m in _VLAN_RE.finditer(text):
        if _if_context(text, m.start()) and not re.match(r"vlans?\s", m.group(0), re.I):
            continue
        ids: list[int] = []
        for lo, hi in re.findall(r"(\d+)(?:\s*-\s*(\d+))?", m.group(1)):
            first, last = int(lo), int(hi or lo)
            if last < first or last - first >= _VLAN_RANGE_MAX:
                ids = []
                break
            ids.extend(range(first, last + 1))
        if ids and all(1 <= v <= 4094 for v in ids) and free(m.start(), m.end()):
            claim(m.start(), m.end())
            for v in ids:
                found.append((m.start(), m.end(), "vlan", str(v)))
    for rx, before in ((_POLICY_AFTER_RE, False), (_POLICY_BEFORE_RE, True)):
        for m in rx.finditer(text):
            name = m.group("name")
            kind = _policy_type(m.group("kw"))
            if _policy_name_ok(name, before or kind in _STRICT_POLICY_TYPES):
                add(m.start(), m.end(), "policy", f"{kind}:{name.lower()}")
    for m in _VRF_RE.finditer(text):
        name = m.group(1).rstrip(".:-")
        if name.lower() not in _VRF_STOP and not name.lower().startswith("vrf"):
            add(m.start(), m.start(1) + len(name), "vrf", name.lower())
    for m in _VRF_BEFORE_RE.finditer(text):
        name = m.group(1)
        if name.lower() not in _VRF_STOP:
            add(m.start(1), m.end(), "vrf", name.lower())
    # devices: the inventory first (exact names), then anything shaped like a hostname
    if inventory is not None and inventory.devices:
        for name in sorted(inventory.devices, key=len, reverse=True):
            for m in re.finditer(rf"(?<![\w.-]){re.escape(name)}(?![\w-]|\.\w)", text, re.I):
                add(m.start(), m.end(), "device", name)
    lex = lexicon or default_lexicon()
    for m in _TOKEN_RE.finditer(text):
        s, e = m.start(), m.end()
        if not free(s, e):
            continue
        prev = _PREV_WORD_RE.search(text, max(0, s - 24), s)
        context = (prev is not None and prev.group(1).lower() in _PLACE_WORDS) or text[e:e + 1] == ":"
        token = m.group(0)
        letter = (len(token) == 1 and token.isupper() and token != "I" and prev is not None
                  and prev.group(1).lower() in _LETTER_NAMED)  # "host A", "site B", "router C"
        if letter or _looks_like_hostname(token, context, lex):
            add(s, e, "device", token.lower())
    found.sort()
    return found


def extract_entities(text: str, inventory: Inventory | None = None, lexicon: Lexicon | None = None) -> Entities:
    """The entities mentioned in ``text`` (see the module docstring)."""
    buckets: dict[str, set[str]] = {k: set() for k in _SPAN_KINDS}
    for _s, _e, kind, value in entity_spans(text, inventory, lexicon):
        buckets[kind].add(value)
    sites: set[str] = set()
    ip_devices: set[str] = set()
    if inventory is not None:
        ip_devices = {d for ip in buckets["ip"] if (d := inventory.device_for_ip(ip))}
        sites = {s for d in buckets["device"] | ip_devices if (s := inventory.site_of(d))}
    return Entities(
        devices=frozenset(buckets["device"]),
        interfaces=frozenset(buckets["iface"]),
        ips=frozenset(buckets["ip"]),
        prefixes=frozenset(buckets["prefix"]),
        asns=frozenset(buckets["asn"]),
        vlans=frozenset(buckets["vlan"]),
        vrfs=frozenset(buckets["vrf"]),
        policies=frozenset(buckets["policy"]),
        sites=frozenset(sites),
        ip_devices=frozenset(ip_devices - buckets["device"]),
    )


def mask_entities(text: str, inventory: Inventory | None = None, lexicon: Lexicon | None = None) -> str:
    """``text`` with each entity replaced by ``<kind>`` (``show Gi0/1 on rtr-001`` →
    ``show <iface> on <device>``); the words around the entities are kept as written."""
    out, pos = [], 0
    for start, end, kind, _v in entity_spans(text, inventory, lexicon):
        if start < pos:  # several VLAN ids share one span
            continue
        out.append(text[pos:start])
        out.append(f"<{kind}>")
        pos = end
    out.append(text[pos:])
    return "".join(out)
