"""The chaos run: every fault scenario of issue 12 against the real stack, longer than in CI.

    .venv/bin/python -m bench chaos [--events 2000] [--rate 300] [--only "broker full"]

Each scenario starts two redis-servers as docker-compose.yml does (events/cache volatile-lfu,
broker + worker state noeviction, both AOF), a dispatcher and a prefork Celery worker, publishes
``--events`` events with distinct devices through the real publish script, applies its fault
while they flow, and accounts for every event (tests/support/chaos.py): accepted, processed,
dead-lettered (with its reason), lost. Prints one table; exit 1 if anything was lost.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.chaos import SCENARIOS, render_table, run_scenario  # noqa: E402


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=2000, help="events per scenario")
    ap.add_argument("--rate", type=float, default=300.0, help="events published per second")
    ap.add_argument("--only", action="append", choices=list(SCENARIOS), help="run only this scenario (repeatable)")
    args = ap.parse_args(argv)
    rows = []
    for name in args.only or list(SCENARIOS):
        account = run_scenario(name, args.events, rate=args.rate, settle_s=600)
        rows.append(account)
        print(account.row(), flush=True)
    print()
    print(render_table(rows))
    return 1 if any(r.lost for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
