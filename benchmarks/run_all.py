"""Run every benchmark the project quotes and print their results one after another.

Run by hand (never in CI: the machines are shared and noisy): python benchmarks/run_all.py
Each script prints its own medians and ratios; this runner adds the wall time of each script and a
closing table. Results quoted in docs/benchmarks.md come from this runner.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = [
    ("help start-up", "bench_help.py", []),
    ("scoring 1,000 respondents", "bench_scoring.py", []),
    ("audit trail record/verify", "bench_trail.py", []),
    ("repository collection", "bench_collect.py", []),
    ("reference pipeline + trail overhead", "bench_pipeline.py", []),
    ("report render", "bench_report.py", []),
]


def main() -> int:
    rows = []
    failed = 0
    for title, script, args in SCRIPTS:
        path = HERE / script
        print(f"\n=== {title} ({script}) ===", flush=True)
        if not path.is_file():
            print("missing: this benchmark is not built")
            rows.append((title, "missing", ""))
            failed += 1
            continue
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, str(path), *args], capture_output=True, text=True)
        wall = time.perf_counter() - start
        print(proc.stdout.rstrip())
        if proc.returncode != 0:
            print(proc.stderr.rstrip()[-2000:])
            failed += 1
        last = next((line for line in reversed(proc.stdout.splitlines()) if line.strip()), "")
        rows.append((title, "ok" if proc.returncode == 0 else f"exit {proc.returncode}", f"{wall:.1f} s  | {last[:110]}"))
    print("\n=== summary ===")
    for title, status, detail in rows:
        print(f"{title:<38} {status:<8} {detail}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
