"""Event-driven warming: ask the LLM what operators will ask next, within budget.

``run_warm`` is the logic behind the ``netcache.warm`` task. Every question
goes through the cache (``get_or_generate``, or ``refresh`` for a question
whose stale answer must be regenerated), so the cache's lease makes a warm-up
never duplicate a user's in-flight call for the same question: whoever comes
second waits for the first answer. Each LLM call first takes one call from the
:class:`~tasks.budget.WarmBudget` (per run and per UTC day, calls and
dollars); ``BudgetExceeded`` stops the run cleanly (the questions not asked
are counted as ``skipped``) and is reported, not retried. At most
``concurrency`` questions are asked at once (a thread pool inside the task).

Questions come from templates (``tasks/templates.yaml``): ``questions_for``
fills an event kind's templates with the event's device, interface, neighbor
and site; ``topology_questions`` gives the per-device questions
(interface status, BGP neighbor summary, CPU/memory). ``load_template_commands``
gives the show commands a template names, for warm-ups from the device's real
state (``device_state``, :class:`~tasks.device_state.DeviceState`: the output is the
generator's context, not part of the cache key; the answer's metadata says what it had).

Only what was asked: a question marked ``if_asked`` (the rules' questions) is asked only
when the query log has seen it (a user asked it, in any wording with the same exact key);
the others are counted as ``not_asked`` and cost nothing. Questions an operator asked for
(``netcache warm``) carry no mark. Every warmed answer's metadata has ``warmed`` (the
purpose), so a soft invalidation in the same burst leaves it alone (tasks/invalidation.py).
"""

from __future__ import annotations

import dataclasses
import logging
import string
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from netcache.errors import BudgetExceeded, ConfigError, LeaseTimeout, LLMError
from netcache.llm.generator import as_generation
from netcache.tasks.budget import WarmBudget
from netcache.tasks.device_state import combine_context

__all__ = [
    "DEFAULT_TEMPLATES",
    "WarmResult",
    "load_templates",
    "load_template_commands",
    "asked_filter",
    "questions_for",
    "topology_questions",
    "run_warm",
]

log = logging.getLogger(__name__)

#: The warm-up templates shipped with netcache.
DEFAULT_TEMPLATES = Path(__file__).with_name("templates.yaml")
#: Answer sources that mean no LLM call was made for this question.
_NO_CALL_SOURCES = frozenset({"exact", "semantic", "stale", "waited"})


@dataclass
class WarmResult:
    """What one warming run did (returned by the task as a dict)."""

    action_id: str
    reason: str
    asked: int = 0
    generated: int = 0
    already_cached: int = 0
    failed: int = 0
    skipped: int = 0
    #: rule questions nobody asked (not in the query log): not warmed
    not_asked: int = 0
    #: LLM calls by the device state they had (collected, event, none, failed)
    device_state: dict[str, int] = field(default_factory=dict)
    cost_usd: float = 0.0
    budget_exceeded: str | None = None
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def _template_item(item: Any) -> tuple[str, list[str]] | None:
    if isinstance(item, str):
        return item, []
    if (isinstance(item, dict) and set(item) <= {"question", "commands"} and isinstance(item.get("question"), str)
            and isinstance(item.get("commands", []), list) and all(isinstance(c, str) for c in item.get("commands", []))):
        return item["question"], list(item.get("commands", []))
    return None


def _load_raw(path: str | Path | None) -> dict[str, list[tuple[str, list[str]]]]:
    path = Path(path) if path else DEFAULT_TEMPLATES
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as e:
        raise ConfigError(f"cannot read warm-up templates {path}: {e}") from e
    out: dict[str, list[tuple[str, list[str]]]] = {}
    if isinstance(data, dict):
        for kind, items in data.items():
            parsed = [_template_item(i) for i in items] if isinstance(kind, str) and isinstance(items, list) else [None]
            if any(p is None for p in parsed):
                break
            out[kind] = [p for p in parsed if p is not None]
        else:
            return out
    raise ConfigError(f"warm-up templates {path} must map event kinds to lists of questions (a string, or "
                      "{question: ..., commands: [show ...]})")


def load_templates(path: str | Path | None = None) -> dict[str, list[str]]:
    """Event kind → question templates, from ``path`` or the shipped file."""
    return {kind: [q for q, _ in items] for kind, items in _load_raw(path).items()}


def load_template_commands(path: str | Path | None = None) -> dict[str, list[str]]:
    """Question template → the show commands a warm-up of it runs first (templates naming some)."""
    return {q: cmds for items in _load_raw(path).values() for q, cmds in items if cmds}


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def questions_for(kind: str, templates: dict[str, list[str]], **values: Any) -> list[dict]:
    """The filled-in questions for one event kind (templates missing a value are skipped)."""
    have = {k: str(v) for k, v in values.items() if v not in (None, "")}
    out = []
    for template in templates.get(kind, []):
        if _fields(template) <= have.keys():
            out.append({"prompt": template.format(**have)})
    return out


