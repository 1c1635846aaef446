"""The beat schedule: 02:00 local once per day (DST included), and only one beat fires.

The clock is fixed (crontab's ``nowfun``) and stepped minute by minute through
a simulated beat loop, so two days are checked in milliseconds. Single-fire is
checked with two real ``netcache beat`` processes on the test Redis.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from netcache.health import health_key
from netcache.settings import Settings
from netcache.tasks.app import make_app
from netcache.tasks.schedule import beat_schedule, nightly_crontab
from tests.support.tasks import clean_env, spawn, stop, wait_for


def _fires(tz_name: str, day: tuple[int, int, int], hours: int = 48) -> list[str]:
    """Local times at which a simulated beat (ticking every minute) fires the nightly job."""
    settings = Settings(_env_file=None, worker={"timezone": tz_name})
    app = make_app(settings)
    tz = ZoneInfo(tz_name)
    clock = [datetime(*day, tzinfo=tz) - timedelta(hours=12)]
    cron = nightly_crontab(settings, app=app, nowfun=lambda: clock[0].astimezone(tz))
    last_run = clock[0]
    fired = []
    t = clock[0].astimezone(UTC)
    end = t + timedelta(hours=hours)
    while t < end:
        clock[0] = t
        due, _next_s = cron.is_due(last_run)
        if due:
            fired.append(t.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z"))
            last_run = t.astimezone(tz)
        t += timedelta(minutes=1)
    return fired


def test_the_nightly_refresh_fires_at_two_local_time_on_an_ordinary_day():
    assert _fires("Europe/Berlin", (2026, 6, 10)) == ["2026-06-10 02:00 CEST", "2026-06-11 02:00 CEST"]
    assert _fires("UTC", (2026, 6, 10)) == ["2026-06-10 02:00 UTC", "2026-06-11 02:00 UTC"]


@pytest.mark.parametrize("tz_name, day, expected", [
    # spring forward: 02:00 does not exist; the run happens at 03:00, once, and 02:00 again next day
    ("Europe/Berlin", (2026, 3, 29), ["2026-03-29 03:00 CEST", "2026-03-30 02:00 CEST"]),
    ("America/New_York", (2026, 3, 8), ["2026-03-08 03:00 EDT", "2026-03-09 02:00 EDT"]),
    # fall back: Berlin lives 02:00-03:00 twice and runs only the first time
    ("Europe/Berlin", (2026, 10, 25), ["2026-10-25 02:00 CEST", "2026-10-26 02:00 CET"]),
    # New York repeats 01:00-02:00, so 02:00 EST happens once
    ("America/New_York", (2026, 11, 1), ["2026-11-01 02:00 EST", "2026-11-02 02:00 EST"]),
])
def test_the_nightly_refresh_fires_once_per_local_day_across_dst_changes(tz_name, day, expected):
    assert _fires(tz_name, day) == expected


def test_remaining_estimate_counts_to_two_in_the_configured_zone():
    settings = Settings(_env_file=None, worker={"timezone": "America/New_York"})
    app = make_app(settings)
    tz = ZoneInfo("America/New_York")
    now = datetime(2026, 7, 1, 23, 30, tzinfo=tz)
    cron = nightly_crontab(settings, app=app, nowfun=lambda: now)
    assert cron.remaining_estimate(now) == timedelta(hours=2, minutes=30)


def test_the_schedule_holds_the_nightly_topology_and_xfetch_jobs_on_the_warm_queue():
    settings = Settings(_env_file=None, worker={"refresh_top_n": 42})
    sched = beat_schedule(settings)
    assert sched["refresh-top-nightly"]["task"] == "netcache.refresh_top"
    assert sched["refresh-top-nightly"]["kwargs"] == {"n": 42}
    assert sched["warm-topology"]["task"] == "netcache.warm_topology"
    assert sched["refresh-expiring"]["schedule"].run_every == timedelta(seconds=300)
    assert {e["options"]["queue"] for e in sched.values()} == {"warm"}
    app = make_app(settings)
    assert app.conf.beat_scheduler == "redbeat.RedBeatScheduler"
    assert set(app.conf.beat_schedule) == set(sched)


def _env(redis_url: str) -> dict[str, str]:
    return clean_env(redis_url=redis_url, worker__refresh_expiring_every_s="1",
                     worker__beat_lock_timeout_s="10", log_level="INFO")


def _origins(redis_client) -> list[str]:
    out = []
    for raw in redis_client.lrange("warm", 0, -1):
        msg = json.loads(raw)
        if msg["headers"]["task"] == "netcache.refresh_expiring":
            out.append(msg["headers"]["origin"])
    return out


def _beat(redis_url: str, log_path) -> subprocess.Popen:
    return spawn(["beat"], _env(redis_url), log_path)


def test_two_beats_never_both_fire_and_the_second_takes_over_when_the_first_stops(redis_url, redis_client,
                                                                                  tmp_path):
    logs = [tmp_path / "beat1.log", tmp_path / "beat2.log"]
    first = _beat(redis_url, logs[0])
    second = None
    try:
        wait_for(lambda: len(_origins(redis_client)) >= 1, 30, "the first beat to fire", logs=logs)
        second = _beat(redis_url, logs[1])
        # both beats write the same key (one host): wait for the second's own heartbeat and its
        # scheduler's start, not for the key the first beat wrote long ago
        key = health_key("nc", "beat", socket.gethostname())
        wait_for(lambda: (v := redis_client.get(key)) is not None and json.loads(v)["pid"] == second.pid,
                 30, "the second beat's heartbeat", logs=logs)
        wait_for(lambda: "beat: Starting" in logs[1].read_text(), 30, "the second beat's scheduler", logs=logs)
        before = len(_origins(redis_client))
        time.sleep(4)  # both run (refresh-expiring is due every second); only the lock holder may send
        origins = _origins(redis_client)
        assert len(origins) - before >= 2, "the schedule kept firing while both beats ran"
        assert set(origins) == {origins[0]}, f"two beats fired: {set(origins)}"
        assert origins[0].startswith(f"gen{first.pid}@")
        first.send_signal(signal.SIGTERM)  # releases the lock
        first.wait(timeout=15)
        taken_over = wait_for(lambda: any(o.startswith(f"gen{second.pid}@") for o in _origins(redis_client)),
                              30, "the second beat to take over", logs=logs)
        assert taken_over
    finally:
        stop(first)
        stop(second)
