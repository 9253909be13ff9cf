"""The roll-up as a self-contained HTML page (and PDF through the report's WeasyPrint renderer).

Same look as the assessment report: its stylesheet (reports/static/report.css) plus
portfolio.css, through the one jinja2 environment of util/templates.py (autoescaped, strict),
overlaid with this package's template folder (the page's words are in this package's catalogue,
not the assessment report's).
Every repository name, path and error message is data and is escaped.
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, FileSystemLoader

from mlops_audit import __version__
from mlops_audit.portfolio.levels import OVERALL, THRESHOLDS, DomainLevels
from mlops_audit.portfolio.rollup import KINDS, OUTCOMES, Rollup
from mlops_audit.portfolio.teams import UNASSIGNED
from mlops_audit.report.i18n import Messages, _flatten, check_language
from mlops_audit.util import templates

TEMPLATE = "portfolio.html.j2"
LOW_SHARE = 0.5
HEAT_OUTCOMES = (*OUTCOMES, "none")
MAX_HEAT_ROWS = 2000


@cache
def environment() -> Environment:
    """The report's jinja2 environment (autoescape, strict undefined) over this package's templates."""
    return templates.environment().overlay(loader=FileSystemLoader(str(Path(__file__).with_name("templates"))))


@cache
def messages(lang: str) -> Messages:
    check_language(lang)
    path = Path(__file__).with_name("i18n") / f"{lang}.yaml"
    with open(path, encoding="utf-8") as handle:  # our own bundled file
        return Messages(lang, _flatten(yaml.safe_load(handle)))


def _pct(share: Any, none: str) -> str:
    return none if share is None or (isinstance(share, float) and math.isnan(share)) else f"{share * 100:.0f}%"


def _num(value: Any) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def _level_text(value: float | int | None, none: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return none
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def levels_context(levels: DomainLevels | None, t: Messages) -> dict[str, Any]:
    """The 'levels per domain' section: one row per domain, its level names, and why it is absent."""
    none = t("none")
    if levels is None:  # not computed by this caller: the section is left out
        return {"shown": False, "rows": [], "legend": "", "unavailable": ""}
    rows = []
    for domain, row in levels.summary.iterrows():
        rows.append(
            {
                "label": levels.names[str(domain)][t.lang],
                "overall": domain == OVERALL,
                "repos": int(row["repos"]),
                "median": _level_text(_num(row["median"]), none),
                "min": _level_text(_num(row["min"]), none),
                "max": _level_text(_num(row["max"]), none),
                "at_least": [_pct(_num(row[f"at_least_{k}"]), none) for k in THRESHOLDS],
                "score": none if _num(row["median_score"]) is None else f"{row['median_score']:.0f}",
                "coverage": _pct(_num(row["median_coverage"]), none),
            }
        )
    legend = " · ".join(f"{n} {names[t.lang]}" for n, names in sorted(levels.levels.items()))
    return {
        "shown": True,
        "rows": rows if any(r["repos"] for r in rows) else [],
        "legend": legend,
        "thresholds": list(THRESHOLDS),
        "unavailable": t("note.levels_unavailable", reason=levels.unavailable) if levels.unavailable else "",
    }


def build_context(r: Rollup, t: Messages, *, previous_label: str | None = None, levels: DomainLevels | None = None) -> dict[str, Any]:
    label = {k: t(f"kind.{k}") for k in KINDS}
    none = t("none")
    shares = []
    for kind, row in r.shares.iterrows():
        share = _num(row["share"])
        shares.append(
            {
                "kind": kind,
                "label": label[kind],
                "share_text": _pct(share, none),
                "percent": 0 if share is None else round(share * 100),
                "css": "share-low" if share is not None and share < LOW_SHARE else "",
                "passing": int(row["pass"]),
                "failing": int(row["fail"]),
                "not_applicable": int(row["not_applicable"]),
                "error": int(row["error"]),
                "observed": int(row["observed"]),
            }
        )
    by_kind = {s["kind"]: s for s in shares}
    weakest = [by_kind[k] for k in r.weakest]
    teams = [
        {
            "name": name if name != UNASSIGNED else t("unassigned"),
            "repos": int(row["repos"]),
            "weakest_shares": [_pct(_num(row[k]), none) for k in r.weakest],
        }
        for name, row in r.teams.iterrows()
    ]
    paths = dict(zip(r.repos["repo"], r.repos["path"], strict=True))
    heat = []
    shown = r.matrix
    if len(shown) > MAX_HEAT_ROWS:  # the page stays readable; the workbook and CSV hold every row
        passing = r.repos.set_index("repo")["passing"]
        weakest_repos = sorted(passing.sort_values(kind="stable").index[:MAX_HEAT_ROWS])
        shown = r.matrix.loc[weakest_repos]
    for repo, row in shown.iterrows():
        cells = []
        for kind in KINDS:
            outcome = row[kind] or "none"
            cells.append({"css": outcome if outcome in HEAT_OUTCOMES else "none", "title": f"{label[kind]}: {t('outcome.' + outcome) if outcome in OUTCOMES else none}"})
        heat.append({"repo": repo, "path": paths[repo], "cells": cells})
    change = []
    if r.change is not None:
        for kind, row in r.change.iterrows():
            delta = _num(row["delta"])
            change.append(
                {
                    "label": label[kind],
                    "before": _pct(_num(row["share_before"]), none),
                    "now": _pct(_num(row["share_now"]), none),
                    "delta": none if delta is None else f"{delta * 100:+.0f} pp",
                    "css": "" if not delta else ("delta-up" if delta > 0 else "delta-down"),
                }
            )
    errors = [
        {"repo": row.repo, "kind": t(f"error_kind.{row.error_kind}") if row.error_kind else none, "error": row.error}
        for row in r.repos.itertuples()
        if row.status == "error"
    ]
    p = r.portfolio
    return {
        "html_lang": "zh-CN" if t.lang == "zh" else "en",
        "generated_at": p.generated_at,
        "tool": f"mlops-audit {p.tool_version} (report {__version__})",
        "rubric": f"{p.rubric.get('id', '')} {p.rubric.get('version', '')}",
        "collector_digest": p.collector_digest,
        "totals": p.totals.model_dump(),
        "previous": previous_label,
        "weakest": weakest,
        "shares": shares,
        "teams": teams,
        "kinds": [{"key": k, "label": label[k]} for k in KINDS],
        "outcomes": [{"key": o, "label": t(f"outcome.{o}")} for o in OUTCOMES],
        "heat": heat,
        "heat_note": t("note.heat_capped", shown=len(shown), total=len(r.matrix)) if len(shown) < len(r.matrix) else "",
        "change": change,
        "added": r.added,
        "removed": r.removed,
        "errors": errors,
        "levels": levels_context(levels, t),
    }


def render_html(r: Rollup, lang: str, *, previous_label: str | None = None, levels: DomainLevels | None = None) -> str:
    t = messages(lang)
    context = build_context(r, t, previous_label=previous_label, levels=levels)
    return environment().get_template(TEMPLATE).render(
        p=context, t=t, css=templates.inline_static("report.css"), extra_css=templates.inline_static("portfolio.css")
    )


def render_pdf(html: str, lang: str, *, index_bytes: bytes, created: str) -> bytes:
    """The page as PDF/A-3u with portfolio.json attached (the report's renderer: fetches nothing)."""
    from mlops_audit.report.pdf import render_pdf as report_pdf
    from mlops_audit.util.clock import parse_timestamp

    return report_pdf(html, lang=lang, attachments={"portfolio.json": index_bytes}, created=parse_timestamp(created, where="portfolio.json: generated_at"))
