"""Changed-file equivalence of the warm cache: after each kind of change, the output through the warm
parse cache (rule memo included) is byte for byte the output without a cache.

Run by hand (not part of the tests; the suite's `tests/portfolio/test_rulememo.py` holds the small cases):
    python benchmarks/check_warm_equivalence.py TREE [TREE ...] [--work DIR] [--seed 13] [--keep]

Each TREE is copied (links kept as links) into the work folder, collected through an empty cache
(cold) and again with nothing changed, then changed step by step; after each step the copy is
collected through the cache the earlier steps left and without a cache, and the two JSON outputs
compared. The steps (files picked with --seed, in path order, so a run can be repeated):
  comments     a comment appended to 4 Python files
  mlflow       a Python file that now imports and calls mlflow
  manifest     a new Kubernetes manifest and a new test file
  deleted      a Python file deleted
  yaml         a YAML file edited (a key appended; a new one when the tree has none)
  syntax       a syntax error appended to a Python file
  data-check   a data-check call (pandera's `validate`) added to a module, inside a function
  lines moved  a line inserted at the top of 2 Python files (every line of them moves)
  code         a function that calls something new appended to 2 Python files
  lessons      three numbered lesson folders with code, and the README now presents a course
               (what the documentation-code and learning-material judgements read: `judgememo`)
Prints one line per step (identical or DIFFERENT, the rules reused and run) and a total; exit code 1
when any step differs.
"""

from __future__ import annotations

import argparse
import datetime
import random
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

FIXED_TIME = datetime.datetime(2026, 1, 1)
KEY = b"check-warm-equivalence-key-" + b"0" * 16


def _python_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if ".git" not in p.relative_to(root).parts and p.is_file() and not p.is_symlink())


def _append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8", errors="surrogateescape") as handle:
        handle.write(text)


def _prepend(path: Path, text: str) -> None:
    path.write_bytes(text.encode() + path.read_bytes())


def _pick(files: list[Path], rng: random.Random, count: int, avoid_tests: bool = False) -> list[Path]:
    pool = [p for p in files if not (avoid_tests and "test" in p.name)] or files
    return sorted(rng.sample(pool, min(count, len(pool))))


def steps(rng: random.Random) -> list[tuple[str, Callable[[Path], None]]]:
    def comments(root: Path) -> None:
        for path in _pick(_python_files(root), rng, 4):
            _append(path, "\n# changed by check_warm_equivalence\n")

    def mlflow(root: Path) -> None:
        for path in _pick(_python_files(root), rng, 1, avoid_tests=True):
            _append(path, "\nimport mlflow\n\n\ndef _warm_check_log():\n    mlflow.log_param('alpha', 0.5)\n    mlflow.log_metric('rmse', 0.1)\n")

    def manifest(root: Path) -> None:
        (root / "deploy-warm-check").mkdir(exist_ok=True)
        (root / "deploy-warm-check" / "model.yaml").write_text(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: model\nspec:\n  template:\n    spec:\n"
            "      containers:\n      - name: model\n        image: registry.example/model:1\n"
        )
        (root / "tests").mkdir(exist_ok=True)
        (root / "tests" / "test_warm_check.py").write_text("def test_warm_check():\n    assert 1 + 1 == 2\n")

    def deleted(root: Path) -> None:
        for path in _pick(_python_files(root), rng, 1):
            path.unlink()

    def yaml(root: Path) -> None:
        found = sorted(p for p in [*root.rglob("*.yml"), *root.rglob("*.yaml")] if ".git" not in p.relative_to(root).parts and p.is_file() and not p.is_symlink())
        if found:
            _append(rng.choice(found), "\nwarm_check_key: 1\n")
        else:
            (root / "warm-check.yaml").write_text("warm_check_key: 1\n")

    def syntax(root: Path) -> None:
        for path in _pick(_python_files(root), rng, 1):
            _append(path, "\ndef broken(:\n")

    def data_check(root: Path) -> None:
        for path in _pick(_python_files(root), rng, 1, avoid_tests=True):
            _append(path, "\nimport pandera as pa\n\n\ndef _warm_check_validate(frame):\n    schema = pa.DataFrameSchema({})\n    return schema.validate(frame)\n")

    def lines_moved(root: Path) -> None:
        for path in _pick(_python_files(root), rng, 2):
            _prepend(path, "# a line inserted by check_warm_equivalence\n")

    def code(root: Path) -> None:
        for path in _pick(_python_files(root), rng, 2):
            _append(path, "\n\ndef _warm_check_added(values):\n    return sorted(values, key=len)\n")

    def lessons(root: Path) -> None:
        for number in (1, 2, 3):
            (root / f"lesson-0{number}-warm-check").mkdir(exist_ok=True)
            (root / f"lesson-0{number}-warm-check" / "train.py").write_text(f"import mlflow\n\nmlflow.log_param('lesson', {number})\n")
        readme = next((p for p in sorted(root.iterdir()) if p.name.lower().startswith("readme") and p.is_file() and not p.is_symlink()), root / "README.md")
        _append(readme, "\n\nThis course teaches you, lesson by lesson, how to track experiments: a workshop in three lessons.\n")

    return [
        ("comments", comments), ("mlflow", mlflow), ("manifest", manifest), ("deleted", deleted), ("yaml", yaml),
        ("syntax", syntax), ("data-check", data_check), ("lines moved", lines_moved), ("code", code), ("lessons", lessons),
    ]


def check(tree: Path, work: Path, seed: int) -> tuple[int, int, int, int]:
    """(steps identical, steps, records reused, records asked again) for one tree."""
    from mlops_audit.evidence.repo.collect import collect
    from mlops_audit.evidence.repo.filecache import ParseCache
    from mlops_audit.rubric.loader import default_rubric

    rubric = default_rubric()
    root = work / tree.name
    shutil.copytree(tree, root, symlinks=True)
    folder = work / f"{tree.name}.cache"

    def outputs() -> tuple[str, str, ParseCache]:
        with ParseCache(folder, KEY) as cache:  # closed: its folders stay open while it lives (hundreds per tree)
            warm = collect(root, rubric=rubric, now=FIXED_TIME, parse_cache=cache).model_dump_json(indent=1)
        plain = collect(root, rubric=rubric, now=FIXED_TIME).model_dump_json(indent=1)
        return warm, plain, cache

    same = total = reused = asked = 0
    rng = random.Random(f"{seed}:{tree.name}")
    for name, change in [("cold", lambda _: None), ("unchanged", lambda _: None), *steps(rng)]:
        change(root)
        warm, plain, cache = outputs()
        total += 1
        same += warm == plain
        if name != "cold":
            reused += cache.stats.rules_reused
            asked += cache.stats.rules_reused + cache.stats.rules_run
        verdict = "identical" if warm == plain else "DIFFERENT"
        print(f"{tree.name}: {name:<12} {verdict}; rules {cache.stats.rules_reused} reused, {cache.stats.rules_run} run", flush=True)
    return same, total, reused, asked


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", type=Path, nargs="+")
    parser.add_argument("--work", type=Path, help="folder for the copies and caches (default: a new temporary folder)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--keep", action="store_true", help="keep the copies and caches")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="warm-equivalence-", dir=args.work))
    same = total = reused = asked = 0
    try:
        for tree in args.trees:
            counts = check(tree.resolve(), work, args.seed)
            same, total, reused, asked = same + counts[0], total + counts[1], reused + counts[2], asked + counts[3]
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"identical on {same} of {total} runs; {reused} of {asked} records asked again were reused")
    return 0 if same == total else 1


if __name__ == "__main__":
    raise SystemExit(main())
