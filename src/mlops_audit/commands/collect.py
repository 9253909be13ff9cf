"""`mlops-audit collect REPO`: evidence of MLOps practices found in a repository, as JSON or SARIF."""

from __future__ import annotations

from pathlib import Path

import click


def stdout_is_terminal() -> bool:
    import sys

    return sys.stdout.isatty()


@click.command(name="collect")
@click.argument("repo", type=click.Path(file_okay=False, dir_okay=True, path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "sarif"]), default=None,
    help="Output format (default: a summary table on a terminal, JSON when piped or with --out).",
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write here (atomically) instead of stdout.")
@click.option(
    "--rubric", "rubric_path", type=click.Path(exists=True, path_type=Path), help="Rubric whose criteria the findings map to (default: bundled)."
)
@click.option("--sarif-passes", is_flag=True, help="SARIF: also list passing checks (kind: pass) for archival.")
@click.option(
    "--per-project", is_flag=True,
    help="Also report each sub-project (a folder with its own build, CI or pipeline files) beside the whole-repository roll-up (JSON only).",
)
@click.option(
    "--cache", "cache_dir", type=click.Path(file_okay=False, path_type=Path),
    help="Keep parsed Python summaries in this folder between runs (untrusted: every entry is authenticated and checked; see docs/portfolio.md).",
)
@click.option(
    "--cache-key-file", type=click.Path(dir_okay=False, path_type=Path),
    help="HMAC key for --cache (a private file outside the cache folder; default: one made once in $XDG_STATE_HOME/mlops-audit/).",
)
@click.option(
    "--count-learning-material", is_flag=True,
    help="Count lessons, exercises and course material as the project's code (the verdict on learning material is still reported, with this choice recorded).",
)
@click.option(
    "--learning-material", "declared_learning_material", is_flag=True,
    help=(
        "Declare the repository learning material (a course, workshop, tutorial, a tool's examples, a template, a reference "
        "system built to demonstrate): no ML practice is credited, how the repository itself is kept (CI, tests, pins, "
        "scanners, owners, tags) still is. Recorded in the output. Not with --count-learning-material."
    ),
)
def collect(
    repo: Path, fmt: str | None, out: Path | None, rubric_path: Path | None, sarif_passes: bool, per_project: bool,
    cache_dir: Path | None, cache_key_file: Path | None, count_learning_material: bool, declared_learning_material: bool,
) -> None:
    """Collect evidence from a code repository.

    Scans REPO (a checkout; nothing in it is executed) and reports, per detector, whether the
    practice is implemented: pass, partial, fail, not_applicable or error, with file:line locations.
    """
    from mlops_audit.errors import InputError
    from mlops_audit.evidence.repo.collect import collect_with_index
    from mlops_audit.evidence.repo.progress import Progress
    from mlops_audit.evidence.repo.sarif import to_sarif
    from mlops_audit.rubric.loader import default_rubric, load_rubric
    from mlops_audit.util.clock import now
    from mlops_audit.util.jsonio import atomic_write_text, pretty_json

    if not repo.is_dir():
        raise InputError(f"{repo}: not a folder (expected the root of a repository checkout)")
    rubric = load_rubric(rubric_path) if rubric_path else default_rubric()
    if cache_key_file is not None and cache_dir is None:
        raise InputError("--cache-key-file is the key of a --cache folder: give --cache DIR too")
    if per_project:
        if cache_dir is not None:
            raise InputError("--cache is not supported with --per-project yet")
        if fmt not in (None, "json"):
            raise InputError(f"--per-project writes JSON (one collection per sub-project and the roll-up); drop --format {fmt}")
        from mlops_audit.evidence.repo.projects import collect_projects, summary_line

        projects = collect_projects(
            repo, rubric=rubric, now=now(), count_learning_material=count_learning_material, declared_learning_material=declared_learning_material
        )
        text = pretty_json(projects.model_dump(mode="json"))
        if out is None:
            click.echo(text, nl=False)
        else:
            atomic_write_text(out, text)
            click.echo(f"wrote {out}: {summary_line(projects)}", err=True)
        return
    if fmt is None:
        fmt = "table" if out is None and stdout_is_terminal() else "json"
    parse_cache = None
    if cache_dir is not None:
        from mlops_audit.evidence.repo.filecache import ParseCache

        parse_cache = ParseCache.open(cache_dir, cache_key_file)
    try:
        result, index = collect_with_index(
            repo, rubric=rubric, now=now(), progress=Progress(), parse_cache=parse_cache, count_learning_material=count_learning_material,
            declared_learning_material=declared_learning_material,
        )  # progress: stderr, terminals only
    finally:
        if parse_cache is not None:
            parse_cache.prune()
            parse_cache.close()
            click.echo(parse_cache.stats.line(), err=True)
    if fmt == "table":
        from mlops_audit.report.console import collect_summary_lines

        lines = "\n".join(collect_summary_lines(result)) + "\n"
        if out is None:
            click.echo(lines, nl=False)
        else:
            atomic_write_text(out, lines)
        return
    if fmt == "sarif":
        document = to_sarif(result, files=list(index.files), include_passes=sarif_passes)
    else:
        document = result.model_dump(mode="json")
    text = pretty_json(document)
    if out is None:
        click.echo(text, nl=False)
    else:
        atomic_write_text(out, text)
        failed = sum(1 for f in result.findings if f.outcome.value == "fail")
        click.echo(f"wrote {out}: {len(result.findings)} findings, {failed} fail", err=True)
