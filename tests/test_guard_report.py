"""Guard rejections are counted by rule and `netcache report` lists them by reason."""

from __future__ import annotations

from netcache.matching.guard import guard
from netcache.metrics.recorder import Metrics
from netcache.metrics.report import build_report


def test_rejections_are_counted_by_rule_and_listed_by_reason_in_the_report(settings, redis_client):
    metrics = Metrics(redis_client, settings)
    pairs = [("traceroute from R1 to R2", "traceroute from R2 to R1"),
             ("path from 10.0.0.1 to 10.0.0.2", "path from 10.0.0.2 to 10.0.0.1"),
             ("show interface status on R1", "show interface errors on R1")]
    for a, b in pairs:
        verdict = guard(a, b)
        metrics.guard_rejected("device_status", verdict.rule)
    metrics.guard_rejected("troubleshooting", "opposite: 'up' vs 'down'")  # a free-text reason: its first word
    metrics.guard_rejected("device_status", "")  # refused, counted as invalid
    metrics.flush()
    report = build_report(redis_client, settings)
    rejected = report.snapshot["guard_rejected"]
    assert rejected["role"] == {"total": 2, "by_query_type": {"device_status": 2}}
    assert rejected["aspect"]["total"] == 1 and rejected["opposite"]["total"] == 1
    assert metrics.invalid == 1
    text = report.render()
    section = text.split("Guard rejections by reason", 1)[1]
    assert section.index("role") < section.index("aspect")  # most rejections first
    assert "device_status 2" in section
    assert report.to_dict()["metrics"]["guard_rejected"]["role"]["total"] == 2
    metrics.close()


def test_the_report_says_when_nothing_was_rejected(settings, redis_client):
    assert "(none: no semantic candidate was rejected)" in build_report(redis_client, settings).render()
