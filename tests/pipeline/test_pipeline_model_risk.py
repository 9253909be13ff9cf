"""CASE.mra.2: the validator's process review verifies the development trail and can fail."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from mlops_audit.evidence.trail import AuditTrail
from reference_pipeline.config import load_config
from reference_pipeline.context import RunContext
from reference_pipeline.stages import model_risk
from tests.pipeline.helpers import package_from_run, ticking_clock

pytestmark = pytest.mark.slow  # uses the shared full run


def review(run_dir: Path, tmp_path: Path, retrained: bool = True) -> dict[str, bool]:
    trail = AuditTrail.create(tmp_path / "validation", run_id="review-test", clock=ticking_clock())
    ctx = RunContext(config=load_config(), run_dir=tmp_path / "validation", trail=trail)
    report, _ = model_risk.process_review(ctx, run_dir, package_from_run(run_dir, 2), retrained)
    return {c["check"]: c["passed"] for c in report["checks"]}


def copy_of(default_run: Any, tmp_path: Path) -> Path:
    target = tmp_path / "development"
    shutil.copytree(default_run.run_dir, target, ignore=shutil.ignore_patterns("validation"))
    return target


def test_an_intact_development_run_passes_every_process_check(default_run: Any, tmp_path: Path) -> None:
    assert all(review(copy_of(default_run, tmp_path), tmp_path).values())


def test_a_changed_artefact_fails_the_review(default_run: Any, tmp_path: Path) -> None:
    run_dir = copy_of(default_run, tmp_path)
    (run_dir / "data/quarantine.csv").write_text("reason\n")  # hide the rejected rows after the fact
    checks = review(run_dir, tmp_path)
    assert checks["development_trail_verifies"] is False
    assert checks["all_pipeline_steps_ran"] is False  # nothing counts from a trail that does not verify


def test_a_swapped_production_model_fails_the_digest_chain(default_run: Any, tmp_path: Path) -> None:
    run_dir = copy_of(default_run, tmp_path)
    trail = AuditTrail.create(tmp_path / "validation", run_id="review-test", clock=ticking_clock())
    ctx = RunContext(config=load_config(), run_dir=tmp_path / "validation", trail=trail)
    # The v2 package, presented with the v1 registry entry: the digests no longer line up.
    swapped = replace(package_from_run(run_dir, 2), model=package_from_run(run_dir, 1).model)
    report, _ = model_risk.process_review(ctx, run_dir, swapped, True)
    checks = {c["check"]: c["passed"] for c in report["checks"]}
    assert checks["production_model_is_the_registered_tested_one"] is False
