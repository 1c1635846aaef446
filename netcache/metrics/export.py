"""Reading the shared metrics: the snapshot dict, quantiles, and the Prometheus export.

``read_snapshot(redis, settings)`` turns the ``nc:m:*`` hashes written by
:class:`netcache.metrics.recorder.Metrics` (from every process) into one plain dict, used
by ``netcache report``. ``RedisMetricsCollector`` exposes the same numbers to
Prometheus at scrape time, so any process's ``/metrics`` shows the global
view; ``render_prometheus`` gives the text for another HTTP server to serve
and ``start_metrics_http`` serves it on its own port.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from typing import Any

import redis as redis_lib

from netcache.events.syslog.unrecognized import SYSLOG_RATIO_WINDOW_S, unrecognized_ratio
from netcache.keys import Keys, SyslogUnrecognizedKeys
from netcache.metrics.names import HIT_OUTCOMES, LATENCY_BUCKETS_S, MISS_OUTCOMES
from netcache.settings import Settings

#: The window of ``netcache_syslog_unrecognized_ratio`` (15 min), here and on the listeners.

__all__ = [
    "read_snapshot",
    "estimate_quantile",
    "RedisMetricsCollector",
    "BreakerCollector",
    "render_prometheus",
    "start_metrics_http",
    "SYSLOG_RATIO_WINDOW_S",
    "unrecognized_ratio",
    "read_syslog_window",
]


def _hgetall(redis: redis_lib.Redis, key: str) -> dict[str, str]:
    return {(k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
            for k, v in redis.hgetall(key).items()}


def estimate_quantile(counts: list[int], q: float) -> float | None:
    """The q-quantile (0..1) from histogram bucket counts, interpolated inside its bucket."""
    total = sum(counts)
    if total == 0:
        return None
    rank = q * total
    seen = 0
    for i, n in enumerate(counts):
        if n and seen + n >= rank:
            lower = LATENCY_BUCKETS_S[i - 1] if i > 0 else 0.0
            upper = LATENCY_BUCKETS_S[i]
            if math.isinf(upper):
                return lower
            return lower + (upper - lower) * max(0.0, rank - seen) / n
        seen += n
    return LATENCY_BUCKETS_S[-2]


def _tier_sizes(redis: redis_lib.Redis, prefix: str) -> dict[str, int]:
    sizes = {}
    for tier in ("hot", "warm", "cold"):
        key = Keys(prefix).tier(tier)
        kind = redis.type(key)
        kind = kind.decode() if isinstance(kind, bytes) else kind
        if kind == "zset":
            sizes[tier] = int(redis.zcard(key))
        elif kind == "set":
            sizes[tier] = int(redis.scard(key))
        else:
            sizes[tier] = 0
    return sizes


def read_snapshot(redis: redis_lib.Redis, settings: Settings, *, now: float | None = None) -> dict[str, Any]:
    """Every process's numbers from the ``nc:m:*`` hashes, as one plain dict."""
    now = time.time() if now is None else now
    p = f"{settings.key_prefix}:m"
    lookup, lat, hist = _hgetall(redis, f"{p}:lookup"), _hgetall(redis, f"{p}:lat"), _hgetall(redis, f"{p}:hist")
    llm, saved, fp = _hgetall(redis, f"{p}:llm"), _hgetall(redis, f"{p}:saved"), _hgetall(redis, f"{p}:fp")
    nm, evict = _hgetall(redis, f"{p}:nm"), _hgetall(redis, f"{p}:evict")
    background: dict[str, dict[str, int]] = {}
    for field, n in _hgetall(redis, f"{p}:bglookup").items():
        outcome, _, purpose = field.partition("|")
        background.setdefault(purpose, {})[outcome] = int(n)
    evmin, meta = _hgetall(redis, f"{p}:evmin"), _hgetall(redis, f"{p}:meta")

    by_outcome: dict[str, int] = defaultdict(int)
    by_qt: dict[str, dict[str, Any]] = defaultdict(lambda: {"hits": 0, "misses": 0})
    for field, n in lookup.items():
        outcome, _, qt = field.partition("|")
        by_outcome[outcome] += int(n)
        by_qt[qt]["hits" if outcome in HIT_OUTCOMES else "misses"] += int(n)
    for row in by_qt.values():
        total = row["hits"] + row["misses"]
        row["requests"] = total
        row["hit_rate"] = row["hits"] / total if total else 0.0
    hits = sum(n for o, n in by_outcome.items() if o in HIT_OUTCOMES)
    misses = sum(n for o, n in by_outcome.items() if o in MISS_OUTCOMES)
    requests = hits + misses

    def lat_block(kind: str) -> dict[str, Any]:
        count = int(lat.get(f"{kind}_count", 0))
        total_s = float(lat.get(f"{kind}_sum_s", 0.0))
        block: dict[str, Any] = {"count": count, "sum_s": total_s, "avg_s": total_s / count if count else None}
        if kind != "llm":
            counts = [int(hist.get(f"{kind}|{i}", 0)) for i in range(len(LATENCY_BUCKETS_S))]
            block["buckets"] = counts
            for name, q in (("p50_s", 0.50), ("p95_s", 0.95), ("p99_s", 0.99)):
                block[name] = estimate_quantile(counts, q)
        return block

    latency = {kind: lat_block(kind) for kind in ("hit", "miss", "llm")}
    all_counts = [a + b for a, b in zip(latency["hit"]["buckets"], latency["miss"]["buckets"])]
    all_count = latency["hit"]["count"] + latency["miss"]["count"]
    all_sum = latency["hit"]["sum_s"] + latency["miss"]["sum_s"]
    latency["all"] = {"count": all_count, "sum_s": all_sum, "avg_s": all_sum / all_count if all_count else None,
                      "buckets": all_counts, "p50_s": estimate_quantile(all_counts, 0.5),
                      "p95_s": estimate_quantile(all_counts, 0.95), "p99_s": estimate_quantile(all_counts, 0.99)}

    by_purpose: dict[str, dict[str, Any]] = {}
    by_model: dict[str, int] = {}
    llm_by_qt: dict[str, int] = {}
    for field, v in llm.items():
        name, _, label = field.partition("|")
        if name == "model":
            by_model[label] = int(v)
        elif name == "qt":
            llm_by_qt[label] = int(v)
        else:
            row = by_purpose.setdefault(label, {"calls": 0, "input_tokens": 0, "output_tokens": 0, "cost_usd": 0.0})
            key = {"calls": "calls", "in_tokens": "input_tokens", "out_tokens": "output_tokens",
                   "cost_usd": "cost_usd"}.get(name)
            if key:
                row[key] = float(v) if key == "cost_usd" else int(v)

    def per_qt(h: dict[str, str]) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {}
        for field, v in h.items():
            name, _, qt = field.partition("|")
            out.setdefault(qt, {"count": 0, "score_sum": 0.0})[name] = float(v) if name == "score_sum" else int(v)
        return out

    false_pos, near = per_qt(fp), per_qt(nm)
    fp_total = sum(int(r.get("count", 0)) for r in false_pos.values())
    semantic_candidates = by_outcome.get("semantic", 0) + fp_total
    evictions = {tier: int(n) for tier, n in evict.items()}
    hour_ago = now - 3600
    evictions_last_hour = sum(int(n) for minute, n in evmin.items() if float(minute) >= hour_ago - 59)
    first_ts = float(meta["first_ts"]) if "first_ts" in meta else None
    entries = _tier_sizes(redis, settings.key_prefix)
    return {
        "requests": requests,
        "hits": hits,
        "misses": misses,
        "hit_rate": hits / requests if requests else 0.0,
        "by_outcome": dict(by_outcome),
        "background_lookups": background,
        "by_query_type": {qt: row for qt, row in sorted(by_qt.items())},
        "latency": latency,
        "llm": {
            "calls": sum(r["calls"] for r in by_purpose.values()),
            "input_tokens": sum(r["input_tokens"] for r in by_purpose.values()),
            "output_tokens": sum(r["output_tokens"] for r in by_purpose.values()),
            "cost_usd": sum(r["cost_usd"] for r in by_purpose.values()),
            "by_purpose": by_purpose,
            "by_model": by_model,
            "by_query_type": llm_by_qt,
        },
        "saved_usd": float(saved.get("usd", 0.0)),
        "saved_usd_by_query_type": {f.partition("|")[2]: float(v) for f, v in saved.items() if "|" in f},
        "false_positives": {"total": fp_total, "rate": fp_total / semantic_candidates if semantic_candidates else 0.0,
                            "candidates": semantic_candidates, "by_query_type": false_pos},
        "near_misses": {"total": sum(int(r.get("count", 0)) for r in near.values()), "by_query_type": near},
        "evictions": {"total": sum(evictions.values()), "by_tier": evictions, "last_hour": evictions_last_hour},
        "entries": {"by_tier": entries, "total": sum(entries.values())},
        "invalid_records": sum(int(v) for v in _hgetall(redis, f"{p}:invalid").values()),
        "first_ts": first_ts,
        "last_ts": float(meta["last_ts"]) if "last_ts" in meta else None,
        "window_s": (now - first_ts) if first_ts else 0.0,
    }


