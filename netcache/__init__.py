"""netcache: a safe LLM answer cache for network operations.

    from netcache import AnswerCache, Settings
    cache = AnswerCache(Settings())
    answer = cache.get_or_generate("show bgp summary on rtr-001", generate=my_llm)

The package is laid out by concept:

- foundation: :mod:`netcache.settings`, :mod:`netcache.errors`, :mod:`netcache.connections`;
- :mod:`netcache.matching`: normalisation, entities, intent, the guard, embedders;
- :mod:`netcache.engine`: the cache engine (entries, tags, tiers, leases, the vector index);
- :mod:`netcache.llm`: the LLM client and prices;
- :mod:`netcache.metrics`: counters, the Prometheus export and the report;
- :mod:`netcache.events`, :mod:`netcache.worker`, :mod:`netcache.tasks`: events in, the
  stream dispatcher and the Celery tasks;
- :mod:`netcache.cli`: the ``netcache`` command; :mod:`netcache.devtools`: a private
  redis-server and a local Messages-API server for development, demos and tests.
"""

from __future__ import annotations

from netcache.engine.aio import AsyncAnswerCache
from netcache.engine.logic import set_default_metrics as _set_default_metrics
from netcache.engine.querylog import QueryStat
from netcache.engine.records import Answer, EntryInfo, GenTicket, Hit
from netcache.engine.sync import AnswerCache
from netcache.engine.tiers import TierPolicy
from netcache.engine.vector_index import VectorIndex
from netcache.errors import BackendUnavailable, ConfigError, NetcacheError
from netcache.settings import Settings

__version__ = "0.2.0"


def _default_metrics(settings: Settings):  # noqa: ANN202 - a netcache.metrics.recorder.Metrics
    """A cache's metrics when it is given none: on by default (``NETCACHE_CACHE__METRICS_ENABLED``)."""
    from netcache.connections import make_redis
    from netcache.metrics.recorder import Metrics

    return Metrics(make_redis(settings), settings)


# the package root wires the metrics layer into the engine below it (netcache/engine/logic.py)
_set_default_metrics(_default_metrics)

__all__ = [
    "AnswerCache",
    "AsyncAnswerCache",
    "Answer",
    "Hit",
    "EntryInfo",
    "GenTicket",
    "QueryStat",
    "VectorIndex",
    "TierPolicy",
    "Settings",
    "NetcacheError",
    "ConfigError",
    "BackendUnavailable",
    "__version__",
]
