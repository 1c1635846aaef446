"""Coalescing against a real Redis: leading edge at once, one trailing action per window, shared by dispatchers.

The sender records what would go to Celery (the subprocess tests in
test_dispatcher.py check the real broker lists).
"""

from __future__ import annotations

import time

import pytest

from netcache.events.models import parse_event
from netcache.events.stream import encode_entry
from netcache.worker.coalesce import Coalescer, lead_action_id
from netcache.worker.consumer import Dispatcher
from netcache.worker.rules import load_rules, parse_rules

#: One action per interface flap, so counts are easy to read.
FLAP_RULES = """
rules:
  interface_flap:
    - invalidate: ["iface:{device}:{interface}"]
      mode: hard
      warm: ["Why is interface {interface} on {device} flapping?"]
"""


class RecordingSender:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict, str]] = []

    def send(self, name: str, kwargs: dict, queue: str) -> None:
        self.sent.append((name, kwargs, queue))


def flap(i: int, device: str = "rtr-001", interface: str = "Gi0/1") -> dict[str, str]:
    event = parse_event({"type": "interface_flap", "device": device, "interface": interface,
                         "state": "down" if i % 2 else "up", "raw": f"flap {i}"})
    return encode_entry(event)


def publish(redis_client, entries: list[dict[str, str]], stream: str = "nc:events") -> None:
    pipe = redis_client.pipeline(transaction=False)
    for fields in entries:
        pipe.xadd(stream, fields)
    pipe.execute()


def drain(dispatcher: Dispatcher) -> None:
    """Step until the stream has nothing left for this dispatcher."""
    while dispatcher.step() or dispatcher._pending_first:
        pass


def wait_for_trailing(dispatcher: Dispatcher) -> None:
    """Sleep until every open window is due, sending the trailing actions."""
    while (due_s := dispatcher.coalescer.next_due_in_s()) is not None:
        time.sleep(due_s + 0.05)
        dispatcher.flush_due()


@pytest.fixture
def window_settings(settings):
    settings.worker.coalesce_window_s = 1.0
    settings.worker.block_ms = 10
    return settings


def make(settings, redis_client, sender, rules=FLAP_RULES, consumer="c1") -> Dispatcher:
    return Dispatcher(settings, redis_client=redis_client, sender=sender, rules=parse_rules(rules),
                      consumer=consumer)


def test_flap_storm_of_ten_thousand_events_causes_one_leading_and_one_trailing_invalidation(settings,
                                                                                            redis_client):
    settings.worker.coalesce_window_s = 4.0  # the whole storm lands inside one window, even on a slow machine
    settings.worker.block_ms = 10
    sender = RecordingSender()
    d = make(settings, redis_client, sender)
    d.ensure_group()
    publish(redis_client, [flap(i) for i in range(10_000)])
    drain(d)
    assert len(sender.sent) == 1  # the leading edge went out at once
    name, kwargs, queue = sender.sent[0]
    assert (name, queue) == ("netcache.invalidate", "invalidate")
    assert kwargs["tags"] == ["iface:rtr-001:GigabitEthernet0/1"] and kwargs["folded"] == 0
    assert [q["prompt"] for q in kwargs["warm"]] == ["Why is interface GigabitEthernet0/1 on rtr-001 flapping?"]
    wait_for_trailing(d)
    # one trailing action per window the storm touched: one window, unless this (shared,
    # loaded) machine took longer than the window to read the storm
    trailing = [k for _, k, _ in sender.sent[1:]]
    assert 1 <= len(trailing) <= 2
    assert sum(k["folded"] for k in trailing) == 9_999
    assert all(k["tags"] == kwargs["tags"] and k["warm"] == kwargs["warm"] for k in trailing)
    assert len({kwargs["action_id"], *(k["action_id"] for k in trailing)}) == 1 + len(trailing)
    if len(trailing) == 1:
        assert "9999 events folded" in trailing[0]["reason"]
    assert d.counters.read == 10_000 and d.counters.coalesced == 9_999 and d.counters.actions == 1 + len(trailing)
    assert redis_client.xpending("nc:events", "nc-dispatchers")["pending"] == 0


def test_a_lone_event_causes_exactly_one_action_and_no_trailing_one(window_settings, redis_client):
    sender = RecordingSender()
    d = make(window_settings, redis_client, sender)
    d.ensure_group()
    publish(redis_client, [flap(0)])
    drain(d)
    assert redis_client.zcard("nc:w:{nc:events}:co:due") == 0  # nothing folded, nothing due
    time.sleep(1.05)
    d.flush_due()
    assert len(sender.sent) == 1
    publish(redis_client, [flap(1)])  # after a quiet window, the next event leads again at once
    drain(d)
    assert len(sender.sent) == 2 and sender.sent[1][1]["folded"] == 0


def test_a_change_late_in_the_window_is_followed_by_an_invalidation_after_it(window_settings, redis_client):
    sender = RecordingSender()
    d = make(window_settings, redis_client, sender)
    d.ensure_group()
    publish(redis_client, [flap(0)])
    drain(d)
    time.sleep(0.7)
    publish(redis_client, [flap(1)])  # the last event of the storm, near the window's end
    drain(d)
    assert len(sender.sent) == 1
    wait_for_trailing(d)
    assert len(sender.sent) == 2 and sender.sent[1][1]["folded"] == 1


