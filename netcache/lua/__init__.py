"""Lua scripts, one ``.lua`` file each, beside this module.

``source(name)`` reads ``netcache/lua/<name>.lua`` once; ``register(client, name)`` returns
redis-py's ``Script`` for it (``client.register_script``), which runs by EVALSHA and loads the
script itself when Redis does not know it (first use, after a restart or a flush). Call a
registered script with ``script(keys=[...], args=[...], client=pipeline_or_client)``.

A line ``--#include <name>`` is replaced by the text of ``<name>.lua`` (shared Lua functions,
e.g. the cache's tier moves in ``_tiers.lua``); files whose name starts with ``_`` are only
included, never registered on their own.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

__all__ = ["source", "register"]

_INCLUDE = "--#include "


@cache
def source(name: str) -> str:
    """The text of ``<name>.lua`` (``ValueError`` naming the file if there is none)."""
    try:
        text = resources.files(__name__).joinpath(f"{name}.lua").read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise ValueError(f"no Lua script {name!r} (netcache/lua/{name}.lua)") from e
    return "\n".join(source(line[len(_INCLUDE):].strip()) if line.startswith(_INCLUDE) else line
                     for line in text.splitlines()) + "\n"


def register(client: Any, name: str) -> Any:
    """``client.register_script(source(name))``: a callable Script bound to ``client``."""
    return client.register_script(source(name))
