"""What kind of question this is: query type, volatility class, topics.

``classify(prompt)`` is a small rule table (data below, easy to extend):

* ``volatility`` picks the TTL class: ``static`` (explanations, best
  practices, RFCs: 7 d), ``stable`` (configuration, topology: 4 h), ``dynamic``
  (status, neighbors, routes, interface state: 5 min), ``volatile`` (CPU,
  memory, counters, traffic, utilisation: 30 s).
* ``query_type`` is one of :data:`QUERY_TYPES`, the report's hit-rate-by-type
  classes; it labels metrics and is part of the exact key.
* ``topics`` (``bgp``, ``ospf``, ``interface`` ...) become ``topic:`` tags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from netcache.matching.entities import entity_spans

__all__ = ["Intent", "classify", "QUERY_TYPES", "VOLATILITIES", "TOPIC_PATTERNS"]

QUERY_TYPES = (
    "general_protocol",
    "device_status",
    "troubleshooting",
    "configuration",
    "log_analysis",
    "performance",
    "topology",
)
VOLATILITIES = ("static", "stable", "dynamic", "volatile")


@dataclass(frozen=True)
class Intent:
    """Classification of one question."""

    query_type: str
    volatility: str
    topics: tuple[str, ...] = ()

    def tags(self) -> list[str]:
        return [f"topic:{t}" for t in self.topics]


def _rx(*words: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])(?:" + "|".join(words) + r")(?![\w-])", re.I)


#: topic → pattern (order is the order topics are listed in)
TOPIC_PATTERNS: dict[str, re.Pattern[str]] = {
    "bgp": _rx(r"bgp", r"e?i?bgp", r"ebgp", r"ibgp", r"remote-as", r"as[- ]?path", r"route[- ]reflector",
               r"prefix(?:es)? (?:received|advertised)", r"peering", r"asn", r"as\s*\d+"),
    "ospf": _rx(r"ospf(?:v[23])?", r"lsa", r"lsas", r"dr/bdr", r"area \d+", r"spf", r"exstart", r"abr", r"asbr"),
    "isis": _rx(r"is-?is", r"lsp", r"net address", r"level-?[12]"),
    "eigrp": _rx(r"eigrp", r"feasible successor"),
    "mpls": _rx(r"mpls", r"ldp", r"rsvp(?:-te)?", r"lsp", r"segment routing", r"sr-mpls", r"label"),
    "interface": _rx(r"interfaces?", r"ports?", r"links?", r"gi\S*", r"ethernet\S*", r"transceivers?",
                     r"optics?", r"duplex", r"mtu", r"crc", r"flapp?(?:ing|s)?", r"up/down", r"line protocol"),
    "vlan": _rx(r"vlans?", r"trunks?", r"trunking", r"access port", r"native vlan", r"svi", r"dot1q", r"802\.1q"),
    "vrf": _rx(r"vrfs?", r"route distinguisher", r"route[- ]targets?", r"rd", r"vpnv4", r"routing-instance"),
    "stp": _rx(r"stp", r"spanning[- ]tree", r"rstp", r"mstp?", r"pvst\+?", r"root bridge", r"bpdus?", r"portfast"),
    "acl": _rx(r"acls?", r"access[- ]lists?", r"access[- ]control", r"prefix[- ]lists?", r"route[- ]maps?",
               r"firewall filters?", r"permit", r"deny"),
    "routing": _rx(r"routes?", r"routing", r"rib", r"fib", r"next[- ]hop", r"static routes?", r"default route",
                   r"redistribut\w*", r"admin(?:istrative)? distance", r"ecmp"),
    "config": _rx(r"config\w*", r"running-config", r"startup-config", r"commit", r"rollback", r"configure",
                  r"set up", r"setup"),
    "topology": _rx(r"topology", r"lldp", r"cdp", r"connected to", r"neighbors? (?:via|by) (?:lldp|cdp)",
                    r"diagram", r"uplinks?", r"downstream", r"upstream", r"fabric"),
    "performance": _rx(r"cpu", r"memory", r"ram", r"how busy", r"utili[sz]ation", r"traffic", r"bandwidth",
                       r"throughput",
                       r"latency", r"jitter", r"packet loss", r"drops?", r"counters?", r"load", r"pps", r"bps",
                       r"errors?", r"discards?", r"top talkers?"),
    "logs": _rx(r"logs?", r"syslog", r"log messages?", r"%[A-Z0-9_]+-\d-[A-Z0-9_]+", r"these messages",
                r"error messages?", r"traceback", r"debug output"),
    "security": _rx(r"aaa", r"tacacs\+?", r"radius", r"ssh", r"authentication", r"md5", r"keychain",
                    r"802\.1x", r"dot1x", r"copp"),
    "vxlan": _rx(r"vxlan", r"evpn", r"vni", r"vtep", r"nve"),
    "ha": _rx(r"hsrp", r"vrrp", r"glbp", r"failover", r"redundancy", r"vpc", r"mlag", r"lacp", r"port-?channel"),
}

_EXPLAIN = re.compile(
    r"\b(?:explain|what (?:is|are|does)|what's the difference|difference between|how (?:does|do)|why (?:does|do) "
    r"(?:we|you|i|people)|best practices?|rfc\s*\d*|recommend\w*|meaning of|define|definition|"
    r"when should|overview of|tutorial|concept|compare|vs\.?|versus|purpose of|tell me about|how to|"
    r"how (?:do|can|should) (?:i|we|you))\b",
    re.I,
)
_HOWTO_CONFIG = re.compile(
    r"\b(?:how (?:do|can|should) (?:i|we|you) (?:configure|set ?up|enable|disable|add|remove|create|apply)|"
    r"configure|configuration|config|running-config|startup-config|command to|syntax|commit|rollback|"
    r"template|snippet|set up|enable|disable|no shutdown|shutdown)\b",
    re.I,
)
_TROUBLE = re.compile(
    r"\b(?:why|troubleshoot\w*|not (?:working|coming up|establish\w*|forming|passing|reachable|up)|stuck|"
    r"fail\w*|broken|down|flapp?\w*|fix|issue|problem|diagnos\w*|debug\w*|root cause|resolve|can't|cannot|"
    r"won't|unreachable|drops?|dropping|mismatch|err-?disabled|resets?|bouncing)\b",
    re.I,
)
_STATUS = re.compile(
    r"\b(?:status|state|up|down|neighbou?rs?|peers?|adjacenc\w*|sessions?|routes?|routing table|rib|arp|"
    r"mac(?: address)? table|show|display|list|check|verify|is .* (?:up|down|running|established)|"
    r"uptime|health|operational|summary|established|learned|received|advertised)\b",
    re.I,
)
_VOLATILE = re.compile(
    r"\b(?:cpu|memory|mem|ram|utili[sz]ation|traffic|bandwidth|throughput|load|counters?|pps|bps|rate|how busy|"
    r"being used|"
    r"drops?|discards?|errors? rate|latency|jitter|packet loss|temperature|top talkers?|usage|"
    r"right now|currently|real[- ]time|live)\b",
    re.I,
)
_STABLE = re.compile(
    r"\b(?:config\w*|running-config|startup-config|topology|lldp|cdp|connected to|diagram|inventory|"
    r"serial number|version|model|hardware|license|uplinks?|cabling|design|commit history)\b",
    re.I,
)
_HOWTO_RE = re.compile(r"\bhow (?:do|can|should) (?:i|we|you)\b|\bhow to\b", re.I)
_HOWTO_CONFIG_WORDS = re.compile(
    r"\b(?:configure|config\w*|set ?up|enable|disable|add|remove|create|apply|turn on|turn off|save|back ?up|"
    r"redistribute|block|allow|permit|deny|increase|decrease|change|install|upgrade)\b",
    re.I,
)
_LOGS = re.compile(r"\b(?:logs?|syslog|log messages?|these messages|error messages?|debug output)\b"
                   r"|%[A-Z0-9_]+-\d-", re.I)
_TOPOLOGY = re.compile(
    r"\b(?:topology|lldp|cdp|connected to|diagram|path (?:from|between|to)|uplinks?|cabling|adjacent devices|"
    r"physical connections?|what connects)\b",
    re.I,
)


def classify(prompt: str) -> Intent:
    """Query type, volatility class and topics of ``prompt`` (rules in the module)."""
    topics = tuple(t for t, rx in TOPIC_PATTERNS.items() if rx.search(prompt))
    has_entity = bool(entity_spans(prompt))
    explain = bool(_EXPLAIN.search(prompt)) and not has_entity

    if explain:
        volatility = "static"
    elif _VOLATILE.search(prompt):
        volatility = "volatile"
    elif _STABLE.search(prompt) and not _TROUBLE.search(prompt):
        volatility = "stable"
    elif _STATUS.search(prompt) or _TROUBLE.search(prompt) or has_entity:
        volatility = "dynamic" if has_entity or not _HOWTO_CONFIG.search(prompt) else "stable"
    else:
        volatility = "static"

    if _LOGS.search(prompt):
        query_type = "log_analysis"
    elif explain and not re.search(r"\btroubleshoot|\bwhy\b", prompt, re.I):
        query_type = "configuration" if _HOWTO_RE.search(prompt) and _HOWTO_CONFIG_WORDS.search(prompt) \
            else "general_protocol"
    elif _TROUBLE.search(prompt) and (has_entity or re.search(r"\bwhy\b|troubleshoot", prompt, re.I)):
        query_type = "troubleshooting"
    elif _VOLATILE.search(prompt) and "performance" in topics:
        query_type = "performance"
    elif _TOPOLOGY.search(prompt):
        query_type = "topology"
    elif _HOWTO_CONFIG.search(prompt):
        query_type = "configuration"
    elif has_entity or _STATUS.search(prompt):
        query_type = "device_status"
    else:
        query_type = "general_protocol"

    if query_type == "topology" and volatility == "dynamic":
        volatility = "stable"
    return Intent(query_type=query_type, volatility=volatility, topics=topics)
