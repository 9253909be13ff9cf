"""Independent model risk validation (the guide's bank case, CASE.mra.1-3), in its own audit trail.

The validator acts under role `model_risk_analyst` with an actor that must differ from the data
scientist's (the config refuses otherwise). Validation starts only after the development run is
closed: its process review *verifies that run's trail itself* with `verify_run` and reads the
verified events, so the validation trail (`validation/audit.jsonl`, its own manifest) attests to a
development run whose head hash and Merkle root it records.

- CASE.mra.1 design review: method and features against the requirements (prohibited features,
  documented feature rules), what drives the model (permutation importance), scope and limits.
- CASE.mra.2 process review: the development trail verifies; every pipeline step ran; the model in
  production is the one registered, CI-tested and promoted (digests agree); tracked runs carry data
  and code versions; independence of roles.
- CASE.mra.3 outcome validation: outputs against actual outcomes on the newest labelled window
  (AUC, Gini, KS, accuracy, Brier, ECE) and score stability (PSI), against the acceptance criteria,
  with a written verdict; after a rollout, a benchmark comparison with the other model of it on the
  same window (a benchmark better beyond the tolerance is a finding).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from mlops_audit.errors import InputError
from mlops_audit.util.jsonio import atomic_write_text, sha256_file

from reference_pipeline import stats
from reference_pipeline.context import RunContext
from reference_pipeline.requirements_spec import RequirementsSpec
from reference_pipeline.serving import ScoringService
from reference_pipeline.stages.data_engineering import labels
from reference_pipeline.stages.integration import Package

STAGE = "model_risk"
ROLE = "model_risk_analyst"

# Steps every complete development run must show (PA.6 only when retraining ran).
REQUIRED_STEPS = (
    [f"PA.1.step{k}" for k in range(1, 6)]
    + [f"PA.2.step{k}" for k in range(1, 5)]
    + [f"PA.3.step{k}" for k in range(1, 5)]
    + [f"PA.4.step{k}" for k in range(1, 4)]
    + [f"PA.5.step{k}" for k in range(1, 4)]
    + [f"PA.7.step{k}" for k in range(1, 4)]
)
RETRAINING_STEPS = [f"PA.6.step{k}" for k in range(1, 7)]


@dataclass
class ValidationResult:
    verdict: str  # approve | approve_with_conditions | reject
    report_path: str  # relative to the validation folder
    development_verified: bool
    findings: list[str]


def _check(name: str, passed: bool, detail: str) -> dict[str, Any]:
    return {"check": name, "passed": bool(passed), "detail": detail}


def design_review(ctx: RunContext, requirements: RequirementsSpec, production: Package, run_dir: Path) -> dict[str, Any]:
    from sklearn.inspection import permutation_importance

    service = ScoringService(run_dir / production.path, production.manifest_sha256)
    features = list(service.spec.feature_names)
    prohibited = set(requirements.risk_assessment.prohibited_features)
    used_inputs = set(service.spec.input_columns)
    # The features the requirements' rules produce from the package's inputs, derived independently
    # of the transform the developers shipped.
    rules = requirements.data_rules.features
    declared = [f"log1p_{c}" if c in rules.log1p else c for c in service.spec.numeric if c not in rules.drop]
    declared += sorted(rules.ratios)
    declared += [f"{c}={v}" for c in service.spec.categorical for v in rules.one_hot.get(c, [])]
    checks = [
        _check("no_prohibited_features", not (prohibited & used_inputs),
               f"prohibited {sorted(prohibited)}; model inputs {sorted(used_inputs)}"),
        _check("features_follow_declared_rules", features == declared,
               f"model features {features}; derived from the requirements' rules: {declared}"),
        _check("model_takes_exactly_these_features", getattr(service.model, "n_features_in_", None) == len(features),
               f"model expects {getattr(service.model, 'n_features_in_', None)} inputs; transform gives {len(features)}"),
    ]
    holdout = pd.read_csv(run_dir / production.holdout_scores_path)
    x = production.holdout_features[features]
    importance = permutation_importance(service.model, x, holdout["label"], scoring="roc_auc", n_repeats=3,
                                        random_state=ctx.config.seed)
    ranked = sorted(zip(features, importance.importances_mean, strict=True), key=lambda kv: (-kv[1], kv[0]))
    top = [{"feature": name, "auc_drop": stats.rounded(float(value))} for name, value in ranked[:8]]
    meaningful = [t for t in top if t["auc_drop"] > 0.001]
    checks.append(_check("model_relies_on_several_features", len(meaningful) >= 2,
                         f"features whose permutation lowers AUC by > 0.001: {[t['feature'] for t in meaningful]}"))
    return {
        "method": {"algorithm": production.model.algorithm, "hyper_parameters": production.model.params,
                   "problem": requirements.problem.model_dump()},
        "scope": requirements.problem.unit,
        "limits": [
            f"trained on feature set {production.model.feature_version}; populations unlike it need revalidation",
            "probabilities are calibrated to the training window's event rate; monitor ECE after shifts",
        ],
        "feature_importance": top,
        "checks": checks,
    }


def process_review(ctx: RunContext, run_dir: Path, production: Package, retrained: bool) -> tuple[dict[str, Any], Any]:
    from mlops_audit.evidence.trail import verify_run

    try:
        result = verify_run(run_dir)
    except InputError as exc:  # no readable trail at all: the review fails, it does not crash
        result = SimpleNamespace(ok=False, run_id=None, event_count=0, head_hash=None, merkle_root="",
                                 signature="absent", problems=[exc.message], events=[], clauses_executed=[])
    checks = [_check("development_trail_verifies", result.ok,
                     f"{result.event_count} events, head {result.head_hash}, problems: {result.problems[:3]}")]
    events = result.events if result.ok else []
    executed = set(result.clauses_executed) if result.ok else set()
    required = list(REQUIRED_STEPS) + (RETRAINING_STEPS if retrained else [])
    missing = [c for c in required if c not in executed]
    checks.append(_check("all_pipeline_steps_ran", result.ok and not missing, f"missing steps: {missing}"))

    # The production model: registered digest == digest CI packaged == digest promoted.
    registered = {o.path: o.sha256 for e in events if e.clause in ("PA.3.step4", "PA.6.step5") for o in e.outputs}
    model_digest = registered.get(f"registry/{production.model.path}")
    ci_passed = [e for e in events if e.clause == "PA.4.step3" and isinstance(e.decision, dict)
                 and e.decision.get("verdict") == "pass"]
    packaged = {o.path: o.sha256 for e in events if e.action == "build_deployment_package" for o in e.outputs}
    packaged_digest = packaged.get(f"{production.path}/model.skops")
    promoted = [e for e in events if e.clause == "PA.5.step3" and isinstance(e.decision, dict)
                and e.decision.get("verdict") == "promote"]
    checks.append(_check(
        "production_model_is_the_registered_tested_one",
        model_digest is not None and model_digest == packaged_digest == production.model.sha256 and bool(ci_passed),
        f"registered {model_digest}; packaged {packaged_digest}; CI passes recorded: {len(ci_passed)}",
    ))
    checks.append(_check("a_release_was_promoted", bool(promoted), f"promotions recorded: {len(promoted)}"))
    tracked = [e for e in events if e.clause == "PA.3.step2"]
    untracked = [e.seq for e in tracked if not e.params.get("data_version") or not e.params.get("code_digest")]
    checks.append(_check("experiments_tracked", bool(tracked) and not untracked,
                         f"{len(tracked)} tracked runs; without data/code version: {untracked}"))
    scientists = {e.actor for e in events if e.role == "data_scientist"}
    validator = ctx.actor(ROLE, STAGE)
    checks.append(_check("independent_validator", validator not in scientists and bool(scientists),
                         f"data scientist actors {sorted(scientists)}; validator {validator}"))
    return {
        "development_run": {"run_id": result.run_id, "ok": result.ok, "event_count": result.event_count,
                            "head_hash": result.head_hash, "merkle_root": result.merkle_root,
                            "signature": result.signature},
        "checks": checks,
    }, result


def outcome_validation(ctx: RunContext, requirements: RequirementsSpec, production: Package, run_dir: Path,
                       window: pd.DataFrame, target: str, positive: Any, service_metrics: dict[str, float]) -> dict[str, Any]:
    """`service_metrics`: latency and error rate of the same window, as the verified trail's PA.7 recorded them."""
    service = ScoringService(run_dir / production.path, production.manifest_sha256)
    y = labels(window, target, positive)
    scores = service.score(window)
    measured = stats.discrimination(scores, y)
    reference = pd.read_csv(run_dir / production.holdout_scores_path)
    measured["psi"] = stats.rounded(stats.psi(reference["score"], scores))
    # Calibration by score decile: the mean predicted vs the observed event rate.
    order = np.argsort(scores, kind="stable")
    deciles = [{"decile": i + 1, "mean_score": stats.rounded(float(scores[part].mean())),
                "event_rate": stats.rounded(float(y[part].mean())), "n": int(part.size)}
               for i, part in enumerate(np.array_split(order, 10)) if part.size]
    measured.update(service_metrics)
    criteria = []
    for bound in requirements.acceptance_criteria:
        value = measured.get(bound.metric)
        criteria.append({"criterion": bound.describe(), "value": value,
                         "passed": None if value is None else bound.holds(value)})
    return {"window_rows": len(window), "measured": measured, "calibration_by_decile": deciles,
            "acceptance": criteria, "psi_note": stats.PSI_BANDS_NOTE}


