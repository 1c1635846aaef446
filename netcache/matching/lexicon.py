"""The NetOps lexicon: vocabulary that is never a device name, and spellings folded to one form.

The data lives in ``netcache/matching/data/lexicon.yaml`` (shipped with the package); a user file of
the same shape (``settings.cache.lexicon_file``) adds to it. :func:`default_lexicon` is built on first
use and kept; :func:`load_lexicon` builds one with a user file on top.

* ``Lexicon.is_vocabulary(token)`` — a protocol, command, standard, unit or platform word
  (``ipv4``, ``ospfv3``, ``802.1q``, ``sha256``, ``route-map``, ``15.2(4)M3``);
* ``Lexicon.fold(text)`` — lowercase text with every variant replaced by its canonical spelling
  (``sh ip int br`` → ``show ip interface brief``, ``light levels`` → ``optical power``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from netcache.errors import ConfigError

__all__ = ["Lexicon", "default_lexicon", "load_lexicon", "literal_starts"]

_B, _E = r"(?<![\w./:<-])", r"(?![\w/<-]|\.\w)"


@dataclass(frozen=True, eq=False)  # hashed by identity: memo keys (one lexicon object per process)
class Lexicon:
    vocabulary: frozenset[str]
    vocabulary_re: re.Pattern[str] | None
    synonyms: dict[str, str]  # variant (lowercase) → canonical
    synonyms_re: re.Pattern[str] | None

    def is_vocabulary(self, token: str) -> bool:
        low = token.lower()
        return low in self.vocabulary or (self.vocabulary_re is not None and self.vocabulary_re.fullmatch(low) is not None)

    def fold(self, text: str) -> str:
        """``text`` (lowercased) with every synonym variant replaced by its canonical spelling."""
        text = text.lower()
        if self.synonyms_re is None:
            return text
        return self.synonyms_re.sub(lambda m: self.synonyms[m.group(0)], text)


def _parse(obj: Any, source: str) -> tuple[set[str], list[str], dict[str, str]]:
    if obj is None:
        obj = {}
    if not isinstance(obj, dict):
        raise ConfigError(f"lexicon {source}: expected a mapping with vocabulary, vocabulary_patterns, synonyms; "
                          f"got {type(obj).__name__}")
    unknown = set(obj) - {"vocabulary", "vocabulary_patterns", "synonyms"}
    if unknown:
        raise ConfigError(f"lexicon {source}: unknown sections {sorted(unknown)} "
                          "(expected vocabulary, vocabulary_patterns, synonyms)")
    vocab = obj.get("vocabulary") or []
    patterns = obj.get("vocabulary_patterns") or []
    syn = obj.get("synonyms") or {}
    if not isinstance(vocab, list) or not all(isinstance(v, (str, int, float)) for v in vocab):
        raise ConfigError(f"lexicon {source}: vocabulary must be a list of words")
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise ConfigError(f"lexicon {source}: vocabulary_patterns must be a list of regexes")
    for p in patterns:
        try:
            re.compile(p)
        except re.error as e:
            raise ConfigError(f"lexicon {source}: bad vocabulary pattern {p!r}: {e}") from e
    if not isinstance(syn, dict):
        raise ConfigError(f"lexicon {source}: synonyms must map a canonical spelling to a list of variants")
    folded: dict[str, str] = {}
    for canon, variants in syn.items():
        if not isinstance(canon, str) or not isinstance(variants, list) or not all(isinstance(v, str) for v in variants):
            raise ConfigError(f"lexicon {source}: synonyms[{canon!r}] must be a list of strings")
        for v in variants:
            folded[" ".join(v.lower().split())] = canon.lower()
    return {str(v).lower() for v in vocab}, patterns, folded


def _build(parts: list[tuple[set[str], list[str], dict[str, str]]]) -> Lexicon:
    vocab: set[str] = set()
    patterns: list[str] = []
    synonyms: dict[str, str] = {}
    for v, p, s in parts:
        vocab |= v
        patterns += p
        synonyms.update(s)
    vocab_re = re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None
    syn_re = None
    if synonyms:
        alts = sorted(synonyms, key=len, reverse=True)
        syn_re = re.compile(_B + "(?:" + "|".join(re.escape(a).replace(r"\ ", r"\s+") for a in alts) + ")" + _E)
        synonyms = {**synonyms}
        # matches may contain runs of whitespace: look them up collapsed
        syn_map = synonyms

        class _Map(dict):
            def __missing__(self, key: str) -> str:
                return syn_map[" ".join(key.split())]

        synonyms = _Map(syn_map)
    return Lexicon(frozenset(vocab), vocab_re, synonyms, syn_re)


def _read(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigError(f"lexicon {path} cannot be read: {e}") from e
    except yaml.YAMLError as e:
        raise ConfigError(f"lexicon {path} is not valid YAML: {e}") from e


def _builtin() -> tuple[set[str], list[str], dict[str, str]]:
    text = resources.files("netcache.matching").joinpath("data/lexicon.yaml").read_text(encoding="utf-8")
    return _parse(yaml.safe_load(text), "netcache/matching/data/lexicon.yaml")


@functools.lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The shipped lexicon (built on first use, then kept)."""
    return _build([_builtin()])


@functools.lru_cache(maxsize=8)
def load_lexicon(path: str | Path | None = None) -> Lexicon:
    """The shipped lexicon plus the user file at ``path`` (``None``: the shipped one alone)."""
    if path is None:
        return default_lexicon()
    path = Path(path)
    return _build([_builtin(), _parse(_read(path), str(path))])


def literal_starts(pattern: str) -> frozenset[str] | None:
    """Strings one of which every match of ``pattern`` contains (its possible literal beginnings, after
    boundaries and lookarounds), or None when that cannot be told. ``\\broute[- ]maps?\\b`` → ``{"route"}``;
    ``\\b(?:ipv6|v6)\\b`` → ``{"ipv6", "v6"}``. A substring test on these skips a regex scan
    that cannot match; it never changes a result."""
    from re import _constants as c  # type: ignore[attr-defined]
    from re import _parser  # type: ignore[attr-defined]

    def starts(items: list) -> set[str] | None:
        i = 0
        while i < len(items) and items[i][0] in (c.AT, c.ASSERT, c.ASSERT_NOT):
            i += 1
        if i == len(items):
            return None
        op, av = items[i]
        if op is c.LITERAL:
            lit = ""
            while i < len(items) and items[i][0] is c.LITERAL:
                lit += chr(items[i][1])
                i += 1
            return {lit}
        if op is c.SUBPATTERN:
            return starts(list(av[-1]))
        if op is c.BRANCH:
            out: set[str] = set()
            for branch in av[1]:
                sub = starts(list(branch))
                if sub is None:
                    return None
                out |= sub
            return out
        if op is c.IN and all(kind is c.LITERAL for kind, _ in av):
            return {chr(ch) for _, ch in av}
        return None

    try:
        found = starts(list(_parser.parse(pattern)))
    except Exception:  # an internal API: without it, the pattern is simply always scanned
        return None
    return frozenset(found) if found and all(found) else None
