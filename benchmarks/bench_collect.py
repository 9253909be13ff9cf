"""Benchmark repository collection against a bare listing and against reading every file once.

Run by hand (not part of the tests):
    python benchmarks/bench_collect.py [--files 100000] [--repeats 3] [--no-git] [--tree DIR] [--repo PATH ...]

A tree of N files is generated in a temporary folder (Python modules, some using ML libraries,
YAML configs, Markdown, CSV data and notebooks, 100 files per folder). For the tree as a plain
folder and again as a git work tree, and for each --repo given (e.g. a clone of a large public
repository), it prints the median of:
  listing   os.walk (plain folder) or `git ls-files` (work tree): the floor for any scan
  read all  listing + reading every listed file once (the "read everything" baseline)
  collect   mlops-audit's collect(): listing, every detector, git signals, criteria mapping
with the ratios collect/listing and collect/read-all, collect's CPU time (process and background
children; steadier than wall time on a shared machine, for before/after comparisons), and the peak memory of collect
(tracemalloc peak of Python allocations, and the process's maximum resident set size).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from mlops_audit.evidence.repo.collect import collect
from mlops_audit.evidence.repo.gitcmd import git_env
from mlops_audit.rubric.loader import default_rubric

PY_PLAIN = '''"""Helpers for module {i}."""
import os
import json


def load_{i}(path):
    with open(path) as handle:
        return json.load(handle)


def transform_{i}(rows):
    return [{{k: v for k, v in row.items() if v is not None}} for row in rows]
'''
PY_ML = '''import mlflow
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV


def train_{i}(X, y):
    np.random.seed({i})
    with mlflow.start_run():
        search = GridSearchCV(LogisticRegression(), {{"C": [0.1, 1.0]}}, cv=3).fit(X, y)
        mlflow.log_params(search.best_params_)
        mlflow.log_metric("score", search.best_score_)
    return search.best_estimator_
'''
PY_TEST = '''from pkg.mod_{i} import transform_{i}


def test_transform_{i}():
    assert transform_{i}([{{"a": 1, "b": None}}]) == [{{"a": 1}}]
'''
YAML = '''apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc-{i}
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: api
          image: registry.example.com/svc-{i}:1.0.{i}
'''
MD = "# Notes {i}\n\n" + "Some prose about the component and how it is used. " * 20 + "\n"
CSV = "id,value,label\n" + "".join(f"{{i}},{k}.5,{k % 2}\n" for k in range(40))


def notebook(i: int) -> str:
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": [f"# Analysis {i}\n"]},
        {"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [{"output_type": "stream", "name": "stdout", "text": ["x\n" * 50]}],
         "source": ["import pandas as pd\n", f"frame = pd.read_csv('data_{i}.csv')\n", "frame.describe()\n"]},
    ]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def generate(root: Path, files: int) -> None:
    """`files` files, 100 per folder, in a fixed mix of kinds."""
    for i in range(files):
        folder = root / f"pkg{i // 10000}" / f"sub{(i // 100) % 100}"
        if i % 100 == 0:
            folder.mkdir(parents=True, exist_ok=True)
        kind = i % 20
        if kind < 9:
            name, text = f"mod_{i}.py", PY_PLAIN.format(i=i)
        elif kind < 10:
            name, text = f"train_{i}.py", PY_ML.format(i=i)
        elif kind < 12:
            name, text = f"test_mod_{i}.py", PY_TEST.format(i=i)
        elif kind < 15:
            name, text = f"deploy_{i}.yaml", YAML.format(i=i)
        elif kind < 17:
            name, text = f"notes_{i}.md", MD.format(i=i)
        elif kind < 19:
            name, text = f"data_{i}.csv", CSV.replace("{i}", str(i))
        else:
            name, text = f"analysis_{i}.ipynb", notebook(i)
        (folder / name).write_text(text, encoding="utf-8")
    (root / "README.md").write_text("# Generated benchmark tree\n", encoding="utf-8")


def git(root: Path, *args: str) -> None:
    env = git_env(root)
    env.update(GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@example.com", GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@example.com")
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def list_walk(root: Path) -> list[str]:
    out = []
    for current, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".git"]
        out += [os.path.join(current, f) for f in files]
    return out


def list_git(root: Path) -> list[str]:
    done = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=root, capture_output=True, check=True)
    return [os.path.join(root, os.fsdecode(p)) for p in done.stdout.split(b"\0") if p]


def read_all(lister: Callable[[Path], list[str]]) -> Callable[[Path], int]:
    def run(root: Path) -> int:
        total = 0
        for path in lister(root):
            try:
                with open(path, "rb") as handle:
                    total += len(handle.read())
            except OSError:
                pass
        return total

    return run


def median_seconds(func: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cpu_seconds() -> float:
    """CPU time of this process and of its waited-for children (background scanners, git): on a
    shared, loaded machine it varies far less than wall time, so before/after comparisons use it."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def median_cpu_seconds(func: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = cpu_seconds()
        func()
        times.append(cpu_seconds() - start)
    return statistics.median(times)


