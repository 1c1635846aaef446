"""``netcache stack --once``: the README's main job runs to completion and stops what it started."""

from __future__ import annotations

import os
import re
import subprocess

from .tasks_support import NETCACHE, ROOT, clean_env


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead too
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_stack_once_replays_the_feed_shows_the_effects_and_prints_the_report(redis_url):
    env = clean_env(redis_url=redis_url)
    run = subprocess.run([NETCACHE, "stack", "--once"], env=env, cwd=ROOT, capture_output=True, text=True,
                         timeout=110)
    out = run.stdout + run.stderr
    assert run.returncode == 0, out[-4000:]
    assert "redis: using" in out, "a Redis that answers is reused"
    assert "ANSWERS ARE PLACEHOLDERS" in out
    for component in ("dispatcher", "worker", "beat", "webhook", "syslog"):
        assert f"{component}: healthy" in out, component
    assert "2 webhooks accepted (0 refused)" in out
    # every event's device lost its seeded answer (and got it back by re-warming); rtr-009 was untouched
    assert re.search(r"invalidated, re-warmed\s+Show the running configuration of rtr-004", out)
    assert re.search(r"invalidated, re-warmed\s+Show CPU and memory usage on rtr-005", out)
    assert re.search(r"untouched\s+Show interface status on rtr-009", out)
    assert re.search(r"warm \w+: \d+ generated \(\$\d", out)
    assert "netcache report" in out and "Cost" in out
    assert "stopped everything netcache stack started" in out
    pids = [int(p) for p in re.findall(r"started \(pid (\d+),", out)]
    assert len(pids) == 5
    assert not [p for p in pids if _alive(p)], "children left running"
