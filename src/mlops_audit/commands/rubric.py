"""`mlops-audit rubric ...`: list, show, validate, coverage and schema."""

from __future__ import annotations

from pathlib import Path

import click

from mlops_audit.errors import GateFailed

RUBRIC_OPTION = click.option(
    "--rubric",
    "rubric_path",
    type=click.Path(path_type=Path),
    default=None,
    help="A rubric folder or YAML file (default: the bundled CAICT rubric).",
)


def _load(rubric_path: Path | None):
    from mlops_audit.rubric.loader import default_rubric, load_rubric

    return load_rubric(rubric_path) if rubric_path else default_rubric()


@click.group()
def rubric() -> None:
    """List, show, validate and inspect rubrics."""


@rubric.command("list")
def list_rubrics() -> None:
    """List the bundled rubrics."""
    from mlops_audit import paths
    from mlops_audit.rubric.loader import RUBRIC_FILE, load_rubric

    for folder in sorted(p for p in paths.rubrics_dir().iterdir() if (p / RUBRIC_FILE).is_file()):
        loaded = load_rubric(folder)
        r = loaded.rubric
        click.echo(
            f"{r.id}  {r.version}  {len(r.practices())} practices, {len(r.criteria())} criteria  "
            f"digest {loaded.digest[:12]}  {r.title.en} / {r.title.zh}"
        )
    from mlops_audit.rubric.profiles import available_profiles, bundled_profile

    names = available_profiles()
    if names:
        click.echo("\nprofiles (use with --profile NAME):")
    for name in names:
        profile = bundled_profile(name)
        sources = "; ".join(f"{s.identifier} ({s.status.value}): {', '.join(profile.articles_used(s.id))}" for s in profile.meta.sources)
        click.echo(
            f"{profile.id}  {profile.meta.version}  {sum(len(d.practices) for d in profile.domains)} practices, "
            f"{len(profile.criteria())} criteria, {len(profile.clauses)} obligations  {profile.meta.title.en} / {profile.meta.title.zh}"
        )
        click.echo(f"    sources: {sources}")


def describe(r, ident: str, lang: str) -> list[str]:  # noqa: ANN001 - a Rubric
    """One practice with its criteria, or one criterion in full (question, routes, remediation)."""
    import difflib

    from mlops_audit.errors import InputError

    practices = {p.id: (d, p) for d in r.domains for p in d.practices}
    index = r.criterion_index()
    roles = {x.id: x.name.get(lang) for x in r.roles}
    if ident in practices:
        domain, p = practices[ident]
        lines = [f"{p.id}: {p.title.get(lang)}", f"domain {domain.id} ({domain.name.get(lang)}) · part {p.pipeline_part or '-'} · weight {p.weight:g}"]
        lines += [p.description.get(lang), f"clauses: {', '.join(p.clauses)}"]
        if p.raci:
            for slot in ("responsible", "accountable", "consulted", "informed"):
                if getattr(p.raci, slot):
                    lines.append(f"{slot}: {', '.join(roles.get(x, x) for x in getattr(p.raci, slot))}")
        lines.append("criteria:")
        lines += [f"  L{c.level} {c.id:<30} {c.text.get(lang)}" for c in p.criteria]
        return lines
    if ident in index:
        _, p, c = index[ident]
        q = c.question
        lines = [f"{c.id}: L{c.level} of {p.id} ({p.title.get(lang)})", c.text.get(lang), f"clauses: {', '.join(c.clauses)} · source: {c.source.value} · weight {c.weight:g}"]
        lines.append(f"question ({q.type.value}, asked of {', '.join(roles.get(x, x) for x in q.roles)}): {q.text.get(lang)}")
        if q.choices:
            lines += [f"  {ch.value} = {ch.label.get(lang)} -> {ch.outcome.value}" for ch in q.choices]
        if q.type.value == "scale":
            lines.append(f"  {q.scale_min}..{q.scale_max}; met at {q.met_at}, partial at {q.partial_at}")
        if q.type.value == "number":
            lines.append(f"  unit {q.unit.get(lang) if q.unit else '-'}; {q.direction}; met at {q.met_at}, partial at {q.partial_at}")
        routes = []
        if c.detectors:
            routes.append(f"detectors: {', '.join(c.detectors)}")
        if c.pipeline_steps:
            routes.append(f"pipeline steps: {', '.join(c.pipeline_steps)}")
        routes += [f"trail event: {route.key()}" for route in c.trail_events]
        if c.run_series is not None:
            routes.append(f"run series: {c.run_series.key()}")
        routes += [f"document: {d.get(lang)}" for d in c.documents]
        lines += ["evidence routes:"] + [f"  {x}" for x in routes or ["(answers only)"]]
        lines.append(f"remediation: {c.remediation.get(lang)}")
        return lines
    near = difflib.get_close_matches(ident, [*practices, *index], n=1)
    raise InputError(f"'{ident}' is neither a practice nor a criterion of {r.id} {r.version}" + (f" (did you mean '{near[0]}'?)" if near else ""))


