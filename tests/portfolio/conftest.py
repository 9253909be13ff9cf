"""Fixtures: one generated estate and one local portfolio run over it, shared by the module tests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from mlops_audit.portfolio.runner import RunOptions, collect_portfolio
from mlops_audit.portfolio.sources import expand_sources
from tests.portfolio.estate import make_estate, make_trouble

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
TIMEOUT = 10.0  # seconds; a small repository takes well under one even on a loaded machine (start-up is not counted); the hanging one waits this long
# For runs with no hanging repository the limit is never meant to be reached: a generous one keeps a
# loaded machine (parallel test workers) from turning a slow collect into a flaky timeout.
NO_HANG_TIMEOUT = 60.0


@pytest.fixture(scope="session")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("estate")
    make_estate(root)
    make_trouble(root)
    return root


@pytest.fixture(scope="session")
def collected(estate: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    """The whole estate plus the hanging and dying repositories, 2 jobs."""
    out = tmp_path_factory.mktemp("portfolio") / "out"
    mp = pytest.MonkeyPatch()
    mp.setenv("MLOPS_AUDIT_PORTFOLIO_TEST_HANG", "trouble-hang")
    mp.setenv("MLOPS_AUDIT_PORTFOLIO_TEST_DIE", "trouble-die")
    try:
        specs = expand_sources([estate / "estate", estate / "trouble.txt"])
        summary = collect_portfolio(specs, out, RunOptions(now=NOW, jobs=2, timeout=TIMEOUT))
    finally:
        mp.undo()
    return out, summary
