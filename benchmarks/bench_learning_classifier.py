"""What the learning-material classifier adds to collect's time: the rules alone against the rules and
the classifier, side by side, on the labelled checkouts (dev and spent splits only).

Run by hand (the checkouts are not in this repository):
    python benchmarks/bench_learning_classifier.py [--root /tmp/mlrepos] [--repeat 5]

For each checkout the listing is taken once (a `RepoIndex` of it, learning material counted), then
`lessons.find_learning_material` runs on it `--repeat` times with `classify=False` (the rules) and
`classify=True` (rules, features, inference), alternately; the README reads go through the index's
read function as in collect (its first read of a file is the costly one: both sides read the same
files, the rules first). It prints the median of each per repository, their totals, and the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_accuracy import DEFAULT_ROOT, checkout_state, git_head  # noqa: E402
from benchmarks.evidence.labels import LABELS_FILE, load_labels  # noqa: E402
from mlops_audit.evidence.repo import lessons, reponame, teachingmodel  # noqa: E402
from mlops_audit.evidence.repo.index import RepoIndex  # noqa: E402


class RulesOnlyIndex(RepoIndex):
    classify_learning_material = False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    teachingmodel.load()  # loaded once per process, as in collect: not timed per repository
    rows = []
    for repo in load_labels(LABELS_FILE).repos:
        if repo.split not in ("dev", "spent"):
            continue
        folder, _, _ = checkout_state(repo, args.root, git_head)
        if folder is None:
            continue
        index = RulesOnlyIndex(folder, count_learning_material=True)
        try:
            rules, both = [], []
            for _ in range(args.repeat):
                for classify, times in ((False, rules), (True, both)):
                    start = time.perf_counter()
                    # with the classifier, the remote's name is read as collect reads it (`index.py`)
                    names = reponame.repository_names(folder) if classify else ()
                    lessons.find_learning_material(index.files, index.read_bytes, classify=classify, names=names)
                    times.append(time.perf_counter() - start)
            rows.append((repo.repo, len(index.files), statistics.median(rules), statistics.median(both)))
        finally:
            index.close()
    if not rows:
        print(f"error: no labelled checkout under {args.root}", file=sys.stderr)
        return 2
    for name, files, rules_s, both_s in sorted(rows, key=lambda r: -r[3])[:10]:
        print(f"{both_s * 1000:8.2f} ms with the classifier, {rules_s * 1000:8.2f} ms rules alone  {files:>6,} files  {name}")
    total_rules = sum(r[2] for r in rows)
    total_both = sum(r[3] for r in rows)
    print(f"\n{len(rows)} repositories, median of {args.repeat}: rules alone {total_rules:.3f} s in all, with the classifier {total_both:.3f} s ({total_both / total_rules:.2f}x)")
    print(f"median per repository: rules {statistics.median(r[2] for r in rows) * 1000:.2f} ms, with the classifier {statistics.median(r[3] for r in rows) * 1000:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
