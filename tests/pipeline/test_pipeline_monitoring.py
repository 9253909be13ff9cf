"""PA.7 trigger values: which configured triggers start retraining (drift, decay, schedule)."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from mlops_audit.evidence.trail import AuditTrail, verify_run
from reference_pipeline.config import PipelineConfig, load_config
from reference_pipeline.context import RunContext
from reference_pipeline.data.sources import load_scenario
from reference_pipeline.stages import monitoring
from tests.pipeline.helpers import package_from_run, ticking_clock

pytestmark = pytest.mark.slow  # uses the shared full run

HOLDOUT = "experiments/retrain-1/holdout_scores.csv"


def monitor(default_run: Any, tmp_path: Path, config: PipelineConfig, windows_since_training: int) -> monitoring.MonitoringResult:
    run_dir = tmp_path / "run"
    trail = AuditTrail.create(run_dir, run_id="monitor-test", clock=ticking_clock())
    shutil.copytree(default_run.run_dir / "deploy/packages", run_dir / "deploy/packages")
    (run_dir / HOLDOUT).parent.mkdir(parents=True)
    shutil.copy(default_run.run_dir / HOLDOUT, run_dir / HOLDOUT)
    # The retrained model's training features are not kept as a file; the window it was trained on
    # (same drift regime) stands in as the CSI reference.
    reference = pd.read_csv(default_run.run_dir / "monitoring/monitor/features.csv")
    production = replace(package_from_run(default_run.run_dir, 2), holdout_scores_path=HOLDOUT,
                         reference_features=reference)
    window = load_scenario(load_config()).windows["post"]
    ctx = RunContext(config=config, run_dir=run_dir, trail=trail)
    result = monitoring.run(ctx, production, "post", window, "default", 1, windows_since_training)
    trail.close()
    assert verify_run(run_dir).ok
    return result


def with_retraining(**settings: Any) -> PipelineConfig:
    config = load_config()
    return config.model_copy(update={"retraining": config.retraining.model_copy(update=settings)})


def test_a_stable_window_starts_no_retraining(default_run: Any, tmp_path: Path) -> None:
    result = monitor(default_run, tmp_path, with_retraining(), windows_since_training=0)
    assert result.triggers == {"drift": False, "decay": False, "service": False, "schedule": False}
    assert result.start_retraining is False


def test_a_due_schedule_starts_retraining_when_it_is_a_configured_trigger(default_run: Any, tmp_path: Path) -> None:
    result = monitor(default_run, tmp_path, with_retraining(triggers=["schedule"], schedule_every_windows=2),
                     windows_since_training=1)
    assert result.triggers["schedule"] is True and result.start_retraining is True


def test_a_fired_trigger_that_is_not_configured_starts_nothing(default_run: Any, tmp_path: Path) -> None:
    config = load_config()
    strict = config.model_copy(update={
        "monitoring": config.monitoring.model_copy(update={"latency_p95_ms": 1.0}),  # every request is "slow"
        "retraining": config.retraining.model_copy(update={"triggers": ["drift", "decay"]}),
    })
    result = monitor(default_run, tmp_path, strict, windows_since_training=0)
    assert result.triggers["service"] is True
    assert result.start_retraining is False  # service problems are for operations, not for retraining


def test_every_alert_raised_is_acknowledged_and_classified_by_operations_within_its_sla(default_run: Any) -> None:
    """PA.7.step2: one acknowledge_alert event per alert the analysis raised (simulated acknowledgement)."""
    from mlops_audit.util.clock import parse_timestamp

    config = load_config()
    events = verify_run(default_run.run_dir).events
    analyses = [e for e in events if e.action == "analyse_by_rules"]
    acks = [e for e in events if e.action == "acknowledge_alert"]
    raised = sorted((a.ts, rule) for a in analyses for rule, fired in a.decision["alerts"].items() if fired)
    assert raised, "the default scenario's drifted window is expected to raise alerts"
    assert sorted((e.params["raised_at"], e.params["alert"]) for e in acks) == raised
    for event in acks:
        assert event.clause == "PA.7.step2" and event.role == "ops_engineer"
        assert event.params["classification"] == monitoring.ALERT_CLASSES[event.params["alert"]]
        assert event.params["simulated"] is True and event.params["sla_hours"] == config.alerts.sla_hours
        waited = parse_timestamp(event.params["acknowledged_at"], where="ack") - parse_timestamp(event.params["raised_at"], where="raised")
        assert waited.total_seconds() == 60 * config.alerts.acknowledge_after_minutes
        assert waited.total_seconds() <= 3600 * event.params["sla_hours"]
