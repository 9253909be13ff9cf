"""Benchmark `mlops-audit portfolio collect` against looping `mlops-audit collect` over the same repositories.

Run by hand (not part of the tests):
    python benchmarks/bench_portfolio.py [--sizes 100,300,1000] [--jobs 2] [--tree DIR ...] [--work DIR]
                                         [--baseline 100] [--hardlink]

An estate of max(--sizes) repositories is made of copies of a few template trees: generated ones
(bench_collect's generator: 60 files as a git work tree, 400 files as a plain folder, 150 files as
a git work tree) plus every --tree given (e.g. exported checkouts of real public repositories).
Each size N is the first N repositories, named in a path list (so every run is the same CLI
command a user would type). For each N it prints:
  cold      wall time of `portfolio collect` into an empty folder, per repository, and peak memory
            (the largest sum of resident memory of the CLI and its workers, sampled every 0.1 s)
  warm      the same command again with nothing changed (everything unchanged, nothing collected)
  baseline  a shell-style loop of `mlops-audit collect REPO --out FILE`, one process per repository,
            over the first --baseline repositories, serially (what the issue says users do today)
            and two at a time (the same loop with 2 processes, for a fair use of 2 cores);
            for N > --baseline the loop time is extrapolated linearly from its per-repository mean
            and marked "(extrapolated)"
SOURCE_DATE_EPOCH is fixed, so results are comparable across runs.

    python benchmarks/bench_portfolio.py --cache-rerun DIR [--cache-rerun DIR ...] [--repeats 3] [--changed 0.01]

instead measures the per-file parse cache on each tree DIR (copied to the work folder first), in
this process, medians of --repeats (wall and CPU seconds):
  read all     listing + reading every listed file once (the issue's "about one read of it")
  no cache     collect() without a parse cache
  cold cache   collect() into an empty cache (parses and stores every summary and rule result)
  unchanged    collect() again with that cache, nothing changed
  warm         after changing --changed of the Python files (a comment appended to each, a
               different set each repeat), collect() with the cache the previous runs left
  no memo      the same changed state, on a copy of the cache taken before `warm`, with the rule
               memo off (`rule_memo=False`: every rule runs on cached summaries, as before format 9)
with the ratios against no-cache and read-all and the cache's counts. With a main that has no rule
memo (before format 9) the `unchanged` and `no memo` rows are left out, so its `warm` row is what to
compare (run main's own copy of this file with `PYTHONPATH=<export of main>/src`).

    python benchmarks/bench_portfolio.py --scheduler-run N [--tree DIR ...] [--repeats 3]

instead times `portfolio collect` on a real multi-process Dask cluster on the loopback interface
against the local run, on the first N repositories of the estate (--no-cache, so both do the same
work): it starts `dask scheduler` and two `dask worker --nthreads 1` processes (stopped at the
end), runs `portfolio collect LIST --scheduler tcp://127.0.0.1:PORT` and `portfolio collect LIST
--jobs 2`, alternating, medians of --repeats, and checks that both folders hold the same bytes
(every file but timings.json, as the suite's LocalCluster test does).
"""

from __future__ import annotations

import argparse
import inspect
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_collect import generate, git, list_walk, read_all  # noqa: E402 - the same generated trees as the collection benchmark

CLI = [sys.executable, "-m", "mlops_audit"]
ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1764504000"}


def make_templates(root: Path, extra: list[Path]) -> list[Path]:
    templates = []
    for name, files, as_git in (("gen-60-git", 60, True), ("gen-400-plain", 400, False), ("gen-150-git", 150, True)):
        folder = root / name
        folder.mkdir(parents=True)
        generate(folder, files)
        (folder / "Dockerfile").write_text("FROM python:3.11\n")
        if as_git:
            git(folder, "init", "-q")
            git(folder, "add", "-A")
            git(folder, "commit", "-q", "-m", "initial")
        templates.append(folder)
    return templates + [p.resolve() for p in extra]


def make_estate(root: Path, templates: list[Path], count: int, hardlink: bool) -> list[Path]:
    estate = root / "estate"
    estate.mkdir()
    repos = []
    for i in range(count):
        target = estate / f"repo-{i:04d}"
        subprocess.run(["cp", "-al" if hardlink else "-a", str(templates[i % len(templates)]), str(target)], check=True)
        repos.append(target)
    return repos


