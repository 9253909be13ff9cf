"""The scenario: all stages in order, into one run folder with a verifiable audit trail.

Order (default config): PA.1 -> PA.2 -> PA.3 -> PA.4 -> PA.5 (first release) -> PA.7 on the drifted
window (fires) -> PA.6 retrain -> PA.4 -> PA.5 canary and promotion -> PA.7 again (stable) -> close
the development trail -> independent model risk validation (CASE.mra.1-3) in `validation/`, whose
process review verifies the closed development trail.

Run folder: data/ features/ experiments/ registry/ deploy/ monitoring/ reports/ audit.jsonl
manifest.json statement.json, validation/ (the validator's own trail and reports) and summary.json
(a convenience copy of the `RunSummary`, written after both trails are closed and not attested).

Determinism: the same config, injected clock, run id and timer give a byte-identical run folder
(everything but `summary.json`, which carries wall-clock stage timings). skops does not write model
files byte-reproducibly by itself (reference notes §6); `registry.canonical_skops` renumbers its
object ids and fixes its zip timestamps, so model digests are reproducible too.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from mlops_audit.errors import AuditError
from mlops_audit.util.jsonio import write_json

from reference_pipeline.config import PipelineConfig
from reference_pipeline.context import RunContext

VALIDATION_DIR = "validation"


class StageSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    stage: str
    events: int
    seconds: float


class RunSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    run_id: str
    run_dir: str
    scenario: str
    data_source: str
    stages: list[StageSummary]
    first_model: dict[str, Any]
    production_model: dict[str, Any]
    monitoring: list[dict[str, Any]]
    drift_fired: bool
    retrained: bool
    promotion: str | None
    validation_verdict: str
    event_count: int
    head_hash: str
    merkle_root: str
    signed: bool
    validation_event_count: int
    validation_head_hash: str
    paths: dict[str, str]


def default_run_id(clock: Callable[[], datetime]) -> str:
    return "run-" + clock().strftime("%Y%m%dT%H%M%SZ")


def _model_view(package: Any) -> dict[str, Any]:
    entry = package.model
    return {"name": entry.name, "version": entry.version, "algorithm": entry.algorithm,
            "hyper_parameters": entry.params, "sha256": entry.sha256, "package": package.path,
            "metrics": {k: entry.metrics[k] for k in ("auc", "gini", "ks", "ece") if k in entry.metrics}}


REFERENCE_SYSTEM_ID = "mlops-audit-reference-pipeline"


def reference_system(config: PipelineConfig, organisation: str | None) -> dict[str, Any]:
    """What the reference pipeline's manifests say they ran for: always the bundled reference."""
    system: dict[str, Any] = {
        "id": REFERENCE_SYSTEM_ID,
        "name": f"mlops-audit reference pipeline, scenario {config.name}",
        "reference": True,
    }
    if organisation:
        system["organisation"] = organisation
    return system


def run_pipeline(
    config: PipelineConfig,
    run_dir: str | Path,
    *,
    clock: Callable[[], datetime] | None = None,
    run_id: str | None = None,
    progress: Callable[[str], None] | None = None,
    timer: Callable[[], float] | None = None,
    signing_key: Any = None,
    trail_factory: Callable[..., Any] | None = None,
    organisation: str | None = None,
) -> RunSummary:
    """Run the whole scenario into `run_dir` (absent or empty) and return its summary.

    Both trails' manifests name the system as the bundled reference pipeline (`reference: true`),
    run for `organisation` when given: an assessment credits such a run only in the demo or when
    the assessor explicitly accepts reference runs, never as the organisation's own system.

    `clock` feeds the trail's timestamps, `timer` the latency measurements of CI; inject both (with
    `run_id`) for reproducible runs. `trail_factory(run_dir, run_id=..., clock=...)` defaults to
    `AuditTrail.create`; the benchmark passes a null trail to measure the trail's overhead.
    """
    # One thread per native pool: OpenMP in HistGradientBoosting oversubscribes a shared 2-core
    # machine badly (a fit became 30x slower under load), and single-threaded sums are reproducible.
    # threadpoolctl limits only libraries already loaded: load scikit-learn's OpenMP and BLAS first.
    import sklearn.ensemble  # noqa: F401
    import sklearn.linear_model  # noqa: F401
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        return _run_pipeline(config, run_dir, clock=clock, run_id=run_id, progress=progress, timer=timer,
                             signing_key=signing_key, trail_factory=trail_factory, organisation=organisation)


