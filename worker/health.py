"""The operator's status view.

Health keys are written and read by :mod:`netcache.health` (``check_health`` answers
``netcache health --component X``, the docker-compose healthcheck);
``collect_status`` gathers what ``netcache status`` shows: the stream and its
consumer group (length, lag, pending, oldest pending idle), dead letters,
Celery queue depths on the broker, the dispatcher counters, the last nightly
refresh, the fresh health keys, and the syslog lines no rule understood (the
unrecognized ratio of the last 15 min and the most frequent unrecognized message
ids with a sample line each, so an operator sees which rule to add).
"""

from __future__ import annotations

import time
from typing import Any

import redis

from netcache.events.syslog.unrecognized import read_top
from netcache.health import COMPONENTS, read_health
from netcache.keys import WorkerKeys
from netcache.metrics.export import read_syslog_window
from netcache.settings import Settings
from netcache.text import to_text

__all__ = ["QUEUES", "collect_status", "render_status"]

#: Celery queues whose depth ``status`` shows (LLEN of the broker lists).
QUEUES = ("invalidate", "warm")
#: Unrecognized syslog message ids ``status`` lists (the most frequent).
UNRECOGNIZED_SHOWN = 10


def collect_status(settings: Settings, redis_client: redis.Redis, broker_client: redis.Redis | None = None
                   ) -> dict[str, Any]:
    """Everything ``netcache status`` shows, as a dict (JSON-ready)."""
    w, prefix, stream = settings.worker, settings.key_prefix, settings.events.stream
    broker_client = broker_client or redis_client
    out: dict[str, Any] = {"stream": stream, "group": w.consumer_group, "length": int(redis_client.xlen(stream))}
    group: dict[str, Any] | None = None
    try:
        for g in redis_client.xinfo_groups(stream):
            if to_text(g["name"]) == w.consumer_group:
                group = g
    except redis.ResponseError:  # no stream yet
        group = None
    if group is None:
        out.update(group_exists=False, consumers=0, lag=None, pending=0, oldest_pending_idle_ms=None,
                   last_delivered_id=None)
    else:
        lag = group.get("lag")
        out.update(group_exists=True, consumers=int(group["consumers"]), lag=None if lag is None else int(lag),
                   pending=int(group["pending"]), last_delivered_id=to_text(group["last-delivered-id"]))
        oldest = redis_client.xpending_range(stream, w.consumer_group, min="-", max="+", count=1) \
            if out["pending"] else []
        out["oldest_pending_idle_ms"] = int(oldest[0]["time_since_delivered"]) if oldest else None
    out["dead_letters"] = int(redis_client.xlen(w.dead_letter_stream))
    out["queues"] = {q: int(broker_client.llen(q)) for q in QUEUES}
    keys = WorkerKeys(prefix)
    raw_stats = redis_client.hgetall(keys.stats("dispatcher"))
    out["dispatcher_counters"] = {to_text(k): int(v) for k, v in sorted(raw_stats.items())}
    refresh = redis_client.hgetall(keys.last_refresh) if \
        redis_client.type(keys.last_refresh) == b"hash" else {}
    out["last_refresh"] = {to_text(k): to_text(v) for k, v in refresh.items()} or None
    out["health"] = {c: [] for c in COMPONENTS}
    for record in read_health(redis_client, prefix):
        out["health"].setdefault(record.component, []).append(
            {"hostname": record.hostname, "ttl_s": record.ttl_s})
    out["syslog_unrecognized"] = {**read_syslog_window(redis_client, prefix),
                                  "top": read_top(redis_client, prefix, UNRECOGNIZED_SHOWN)}
    return out


def _ago(epoch_s: str | None) -> str:
    try:
        t = float(epoch_s or "")
    except ValueError:
        return epoch_s or "-"
    stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(t))
    return f"{stamp} ({max(0.0, time.time() - t) / 3600:.1f} h ago)"


def render_status(s: dict[str, Any]) -> str:
    """A readable table of ``collect_status``'s dict."""
    def fmt(v: Any) -> str:
        return "-" if v is None else str(v)

    rows = [
        ("events stream", f"{s['stream']}: {s['length']} entries"),
        ("consumer group", f"{s['group']}" + ("" if s["group_exists"] else " (not created yet)")),
        ("consumers", fmt(s["consumers"])),
        ("lag (not yet read)", fmt(s["lag"])),
        ("pending (read, not acked)", fmt(s["pending"])),
        ("oldest pending idle",
         "-" if s["oldest_pending_idle_ms"] is None else f"{s['oldest_pending_idle_ms'] / 1000:.1f} s"),
        ("dead letters", fmt(s["dead_letters"])),
    ]
    rows += [(f"queue {q}", fmt(n)) for q, n in s["queues"].items()]
    counters = s.get("dispatcher_counters") or {}
    rows.append(("dispatcher counters", " ".join(f"{k}={v}" for k, v in counters.items()) or "-"))
    refresh = s.get("last_refresh")
    rows.append(("last nightly refresh", _ago(refresh.get("at")) if refresh else "never"))
    for component, records in s["health"].items():
        state = ", ".join(f"{r['hostname']} (ttl {r['ttl_s']} s)" for r in records) if records else "DOWN"
        rows.append((f"health {component}", state))
    unrec = s.get("syslog_unrecognized")
    if unrec:
        lines = unrec["parsed"] + unrec["unrecognized"]
        rows.append(("syslog unrecognized", f"{unrec['ratio']:.1%} of {lines} lines in the last "
                     f"{unrec['window_s'] // 60:.0f} min ({unrec['unrecognized']} unrecognized, "
                     f"{unrec['parsed']} parsed)"))
    width = max(len(k) for k, _ in rows)
    text = "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)
    if unrec and unrec["top"]:
        text += "\n\nunrecognized syslog message ids (add a rule: NETCACHE_EVENTS__SYSLOG_RULES_FILE;" \
                " try the sample with `netcache events parse --rules FILE`)"
        id_width = max(len(t["id"]) for t in unrec["top"])
        for t in unrec["top"]:
            seen = f", last {_ago(str(t['last_seen']))}" if t.get("last_seen") else ""
            vendor = f", {t['vendor']}" if t.get("vendor") else ""
            lines_s = f"{t['lines']} line" + ("" if t["lines"] == 1 else "s")
            text += f"\n  {t['id'].ljust(id_width)}  {lines_s}{vendor}{seen}\n    {t['sample'] or '-'}"
    return text