def tree_rss_kib(pid: int) -> int:
    """Resident memory of `pid` and all its descendants (Linux /proc)."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except (OSError, ValueError):
            continue
        pending += [int(c) for c in children]
    return total


def timed(command: list[str]) -> tuple[float, int, str]:
    """(wall seconds, peak tree RSS in KiB, stderr's last line) of one command."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, tree_rss_kib(proc.pid))
            stop.wait(0.1)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - start
    stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({proc.returncode}):\n{err}")
    lines = err.strip().splitlines()
    return wall, peak, lines[-1] if lines else ""


def baseline(repos: list[Path], out: Path, parallel: int) -> float:
    out.mkdir(parents=True, exist_ok=True)

    def one(repo: Path) -> None:
        subprocess.run([*CLI, "collect", str(repo), "--out", str(out / f"{repo.name}.json")], env=ENV, check=True, capture_output=True)

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        list(pool.map(one, repos))
    return time.perf_counter() - start


def _timed_call(func: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    func()
    return time.perf_counter() - wall, time.process_time() - cpu


def cache_rerun(tree: Path, work: Path, repeats: int, changed: float) -> None:
    """The parse cache on one tree: no cache, cold, warm after a few files changed, against read-all."""
    import statistics

    from mlops_audit.evidence.repo.collect import collect
    from mlops_audit.evidence.repo.filecache import ParseCache
    from mlops_audit.rubric.loader import default_rubric

    root = work / f"cache-{tree.name}"
    shutil.copytree(tree, root, symlinks=True)
    rubric = default_rubric()
    python = sorted(p for p in root.rglob("*.py") if ".git" not in p.parts)
    per_run = max(1, round(len(python) * changed))
    key = b"bench-key-" + b"0" * 32
    collect(root, rubric=rubric)  # warm the page cache and imports
    memo = "rule_memo" in inspect.signature(collect).parameters  # main before format 9 has no rule memo
    rows: dict[str, list[tuple[float, float]]] = {"read all": [], "no cache": [], "cold cache": [], "unchanged": [], "warm": [], "no memo": []}
    if not memo:
        del rows["unchanged"], rows["no memo"]
    reused = run = 0
    hits = misses = needle_hits = needle_misses = from_pack = 0
    for attempt in range(repeats):
        rows["read all"].append(_timed_call(lambda: read_all(list_walk)(root)))
        rows["no cache"].append(_timed_call(lambda: collect(root, rubric=rubric)))
        folder = work / f"cache-folder-{tree.name}-{attempt}"
        rows["cold cache"].append(_timed_call(lambda: collect(root, rubric=rubric, parse_cache=ParseCache(folder, key))))
        if memo:
            rows["unchanged"].append(_timed_call(lambda: collect(root, rubric=rubric, parse_cache=ParseCache(folder, key))))
            shutil.copytree(folder, folder.with_name(folder.name + "-copy"))
        for path in python[attempt * per_run : (attempt + 1) * per_run]:
            with path.open("a") as handle:
                handle.write(f"\n# changed by bench_portfolio {attempt}\n")
        cache = ParseCache(folder, key)
        rows["warm"].append(_timed_call(lambda: collect(root, rubric=rubric, parse_cache=cache)))
        if memo:
            copy = ParseCache(folder.with_name(folder.name + "-copy"), key)
            rows["no memo"].append(_timed_call(lambda: collect(root, rubric=rubric, parse_cache=copy, rule_memo=False)))
            reused, run = cache.stats.rules_reused, cache.stats.rules_run
        hits, misses = cache.stats.hits, cache.stats.misses
        needle_hits, needle_misses = cache.needle_stats.hits, cache.needle_stats.misses
        from_pack = cache.needle_stats.from_pack
    med = {name: (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)) for name, runs in rows.items()}
    files = sum(1 for _ in list_walk(root))
    print(f"{tree.name}: {files} files, {len(python)} Python; {per_run} Python files changed before each warm run; median of {repeats}")
    for name, (wall, cpu) in med.items():
        print(f"  {name:<11} {wall:8.3f} s wall {cpu:8.4f} s CPU")
    warm, plain, read = med["warm"], med["no cache"], med["read all"]
    print(f"  warm/no-cache {warm[0] / plain[0]:.2f} (CPU {warm[1] / plain[1]:.2f}); warm/read-all {warm[0] / read[0]:.1f}x"
          f" (CPU {warm[1] / max(read[1], 1e-9):.1f}x); last warm run: {hits} hits, {misses} misses;"
          f" needle answers {needle_hits} hits, {needle_misses} misses, {from_pack} files' answers from the repository's pack"
          + (f"; rules {reused} reused, {run} run" if memo else ""))
    for name in ("unchanged", "no memo"):
        if name in med:
            print(f"  {name}/read-all {med[name][0] / read[0]:.1f}x (CPU {med[name][1] / max(read[1], 1e-9):.1f}x); {name}/no-cache CPU {med[name][1] / plain[1]:.3f}")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def folder_bytes(root: Path) -> dict[str, bytes]:
    """Every file of a portfolio folder but timings.json (run-dependent by design)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and p.name != "timings.json"}


def scheduler_run(repos: list[Path], work: Path, repeats: int) -> None:
    """`portfolio collect` on a loopback cluster of separate processes against the local run."""
    import statistics

    cli = str(Path(sys.executable).with_name("dask"))  # the command a user starts a cluster with
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": ENV}
    procs = [subprocess.Popen([cli, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"], **quiet)]  # type: ignore[call-overload]
    try:
        for n in range(2):
            procs.append(subprocess.Popen([cli, "worker", address, "--nthreads", "1", "--no-dashboard", "--name", f"bench-{n}",
                                           "--local-directory", str(work / f"dask-worker-{n}")], **quiet))  # type: ignore[call-overload]
        from distributed import Client

        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
            print(f"cluster: scheduler {address}, workers {sorted(w['name'] for w in client.scheduler_info()['workers'].values())}")
        listing = work / "repos.txt"
        listing.write_text("".join(f"{p}\n" for p in repos))
        times: dict[str, list[float]] = {"local, --jobs 2": [], "dask, 2 worker processes": []}
        for attempt in range(repeats):
            for label, extra in (("local, --jobs 2", ["--jobs", "2"]), ("dask, 2 worker processes", ["--scheduler", address])):
                out = work / f"out-{attempt}-{extra[0][2:]}"
                wall, _, last = timed([*CLI, "portfolio", "collect", str(listing), "--out", str(out), "--no-cache", *extra])
                times[label].append(wall)
                print(f"  run {attempt + 1} {label:<26} {wall:7.2f} s  {last}", flush=True)
            same = folder_bytes(work / f"out-{attempt}-jobs") == folder_bytes(work / f"out-{attempt}-scheduler")
            print(f"  run {attempt + 1}: the two folders are {'byte-identical' if same else 'DIFFERENT'} (all files but timings.json)")
        for label, walls in times.items():
            print(f"{label:<26} median {statistics.median(walls):7.2f} s wall over {len(repos)} repositories")
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in reversed(procs):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,300,1000")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--tree", action="append", default=[], type=Path, help="also copy this checkout into the estate (repeatable)")
    parser.add_argument("--baseline", type=int, default=100, help="repositories the CLI loop really runs over (0: skip)")
    parser.add_argument("--hardlink", action="store_true", help="hard-link the copies (fast to make; every copy shares one page cache)")
    parser.add_argument("--work", type=Path, help="work folder (default: a temporary one, removed afterwards)")
    parser.add_argument("--cache-rerun", action="append", default=[], type=Path, metavar="DIR", help="measure the parse cache on this tree instead (repeatable)")
    parser.add_argument("--repeats", type=int, default=3, help="--cache-rerun: runs per measurement (median)")
    parser.add_argument("--changed", type=float, default=0.01, help="--cache-rerun: share of Python files changed before each warm run")
    parser.add_argument("--scheduler-run", type=int, metavar="N", help="time N repositories on a loopback Dask cluster of processes instead")
    args = parser.parse_args()
    if args.cache_rerun:
        work = Path(tempfile.mkdtemp(prefix="bench-cache-", dir=args.work))
        try:
            for tree in args.cache_rerun:
                cache_rerun(tree, work, args.repeats, args.changed)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return
    sizes = sorted(int(s) for s in args.sizes.split(","))
    work = Path(tempfile.mkdtemp(prefix="bench-portfolio-", dir=args.work))
    try:
        started = time.perf_counter()
        templates = make_templates(work / "templates", args.tree)
        repos = make_estate(work, templates, args.scheduler_run or sizes[-1], args.hardlink)
        if args.scheduler_run:
            print(f"estate: {len(repos)} repositories from {len(templates)} templates ({', '.join(t.name for t in templates)})")
            scheduler_run(repos, work, args.repeats)
            return
        print(f"estate: {len(repos)} repositories from {len(templates)} templates ({', '.join(t.name for t in templates)}), made in {time.perf_counter() - started:.0f} s")
        per_repo_loop: dict[int, float] = {}
        if args.baseline:
            sample = repos[: args.baseline]
            for parallel in (1, 2):
                seconds = baseline(sample, work / f"baseline-{parallel}", parallel)
                per_repo_loop[parallel] = seconds / len(sample)
                print(f"baseline loop of 'mlops-audit collect', {parallel} at a time, {len(sample)} repos: {seconds:.1f} s ({per_repo_loop[parallel] * 1000:.0f} ms/repo)")
        print(f"{'N':>6} {'cold s':>8} {'ms/repo':>8} {'peak MiB':>9} {'warm s':>7} {'warm/cold':>9} {'loop s':>10} {'loop/cold':>9} {'loop2 s':>10} {'loop2/cold':>10}")
        for n in sizes:
            listing = work / f"repos-{n}.txt"
            listing.write_text("".join(f"{p}\n" for p in repos[:n]))
            out = work / f"portfolio-{n}"
            command = [*CLI, "portfolio", "collect", str(listing), "--out", str(out), "--jobs", str(args.jobs)]
            cold, peak, last = timed(command)
            warm, _, warm_last = timed(command)
            if "0 collected" not in warm_last or f"{n} unchanged" not in warm_last.replace(" 0 errors", ""):
                print(f"  warning: warm run did not skip everything: {warm_last}")
            row = f"{n:>6} {cold:>8.1f} {cold / n * 1000:>8.0f} {peak / 1024:>9.0f} {warm:>7.1f} {warm / cold:>9.2f}"
            for parallel in (1, 2):
                if parallel in per_repo_loop:
                    loop = per_repo_loop[parallel] * n
                    mark = "" if n <= args.baseline else "*"
                    row += f" {loop:>9.1f}{mark or ' '} {loop / cold:>9.1f}x"
            print(row, flush=True)
            print(f"        {last}")
        print("* extrapolated from the loop's mean time per repository")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
