"""`mlops-audit questionnaire export|check|merge`: thin wrappers over mlops_audit.evidence.questionnaire."""

from __future__ import annotations

from pathlib import Path

import click

from mlops_audit.errors import InputError


def _rubric(path: Path | None, profiles: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    from mlops_audit.rubric.loader import default_rubric, load_rubric
    from mlops_audit.rubric.profiles import with_profiles

    return with_profiles(load_rubric(path) if path else default_rubric(), profiles)


PROFILE_OPTION = click.option(
    "--profile", "profiles", multiple=True, help="Add a regulator profile's questions (repeatable; see 'rubric list')."
)


def _print_problems(problems: list) -> None:  # type: ignore[type-arg]
    for problem in problems:
        click.echo(str(problem), err=True)


@click.group()
def questionnaire() -> None:
    """Export, check and merge questionnaires."""


@questionnaire.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["xlsx", "yaml", "json", "csv", "md", "html"]),
    help="Output format (default: from --out's suffix). html: a self-contained page to fill in a browser "
    "(its 'Download answers' button saves a JSON answer file) or to print.",
)
@click.option("--lang", type=click.Choice(["zh", "en", "both"]), default="zh", show_default=True)
@click.option("--role", "roles", multiple=True, help="Keep only the questions asked of this role (repeatable).")
@click.option("--prefill", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Evidence JSON from 'collect': detectors propose answers to confirm.")
@click.option("--from", "filled", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Re-export an answered questionnaire (any format), keeping every answer.")
@click.option("--rubric", type=click.Path(exists=True, path_type=Path), help="Rubric folder or file (default: the bundled CAICT rubric).")
@PROFILE_OPTION
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Output file (default: standard output; required for xlsx).")
def export(fmt: str | None, lang: str, roles: tuple[str, ...], prefill: Path | None, filled: Path | None, rubric: Path | None, profiles: tuple[str, ...], out: Path | None) -> None:
    """Export the rubric's questions as a questionnaire to fill in.

    Every format except html reads back with 'check', 'merge' and 'assess --answers'. The html page
    works offline in any browser, keeps work in the browser's storage and hands back an answers
    JSON file; printed, it is a paper form.
    """
    from mlops_audit.evidence.questionnaire.export import format_for_path, make_form, render
    from mlops_audit.evidence.questionnaire.importer import read_answer_file
    from mlops_audit.evidence.questionnaire.prefill import load_findings
    from mlops_audit.util.clock import now
    from mlops_audit.util.jsonio import atomic_write_bytes

    fmt = fmt or (format_for_path(out) if out else None)
    if fmt is None:
        raise InputError("give --format (xlsx, yaml, json, csv, md or html), or an --out file with one of those suffixes")
    if fmt == "xlsx" and out is None:
        raise InputError("--format xlsx needs --out FILE.xlsx (a workbook cannot go to the terminal)")
    loaded = _rubric(rubric, profiles)
    answers = None
    if filled is not None:
        from mlops_audit.evidence.questionnaire.migrate import carry_over

        answers, problems = read_answer_file(filled, loaded)
        _print_problems(problems)
        answers, blocking, notes = carry_over(answers, problems, loaded)
        for note in notes:
            click.echo(f"note: {note}", err=True)
        if answers is None or blocking:
            raise InputError(f"{filled}: fix the problems above before re-exporting (nothing was written)")
    findings = load_findings(prefill) if prefill else None
    form, proposed = make_form(loaded, lang=lang, roles=list(roles), filled=answers, findings=findings)
    data = render(form, fmt, generated_at=now())
    if out is None:
        click.echo(data, nl=False)  # bytes go to the binary stream as they are
        return
    atomic_write_bytes(out, data)
    note = f", {proposed} answer(s) proposed by detectors" if prefill else ""
    click.echo(f"wrote {out} ({fmt}, {len(form.rows)} question(s){note})", err=True)


@questionnaire.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--rubric", type=click.Path(exists=True, path_type=Path), help="Rubric folder or file (default: the bundled CAICT rubric).")
@PROFILE_OPTION
def check(files: tuple[Path, ...], rubric: Path | None, profiles: tuple[str, ...]) -> None:
    """Check answered questionnaires (xlsx, yaml, json, csv, md, or folders of them); list every problem."""
    from mlops_audit.evidence.questionnaire.importer import read_answer_files

    result = read_answer_files(list(files), _rubric(rubric, profiles))
    _print_problems(result.problems)
    answered = sum(len(f.answers) for _, f in result.files)
    summary = f"{len(result.files)} file(s) usable, {answered} answer(s) accepted, {len(result.errors)} error(s), {len(result.warnings)} warning(s)"
    if result.errors:
        raise InputError(summary)
    click.echo(summary)


@questionnaire.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Consolidated answer file (.yaml, .json, .xlsx, .csv or .md).")
@click.option("--disagreements", type=click.Path(dir_okay=False, path_type=Path), help="Write the contested criteria (who answered what, least agreement first) here (CSV).")
@click.option("--lang", type=click.Choice(["zh", "en", "both"]), default="en", show_default=True, help="Language of question texts in the outputs.")
@click.option("--rubric", type=click.Path(exists=True, path_type=Path), help="Rubric folder or file (default: the bundled CAICT rubric).")
@PROFILE_OPTION
def merge(files: tuple[Path, ...], out: Path, disagreements: Path | None, lang: str, rubric: Path | None, profiles: tuple[str, ...]) -> None:
    """Merge several respondents' answers into one file, with who said what and where they disagree."""
    from mlops_audit.evidence.questionnaire.export import FORMATS, format_for_path, make_form, render
    from mlops_audit.evidence.questionnaire.importer import read_answer_files
    from mlops_audit.evidence.questionnaire.merge import disagreement_csv, merge_answer_files
    from mlops_audit.util.clock import now
    from mlops_audit.util.jsonio import atomic_write_bytes

    fmt = format_for_path(out)
    if fmt not in FORMATS:  # an HTML page cannot be read back as answers
        raise InputError(f"--out {out}: expected a .yaml, .json, .xlsx, .csv or .md file")
    loaded = _rubric(rubric, profiles)
    imported = read_answer_files(list(files), loaded)
    _print_problems(imported.problems)
    if imported.errors:
        raise InputError(f"{len(imported.errors)} error(s) in the answer files; nothing was written")
    result = merge_answer_files(imported.files, loaded, lang=lang)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    form, _ = make_form(loaded, lang=lang, filled=result.answers)
    atomic_write_bytes(out, render(form, fmt, generated_at=now()))
    if disagreements:
        atomic_write_bytes(disagreements, disagreement_csv(result))
    click.echo(
        f"merged {len(imported.files)} respondent(s) into {out}: {len(result.table)} criteria answered, "
        f"{len(result.contested)} contested" + (f"; disagreements in {disagreements}" if disagreements else "")
    )
