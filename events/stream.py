"""How an event sits on the Redis stream: flat string fields, the event itself as JSON.

    encode_entry(event) -> {"v": "1", "type": "bgp_down", "id": "…", "device": "rtr-001", "event": "{…}"}
    decode_entry(fields, entry_id="1700000000000-0") -> BgpDown(...)

``v``, ``type``, ``id`` and ``device`` are duplicated outside the JSON so a
consumer (or ``redis-cli XRANGE``) can route and filter without decoding it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from netcache.errors import EventError
from netcache.events.models import SCHEMA_VERSION, EventBase, parse_event
from netcache.text import to_text

__all__ = ["ENTRY_FIELDS", "encode_entry", "decode_entry"]

#: The fields of every stream entry written by netcache.
ENTRY_FIELDS: tuple[str, ...] = ("v", "type", "id", "device", "event")


def encode_entry(event: EventBase) -> dict[str, str]:
    """Stream fields for ``event`` (all strings; ``device`` is "" when the event has none)."""
    return {
        "v": str(SCHEMA_VERSION),
        "type": event.type,  # type: ignore[attr-defined]
        "id": event.id,
        "device": event.device or "",
        "event": event.model_dump_json(),
    }


def decode_entry(fields: Mapping[Any, Any], entry_id: str | bytes | None = None) -> EventBase:
    """The event in one stream entry (keys and values as bytes or str); ``EventError`` if it is not one."""
    name = f"stream entry {to_text(entry_id)}" if entry_id is not None else "stream entry"
    try:
        # Redis replies are bytes: decoded inline (to_text per key and value cost ~10 % of a dispatcher's CPU)
        text = {(k.decode() if type(k) is bytes else to_text(k, "strict")):
                (v.decode() if type(v) is bytes else to_text(v, "strict")) for k, v in fields.items()}
    except (UnicodeDecodeError, AttributeError) as e:
        raise EventError(f"{name} is not UTF-8 text: {e}") from e
    if "event" not in text:
        raise EventError(f"{name} has no 'event' field (fields: {', '.join(sorted(text)) or 'none'})")
    version = text.get("v", str(SCHEMA_VERSION))
    if not version.isdigit() or int(version) > SCHEMA_VERSION:
        raise EventError(f"{name} has schema version {version!r}; this netcache reads up to {SCHEMA_VERSION}")
    try:
        event = parse_event(text["event"])
    except EventError as e:
        raise EventError(f"{name}: {e}") from e
    if "type" in text and text["type"] != event.type:  # type: ignore[attr-defined]
        raise EventError(f"{name}: field type={text['type']!r} disagrees with the event ({event.type!r})")  # type: ignore[attr-defined]
    return event
