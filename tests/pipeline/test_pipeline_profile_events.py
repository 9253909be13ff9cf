"""The reference pipeline writes the trail events the regulator profiles' routes name - only for
what it really does - and an assessment with the profiles is corroborated by a signed run of it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from mlops_audit.cli import cli
from mlops_audit.evidence.runs import event_route_met
from mlops_audit.evidence.trail import verify_run
from mlops_audit.rubric.loader import default_rubric
from mlops_audit.rubric.profiles import available_profiles, bundled_profile, with_profiles
from reference_pipeline.config import ExplanationSettings, FairnessSettings, SensitivitySettings, load_config
from reference_pipeline.context import RunContext, StageFailed
from reference_pipeline.serving import ScoringService
from reference_pipeline.stages.integration import reason_code_check
from tests.conftest import extreme_answer
from tests.pipeline.helpers import run_reproducibly, small_config

# Profile criteria the reference pipeline proves by its own steps (their event routes). Every other
# profile event route names something it does not do (no vulnerability audit of its dependencies,
# no model exit, no fairness monitoring in production, no adversarial test, no human override...),
# and it writes no event of that action.
EMITTED = {
    "CNF.explainability.L3", "CNF.fairness.L3", "CNF.internal_control.L3.2",  # cn-finance
    "USM.soundness.L3", "USM.soundness.L4", "USM.inventory_tiering.L4",  # us-model-risk
}
PROFILES = ["cn-finance", "us-model-risk"]


def _events(run_dir: Path) -> list[Any]:
    return list(verify_run(run_dir).events)


def test_the_default_run_meets_exactly_the_routes_it_does(default_run: Any) -> None:
    events = _events(default_run.run_dir) + _events(default_run.run_dir / "validation")  # both trails of the run
    criteria = [c for name in available_profiles() for _d, _p, c in bundled_profile(name).criteria() if c.trail_events]
    proved = {c.id for c in criteria if all(event_route_met(route, events) for route in c.trail_events)}
    assert proved == EMITTED
    not_done = {r.action for c in criteria if c.id not in EMITTED for r in c.trail_events}
    assert len(not_done) > 20 and not {e.action for e in events} & not_done


def test_the_fairness_and_reason_code_events_carry_what_was_computed(default_run: Any) -> None:
    events = _events(default_run.run_dir)
    fairness = [e for e in events if e.action == "fairness_check"]
    assert [e.clause for e in fairness] == ["PA.3.step3", "PA.6.step4"]  # the first model and the retrained one
    first = fairness[0]
    report = json.loads((default_run.run_dir / "reports/fairness.json").read_text(encoding="utf-8"))
    assert first.params["group_metrics"] == report["groups"] and first.params["passed"] is True
    assert set(report["groups"]) == {"<25", "25-40", "40-55", ">=55"}
    assert sum(g["rows"] for g in report["groups"].values()) == next(e for e in events if e.action == "build_experiment_dataset").metrics["test_rows"]
    assert all(g["calibration_gap"] <= 0.05 for g in report["groups"].values() if g["judged"])

    reasons = [e for e in events if e.action == "check_reason_codes"]
    assert len(reasons) == 2 and all(e.decision["verdict"] == "pass" for e in reasons)
    assert reasons[0].metrics["declines"] > 0 and reasons[0].params["decisions_without_reason"] == 0
    ingest = next(e for e in events if e.action == "ingest_batch")
    assert ingest.params["sha256"] == ingest.outputs[0].sha256 and ingest.params["storage_ref"] == "data/raw/batch.csv"
    deploys = [e for e in events if e.clause == "PA.5.step1"]
    assert deploys and all({"operator", "result", "config_sha256"} <= set(e.params) for e in deploys)
    registrations = [e for e in events if e.action in ("export_model", "register_model")]
    assert [e.params["materiality_tier"] for e in registrations] == ["high", "high"]  # the requirements' tier


def test_the_sensitivity_analysis_records_what_it_measured(default_run: Any) -> None:
    (event,) = [e for e in _events(default_run.run_dir) if e.action == "sensitivity_analysis"]
    report = json.loads((default_run.run_dir / "reports/sensitivity.json").read_text(encoding="utf-8"))
    assert event.params["perturbed_inputs"] == report["inputs"] and set(report["inputs"]) == {"income", "debt_ratio", "loan_amount", "age", "employment_years"}
    assert event.metrics["max_output_change"] == max(r["max_abs_change"] for r in report["inputs"].values())
    assert report["passed"] and all(r["mean_abs_change"] <= 0.05 for r in report["inputs"].values())
    # The recession scenario raises the mean predicted default probability.
    assert report["scenarios"]["recession"]["mean_score_stressed"] > report["scenarios"]["recession"]["mean_score"]


def test_the_validator_compares_production_with_the_model_it_replaced(default_run: Any) -> None:
    (event,) = [e for e in _events(default_run.run_dir / "validation") if e.action == "benchmark_comparison"]
    report = json.loads((default_run.run_dir / "validation/reports/benchmark_comparison.json").read_text(encoding="utf-8"))
    assert report["benchmark_model"]["package"] == "deploy/packages/bank-credit-default-v1"  # v2 was promoted
    assert event.metrics["metric_gap"] == report["metric_gap"] == round(report["production"]["auc"] - report["benchmark"]["auc"], 6)
    assert report["within_tolerance"] == (report["metric_gap"] >= -report["tolerance"]) and event.params["conclusion"] == report["conclusion"]
    assert report["conclusion"] in (default_run.run_dir / "validation/reports/validation_report.md").read_text(encoding="utf-8")


def test_a_failed_sensitivity_analysis_blocks_registration(tmp_path: Path) -> None:
    config = small_config().model_copy(update={"sensitivity": SensitivitySettings(inputs=["income"], max_mean_change=0.0001)})
    with pytest.raises(StageFailed, match="sensitivity analysis failed"):
        run_reproducibly(config, tmp_path / "run")
    events = [json.loads(line) for line in (tmp_path / "run" / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    assert next(e for e in events if e["action"] == "sensitivity_analysis")["decision"]["failed_inputs"] == ["income"]
    assert not any(e["action"] == "export_model" for e in events)


def test_reason_codes_name_the_inputs_that_raise_the_score(default_run: Any) -> None:
    service = ScoringService(default_run.run_dir / "deploy/packages/bank-credit-default-v1")
    requests = pd.read_csv(default_run.run_dir / "data/clean.csv").head(50)
    scores, codes = service.reason_codes(requests, top=2)
    assert list(scores) == list(service.score(requests))
    row = max(range(len(scores)), key=lambda i: scores[i])
    assert 1 <= len(codes[row]) <= 2
    top = codes[row][0]
    changed = requests[service.spec.input_columns].iloc[[row]].copy()
    changed[top["input"]] = service.reference_values()[top["input"]]
    assert scores[row] - service.score(changed)[0] == pytest.approx(top["contribution"], abs=1e-6)


def test_the_reason_code_check_can_fail(default_run: Any, tmp_path: Path) -> None:
    # Applicants exactly at the reference on every input, declined by a very low cut-off: nothing
    # explains their decline, and the check says so (CI would fail).
    import shutil

    from mlops_audit.util.jsonio import sha256_file

    package = "deploy/packages/bank-credit-default-v1"
    shutil.copytree(default_run.run_dir / package, tmp_path / package)
    service = ScoringService(tmp_path / package)
    (tmp_path / "data").mkdir()
    pd.DataFrame([service.reference_values()] * 20).to_csv(tmp_path / "data" / "clean.csv", index=False)
    ctx = RunContext(config=load_config(), run_dir=tmp_path, trail=None)  # type: ignore[arg-type]
    settings = ExplanationSettings(decline_at=0.01, decisions=20)
    result = reason_code_check(ctx, package, sha256_file(tmp_path / package / "MANIFEST.json"), settings)
    assert result["declines"] == 20 and result["decisions_without_reason"] == 20 and result["passed"] is False
    # The same applicants under the configured cut-off are not declined: nothing to explain, and a
    # check that saw no decline does not pass either.
    result = reason_code_check(ctx, package, sha256_file(tmp_path / package / "MANIFEST.json"), ExplanationSettings(decline_at=0.9, decisions=20))
    assert result["declines"] == 0 and result["passed"] is False


def test_a_failed_fairness_check_blocks_registration(tmp_path: Path) -> None:
    config = small_config().model_copy(update={"fairness": FairnessSettings(group_by="age", bands=[40], max_calibration_gap=0.0001, min_group_rows=10)})
    with pytest.raises(StageFailed, match="fairness check failed"):
        run_reproducibly(config, tmp_path / "run")
    events = [json.loads(line) for line in (tmp_path / "run" / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    check = next(e for e in events if e["action"] == "fairness_check")
    assert check["params"]["passed"] is False and check["decision"]["verdict"] == "fail"
    assert not any(e["action"] == "export_model" for e in events)
    assert not (tmp_path / "run" / "registry" / "index.json").exists()


def test_a_fairness_group_that_is_not_a_feature_is_a_clear_error(tmp_path: Path) -> None:
    from mlops_audit.errors import InputError

    config = small_config().model_copy(update={"fairness": FairnessSettings(group_by="gender", bands=[1], max_calibration_gap=0.05)})
    with pytest.raises(InputError, match="fairness.group_by: 'gender' is not a feature column"):
        run_reproducibly(config, tmp_path / "run")


# --- an assessment with cn-finance, corroborated by a signed run ------------------------------------


@pytest.fixture(scope="module")
def signed_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from mlops_audit.evidence.trail.keys import generate_signing_key, public_key_pem

    folder = tmp_path_factory.mktemp("signed")
    key = generate_signing_key()
    (folder / "key.pub").write_bytes(public_key_pem(key))
    run_reproducibly(load_config(), folder / "run", signing_key=key, organisation="Example Bank")  # as the demo binds its run
    return folder / "run", folder / "key.pub"


def _assess(runner, tmp_path: Path, run: tuple[Path, Path] | None, *, best: bool) -> dict[str, Any]:
    rubric = with_profiles(default_rubric(), PROFILES).rubric
    answers = {
        "rubric": {"id": rubric.id, "version": rubric.version}, "organisation": {"name": "Example Bank"},
        "respondent": {"id": "everyone", "roles": rubric.role_ids()},
        "answers": [{"criterion": c.id, "value": extreme_answer(c, best=best)} for _d, _p, c in rubric.criteria()],
    }
    path = tmp_path / f"answers-{best}.yaml"
    path.write_text(yaml.safe_dump(answers, allow_unicode=True), encoding="utf-8")
    out = tmp_path / f"out-{best}-{run is not None}"
    args = ["assess", "--answers", str(path), "--out", str(out)] + [a for p in PROFILES for a in ("--profile", p)]
    if run is not None:
        args += ["--run", str(run[0]), "--trust-key", str(run[1]), "--accept-reference-run"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    return json.loads((out / "assessment.json").read_text(encoding="utf-8"))


def test_a_signed_run_corroborates_the_profile_criteria_it_proves(signed_run, runner, tmp_path: Path) -> None:
    claimed = {c["id"]: c for c in _assess(runner, tmp_path, None, best=True)["criteria"]}
    corroborated = {c["id"]: c for c in _assess(runner, tmp_path, signed_run, best=True)["criteria"]}
    for cid in sorted(EMITTED):
        assert claimed[cid]["outcome"] == "partial"  # a yes alone does not meet a level-3/4 criterion
        assert corroborated[cid]["outcome"] == "met" and corroborated[cid]["strength"] == "verified", cid
        assert any(e.startswith("run:") for e in corroborated[cid]["evidence"]), cid
    # What the run does not do stays a claim.
    assert corroborated["CNF.attack_defence.L3"]["outcome"] == "partial" and corroborated["USM.revalidation.L4"]["outcome"] == "partial"


def test_all_no_answers_stay_at_zero_with_the_signed_run(signed_run, runner, tmp_path: Path) -> None:
    data = _assess(runner, tmp_path, signed_run, best=False)
    assert data["overall"]["score"] == 0.0
    assert [c["id"] for c in data["criteria"] if c["outcome"] == "met"] == []
    obligations = [o for r in data["regulatory"]["regulations"] for o in r["obligations"]]
    assert obligations and not [o["id"] for o in obligations if o["status"] in ("met", "partial")]
