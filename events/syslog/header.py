"""The header of one syslog line: RFC 5424, RFC 3164 and the vendor variants of it, as a ``SyslogHeader``.

Framing understood: RFC 5424 (``<PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG``),
RFC 3164 (``<PRI>Mmm dd hh:mm:ss HOST TAG: MSG``) and the vendor variants of
it: Cisco sequence numbers and host-first headers (``<189>123: rtr-001: *Mar  1
00:01:02.345 UTC: %LINK-3-UPDOWN: ...``), unsynchronised (``*``) and
uncertain (``.``) clocks, time zones, years (NX-OS ``2018 Apr 20 ...``),
ISO 8601 and year-less timestamps, IOS-XR node names, SONiC severity words, and
all of those behind an RFC 3164 header a relay (or the device) put in front
(``<189>Nov 28 03:41:07 rtr-001 123: *Nov 28 03:41:07.123: %LINK-...``,
``<189>May  2 15:21:27 10.0.0.33 : 2026 May  2 15:21:27.206 UTC: %ETHPORT-...``):
the device's own name and timestamp win over the relay's.

    parse_frame("<189>Jan 20 10:00:00 rtr-001 Bgp: %BGP-5-ADJCHANGE: ...").host   # "rtr-001"
"""

from __future__ import annotations

import functools
import ipaddress
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Literal

from netcache.errors import ParseError
from netcache.events.syslog.message_id import looks_like_device_tag

__all__ = ["PRI_RE", "SyslogHeader", "is_ip", "parse_frame"]

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
#: Time-zone abbreviations devices print (Cisco "clock timezone"), in minutes east of UTC.
_TZ_MINUTES = {
    "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "BST": 60, "WEST": 60, "CET": 60, "MET": 60,
    "CEST": 120, "MEST": 120, "EET": 120, "EEST": 180, "MSK": 180, "IST": 330, "SGT": 480,
    "HKT": 480, "JST": 540, "KST": 540, "AEST": 600, "AEDT": 660, "NZST": 720, "NZDT": 780,
    "EST": -300, "EDT": -240, "CST": -360, "CDT": -300, "MST": -420, "MDT": -360,
    "PST": -480, "PDT": -420, "AKST": -540, "HST": -600,
}
_TZ_ALT = "|".join(sorted(_TZ_MINUTES, key=len, reverse=True))
#: The letters a zone name starts with: a look-ahead on them spares trying every name after a time
#: that a host or a tag follows (half the cost of the timestamp pattern).
_TZ_FIRST = "".join(sorted({name[0] for name in _TZ_MINUTES}))

PRI_RE = re.compile(r"<(\d{1,3})>")
_RFC5424_RE = re.compile(
    r"(?P<version>[1-9]\d?) (?P<ts>-|\d{4}-\d\d-\d\dT\S+) (?P<host>\S+) (?P<app>\S+) (?P<procid>\S+) (?P<msgid>\S+)"
    r"(?: |$)")
_ISO_RE = re.compile(
    r"(?P<date>\d{4}-\d\d-\d\d)[T ](?P<time>\d\d:\d\d:\d\d)(?:\.(?P<frac>\d{1,9}))?"
    r"(?P<tz>Z|[+-]\d\d:?\d\d)?")
# "*Mar  1 00:01:02.345 UTC:" / "2018 Apr 20 13:15:07" / "Mar  1 2024 00:01:02" / "Jan 20 10:00:00"
_BSD = (
    r"(?P<flag>[*.])?(?:(?P<year1>\d{4}) )?(?P<mon>[A-Z][a-z]{2}) +(?P<day>\d{1,2})(?: (?P<year2>\d{4}))? "
    r"(?P<time>\d\d:\d\d:\d\d)(?:\.(?P<frac>\d{1,9}))?"
    rf"(?: (?=[{_TZ_FIRST}])(?P<tz>{_TZ_ALT})(?=[: ]|$)| ?(?P<tz_off>[+-]\d\d:?\d\d)(?=[: ]|$))?(?: DST)?")
