"""netcache's answer cache: the public API.

    from cache import AnswerCache, AsyncAnswerCache
    cache = AnswerCache(settings, embedder=make_embedder(settings, redis), llm=LLMClient(settings))
    answer = cache.get_or_generate("show bgp summary on rtr-001")

Names are imported lazily (PEP 562) so ``import cache.settings`` stays light
and a process that only needs settings does not load numpy or the embedder.
"""

from __future__ import annotations

import importlib
from typing import Any

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
]

_WHERE = {
    "AnswerCache": "cache.core",
    "AsyncAnswerCache": "cache.aio",
    "Answer": "cache.store",
    "Hit": "cache.store",
    "EntryInfo": "cache.store",
    "GenTicket": "cache.store",
    "QueryStat": "cache.querylog",
    "VectorIndex": "cache.vector_index",
    "TierPolicy": "cache.tiers",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'cache' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(__all__)
