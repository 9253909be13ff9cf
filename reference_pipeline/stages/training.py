"""PA.6 continuous training, started by monitoring's trigger values (drift, decay, schedule).

- PA.6.step1 the newly labelled window becomes a feature-store version (same transform as
  production); the training window's versions are pulled by number and digest.
- PA.6.step2 validate the pulled data (schema, no missing values, both classes, enough rows) and split.
- PA.6.step3 retrain with the algorithm and hyper-parameters chosen in the experiments stage.
- PA.6.step4 hyper-parameter iteration over that algorithm's configured grid (cross-validated), then
  evaluation of the challenger against the production model on the same held-out rows.
- PA.6.step5 export the challenger to the model registry (digest recorded at write time).
- PA.6.step6 trigger CI and CD for it (PA.4, PA.5).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from reference_pipeline import stats
from reference_pipeline.code_digest import code_digest
from reference_pipeline.context import RunContext, StageFailed
from reference_pipeline.feature_store import FeatureStore
from reference_pipeline.features import TransformSpec, transform
from reference_pipeline.models import grid_points, make_estimator, scores
from reference_pipeline.registry import ModelRegistry
from reference_pipeline.serving import ScoringService
from reference_pipeline.stages.data_engineering import FEATURE_SET, LABEL, store_window_features, write_csv
from reference_pipeline.stages.experiments import CODE_FILES, ModelCandidate, check_fairness, cv_auc, split, write_holdout_scores
from reference_pipeline.stages.integration import Package
from reference_pipeline.stages.monitoring import MonitoringResult

STAGE = "continuous_training"
ROLE = "mlops_engineer"
MIN_ROWS = 30


def run(ctx: RunContext, trigger: MonitoringResult, production: Package, window: pd.DataFrame, spec: TransformSpec,
        target: str, positive: Any, number: int, *, materiality_tier: str) -> ModelCandidate | None:
    """Retrain; returns the registered challenger, or None when it does not beat production.
    `materiality_tier`: the validated requirements' risk tier, recorded with the registration."""
    config = ctx.config
    seed = config.seed + number
    store = FeatureStore(ctx.run_dir / "features")
    fired = sorted(k for k, v in trigger.triggers.items() if v)

    # PA.6.step1: the labelled window into the store, then pull the training window by version.
    new_version = store_window_features(ctx, window, spec, target, positive, name=trigger.window)
    versions = [new_version.version] if config.retraining.window == "recent" else [
        v.version for v in store.versions(FEATURE_SET)]
    pulled = [store.get(FEATURE_SET, v) for v in versions]
    frame = pd.concat([f for _, f in pulled], ignore_index=True)
    ctx.record(
        "PA.6.step1", "pull_versioned_features", ROLE, STAGE,
        inputs=[ctx.ref(trigger.report_path)],
        outputs=[f"features/{new_version.path}", "features/index.json"],
        params={"triggered_by": fired, "window": config.retraining.window,
                "versions": [f"{FEATURE_SET}@{v}" for v in versions],
                "sha256": [entry.sha256 for entry, _ in pulled]},
        metrics={"rows": float(len(frame))},
    )

    # PA.6.step2: validate and split.
    problems = []
    expected = list(spec.feature_names) + [LABEL]
    if list(frame.columns) != expected:
        problems.append(f"columns {list(frame.columns)} differ from the transform's {expected}")
    if frame.isna().any().any():
        problems.append("missing values in pulled features")
    if frame[LABEL].nunique() < 2:
        problems.append("only one class in the labelled window")
    if len(frame) < MIN_ROWS:
        problems.append(f"{len(frame)} rows < {MIN_ROWS}")
    ctx.record(
        "PA.6.step2", "validate_and_split", ROLE, STAGE,
        metrics={"rows": float(len(frame)), "event_rate": stats.rounded(float(frame[LABEL].mean()))},
        params={"holdout_share": config.retraining.holdout_share, "seed": seed},
        decision={"verdict": "pass" if not problems else "fail", "problems": problems},
    )
    if problems:
        raise StageFailed(f"continuous training {number}: pulled features failed validation: {'; '.join(problems)}")
    train, holdout = split(frame, config.retraining.holdout_share, seed)
    x_train, y_train = train.drop(columns=[LABEL]), train[LABEL]
    x_hold, y_hold = holdout.drop(columns=[LABEL]), holdout[LABEL].to_numpy()

    # PA.6.step3: retrain with the chosen algorithm and hyper-parameters.
    algorithm, chosen = production.model.algorithm, dict(production.model.params)
    retrained = make_estimator(algorithm, chosen, seed).fit(x_train, y_train)
    retrained_auc = stats.rounded(stats.auc(scores(retrained, x_hold), y_hold))
    ctx.record(
        "PA.6.step3", "retrain_chosen_configuration", ROLE, STAGE,
        params={"algorithm": algorithm, "hyper_parameters": chosen, "train_rows": len(train)},
        metrics={"holdout_auc": retrained_auc},
    )

    # PA.6.step4: hyper-parameter iteration on the algorithm's grid, then challenger vs production.
    grid = next((c.grid for c in config.experiments.candidates if c.algorithm == algorithm), {})
    folds = min(config.experiments.cv_folds, int(y_train.value_counts().min()))
    best_params, best_cv = chosen, -1.0
    tried = []
    if folds >= 2:
        for params in grid_points(grid):
            mean, _ = cv_auc(algorithm, params, train, folds, seed)
            tried.append({"hyper_parameters": params, "cv_auc_mean": mean})
            if mean > best_cv:
                best_params, best_cv = params, mean
    challenger = retrained if best_params == chosen else make_estimator(algorithm, best_params, seed).fit(x_train, y_train)
    champion = ScoringService(ctx.run_dir / production.path, production.manifest_sha256)
    new_scores = scores(challenger, x_hold)
    challenger_metrics = stats.discrimination(new_scores, y_hold)
    champion_metrics = stats.discrimination(champion.score_features(x_hold), y_hold)
    better = challenger_metrics["auc"] >= champion_metrics["auc"] - config.promotion.max_auc_drop
    base = f"experiments/retrain-{number}"
    summary = ctx.write_json(f"{base}/evaluation.json", {
        "triggered_by": fired, "algorithm": algorithm, "grid_runs": tried, "chosen": best_params,
        "challenger": challenger_metrics, "production": champion_metrics, "register": better,
    })
    ctx.record(
        "PA.6.step4", "evaluate_against_production", ROLE, STAGE,
        outputs=[summary],
        params={"algorithm": algorithm, "hyper_parameters": best_params, "grid_runs": len(tried), "cv_folds": folds},
        metrics={"challenger_auc": challenger_metrics["auc"], "production_auc": champion_metrics["auc"],
                 "challenger_ks": challenger_metrics["ks"], "production_ks": champion_metrics["ks"]},
        decision={"verdict": "register" if better else "keep_production",
                  "reason": f"challenger AUC {challenger_metrics['auc']} vs production {champion_metrics['auc']} "
                            f"on {len(y_hold)} held-out rows of the new window"},
    )
    if not better:
        return None
    if config.fairness is not None:  # the same fairness policy gates every registration
        check_fairness(ctx, config.fairness, new_scores, holdout, inputs=[ctx.ref(summary)], report=f"{base}/fairness.json",
                       clause="PA.6.step4", role=ROLE, stage=STAGE)

    # PA.6.step5: export to the registry, with golden predictions for CI.
    entry = ModelRegistry(ctx.run_dir / "registry").register(
        config.name, challenger, probe=x_hold, algorithm=algorithm, params=best_params, metrics=challenger_metrics,
        feature_version="+".join(f"{FEATURE_SET}@{v}" for v in versions), code_digest=code_digest(*CODE_FILES),
    )
    holdout_path = write_holdout_scores(ctx, f"{base}/holdout_scores.csv", new_scores, y_hold)
    raw = window[spec.input_columns].head(config.ci.golden_rows).reset_index(drop=True)
    golden = raw.copy()
    golden["expected_score"] = scores(challenger, transform(raw, spec))
    golden_path = write_csv(ctx, f"{base}/golden.csv", golden)
    ctx.record(
        "PA.6.step5", "register_model", ROLE, STAGE,
        inputs=[ctx.ref(summary)],
        outputs=[f"registry/{entry.path}", "registry/index.json", holdout_path, golden_path],
        params={"model": entry.name, "version": entry.version, "untrusted_types": entry.untrusted_types,
                # What the model depends on (the feature versions it was trained on; it uses no
                # other model's output) and its tier, from the validated requirements.
                "materiality_tier": materiality_tier,
                "dependencies": {"data": [f"{FEATURE_SET}@{v}" for v in versions], "upstream_models": []}},
    )

    # PA.6.step6: trigger model testing and CD.
    ctx.record(
        "PA.6.step6", "trigger_ci_and_cd", ROLE, STAGE,
        inputs=[ctx.ref(f"registry/{entry.path}")],
        decision={"trigger": ["PA.4", "PA.5"], "model": entry.name, "version": entry.version},
    )
    return ModelCandidate(
        entry=entry, model=challenger, algorithm=algorithm, params=best_params,
        holdout_scores_path=holdout_path,
        holdout_features=x_hold.reset_index(drop=True),
        reference_features=x_train.reset_index(drop=True),
        golden_path=golden_path,
    )
