"""The default bank scenario end to end: each stage's contract, read back from the verified trails.

One full run is shared by every test here (session fixture `default_run`). Each test reads what a
regulator would read: the verified events (clause, role, outputs, decision) and the files they name.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from mlops_audit.evidence.trail import verify_run
from mlops_audit.util.jsonio import sha256_file
from reference_pipeline.run import executed_clauses

pytestmark = pytest.mark.slow

ROLE_IDS = {"business", "project_manager", "ml_architect", "data_engineer", "data_scientist", "software_engineer",
            "test_engineer", "ops_engineer", "mlops_engineer", "model_risk_analyst"}


@pytest.fixture(scope="module")
def events(default_run: Any) -> list[Any]:
    result = verify_run(default_run.run_dir)
    assert result.ok, result.problems
    return result.events


def of(events: list[Any], clause_prefix: str) -> list[Any]:
    return [e for e in events if e.clause.startswith(clause_prefix)]


def read_json(run_dir: Path, relative: str) -> Any:
    return json.loads((run_dir / relative).read_text(encoding="utf-8"))


def test_both_trails_verify_and_every_role_is_a_rubric_role(default_run: Any, events: list[Any]) -> None:
    validation = verify_run(default_run.run_dir / "validation")
    assert validation.ok, validation.problems
    assert {e.role for e in events} | {e.role for e in validation.events} <= ROLE_IDS
    assert {e.role for e in validation.events} == {"model_risk_analyst"}


def test_stages_run_in_the_scenario_order(events: list[Any]) -> None:
    order: list[str] = []
    for event in events:
        part = ".".join(event.clause.split(".")[:2])
        if not order or order[-1] != part:
            order.append(part)
    assert order == ["PA.1", "PA.2", "PA.3", "PA.4", "PA.5", "PA.7", "PA.6", "PA.4", "PA.5", "PA.7"]


def test_executed_clauses_cover_every_pipeline_step_and_the_validation(default_run: Any) -> None:
    clauses = executed_clauses(default_run.run_dir)
    expected = {f"PA.{n}.step{k}" for n, steps in {1: 5, 2: 4, 3: 4, 4: 3, 5: 3, 6: 6, 7: 3}.items()
                for k in range(1, steps + 1)} | {"CASE.mra.1", "CASE.mra.2", "CASE.mra.3"}
    assert set(clauses) == expected


def test_requirements_stage_validates_the_spec_and_hands_rules_on(default_run: Any, events: list[Any]) -> None:
    pa1 = of(events, "PA.1.")
    assert [e.clause for e in pa1] == [f"PA.1.step{k}" for k in range(1, 6)]
    assert [e.role for e in pa1] == ["business", "ml_architect", "data_engineer", "software_engineer", "project_manager"]
    assert pa1[0].decision["verdict"] == "feasible"
    rules = read_json(default_run.run_dir, "data/rules.json")
    assert rules["features"]["one_hot"] == {"channel": ["branch", "online", "broker"]}
    assert pa1[4].decision == {"trigger": ["PA.2", "PA.3"]}


def test_data_engineering_ingests_checks_cleans_and_versions_features(default_run: Any, events: list[Any]) -> None:
    pa2 = of(events, "PA.2.")
    assert [e.action for e in pa2] == ["ingest_batch", "ingest_stream_micro_batches", "profile_and_quality_check",
                                      "clean_and_transform", "build_features"]
    assert pa2[1].params["micro_batches"] == 8
    assert pa2[2].decision["verdict"] == "pass"
    cleaning = pa2[3].metrics
    # Injected defects are repaired or quarantined, never silently dropped.
    assert cleaning["rows_in"] == cleaning["rows_clean"] + cleaning["rows_quarantined"] + cleaning["duplicates_removed"]
    assert cleaning["rows_quarantined"] > 0 and cleaning["values_imputed"] > 0
    quarantine = pd.read_csv(default_run.run_dir / "data/quarantine.csv")
    assert set(quarantine["reason"]) == {"value outside declared valid range"}
    index = read_json(default_run.run_dir, "features/index.json")["feature_sets"]["applications"]
    assert index[0]["rows"] == cleaning["rows_clean"]
    assert sha256_file(default_run.run_dir / "features" / index[0]["path"]) == index[0]["sha256"]
    assert Path(index[0]["path"]).stem == index[0]["sha256"]  # content-addressed


def test_experiments_track_every_run_and_stop_at_the_target(default_run: Any, events: list[Any]) -> None:
    runs = [e for e in of(events, "PA.3.") if e.clause == "PA.3.step2"]
    assert len(runs) >= 2
    for run in runs:
        assert run.params["data_version"] == "applications@1"
        assert len(run.params["code_digest"]) == 64
        assert 0.5 < run.metrics["cv_auc_mean"] <= 1.0
    select = next(e for e in events if e.clause == "PA.3.step3")
    target = select.params["target_auc"]
    assert select.decision["target_met"] is True
    # It stopped after the round that met the target: the last run's round reached it, and the
    # remaining algorithms were skipped.
    assert max(r.metrics["cv_auc_mean"] for r in runs) >= target
    assert select.decision["skipped_algorithms"]
    export = next(e for e in events if e.clause == "PA.3.step4")
    model = next(o for o in export.outputs if o.path.endswith(".skops"))
    assert model.sha256 == default_run.summary.first_model["sha256"]


def test_ci_builds_tests_and_scans_the_package(default_run: Any, events: list[Any]) -> None:
    feedback = [e for e in events if e.clause == "PA.4.step3"]
    assert [e.decision["verdict"] for e in feedback] == ["pass", "pass"]
    report = read_json(default_run.run_dir, "reports/ci-bank-credit-default-v1.json")
    assert {c["check"] for c in report["checks"]} == {
        "package_loads", "golden_predictions", "input_schema", "latency_budget",
        "model_types_trusted", "no_pickle_files", "dependencies_pinned", "digests_consistent", "reason_codes"}
    package = default_run.run_dir / "deploy/packages/bank-credit-default-v1"
    manifest = json.loads((package / "MANIFEST.json").read_text())
    assert sorted(manifest["files"]) == ["config.json", "model.skops", "requirements.lock", "serving.py", "transform.json"]
    assert all("==" in line for line in (package / "requirements.lock").read_text().splitlines())


def test_first_release_then_canary_promotes_the_retrained_model(default_run: Any, events: list[Any]) -> None:
    decisions = [e.decision["verdict"] for e in events if e.clause == "PA.5.step3"]
    assert decisions == ["promote", "promote"]
    steps = [e for e in events if e.action == "route_traffic_step"]
    assert [e.params["traffic_share"] for e in steps] == [0.05, 0.25, 0.5, 1.0]
    assert all(e.decision["verdict"] == "continue" for e in steps)
    state = read_json(default_run.run_dir, "deploy/production/state.json")
    assert state["live"]["version"] == 2 and state["canary"] is None
    assert state["live"]["model_sha256"] == default_run.summary.production_model["sha256"]
    evaluation = read_json(default_run.run_dir, "reports/evaluation-2.json")
    assert evaluation["verdict"] == "promote" and evaluation["steps"][-1]["auc_difference_ci_low"] >= -0.01


def test_drift_fires_monitoring_which_starts_retraining(default_run: Any, events: list[Any]) -> None:
    reports = [e for e in events if e.clause == "PA.7.step3"]
    first, second = reports
    assert first.decision["triggers"]["drift"] is True and first.decision["start_retraining"] is True
    assert second.decision["start_retraining"] is False
    pa6 = of(events, "PA.6.")
    # The retrained model's fairness check (config `fairness`) sits in step4, before registration.
    assert [e.clause for e in pa6 if e.action != "fairness_check"] == [f"PA.6.step{k}" for k in range(1, 7)]
    assert [(e.clause, e.action) for e in pa6].index(("PA.6.step4", "fairness_check")) < [e.clause for e in pa6].index("PA.6.step5")
    assert pa6[0].params["triggered_by"] == ["decay", "drift"]
    assert pa6[0].seq > first.seq  # retraining came after the trigger
    assert pa6[3].decision["verdict"] == "register"
    assert pa6[3].metrics["challenger_auc"] > pa6[3].metrics["production_auc"]
    analysis = read_json(default_run.run_dir, "monitoring/monitor/analysis.json")
    assert analysis["score_psi"]["value"] >= 0.25
    assert analysis["drifted_features"]  # CSI names the shifted characteristics
    assert default_run.summary.drift_fired and default_run.summary.retrained and default_run.summary.promotion == "promote"


def test_model_risk_validation_is_independent_and_reads_the_verified_trail(default_run: Any, events: list[Any]) -> None:
    validation = verify_run(default_run.run_dir / "validation").events
    # After the rollout, the validator also compares production with the model it replaced.
    assert [(e.clause, e.action) for e in validation] == [
        ("CASE.mra.1", "design_review"), ("CASE.mra.2", "process_review"),
        ("CASE.mra.3", "benchmark_comparison"), ("CASE.mra.3", "outcome_validation")]
    scientists = {e.actor for e in events if e.role == "data_scientist"}
    assert scientists and not scientists & {e.actor for e in validation}
    manifest = read_json(default_run.run_dir, "manifest.json")
    assert validation[1].params["development_head_hash"] == manifest["head_hash"]
    assert validation[0].inputs[0].sha256 == sha256_file(default_run.run_dir / "manifest.json")
    report = read_json(default_run.run_dir, "validation/reports/validation_report.json")
    assert report["verdict"] == "approve"
    assert report["model"]["sha256"] == default_run.summary.production_model["sha256"]
    assert {"auc", "gini", "ks", "accuracy", "brier", "ece", "psi"} <= set(report["outcome"]["measured"])
    assert "Verdict: approve" in (default_run.run_dir / "validation/reports/validation_report.md").read_text()


def test_a_tampered_artefact_makes_executed_clauses_empty(default_run: Any, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "run"
    shutil.copytree(default_run.run_dir, copy)
    (copy / "reports/evaluation-2.json").write_text("{}")
    assert executed_clauses(copy) == []


def test_every_input_from_the_run_folder_was_recorded_earlier_as_an_output_with_that_digest(events: list[Any]) -> None:
    written: dict[str, str] = {}
    checked = 0
    for event in events:
        for ref in event.inputs:
            if ref.name in written or "/" in ref.name:
                assert written.get(ref.name) == ref.sha256, f"seq {event.seq} reads {ref.name} not as last written"
                checked += 1
        for output in event.outputs:
            written[output.path] = output.sha256
    assert checked > 30
