"""The rules table: which cache tags an event invalidates and which questions it warms.

The table is data (``worker/rules_default.yaml``, or the file in
``WorkerSettings.rules_file``), validated once at start-up with pydantic; a bad
file raises ``ConfigError`` naming the file, the line and the field::

    rules = load_rules(path)            # or load_rules(None) for the defaults
    actions = rules.actions_for(event)  # -> list[Action]

One rule item becomes one :class:`Action`: a ``netcache.invalidate`` task (tags,
mode, warm questions) or, when it lists no tags, a ``netcache.warm`` task.
Tags are a union (the invalidation task takes a union); placeholders are the
event's fields, an empty value skips the tag or question, a list value expands
to one tag per element. A few placeholders are derived from a field (see
``DERIVED_PLACEHOLDERS``): ``{neighbor_ip}`` is the neighbor when it is an IP
address (canonical, as the cache tags addresses), ``{neighbor_device}`` when it
is a name, so ``device:{neighbor_device}`` is skipped for address neighbors
instead of becoming the meaningless ``device:10.0.0.6``.

An item may carry ``when``: event field → a value or a list of values; the item
applies only when every named field has one of them (``when: {kind: saved}``
makes ``write memory`` refresh rather than drop a device's answers). Values are
compared as text; ``null`` matches an empty field.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import itertools
import json
import string
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from netcache.errors import ConfigError
from netcache.events import models as _models
from netcache.events.models import EVENT_TYPES, EventBase

__all__ = [
    "DEFAULT_RULES_FILE",
    "DERIVED_PLACEHOLDERS",
    "INVALIDATE_TASK",
    "WARM_TASK",
    "Action",
    "event_state",
    "RuleItem",
    "RulesFile",
    "RuleSet",
    "load_rules",
    "parse_rules",
]

#: The rules shipped with netcache (the issue's defaults).
DEFAULT_RULES_FILE = Path(__file__).with_name("rules_default.yaml")
#: Celery task names and queues (docs/interfaces.md); the dispatcher sends by name.
INVALIDATE_TASK = ("netcache.invalidate", "invalidate")
WARM_TASK = ("netcache.warm", "warm")

_FORMATTER = string.Formatter()
#: Event type → its model class (for checking placeholders against the model's fields).
_MODELS: dict[str, type[EventBase]] = {}
for _name in _models.__all__:
    _cls = getattr(_models, _name)
    if isinstance(_cls, type) and issubclass(_cls, EventBase) and "type" in _cls.model_fields:
        _MODELS[_cls.model_fields["type"].default] = _cls


def _as_ip(value: Any) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _neighbor_ip(value: Any) -> str:
    """The neighbor as the cache writes addresses (``ip:`` tags: IPv4 dotted, IPv6 compressed), or ""."""
    ip = _as_ip(value)
    return ip.compressed if ip is not None else ""


def _neighbor_device(value: Any) -> str:
    """The neighbor as the cache writes device names (lowercase) when it is a name, "" for an address."""
    if not isinstance(value, str) or not value.strip() or _as_ip(value) is not None:
        return ""
    return value.strip().lower()


#: Placeholder → (the event field it is computed from, how). Usable in any rule for an
#: event type that has the field; an empty result skips the tag or question like an empty field.
DERIVED_PLACEHOLDERS: dict[str, tuple[str, Any]] = {
    "neighbor_ip": ("neighbor", _neighbor_ip),
    "neighbor_device": ("neighbor", _neighbor_device),
}


def _placeholder_values(event: EventBase, names: frozenset[str] | None = None) -> dict[str, Any]:
    """The event's fields and derived placeholders; only ``names`` when given (what its rules use)."""
    fields = type(event).model_fields
    values = {name: getattr(event, name) for name in fields if names is None or name in names}
    for name, (source, fn) in DERIVED_PLACEHOLDERS.items():
        if source in fields and (names is None or name in names):
            values[name] = fn(getattr(event, source))
    return values


