"""Lookup latency of AnswerCache at 1k, 10k and 100k entries, beside the naive design.

    .venv/bin/python -m bench.bench_cache [--sizes 1000,10000,100000] [--lookups 2000]

Starts its own redis-server (LocalRedis, no persistence). Entries are written
through the real PUT Lua script (pipelined, so filling 100k takes seconds) with
random unit vectors of MiniLM's dimension (384), spread over device groups the
way a NetOps cache is: 60 questions per device, 10 % entity-free ones sharing
the global group. Lookups go through ``AnswerCache.get`` (analysis, Lua hit
script, query log, index sync, group search, guard, verification).
"Semantic" lookups are paraphrases whose embedding is precomputed (a
dictionary embedder), so the numbers exclude the embedding model itself.

The naive design, measured in the same run: every entry a JSON string,
a lookup runs KEYS and GETs + decodes each entry (its exact path hashes the
prompt; its "semantic" path compares a SHA-256 of the text per entry).

Targets: semantic ≤ 2 ms median at 100k; exact hit ≤ 0.5 ms median.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import redis

from netcache import lua
from netcache.devtools.local_redis import LocalRedis
from netcache.engine.logic import CacheLogic
from netcache.engine.records import put_argv
from netcache.engine.sync import AnswerCache
from netcache.engine.vector_index import encode_record
from netcache.settings import Settings

__all__ = ["main"]

DIM = 384
TEMPLATES = [
    "show bgp summary on {d}", "show interfaces status on {d}", "show ospf neighbors on {d}",
    "show version on {d}", "show running config on {d}", "show ip route on {d}",
    "show cpu utilisation on {d}", "show memory usage on {d}", "show logging on {d}",
    "show vlan brief on {d}", "show lldp neighbors on {d}", "show inventory on {d}",
]
PER_DEVICE = 60
GLOBAL_SHARE = 0.10


class DictEmbedder:
    """Precomputed vectors (the benchmark measures everything but the model)."""

    model_id = "bench-384"
    dim = DIM

    def __init__(self) -> None:
        self.vectors: dict[str, np.ndarray] = {}

    def embed(self, texts: list[str]) -> np.ndarray:
        out = []
        for t in texts:
            v = self.vectors.get(t)
            if v is None:  # deterministic per text, so worker processes agree
                seed = int.from_bytes(hashlib.sha256(t.encode()).digest()[:8], "little")
                v = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
                v /= np.linalg.norm(v)
                self.vectors[t] = v
            out.append(v)
        return np.stack(out)


def prompts_for(n: int) -> list[str]:
    out = []
    n_global = int(n * GLOBAL_SHARE)
    for i in range(n_global):
        out.append(f"explain routing design pattern number {i}")
    i = 0
    while len(out) < n:
        d = f"dev-{i // PER_DEVICE:05d}"
        variant = i % PER_DEVICE
        out.append(TEMPLATES[variant % len(TEMPLATES)].format(d=d) + f" variant {variant // len(TEMPLATES)}")
        i += 1
    return out


def _put_argvs(args: tuple[Settings, list[str]]) -> list[tuple[list, list]]:
    """(KEYS, ARGV) of the PUT script for a chunk of prompts (runs in a worker process: analysis is CPU-bound)."""
    settings, prompts = args
    logic = CacheLogic(settings, embedder=DictEmbedder())
    out = []
    for p in prompts:
        req = logic._prepare(p, volatility="static")
        vec = logic.embedder.embed([req.semantic_text])[0]
        out.append(([*logic.keys.tier_script_keys, logic.keys.entry(req.entry_id)],
                    put_argv(req, f"answer to {p}", policy=logic.policy, key_base=logic.keys.base,
                             now_s=time.time(), vector_blob=encode_record(req.group, req.prompt, vec))))
    return out


def fill(settings: Settings, r: redis.Redis, prompts: list[str], pool: ProcessPoolExecutor) -> float:
    """Write entries through the real PUT script, pipelined 1,000 at a time."""
    started = time.perf_counter()
    write_puts(r, pool.map(_put_argvs, [(settings, prompts[i:i + 2000]) for i in range(0, len(prompts), 2000)]))
    return time.perf_counter() - started


def write_puts(r: redis.Redis, batches) -> None:
    """Run each batch of (KEYS, ARGV) of the PUT script as one pipeline."""
    put = lua.register(r, "put")
    for calls in batches:
        pipe = r.pipeline(transaction=False)
        for keys, argv in calls:
            put(keys=keys, args=argv, client=pipe)
        pipe.execute()


def paraphrase(embedder: DictEmbedder, logic: CacheLogic, prompt: str, rng) -> str:
    """A new wording of ``prompt`` (same entities) whose vector is close to the stored one."""
    asked = "please " + prompt
    stored = embedder.embed([logic._prepare(prompt).semantic_text])[0]
    v = stored + rng.standard_normal(DIM).astype(np.float32) * 0.01
    embedder.vectors[logic._prepare(asked).semantic_text] = v / np.linalg.norm(v)
    return asked


def timed(fn, items) -> list[float]:
    out = []
    for it in items:
        t = time.perf_counter()
        fn(it)
        out.append((time.perf_counter() - t) * 1000)
    return out


def pct(xs: list[float], q: float) -> float:
    return float(np.percentile(xs, q))


def naive_fill(r: redis.Redis, prompts: list[str]) -> None:
    pipe = r.pipeline(transaction=False)
    for n, p in enumerate(prompts, 1):
        key = "naive:" + hashlib.md5(p.encode()).hexdigest()
        pipe.set(key, json.dumps({"prompt": p, "response": f"answer to {p}",
                                  "embedding": hashlib.sha256(p.lower().encode()).hexdigest(),
                                  "timestamp": time.time()}))
        if n % 1000 == 0:
            pipe.execute()
    pipe.execute()


def naive_lookup(r: redis.Redis, prompt: str) -> str | None:
    """The naive semantic lookup: KEYS, then GET + JSON decode + compare every entry."""
    want = hashlib.sha256(prompt.lower().encode()).hexdigest()
    for key in r.keys("naive:*"):
        raw = r.get(key)
        if raw is None:
            continue
        entry = json.loads(raw)
        if entry["embedding"] == want:
            return entry["response"]
    return None


def run(sizes: list[int], lookups: int, naive_sizes: list[int]) -> list[tuple]:
    rows = []
    rng = np.random.default_rng(11)
    with LocalRedis() as server, ProcessPoolExecutor(2) as pool:
        settings = Settings(redis_url=server.url, _env_file=None)
        settings.cache.hot_max_entries = settings.cache.warm_max_entries = 1_000_000
        settings.cache.cold_max_entries = settings.cache.max_entries = 1_000_000
        settings.cache.semantic_threshold = 0.9
        r = redis.Redis.from_url(server.url)
        for n in sizes:
            r.flushall()
            prompts = prompts_for(n)
            fill_s = fill(settings, r, prompts, pool)
            embedder = DictEmbedder()
            cache = AnswerCache(settings, redis=r, embedder=embedder)  # a fresh process's view
            t = time.perf_counter()
            cache.get("warm up the index: explain nothing at all")
            load_s = time.perf_counter() - t
            helper = CacheLogic(settings, embedder=embedder)  # prepares queries without warming cache's memo
            sample = [prompts[i] for i in rng.integers(0, n, lookups)]
            asked = [paraphrase(embedder, helper, p, rng) for p in sample]
            exact_cold = timed(cache.get, sample)  # first time this process sees the wording
            exact_memo = timed(cache.get, sample)  # repeated wording: analysis memoised
            semantic = timed(cache.get, asked)
            n_global = int(n * GLOBAL_SHARE)  # the worst case: every query in the largest group
            asked_global = [paraphrase(embedder, helper, prompts[i], rng)
                            for i in rng.integers(0, n_global, min(lookups, 500))]
            semantic_global = timed(cache.get, asked_global)
            hits = sum(1 for p in asked[:200] if (h := cache.get(p)) is not None and h.kind == "semantic")
            groups = cache.index.group_sizes()
            rows.append(("netcache exact (new wording)", n, statistics.median(exact_cold), pct(exact_cold, 99),
                         "", ""))
            rows.append(("netcache exact (repeated wording)", n, statistics.median(exact_memo),
                         pct(exact_memo, 99), "", ""))
            rows.append(("netcache semantic (no embedding)", n, statistics.median(semantic), pct(semantic, 99),
                         f"{hits}/{len(asked[:200])} semantic hits;", f"largest group {max(groups.values())}, "
                         f"{len(groups)} groups; fill {fill_s:.1f} s, index load {load_s:.2f} s"))
            rows.append(("netcache semantic, largest group only", n, statistics.median(semantic_global),
                         pct(semantic_global, 99), f"group of {n_global} entity-free entries", ""))
        for n in naive_sizes:
            r.flushall()
            prompts = prompts_for(n)
            naive_fill(r, prompts)
            reps = 20 if n <= 1000 else 5
            ms = timed(lambda p: naive_lookup(r, p), [prompts[i] for i in rng.integers(0, n, reps)])
            rows.append(("naive: KEYS + GET/JSON per entry", n, statistics.median(ms), pct(ms, 99),
                         f"{reps} lookups", ""))
        r.close()
    return rows


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--naive-sizes", default="1000,10000")
    ap.add_argument("--lookups", type=int, default=2000)
    args = ap.parse_args(argv)
    rows = run([int(x) for x in args.sizes.split(",")], args.lookups,
               [int(x) for x in args.naive_sizes.split(",") if x])
    print(f"\n{'design':38} {'entries':>8} {'median ms':>10} {'p99 ms':>9}  notes")
    print("-" * 110)
    for name, n, med, p99, note, extra in rows:
        print(f"{name:38} {n:>8} {med:>10.3f} {p99:>9.3f}  {note} {extra}".rstrip())
    print("\ntargets: semantic (no embedding) <= 2 ms median at 100k; exact hit <= 0.5 ms median")


if __name__ == "__main__":
    main()
