"""The query log: which questions are asked most, with how to re-ask them.

Every ``get``/``get_or_generate`` adds a forward-decayed count to
``{base}:q:top`` (zset, member = the question's exact key):
``score += 2 ** ((now - t0) / halflife_s)``, so a score divided by
``2 ** ((now - t0) / halflife_s)`` is the ask count with each ask weighted by
its age (half weight after ``query_log_halflife_s``). ``t0`` lives in
``{base}:q:t0`` and is rebased before the weights grow too large
(:data:`netcache.engine.scripts.RECORD_QUERY`). ``{base}:q:meta`` maps the key to JSON
``{prompt, context, params, volatility}``; both are trimmed to the top
``query_log_max`` questions. ``refresh_top`` (tasks) re-asks the top N.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from netcache.text import to_text

if TYPE_CHECKING:
    from netcache.engine.records import Request


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


class QueryLogSteps:
    """The cache's query-log steps (mixed into netcache.engine.logic.CacheLogic)."""

    def _record_argv(self, req: Request, now_s: float) -> list:
        return record_argv(self.keys.base, now_s, self.cs.query_log_halflife_s, self.cs.query_log_max,
                           req.exact_key, req.prompt, req.context, req.params, req.volatility)

    def _top_pipeline(self, pipe, members: list[str]):
        pipe.hmget(self.keys.q_meta, members)
        pipe.get(self.keys.q_t0)
        for m in members:
            pipe.exists(self.keys.entry(self._entry_id_for(m)))
        return pipe

    def _top_result(self, rows: list, members: list[str], replies: list) -> list:
        metas, t0, *exists = replies
        ids = [self._entry_id_for(m) if ex else None for m, ex in zip(members, exists)]
        return decode_top(rows, metas, t0, self.now(), self.cs.query_log_halflife_s, ids)
