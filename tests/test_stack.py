"""``netcache stack --once``: the README's main job runs to completion and stops what it started."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time

from netcache.devtools.local_redis import free_port
from tests.support.tasks import NETCACHE, ROOT, clean_env, wait_for


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
    # every event's device lost its seeded answer; seeds are not user questions (the query log has not
    # seen them), so nothing re-warms them and no warm-up costs a call; rtr-009 was untouched
    assert re.search(r"invalidated\s+Show the running configuration of rtr-004", out)
    assert re.search(r"invalidated\s+Show CPU and memory usage on rtr-005", out)
    assert not re.search(r"warm \w+: [1-9]\d* generated", out)
    assert re.search(r"untouched\s+Show interface status on rtr-009", out)
    assert re.search(r"warm \w+: \d+ generated \(\$\d", out)
    assert "netcache report" in out and "Cost" in out
    assert "stopped everything netcache stack started" in out
    pids = [int(p) for p in re.findall(r"started \(pid (\d+),", out)]
    assert len(pids) == 5
    assert not [p for p in pids if _alive(p)], "children left running"


def _as_background_job() -> None:
    """What a shell does to `cmd &`: the job starts with SIGINT ignored."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def test_ctrl_c_stops_everything_the_stack_started_including_its_private_redis_even_as_a_background_job(
        tmp_path):
    log = tmp_path / "stack.log"
    env = clean_env(redis_url=f"redis://127.0.0.1:{free_port()}/0")  # nothing answers there
    with open(log, "wb") as out:
        proc = subprocess.Popen([NETCACHE, "stack"], env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, preexec_fn=_as_background_job)
    try:
        wait_for(lambda: "feed:" in log.read_text(), 90, "the feed to be replayed", logs=[log])
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 0, log.read_text()[-3000:]
    finally:
        if proc.poll() is None:  # the assertion failed: SIGTERM still stops the children, then kill
            proc.terminate()
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    text = log.read_text()
    assert "started a private redis-server" in text and "stopping (Ctrl-C)" in text
    pids = [int(p) for p in re.findall(r"started \(pid (\d+),", text)]
    assert pids and not [p for p in pids if _alive(p)]
    port = int(re.search(r"private redis-server at redis://127.0.0.1:(\d+)/0", text).group(1))
    time.sleep(0.2)
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0, "the private redis-server is still running"
