"""Gradual invalidation as a plain function: batches, pauses, most-asked first, idempotent.

The cache here is a small in-memory stand-in (pure logic: which ids, in which
order, in which batches); progress is written to the real test Redis. The real
AnswerCache and a real Celery worker are exercised in test_tasks_worker.py.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from netcache.errors import ConfigError
from netcache.tasks.invalidation import read_progress, run_invalidation


class MemoryCache:
    """Entries with tags and hits; hard invalidation removes, soft marks stale."""

    def __init__(self) -> None:
        self.entries: dict[str, SimpleNamespace] = {}
        self.tags: dict[str, set[str]] = {}
        self.batches: list[list[str]] = []
        self.scores: dict[str, float] = {}
        self.bumps: list[tuple[list[str], int]] = []

    def add(self, eid: str, prompt: str, tags: list[str], hits: int = 0, created_at: float = 0.0) -> None:
        self.entries[eid] = SimpleNamespace(prompt=prompt, context=None, params=None, hits=hits,
                                            tags=tags, stale=False, created_at=created_at)
        for t in tags:
            self.tags.setdefault(t, set()).add(eid)

    def tag_members(self, tag: str) -> list[str]:
        return sorted(self.tags.get(tag, ()))

    def entry(self, eid: str):
        return self.entries.get(eid)

    def top_queries(self, n: int = 100):
        return [SimpleNamespace(entry_id=e, score=s, prompt=self.entries[e].prompt)
                for e, s in sorted(self.scores.items(), key=lambda kv: -kv[1])[:n]]

    def invalidate_entries(self, ids, *, mode="hard", tags=()):
        if tags:
            self.bumps.append((list(tags), len(self.batches)))
        if not ids:
            return 0
        self.batches.append(list(ids))
        n = 0
        for eid in ids:
            info = self.entries.get(eid)
            if info is None:
                continue
            n += 1
            if mode == "hard":
                del self.entries[eid]
                for t in info.tags:
                    self.tags[t].discard(eid)
            else:
                info.stale = True
        return n


def _fill(cache: MemoryCache, n: int, tag: str = "device:rtr-001") -> None:
    for i in range(n):
        cache.add(f"e{i:04d}", f"question {i} about rtr-001", [tag], hits=i % 17)


def test_invalidation_runs_in_batches_with_a_pause_between_batches_only(redis_client):
    cache = MemoryCache()
    _fill(cache, 250)
    cache.add("other", "question about rtr-002", ["device:rtr-002"])
    pauses: list[float] = []
    result = run_invalidation(cache, redis_client, tags=["device:rtr-001"], batch_size=100, pause_ms=100,
                              action_id="a1", sleep=pauses.append)
    assert [len(b) for b in cache.batches] == [100, 100, 50]
    assert pauses == [0.1, 0.1]
    assert result.invalidated == 250 and result.total == 250 and result.batches == 3
    assert set(cache.entries) == {"other"}, "only the tagged entries go"
    assert cache.bumps == [(["device:rtr-001"], 0)], "generations bumped once, before any batch"
    progress = read_progress(redis_client, "nc", "a1")
    assert progress["status"] == "done" and progress["done"] == "250" and progress["total"] == "250"


def test_most_asked_entries_are_invalidated_and_rewarmed_first(redis_client):
    cache = MemoryCache()
    for i in range(30):
        cache.add(f"e{i:02d}", f"q{i} on rtr-001", ["device:rtr-001"], hits=i)
    cache.scores = {"e03": 500.0}  # the query log says e03 is asked most
    sent: list[tuple[list[dict], str, str]] = []
    progress_when_sent: list[int] = []

    def enqueue(questions, reason, action_id):
        sent.append((questions, reason, action_id))
        progress_when_sent.append(len(cache.batches))

    run_invalidation(cache, redis_client, tags=["device:rtr-001"], batch_size=10, pause_ms=0,
                     warm_limit=5, warm=[{"prompt": "Show the BGP neighbor summary on rtr-001"}],
                     reason="reboot", action_id="a2", sleep=lambda s: None, enqueue_warm=enqueue)
    assert cache.batches[0][:4] == ["e03", "e29", "e28", "e27"]
    assert len(sent) == 1, "one warm task for the whole action"
    questions, reason, action_id = sent[0]
    assert [q["prompt"] for q in questions] == [
        "q3 on rtr-001", "q29 on rtr-001", "q28 on rtr-001", "q27 on rtr-001", "q26 on rtr-001",
        "Show the BGP neighbor summary on rtr-001"]
    assert (reason, action_id) == ("reboot", "a2")
    assert progress_when_sent == [1], "the popular ones are re-warmed right after the first batch"


def test_running_the_same_invalidation_twice_is_harmless(redis_client):
    cache = MemoryCache()
    _fill(cache, 40)
    first = run_invalidation(cache, redis_client, tags=["device:rtr-001"], batch_size=15, pause_ms=0,
                             action_id="b1", sleep=lambda s: None)
    again = run_invalidation(cache, redis_client, tags=["device:rtr-001"], batch_size=15, pause_ms=0,
                             action_id="b1", sleep=lambda s: None)
    fresh = run_invalidation(cache, redis_client, tags=["device:rtr-001"], batch_size=15, pause_ms=0,
                             action_id="b2", sleep=lambda s: None)
    assert first.invalidated == 40
    assert again.status == "already-done" and again.invalidated == 0
    assert fresh.invalidated == 0 and fresh.total == 0 and fresh.status == "done"
    assert cache.entries == {}


def test_a_redelivered_invalidation_finishes_the_rest_and_keeps_its_rewarm_plan(redis_client):
    cache = MemoryCache()
    _fill(cache, 30)

    class Killed(Exception):
        pass

    calls = {"n": 0}

    def dying_sleep(_s):
        calls["n"] += 1
        if calls["n"] == 2:
            raise Killed()  # the worker dies after two batches

    with pytest.raises(Killed):
        run_invalidation(cache, redis_client, tags=["device:rtr-001"], batch_size=10, pause_ms=5,
                         warm_limit=3, action_id="c1", sleep=dying_sleep)
    assert len(cache.entries) == 10
    mid = read_progress(redis_client, "nc", "c1")
    assert mid["status"] == "running" and mid["done"] == "20"
    plan = json.loads(mid["warm_plan"])
    sent = []
    result = run_invalidation(cache, redis_client, tags=["device:rtr-001"], batch_size=10, pause_ms=5,
                              warm_limit=3, action_id="c1", sleep=lambda s: None,
                              enqueue_warm=lambda q, r, a: sent.append(q))
    assert cache.entries == {}
    assert result.invalidated == 10 and result.total == 30
    done = read_progress(redis_client, "nc", "c1")
    assert done["status"] == "done" and done["done"] == "30"
    assert [q["prompt"] for q in sent[0]] == [q["prompt"] for q in plan], "the plan made before the crash is used"


def test_soft_invalidation_marks_stale_and_asks_for_a_refresh(redis_client):
    cache = MemoryCache()
    _fill(cache, 5)
    sent = []
    result = run_invalidation(cache, redis_client, tags=["device:rtr-001"], mode="soft", pause_ms=0,
                              action_id="d1", sleep=lambda s: None, enqueue_warm=lambda q, r, a: sent.append(q))
    assert result.invalidated == 5
    assert all(e.stale for e in cache.entries.values())
    assert all(q.get("refresh") for q in sent[0])


def test_a_redelivery_leaves_alone_answers_regenerated_after_the_first_run_began(redis_client):
    cache = MemoryCache()
    _fill(cache, 30)
    clock = [1000.0]

    def dying_sleep(_s):
        raise KeyboardInterrupt  # the worker dies after the first batch

    with pytest.raises(KeyboardInterrupt):
        run_invalidation(cache, redis_client, tags=["device:rtr-001"], batch_size=10, pause_ms=5,
                         action_id="r1", sleep=dying_sleep, clock=lambda: clock[0])
    # meanwhile the re-warm (or a user) regenerated e0000 under the new generation
    cache.add("e0000", "question 0 about rtr-001", ["device:rtr-001"], created_at=1500.0)
    clock[0] = 2000.0
    result = run_invalidation(cache, redis_client, tags=["device:rtr-001"], batch_size=10, pause_ms=5,
                              action_id="r1", sleep=lambda s: None, clock=lambda: clock[0])
    assert set(cache.entries) == {"e0000"}, "the fresh answer survives, the rest is gone"
    assert result.invalidated == 19 and result.total == 29  # 10 before the crash, 19 after
    assert len(cache.bumps) == 1, "the redelivery does not bump again"


@pytest.mark.parametrize("kwargs, message", [
    ({"tags": ["device:x"], "mode": "sideways"}, "mode"),
    ({"tags": []}, "at least one tag"),
    ({"tags": ["device:x"], "batch_size": 0}, "batch_size"),
])
def test_bad_invalidation_requests_are_refused_clearly(redis_client, kwargs, message):
    with pytest.raises(ConfigError, match=message):
        run_invalidation(MemoryCache(), redis_client, **kwargs)