def topology_questions(devices: Iterable[str], templates: dict[str, list[str]]) -> list[dict]:
    """Topology warming: each device's interface status, BGP summary, CPU/memory."""
    return [q for device in devices for q in questions_for("topology", templates, device=device)]


def _validate(q: Any) -> dict:
    if not isinstance(q, dict) or not isinstance(q.get("prompt"), str) or not q["prompt"].strip():
        raise ConfigError(f"a warm-up question needs a non-empty 'prompt': {q!r}")
    return q


def asked_filter(cache: Any, questions: Sequence[dict]) -> tuple[list[dict], int]:
    """(the questions to ask, how many were left out): those marked ``if_asked`` stay only when the
    query log has seen their exact key (one ZMSCORE); unmarked ones always stay."""
    marked = [q for q in questions if q.get("if_asked")]
    if not marked:
        return list(questions), 0
    seen = {id(q) for q, was_asked in zip(marked, cache.asked(marked)) if was_asked}
    keep = [q for q in questions if not q.get("if_asked") or id(q) in seen]
    return keep, len(questions) - len(keep)


def run_warm(
    cache: Any,
    llm: Any,
    budget: WarmBudget,
    questions: Sequence[dict],
    *,
    reason: str = "",
    action_id: str = "",
    concurrency: int = 4,
    purpose: str = "warm",
    metrics: Any = None,
    semaphore: Any = None,
    slot_wait_s: float = 60.0,
    device_state: Any = None,
) -> WarmResult:
    """Ask ``questions`` through the cache under ``budget``; see the module docstring.

    A question dict has ``prompt`` and optionally ``context``, ``params``,
    ``tags`` and ``refresh`` (regenerate even if a — stale — answer is cached: ``cache.refresh``,
    still under the lease, so a concurrent user request or warm-up waits for this one).
    With ``semaphore`` (:class:`~tasks.semaphore.RedisSemaphore`), each LLM call also holds one
    of its slots, which bounds warm-up calls across every worker; no slot within
    ``slot_wait_s`` counts the question as failed. With ``device_state``
    (:class:`~tasks.device_state.DeviceState`), each LLM call first collects the question's
    device state and sends it as context; without it the answer's metadata says it had none.
    """
    questions = [_validate(q) for q in questions]
    result = WarmResult(action_id=action_id, reason=reason)
    questions, result.not_asked = asked_filter(cache, questions)
    if result.not_asked:
        log.info("warming %s: %d question(s) nobody asked are not warmed", action_id, result.not_asked)
    stop = threading.Event()
    lock = threading.Lock()

    def warm_one(q: dict) -> None:
        if stop.is_set():
            with lock:
                result.skipped += 1
            return
        called = False

        def generate(prompt: str):
            nonlocal called
            budget.reserve()
            called = True
            if device_state is not None:
                state, meta = device_state.for_question(q)
            else:
                state, meta = q.get("device_state") or None, {"device_state": "event" if q.get("device_state")
                                                             else "none", "device_state_reason": "no device logins"}
            context = combine_context(q.get("context"), state)
            try:
                if semaphore is None:
                    resp = llm.complete(prompt, context=context)
                else:
                    with semaphore.slot(slot_wait_s):
                        resp = llm.complete(prompt, context=context)
            except LeaseTimeout:
                budget.refund()
                raise
            budget.record(float(getattr(resp, "cost_usd", 0.0) or 0.0))
            gen = as_generation(resp)
            with lock:
                result.device_state[meta["device_state"]] = result.device_state.get(meta["device_state"], 0) + 1
            return dataclasses.replace(gen, metadata={**gen.metadata, **meta, "warmed": purpose,
                                                      "warmed_at": round(time.time(), 3)})

        try:
            ask = cache.refresh if q.get("refresh") else cache.get_or_generate
            answer = ask(q["prompt"], context=q.get("context"), params=q.get("params"),
                         tags=tuple(q.get("tags") or ()), generate=generate, purpose=purpose)
        except BudgetExceeded as e:
            stop.set()
            with lock:
                result.skipped += 1
                result.budget_exceeded = str(e)
            return
        except (LLMError, LeaseTimeout) as e:
            log.warning("warm-up failed for %r: %s", q["prompt"], e)
            with lock:
                result.failed += 1
                result.errors.append(f"{q['prompt']}: {e}")
            return
        with lock:
            result.asked += 1
            if called and answer.source not in _NO_CALL_SOURCES:
                result.generated += 1
                result.cost_usd += float(answer.cost_usd or 0.0)
            else:
                result.already_cached += 1

    workers = max(1, min(concurrency, len(questions) or 1))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="nc-warm") as pool:
        for f in [pool.submit(warm_one, q) for q in questions]:
            f.result()
    if metrics is not None and hasattr(metrics, "flush"):
        metrics.flush()
    if result.budget_exceeded:
        log.warning("warming %s stopped: %s (%d questions skipped)", action_id, result.budget_exceeded,
                    result.skipped)
    log.info("warming %s (%s): %d asked, %d generated ($%.4f), %d already cached, %d failed, %d skipped",
             action_id, reason or "-", result.asked, result.generated, result.cost_usd,
             result.already_cached, result.failed, result.skipped)
    return result
