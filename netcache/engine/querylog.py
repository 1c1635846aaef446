"""The query log: which questions are asked most, with how to re-ask them.

Every ``get``/``get_or_generate`` adds a forward-decayed count to
``{base}:q:top`` (zset, member = the question's exact key):
``score += 2 ** ((now - t0) / halflife_s)``, so a score divided by
``2 ** ((now - t0) / halflife_s)`` is the ask count with each ask weighted by
its age (half weight after ``query_log_halflife_s``). ``t0`` lives in
``{base}:q:t0`` and is rebased before the weights grow too large
(``netcache/lua/_querylog.lua``, run by the HIT script). ``{base}:q:meta`` maps the key to JSON
``{prompt, context, params, volatility}``; both are trimmed to the top
``query_log_max`` questions. ``refresh_top`` (tasks) re-asks the top N.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from netcache.engine.analysis import Request, entry_id_for
from netcache.engine.steps import Plan, cmd, pipe
from netcache.keys import Keys
from netcache.text import to_text

__all__ = ["QueryStat", "QueryLog", "decode_top"]


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


def meta_json(prompt: str, context: Any, params: Any, volatility: str | None) -> str:
    return json.dumps({"prompt": prompt, "context": context, "params": params, "volatility": volatility},
                      default=str)


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


class QueryLog:
    """The query log of one namespace: what the HIT script records, and the top-queries plan."""

    def __init__(self, keys: Keys, *, halflife_s: float, max_questions: int) -> None:
        self.keys = keys
        self.halflife_s = halflife_s
        self.max_questions = max_questions

    def record(self, req: Request) -> tuple[list[str], list[Any]]:
        """(KEYS, ARGV) the HIT script appends to count one ask of ``req`` (netcache/lua/_querylog.lua)."""
        return ([self.keys.q_top, self.keys.q_meta, self.keys.q_t0],
                [self.halflife_s, self.max_questions, req.exact_key,
                 meta_json(req.prompt, req.context, req.params, req.volatility)])

    def asked(self, exact_keys: list[str]) -> Plan[list[bool]]:
        """Whether the log has counted an ask of each question key (one ZMSCORE)."""
        if not exact_keys:
            return []
        (scores,) = yield pipe(cmd("zmscore", self.keys.q_top, exact_keys))
        return [score is not None and float(score) > 0 for score in scores]

    def top(self, n: int, now: Callable[[], float]) -> Plan[list[QueryStat]]:
        """The ``n`` most asked questions, with the entry id cached for each now (or None)."""
        (rows,) = yield pipe(cmd("zrevrange", self.keys.q_top, 0, n - 1, withscores=True))
        if not rows:
            return []
        members = [to_text(m) for m, _ in rows]
        ids = [entry_id_for(m) for m in members]
        metas, t0, *exists = yield pipe(cmd("hmget", self.keys.q_meta, members), cmd("get", self.keys.q_t0),
                                        *(cmd("exists", self.keys.entry(i)) for i in ids))
        return decode_top(rows, metas, t0, now(), self.halflife_s,
                          [i if ex else None for i, ex in zip(ids, exists)])
