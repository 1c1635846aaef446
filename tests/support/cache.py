"""Helpers for the cache tests: settings with small limits, a manual clock, counting generators."""

from __future__ import annotations

import threading
import time

from netcache.settings import Settings

__all__ = ["ManualClock", "Generator", "cache_settings"]


def cache_settings(settings: Settings, **cache_fields) -> Settings:
    """A copy of ``settings`` with some ``cache`` fields changed."""
    return settings.model_copy(update={"cache": settings.cache.model_copy(update=cache_fields)})


class ManualClock:
    """A wall clock (epoch seconds) that only moves when told; starts at the real time."""

    def __init__(self) -> None:
        self.t = time.time()

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


class Generator:
    """A ``generate`` callable that counts its calls and can run a hook mid-call."""

    def __init__(self, prefix: str = "answer", delay_s: float = 0.0, during=None) -> None:
        self.prefix = prefix
        self.delay_s = delay_s
        self.during = during
        self.prompts: list[str] = []
        self._lock = threading.Lock()

    @property
    def calls(self) -> int:
        return len(self.prompts)

    def __call__(self, prompt: str) -> str:
        with self._lock:
            self.prompts.append(prompt)
            n = len(self.prompts)
        if self.during is not None:
            self.during()
        if self.delay_s:
            time.sleep(self.delay_s)
        return f"{self.prefix} #{n} to: {prompt}"
