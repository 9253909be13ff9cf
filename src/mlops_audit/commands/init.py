"""`mlops-audit init FOLDER`: a starter campaign folder (questionnaire, waiver template, next steps)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(["zh", "en", "both"]), default="zh", show_default=True, help="Language of the questionnaire.")
@click.option("--organisation", help="Organisation name for the README.")
@click.option("--rubric", "rubric_path", type=click.Path(exists=True, path_type=Path), help="Rubric folder or file (default: the bundled CAICT rubric).")
@click.option("--force", is_flag=True, help="Write into a folder that is not empty (files of the same name are replaced).")
def init(folder: Path, lang: str, organisation: str | None, rubric_path: Path | None, force: bool) -> None:
    """Write a starter campaign folder: questionnaire, waiver template and a README of next steps."""
    from mlops_audit.errors import InputError
    from mlops_audit.evidence.questionnaire.campaign import campaign_files
    from mlops_audit.rubric.loader import default_rubric, load_rubric
    from mlops_audit.util.clock import now
    from mlops_audit.util.jsonio import atomic_write_bytes

    if folder.exists() and any(folder.iterdir()) and not force:
        raise InputError(f"{folder}: folder is not empty; choose a new folder or add --force")
    loaded = load_rubric(rubric_path) if rubric_path else default_rubric()
    files = campaign_files(loaded, lang=lang, organisation=organisation, generated_at=now())
    for name, data in files.items():
        atomic_write_bytes(folder / name, data)
    click.echo(f"wrote a campaign folder in {folder}:")
    for name in files:
        click.echo(f"  {name}")
    click.echo(f"next: read {folder / 'README.md'}")
