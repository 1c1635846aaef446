"""The Redis semaphore that bounds warm-up LLM calls across every worker."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest

from netcache.errors import LeaseTimeout
from netcache.tasks.budget import BudgetLimits, WarmBudget
from netcache.tasks.semaphore import RedisSemaphore
from netcache.tasks.warming import run_warm


def test_no_more_than_the_limit_hold_a_slot_across_clients(redis_url):
    import redis

    clients = [redis.Redis.from_url(redis_url) for _ in range(3)]  # three "workers"
    sems = [RedisSemaphore(c, "nc:w:sem:warm", limit=2) for c in clients]
    active, peak, lock = [0], [0], threading.Lock()

    def work(sem):
        with sem.slot(timeout_s=10):
            with lock:
                active[0] += 1
                peak[0] = max(peak[0], active[0])
            time.sleep(0.05)
            with lock:
                active[0] -= 1

    threads = [threading.Thread(target=work, args=(sems[i % 3],)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak[0] == 2
    assert sems[0].holders() == 0
    for c in clients:
        c.close()


def test_a_dead_holder_s_slot_expires_instead_of_leaking(redis_client):
    now = [1000.0]
    sem = RedisSemaphore(redis_client, "nc:w:sem:warm", limit=1, ttl_s=30, clock=lambda: now[0])
    assert sem.try_acquire() is not None  # never released: its worker died
    with pytest.raises(LeaseTimeout, match="no free slot"):
        sem.acquire(timeout_s=0.1)
    now[0] += 31
    assert sem.try_acquire() is not None


def test_warm_ups_without_a_slot_fail_cleanly_and_give_their_budget_back(redis_client):
    sem = RedisSemaphore(redis_client, "nc:w:sem:warm", limit=1)
    blocker = sem.try_acquire()
    assert blocker

    class Cache:
        def get_or_generate(self, prompt, *, generate, **_):
            resp = generate(prompt)
            return SimpleNamespace(source="generated", cost_usd=resp.cost_usd)

    class LLM:
        def complete(self, prompt, context=None):
            return SimpleNamespace(text="x", cost_usd=0.01)

    budget = WarmBudget(redis_client, BudgetLimits(10, 10, 1.0))
    result = run_warm(Cache(), LLM(), budget, [{"prompt": "q1"}, {"prompt": "q2"}], semaphore=sem,
                      slot_wait_s=0.1, concurrency=2)
    assert result.failed == 2 and result.generated == 0
    assert budget.spent_today() == (0, 0.0)
    sem.release(blocker)
    result = run_warm(Cache(), LLM(), budget, [{"prompt": "q1"}], semaphore=sem)
    assert result.generated == 1 and sem.holders() == 0
