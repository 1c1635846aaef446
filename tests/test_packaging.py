"""The wheel installs one import package, netcache, and lives beside PyPI's ``events`` and ``tasks``.

Builds the wheel from a copy of the source tree (``pip wheel --no-deps``, build isolation so the
declared setuptools is used), checks what it holds, installs it into a fresh virtualenv whose
dependencies come from this checkout's .venv (a ``.pth`` file pointing at its site-packages), and
then installs the PyPI distributions ``events`` and ``tasks`` beside it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: source folder -> the import package it installs as (pyproject.toml, [tool.setuptools] package-dir)
FOLDERS = {"netcache": "netcache", "events": "netcache/events", "worker": "netcache/worker", "tasks": "netcache/tasks"}
#: generic names a user's project (or PyPI) may own: netcache must not install them
GENERIC = ("events", "cache", "tasks", "worker")
SKIP_DIRS = {".venv", ".git", "build", "dist", "__pycache__", ".pytest_cache", ".hypothesis", "run",
             ".mypy_cache", ".ruff_cache", ".import_linter_cache"}

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def _run(*cmd: str | Path, cwd: Path | None = None, check: bool = True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd or Path("/"), env=env, capture_output=True,
                          text=True, timeout=300)
    if check:
        assert proc.returncode == 0, f"{cmd}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


def _ignore(_dir: str, names: list[str]) -> set[str]:
    return {n for n in names if n in SKIP_DIRS or n.endswith((".egg-info", ".pyc"))}


def _source_files() -> set[str]:
    """Every file the four folders hold, as its path inside the wheel."""
    out = set()
    for folder, target in FOLDERS.items():
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and not set(path.relative_to(ROOT).parts) & SKIP_DIRS and path.suffix != ".pyc":
                out.add(f"{target}/{path.relative_to(ROOT / folder).as_posix()}")
    return out


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("packaging")
    src = work / "src"
    shutil.copytree(ROOT, src, ignore=_ignore)
    _run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", work / "dist", src)
    (found,) = (work / "dist").glob("netcache-*.whl")
    return found


@pytest.fixture(scope="module")
def fresh_venv(wheel, tmp_path_factory) -> Path:
    """A new virtualenv with only the wheel installed; dependencies visible through a .pth file."""
    venv = tmp_path_factory.mktemp("venv") / "fresh"
    _run(sys.executable, "-m", "venv", venv)
    python = venv / "bin" / "python"
    purelib = _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip()
    (Path(purelib) / "_netcache_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run(python, "-m", "pip", "install", "-q", "--no-deps", wheel)
    return python


def test_the_wheel_declares_netcache_as_its_only_top_level_package(wheel):
    with zipfile.ZipFile(wheel) as z:
        (top,) = [n for n in z.namelist() if n.endswith(".dist-info/top_level.txt")]
        assert z.read(top).decode().split() == ["netcache"]
        roots = {n.split("/", 1)[0] for n in z.namelist()}
    assert {r for r in roots if not r.endswith(".dist-info")} == {"netcache"}


def test_the_wheel_holds_every_module_and_data_file_of_the_four_folders(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
    missing = _source_files() - names
    assert not missing, f"not in the wheel: {sorted(missing)}"
    for required in ("netcache/events/__init__.py", "netcache/worker/__init__.py", "netcache/tasks/__init__.py",
                     "netcache/worker/rules_default.yaml", "netcache/tasks/templates.yaml",
                     "netcache/cli/data/demo_session.json", "netcache/lua/publish.lua",
                     "netcache/worker/sample_feed/syslog.log"):
        assert required in names


def test_installed_alone_netcache_imports_and_the_generic_names_do_not(fresh_venv):
    out = _run(fresh_venv, "-c", "import netcache, netcache.events, netcache.worker, netcache.tasks; "
               "print(netcache.__file__)").stdout
    assert str(fresh_venv.parents[1]) in out  # the wheel's copy, not this checkout
    for name in GENERIC:
        proc = _run(fresh_venv, "-c", f"import {name}", check=False)
        assert proc.returncode == 1 and f"No module named '{name}'" in proc.stderr, name


def test_pypi_events_and_tasks_install_beside_netcache_and_break_nothing(fresh_venv):
    _run(fresh_venv, "-m", "pip", "install", "-q", "events", "tasks")
    probe = ("import events, tasks, netcache.events.publisher, netcache.tasks.app, netcache.worker.consumer; "
             "print(events.__file__); print(netcache.events.__file__); print(netcache.tasks.__file__)")
    pypi_events, our_events, our_tasks = _run(fresh_venv, "-c", probe).stdout.split()
    assert "/events/" in pypi_events and "/netcache/" not in pypi_events
    assert our_events.endswith("netcache/events/__init__.py") and our_tasks.endswith("netcache/tasks/__init__.py")
    check = _run(fresh_venv, "-m", "pip", "check", check=False)
    assert not [line for line in check.stdout.splitlines() if line.lower().startswith("netcache ")], check.stdout
    # uninstalling them again leaves netcache's files in place
    _run(fresh_venv, "-m", "pip", "uninstall", "-y", "-q", "events", "tasks")
    _run(fresh_venv, "-c", "import netcache.events.publisher, netcache.tasks.app")