def bench(label: str, root: Path, repeats: int, rubric) -> None:  # type: ignore[no-untyped-def]
    lister = list_git if (root / ".git").is_dir() else list_walk
    listed = len(lister(root))
    t_list = median_seconds(lambda: lister(root), repeats)
    t_read = median_seconds(lambda: read_all(lister)(root), repeats)
    t_collect = median_seconds(lambda: collect(root, rubric=rubric), repeats)
    cpu_collect = median_cpu_seconds(lambda: collect(root, rubric=rubric), repeats)
    tracemalloc.start()
    result = collect(root, rubric=rubric)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    maxrss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"\n{label}: {listed} files ({lister.__name__.replace('list_', '')} listing), median of {repeats}", flush=True)
    print(f"  listing   {t_list:8.2f} s", flush=True)
    print(f"  read all  {t_read:8.2f} s", flush=True)
    print(f"  collect   {t_collect:8.2f} s   collect/listing = {t_collect / t_list:5.1f}x   collect/read-all = {t_collect / t_read:4.2f}x", flush=True)
    print(f"  collect CPU {cpu_collect:6.2f} s (process + background children, median)", flush=True)
    print(f"  collect read {result.stats.files_read} files, {result.stats.bytes_read / 2**20:.1f} MiB", flush=True)
    print(
        f"  peak memory: tracemalloc {peak / 2**20:.0f} MiB, process max RSS so far {maxrss_mib:.0f} MiB, "
        f"largest child (background scanners, git) {children_mib:.0f} MiB",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-git", action="store_true", help="skip the git work-tree variant (git add of the tree is slow)")
    parser.add_argument("--repo", action="append", default=[], help="also benchmark this checkout (repeatable)")
    parser.add_argument("--tree", help="generate the tree in this folder once and reuse it on later runs (a git work tree if it holds .git)")
    parser.add_argument("--no-tree", action="store_true", help="only benchmark the --repo checkouts")
    args = parser.parse_args()
    rubric = default_rubric()
    if args.tree and not args.no_tree:
        root = Path(args.tree)
        if not root.is_dir() or not any(root.iterdir()):
            root.mkdir(parents=True, exist_ok=True)
            generate(root, args.files)
        kind = "git work tree" if (root / ".git").is_dir() else "plain folder"
        bench(f"generated tree ({root.name}), {kind}", root, args.repeats, rubric)
    with tempfile.TemporaryDirectory(prefix="bench-collect-") as tmp:
        root = Path(tmp) / "tree"
        root.mkdir()
        if args.tree or args.no_tree:
            args.no_git = True
        else:
            start = time.perf_counter()
            generate(root, args.files)
            print(f"generated {args.files} files in {time.perf_counter() - start:.1f} s", flush=True)
            bench("generated tree, plain folder", root, args.repeats, rubric)
        if not args.no_git:
            start = time.perf_counter()
            git(root, "init", "-q")
            git(root, "add", "-A")
            git(root, "commit", "-q", "-m", "tree")
            print(f"\n(git add + commit took {time.perf_counter() - start:.1f} s)", flush=True)
            bench("generated tree, git work tree", root, args.repeats, rubric)
    for repo in args.repo:
        bench(f"repository {Path(repo).name}", Path(repo), args.repeats, rubric)


if __name__ == "__main__":
    main()
