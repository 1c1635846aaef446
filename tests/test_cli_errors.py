"""Every operator command fails in one clear line with a non-zero exit: Redis down, a bad URL,
a bad time zone, a misspelt NETCACHE_* variable. Run as real processes, as an operator would."""

from __future__ import annotations

import os
import subprocess

import pytest

from netcache.devtools.local_redis import free_port
from tests.support.tasks import NETCACHE, clean_env

DOWN = f"redis://:s3cret-pw@127.0.0.1:{free_port()}/0"  # nothing listens there

#: commands that need Redis (or the broker) to do anything
NEEDS_REDIS = [
    ["status"],
    ["report"],
    ["invalidate", "--device", "rtr-001"],
    ["warm", "--device", "rtr-001"],
    ["refresh-top"],
    ["dead-letters", "list"],
    ["events", "tail", "--count", "1"],
    ["health", "--component", "worker"],
]


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    full = clean_env()
    full.update(env)
    return subprocess.run([NETCACHE, *args], env=full, capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)


def _one_line(proc: subprocess.CompletedProcess) -> str:
    lines = [line for line in (proc.stdout + proc.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert "Traceback" not in lines[0]
    return lines[0]


@pytest.mark.parametrize("args", NEEDS_REDIS, ids=lambda a: " ".join(a))
def test_with_redis_down_each_command_says_so_in_one_line_and_exits_non_zero(args):
    proc = _run(args, NETCACHE_REDIS_URL=DOWN)
    assert proc.returncode != 0
    line = _one_line(proc)
    said = line.lower()
    assert any(w in said for w in ("unreachable", "cannot reach", "refused", "not reachable")), line  # what
    assert "NETCACHE_REDIS_URL" in line or "start" in said, line  # and what to do
    assert "s3cret-pw" not in line


def test_an_http_url_is_refused_in_one_line_naming_the_variable_without_the_password():
    proc = _run(["status"], NETCACHE_REDIS_URL="http://admin:s3cret-pw@example.test:80/")
    assert proc.returncode != 0
    line = _one_line(proc)
    assert "NETCACHE_REDIS_URL" in line and "redis://" in line and "s3cret-pw" not in line


def test_a_bad_time_zone_is_refused_before_beat_starts():
    proc = _run(["beat"], NETCACHE_WORKER__TIMEZONE="Europe/Springfield", NETCACHE_REDIS_URL=DOWN)
    assert proc.returncode != 0
    line = _one_line(proc)
    assert "NETCACHE_WORKER__TIMEZONE" in line and "Europe/Springfield" in line and "IANA" in line


def test_a_misspelt_variable_is_refused_with_the_closest_real_name():
    proc = _run(["status"], NETCACHE_CACHE__SEMANTIC_TRESHOLD="0.9")
    assert proc.returncode != 0
    line = _one_line(proc)
    assert "NETCACHE_CACHE__SEMANTIC_TRESHOLD" in line and "did you mean NETCACHE_CACHE__SEMANTIC_THRESHOLD" in line
    # the operator can still say "I know": the variable is then ignored
    allowed = _run(["--help"], NETCACHE_CACHE__SEMANTIC_TRESHOLD="0.9", NETCACHE_ALLOW_UNKNOWN_ENV="1")
    assert allowed.returncode == 0


def test_version_prints_the_installed_version():
    from importlib.metadata import version

    proc = _run(["--version"])
    assert proc.returncode == 0 and proc.stdout.strip() == f"netcache {version('netcache')}"


def test_an_unexpected_error_is_one_line_unless_debugging_is_asked_for(tmp_path):
    bad = tmp_path / "inventory.json"
    bad.write_text('{"oops": ')
    env = {"NETCACHE_CACHE__INVENTORY_FILE": str(bad)}
    proc = _run(["tune", "--pairs", os.devnull], **env)
    assert proc.returncode != 0
    _one_line(proc)
