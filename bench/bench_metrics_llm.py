"""Benchmark: the cost of recording a metric on the hot path, of a flush, and of one
LLM round trip through the real SDK to the local Messages API server.

    .venv/bin/python bench/bench_metrics_llm.py

Prints a table; nothing here asserts on speed (tests must not).
"""

from __future__ import annotations

import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import redis  # noqa: E402

from netcache.devtools.local_redis import LocalRedis  # noqa: E402
from netcache.devtools.messages_server import MessagesAPIServer  # noqa: E402
from netcache.llm.client import LLMClient  # noqa: E402
from netcache.metrics.recorder import Metrics  # noqa: E402
from netcache.metrics.report import build_report  # noqa: E402
from netcache.settings import Settings  # noqa: E402


def per_op_us(fn, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n * 1e6


def main() -> None:
    rows: list[tuple[str, str, str]] = []
    with LocalRedis() as server:
        settings = Settings(redis_url=server.url, _env_file=None)
        settings.llm.metrics_flush_interval_s = 3600  # flush by hand below
        client = redis.Redis.from_url(server.url)
        m = Metrics(client, settings)
        n = 200_000
        rows.append(("Metrics.lookup (hit), 1 thread", f"{per_op_us(lambda: m.lookup('exact', 'bgp', 0.0004, 0.01), n):.2f} µs", f"{n:,} calls"))
        rows.append(("Metrics.llm_call, 1 thread", f"{per_op_us(lambda: m.llm_call('bgp', 'user', 'claude-sonnet-4-6', 2.0, 1000, 500, 0.01), n):.2f} µs", f"{n:,} calls"))

        per_thread = 50_000
        def work() -> None:
            for _ in range(per_thread):
                m.lookup("semantic", "device_status", 0.003, 0.01)
        threads = [threading.Thread(target=work) for _ in range(4)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        rows.append(("Metrics.lookup, 4 threads", f"{(time.perf_counter() - start) / (4 * per_thread) * 1e6:.2f} µs",
                     "wall time / call"))

        flushes = []
        for i in range(50):
            for qt in ("bgp", "device_status", "log_analysis", "config_help", "topology"):
                m.lookup("exact", qt, 0.0004 * (i + 1), 0.01)
                m.lookup("miss", qt, 2.0)
            start = time.perf_counter()
            m.flush()
            flushes.append((time.perf_counter() - start) * 1000)
        rows.append(("Metrics.flush (one pipeline)", f"{statistics.median(flushes):.2f} ms", "median of 50, ~25 fields"))
        reports = []
        for _ in range(20):
            start = time.perf_counter()
            build_report(client, settings).render()
            reports.append((time.perf_counter() - start) * 1000)
        rows.append(("build_report + render", f"{statistics.median(reports):.2f} ms", "median of 20"))
        m.close()
        client.close()

    with MessagesAPIServer() as srv:
        settings = Settings(_env_file=None)
        settings.llm.base_url = srv.url
        with LLMClient(settings) as llm:
            llm.complete("warm-up")
            lat = []
            for i in range(100):
                lat.append(llm.complete(f"Show BGP summary on rtr-{i:03d}").latency_s * 1000)
        rows.append(("LLMClient.complete → local server", f"{statistics.median(lat):.2f} ms",
                     f"median of 100, p95 {sorted(lat)[94]:.2f} ms (SDK + HTTP, 0 s model time)"))

    width = max(len(r[0]) for r in rows)
    print(f"{'operation':<{width}}  {'cost':>12}  note")
    print(f"{'-' * width}  {'-' * 12}  ----")
    for name, cost, note in rows:
        print(f"{name:<{width}}  {cost:>12}  {note}")


if __name__ == "__main__":
    main()
