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
