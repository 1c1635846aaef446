"""Dispatcher throughput: events/s from the stream to Celery messages in the broker, with coalescing.

    .venv/bin/python -m bench.bench_dispatcher [--events 20000] [--read-count 500]

Starts its own redis-server, pre-publishes each feed, then times one
in-process dispatcher (real Redis, real ``send_task`` to the Redis broker)
until every entry is acknowledged. Feeds:

* flap storm: one interface flapping (everything folds into one window);
* mixed: 200 devices, config changes, flaps on 4 interfaces each, BGP
  down/up with 2 neighbors, OSPF, reboots (random, seeded);
* all distinct: a config change on a different device every time (no
  folding: one ``send_task`` per event, the worst case).

Target (issue 4): at least 5,000 events/s for the storm and the mixed feed.
"""

from __future__ import annotations

import argparse
import random
import time

import redis

from netcache.devtools.local_redis import LocalRedis
from netcache.events.models import parse_event
from netcache.events.stream import encode_entry
from netcache.settings import Settings
from netcache.tasks.app import make_app
from netcache.worker.consumer import CelerySender, Dispatcher
from netcache.worker.rules import load_rules

__all__ = ["main", "feed"]

STREAM, GROUP = "nc:events", "nc-dispatchers"


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


def run_feed(url: str, kind: str, n: int, read_count: int) -> dict[str, float]:
    r = redis.Redis.from_url(url)
    r.flushall()
    settings = Settings(redis_url=url, _env_file=None)
    settings.worker.read_count = read_count
    settings.worker.block_ms = 5
    settings.worker.coalesce_window_s = 5.0
    entries = feed(kind, n)
    pipe = r.pipeline(transaction=False)
    for fields in entries:
        pipe.xadd(STREAM, fields)
    pipe.execute()
    d = Dispatcher(settings, redis_client=r, sender=CelerySender(make_app(settings)), rules=load_rules(None),
                   consumer="bench")
    d.ensure_group()
    start = time.perf_counter()
    while d.counters.acked < n:
        d.step()
    elapsed = time.perf_counter() - start
    queued = r.llen("invalidate") + r.llen("warm")
    r.close()
    return {"events": n, "seconds": elapsed, "rate": n / elapsed, "actions": d.counters.actions,
            "folded": d.counters.coalesced, "queued": queued}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=20_000)
    ap.add_argument("--read-count", type=int, default=500)
    args = ap.parse_args()
    rows = []
    with LocalRedis() as server:
        for kind, label in (("storm", "flap storm (1 interface)"), ("mixed", "mixed feed (200 devices)"),
                            ("distinct", "all distinct (no folding)")):
            n = args.events if kind != "distinct" else max(1, args.events // 4)
            rows.append((label, run_feed(server.url, kind, n, args.read_count)))
    print(f"dispatcher throughput, read_count={args.read_count}, coalesce window 5 s, real Redis + send_task")
    print(f"{'feed':<28} {'events':>8} {'seconds':>8} {'events/s':>9} {'actions':>8} {'folded':>8}")
    for label, m in rows:
        print(f"{label:<28} {m['events']:>8,} {m['seconds']:>8.2f} {m['rate']:>9,.0f} {m['actions']:>8,} "
              f"{m['folded']:>8,}")
    print("actions = tasks enqueued during the run (the trailing-edge actions of open windows follow when they "
          "close);\nfolded = rule actions folded into a window: an interface_flap matches two rule items "
          "(interface hard,\ndevice soft), so a storm of N events folds 2 x (N - 1).")


if __name__ == "__main__":
    main()
