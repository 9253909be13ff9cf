"""`mlops-audit diff OLD.json NEW.json`: what improved, what regressed, and whether they compare.

A difference in rubric id, version or digest is printed as a loud warning and the two results are
shown side by side, never as movement (DESIGN §4 rule 7). Two assessments of different
organisations or scopes are refused (exit 2, both named) unless --force: the bank against another
bank is not a trend.
"""

from __future__ import annotations

from pathlib import Path

import click


@click.command("diff")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Plain text or a JSON object.")
@click.option("--force", is_flag=True, help="Compare even when the two assessments are of different organisations or scopes.")
def diff(old: Path, new: Path, output_format: str, force: bool) -> None:
    """Compare two assessments.

    Lists criteria that improved or regressed and how practice, domain and overall levels and
    scores moved. Warns loudly when the two were scored against different rubrics.
    """
    from mlops_audit.report.diff import diff_assessments, format_diff_text
    from mlops_audit.report.exports import load_assessment
    from mlops_audit.util.jsonio import pretty_json

    from mlops_audit.errors import InputError
    from mlops_audit.report.caveats import describe_subject, subject_of

    before, after = load_assessment(old), load_assessment(new)
    if subject_of(before) != subject_of(after):
        what = f"{old}: {describe_subject(before)}\n  {new}: {describe_subject(after)}"
        if not force:
            raise InputError(
                "the two assessments are of different organisations or scopes, so their difference is not a trend:\n  "
                f"{what}\ncompare them anyway with --force"
            )
        click.echo(f"warning: comparing assessments of different organisations or scopes (--force):\n  {what}", err=True)
    result = diff_assessments(before, after)
    if output_format == "json":
        click.echo(pretty_json(result.model_dump(mode="json")), nl=False)
    else:
        click.echo(format_diff_text(result), nl=False)
    if not result.comparable:
        click.echo("warning: the assessments used different rubrics (" + "; ".join(result.rubric_differences) + ")", err=True)
