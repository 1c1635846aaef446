"""``ListenerThread``: a syslog listener on its own event loop in a thread (tests, benchmarks)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from netcache.connections import make_async_redis
from netcache.events.syslog.listener import SyslogListener
from netcache.settings import Settings

__all__ = ["ListenerThread"]


class ListenerThread:
    """A listener on its own event loop in a thread (tests, benchmarks): ``with ListenerThread(...) as t:``."""

    def __init__(self, settings: Settings, **kwargs: Any) -> None:
        self.settings = settings
        self.kwargs = kwargs
        self.listener: SyslogListener | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="syslog-listener", daemon=True)

    def _run(self) -> None:
        async def main() -> None:
            redis = make_async_redis(self.settings, socket_timeout=2.0)
            try:
                self.listener = SyslogListener(self.settings, redis, **self.kwargs)
                self._loop = asyncio.get_running_loop()
                self._stop = asyncio.Event()
                await self.listener.start()
                self._ready.set()
                await self._stop.wait()
                await self.listener.stop()
            finally:
                await redis.aclose()

        try:
            asyncio.run(main())
        except BaseException as e:  # noqa: BLE001 - handed to the starting thread
            self._error = e
        finally:
            self._ready.set()

    def start(self) -> ListenerThread:
        self._thread.start()
        self._ready.wait(30)
        if self._error is not None:
            raise self._error
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(60)

    def call(self, fn: Any) -> Any:
        """Run ``fn()`` on the listener's loop and return its result (thread-safe read of state)."""
        assert self._loop is not None

        async def wrapper() -> Any:
            return fn()

        return asyncio.run_coroutine_threadsafe(wrapper(), self._loop).result(10)

    def __enter__(self) -> ListenerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
