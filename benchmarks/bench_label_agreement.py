"""How often two blind readers agree on the same labels: the noise floor under every accuracy number.

Run by hand (not part of the tests; needs no checkout):
    python benchmarks/bench_label_agreement.py SECOND.yaml [--labels FILE] [--json]

SECOND.yaml holds a second, independent reading of some repositories of the labels file (a `repos:`
list in labels.yaml's entry format, written by readers who saw neither the first reading nor the
collector). For the repositories read twice it prints, per kind and overall:
  both certain   labels neither reader marked uncertain; how many agree, Cohen's kappa, and which
                 way the disagreements go (present in the first reading only / in the second only)
  uncertain      labels at least one reader marked uncertain (left out of precision/recall anyway),
                 and how many of them the readers answered differently
and the repositories whose decoy flag differs. Both files are validated with the labels contract
(labels.py); a repository of SECOND that is not in the labels file, or read at another commit, is an
error, not skipped. It names no collector outcome: it can be run on held-out data.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.evidence.labels import LABELS_FILE, LabelFile, LabelledRepo, load_labels  # noqa: E402
from mlops_audit.errors import InputError  # noqa: E402
from mlops_audit.util.safeyaml import load_yaml_file  # noqa: E402


@dataclass
class Agreement:
    both_certain: int = 0
    agree: int = 0
    first_only: int = 0  # present in the first reading only
    second_only: int = 0
    both_present: int = 0
    uncertain: int = 0
    uncertain_differ: int = 0

    def add(self, first: bool, second: bool) -> None:
        self.both_certain += 1
        self.agree += first == second
        self.first_only += first and not second
        self.second_only += second and not first
        self.both_present += first and second

    def kappa(self) -> float | None:
        """Cohen's kappa on the labels both readers were sure of (None when chance agreement is total)."""
        n = self.both_certain
        if not n:
            return None
        observed = self.agree / n
        p_first = (self.both_present + self.first_only) / n
        p_second = (self.both_present + self.second_only) / n
        chance = p_first * p_second + (1 - p_first) * (1 - p_second)
        return None if chance == 1 else round((observed - chance) / (1 - chance), 3)


def load_second(path: Path, kinds: list[str]) -> list[LabelledRepo]:
    doc = load_yaml_file(path)
    if not isinstance(doc.data, dict) or not isinstance(doc.data.get("repos"), list):
        raise InputError(f"{path}: expected a mapping with a 'repos' list of labelled repositories")
    try:
        return list(LabelFile(kinds=kinds, repos=doc.data["repos"]).repos)
    except ValueError as exc:
        raise InputError(f"{path}: not a valid second reading: {exc}") from None


def compare(first: LabelFile, second: list[LabelledRepo]) -> dict[str, object]:
    """Pure: the agreement of the second reading with the first, per kind and overall."""
    by_repo = {r.repo: r for r in first.repos}
    per_kind = {kind: Agreement() for kind in first.kinds}
    overall = Agreement()
    decoy_differs: list[str] = []
    for repo in second:
        one = by_repo.get(repo.repo)
        if one is None:
            raise InputError(f"second reading: {repo.repo} is not in the labels file")
        if one.commit != repo.commit:
            raise InputError(f"second reading: {repo.repo} was read at {repo.commit[:12]}, the labels are for {one.commit[:12]}")
        if one.decoy != repo.decoy:
            decoy_differs.append(repo.repo)
        for label in repo.labels:
            mine = one.label(label.kind)
            for tally in (per_kind[label.kind], overall):
                if mine.uncertain or label.uncertain:
                    tally.uncertain += 1
                    tally.uncertain_differ += mine.present != label.present
                else:
                    tally.add(mine.present, label.present)
    def row(a: Agreement) -> dict[str, object]:
        return {**asdict(a), "kappa": a.kappa(), "share_agree": round(a.agree / a.both_certain, 3) if a.both_certain else None}
    return {
        "repos": len(second),
        "decoy_differs": decoy_differs,
        "overall": row(overall),
        "per_kind": {kind: row(a) for kind, a in per_kind.items()},
    }


def render_text(report: dict[str, object]) -> str:
    o = report["overall"]
    lines = [
        f"repositories read twice: {report['repos']}; decoy flag differs: {len(report['decoy_differs'])} {report['decoy_differs'] or ''}".rstrip(),  # type: ignore[arg-type]
        f"both certain: {o['both_certain']} labels, {o['agree']} agree ({o['share_agree']}), kappa {o['kappa']}; "  # type: ignore[index]
        f"present in the first reading only {o['first_only']}, in the second only {o['second_only']}",  # type: ignore[index]
        f"uncertain in at least one reading: {o['uncertain']}, answered differently {o['uncertain_differ']}",  # type: ignore[index]
        f"{'kind':28} {'certain':>7} {'agree':>5} {'1st':>4} {'2nd':>4} {'kappa':>6} {'unsure':>6} {'differ':>6}",
    ]
    for kind, k in report["per_kind"].items():  # type: ignore[union-attr]
        kappa = "-" if k["kappa"] is None else f"{k['kappa']:.2f}"
        lines.append(f"{kind:28} {k['both_certain']:7} {k['agree']:5} {k['first_only']:4} {k['second_only']:4} {kappa:>6} {k['uncertain']:6} {k['uncertain_differ']:6}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("second", type=Path, help="the second reading (a 'repos:' list in labels.yaml's format)")
    parser.add_argument("--labels", type=Path, default=LABELS_FILE, help="the first reading (default: benchmarks/evidence/labels.yaml)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    try:
        first = load_labels(args.labels)
        report = compare(first, load_second(args.second, first.kinds))
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(report, indent=2, sort_keys=True) if args.json else render_text(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
