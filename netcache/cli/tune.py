"""``netcache tune``: pick the semantic threshold on labelled question pairs.

Each line of the pairs file is ``{"a": ..., "b": ..., "label": "same"|"different",
"kind": "paraphrase"|"entity_swap"|"role_swap"|"policy_swap"|"aspect_swap"|"concept"|"unrelated"|...}``,
optionally with ``"context_a"`` / ``"context_b"`` (a string or an object: the context attached to
``a`` when it is stored and to ``b`` when it is looked up). The report gives recall (``same`` kinds)
or the false-positive rate (``different`` kinds) for each kind. For every pair the
answer to ``a`` is stored with the production API (``AnswerCache.put``) in a
scratch namespace and ``b`` is looked up with ``AnswerCache.get``: exactly the
path users take (normalisation, exact key, entity groups, embeddings, the
threshold, the guard, the Redis check). The entry is then removed, so every
pair is judged alone, and the scratch namespace is dropped at the end.

One lookup per pair is enough for the whole sweep: the lookup runs at the
lowest threshold swept, and with a single entry in the namespace the hit's
score decides every higher threshold (a hit at score s is a hit for every
threshold ≤ s; exact hits score 1.0).

Recall = share of ``same`` pairs served; false-positive rate = share of
``different`` pairs served (they would have been wrong answers).

tests/data/netops_pairs.jsonl is the tuning set; tests/data/netops_pairs_holdout.jsonl
was written after the threshold and guard were settled and is for checking, not tuning.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
from redis.exceptions import RedisError

from netcache.connections import make_redis, redact_url
from netcache.errors import BackendUnavailable, ConfigError, NetcacheError
from netcache.matching.embedder import make_embedder

__all__ = ["Pair", "PairResult", "TuneReport", "load_pairs", "parse_thresholds", "run_tune", "tune_command"]

LABELS = ("same", "different")
KINDS = ("paraphrase", "entity_swap", "concept", "unrelated")
#: the pairs shipped with the repository (used when --pairs is not given and the file exists)
DEFAULT_PAIRS = Path("tests/data/netops_pairs.jsonl")


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    label: str
    kind: str
    line: int = 0
    context_a: Any = None
    context_b: Any = None


@dataclass(frozen=True)
class PairResult:
    pair: Pair
    #: how ``b`` was served at the lowest threshold: "exact", "semantic" or None (miss)
    hit_kind: str | None
    score: float | None

    def served_at(self, threshold: float) -> bool:
        if self.hit_kind == "exact":
            return True
        return self.hit_kind == "semantic" and self.score is not None and self.score >= threshold - 1e-9


@dataclass
class TuneReport:
    configured_threshold: float
    guard_enabled: bool
    results: list[PairResult]
    thresholds: list[float]
    elapsed_s: float = 0.0
    rows: list[dict[str, Any]] = field(default_factory=list)

    def row(self, threshold: float) -> dict[str, Any]:
        same = [r for r in self.results if r.pair.label == "same"]
        diff = [r for r in self.results if r.pair.label == "different"]
        tp = sum(r.served_at(threshold) for r in same)
        fp = sum(r.served_at(threshold) for r in diff)
        return {
            "threshold": round(threshold, 4),
            "recall": round(tp / len(same), 4) if same else None,
            "false_positive_rate": round(fp / len(diff), 4) if diff else None,
            "hits_same": tp, "pairs_same": len(same), "hits_different": fp, "pairs_different": len(diff),
        }

    def by_kind(self, threshold: float) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for kind in sorted({r.pair.kind for r in self.results}):
            rows = [r for r in self.results if r.pair.kind == kind]
            served = sum(r.served_at(threshold) for r in rows)
            label = rows[0].pair.label if len({r.pair.label for r in rows}) == 1 else "mixed"
            out[kind] = {"pairs": len(rows), "served": served, "served_rate": round(served / len(rows), 4),
                         "label": label}
            if label == "same":
                out[kind]["recall"] = out[kind]["served_rate"]
            elif label == "different":
                out[kind]["false_positive_rate"] = out[kind]["served_rate"]
        return out

    def false_positives(self, threshold: float) -> list[dict[str, Any]]:
        return [{"a": r.pair.a, "b": r.pair.b, "kind": r.pair.kind, "hit": r.hit_kind,
                 "score": None if r.score is None else round(r.score, 4), "line": r.pair.line}
                for r in self.results if r.pair.label == "different" and r.served_at(threshold)]

    def missed(self, threshold: float) -> list[dict[str, Any]]:
        return [{"a": r.pair.a, "b": r.pair.b, "kind": r.pair.kind,
                 "score": None if r.score is None else round(r.score, 4), "line": r.pair.line}
                for r in self.results if r.pair.label == "same" and not r.served_at(threshold)]

    def to_dict(self) -> dict[str, Any]:
        t = self.configured_threshold
        return {
            "pairs": len(self.results),
            "guard_enabled": self.guard_enabled,
            "configured": self.row(t),
            "by_kind": self.by_kind(t),
            "false_positives": self.false_positives(t),
            "missed": self.missed(t),
            "sweep": [self.row(x) for x in self.thresholds],
            "elapsed_s": round(self.elapsed_s, 2),
        }

    def render(self) -> str:
        t = self.configured_threshold
        lines = [f"netcache tune: {len(self.results)} pairs, guard {'on' if self.guard_enabled else 'OFF'}",
                 "", f"{'threshold':>9}  {'recall':>6}  {'FP rate':>7}  {'same hits':>9}  {'diff hits':>9}"]
        for x in self.thresholds + ([t] if all(abs(t - x) > 1e-9 for x in self.thresholds) else []):
            r = self.row(x)
            mark = "  <- configured" if abs(x - t) < 1e-9 else ""
            lines.append(f"{r['threshold']:>9.2f}  {_rate(r['recall']):>6}  {_rate(r['false_positive_rate']):>7}  "
                         f"{r['hits_same']:>4}/{r['pairs_same']:<4}  "
                         f"{r['hits_different']:>4}/{r['pairs_different']:<4}{mark}")
        lines += ["", f"by kind at the configured threshold {t:.2f}:"]
        for kind, k in self.by_kind(t).items():
            what = {"same": "recall", "different": "false positives"}.get(k["label"], "served")
            lines.append(f"  {kind:<13} {k['served']:>4}/{k['pairs']:<4} served ({what} {k['served_rate']:.3f})")
        fps = self.false_positives(t)
        lines += ["", f"false positives at {t:.2f}: {len(fps)}"]
        for fp in fps:
            score = "exact" if fp["hit"] == "exact" else f"{fp['score']:.3f}"
            lines.append(f"  [{fp['kind']}] {score}  {fp['a']!r}  ->  {fp['b']!r}")
        return "\n".join(lines)


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def load_pairs(path: str | Path) -> list[Pair]:
    """Pairs from a JSONL file; any bad line raises :class:`ConfigError` naming the line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"pairs file {path} cannot be read: {e}") from e
    pairs: list[Pair] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise ConfigError(f"{path}:{n}: not JSON: {e}") from e
        if not isinstance(obj, dict):
            raise ConfigError(f"{path}:{n}: expected an object with a, b, label, kind")
        a, b, label, kind = obj.get("a"), obj.get("b"), obj.get("label"), obj.get("kind", "unlabelled")
        if not isinstance(a, str) or not a.strip() or not isinstance(b, str) or not b.strip():
            raise ConfigError(f"{path}:{n}: 'a' and 'b' must be non-empty strings")
        if label not in LABELS:
            raise ConfigError(f"{path}:{n}: label must be one of {LABELS}, got {label!r}")
        if not isinstance(kind, str):
            raise ConfigError(f"{path}:{n}: kind must be a string")
        ctx = [obj.get("context_a"), obj.get("context_b")]
        if any(c is not None and not isinstance(c, (str, dict)) for c in ctx):
            raise ConfigError(f"{path}:{n}: context_a and context_b must be strings or objects")
        pairs.append(Pair(a, b, label, kind, n, ctx[0], ctx[1]))
    if not pairs:
        raise ConfigError(f"pairs file {path} holds no pairs")
    return pairs


