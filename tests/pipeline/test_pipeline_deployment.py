"""PA.5 rollouts by the declared rules: promote, roll back on AUC or on service health, A/B split.

The two packages of the shared default run are redeployed in a fresh run folder: v1 (trained before
the drift episode) and v2 (retrained on the drifted window), on the drift-episode canary traffic.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from mlops_audit.evidence.trail import AuditTrail, verify_run
from reference_pipeline.config import PipelineConfig, load_config
from reference_pipeline.context import RunContext
from reference_pipeline.data.sources import load_scenario
from reference_pipeline.stages import deployment
from reference_pipeline.stages.integration import Package
from tests.pipeline.helpers import package_from_run, ticking_clock, ticking_timer

pytestmark = pytest.mark.slow  # uses the shared full run


@pytest.fixture(scope="module")
def canary_window() -> pd.DataFrame:
    return load_scenario(load_config()).windows["canary"]


def deploy(default_run: Any, tmp_path: Path, config: PipelineConfig, challenger_version: int,
           champion_version: int, window: pd.DataFrame) -> tuple[deployment.DeploymentResult, Path]:
    run_dir = tmp_path / "run"
    trail = AuditTrail.create(run_dir, run_id="rollout-test", clock=ticking_clock())
    shutil.copytree(default_run.run_dir / "deploy/packages", run_dir / "deploy/packages")

    def package(version: int) -> Package:
        return package_from_run(default_run.run_dir, version)  # same relative path, copied bytes

    ctx = RunContext(config=config, run_dir=run_dir, trail=trail, timer=ticking_timer())
    result = deployment.rollout(ctx, package(challenger_version), package(champion_version), window,
                                "default", 1, 2, [])
    trail.close()
    assert verify_run(run_dir).ok
    return result, run_dir


def test_the_retrained_model_is_promoted_through_every_canary_step(default_run: Any, tmp_path: Path,
                                                                   canary_window: pd.DataFrame) -> None:
    result, run_dir = deploy(default_run, tmp_path, load_config(), 2, 1, canary_window)
    assert (result.verdict, result.steps_completed) == ("promote", 4)
    state = json.loads((run_dir / "deploy/production/state.json").read_text())
    assert state["live"]["version"] == 2 and state["canary"] is None


def test_the_pre_drift_model_as_challenger_is_rolled_back_on_auc(default_run: Any, tmp_path: Path,
                                                                 canary_window: pd.DataFrame) -> None:
    result, run_dir = deploy(default_run, tmp_path, load_config(), 1, 2, canary_window)
    assert result.verdict == "rollback"
    report = json.loads((run_dir / result.report_path).read_text())
    assert "AUC" in report["reason"] and "challenger" in report["reason"]
    assert report["steps"][-1]["auc_difference"] < 0
    state = json.loads((run_dir / "deploy/production/state.json").read_text())
    assert state["live"]["version"] == 2  # the champion keeps serving
    events = verify_run(run_dir).events
    assert events[-1].clause == "PA.5.step3" and events[-1].decision["verdict"] == "rollback"


def test_a_challenger_failing_too_many_requests_is_rolled_back_at_the_first_step(
        default_run: Any, tmp_path: Path, canary_window: pd.DataFrame) -> None:
    config = load_config()
    config = config.model_copy(update={"service": config.service.model_copy(update={"error_rate": 0.2})})
    result, run_dir = deploy(default_run, tmp_path, config, 2, 1, canary_window)
    assert (result.verdict, result.steps_completed) == ("rollback", 1)
    assert "error rate" in json.loads((run_dir / result.report_path).read_text())["reason"]


def test_an_ab_split_is_one_step_at_the_declared_share(default_run: Any, tmp_path: Path,
                                                       canary_window: pd.DataFrame) -> None:
    config = load_config()
    config = config.model_copy(update={"promotion": config.promotion.model_copy(update={"strategy": "ab"})})
    result, run_dir = deploy(default_run, tmp_path, config, 2, 1, canary_window)
    report = json.loads((run_dir / result.report_path).read_text())
    assert [s["traffic_share"] for s in report["steps"]] == [0.5]
    assert report["strategy"] == "ab" and result.verdict == "promote"