def _run_pipeline(
    config: PipelineConfig,
    run_dir: str | Path,
    *,
    clock: Callable[[], datetime] | None,
    run_id: str | None,
    progress: Callable[[str], None] | None,
    timer: Callable[[], float] | None,
    signing_key: Any,
    trail_factory: Callable[..., Any] | None,
    organisation: str | None = None,
) -> RunSummary:
    from mlops_audit.evidence.trail import AuditTrail
    from mlops_audit.util.clock import now

    from reference_pipeline.data.sources import load_scenario
    from reference_pipeline.stages import (
        data_engineering,
        deployment,
        experiments,
        integration,
        model_risk,
        monitoring,
        requirements,
        training,
    )

    clock = clock or now
    timer = timer or time.perf_counter
    say = progress or (lambda message: None)
    factory = trail_factory or AuditTrail.create
    run_dir = Path(run_dir)
    run_id = run_id or default_run_id(clock)

    data = load_scenario(config)
    system = reference_system(config, organisation)
    trail = factory(run_dir, run_id=run_id, clock=clock, system=system)
    ctx = RunContext(config=config, run_dir=run_dir, trail=trail, timer=timer, progress=say, clock=clock)
    stages: list[StageSummary] = []

    def stage(label: str, work: Callable[[], Any], counted: RunContext | None = None) -> Any:
        counter = counted or ctx
        say(f"{label} ...")
        before, start = counter.events, time.perf_counter()
        result = work()
        seconds = round(time.perf_counter() - start, 3)  # progress display only, never in the trail
        stages.append(StageSummary(stage=label, events=counter.events - before, seconds=seconds))
        say(f"{label} done: {counter.events - before} events, {seconds:.2f} s")
        return result

    history: list[dict[str, Any]] = []
    target, positive = data.target, data.positive_label
    try:
        req = stage("PA.1 requirements", lambda: requirements.run(ctx, data))
        de = stage("PA.2 data engineering", lambda: data_engineering.run(ctx, req.spec, data, req.rules_path))
        first = stage("PA.3 experiments", lambda: experiments.run(ctx, de.feature_version, de.spec, "data/clean.csv",
                                                                   materiality_tier=req.spec.risk_assessment.tier))
        package = stage("PA.4 continuous integration", lambda: integration.run(ctx, first, de.spec_path))
        release = stage("PA.5 continuous deployment (first release)",
                        lambda: deployment.first_release(ctx, package, req.spec, history))
        production = release.production
        first_model = _model_view(production)
        windows = [stage("PA.7 continuous monitoring (window: monitor)", lambda: monitoring.run(
            ctx, production, "monitor", data.windows["monitor"], target, positive, windows_since_training=0))]
        retrained, promotion = False, None
        benchmark: Any = None  # the other model of a rollout: what the validator compares production with
        if windows[0].start_retraining:
            challenger = stage("PA.6 continuous training", lambda: training.run(
                ctx, windows[0], production, data.windows["monitor"], de.spec, target, positive, number=1,
                materiality_tier=req.spec.risk_assessment.tier))
            if challenger is not None:
                retrained = True
                package2 = stage("PA.4 continuous integration (retrained model)",
                                 lambda: integration.run(ctx, challenger, de.spec_path))
                champion = production
                rollout = stage(f"PA.5 continuous deployment ({config.promotion.strategy})", lambda: deployment.rollout(
                    ctx, package2, champion, data.windows["canary"], target, positive, 2, history))
                promotion = rollout.verdict
                production = rollout.production
                benchmark = champion if production.path == package2.path else package2
        last = production
        since = 0 if promotion == "promote" else 1  # windows the production model was already monitored for
        windows.append(stage("PA.7 continuous monitoring (window: post)", lambda: monitoring.run(
            ctx, last, "post", data.windows["post"], target, positive, windows_since_training=since)))
    except AuditError:
        _close_after_failure(trail, signing_key, say)
        raise
    manifest = trail.close(signing_key)

    vdir = run_dir / VALIDATION_DIR
    vtrail = factory(vdir, run_id=f"{run_id}.mra", clock=clock, system=system)
    vctx = RunContext(config=config, run_dir=vdir, trail=vtrail, timer=timer, progress=say, clock=clock)
    try:
        validation = stage("CASE.mra model risk validation", lambda: model_risk.run(
            vctx, req.spec, production, run_dir, data.windows["post"], target, positive, retrained, benchmark=benchmark), vctx)
    except AuditError:
        _close_after_failure(vtrail, signing_key, say)
        raise
    vmanifest = vtrail.close(signing_key)

    summary = RunSummary(
        run_id=run_id,
        run_dir=str(run_dir),
        scenario=config.name,
        data_source=data.description,
        stages=stages,
        first_model=first_model,
        production_model=_model_view(production),
        monitoring=[{"window": w.window, **w.metrics, "triggers": w.triggers, "start_retraining": w.start_retraining,
                     "report": w.report_path} for w in windows],
        drift_fired=windows[0].triggers.get("drift", False),
        retrained=retrained,
        promotion=promotion,
        validation_verdict=validation.verdict,
        event_count=_get(manifest, "event_count", ctx.events),
        head_hash=_get(manifest, "head_hash", ""),
        merkle_root=_get(manifest, "merkle_root", ""),
        signed=signing_key is not None,
        validation_event_count=_get(vmanifest, "event_count", vctx.events),
        validation_head_hash=_get(vmanifest, "head_hash", ""),
        paths={
            "audit_trail": "audit.jsonl",
            "manifest": "manifest.json",
            "validation_trail": f"{VALIDATION_DIR}/audit.jsonl",
            "validation_report": f"{VALIDATION_DIR}/{validation.report_path}",
            "evaluation_reports": "reports/",
            "monitoring_reports": "reports/",
        },
    )
    write_json(run_dir / "summary.json", summary.model_dump(mode="json"))
    return summary


