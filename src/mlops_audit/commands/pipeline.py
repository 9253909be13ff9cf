"""`mlops-audit pipeline run`: run the bundled reference MLOps pipeline into a run folder.

Progress goes to stderr, one line per stage; the summary (stages, model metrics, whether drift
fired, the promotion decision, the trail head hash and where everything went) goes to stdout.
"""

from __future__ import annotations

import click


@click.group("pipeline")
def pipeline() -> None:
    """Run the reference MLOps pipeline.

    The guide's seven pipeline parts (PA.1-PA.7) plus independent model risk validation
    (CASE.mra.1-3), each step recorded in a verifiable audit trail.
    """


@pipeline.command("run")
@click.option("--config", "config_path", type=click.Path(path_type=str), default=None,
              help="Pipeline config YAML (default: the bundled bank scenario with a drift episode).")
@click.option("--run-dir", "run_dir", type=click.Path(path_type=str), default=None,
              help="Run folder to create (must be absent or empty). Default: ./pipeline-runs/<run id>.")
@click.option("--run-id", "run_id", default=None, help="Run id (default: run-<UTC timestamp>).")
@click.option("--sign-key", "sign_key", type=click.Path(path_type=str), default=None,
              help="PEM Ed25519 private key: sign both run manifests (development and validation).")
@click.option("--organisation", default=None,
              help="Organisation the run is recorded for in its manifest (the run stays marked as the bundled reference pipeline).")
@click.option("--quiet", is_flag=True, help="No progress lines on stderr.")
def run(config_path: str | None, run_dir: str | None, run_id: str | None, sign_key: str | None, organisation: str | None, quiet: bool) -> None:
    """Run the pipeline and print where its evidence went.

    Stages: PA.1 requirements, PA.2 data engineering, PA.3 experiments, PA.4 CI, PA.5 deployment,
    PA.7 monitoring, PA.6 retraining when monitoring fires (then PA.4 and PA.5 again), PA.7 again,
    then independent model risk validation (CASE.mra.1-3). Check the result with
    `mlops-audit verify RUN_DIR` (and RUN_DIR/validation).
    """
    from pathlib import Path

    from mlops_audit.util.clock import now

    from reference_pipeline.config import load_config
    from reference_pipeline.run import default_run_id, run_pipeline

    config = load_config(config_path)
    key = None
    if sign_key is not None:
        from mlops_audit.evidence.trail.keys import load_signing_key

        key = load_signing_key(sign_key)
    run_id = run_id or default_run_id(now)
    target = Path(run_dir) if run_dir is not None else Path("pipeline-runs") / run_id
    progress = None if quiet else (lambda message: click.echo(f"[pipeline] {message}", err=True))
    summary = run_pipeline(config, target, run_id=run_id, progress=progress, signing_key=key, organisation=organisation)
    click.echo(format_summary(summary))


def format_summary(summary) -> str:  # type: ignore[no-untyped-def]  # RunSummary, imported lazily
    first, prod = summary.first_model, summary.production_model
    lines = [
        f"run {summary.run_id}: scenario {summary.scenario} ({summary.data_source})",
        "stages:",
        *[f"  {s.stage:<52} {s.events:>3} events" for s in summary.stages],
        f"first model:      {first['name']} v{first['version']} {first['algorithm']} "
        + " ".join(f"{k}={v}" for k, v in sorted(first["metrics"].items())),
    ]
    for index, window in enumerate(summary.monitoring):
        fired = sorted(k for k, v in window["triggers"].items() if v) or ["none"]
        note = ""
        if window["start_retraining"] and index == len(summary.monitoring) - 1:
            note = " (reported; the scenario runs one retraining cycle)"
        lines.append(f"monitoring {window['window']:<6} score PSI {window['score_psi']}, AUC {window['auc']} "
                     f"(decay {window['auc_decay']}); triggers fired: {', '.join(fired)}{note}")
    lines += [
        f"drift fired:      {'yes' if summary.drift_fired else 'no'}; retrained: {'yes' if summary.retrained else 'no'}",
        f"promotion:        {summary.promotion or 'no rollout (nothing retrained)'}",
        f"production model: {prod['name']} v{prod['version']} {prod['algorithm']} sha256 {prod['sha256'][:16]}...",
        f"model risk:       {summary.validation_verdict.replace('_', ' ')}",
        f"audit trail:      {summary.event_count} events, head {summary.head_hash}"
        + (" (signed)" if summary.signed else ""),
        f"validation trail: {summary.validation_event_count} events, head {summary.validation_head_hash}",
        f"run folder:       {summary.run_dir}",
        f"  reports:        {summary.run_dir}/reports/ and {summary.run_dir}/{summary.paths['validation_report']}",
        f"  verify with:    mlops-audit verify {summary.run_dir}  (and {summary.run_dir}/validation)",
    ]
    return "\n".join(lines)
