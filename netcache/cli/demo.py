"""``netcache chat-demo``: a scripted NetOps chat through the real cache, end to end.

It sets itself up: the Redis at ``NETCACHE_REDIS_URL`` if it answers, else a
private ``redis-server`` (it says which); the real Anthropic API when a key is
configured, else the local Messages API server, whose answers are
placeholders (it says so). Then it asks ~25 questions from
``cache/data/demo_session.json`` — repeats, paraphrases, entity swaps
(rtr-001 / rtr-002, Gi0/1 / Gi0/2), questions with device logs as context,
and a config change that invalidates rtr-001's answers — through
``AnswerCache.get_or_generate``, printing HIT/MISS, match kind, latency and
cost for each, and ends with ``netcache report``.

Everything the demo writes lives under its own key prefix (default
``nc-demo``), cleared at the start so every run tells the same story.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import click
import redis as redis_lib

from netcache.connections import make_redis, redact_url
from netcache.devtools.local_redis import LocalRedis
from netcache.devtools.messages_server import PLACEHOLDER_PREFIX, MessagesAPIServer
from netcache.errors import NetcacheError
from netcache.llm.client import LLMClient
from netcache.metrics.recorder import HIT_OUTCOMES, Metrics
from netcache.metrics.report import build_report
from netcache.settings import Settings

__all__ = ["chat_demo_command", "run_demo", "load_session", "DEMO_KEY_PREFIX"]

log = logging.getLogger(__name__)

#: Key prefix of everything the demo writes (kept apart from a real cache in the same Redis).
DEMO_KEY_PREFIX = "nc-demo"
#: Output tokens the local server reports per answer, so costs look like a full-length answer's.
DEMO_OUTPUT_TOKENS = 600


def load_session(path: str | Path | None = None) -> list[dict[str, Any]]:
    """The scripted steps: ``{"ask", "context"?, "expect"?, "note"?}`` or ``{"event", "tags", "note"?}``."""
    if path is None:
        text = (Path(__file__).parent / "data" / "demo_session.json").read_text(encoding="utf-8")
        source = "cache/data/demo_session.json"
    else:
        text, source = Path(path).read_text(encoding="utf-8"), str(path)
    try:
        steps = json.loads(text)["steps"]
    except (ValueError, KeyError, TypeError) as e:
        raise click.ClickException(f"{source} is not a demo session (a JSON object with `steps`): {e}") from e
    for i, step in enumerate(steps, 1):
        if not isinstance(step, dict) or not (isinstance(step.get("ask"), str) or isinstance(step.get("tags"), list)):
            raise click.ClickException(f"{source} step {i} needs `ask` (a question) or `tags` (to invalidate)")
    return steps


def _clear_prefix(client: redis_lib.Redis, prefix: str) -> int:
    """Delete the demo's own keys (demo only: a SCAN is fine for a few hundred keys)."""
    n = 0
    batch: list[bytes] = []
    for key in client.scan_iter(match=f"{prefix}:*", count=500):
        batch.append(key)
        if len(batch) >= 500:
            n += client.unlink(*batch)
            batch.clear()
    if batch:
        n += client.unlink(*batch)
    return n


