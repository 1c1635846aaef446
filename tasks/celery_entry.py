"""Entry point for Celery's own CLI: ``celery -A netcache.tasks.celery_entry worker|beat``.

Nothing is built at import: Celery reads ``netcache.tasks.celery_entry.app``, and this
module's ``__getattr__`` builds the app from ``Settings()`` (the ``NETCACHE_*``
environment) on that first access, once. ``netcache celery-worker`` and
``netcache beat`` do the same with the settings they were given.
"""

from __future__ import annotations

import threading
from typing import Any

__all__ = ["app"]  # noqa: F822 - built on first access by __getattr__

_lock = threading.Lock()
_app: Any = None


def __getattr__(name: str) -> Any:
    global _app
    if name not in ("app", "celery"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    with _lock:
        if _app is None:
            from netcache.settings import Settings
            from netcache.tasks.app import make_app

            _app = make_app(Settings())
    return _app
