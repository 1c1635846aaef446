"""Why a syslog line did (or did not) become an event: ``explain_line(SyslogParser(), line)``.

It runs the same steps as ``parse`` and records each one: the header format found, the message
id and where it was found, the vendor guessed (or forced), every rule the id selected and, for
each, whether it matched, the fields it took, or which of the pattern's words the text lacks::

    netcache events parse --explain '<189>Jan 20 10:00:00 r1 %BGP-5-ADJCHANGE: neighbor 10.0.0.2 Up'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from netcache.errors import ParseError
from netcache.events.syslog.message_id import find_message_id

if TYPE_CHECKING:
    from netcache.events.syslog.parser import SyslogParser
    from netcache.events.syslog.vendor_rules import Rule

__all__ = ["Explanation", "RuleTrial", "explain_line"]

# the words a pattern requires: optional groups (one nesting level) and alternations dropped first,
# then escapes, classes and group syntax break the rest into runs of plain text
_OPTIONAL_RE = re.compile(r"\((?:[^()]|\([^()]*\))*\)[?*]")
_ALTERNATION_RE = re.compile(r"\((?:\?(?:P<\w+>|:))?[^()]*\|[^()]*\)")
_SYNTAX_RE = re.compile(r"\(\?P<\w+>|\(\?[:=!]|\\[A-Za-z]|\\.|\[[^\]]*\]|[(){}|*+?.^$]")
_WORDS_RE = re.compile(r"[A-Za-z][A-Za-z0-9 _'/-]{3,}")


@dataclass(frozen=True, slots=True)
class RuleTrial:
    """One rule the message id selected, and what became of it."""

    name: str
    vendor: str
    type: str
    matched: bool
    fields: dict[str, Any] = field(default_factory=dict)
    why: str | None = None  # for a rule that did not match: the pattern text the message lacks


@dataclass(frozen=True, slots=True)
class Explanation:
    """Every step of parsing one line."""

    line: str
    status: str  # event | unrecognized | error
    reason: str | None = None
    header_format: str | None = None
    host: str | None = None
    app: str | None = None
    timestamp: datetime | None = None
    message_id: str | None = None
    key: str | None = None
    id_shape: str | None = None
    vendor: str | None = None
    vendor_forced: bool = False
    body: str | None = None
    tried: tuple[RuleTrial, ...] = ()
    event: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {name: getattr(self, name) for name in self.__slots__ if name != "tried"}  # type: ignore[attr-defined]
        out["tried"] = [{k: getattr(t, k) for k in t.__slots__} for t in self.tried]  # type: ignore[attr-defined]
        return out

    def to_text(self) -> str:
        """The human-readable report ``events parse --explain`` prints."""
        lines = [f"line:        {self.line}"]
        if self.header_format is None:
            lines.append(f"framing:     error: {self.reason}")
            return "\n".join(lines)
        when = self.timestamp.isoformat() if self.timestamp else "-"
        lines.append(f"header:      {self.header_format} (host {self.host or '-'}, program {self.app or '-'}, "
                     f"time {when})")
        lines.append(f"message id:  {self.message_id or '-'} (rule key {self.key or '-'}, found as {self.id_shape})")
        lines.append(f"vendor:      {self.vendor or 'unknown'}{' (forced)' if self.vendor_forced else ' (guessed)'}")
        lines.append(f"text:        {self.body}")
        if not self.tried:
            lines.append(f"rules:       none for message id {self.key!r}: add one (see events/syslog/vendor_rules)")
        for trial in self.tried:
            if trial.matched:
                shown = " ".join(f"{k}={v}" for k, v in trial.fields.items())
                lines.append(f"  matched    {trial.name} -> {trial.type}: {shown}")
            else:
                lines.append(f"  no match   {trial.name} ({trial.type}): {trial.why}")
        lines.append(f"result:      {self.status}" + (f": {self.reason}" if self.reason else ""))
        if self.event:
            lines.append("event:       " + " ".join(f"{k}={v}" for k, v in self.event.items()
                                                   if v not in (None, False, [], "")
                                                   and k not in ("raw", "received_at", "schema_version")))
        return "\n".join(lines)


def _why_not(rule: Rule, body: str) -> str:
    """The first literal words of the rule's pattern that the text does not contain."""
    plain = _ALTERNATION_RE.sub("\x00", _OPTIONAL_RE.sub("\x00", rule.pattern.pattern))
    plain = _SYNTAX_RE.sub("\x00", plain)
    lower = body.lower()
    for words in _WORDS_RE.findall(plain):
        words = words.strip()
        if len(words) >= 4 and words.lower() not in lower:
            return f"the text has no {words!r} (pattern {rule.pattern.pattern!r})"
    return f"the words are there but not in the pattern's order or shape (pattern {rule.pattern.pattern!r})"


def explain_line(parser: SyslogParser, line: bytes | str, source_address: str | None = None, *,
                 now: datetime | None = None) -> Explanation:
    """Run ``parser``'s steps on ``line`` and record each (see the module docstring): header format,
    message id, vendor, each rule tried and why."""
    from netcache.events.syslog.parser import detect_vendor, parse_frame

    if isinstance(line, (bytes, bytearray)):
        line = line.decode("utf-8", errors="replace")

    now = now or datetime.now(UTC)
    text = line.rstrip("\r\n\x00")
    result = parser.parse(text, source_address, now=now)
    try:
        header = parse_frame(text, now=now)
    except ParseError as e:
        return Explanation(text, "error", reason=str(e))
    mid = find_message_id(header.message, msgid=header.msgid, app=header.app)
    forced = parser._vendor_for(source_address)  # noqa: SLF001 - the same lookup parse makes
    vendor = forced or detect_vendor(header, mid.key, mid.shape)
    candidates = parser.rules.candidates(mid.key, vendor, only_vendor=forced is not None) if mid.key else ()
    trials: list[RuleTrial] = []
    for rule in candidates:
        m = rule.pattern.match(mid.body)
        if m is None:
            trials.append(RuleTrial(rule.name, rule.vendor, rule.type, False, why=_why_not(rule, mid.body)))
            continue
        fields = {k: v for k, v in m.groupdict().items() if v is not None and not k.startswith("_")}
        trials.append(RuleTrial(rule.name, rule.vendor, rule.type, True, {**rule.const, **fields}))
        break
    event = result.event.model_dump(mode="json") if result.event is not None else None
    return Explanation(text, result.status, reason=result.reason, header_format=header.format,
                       host=mid.host if mid.host and not header.host else header.host, app=header.app,
                       timestamp=header.timestamp, message_id=mid.message_id or None, key=mid.key or None,
                       id_shape=mid.shape, vendor=vendor, vendor_forced=forced is not None, body=mid.body,
                       tried=tuple(trials), event=event)
