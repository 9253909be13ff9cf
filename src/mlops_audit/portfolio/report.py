"""`portfolio report`: load the folder, roll it up once, write each requested format atomically."""

from __future__ import annotations

from pathlib import Path

from mlops_audit.portfolio import exports, render
from mlops_audit.portfolio.levels import domain_levels
from mlops_audit.portfolio.rollup import findings_table, load_rollup
from mlops_audit.portfolio.store import INDEX
from mlops_audit.portfolio.teams import TeamRules
from mlops_audit.util.jsonio import atomic_write_bytes, atomic_write_text


def write_report(
    folder: Path, out: Path, *, formats: list[str], langs: list[str], previous: Path | None = None, rules: TeamRules | None = None,
    rubric: Path | None = None, warnings: list[str] | None = None,
) -> list[Path]:
    """Write the requested formats; `rubric` scores the levels per domain (default: the bundled
    one; it must be the rubric the portfolio was collected against, else that section says why
    it is absent, and so does a line added to `warnings`)."""
    rollup = load_rollup(folder, rules=rules, previous=previous)
    previous_label = f"{previous.name} ({rollup_generated(previous)})" if previous else None
    findings = findings_table(folder, rollup) if {"csv", "parquet", "xlsx"} & set(formats) else None
    levels = domain_levels(folder, rollup.portfolio, rubric)
    if levels.unavailable and warnings is not None:
        warnings.append(f"levels per domain not scored: {levels.unavailable}")
    written: list[Path] = []
    if "csv" in formats:
        written.append(atomic_write_bytes(out / "findings.csv", exports.to_csv(findings)))
        written.append(atomic_write_bytes(out / "levels.csv", exports.to_csv(exports.levels_table(levels, rollup))))
    if "parquet" in formats:
        written.append(atomic_write_bytes(out / "findings.parquet", exports.to_parquet(findings)))
        written.append(atomic_write_bytes(out / "levels.parquet", exports.to_parquet(exports.levels_table(levels, rollup))))
    for lang in langs:
        html = render.render_html(rollup, lang, previous_label=previous_label, levels=levels) if {"html", "pdf"} & set(formats) else ""
        if "html" in formats:
            written.append(atomic_write_text(out / f"portfolio.{lang}.html", html))
        if "pdf" in formats:
            index_bytes = (folder / INDEX).read_bytes()
            written.append(atomic_write_bytes(out / f"portfolio.{lang}.pdf", render.render_pdf(html, lang, index_bytes=index_bytes, created=rollup.portfolio.generated_at)))
        if "xlsx" in formats:
            written.append(atomic_write_bytes(out / f"portfolio.{lang}.xlsx", exports.to_xlsx(rollup, findings, render.messages(lang), levels)))
    return written


def rollup_generated(folder: Path) -> str:
    from mlops_audit.portfolio.store import load_portfolio

    return load_portfolio(folder).generated_at
