"""`mlops-audit portfolio collect|report`: many repositories at once, and their roll-up."""

from __future__ import annotations

import os
from pathlib import Path

import click


@click.group(name="portfolio")
def portfolio() -> None:
    """Collect and roll up evidence from many repositories.

    SOURCES are folders of checkouts and/or text files of repository paths; see docs/portfolio.md.
    """


@portfolio.command(name="collect")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Portfolio folder to write (rerun: only changed repositories are collected).")
@click.option("--jobs", type=click.IntRange(1, 1024), default=None, help="Worker processes (default: one per core).")
@click.option("--timeout", type=click.FloatRange(0.1, 86400), default=600.0, show_default=True, help="Seconds per repository; past it the worker is killed and the repository recorded as an error.")
@click.option("--rubric", "rubric_path", type=click.Path(exists=True, path_type=Path), help="Rubric whose criteria the findings map to (default: bundled).")
@click.option("--force", is_flag=True, help="Collect every repository again, changed or not.")
@click.option("--retry-errors", is_flag=True, help="Collect again repositories whose last record is an error.")
@click.option("--dask", "use_dask", is_flag=True, help="Run on a Dask LocalCluster (loopback) with --jobs workers.")
@click.option("--scheduler", metavar="tcp://HOST:PORT", help="Run on the Dask cluster whose scheduler is at this address.")
@click.option("--cache", "cache_dir", type=click.Path(file_okay=False, path_type=Path), help="Per-file parse cache folder (default: OUT/cache).")
@click.option("--no-cache", is_flag=True, help="Parse every file again; keep no parse cache.")
@click.option("--cache-key-file", type=click.Path(dir_okay=False, path_type=Path), help="HMAC key of the parse cache (a private file outside it; default: one made once in $XDG_STATE_HOME/mlops-audit/).")
@click.option(
    "--learning-material", "learning_material_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Text file of repositories (ids or paths, one per line) the assessor declares learning material: as 'collect --learning-material' for each.",
)
def collect(
    sources: tuple[Path, ...],
    out: Path,
    jobs: int | None,
    timeout: float,
    rubric_path: Path | None,
    force: bool,
    retry_errors: bool,
    use_dask: bool,
    scheduler: str | None,
    cache_dir: Path | None,
    no_cache: bool,
    cache_key_file: Path | None,
    learning_material_file: Path | None,
) -> None:
    """Collect evidence from every repository in SOURCES into a portfolio folder.

    SOURCES: folders of checkouts (each child folder is a repository) and/or text files with one
    repository path per line. Writes OUT/repos/<repo>.json (as 'mlops-audit collect' does),
    OUT/portfolio.json (the index) and OUT/state/ (for resuming). Repositories whose HEAD commit
    (or tree, when not a git work tree), tool version, rubric and collector are unchanged are not
    collected again.
    """
    from mlops_audit.errors import InputError
    from mlops_audit.portfolio.runner import RunOptions, collect_portfolio
    from mlops_audit.portfolio.sources import declared_learning_material, expand_sources
    from mlops_audit.util.clock import now

    if use_dask and scheduler:
        raise InputError("--dask and --scheduler: give one (--dask starts a local cluster, --scheduler uses a running one)")
    if no_cache and (cache_dir or cache_key_file):
        raise InputError("--no-cache with --cache/--cache-key-file: give one")
    specs = expand_sources(list(sources))
    options = RunOptions(
        now=now(),
        jobs=jobs or os.cpu_count() or 1,
        timeout=timeout,
        rubric=rubric_path,
        force=force,
        retry_errors=retry_errors,
        scheduler="local" if use_dask else scheduler,
        cache=None if no_cache else cache_dir or out / "cache",
        cache_key_file=cache_key_file,
        learning_material=declared_learning_material(learning_material_file, specs) if learning_material_file else frozenset(),
    )
    summary = collect_portfolio(specs, out, options)
    click.echo(
        f"wrote {summary.index}: {len(specs)} repositories, {len(summary.collected)} collected, "
        f"{len(summary.unchanged)} unchanged, {len(summary.errors)} errors",
        err=True,
    )
    if summary.cache is not None:
        click.echo(summary.cache.line(), err=True)
    for repo, why in sorted(summary.cache_unavailable.items())[:5]:
        click.echo(f"warning: {repo} was collected without the parse cache: {why}", err=True)


FORMATS = ("html", "pdf", "xlsx", "parquet", "csv")


@portfolio.command(name="report")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--format", "formats", default="html,xlsx,csv", show_default=True, help=f"Comma-separated: {', '.join(FORMATS)}.")
@click.option("--lang", default="both", show_default=True, type=click.Choice(["zh", "en", "both"]), help="Language of the page and workbook.")
@click.option("--previous", type=click.Path(path_type=Path), help="An earlier portfolio folder: show the change since it.")
@click.option("--teams", "teams_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="teams.yaml mapping teams to repository patterns (default: CODEOWNERS).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="Where to write (default: FOLDER/report).")
@click.option("--rubric", "rubric_path", type=click.Path(exists=True, path_type=Path), help="Rubric the portfolio was collected against, for the levels per domain (default: bundled).")
def report(folder: Path, formats: str, lang: str, previous: Path | None, teams_file: Path | None, out_dir: Path | None, rubric_path: Path | None) -> None:
    """Roll a portfolio folder up: shares per practice, heat map, teams, weakest practices, change.

    Writes portfolio.<lang>.html/.pdf/.xlsx, findings.csv/.parquet (one row per repository x
    finding) and levels.csv/.parquet (one row per repository x rubric domain: the level its
    evidence alone supports) into --out.
    """
    from mlops_audit.errors import InputError
    from mlops_audit.portfolio.report import write_report
    from mlops_audit.portfolio.teams import load_teams

    chosen = [f.strip() for f in formats.split(",") if f.strip()]
    unknown = sorted(set(chosen) - set(FORMATS))
    if unknown or not chosen:
        raise InputError(f"--format {formats!r}: unknown {', '.join(unknown) or 'empty list'}; expected a comma-separated list of {', '.join(FORMATS)}")
    langs = ["zh", "en"] if lang == "both" else [lang]
    warnings: list[str] = []
    written = write_report(
        folder,
        out_dir or folder / "report",
        formats=chosen,
        langs=langs,
        previous=previous,
        rules=load_teams(teams_file) if teams_file else None,
        rubric=rubric_path,
        warnings=warnings,
    )
    for path in written:
        click.echo(f"wrote {path}", err=True)
    for line in warnings:
        click.echo(f"warning: {line}", err=True)
