"""``netcache tune``: the committed pairs meet the acceptance numbers through the real cache."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from netcache.cli.tune import Pair, PairResult, TuneReport, load_pairs, parse_thresholds, run_tune
from netcache.errors import ConfigError

PAIRS = Path(__file__).parent / "data" / "netops_pairs.jsonl"
README = Path(__file__).parent.parent / "README.md"


def _readme_numbers() -> dict[str, tuple[int, float, int]]:
    """The README's "Matching numbers" table: set file → (pairs, paraphrase recall, false positives)."""
    text = README.read_text(encoding="utf-8").split("<!-- tune-numbers:", 1)[1]
    rows = {}
    for line in text.splitlines()[1:]:
        if not line.startswith("|"):
            if rows:
                break
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells[0].startswith("`tests/data/"):
            rows[cells[0].split("`")[1]] = (int(cells[1]), float(cells[2]), int(cells[3]))
    return rows
NETCACHE = str(Path(sys.executable).with_name("netcache"))


def _netcache(args: list[str], redis_url: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETCACHE_")}
    env["NETCACHE_REDIS_URL"] = redis_url
    return subprocess.run([NETCACHE, *args], env=env, capture_output=True, text=True, timeout=110,
                          cwd=Path(__file__).parent.parent)


def test_the_readme_states_numbers_for_every_committed_set():
    numbers = _readme_numbers()
    assert set(numbers) == {"tests/data/netops_pairs.jsonl", "tests/data/netops_pairs_holdout.jsonl",
                            "tests/data/netops_pairs_dev2.jsonl"}
    for path, (pairs, recall, fps) in numbers.items():
        assert len(load_pairs(Path(__file__).parent.parent / path)) == pairs, path
        assert recall >= 0.90 and fps == 0


@pytest.mark.parametrize("path", sorted(_readme_numbers()))
def test_each_committed_set_meets_the_readme_numbers_at_the_default_settings(path, redis_url):
    """Fails when recall drops below the README's figure or any different-meaning pair is served."""
    pairs_n, recall, _fps = _readme_numbers()[path]
    proc = _netcache(["tune", "--pairs", path, "--json", "--thresholds", "0.70"], redis_url)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["pairs"] == pairs_n
    assert report["configured"]["recall"] >= recall, report["missed"]
    assert report["false_positives"] == [], report["false_positives"]
    for kind, k in report["by_kind"].items():
        if k["label"] == "different":
            assert k["false_positive_rate"] == 0.0, kind


def test_the_dev_set_is_rich_in_role_policy_aspect_and_hostname_swaps():
    pairs = load_pairs(Path(__file__).parent / "data" / "netops_pairs_dev2.jsonl")
    kinds = {p.kind for p in pairs}
    assert len(pairs) >= 200
    assert {"role_swap", "policy_swap", "aspect_swap", "entity_swap", "number_swap", "paraphrase"} <= kinds
    assert sum(p.kind in ("role_swap", "policy_swap", "aspect_swap") for p in pairs) >= 60
    assert any(p.context_a for p in pairs) and len({(p.a, p.b, str(p.context_a)) for p in pairs}) == len(pairs)


def test_the_committed_set_is_large_honest_and_mostly_paraphrases():
    pairs = load_pairs(PAIRS)
    kinds = {k: sum(p.kind == k for p in pairs) for k in ("paraphrase", "entity_swap", "concept", "unrelated")}
    assert len(pairs) >= 150
    assert kinds["paraphrase"] > len(pairs) / 2
    assert min(kinds.values()) >= 10
    assert all((p.label == "same") == (p.kind == "paraphrase") for p in pairs)
    assert len({(p.a, p.b) for p in pairs}) == len(pairs)  # no duplicate pairs


def test_tune_json_meets_the_acceptance_numbers_at_the_default_threshold(redis_url, redis_client):
    proc = _netcache(["tune", "--pairs", str(PAIRS), "--json", "--thresholds", "0.6:0.9:0.05"], redis_url)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    configured = report["configured"]
    assert configured["recall"] >= 0.80, report["missed"]
    assert configured["false_positive_rate"] <= 0.02, report["false_positives"]
    assert report["pairs"] == len(load_pairs(PAIRS))
    # entity swaps are never served, whatever the threshold
    assert report["by_kind"]["entity_swap"]["served"] == 0
    recalls = [row["recall"] for row in report["sweep"]]
    assert recalls == sorted(recalls, reverse=True) and recalls[0] > recalls[-1]
    # the scratch namespace is gone: only cached embeddings (shared, 24 h TTL) remain
    leftover = [k for k in redis_client.keys("*") if not k.startswith(b"nc:emb:")]
    assert leftover == []


def test_with_the_guard_off_the_concept_false_positives_are_listed(settings, redis_client):
    pairs = [p for p in load_pairs(PAIRS) if p.kind == "concept"]
    threshold = settings.cache.semantic_threshold
    report = run_tune(settings, pairs, thresholds=[threshold], guard_enabled=False, namespace="tune-test-off")
    fps = report.false_positives(threshold)
    listed = {(fp["a"], fp["b"]) for fp in fps}
    assert ("How do I enable OSPF authentication on rtr-001?",
            "How do I disable OSPF authentication on rtr-001?") in listed
    assert len(fps) >= 10
    assert all(fp["hit"] == "semantic" and fp["score"] >= threshold for fp in fps)
    guarded = run_tune(settings, pairs, thresholds=[threshold], namespace="tune-test-on")
    assert guarded.false_positives(threshold) == []
    assert f"false positives at {threshold:.2f}: 0" in guarded.render()


def test_the_cli_prints_a_table_with_the_configured_threshold_marked(redis_url, tmp_path):
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text("\n".join(json.dumps(x) for x in [
        {"a": "Show BGP status on rtr-001", "b": "show bgp status on RTR-001?", "label": "same", "kind": "paraphrase"},
        {"a": "Show BGP status on rtr-001", "b": "Show BGP status on rtr-002", "label": "different",
         "kind": "entity_swap"},
    ]) + "\n")
    proc = _netcache(["tune", "--pairs", str(pairs), "--thresholds", "0.7,0.9"], redis_url)
    assert proc.returncode == 0, proc.stderr
    assert "<- configured" in proc.stdout
    assert "entity_swap" in proc.stdout and "false positives at " in proc.stdout
    assert "1/1" in proc.stdout and "0/1" in proc.stdout  # the paraphrase served, the swap not


def test_a_bad_pairs_file_is_a_clear_error_naming_the_line(tmp_path, redis_url):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"a": "x", "b": "y", "label": "same", "kind": "paraphrase"}\n{"a": "x", "b": "y", "label": "maybe"}\n')
    with pytest.raises(ConfigError, match="bad.jsonl:2: label"):
        load_pairs(bad)
    proc = _netcache(["tune", "--pairs", str(bad)], redis_url)
    assert proc.returncode != 0 and "bad.jsonl:2" in proc.stderr
    (tmp_path / "notjson.jsonl").write_text("{oops\n")
    with pytest.raises(ConfigError, match="notjson.jsonl:1: not JSON"):
        load_pairs(tmp_path / "notjson.jsonl")


