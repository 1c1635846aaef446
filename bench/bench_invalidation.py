"""Benchmark: gradual tag-based invalidation vs the naive SCAN, and event → invalidated latency.

    .venv/bin/python -m bench.bench_invalidation [--affected 10000] [--sizes 20000,100000] [--samples 20]

Part 1 — invalidating ``--affected`` entries of one device, in a cache of each
total size, on a private redis-server:

- *gradual (tags)*: ``netcache.tasks.invalidation.run_invalidation`` (tag members →
  popularity order → batches of 100 with 100 ms pauses). The pauses are
  recorded, not slept, and reported apart: they are a chosen spreading of the
  load, not cost.
- *naive SCAN*: the naive approach on its own key shape
  (``{version}:{scope}:{query_type}:{device}:…``): ``SCAN MATCH *:rtr-999:*``
  over the whole keyspace, deleting matches in batches of 100.

The tag-based cost should stay flat as the cache grows; SCAN's grows with it.

Part 2 — event → invalidated latency with the largest cache present: publish a
``config_change`` for a fresh device on the events stream, time until its
cached entry is gone, through the real dispatcher and Celery worker processes
(``netcache dispatcher`` + ``netcache celery-worker``). Without the
dispatcher, the task is sent straight to the worker and the table says so.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis

from netcache.devtools.local_redis import LocalRedis
from netcache.engine.sync import AnswerCache
from netcache.matching.embedder import HashEmbedder
from netcache.settings import Settings
from netcache.tasks.invalidation import run_invalidation

DEVICE = "rtr-999"


def _settings(url: str, **worker) -> Settings:
    big = 1_000_000
    return Settings(_env_file=None, redis_url=url,
                    cache={"embedder": "hash", "max_entries": big, "warm_max_entries": big,
                           "hot_max_entries": big, "cold_max_entries": big, "ttl_dynamic_s": 3600,
                           "ttl_stable_s": 3600, "ttl_volatile_s": 3600, "warm_ttl_s": 3600},
                    worker=worker)


def _fill(cache: AnswerCache, client: redis.Redis, start: int, n: int, device_of) -> None:
    """``n`` entries (and the naive-shaped plain keys beside them)."""
    pipe = client.pipeline(transaction=False)
    for i in range(start, start + n):
        device = device_of(i)
        prompt = f"Show the counters of interface GigabitEthernet{i // 48}/{i % 48} on {device}"
        cache.put(prompt, "placeholder counters", volatility="stable")
        pipe.set(f"v1:device:device_status:{device}:{i:08x}:-", "placeholder counters")
        if len(pipe) >= 1000:
            pipe.execute()
    pipe.execute()


def _scan_invalidate(client: redis.Redis, device: str) -> int:
    deleted, batch = 0, []
    for key in client.scan_iter(match=f"*:{device}:*", count=1000):
        batch.append(key)
        if len(batch) == 100:
            deleted += client.delete(*batch)
            batch = []
    if batch:
        deleted += client.delete(*batch)
    return deleted


def _scan_store_invalidate(cache: AnswerCache, client: redis.Redis, tag: str) -> int:
    """The naive SCAN applied to netcache's own store: walk every entry, keep the tagged ones,
    delete them the same way (same per-entry deletion cost as the tag-based path)."""
    found = []
    keys = list(client.scan_iter(match=cache.keys.entry("*"), count=1000))
    for start in range(0, len(keys), 1000):
        pipe = client.pipeline(transaction=False)
        for k in keys[start:start + 1000]:
            pipe.hget(k, "tags")
        for k, tags in zip(keys[start:start + 1000], pipe.execute()):
            if tags and tag in tags.decode():
                found.append(k.decode().rsplit(":", 1)[1])
    n = 0
    for start in range(0, len(found), 100):
        n += cache.invalidate_entries(found[start:start + 100])
    return n


def part1(affected: int, sizes: list[int], repeat: int = 3) -> list[tuple]:
    rows = []
    with LocalRedis() as server:
        client = redis.Redis.from_url(server.url)
        settings = _settings(server.url)
        cache = AnswerCache(settings, redis=client, embedder=HashEmbedder(dim=64))
        filled = 0
        # load the Lua scripts and warm the connection before timing anything
        cache.put("Show the counters of interface GigabitEthernet0/0 on rtr-998", "x", volatility="stable")
        run_invalidation(cache, client, tags=["device:rtr-998"], sleep=lambda s: None)
        for size in sizes:
            others = size - affected
            print(f"filling to {size:,} entries …", file=sys.stderr, flush=True)
            _fill(cache, client, filled, others - filled, lambda i: f"rtr-{i % 500:03d}")
            filled = others
            gradual, scans, store_scans, pause_s, batches = [], [], [], 0.0, 0
            for _ in range(repeat):  # best of `repeat`: the machine is shared, single runs are noisy
                _fill(cache, client, 10_000_000, affected, lambda i: DEVICE)
                pauses: list[float] = []
                t0 = time.perf_counter()
                res = run_invalidation(cache, client, tags=[f"device:{DEVICE}"], batch_size=100, pause_ms=100,
                                       warm_limit=20, sleep=pauses.append, enqueue_warm=lambda *a: None)
                gradual.append(time.perf_counter() - t0)
                assert res.invalidated == affected, res
                pause_s, batches = sum(pauses), res.batches
                t0 = time.perf_counter()
                scanned = _scan_invalidate(client, DEVICE)
                scans.append(time.perf_counter() - t0)
                assert scanned == affected, scanned
                _fill(cache, client, 20_000_000, affected, lambda i: DEVICE)
                keys = client.dbsize()
                t0 = time.perf_counter()
                scanned = _scan_store_invalidate(cache, client, f"device:{DEVICE}")
                store_scans.append(time.perf_counter() - t0)
                assert scanned == affected, scanned
                _scan_invalidate(client, DEVICE)
            total = int(cache.stats()["total"]) + affected
            rows.append((size, total, keys, affected, min(gradual), pause_s, batches, min(scans),
                         min(store_scans)))
    return rows


def _spawn(args, env, log):
    exe = str(Path(sys.executable).with_name("netcache"))
    with open(log, "wb") as f:
        return subprocess.Popen([exe, *args], env=env, stdout=f, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)


def part2(size: int, samples: int) -> tuple[str, list[float]]:
    from netcache.worker.stack import _command_available

    have_dispatcher = _command_available("dispatcher") is None
    logs = Path(tempfile.mkdtemp(prefix="netcache-bench-"))
    procs = []
    with LocalRedis() as server:
        client = redis.Redis.from_url(server.url)
        settings = _settings(server.url, coalesce_window_s=0.05)
        cache = AnswerCache(settings, redis=client, embedder=HashEmbedder(dim=64))
        print(f"filling to {size:,} entries for the latency run …", file=sys.stderr, flush=True)
        _fill(cache, client, 0, size, lambda i: f"rtr-{i % 500:03d}")
        env = {k: v for k, v in os.environ.items() if not k.startswith("NETCACHE_")}
        env.update({"NETCACHE_REDIS_URL": server.url, "NETCACHE_CACHE__EMBEDDER": "hash",
                    "NETCACHE_WORKER__COALESCE_WINDOW_S": "0.05", "NETCACHE_WORKER__BLOCK_MS": "50",
                    "NETCACHE_WORKER__WARM_MAX_CALLS_PER_RUN": "0", "NETCACHE_LOG_LEVEL": "WARNING",
                    "NETCACHE_LLM__BASE_URL": "http://127.0.0.1:9", "HF_HUB_OFFLINE": "1"})
        try:
            procs.append(_spawn(["celery-worker", "--pool", "threads", "--concurrency", "2"], env,
                                logs / "worker.log"))
            if have_dispatcher:
                procs.append(_spawn(["dispatcher"], env, logs / "dispatcher.log"))
            deadline = time.monotonic() + 60
            while not any(True for _ in client.scan_iter("nc:w:health:worker:*")):
                if time.monotonic() > deadline:
                    raise SystemExit(f"worker did not start; see {logs}")
                time.sleep(0.1)
            time.sleep(1.0)
            from netcache.tasks.app import make_app

            app = make_app(settings)
            latencies = []
            for i in range(samples + 1):  # sample 0 warms the worker up (its cache loads the index)
                device = f"rtr-8{i:02d}"
                cache.put(f"Show the running configuration of {device}", "placeholder", volatility="stable")
                tag = f"device:{device}"
                assert cache.tag_members(tag)
                t0 = time.perf_counter()
                if have_dispatcher:
                    from netcache.events.models import ConfigChange
                    from netcache.events.publisher import EventPublisher

                    EventPublisher(client, settings).publish(ConfigChange(device=device, source="operator"))
                else:
                    app.send_task("netcache.invalidate", queue="invalidate", kwargs={
                        "tags": [tag], "mode": "hard", "warm": [], "reason": "bench", "action_id": f"lat-{i}"})
                while cache.tag_members(tag):
                    if time.perf_counter() - t0 > 30:
                        raise SystemExit(f"no invalidation after 30 s; see {logs}")
                    time.sleep(0.002)
                latencies.append(time.perf_counter() - t0)
            print(f"first event (cold worker: builds its cache, loads the vector index): "
                  f"{latencies[0] * 1000:.0f} ms", file=sys.stderr)
            latencies = latencies[1:]
        finally:
            for p in procs:
                p.terminate()
            for p in procs:
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()
    path = "event on stream → dispatcher → worker" if have_dispatcher else "send_task → worker (no dispatcher yet)"
    return path, latencies


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--affected", type=int, default=10_000)
    ap.add_argument("--sizes", default="20000,100000")
    ap.add_argument("--samples", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=3, help="best of N for each timing")
    ap.add_argument("--skip-latency", action="store_true")
    args = ap.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    rows = part1(args.affected, sizes, args.repeat)
    print()
    print(f"Invalidating {args.affected:,} entries of one device (best of {args.repeat}; batches of 100; "
          f"pauses of 100 ms recorded, not slept)")
    print("  gradual (tags): netcache; naive SCAN: SCAN MATCH over the naive plain keys + DEL;")
    print("  SCAN on store: the same SCAN walk over netcache's entries, then the same deletion as gradual")
    print(f"{'cache entries':>14} {'redis keys':>11} {'gradual work s':>15} {'per entry µs':>13} "
          f"{'pauses s':>9} {'batches':>8} {'naive SCAN s':>15} {'SCAN on store s':>16}")
    for _size, total, keys, affected, gradual_s, pause_s, batches, scan_s, scan_store_s in rows:
        print(f"{total:>14,} {keys:>11,} {gradual_s:>15.3f} {gradual_s / affected * 1e6:>13.1f} "
              f"{pause_s:>9.1f} {batches:>8} {scan_s:>15.3f} {scan_store_s:>16.3f}")
    if args.skip_latency:
        return
    path, lat = part2(max(sizes), args.samples)
    lat_ms = sorted(x * 1000 for x in lat)
    p99 = lat_ms[min(len(lat_ms) - 1, int(round(0.99 * (len(lat_ms) - 1))))]
    print()
    print(f"Event → invalidated latency with {max(sizes):,} cached entries ({path}; coalescing window 50 ms)")
    print(f"{'samples':>8} {'median ms':>10} {'p99 ms':>8} {'min ms':>8} {'max ms':>8}")
    print(f"{len(lat_ms):>8} {statistics.median(lat_ms):>10.1f} {p99:>8.1f} {lat_ms[0]:>8.1f} {lat_ms[-1]:>8.1f}")
    slow = [f"{x:.0f}" for x in lat_ms if x > 100]
    print(f"samples over 100 ms: {len(slow)} ({', '.join(slow) or '-'})")


if __name__ == "__main__":
    main()