def benchmark_comparison(ctx: RunContext, production: Package, benchmark: Package, run_dir: Path, window: pd.DataFrame,
                         target: str, positive: Any) -> dict[str, Any]:
    """The production model against a benchmark (the other model of the last rollout: the champion
    it replaced, or the challenger that was rolled back) on the same newest labelled window. A gap
    in AUC below -tolerance (the promotion rules' max_auc_drop) is a finding; either way the
    validator's conclusion is written down."""
    y = labels(window, target, positive)
    ours = stats.discrimination(ScoringService(run_dir / production.path, production.manifest_sha256).score(window), y)
    theirs = stats.discrimination(ScoringService(run_dir / benchmark.path, benchmark.manifest_sha256).score(window), y)
    gap = stats.rounded(ours["auc"] - theirs["auc"])
    tolerance = ctx.config.promotion.max_auc_drop
    within = gap >= -tolerance
    name = f"{benchmark.model.name} v{benchmark.model.version}"
    conclusion = (f"production AUC {ours['auc']} vs benchmark {name} {theirs['auc']} (gap {gap:+}): "
                  + ("no worse than the benchmark within the tolerance" if within
                     else f"the benchmark is better by more than {tolerance}: the production model's advantage is not shown"))
    return {"benchmark_model": {"name": name, "package": benchmark.path, "sha256": benchmark.model.sha256},
            "metric": "auc", "production": ours, "benchmark": theirs, "metric_gap": gap, "tolerance": tolerance,
            "within_tolerance": within, "conclusion": conclusion, "window_rows": len(window)}


