"""Collect time of two versions of the code, paired repository by repository: the drift of a busy or
thermally throttled machine falls on both versions alike.

Run by hand (not part of the tests; the checkouts are not in this repository):
    python benchmarks/bench_paired_collect.py OLD_SRC NEW_SRC --only LIST [--root /tmp/mlrepos] [--rounds 2]

OLD_SRC and NEW_SRC are the `src` folders of two exports of the project (`git archive REV | tar -x -C DIR`).
Two worker processes, one per version (the version's `src` first on PYTHONPATH), collect the same
checkouts: for each checkout both collect it, one right after the other, the order alternating from one
checkout to the next and from round to round. Each worker times its own `collect()` in CPU seconds, so
start-up and imports are left out. Alternating whole runs of a few minutes each (bench_labelled_collect)
left rounds 15-40 % apart on the development machine; paired rounds agree within a few per cent.
Prints the CPU seconds of each version per round and the ratio NEW/OLD.
"""

from __future__ import annotations

import argparse
import datetime
import os
import resource
import subprocess
import sys
from pathlib import Path

FIXED_TIME = datetime.datetime(2026, 1, 1)


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def worker(root: Path) -> None:
    """Read checkout folder names from stdin; collect each, print the CPU seconds it took."""
    from mlops_audit.evidence.repo.collect import collect

    for line in sys.stdin:
        started = _cpu()
        try:
            collect(root / line.strip(), now=FIXED_TIME)
        except Exception as error:  # noqa: BLE001 - a failing checkout costs what it cost; say so
            print(f"warning: {line.strip()}: {type(error).__name__}: {error}", file=sys.stderr)
        print(f"{_cpu() - started:.4f}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old_src", type=Path)
    parser.add_argument("new_src", type=Path)
    parser.add_argument("--only", type=Path, required=True, help="checkout folder names, one a line")
    parser.add_argument("--root", type=Path, default=Path("/tmp/mlrepos"))
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.root)
        return 0
    names = [line.strip() for line in args.only.read_text().splitlines() if line.strip()]

    def start(src: Path) -> subprocess.Popen[str]:
        env = dict(os.environ, PYTHONPATH=str(src.resolve()))
        command = [sys.executable, str(Path(__file__).resolve()), str(src), str(src), "--only", str(args.only), "--root", str(args.root), "--worker"]
        return subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)

    old, new = start(args.old_src), start(args.new_src)

    def ask(process: subprocess.Popen[str], name: str) -> float:
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(name + "\n")
        process.stdin.flush()
        return float(process.stdout.readline())

    for round_number in range(args.rounds):
        old_cpu = new_cpu = 0.0
        for i, name in enumerate(names):
            if (i + round_number) % 2 == 0:
                old_cpu += ask(old, name)
                new_cpu += ask(new, name)
            else:
                new_cpu += ask(new, name)
                old_cpu += ask(old, name)
        print(f"round {round_number + 1}: old {old_cpu:.2f} s CPU, new {new_cpu:.2f} s CPU, new/old {new_cpu / old_cpu:.3f}", flush=True)
    for process in (old, new):
        assert process.stdin is not None
        process.stdin.close()
        process.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