_BSD_RE = re.compile(_BSD)
_SEQ_RE = re.compile(r"(?P<seq>\d{1,10}): ")
# a host name or address and what separates it from the next header item: "rtr-001: ",
# "10.0.0.33 : " (NX-OS), "2001:db8::1 " (the lazy match stops at the first separator that fits)
_HOST_RE = re.compile(r"(?P<host>[A-Za-z0-9_][\w.:-]*?)(?P<sep> ?: | +)")
_NODE_RE = re.compile(r"(?P<node>(?:RP|LC|RSP|\d)[\w/]*?CPU\d+):")
_MNEMONIC_START_RE = re.compile(r"%[A-Z0-9_]+-")
_TAG_RE = re.compile(
    r"(?:(?P<sevword>EMERG|ALERT|CRIT|ERR|ERROR|WARNING|WARN|NOTICE|INFO|DEBUG) )?"
    r"(?P<app>[A-Za-z0-9_][\w./#-]{0,63}?)(?:\[(?P<procid>[^\]\s]{1,32})\])?: ")
# Fast paths: the header shapes most lines have, matched by one pattern each, with the result the
# general scan (_scan_header) gives for them; anything else, or anything these patterns cannot rule
# out (a program tag that is a sequence number or an IOS-XR node, a message that starts with one),
# takes the general scan. The timestamp is an atomic group: it ends where _BSD_RE alone would end.
# A host here is a name or IPv4 address without ':' or "CPU" that is not all digits.
_FAST_HOST = r"(?!\d+[ :])(?P<host>[A-Za-z0-9][\w.-]*)"
#: "<189>Nov 28 03:41:07 host app[pid]: MSG" and "<189>Nov 28 03:41:07 host %MSG" (RFC 3164)
_FAST_3164_RE = re.compile(
    rf"<(?P<pri>\d{{1,3}})>(?P<ts>(?>{_BSD})) {_FAST_HOST} "
    r"(?:(?P<app>[A-Za-z][\w./#-]{0,63}?)(?:\[(?P<procid>[^\]\s]{1,32})\])?: |(?=%))")
#: "<189>123: host: *Nov 28 03:41:07.123 UTC: %MSG" and "<189>123: Nov 28 03:41:07.123: %MSG" (Cisco)
_FAST_CISCO_RE = re.compile(
    rf"<(?P<pri>\d{{1,3}})>(?P<seq>\d{{1,10}}): (?:{_FAST_HOST}: )?(?P<ts>(?>{_BSD})): (?=%)")
_SD_PARAM_RE = re.compile(r'\s+([^\s="\]]{1,32})="((?:[^"\\]|\\.)*)"')
_SEVWORDS = {"EMERG": 0, "ALERT": 1, "CRIT": 2, "ERR": 3, "ERROR": 3, "WARNING": 4, "WARN": 4,
             "NOTICE": 5, "INFO": 6, "DEBUG": 7}


# Header, result and message id are read-only by convention, not frozen: a frozen dataclass sets each
# field through object.__setattr__, which cost about a fifth of the parse time (three per line).
@dataclass(slots=True)
class SyslogHeader:
    """The framing of one message, before any vendor rule (read-only: copy with ``dataclasses.replace``)."""

    format: Literal["rfc5424", "rfc3164", "bare"]
    message: str
    facility: int | None = None
    severity: int | None = None
    timestamp: datetime | None = None
    clock_synced: bool = True
    host: str | None = None
    app: str | None = None
    procid: str | None = None
    msgid: str | None = None
    seq: int | None = None
    node: str | None = None
    structured_data: dict[str, dict[str, str]] = field(default_factory=dict)


_TZ_OBJECTS = {name: timezone(timedelta(minutes=minutes)) for name, minutes in _TZ_MINUTES.items()}


def _tz_from(text: str | None) -> timezone | None:
    if not text:
        return None
    tz = _TZ_OBJECTS.get(text)
    if tz is not None:
        return tz
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4])))


def _frac_us(frac: str | None) -> int:
    return int((frac or "0")[:6].ljust(6, "0"))