def parse_thresholds(spec: str) -> list[float]:
    """``"0.6:0.95:0.01"`` (start:stop:step, stop included) or ``"0.7,0.8,0.9"``."""
    try:
        if ":" in spec:
            start, stop, step = (float(x) for x in spec.split(":"))
            if step <= 0 or stop < start:
                raise ValueError("need start <= stop and step > 0")
            n = int(round((stop - start) / step))
            values = [round(start + i * step, 6) for i in range(n + 1)]
        else:
            values = [float(x) for x in spec.split(",") if x.strip()]
    except ValueError as e:
        raise ConfigError(f"thresholds {spec!r}: {e}") from e
    if not values or any(not 0.0 <= v <= 1.0 for v in values):
        raise ConfigError(f"thresholds {spec!r}: values must lie in [0, 1]")
    return sorted(set(values))


def run_tune(settings: Any, pairs: list[Pair], *, thresholds: list[float], redis: Any = None,
             embedder: Any = None, guard_enabled: bool | None = None, namespace: str | None = None) -> TuneReport:
    """Judge every pair through ``AnswerCache`` (see the module docstring) and report."""
    from netcache.engine.sync import AnswerCache  # the production path; imported here so `netcache --help` stays light

    configured = settings.cache.semantic_threshold
    guard_on = settings.cache.guard_enabled if guard_enabled is None else guard_enabled
    lowest = min([configured, *thresholds])
    tuned = settings.model_copy(update={
        "cache": settings.cache.model_copy(update={"semantic_threshold": lowest, "guard_enabled": guard_on}),
    })
    namespace = namespace or f"tune-{uuid.uuid4().hex[:8]}"
    own_redis = redis is None
    if own_redis:
        redis = make_redis(settings)
    try:  # the cache hides Redis trouble from get/put (a miss); here it would fake a zero recall
        redis.ping()
    except RedisError as e:
        if own_redis:
            redis.close()
        raise BackendUnavailable(f"Redis at {redact_url(settings.redis_url)} is not reachable: {e}") from e
    if embedder is None:  # what a production process builds: MiniLM behind the Redis embedding cache
        embedder = make_embedder(settings, redis)
    # metrics=False: the scratch traffic must not count in the global numbers
    cache = AnswerCache(tuned, redis=redis, embedder=embedder, namespace=namespace, metrics=False)  # reads cache.inventory_file
    started = time.perf_counter()
    results: list[PairResult] = []
    try:
        for pair in pairs:
            entry_id = cache.put(pair.a, f"answer to: {pair.a}", context=pair.context_a)
            hit = cache.get(pair.b, context=pair.context_b)
            if hit is None or hit.stale:
                results.append(PairResult(pair, None, None))
            else:
                results.append(PairResult(pair, hit.kind, float(hit.score)))
            if entry_id is not None:  # judge every pair alone
                cache.invalidate_entries([entry_id], mode="hard")
    finally:
        try:
            cache.drop_namespace()
        finally:
            cache.close()
            if own_redis:
                redis.close()
    return TuneReport(configured_threshold=configured, guard_enabled=guard_on, results=results,
                      thresholds=thresholds, elapsed_s=time.perf_counter() - started)


@click.command("tune")
@click.option("--pairs", "pairs_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=f"Labelled pairs (JSONL). Default: {DEFAULT_PAIRS} when it exists.")
@click.option("--thresholds", default="0.60:0.95:0.01", show_default=True,
              help="Sweep as start:stop:step or a comma list.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--no-guard", is_flag=True, help="Look up with the guard off (shows the false positives it prevents).")
@click.option("--namespace", default=None, help="Scratch namespace (default: a random tune-xxxxxxxx).")
def tune_command(pairs_path: Path | None, thresholds: str, as_json: bool, no_guard: bool,
                 namespace: str | None) -> None:
    """Sweep the semantic threshold on labelled pairs through the real cache and print
    recall, false-positive rate and the false positives themselves."""
    from netcache.settings import Settings

    try:
        path = pairs_path or DEFAULT_PAIRS
        pairs = load_pairs(path)
        sweep = parse_thresholds(thresholds)
        report = run_tune(Settings(), pairs, thresholds=sweep, guard_enabled=False if no_guard else None,
                          namespace=namespace)
    except NetcacheError as e:
        raise click.ClickException(str(e)) from e
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        click.echo(report.render())
