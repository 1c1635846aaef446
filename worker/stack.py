"""``netcache stack``: the whole netcache stack on this machine, a sample feed, live effects, the report.

One command (the README's main job) that:

1. uses the Redis at ``NETCACHE_REDIS_URL`` when one answers there, else starts
   a private ``redis-server`` (:class:`netcache.devtools.local_redis.LocalRedis`);
2. without an API key, starts the local Messages API server and says plainly
   that the answers are placeholders;
3. starts the dispatcher, a Celery worker, beat, the webhook receiver and the
   syslog listener as ``netcache …`` subprocesses (what is not built yet is
   named and skipped), and waits for their heartbeats;
4. seeds the cache with a few answers (through ``get_or_generate``);
5. replays ``worker/sample_feed``: real-format syslog over UDP and TCP to the
   listener, Alertmanager webhooks over HTTP with the bearer token;
6. shows live what was invalidated and warmed and what it cost;
7. prints which seeded answers survived and the ``netcache report``.

Ctrl-C (SIGINT) or SIGTERM stops everything it started. ``--once`` waits for
the feed's effects, prints the report and exits (0 when effects were seen);
``--duration-s N`` keeps the stack up N seconds after the replay.
"""

from __future__ import annotations

import importlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import redis

from netcache.connections import make_redis, redact_url
from netcache.devtools.local_redis import LocalRedis, free_port
from netcache.keys import EventKeys, WorkerKeys
from netcache.settings import LOOPBACK_NETS, Settings
from netcache.text import to_text

__all__ = ["stack_command", "Stack", "SEED_QUESTIONS", "FEED_DIR"]

FEED_DIR = Path(__file__).with_name("sample_feed")
#: Questions the stack seeds; the feed touches all devices but rtr-009 (and the global one).
SEED_QUESTIONS = [
    "Show interface GigabitEthernet0/1 status on rtr-001",
    "Why is interface Gi0/1 on rtr-001 flapping?",
    "Show the BGP neighbor summary on rtr-002",
    "Why is the BGP session between rtr-003 and 10.0.0.6 down?",
    "Show the running configuration of rtr-004",
    "Show CPU and memory usage on rtr-005",
    "Show interface status on rtr-009",
    "What is the default BGP keepalive timer?",
]
#: component → ``netcache`` arguments
COMPONENTS: dict[str, list[str]] = {
    "dispatcher": ["dispatcher"],
    "worker": ["celery-worker", "--pool", "threads", "--concurrency", "4"],
    "beat": ["beat"],
    "webhook": ["webhook"],
    "syslog": ["syslog"],
}
#: webhook payload kind → path on the receiver
WEBHOOK_PATHS = {"alertmanager": "/v1/alertmanager", "netbox": "/v1/netbox", "event": "/v1/events"}


def _command_available(name: str) -> str | None:
    """None when ``netcache name`` can be loaded, else why not."""
    from netcache.cli.main import COMMANDS

    target = COMMANDS.get(name)
    if target is None:
        return "not a netcache command"
    module_name, attr = target.split(":")
    try:
        getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as e:
        return str(e)
    return None


def _redis_answers(url: str, settings: Settings) -> bool:
    try:
        client = make_redis(settings, url, socket_connect_timeout=1, socket_timeout=2)
        client.ping()
        client.close()
        return True
    except (redis.RedisError, OSError):
        return False


