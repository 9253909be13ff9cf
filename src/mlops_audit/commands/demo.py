"""`mlops-audit demo`: everything, end to end, on embedded defaults."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import click

# What each part of the demo folder is, for the final listing (everything else is listed by name).
DESCRIBED = {
    "run": "reference pipeline run: data, features, models, deployments, monitoring, audit.jsonl, manifest.json",
    "answers": "the example bank's five respondents (Excel, YAML, JSON)",
    "previous": "last year's answers and assessment (the trend)",
    "documents": "documents the bank's assessor reviewed, and reviewed.yaml recording them",
    "keys": "the key the demo signed its run with, and the public key it trusts",
    "assessment.json": "the scored assessment (JSON Schema: rubrics/schema/assessment.schema.json)",
    "evidence.json": "repository evidence collected from the reference pipeline's source",
    "waivers.yaml": "the bank's waivers (one current, one expired)",
    "decisions.yaml": "the assessor's decisions on conflicts between answers and evidence",
    "demo-summary.json": "level, score and the files written",
}


def _is_demo_output(folder: Path) -> bool:
    return (folder / "demo-summary.json").is_file() or (folder / "run" / "manifest.json").is_file()


def choose_folder(out_dir: Path, force: bool) -> tuple[Path, str | None]:
    """The folder to write: the one asked for when it is empty (or --force replaces an earlier
    demo there), else the next free numbered folder beside it. Never deletes anything that is
    not an earlier demo's output."""
    if not out_dir.exists() or not any(out_dir.iterdir()):
        return out_dir, None
    if force:
        if not _is_demo_output(out_dir):
            raise click.UsageError(f"{out_dir} holds files that are not an earlier demo's; --force replaces only a demo folder")
        shutil.rmtree(out_dir)
        return out_dir, f"replaced the earlier demo in {out_dir}"
    for n in range(2, 1000):
        candidate = out_dir.with_name(f"{out_dir.name}-{n}")
        if not candidate.exists():
            return candidate, f"{out_dir} is not empty: writing to {candidate} (use --force to replace an earlier demo)"
    raise click.UsageError(f"{out_dir} and its numbered neighbours are all taken; give --out")


def listing(out_dir: Path) -> list[tuple[str, str]]:
    rows = []
    for path in sorted(out_dir.iterdir()):
        name = path.name + ("/" if path.is_dir() else "")
        rows.append((name, DESCRIBED.get(path.name, "")))
    return rows


@click.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("mlops-audit-demo"), show_default=True, help="Where to write everything (a numbered folder beside it if it is not empty).")
@click.option("--force", is_flag=True, help="Replace an earlier demo in --out instead of writing to a numbered folder.")
@click.option("--lang", type=click.Choice(["zh", "en", "both"]), default="both", show_default=True)
def demo(out_dir: Path, force: bool, lang: str) -> None:
    """Run the whole product end to end on bundled material."""
    from mlops_audit.commands.assess import summary_lines
    from mlops_audit.demo.run import run_demo

    started = time.monotonic()
    out_dir, note = choose_folder(out_dir, force)
    if note:
        click.echo(note, err=True)
    langs = ["zh", "en"] if lang == "both" else [lang]
    result = run_demo(
        out_dir, langs=langs, progress=lambda msg: click.echo(f"[{time.monotonic() - started:5.1f}s] {msg}", err=True)
    )
    click.echo("")
    click.echo("\n".join(summary_lines(result.assessment, "en")))
    click.echo("")
    click.echo(f"Done in {time.monotonic() - started:.0f} s. Everything is in {out_dir}/:")
    for name, what in listing(out_dir):
        click.echo(f"  {name:<28} {what}".rstrip())
    click.echo(f"Check the audit trail yourself: mlops-audit verify {out_dir}/run")
    if not result.run_ok:
        raise click.ClickException("the pipeline run's audit trail did not verify")
