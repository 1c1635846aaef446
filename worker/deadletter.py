"""Dead letters: events the dispatcher could not process, kept with the reason.

An entry on the dead-letter stream (``WorkerSettings.dead_letter_stream``,
default ``{nc:events}:dead``) holds the original entry's fields unchanged plus
``error`` (why), ``deliveries`` (how often it was delivered), ``dl_source_id``
(its id on the events stream), ``dl_consumer`` and ``dl_at`` (epoch s). An
original field whose name clashes with those is kept as ``orig.<name>``.

``replay`` re-adds the original fields to the events stream (a new stream id;
the event's own ``id`` field is kept, so downstream de-duplication by event id
still works) and removes the dead letter; ``purge`` removes dead letters.
"""

from __future__ import annotations

import builtins
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import redis

from netcache.text import to_text

__all__ = ["META_FIELDS", "DeadLetter", "DeadLetters", "dead_letter_fields", "original_fields"]

#: Fields the dispatcher adds to a dead letter.
META_FIELDS = ("error", "deliveries", "dl_source_id", "dl_consumer", "dl_at")
_ORIG = "orig."


def dead_letter_fields(fields: dict[Any, Any] | None, *, error: str, deliveries: int, source_id: str,
                       consumer: str, now_s: float | None = None) -> dict[bytes | str, bytes | str]:
    """The dead-letter entry for an original entry's ``fields`` (bytes kept as bytes)."""
    out: dict[bytes | str, bytes | str] = {}
    for key, value in (fields or {}).items():
        name = to_text(key)
        out[f"{_ORIG}{name}" if name in META_FIELDS or name.startswith(_ORIG) else key] = value
    out.update({
        "error": error[:2000], "deliveries": str(deliveries), "dl_source_id": source_id,
        "dl_consumer": consumer, "dl_at": f"{time.time() if now_s is None else now_s:.3f}",
    })
    return out


def original_fields(fields: dict[Any, Any]) -> dict[bytes | str, bytes | str]:
    """The original entry's fields back out of a dead letter."""
    out: dict[bytes | str, bytes | str] = {}
    for key, value in fields.items():
        name = to_text(key)
        if name in META_FIELDS:
            continue
        out[name[len(_ORIG):] if name.startswith(_ORIG) else key] = value
    return out


@dataclass
class DeadLetter:
    """One dead letter, decoded for display."""

    id: str
    error: str
    deliveries: int
    source_id: str
    consumer: str
    at_s: float
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def type(self) -> str:
        return self.fields.get("type", "")

    @property
    def device(self) -> str:
        return self.fields.get("device", "")

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "error": self.error, "deliveries": self.deliveries,
                "source_id": self.source_id, "consumer": self.consumer, "at": self.at_s,
                "fields": self.fields}


class DeadLetters:
    """List, replay and purge the dead-letter stream."""

    def __init__(self, redis_client: redis.Redis, *, stream: str = "{nc:events}:dead",
                 events_stream: str = "nc:events", events_maxlen: int | None = None) -> None:
        self.redis = redis_client
        self.stream = stream
        self.events_stream = events_stream
        self.events_maxlen = events_maxlen

    def count(self) -> int:
        return int(self.redis.xlen(self.stream))

    def list(self, *, count: int = 50, start: str = "-") -> list[DeadLetter]:
        """The oldest ``count`` dead letters from ``start``."""
        out = []
        for entry_id, fields in self.redis.xrange(self.stream, min=start, count=count):
            text = {to_text(k): to_text(v) for k, v in fields.items()}
            orig = {to_text(k): to_text(v) for k, v in original_fields(fields).items()}
            try:
                at_s = float(text.get("dl_at", "0"))
            except ValueError:
                at_s = 0.0
            deliveries = text.get("deliveries", "0")
            out.append(DeadLetter(
                id=to_text(entry_id), error=text.get("error", ""),
                deliveries=int(deliveries) if deliveries.isdigit() else 0,
                source_id=text.get("dl_source_id", ""), consumer=text.get("dl_consumer", ""),
                at_s=at_s, fields=orig))
        return out

    def _entries(self, ids: Iterable[str] | None) -> builtins.list[tuple[str, dict]]:
        if ids is None:
            return [(to_text(i), f) for i, f in self.redis.xrange(self.stream)]
        out = []
        for entry_id in ids:
            found = self.redis.xrange(self.stream, min=entry_id, max=entry_id)
            if found:
                out.append((to_text(found[0][0]), found[0][1]))
        return out

    def replay(self, ids: Iterable[str] | None = None) -> builtins.list[tuple[str, str]]:
        """Put dead letters (all, or ``ids``) back on the events stream: ``[(dead id, new id)]``.

        Each one is re-added and removed in one MULTI, so a crash cannot replay it twice.
        """
        done = []
        for entry_id, fields in self._entries(ids):
            pipe = self.redis.pipeline(transaction=True)
            if self.events_maxlen:
                pipe.xadd(self.events_stream, original_fields(fields), maxlen=self.events_maxlen, approximate=True)
            else:
                pipe.xadd(self.events_stream, original_fields(fields))
            pipe.xdel(self.stream, entry_id)
            new_id, _ = pipe.execute()
            done.append((entry_id, to_text(new_id)))
        return done

    def purge(self, ids: Iterable[str] | None = None) -> int:
        """Delete dead letters (all, or ``ids``); returns how many went."""
        if ids is None:
            n = self.count()
            self.redis.delete(self.stream)
            return n
        ids = list(ids)
        return int(self.redis.xdel(self.stream, *ids)) if ids else 0
