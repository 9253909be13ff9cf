"""Helpers for the reference-pipeline tests: injected clock and timer, a smaller config."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mlops_audit.util.jsonio import sha256_file
from reference_pipeline.config import PipelineConfig, load_config
from reference_pipeline.registry import ModelVersion
from reference_pipeline.run import RunSummary, run_pipeline
from reference_pipeline.stages.integration import Package

START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
RUN_ID = "run-test-0001"


def ticking_clock(step_seconds: int = 1) -> Callable[[], datetime]:
    """A clock that advances by `step_seconds` each time it is read."""
    state = {"now": START}

    def clock() -> datetime:
        state["now"] += timedelta(seconds=step_seconds)
        return state["now"]

    return clock


def ticking_timer(step_seconds: float = 0.0005) -> Callable[[], float]:
    """A perf-counter stand-in: each read advances `step_seconds` (0.5 ms per request by default)."""
    state = {"t": 0.0}

    def timer() -> float:
        state["t"] += step_seconds
        return state["t"]

    return timer


def small_config() -> PipelineConfig:
    """The bank scenario with fewer rows: same stages, same drift episode, about a third of the work."""
    config = load_config()
    data = config.data.model_copy(update={
        "batch_rows": 1200, "stream_batches": 2, "stream_batch_rows": 150,
        "monitor_rows": 1500, "canary_rows": 1600, "post_rows": 800,
    })
    return config.model_copy(update={"data": data})


def run_reproducibly(config: PipelineConfig, run_dir: Path, **kwargs: object) -> RunSummary:
    return run_pipeline(config, run_dir, clock=ticking_clock(), run_id=RUN_ID, timer=ticking_timer(), **kwargs)


def package_from_run(run_dir: Path, version: int) -> Package:
    """A deployed package of a finished run, as the stages hand it on (without in-memory frames)."""
    import json

    import pandas as pd

    index = json.loads((run_dir / "registry/index.json").read_text())["models"]
    (name,) = index
    path = f"deploy/packages/{name}-v{version}"
    return Package(name=f"{name}-v{version}", path=path, manifest_sha256=sha256_file(run_dir / path / "MANIFEST.json"),
                   model=ModelVersion.model_validate(index[name][version - 1]), holdout_scores_path="",
                   holdout_features=pd.DataFrame(), reference_features=pd.DataFrame())

