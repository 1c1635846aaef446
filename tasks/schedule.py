"""The beat schedule: nightly top-query refresh, topology warming, XFetch refresh.

- ``refresh-top-nightly``: ``netcache.refresh_top`` at ``refresh_hour:refresh_minute``
  (02:00) local time in ``WorkerSettings.timezone`` (a crontab evaluated in
  ``app.conf.timezone``), once per local day.
- ``warm-topology``: ``netcache.warm_topology`` every ``topology_warm_every_s`` (6 h).
- ``refresh-expiring``: ``netcache.refresh_expiring`` every ``refresh_expiring_every_s`` (5 min).
- ``sweep-expired``: ``netcache.sweep`` every ``sweep_every_s`` (1 h): drops the vectors and
  tier records that entries Redis expired on its own leave behind.

Daylight-saving time (tested in tests/test_beat_schedule.py with a fixed
clock): Celery evaluates the crontab on local wall-clock time, so the nightly
job fires once per local day at 02:00. On the autumn day when 02:00 happens
twice it still fires once (the second 02:00 is the same local day, already
run). On the spring-forward day when 02:00 does not exist (Europe/Berlin and
America/New_York jump from 02:00 to 03:00) the run is not skipped: it fires
at the first instant after the gap, 03:00 local, and the next day is 02:00
again.

Only one beat fires: the app uses RedBeat (``redbeat.RedBeatScheduler``), which
keeps the schedule in Redis and holds a Redis lock (``{prefix}:w:redbeat::lock``);
a second beat waits for the lock and takes over ``beat_lock_timeout_s`` after
the first one dies.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery.schedules import crontab, schedule

__all__ = ["beat_schedule", "nightly_crontab", "SCHEDULER"]

#: The beat scheduler class: the schedule and a single-beat lock in Redis.
SCHEDULER = "redbeat.RedBeatScheduler"


def nightly_crontab(settings, *, app: Any = None, nowfun: Any = None) -> crontab:
    """The nightly refresh's crontab (02:00 in the app's timezone by default)."""
    w = settings.worker
    return crontab(minute=w.refresh_minute, hour=w.refresh_hour, app=app, nowfun=nowfun)


def beat_schedule(settings, *, app: Any = None) -> dict[str, dict]:
    """``app.conf.beat_schedule`` for ``settings``."""
    w = settings.worker
    return {
        "refresh-top-nightly": {
            "task": "netcache.refresh_top",
            "schedule": nightly_crontab(settings, app=app),
            "kwargs": {"n": w.refresh_top_n},
            # a nightly run that could not start within 6 h is dropped, not run at noon
            "options": {"queue": "warm", "expires": 6 * 3600},
        },
        "warm-topology": {
            "task": "netcache.warm_topology",
            "schedule": schedule(timedelta(seconds=w.topology_warm_every_s), app=app),
            "options": {"queue": "warm", "expires": w.topology_warm_every_s},
        },
        "refresh-expiring": {
            "task": "netcache.refresh_expiring",
            "schedule": schedule(timedelta(seconds=w.refresh_expiring_every_s), app=app),
            "kwargs": {"n": w.refresh_top_n},
            "options": {"queue": "warm", "expires": w.refresh_expiring_every_s},
        },
        "sweep-expired": {
            "task": "netcache.sweep",
            "schedule": schedule(timedelta(seconds=w.sweep_every_s), app=app),
            "options": {"queue": "warm", "expires": w.sweep_every_s},
        },
    }
