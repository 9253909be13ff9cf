"""The collector on repositories labelled only decoy-or-not (benchmarks/evidence/verdicts.yaml).

Run by hand (not part of the tests; the checkouts are not in this repository):
    python benchmarks/bench_verdicts.py [--root /tmp/mlrepos] [--verdicts FILE] [--split spent|heldout|all]
                                        [--batch B ...] [--with-labels] [--json] [--show-heldout-errors]

For each repository with a checkout at the labelled commit, the installed collector's `collect()`
runs in-process. Two things are scored, and only these (conventions.md §2-§3):
- decoys: a `pass` or `partial` on any of the 15 ML-practice kinds is a false pass (a decoy's ML
  kinds are absent by convention); the upkeep kinds are not labelled here and not scored;
- every repository: the collector's learning-material verdict (`course`, `partly`, `none`) against
  the label. A decoy the collector calls `none` is missed; a project it calls `course` is a false flag
  (its code would be left out as lessons).
Labels marked `uncertain` are counted apart. Held-out repositories are only counted, never named,
unless --show-heldout-errors (then they are spent: move them in the file).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_accuracy import DEFAULT_ROOT, PRESENT_OUTCOMES, checkout_state, git_head  # noqa: E402
from benchmarks.evidence.labels import LABELS_FILE, LabelledRepo, load_labels  # noqa: E402
from benchmarks.evidence.verdicts import ML_KINDS, VERDICTS_FILE, RepoVerdict, load_verdicts  # noqa: E402
from mlops_audit.errors import InputError  # noqa: E402


def run_collector(folder: Path) -> tuple[dict[str, str], str, float]:
    """(detector id -> outcome, learning-material verdict, seconds) of the installed collector."""
    from mlops_audit.evidence.repo.collect import collect

    start = time.perf_counter()
    result = collect(folder)
    seconds = time.perf_counter() - start
    outcomes = {f.detector: str(getattr(f.outcome, "value", f.outcome)) for f in result.findings}
    return outcomes, result.stats.learning_material.verdict, seconds


def from_label(repo: LabelledRepo) -> RepoVerdict:
    """A fully labelled repository seen as a verdict: its decoy flag (dev counts as spent: tuned on)."""
    return RepoVerdict(
        repo=repo.repo, commit=repo.commit, split="heldout" if repo.split == "heldout" else "spent", batch=repo.batch or "0",
        decoy=repo.decoy, shape="other", kind_of_repo=repo.kind_of_repo, note="labels.yaml",
    )


def score_one(verdict: RepoVerdict, outcomes: dict[str, str], learning: str) -> dict[str, object]:
    """What one repository contributes: its false passes (decoys only) and how its verdict agrees."""
    false_passes = sorted(k for k in ML_KINDS if outcomes.get(k) in PRESENT_OUTCOMES) if verdict.decoy else []
    if verdict.decoy:
        agreement = "caught" if learning == "course" else ("partly" if learning == "partly" else "missed")
    else:
        agreement = "false flag" if learning == "course" else ("partly" if learning == "partly" else "clear")
    return {"repo": verdict.repo, "split": verdict.split, "batch": verdict.batch, "decoy": verdict.decoy, "shape": verdict.shape,
            "uncertain": verdict.uncertain, "learning_verdict": learning, "agreement": agreement, "ml_false_passes": false_passes}


def summarise(rows: list[dict[str, object]]) -> dict[str, object]:
    sure = [r for r in rows if not r["uncertain"]]
    decoys = [r for r in sure if r["decoy"]]
    projects = [r for r in sure if not r["decoy"]]
    with_fp = [r for r in decoys if r["ml_false_passes"]]
    by_kind = Counter(k for r in decoys for k in r["ml_false_passes"])  # type: ignore[attr-defined]
    return {
        "repos": len(sure),
        "uncertain": len(rows) - len(sure),
        "decoys": len(decoys),
        "decoys_with_a_false_pass": len(with_fp),
        "decoy_false_passes": sum(len(r["ml_false_passes"]) for r in decoys),  # type: ignore[arg-type]
        "decoy_false_passes_by_kind": dict(sorted(by_kind.items())),
        "decoy_verdicts": dict(sorted(Counter(str(r["agreement"]) for r in decoys).items())),
        "projects": len(projects),
        "project_verdicts": dict(sorted(Counter(str(r["agreement"]) for r in projects).items())),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="folder holding the checkouts as OWNER+NAME (default %(default)s)")
    parser.add_argument("--verdicts", type=Path, default=VERDICTS_FILE, help="verdicts file (default: benchmarks/evidence/verdicts.yaml)")
    parser.add_argument("--split", choices=("spent", "heldout", "all"), default="all")
    parser.add_argument("--batch", action="append", default=[], metavar="B", help="score only these batches (12v = every 12v batch; 12ve = that one)")
    parser.add_argument("--with-labels", action="store_true", help="also score labels.yaml's repositories this way (their decoy flag as the verdict)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--show-heldout-errors", action="store_true", help="also name the held-out repositories one by one")
    args = parser.parse_args(argv)
    try:
        labels = load_labels(LABELS_FILE)
        missing_ok = args.with_labels and not args.verdicts.exists()  # scoring labels.yaml alone needs no verdicts file
        verdicts = [] if missing_ok else list(load_verdicts(args.verdicts, labelled={r.repo for r in labels.repos}).repos)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.with_labels:
        verdicts += [from_label(r) for r in labels.repos]
    rows: list[dict[str, object]] = []
    skipped: list[dict[str, str]] = []
    seconds: list[float] = []
    for verdict in verdicts:
        if args.split != "all" and verdict.split != args.split:
            continue
        if args.batch and not any(verdict.batch.startswith(b) for b in args.batch):
            continue
        folder, reason, _ = checkout_state(verdict, args.root, git_head)  # type: ignore[arg-type]  # a verdict names its checkout as a label does
        if folder is None:
            skipped.append({"repo": verdict.repo, "reason": reason or "no checkout"})
            continue
        outcomes, learning, took = run_collector(folder)
        seconds.append(took)
        rows.append(score_one(verdict, outcomes, learning))
    from mlops_audit import __version__

    report: dict[str, object] = {
        "verdicts": str(args.verdicts),
        "tool_version": __version__,
        "splits": {s: summarise([r for r in rows if r["split"] == s]) for s in ("spent", "heldout") if any(r["split"] == s for r in rows)},
        "skipped": skipped,
        "seconds_total": round(sum(seconds), 2),
    }
    named = [r for r in rows if r["split"] != "heldout" or args.show_heldout_errors]
    report["repos"] = named
    if args.json:
        print(json.dumps(report, indent=2, sort_keys=True))
        return 0
    print(f"verdicts: {args.verdicts}  collector: mlops-audit {__version__}")
    for split, s in report["splits"].items():  # type: ignore[union-attr]
        print(f"== {split}: {s['repos']} repositories ({s['decoys']} decoys, {s['projects']} projects), {s['uncertain']} uncertain not scored ==")
        print(f"decoys with an ML-kind false pass: {s['decoys_with_a_false_pass']} of {s['decoys']} ({s['decoy_false_passes']} false passes: {s['decoy_false_passes_by_kind']})")
        print(f"decoys' learning-material verdict: {s['decoy_verdicts']}")
        print(f"projects' learning-material verdict: {s['project_verdicts']}")
    for r in named:
        if (r["decoy"] and (r["ml_false_passes"] or r["agreement"] != "caught")) or (not r["decoy"] and r["agreement"] != "clear"):
            print(f"  {r['repo']} ({r['split']}, {r['shape']}, decoy={r['decoy']}): verdict {r['learning_verdict']}; false passes: {', '.join(r['ml_false_passes']) or '-'}")  # type: ignore[arg-type]
    hidden = len(rows) - len(named)
    if hidden:
        print(f"{hidden} held-out repositories not named (--show-heldout-errors: then move them to spent)")
    for s in skipped:
        print(f"skipped {s['repo']}: {s['reason']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