@rubric.command()
@click.argument("ident", metavar="[PRACTICE_OR_CRITERION_ID]", required=False)
@RUBRIC_OPTION
@click.option("--profile", "profiles", multiple=True, help="Combine a regulator profile into the rubric shown (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="en", show_default=True)
def show(ident: str | None, rubric_path: Path | None, profiles: tuple[str, ...], fmt: str, lang: str) -> None:
    """Show a rubric: a readable outline, or the whole resolved rubric as JSON.

    With an id, show one practice and its criteria, or one criterion in full.
    """
    from mlops_audit.rubric.profiles import with_profiles
    from mlops_audit.util.jsonio import pretty_json

    loaded = with_profiles(_load(rubric_path), profiles)
    r = loaded.rubric
    if ident is not None:
        if fmt == "json":
            practices = {p.id: p for _, p in r.practices()}
            item = practices.get(ident) or (r.criterion_index().get(ident) or (None, None, None))[2]
            if item is None:
                describe(r, ident, lang)  # raises with a suggestion
            click.echo(pretty_json(item.model_dump(mode="json")), nl=False)
            return
        click.echo("\n".join(describe(r, ident, lang)))
        return
    if fmt == "json":
        data = {"digest": loaded.digest, "rubric": r.model_dump(mode="json")}
        click.echo(pretty_json(data), nl=False)
        return
    click.echo(f"{r.title.get(lang)}  ({r.id} {r.version}, digest {loaded.digest[:12]})")
    for domain in r.domains:
        click.echo(f"\n{domain.id}: {domain.name.get(lang)}  [{', '.join(domain.clauses)}]")
        for practice in domain.practices:
            part = practice.pipeline_part or "-"
            click.echo(f"  {practice.id:<28} {part:<5} w={practice.weight:g}  {practice.title.get(lang)}")
            for c in practice.criteria:
                click.echo(f"      L{c.level} {c.id:<30} {c.text.get(lang)}")


@rubric.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Validate rubric folders or files and regulator profile folders (default: the bundled rubric
    and profiles). Exit 2 on any problem.

    Besides the schema and references, each rubric's evidence routes must be sound
    (rubric/soundness.py): no level-4/5 criterion proved by a lower level's route without a written
    reason, and every criterion at level 3 or above reachable under the evidence policy.
    """
    from mlops_audit.errors import RubricError
    from mlops_audit.rubric.loader import load_rubric
    from mlops_audit.rubric.soundness import route_problems, shared_routes

    from mlops_audit.rubric.profiles import PROFILE_FILE, available_profiles, load_profile, profiles_dir

    # Regulator profiles (folders with profile.yaml) are validated against the bundled rubric; with no
    # argument, the bundled rubric and every bundled profile.
    targets = list(paths) or [None, *(profiles_dir() / name for name in available_profiles())]
    failed: list[str] = []
    for target in targets:
        if target is not None and (target / PROFILE_FILE).is_file():
            try:
                profile = load_profile(target)
            except RubricError as exc:
                failed.extend(exc.problems)
                continue
            click.echo(
                f"ok: profile {profile.id} {profile.meta.version}: {len(profile.criteria())} criteria, "
                f"{len(profile.clauses)} obligations, {len(profile.crosswalk)} crosswalk rows"
            )
            continue
        try:
            loaded = load_rubric(target)
        except RubricError as exc:
            failed.extend(exc.problems)
            continue
        r = loaded.rubric
        where = str(target) if target is not None else r.id
        routes = route_problems(r)
        if routes:
            failed.extend(f"{where}: {p.criterion}: {p.rule}: {p.message}" for p in routes)
            continue
        click.echo(
            f"ok: {r.id} {r.version}: {len(r.domains)} domains, {len(r.practices())} practices, "
            f"{len(r.criteria())} criteria; digest {loaded.digest}"
        )
        for criterion, common in shared_routes(r):
            reason = criterion.shared_routes.en if criterion.shared_routes is not None else ""
            click.echo(f"  note: {criterion.id} shares {', '.join(common)} with a lower level: {reason}")
    if failed:
        raise RubricError(failed)


@rubric.command()
@RUBRIC_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def coverage(rubric_path: Path | None, fmt: str) -> None:
    """For each clause of the guide, the practices and criteria citing it. Exit 1 if any is uncovered."""
    from mlops_audit.rubric.coverage import clause_coverage, practices_citing
    from mlops_audit.util.jsonio import pretty_json

    loaded = _load(rubric_path)
    by_criterion = clause_coverage(loaded)
    by_practice = practices_citing(loaded)
    missing = [cid for cid, ids in by_criterion.items() if not ids]
    if fmt == "json":
        click.echo(pretty_json(by_criterion), nl=False)
    else:
        titles = {c.id: c.title.en for c in loaded.catalogue.clauses}
        for cid, ids in by_criterion.items():
            mark = "MISSING" if not ids else f"{len(ids):>3} criteria"
            click.echo(f"{cid:<14} {mark:<12} {titles.get(cid, '')}")
            if ids:
                click.echo(f"{'':<14} practices: {', '.join(by_practice[cid])}")
        click.echo(f"\n{len(by_criterion) - len(missing)}/{len(by_criterion)} clauses covered")
    if missing:
        raise GateFailed(f"{len(missing)} clause(s) not cited by any criterion: {', '.join(missing)}")


@rubric.command()
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None, help="Write the schemas into this folder.")
@click.option("--check", is_flag=True, help="Exit 1 if the published schemas in rubrics/schema are stale.")
def schema(out_dir: Path | None, check: bool) -> None:
    """Print or write the JSON Schemas of the rubric, answers, waivers and assessment formats."""
    from mlops_audit import schemas

    if check:
        stale = schemas.stale_schemas()
        if stale:
            raise GateFailed(f"stale JSON Schemas (regenerate with 'mlops-audit rubric schema --out rubrics/schema'): {', '.join(stale)}")
        click.echo("schemas are up to date")
        return
    generated = schemas.generate_all()
    if out_dir is None:
        for name in sorted(generated):
            click.echo(f"{name}: {len(generated[name])} bytes")
        click.echo("(use --out DIR to write them)")
        return
    for path in schemas.write_all(out_dir):
        click.echo(f"wrote {path}")


@rubric.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["oscal-catalog", "ciso-assistant"]),
    required=True,
    help="oscal-catalog: OSCAL 1.2.1 catalogs (rubric, each profile) and one OSCAL profile per regulation; "
    "ciso-assistant: CISO Assistant framework libraries (YAML).",
)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder to write the files into.")
@click.option("--profile", "profiles", multiple=True, help="Profiles to export (repeatable; default: every bundled profile).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="en", show_default=True, help="Language of the OSCAL texts (CISO Assistant libraries carry both).")
@RUBRIC_OPTION
def export(fmt: str, out_dir: Path, profiles: tuple[str, ...], lang: str, rubric_path: Path | None) -> None:
    """Export the rubric and regulator profiles for GRC tools (OSCAL or CISO Assistant)."""
    from mlops_audit.rubric.profiles import available_profiles, resolve_profile
    from mlops_audit.util.clock import now
    from mlops_audit.util.jsonio import atomic_write_text, pretty_json

    base = _load(rubric_path)
    chosen = [resolve_profile(name, base=base) for name in (profiles or available_profiles())]
    if fmt == "oscal-catalog":
        from mlops_audit.rubric.oscal_catalog import export_oscal

        documents = {name: pretty_json(doc) for name, doc in export_oscal(base, chosen, lang=lang, at=now()).items()}
    else:
        import yaml

        from mlops_audit.rubric.ciso_export import export_ciso

        documents = {name: yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100) for name, doc in export_ciso(base, chosen).items()}
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, text in documents.items():
        click.echo(f"wrote {atomic_write_text(out_dir / name, text)}")