def _parse_iso(m: re.Match[str]) -> datetime:
    y, mo, d = (int(x) for x in m.group("date").split("-"))
    hh, mm, ss = (int(x) for x in m.group("time").split(":"))
    tz = _tz_from(m.group("tz")) or UTC
    return datetime(y, mo, d, hh, mm, min(ss, 59), _frac_us(m.group("frac")), tzinfo=tz).astimezone(UTC)


#: How many distinct BSD timestamps the parser remembers (a burst shares a handful of seconds).
_BSD_CACHE_SIZE = 4096
_ONE_DAY = timedelta(days=1)
_BSD_CACHE: dict[tuple[str, int], tuple[datetime, bool, datetime]] = {}


def _parse_bsd(m: re.Match[str], now: datetime, text: str | None = None) -> datetime:
    """The UTC time of a ``_BSD_RE`` match (``text``: the timestamp's text, when ``m`` matched more)."""
    key = (text or m.group(0), now.year)
    hit = _BSD_CACHE.get(key)
    if hit is None:
        month = _MONTHS.get(m.group("mon").lower())
        if month is None:
            raise ParseError(f"unknown month {m.group('mon')!r}")
        hh, mm, ss = (int(x) for x in m.group("time").split(":"))
        tz = _tz_from(m.group("tz") or m.group("tz_off")) or UTC
        year_text = m.group("year1") or m.group("year2")
        year = int(year_text) if year_text else now.year
        local = datetime(year, month, int(m.group("day")), hh, mm, min(ss, 59), _frac_us(m.group("frac")), tzinfo=tz)
        hit = (local, bool(year_text), local.astimezone(UTC))
        if len(_BSD_CACHE) >= _BSD_CACHE_SIZE:
            _BSD_CACHE.clear()
        _BSD_CACHE[key] = hit
    stamp, had_year, utc = hit
    if not had_year and utc - now > _ONE_DAY:  # December's messages read in January
        return stamp.replace(year=stamp.year - 1).astimezone(UTC)
    return utc


def _parse_sd(text: str) -> tuple[dict[str, dict[str, str]], str]:
    """RFC 5424 STRUCTURED-DATA at the start of ``text`` → ({sd-id: {param: value}}, rest)."""
    if text.startswith("-"):
        return {}, text[1:].lstrip(" ")
    sd: dict[str, dict[str, str]] = {}
    pos = 0
    while pos < len(text) and text[pos] == "[":
        end_id = pos + 1
        while end_id < len(text) and text[end_id] not in " ]":
            end_id += 1
        sd_id = text[pos + 1:end_id]
        if not sd_id:
            raise ParseError("structured data element without an SD-ID")
        params: dict[str, str] = {}
        pos = end_id
        while True:
            m = _SD_PARAM_RE.match(text, pos)
            if not m:
                break
            params[m.group(1)] = re.sub(r"\\([\"\\\]])", r"\1", m.group(2))
            pos = m.end()
        while pos < len(text) and text[pos] == " " and pos + 1 < len(text) and text[pos + 1] in " ]":
            pos += 1  # "[junos@2636.1.1.1.2.18 ]": a stray space before the bracket
        if pos >= len(text) or text[pos] != "]":
            raise ParseError(f"structured data element [{sd_id} is not closed")
        sd[sd_id] = params
        pos += 1
    if not sd:
        raise ParseError("RFC 5424 header without structured data ('-' or '[...]')")
    return sd, text[pos:].lstrip(" ")


