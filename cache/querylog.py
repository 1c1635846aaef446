"""The query log: which questions are asked most, with how to re-ask them.

Every ``get``/``get_or_generate`` adds a forward-decayed count to
``{base}:q:top`` (zset, member = the question's exact key):
``score += 2 ** ((now - t0) / halflife_s)``, so a score divided by
``2 ** ((now - t0) / halflife_s)`` is the ask count with each ask weighted by
its age (half weight after ``query_log_halflife_s``). ``t0`` lives in
``{base}:q:t0`` and is rebased before the weights grow too large
(:data:`cache.scripts.RECORD_QUERY`). ``{base}:q:meta`` maps the key to JSON
``{prompt, context, params, volatility}``; both are trimmed to the top
``query_log_max`` questions. ``refresh_top`` (tasks) re-asks the top N.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any



def to_text(v: Any) -> str | None:
    return v.decode() if isinstance(v, bytes) else (None if v is None else str(v))

__all__ = ["QueryStat", "record_argv", "decode_top"]


@dataclass(frozen=True)
class QueryStat:
    """One frequently asked question."""

    prompt: str
    context: Any
    params: Any
    volatility: str
    score: float  #: decayed ask count as of now
    key: str
    entry_id: str | None  #: the cached answer now, None if not cached


def record_argv(key_base: str, now_s: float, halflife_s: float, max_questions: int, question_key: str,
                prompt: str, context: Any, params: Any, volatility: str | None) -> list:
    meta = json.dumps({"prompt": prompt, "context": context, "params": params, "volatility": volatility},
                      default=str)
    return [key_base, repr(float(now_s)), halflife_s, max_questions, question_key, meta]


def decode_top(rows: list, metas: list, t0: Any, now_s: float, halflife_s: float,
               entry_ids: list[str | None]) -> list[QueryStat]:
    """Build QueryStats from ZREVRANGE WITHSCORES rows, HMGET metas and the current entry ids."""
    base = float(to_text(t0) or now_s)
    norm = 2 ** ((now_s - base) / halflife_s)
    out = []
    for (member, score), meta, eid in zip(rows, metas, entry_ids):
        try:
            m = json.loads(to_text(meta) or "{}")
        except ValueError:
            m = {}
        out.append(QueryStat(prompt=m.get("prompt", ""), context=m.get("context"), params=m.get("params"),
                             volatility=m.get("volatility") or "", score=float(score) / norm,
                             key=to_text(member) or "", entry_id=eid))
    return out
