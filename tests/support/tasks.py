"""Helpers for the Celery-side tests: run ``netcache …`` subprocesses against the test Redis."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
NETCACHE = str(Path(sys.executable).with_name("netcache"))


def clean_env(**netcache: str) -> dict[str, str]:
    """The environment without the caller's NETCACHE_* variables, plus ``netcache``'s."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETCACHE_")}
    env.update({f"NETCACHE_{k.upper()}": str(v) for k, v in netcache.items()})
    env["PYTHONUNBUFFERED"] = "1"
    env.setdefault("HF_HUB_OFFLINE", "1")
    return env


def spawn(args: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen:
    """Start ``netcache *args`` with its output in ``log_path`` (the parent keeps no handle)."""
    with open(log_path, "wb") as log:
        return subprocess.Popen([NETCACHE, *args], env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, cwd=ROOT, start_new_session=True)


def stop(proc: subprocess.Popen | None, *, sig: int = signal.SIGTERM, timeout_s: float = 20) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def wait_for(pred: Callable[[], Any], timeout_s: float, what: str, *, logs: list[Path] = ()) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(0.1)
    tails = "\n".join(f"--- {p}\n{p.read_text(errors='replace')[-3000:]}" for p in logs if p.exists())
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}\n{tails}")


def start_worker(redis_client: Any, env: dict[str, str], log_path: Path, *, pool: str = "threads",
                 concurrency: int = 4) -> subprocess.Popen:
    """``netcache celery-worker`` with ``env``, once its heartbeat is in Redis."""
    proc = spawn(["celery-worker", "--pool", pool, "--concurrency", str(concurrency)], env, log_path)
    wait_for(lambda: proc.poll() is not None or any(True for _ in redis_client.scan_iter("nc:w:health:worker:*")),
             60, "the worker's heartbeat", logs=[log_path])
    assert proc.poll() is None, log_path.read_text()
    return proc
