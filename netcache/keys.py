"""The key registry: every Redis key netcache writes is built here.

Three families, one per part of the system, all under ``settings.key_prefix`` (default ``nc``):

- :class:`Keys`: the answer cache, ``{nc}:…`` or ``{nc:<namespace>}:…``;
- :class:`EventKeys`: the event side, ``{key_prefix}:ev:…`` and the default stream names;
- :class:`WorkerKeys`: the dispatcher, the Celery tasks and the health keys, ``{key_prefix}:w:…``.

Redis Cluster (netcache.cluster): every key one Lua script or one MULTI touches carries one hash
tag, so it lives in one slot. A cache namespace is one tag (``{nc}``): its scripts move entries
between tiers, evict and keep the index change log in one call, so they share a slot. The
publisher's de-duplication markers and the dispatcher's coalescing windows, action markers and
refunds carry the events stream's name as their tag (``nc:ev:{nc:events}:seen:…``,
``nc:w:{nc:events}:co:…``): the slot of the stream, whatever it is called. The same layout
serves a standalone Redis (a tag is only part of the name there).

The layout is documented in docs/interfaces.md.
"""

from __future__ import annotations

from netcache.cluster import tagged

__all__ = ["Keys", "EventKeys", "WorkerKeys"]


class Keys:
    """Every key of one cache namespace (all in the slot of the hash tag ``{prefix[:namespace]}``)."""

    def __init__(self, key_prefix: str, namespace: str | None = None) -> None:
        #: the namespace without the hash tag
        self.plain = f"{key_prefix}:{namespace}" if namespace else key_prefix
        #: what every key the cache's scripts touch starts with: ``{nc}`` / ``{nc:<namespace>}``
        self.base = "{" + self.plain + "}"

    def entry(self, entry_id: str) -> str:
        return f"{self.base}:e:{entry_id}"

    def tag(self, tag: str) -> str:
        return f"{self.base}:t:{tag}"

    def gen(self, tag: str) -> str:
        return f"{self.base}:g:{tag}"

    def lease(self, entry_id: str) -> str:
        return f"{self.base}:l:{entry_id}"

    def verdict(self, pair_id: str) -> str:
        """The verifier's cached verdict on one pair of questions (netcache.matching.verifier)."""
        return f"{self.base}:vf:{pair_id}"

    def tier(self, name: str) -> str:
        return f"{self.base}:tier:{name}"

    @property
    def stats(self) -> str:
        return f"{self.base}:stats"

    @property
    def ix_vec(self) -> str:
        return f"{self.base}:ix:vec"

    @property
    def ix_log(self) -> str:
        return f"{self.base}:ix:log"

    @property
    def ix_epoch(self) -> str:
        return f"{self.base}:ix:epoch"

    @property
    def q_top(self) -> str:
        return f"{self.base}:q:top"

    @property
    def q_meta(self) -> str:
        return f"{self.base}:q:meta"

    @property
    def q_t0(self) -> str:
        return f"{self.base}:q:t0"

    @property
    def pattern(self) -> str:
        """SCAN pattern of every key under ``base`` (``drop_namespace`` of a scratch namespace)."""
        return f"{self.base}:*"

    @property
    def tier_script_keys(self) -> list[str]:
        """KEYS[1..6] of the tier-aware Lua scripts (netcache/lua/_tiers.lua): the three tiers,
        the vector hash, the change log, the stats hash."""
        return [self.tier("hot"), self.tier("warm"), self.tier("cold"), self.ix_vec, self.ix_log, self.stats]

# --- syslog lines no rule understood (events/syslog/unrecognized.py writes, `netcache status` and
# `netcache metrics` read) -------------------------------------------------------------------------

__all__ += ["SyslogUnrecognizedKeys"]


class SyslogUnrecognizedKeys:
    """The bounded record of unrecognized syslog message ids, shared by every listener."""

    def __init__(self, key_prefix: str) -> None:
        self.base = f"{key_prefix}:ev:unrec"

    @property
    def ids(self) -> str:
        """zset: message id → unrecognized lines (the most frequent ``unrecognized_top_max`` kept)."""
        return f"{self.base}:ids"

    @property
    def samples(self) -> str:
        """hash: message id → JSON ``{"sample", "vendor", "last_seen"}`` (sanitised, length-capped)."""
        return f"{self.base}:samples"

    @property
    def minutes(self) -> str:
        """hash: ``{epoch minute}|parsed`` / ``{epoch minute}|unrecognized`` → lines (recent minutes only)."""
        return f"{self.base}:min"