@functools.lru_cache(maxsize=4096)
def _placeholders(template: str) -> tuple[str, ...]:
    """Field names used by ``template`` (``"iface:{device}:{interface}"`` → device, interface)."""
    try:
        parts = [(name, spec, conv) for _, name, spec, conv in _FORMATTER.parse(template) if name is not None]
    except ValueError as e:
        raise ValueError(f"bad template {template!r}: {e}") from e
    for name, spec, conv in parts:
        if not name.isidentifier():
            raise ValueError(f"placeholder {{{name}}} in {template!r} must be a plain field name")
        if conv or spec:
            # {device!r:>12} renders 'rtr-001' padded: a tag that never matches what the cache wrote
            raise ValueError(f"placeholder in {template!r} has a conversion or format spec "
                             f"({'!' + conv if conv else ''}{':' + spec if spec else ''}); write plain {{{name}}}")
    return tuple(name for name, _, _ in parts)


def _literal_choices(model: type[EventBase], name: str) -> set[str] | None:
    """The text values a Literal field can take (None when the field is free-form)."""
    field = model.model_fields.get(name)
    if field is None:
        return None
    annotation = field.annotation
    if annotation is bool:
        return {"true", "false"}
    if typing.get_origin(annotation) is Literal:
        return {str(v) for v in typing.get_args(annotation)}
    return None


class RuleItem(BaseModel):
    """One thing an event causes: invalidate these tags (mode) and then warm these questions."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    invalidate: list[str] = Field(default_factory=list, description="Tag templates (a union).")
    mode: Literal["hard", "soft"] = "hard"
    warm: list[str] = Field(default_factory=list, description="Question templates asked afterwards.")
    when: dict[str, list[str | None]] = Field(
        default_factory=dict, description="Field → accepted values; the item applies only if all match.")

    @field_validator("when", mode="before")
    @classmethod
    def _values_as_lists(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        out: dict[Any, Any] = {}
        for name, accepted in value.items():
            items = accepted if isinstance(accepted, list) else [accepted]
            out[name] = [v if v is None or isinstance(v, str) else
                         (str(v).lower() if isinstance(v, bool) else str(v)) for v in items]
        return out

    def applies_to(self, values: dict[str, Any]) -> bool:
        """Whether the event's field ``values`` satisfy ``when``."""
        for name, accepted in self.when.items():
            value = values.get(name)
            text = None if value in (None, "") else (str(value).lower() if isinstance(value, bool) else str(value))
            if text not in accepted:
                return False
        return True

    @field_validator("invalidate", "warm")
    @classmethod
    def _templates_parse(cls, values: list[str]) -> list[str]:
        for value in values:
            if not value.strip():
                raise ValueError("a template must not be empty")
            _placeholders(value)
        return values


