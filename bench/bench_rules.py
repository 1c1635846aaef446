"""Benchmark: the matching rules per candidate, this tree against another checkout, side by side in one run.

    .venv/bin/python -m bench rules [--other=DIR]    (DIR: a directory holding another netcache/ package,
                                                      e.g. from ``git archive <commit> netcache | tar -x -C DIR``)

Times the guard on every pair of the committed pair sets the way a lookup meets a candidate for the first
time (fresh texts: nothing memoised), in two child processes (this tree, then the other), alternating
three times so a busy machine slows both alike. Prints median / p95 per candidate; asserts nothing.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETS = ["netops_pairs", "netops_pairs_holdout", "netops_pairs_dev2", "netops_pairs_dev3"]

_CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from netcache.matching.guard import guard
pairs = [json.loads(x) for f in sys.argv[2:] for x in open(f) if x.strip()]
guard("warm up", "warm up please")
out = []
for n, p in enumerate(pairs):
    a, b = p["a"] + " " * (1 + n % 3), p["b"] + " " * (1 + n % 3)  # fresh texts: no memo hit
    t = time.perf_counter()
    guard(a, b)
    out.append((time.perf_counter() - t) * 1e6)
print(json.dumps(out))
"""


def run(tree: Path) -> list[float]:
    files = [str(ROOT / "tests" / "data" / f"{s}.jsonl") for s in SETS]
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(tree), *files], capture_output=True, text=True,
                          check=True)
    return json.loads(proc.stdout)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    other = [a.split("=", 1)[1] for a in argv if a.startswith("--other=")]
    trees = [("this tree", ROOT)] + [(f"other tree {o}", Path(o).resolve()) for o in other]
    samples: dict[str, list[float]] = {name: [] for name, _ in trees}
    for _ in range(3):
        for name, tree in trees:
            samples[name] += run(tree)
    print(f"{'rules per candidate, first sight':<34} {'median us':>10} {'p95 us':>8} {'n':>6}")
    for name, xs in samples.items():
        xs.sort()
        print(f"{name:<34} {statistics.median(xs):>10,.0f} {xs[int(0.95 * (len(xs) - 1))]:>8,.0f} {len(xs):>6}")


if __name__ == "__main__":
    main()
