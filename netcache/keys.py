"""The key registry: every Redis key netcache writes is built here.

``base`` is ``{key_prefix}`` or ``{key_prefix}:{namespace}`` (``settings.key_prefix``,
default ``nc``). The layout is documented in docs/interfaces.md.
"""

from __future__ import annotations

__all__ = ["Keys"]


class Keys:
    """Every key of one cache namespace."""

    def __init__(self, key_prefix: str, namespace: str | None = None) -> None:
        self.base = f"{key_prefix}:{namespace}" if namespace else key_prefix

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