def _close_after_failure(trail: Any, signing_key: Any, say: Callable[[str], None]) -> None:
    """A failed check is in the trail already (bad input stops a stage before it records anything);
    closing attests to exactly what happened up to the failure."""
    say("stage failed: closing the audit trail with the events recorded so far")
    try:
        trail.close(signing_key)
    except AuditError as close_error:  # the trail itself is unusable: the first error is the one raised
        say(f"the audit trail could not be closed: {close_error}")


def _get(manifest: Any, name: str, default: Any) -> Any:
    return getattr(manifest, name, default) if manifest is not None else default


def executed_clauses(run_dir: str | Path) -> list[str]:
    """Clause ids executed by a reference-pipeline run, counted only from trails that verify.

    The development trail (`run_dir`) and, when present, the validation trail (`run_dir/validation`)
    are each verified; a trail that does not verify contributes nothing (and neither does a
    validation trail whose development run failed). Returns the sorted union.
    """
    from mlops_audit.evidence.trail import verify_run

    run_dir = Path(run_dir)
    development = verify_run(run_dir)
    if not development.ok:
        return []
    clauses = set(development.clauses_executed)
    vdir = run_dir / VALIDATION_DIR
    if (vdir / "audit.jsonl").exists():
        validation = verify_run(vdir)
        if validation.ok:
            clauses |= set(validation.clauses_executed)
    return sorted(clauses)
