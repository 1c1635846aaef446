"""The warming budget: per run and per UTC day, calls and dollars, shared through Redis."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest

from netcache.errors import BudgetExceeded
from netcache.tasks.budget import BudgetLimits, WarmBudget, day_key


def _ts(y, m, d, h=12):
    return datetime(y, m, d, h, tzinfo=UTC).timestamp()


def test_a_run_stops_at_its_own_call_cap(redis_client):
    budget = WarmBudget(redis_client, BudgetLimits(3, 100, 10.0))
    for _ in range(3):
        budget.reserve()
    with pytest.raises(BudgetExceeded, match="run budget"):
        budget.reserve()
    assert budget.spent_today() == (3, 0.0)


def test_the_day_call_cap_is_shared_by_every_worker_and_never_overshoots(redis_client):
    limits = BudgetLimits(1000, 50, 10.0)
    taken, refused = [], []

    def worker():
        budget = WarmBudget(redis_client, limits)
        for _ in range(20):
            try:
                budget.reserve()
                taken.append(1)
            except BudgetExceeded:
                refused.append(1)

    threads = [threading.Thread(target=worker) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(taken) == 50 and len(refused) == 50
    assert WarmBudget(redis_client, limits).spent_today()[0] == 50


def test_the_day_dollar_cap_stops_warming_once_spent(redis_client):
    budget = WarmBudget(redis_client, BudgetLimits(100, 100, 0.25))
    budget.reserve()
    budget.record(0.10)
    budget.reserve()
    budget.record(0.20)
    with pytest.raises(BudgetExceeded, match=r"\$0.25"):
        budget.reserve()
    assert budget.run_usd == pytest.approx(0.30)


def test_a_refunded_call_is_given_back_to_run_and_day(redis_client):
    budget = WarmBudget(redis_client, BudgetLimits(1, 1, 1.0))
    budget.reserve()
    budget.refund()
    budget.reserve()
    assert budget.spent_today() == (1, 0.0)


def test_the_day_budget_starts_again_on_the_next_utc_day(redis_client):
    now = [_ts(2026, 3, 28, 23)]
    budget = WarmBudget(redis_client, BudgetLimits(10, 1, 1.0), clock=lambda: now[0])
    budget.reserve()
    with pytest.raises(BudgetExceeded, match="day budget"):
        budget.reserve()
    now[0] = _ts(2026, 3, 29, 0)
    budget.reserve()
    assert day_key("nc", now[0]) == "nc:w:budget:20260329"
    assert redis_client.ttl("nc:w:budget:20260329") > 24 * 3600


def test_warm_ups_for_syslog_spend_only_their_share_of_the_day_and_leave_the_rest(redis_client):
    limits = BudgetLimits(max_calls_per_run=1000, max_calls_per_day=40, max_usd_per_day=100.0, syslog_share=0.25)
    flood = WarmBudget(redis_client, limits, prefix="nc", origin="syslog")
    taken = 0
    with pytest.raises(BudgetExceeded, match="for syslog spent: 10 of 40"):
        for _ in range(41):
            flood.reserve()
            taken += 1
    assert taken == 10
    operator = WarmBudget(redis_client, limits, prefix="nc", origin="operator")
    for _ in range(30):  # everything syslog could not take is still there for the others
        operator.reserve()
    with pytest.raises(BudgetExceeded, match="40 calls"):
        operator.reserve()
    flood.refund()  # a refund gives the share back too
    assert redis_client.hget(day_key("nc", time.time()), "calls:syslog") == b"9"


def test_the_syslog_share_reaches_a_warm_task_from_the_event_source():
    from netcache.events.models import parse_event
    from netcache.worker.rules import Action, load_rules

    event = parse_event({"type": "device_reboot", "device": "rtr-001", "source": "syslog"})
    (action, *_) = load_rules(None).actions_for(event)
    assert action.kwargs(action_id="a", reason="r")["origin"] == "syslog"
    assert Action.from_json(action.to_json()).origin == "syslog"
