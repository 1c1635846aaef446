"""Counters of event ingestion: a plain dict on the hot path, exported to Prometheus on scrape.

    counters = IngestCounters("syslog")
    counters.inc("received")
    registry = CollectorRegistry(); registry.register(counters.collector())
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

__all__ = ["LISTENER_COUNTERS", "PARSE_COUNTERS", "IngestCounters"]

#: What the syslog listener counts (each a monotonically increasing total).
LISTENER_COUNTERS: tuple[str, ...] = (
    "received",      # messages taken off the wire (datagrams, framed TCP messages)
    "parsed",        # messages that became an event
    "unrecognized",  # well-framed messages no rule knows
    "errors",        # malformed framing / invalid fields (reason in the log at DEBUG)
    "rejected",      # datagrams / connections from a source outside syslog_allow
    "oversized",     # messages longer than syslog_max_line_bytes
    "dropped",       # events lost because the buffer was full (UDP) or Redis stayed down at shutdown
    "rate_limited_source",  # events over syslog_rate_per_source for their source address: not published
    "rate_limited_device",  # events over syslog_rate_per_device for their device: not published
    "connections_refused",  # TCP connections over syslog_tcp_max_connections (in all or from one source)
    "idle_closed",   # TCP connections closed after syslog_tcp_idle_timeout_s without a byte
    "published",     # events added to the stream
    "duplicates",    # events the publisher had already seen (same id inside dedup_window_s)
)
#: What ``netcache events parse`` counts.
PARSE_COUNTERS: tuple[str, ...] = ("lines", "events", "unrecognized", "errors")


class IngestCounters:
    """Named integer counters plus named gauges read at scrape time."""

    def __init__(self, component: str, names: tuple[str, ...] = LISTENER_COUNTERS) -> None:
        self.component = component
        self.values: dict[str, int] = dict.fromkeys(names, 0)
        self.gauges: dict[str, Callable[[], float]] = {}

    def inc(self, name: str, n: int = 1) -> None:
        self.values[name] = self.values.get(name, 0) + n

    def __getitem__(self, name: str) -> int:
        return self.values.get(name, 0)

    def snapshot(self) -> dict[str, float]:
        out: dict[str, float] = dict(self.values)
        for name, read in self.gauges.items():
            out[name] = read()
        return out

    def collector(self) -> Collector:
        """A Prometheus collector: ``netcache_{component}_messages_total{outcome=...}`` and gauges."""
        counters = self

        class _Collector(Collector):
            def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
                fam = CounterMetricFamily(f"netcache_{counters.component}_messages",
                                          f"Messages handled by the {counters.component} listener, by outcome",
                                          labels=["outcome"])
                for name, value in counters.values.items():
                    fam.add_metric([name], value)
                yield fam
                for name, read in counters.gauges.items():
                    yield GaugeMetricFamily(f"netcache_{counters.component}_{name}",
                                            f"{name} of the {counters.component} listener", value=read())

        return _Collector()