@dataclass
class Stack:
    """What ``netcache stack`` started, so it can stop exactly that."""

    settings: Settings
    say: Callable[[str], None] = print
    log_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="netcache-stack-")))
    local_redis: LocalRedis | None = None
    llm_server: Any = None
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    webhook_token: str = ""
    syslog_port: int = 0
    webhook_port: int = 0
    #: key prefix of this run on a shared Redis (None on a private redis-server)
    run_prefix: str | None = None

    # -- start -----------------------------------------------------------------------------------
    def start_redis(self) -> str:
        url = self.settings.redis_url
        if _redis_answers(url, self.settings):
            # a shared Redis: this run gets keys and streams of its own, so a second run
            # is not de-duplicated against the first and nothing of the user's is touched
            self.run_prefix = f"{self.settings.key_prefix}-stack-{secrets.token_hex(3)}"
            self.say(f"redis: using {redact_url(url)}, keys under {self.run_prefix}:* "
                     "(removed when the stack stops)")
            return url
        self.local_redis = LocalRedis().start()
        self.say(f"redis: nothing answers at {redact_url(url)}; started a private redis-server at "
                 f"{self.local_redis.url}")
        return self.local_redis.url

    def start_llm(self) -> None:
        llm = self.settings.llm
        key = llm.api_key.get_secret_value() if llm.api_key else os.environ.get("ANTHROPIC_API_KEY")
        if key or llm.base_url:
            self.say(f"llm: {llm.model} at {llm.base_url or 'the Anthropic API'}")
            return
        from netcache.devtools.messages_server import MessagesAPIServer

        self.llm_server = MessagesAPIServer(latency_s=0.05)
        self.llm_server.start()
        self.env["NETCACHE_LLM__BASE_URL"] = self.llm_server.url
        self.say(f"llm: no NETCACHE_LLM__API_KEY set; started a local Messages API server at "
                 f"{self.llm_server.url}. ANSWERS ARE PLACEHOLDERS, not real model output.")

    def prepare_env(self, redis_url: str) -> None:
        env = {k: v for k, v in os.environ.items()}
        env.update(self.env)
        env["NETCACHE_REDIS_URL"] = redis_url
        env["PYTHONUNBUFFERED"] = "1"
        env.setdefault("HF_HUB_OFFLINE", "1")
        self.syslog_port = int(os.environ.get("NETCACHE_EVENTS__SYSLOG_PORT") or free_port())
        self.webhook_port = int(os.environ.get("NETCACHE_EVENTS__WEBHOOK_PORT") or free_port())
        env["NETCACHE_EVENTS__SYSLOG_HOST"] = "127.0.0.1"
        env["NETCACHE_EVENTS__SYSLOG_PORT"] = str(self.syslog_port)
        # syslog denies every source without an allow-list: the demo feed comes from this host
        env.setdefault("NETCACHE_EVENTS__SYSLOG_ALLOW", json.dumps(list(LOOPBACK_NETS)))
        env["NETCACHE_EVENTS__WEBHOOK_HOST"] = "127.0.0.1"
        env["NETCACHE_EVENTS__WEBHOOK_PORT"] = str(self.webhook_port)
        token = self.settings.events.webhook_token
        self.webhook_token = token.get_secret_value() if token else secrets.token_urlsafe(24)
        env["NETCACHE_EVENTS__WEBHOOK_TOKEN"] = self.webhook_token
        # the demo wants effects within seconds, not the production coalescing window
        env.setdefault("NETCACHE_WORKER__COALESCE_WINDOW_S", "1.0")
        overrides: dict[str, Any] = {}
        if self.run_prefix:
            env["NETCACHE_KEY_PREFIX"] = self.run_prefix
            run_keys = EventKeys(self.run_prefix)
            env["NETCACHE_EVENTS__STREAM"] = run_keys.stream
            env["NETCACHE_WORKER__DEAD_LETTER_STREAM"] = run_keys.dead_letter_stream
            overrides = {
                "key_prefix": self.run_prefix,
                "events": {**self.settings.events.model_dump(), "stream": run_keys.stream},
                "worker": {**self.settings.worker.model_dump(),
                           "dead_letter_stream": run_keys.dead_letter_stream},
            }
        self.env = env
        self.settings = Settings(redis_url=redis_url, llm={**self.settings.llm.model_dump(),
                                                           "base_url": env.get("NETCACHE_LLM__BASE_URL")
                                                           or self.settings.llm.base_url},
                                 **overrides)

    def start_components(self) -> list[str]:
        started = []
        for name, args in COMPONENTS.items():
            why = _command_available(args[0])
            if why is not None:
                self.say(f"{name}: MISSING, not started (`netcache {args[0]}` is not available: {why})")
                continue
            log_path = self.log_dir / f"{name}.log"
            with open(log_path, "wb") as log:
                self.procs[name] = subprocess.Popen(
                    [sys.executable, "-c", "from netcache.cli.main import main; main()", *args],
                    env=self.env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                    start_new_session=True)
            started.append(name)
            self.say(f"{name}: started (pid {self.procs[name].pid}, log {log_path})")
        return started

    def wait_healthy(self, names: list[str], client: redis.Redis, timeout_s: float = 45.0) -> list[str]:
        prefix = self.settings.key_prefix
        deadline = time.monotonic() + timeout_s
        pending = set(names)
        while pending and time.monotonic() < deadline:
            for name in list(pending):
                proc = self.procs[name]
                if proc.poll() is not None:
                    self.say(f"{name}: EXITED with code {proc.returncode}; see {self.log_dir / (name + '.log')}")
                    pending.discard(name)
                elif any(True for _ in client.scan_iter(WorkerKeys(prefix).health_match(name), count=100)):
                    self.say(f"{name}: healthy")
                    pending.discard(name)
            time.sleep(0.2)
        for name in pending:
            self.say(f"{name}: no heartbeat after {timeout_s:.0f} s (still running; see its log)")
        return [n for n in names if self.procs[n].poll() is None]

    # -- feed ------------------------------------------------------------------------------------
    def replay_feed(self, feed_dir: Path = FEED_DIR) -> dict[str, int]:
        sent = {"syslog_udp": 0, "syslog_tcp": 0, "webhook": 0, "webhook_failed": 0}
        lines = [ln for ln in (feed_dir / "syslog.log").read_text().splitlines() if ln.strip()]
        if "syslog" in self.procs:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                for line in lines[:-1]:
                    udp.sendto(line.encode(), ("127.0.0.1", self.syslog_port))
                    sent["syslog_udp"] += 1
                    time.sleep(0.05)
            with socket.create_connection(("127.0.0.1", self.syslog_port), timeout=5) as tcp:
                tcp.sendall((lines[-1] + "\n").encode())
                sent["syslog_tcp"] += 1
        if "webhook" in self.procs:
            for raw in (feed_dir / "webhooks.jsonl").read_text().splitlines():
                if not raw.strip():
                    continue
                item = json.loads(raw)
                url = f"http://127.0.0.1:{self.webhook_port}{WEBHOOK_PATHS[item['kind']]}"
                req = urllib.request.Request(url, data=json.dumps(item["body"]).encode(), method="POST",
                                             headers={"Content-Type": "application/json",
                                                      "Authorization": f"Bearer {self.webhook_token}"})
                try:
                    with urllib.request.urlopen(req, timeout=10) as resp:
                        ok = 200 <= resp.status < 300
                except (urllib.error.URLError, OSError) as e:
                    self.say(f"webhook: POST {url} failed: {e}")
                    ok = False
                sent["webhook" if ok else "webhook_failed"] += 1
        return sent

    # -- stop ------------------------------------------------------------------------------------
    def stop(self) -> None:
        for proc in reversed(list(self.procs.values())):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs.clear()
        if self.llm_server is not None:
            self.llm_server.stop()
            self.llm_server = None
        if self.local_redis is not None:
            self.local_redis.close()
            self.local_redis = None
        elif self.run_prefix:
            self.drop_run_keys()

    def drop_run_keys(self) -> None:
        """Remove this run's keys from a shared Redis (an admin sweep, once, at the end)."""
        try:
            client = make_redis(self.settings)
            n = 0
            for batch in _chunks(client.scan_iter(match=f"{self.run_prefix}:*", count=1000), 500):
                n += client.unlink(*batch)
            client.close()
            self.say(f"redis: removed this run's {n} keys ({self.run_prefix}:*)")
        except redis.RedisError as e:
            self.say(f"redis: could not remove this run's keys {self.run_prefix}:* ({e})")


