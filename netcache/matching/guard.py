"""The last check before a semantic hit is served: do the differing words change the meaning?

Embeddings rate "enable OSPF authentication" and "disable OSPF authentication"
as near-identical. Entities are equal by the time the guard runs (they are hard
filters); the guard compares the *words around them* and rejects the pair when
they differ in a way that changes the answer:

* :data:`OPPOSITES` — one side says ``enable``, the other ``disable``;
* :data:`EXCLUSIVE` — term groups where two different members mean different
  questions (``ospf``/``bgp``, ``running``/``startup``, ``type3``/``type5``,
  ``ebgp``/``ibgp``, BGP states ...). Each group says when to reject:
  ``"differ"`` (both sides name some member and the sets differ) or
  ``"disjoint"`` (both name members and share none);
* :data:`INTENTS` — what kind of answer the question wants: what *changed*
  (``diff``, ``history``, ``who changed``), a *cause* (``why``, ``troubleshoot``),
  a *comparison* (``compare``, ``difference between``), *how to* do something.
  A question about the same object with another intent wants another answer
  ("show the running config" / "what changed in the running config", "is BGP
  down" / "why is BGP down"), so both sides must name the same intents; the
  words of one group are interchangeable ("why ... down" / "troubleshoot ... down");
* :data:`MARKERS` — words whose presence on one side only changes the question
  (``ipv6``, ``multicast``, ``not`` ...);
* numbers that differ (``last 5 minutes`` / ``last 10 minutes``);
* a *substitution*: the two questions are the same word for word except one
  swapped span of one or two content words (``policy map`` / ``class map``,
  ``SNMPv2c`` / ``SNMPv3``, ``virtual links`` / ``sham links``). Paraphrases
  reword more than that, or swap words the synonym table already folds, so this
  catches the concept swaps the tables do not list. Spans made only of
  :data:`FILLER` words (``what is`` / ``show``) do not count;
* a *qualifier*: the same, but one side adds one or two content words
  (``ospf routes`` / ``ospf external routes``, ``dhcp bindings`` / ``dhcp
  snooping bindings``): a narrower question is a different question.

The tables are plain data: extend them, and re-run ``netcache tune``.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass

from netcache.matching.entities import Inventory, entity_spans
from netcache.matching.lexicon import Lexicon, default_lexicon, literal_starts
from netcache.matching.roles import converse, entity_roles, role_conflict

__all__ = ["GuardVerdict", "guard", "guard_tokens", "entity_roles", "SOFT_RULES", "OPPOSITES", "EXCLUSIVE", "INTENTS", "MARKERS", "SYNONYMS",
           "PHRASES", "FILLER", "MAX_SUBSTITUTION_WORDS"]


@dataclass(frozen=True)
class GuardVerdict:
    """``ok`` is False when the pair must not share an answer; ``reason`` says why.

    ``rule`` names the rule that rejected (a short, fixed label for metrics: ``role``, ``aspect``,
    ``opposite``, ``substitution`` ...); ``hard`` is False only for the wording rules a verifier may
    overrule (:data:`SOFT_RULES`), never for entities, roles, numbers, opposites or term groups."""

    ok: bool
    reason: str | None = None
    rule: str | None = None
    hard: bool = True

    def __bool__(self) -> bool:
        return self.ok


#: multi-word phrases folded into one token before comparing (regex → token)
PHRASES: list[tuple[str, str]] = [
    (r"\bno shut(?:down)?\b", "noshutdown"),
    (r"\bshut(?:down)?\b", "shutdown"),
    (r"\bturn(?:ed|ing)? on\b", "enable"),
    (r"\bturn(?:ed|ing)? off\b", "disable"),
    (r"\bswitch(?:ed|ing)? on\b", "enable"),
    (r"\bswitch(?:ed|ing)? off\b", "disable"),
    (r"\bset ?up\b", "configure"),
    (r"\bip ?v ?4\b", "ipv4"),
    (r"\bip ?v ?6\b", "ipv6"),
    (r"\bv6\b", "ipv6"),
    (r"\bv4\b", "ipv4"),
    (r"\blayer[- ]?2\b", "l2"),
    (r"\blayer[- ]?3\b", "l3"),
    (r"(?<![\w-])is-?is(?![\w-])", "isis"),
    (r"\bnx-?os\b", "nxos"),
    (r"\berr-?disabled?\b", "errdisabled"),
    (r"\btotally[- ]stubby\b", "totallystubby"),
    (r"\bnot[- ]so[- ]stubby\b", "nssa"),
    (r"\bhalf[- ]duplex\b", "halfduplex"),
    (r"\bfull[- ]duplex\b", "fullduplex"),
    (r"\blevel[- ]?1\b", "level1"),
    (r"\blevel[- ]?2\b", "level2"),
    (r"\bsoft[- ]reset\b|\bsoft[- ]clear\b|\bsoft reconfiguration\b", "softreset"),
    (r"\bhard[- ]reset\b", "hardreset"),
    (r"\bios[- ]?xr\b", "iosxr"),
    (r"\bios[- ]?xe\b", "iosxe"),
    (r"\b(?:is |are )?not (?:coming |come |going |staying |)up\b", "down"),
    (r"\bnever (?:comes |came |)up\b", "down"),
    (r"\be-?bgp\b|\bexternal bgp\b", "ebgp"),
    (r"\bi-?bgp\b|\binternal bgp\b", "ibgp"),
    (r"\b(?:lsa )?type[- ]?(\d+)(?: lsas?)?\b", r"type\1"),
    (r"\b(?:two|2)[- ]?way\b", "2way"),
    (r"\bex[- ]?start\b", "exstart"),
    (r"\bopen ?sent\b", "opensent"),
    (r"\bopen ?confirm\b", "openconfirm"),
    # intents (see INTENTS): "howto" is added, not substituted, so "how do I X" / "how to X" still align word for
    # word; "how do I see X" is a "show X", and "why use X" asks for a purpose, not a cause
    (r"\b(how (?:do|can|could|should|would) (?:i|we|you|one)|how to|steps? (?:to|for))\b"
     r"(?! (?:see|show|check|view|display|list|verify|find|get)\b)", r"\1 howto"),
    (r"\bwhy (?:(?:do|would|should|did) (?:we|you|i|one|people) )?(?:use|need|want)\b", "purpose use"),
    (r"\broot[- ]cause\b", "cause"),
    (r"\b(last|latest|recent|most recent|config|configuration) changes?\b", r"\1 changed"),
    (r"\bdifferences? between\b", "compare"),
    (r"\brunning[- ]config(?:uration)?\b", "running config"),
    (r"\bstartup[- ]config(?:uration)?\b", "startup config"),
    (r"\bcandidate[- ]config(?:uration)?\b", "candidate config"),
    (r"\bin[- ]?bound\b", "inbound"),
    (r"\b(appl(?:y|ied)|direction|filter(?:ing)?)\s+in\b", r"\1 inbound"),
    (r"\b(appl(?:y|ied)|direction|filter(?:ing)?)\s+out\b", r"\1 outbound"),
    (r"\bout[- ]?bound\b", "outbound"),
    (r"\bre-?boot\b|\bre-?load\b|\brestart\b", "reload"),
    (r"\bhello[- ]?(?:interval|timer)s?\b", "hellotimer"),
    (r"\bdead[- ]?(?:interval|timer)s?\b", "deadtimer"),
    (r"\bhold[- ]?(?:time|timer)s?\b", "holdtimer"),
    (r"\bkeep[- ]?alives?\b", "keepalive"),
    (r"\broute[- ]maps?\b", "routemap"),
    (r"\bprefix[- ]lists?\b", "prefixlist"),
    (r"\baccess[- ]lists?\b|\bacls?\b", "acl"),
    (r"\bas[- ]path\b", "aspath"),
    (r"\blocal[- ]pref(?:erence)?\b", "localpref"),
    (r"\bmed\b|\bmulti[- ]exit discriminator\b", "med"),
    (r"\bdefault[- ]route\b", "defaultroute"),
    (r"\bnext[- ]hop\b", "nexthop"),
    (r"\brapid[- ]spanning[- ]tree\b|\brapid[- ]stp\b", "rstp"),
    (r"\bmultiple[- ]spanning[- ]tree\b", "mstp"),
    (r"\bspanning[- ]tree\b", "stp"),
    (r"\bback[- ]up\b", "backup"),
    (r"\brout(?:ing|e) tables?\b", "route"),
    (r"\blink[- ]state database\b|\blsdb\b|\blsp database\b", "database"),
    (r"\broot[- ]bridge\b", "rootbridge"),
    # aspects said in other words (see EXCLUSIVE["aspect"]): how many = a count, where applied = the binding,
    # what a policy permits = its content, members, hashing
    (r"\bhow many\b|\bnumber of\b|\bcount of\b|\bhow (?:big|large)\b|\bsize of\b", "count"),
    (r"\bbeen up\b|\bup[- ]?time\b", "uptime"),
    (r"\bwhere (?:is|are|was|were|do|does) (.{1,60}?)\b(?:applied|used|attached|bound|referenced)\b", r"\1 appliedwhere"),
    (r"\bwhat (?:does|do|will) (.{1,60}?)\b(?:permit|allow|deny|block|match|contain)\b", r"\1 content"),
    (r"\bload[- ]?balanc\w*\b|\bhash(?:ing)?\b", "loadbalance"),
    (r"\b(root|designated|alternate) ports?\b", r"\1port role"),
    (r"\bip address(?:es)?\b|\baddressing\b", "address"),
    (r"\bhit ?counts?\b|\bhits\b|\bmatch(?:es|ed)? count\b", "count"),
    (r"\b(distribute-list|route-map|routemap|access-group|prefix-list|prefixlist|service-policy|filter|acl)"
     r"((?: <\w+>)?) in\b", r"\1\2 inbound"),
    (r"\b(distribute-list|route-map|routemap|access-group|prefix-list|prefixlist|service-policy|filter|acl)"
     r"((?: <\w+>)?) out\b", r"\1\2 outbound"),
    (r"\b(?:interface |)counters errors\b|\berrors? counters?\b", "error"),
    (r"\bphase ?(\d)\b", r"phase \1"),
    (r"\b(\d+)k\b", r"\g<1>000"),
]

#: word → canonical word (plural, spelling and synonym folding)
SYNONYMS: dict[str, str] = {
    "neighbors": "neighbor", "neighbours": "neighbor", "neighbour": "neighbor", "peers": "neighbor",
    "peer": "neighbor", "peering": "neighbor", "peerings": "neighbor", "sessions": "session",
    "adjacencies": "neighbor", "adjacency": "neighbor",
    "ios": "cisco", "iosxe": "cisco", "junos": "juniper", "eos": "arista",
    "enabled": "enable", "enabling": "enable", "activate": "enable", "activated": "enable",
    "disabled": "disable", "disabling": "disable", "deactivate": "disable", "deactivated": "disable",
    "added": "add", "adding": "add", "removed": "remove", "removing": "remove", "delete": "remove",
    "deleted": "remove", "deleting": "remove",
    "allowed": "allow", "allowing": "allow", "blocked": "block", "blocking": "block",
    "permitted": "permit", "denied": "deny",
    "started": "start", "starting": "start", "stopped": "stop", "stopping": "stop",
    "increased": "increase", "increasing": "increase", "raise": "increase",
    "decreased": "decrease", "decreasing": "decrease", "lower": "decrease", "reduce": "decrease",
    "ingress": "inbound", "incoming": "inbound", "egress": "outbound", "outgoing": "outbound",
    "routes": "route", "prefixes": "route", "prefix": "route",
    "interfaces": "interface", "ports": "interface", "port": "interface",
    "utilisation": "utilization", "usage": "utilization",
    "configuration": "config", "configured": "configure", "configuring": "configure",
    "status": "state", "states": "state",
    "advertising": "advertised", "advertise": "advertised", "sent": "advertised", "sending": "advertised",
    "announced": "advertised", "announcing": "advertised",
    "receiving": "received", "receive": "received", "learned": "received", "learnt": "received",
    "learning": "received",
    "display": "show", "view": "show", "list": "show", "check": "show", "verify": "show", "print": "show",
    "see": "show", "showing": "show", "shows": "show", "displaying": "show", "listing": "show",
    "set": "configure", "create": "configure", "apply": "configure", "configure": "configure",
    "reset": "clear", "flush": "clear", "clearing": "clear",
    "write": "save", "commit": "save", "saving": "save", "erase": "remove", "unconfigure": "remove",
    "stubby": "stub", "minutes": "minute", "hours": "hour", "days": "day", "weeks": "week",
    "seconds": "second", "secs": "second", "sec": "second", "mins": "minute", "min": "minute",
    "hr": "hour", "hrs": "hour", "months": "month", "summarize": "summarization", "summarise": "summarization",
    "summarisation": "summarization", "redistribute": "redistribution", "redistributing": "redistribution",
    "aggregate": "aggregation", "aggregating": "aggregation", "filter": "filtering", "filtered": "filtering",
    "untagged": "untagged", "tagged": "tagged",
    "detailed": "detail", "details": "detail", "brief": "summary",
    "v2": "ospfv2", "v3": "ospfv3", "unicast": "unicast", "multicast": "multicast",
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "fifteen": "15", "twenty": "20", "thirty": "30",
    "hundred": "100",
    "logs": "log", "logging": "log", "acls": "acl", "lsas": "lsa", "lsps": "lsp", "vrfs": "vrf", "macs": "mac",
    "modified": "changed", "diffs": "diff", "compared": "compare", "comparing": "compare", "comparison": "compare",
    "versus": "compare", "vs": "compare", "troubleshooting": "troubleshoot", "diagnose": "troubleshoot",
    "diagnosing": "troubleshoot", "causes": "cause", "caused": "cause", "causing": "cause", "reasons": "reason",
    "diagnosis": "troubleshoot", "members": "member", "membership": "member", "violations": "violation",
    "entries": "content", "entry": "content", "definition": "content", "contents": "content",
    "fallback": "backup", "failover": "backup", "slave": "backup", "senders": "sender", "receivers": "receiver",
    "sources": "source", "initiating": "initiator", "responding": "responder", "uplinks": "uplink",
    "downlinks": "downlink", "servers": "server", "clients": "client", "transmit": "tx", "transmitting": "tx",
    "transmitted": "tx", "settings": "config", "drops": "drop", "dropped": "drop", "discards": "drop",
}

#: (word, opposite): one side has one, the other side the other
OPPOSITES: list[tuple[str, str]] = [
    ("enable", "disable"), ("up", "down"), ("add", "remove"), ("permit", "deny"),
    ("inbound", "outbound"), ("start", "stop"), ("allow", "block"), ("allow", "deny"),
    ("increase", "decrease"), ("shutdown", "noshutdown"), ("advertised", "received"),
    ("import", "export"), ("source", "destination"), ("primary", "secondary"), ("active", "standby"),
    ("master", "backup"), ("min", "max"), ("minimum", "maximum"), ("highest", "lowest"),
    ("first", "last"), ("before", "after"), ("upstream", "downstream"), ("tx", "rx"),
    ("transmit", "receive"), ("encrypt", "decrypt"), ("success", "failure"), ("working", "broken"),
    ("summary", "detail"), ("sync", "async"), ("attach", "detach"), ("lock", "unlock"),
    ("install", "uninstall"), ("upgrade", "downgrade"), ("connect", "disconnect"),
    ("input", "output"), ("read", "write"), ("local", "remote"), ("internal", "external"),
    ("public", "private"), ("physical", "logical"), ("client", "server"), ("tagged", "untagged"),
    ("free", "used"), ("passive", "active"), ("old", "new"), ("oldest", "newest"), ("softreset", "hardreset"),
    ("halfduplex", "fullduplex"), ("allowed", "pruned"), ("native", "tagged"), ("open", "closed"),
    ("online", "offline"), ("reachable", "unreachable"), ("valid", "invalid"), ("best", "worst"),
    ("dr", "bdr"), ("initiator", "responder"), ("sender", "receiver"), ("source", "receiver"),
    ("uplink", "downlink"), ("encrypted", "decrypted"), ("master", "slave"), ("ingress", "egress"),
]

#: name → (mode, members); mode "differ" or "disjoint" (see the module docstring)
EXCLUSIVE: dict[str, tuple[str, frozenset[str]]] = {
    "routing_protocol": ("differ", frozenset({"ospf", "ospfv2", "ospfv3", "bgp", "isis", "eigrp", "rip", "ripng",
                                              "static", "connected", "ldp", "rsvp", "pim", "igmp", "bfd"})),
    "bgp_kind": ("differ", frozenset({"ebgp", "ibgp"})),
    "ip_version": ("differ", frozenset({"ipv4", "ipv6"})),
    "transport": ("differ", frozenset({"tcp", "udp", "icmp", "sctp", "gre", "esp"})),
    "layer": ("differ", frozenset({"l2", "l3", "l4", "l7"})),
    "lsa_type": ("differ", frozenset({f"type{i}" for i in range(1, 12)})),
    "route_origin": ("disjoint", frozenset({"static", "dynamic"})),
    "bgp_state": ("differ", frozenset({"established", "idle", "active", "connect", "opensent", "openconfirm"})),
    "ospf_state": ("differ", frozenset({"full", "2way", "init", "exstart", "exchange", "loading", "attempt"})),
    "config_store": ("differ", frozenset({"running", "startup", "candidate", "saved", "committed", "rollback"})),
    "verb": ("disjoint", frozenset({"show", "configure", "remove", "clear", "reload", "save", "upgrade", "ping",
                                    "traceroute"})),
    "timer": ("differ", frozenset({"hellotimer", "deadtimer", "holdtimer", "keepalive"})),
    "bgp_attr": ("differ", frozenset({"aspath", "localpref", "med", "weight", "community", "origin", "nexthop"})),
    "policy_object": ("differ", frozenset({"routemap", "prefixlist", "acl"})),
    "vendor": ("differ", frozenset({"cisco", "juniper", "arista", "nokia", "huawei", "ios", "nxos", "junos",
                                    "eos", "iosxr", "xr", "panos", "fortinet"})),
    "stp_flavor": ("differ", frozenset({"stp", "rstp", "mstp", "mst", "pvst"})),
    "resource": ("differ", frozenset({"cpu", "memory", "disk", "temperature", "power", "fan"})),
    "stats": ("differ", frozenset({"error", "drop", "discard", "crc", "collision", "utilization"})),
    "fhrp": ("differ", frozenset({"hsrp", "vrrp", "glbp"})),
    "table": ("differ", frozenset({"arp", "mac", "rib", "fib", "cef", "lfib", "nd"})),
    "auth": ("differ", frozenset({"md5", "sha", "sha256", "plaintext", "keychain"})),
    "mgmt_proto": ("differ", frozenset({"ssh", "telnet", "snmp", "netconf", "restconf", "gnmi", "ntp", "syslog",
                                        "tacacs", "radius", "dns", "dhcp"})),
    "object": ("disjoint", frozenset({"neighbor", "route", "interface", "vlan", "config", "log",
                                      "adjacency", "database", "lsa", "topology"})),
    "time_unit": ("differ", frozenset({"second", "minute", "hour", "day", "week", "month", "year"})),
    "switchport_mode": ("differ", frozenset({"trunk", "access"})),
    "ospf_area": ("differ", frozenset({"stub", "totallystubby", "nssa", "backbone"})),
    "isis_level": ("differ", frozenset({"level1", "level2"})),
    "cast": ("differ", frozenset({"unicast", "multicast", "broadcast", "anycast"})),
    "route_op": ("differ", frozenset({"summarization", "redistribution", "aggregation", "filtering", "leaking",
                                      "dampening"})),
    "encap": ("differ", frozenset({"vxlan", "mpls", "gre", "ipsec", "dot1q", "qinq"})),
    "vlan_list": ("differ", frozenset({"native", "allowed", "allow", "pruned", "tagged", "untagged", "voice"})),
    # what is asked about a thing: status vs errors vs configuration vs cost ... are different answers
    "aspect": ("differ", frozenset({"state", "error", "counter", "config", "cost", "mtu", "speed", "duplex",
                                    "utilization", "log", "role", "priority", "description", "uptime", "optical",
                                    "bandwidth", "timer", "version", "count", "appliedwhere", "content", "member",
                                    "loadbalance", "address", "violation", "drop"})),
    "stp_port_role": ("differ", frozenset({"rootport", "designatedport", "alternateport"})),
}

#: name → words naming one question intent (after :data:`PHRASES` and :data:`SYNONYMS`); both sides must name the
#: same intents. A bare ``change`` is left out on purpose: "how do I change the hello timer" is a how-to.
INTENTS: dict[str, frozenset[str]] = {
    "change": frozenset({"changed", "diff", "history"}),
    "cause": frozenset({"why", "troubleshoot", "cause", "reason", "fix", "wrong", "issue", "problem", "diagnose"}),
    "compare": frozenset({"compare"}),
}

#: words whose presence on one side only changes the question
MARKERS: frozenset[str] = frozenset({
    "not", "no", "never", "without", "non", "ipv6", "multicast", "vpnv4", "vpnv6", "evpn", "l2vpn",
    "failed", "flapping", "errdisabled", "totallystubby", "graceful", "bidirectional", "previous", "yesterday",
    "noshutdown", "shutdown", "ebgp", "ibgp", "secondary", "backup", "standby", "count",
})

#: words that carry no meaning of their own in a question (ignored in substitutions)
FILLER: frozenset[str] = frozenset("""
a an the is are was were be been being do does did i me my we our you your it its this that these those there
here what which who how why when where can could should would will shall may might must please tell give show
explain describe on of for in to from with by at about into over under via and or but if then than as so
current currently right now today all any every each some many much more most have has had use used using work
works mean means meaning purpose info information detail overview get find look let us just also
ip please exactly actually there howto
""".split())
#: rules whose rejection a verifier may overrule (wording, not facts): see netcache.matching.verifier
SOFT_RULES: frozenset[str] = frozenset({"substitution", "qualifier", "intent", "marker"})
#: longest swapped span (in words, each side) the substitution rule considers
MAX_SUBSTITUTION_WORDS = 2
#: questions longer than this (both sides, in tokens) skip the one-edit rule (difflib is quadratic)
_MAX_DIFF_TOKENS = 200

_NUMBER_RE = re.compile(r"^\d+(?:\.\d+)?$")
_DIGIT_RE = re.compile(r"\d")
_TOKEN_RE = re.compile(r"<\w+>|[a-z0-9]+(?:[_./:][a-z0-9]+)*")
_PHRASES_RE: list[tuple[re.Pattern[str], str, frozenset[str] | None]] = []  # compiled PHRASES, filled below


def guard_tokens(text: str, inventory: Inventory | None = None, lexicon: Lexicon | None = None,
                 spans: list[tuple[int, int, str, str]] | None = None) -> list[str]:
    """The words the guard compares: entities masked, the lexicon and the operator shorthand folded
    (``sh ip int br`` = ``show ip interface brief``), phrases folded, synonyms applied."""
    from netcache.matching.normalize import expand_abbreviations

    lex = lexicon or default_lexicon()
    if spans is None:
        spans = entity_spans(text, inventory, lex)
    v6 = any(":" in value for _s, _e, kind, value in spans if kind in ("ip", "prefix"))
    out, pos = [], 0
    for start, end, kind, _v in spans:
        if start < pos:  # several VLAN ids share one span
            continue
        out += [text[pos:start], f"<{kind}>"]
        pos = end
    text = ("".join(out) + text[pos:]).lower().replace("\u2019", "'")
    if v6:  # an IPv6 address says "ipv6" as clearly as the word does
        text += " ipv6"
    text = re.sub(r"n't\b", " not", text)
    text = expand_abbreviations(lex.fold(" ".join(text.split())))
    for pattern, token, starts in _PHRASES_RE:
        if starts is None or any(x in text for x in starts):  # a cheap test first: most phrases are absent
            text = pattern.sub(token, text)
    return [_canon(t) for t in _TOKEN_RE.findall(text)]


def _canon(token: str) -> str:
    """Synonyms first, then a light plural / 3rd-person strip ("advertises" → "advertise")."""
    if token in SYNONYMS:
        return SYNONYMS[token]
    if len(token) > 4 and token.endswith("s") and not token.endswith(("ss", "us", "is")) and token.isalpha():
        stem = token[:-2] if token.endswith(("ches", "shes", "xes")) else token[:-1]
        return SYNONYMS.get(stem, stem)
    return token


def _number_pairs(tokens: list[str]) -> set[tuple[str, str]]:
    """Each number with the word it counts (the next content word, else the one before)."""
    out = set()
    for i, t in enumerate(tokens):
        if not _NUMBER_RE.match(t):
            continue
        nxt = next((x for x in tokens[i + 1:i + 3] if x not in FILLER and not _NUMBER_RE.match(x)), None)
        prev = next((x for x in reversed(tokens[max(0, i - 2):i]) if x not in FILLER and not _NUMBER_RE.match(x)), None)
        out.add((t, nxt or prev or ""))
    return out


# --------------------------------------------------------------------------- the guard


def _no(reason: str, rule: str) -> GuardVerdict:
    return GuardVerdict(False, reason, rule, rule not in SOFT_RULES)


#: questions up to this long keep their guard analysis in a bounded memo (a lookup compares one question
#: with up to k candidates, and popular entries are candidates again and again); pasted logs are not kept
_MEMO_MAX_CHARS = 2_000


_Side = tuple[frozenset, dict, list[str], frozenset, tuple[str, ...], dict]


def _side(text: str, inventory: Inventory | None, lex: Lexicon) -> _Side:
    if len(text) > _MEMO_MAX_CHARS:
        return _analyse(text, inventory, lex)
    return _analyse_memo(text, inventory, lex)


#: the words of one intent group folded to one token, so "what is wrong with X" / "troubleshoot X" is no substitution
_CAUSE_TOKEN = {w: "why" for w in ("why", "troubleshoot", "cause", "reason", "wrong", "issue", "problem", "diagnose")}
#: words dropped before comparing the order of the words (articles and the like; direction words are kept)
_BIND_FILLER = FILLER - frozenset("from to into via by on at in over under and or but not no".split())
#: after these, "to X" is an infinitive, not a destination
_TO_VERB = frozenset("how want need steps able going have has wants needs used way trying try".split())


def _analyse(text: str, inventory: Inventory | None, lex: Lexicon) -> _Side:
    spans = entity_spans(text, inventory, lex)
    tokens = [_CAUSE_TOKEN.get(t, t) for t in guard_tokens(text, inventory, lex, spans)]
    # the same words with each entity placeholder replaced by its value, in order: what the binding rules read
    values = iter(v for i, (s_, _e, _k, v) in enumerate(spans) if i == 0 or s_ != spans[i - 1][0])
    bound = tuple(t for t in (next(values, t) if t.startswith("<") else t for t in tokens) if t not in _BIND_FILLER)
    return (frozenset((k, v) for _s, _e, k, v in spans), entity_roles(text, inventory, lex, spans), tokens,
            frozenset(tokens), bound, _word_roles(bound))


def _word_roles(bound: tuple[str, ...]) -> dict[str, str]:
    """The word right after from / to / into / towards, with its role: ``traffic to the cpu`` → ``{cpu: dst}``
    (entities have theirs from :func:`entity_roles`; this covers zones, servers, hosts ...)."""
    roles: dict[str, str] = {}
    for i, t in enumerate(bound[:-1]):
        role = "src" if t == "from" else "dst" if t in ("to", "into", "toward", "towards") else None
        if role is None or (role == "dst" and i and bound[i - 1] in _TO_VERB):
            continue
        nxt = bound[i + 1]
        if nxt.isalpha() and nxt not in FILLER and nxt not in roles:
            roles[nxt] = role
    return roles


def _exchange(ba: tuple[str, ...], bb: tuple[str, ...]) -> str | None:
    """The two words (or two-word spans) that trade places between two otherwise identical questions:
    "active on SW1, passive on SW2" / "passive on SW1, active on SW2", "from trust to untrust" / "from
    untrust to trust", "tx 9.5 gbps rx 100 mbps" / "tx 100 mbps rx 9.5 gbps". Moving a block ("on R1, show X" /
    "show X on R1") or swapping two neighbours ("bgp ipv4" / "ipv4 bgp") is no exchange."""
    if len(ba) != len(bb) or ba == bb or sorted(ba) != sorted(bb):
        return None
    cur = list(ba)
    swapped: list[tuple[int, int]] = []
    for _ in range(2):
        i = next((k for k in range(len(cur)) if cur[k] != bb[k]), None)
        if i is None:
            break
        x, y = cur[i], bb[i]
        j = next((k for k in range(i + 1, len(cur)) if cur[k] == y), None)
        if j is None or j == i + 1 and not swapped and not (_DIGIT_RE.search(x) and _DIGIT_RE.search(y)):
            return None  # neighbours trading places reword ("bgp ipv4" / "ipv4 bgp"); numbers do not
        if swapped and (i, j) != (swapped[0][0] + 1, swapped[0][1] + 1):
            return None  # a second exchange that does not extend the first one into two-word spans
        cur = [y if t == x else x if t == y else t for t in cur]
        swapped.append((i, j))
    if cur != list(bb):
        return None
    return " ".join(ba[i] for i, _ in swapped) + " / " + " ".join(ba[j] for _, j in swapped)


_analyse_memo = functools.lru_cache(maxsize=4096)(_analyse)


@functools.lru_cache(maxsize=4096)
def _side_order(text: str, inventory: Inventory | None, lex: Lexicon) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Per entity kind, its distinct values in the order the question first names them."""
    seen: dict[str, list[str]] = {}
    for _s, _e, kind, value in sorted(entity_spans(text, inventory, lex)):
        values = seen.setdefault(kind, [])
        if value not in values:
            values.append(value)
    return tuple((k, tuple(v)) for k, v in sorted(seen.items()))


