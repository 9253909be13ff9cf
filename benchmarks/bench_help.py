"""How long `mlops-audit --help` takes as a whole process (target: well under 0.5 s).

Run: python benchmarks/bench_help.py [--runs 15]
Prints the median, min and max wall time of fresh processes, and what a bare `python -c pass` costs
on the same machine, so the ratio says what our imports add.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time


def time_command(cmd: list[str], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        samples.append(time.perf_counter() - start)
    return samples


def main() -> dict[str, float]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    exe = shutil.which("mlops-audit")
    help_cmd = [exe, "--help"] if exe else [sys.executable, "-m", "mlops_audit", "--help"]
    time_command(help_cmd, 2)  # warm the page cache
    helps = time_command(help_cmd, args.runs)
    bare = time_command([sys.executable, "-c", "pass"], args.runs)
    result = {
        "help_median_s": statistics.median(helps),
        "help_min_s": min(helps),
        "help_max_s": max(helps),
        "python_bare_median_s": statistics.median(bare),
    }
    result["help_over_bare_ratio"] = result["help_median_s"] / result["python_bare_median_s"]
    print(f"mlops-audit --help: median {result['help_median_s'] * 1000:.0f} ms (min {result['help_min_s'] * 1000:.0f}, "
          f"max {result['help_max_s'] * 1000:.0f}) over {args.runs} runs; bare python {result['python_bare_median_s'] * 1000:.0f} ms; "
          f"ratio {result['help_over_bare_ratio']:.1f}x")
    return result


if __name__ == "__main__":
    main()
