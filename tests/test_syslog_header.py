"""The header fast paths read every line they take exactly as the general header scan does.

``header._fast_frame`` matches the commonest shapes (RFC 3164 ``ts host app: msg``, Cisco ``seq: host: ts: %msg``)
with one pattern each; ``header._frame`` is the general scan. Wherever the fast path answers, both must give
the same ``SyslogHeader`` (same host, app, sequence number, time, clock flag, message): on every line of the
corpus, the vendor samples and the relay captures, on mutations of them, and on generated headers built from
the parts real devices and relays put in front.
"""

from __future__ import annotations

import json
import random
import re
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from netcache.events.syslog import header

DATA = Path(__file__).parent / "data" / "syslog"
NOW = datetime(2026, 11, 28, 4, 0, 0, tzinfo=UTC)


def _lines() -> list[str]:
    out: list[str] = []
    for name in ("corpus.jsonl", "vendor_messages.jsonl", "relayed.jsonl"):
        for row in (DATA / name).read_text().splitlines():
            if row.strip():
                obj = json.loads(row)
                out += [obj[k] for k in ("raw", "device_line", "forwarded") if k in obj]
    return list(dict.fromkeys(out))


LINES = _lines()


def _mutations(lines: list[str]) -> list[str]:
    rnd = random.Random(7)
    out = []
    for raw in lines:
        out.append("".join(rnd.choice("0123456789") if c.isdigit() and rnd.random() < 0.3 else c for c in raw))
        out.append(raw[: rnd.randrange(1, max(2, len(raw)))])
        out.append(raw.replace(" ", "  ", 1))
        out.append(raw.replace(": ", " : ", 1))
        out.append(raw.upper())
        out.append("<189>Nov 28 03:41:08 relay-9 " + re.sub(r"^<\d+>", "", raw))
        out.append("<30>Dec  1 00:00:01 10.0.0.9 " + re.sub(r"^<\d+>", "", raw))
    return out


def _general(text: str):
    try:
        return header._frame(text, NOW)
    except Exception as e:  # noqa: BLE001 - the comparison is of outcomes, errors included
        return type(e).__name__


def _check(lines: list[str]) -> int:
    taken = 0
    for raw in lines:
        text = raw.strip("\r\n\x00 \ufeff")
        if not text:
            continue
        fast = header._fast_frame(text, NOW)
        if fast is not None:
            taken += 1
            assert fast == _general(text), raw
    return taken


def test_fast_paths_agree_with_the_general_scan_on_every_real_line():
    taken = _check(LINES)
    assert taken >= len(LINES) // 3, f"the fast paths took only {taken} of {len(LINES)} lines"


def test_fast_paths_agree_with_the_general_scan_on_mutated_lines():
    assert _check(_mutations(LINES)) > 0


_TS = st.sampled_from(["Nov 28 03:41:07", "Nov  8 03:41:07", "*Nov 28 03:41:07.123", ".Nov 28 03:41:07.123 UTC",
                       "Nov 28 03:41:07.123 CET", "Nov 28 03:41:07 +01:00", "2018 Apr 20 13:15:07",
                       "Nov 28 2026 03:41:07", "Feb 30 03:41:07", "Nov 28 03:41:07 UTC DST", "Nov 28 25:41:07"])
_HOST = st.sampled_from(["rtr-001", "10.1.0.151", "sw1.dc2", "UTC", "EST", "Nov", "123", "2026", "RP0CPU0",
                         "R1", "LC", "a_b", "2001:db8::1", "x" * 70])
_APP = st.sampled_from(["Ebra", "rpd[2902]", "bgp#bgpd[51]", "INFO", "ERR bgpd[1]", "RP/0/RSP0/CPU0",
                        "LC/0/2/CPU0", "123", "TMNX", "ProcMgr-worker", "kernel", "a.b/c", "x[1 2]"])
_MSG = st.sampled_from(["%LINK-3-UPDOWN: Interface Gi0/1, changed state to down", "123: %SYS-5-RESTART: x",
                        "Nov 28 03:41:07.123: %BGP-5-ADJCHANGE: neighbor 10.0.0.2 Up", "%%01IFNET/4/LINK_STATE(l)[1]:",
                        "rtr-2: *Nov 28 03:41:07.123: %LINK-3-UPDOWN: x", "1,2026/11/28 03:41:07,01,SYSTEM,x", ""])


@hsettings(max_examples=600, deadline=None)
@given(pri=st.sampled_from(["<189>", "<13>", "<0>", "<191>", "<192>", "<999>"]), ts=_TS, host=_HOST, app=_APP,
       msg=_MSG, seq=st.sampled_from(["", "77: ", "4711: "]), shape=st.integers(0, 3))
def test_fast_paths_agree_with_the_general_scan_on_generated_headers(pri, ts, host, app, msg, seq, shape):
    line = [f"{pri}{ts} {host} {app}: {msg}",          # RFC 3164 with a program tag
            f"{pri}{ts} {host} {msg}",                 # RFC 3164, message right after the host (Huawei, EOS %...)
            f"{pri}{seq or '1: '}{host}: {ts}: {msg}",  # Cisco: sequence number, origin-id, own timestamp
            f"{pri}{seq or '1: '}{ts}: {msg}"][shape]   # Cisco without origin-id
    _check([line])
