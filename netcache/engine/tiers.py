"""TTL by volatility and the hot / warm / cold tiers (policy only; the moves run in Lua).

Two clocks bound every entry:

* ``expires_at`` — absolute, fixed when the answer is stored:
  ``created_at + ttl(volatility)`` (static 7 d, stable 4 h, dynamic 5 min,
  volatile 30 s by default). Nothing ever moves it: hits do not extend an
  answer's life (Redis ``PEXPIREAT``).
* ``tier_until`` — the entry's time in its tier since its last access (hot
  5 min, warm 1 h, cold 24 h), never past ``expires_at``. When hot time ends the
  entry falls back to warm (it is not deleted); when warm or cold time ends the
  entry is gone.

New entries go to warm; entity-free static answers (reference material) go to
cold. Access counts promote cold→warm (5) and warm→hot (10). Size limits:
hot overflow falls back to warm (LRU order), warm evicts least-frequently-used,
cold evicts at random, and ``max_entries`` caps the total (cold first).
The moves themselves are in the Lua scripts (``netcache/lua/_tiers.lua``) so they are atomic and cost
no extra round trip on a hit.
"""

from __future__ import annotations

from dataclasses import dataclass

from netcache.errors import ConfigError
from netcache.settings import CacheSettings

__all__ = ["VOLATILITIES", "TIERS", "TierPolicy"]

VOLATILITIES = ("static", "stable", "dynamic", "volatile")
TIERS = ("hot", "warm", "cold")

#: Volatility classes whose soft-invalidated answers may be served while one refresh runs.
STALE_SERVABLE = frozenset({"static", "stable"})


@dataclass(frozen=True)
class TierPolicy:
    """Volatility TTLs, tier times, promotion thresholds and size limits, from settings."""

    ttl_s: dict[str, int]
    hot_ttl_s: int
    warm_ttl_s: int
    cold_ttl_s: int
    promote_cold_to_warm: int
    promote_warm_to_hot: int
    hot_max_entries: int
    warm_max_entries: int
    cold_max_entries: int
    max_entries: int
    stale_max_age_s: int
    #: approximate MAXLEN of the vector index change log
    index_log_maxlen: int = 100_000

    @classmethod
    def from_settings(cls, cs: CacheSettings) -> TierPolicy:
        return cls(
            ttl_s={"static": cs.ttl_static_s, "stable": cs.ttl_stable_s,
                   "dynamic": cs.ttl_dynamic_s, "volatile": cs.ttl_volatile_s},
            hot_ttl_s=cs.hot_ttl_s, warm_ttl_s=cs.warm_ttl_s, cold_ttl_s=cs.cold_ttl_s,
            promote_cold_to_warm=cs.promote_cold_to_warm, promote_warm_to_hot=cs.promote_warm_to_hot,
            hot_max_entries=cs.hot_max_entries, warm_max_entries=cs.warm_max_entries,
            cold_max_entries=cs.cold_max_entries, max_entries=cs.max_entries,
            stale_max_age_s=cs.stale_max_age_s,
            index_log_maxlen=getattr(cs, "index_log_maxlen", 100_000),
        )

    def check_volatility(self, volatility: str) -> str:
        if volatility not in self.ttl_s:
            raise ConfigError(f"unknown volatility {volatility!r}: use one of {', '.join(VOLATILITIES)}")
        return volatility

    def expires_at(self, volatility: str, now_s: float) -> float:
        """Absolute end of an answer's life, fixed at creation."""
        return now_s + self.ttl_s[self.check_volatility(volatility)]

    def initial_tier(self, volatility: str, has_entities: bool, tier: str | None = None) -> str:
        """Warm by default; entity-free static answers (reference material) start cold."""
        if tier is not None:
            if tier not in TIERS:
                raise ConfigError(f"unknown tier {tier!r}: use one of {', '.join(TIERS)}")
            return tier
        return "cold" if volatility == "static" and not has_entities else "warm"

    def may_serve_stale(self, volatility: str, stale_at: float, now_s: float) -> bool:
        """Static/stable answers marked stale less than ``stale_max_age_s`` ago may be served."""
        return volatility in STALE_SERVABLE and (now_s - stale_at) <= self.stale_max_age_s

    def argv(self, key_base: str, now_s: float) -> list[str | float | int]:
        """The ARGV prelude every tier-aware Lua script reads (see netcache/lua/_tiers.lua)."""
        return [key_base, repr(float(now_s)), self.hot_ttl_s, self.warm_ttl_s, self.cold_ttl_s,
                self.promote_cold_to_warm, self.promote_warm_to_hot,
                self.hot_max_entries, self.warm_max_entries, self.cold_max_entries,
                self.max_entries, self.index_log_maxlen]
