"""Syslog ingestion benchmark: parse rate per core, and syslog → Redis stream throughput over TCP and UDP.

    .venv/bin/python -m bench.bench_syslog [--messages 100000]

Starts its own redis-server (LocalRedis) and a real ``netcache syslog`` process,
sends unique real-format messages from this process, and waits until they are
all on the stream (or nothing more arrives). "lost" = sent − on the stream.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import redis

from netcache.devtools.local_redis import LocalRedis, free_port
from netcache.events.syslog.parser import SyslogParser

__all__ = ["main"]

_DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "syslog"
SAMPLES = [json.loads(x)["raw"] for x in (_DATA / "vendor_messages.jsonl").read_text().splitlines()]
#: Every OS's real-format lines, noise included (tests/data/syslog/corpus.jsonl).
CORPUS = [json.loads(x)["raw"] for x in (_DATA / "corpus.jsonl").read_text().splitlines() if x.strip()]


def message(i: int) -> bytes:
    """A unique Cisco IOS interface flap (the timestamp and sequence number carry i)."""
    return (f"<187>{i}: rtr-{i % 500:03d}: Nov 27 {i // 3_600_000 % 24:02d}:{i // 60_000 % 60:02d}:"
            f"{i // 1000 % 60:02d}.{i % 1000:03d} UTC: %LINK-3-UPDOWN: Interface GigabitEthernet0/{i % 48}, "
            f"changed state to down").encode()


def bench_parse(n: int, samples: list[str] | None = None) -> dict[str, float]:
    """Parse rate of one thread, in CPU seconds of this process (other work on the machine is not counted)."""
    parser = SyslogParser()
    samples = samples or SAMPLES
    lines = [samples[i % len(samples)].encode() for i in range(n)]
    start = time.process_time()
    events = sum(parser.parse(x, "192.0.2.1").event is not None for x in lines)
    elapsed = time.process_time() - start
    return {"messages": n, "events": events, "seconds": elapsed, "rate": n / elapsed}


class Listener:
    """A real ``netcache syslog`` child process."""

    def __init__(self, url: str) -> None:
        self.udp, self.tcp = free_port(), free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("NETCACHE_")}
        env.update(NETCACHE_REDIS_URL=url, NETCACHE_LOG_LEVEL="WARNING",
                   NETCACHE_EVENTS__SYSLOG_HEALTH_INTERVAL_S="0.5", NETCACHE_EVENTS__SYSLOG_BUFFER_MAX="1000000",
                   NETCACHE_EVENTS__SYSLOG_RATE_PER_SOURCE="0", NETCACHE_EVENTS__SYSLOG_RATE_PER_DEVICE="0")
        exe = os.path.join(os.path.dirname(sys.executable), "netcache")
        self.proc = subprocess.Popen([exe, "syslog", "--udp-port", str(self.udp), "--tcp-port", str(self.tcp),
                                      "--allow", "127.0.0.0/8"],
                                     env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while True:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.tcp)) == 0:
                    break
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"netcache syslog did not start: {self.proc.stderr.read()}")
            time.sleep(0.05)

    def health(self, client: redis.Redis) -> dict[str, float]:
        """The listener's counters from its health key (written every 0.5 s)."""
        time.sleep(0.6)
        raw = client.get(f"nc:w:health:syslog:{socket.gethostname()}")
        return json.loads(raw) if raw else {}

    def stop(self) -> str:
        self.proc.terminate()
        _, err = self.proc.communicate(timeout=60)
        return err


def wait_stream(client: redis.Redis, stream: str, target: int, idle_s: float = 3.0) -> tuple[int, float]:
    """Wait until ``target`` entries (or no progress for idle_s); (count, time of the last progress)."""
    last_n, last_t = -1, time.perf_counter()
    while True:
        n = client.xlen(stream)
        now = time.perf_counter()
        if n != last_n:
            last_n, last_t = n, now
        if n >= target or now - last_t > idle_s:
            return n, last_t
        time.sleep(0.01)


def bench_tcp(client: redis.Redis, listener: Listener, n: int) -> dict[str, float]:
    client.flushall()
    payload = b"\n".join(message(i) for i in range(n)) + b"\n"
    start = time.perf_counter()
    with socket.create_connection(("127.0.0.1", listener.tcp)) as s:
        s.sendall(payload)
    got, done = wait_stream(client, "nc:events", n)
    return {"messages": n, "on_stream": got, "lost": n - got, "seconds": done - start, "rate": got / (done - start)}


def bench_udp(client: redis.Redis, listener: Listener, n: int, rate_per_s: float | None) -> dict[str, float]:
    before = listener.health(client)
    client.flushall()
    datagrams = [message(10_000_000 + i) for i in range(n)]
    start = time.perf_counter()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for i, d in enumerate(datagrams):
            s.sendto(d, ("127.0.0.1", listener.udp))
            if rate_per_s and i % 100 == 99:
                ahead = (i + 1) / rate_per_s - (time.perf_counter() - start)
                if ahead > 0:
                    time.sleep(ahead)
    got, done = wait_stream(client, "nc:events", n)
    health = listener.health(client)
    return {"messages": n, "on_stream": got, "lost": n - got, "seconds": done - start, "rate": got / (done - start),
            "kernel_drops": health.get("udp_kernel_drops", 0) - before.get("udp_kernel_drops", 0)}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=100_000, help="messages per TCP run (UDP runs use half)")
    args = ap.parse_args(argv)
    n = args.messages
    rows: list[tuple[str, dict[str, float]]] = [
        ("parse (1 thread, 48 vendor formats)", bench_parse(min(n, 50_000))),
        (f"parse (1 thread, corpus: {len(CORPUS)} lines)", bench_parse(min(n, 50_000), CORPUS)),
    ]
    with LocalRedis() as server:
        client = redis.Redis.from_url(server.url)
        listener = Listener(server.url)
        try:
            rows.append(("syslog → stream, TCP (LF framing)", bench_tcp(client, listener, n)))
            rows.append(("syslog → stream, UDP paced at 10k/s", bench_udp(client, listener, n // 2, 10_000)))
            rows.append(("syslog → stream, UDP burst (unpaced)", bench_udp(client, listener, n // 2, None)))
        finally:
            listener.stop()
            client.close()
    rmem = Path("/proc/sys/net/core/rmem_max")
    print(f"\nnetcache syslog benchmark ({os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, "
          f"net.core.rmem_max={rmem.read_text().strip() if rmem.exists() else '?'})\n")
    print(f"{'case':<40} {'messages':>9} {'on stream':>10} {'lost':>7} {'(kernel)':>9} {'seconds':>8} {'msg/s':>9}")
    print("-" * 98)
    for name, r in rows:
        on_stream = r.get("on_stream", r.get("events", 0))
        lost = r.get("lost", "-")
        kernel = int(r["kernel_drops"]) if "kernel_drops" in r else "-"
        print(f"{name:<40} {r['messages']:>9} {on_stream:>10} {lost!s:>7} {kernel!s:>9} {r['seconds']:>8.2f} "
              f"{r['rate']:>9,.0f}")
    print("\nlost = sent - on the stream; (kernel) = of those, dropped by the kernel's UDP receive buffer "
          "(the listener's udp_kernel_drops gauge). TCP never drops: a full buffer pauses the sender.\n")


if __name__ == "__main__":
    main()