class RulesFile(BaseModel):
    """The whole file: ``version`` and event type → rule items."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    rules: dict[str, list[RuleItem]]

    @field_validator("rules")
    @classmethod
    def _known_types_and_fields(cls, rules: dict[str, list[RuleItem]]) -> dict[str, list[RuleItem]]:
        for event_type, items in rules.items():
            if event_type not in _MODELS:
                raise ValueError(f"unknown event type {event_type!r}; known types: {', '.join(EVENT_TYPES)}")
            fields = set(_MODELS[event_type].model_fields)
            fields |= {name for name, (source, _) in DERIVED_PLACEHOLDERS.items() if source in fields}
            for n, item in enumerate(items):
                if not item.invalidate and not item.warm:
                    raise ValueError(f"{event_type}[{n}] neither invalidates nor warms anything")
                for name, accepted in item.when.items():
                    if name not in fields:
                        raise ValueError(f"{event_type}[{n}]: when names {name!r}, which a {event_type} event "
                                         f"does not have (fields: {', '.join(sorted(fields))})")
                    if not accepted:
                        raise ValueError(f"{event_type}[{n}]: when {name!r} lists no values")
                    choices = _literal_choices(_MODELS[event_type], name)
                    wrong = [v for v in accepted if choices is not None and v not in choices]
                    if wrong:
                        raise ValueError(f"{event_type}[{n}]: when {name!r} can never be {wrong[0]!r} "
                                         f"(a {event_type}'s {name} is one of: {', '.join(sorted(choices or ()))})")
                for template in [*item.invalidate, *item.warm]:
                    for name in _placeholders(template):
                        if name not in fields:
                            raise ValueError(
                                f"{event_type}[{n}]: {template!r} uses {{{name}}}, which a {event_type} "
                                f"event does not have (fields: {', '.join(sorted(fields))})")
        return rules


@dataclass(frozen=True)
class Action:
    """One task to enqueue, rendered from a rule item and an event."""

    task: str
    queue: str
    tags: tuple[str, ...]
    mode: str
    warm: tuple[str, ...]
    event_type: str
    target: str
    #: the event's source (syslog, webhook, ...): a warm-up for syslog spends only its share of the budget
    origin: str = ""
    #: What the event itself says about the device's new state (a config_change's changed lines),
    #: sent to the warm-ups' generator as context (never part of the cache key); "" = nothing.
    state: str = ""

    def key(self) -> str:
        """Identity for coalescing: the same task on the same tags with the same warm-up."""
        return _action_key(self.task, self.mode, self.tags, self.warm)

    def kwargs(self, *, action_id: str, reason: str, folded: int = 0) -> dict[str, Any]:
        """Task keyword arguments (docs/interfaces.md); ``folded`` = coalesced events it stands for.

        Rule questions are marked ``if_asked``: the warm task asks them only when the query log has
        seen them (an event on a device nobody asked about costs no LLM call)."""
        questions = [{"prompt": q, "context": None, "params": None, "if_asked": True,
                      **({"device_state": self.state} if self.state else {})} for q in self.warm]
        if self.task == INVALIDATE_TASK[0]:
            return {"tags": list(self.tags), "mode": self.mode, "warm": questions,
                    "reason": reason, "action_id": action_id, "folded": folded, "origin": self.origin}
        # netcache.warm takes no `folded`: the count goes in the reason
        if folded:
            reason = f"{reason} ({folded} events folded)"
        return {"questions": questions, "reason": reason, "action_id": action_id, "origin": self.origin}

    def to_json(self) -> str:
        return json.dumps({"task": self.task, "queue": self.queue, "tags": list(self.tags), "mode": self.mode,
                           "warm": list(self.warm), "event_type": self.event_type, "target": self.target,
                           "origin": self.origin, "state": self.state})

    @classmethod
    def from_json(cls, text: str | bytes) -> Action:
        d = json.loads(text)
        return cls(task=d["task"], queue=d["queue"], tags=tuple(d["tags"]), mode=d["mode"],
                   warm=tuple(d["warm"]), event_type=d["event_type"], target=d["target"],
                   origin=d.get("origin", ""), state=d.get("state", ""))


@functools.lru_cache(maxsize=65536)
def _action_key(task: str, mode: str, tags: tuple[str, ...], warm: tuple[str, ...]) -> str:
    blob = json.dumps([task, mode, sorted(tags), list(warm)], separators=(",", ":"))
    return hashlib.sha1(blob.encode()).hexdigest()[:20]


@functools.lru_cache(maxsize=4096)
def _unique_placeholders(template: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_placeholders(template)))


def _render(template: str, values: dict[str, Any]) -> list[str]:
    """Every rendering of ``template``: none if a field is empty, one per element for list fields."""
    names = _unique_placeholders(template)
    scalars: dict[str, str] = {}
    for name in names:  # the common case, every field a scalar: one rendering, no product
        value = values.get(name)
        if isinstance(value, (list, tuple, set, frozenset)):
            break
        if value in (None, ""):
            return []
        scalars[name] = str(value)
    else:
        return [template.format(**scalars)]
    choices: list[list[str]] = []
    for name in names:
        value = values.get(name)
        if isinstance(value, (list, tuple, set, frozenset)):
            options = sorted({str(v) for v in value if v not in (None, "")})
        else:
            options = [] if value in (None, "") else [str(value)]
        if not options:
            return []
        choices.append(options)
    return [template.format(**dict(zip(names, combo))) for combo in itertools.product(*choices)]


class RuleSet:
    """The validated table; ``actions_for(event)`` renders an event's actions."""

    def __init__(self, rules: dict[str, list[RuleItem]], *, source: str = "<rules>") -> None:
        self.rules = rules
        self.source = source
        #: event type → the placeholders and `when` fields its items read (computed once, not per event)
        self._names: dict[str, frozenset[str]] = {
            event_type: frozenset(name for item in items for tpl in [*item.invalidate, *item.warm]
                                  for name in _placeholders(tpl)) | frozenset(n for item in items for n in item.when)
            for event_type, items in rules.items()}

    def actions_for(self, event: EventBase) -> list[Action]:
        items = self.rules.get(event.type, ())  # type: ignore[attr-defined]
        if not items:
            return []
        values = _placeholder_values(event, self._names.get(event.type))  # type: ignore[attr-defined]
        target = event.target_key()
        actions: list[Action] = []
        for item in items:
            if item.when and not item.applies_to(values):
                continue
            tags = tuple(dict.fromkeys(t for tpl in item.invalidate for t in _render(tpl, values)))
            warm = tuple(dict.fromkeys(q for tpl in item.warm for q in _render(tpl, values)))
            if tags:
                task, queue = INVALIDATE_TASK
            elif warm and not item.invalidate:
                task, queue = WARM_TASK
            else:
                continue  # every tag rendered empty: nothing this event can name
            actions.append(Action(task=task, queue=queue, tags=tags, mode=item.mode, warm=warm,
                                  event_type=event.type, target=target,  # type: ignore[attr-defined]
                                  origin=event.source, state=event_state(event) if warm else ""))
        return actions


