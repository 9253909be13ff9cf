"""Whole runs beyond the default scenario: the CLI on a user CSV, the real data set, a failing CI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlops_audit.cli import cli
from mlops_audit.evidence.trail import verify_run
from reference_pipeline.config import CONFIG_DIR, load_config
from reference_pipeline.context import StageFailed
from reference_pipeline.data import synthetic_credit
from reference_pipeline.run import executed_clauses
from tests.pipeline.helpers import run_reproducibly, small_config, ticking_clock, ticking_timer

pytestmark = pytest.mark.slow


def user_csv_config(tmp_path: Path) -> Path:
    """A user's own CSV (here: synthetic applications written to disk) with the bank requirements."""
    frame = synthetic_credit.generate(3000, seed=11, defect_rate=0.01)
    frame.to_csv(tmp_path / "applications.csv", index=False)
    config = tmp_path / "pipeline.yaml"
    config.write_text(
        "name: my-bank\n"
        f"requirements: {CONFIG_DIR / 'requirements.yaml'}\n"
        "data: {kind: csv, path: applications.csv, target: default, positive_label: 1, development_share: 0.5}\n"
        "drift: {kind: covariate_resample, feature: debt_ratio, strength: 3.0}\n"
        "experiments:\n  target_auc: 0.75\n  candidates:\n    - {algorithm: logistic_regression, grid: {C: [1.0]}}\n"
        "promotion: {min_labelled_per_arm: 50}\n",
        encoding="utf-8",
    )
    return config


def test_pipeline_run_command_on_a_user_csv_signed_then_verify(tmp_path: Path, steady_ci_timer: None) -> None:
    from mlops_audit.evidence.trail.keys import generate_signing_key, private_key_pem, public_key_pem

    key = generate_signing_key()
    (tmp_path / "key.pem").write_bytes(private_key_pem(key))
    (tmp_path / "key.pub").write_bytes(public_key_pem(key))
    run_dir = tmp_path / "run"
    result = CliRunner().invoke(cli, ["pipeline", "run", "--config", str(user_csv_config(tmp_path)),
                                      "--run-dir", str(run_dir), "--run-id", "run-cli-1",
                                      "--sign-key", str(tmp_path / "key.pem")])
    assert result.exit_code == 0, result.output
    assert "[pipeline] PA.3 experiments done" in result.stderr
    out = result.stdout
    for expected in ("run run-cli-1: scenario my-bank (user CSV applications.csv)", "first model:", "drift fired:",
                     "promotion:", "(signed)", "verify with:"):
        assert expected in out
    assert verify_run(run_dir).ok
    assert verify_run(run_dir / "validation").ok
    for folder in (run_dir, run_dir / "validation"):
        verified = CliRunner().invoke(cli, ["verify", str(folder), "--public-key", str(tmp_path / "key.pub"),
                                            "--require-signature"])
        assert verified.exit_code == 0 and "INTACT" in verified.output, verified.output
    assert "PA.7.step3" in executed_clauses(run_dir)


def test_pipeline_run_with_a_missing_target_column_exits_2_naming_file_and_column(tmp_path: Path) -> None:
    config = user_csv_config(tmp_path)
    config.write_text(config.read_text().replace("target: default", "target: defaulted"))
    result = CliRunner().invoke(cli, ["pipeline", "run", "--config", str(config), "--run-dir", str(tmp_path / "r")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert f"error: {tmp_path / 'applications.csv'}: target column 'defaulted' not found" in result.stderr
    assert not (tmp_path / "r").exists()  # nothing started


def test_the_breast_cancer_config_runs_on_real_data(tmp_path: Path) -> None:
    summary = run_reproducibly(load_config(CONFIG_DIR / "breast_cancer.yaml"), tmp_path / "run")
    assert summary.data_source.startswith("scikit-learn breast cancer")
    assert summary.first_model["metrics"]["auc"] > 0.95
    assert verify_run(tmp_path / "run").ok
    assert {"PA.1.step1", "PA.7.step3", "CASE.mra.3"} <= set(executed_clauses(tmp_path / "run"))
    # The resampling drift episode moves the population the real model sees.
    analysis = json.loads((tmp_path / "run/monitoring/monitor/analysis.json").read_text())
    assert analysis["drifted_features"]


def test_a_failing_ci_check_fails_the_stage_and_the_trail_records_it(tmp_path: Path) -> None:
    # A timer that advances one second per read makes every request take 1000 ms: over budget.
    config = small_config()
    with pytest.raises(StageFailed, match=r"CI failed .*latency_budget: p95 1000\.000 ms"):
        from reference_pipeline.run import run_pipeline

        run_pipeline(config, tmp_path / "run", clock=ticking_clock(), run_id="run-fail", timer=ticking_timer(1.0))
    result = verify_run(tmp_path / "run")
    assert result.ok  # closed with exactly what happened
    last = result.events[-1]
    assert last.clause == "PA.4.step3" and last.decision["verdict"] == "fail"
    assert not any(e.clause.startswith("PA.5") for e in result.events)  # nothing was deployed
    assert not (tmp_path / "run" / "validation").exists()


def test_an_undeclared_text_column_is_bad_input_naming_the_column_and_the_trail_is_closed(tmp_path: Path, steady_ci_timer: None) -> None:
    config = user_csv_config(tmp_path)
    frame = synthetic_credit.generate(3000, seed=11).assign(region="north")
    frame.to_csv(tmp_path / "applications.csv", index=False)
    run_dir = tmp_path / "run"
    result = CliRunner().invoke(cli, ["pipeline", "run", "--config", str(config), "--run-dir", str(run_dir), "--quiet"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "['region'] are not numeric" in result.stderr and "data_rules.features.one_hot" in result.stderr
    verified = verify_run(run_dir)
    assert verified.ok and verified.events[-1].clause == "PA.2.step2"  # closed after the last step that ran
