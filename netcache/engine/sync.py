"""``AnswerCache``: the cache for synchronous code (redis-py; threads).

The operations are written once (:mod:`netcache.engine.operations`, :mod:`netcache.engine.admin`)
as plans; this driver executes their steps with redis-py, ``time.sleep`` and threads.
Thread-safe; one per process is enough. Redis failures: ``get`` returns None,
``get_or_generate`` still answers from the LLM (``Answer.cache_error`` says why it was not
cached); admin calls (``invalidate``, ``entry``, ``stats`` …) raise
:class:`~netcache.errors.BackendUnavailable`.
"""

from __future__ import annotations

import inspect
import threading
import time
from typing import Any

from netcache.cluster import is_cluster
from netcache.connections import RequestBudget, budget_kwargs, make_redis
from netcache.engine.api import CacheAPI
from netcache.engine.cluster_pipe import run_cluster_pipe
from netcache.engine.logic import CacheLogic
from netcache.engine.querylog import QueryStat
from netcache.engine.records import Answer, EntryInfo, GenTicket, Hit
from netcache.engine.steps import Background, Generate, Locked, Pipe, Plan, Script, Scripts, Sleep, Stepper, Verify

__all__ = ["AnswerCache", "Answer", "Hit", "EntryInfo", "GenTicket", "QueryStat"]


class AnswerCache(CacheAPI):
    """The answer cache (see :mod:`netcache.engine.operations` for what the methods do)."""

    def __init__(self, settings, *, redis=None, embedder=None, llm=None, metrics=None, inventory=None,
                 namespace: str | None = None, clock=time.time) -> None:
        self.redis = redis if redis is not None else make_redis(settings, **budget_kwargs(settings))
        from netcache.matching.verifier import make_verifier  # None unless cache.verifier_enabled

        verifier = make_verifier(settings, self.redis, metrics=metrics, namespace=namespace)
        super().__init__(CacheLogic(settings, embedder=embedder, llm=llm, metrics=metrics, inventory=inventory,
                                    namespace=namespace, clock=clock, embedder_factory=self._embedder,
                                    verifier=verifier))
        self._scripts = Scripts(self.redis)
        self._cluster = is_cluster(self.redis)
        self._index_lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def _embedder(self) -> Any:
        from netcache.matching.embedder import make_embedder  # loads onnxruntime: only when a cache needs it
        return make_embedder(self.settings, self.redis)  # embeddings cached in Redis by text hash

    def _drive(self, plan: Plan[Any], budget: RequestBudget | None = None) -> Any:
        walk = Stepper(plan)
        while not walk.done:
            try:
                reply = self._execute(walk.step, budget)
            except Exception as e:  # handed to the plan at its yield: the plan decides
                walk.resume(None, e)
            else:
                walk.resume(reply, None)
        return walk.value

    def _execute(self, step: Any, budget: RequestBudget | None = None) -> Any:
        if isinstance(step, Pipe):
            if budget is None:
                return self._pipe(step)
            with budget.guard():
                return self._pipe(step)
        if isinstance(step, Sleep):
            return time.sleep(step.seconds)
        if isinstance(step, Generate):
            result = step.start(prefer_async=False)
            if inspect.isawaitable(result):
                if inspect.iscoroutine(result):
                    result.close()  # never awaited: do not leave a "never awaited" warning behind
                raise TypeError("generate returned an awaitable: use AsyncAnswerCache for async generators")
            return result
        if isinstance(step, Verify):
            return step.run()
        if isinstance(step, Locked):
            if not self._index_lock.acquire(blocking=step.wait):
                step.plan.close()
                return None
            try:
                return self._drive(step.plan, budget)
            finally:
                self._index_lock.release()
        if isinstance(step, Background):
            return self._start(step)
        raise TypeError(f"unknown step {step!r}")

    def _pipe(self, step: Pipe) -> list[Any]:
        if self._cluster:
            return run_cluster_pipe(self.redis, self._scripts, step)
        lone = step.lone_script
        if lone is not None:  # one script: EVALSHA, loaded by redis-py on NOSCRIPT, one round trip
            return [self._scripts[lone.name](keys=lone.keys, args=lone.args)]
        p = self.redis.pipeline(transaction=False)
        for op in step.ops:
            if isinstance(op, Script):
                self._scripts[op.name](keys=op.keys, args=op.args, client=p)
            else:
                getattr(p, op.name)(*op.args, **op.kwargs)
        return step.checked(p.execute(raise_on_error=False))

    def _start(self, step: Background) -> None:
        t = threading.Thread(target=self._drive, args=(step.plan,), daemon=True, name=step.name)
        self._threads = [x for x in self._threads if x.is_alive()] + [t]
        t.start()

    def close(self, timeout_s: float = 10.0) -> None:
        """Wait for background refreshes to finish."""
        for t in list(self._threads):
            t.join(timeout_s)
        self._threads = []
        if self.logic.verifier is not None:
            self.logic.verifier.close()
        if self.logic.owns_metrics and self.metrics is not None:  # built by default: flushed and closed here
            try:
                self.metrics.close()
                self.metrics.redis.close()
            except Exception as e:  # noqa: BLE001 - closing must not fail because a last flush did
                self.logic.log.warning("cache metrics not flushed at close: %s: %s", type(e).__name__, e)
