"""Dispatcher throughput and event→invalidated latency, per send path, side by side in one run.

    .venv/bin/python -m bench dispatcher [--events 20000] [--read-count 500] [--rounds 2]
                                         [--modes per_action,pipelined,batch] [--latency-events 200]

Starts its own redis-server. **Throughput**: pre-publishes each feed, then times one
in-process dispatcher (real Redis, real ``send_task`` to the Redis broker) until every
entry is acknowledged, once per send path (``WorkerSettings.dispatch_mode``), the paths
interleaved feed by feed and repeated ``--rounds`` times (the best round is shown, the
machine is shared):

* ``per_action`` — one ``netcache.invalidate`` message per action, one round trip each
  (the old path);
* ``pipelined`` — the same messages, all of a read batch's LPUSHes in one round trip
  (kombu ``Producer.batch()``);
* ``batch`` — a read batch's invalidations as ``netcache.invalidate_batch`` messages of up
  to ``dispatch_batch_max`` actions (the default).

Feeds: flap storm (one interface: everything folds into one window); mixed (200 devices,
config changes, flaps on 4 interfaces each, BGP down/up with 2 neighbors, OSPF, reboots,
random, seeded); all distinct (a config change on a different device every time: no
folding, one action per event, the worst case).

**Latency at idle**: a real ``netcache celery-worker`` (solo pool) and one idle dispatcher
per send path (each on a stream of its own); one config change at a time, the paths in
turn, timed from just before the XADD to the ``finished_at`` the invalidation task writes
in its progress hash (``nc:w:progress:{action_id}``).

Targets (issue 11): distinct ≥ 10,000 events/s, mixed ≥ 20,000 events/s, event→invalidated
p99 < 50 ms at idle.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import redis

from netcache.devtools.local_redis import LocalRedis
from netcache.events.models import parse_event
from netcache.events.stream import encode_entry
from netcache.settings import Settings
from netcache.tasks.app import make_app
from netcache.worker.coalesce import lead_action_id
from netcache.worker.consumer import CelerySender, Dispatcher
from netcache.worker.rules import load_rules

__all__ = ["main", "feed", "run_feed", "idle_latency"]

STREAM, GROUP = "nc:events", "nc-dispatchers"
MODES = ("per_action", "pipelined", "batch")
FEEDS = (("storm", "flap storm (1 interface)"), ("mixed", "mixed feed (200 devices)"),
         ("distinct", "all distinct (no folding)"))


def feed(kind: str, n: int, seed: int = 7) -> list[dict[str, str]]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        if kind == "storm":
            e = {"type": "interface_flap", "device": "rtr-001", "interface": "Gi0/1",
                 "state": "down" if i % 2 else "up", "raw": str(i)}
        elif kind == "distinct":
            e = {"type": "config_change", "device": f"rtr-{i:06d}"}
        else:
            dev = f"rtr-{rnd.randrange(200):03d}"
            pick = rnd.random()
            if pick < 0.55:
                e = {"type": "interface_flap", "device": dev, "interface": f"Gi0/{rnd.randrange(4)}",
                     "state": rnd.choice(["up", "down"]), "raw": str(i)}
            elif pick < 0.75:
                e = {"type": rnd.choice(["bgp_down", "bgp_up"]), "device": dev,
                     "neighbor": f"10.0.0.{rnd.randrange(2) + 1}", "raw": str(i)}
            elif pick < 0.88:
                e = {"type": "config_change", "device": dev, "user": f"u{i}"}
            elif pick < 0.96:
                e = {"type": "ospf_adjacency", "device": dev, "neighbor": "10.1.1.1",
                     "new_state": rnd.choice(["FULL", "DOWN"]), "raw": str(i)}
            else:
                e = {"type": "device_reboot", "device": dev, "reason": f"r{i}"}
        out.append(encode_entry(parse_event(e)))
    return out


def _settings(url: str, mode: str, read_count: int) -> Settings:
    settings = Settings(redis_url=url, _env_file=None)
    settings.worker.read_count = read_count
    settings.worker.block_ms = 5
    settings.worker.coalesce_window_s = 5.0
    settings.worker.dispatch_mode = mode  # type: ignore[assignment]
    return settings


def run_feed(url: str, kind: str, n: int, read_count: int, mode: str = "batch") -> dict[str, float]:
    r = redis.Redis.from_url(url)
    r.flushall()
    settings = _settings(url, mode, read_count)
    pipe = r.pipeline(transaction=False)
    for fields in feed(kind, n):
        pipe.xadd(STREAM, fields)
    pipe.execute()
    d = Dispatcher(settings, redis_client=r, sender=CelerySender(make_app(settings)), rules=load_rules(None),
                   consumer="bench")
    d.ensure_group()
    start, cpu = time.perf_counter(), time.process_time()
    while d.counters.acked < n:
        d.step()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    messages = r.llen("invalidate") + r.llen("warm")
    r.close()
    return {"events": n, "seconds": elapsed, "rate": n / elapsed, "cpu_us": cpu / n * 1e6, "actions": d.counters.actions,
            "folded": d.counters.coalesced, "messages": messages}


def _start_worker(url: str, log_path: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETCACHE_")}
    env.update(NETCACHE_REDIS_URL=url, NETCACHE_CACHE__EMBEDDER="hash")
    netcache = str(Path(sys.executable).with_name("netcache"))
    with open(log_path, "wb") as log:
        return subprocess.Popen([netcache, "celery-worker", "--pool", "solo", "--concurrency", "1"], env=env,
                                stdout=log, stderr=subprocess.STDOUT)


def _wait_done(r: redis.Redis, key: str, timeout_s: float = 30.0) -> float:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        finished = r.hget(key, "finished_at")
        if finished is not None:
            return float(finished)
        time.sleep(0.0005)
    raise TimeoutError(f"{key} not done within {timeout_s} s (is the Celery worker running?)")


def idle_latency(url: str, n: int, modes: tuple[str, ...] = MODES) -> dict[str, list[float]]:
    """Event→invalidated seconds per send path, one event at a time, the paths in turn."""
    r = redis.Redis.from_url(url)
    r.flushall()
    rules = load_rules(None)
    stop = threading.Event()
    threads, streams = [], {}
    out: dict[str, list[float]] = {m: [] for m in modes}
    with tempfile.TemporaryDirectory() as tmp:
        worker = _start_worker(url, Path(tmp) / "celery.log")
        try:
            for mode in modes:
                settings = _settings(url, mode, 500)
                settings.worker.block_ms = 1000  # idle: the XREADGROUP wakes on the XADD
                settings.events.stream = streams[mode] = f"{STREAM}:{mode}"
                d = Dispatcher(settings, redis_client=redis.Redis.from_url(url),
                               sender=CelerySender(make_app(settings)), rules=rules, consumer=f"bench-{mode}")
                d.ensure_group()
                t = threading.Thread(target=d.run, args=(stop,), daemon=True)
                t.start()
                threads.append(t)
            warmup = 5
            for i in range(warmup + n):
                for mode in modes:
                    event = parse_event({"type": "config_change", "device": f"lat-{mode}-{i:05d}"})
                    (action,) = rules.actions_for(event)
                    t0 = time.time()
                    sid = r.xadd(streams[mode], encode_entry(event)).decode()
                    try:
                        done = _wait_done(r, f"nc:w:progress:{lead_action_id(sid, action.key())}")
                    except TimeoutError:
                        sys.stderr.write((Path(tmp) / "celery.log").read_text()[-3000:])
                        raise
                    if i >= warmup:
                        out[mode].append(done - t0)
                    time.sleep(0.01)
        finally:
            stop.set()
            for t in threads:
                t.join(10)
            worker.terminate()
            try:
                worker.wait(20)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait(10)
    r.close()
    return out


def _pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=20_000)
    ap.add_argument("--read-count", type=int, default=500)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--modes", default=",".join(MODES))
    ap.add_argument("--latency-events", type=int, default=200)
    args = ap.parse_args()
    modes = tuple(m for m in args.modes.split(",") if m)
    best: dict[tuple[str, str], dict[str, float]] = {}
    with LocalRedis() as server:
        for _ in range(max(1, args.rounds)):
            for kind, _label in FEEDS:
                n = args.events if kind != "distinct" else max(1, args.events // 2)
                for mode in modes:
                    m = run_feed(server.url, kind, n, args.read_count, mode)
                    if (kind, mode) not in best or m["rate"] > best[kind, mode]["rate"]:
                        best[kind, mode] = m
        latency = idle_latency(server.url, args.latency_events, modes) if args.latency_events > 0 else {}
    print(f"dispatcher throughput, read_count={args.read_count}, coalesce window 5 s, real Redis + send_task, "
          f"best of {args.rounds} interleaved rounds")
    print(f"{'feed':<28} {'send path':<11} {'events':>8} {'events/s':>9} {'vs old':>7} {'CPU µs/ev':>9} {'actions':>8} "
          f"{'messages':>9} {'folded':>8}")
    for kind, label in FEEDS:
        base = best.get((kind, "per_action"))
        for mode in modes:
            m = best[kind, mode]
            ratio = f"{m['rate'] / base['rate']:.1f}x" if base else "-"
            print(f"{label:<28} {mode:<11} {m['events']:>8,.0f} {m['rate']:>9,.0f} {ratio:>7} {m['cpu_us']:>9,.0f} "
                  f"{m['actions']:>8,.0f} {m['messages']:>9,.0f} {m['folded']:>8,.0f}")
    if latency:
        print(f"\nevent→invalidated at idle (one config change at a time, real Celery worker, solo pool), "
              f"{args.latency_events} events per path")
        print(f"{'send path':<11} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7}")
        for mode in modes:
            v = latency[mode]
            print(f"{mode:<11} {_pct(v, 50) * 1000:>7.1f} {_pct(v, 99) * 1000:>7.1f} {max(v) * 1000:>7.1f}")
    print("\nactions = tasks the dispatcher enqueued (the trailing-edge actions of open windows follow when they "
          "close);\nCPU µs/ev = the dispatcher process's CPU time per event (what a quiet machine would give: 1e6 / it events/s,\nRedis's own CPU not counted); messages = Celery messages in the broker (batch: one per up to dispatch_batch_max "
          "invalidations);\nfolded = rule actions folded into a window: an interface_flap matches two rule items "
          "(interface hard,\ndevice soft), so a storm of N events folds 2 x (N - 1).")


if __name__ == "__main__":
    main()