def test_threshold_specs_parse_as_ranges_or_lists():
    assert parse_thresholds("0.6:0.7:0.05") == [0.6, 0.65, 0.7]
    assert parse_thresholds("0.9,0.8") == [0.8, 0.9]
    for spec in ("0.9:0.6:0.1", "a,b", "1.5", "0.1:0.2:0"):
        with pytest.raises(ConfigError):
            parse_thresholds(spec)


def test_one_lookup_decides_every_threshold_from_the_hit_score():
    same = Pair("a", "b", "same", "paraphrase")
    diff = Pair("a", "c", "different", "concept")
    report = TuneReport(0.8, True, [PairResult(same, "semantic", 0.85), PairResult(diff, "semantic", 0.75),
                                    PairResult(same, "exact", 1.0), PairResult(same, None, None)],
                        thresholds=[0.7, 0.8, 0.9])
    assert (report.row(0.7)["recall"], report.row(0.7)["false_positive_rate"]) == (round(2 / 3, 4), 1.0)
    assert (report.row(0.8)["recall"], report.row(0.8)["false_positive_rate"]) == (round(2 / 3, 4), 0.0)
    assert report.row(0.9)["recall"] == round(1 / 3, 4)
    assert report.by_kind(0.8)["paraphrase"]["served"] == 2
    assert report.false_positives(0.7)[0]["b"] == "c"


def test_an_unreachable_redis_is_an_error_not_a_zero_recall(tmp_path):
    from netcache.devtools.local_redis import free_port

    proc = _netcache(["tune", "--pairs", str(PAIRS)], f"redis://:s3cret@127.0.0.1:{free_port()}/0")
    assert proc.returncode != 0
    assert "not reachable" in proc.stderr and "s3cret" not in proc.stderr
