"""Run every benchmark, one after another: ``.venv/bin/python -m bench [NAME ...]``.

Each benchmark starts its own redis-server (never port 6379) and prints its
own table; this runner only sequences them and prints how long each took.
Names: cache, matching, rules, metrics_llm, syslog, webhook_push, dispatcher,
invalidation, redis_stall (default: all), and ``scale`` (100k/300k entries, ``--million`` for 1M; minutes,
so only when named). Extra flags go to a single named benchmark:
``python -m bench cache --sizes 1000,10000``. ``python -m bench chaos`` runs the fault
scenarios (issue 12; not part of the default run: it takes several minutes per scenario).
"""

from __future__ import annotations

import subprocess
import sys
import time

ALL = ["cache", "matching", "rules", "metrics_llm", "syslog", "webhook_push", "dispatcher", "invalidation",
       "redis_stall"]
#: run only when named
NAMED_ONLY = ["scale", "chaos"]


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    names = [a for a in argv if not a.startswith("-")] or ALL
    extra = [a for a in argv if a.startswith("-")]
    if names and names[0] == "chaos":  # its flags take values ("--only 'broker full'")
        return subprocess.call([sys.executable, "-m", "bench.bench_chaos", *argv[1:]])
    unknown = [n for n in names if n not in ALL + NAMED_ONLY]
    if unknown:
        print(f"unknown benchmark(s) {unknown}; choose from {ALL + NAMED_ONLY}", file=sys.stderr)
        return 2
    if extra and len(names) != 1:
        print("flags can be passed to one named benchmark only", file=sys.stderr)
        return 2
    took: list[tuple[str, float, int]] = []
    for name in names:
        print(f"\n=== bench_{name} ===", flush=True)
        t0 = time.monotonic()
        rc = subprocess.call([sys.executable, "-m", f"bench.bench_{name}", *extra])
        took.append((name, time.monotonic() - t0, rc))
    print("\n| benchmark | seconds | exit |\n| --- | ---: | ---: |")
    for name, secs, rc in took:
        print(f"| bench_{name} | {secs:.0f} | {rc} |")
    return max(rc for _, _, rc in took)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