def read_syslog_window(redis: redis_lib.Redis, key_prefix: str, *, now: float | None = None,
                       window_s: float = SYSLOG_RATIO_WINDOW_S) -> dict[str, Any]:
    """Parsed and unrecognized lines of every syslog listener in the last ``window_s`` (whole
    minutes, from ``SyslogUnrecognizedKeys.minutes``) and their ratio."""
    now = time.time() if now is None else now
    start = (now - window_s) // 60 * 60
    totals = {"parsed": 0, "unrecognized": 0}
    for field, n in _hgetall(redis, SyslogUnrecognizedKeys(key_prefix).minutes).items():
        minute, _, outcome = field.partition("|")
        try:
            if float(minute) >= start and outcome in totals:
                totals[outcome] += int(n)
        except ValueError:
            continue
    return {**totals, "window_s": window_s, "ratio": unrecognized_ratio(totals["parsed"], totals["unrecognized"])}


class RedisMetricsCollector:
    """A Prometheus collector that reads the global numbers from Redis at scrape time."""

    def __init__(self, redis: redis_lib.Redis, settings: Settings) -> None:
        self.redis = redis
        self.settings = settings

    def describe(self) -> list:
        return []  # collected lazily at scrape time; no Redis call at registration

    def collect(self):  # noqa: ANN201 - prometheus_client protocol
        from prometheus_client.core import (
            CounterMetricFamily,
            GaugeMetricFamily,
            HistogramMetricFamily,
            SummaryMetricFamily,
        )

        s = read_snapshot(self.redis, self.settings)
        p = f"{self.settings.key_prefix}:m"
        lookups = CounterMetricFamily("netcache_lookups", "Answered requests by outcome and query type",
                                      labels=["outcome", "query_type"])
        for field, n in _hgetall(self.redis, f"{p}:lookup").items():
            outcome, _, qt = field.partition("|")
            lookups.add_metric([outcome, qt], int(n))
        yield lookups
        background = CounterMetricFamily("netcache_background_lookups",
                                         "Warming / refresh lookups (not in the hit rate)",
                                         labels=["purpose", "outcome"])
        for purpose, outcomes in s["background_lookups"].items():
            for outcome, n in outcomes.items():
                background.add_metric([purpose, outcome], n)
        yield background
        yield GaugeMetricFamily("netcache_hit_rate", "Hits / requests since the counters started", value=s["hit_rate"])
        hist = HistogramMetricFamily("netcache_lookup_latency_seconds", "Time to answer a request",
                                     labels=["result"])
        for kind in ("hit", "miss"):
            block, cumulative, buckets = s["latency"][kind], 0, []
            for bound, n in zip(LATENCY_BUCKETS_S, block["buckets"]):
                cumulative += n
                buckets.append(("+Inf" if math.isinf(bound) else repr(bound), cumulative))
            hist.add_metric([kind], buckets, block["sum_s"])
        yield hist
        yield SummaryMetricFamily("netcache_llm_latency_seconds", "LLM call latency",
                                  count_value=s["latency"]["llm"]["count"], sum_value=s["latency"]["llm"]["sum_s"])
        calls = CounterMetricFamily("netcache_llm_calls", "LLM calls by purpose", labels=["purpose"])
        tokens = CounterMetricFamily("netcache_llm_tokens", "LLM tokens by purpose and direction",
                                     labels=["purpose", "direction"])
        cost = CounterMetricFamily("netcache_llm_cost_usd", "Dollars spent on LLM calls", labels=["purpose"])
        for purpose, row in s["llm"]["by_purpose"].items():
            calls.add_metric([purpose], row["calls"])
            tokens.add_metric([purpose, "input"], row["input_tokens"])
            tokens.add_metric([purpose, "output"], row["output_tokens"])
            cost.add_metric([purpose], row["cost_usd"])
        yield calls
        yield tokens
        yield cost
        yield CounterMetricFamily("netcache_saved_usd", "Dollars saved by cache hits", value=s["saved_usd"])
        fps = CounterMetricFamily("netcache_false_positives", "Semantic hits rejected by validation",
                                  labels=["query_type"])
        for qt, row in s["false_positives"]["by_query_type"].items():
            fps.add_metric([qt], int(row.get("count", 0)))
        yield fps
        nms = CounterMetricFamily("netcache_near_misses", "Candidates just below the threshold",
                                  labels=["query_type"])
        for qt, row in s["near_misses"]["by_query_type"].items():
            nms.add_metric([qt], int(row.get("count", 0)))
        yield nms
        ev = CounterMetricFamily("netcache_evictions", "Entries evicted by size limits", labels=["tier"])
        for tier, n in s["evictions"]["by_tier"].items():
            ev.add_metric([tier], n)
        yield ev
        yield GaugeMetricFamily("netcache_evictions_last_hour", "Evictions in the last hour",
                                value=s["evictions"]["last_hour"])
        entries = GaugeMetricFamily("netcache_entries", "Cached entries per tier", labels=["tier"])
        for tier, n in s["entries"]["by_tier"].items():
            entries.add_metric([tier], n)
        yield entries
        syslog = read_syslog_window(self.redis, self.settings.key_prefix)
        lines = GaugeMetricFamily("netcache_syslog_window_lines",
                                  "Syslog lines of every listener in the ratio window, by outcome",
                                  labels=["outcome"])
        for outcome in ("parsed", "unrecognized"):
            lines.add_metric([outcome], syslog[outcome])
        yield lines
        yield GaugeMetricFamily("netcache_syslog_unrecognized_ratio",
                                f"Unrecognized / (parsed + unrecognized) syslog lines of every listener, "
                                f"last {SYSLOG_RATIO_WINDOW_S // 60} min", value=syslog["ratio"])