def test_different_interfaces_are_not_folded_together(window_settings, redis_client):
    sender = RecordingSender()
    d = make(window_settings, redis_client, sender)
    d.ensure_group()
    publish(redis_client, [flap(i, interface=f"Gi0/{i % 3}") for i in range(30)])
    drain(d)
    assert sorted(k["tags"][0] for _, k, _ in sender.sent) == [
        f"iface:rtr-001:GigabitEthernet0/{n}" for n in range(3)]
    wait_for_trailing(d)
    assert sorted(k["folded"] for _, k, _ in sender.sent[3:]) == [9, 9, 9]


def test_two_dispatchers_share_the_windows(window_settings, redis_client):
    sa, sb = RecordingSender(), RecordingSender()
    a = make(window_settings, redis_client, sa, consumer="a")
    b = make(window_settings, redis_client, sb, consumer="b")
    a.ensure_group()
    a.read_count = b.read_count = 50
    publish(redis_client, [flap(i) for i in range(1_000)])
    while a.counters.read + b.counters.read < 1_000:  # interleave their batches
        a.step()
        b.step()
    assert a.counters.read > 0 and b.counters.read > 0 and a.counters.read + b.counters.read == 1_000
    wait_for_trailing(b)  # either dispatcher may send a window's trailing action
    wait_for_trailing(a)
    sent = [k for _, k, _ in sa.sent + sb.sent]
    # one leading action between them, and the other 999 events folded into trailing ones
    # (one per window touched: one, or two if reading took longer than the window)
    assert [k["folded"] for k in sent].count(0) == 1
    assert sum(k["folded"] for k in sent) == 999 and len(sent) <= 3


def test_a_storm_that_lasts_costs_one_action_per_window(settings, redis_client):
    settings.worker.coalesce_window_s = 0.3
    settings.worker.block_ms = 10
    sender = RecordingSender()
    d = make(settings, redis_client, sender)
    d.ensure_group()
    start = time.monotonic()
    i = 0
    while time.monotonic() - start < 1.5:  # five windows of flapping
        publish(redis_client, [flap(i), flap(i + 1)])
        i += 2
        d.step()
        time.sleep(0.02)
    elapsed = time.monotonic() - start
    drain(d)
    wait_for_trailing(d)
    # a leading action, then at most one trailing action per window the storm touched
    # (a second leading action only if this loaded machine stalled for a whole quiet window)
    windows = int(elapsed / 0.3) + 2
    leads = [k["folded"] for _, k, _ in sender.sent].count(0)
    assert 1 <= leads <= 2
    assert 2 <= len(sender.sent) <= leads + windows, (len(sender.sent), windows)
    assert sum(k["folded"] for _, k, _ in sender.sent) == i - leads  # every event accounted for


def test_a_redelivered_leading_event_enqueues_nothing_once_its_action_is_marked_sent(redis_client):
    c = Coalescer(redis_client, window_s=0.2)
    action = load_rules(None).actions_for(parse_event({"type": "config_change", "device": "r1"}))[0]
    (first,) = c.decide_many([("1-0", action)])
    assert first.outcome == "lead" and first.action_id == lead_action_id("1-0", action.key())
    # died before send_task returned: the marker says pending, so it is enqueued again (same action id)
    (again,) = c.decide_many([("1-0", action)])
    assert again == first
    pipe = redis_client.pipeline()
    c.mark_sent([first.action_id], pipe)
    pipe.execute()
    (after_send,) = c.decide_many([("1-0", action)])
    assert after_send.outcome == "done"
    time.sleep(0.25)  # even after the window closed
    assert c.decide_many([("1-0", action)])[0].outcome == "done"
    # another event for the same target inside a new window leads again
    assert c.decide_many([("2-0", action)])[0].outcome == "lead"


def test_a_redelivered_folded_event_counts_once(redis_client):
    c = Coalescer(redis_client, window_s=0.2)
    action = load_rules(None).actions_for(parse_event({"type": "config_change", "device": "r1"}))[0]
    c.decide_many([("1-0", action), ("2-0", action), ("2-0", action), ("3-0", action)])
    time.sleep(0.25)
    (window,) = c.claim_due()
    assert window.folded == 2 and window.action == action
    # leased: a second dispatcher does not get it while the first sends it
    assert c.claim_due() == []
    c.finish(window)
    assert redis_client.zcard("nc:w:{nc:events}:co:due") == 0 and redis_client.hlen("nc:w:{nc:events}:co:act") == 0


def test_a_trailing_window_whose_sender_died_is_taken_over_after_the_lease(redis_client):
    c = Coalescer(redis_client, window_s=0.1, lease_ms=200)
    action = load_rules(None).actions_for(parse_event({"type": "config_change", "device": "r1"}))[0]
    c.decide_many([("1-0", action), ("2-0", action)])
    time.sleep(0.15)
    (window,) = c.claim_due()  # this dispatcher dies here, before sending
    time.sleep(0.25)
    (again,) = c.claim_due()
    assert again.member == window.member and again.action_id == window.action_id and again.folded == 1
