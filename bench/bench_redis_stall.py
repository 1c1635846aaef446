"""What a Redis stall and a Redis outage cost one bot request: the cache's own client (socket
timeouts of the budget, no retries, the circuit breaker) against a plain redis-py client.

    .venv/bin/python -m bench.bench_redis_stall [--stall-ms 1000] [--requests 5]

A private redis-server (never port 6379); the stall is ``CLIENT PAUSE <ms> ALL`` issued just
before each request; the outage is the server stopped. Each request is ``get_or_generate`` of
a new question with a generator that answers at once, so the time is what Redis cost it.
Exact matching only (no embedder): the numbers are Redis time, not model time.
"""

from __future__ import annotations

import argparse
import statistics
import time

import redis

from netcache.devtools.local_redis import LocalRedis
from netcache.engine.sync import AnswerCache
from netcache.settings import Settings


def _requests(cache: AnswerCache, n: int, before=None) -> list[float]:
    out = []
    for i in range(n):
        if before is not None:
            before()
        t0 = time.perf_counter()
        cache.get_or_generate(f"show interface status on rtr-{i:03d} {time.time_ns()}", generate=lambda p: "up")
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stall-ms", type=int, default=1000)
    ap.add_argument("--requests", type=int, default=5)
    args = ap.parse_args()
    rows = []
    with LocalRedis() as server:
        settings = Settings(_env_file=None, redis_url=server.url)
        plain_client = redis.Redis.from_url(server.url)
        caches = {"netcache client (budget 50 ms, breaker)": AnswerCache(settings, embedder=False, metrics=False),
                  "plain redis-py client": AnswerCache(settings, redis=plain_client, embedder=False, metrics=False)}
        admin = redis.Redis.from_url(server.url)

        def stall() -> None:
            admin.execute_command("CLIENT", "PAUSE", args.stall_ms, "ALL")

        healthy: dict[str, list[float]] = {name: [] for name in caches}
        for cache in caches.values():
            _requests(cache, 3)  # connections open, scripts loaded
        for _ in range(4):  # interleaved, so both see the same load on the machine
            for name, cache in caches.items():
                healthy[name] += _requests(cache, 5)
        for name, cache in caches.items():
            stalled = _requests(cache, args.requests, before=stall)
            admin.execute_command("CLIENT", "UNPAUSE")
            rows.append((name, healthy[name], stalled))
        server.stop()
        down = {name: _requests(cache, args.requests) for name, cache in caches.items()}
        server.start()
        for cache in caches.values():
            cache.close()
        plain_client.close()
        admin.close()

    def ms(xs: list[float]) -> str:
        return f"{statistics.median(xs) * 1000:.1f} / {max(xs) * 1000:.1f}"

    print(f"\nper request, median / max ms (healthy: 20 requests each, interleaved; stalled and down: "
          f"{args.requests} each; stall = CLIENT PAUSE {args.stall_ms} ms)\n")
    print("| client | healthy | Redis stalled | Redis down |\n| --- | ---: | ---: | ---: |")
    for name, ok, stalled in rows:
        print(f"| {name} | {ms(ok)} | {ms(stalled)} | {ms(down[name])} |")
    base, plain = rows[0][2], rows[1][2]
    print(f"\nstalled: the plain client's median is {statistics.median(plain) / statistics.median(base):.0f}x "
          f"the netcache client's (same run)")


if __name__ == "__main__":
    main()
