"""CPU time of `collect()` over the labelled checkouts: the "collect time on real repositories" the
collector issue bounds (at most 20 % more than before a change).

Run by hand (the checkouts are not in this repository), once per code version, alternating:
    python benchmarks/bench_labelled_collect.py [--root /tmp/mlrepos] [--split dev --split spent] [--repeats 3] [--only LIST]
    PYTHONPATH=<a `git archive` export>/src python benchmarks/bench_labelled_collect.py ...   # the baseline

Each repeat collects every checkout of the chosen splits once, in-process, without a parse cache, and
measures the CPU time of this process and of its children (git runs in child processes); wall time
is printed too but depends on the machine's load. `--only LIST` (a file of checkout folder names, one
a line) fixes the set while checkouts are still being fetched, so every code is timed on the same
trees; `--write-list LIST` writes the folders it would time and exits. It prints each repeat and the median, and which
`mlops_audit` was imported (so a baseline run shows its export path).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_accuracy import DEFAULT_ROOT, checkout_state, git_head  # noqa: E402
from benchmarks.evidence.labels import LABELS_FILE, load_labels  # noqa: E402


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--split", action="append", choices=("dev", "spent", "heldout"), help="default: dev and spent")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", type=Path, help="time only these checkout folders (names, one a line)")
    parser.add_argument("--write-list", type=Path, help="write the checkout folders that would be timed, then stop")
    args = parser.parse_args(argv)
    import mlops_audit
    from mlops_audit.evidence.repo.collect import collect

    splits = set(args.split or ("dev", "spent"))
    only = set(args.only.read_text(encoding="utf-8").split()) if args.only else None
    folders = []
    for repo in load_labels(LABELS_FILE).repos:
        if repo.split in splits and (only is None or repo.checkout_name in only):
            folder, _, _ = checkout_state(repo, args.root, git_head)
            if folder is not None:
                folders.append(folder)
    if args.write_list:
        args.write_list.write_text("".join(f"{folder.name}\n" for folder in folders), encoding="utf-8")
        print(f"{len(folders)} checkouts written to {args.write_list}")
        return 0
    print(f"mlops_audit from {Path(mlops_audit.__file__).parent}; {len(folders)} checkouts ({', '.join(sorted(splits))})")
    cpu_runs, wall_runs = [], []
    for n in range(args.repeats):
        cpu0, child0, wall0 = time.process_time(), _children_cpu(), time.perf_counter()
        for folder in folders:
            collect(folder)
        cpu = time.process_time() - cpu0 + _children_cpu() - child0
        wall = time.perf_counter() - wall0
        cpu_runs.append(cpu)
        wall_runs.append(wall)
        print(f"  repeat {n + 1}: {cpu:.2f} s CPU, {wall:.2f} s wall")
    print(f"median: {statistics.median(cpu_runs):.2f} s CPU, {statistics.median(wall_runs):.2f} s wall")
    return 0


if __name__ == "__main__":
    sys.exit(main())
