"""Accuracy of the repository collector against hand-labelled public ML repositories.

Run by hand (not part of the tests; the checkouts are not in this repository):
    python benchmarks/bench_accuracy.py [--root /tmp/mlrepos] [--labels FILE] [--split dev|spent|heldout|all]
                                        [--repo OWNER/NAME ...] [--batch N ...] [--decoys only|none]
                                        [--json] [--show-heldout-errors]

The labels (benchmarks/evidence/labels.yaml) say, for each repository at one commit and each detector
id, whether the practice is really done, as read by a person. Each repository is expected as a
checkout at ROOT/OWNER+NAME (a `git clone`, so the history detectors can be scored; a plain export
without `.git` is scored on every other kind). For each one found, the installed collector's
`collect()` runs in-process and every finding is compared with its label:
  predicted present  = outcome `pass` (or `partial`, on a collector that has that outcome)
  predicted absent   = `fail`, `not_applicable`, or `error` (errors are also counted apart)
It prints precision and recall per kind and overall, for the dev and held-out splits apart, false
passes on decoy repositories, and the time `collect()` took per repository. Labels marked
`uncertain` are left out of precision/recall and counted apart. Nothing is dropped silently:
repositories without a checkout, with a checkout at another commit, kinds the installed collector
does not have and history kinds on a checkout without git are all listed as not scored.

The held-out split is for quoting, not tuning: its individual misses are only printed with
--show-heldout-errors (the totals always are).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.evidence.labels import LABELS_FILE, LabelFile, LabelledRepo, load_labels  # noqa: E402
from mlops_audit.errors import InputError  # noqa: E402

DEFAULT_ROOT = Path("/tmp/mlrepos")
PRESENT_OUTCOMES = frozenset({"pass", "partial"})
SPLITS = ("dev", "spent", "heldout")


@dataclass(frozen=True)
class Prediction:
    """What the collector said about one repository: detector id -> outcome, and how long it took."""

    outcomes: Mapping[str, str]
    seconds: float
    history_scored: bool = True  # False: the checkout has no .git, so history detectors saw nothing
    documents_only: bool = False  # the checkout holds no code, container, IaC, CI or script (see `documents_only`)


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, predicted: bool, actual: bool) -> None:
        if predicted and actual:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif actual:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    def as_dict(self) -> dict[str, object]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "tn": self.tn,
            "precision": _round(self.precision),
            "recall": _round(self.recall),
        }


@dataclass
class SplitScore:
    per_kind: dict[str, Tally] = field(default_factory=dict)
    overall: Tally = field(default_factory=Tally)
    uncertain_agree: int = 0
    uncertain_disagree: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)  # false passes and misses
    detector_errors: list[dict[str, str]] = field(default_factory=list)
    repos: list[str] = field(default_factory=list)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def score(
    labels: LabelFile,
    predictions: Mapping[str, Prediction],
    *,
    history_kinds: Iterable[str] = (),
    known_kinds: Iterable[str] | None = None,
) -> dict[str, object]:
    """Compare predictions (keyed by owner/name) with the labels. Pure: no I/O.

    `history_kinds`: detector ids that need git history (unscored on a checkout without .git).
    `known_kinds`: detector ids the collector has (default: every labelled kind)."""
    history = set(history_kinds)
    known = set(labels.kinds) if known_kinds is None else set(known_kinds)
    splits = {name: SplitScore() for name in SPLITS}
    not_scored: list[dict[str, str]] = []
    decoy_false_passes: list[dict[str, str]] = []
    for kind in labels.kinds:
        if kind not in known:
            not_scored.append({"repo": "*", "kind": kind, "reason": "the installed collector has no detector with this id"})
    for repo in labels.repos:
        prediction = predictions.get(repo.repo)
        if prediction is None:
            continue
        split = splits[repo.split]
        split.repos.append(repo.repo)
        for kind in labels.kinds:
            if kind not in known:
                continue
            if kind in history and not prediction.history_scored:
                not_scored.append({"repo": repo.repo, "kind": kind, "reason": "the checkout has no git history"})
                continue
            label = repo.label(kind)
            outcome = prediction.outcomes.get(kind)
            if outcome is None:
                not_scored.append({"repo": repo.repo, "kind": kind, "reason": "the collector returned no finding for it"})
                continue
            predicted = outcome in PRESENT_OUTCOMES
            if outcome == "error":
                split.detector_errors.append({"repo": repo.repo, "kind": kind})
            if label.uncertain:
                if predicted == label.present:
                    split.uncertain_agree += 1
                else:
                    split.uncertain_disagree += 1
                continue
            split.per_kind.setdefault(kind, Tally()).add(predicted, label.present)
            split.overall.add(predicted, label.present)
            if predicted != label.present:
                error = "false pass" if predicted else "miss"
                split.errors.append({"repo": repo.repo, "kind": kind, "error": error, "outcome": outcome, "note": label.note})
                if predicted and repo.decoy:
                    decoy_false_passes.append(
                        {"repo": repo.repo, "kind": kind, "split": repo.split, "documents_only": prediction.documents_only}
                    )
    return {
        "splits": {
            name: {
                "repos": s.repos,
                "overall": s.overall.as_dict(),
                "per_kind": {k: s.per_kind[k].as_dict() for k in labels.kinds if k in s.per_kind},
                "uncertain": {"agree": s.uncertain_agree, "disagree": s.uncertain_disagree},
                "errors": s.errors,
                "detector_errors": s.detector_errors,
            }
            for name, s in splits.items()
        },
        "decoy_false_passes": decoy_false_passes,
        "documents_only_decoys": [
            {"repo": r.repo, "split": r.split} for r in labels.repos if r.decoy and r.repo in predictions and predictions[r.repo].documents_only
        ],
        "not_scored": not_scored,
    }


def checkout_state(repo: LabelledRepo, root: Path, git_head: Callable[[Path], str | None]) -> tuple[Path | None, str | None, bool]:
    """(checkout folder or None, reason it is skipped or None, whether it has git history)."""
    folder = root / repo.checkout_name
    if not folder.is_dir():
        return None, f"no checkout at {folder}", False
    if not (folder / ".git").exists():
        return folder, None, False
    head = git_head(folder)
    if head is None:
        return folder, None, False
    if head != repo.commit:
        return None, f"checkout is at {head[:12]}, the labels are for {repo.commit[:12]}", True
    return folder, None, True


def git_head(folder: Path) -> str | None:
    try:
        proc = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


# What makes a repository more than documents (session 12's decoy study, docs/benchmarks.md): code
# (Python and notebooks above all, and the usual languages of ML systems), containers, infrastructure
# as code, CI configuration and scripts. Issue 12's target "no false pass on a decoy" is about
# documents-only decoys; decoys with runnable code are working demonstrations, reported apart.
_CODE_SUFFIXES = frozenset(
    ".py .ipynb .r .rmd .jl .scala .java .kt .go .rs .js .ts .jsx .tsx .sh .bash .ps1 .sql .tf .hcl .bicep .c .cc .cpp .cs .rb .php .swift".split()
)
_CODE_NAMES = frozenset({"dockerfile", "containerfile", "makefile", "justfile", "docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml", "jenkinsfile"})
_CODE_FOLDERS = (".github/workflows/", ".circleci/", ".gitlab-ci", "azure-pipelines", ".buildkite/", "k8s/", "kubernetes/", "helm/", "charts/")


def documents_only(paths: Iterable[str]) -> bool:
    """True when no path is code, a container or compose file, IaC, CI configuration or a script:
    the repository holds documents (Markdown, text, images, PDFs, data) alone."""
    for path in paths:
        low = path.lower()
        name = low.rsplit("/", 1)[-1]
        if name in _CODE_NAMES or name.startswith("dockerfile") or Path(name).suffix in _CODE_SUFFIXES:
            return False
        if any(low.startswith(folder) or f"/{folder}" in low for folder in _CODE_FOLDERS):
            return False
    return True


def git_listing(folder: Path) -> list[str]:
    """The files of a checkout as git lists them (every file below it without git)."""
    try:
        proc = subprocess.run(["git", "-C", str(folder), "ls-files", "-z"], capture_output=True, timeout=60, check=False)
        if proc.returncode == 0:
            return [p for p in proc.stdout.decode("utf-8", "replace").split("\0") if p]
    except (OSError, subprocess.SubprocessError):
        pass
    return [str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()]


def run_collector(folder: Path) -> tuple[dict[str, str], float]:
    """The installed collector on one checkout, in-process: detector id -> outcome, and seconds."""
    from mlops_audit.evidence.repo.collect import collect

    start = time.perf_counter()
    result = collect(folder)
    seconds = time.perf_counter() - start
    return {f.detector: str(getattr(f.outcome, "value", f.outcome)) for f in result.findings}, seconds


def installed_detectors() -> tuple[set[str], set[str]]:
    """(every detector id, the ids that read git history) of the installed collector."""
    from mlops_audit.evidence.repo.registry import all_detectors

    detectors = all_detectors()
    return {d.id for d in detectors}, {d.id for d in detectors if getattr(d, "reads_history", False)}


def missing_label_paths(repo: LabelledRepo, folder: Path, has_history: bool) -> list[str]:
    """Label paths that name nothing in the checkout (a typo in the labels, or a file the snapshot
    lacks). `refs/tags/...` names a git tag and is checked only when the checkout has git history."""
    missing = []
    for label in repo.labels:
        for path in label.paths:
            if path.startswith("refs/tags/"):
                if has_history and git_tag_missing(folder, path.removeprefix("refs/tags/")):
                    missing.append(f"{label.kind}: {path}")
            elif not (folder / path).exists():
                missing.append(f"{label.kind}: {path}")
    return missing


def git_tag_missing(folder: Path, tag: str) -> bool:
    try:
        proc = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "--verify", "--quiet", f"refs/tags/{tag}"],
            capture_output=True, text=True, timeout=30, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return proc.returncode != 0


UNSELECTED = "not selected by --split/--repo/--batch"


def measure(
    labels: LabelFile,
    root: Path,
    *,
    collector: Callable[[Path], tuple[dict[str, str], float]] = run_collector,
    head: Callable[[Path], str | None] = git_head,
    listing: Callable[[Path], list[str]] = git_listing,
    only: set[str] | None = None,
    split: str = "all",
) -> tuple[dict[str, Prediction], list[dict[str, str]], list[dict[str, str]]]:
    """Run the collector on every labelled checkout found; return the predictions, the repositories
    skipped, and label paths missing from the checkouts."""
    predictions: dict[str, Prediction] = {}
    skipped: list[dict[str, str]] = []
    problems: list[dict[str, str]] = []
    for repo in labels.repos:
        if (only and repo.repo not in only) or (split != "all" and repo.split != split):
            skipped.append({"repo": repo.repo, "split": repo.split, "reason": UNSELECTED})
            continue
        folder, reason, has_history = checkout_state(repo, root, head)
        if folder is None:
            skipped.append({"repo": repo.repo, "split": repo.split, "reason": reason or "no checkout"})
            continue
        outcomes, seconds = collector(folder)
        docs_only = repo.decoy and documents_only(listing(folder))
        predictions[repo.repo] = Prediction(outcomes=outcomes, seconds=seconds, history_scored=has_history, documents_only=docs_only)
        problems += [{"repo": repo.repo, "path": item} for item in missing_label_paths(repo, folder, has_history)]
    return predictions, skipped, problems


def _fmt(value: object) -> str:
    return "  -  " if value is None else f"{value:.3f}"


def render_text(report: dict[str, object], *, show_heldout_errors: bool) -> str:
    lines: list[str] = []
    lines.append(f"labels: {report['labels']}  root: {report['root']}  collector: mlops-audit {report['tool_version']}")
    for name, s in report["splits"].items():  # type: ignore[union-attr]
        o = s["overall"]
        lines.append("")
        if not s["repos"]:
            lines.append(f"== {name}: no repository scored ==")
            continue
        lines.append(f"== {name}: {len(s['repos'])} repositories scored ==")
        lines.append(f"{'kind':28} {'TP':>4} {'FP':>4} {'FN':>4} {'TN':>4} {'prec':>6} {'recall':>6}")
        for kind, t in s["per_kind"].items():
            lines.append(f"{kind:28} {t['tp']:4} {t['fp']:4} {t['fn']:4} {t['tn']:4} {_fmt(t['precision']):>6} {_fmt(t['recall']):>6}")
        lines.append(f"{'OVERALL':28} {o['tp']:4} {o['fp']:4} {o['fn']:4} {o['tn']:4} {_fmt(o['precision']):>6} {_fmt(o['recall']):>6}")
        u = s["uncertain"]
        lines.append(f"uncertain labels (not in the figures): {u['agree']} agree, {u['disagree']} disagree")
        if s["detector_errors"]:
            lines.append(f"detector errors: {len(s['detector_errors'])}: " + ", ".join(f"{e['repo']}:{e['kind']}" for e in s["detector_errors"]))
        if name == "heldout" and not show_heldout_errors:
            lines.append(f"{len(s['errors'])} disagreement(s) (listed only with --show-heldout-errors: do not tune on them)")
        else:
            for e in s["errors"]:
                lines.append(f"  {e['error']:10} {e['repo']} {e['kind']} (collector: {e['outcome']}; label: {e['note']})")
    lines.append("")
    decoys = report["decoy_false_passes"]
    lines.append(f"false passes on decoys: {len(decoys)}")  # type: ignore[arg-type]
    for d in decoys:  # type: ignore[union-attr]
        if d["split"] == "heldout" and not show_heldout_errors:
            continue  # which held-out decoy fails on which kind is a held-out error like any other
        lines.append(f"  {d['repo']} ({d['split']}): {d['kind']}")
    hidden = sum(1 for d in decoys if d["split"] == "heldout")  # type: ignore[union-attr,index]
    if hidden and not show_heldout_errors:
        lines.append(f"  {hidden} on held-out decoy(s), listed only with --show-heldout-errors")
    docs = report["documents_only_decoys"]
    on_docs = sum(1 for d in decoys if d["documents_only"])  # type: ignore[union-attr,index]
    lines.append(f"false passes on documents-only decoys (issue 12's target: none): {on_docs} (of {len(docs)} documents-only decoys scored)")  # type: ignore[arg-type]
    lines.append("")
    lines.append("time of collect() per repository:")
    for t in report["timing"]:  # type: ignore[union-attr]
        lines.append(f"  {t['seconds']:7.2f} s  {t['repo']}")
    skipped = report["skipped"]
    unselected = [s for s in skipped if s["reason"] == UNSELECTED]  # type: ignore[union-attr]
    lines.append(f"skipped repositories: {len(skipped) - len(unselected)} (and {len(unselected)} not selected by --split/--repo)")  # type: ignore[arg-type]
    for s in skipped:  # type: ignore[union-attr]
        if s not in unselected:
            lines.append(f"  {s['repo']} ({s['split']}): {s['reason']}")
    missing = report["missing_label_paths"]
    if missing:
        lines.append(f"label paths not found in the checkouts: {len(missing)}")  # type: ignore[arg-type]
        for m in missing:  # type: ignore[union-attr]
            lines.append(f"  {m['repo']}: {m['path']}")
    not_scored = report["not_scored"]
    if not_scored:
        lines.append(f"labels not scored: {len(not_scored)}")  # type: ignore[arg-type]
        for n in not_scored:  # type: ignore[union-attr]
            lines.append(f"  {n['repo']} {n['kind']}: {n['reason']}")
    return "\n".join(lines)


def _cell(t: dict[str, object] | None) -> str:
    if t is None:
        return "- | - | -"
    counts = f"{t['tp']}/{t['fp']}/{t['fn']}"
    return f"{_fmt(t['precision']).strip()} | {_fmt(t['recall']).strip()} | {counts}"


def render_markdown(report: dict[str, object], labels: LabelFile) -> str:
    """Tables for docs/benchmarks.md, written once measuring is over: the labelled repositories, then P/R
    per kind for each split apart (held-out decoys are named here: the tables are for publishing)."""
    splits = report["splits"]  # type: ignore[index]
    scored = set().union(*(splits[name]["repos"] for name in SPLITS))  # type: ignore[index]
    lines = ["| repository | kind of repository | split | decoy | commit | scored |", "|---|---|---|---|---|---|"]
    for repo in sorted(labels.repos, key=lambda r: r.repo.lower()):
        lines.append(
            f"| {repo.repo} | {repo.kind_of_repo} | {repo.split} | {'yes' if repo.decoy else ''} | "
            f"`{repo.commit[:12]}` | {'yes' if repo.repo in scored else 'no'} |"
        )
    header = "| kind | " + " | ".join(f"{name} precision | {name} recall | {name} TP/FP/FN" for name in SPLITS) + " |"
    lines += ["", header, "|---|" + "---|---|---|" * len(SPLITS)]
    for kind in labels.kinds:
        lines.append(f"| {kind} | " + " | ".join(_cell(splits[name]["per_kind"].get(kind)) for name in SPLITS) + " |")  # type: ignore[index]
    lines.append("| **overall** | " + " | ".join(_cell(splits[name]["overall"]) for name in SPLITS) + " |")  # type: ignore[index]
    decoys = report["decoy_false_passes"]
    hidden = report.get("heldout_decoy_false_passes", 0)
    lines += [
        "",
        f"False passes on decoys: {len(decoys) + hidden}"  # type: ignore[arg-type, operator]
        + (": " + ", ".join(f"{d['repo']} ({d['split']}, {d['kind']})" for d in decoys) if decoys else "")  # type: ignore[union-attr]
        + (f"; {hidden} on held-out decoys, not named (--show-heldout-errors)" if hidden else "") + ".",
        f"False passes on documents-only decoys (issue 12's target: none): "
        f"{sum(1 for d in decoys if d['documents_only']) + report.get('heldout_documents_only_decoy_false_passes', 0)}"  # type: ignore[union-attr, index, operator]
        f" of {len(report['documents_only_decoys']) + report.get('heldout_documents_only_decoys', 0)} documents-only decoys scored.",  # type: ignore[arg-type, operator]
        "Uncertain labels (not in the tables): "
        + ", ".join(f"{name} {splits[name]['uncertain']['agree']} agree / {splits[name]['uncertain']['disagree']} disagree" for name in SPLITS)  # type: ignore[index]
        + ".",
    ]
    seconds = sorted(t["seconds"] for t in report["timing"])  # type: ignore[union-attr]
    if seconds:
        median = seconds[len(seconds) // 2] if len(seconds) % 2 else (seconds[len(seconds) // 2 - 1] + seconds[len(seconds) // 2]) / 2
        lines.append(f"`collect()` per repository: median {median:.2f} s, max {seconds[-1]:.2f} s over {len(seconds)} repositories.")
    return "\n".join(lines)


def hide_heldout(report: dict[str, object]) -> dict[str, object]:
    """The report without anything that names a held-out repository's disagreement: the held-out
    errors and the held-out decoys' false passes become counts (every output format, not only text)."""
    splits = dict(report["splits"])  # type: ignore[call-overload]
    heldout = dict(splits["heldout"])
    heldout["errors_count"] = len(heldout["errors"])
    heldout["errors"] = "hidden: run with --show-heldout-errors (do not tune on them)"
    splits["heldout"] = heldout
    decoys = report["decoy_false_passes"]
    return {
        **report,
        "splits": splits,
        "decoy_false_passes": [d for d in decoys if d["split"] != "heldout"],  # type: ignore[union-attr]
        "heldout_decoy_false_passes": sum(1 for d in decoys if d["split"] == "heldout"),  # type: ignore[union-attr]
        "heldout_documents_only_decoy_false_passes": sum(1 for d in decoys if d["split"] == "heldout" and d["documents_only"]),  # type: ignore[union-attr]
        "documents_only_decoys": [d for d in report["documents_only_decoys"] if d["split"] != "heldout"],  # type: ignore[union-attr]
        "heldout_documents_only_decoys": sum(1 for d in report["documents_only_decoys"] if d["split"] == "heldout"),  # type: ignore[union-attr]
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="folder holding the checkouts as OWNER+NAME (default %(default)s)")
    parser.add_argument("--labels", type=Path, default=LABELS_FILE, help="labels file (default: benchmarks/evidence/labels.yaml)")
    parser.add_argument("--split", choices=(*SPLITS, "all"), default="all")
    parser.add_argument("--repo", action="append", default=[], metavar="OWNER/NAME", help="score only these repositories")
    parser.add_argument("--batch", action="append", default=[], metavar="N", help="score only these labelling batches (10 = 10a, 10b, 10c; 10b = that part)")
    parser.add_argument("--decoys", choices=("only", "none"), help="score only decoys, or only projects (teams' systems)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables for docs/benchmarks.md")
    parser.add_argument("--show-heldout-errors", action="store_true", help="also list the held-out disagreements one by one")
    args = parser.parse_args(argv)

    try:
        labels = load_labels(args.labels)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.batch:
        batches = [r for r in labels.repos if r.batch and any(r.batch == b or r.batch.rstrip("abcdefghijklmnopqrstuvwxyz") == b for b in args.batch)]
        if not batches:
            print(f"error: --batch: no repository of batch {', '.join(args.batch)} in {args.labels}", file=sys.stderr)
            return 2
        args.repo += [r.repo for r in batches if r.repo not in args.repo]
    if args.decoys:
        # One side only: the labels file keeps its kinds; its repositories are the chosen side's.
        wanted = args.decoys == "only"
        kept = [r for r in labels.repos if r.decoy == wanted and (not args.repo or r.repo in args.repo)]
        if not kept:
            print(f"error: --decoys {args.decoys}: no such repository selected in {args.labels}", file=sys.stderr)
            return 2
        labels = labels.model_copy(update={"repos": kept})
        args.repo = [r.repo for r in kept] if args.repo else []
    unknown_repos = sorted(set(args.repo) - {r.repo for r in labels.repos})
    if unknown_repos:
        print(f"error: --repo: not in {args.labels}: {', '.join(unknown_repos)}", file=sys.stderr)
        return 2
    from mlops_audit import __version__

    known, history = installed_detectors()
    predictions, skipped, missing_paths = measure(labels, args.root, only=set(args.repo) or None, split=args.split)
    report = score(labels, predictions, history_kinds=history, known_kinds=known)
    report = {
        "labels": str(args.labels),
        "root": str(args.root),
        "tool_version": __version__,
        **report,
        "unlabelled_detectors": sorted(known - set(labels.kinds)),
        "timing": [{"repo": r, "seconds": round(p.seconds, 3)} for r, p in predictions.items()],
        "skipped": skipped,
        "missing_label_paths": missing_paths,
    }
    if args.markdown:
        print(render_markdown(report if args.show_heldout_errors else hide_heldout(report), labels))
    elif args.json:
        print(json.dumps(report if args.show_heldout_errors else hide_heldout(report), indent=2, sort_keys=True))
    else:
        print(render_text(report, show_heldout_errors=args.show_heldout_errors))
        if report["unlabelled_detectors"]:
            print(f"detectors without labels (not scored): {', '.join(report['unlabelled_detectors'])}")  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main())