def run(ctx: RunContext, requirements: RequirementsSpec, production: Package, run_dir: Path,
        window: pd.DataFrame, target: str, positive: Any, retrained: bool, benchmark: Package | None = None) -> ValidationResult:
    manifest = run_dir / "manifest.json"
    manifest_ref = {"name": "development run manifest.json",
                    "sha256": sha256_file(manifest) if manifest.exists() else "0" * 64}

    design = design_review(ctx, requirements, production, run_dir)
    design_path = ctx.write_json("reports/design_review.json", design)
    ctx.record("CASE.mra.1", "design_review", ROLE, STAGE, inputs=[manifest_ref], outputs=[design_path],
               metrics={"checks_failed": float(sum(not c["passed"] for c in design["checks"]))},
               decision={"verdict": "pass" if all(c["passed"] for c in design["checks"]) else "fail"})

    process, verification = process_review(ctx, run_dir, production, retrained)
    process_path = ctx.write_json("reports/process_review.json", process)
    ctx.record("CASE.mra.2", "process_review", ROLE, STAGE, inputs=[manifest_ref], outputs=[process_path],
               params={"development_head_hash": verification.head_hash,
                       "development_merkle_root": verification.merkle_root},
               metrics={"checks_failed": float(sum(not c["passed"] for c in process["checks"])),
                        "development_events": float(verification.event_count)},
               decision={"verdict": "pass" if all(c["passed"] for c in process["checks"]) else "fail"})

    monitored = [e for e in verification.events if e.action == "analyse_by_rules"] if verification.ok else []
    service = {k: float(monitored[-1].metrics[k]) for k in ("latency_p95_ms", "error_rate")} if monitored else {}
    outcome = outcome_validation(ctx, requirements, production, run_dir, window, target, positive, service)
    failed_design = [c["check"] for c in design["checks"] if not c["passed"]]
    failed_process = [c["check"] for c in process["checks"] if not c["passed"]]
    failed_outcome = [c["criterion"] for c in outcome["acceptance"] if c["passed"] is False]
    compared = None
    if benchmark is not None:
        compared = benchmark_comparison(ctx, production, benchmark, run_dir, window, target, positive)
        compared_path = ctx.write_json("reports/benchmark_comparison.json", compared)
        ctx.record("CASE.mra.3", "benchmark_comparison", ROLE, STAGE, inputs=[manifest_ref], outputs=[compared_path],
                   params={k: compared[k] for k in ("benchmark_model", "metric", "tolerance", "conclusion")},
                   metrics={"metric_gap": float(compared["metric_gap"]), "production_auc": float(compared["production"]["auc"]),
                            "benchmark_auc": float(compared["benchmark"]["auc"])},
                   decision={"within_tolerance": compared["within_tolerance"]})
        if not compared["within_tolerance"]:
            failed_outcome.append(f"benchmark comparison: {compared['conclusion']}")
    findings = failed_design + failed_process + failed_outcome
    if failed_process or failed_design:
        verdict = "reject"
    elif failed_outcome:
        verdict = "approve_with_conditions"
    else:
        verdict = "approve"
    report = {
        "model": {"name": production.model.name, "version": production.model.version,
                  "sha256": production.model.sha256, "package": production.path},
        "validator": ctx.actor(ROLE, STAGE),
        "design_review": design_path, "process_review": process_path, "outcome": outcome, "benchmark": compared,
        "findings": findings, "verdict": verdict,
    }
    report_path = ctx.write_json("reports/validation_report.json", report)
    text_path = "reports/validation_report.md"
    atomic_write_text(ctx.path(text_path), _written_verdict(report, design, process))
    ctx.record("CASE.mra.3", "outcome_validation", ROLE, STAGE, inputs=[manifest_ref],
               outputs=[report_path, text_path],
               metrics={k: float(v) for k, v in outcome["measured"].items()},
               decision={"verdict": verdict, "findings": findings})
    return ValidationResult(verdict, report_path, verification.ok, findings)


