"""Benchmark: the matching pieces on the lookup path, the semantic lookup at 100k entries, and the embedder.

    .venv/bin/python -m bench matching      (or .venv/bin/python bench/bench_matching.py)

Budget (issue 8): the semantic lookup (analysis + vector search + the guard on its candidates,
excluding the embedding) ≤ 2 ms median at 100k entries; the rules ≤ 0.3 ms per candidate.

Prints a table (median / p95 per call); nothing here asserts on speed (tests must not).
Uses 1 onnxruntime thread, like the default settings.
"""

from __future__ import annotations

import os

# one BLAS thread, like one onnxruntime thread: on a busy 2-core host OpenBLAS's default thread pool makes a
# 2,500-row matrix-vector product ~15 ms instead of ~0.4 ms (measured); set before numpy is imported
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from netcache.devtools.local_redis import LocalRedis  # noqa: E402
from netcache.engine.analysis import AnalysisMemo, prepare  # noqa: E402
from netcache.engine.vector_index import VectorIndex  # noqa: E402
from netcache.matching.embedder import CachedEmbedder, MiniLMEmbedder  # noqa: E402
from netcache.matching.entities import extract_entities  # noqa: E402
from netcache.matching.guard import guard  # noqa: E402
from netcache.matching.intent import classify  # noqa: E402
from netcache.matching.normalize import exact_key, semantic_text  # noqa: E402

#: entries in the index for the 100k benchmark, and how many share one entity group (the rest: groups of 10)
INDEX_ENTRIES = 100_000
GLOBAL_GROUP_ENTRIES = 5_000

PAIRS = Path(__file__).resolve().parents[1] / "tests" / "data" / "netops_pairs.jsonl"
DEV2 = PAIRS.with_name("netops_pairs_dev2.jsonl")


def timings_us(fn, items, repeat: int = 3) -> list[float]:
    out = []
    for _ in range(repeat):
        for item in items:
            start = time.perf_counter()
            fn(item)
            out.append((time.perf_counter() - start) * 1e6)
    return out


def row(name: str, samples: list[float]) -> tuple[str, str, str, str]:
    samples = sorted(samples)
    p95 = samples[int(0.95 * (len(samples) - 1))]
    return name, f"{statistics.median(samples):,.0f}", f"{p95:,.0f}", str(len(samples))


def semantic_lookup_rows(pairs: list[dict]) -> list[tuple[str, str, str, str]]:
    """The lookup without the embedding, over an index of INDEX_ENTRIES random unit vectors: prepare()
    (a question not seen before), the group's vector search, the guard on each candidate above the bar."""
    rng = np.random.default_rng(8)
    dim = 384
    index = VectorIndex()
    questions = [p["b"] for p in pairs]
    groups = [prepare(q).group for q in questions]
    vecs = rng.standard_normal((INDEX_ENTRIES, dim)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    for i in range(INDEX_ENTRIES):
        if i < GLOBAL_GROUP_ENTRIES:
            group = groups[i % len(groups)] if i % 2 else prepare("what is OSPF").group
        else:
            group = f"g{i // 10}"
        index.add(f"e{i}", group, pairs[i % len(pairs)]["a"], vecs[i])
    query = vecs[:len(questions)] + 0.05 * rng.standard_normal((len(questions), dim)).astype(np.float32)

    def lookup(i: int) -> int:
        req = prepare(questions[i], memo=AnalysisMemo(1))
        found = index.search(req.group, query[i], 0.0, k=5)
        return sum(guard(questions[i], c.prompt).ok for c in found)

    per_candidate = [(p["b"], p["a"]) for p in pairs]
    return [
        row(f"semantic lookup, {INDEX_ENTRIES // 1000}k entries (no embedding)", timings_us(lookup, range(len(questions)))),
        row("vector search only (group of 5k)", timings_us(lambda i: index.search(prepare("what is OSPF").group,
                                                                                    query[i], 0.0, k=5), range(200))),
        row("rules per candidate, seen before (memo)", timings_us(lambda ab: guard(*ab), per_candidate)),
        row("rules per candidate, first sight", timings_us(lambda ab: guard(ab[0] + " ", ab[1] + " "), per_candidate, 1)),
    ]


def main() -> None:
    pairs = [json.loads(line) for line in PAIRS.read_text().splitlines() if line.strip()]
    prompts = sorted({p["a"] for p in pairs} | {p["b"] for p in pairs})
    rows = [
        row("extract_entities", timings_us(extract_entities, prompts)),
        row("classify", timings_us(classify, prompts)),
        row("exact_key", timings_us(exact_key, prompts)),
        row("semantic_text", timings_us(lambda p: semantic_text(p, None), prompts)),
        row("guard (a vs b)", timings_us(lambda p: guard(p["a"], p["b"]), pairs)),
    ]
    pasted = "Jan  1 10:00:01 RTR-001 %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down " * 2000
    rows.append(row(f"exact_key, {len(pasted) // 1000} KB pasted log", timings_us(exact_key, [pasted], repeat=3)))
    rows.append(row(f"guard, {len(pasted) // 1000} KB pasted log", timings_us(lambda p: guard(p, p + " x"), [pasted], 3)))
    rows += semantic_lookup_rows(pairs + [json.loads(x) for x in DEV2.read_text().splitlines() if x.strip()])
    emb = MiniLMEmbedder()
    start = time.perf_counter()
    emb.embed(["warm up"])
    load_ms = (time.perf_counter() - start) * 1e3
    rows.append(row("MiniLM embed, 1 text", timings_us(lambda p: emb.embed([p]), prompts[:100], repeat=2)))
    batch = prompts[:32]
    rows.append(row("MiniLM embed, batch of 32", timings_us(lambda _: emb.embed(batch), range(10), repeat=1)))
    with LocalRedis() as server:
        import redis

        client = redis.Redis.from_url(server.url)
        cached = CachedEmbedder(emb, client, prefix="bench:emb:", ttl_s=600)
        cached.embed(prompts)
        rows.append(row("CachedEmbedder, Redis hit", timings_us(lambda p: cached.embed([p]), prompts[:100], 2)))
        client.close()

    print(f"MiniLM load (first call): {load_ms:,.0f} ms\n")
    widths = [max(len(r[i]) for r in rows + [("what", "median us", "p95 us", "n")]) for i in range(4)]
    header = ("what", "median us", "p95 us", "n")
    print("  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths))))
    for r in rows:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))))


if __name__ == "__main__":
    main()
