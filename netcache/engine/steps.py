"""The steps a cache operation asks its driver to run (the engine is "sans-IO").

Every cache operation (lookup, put, lease, invalidation, admin) is written once, in
:mod:`netcache.engine.operations` and :mod:`netcache.engine.admin`, as a *plan*: a generator
that yields steps and receives their results (``reply = yield Pipe(...)``). A step that
fails is thrown into the plan at its ``yield`` (``except RedisError`` there decides what a
failure means). The drivers only execute steps:

* :class:`netcache.engine.sync.AnswerCache` with redis-py, ``time.sleep`` and threads;
* :class:`netcache.engine.aio.AsyncAnswerCache` with ``redis.asyncio``, ``asyncio.sleep``,
  ``await`` and tasks.

Steps: :class:`Pipe` (script calls and commands sent in one round trip), :class:`Sleep`,
:class:`Generate` (one call to the caller's generator or LLM client), :class:`Verify` (the
opt-in verifier's model call for one candidate), :class:`Locked`
(a sub-plan run under the driver's index lock) and :class:`Background` (a plan started
without waiting for it, e.g. the refresh of a stale answer).
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from netcache import lua
from netcache.errors import ConfigError
from netcache.llm.generator import call_generator

__all__ = ["Script", "Command", "Pipe", "Sleep", "Generate", "Verify", "Locked", "Background", "Plan", "Scripts",
           "Stepper", "cmd", "script", "pipe"]

T = TypeVar("T")
#: a plan yields steps, receives each step's result, and returns the operation's result
Plan = Generator[Any, Any, T]


@dataclass(frozen=True)
class Script:
    """One call of a registered Lua script (``netcache/lua/<name>.lua``)."""

    name: str
    keys: list[Any]
    args: list[Any]


@dataclass(frozen=True)
class Command:
    """One redis-py command, by method name (``hgetall``, ``scan`` …)."""

    name: str
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)


def cmd(name: str, *args: Any, **kwargs: Any) -> Command:
    return Command(name, args, kwargs)


def script(name: str, keys: list[Any], args: list[Any] | None = None) -> Script:
    return Script(name, list(keys), list(args or []))


@dataclass(frozen=True)
class Pipe:
    """Script calls and commands sent in one round trip; the result is the list of replies.
    ``strict``: a command's error reply raises (else it stays in the list, for the plan to read)."""

    ops: tuple[Script | Command, ...]
    strict: bool = True

    @property
    def lone_script(self) -> Script | None:
        """The script when it is the only call (run directly: no pipeline, no SCRIPT EXISTS)."""
        return self.ops[0] if len(self.ops) == 1 and isinstance(self.ops[0], Script) else None

    def checked(self, replies: list[Any]) -> list[Any]:
        if self.strict:
            for r in replies:
                if isinstance(r, Exception):
                    raise r
        return list(replies)


def pipe(*ops: Script | Command, strict: bool = True) -> Pipe:
    return Pipe(tuple(ops), strict)


@dataclass(frozen=True)
class Sleep:
    seconds: float


@dataclass(frozen=True)
class Generate:
    """One generation: ``generate`` (a Generator object or a callable, see
    :func:`netcache.llm.generator.call_generator`), else ``llm.complete(prompt, context=...)``.
    The result is what it returned (the plan reads it with ``as_generation``)."""

    generate: Any
    llm: Any
    prompt: str
    context: Any
    params: Any

    def start(self, *, prefer_async: bool) -> Any:
        """Start the call; the driver awaits the result when it is awaitable (async driver only)."""
        if self.generate is not None:
            return call_generator(self.generate, self.prompt, self.context, self.params, prefer_async=prefer_async)
        if self.llm is not None:
            return self.llm.complete(self.prompt, context=self.context)
        raise ConfigError("get_or_generate needs generate= or an llm= client")


@dataclass(frozen=True)
class Verify:
    """Ask the verifier about a candidate the guard rejected on wording only; the result is the verdict to act
    on (:func:`netcache.matching.verifier.verify_candidate`). A blocking model call: the sync driver runs it in
    place, the async driver in a worker thread, so the event loop is never held up by it."""

    verifier: Any
    verdict: Any
    prompt: str
    candidate_prompt: str
    query_type: str

    def run(self) -> Any:
        from netcache.matching.verifier import verify_candidate

        return verify_candidate(self.verdict, self.prompt, self.candidate_prompt, self.verifier,
                                query_type=self.query_type)


@dataclass(frozen=True)
class Locked:
    """Run ``plan`` under the driver's index lock (one index sync at a time per cache);
    ``wait=False``: skip it (result None) when another thread or task holds the lock."""

    plan: Plan[Any]
    wait: bool = True


@dataclass(frozen=True)
class Background:
    """Start ``plan`` and go on without waiting (a thread or an asyncio task); result None."""

    plan: Plan[Any]
    name: str


class Scripts:
    """The Lua scripts of one client, registered once each (``netcache.lua.register``)."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._scripts: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        found = self._scripts.get(name)
        if found is None:
            found = self._scripts[name] = lua.register(self._client, name)
        return found


class Stepper:
    """Walks a plan: ``step`` is the step to execute next until ``done``; ``resume`` hands
    the step's result (or its error) back to the plan."""

    def __init__(self, plan: Plan[Any]) -> None:
        self._plan = plan
        self.done = False
        self.value: Any = None
        self.step: Any = None
        self.resume(None, None)

    def resume(self, reply: Any, error: BaseException | None) -> None:
        try:
            self.step = self._plan.throw(error) if error is not None else self._plan.send(reply)
        except StopIteration as stop:
            self.done, self.value, self.step = True, stop.value, None