def _chunks(items, size: int):
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class _Watcher:
    """Polls progress, warm results and metrics keys; prints what changed."""

    def __init__(self, client: redis.Redis, prefix: str, say: Callable[[str], None]) -> None:
        self.r = client
        self.prefix = prefix
        self.say = say
        self.status: dict[str, str] = {}
        self.keys = WorkerKeys(prefix)
        self.warmed_seen = self.r.llen(self.keys.warmed)
        self.events_seen = 0

    def poll(self, stream: str) -> tuple:
        events = self.r.xlen(stream) if self.r.exists(stream) else 0
        if events != self.events_seen:
            self.say(f"events: {events} on {stream}")
            self.events_seen = events
        for raw in self.r.lrange(self.keys.actions, 0, 49):
            aid = to_text(raw)
            p = {to_text(k): to_text(v) for k, v in self.r.hgetall(self.keys.progress(aid)).items()}
            state = f"{p.get('status')}:{p.get('done')}"
            if self.status.get(aid) != state:
                self.status[aid] = state
                self.say(f"invalidate {aid[:12]}: {p.get('status')} {p.get('done')}/{p.get('total')} "
                         f"entries, tags {', '.join(json.loads(p.get('tags', '[]')))} ({p.get('mode')}; "
                         f"{p.get('reason') or '-'})")
        warmed = self.r.llen(self.keys.warmed)
        if warmed > self.warmed_seen:
            for raw in reversed(self.r.lrange(self.keys.warmed, 0, warmed - self.warmed_seen - 1)):
                w = json.loads(raw)
                self.say(f"warm {str(w.get('action_id'))[:12]}: {w['generated']} generated "
                         f"(${w['cost_usd']:.4f}), {w['already_cached']} already cached, {w['skipped']} "
                         f"skipped{' — ' + w['budget_exceeded'] if w.get('budget_exceeded') else ''}")
            self.warmed_seen = warmed
        running = sum(1 for s in self.status.values() if s.startswith("running"))
        return (events, tuple(sorted(self.status.items())), warmed, running)


def _seed(settings: Settings, say: Callable[[str], None]) -> tuple[Any, dict[str, tuple[str, float]]]:
    """Ask the seed questions; returns the runtime and question → (entry id, created_at)."""
    from netcache.tasks.runtime import Runtime

    rt = Runtime(settings)
    seeded: dict[str, tuple[str, float]] = {}
    for q in SEED_QUESTIONS:
        ans = rt.cache.get_or_generate(q, purpose="seed")
        info = rt.cache.entry(ans.entry_id) if ans.entry_id else None
        if info is not None:
            seeded[q] = (info.entry_id, info.created_at)
        say(f"seed: {q!r} → {ans.source}")
    if rt.metrics is not None:
        rt.metrics.flush()
    return rt, seeded


