"""`mlops-audit demo`: everything, end to end, on embedded defaults."""

from __future__ import annotations

import time
from pathlib import Path

import click


@click.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("mlops-audit-demo"), show_default=True, help="Where to write everything.")
@click.option("--lang", type=click.Choice(["zh", "en", "both"]), default="both", show_default=True)
def demo(out_dir: Path, lang: str) -> None:
    """Run the whole product end to end on bundled material."""
    from mlops_audit.commands.assess import summary_lines
    from mlops_audit.demo.run import run_demo

    started = time.monotonic()
    langs = ["zh", "en"] if lang == "both" else [lang]
    result = run_demo(
        out_dir, langs=langs, progress=lambda msg: click.echo(f"[{time.monotonic() - started:5.1f}s] {msg}", err=True)
    )
    click.echo("")
    click.echo("\n".join(summary_lines(result.assessment, "en")))
    click.echo("")
    click.echo(f"Done in {time.monotonic() - started:.0f} s. Everything is in {out_dir}/:")
    rows = [
        ("run/", "reference pipeline run: data, features, models, deployments, monitoring, audit.jsonl, manifest.json"),
        ("answers/", "the example bank's five respondents (Excel, YAML, JSON)"),
        ("assessment.json", "the scored assessment (JSON Schema: rubrics/schema/assessment.schema.json)"),
    ]
    rows += [(p.relative_to(out_dir).as_posix(), "") for p in result.written if p.name != "assessment.json"]
    for name, what in rows:
        click.echo(f"  {name:<28} {what}")
    click.echo(f"Check the audit trail yourself: mlops-audit verify {out_dir}/run")
    if not result.run_ok:
        raise click.ClickException("the pipeline run's audit trail did not verify")
