"""Run time of the default reference-pipeline scenario, and what the audit trail adds to it.

Run: python benchmarks/bench_pipeline.py [--runs 3] [--config FILE]
Times the whole default scenario (all stages, both trails closed, model risk validation) as the
median of --runs runs, then the same runs with a null trail: an object with the trail's interface
that records nothing, hashes nothing and writes no manifest. The ratio with/without is the trail's
overhead. (With the null trail the model risk process review finds no trail and fails; it still
does its other work, so the comparison is of equal computation.) Runs of both kinds are
interleaved. On a loaded shared machine the ratio of two medians is noisy, so the time spent inside
the real trail's calls is also summed directly (TimedTrail). Target: well under a minute on 2 cores,
aiming at < 20 s.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any


class NullTrail:
    """Same interface as AuditTrail; records nothing."""

    def __init__(self, run_dir: Path) -> None:
        Path(run_dir).mkdir(parents=True, exist_ok=True)

    @classmethod
    def create(cls, run_dir: Path, *, run_id: str, clock: Any = None, system: Any = None) -> NullTrail:
        return cls(run_dir)

    def ref(self, path: str, name: str | None = None) -> dict[str, str]:
        return {"name": name or str(path), "sha256": "0" * 64}

    def record(self, **event: Any) -> None:
        return None

    def close(self, signing_key: Any = None) -> None:
        return None


class TimedTrail:
    """The real AuditTrail, with the time spent inside its calls added up (a direct measure of the
    trail's cost, steadier on a shared machine than the difference of two medians)."""

    spent = 0.0

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    @classmethod
    def create(cls, run_dir: Path, *, run_id: str, clock: Any = None) -> TimedTrail:
        from mlops_audit.evidence.trail import AuditTrail

        start = time.perf_counter()
        trail = cls(AuditTrail.create(run_dir, run_id=run_id, clock=clock))
        TimedTrail.spent += time.perf_counter() - start
        return trail

    def _timed(self, name: str, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return getattr(self._inner, name)(*args, **kwargs)
        finally:
            TimedTrail.spent += time.perf_counter() - start

    def ref(self, *args: Any, **kwargs: Any) -> Any:
        return self._timed("ref", *args, **kwargs)

    def record(self, **event: Any) -> Any:
        return self._timed("record", **event)

    def close(self, signing_key: Any = None) -> Any:
        return self._timed("close", signing_key)


def time_runs(config: Any, runs: int, factory: Any) -> list[float]:
    from reference_pipeline.run import run_pipeline

    samples = []
    for index in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            run_pipeline(config, Path(tmp) / "run", run_id=f"bench-{index}", trail_factory=factory)
            samples.append(time.perf_counter() - start)
    return samples


def main() -> dict[str, float]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)  # median of 3 per kind, interleaved
    parser.add_argument("--config", default=None)
    args = parser.parse_args()

    from reference_pipeline.config import load_config

    config = load_config(args.config)
    time_runs(config, 1, NullTrail.create)  # warm imports and caches
    # Interleaved, so that load from other processes hits both kinds of run alike.
    with_trail: list[float] = []
    without: list[float] = []
    inside: list[float] = []
    for _ in range(args.runs):
        TimedTrail.spent = 0.0
        with_trail += time_runs(config, 1, TimedTrail.create)
        inside.append(TimedTrail.spent)
        without += time_runs(config, 1, NullTrail.create)
    result = {
        "with_trail_median_s": statistics.median(with_trail),
        "null_trail_median_s": statistics.median(without),
        "inside_trail_calls_median_s": statistics.median(inside),
    }
    result["overhead_ratio"] = result["with_trail_median_s"] / result["null_trail_median_s"]
    print(f"default scenario with audit trail: median {result['with_trail_median_s']:.2f} s "
          f"(runs: {', '.join(f'{s:.2f}' for s in with_trail)})")
    print(f"same runs with a null trail:       median {result['null_trail_median_s']:.2f} s "
          f"(runs: {', '.join(f'{s:.2f}' for s in without)})")
    print(f"time inside trail calls (record/ref/close, per run): median {result['inside_trail_calls_median_s']:.3f} s "
          f"= {result['inside_trail_calls_median_s'] / result['with_trail_median_s']:.1%} of a run "
          "(the model risk review's verify_run is not included here)")
    print(f"trail overhead ratio (with / without): {result['overhead_ratio']:.3f}")
    return result


if __name__ == "__main__":
    main()
