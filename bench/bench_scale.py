"""The cache at scale: 100k and 300k entries (1M with ``--million``), one table per run.

    .venv/bin/python -m bench scale [--sizes=100000,300000] [--million] [--lookups=1000]

Per size it prints: semantic lookup (excluding the embedding model) and exact lookup
median / p99, measured in a *fresh* process that loads the index on its first lookup;
that first lookup's time (cold start); the index's RSS in that process; and the Redis
bytes per entry (``used_memory`` after the fill minus before, over the entries: entry
hash, tags, tiers, vector record and change log all count). A hook row for the same on a
3-master Redis Cluster at 100k (``cluster_rows``) is left to the cluster work.

Entries are written through the real PUT Lua script (pipelined) with a 1 KB answer, from
questions the way a NetOps cache sees them (bench_cache's mix: 60 questions per device,
10 % entity-free ones sharing the global group, which is the largest group). The vectors
are **synthetic but realistic**: real all-MiniLM-L6-v2 embeddings of the questions of the
team's pair files, each entry's jittered (Gaussian, σ = 0.15 of the norm) and
re-normalised — embedding 1M questions would take hours on this machine. Semantic
lookups are paraphrases whose vector lies near a stored one (a dictionary embedder:
the numbers exclude the model). Machine: 2 shared cores, so figures are noisy; the
ratios within one run are the comparison.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import redis

from bench.bench_cache import DIM, prompts_for, write_puts
from netcache.devtools.local_redis import LocalRedis
from netcache.engine.logic import CacheLogic
from netcache.engine.records import put_argv
from netcache.engine.vector_index import encode_record
from netcache.settings import Settings

__all__ = ["main"]

ROOT = Path(__file__).resolve().parent.parent
PAIR_FILES = sorted((ROOT / "tests" / "data").glob("netops_pairs*.jsonl"))
#: ~1 KB of answer text, varied per entry so compression sees realistic text, not one repeated string
ANSWER_WORDS = ("BGP neighbor 10.0.0.2 is Established, uptime 3d04h, 812 prefixes received, 790 accepted; "
                "interface GigabitEthernet0/1 is up, line protocol is up, MTU 1500, input errors 0, CRC 0; "
                "OSPF area 0 adjacency FULL with 10.0.0.9 on Vlan20; CPU 5 minutes 12%, memory used 61%. ")
JITTER = 0.15


def pair_questions() -> list[str]:
    out: dict[str, None] = {}
    for f in PAIR_FILES:
        for line in f.read_text().splitlines():
            if line.strip():
                d = json.loads(line)
                out[d["a"]] = None
                out[d["b"]] = None
    return list(out)


def real_base_vectors(limit: int = 600) -> np.ndarray:
    """Real MiniLM embeddings of (up to) ``limit`` questions from the pair files."""
    from netcache.matching.embedder import MiniLMEmbedder

    return np.asarray(MiniLMEmbedder().embed(pair_questions()[:limit]), dtype=np.float32)


def jittered(base: np.ndarray, text: str) -> np.ndarray:
    """The synthetic vector of ``text``: a real embedding picked by the text's hash, jittered."""
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
    rng = np.random.default_rng(seed)
    v = base[seed % base.shape[0]] + rng.standard_normal(DIM).astype(np.float32) * (JITTER / np.sqrt(DIM))
    return (v / np.linalg.norm(v)).astype(np.float32)


class SyntheticEmbedder:
    """``jittered`` vectors, or the ones set in ``vectors`` (the paraphrases)."""

    model_id = "bench-scale-384"
    dim = DIM

    def __init__(self, base: np.ndarray) -> None:
        self.base = base
        self.vectors: dict[str, np.ndarray] = {}

    def embed(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.vectors[t] if t in self.vectors else jittered(self.base, t) for t in texts])


def answer_for(i: int) -> str:
    words = ANSWER_WORDS.split()
    rot = i % len(words)
    text = " ".join(words[rot:] + words[:rot])
    return (f"[{i}] " + (text + " ") * 4)[:1024]


