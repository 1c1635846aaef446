"""Imports point one way and never in a circle: the import-linter contracts in pyproject.toml.

events/, worker/ and tasks/ install as netcache.events/.worker/.tasks (setuptools package-dir),
which import-linter cannot follow in the source tree, so the tests lint an assembled copy of the
package as it installs (``netcache/`` with the three folders inside).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _assemble(dest: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "netcache", dest / "netcache", ignore=ignore)
    for folder in ("events", "worker", "tasks"):
        shutil.copytree(ROOT / folder, dest / "netcache" / folder, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", dest / "pyproject.toml")
    return dest


def _lint(tree: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--config", str(tree / "pyproject.toml")],
                          cwd=tree, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def tree(tmp_path) -> Path:
    return _assemble(tmp_path)


def test_every_import_contract_holds_and_there_is_no_import_cycle(tree):
    proc = _lint(tree)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 broken" in proc.stdout and "5 kept" in proc.stdout, proc.stdout


@pytest.mark.parametrize("module, line, contract", [
    ("events/models.py", "from netcache.engine import sync", "Events depend only on the foundation"),
    ("netcache/keys.py", "import netcache.worker.consumer", "The foundation imports nothing above it"),
    ("tasks/budget.py", "from netcache.devtools import local_redis",
     "Only the CLI and the dev stack import the dev tools"),
    ("netcache/matching/guard.py", "from netcache.engine.sync import AnswerCache",
     "Layers: cli > worker > tasks > metrics > engine > matching > llm"),
    ("netcache/metrics/export.py", "from netcache.metrics.report import build_report",
     "No import cycles between sibling modules or packages"),
])
def test_a_function_level_import_against_a_contract_breaks_it(tree, module, line, contract):
    target = tree / "netcache" / module.removeprefix("netcache/")
    target.write_text(target.read_text() + f"\n\ndef _late():\n    {line}\n")
    proc = _lint(tree)
    assert proc.returncode == 1, proc.stdout
    assert f"{contract} BROKEN" in proc.stdout, proc.stdout
