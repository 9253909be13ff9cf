"""PA.7 continuous monitoring: collect metrics, analyse them by rules, report and emit trigger values.

- PA.7.step1 collect: the production package scores the window's requests (simulated telemetry for
  latency and failures); predictions, features and telemetry are kept under `monitoring/<window>/`.
- PA.7.step2 analyse by the configured rules against the production model's reference: PSI of the
  score on reference deciles, CSI per feature, KS, AUC decay once labels arrive, latency, error rate.
  Every alert raised is acknowledged and classified by the operations engineer, one event each
  (`acknowledge_alert`) with `raised_at`, `acknowledged_at` and `sla_hours`; the acknowledgement
  is SIMULATED (a fixed delay from config `alerts`), as this demo pipeline has no on-call rota.
- PA.7.step3 write the monitoring report and the trigger values (drift, decay, service, schedule)
  that start continuous training (PA.6).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd

from mlops_audit.util.clock import isoformat, parse_timestamp
from reference_pipeline import stats
from reference_pipeline.context import RunContext
from reference_pipeline.features import transform
from reference_pipeline.serving import ScoringService
from reference_pipeline.stages.data_engineering import labels, write_csv
from reference_pipeline.stages.integration import Package
from reference_pipeline.traffic import phase_rng, simulate

STAGE = "monitoring"


@dataclass
class MonitoringResult:
    window: str
    triggers: dict[str, bool]
    start_retraining: bool
    report_path: str
    metrics: dict[str, float]


# Which kind of problem each alert rule reports: the operations engineer's classification.
ALERT_CLASSES = {
    "score_psi": "data_drift",
    "feature_csi": "data_drift",
    "auc_decay": "performance_decay",
    "latency": "service",
    "error_rate": "service",
}


def acknowledge_alerts(ctx: RunContext, raised_at: str, alerts: dict[str, bool], analysis_path: str) -> None:
    """PA.7.step2, operations: acknowledge and classify each alert raised (simulated acknowledgement).

    `raised_at` is the timestamp of the analysis event that raised the alerts; the acknowledgement
    time is that plus the configured delay, so runs stay byte-reproducible under an injected clock.
    """
    handling = ctx.config.alerts
    raised = parse_timestamp(raised_at, where="analyse_by_rules event ts")
    acknowledged_at = isoformat(raised + timedelta(minutes=handling.acknowledge_after_minutes))
    for rule in sorted(name for name, fired in alerts.items() if fired):
        ctx.record(
            "PA.7.step2", "acknowledge_alert", "ops_engineer", STAGE,
            inputs=[ctx.ref(analysis_path)],
            params={
                "alert": rule,
                "classification": ALERT_CLASSES[rule],
                "raised_at": raised_at,
                "acknowledged_at": acknowledged_at,
                "sla_hours": handling.sla_hours,
                "simulated": True,
            },
        )


def run(ctx: RunContext, production: Package, window_name: str, window: pd.DataFrame, target: str, positive: Any,
        windows_since_training: int) -> MonitoringResult:
    rules = ctx.config.monitoring
    base = f"monitoring/{window_name}"

    # PA.7.step1: collect prediction, feature and service metrics.
    service = ScoringService(ctx.run_dir / production.path, production.manifest_sha256)
    telemetry = simulate(len(window), ctx.config.service, phase_rng(ctx.config.seed, f"monitor-{window_name}"))
    served = ~telemetry.failed
    features = transform(window, service.spec)
    scores = service.score_features(features)
    y = labels(window, target, positive)
    predictions = pd.DataFrame({
        "request": np.arange(len(window)),
        "score": np.where(served, np.round(scores, 12), np.nan),
        "label": y,
        "latency_ms": telemetry.latency_ms,
        "failed": telemetry.failed.astype(int),
    })
    predictions_path = write_csv(ctx, f"{base}/predictions.csv", predictions)
    features_path = write_csv(ctx, f"{base}/features.csv", features.reset_index(drop=True))
    ctx.record(
        "PA.7.step1", "collect_metrics", "ops_engineer", STAGE,
        inputs=[ctx.ref(f"{production.path}/MANIFEST.json")],
        outputs=[predictions_path, features_path],
        params={"window": window_name, "model": production.name},
        metrics={"requests": float(len(window)), "served": float(served.sum())},
    )

    # PA.7.step2: analyse by rules against the production model's reference.
    reference = pd.read_csv(ctx.run_dir / production.holdout_scores_path)
    current_scores = scores[served]
    current_labels = y[served]
    psi = stats.rounded(stats.psi(reference["score"], current_scores))
    csi = {k: stats.rounded(v) for k, v in stats.csi(
        {c: production.reference_features[c].to_numpy() for c in production.reference_features.columns},
        {c: features[c].to_numpy()[served] for c in production.reference_features.columns},
    ).items()}
    reference_auc = stats.rounded(stats.auc(reference["score"], reference["label"]))
    current = stats.discrimination(current_scores, current_labels)
    decay = stats.rounded(reference_auc - current["auc"])
    latency_p95 = stats.rounded(telemetry.latency_p95())
    error_rate = stats.rounded(telemetry.error_rate)
    drifted_features = sorted(k for k, v in csi.items() if v >= rules.csi_alert)
    alerts = {
        "score_psi": psi >= rules.psi_alert,
        "feature_csi": bool(drifted_features),
        "auc_decay": decay >= rules.auc_decay_alert,
        "latency": latency_p95 > rules.latency_p95_ms,
        "error_rate": error_rate > rules.error_rate_max,
    }
    analysis = {
        "window": window_name,
        "model": production.name,
        "reference": {"scores": production.holdout_scores_path, "auc": reference_auc,
                      "rows": len(reference), "features_rows": len(production.reference_features)},
        "score_psi": {"value": psi, "band": stats.psi_band(psi), "bins": stats.PSI_BINS, "floor": stats.PSI_FLOOR},
        "csi": {k: {"value": v, "band": stats.psi_band(v)} for k, v in csi.items()},
        "discrimination": current,
        "auc_decay": decay,
        "service": {"latency_p95_ms": latency_p95, "error_rate": error_rate},
        "rules": rules.model_dump(),
        "alerts": alerts,
        "drifted_features": drifted_features,
        "note": stats.PSI_BANDS_NOTE,
    }
    analysis_path = ctx.write_json(f"{base}/analysis.json", analysis)
    analysed = ctx.record(
        "PA.7.step2", "analyse_by_rules", "mlops_engineer", STAGE,
        inputs=[ctx.ref(predictions_path), ctx.ref(features_path), ctx.ref(production.holdout_scores_path)],
        outputs=[analysis_path],
        params={"rules": rules.model_dump(), "psi_bins": stats.PSI_BINS},
        metrics={"score_psi": psi, "max_csi": max(csi.values()) if csi else 0.0, "auc": current["auc"],
                 "reference_auc": reference_auc, "auc_decay": decay, "ks": current["ks"],
                 "latency_p95_ms": latency_p95, "error_rate": error_rate},
        decision={"alerts": alerts, "drifted_features": drifted_features},
    )

    acknowledge_alerts(ctx, analysed.ts, alerts, analysis_path)

    # PA.7.step3: report and trigger values for PA.6.
    retraining = ctx.config.retraining
    schedule_due = retraining.schedule_every_windows > 0 and windows_since_training + 1 >= retraining.schedule_every_windows
    triggers = {
        "drift": alerts["score_psi"] or alerts["feature_csi"],
        "decay": alerts["auc_decay"],
        "service": alerts["latency"] or alerts["error_rate"],
        "schedule": schedule_due,
    }
    start = any(triggers[name] for name in retraining.triggers)
    report_path = ctx.write_json(f"reports/monitoring-{window_name}.json", {
        "window": window_name, "model": production.name, "triggers": triggers,
        "configured_triggers": list(retraining.triggers), "start_retraining": start,
        "analysis": analysis_path, "summary": {"score_psi": psi, "auc": current["auc"], "auc_decay": decay,
                                               "drifted_features": drifted_features},
    })
    ctx.record(
        "PA.7.step3", "report_and_emit_triggers", "mlops_engineer", STAGE,
        inputs=[ctx.ref(analysis_path)],
        outputs=[report_path],
        metrics={f"trigger_{k}": 1.0 if v else 0.0 for k, v in triggers.items()},
        decision={"triggers": triggers, "start_retraining": start},
    )
    return MonitoringResult(window_name, triggers, start, report_path,
                            {"score_psi": psi, "auc": current["auc"], "auc_decay": decay})
