"""``to_text``: the one bytes → str helper (Redis replies arrive as bytes or str)."""

from __future__ import annotations

from typing import Any, overload

__all__ = ["to_text"]


@overload
def to_text(value: None) -> None: ...
@overload
def to_text(value: Any) -> str: ...
def to_text(value: Any) -> str | None:
    """``None`` stays None; bytes are decoded as UTF-8 (invalid bytes replaced); anything else is ``str()``."""
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", "replace")
    return str(value)
