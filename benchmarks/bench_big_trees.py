"""Big trees: collect's time and peak memory against a plain keyword scan, in fresh processes.

Run by hand (not part of the tests):
    python benchmarks/bench_big_trees.py --tree /path/to/site-packages-copy [--generated 100000]
        [--gen-dir DIR] [--sizes 25000,50000,100000] [--repeats 3]

For every tree (each --tree, and a generated tree of --generated files made by bench_collect's
generator, kept in --gen-dir to be reused), each measurement runs in a fresh Python process so
that peak memory is that run's alone (maximum resident set size of the process and of its forked
background scanners, from getrusage), and prints medians of --repeats runs:
  read all   walk the tree (skipping .git) and read every file once
  keyword    walk the tree, read every file once and test it for the words of every declared needle
             and word: the "plain keyword scan that reads every file once"
  collect    mlops-audit's collect() with the bundled rubric
each in wall and CPU seconds (CPU is what to compare on a shared machine), with collect/keyword, and collect's time per listed file (over generated trees of --sizes files,
linear time means a flat column).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


sys.path.insert(0, str(HERE))
from bench_collect import generate, list_walk, read_all  # noqa: E402  (the 100k-file tree of bench_collect.py)


def _walk(root: str) -> list[str]:
    return list_walk(Path(root))


def _read_all(root: str) -> int:
    return read_all(list_walk)(Path(root))


_LETTERS = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"
_TO_WORDS = bytes(c if c in _LETTERS else 0x20 for c in range(256))


def _keyword_scan(root: str) -> int:
    """Files holding any word of any declared needle or word: each file's bytes cut into runs of
    letters (C-speed translate + split) and intersected with the set of keywords. (A regex
    alternation of the ~400 needles is 30x slower in Python's `re` and would flatter collect.)"""
    from mlops_audit.evidence.repo.registry import all_needles, all_words

    keywords = {run.encode() for n in {*all_needles(), *all_words()} for run in re.findall(r"[A-Za-z_]+", n)}
    hits = 0
    for path in _walk(root):
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            continue
        if not keywords.isdisjoint(data.translate(_TO_WORDS).split()):
            hits += 1
    return hits


def _collect(root: str) -> int:
    from mlops_audit.evidence.repo.collect import collect

    return len(collect(root).findings)


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def child(kind: str, root: str) -> None:
    """One measurement in this (fresh) process: wall and CPU seconds (the process and its forked
    scanners) and peak RSS (MiB), as JSON on stdout."""
    run = {"read": _read_all, "keyword": _keyword_scan, "collect": _collect}[kind]
    start, cpu = time.perf_counter(), _cpu()
    run(root)
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    print(json.dumps({"seconds": seconds, "cpu": cpu, "rss_mib": peak}))


def measure(kind: str, root: Path, repeats: int) -> tuple[float, float, float]:
    """(median wall seconds, median CPU seconds, largest peak RSS in MiB) over `repeats` fresh processes."""
    seconds, cpus, peaks = [], [], []
    for _ in range(repeats):
        done = subprocess.run([sys.executable, __file__, "--child", kind, str(root)], capture_output=True, text=True, check=True)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        seconds.append(result["seconds"])
        cpus.append(result["cpu"])
        peaks.append(result["rss_mib"])
    return statistics.median(seconds), statistics.median(cpus), max(peaks)


def bench(label: str, root: Path, repeats: int) -> dict[str, float]:
    files = len(_walk(str(root)))
    t_read, c_read, _ = measure("read", root, repeats)
    t_key, c_key, m_key = measure("keyword", root, repeats)
    t_col, c_col, m_col = measure("collect", root, repeats)
    print(
        f"| {label} | {files:,} | {t_read:.2f} s ({c_read:.2f}) | {t_key:.2f} s ({c_key:.2f}; {m_key:.0f} MiB) | {t_col:.2f} s ({c_col:.2f}) | "
        f"{m_col:.0f} MiB | {t_col / t_key:.1f}x ({c_col / c_key:.1f}x) | {1e6 * c_col / files:.1f} µs |",
        flush=True,
    )
    return {"files": files, "read": t_read, "keyword": t_key, "collect": t_col, "collect_cpu": c_col, "keyword_cpu": c_key, "collect_rss": m_col}


def generated(gen_dir: Path, files: int) -> Path:
    root = gen_dir / f"tree-{files}"
    if not root.is_dir() or not any(root.iterdir()):
        root.mkdir(parents=True, exist_ok=True)
        generate(root, files)
    return root


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tree", action="append", default=[], help="a real tree to measure (repeatable)")
    parser.add_argument("--generated", type=int, default=100_000, help="files of the generated tree (0: none)")
    parser.add_argument("--sizes", default="", help="also generated trees of these sizes, for the time-per-file column (e.g. 25000,50000)")
    parser.add_argument("--gen-dir", default="/tmp/bench-big-trees", help="where generated trees are made and kept")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"median of {args.repeats} fresh processes each; peak memory = max RSS of the process and its forked scanners\n")
    print("wall seconds (CPU seconds in brackets, process and forked scanners)\n")
    print("| tree | files | read all | keyword scan (CPU; peak) | collect (CPU) | collect peak | collect/keyword wall (CPU) | collect CPU per file |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for tree in args.tree:
        bench(Path(tree).name, Path(tree), args.repeats)
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()} | ({args.generated} if args.generated else set()))
    for size in sizes:
        bench(f"generated {size:,}", generated(Path(args.gen_dir), size), args.repeats)


if __name__ == "__main__":
    main()