def _fmt_latency(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms" if seconds < 1 else f"{seconds:7.2f} s "


def _short(text: str, width: int = 96) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= width else one_line[: width - 1] + "…"


def _connect_redis(settings: Settings, stack: ExitStack, say: Callable[[str], None]) -> redis_lib.Redis:
    url = settings.redis_url
    client = make_redis(settings, socket_connect_timeout=1, socket_timeout=5)
    try:
        client.ping()
        say(f"Redis: {redact_url(url)} (from NETCACHE_REDIS_URL or the default)")
        stack.callback(client.close)
        return client
    except (redis_lib.ConnectionError, redis_lib.TimeoutError, redis_lib.AuthenticationError) as e:
        client.close()
        server = LocalRedis().start()
        stack.callback(server.close)
        say(f"Redis: {redact_url(url)} is not reachable ({e.__class__.__name__}); started a private "
            f"redis-server on {server.url} for this demo (stopped at the end)")
        settings.redis_url = server.url
        client = make_redis(settings)
        stack.callback(client.close)
        return client


def _setup_llm(settings: Settings, stack: ExitStack, latency_s: float, say: Callable[[str], None]) -> None:
    has_key = bool(settings.llm.api_key and settings.llm.api_key.get_secret_value()) or bool(
        os.environ.get("ANTHROPIC_API_KEY"))
    if has_key:
        where = settings.llm.base_url or "the Anthropic API"
        say(f"LLM: {settings.llm.model} at {where} — real answers, real cost")
        return
    server = MessagesAPIServer(latency_s=latency_s, output_tokens=DEMO_OUTPUT_TOKENS).start()
    stack.callback(server.stop)
    settings.llm.base_url = server.url
    say(f"LLM: no NETCACHE_LLM__API_KEY set, so answers come from the local Messages API server at {server.url}:")
    say(f"     they are PLACEHOLDERS (no real LLM is called), with {latency_s} s simulated model time and "
        f"{DEMO_OUTPUT_TOKENS} output tokens priced at {settings.llm.model}'s rate")


def run_demo(settings: Settings, *, latency_s: float = 0.3, session: str | Path | None = None,
             show_report: bool = True, echo: Callable[[str], None] = click.echo) -> dict[str, int]:
    """Run the scripted chat; returns counts (asked, hits, misses, as_expected, steps with an expectation)."""
    from netcache.engine.sync import AnswerCache  # imported here to keep `netcache --help` fast
    from netcache.matching.embedder import make_embedder

    steps = load_session(session)
    counts = {"asked": 0, "hits": 0, "misses": 0, "as_expected": 0, "expected": 0}
    with ExitStack() as stack:
        client = _connect_redis(settings, stack, echo)
        cleared = _clear_prefix(client, settings.key_prefix)
        echo(f"Keys: prefix {settings.key_prefix!r}"
             + (f" (cleared {cleared} keys of an earlier run)" if cleared else ""))
        _setup_llm(settings, stack, latency_s, echo)
        llm = LLMClient(settings)
        stack.callback(llm.close)
        metrics = Metrics(client, settings)
        stack.callback(metrics.close)
        echo(f"Loading the {settings.cache.embedder} embedder and the cache …")
        embedder = make_embedder(settings, client)
        cache = AnswerCache(settings, redis=client, embedder=embedder, llm=llm, metrics=metrics)
        if hasattr(cache, "close"):
            stack.callback(cache.close)
        echo("")
        echo(f" #  {'result':<4}  {'kind':<9}  {'latency':>10}  {'cost / saved':<16}  question")
        echo(f"--  {'-' * 4}  {'-' * 9}  {'-' * 10}  {'-' * 16}  {'-' * 40}")
        for i, step in enumerate(steps, 1):
            if "ask" not in step:
                n = cache.invalidate(step["tags"])
                echo(f"{i:>2}  EVENT {step.get('event', 'invalidate')} on {step.get('device', '?')}: "
                     f"invalidated {n} answer(s) tagged {', '.join(step['tags'])}"
                     + (f" — {step['note']}" if step.get("note") else ""))
                continue
            started = time.perf_counter()
            answer = cache.get_or_generate(step["ask"], context=step.get("context"))
            latency = getattr(answer, "latency_s", None) or (time.perf_counter() - started)
            hit = answer.source in HIT_OUTCOMES
            counts["asked"] += 1
            counts["hits" if hit else "misses"] += 1
            money = f"saved ${answer.saved_usd:.4f}" if hit else f"cost  ${answer.cost_usd:.4f}"
            mark = ""
            if step.get("expect") in ("hit", "miss"):
                counts["expected"] += 1
                if (step["expect"] == "hit") == hit:
                    counts["as_expected"] += 1
                else:
                    mark = f"  [expected {step['expect'].upper()}]"
            question = _short(step["ask"], 60) + (" [+ logs]" if step.get("context") else "")
            echo(f"{i:>2}  {'HIT' if hit else 'MISS':<4}  {answer.source:<9}  {_fmt_latency(latency):>10}  "
                 f"{money:<16}  {question}{mark}")
            note = f"  ({step['note']})" if step.get("note") else ""
            text = answer.text.replace(PLACEHOLDER_PREFIX, "[placeholder]")
            echo(f"{'':>4}→ {_short(text, 90)}{note}")
        metrics.flush()
        echo("")
        echo(f"{counts['asked']} questions: {counts['hits']} hits, {counts['misses']} misses; "
             f"{counts['as_expected']} of {counts['expected']} outcomes as the script expected")
        if show_report:
            echo("")
            echo(build_report(client, settings).render().rstrip("\n"))
            echo("")
            echo(f"(see it again: NETCACHE_KEY_PREFIX={settings.key_prefix} netcache report — while this Redis runs)")
    return counts


@click.command("chat-demo")
@click.option("--latency-s", type=click.FloatRange(min=0), default=0.3, show_default=True,
              help="Simulated model time of the local server (ignored with a real API key).")
@click.option("--session", type=click.Path(exists=True, dir_okay=False), default=None,
              help="A JSON session file (default: the built-in NetOps chat).")
@click.option("--key-prefix", default=DEMO_KEY_PREFIX, show_default=True,
              help="Key prefix of everything the demo writes; cleared at the start.")
@click.option("--no-report", is_flag=True, help="Do not print the report at the end.")
def chat_demo_command(latency_s: float, session: str | None, key_prefix: str, no_report: bool) -> None:
    """Ask a scripted NetOps chat through the cache and show hits, misses, latency and cost."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings()
    settings.key_prefix = key_prefix
    try:
        run_demo(settings, latency_s=latency_s, session=session, show_report=not no_report)
    except NetcacheError as e:
        raise click.ClickException(str(e)) from e