_TS_FIRST = frozenset("*.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_NODE_FIRST = frozenset("RL0123456789")


def _match_ts(text: str) -> re.Match[str] | None:
    # the first character rules most items out without a regex: a timestamp starts with a digit
    # (ISO 8601, an NX-OS year), a capital (the month) or an IOS clock flag
    first = text[:1]
    if first not in _TS_FIRST:
        return None
    if first.isdigit():
        return _ISO_RE.match(text) or _BSD_RE.match(text)
    return _BSD_RE.match(text)


def _scan_header(text: str, now: datetime, *, after_pri: bool
                 ) -> tuple[int | None, list[str], str | None, datetime | None, bool, bool, str]:
    """Walk the header items before the tag/message of a non-RFC 5424 line.

    Devices and relays stack them: an RFC 3164 header (``Nov 28 03:41:07 host``) that a relay
    or the device's own syslog client adds, then Cisco's sequence number (``123: ``), its
    ``logging origin-id`` host (``rtr-001: ``), an IOS-XR node (``RP/0/RSP0/CPU0:``) and the
    device's own timestamp, which ends with ``:`` (``*Nov 28 03:41:07.123 UTC: ``). NX-OS may
    put the host after that timestamp (``2026 Nov 28 03:41:07 UTC: n9k-01 %ETHPORT-...``).

    Returns (sequence number, hosts in order, node, timestamp, clock synced, saw a timestamp,
    the rest). The device's own timestamp (the last one) wins over a relay's.
    """
    seq: int | None = None
    hosts: list[str] = []
    node: str | None = None
    stamp: datetime | None = None
    synced = True
    saw_ts = False
    ahead: re.Match[str] | None = None  # a timestamp already matched at the start of ``text``
    prev: str | None = None  # kind of the previous item: seq | ts | ts: (ends the header) | host | node
    if after_pri and text.startswith(": "):  # "<189>: ..." (NX-OS, IOS without sequence numbers)
        text, prev = text[2:], "seq"
    for _ in range(12):
        if prev == "ts:":
            # after the device's own timestamp only the tag/message follows, or an NX-OS host before "%..."
            hm = _HOST_RE.match(text)
            if (hm and not hosts and hm.group("sep").strip() == ""
                    and _MNEMONIC_START_RE.match(text, hm.end())):
                hosts.append(hm.group("host"))
                text = text[hm.end():]
            break
        ms = _SEQ_RE.match(text) if text[:1].isdigit() else None
        if ms and prev != "node":
            seq, text, prev = int(ms.group("seq")), text[ms.end():].lstrip(" "), "seq"
            continue
        ts_m = ahead if ahead is not None else _match_ts(text)
        ahead = None
        if ts_m is not None:
            try:
                stamp = _parse_iso(ts_m) if ts_m.re is _ISO_RE else _parse_bsd(ts_m, now)
            except (ValueError, OverflowError) as e:
                raise ParseError(f"bad timestamp {ts_m.group(0)!r}: {e}") from e
            synced = not (ts_m.re is _BSD_RE and ts_m.group("flag"))
            saw_ts = True
            text = text[ts_m.end():]
            colon = text.startswith(":") or text.startswith(" :")
            text = text.lstrip(" ").removeprefix(":").lstrip(" ") if colon else text.lstrip(" ")
            prev = "ts:" if colon else "ts"
            continue
        if prev != "node" and text[:1] in _NODE_FIRST:
            nm = _NODE_RE.match(text)
            if nm and (prev == "host" or not hosts):
                node, text, prev = nm.group("node"), text[nm.end():], "node"
                continue
        if prev == "node":
            break  # a node is followed by its timestamp; anything else is the message
        hm = _HOST_RE.match(text)
        if hm:
            rest = text[hm.end():]
            spaced = hm.group("sep").strip() == ""
            next_seq = rest[:1].isdigit() and _SEQ_RE.match(rest) is not None
            ahead = None if next_seq else _match_ts(rest)  # reused by the next item when the host is kept
            strong = next_seq or ahead is not None or (
                spaced and rest[:1] in _NODE_FIRST and _NODE_RE.match(rest) is not None)
            # a second host (origin-id after a relay's header) only where Cisco puts one:
            # after a sequence number or before one, so "host1 cron: Jun  5 ..." keeps host1
            if strong and (not hosts or prev == "seq" or next_seq):
                hosts.append(hm.group("host"))
                text, prev = rest, "host"
                continue
            ahead = None
            # "123: rtr-001: %LINK-..." (origin-id without timestamps)
            if prev == "seq" and not spaced and _MNEMONIC_START_RE.match(rest):
                hosts.append(hm.group("host"))
                text, prev = rest, "host"
                break
        if prev == "ts":
            # RFC 3164: the HOSTNAME follows the timestamp, unless the next token is already a tag;
            # after a relay's header, the device's own "timestamp host %%01..." (Huawei) names the device
            token, _, rest = text.partition(" ")
            if hosts and not (rest.startswith(("%", "<")) or _TAG_RE.match(rest)):
                break
            if token and not token.endswith(":") and not token.startswith("%") and "[" not in token:
                if hosts:
                    # "relay-ts relay devts device rpd[1]: ...": a relay's RFC 3164 header before the
                    # device's own; the relay's name is never the device, even when the device's is an address
                    hosts.clear()
                hosts.append(token)
                text, prev = rest.lstrip(" "), "host"
                continue
        break
    return seq, hosts, node, stamp, synced, saw_ts, text


@functools.lru_cache(maxsize=4096)  # relays and origin-ids repeat a few names; a miss raises inside ipaddress
def is_ip(text: str) -> bool:
    """Whether ``text`` is an IPv4 or IPv6 address."""
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


#: Programs whose names look like host names (a digit, a '-' or '.'), never taken for the device.
_PROGRAM_NAMES = frozenset({"ospf6d", "ospf6", "snmpd", "ntpd", "sshd", "python3", "ProcMgr-worker", "ProcMgr-master"})


def _relay_named_device(host: str | None, app: str) -> bool:
    """RFC 5424 from a relay: HOSTNAME is an address (or localhost) and APP-NAME is a host name."""
    return (host is not None and (host == "localhost" or is_ip(host)) and looks_like_device_tag(app)
            and ("-" in app or "." in app) and app not in _PROGRAM_NAMES and not app.startswith("%"))


def _pick_host(hosts: list[str]) -> str | None:
    """The device's own name: the innermost host, unless it is an address and an outer one is a name."""
    if len(hosts) < 2:
        return hosts[0] if hosts else None
    names = [h for h in hosts if not is_ip(h)]
    return names[-1] if names else hosts[-1]


def _fast_frame(text: str, now: datetime) -> SyslogHeader | None:
    """The header of a line in one of the common shapes, exactly as the general scan reads it; else None."""
    if text.startswith("<", 0, 1):
        fm = _FAST_3164_RE.match(text)
        if fm is not None:
            app = fm.group("app")
            msg = text[fm.end():]
            if app is not None and ("CPU" in app or (msg[:1].isdigit() and _SEQ_RE.match(msg))):
                return None  # an IOS-XR node, or "relay host 123: ..." (a Cisco sequence number follows)
            seq = None
        else:
            fm = _FAST_CISCO_RE.match(text)
            if fm is None:
                return None
            app, msg, seq = None, text[fm.end():], int(fm.group("seq"))
        host = fm.group("host")
        pri = int(fm.group("pri"))
        if pri > 191 or (host is not None and "CPU" in host):
            return None
        try:
            stamp = _parse_bsd(fm, now, fm.group("ts"))
        except (ValueError, OverflowError, ParseError):
            return None  # the general scan says what is wrong with it
        return SyslogHeader("rfc3164", msg, pri >> 3, pri & 7, stamp, not fm.group("flag"), host, app,
                            fm.group("procid") if app is not None else None, None, seq, None)
    return None


def parse_frame(raw: str, *, now: datetime | None = None) -> SyslogHeader:
    """Split one syslog line into its header fields; ``ParseError`` when the framing is malformed."""
    now = now or datetime.now(UTC)
    text = raw.strip("\r\n\x00 \ufeff")
    if not text:
        raise ParseError("empty message")
    return _fast_frame(text, now) or _frame(text, now)


def _frame(text: str, now: datetime) -> SyslogHeader:
    """The general reading of a stripped, non-empty line (``_fast_frame`` gives the same for its shapes)."""
    facility = severity = None
    pm = PRI_RE.match(text)
    if pm:
        pri = int(pm.group(1))
        if pri > 191:
            raise ParseError(f"PRI {pri} out of range (0-191)")
        facility, severity = divmod(pri, 8)
        text = text[pm.end():]
    elif text.startswith("<"):
        raise ParseError("malformed PRI: expected <0-191>")

    m5 = _RFC5424_RE.match(text)
    if pm and m5:
        if m5.group("version") != "1":
            raise ParseError(f"unsupported syslog version {m5.group('version')}")
        ts = None
        if m5.group("ts") != "-":
            mi = _ISO_RE.fullmatch(m5.group("ts"))
            try:
                if not mi:
                    raise ValueError("not ISO 8601")
                ts = _parse_iso(mi)
            except (ValueError, OverflowError) as e:
                raise ParseError(f"bad RFC 5424 timestamp {m5.group('ts')!r}: {e}") from e
        sd, msg = _parse_sd(text[m5.end():]) if m5.end() < len(text) else ({}, "")
        nil = lambda v: None if v == "-" else v  # noqa: E731
        msg = msg.lstrip("\ufeff")
        host, app = nil(m5.group("host")), nil(m5.group("app"))
        seq = int(app) if app and app.isdigit() else None
        if seq is not None:
            app = None
        if msg and msg[0] != "%" and "%" in msg:
            # a relay (rsyslog RSYSLOG_SyslogProtocol23Format) re-framed a Cisco line: the device's
            # sequence number became APP-NAME and its own header items (origin-id host, IOS-XR node,
            # timestamp, XR process tag) lead the MSG before the %FAC-SEV-MNEMONIC
            inner_seq, hosts, node, stamp, inner_synced, saw_ts, rest = _scan_header(msg, now, after_pri=False)
            tag = _TAG_RE.match(rest) if not rest.startswith("%") else None
            if tag and rest.startswith("%", tag.end()):  # IOS-XR: "... UTC: bgp[1052]: %ROUTING-..."
                rest = rest[tag.end():]
            if rest.startswith("%") and (hosts or saw_ts or inner_seq is not None or node):
                if app and not hosts and looks_like_device_tag(app) and app.lower() != (host or "").lower():
                    hosts = [app]  # syslog-ng put the device's name in APP-NAME: it beats the relay's
                if tag:
                    app = tag.group("app")
                host = _pick_host([host, *hosts] if host else hosts) if hosts else host
                return SyslogHeader("rfc5424", rest, facility, severity, stamp or ts, inner_synced, host, app,
                                    nil(m5.group("procid")), nil(m5.group("msgid")),
                                    inner_seq if inner_seq is not None else seq, node, structured_data=sd)
        if app and _relay_named_device(host, app):
            # a relay that knew the device only by address put the device's own name in APP-NAME
            # ("10.0.0.9 MLXe-16-core1 - - - System: Interface ..."): the name wins, the program is in MSG
            host, app = app, None
            tm = _TAG_RE.match(msg) if not msg.startswith(("%", "<")) else None
            if tm:
                app, msg = tm.group("app"), msg[tm.end():]
        return SyslogHeader("rfc5424", msg, facility, severity, ts, True, host, app, nil(m5.group("procid")),
                            nil(m5.group("msgid")), seq, structured_data=sd)

    seq, hosts, node, stamp, synced, saw_ts, text = _scan_header(text, now, after_pri=pm is not None)
    host = _pick_host(hosts)
    if not saw_ts and not pm and seq is None:
        raise ParseError("no <PRI> and no timestamp: not a syslog message")
    fmt: Literal["rfc3164", "bare"] = "rfc3164" if (saw_ts or host) else "bare"
    app = procid = None
    tm = _TAG_RE.match(text)
    if tm and not text.startswith("%"):
        app, procid = tm.group("app"), tm.group("procid")
        if tm.group("sevword") and severity is None:
            severity = _SEVWORDS[tm.group("sevword")]
        text = text[tm.end():]
    return SyslogHeader(fmt, text, facility, severity, stamp, synced, host, app, procid, None, seq, node)