def _put_argvs(args: tuple[Settings, np.ndarray, list[str], int]) -> list[tuple[list, list]]:
    settings, base, prompts, offset = args
    logic = CacheLogic(settings, embedder=SyntheticEmbedder(base))
    out = []
    for n, p in enumerate(prompts):
        req = logic._prepare(p, volatility="static")
        vec = logic.embedder.embed([req.semantic_text])[0]
        out.append(([*logic.keys.tier_script_keys, logic.keys.entry(req.entry_id)],
                    put_argv(req, answer_for(offset + n), policy=logic.policy, key_base=logic.keys.base,
                             now_s=time.time(), vector_blob=encode_record(req.group, req.prompt, vec))))
    return out


def fill(settings: Settings, r: redis.Redis, base: np.ndarray, prompts: list[str]) -> float:
    started = time.perf_counter()
    chunks = [(settings, base, prompts[i:i + 5000], i) for i in range(0, len(prompts), 5000)]
    with ProcessPoolExecutor(2) as pool:
        write_puts(r, pool.map(_put_argvs, chunks))
    return time.perf_counter() - started


def bench_settings(url: str) -> Settings:
    """Room for every entry (no evictions), the default threshold."""
    settings = Settings(redis_url=url, _env_file=None)
    for f in ("hot_max_entries", "warm_max_entries", "cold_max_entries", "max_entries"):
        setattr(settings.cache, f, 10_000_000)
    return settings


def rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def probe(spec_path: str) -> None:
    """A fresh process: first lookup (loads the index), RSS, then timed lookups; prints JSON."""
    from netcache.engine.sync import AnswerCache

    spec = json.loads(Path(spec_path).read_text())
    base = np.load(spec["base"])
    settings = bench_settings(spec["url"])
    embedder = SyntheticEmbedder(base)
    vecs = np.load(spec["vectors"])
    for text, v in zip(spec["texts"], vecs):
        embedder.vectors[text] = v
    cache = AnswerCache(settings, embedder=embedder)
    before = rss_kb()
    t = time.perf_counter()
    first = cache.get(spec["semantic"][0])
    cold_s = time.perf_counter() - t
    after = rss_kb()

    def timed(prompts: list[str]) -> tuple[list[float], int]:
        ms, hits = [], 0
        for p in prompts:
            t0 = time.perf_counter()
            h = cache.get(p)
            ms.append((time.perf_counter() - t0) * 1000)
            hits += h is not None
        return ms, hits

    if os.environ.get("BENCH_SCALE_PROFILE"):
        import cProfile
        import pstats
        prof = cProfile.Profile()
        prof.runctx("timed(spec['largest'])", globals(), locals())
        pstats.Stats(prof, stream=sys.stderr).sort_stats("tottime").print_stats(15)
    sem, sem_hits = timed(spec["semantic"])
    big, big_hits = timed(spec["largest"])
    exact, exact_hits = timed(spec["exact"])
    groups = cache.index.group_sizes()
    print(json.dumps({
        "cold_s": cold_s, "first_hit": first is not None, "index_rss_mb": (after - before) / 1024,
        "index_nbytes_mb": cache.index.nbytes() / 2**20, "entries": len(cache.index),
        "groups": len(groups), "largest": max(groups.values()) if groups else 0,
        "semantic": sem, "semantic_hits": sem_hits, "largest_ms": big, "largest_hits": big_hits,
        "exact": exact, "exact_hits": exact_hits,
    }))
    cache.close()


def paraphrases(embedder: SyntheticEmbedder, logic: CacheLogic, prompts: list[str], rng) -> tuple[list[str], list]:
    """New wordings (same entities, another exact key) with a vector near each stored one."""
    asked, vecs = [], []
    for p in prompts:
        a = "please " + p
        stored = embedder.embed([logic._prepare(p).semantic_text])[0]
        v = stored + rng.standard_normal(DIM).astype(np.float32) * 0.01
        asked.append(a)
        vecs.append((logic._prepare(a).semantic_text, v / np.linalg.norm(v)))
    return asked, vecs


def cluster_rows(n: int) -> list[tuple]:
    """Hook: the same measurements on a 3-master Redis Cluster at 100k (filled in by the cluster work)."""
    del n
    return []


