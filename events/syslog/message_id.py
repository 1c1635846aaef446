"""Where the message id sits in each vendor's syslog body, and what it is.

The id selects the rules to try (a dict lookup, see ``vendor_rules.RuleSet``), so
finding it is the one step every line pays for. Shapes understood, first match wins:

* Cisco / Arista / Brocade-NX ``%FAC-SEV-MNEMONIC:`` (IOS-XR ``%PKT_INFRA-LINK-3-UPDOWN :``,
  ``%OSPFv3-5-ADJCHG``), also after a program prefix (FortiOS ``msg="BGP: %BGP-5-ADJCHANGE: ..."``)
* Huawei VRP ``%%01IFNET/4/LINK_STATE(l)[12]:``
* Nokia SR OS ``1234 Base SNMP-WARNING-linkDown-2004 [1/1/1]:`` (after ``TMNX:``)
* Extreme EXOS ``<Info:vlan.msgs.portLinkStateUp> Port 1:5 link UP ...``
* Extreme SLX / Brocade VDX RASLog (also behind raslogd's own ``2026/12/02-00:41:19, `` stamp) ``[NSM-1003], 4411, SW/0 | Active | DCE, INFO, SLX9250, ...``
* FortiOS key=value (``date=... devname="fw1" logid="0100020099" ... logdesc="..."``)
* PAN-OS CSV (``1,2026/11/28 03:41:07,0123456789,SYSTEM,routing,0,...``)
* FRR ``%ADJCHANGE:``, RFC 5424 MSGID, Junos ``RPD_BGP_NEIGHBOR_STATE_CHANGED:``, else the program tag.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass

__all__ = [
    "looks_like_device_tag", "MessageId", "find_message_id"]

_MNEMONIC_RE = re.compile(
    r"%(?P<mnem>[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*?)-(?P<sev>[0-7])-(?P<name>[A-Z0-9_]+)\s*:\s*")
_EMBEDDED_MNEMONIC_RE = re.compile(r"(?:[A-Za-z]+: )?%[A-Za-z0-9_]+-[0-7]-[A-Z0-9_]+\s*:")
#: A relay's TAG/APP-NAME that is the device's name (has a digit or a '.'), not a program like ``Bgp``
#: or ``ProcMgr-worker``.
_HOSTNAME_TAG_RE = re.compile(r"(?=[A-Za-z0-9._-]*[0-9.])[A-Za-z][A-Za-z0-9._-]{0,62}")
#: APP-NAMEs that are a severity word (SONiC's relay template), not a program.
_SEVERITY_APPS = frozenset({"EMERG", "ALERT", "CRIT", "ERR", "ERROR", "WARNING", "WARN", "NOTICE", "INFO", "DEBUG"})
_PROGRAM_NO_COLON_RE = re.compile(r"(?P<prog>[A-Za-z][\w.+-]*)\[\d+\]:?\s+")
_PROGRAM_RE = re.compile(r"\s*(?P<prog>[A-Za-z][\w#.+-]*)(?:\[\d+\])?:\s+")
#: How far into a message a Cisco mnemonic behind a device's own header is looked for.
_EMBEDDED_WITHIN = 160
#: What may stand before that mnemonic: the device's name, sequence number and timestamp
#: (words, digits, dots, colons, '*', '.', time zones), nothing that reads like a sentence.
_DEVICE_PREAMBLE_RE = re.compile(r"[\w.:*/\[\]+-]*(?:[ ]+[\w.:*/\[\]+-]+){0,8}[ :]*")
_HUAWEI_RE = re.compile(
    r"%%\d\d(?P<mod>[A-Za-z0-9_-]+)/(?P<sev>[0-7])/(?P<name>[A-Za-z0-9_]+)(?:\([a-z]+\))?(?:\[\d+\])?:\s*")
_SROS_SEV = "CRITICAL|MAJOR|MINOR|WARNING|CLEARED|INDETERMINATE|INFO"
_SROS_RE = re.compile(
    rf"(?:\d+ )?(?P<vr>\S+) (?P<app>[A-Z][A-Z0-9_]*)-(?P<sev>{_SROS_SEV})-(?P<name>[A-Za-z0-9_]+)(?:-\d+)? "
    r"\[(?P<subject>[^\]]*)\]:\s*")
_RASLOG_RE = re.compile(
    r"\[(?P<id>[A-Z][A-Z0-9]{1,9}-\d{3,5})\],(?: \d+,)?(?: [^,]*,)?\s*(?P<sev>[A-Z]+),\s*[^,]*,\s*")
#: SLX-OS / VDX RASLog forwarded by raslogd keeps its own time stamp first: "2026/12/02-00:41:19, [NSM-1003], ..."
_RASLOG_STAMP_RE = re.compile(r"\d{4}/\d\d/\d\d-\d\d:\d\d:\d\d(?:\.\d+)?,\s*(?=\[)")
#: Extreme EXOS "<Info:vlan.msgs.portLinkStateUp> Port 1:5 link UP ..." (severity, component.condition)
_EXOS_RE = re.compile(r"<(?P<sev>Crit|Erro|Warn|Noti|Info|Summ|Verb|Debu|[A-Z][a-z]+):(?P<name>[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)+)>\s*")
_EXOS_SEVERITY = {"Crit": 2, "Erro": 3, "Warn": 4, "Noti": 5, "Info": 6, "Summ": 6, "Verb": 7, "Debu": 7}
_PCT_TAG_RE = re.compile(r"%(?P<tag>[A-Z][A-Z0-9_]+): ")
_JUNOS_TAG_RE = re.compile(r"(?P<tag>[A-Z][A-Z0-9]*_[A-Z0-9_]+): ")
_FRR_ID_RE = re.compile(r"\[[A-Z0-9]{5}-[A-Z0-9]{5}\] ")
_KV_RE = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|\S*)')
_PANOS_RE = re.compile(r"\d,\d{4}/\d\d/\d\d \d\d:\d\d:\d\d,[^,]*,(?P<type>[A-Z]+),")
_SROS_SEVERITY = {"CRITICAL": 2, "MAJOR": 3, "MINOR": 4, "WARNING": 4, "CLEARED": 5, "INDETERMINATE": 5, "INFO": 6}
_RASLOG_SEVERITY = {"CRITICAL": 2, "ERROR": 3, "WARNING": 4, "INFO": 6}


@dataclass(slots=True)  # read-only by convention; not frozen, which costs a few µs a line (see parser.py)
class MessageId:
    """The id a line's rules are looked up by, and what the rules match against."""

    key: str  # rule key: upper case, severity removed (BGP-ADJCHANGE, IFNET-LINK_STATE, SNMP-LINKDOWN)
    body: str  # the text after the id, which the rule patterns match
    message_id: str  # as the device wrote it (%BGP-5-ADJCHANGE, %%01IFNET/4/LINK_STATE)
    shape: str  # which of the shapes above: cisco, huawei, sros, raslog, exos, fortios, panos, frr, msgid, junos, app
    severity: int | None = None
    host: str | None = None  # a device name carried inside the body (FortiOS devname)
    #: ``host`` is the device's own name from its own header inside a relayed line: it wins over the relay's
    own_host: bool = False


