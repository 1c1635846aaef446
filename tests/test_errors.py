"""The error tree: the module docstring lists it, and caller mistakes are ValueErrors."""

from __future__ import annotations

import re

import pytest

from netcache import errors


def _documented_tree() -> dict[str, tuple[str | None, bool]]:
    """class name -> (documented parent, documented as a ValueError), read from the docstring's tree."""
    out: dict[str, tuple[str | None, bool]] = {}
    stack: list[tuple[int, str]] = []
    for line in (errors.__doc__ or "").splitlines():
        m = re.match(r"^(\s*(?:[│ ]*[├└]── )?)([A-Z]\w+)\b(.*)$", line)
        if not m or not m.group(2).endswith(("Error", "Unavailable", "Exceeded", "Timeout")):
            continue
        depth = len(m.group(1))
        while stack and stack[-1][0] >= depth:
            stack.pop()
        out[m.group(2)] = (stack[-1][1] if stack else None, "(ValueError)" in m.group(3))
        stack.append((depth, m.group(2)))
    return out


def test_the_module_docstring_lists_every_error_class_with_its_parent():
    tree = _documented_tree()
    assert set(tree) == set(errors.__all__)
    for name, (parent, _) in tree.items():
        cls = getattr(errors, name)
        if parent is None:
            assert cls is errors.NetcacheError
        else:
            assert cls.__bases__[0] is getattr(errors, parent), name


def test_the_docstring_says_which_errors_are_value_errors_and_it_is_so():
    for name, (_, documented) in _documented_tree().items():
        assert issubclass(getattr(errors, name), ValueError) == (documented or name == "ParseError"), name


@pytest.mark.parametrize("cls", [errors.ConfigError, errors.EventError, errors.ParseError])
def test_a_caller_mistake_is_caught_by_code_that_only_knows_value_error(cls):
    with pytest.raises(ValueError):
        raise cls("bad input")
    assert issubclass(cls, errors.NetcacheError)


@pytest.mark.parametrize("cls", [errors.BackendUnavailable, errors.LLMError, errors.BudgetExceeded,
                                 errors.LeaseTimeout, errors.AuthError, errors.PushError])
def test_a_fault_that_is_not_the_callers_is_not_a_value_error(cls):
    assert not issubclass(cls, ValueError)


def test_every_error_class_has_a_one_line_docstring():
    for name in errors.__all__:
        doc = getattr(errors, name).__doc__ or ""
        assert doc.strip() and "\n" not in doc.strip(), name
