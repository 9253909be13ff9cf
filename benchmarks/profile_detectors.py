"""Where collect's time goes on one tree: CPU and wall seconds per detector, files parsed per
detector, and optionally a cProfile of the slowest detectors (by cumulative time).

Run by hand (not part of the tests):
    python benchmarks/profile_detectors.py TREE [--top 5] [--profile 3]

One process, detectors in collect's execution order, each timed around `run_detector` (what a
detector costs includes the parsing it triggers and, for the first detector that needs them, the
wait for the background needle/word scans).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import resource
import time

from mlops_audit.evidence.repo.collect import build_index, execution_order, run_detector
from mlops_audit.evidence.repo.gcpause import fewer_collections
from mlops_audit.evidence.repo.registry import all_detectors


def cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("tree")
    parser.add_argument("--top", type=int, default=8, help="detectors listed, slowest first")
    parser.add_argument("--profile", type=int, default=0, help="cProfile this many of the slowest detectors (run again, in the same index)")
    args = parser.parse_args()
    start_wall, start_cpu = time.perf_counter(), cpu()
    index = build_index(args.tree)
    listing = time.perf_counter() - start_wall
    rows = []
    with fewer_collections():  # as collect runs its detectors
        for det in sorted(all_detectors(), key=execution_order):
            parsed, wall, used = index._parsed_files, time.perf_counter(), cpu()
            outcome = run_detector(det, index).outcome.value
            rows.append((cpu() - used, time.perf_counter() - wall, index._parsed_files - parsed, det.id, outcome))
    total_wall, total_cpu = time.perf_counter() - start_wall, cpu() - start_cpu
    left = index.stats.installed
    print(f"{args.tree}: {index.stats.files_listed:,} files listed ({len(index.python_files()):,} Python), "
          f"{len(left.left_out):,} left out as installed ({len(left.distributions)} distributions), {len(index.stats.vendored)} vendored folders; "
          f"listing {listing:.2f} s; total {total_wall:.1f} s wall, {total_cpu:.1f} s CPU; {index._parsed_files:,} files parsed; "
          f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    print("| detector | CPU s | wall s | files parsed (first time) | outcome |")
    print("| --- | ---: | ---: | ---: | --- |")
    rows.sort(reverse=True)
    for used, wall, parsed, ident, outcome in rows[: args.top]:
        print(f"| {ident} | {used:.1f} | {wall:.1f} | {parsed:,} | {outcome} |")
    rest = rows[args.top :]
    print(f"| {len(rest)} others | {sum(r[0] for r in rest):.1f} | {sum(r[1] for r in rest):.1f} | {sum(r[2] for r in rest):,} | |")
    by_id = {det.id: det for det in all_detectors()}
    for _, _, _, ident, _ in rows[: args.profile]:
        fresh = build_index(args.tree)  # parsing caches empty again: the detector pays for all it parses (and the scans' wait)
        profiler = cProfile.Profile()
        profiler.enable()
        run_detector(by_id[ident], fresh)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(18)
        print(f"\n### cProfile of {ident} (fresh index)\n")
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:6000])


if __name__ == "__main__":
    main()
