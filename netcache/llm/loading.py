"""``load_generator(settings)``: the generator named by ``settings.llm.generator``.

The bot and every Celery worker call this with the same settings, so warm-ups and
nightly refreshes come from the same model and prompt as the bot's own answers:

* ``"anthropic"`` (the default): :class:`~netcache.llm.generators.AnthropicGenerator`;
* ``"openai"``: :class:`~netcache.llm.openai_generator.OpenAIGenerator` (OpenAI, vLLM,
  Ollama, a LiteLLM proxy at ``settings.llm.base_url``);
* ``"package.module:name"``: the bot's own. ``name`` is a factory called with the
  settings (a function or a class) that returns a generator, or a generator object
  (anything with ``generate``/``agenerate``, or a function ``f(prompt, context, params)``;
  a function of one argument is taken for a factory).
  It is wrapped in :class:`~netcache.llm.generators.PricedGenerator`, so answers it does
  not price are priced from their usage and the price table.

A name that cannot be loaded raises :class:`~netcache.errors.ConfigError` saying what to fix.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

from netcache.errors import ConfigError
from netcache.llm.generator import _positional_arity
from netcache.llm.generators import AnthropicGenerator, PricedGenerator
from netcache.llm.openai_generator import OpenAIGenerator
from netcache.settings import Settings

__all__ = ["load_generator", "BUILTIN_GENERATORS"]

#: The generators selectable by name.
BUILTIN_GENERATORS = ("anthropic", "openai")


def _is_generator(obj: Any) -> bool:
    return not inspect.isclass(obj) and (callable(getattr(obj, "generate", None))
                                         or callable(getattr(obj, "agenerate", None)))


def _import(spec: str) -> Any:
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr or not all(part.isidentifier() for part in (*module_name.split("."),
                                                                              *attr.split("."))):
        raise ConfigError(f"NETCACHE_LLM__GENERATOR={spec!r} is neither {' nor '.join(BUILTIN_GENERATORS)} "
                          "nor 'package.module:callable'")
    try:
        obj: Any = importlib.import_module(module_name)
    except ImportError as e:
        raise ConfigError(f"NETCACHE_LLM__GENERATOR={spec!r}: cannot import {module_name!r} ({e}); install it "
                          "where the bot and the workers run, or fix the name") from e
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ConfigError(f"NETCACHE_LLM__GENERATOR={spec!r}: {module_name} has no {attr!r}") from None
    return obj


def load_generator(settings: Settings) -> Any:
    """The generator ``settings.llm.generator`` names (see the module docstring)."""
    spec = (settings.llm.generator or "anthropic").strip()
    if spec == "anthropic":
        return AnthropicGenerator(settings)
    if spec == "openai":
        return OpenAIGenerator(settings)
    target = _import(spec)
    if _is_generator(target) or (callable(target) and not inspect.isclass(target)
                                 and _positional_arity(target) >= 3):
        generator = target  # a generator object, or a function f(prompt, context, params)
    elif callable(target):
        try:
            generator = target(settings)
        except ConfigError:
            raise
        except Exception as e:
            raise ConfigError(f"NETCACHE_LLM__GENERATOR={spec!r}: the factory failed: {type(e).__name__}: {e}") from e
    else:
        raise ConfigError(f"NETCACHE_LLM__GENERATOR={spec!r} names a {type(target).__name__}, not a generator "
                          "or a factory taking the settings")
    if not (_is_generator(generator) or callable(generator)):
        raise ConfigError(f"NETCACHE_LLM__GENERATOR={spec!r}: the factory returned a {type(generator).__name__}, "
                          "not a generator (an object with generate()/agenerate(), or f(prompt, context, params))")
    if isinstance(generator, PricedGenerator | AnthropicGenerator | OpenAIGenerator):
        return generator  # a shipped generator (e.g. from a factory that configures one): priced already
    return PricedGenerator(generator, settings, name=spec)
