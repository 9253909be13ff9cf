"""`mlops-audit assess`: score answers, repository evidence and pipeline runs against a rubric."""

from __future__ import annotations

from pathlib import Path

import click

from mlops_audit.errors import GateFailed

FORMATS = ("html", "pdf", "json", "oscal", "sarif", "xlsx")


def _csv_formats(ctx: click.Context, param: click.Parameter, value: str | None) -> list[str]:
    if not value:
        return []
    items = [v.strip() for v in value.split(",") if v.strip()]
    bad = [v for v in items if v not in FORMATS]
    if bad:
        raise click.BadParameter(f"unknown format(s) {', '.join(bad)}; choose from {', '.join(FORMATS)}")
    return items


def summary_lines(assessment, lang: str = "en") -> list[str]:
    """A readable summary table of an assessment (pure; tests call it)."""
    rubric = assessment.rubric_snapshot
    level_name = {lv.level: lv.name.get(lang) for lv in rubric.levels}
    names = {d.id: d.name.get(lang) for d in rubric.domains}

    def score(value: float | None) -> str:
        return "   n/a" if value is None else f"{value:6.1f}"

    lines = [f"{'domain':<34} {'level':<22} {'score':>6}  {'coverage':>8}"]
    for d in assessment.domains:
        label = f"{d.level} {level_name[d.level]}" if d.applicable else "not applicable"
        cov = "" if d.coverage is None else f"{100 * d.coverage:7.0f}%"
        lines.append(f"{names.get(d.id, d.id)[:34]:<34} {label:<22} {score(d.score)}  {cov:>8}")
    o = assessment.overall
    cov = "" if o.coverage is None else f"{100 * o.coverage:7.0f}%"
    lines.append(f"{'OVERALL':<34} {str(o.level) + ' ' + level_name[o.level]:<22} {score(o.score)}  {cov:>8}")
    met = sum(1 for c in assessment.criteria if c.outcome == "met")
    lines.append(
        f"criteria: {met} met of {len(assessment.criteria)}; {len(assessment.conflicts)} conflicts, "
        f"{len(assessment.unsubstantiated)} unsubstantiated claims, {len(assessment.contested)} contested, "
        f"{sum(1 for w in assessment.waivers if w.status == 'applied')} waived"
    )
    blocking = [g for g in assessment.gaps if g.blocks == "overall"]
    if blocking:
        lines.append(f"what stands between you and level {o.level + 1} ({len(blocking)} criteria):")
        for gap in blocking[:8]:
            lines.append(f"  -> {gap.criterion}  (+{gap.gain:.2f} points)")
        if len(blocking) > 8:
            lines.append(f"  ... and {len(blocking) - 8} more (see the report's gaps section)")
    others = [g for g in assessment.gaps if g.blocks != "overall"]
    if others:
        lines.append("other gaps, by impact:")
        for gap in others[:5]:
            lines.append(f"  -> L{gap.target_level} {gap.criterion}  (+{gap.gain:.2f} points{', completes the level' if gap.completes_level else ''})")
    return lines


@click.command()
@click.option("--answers", multiple=True, type=click.Path(exists=True, path_type=Path), help="Answer file or folder (repeatable).")
@click.option("--answers-log", "answers_log", type=click.Path(exists=True, file_okay=False, path_type=Path), help="A campaign's answers log exported by 'mlops-audit serve': verified, checked against the answers, its head recorded.")
@click.option("--repo", "repos", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path), help="Repository checkout to collect evidence from (repeatable).")
@click.option("--evidence", "evidence_files", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Evidence JSON from 'mlops-audit collect' (repeatable).")
@click.option("--run", "runs", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path), help="Pipeline run folder with an audit trail (repeatable).")
@click.option("--profile", "profiles", multiple=True, help="Regulator profile to assess beside the rubric (repeatable; 'mlops-audit rubric list' names them): its obligations appear as regulatory coverage.")
@click.option("--portfolio", "portfolios", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path), help="Portfolio folder from 'mlops-audit portfolio collect': organisation-wide shares for criteria that state 'every project' (repeatable).")
@click.option("--trust-key", "trust_keys", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Ed25519 public key (PEM) whose signed runs count as 'verified' (repeatable; see 'mlops-audit keygen').")
@click.option("--accept-reference-run", "accept_reference", is_flag=True, help="Credit runs of the bundled reference pipeline (normally only the demo does); the report prints it as a caveat.")
@click.option("--documents", "documents", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Reviewed-documents file: documents the assessor read, with digest, reviewer and note (repeatable).")
@click.option("--resolutions", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Assessor decisions on conflicts between answers and evidence.")
@click.option("--waivers", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Waiver file (YAML or JSON).")
@click.option("--policy", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Evidence policy overriding the rubric's.")
@click.option("--rubric", type=click.Path(exists=True, path_type=Path), help="Rubric folder or file (default: bundled CAICT rubric).")
@click.option("--previous", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Previous assessment JSON, for the trend section.")
@click.option("--organisation", help="Organisation name (default: from the answer files).")
@click.option("--scope", help="What was assessed (team, system, business line).")
@click.option("--assessor", help="Who ran the assessment.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True, help="Output folder.")
@click.option("--report", "report_formats", callback=_csv_formats, help=f"Also render reports: comma-separated {','.join(FORMATS)}.")
@click.option("--lang", type=click.Choice(["zh", "en", "both"]), default="both", show_default=True)
@click.option("--fail-under", type=click.IntRange(0, 5), default=None, help="Exit 1 if the overall level is below this level.")
def assess(answers, answers_log, repos, evidence_files, runs, profiles, portfolios, trust_keys, accept_reference, documents, resolutions, waivers, policy, rubric, previous, organisation, scope, assessor, out_dir, report_formats, lang, fail_under) -> None:
    """Score answers and evidence against a rubric and write assessment.json."""
    from mlops_audit.workflow import AssessOptions, run_assessment, write_assessment

    if not (answers or repos or evidence_files or runs or documents or portfolios):
        raise click.UsageError("give at least one source: --answers, --repo, --evidence, --run, --portfolio or --documents")
    if previous and not report_formats:
        click.echo("warning: --previous feeds the report's trend section; add --report to render it", err=True)
    progress = lambda msg: click.echo(f"... {msg}", err=True)  # noqa: E731
    opts = AssessOptions(
        answers=list(answers), answers_log=answers_log, repos=list(repos), evidence_files=list(evidence_files), runs=list(runs),
        waivers=waivers, policy=policy, rubric=rubric, organisation=organisation, scope=scope, assessor=assessor,
        trust_keys=list(trust_keys), accept_reference_runs=accept_reference, portfolios=list(portfolios), profiles=list(profiles), documents=list(documents), resolutions=resolutions,
    )
    result = run_assessment(opts, progress)
    path = write_assessment(result, out_dir)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    for caveat in result.caveats:
        click.echo(f"{caveat.severity.upper()}: {caveat.message.en}", err=True)
    click.echo("\n".join(summary_lines(result, "en")))
    click.echo(f"wrote {path}")
    if report_formats:
        from mlops_audit.report import render_reports
        from mlops_audit.report.exports import load_assessment

        prev = load_assessment(previous) if previous else None
        langs = ["zh", "en"] if lang == "both" else [lang]
        progress(f"rendering {', '.join(report_formats)}")
        for written in render_reports(result, formats=report_formats, lang=langs, out_dir=out_dir, previous=prev):
            click.echo(f"wrote {written}")
    if fail_under is not None and result.overall.level < fail_under:
        raise GateFailed(f"overall level {result.overall.level} is below --fail-under {fail_under}")