def _written_verdict(report: dict[str, Any], design: dict[str, Any], process: dict[str, Any]) -> str:
    m = report["outcome"]["measured"]
    lines = [
        f"# Model validation report: {report['model']['name']} v{report['model']['version']}",
        "",
        f"Validator: {report['validator']} (independent of the development team).",
        f"Model file SHA-256: `{report['model']['sha256']}`.",
        "",
        f"**Verdict: {report['verdict'].replace('_', ' ')}.**",
        "",
        "## Design (CASE.mra.1)",
        *[f"- {'pass' if c['passed'] else 'FAIL'}: {c['check']}: {c['detail']}" for c in design["checks"]],
        "",
        "## Process (CASE.mra.2)",
        f"Development run {process['development_run']['run_id']}: trail verified = "
        f"{process['development_run']['ok']}, {process['development_run']['event_count']} events, "
        f"head hash `{process['development_run']['head_hash']}`.",
        *[f"- {'pass' if c['passed'] else 'FAIL'}: {c['check']}: {c['detail']}" for c in process["checks"]],
        "",
        "## Outcomes (CASE.mra.3)",
        f"On {report['outcome']['window_rows']} labelled requests of the newest window: AUC {m['auc']}, "
        f"Gini {m['gini']}, KS {m['ks']}, accuracy {m['accuracy']}, Brier {m['brier']}, ECE {m['ece']}, "
        f"score PSI {m['psi']}.",
        *[f"- {'n/a' if c['passed'] is None else ('pass' if c['passed'] else 'FAIL')}: {c['criterion']} "
          f"(measured {c['value']})" for c in report["outcome"]["acceptance"]],
        "",
        report["outcome"]["psi_note"],
        "",
    ]
    if report["benchmark"]:
        lines += ["## Benchmark (CASE.mra.3)", report["benchmark"]["conclusion"] + ".", ""]
    if report["findings"]:
        lines += ["## Findings", *[f"- {f}" for f in report["findings"]], ""]
    return "\n".join(lines)
