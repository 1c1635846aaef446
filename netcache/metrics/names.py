"""The metric vocabulary shared by the recorder, the exporter and the report: outcomes,
purposes and the latency histogram's buckets."""

from __future__ import annotations

import math

__all__ = ["HIT_OUTCOMES", "MISS_OUTCOMES", "PURPOSES", "LATENCY_BUCKETS_S"]

#: Lookup outcomes that served an answer without an LLM call.
HIT_OUTCOMES = frozenset({"exact", "semantic", "stale", "waited"})
#: Lookup outcomes that needed an LLM call.
MISS_OUTCOMES = frozenset({"miss", "generated"})
#: Why an LLM call was made: a user's question, warming, the nightly refresh.
PURPOSES = ("user", "warm", "refresh")
#: Upper bounds of the latency histogram buckets, in seconds (last one is +Inf).
LATENCY_BUCKETS_S: tuple[float, ...] = (
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
    0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, math.inf,
)
