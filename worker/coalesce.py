"""Coalescing: a storm of events for one target becomes one action per window.

Design: leading edge + trailing edge, windows kept in Redis so any number of
dispatchers share them (every step is one Lua script; the clock is Redis's
``TIME``, so dispatchers on different hosts agree on windows).

* The first event of an action (same task, tags, mode and warm-up: see
  :meth:`netcache.worker.rules.Action.key`) opens a window of ``window_ms`` and is
  sent at once (**leading edge**): the first invalidation is never delayed.
* Every later event inside the window is **folded**: its stream id goes into
  the window's fold set and the window is put on the due list.
* When the window ends, one dispatcher takes the due window (a lease, so a
  crash hands it to another) and sends one **trailing** action carrying the
  fold count: answers cached between the first event and the end of the
  storm are invalidated too.
* Windows are aligned on the leading event: while a storm lasts, event folds
  into window ``k = (now - lead) // window``, and the open-window key lives on
  until one quiet window after the last fold. A storm therefore costs one
  leading action plus one trailing action per window it touches; an event
  after a whole quiet window leads again (no delay).

A flap storm of 10,000 events inside one window: 2 actions (leading, and
trailing with ``folded = 9,999``).

Idempotent under redelivery: the leading event leaves a marker
``{prefix}:w:action:{action_id}`` (``pending`` until the task is enqueued,
then ``sent``; kept ``marker_ttl_s``). A redelivered leading event whose
marker says ``sent`` causes nothing; ``pending`` means the dispatcher died
between deciding and enqueueing, so it is enqueued (again): the tasks
de-duplicate by ``action_id``. A redelivered folded event is already in its
window's fold set (a set, so it counts once); after that window was sent it
may open or join a later window: one extra, harmless invalidation.

Keys (prefix ``nc``, stream ``nc:events``; all carry the stream's name as hash tag, so every
script and the dispatcher's ack stay in the stream's slot on a Redis Cluster):
``nc:w:{nc:events}:co:<akey>`` (open window: ``lead_ms|leader``, PX until one quiet window after
the last fold), ``nc:w:{nc:events}:co:f:<akey>:<start_ms>`` (fold set), ``nc:w:{nc:events}:co:due``
(zset window → due time ms), ``nc:w:{nc:events}:co:act`` (hash window → action JSON),
``nc:w:{nc:events}:action:<action_id>`` (marker).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import redis

from netcache import lua
from netcache.cluster import queue_script
from netcache.keys import WorkerKeys
from netcache.text import to_text
from netcache.worker.rules import Action

__all__ = ["Decision", "DueWindow", "Coalescer", "lead_action_id", "trail_action_id"]


def lead_action_id(stream_id: str, akey: str) -> str:
    """Deterministic id of the action a stream entry leads (the same on every redelivery)."""
    return hashlib.sha1(f"lead|{stream_id}|{akey}".encode()).hexdigest()[:24]


def trail_action_id(member: str) -> str:
    """Deterministic id of a window's trailing action."""
    return hashlib.sha1(f"trail|{member}".encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Decision:
    """What to do with one (event, action): ``lead`` = send now, ``fold`` = folded, ``done`` = already sent."""

    outcome: str
    action_id: str


@dataclass(frozen=True)
class DueWindow:
    """A window whose trailing action is due."""

    member: str
    action: Action | None
    folded: int

    @property
    def action_id(self) -> str:
        return trail_action_id(self.member)

    @property
    def akey(self) -> str:
        return self.member.rsplit(":", 1)[0]


class Coalescer:
    """Shared coalescing windows in Redis (see the module docstring)."""

    def __init__(self, redis_client: redis.Redis, *, prefix: str = "nc", window_s: float = 5.0,
                 marker_ttl_s: int = 3600, lease_ms: int = 30_000, stream: str | None = None) -> None:
        self.redis = redis_client
        self.prefix = prefix
        self.window_ms = max(1, int(window_s * 1000))
        self.marker_ttl_s = max(1, int(marker_ttl_s))
        self.lease_ms = max(1, int(lease_ms))
        self.keys = WorkerKeys(prefix, stream)
        self.due_key = self.keys.due
        self.act_key = self.keys.actions_pending
        self.fold_base = self.keys.fold_base
        self._decide = lua.register(redis_client, "coalesce_decide")
        self._mark_sent = lua.register(redis_client, "coalesce_mark_sent")
        self._claim = lua.register(redis_client, "coalesce_claim_due")
        self._finish = lua.register(redis_client, "coalesce_finish")

    def window_key(self, akey: str) -> str:
        return self.keys.window(akey)

    def marker_key(self, action_id: str) -> str:
        return self.keys.marker(action_id)

    # -- leading edge ---------------------------------------------------------------
    def decide_many(self, items: list[tuple[str, Action]], pipe: redis.client.Pipeline | None = None
                    ) -> list[Decision]:
        """Decide for each ``(stream_id, action)``, in stream order per action, in one script call.

        A read batch is one call, whatever it holds: a storm of 500 events for one action, or
        500 distinct actions (one call per action key would pack and parse 500 commands).
        """
        if not items:
            return []
        groups: dict[str, list[int]] = {}
        for n, (_, action) in enumerate(items):
            groups.setdefault(action.key(), []).append(n)
        keys = [self.due_key, self.act_key]
        args: list[str | int] = [self.window_ms, self.marker_ttl_s, self.fold_base, self.keys.marker_base]
        for akey, positions in groups.items():
            keys.append(self.window_key(akey))
            args += [akey, items[positions[0]][1].to_json(), len(positions)]
            args += [items[p][0] for p in positions]
        if pipe is not None:
            queue_script(pipe, self._decide, keys, args)
            outcomes = pipe.execute()[-1]
        else:
            outcomes = self._decide(keys=keys, args=args)
        out: list[Decision | None] = [None] * len(items)
        flat = [(akey, p) for akey, positions in groups.items() for p in positions]
        for (akey, p), outcome in zip(flat, outcomes):
            out[p] = Decision(to_text(outcome), lead_action_id(items[p][0], akey))
        return out  # type: ignore[return-value]

    def mark_sent(self, action_ids: list[str], pipe: redis.client.Pipeline) -> None:
        """Queue ``SET marker sent`` for leading actions whose tasks are enqueued (one script call)."""
        if action_ids:
            # KEYS[1] only routes the call to the coalescing keys' slot on a cluster (the markers share it)
            queue_script(pipe, self._mark_sent, [self.due_key], [self.marker_ttl_s, self.keys.marker_base, *action_ids])

    # -- trailing edge --------------------------------------------------------------
    def claim_due(self, limit: int = 100) -> list[DueWindow]:
        """Windows whose time is up, leased to this caller for ``lease_ms``."""
        raw = self._claim(keys=[self.due_key, self.act_key], args=[self.lease_ms, limit, self.fold_base])
        out = []
        for i in range(0, len(raw), 3):
            member = to_text(raw[i])
            payload = raw[i + 1]
            action = Action.from_json(payload) if payload else None
            out.append(DueWindow(member=member, action=action, folded=int(raw[i + 2])))
        return out

    def finish(self, window: DueWindow, pipe: redis.client.Pipeline | None = None) -> None:
        """The trailing action is enqueued: drop the window (queued on ``pipe`` if given)."""
        keys, args = [self.due_key, self.act_key, self.fold_base + window.member], [window.member]
        if pipe is None:
            self._finish(keys=keys, args=args)
        else:
            queue_script(pipe, self._finish, keys, args)

    def next_due_in_s(self) -> float | None:
        """Seconds until the earliest due window (0 if overdue), ``None`` if none is open."""
        first = self.redis.zrange(self.due_key, 0, 0, withscores=True)
        if not first:
            return None
        sec, usec = self.redis.time()
        now_ms = sec * 1000 + usec // 1000
        return max(0.0, (first[0][1] - now_ms) / 1000.0)
