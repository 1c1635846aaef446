"""``to_text``: the one bytes → str helper (Redis replies arrive as bytes or str)."""

from __future__ import annotations

from typing import Any, overload

__all__ = ["to_text"]


@overload
def to_text(value: None, errors: str = ...) -> None: ...
@overload
def to_text(value: Any, errors: str = ...) -> str: ...
def to_text(value: Any, errors: str = "replace") -> str | None:
    """``None`` stays None; bytes are decoded as UTF-8; anything else is ``str()``.

    Invalid bytes are replaced by default; ``errors="strict"`` raises ``UnicodeDecodeError``
    instead (for payloads that must be text, such as stream entries).
    """
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", errors)
    return str(value)