def _fortios(text: str) -> MessageId | None:
    kv = {k: (v[1:-1] if v.startswith('"') else v) for k, v in _KV_RE.findall(text)}
    if "logid" not in kv:
        return None
    msg = kv.get("msg", "")
    inner = _EMBEDDED_MNEMONIC_RE.match(msg)
    if inner:  # routing logs carry the daemon's Cisco-style line: msg="BGP: %BGP-5-ADJCHANGE: ..."
        m = _MNEMONIC_RE.search(msg, 0)
        if m:
            return MessageId(f"{m.group('mnem').upper()}-{m.group('name')}", msg[m.end():],
                             f"%{m.group('mnem')}-{m.group('sev')}-{m.group('name')}", "fortios",
                             int(m.group("sev")), kv.get("devname"))
    desc = kv.get("logdesc", "")
    key = "FORTIOS-" + (re.sub(r"\W+", "_", desc).strip("_").upper() if desc else kv["logid"])
    # the rules match the key=value text itself, normalised to one space between pairs
    body = " ".join(f'{k}="{v}"' for k, v in kv.items())
    return MessageId(key, body, kv["logid"], "fortios", None, kv.get("devname"))


def _panos(text: str) -> MessageId | None:
    try:
        row = next(csv.reader([text]))
    except (csv.Error, StopIteration):
        return None
    kind = row[3] if len(row) > 3 else ""
    if kind == "SYSTEM" and len(row) > 14:  # ..., vsys, event id, object, -, -, module, severity, description
        event_id, desc = row[8], row[14]
        return MessageId(f"PANOS-SYSTEM-{event_id.upper()}", desc, event_id, "panos")
    if kind == "CONFIG" and len(row) > 12:  # ..., host, vsys, command, admin, client, result, path
        body = f"host={row[7]} command={row[9]} admin={row[10]} client={row[11]} result={row[12]}"
        return MessageId(f"PANOS-CONFIG-{row[9].upper()}", body, f"CONFIG {row[9]}", "panos")
    return MessageId(f"PANOS-{kind}", text, kind, "panos")


