"""Benchmark: webhook receiver throughput and latency (a real `netcache webhook` process,
real HTTP, a private redis-server) and Netmiko push latency against the simulated IOS device.

    .venv/bin/python bench/bench_webhook_push.py

Prints a table; nothing here asserts on speed (tests must not).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import redis  # noqa: E402
from pydantic import SecretStr  # noqa: E402

from netcache.devtools.local_redis import LocalRedis, free_port  # noqa: E402
from netcache.events.netmiko_push import DeviceSpec, push_config  # noqa: E402
from netcache.events.publisher import EventPublisher  # noqa: E402
from netcache.settings import Settings  # noqa: E402
from tests.support.sim_ios import SimIOS  # noqa: E402

TOKEN = "bench-token-0123456789abcdef"
CONCURRENCY = 8


def flap(i: int) -> dict:
    return {"type": "interface_flap", "device": f"rtr-{i % 50:03d}", "interface": f"Gi0/{i % 48}",
            "state": "down" if i % 2 else "up", "occurred_at": 1_795_000_000 + i,
            "reason": f"bench {i}"}


def alertmanager(i: int) -> dict:
    return {"version": "4", "status": "firing", "receiver": "netcache", "alerts": [
        {"status": "firing", "labels": {"alertname": "BGPSessionDown", "device": f"rtr-{i % 50:03d}",
                                        "peer": f"10.{i // 250 % 250}.{i % 250}.2", "peer_as": "65002"},
         "annotations": {}, "startsAt": "2026-11-28T03:10:00Z", "fingerprint": f"fp{i:08x}"}]}


async def hammer(url: str, bodies: list[bytes]) -> tuple[float, list[float]]:
    latencies: list[float] = []
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for b in bodies:
        queue.put_nowait(b)
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}

    async def worker(session: aiohttp.ClientSession) -> None:
        while not queue.empty():
            body = queue.get_nowait()
            t0 = time.perf_counter()
            async with session.post(url, data=body, headers=headers) as resp:
                await resp.read()
                if resp.status != 202:
                    raise RuntimeError(f"{url}: {resp.status}")
            latencies.append(time.perf_counter() - t0)

    async with aiohttp.ClientSession() as session:
        start = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(CONCURRENCY)))
        return time.perf_counter() - start, latencies


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] * 1000 if len(values) > 1 else values[0] * 1000


def main() -> None:
    rows: list[tuple[str, str, str, str, str]] = []
    with LocalRedis() as server:
        port = free_port()
        env = {**os.environ, "NETCACHE_REDIS_URL": server.url, "NETCACHE_EVENTS__WEBHOOK_TOKEN": TOKEN,
               "NETCACHE_EVENTS__WEBHOOK_PORT": str(port), "NETCACHE_LOG_LEVEL": "WARNING"}
        proc = subprocess.Popen([str(Path(sys.executable).parent / "netcache"), "webhook"], env=env, cwd=ROOT)
        try:
            base = f"http://127.0.0.1:{port}"
            client = redis.Redis.from_url(server.url)
            deadline = time.monotonic() + 30
            while True:
                try:
                    import urllib.request
                    urllib.request.urlopen(f"{base}/healthz", timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
            cases = [
                ("/v1/events, 1 event per request", "/v1/events",
                 [json.dumps(flap(i)).encode() for i in range(2000)], 1),
                ("/v1/events, batches of 100", "/v1/events",
                 [json.dumps([flap(10_000 + b * 100 + i) for i in range(100)]).encode() for b in range(40)], 100),
                ("/v1/alertmanager, 1 alert per request", "/v1/alertmanager",
                 [json.dumps(alertmanager(i)).encode() for i in range(1000)], 1),
            ]
            for name, path, bodies, per in cases:
                elapsed, lat = asyncio.run(hammer(base + path, bodies))
                rows.append((name, f"{len(bodies) / elapsed:,.0f} req/s", f"{len(bodies) * per / elapsed:,.0f} ev/s",
                             f"{pct(lat, 50):.1f} ms", f"{pct(lat, 99):.1f} ms"))
            on_stream = client.xlen("nc:events")
            assert on_stream == 2000 + 4000 + 1000, on_stream
        finally:
            proc.terminate()
            proc.wait(timeout=20)

        settings = Settings(redis_url=server.url, _env_file=None)
        publisher = EventPublisher(redis.Redis.from_url(server.url), settings)
        with SimIOS(password="pw") as sim:
            device = DeviceSpec(name="rtr-001", host="127.0.0.1", port=sim.port, username="admin",
                                password=SecretStr("pw"))
            for save in (False, True):
                times = []
                for i in range(10):
                    t0 = time.perf_counter()
                    push_config(device, [f"interface Gi0/{i}", f" description bench {i}", " no shutdown"],
                                publisher=publisher, save=save)
                    times.append(time.perf_counter() - t0)
                rows.append((f"push_config, 3 lines{' + write mem' if save else ''} (SSH to simulator)",
                             f"{10 / sum(times):.1f} push/s", "-", f"{pct(times, 50):.0f} ms", f"{max(times) * 1000:.0f} ms (max)"))

    head = ("case", "requests", "events", "p50", "p99")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(5)]
    print(f"concurrency {CONCURRENCY}, {os.cpu_count()} CPU(s), shared machine")
    for r in [head, tuple("-" * w for w in widths), *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)))


if __name__ == "__main__":
    main()