def _order_swap(oa: tuple[tuple[str, tuple[str, ...]], ...], ob: tuple[tuple[str, tuple[str, ...]], ...]) -> str | None:
    """The entity kind whose (two or more) values both questions name, in a different order."""
    b = dict(ob)
    for kind, va in oa:
        vb = b.get(kind)
        if vb is not None and len(va) >= 2 and set(va) == set(vb) and va != vb:
            return f"{kind}s {', '.join(va)}"
    return None


def guard(a: str, b: str, *, inventory: Inventory | None = None, lexicon: Lexicon | None = None) -> GuardVerdict:
    """May the cached answer to ``a`` be served for ``b``? (``ok``, and a ``reason`` when not).

    Only the question parts are compared (:func:`netcache.matching.normalize.split_prompt`): a pasted
    log is context, already equal on both sides (it is part of the semantic group), and never scanned."""
    from netcache.matching.normalize import split_prompt

    a, b = split_prompt(a)[0], split_prompt(b)[0]
    lex = lexicon or default_lexicon()
    ents_a, roles_a, ta, sa, ba, wa = _side(a, inventory, lex)
    ents_b, roles_b, tb, sb, bb, wb = _side(b, inventory, lex)
    if ents_a != ents_b:  # the engine's group already agrees on these; the guard does not rely on it
        diff = sorted(f"{k}:{v}" for k, v in ents_a ^ ents_b)
        return _no(f"entities differ: {', '.join(diff[:4])}", "entities")
    conflict = role_conflict(roles_a, roles_b)
    if conflict is not None:
        return _no(f"role: {conflict}", "role")
    converse_pair = converse(roles_a, roles_b, sa, sb)
    swapped = _order_swap(_side_order(a, inventory, lex), _side_order(b, inventory, lex))
    if swapped and not converse_pair:
        # the same devices (interfaces, VLANs ...) named in the other order: "R1 primary, R2 backup"
        # vs "R2 primary, R1 backup", "from chicago to dallas" vs "from dallas to chicago"
        return _no(f"role: {swapped} named in the other order", "role")
    exchanged = _exchange(ba, bb)
    if exchanged and not converse_pair:
        return _no(f"role: {exchanged} trade places", "role")
    for word in wa.keys() & wb.keys():
        if wa[word] != wb[word]:
            return _no(f"role: {word!r} is {wa[word]} on one side, {wb[word]} on the other", "role")
    for x, y in OPPOSITES:
        if converse_pair and (x, y) == ("advertised", "received"):
            continue  # "pe1 advertises to pe2" asks what "pe2 receives from pe1" asks
        if (x in sa and y in sb and y not in sa and x not in sb) or (y in sa and x in sb and x not in sa and y not in sb):
            return _no(f"opposite: {x!r} vs {y!r}", "opposite")
    for name, (mode, members) in EXCLUSIVE.items():
        ga, gb = sa & members, sb & members
        if name == "aspect":
            ga, gb = _aspects(ga, sa), _aspects(gb, sb)
        if not ga or not gb:
            continue
        if (mode == "differ" and ga != gb) or (mode == "disjoint" and not ga & gb):
            return _no(f"{name}: {'/'.join(sorted(ga))} vs {'/'.join(sorted(gb))}", name)
    for name, words in INTENTS.items():
        if bool(sa & words) != bool(sb & words):
            said = "/".join(sorted((sa | sb) & words))
            return _no(f"intent {name} ({said}) on one side only", "intent")
    # a bare noun phrase or "-ing" form may ask how to do it; "show X" / "what is X" asks for its state
    if ("howto" in sa) != ("howto" in sb) and {"show", "what", "which"} & (sb if "howto" in sa else sa):
        return _no("intent howto on one side, show/what on the other", "intent")
    for marker in sorted(MARKERS):
        if (marker in sa) != (marker in sb):
            return _no(f"only one side says {marker!r}", "marker")
    na = sorted(t for t in ta if _NUMBER_RE.match(t))
    nb = sorted(t for t in tb if _NUMBER_RE.match(t))
    if na != nb:
        return _no(f"numbers differ: {na} vs {nb}", "numbers")
    if len(set(na)) > 1:
        pa, pb = _number_pairs(ta), _number_pairs(tb)
        words_a = {w: n for n, w in pa if w}
        for n, w in pb:
            if w in words_a and words_a[w] != n:
                return _no(f"numbers count other things: {words_a[w]} {w} vs {n} {w}", "number_pairing")
    return _one_edit(ta, tb)