def run_size(n: int, base: np.ndarray, base_path: str, lookups: int, rng) -> dict:
    with LocalRedis(extra_args=["--hash-max-listpack-value", "64"]) as server:
        settings = bench_settings(server.url)
        r = redis.Redis.from_url(server.url)
        r.flushall()
        used0 = int(r.info("memory")["used_memory"])
        prompts = prompts_for(n)
        fill_s = fill(settings, r, base, prompts)
        used = int(r.info("memory")["used_memory"]) - used0
        embedder = SyntheticEmbedder(base)
        helper = CacheLogic(settings, embedder=embedder)
        n_global = int(n * 0.10)
        sample = [prompts[i] for i in rng.integers(n_global, n, lookups)]
        sem, sem_v = paraphrases(embedder, helper, sample, rng)
        big, big_v = paraphrases(embedder, helper, [prompts[i] for i in rng.integers(0, n_global, lookups // 4)], rng)
        exact = [prompts[i] for i in rng.integers(0, n, lookups)]
        with tempfile.TemporaryDirectory() as tmp:
            vec_path = os.path.join(tmp, "v.npy")
            np.save(vec_path, np.stack([v for _t, v in sem_v + big_v]))
            spec = {"url": server.url, "base": base_path, "vectors": vec_path,
                    "texts": [t for t, _v in sem_v + big_v], "semantic": sem, "largest": big, "exact": exact}
            spec_path = os.path.join(tmp, "spec.json")
            Path(spec_path).write_text(json.dumps(spec))
            out = subprocess.run([sys.executable, "-m", "bench.bench_scale", "--probe", spec_path],
                                 check=True, capture_output=True, text=True, cwd=ROOT)
        if os.environ.get("BENCH_SCALE_PROFILE"):
            print(out.stderr, file=sys.stderr)
        res = json.loads(out.stdout.strip().splitlines()[-1])
        res.update(n=n, redis_bytes_per_entry=used / n, fill_s=fill_s)
        r.close()
        return res


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100000,300000")
    ap.add_argument("--million", action="store_true", help="add 1,000,000 entries (several minutes)")
    ap.add_argument("--lookups", type=int, default=1000)
    ap.add_argument("--probe", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.probe:
        probe(args.probe)
        return
    sizes = [int(x) for x in args.sizes.split(",") if x] + ([1_000_000] if args.million else [])
    rng = np.random.default_rng(5)
    base = real_base_vectors()
    with tempfile.TemporaryDirectory() as tmp:
        base_path = os.path.join(tmp, "base.npy")
        np.save(base_path, base)
        results = [run_size(n, base, base_path, args.lookups, rng) for n in sizes]
    print("\n| entries | semantic median / p99 ms | largest group median / p99 ms | exact median / p99 ms "
          "| index RSS MB (per entry) | first lookup s | Redis B/entry | groups, largest | fill s |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    def mp(xs: list[float]) -> str:
        return f"{statistics.median(xs):.3f} / {np.percentile(xs, 99):.3f}"

    for x in results:
        print(f"| {x['n']:,} | {mp(x['semantic'])} ({x['semantic_hits']}/{len(x['semantic'])} hits) "
              f"| {mp(x['largest_ms'])} ({x['largest_hits']}/{len(x['largest_ms'])}) "
              f"| {mp(x['exact'])} ({x['exact_hits']}/{len(x['exact'])}) "
              f"| {x['index_rss_mb']:.0f} ({x['index_rss_mb'] * 2**20 / x['n']:.0f} B) | {x['cold_s']:.2f} "
              f"| {x['redis_bytes_per_entry']:.0f} | {x['groups']:,}, {x['largest']:,} | {x['fill_s']:.0f} |")
    for row in cluster_rows(100_000):
        print(row)
    print("\ntargets (issue 11, at 1M): semantic <= 2 ms median excl. embedding, exact <= 0.5 ms, "
          "index RSS <= 500 MB per process, first lookup <= 3 s, Redis <= 3.5 KB per entry")


if __name__ == "__main__":
    main()