class EventKeys:
    """Keys of the event side: de-duplication markers and the stream names a run derives.

    ``stream``: the events stream the markers go with (default ``{key_prefix}:events``); the
    markers carry its name as hash tag, so the publish script's keys share its slot."""

    def __init__(self, key_prefix: str, stream: str | None = None) -> None:
        self.prefix = key_prefix
        self.stream_name = stream or f"{key_prefix}:events"

    @property
    def seen(self) -> str:
        """Zset event id → publish time (ms) of the ids published inside the de-dup window
        (``nc:ev:{nc:events}:seen``: the stream's hash tag, so the publish script's keys share its slot).

        No TTL, so an eviction policy cannot reach it; the publish script drops ids older than the
        window and keeps at most ``events.dedup_max_ids`` (the oldest go first).
        """
        return f"{self.prefix}:ev:{tagged(self.stream_name)}:seen"

    @property
    def stats(self) -> str:
        """Counters of the event side shared by every publisher (``refused_stream_full``), in the stream's slot."""
        return f"{self.prefix}:ev:{tagged(self.stream_name)}:stats"

    @property
    def stream(self) -> str:
        """The events stream of this prefix (``nc:events``, the default of ``events.stream``)."""
        return f"{self.prefix}:events"

    @property
    def dead_letter_stream(self) -> str:
        """The dead-letter stream of this prefix (``{nc:events}:dead``: in the slot of ``nc:events``)."""
        return f"{tagged(self.stream)}:dead"


class WorkerKeys:
    """Keys of the dispatcher, the Celery tasks and the health keys (``{key_prefix}:w:…``).

    ``stream``: the events stream the dispatcher consumes (default ``{key_prefix}:events``); the
    coalescing keys, action markers and refunds carry its name as hash tag (``nc:w:{nc:events}:…``),
    so the coalescing scripts and the ack transaction (XACK + HDEL refunds) stay in its slot."""

    def __init__(self, key_prefix: str, stream: str | None = None) -> None:
        self.prefix = key_prefix
        self.base = f"{key_prefix}:w"
        #: the base of the keys in the stream's slot
        self.slotted = f"{self.base}:{tagged(stream or f'{key_prefix}:events')}"

    # -- health and counters
    @property
    def health_base(self) -> str:
        """What every health key starts with (``nc:w:health:``)."""
        return f"{self.base}:health:"

    def health(self, component: str, hostname: str) -> str:
        """One component's heartbeat on one host (``nc:w:health:worker:host1``)."""
        return f"{self.health_base}{component}:{hostname}"

    def health_match(self, component: str | None = None) -> str:
        """SCAN pattern of the health keys of one component (or of all)."""
        return f"{self.health_base}{component or '*'}:*"

    def stats(self, component: str) -> str:
        """Shared counters hash of a component (``nc:w:stats:dispatcher``, ``nc:w:stats:tasks``)."""
        return f"{self.base}:stats:{component}"

    @property
    def refunds(self) -> str:
        """Hash entry id → deliveries that ended in an outage (Redis or broker away), not in a failure.

        XPENDING counts every read of a pending entry; an outage re-reads the same entries on every
        retry, which is not their fault. ``times_delivered - refunds`` is what counts against
        ``max_deliveries``: a poison entry that crashes the dispatcher still gets there, a healthy
        event caught in an outage never does. No TTL (eviction must not reset it); a field lives
        only while its entry is pending.
        """
        return f"{self.slotted}:refunds"

    @property
    def tasks_dead(self) -> str:
        """Stream of tasks that failed for good (task, arguments, error), bounded."""
        return f"{self.base}:tasks:dead"

    # -- coalescing (worker/coalesce.py)
    def window(self, akey: str) -> str:
        """The open coalescing window of one action key."""
        return f"{self.slotted}:co:{akey}"

    @property
    def fold_base(self) -> str:
        """Prefix of the fold sets (``nc:w:{nc:events}:co:f:<akey>:<start_ms>``)."""
        return f"{self.slotted}:co:f:"

    @property
    def due(self) -> str:
        """Zset of windows whose trailing action is due."""
        return f"{self.slotted}:co:due"

    @property
    def actions_pending(self) -> str:
        """Hash window → action JSON of the open windows."""
        return f"{self.slotted}:co:act"

    @property
    def marker_base(self) -> str:
        """Prefix of the leading-action markers."""
        return f"{self.slotted}:action:"

    def marker(self, action_id: str) -> str:
        """The marker of one leading action (``pending`` / ``sent``)."""
        return f"{self.marker_base}{action_id}"

    # -- tasks (tasks/)
    def progress(self, action_id: str) -> str:
        """Progress hash of one invalidation."""
        return f"{self.base}:progress:{action_id}"

    @property
    def actions(self) -> str:
        """List of the recent invalidation action ids."""
        return f"{self.base}:actions"

    @property
    def warmed(self) -> str:
        """List of recent warm-up results (JSON)."""
        return f"{self.base}:warmed"

    @property
    def last_refresh(self) -> str:
        """Hash: time and counts of the last nightly refresh."""
        return f"{self.base}:last_refresh"

    def semaphore(self, name: str) -> str:
        """A Redis semaphore's zset (``nc:w:sem:warm``)."""
        return f"{self.base}:sem:{name}"

    def budget(self, day: str) -> str:
        """The warming budget of one UTC day (``nc:w:budget:20260328``)."""
        return f"{self.base}:budget:{day}"

    @property
    def redbeat_prefix(self) -> str:
        """redbeat's key prefix (the beat schedule in Redis)."""
        return f"{self.base}:redbeat:"

    @property
    def redbeat_lock(self) -> str:
        """redbeat's lock: one beat at a time."""
        return f"{self.base}:redbeat::lock"
