"""Score the syslog parser on a corpus with neutral labels (tests/data/syslog/blind_corpus.jsonl, written blind):
``python -m bench.score_syslog_blind tests/data/syslog/blind_corpus.jsonl [--show N]`` prints per-OS accuracy."""

import collections
import ipaddress
import json
import sys

from netcache.events.syslog.parser import SyslogParser

try:
    from netcache.matching.entities import normalize_interface
except Exception:
    normalize_interface = None

IFACE_DOWN = {"link_down", "lineproto_down", "admin_down", "err_disabled", "lag_member_down"}
IFACE_UP = {"link_up", "lineproto_up", "lag_member_up"}


def type_ok(kind, ev):
    t = ev.get("type", "")
    if kind in IFACE_DOWN | IFACE_UP | {"speed_change", "duplex_change"}:
        if not ("interface" in t or "lag" in t or "port" in t):
            return False
        st = str(ev.get("state") or ev.get("new_state") or "").lower()
        if (
            kind in IFACE_DOWN
            and kind != "err_disabled"
            and st
            and st not in ("down", "err-disabled", "errdisabled", "disabled")
        ):
            return False
        if kind in IFACE_UP and st and st != "up":
            return False
        return True
    if kind == "bgp_up":
        return t == "bgp_up"
    if kind == "bgp_down":
        return t == "bgp_down"
    if kind == "bgp_transition":
        return t.startswith("bgp") and t != "bgp_up"
    if kind in ("bgp_reset", "bgp_prefix_limit", "bgp_notification"):
        return t.startswith("bgp")
    if kind.startswith("ospf"):
        return "ospf" in t
    if kind.startswith("isis"):
        return "isis" in t
    if kind.startswith("bfd"):
        return "bfd" in t
    if kind.startswith("config"):
        return "config" in t
    if kind == "reboot":
        return "reboot" in t
    if kind == "process_restart":
        return "process" in t or "restart" in t and "reboot" not in t
    if kind.startswith("maintenance"):
        return "maint" in t
    return False


def norm_if(x):
    if not x:
        return x
    if normalize_interface:
        try:
            return normalize_interface(x).lower()
        except Exception:
            pass
    return x.lower()


def norm_ip(x):
    try:
        return str(ipaddress.ip_address(x))
    except Exception:
        return str(x).lower()


def check(exp, ev):
    why = []
    if not type_ok(exp["kind"], ev):
        why.append(f"type {ev.get('type')} for {exp['kind']}")
    if exp.get("device") and (ev.get("device") or "").lower() != exp["device"].lower():
        why.append(f"device {ev.get('device')!r} != {exp['device']!r}")
    if exp.get("interface"):
        want = norm_if(exp["interface"])
        vals = {norm_if(v) for k, v in ev.items() if isinstance(v, str) and k not in ("raw", "device", "id")}
        vals |= {norm_if(x) for k, v in ev.items() if isinstance(v, list) for x in v if isinstance(x, str)}
        if want not in vals:
            why.append(f"interface {exp['interface']!r} not in event")
    if exp.get("neighbor"):
        want = norm_ip(exp["neighbor"])
        vals = {norm_ip(v) for k, v in ev.items() if isinstance(v, str) and k not in ("raw", "id")}
        if want not in vals:
            why.append(f"neighbor {exp['neighbor']!r} not in event")
    return why


#: the sender every line is scored as coming from: the listener always knows the packet's source
#: address (and maps it to a name through the inventory), so a line without a host still names a device
SOURCE = "192.0.2.254"


def main():
    path = sys.argv[1]
    show = int(sys.argv[sys.argv.index("--show") + 1]) if "--show" in sys.argv else 0
    parser = SyslogParser()
    per = collections.defaultdict(lambda: [0, 0, 0, 0])  # relevant ok, relevant n, noise ok, noise n
    bad = []
    for line in open(path):
        row = json.loads(line)
        exp = row["expect"]
        res = parser.parse(row["raw"], source_address=SOURCE)
        ev = res.event.model_dump(mode="json") if res.event is not None else None
        c = per[row["os"]]
        if exp is None:
            c[3] += 1
            if ev is None:
                c[2] += 1
            else:
                bad.append((row["os"], "noise gave " + ev["type"], row["raw"]))
        else:
            c[1] += 1
            why = ["no event (" + str(res.status) + ": " + str(res.reason) + ")"] if ev is None else check(exp, ev)
            if not why:
                c[0] += 1
            else:
                bad.append((row["os"], "; ".join(why) + f" [{exp['kind']}]", row["raw"]))
    tot = [sum(v[i] for v in per.values()) for i in range(4)]
    print(f"{'os':10} {'relevant ok':>14} {'acc':>6} {'noise ok':>10}")
    for os_, (a, n, b, m) in sorted(per.items()):
        print(f"{os_:10} {a:>6}/{n:<7} {a / n if n else 1:>6.1%} {b:>4}/{m:<5}")
    print(f"{'all':10} {tot[0]:>6}/{tot[1]:<7} {tot[0] / tot[1]:>6.1%} {tot[2]:>4}/{tot[3]:<5}")
    for b in bad[:show]:
        print(" -", b[0], "|", b[1], "|", b[2][:160])


main()
