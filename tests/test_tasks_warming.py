"""Warming logic: templates, the budget inside a run, XFetch's decision, the refresh plan."""

from __future__ import annotations

import math
import threading
import time
from types import SimpleNamespace

import pytest

from netcache.errors import ConfigError, LLMError
from netcache.tasks.budget import BudgetLimits, WarmBudget
from netcache.tasks.refresh import plan_refresh, xfetch_due
from netcache.tasks.warming import load_templates, questions_for, run_warm, topology_questions


def test_shipped_templates_cover_the_chapters_incidents():
    t = load_templates()
    for kind in ("bgp_down", "interface_flap", "high_cpu", "topology", "device_reboot", "topology_change"):
        assert t[kind], kind
    qs = questions_for("bgp_down", t, device="rtr-001", neighbor="10.0.0.2")
    assert qs and all("rtr-001" in q["prompt"] for q in qs)
    assert any("10.0.0.2" in q["prompt"] for q in qs)


def test_templates_missing_a_value_are_skipped_not_half_filled():
    t = {"bgp_down": ["BGP {neighbor} on {device}", "BGP summary on {device}"]}
    assert questions_for("bgp_down", t, device="rtr-1") == [{"prompt": "BGP summary on rtr-1"}]
    assert questions_for("unknown_kind", t, device="rtr-1") == []


def test_topology_questions_ask_three_things_per_device():
    qs = topology_questions(["rtr-1", "rtr-2"], load_templates())
    assert len(qs) == 6
    assert sum("rtr-2" in q["prompt"] for q in qs) == 3


def test_a_broken_template_file_is_a_clear_config_error(tmp_path):
    bad = tmp_path / "t.yaml"
    bad.write_text("bgp_down: 3\n")
    with pytest.raises(ConfigError, match="lists of questions"):
        load_templates(bad)


class CountingCache:
    """Stand-in for get_or_generate: calls ``generate`` on a miss, remembers answers."""

    def __init__(self) -> None:
        self.answers: dict[str, str] = {}
        self.lock = threading.Lock()

    def get_or_generate(self, prompt, *, context=None, params=None, tags=(), generate=None, purpose="user"):
        with self.lock:
            if prompt in self.answers:
                return SimpleNamespace(source="exact", cost_usd=0.0, text=self.answers[prompt])
        resp = generate(prompt)
        with self.lock:
            self.answers[prompt] = resp.text
        return SimpleNamespace(source="generated", cost_usd=resp.cost_usd, text=resp.text)


class FakeLLM:
    def __init__(self, fail_on: str | None = None, delay_s: float = 0.0) -> None:
        self.calls = 0
        self.fail_on = fail_on
        self.delay_s = delay_s
        self.active = 0
        self.max_active = 0
        self.lock = threading.Lock()

    def complete(self, prompt, context=None):
        with self.lock:
            self.calls += 1
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        time.sleep(self.delay_s)
        with self.lock:
            self.active -= 1
        if self.fail_on and self.fail_on in prompt:
            raise LLMError("overloaded")
        return SimpleNamespace(text=f"answer to {prompt}", cost_usd=0.01)


def test_a_warm_run_stops_cleanly_when_the_budget_is_spent(redis_client):
    llm = FakeLLM()
    qs = [{"prompt": f"q{i}"} for i in range(10)]
    result = run_warm(CountingCache(), llm, WarmBudget(redis_client, BudgetLimits(4, 100, 10.0)), qs,
                      concurrency=1)
    assert llm.calls == 4
    assert result.generated == 4 and result.skipped == 6
    assert result.budget_exceeded and "run budget" in result.budget_exceeded
    assert result.cost_usd == pytest.approx(0.04)


def test_already_cached_questions_cost_no_budget(redis_client):
    cache = CountingCache()
    cache.answers["q0"] = "cached"
    budget = WarmBudget(redis_client, BudgetLimits(1, 100, 10.0))
    result = run_warm(cache, FakeLLM(), budget, [{"prompt": "q0"}, {"prompt": "q1"}])
    assert (result.already_cached, result.generated, result.skipped) == (1, 1, 0)


def test_warm_ups_respect_the_concurrency_limit_and_count_failures(redis_client):
    llm = FakeLLM(fail_on="q3", delay_s=0.05)
    qs = [{"prompt": f"q{i}"} for i in range(8)]
    result = run_warm(CountingCache(), llm, WarmBudget(redis_client, BudgetLimits(100, 100, 10.0)), qs,
                      concurrency=3)
    assert llm.max_active <= 3 and llm.max_active >= 2
    assert result.failed == 1 and result.generated == 7


def test_a_question_without_a_prompt_is_refused(redis_client):
    with pytest.raises(ConfigError, match="prompt"):
        run_warm(CountingCache(), FakeLLM(), WarmBudget(redis_client, BudgetLimits(1, 1, 1.0)), [{"q": 1}])


def test_xfetch_refreshes_earlier_for_slow_answers_and_always_after_expiry():
    expires = 1000.0
    r = math.exp(-1)  # -ln(r) == 1: the refresh window is exactly gen_s * beta
    assert xfetch_due(995.0, expires, gen_s=5.0, rand=lambda: r)
    assert not xfetch_due(994.0, expires, gen_s=5.0, rand=lambda: r)
    assert not xfetch_due(994.0, expires, gen_s=0.5, rand=lambda: 0.5)
    assert xfetch_due(1000.0, expires, gen_s=0.0, rand=lambda: 0.99)
    assert xfetch_due(10.0, expires, gen_s=1.0, rand=lambda: 0.0), "rand()==0 means refresh now"


def test_xfetch_spreads_refreshes_ahead_of_expiry():
    import random

    rng = random.Random(7)
    early = sum(xfetch_due(990.0, 1000.0, gen_s=3.0, rand=rng.random) for _ in range(10_000))
    # P(refresh at 10 s before expiry, gen 3 s) = P(-ln r >= 10/3) = e^(-10/3) ≈ 3.6 %
    assert 250 < early < 470


def test_the_refresh_plan_sorts_top_questions_by_what_they_need():
    now = 10_000.0
    entries = {
        "fresh": SimpleNamespace(stale=False, created_at=now - 10, expires_at=now + 3600),
        "stale": SimpleNamespace(stale=True, created_at=now - 10, expires_at=now + 3600),
        "expiring": SimpleNamespace(stale=False, created_at=now - 3500, expires_at=now + 100),
    }
    stats = [SimpleNamespace(prompt=k, context=None, params=None, entry_id=k) for k in entries]
    stats.append(SimpleNamespace(prompt="gone", context=None, params=None, entry_id=None))
    cache = SimpleNamespace(top_queries=lambda n: stats[:n], entry=entries.get)
    from netcache.tasks.refresh import _near_expiry

    plan = plan_refresh(cache, 10, now_s=now, due=_near_expiry)
    assert [q["prompt"] for q in plan.missing] == ["gone"]
    assert [q["prompt"] for q in plan.stale] == ["stale"] and plan.stale[0]["refresh"]
    assert [q["prompt"] for q in plan.expiring] == ["expiring"]
    assert plan.fresh == 1
