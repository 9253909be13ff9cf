"""`mlops-audit report ASSESSMENT.json`: render an assessment as HTML/PDF and export it.

Thin: loads and validates the assessment (errors name the file and key), then calls
`mlops_audit.report.render_reports`, which tests call directly.
"""

from __future__ import annotations

from pathlib import Path

import click


@click.command("report")
@click.argument("assessment", type=click.Path(path_type=Path))
@click.option("--format", "formats", default="html,pdf", show_default=True,
              help="Comma-separated: html, pdf, json, oscal, sarif, xlsx.")
@click.option("--lang", default="both", show_default=True, type=click.Choice(["zh", "en", "both"]),
              help="Language of the HTML and PDF reports.")
@click.option("--previous", type=click.Path(path_type=Path), default=None,
              help="An earlier assessment JSON: adds a trend section (flags a rubric change).")
@click.option("--attach", "attach", type=click.Path(path_type=Path), multiple=True,
              help="A file to embed in the PDF besides the assessment (e.g. a run's manifest.json). Repeatable.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("report"), show_default=True,
              help="Folder to write into.")
def report(assessment: Path, formats: str, lang: str, previous: Path | None, attach: tuple[Path, ...], out_dir: Path) -> None:
    """Render an assessment as HTML, PDF and exports.

    Writes report.<lang>.html / .pdf (self-contained; the PDF is tagged PDF/A-3a with assessment.json
    attached), assessment.json, assessment.oscal.json (OSCAL 1.2.1 assessment-results),
    assessment.sarif (SARIF 2.1.0) and assessment.xlsx, as asked by --format.
    """
    from mlops_audit.errors import InputError
    from mlops_audit.report import parse_formats, render_reports
    from mlops_audit.report.exports import load_assessment

    chosen = parse_formats(formats)
    current = load_assessment(assessment)
    earlier = load_assessment(previous) if previous is not None else None
    attachments = {}
    for path in attach:
        if not path.is_file():
            raise InputError(f"{path}: --attach file not found")
        if path.stat().st_size > 64 * 1024 * 1024:
            raise InputError(f"{path}: --attach file larger than 64 MiB; refusing to embed it")
        attachments[path.name] = path.read_bytes()
    import time

    started = time.monotonic()
    written = render_reports(
        current, formats=chosen, lang=lang, out_dir=out_dir, previous=earlier, attachments=attachments,
        progress=lambda msg: click.echo(f"[{time.monotonic() - started:5.1f}s] {msg}", err=True),
    )
    for path in written:
        click.echo(str(path))