class BreakerCollector:
    """This process's Redis circuit breakers (one per cache): state and short-circuited calls.
    Per process, not read from Redis, so it shows while Redis is down."""

    def describe(self) -> list:
        return []

    def collect(self):  # noqa: ANN201 - prometheus_client protocol
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        from netcache.connections import BREAKER_STATES, breakers

        state = GaugeMetricFamily("netcache_redis_breaker_state",
                                  "Redis circuit breaker of each cache in this process: 0 closed, 1 open, 2 half-open",
                                  labels=["cache"])
        short = CounterMetricFamily("netcache_redis_short_circuited",
                                    "Bot requests that did not try Redis because the breaker was open", labels=["cache"])
        opened = CounterMetricFamily("netcache_redis_breaker_opened", "Times the Redis circuit breaker opened",
                                     labels=["cache"])
        rows: dict[str, list[float]] = {}
        for b in breakers():
            row = rows.setdefault(b.name, [0.0, 0.0, 0.0])
            row[0] = max(row[0], BREAKER_STATES[b.state])
            row[1] += b.short_circuited
            row[2] += b.opened
        for name, (st, n, o) in sorted(rows.items()):
            state.add_metric([name], st)
            short.add_metric([name], n)
            opened.add_metric([name], o)
        yield state
        yield short
        yield opened


def _registry_for(redis: redis_lib.Redis, settings: Settings):  # noqa: ANN202
    from prometheus_client import CollectorRegistry

    registry = CollectorRegistry(auto_describe=False)
    registry.register(RedisMetricsCollector(redis, settings))
    registry.register(BreakerCollector())
    return registry


def render_prometheus(redis: redis_lib.Redis, settings: Settings) -> bytes:
    """The global numbers in the Prometheus text format (serve it at /metrics)."""
    from prometheus_client import generate_latest

    return generate_latest(_registry_for(redis, settings))


def start_metrics_http(port: int, redis: redis_lib.Redis, settings: Settings, *, addr: str = "127.0.0.1"):  # noqa: ANN201
    """Serve /metrics on ``addr:port`` from a daemon thread; returns (server, thread)."""
    from prometheus_client import start_http_server

    return start_http_server(port, addr=addr, registry=_registry_for(redis, settings))
