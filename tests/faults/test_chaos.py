"""The chaos suite, quick: each scenario of issue 12 with real processes (two redis-servers, a
dispatcher, a prefork Celery worker) and a few hundred events; every accepted event must end
processed or dead-lettered with its reason, none lost. ``python -m bench chaos`` runs them longer.
"""

from __future__ import annotations

import pytest

from tests.support.chaos import run_scenario

#: the scenarios of tests/support/chaos.py this quick suite runs (``python -m bench chaos`` runs all)
QUICK = ["dispatcher kill -9 (x3)", "worker pool-child kill -9", "worker main kill -9", "events Redis SIGTERM (AOF)",
         "broker kill -9 (AOF)", "events Redis full (noeviction)", "events Redis full (volatile-lfu)",
         "stream at its limit, dispatcher stopped"]


@pytest.mark.timeout(420)
@pytest.mark.parametrize("scenario", QUICK)
def test_nothing_accepted_is_lost(scenario, tmp_path):
    account = run_scenario(scenario, 300, rate=150, settle_s=150, workdir=tmp_path)
    logs = "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-2500:]}" for p in sorted(tmp_path.glob("*.log")))
    assert account.accepted == 300, (account, logs)
    assert account.lost == 0, (account, logs)
    assert account.processed + account.dead_lettered == account.accepted
    if scenario.startswith("stream at its limit"):
        assert account.refused > 0, "the stream at its limit must refuse, not trim"