def _survivors(rt: Any, seeded: dict[str, tuple[str, float]], say: Callable[[str], None]) -> None:
    """What became of each seeded answer (read without counting as a request), then ask them again."""
    say("after the feed, the seeded answers are:")
    for q in SEED_QUESTIONS:
        if q not in seeded:
            continue
        entry_id, created_at = seeded[q]
        info = rt.cache.entry(entry_id)
        if info is None:
            state = "invalidated"
        elif info.stale:
            state = "stale (soft)"
        elif info.created_at > created_at:
            state = "invalidated, re-warmed"
        else:
            state = "untouched"
        say(f"  {state:>22}  {q}")
    say("operators ask them again:")
    for q in SEED_QUESTIONS:
        ans = rt.cache.get_or_generate(q)
        say(f"  {ans.source:>22}  {q}")
    if rt.metrics is not None:
        rt.metrics.flush()


@click.command("stack")
@click.option("--once", is_flag=True, help="Replay the feed, wait for its effects, print the report and exit.")
@click.option("--duration-s", type=click.FloatRange(min=0), default=None,
              help="Stay up this long after the replay (default: until Ctrl-C; with --once: at most 120 s of waiting).")
@click.option("--feed", "feed_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=FEED_DIR, show_default=True, help="Folder with syslog.log and webhooks.jsonl.")
def stack_command(once: bool, duration_s: float | None, feed_dir: Path) -> None:
    """Start the whole stack locally, replay a sample feed, show its effects live, print the report."""
    def say(msg: str) -> None:
        click.echo(f"[{time.strftime('%H:%M:%S')}] {msg}")

    stop_requested = {"sig": None}

    def on_signal(signum, _frame):
        stop_requested["sig"] = signum
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    # Ctrl-C stops the stack even when it was started as a background job, which inherits SIGINT ignored
    signal.signal(signal.SIGINT, signal.default_int_handler)
    stack = Stack(Settings(), say=say)
    saw_effects = False
    try:
        url = stack.start_redis()
        stack.start_llm()
        stack.prepare_env(url)
        client = make_redis(stack.settings)
        started = stack.start_components()
        running = stack.wait_healthy(started, client)
        watcher = _Watcher(client, stack.settings.key_prefix, say)
        rt: Any = None
        seeded: dict[str, tuple[str, float]] = {}
        try:
            rt, seeded = _seed(stack.settings, say)
        except ImportError as e:
            say(f"seed: the answer cache is not available yet ({e}); no answers seeded")
        sent = stack.replay_feed(feed_dir)
        say(f"feed: {sent['syslog_udp']} syslog over UDP, {sent['syslog_tcp']} over TCP, "
            f"{sent['webhook']} webhooks accepted ({sent['webhook_failed']} refused)")
        stream = stack.settings.events.stream
        deadline = time.monotonic() + (duration_s if duration_s is not None else (120.0 if once else 1e12))
        quiet_needed_s = 4.0
        last_state, last_change = None, time.monotonic()
        while time.monotonic() < deadline:
            state = watcher.poll(stream)
            if state != last_state:
                last_state, last_change = state, time.monotonic()
            saw_effects = saw_effects or bool(state[1])
            idle = state[3] == 0 and time.monotonic() - last_change >= quiet_needed_s
            if once and duration_s is None and saw_effects and idle:
                break
            time.sleep(0.3)
        if once and not saw_effects:
            missing = [n for n in ("dispatcher", "worker") if n not in running]
            say("no invalidation was seen" + (f": missing {', '.join(missing)}" if missing else ""))
        if rt is not None:
            _survivors(rt, seeded, say)
        _print_report(client, stack.settings, say)
        if stack.llm_server is not None:
            say(f"llm: the local server answered {stack.llm_server.calls} requests (placeholders)")
    except KeyboardInterrupt:
        say("stopping (signal)" if stop_requested["sig"] else "stopping (Ctrl-C)")
    finally:
        # a second Ctrl-C or SIGTERM must not cut the clean-up short and leak a child
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stack.stop()
        say(f"stopped everything netcache stack started; logs in {stack.log_dir}")
    if once and not saw_effects:
        sys.exit(1)


def _print_report(client: redis.Redis, settings: Settings, say: Callable[[str], None]) -> None:
    try:
        from netcache.metrics.report import build_report
    except ImportError as e:
        say(f"report: not available yet ({e})")
        return
    click.echo(build_report(client, settings).render())
