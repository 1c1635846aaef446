"""The chaos harness: the real stack as processes, one fault, and an account of every event.

``Stack`` runs two redis-servers as docker-compose.yml does (events/cache: ``volatile-lfu``; the
broker and the worker's state: ``noeviction``; both with an append-only file), a ``netcache
dispatcher`` and a ``netcache celery-worker`` (prefork), and a local Messages-API server for the
worker's LLM client. ``run_scenario(name, n)`` publishes ``n`` events with distinct devices
(``config_change`` → one invalidation each, nothing folded), applies the scenario's fault while
they flow, waits until nothing is left in flight, then accounts for every event:

- **accepted**: the publisher returned a stream id for it (a sender retries a refusal, as webhook
  senders do on 503, so every event is accepted in the end);
- **processed**: an invalidation of its device finished (its progress hash says ``done``);
- **dead-lettered**: in ``nc:events:dead`` or ``nc:w:tasks:dead`` with its reason;
- **lost**: accepted, and neither processed nor dead-lettered.

Used by ``tests/faults/`` (small ``n``, in CI) and ``python -m bench chaos`` (longer runs).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis

from netcache.devtools.local_redis import LocalRedis
from netcache.devtools.messages_server import MessagesAPIServer
from netcache.errors import BackendUnavailable
from netcache.events.models import parse_event
from netcache.events.publisher import EventPublisher
from netcache.settings import Settings
from tests.support.tasks import clean_env, spawn, stop

__all__ = ["Stack", "Account", "SCENARIOS", "run_scenario", "render_table"]

AOF = ["--appendonly", "yes", "--appendfsync", "always"]


@dataclass
class Account:
    scenario: str
    accepted: int = 0
    processed: int = 0
    dead_lettered: int = 0
    lost: int = 0
    refused: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    lost_devices: list[str] = field(default_factory=list)

    def row(self) -> str:
        return (f"| {self.scenario} | {self.accepted} | {self.processed} | {self.dead_lettered} | {self.lost} | "
                f"{self.seconds:.0f} | {'; '.join(self.notes) or '-'} |")


def render_table(rows: list[Account]) -> str:
    head = ("| scenario | accepted | processed | dead-lettered | lost | seconds | notes |\n"
            "| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    return "\n".join([head, *(r.row() for r in rows)])


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


class Stack:
    """Two Redis servers, a dispatcher, a worker (see the module docstring)."""

    def __init__(self, workdir: Path, *, events_args: list[str] | None = None, broker_args: list[str] | None = None,
                 stream_maxlen: int = 1_000_000, **worker_settings: Any) -> None:
        self.dir = workdir
        self.events = LocalRedis(extra_args=[*AOF, "--maxmemory-policy", "volatile-lfu", *(events_args or [])])
        self.broker = LocalRedis(extra_args=[*AOF, "--maxmemory-policy", "noeviction", *(broker_args or [])])
        self.llm = MessagesAPIServer(latency_s=0.0)
        self.stream_maxlen = stream_maxlen
        self.worker_settings = {"block_ms": 100, "coalesce_window_s": 0.5, "claim_idle_ms": 3000,
                                "dispatcher_backoff_max_s": 0.5, "visibility_timeout_s": 20,
                                "unacked_restore_interval_s": 2, "invalidate_pause_ms": 0,
                                "warm_max_calls_per_run": 0, "health_ttl_s": 6, "worker_exit_grace_s": 10,
                                **worker_settings}
        self.dispatcher: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self._n = {"dispatcher": 0, "worker": 0}

    # -- processes ------------------------------------------------------------------------------
    def env(self) -> dict[str, str]:
        extra = {f"worker__{k}": str(v) for k, v in self.worker_settings.items()}
        return clean_env(redis_url=self.events.url, worker__broker_url=self.broker.url,
                         llm__base_url=self.llm.url, llm__api_key="chaos-test", log_level="INFO",
                         events__stream_maxlen=str(self.stream_maxlen), **extra)

    def settings(self) -> Settings:
        return Settings(_env_file=None, redis_url=self.events.url, events={"stream_maxlen": self.stream_maxlen},
                        worker={"broker_url": self.broker.url, **self.worker_settings})

    def _log(self, name: str) -> Path:
        self._n[name] += 1
        return self.dir / f"{name}{self._n[name]}.log"

    def start(self) -> Stack:
        self.events.start()
        self.broker.start()
        self.llm.start()
        self.start_dispatcher()
        self.start_worker()
        return self

    def start_dispatcher(self) -> None:
        self.dispatcher = spawn(["dispatcher"], self.env(), self._log("dispatcher"))

    def start_worker(self) -> None:
        self.worker = spawn(["celery-worker", "--queues", "invalidate,warm", "--pool", "prefork", "--concurrency", "2"],
                            self.env(), self._log("worker"))

    def kill9(self, proc: subprocess.Popen | None) -> None:
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)

    def pool_children(self) -> list[int]:
        return _children(self.worker.pid) if self.worker is not None else []

    def logs(self) -> list[Path]:
        return sorted(self.dir.glob("*.log"))

    def close(self) -> None:
        for proc in (self.dispatcher, self.worker):
            stop(proc, timeout_s=15)
            if proc is not None and proc.poll() is None:
                self.kill9(proc)
        self.llm.stop()
        self.events.close()
        self.broker.close()

    # -- accounting -----------------------------------------------------------------------------
    def processed_devices(self) -> set[str]:
        r = redis.Redis.from_url(self.broker.url, decode_responses=True)
        try:
            done: set[str] = set()
            for key in r.scan_iter("nc:w:progress:*", count=1000):
                p = r.hmget(key, ["status", "tags"])
                if p[0] == "done" and p[1]:
                    done.update(t.split(":", 1)[1] for t in json.loads(p[1]))
            return done
        finally:
            r.close()

    def dead_devices(self) -> set[str]:
        out: set[str] = set()
        r = redis.Redis.from_url(self.events.url, decode_responses=True)
        try:
            for _, f in r.xrange("nc:events:dead"):
                if f.get("device"):
                    out.add(f["device"])
            for _, f in r.xrange("nc:w:tasks:dead"):
                for tag in json.loads(f.get("kwargs", "{}")).get("tags", []):
                    out.add(tag.split(":", 1)[1])
            return out
        finally:
            r.close()


def _event(n: int) -> Any:
    return parse_event({"type": "config_change", "device": f"chaos-{n:06d}", "kind": "running",
                        "source": "operator"})


class Publisher(threading.Thread):
    """Publishes events ``0..n-1`` at ``rate`` per second through the real publish script, retrying
    refusals and outages (as webhook senders retry a 503) until each is accepted."""

    def __init__(self, stack: Stack, n: int, rate: float, on_event: Callable[[int], None] | None = None) -> None:
        super().__init__(daemon=True)
        self.stack, self.n, self.rate, self.on_event = stack, n, rate, on_event
        self.accepted: set[str] = set()
        self.refused = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            settings = self.stack.settings()
            client = redis.Redis.from_url(self.stack.events.url, socket_timeout=5, socket_connect_timeout=2)
            batch = 20
            for start in range(0, self.n, batch):
                events = [_event(i) for i in range(start, min(self.n, start + batch))]
                while events:
                    try:
                        publisher = EventPublisher(client, settings, retries=0)
                        publisher.publish_many(events)  # a stream id, or None: published before
                        self.accepted.update(e.device for e in events)
                        events = []
                    except BackendUnavailable:
                        # a refusal or an outage: what was published before it is a duplicate next time
                        self.refused += 1
                        time.sleep(0.2)
                    except redis.RedisError:
                        time.sleep(0.2)
                if self.on_event is not None:
                    self.on_event(start + batch)
                time.sleep(batch / self.rate)
            client.close()
        except BaseException as e:  # noqa: BLE001 - reported by run_scenario
            self.error = e


def _settle(stack: Stack, expected: set[str], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if expected <= stack.processed_devices() | stack.dead_devices():
            return
        time.sleep(0.5)


# -- scenarios: each takes the running stack and the publisher, applies its fault, returns notes
def _kill_dispatcher_three_times(stack: Stack, pub: Publisher, n: int) -> list[str]:
    for k in range(3):
        _wait_published(pub, n * (k + 1) // 4)
        stack.kill9(stack.dispatcher)
        time.sleep(0.5)
        stack.start_dispatcher()
    return ["dispatcher kill -9 x3"]


def _wait_processed(stack: Stack, count: int, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while len(stack.processed_devices()) < count and time.monotonic() < deadline:
        time.sleep(0.1)


def _kill_pool_children(stack: Stack, pub: Publisher, n: int) -> list[str]:
    killed = 0
    for k in range(3):
        _wait_processed(stack, n * (k + 1) // 5)
        for pid in stack.pool_children()[:1]:
            os.kill(pid, signal.SIGKILL)
            killed += 1
        time.sleep(0.5)
    return [f"{killed} pool children kill -9"]


def _kill_worker_main(stack: Stack, pub: Publisher, n: int) -> list[str]:
    _wait_processed(stack, n // 4)
    assert stack.worker is not None
    os.kill(stack.worker.pid, signal.SIGKILL)  # the main process only, as an OOM killer would
    stack.worker.wait(10)
    time.sleep(1.0)
    stack.kill9(stack.worker)  # the supervisor cleans up what is left, then restarts it
    stack.start_worker()
    return ["worker main kill -9, restarted"]


def _redis_restart(sig: int, which: str) -> Callable[[Stack, Publisher, int], list[str]]:
    def fault(stack: Stack, pub: Publisher, n: int) -> list[str]:
        _wait_published(pub, n // 2)
        server = stack.events if which == "events" else stack.broker
        assert server.proc is not None
        server.proc.send_signal(sig)
        server.proc.wait(20)
        server.proc = None
        time.sleep(1.0)
        server.start()
        return [f"{which} Redis {signal.Signals(sig).name} + restart (AOF, fsync always)"]
    return fault


def _fill(url: str, *, ttl: bool = False) -> int:
    """Fill a Redis up to its maxmemory with filler keys; how many were written."""
    r = redis.Redis.from_url(url)
    blob = b"x" * 4096
    n = 0
    try:
        while True:
            r.set(f"filler:{n}", blob, ex=3600 if ttl else None)
            n += 1
    except redis.exceptions.OutOfMemoryError:
        return n
    finally:
        r.close()


def _unfill(url: str) -> None:
    r = redis.Redis.from_url(url)
    keys = list(r.scan_iter("filler:*", count=1000))
    for i in range(0, len(keys), 500):
        r.delete(*keys[i:i + 500])
    r.close()


def _events_full(policy: str) -> Callable[[Stack, Publisher, int], list[str]]:
    def fault(stack: Stack, pub: Publisher, n: int) -> list[str]:
        r = redis.Redis.from_url(stack.events.url)
        r.config_set("maxmemory-policy", policy)
        used = int(r.info("memory")["used_memory"])
        r.config_set("maxmemory", str(used + 2_000_000))
        r.close()
        _wait_published(pub, n // 3)
        filled = _fill(stack.events.url)
        time.sleep(4.0)  # publishing is refused, tasks meet a full Redis and retry
        _unfill(stack.events.url)
        return [f"events Redis full ({policy}, {filled} filler keys for 4 s)"]
    return fault


def _broker_full(stack: Stack, pub: Publisher, n: int) -> list[str]:
    # the worker is stopped: the dispatcher fills the broker to its high-water mark and holds the
    # rest on the stream; a worker started on the full broker must drain it by itself
    stack.kill9(stack.worker)
    r = redis.Redis.from_url(stack.broker.url)
    high = stack.worker_settings["broker_high_water"]
    r.config_set("maxmemory", str(int(r.info("memory")["used_memory"]) + 1_500_000))
    _wait_published(pub, n)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        info = r.info("memory")
        if int(info["used_memory"]) >= high * int(info["maxmemory"]):
            break
        time.sleep(0.2)
    time.sleep(1.0)
    queued = r.llen("invalidate")
    r.close()
    stack.start_worker()
    return [f"broker at its high-water mark ({high:.0%}) with {queued} tasks queued, then a worker started"]


def _stream_at_limit(stack: Stack, pub: Publisher, n: int) -> list[str]:
    stop(stack.dispatcher)
    time.sleep(max(2.0, n / pub.rate * 0.6))  # the stream fills to its limit and publishing is refused
    stack.start_dispatcher()
    return [f"dispatcher stopped with the stream at its limit ({stack.stream_maxlen})"]


#: name → (fault, Stack keyword arguments)
SCENARIOS: dict[str, tuple[Callable[[Stack, Publisher, int], list[str]], dict[str, Any]]] = {
    "dispatcher kill -9 (x3)": (_kill_dispatcher_three_times, {}),
    "worker pool-child kill -9": (_kill_pool_children, {}),
    "worker main kill -9": (_kill_worker_main, {}),
    "events Redis SIGTERM (AOF)": (_redis_restart(signal.SIGTERM, "events"), {}),
    "events Redis kill -9 (AOF)": (_redis_restart(signal.SIGKILL, "events"), {}),
    "broker kill -9 (AOF)": (_redis_restart(signal.SIGKILL, "broker"), {}),
    "events Redis full (noeviction)": (_events_full("noeviction"), {}),
    "events Redis full (volatile-lfu)": (_events_full("volatile-lfu"), {}),
    "broker full": (_broker_full, {"broker_high_water": 0.85}),
    "stream at its limit, dispatcher stopped": (_stream_at_limit, {"stream_maxlen": 100}),
}


def _wait_published(pub: Publisher, count: int, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while len(pub.accepted) < min(count, pub.n) and pub.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)


def run_scenario(name: str, n: int, *, rate: float = 200.0, settle_s: float = 180.0,
                 workdir: Path | None = None) -> Account:
    fault, kwargs = SCENARIOS[name]
    workdir = workdir or Path(tempfile.mkdtemp(prefix="netcache-chaos-"))
    stack = Stack(workdir, **kwargs)
    t0 = time.monotonic()
    account = Account(name)
    try:
        stack.start()
        pub = Publisher(stack, n, rate)
        pub.start()
        account.notes = fault(stack, pub, n)
        pub.join(timeout=settle_s)
        if pub.error is not None:
            raise pub.error
        _settle(stack, pub.accepted, settle_s)
        processed = stack.processed_devices() & pub.accepted
        dead = (stack.dead_devices() & pub.accepted) - processed
        lost = pub.accepted - processed - dead
        account.accepted, account.processed, account.dead_lettered = len(pub.accepted), len(processed), len(dead)
        account.lost, account.refused = len(lost), pub.refused
        account.lost_devices = sorted(lost)[:20]
        if os.environ.get("CHAOS_DEBUG"):
            r = redis.Redis.from_url(stack.broker.url)
            m = r.memory_stats()
            account.notes.append(f"broker dbsize {r.dbsize()} keys {[k for k in r.scan_iter(count=100)][:15]} "
                                 f"mem {m.get('total.allocated')} clients {m.get('clients.normal')} "
                                 f"aof {m.get('aof.buffer')} overhead {m.get('overhead.total')}")
            r.close()
        if pub.refused:
            account.notes.append(f"{pub.refused} refusals retried")
    finally:
        account.seconds = time.monotonic() - t0
        stack.close()
    return account