def find_message_id(message: str, *, msgid: str | None = None, app: str | None = None) -> MessageId:
    """The message id of a syslog body (the MSG after the header) and the text its rules match."""
    text = message
    if text.startswith(":- "):  # swss logger
        text = text[3:]
    fm = _FRR_ID_RE.match(text)
    if fm:
        text = text[fm.end():]
    first = text[:1]
    if first == "%":
        if text.startswith("%%"):
            h = _HUAWEI_RE.match(text)
            if h:
                return MessageId(f"{h.group('mod').upper()}-{h.group('name').upper()}", text[h.end():],
                                 h.group(0).rstrip(": ").rsplit("(", 1)[0], "huawei", int(h.group("sev")))
        m = _MNEMONIC_RE.match(text)
        if m:
            return MessageId(f"{m.group('mnem').upper()}-{m.group('name')}", text[m.end():],
                             f"%{m.group('mnem')}-{m.group('sev')}-{m.group('name')}", "cisco",
                             int(m.group("sev")))
        m2 = _PCT_TAG_RE.match(text)
        if m2:
            return MessageId(m2.group("tag"), text[m2.end():], f"%{m2.group('tag')}", "frr")
    elif first == "[":
        r = _RASLOG_RE.match(text)
        if r:
            return MessageId(r.group("id"), text[r.end():], r.group("id"), "raslog",
                             _RASLOG_SEVERITY.get(r.group("sev")))
    elif first == "<":
        x = _EXOS_RE.match(text)
        if x:
            return MessageId(x.group("name").upper(), text[x.end():], x.group("name"), "exos",
                             _EXOS_SEVERITY.get(x.group("sev")[:4]))
    elif first.isdigit() or (app == "TMNX"):
        rs = _RASLOG_STAMP_RE.match(text) if first.isdigit() else None
        if rs:
            r = _RASLOG_RE.match(text, rs.end())
            if r:
                return MessageId(r.group("id"), text[r.end():], r.group("id"), "raslog",
                                 _RASLOG_SEVERITY.get(r.group("sev")))
        s = _SROS_RE.match(text)
        if s:
            return MessageId(f"{s.group('app')}-{s.group('name').upper()}", f"[{s.group('subject')}]: "
                             + text[s.end():], f"{s.group('app')}-{s.group('sev')}-{s.group('name')}", "sros",
                             _SROS_SEVERITY.get(s.group("sev")))
        if _PANOS_RE.match(text):
            p = _panos(text)
            if p is not None:
                return p
    if text.startswith(("date=", "logver=")) or ' logid="' in text:
        f = _fortios(text)
        if f is not None:
            return f
    if msgid:
        return MessageId(msgid.upper(), text.removeprefix(f"{msgid}: "), msgid, "msgid")
    m3 = _JUNOS_TAG_RE.match(text)
    if m3:
        return MessageId(m3.group("tag"), text[m3.end():], m3.group("tag"), "junos")
    inner = _MNEMONIC_RE.search(text, 0, _EMBEDDED_WITHIN) if "%" in text else None
    if inner and (_EMBEDDED_MNEMONIC_RE.match(text) or _DEVICE_PREAMBLE_RE.fullmatch(text, 0, inner.start())):
        # "BGP: %BGP-5-ADJCHANGE: ..." or a device's own header a relay left in the message:
        # "rtr-002: Nov 28 03:41:08.250 UTC: %BGP-5-ADJCHANGE: ...", "2026 Dec  2 00:14:38 UTC: %ETHPORT-..."
        own = app if app and _HOSTNAME_TAG_RE.fullmatch(app) else None
        first_word = text[:inner.start()].split(" ", 1)[0].rstrip(":")
        if own is None and app is None and " " in text[:inner.start()].strip() \
                and _HOSTNAME_TAG_RE.fullmatch(first_word):
            own = first_word  # "gw2.acy1 LC/0/2/CPU0:Nov 28 ...: ifmgr[214]: %PKT_INFRA-..."
        return MessageId(f"{inner.group('mnem').upper()}-{inner.group('name')}", text[inner.end():],
                         f"%{inner.group('mnem')}-{inner.group('sev')}-{inner.group('name')}", "cisco",
                         int(inner.group("sev")), host=own, own_host=own is not None)
    am = _MNEMONIC_RE.fullmatch(f"{app}: ") if app and app.startswith("%") else None
    if am:  # RFC 5424 from a relay that put the device's %FAC-SEV-MNEMONIC in APP-NAME
        return MessageId(f"{am.group('mnem').upper()}-{am.group('name')}", text.lstrip(": "),
                         str(app), "cisco", int(am.group("sev")))
    if app is None and text[:1].isalpha():
        pm = _PROGRAM_NO_COLON_RE.match(text)
        if pm:  # "rpd[2902] BGP peer ...": a relay dropped the ':' after the program tag
            return find_message_id(text[pm.end():], app=pm.group("prog"))
    if app and app.upper() in _SEVERITY_APPS:
        pm = _PROGRAM_RE.match(text)
        if pm:  # SONiC's rsyslog: APP-NAME "INFO", then "bgp#bgpd[51]: %ADJCHANGE: ..."
            return find_message_id(text[pm.end():], app=pm.group("prog"))
    name = (app or "").rsplit("#", 1)[-1]
    return MessageId(name.upper(), text, name, "app")


def looks_like_device_tag(app: str | None) -> bool:
    """A TAG/APP-NAME a relay filled with the device's own name (``rtr-001``, ``gw2.acy1``)."""
    return app is not None and _HOSTNAME_TAG_RE.fullmatch(app) is not None
