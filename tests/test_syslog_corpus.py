"""The syslog corpus: per-OS accuracy of the parser on real-format lines, and noise that gives nothing.

``tests/data/syslog/corpus.jsonl`` (made by ``build_corpus.py`` beside it) holds one object per
line: ``os``, ``raw`` and ``expect`` (the event's fields, or null for noise). A line counts as right
when it gives an event of the expected type for the expected device with every expected field
(interface, neighbor, state, new_state, lag, kind, err_disabled ...) equal. The table is printed
(``pytest -s``) and every OS must reach ``MIN_ACCURACY``.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from netcache.events.models import normalize_interface, normalize_neighbor
from netcache.events.syslog.parser import SyslogParser

CORPUS = [json.loads(line) for line in
          (Path(__file__).parent / "data" / "syslog" / "corpus.jsonl").read_text().splitlines() if line.strip()]
NOW = datetime(2026, 11, 28, 4, 0, 0, tzinfo=UTC)
#: Share of a given OS's cache-relevant lines that must give the right event.
MIN_ACCURACY = 0.97
_CASELESS = {"state", "new_state", "old_state"}


def _wrong_fields(event: dict, expect: dict) -> list[str]:
    wrong = []
    for key, want in expect.items():
        got = event.get(key)
        if key in ("interface", "lag"):
            want = normalize_interface(want)
        elif key == "neighbor":
            want = normalize_neighbor(want)
        elif key == "device":
            want = want.lower()
        if key in _CASELESS and isinstance(got, str) and isinstance(want, str):
            got, want = got.lower(), want.lower()
        if got != want:
            wrong.append(f"{key}={got!r} (want {want!r})")
    return wrong


def score(parser: SyslogParser) -> tuple[dict[str, Counter], list[str]]:
    """Per OS: right / events / noise / noise_events counts; and a description of every miss."""
    table: dict[str, Counter] = {}
    misses: list[str] = []
    for row in CORPUS:
        counts = table.setdefault(row["os"], Counter())
        result = parser.parse(row["raw"], "192.0.2.1", now=NOW)
        if row["expect"] is None:
            counts["noise"] += 1
            if result.event is not None:
                counts["noise_events"] += 1
                misses.append(f"{row['os']}: noise gave {result.event.type}: {row['raw']}")
            continue
        counts["events"] += 1
        if result.event is None:
            misses.append(f"{row['os']}: {result.status} ({result.reason}): {row['raw']}")
            continue
        wrong = _wrong_fields(result.event.model_dump(mode="json"), row["expect"])
        if wrong:
            misses.append(f"{row['os']}: {', '.join(wrong)} [rule {result.rule}]: {row['raw']}")
        else:
            counts["right"] += 1
    return table, misses


def format_table(table: dict[str, Counter]) -> str:
    lines = [f"{'os':<12} {'lines':>6} {'right':>6} {'accuracy':>9} {'noise':>6} {'noise events':>13}"]
    for name, c in table.items():
        lines.append(f"{name:<12} {c['events']:>6} {c['right']:>6} {c['right'] / c['events']:>8.1%} "
                     f"{c['noise']:>6} {c['noise_events']:>13}")
    total = sum(table.values(), Counter())
    lines.append(f"{'all':<12} {total['events']:>6} {total['right']:>6} {total['right'] / total['events']:>8.1%} "
                 f"{total['noise']:>6} {total['noise_events']:>13}")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def scored() -> tuple[dict[str, Counter], list[str]]:
    table, misses = score(SyslogParser())
    print("\n" + format_table(table))
    for miss in misses:
        print("  miss:", miss)
    return table, misses


def test_the_corpus_is_large_enough_and_covers_every_os_with_noise():
    oses = Counter(row["os"] for row in CORPUS)
    assert len(CORPUS) >= 300
    assert sum(row["expect"] is None for row in CORPUS) >= 50
    assert {"cisco_ios", "cisco_nxos", "cisco_iosxr", "junos", "arista_eos", "sonic", "huawei_vrp", "brocade",
            "nokia_sros"} <= set(oses)
    assert min(oses.values()) >= 15


def test_every_os_reaches_the_accuracy_floor(scored):
    table, misses = scored
    low = {name: f"{c['right']}/{c['events']}" for name, c in table.items()
           if c["right"] / c["events"] < MIN_ACCURACY}
    assert low == {}, "\n".join(misses)


def test_no_noise_line_gives_an_event(scored):
    table, misses = scored
    assert sum(c["noise_events"] for c in table.values()) == 0, [m for m in misses if "noise gave" in m]
