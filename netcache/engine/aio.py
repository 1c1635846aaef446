"""``AsyncAnswerCache``: the cache for asyncio code (redis.asyncio; tasks).

The same methods with the same behaviour as :class:`netcache.engine.sync.AnswerCache`
(they are written once, in :class:`netcache.engine.api.CacheAPI`); each returns a
coroutine. ``generate`` may be a coroutine function or an object with ``agenerate``;
``llm`` is an ``AsyncLLMClient``. Background refreshes of stale answers run as asyncio
tasks (``aclose`` awaits them). One per event loop.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from typing import Any

from netcache.cluster import is_cluster
from netcache.connections import RequestBudget, budget_kwargs, make_async_redis, make_redis
from netcache.engine.api import CacheAPI
from netcache.engine.cluster_pipe import arun_cluster_pipe
from netcache.engine.logic import CacheLogic
from netcache.engine.steps import Background, Generate, Locked, Pipe, Plan, Script, Scripts, Sleep, Stepper, Verify

__all__ = ["AsyncAnswerCache"]


class AsyncAnswerCache(CacheAPI):
    """The answer cache for asyncio code (its methods return coroutines)."""

    def __init__(self, settings, *, redis=None, embedder=None, llm=None, metrics=None, inventory=None,
                 namespace: str | None = None, clock=time.time) -> None:
        self.redis = redis if redis is not None else make_async_redis(settings, **budget_kwargs(settings, asyncio=True))
        verifier = None
        self._verifier_redis = None
        if settings.cache.verifier_enabled:  # a blocking client: its calls run in a worker thread (Verify steps)
            from netcache.matching.verifier import make_verifier

            self._verifier_redis = make_redis(settings)
            verifier = make_verifier(settings, self._verifier_redis, metrics=metrics, namespace=namespace)
        super().__init__(CacheLogic(settings, embedder=embedder, llm=llm, metrics=metrics, inventory=inventory,
                                    namespace=namespace, clock=clock, verifier=verifier))
        self._scripts = Scripts(self.redis)
        self._cluster = is_cluster(self.redis)
        self._index_lock = asyncio.Lock()
        self._tasks: set[asyncio.Task] = set()

    def _drive(self, plan: Plan[Any], budget: RequestBudget | None = None):
        return self._walk(Stepper(plan), budget)

    async def _walk(self, walk: Stepper, budget: RequestBudget | None = None) -> Any:
        while not walk.done:
            outcome = await self._attempt(walk.step, budget)
            walk.resume(*outcome)
        return walk.value

    async def _attempt(self, step: Any, budget: RequestBudget | None = None) -> tuple[Any, BaseException | None]:
        """(result, None), or (None, the error) for the plan to handle at its yield."""
        try:
            return await self._execute(step, budget), None
        except Exception as e:
            return None, e

    async def _execute(self, step: Any, budget: RequestBudget | None = None) -> Any:
        if isinstance(step, Pipe):
            if budget is None:
                return await self._pipe(step)
            with budget.guard():
                return await self._pipe(step)
        if isinstance(step, Sleep):
            return await asyncio.sleep(step.seconds)
        if isinstance(step, Generate):
            result = step.start(prefer_async=True)
            return (await result) if inspect.isawaitable(result) else result
        if isinstance(step, Verify):
            return await asyncio.to_thread(step.run)
        if isinstance(step, Locked):
            if not step.wait and self._index_lock.locked():
                step.plan.close()
                return None
            async with self._index_lock:
                return await self._drive(step.plan, budget)
        if isinstance(step, Background):
            task = asyncio.create_task(self._drive(step.plan), name=step.name)
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            return None
        raise TypeError(f"unknown step {step!r}")

    async def _pipe(self, step: Pipe) -> list[Any]:
        if self._cluster:
            return await arun_cluster_pipe(self.redis, self._scripts, step)
        lone = step.lone_script
        if lone is not None:
            return [await self._scripts[lone.name](keys=lone.keys, args=lone.args)]
        p = self.redis.pipeline(transaction=False)
        for op in step.ops:
            if isinstance(op, Script):
                await self._scripts[op.name](keys=op.keys, args=op.args, client=p)
            else:
                getattr(p, op.name)(*op.args, **op.kwargs)
        return step.checked(await p.execute(raise_on_error=False))

    async def aclose(self) -> None:
        """Await background refreshes; close the verifier's model client and its Redis client; flush and
        close the metrics the cache built by default."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        if self.logic.verifier is not None:
            self.logic.verifier.close()
        if self._verifier_redis is not None:
            self._verifier_redis.close()
            self._verifier_redis = None
        if self.logic.owns_metrics and self.metrics is not None:
            try:
                await asyncio.to_thread(self.metrics.close)
                self.metrics.redis.close()
            except Exception as e:  # noqa: BLE001 - closing must not fail because a last flush did
                self.logic.log.warning("cache metrics not flushed at close: %s: %s", type(e).__name__, e)