def _aspects(found: frozenset[str], words: frozenset[str]) -> frozenset[str]:
    """The aspects a question asks about: "MTU configuration" asks about the MTU as "how do I set the MTU"
    does, "error counters" are errors, "is it up?" asks for the state."""
    if {"up", "down"} & words:  # "is Po5 up?" asks for its state
        found |= {"state"}
    if "counter" in found and found & {"error", "violation", "drop"}:
        found -= {"counter"}
    if len(found) > 1:  # "the MTU configuration" / "how do I set the MTU": the MTU is what is asked about
        found -= {"config"}
    return found


def _one_edit(ta: list[str], tb: list[str]) -> GuardVerdict:
    """Reject when ``ta`` and ``tb`` differ by one short edit that involves a content word."""
    if abs(len(ta) - len(tb)) > MAX_SUBSTITUTION_WORDS or len(ta) + len(tb) > _MAX_DIFF_TOKENS:
        return GuardVerdict(True)  # cannot be one short edit / a pasted log, not a question: diffing is quadratic
    ops = [op for op in difflib.SequenceMatcher(a=ta, b=tb, autojunk=False).get_opcodes() if op[0] != "equal"]
    if len(ops) != 1:
        return GuardVerdict(True)
    tag, i1, i2, j1, j2 = ops[0]
    xa, xb = ta[i1:i2], tb[j1:j2]
    if sorted((xa, xb)) == [["in"], ["out"]]:
        return _no("'in' vs 'out'", "opposite")
    if len(xa) > MAX_SUBSTITUTION_WORDS or len(xb) > MAX_SUBSTITUTION_WORDS:
        return GuardVerdict(True)
    content_a = [t for t in xa if t not in FILLER]
    content_b = [t for t in xb if t not in FILLER]
    if tag == "replace" and content_a and content_b:
        return _no(f"substituted {' '.join(xa)!r} for {' '.join(xb)!r}", "substitution")
    if tag in ("insert", "delete") and (content_a or content_b):
        return _no(f"qualifier on one side only: {' '.join(content_a or content_b)!r}", "qualifier")
    return GuardVerdict(True)


_PHRASES_RE.extend((re.compile(p), t, literal_starts(p)) for p, t in PHRASES)
