"""Benchmark the audit trail: record() cost per event and verify_run() time for 10,000 events.

Run by hand (not part of the tests):  python benchmarks/bench_trail.py [--events 10000] [--repeats 5]

record() flushes and fsyncs every event, so its cost is dominated by the disk; the table shows it
with and without an output file to hash, and the same loop with fsync disabled for comparison.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

from mlops_audit.evidence.trail import AuditTrail, verify_run


def _clock() -> Callable[[], datetime]:
    ticks = iter(range(10**9))
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return lambda: start + timedelta(seconds=next(ticks))


def build(run_dir: Path, events: int, *, with_output: bool) -> float:
    """Write a run of `events` events; return seconds spent inside record() only."""
    trail = AuditTrail.create(run_dir, run_id="bench", clock=_clock())
    spent = 0.0
    for index in range(events):
        outputs = []
        if with_output:
            path = run_dir / "out" / f"{index % 50}.txt"
            path.parent.mkdir(exist_ok=True)
            path.write_text(f"artefact {index}\n")
            outputs = [f"out/{index % 50}.txt"]
        started = time.perf_counter()
        trail.record(clause="PA.2.step2", action="profile", actor="bench", role="data_engineer",
                     outputs=outputs, params={"index": index, "rule": "declared"}, metrics={"ratio": index / 7})
        spent += time.perf_counter() - started
    trail.close()
    return spent


def median_per_event(events: int, repeats: int, *, with_output: bool, fsync: bool) -> float:
    samples = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            if fsync:
                seconds = build(Path(tmp) / "run", events, with_output=with_output)
            else:
                with mock.patch.object(os, "fsync", lambda fd: None):
                    seconds = build(Path(tmp) / "run", events, with_output=with_output)
        samples.append(seconds / events)
    return statistics.median(samples)


def median_verify(events: int, repeats: int) -> tuple[float, bool]:
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = Path(tmp) / "run"
        with mock.patch.object(os, "fsync", lambda fd: None):  # building is not what is measured here
            build(run_dir, events, with_output=True)
        samples = []
        ok = True
        for _ in range(repeats):
            started = time.perf_counter()
            result = verify_run(run_dir)
            samples.append(time.perf_counter() - started)
            ok = ok and result.ok
    return statistics.median(samples), ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000, help="events in the verified run")
    parser.add_argument("--record-events", type=int, default=1_000, help="events per record() sample")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    rows = [
        ("record(), no output, fsync", median_per_event(args.record_events, args.repeats, with_output=False, fsync=True)),
        ("record(), 1 output hashed, fsync", median_per_event(args.record_events, args.repeats, with_output=True, fsync=True)),
        ("record(), 1 output hashed, no fsync", median_per_event(args.record_events, args.repeats, with_output=True, fsync=False)),
    ]
    verify_seconds, ok = median_verify(args.events, args.repeats)
    print(f"audit trail benchmark (median of {args.repeats} runs)")
    print(f"{'measure':<40} {'value':>14}")
    print("-" * 55)
    for label, seconds in rows:
        print(f"{label:<40} {seconds * 1e6:>11.1f} µs/event")
    print(f"{f'verify_run(), {args.events} events':<40} {verify_seconds * 1e3:>11.1f} ms")
    print(f"{'  per event':<40} {verify_seconds / args.events * 1e6:>11.1f} µs/event")
    if not ok:
        raise SystemExit("verification of the benchmark run failed")


if __name__ == "__main__":
    main()
