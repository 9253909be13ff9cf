"""PA.5 continuous deployment: staging, then production through an update strategy, with an evaluation.

Environments are folders with a `state.json` (`deploy/staging/`, `deploy/production/`); a package
is only ever served through `serving.ScoringService`, which re-checks its digests.

- PA.5.step1 deploy the package to staging (smoke test), then to production under the strategy.
- PA.5.step2 traffic management: the first release is replayed on the labelled holdout in staging
  before taking 100 %; a new release takes canary steps (e.g. 5 %, 25 %, 50 %, 100 %) or an A/B
  split of simulated requests, while the champion scores the same requests in shadow so the two are
  compared on identical traffic. A step that breaks a rule rolls the release back at once.
- PA.5.step3 evaluate and decide: promote or roll back by the declared rules; write the report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mlops_audit.util.jsonio import sha256_file

from reference_pipeline import stats
from reference_pipeline.context import RunContext, StageFailed
from reference_pipeline.requirements_spec import RequirementsSpec
from reference_pipeline.serving import ScoringService
from reference_pipeline.stages.data_engineering import labels
from reference_pipeline.stages.integration import Package
from reference_pipeline.traffic import phase_rng, simulate

STAGE = "deployment"


@dataclass
class DeploymentResult:
    verdict: str  # promote | rollback
    production: Package
    report_path: str
    steps_completed: int


def _describe(package: Package) -> dict[str, Any]:
    return {"package": package.path, "model": package.model.name, "version": package.model.version,
            "model_sha256": package.model.sha256, "manifest_sha256": package.manifest_sha256}


def _write_state(ctx: RunContext, environment: str, live: Package | None, canary: tuple[Package, float] | None,
                 history: list[dict[str, Any]]) -> str:
    return ctx.write_json(f"deploy/{environment}/state.json", {
        "environment": environment,
        "live": _describe(live) if live else None,
        "canary": ({**_describe(canary[0]), "traffic_share": canary[1]} if canary else None),
        "history": history,
    })


def _staging(ctx: RunContext, package: Package, rollout: int, history: list[dict[str, Any]]) -> ScoringService:
    service = ScoringService(ctx.run_dir / package.path, package.manifest_sha256)
    history.append({"rollout": rollout, "environment": "staging", "action": "deploy", "package": package.path})
    state = _write_state(ctx, "staging", package, None, [h for h in history if h["environment"] == "staging"])
    ctx.record(
        "PA.5.step1", "deploy_to_staging", "ops_engineer", STAGE,
        inputs=[ctx.ref(f"{package.path}/MANIFEST.json")],
        outputs=[state],
        # JR/T 0221-2021 6.4's deployment items: operator, result and the configuration's digest.
        params={"rollout": rollout, "package": package.path, "operator": ctx.actor("ops_engineer", STAGE),
                "result": "deployed to staging; package digests verified and model loaded",
                "config_sha256": sha256_file(ctx.run_dir / package.path / "config.json")},
        decision={"smoke_test": "package digests verified and model loaded in staging"},
    )
    return service


def _acceptance(requirements: RequirementsSpec, measured: dict[str, float]) -> list[dict[str, Any]]:
    out = []
    for bound in requirements.acceptance_criteria:
        value = measured.get(bound.metric)
        out.append({"criterion": bound.describe(), "value": value,
                    "passed": None if value is None else bound.holds(value)})
    return out


def first_release(ctx: RunContext, package: Package, requirements: RequirementsSpec, history: list[dict[str, Any]]) -> DeploymentResult:
    rollout = 1
    service = _staging(ctx, package, rollout, history)

    # PA.5.step2: staging replay of the labelled holdout, with simulated service telemetry.
    # The packaged model (loaded through its digests) re-scores the held-out features; its scores must
    # equal the ones the experiment recorded, or the package is not the model that was validated.
    holdout = pd.read_csv(ctx.run_dir / package.holdout_scores_path)
    replay_scores = service.score_features(package.holdout_features)
    difference = float(np.max(np.abs(np.round(replay_scores, 12) - holdout["score"].to_numpy())))
    replay_ok = difference <= 1e-9
    measured = stats.discrimination(replay_scores, holdout["label"].to_numpy())
    telemetry = simulate(len(holdout), ctx.config.service, phase_rng(ctx.config.seed, f"staging-replay-{rollout}"))
    measured.update(latency_p95_ms=stats.rounded(telemetry.latency_p95()), error_rate=stats.rounded(telemetry.error_rate))
    ctx.record(
        "PA.5.step2", "staging_replay", "ops_engineer", STAGE,
        inputs=[ctx.ref(package.holdout_scores_path)],
        params={"rollout": rollout, "strategy": "first release: staging replay, then 100 %", "requests": len(holdout)},
        metrics={**measured, "replay_max_difference": difference},
        decision={"verdict": "pass" if replay_ok else "fail",
                  "check": "packaged model reproduces the validated model's holdout scores"},
    )
    if not replay_ok:
        raise StageFailed(
            f"staging replay of {package.name}: scores differ from {package.holdout_scores_path} by "
            f"{difference:.3g}; the package is not the validated model"
        )

    # PA.5.step3: acceptance criteria decide whether the first release goes live.
    results = _acceptance(requirements, measured)
    failed = [r["criterion"] for r in results if r["passed"] is False]
    verdict = "promote" if not failed else "rollback"
    if verdict == "promote":
        history.append({"rollout": rollout, "environment": "production", "action": "promote", "package": package.path})
    state = _write_state(ctx, "production", package if verdict == "promote" else None, None,
                         [h for h in history if h["environment"] == "production"])
    report = ctx.write_json(f"reports/evaluation-{rollout}.json", {
        "rollout": rollout, "strategy": "first_release", "package": _describe(package),
        "acceptance": results, "measured": measured, "verdict": verdict,
        "note": "criteria without a value (e.g. psi before any production traffic) are not applicable yet",
    })
    ctx.record(
        "PA.5.step3", "evaluate_and_decide", "mlops_engineer", STAGE,
        outputs=[report, state],
        params={"rollout": rollout},
        metrics=measured,
        decision={"verdict": verdict, "failed_criteria": failed},
    )
    if verdict != "promote":
        raise StageFailed(f"first release of {package.name} failed acceptance ({report}): {'; '.join(failed)}")
    return DeploymentResult(verdict, package, report, 1)


def _auc_or_none(scores: np.ndarray, y: np.ndarray) -> float | None:
    if y.size == 0 or y.min() == y.max():
        return None
    return stats.rounded(stats.auc(scores, y))


def rollout(
    ctx: RunContext,
    challenger: Package,
    champion: Package,
    window: pd.DataFrame,
    target: str,
    positive: Any,
    number: int,
    history: list[dict[str, Any]],
) -> DeploymentResult:
    rules = ctx.config.promotion
    _staging(ctx, challenger, number, history)
    new = ScoringService(ctx.run_dir / challenger.path, challenger.manifest_sha256)
    old = ScoringService(ctx.run_dir / champion.path, champion.manifest_sha256)
    steps = list(rules.canary_steps) if rules.strategy == "canary" else [rules.ab_split]
    history.append({"rollout": number, "environment": "production", "action": f"start {rules.strategy}",
                    "package": challenger.path})
    state = _write_state(ctx, "production", champion, (challenger, 0.0),
                         [h for h in history if h["environment"] == "production"])
    ctx.record(
        "PA.5.step1", "deploy_to_production", "ops_engineer", STAGE,
        inputs=[ctx.ref(f"{challenger.path}/MANIFEST.json")],
        outputs=[state],
        params={"rollout": number, "strategy": rules.strategy, "steps": steps, "champion": champion.path,
                "challenger": challenger.path, "operator": ctx.actor("ops_engineer", STAGE),
                "result": f"deployed to production beside the champion at 0% traffic; {rules.strategy} starts",
                "config_sha256": sha256_file(ctx.run_dir / challenger.path / "config.json")},
    )

    rng = phase_rng(ctx.config.seed, f"rollout-{number}")
    y_all = labels(window, target, positive)
    new_scores = new.score(window)
    old_scores = old.score(window)
    slices = np.array_split(np.arange(len(window)), len(steps))
    served_new: list[np.ndarray] = []
    step_records: list[dict[str, Any]] = []
    verdict, reason = "promote", "every step met the promotion rules"
    for index, (share, rows) in enumerate(zip(steps, slices, strict=True)):
        to_new = rows[rng.random(rows.size) < share]
        to_old = np.setdiff1d(rows, to_new)
        t_new = simulate(to_new.size, ctx.config.service, rng)
        t_old = simulate(to_old.size, ctx.config.service, rng)
        served_new.append(to_new[~t_new.failed])
        cumulative = np.concatenate(served_new)
        y_cum = y_all[cumulative]
        auc_new = _auc_or_none(new_scores[cumulative], y_cum)
        auc_old_shadow = _auc_or_none(old_scores[cumulative], y_cum)
        problems = []
        if t_new.error_rate > rules.max_error_rate:
            problems.append(f"challenger error rate {t_new.error_rate:.4f} > {rules.max_error_rate}")
        if to_new.size and t_new.latency_p95() > rules.max_latency_p95_ms:
            problems.append(f"challenger p95 latency {t_new.latency_p95():.1f} ms > {rules.max_latency_p95_ms}")
        compared = cumulative.size >= rules.min_labelled_per_arm and auc_new is not None and auc_old_shadow is not None
        diff = low = high = None
        if compared:
            diff, low, high = (stats.rounded(v) for v in stats.paired_auc_difference(
                new_scores[cumulative], old_scores[cumulative], y_cum, rng, rules.bootstrap_resamples))
            # Roll back as soon as the challenger is shown worse than the margin allows.
            if high < -rules.max_auc_drop:
                problems.append(f"challenger AUC worse than champion: difference {diff}, 95% interval "
                                f"[{low}, {high}] entirely below -{rules.max_auc_drop}")
            # Full traffic needs non-inferiority shown: the interval's low end within the margin.
            elif index == len(steps) - 1 and low < -rules.max_auc_drop:
                problems.append(f"challenger not shown non-inferior: AUC difference {diff}, 95% interval "
                                f"[{low}, {high}] reaches below -{rules.max_auc_drop}")
        elif index == len(steps) - 1:
            problems.append(f"too few labelled challenger requests ({cumulative.size} < "
                            f"{rules.min_labelled_per_arm}) or one class only: cannot compare with the champion")
        record = {
            "step": index + 1, "traffic_share": share, "requests": int(rows.size),
            "challenger_requests": int(to_new.size), "champion_requests": int(to_old.size),
            "challenger_auc_cumulative": auc_new, "champion_shadow_auc_cumulative": auc_old_shadow,
            "auc_compared": bool(compared),
            "auc_difference": diff, "auc_difference_ci_low": low, "auc_difference_ci_high": high,
            "challenger_error_rate": stats.rounded(t_new.error_rate),
            "challenger_latency_p95_ms": stats.rounded(t_new.latency_p95()),
            "champion_error_rate": stats.rounded(t_old.error_rate),
            "champion_latency_p95_ms": stats.rounded(t_old.latency_p95()),
            "problems": problems,
        }
        step_records.append(record)
        step_state = _write_state(ctx, "production", champion, (challenger, share),
                                  [h for h in history if h["environment"] == "production"])
        ctx.record(
            "PA.5.step2", "route_traffic_step", "ops_engineer", STAGE,
            outputs=[step_state],
            params={"rollout": number, "strategy": rules.strategy, "step": index + 1, "traffic_share": share},
            metrics={k: float(v) for k, v in record.items()
                     if isinstance(v, (int, float)) and not isinstance(v, bool) and k != "step"},
            decision={"verdict": "rollback" if problems else "continue", "problems": problems},
        )
        if problems:
            verdict, reason = "rollback", "; ".join(problems)
            break

    live = challenger if verdict == "promote" else champion
    history.append({"rollout": number, "environment": "production", "action": verdict, "package": challenger.path})
    state = _write_state(ctx, "production", live, None, [h for h in history if h["environment"] == "production"])
    report = ctx.write_json(f"reports/evaluation-{number}.json", {
        "rollout": number, "strategy": rules.strategy, "challenger": _describe(challenger),
        "champion": _describe(champion), "rules": rules.model_dump(), "steps": step_records,
        "verdict": verdict, "reason": reason,
    })
    last = step_records[-1]
    ctx.record(
        "PA.5.step3", "evaluate_and_decide", "mlops_engineer", STAGE,
        outputs=[report, state],
        params={"rollout": number, "rules": rules.model_dump()},
        metrics={"steps_completed": float(len(step_records)),
                 "challenger_auc": float(last["challenger_auc_cumulative"] or 0.0),
                 "champion_shadow_auc": float(last["champion_shadow_auc_cumulative"] or 0.0)},
        decision={"verdict": verdict, "reason": reason, "live": live.path},
    )
    return DeploymentResult(verdict, live, report, len(step_records))
