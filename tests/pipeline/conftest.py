"""Fixtures for the reference pipeline tests.

A full default run costs several seconds, so the stage-contract tests share one run made once per
session (`default_run`); the determinism and CLI tests use the smaller config from helpers.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from reference_pipeline.config import load_config
from reference_pipeline.run import RunSummary
from tests.pipeline.helpers import run_reproducibly


@pytest.fixture(autouse=True)
def single_threaded_native_pools() -> Iterator[None]:
    """As run_pipeline does: OpenMP/BLAS oversubscription makes fits far slower on shared cores."""
    import sklearn.ensemble  # noqa: F401  (threadpoolctl limits only libraries already loaded)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield


@dataclass
class SharedRun:
    run_dir: Path
    summary: RunSummary


@pytest.fixture(scope="session")
def default_run(tmp_path_factory: pytest.TempPathFactory) -> SharedRun:
    run_dir = tmp_path_factory.mktemp("pipeline") / "default-run"
    summary = run_reproducibly(load_config(), run_dir)
    return SharedRun(run_dir, summary)
