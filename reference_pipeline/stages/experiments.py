"""PA.3 model experiments: tracked cross-validated runs over algorithms × grids, early stop, export.

- PA.3.step1 build the experiment data set from a pinned feature-store version (stratified split).
- PA.3.step2 one tracked run per (algorithm, grid point): params, CV metrics, data version, code digest.
- PA.3.step3 stop as soon as a round of runs reaches the target AUC; validate the best on the test split;
  with a sensitivity policy, move key inputs and score adverse scenarios; with a fairness policy, check
  its calibration per customer group (either failing: the model is not registered).
- PA.3.step4 export the best model to the registry (skops; digest recorded at write time), plus the
  golden predictions CI will check the packaged model against.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mlops_audit.errors import InputError

from reference_pipeline import stats
from reference_pipeline.code_digest import code_digest
from reference_pipeline.config import FairnessSettings, SensitivitySettings
from reference_pipeline.context import RunContext, StageFailed
from reference_pipeline.fairness import group_calibration
from reference_pipeline.feature_store import FeatureStore, FeatureVersion
from reference_pipeline.features import TransformSpec, transform
from reference_pipeline.models import grid_points, make_estimator, scores
from reference_pipeline.registry import ModelRegistry, ModelVersion
from reference_pipeline.sensitivity import sensitivity, stress
from reference_pipeline.stages.data_engineering import FEATURE_SET, LABEL, write_csv

STAGE = "experiments"
ROLE = "data_scientist"
CODE_FILES = ("stages/experiments.py", "models.py", "features.py", "stats.py", "registry.py", "fairness.py", "sensitivity.py")


@dataclass
class ModelCandidate:
    """A trained model with what CI, deployment and monitoring need to know about it."""

    entry: ModelVersion
    model: Any
    algorithm: str
    params: dict[str, Any]
    holdout_scores_path: str  # score,label of the held-out split: the PSI/AUC reference
    holdout_features: pd.DataFrame
    reference_features: pd.DataFrame  # training features: the CSI reference
    golden_path: str


def split(frame: pd.DataFrame, test_share: float, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    from sklearn.model_selection import train_test_split

    train, test = train_test_split(frame, test_size=test_share, random_state=seed, stratify=frame[LABEL])
    return train.sort_index(), test.sort_index()


def cv_auc(algorithm: str, params: dict[str, Any], train: pd.DataFrame, folds: int, seed: int) -> tuple[float, float]:
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    x, y = train.drop(columns=[LABEL]), train[LABEL]
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    values = cross_val_score(make_estimator(algorithm, params, seed), x, y, cv=cv, scoring="roc_auc")
    return stats.rounded(float(np.mean(values))), stats.rounded(float(np.std(values)))


def write_holdout_scores(ctx: RunContext, relative: str, probabilities: np.ndarray, y: np.ndarray) -> str:
    frame = pd.DataFrame({"score": np.round(probabilities, 12), "label": y.astype(int)})
    return write_csv(ctx, relative, frame)


def write_golden(ctx: RunContext, relative: str, model: Any, spec: TransformSpec, clean_path: str, rows: int) -> str:
    raw = pd.read_csv(ctx.run_dir / clean_path)[spec.input_columns].head(rows)
    golden = raw.copy()
    golden["expected_score"] = scores(model, transform(raw, spec))
    return write_csv(ctx, relative, golden)


def check_fairness(ctx: RunContext, settings: FairnessSettings, probabilities: np.ndarray, test: pd.DataFrame, *, inputs: list[Any],
                   report: str, clause: str = "PA.3.step3", role: str = ROLE, stage: str = STAGE) -> None:
    """fairness_check (PA.3.step3; PA.6.step4 for a retrained model): calibration per customer group
    of the model about to be registered, on its held-out rows (JR/T 0221-2021 6.1: an objective free of bias and
    discrimination). Records the group metrics and the threshold; a failure blocks registration."""
    if settings.group_by not in test.columns:
        features = [c for c in test.columns if c != LABEL]
        raise InputError(f"pipeline config: fairness.group_by: '{settings.group_by}' is not a feature column (features: {', '.join(features)})")
    result = group_calibration(
        probabilities, test[LABEL].to_numpy(), test[settings.group_by].to_numpy(),
        bands=settings.bands, max_gap=settings.max_calibration_gap, min_rows=settings.min_group_rows,
    )
    threshold = {"max_calibration_gap": settings.max_calibration_gap, "min_group_rows": settings.min_group_rows}
    path = ctx.write_json(report, {"group_by": settings.group_by, "bands": settings.bands, "threshold": threshold, **result})
    judged = [g["calibration_gap"] for g in result["groups"].values() if g.get("judged")]
    ctx.record(
        clause, "fairness_check", role, stage,
        inputs=inputs,
        outputs=[path],
        params={"metric": "calibration within groups (|mean score - event rate|)", "group_by": settings.group_by,
                "bands": settings.bands, "group_metrics": result["groups"], "fairness_threshold": threshold,
                "passed": result["passed"]},
        metrics={"groups_judged": float(len(judged)), "max_calibration_gap": max(judged, default=0.0)},
        decision={"verdict": "pass" if result["passed"] else "fail", "failed_groups": result["failed_groups"]},
    )
    if not result["passed"]:
        raise StageFailed(f"fairness check failed (see {path}): groups {', '.join(result['failed_groups'])} of "
                          f"{settings.group_by} are miscalibrated beyond {settings.max_calibration_gap}; the model is not registered")


def check_sensitivity(ctx: RunContext, settings: SensitivitySettings, model: Any, spec: TransformSpec, clean_path: str, *, inputs: list[Any]) -> None:
    """PA.3.step3 sensitivity_analysis of the selected model on raw applications: each named input
    moved by +-relative_change (threshold on the mean score change; exceeding it blocks
    registration) and the adverse scenarios scored (reported)."""
    named = set(settings.inputs) | {c for s in settings.scenarios.values() for c in (*s.multiply, *s.add)}
    unknown = sorted(named - set(spec.numeric))
    if unknown:
        raise InputError(f"pipeline config: sensitivity: {', '.join(unknown)} not numeric inputs (numeric inputs: {', '.join(spec.numeric)})")
    requests = pd.read_csv(ctx.run_dir / clean_path).head(settings.rows)[spec.input_columns]

    def score(frame: pd.DataFrame) -> np.ndarray:
        return scores(model, transform(frame, spec))

    moved = sensitivity(score, requests, settings.inputs, relative_change=settings.relative_change, valid_ranges=spec.valid_ranges)
    stressed = stress(score, requests, settings.scenarios, spec.valid_ranges)
    failed = sorted(c for c, r in moved.items() if r["mean_abs_change"] > settings.max_mean_change)
    path = ctx.write_json("reports/sensitivity.json", {
        "rows": len(requests), "relative_change": settings.relative_change, "max_mean_change": settings.max_mean_change,
        "inputs": moved, "scenarios": stressed, "failed_inputs": failed, "passed": not failed})
    ctx.record(
        "PA.3.step3", "sensitivity_analysis", ROLE, STAGE,
        inputs=inputs,
        outputs=[path],
        params={"perturbed_inputs": moved, "relative_change": settings.relative_change, "scenarios": stressed,
                "threshold": {"max_mean_abs_change": settings.max_mean_change}, "rows": len(requests)},
        metrics={"max_output_change": max(r["max_abs_change"] for r in moved.values()),
                 "max_mean_output_change": max(r["mean_abs_change"] for r in moved.values())},
        decision={"verdict": "pass" if not failed else "fail", "failed_inputs": failed},
    )
    if failed:
        raise StageFailed(f"sensitivity analysis failed (see {path}): the score moves more than {settings.max_mean_change} on average "
                          f"when {', '.join(failed)} moves by {settings.relative_change:.0%}; the model is not registered")


def run(
    ctx: RunContext, feature_version: FeatureVersion, spec: TransformSpec, clean_path: str, *, materiality_tier: str
) -> ModelCandidate:
    """`materiality_tier`: the risk tier of the validated requirements spec (PA.1), recorded with the
    registration (no registration without one)."""
    settings = ctx.config.experiments
    seed = ctx.config.seed
    digest = code_digest(*CODE_FILES)
    data_version = f"{FEATURE_SET}@{feature_version.version}"

    # PA.3.step1: pinned feature version, stratified split.
    _, frame = FeatureStore(ctx.run_dir / "features").get(FEATURE_SET, feature_version.version)
    train, test = split(frame, settings.test_share, seed)
    dataset_path = ctx.write_json(
        "experiments/dataset.json",
        {
            "feature_version": data_version,
            "feature_sha256": feature_version.sha256,
            "train_rows": len(train),
            "test_rows": len(test),
            "split": {"test_share": settings.test_share, "seed": seed, "stratified_on": LABEL},
        },
    )
    ctx.record(
        "PA.3.step1", "build_experiment_dataset", ROLE, STAGE,
        inputs=[ctx.ref(f"features/{feature_version.path}", data_version)],
        outputs=[dataset_path],
        metrics={"train_rows": float(len(train)), "test_rows": float(len(test)),
                 "train_event_rate": stats.rounded(float(train[LABEL].mean()))},
    )

    # PA.3.step2 and step3: rounds of tracked runs, one round per algorithm, stop at the target.
    runs: list[dict[str, Any]] = []
    best: dict[str, Any] | None = None
    rounds_done = 0
    for candidate in settings.candidates:
        rounds_done += 1
        for params in grid_points(candidate.grid):
            mean, std = cv_auc(candidate.algorithm, params, train, settings.cv_folds, seed)
            record = {
                "run": len(runs) + 1,
                "algorithm": candidate.algorithm,
                "params": params,
                "cv_folds": settings.cv_folds,
                "cv_auc_mean": mean,
                "cv_auc_std": std,
                "data_version": data_version,
                "code_digest": digest,
            }
            runs.append(record)
            run_path = ctx.write_json(f"experiments/runs/run-{record['run']:03d}.json", record)
            ctx.record(
                "PA.3.step2", "tracked_cv_run", ROLE, STAGE,
                inputs=[ctx.ref(dataset_path)],
                outputs=[run_path],
                params={"algorithm": candidate.algorithm, "hyper_parameters": params, "data_version": data_version,
                        "code_digest": digest, "cv_folds": settings.cv_folds},
                metrics={"cv_auc_mean": mean, "cv_auc_std": std},
            )
            if best is None or mean > best["cv_auc_mean"]:
                best = record
        assert best is not None
        if best["cv_auc_mean"] >= settings.target_auc:
            break
    assert best is not None
    target_met = best["cv_auc_mean"] >= settings.target_auc
    skipped = [c.algorithm for c in settings.candidates[rounds_done:]]

    model = make_estimator(best["algorithm"], best["params"], seed)
    model.fit(train.drop(columns=[LABEL]), train[LABEL])
    probabilities = scores(model, test.drop(columns=[LABEL]))
    test_metrics = stats.discrimination(probabilities, test[LABEL].to_numpy())
    holdout_path = write_holdout_scores(ctx, "experiments/holdout_scores.csv", probabilities, test[LABEL].to_numpy())
    summary_path = ctx.write_json(
        "experiments/summary.json",
        {"runs": runs, "best_run": best["run"], "target_auc": settings.target_auc, "target_met": target_met,
         "skipped_algorithms": skipped, "test_metrics": test_metrics},
    )
    ctx.record(
        "PA.3.step3", "select_and_validate_best", ROLE, STAGE,
        inputs=[ctx.ref(dataset_path)],
        outputs=[summary_path, holdout_path],
        params={"target_auc": settings.target_auc, "runs": len(runs), "best_run": best["run"],
                "algorithm": best["algorithm"], "hyper_parameters": best["params"]},
        metrics={f"test_{k}": v for k, v in test_metrics.items()},
        decision={
            "target_met": target_met,
            "stopped_early": bool(skipped) and target_met,
            "skipped_algorithms": skipped,
            "reason": (f"best CV AUC {best['cv_auc_mean']} reached the target {settings.target_auc}" if target_met
                       else f"no run reached the target {settings.target_auc}; best CV AUC {best['cv_auc_mean']} kept"),
        },
    )

    if ctx.config.sensitivity is not None:
        check_sensitivity(ctx, ctx.config.sensitivity, model, spec, clean_path, inputs=[ctx.ref(summary_path), ctx.ref(clean_path)])
    if ctx.config.fairness is not None:
        check_fairness(ctx, ctx.config.fairness, probabilities, test, inputs=[ctx.ref(summary_path)], report="reports/fairness.json")

    # PA.3.step4: export to the registry and fix the golden predictions.
    registry = ModelRegistry(ctx.run_dir / "registry")
    entry = registry.register(
        ctx.config.name,
        model,
        probe=test.drop(columns=[LABEL]),
        algorithm=best["algorithm"],
        params=best["params"],
        metrics={k: v for k, v in test_metrics.items()},
        feature_version=data_version,
        code_digest=digest,
    )
    golden_path = write_golden(ctx, "experiments/golden.csv", model, spec, clean_path, ctx.config.ci.golden_rows)
    ctx.record(
        "PA.3.step4", "export_model", ROLE, STAGE,
        inputs=[ctx.ref(summary_path)],
        outputs=[f"registry/{entry.path}", "registry/index.json", golden_path],
        params={"model": entry.name, "version": entry.version, "format": "skops",
                "untrusted_types": entry.untrusted_types, "feature_version": data_version,
                "materiality_tier": materiality_tier,
                "dependencies": {"data": [data_version], "upstream_models": []}},
    )
    return ModelCandidate(
        entry=entry,
        model=model,
        algorithm=best["algorithm"],
        params=best["params"],
        holdout_scores_path=holdout_path,
        holdout_features=test.drop(columns=[LABEL]).reset_index(drop=True),
        reference_features=train.drop(columns=[LABEL]).reset_index(drop=True),
        golden_path=golden_path,
    )