def event_state(event: EventBase) -> str:
    """What an event says about the device's new state, as context for its warm-ups: a
    config_change's changed lines (marked when the push was partial); "" for other events."""
    lines = getattr(event, "changed_lines", None)
    if getattr(event, "type", "") != "config_change" or not lines:
        return ""
    who = ", ".join(x for x in (getattr(event, "method", None) and f"via {event.method}",  # type: ignore[attr-defined]
                                getattr(event, "user", None) and f"by {event.user}") if x)  # type: ignore[attr-defined]
    head = f"Configuration lines just applied on {event.device}"  # type: ignore[attr-defined]
    if getattr(event, "partial", False):
        head += " (a partial push: the device rejected the next line, these were applied)"
    return f"{head}{f' ({who})' if who else ''}:\n" + "\n".join(lines)


def _line_of(root: yaml.Node | None, loc: tuple[Any, ...], *, key_line: bool = False) -> int | None:
    """1-based line of the YAML node at pydantic error location ``loc`` (closest existing parent).

    ``key_line``: for a mapping entry, the line of its key rather than of its value.
    """
    node, line = root, (root.start_mark.line + 1) if root is not None else None
    for n, part in enumerate(loc):
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if getattr(k, "value", None) == str(part)), None)
            if pair is None:
                return line
            if key_line and n == len(loc) - 1:
                return pair[0].start_mark.line + 1
            nxt = pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            nxt = node.value[part]
        else:
            break
        node, line = nxt, nxt.start_mark.line + 1
    return line


def parse_rules(text: str, *, source: str = "<rules>") -> RuleSet:
    """Validate rules from YAML (or JSON) text; ``ConfigError`` names the source, line and field."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise ConfigError(f"{source}: not valid YAML: {e}") from e
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping with 'version' and 'rules', got {type(data).__name__}")
    try:
        parsed = RulesFile.model_validate(data)
    except ValidationError as e:
        problems = []
        for err in e.errors():
            loc = tuple(err["loc"])
            # a dict-level validator reports at "rules"; find the event type it names, if any
            where = ".".join(str(p) for p in loc) or "(file)"
            line_loc, key_line = loc, err["type"] == "extra_forbidden"
            msg = err["msg"].removeprefix("Value error, ")
            if loc == ("rules",):
                for event_type in data.get("rules") or {}:
                    if f"{event_type!r}" in msg or msg.startswith(f"{event_type}["):
                        line_loc, key_line = ("rules", event_type), True
                        break
            line = _line_of(root, line_loc, key_line=key_line)
            problems.append(f"line {line}: {where}: {msg}" if line else f"{where}: {msg}")
        raise ConfigError(f"{source}: invalid rules: " + "; ".join(problems)) from e
    return RuleSet(parsed.rules, source=source)


def load_rules(path: str | Path | None = None) -> RuleSet:
    """The rules in ``path`` (``None`` = the shipped defaults), validated."""
    path = Path(path) if path else DEFAULT_RULES_FILE
    try:
        text = path.read_text()
    except OSError as e:
        raise ConfigError(f"cannot read rules file {path}: {e}") from e
    return parse_rules(text, source=str(path))
