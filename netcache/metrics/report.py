"""``netcache report``: what the cache did, what it saved, and what needs attention.

Reads the numbers every process flushed to Redis (``nc:m:*``, see
:mod:`netcache.metrics.recorder`) and the tier sizes (``{nc}:tier:*``), and prints the
sections: overall, by match kind, performance, cost, cache state,
hit rate by query type, a monthly projection and warnings.

    build_report(redis, settings) -> Report     Report.render() -> str, Report.to_dict() -> dict
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import click
import redis as redis_lib

from netcache.connections import make_redis, redact_url
from netcache.metrics.export import read_snapshot
from netcache.metrics.recorder import HIT_OUTCOMES
from netcache.settings import Settings

__all__ = [
    "Report",
    "build_report",
    "report_command",
    "HIT_RATE_MIN",
    "EVICTIONS_PER_HOUR_MAX",
    "FALSE_POSITIVE_RATE_MAX",
    "HIT_LATENCY_MAX_S",
    "DEFAULT_MONTHLY_REQUESTS",
    "DEFAULT_COST_PER_CALL_USD",
]

#: Warn below this hit rate (70 %).
HIT_RATE_MIN = 0.70
#: Warn above this many evictions in the last hour (100/hour).
EVICTIONS_PER_HOUR_MAX = 100
#: Warn above this false-positive rate among semantic candidates (5 %).
FALSE_POSITIVE_RATE_MAX = 0.05
#: ... judged only over at least this many semantic candidates: one rejection of one candidate is not a rate.
FALSE_POSITIVE_MIN_CANDIDATES = 20
#: Warn when the average cache hit takes longer than this (100 ms).
HIT_LATENCY_MAX_S = 0.100
#: Monthly volume used when no rate can be measured yet (150k requests/month, a mid-sized NOC's chatbot).
DEFAULT_MONTHLY_REQUESTS = 150_000
#: LLM call cost used when no call was measured yet ($0.10, a typical network-troubleshooting answer).
DEFAULT_COST_PER_CALL_USD = 0.10
#: A request rate is extrapolated to a month only from at least this long a window.
_MIN_RATE_WINDOW_S = 600
_MONTH_S = 30 * 24 * 3600
_KINDS = ("exact", "semantic", "stale", "waited", "generated", "miss")


def _ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1000:,.1f} ms"


def _usd(x: float | None) -> str:
    if x is None:
        return "—"
    return f"${x:,.4f}" if abs(x) < 1 else f"${x:,.2f}"


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f} %"


@dataclass
class Report:
    """The numbers of one report, derived from a metrics snapshot."""

    snapshot: dict[str, Any]
    derived: dict[str, Any]
    projection: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    redis_url: str = ""
    generated_at: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        snap = {k: v for k, v in self.snapshot.items()}
        snap["latency"] = {k: {kk: vv for kk, vv in v.items() if kk != "buckets"}
                           for k, v in self.snapshot["latency"].items()}
        return {"generated_at": self.generated_at, "redis_url": self.redis_url, "metrics": snap,
                "derived": self.derived, "projection": self.projection, "warnings": self.warnings}

    def render(self) -> str:
        s, d, p = self.snapshot, self.derived, self.projection
        lines: list[str] = []

        def section(title: str) -> None:
            lines.extend(["", title, "-" * len(title)])

        def row(label: str, value: str, note: str = "") -> None:
            lines.append(f"  {label:<30} {value:>16}  {note}".rstrip())

        lines.append(f"netcache report — {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime(self.generated_at))}"
                     f" — Redis {self.redis_url}")
        section("Overall")
        row("requests", f"{s['requests']:,}")
        row("hits", f"{s['hits']:,}")
        row("misses", f"{s['misses']:,}")
        row("hit rate", _pct(s["hit_rate"]) if s["requests"] else "—")
        row("measured over", f"{s['window_s'] / 3600:,.2f} h" if s["first_ts"] else "—")
        for purpose, outcomes in sorted(s.get("background_lookups", {}).items()):
            row(f"{purpose} lookups (not counted)", f"{sum(outcomes.values()):,}",
                ", ".join(f"{o} {n:,}" for o, n in sorted(outcomes.items())))

        section("By match kind")
        for kind in _KINDS:
            n = s["by_outcome"].get(kind, 0)
            if n or kind in ("exact", "semantic", "miss"):
                share = n / s["requests"] if s["requests"] else None
                row(kind, f"{n:,}", f"{_pct(share)} of requests" + (" (hit)" if kind in HIT_OUTCOMES else ""))

        section("Performance")
        row("average hit latency", _ms(s["latency"]["hit"]["avg_s"]),
            f"p95 {_ms(s['latency']['hit']['p95_s'])}")
        row("average miss latency", _ms(s["latency"]["miss"]["avg_s"]),
            f"p95 {_ms(s['latency']['miss']['p95_s'])}")
        row("average LLM call", _ms(s["latency"]["llm"]["avg_s"]), f"{s['latency']['llm']['count']:,} calls")
        row("average over all requests", _ms(s["latency"]["all"]["avg_s"]),
            f"p50 {_ms(s['latency']['all']['p50_s'])}, p95 {_ms(s['latency']['all']['p95_s'])}, "
            f"p99 {_ms(s['latency']['all']['p99_s'])}")
        row("latency saved", f"{d['latency_saved_s']:,.1f} s", "hits × (LLM call − hit)")

        section("Cost")
        row("spent on LLM calls", _usd(s["llm"]["cost_usd"]),
            f"{s['llm']['calls']:,} calls, {s['llm']['input_tokens']:,} in / {s['llm']['output_tokens']:,} out tokens")
        for purpose, r in sorted(s["llm"]["by_purpose"].items()):
            row(f"  {purpose}", _usd(r["cost_usd"]), f"{r['calls']:,} calls")
        row("estimated savings", _usd(s["saved_usd"]), "recorded cost of the calls hits avoided − hit cost")
        row("cost per LLM call", _usd(d["cost_per_call_usd"]))
        row("cost per cache hit", _usd(d["hit_cost_usd"]))

        section("Cache state")
        for tier, n in s["entries"]["by_tier"].items():
            row(f"entries {tier}", f"{n:,}")
        row("entries total", f"{s['entries']['total']:,}")
        row("evictions", f"{s['evictions']['total']:,}",
            ", ".join(f"{t} {n:,}" for t, n in sorted(s["evictions"]["by_tier"].items())))
        row("evictions in the last hour", f"{s['evictions']['last_hour']:,}")
        row("false positives", f"{s['false_positives']['total']:,}",
            f"{_pct(s['false_positives']['rate'])} of semantic candidates")
        row("near misses", f"{s['near_misses']['total']:,}", "candidates just below the threshold")

        section("Guard rejections by reason")
        rejected = s.get("guard_rejected", {})
        if rejected:
            lines.append(f"  {'reason':<30} {'rejected':>10}  by query type")
            for rule, r in sorted(rejected.items(), key=lambda kv: (-kv[1]["total"], kv[0])):
                by_qt = ", ".join(f"{qt} {n:,}" for qt, n in sorted(r["by_query_type"].items(), key=lambda kv: -kv[1]))
                lines.append(f"  {rule:<30} {r['total']:>10,}  {by_qt}")
        else:
            lines.append("  (none: no semantic candidate was rejected)")

        section("Hit rate by query type")
        if s["by_query_type"]:
            lines.append(f"  {'query type':<30} {'requests':>10} {'hits':>10} {'hit rate':>10}")
            for qt, r in sorted(s["by_query_type"].items(), key=lambda kv: -kv[1]["requests"]):
                lines.append(f"  {qt:<30} {r['requests']:>10,} {r['hits']:>10,} {_pct(r['hit_rate']):>10}")
        else:
            lines.append("  (no requests yet)")

        section("Monthly projection")
        row("requests per month", f"{p['monthly_requests']:,}", p["requests_basis"])
        row("hit rate", _pct(p["hit_rate"]), p["hit_rate_basis"])
        row("cost per LLM call", _usd(p["cost_per_call_usd"]), p["cost_basis"])
        row("warming and refresh", _usd(p["warming_usd"]), p["warming_basis"])
        row("without cache", _usd(p["cost_without_cache_usd"]))
        row("with cache", _usd(p["cost_with_cache_usd"]), "misses + hits + warming and refresh")
        row("savings", _usd(p["savings_usd"]), _pct(p["savings_ratio"]))

        section("Warnings")
        lines.extend(f"  ! {w}" for w in self.warnings) if self.warnings else lines.append("  none")
        return "\n".join(lines) + "\n"


def _projection(s: dict[str, Any], settings: Settings, monthly_requests: int | None) -> dict[str, Any]:
    if monthly_requests is not None:
        monthly, requests_basis = monthly_requests, "given (--monthly-requests)"
    elif s["requests"] and s["window_s"] >= _MIN_RATE_WINDOW_S:
        monthly = round(s["requests"] / s["window_s"] * _MONTH_S)
        requests_basis = "measured request rate × 30 days"
    else:
        monthly, requests_basis = DEFAULT_MONTHLY_REQUESTS, "assumed 150k requests/month (too little data to measure)"
    if s["requests"]:
        hit_rate, hit_rate_basis = s["hit_rate"], "measured"
    else:
        hit_rate, hit_rate_basis = 0.0, "no requests yet"
    user = s["llm"]["by_purpose"].get("user", {"calls": 0, "cost_usd": 0.0})
    calls, cost = (user["calls"], user["cost_usd"]) if user["calls"] else (s["llm"]["calls"], s["llm"]["cost_usd"])
    if calls:
        per_call, cost_basis = cost / calls, "measured average"
    else:
        per_call, cost_basis = DEFAULT_COST_PER_CALL_USD, "assumed $0.10 per call (no calls measured)"
    hit_cost = settings.llm.hit_cost_usd
    background_usd = sum(r["cost_usd"] for p, r in s["llm"]["by_purpose"].items() if p != "user")
    if background_usd and s["window_s"] >= _MIN_RATE_WINDOW_S:
        background_monthly, background_basis = background_usd / s["window_s"] * _MONTH_S, "measured rate × 30 days"
    else:
        background_monthly = 0.0
        background_basis = "too little data to measure" if background_usd else "no warming measured"
    without = monthly * per_call
    with_cache = monthly * (1 - hit_rate) * per_call + monthly * hit_rate * hit_cost + background_monthly
    return {
        "monthly_requests": int(monthly), "requests_basis": requests_basis,
        "hit_rate": hit_rate, "hit_rate_basis": hit_rate_basis,
        "cost_per_call_usd": per_call, "cost_basis": cost_basis, "hit_cost_usd": hit_cost,
        "warming_usd": background_monthly, "warming_basis": background_basis,
        "cost_without_cache_usd": without, "cost_with_cache_usd": with_cache,
        "savings_usd": without - with_cache, "savings_ratio": (without - with_cache) / without if without else None,
    }


def _warnings(s: dict[str, Any]) -> list[str]:
    out = []
    if s["requests"] and s["hit_rate"] < HIT_RATE_MIN:
        out.append(f"hit rate {_pct(s['hit_rate'])} is below {_pct(HIT_RATE_MIN)}: warm the top queries, "
                   "check normalisation, or tune the semantic threshold (`netcache tune`)")
    if s["evictions"]["last_hour"] > EVICTIONS_PER_HOUR_MAX:
        out.append(f"{s['evictions']['last_hour']:,} evictions in the last hour (> {EVICTIONS_PER_HOUR_MAX}): "
                   "the tiers are too small for the working set; raise the tier sizes or Redis maxmemory")
    fp = s["false_positives"]
    if fp["rate"] > FALSE_POSITIVE_RATE_MAX and fp.get("candidates", 0) >= FALSE_POSITIVE_MIN_CANDIDATES:
        out.append(f"false-positive rate {_pct(s['false_positives']['rate'])} is above "
                   f"{_pct(FALSE_POSITIVE_RATE_MAX)}: raise NETCACHE_CACHE__SEMANTIC_THRESHOLD")
    hit_avg = s["latency"]["hit"]["avg_s"]
    if hit_avg is not None and hit_avg > HIT_LATENCY_MAX_S:
        out.append(f"average hit latency {_ms(hit_avg)} is above {_ms(HIT_LATENCY_MAX_S)}: check Redis "
                   "latency and the embedder (cached embeddings, batch size)")
    if s.get("invalid_records"):
        out.append(f"{s['invalid_records']:,} metric records were refused as bad input (see the process logs)")
    return out


def read_guard_rejections(redis: redis_lib.Redis, settings: Settings) -> dict[str, dict[str, Any]]:
    """``{rule: {"total": n, "by_query_type": {qt: n}}}`` from ``nc:m:gr`` (Metrics.guard_rejected)."""
    out: dict[str, dict[str, Any]] = {}
    for field_, value in (redis.hgetall(f"{settings.key_prefix}:m:gr") or {}).items():
        f = field_.decode() if isinstance(field_, bytes) else str(field_)
        rule, _, qt = f.partition("|")
        r = out.setdefault(rule, {"total": 0, "by_query_type": {}})
        r["total"] += int(value)
        r["by_query_type"][qt or "unknown"] = r["by_query_type"].get(qt or "unknown", 0) + int(value)
    return out


def build_report(redis: redis_lib.Redis, settings: Settings, *, monthly_requests: int | None = None,
                 now: float | None = None) -> Report:
    """Read the shared metrics and derive the report (raises redis errors if Redis is down)."""
    now = time.time() if now is None else now
    s = read_snapshot(redis, settings, now=now)
    s["guard_rejected"] = read_guard_rejections(redis, settings)
    hit_avg, llm_avg = s["latency"]["hit"]["avg_s"], s["latency"]["llm"]["avg_s"]
    miss_avg = s["latency"]["miss"]["avg_s"]
    avoided = llm_avg if llm_avg is not None else miss_avg
    derived = {
        "latency_saved_s": s["hits"] * max(0.0, (avoided or 0.0) - (hit_avg or 0.0)),
        "cost_per_call_usd": s["llm"]["cost_usd"] / s["llm"]["calls"] if s["llm"]["calls"] else None,
        "hit_cost_usd": settings.llm.hit_cost_usd,
    }
    return Report(snapshot=s, derived=derived, projection=_projection(s, settings, monthly_requests),
                  warnings=_warnings(s), redis_url=redact_url(settings.redis_url), generated_at=now)


@click.command("report")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--monthly-requests", type=click.IntRange(min=0), default=None,
              help="Project monthly cost at this many requests (default: the measured rate, else 150,000).")
def report_command(as_json: bool, monthly_requests: int | None) -> None:
    """Hit rate, latency, cost and savings of the cache, from the numbers in Redis."""
    settings = Settings()
    client = make_redis(settings, socket_timeout=5)
    url = redact_url(settings.redis_url)
    try:
        report = build_report(client, settings, monthly_requests=monthly_requests)
    except (redis_lib.ConnectionError, redis_lib.TimeoutError) as e:
        click.echo(f"error: cannot reach Redis at {url} ({e.__class__.__name__}: {e}). Start Redis or set "
                   "NETCACHE_REDIS_URL to the Redis netcache writes to.", err=True)
        sys.exit(1)
    except redis_lib.AuthenticationError:
        click.echo(f"error: Redis at {url} rejected the credentials: check the password in NETCACHE_REDIS_URL.",
                   err=True)
        sys.exit(1)
    finally:
        client.close()
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, sort_keys=True))
    else:
        click.echo(report.render(), nl=False)
