"""The Assessment as an Excel workbook of scores and gaps (openpyxl, imported lazily).

Untrusted text (organisation name, evidence sources and messages) is always written as a string
cell, never as a formula: openpyxl would otherwise turn text starting with "=" into a formula that
Excel evaluates (formula injection; see util/spreadsheet.py). The bytes depend only on the
Assessment: every save-time stamp is replaced by its `assessed_at`.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from mlops_audit.report.context import potential_gains
from mlops_audit.report.i18n import messages
from mlops_audit.result.model import Assessment
from mlops_audit.util.clock import parse_timestamp
from mlops_audit.util.spreadsheet import put_cell, reproducible_xlsx


def _sheet(wb: Any, title: str, header: list[str], rows: list[list[Any]], widths: list[int]) -> None:
    from openpyxl.styles import Font, PatternFill

    ws = wb.create_sheet(title)
    for col, value in enumerate(header, start=1):
        cell = put_cell(ws, 1, col, value)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="EAF0F7")
    for r, row in enumerate(rows, start=2):
        for col, value in enumerate(row, start=1):
            put_cell(ws, r, col, value)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    for i, width in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + i)].width = width


def to_xlsx(a: Assessment, lang: str = "en") -> bytes:
    from openpyxl import Workbook

    t = messages(lang)
    rubric = a.rubric_snapshot
    level_name = {lv.level: lv.name.get(lang) for lv in rubric.levels}
    practice_title = {p.id: p.title.get(lang) for _, p in rubric.practices()}
    domain_name = {d.id: d.name.get(lang) for d in rubric.domains}
    index = rubric.criterion_index()
    wb = Workbook()
    wb.remove(wb.active)
    moment: datetime = parse_timestamp(a.assessed_at, where="assessment: assessed_at").replace(tzinfo=None)
    wb.properties.created = moment
    wb.properties.modified = moment
    wb.properties.creator = f"{a.tool.name} {a.tool.version}"
    wb.properties.title = t("title")

    summary = [
        [t("cover.overall"), f"L{a.overall.level} {level_name[a.overall.level]}"],
        [t("summary.score"), a.overall.score],
        [t("col.coverage"), a.overall.coverage],
        [t("cover.rubric"), f"{a.rubric.id} {a.rubric.version}"],
        [t("cover.rubric_digest"), a.rubric.digest],
        [t("cover.assessment_id"), a.assessment_id],
        [t("cover.date"), a.assessed_at],
        [t("cover.scope"), (a.organisation.scope or "") if a.organisation else ""],
    ]
    summary += [[domain_name[d.id], f"L{d.level} {level_name[d.level]} · {d.score if d.score is not None else '—'}"] for d in a.domains]
    _sheet(wb, "Summary", [t("col.name"), a.organisation.name if a.organisation else ""], summary, [34, 70])
    _sheet(
        wb,
        "Practices",
        ["id", t("col.practice"), t("col.domain"), t("col.part"), t("col.level"), t("col.score"), t("col.coverage"),
         t("outcome.met"), t("outcome.partial"), t("outcome.unmet"), t("outcome.not_assessed"), t("outcome.waived"), t("outcome.not_applicable")],
        [
            [p.id, practice_title[p.id], domain_name[p.domain], p.pipeline_part or "", p.level, p.score, p.coverage,
             p.counts.met, p.counts.partial, p.counts.unmet, p.counts.not_assessed, p.counts.waived, p.counts.not_applicable]
            for p in a.practices
        ],
        [24, 36, 20, 10, 8, 8, 10, 8, 8, 8, 8, 8, 8],
    )
    _sheet(
        wb,
        "Criteria",
        ["id", t("col.practice"), t("col.level"), t("col.outcome"), t("col.strength"), "required", "claimed", t("col.agreement"),
         "contested", "unsubstantiated", "waiver", "contribution", t("col.evidence"), t("col.statement")],
        [
            [c.id, c.practice, c.level, c.outcome.value, c.strength.value if c.strength else "", c.required_strength.value,
             c.claimed.value if c.claimed else "", c.agreement, c.contested, c.unsubstantiated, c.waiver.status if c.waiver else "",
             c.contribution, ", ".join(c.evidence), index[c.id][2].text.get(lang)]
            for c in a.criteria
        ],
        [28, 24, 7, 14, 11, 11, 11, 10, 9, 9, 10, 11, 30, 80],
    )
    gains = potential_gains(a)
    _sheet(
        wb,
        "Gaps",
        ["id", t("col.practice"), t("col.target"), t("col.outcome"), t("col.gain"), t("gaps.completes"), t("col.remediation")],
        [
            [g.criterion, g.practice, g.target_level, g.outcome.value, gains.get(g.criterion, g.gain), g.completes_level,
             index[g.criterion][2].remediation.get(lang)]
            for g in a.gaps
        ],
        [28, 24, 8, 14, 10, 10, 90],
    )
    _sheet(
        wb,
        "Evidence",
        ["id", t("col.kind"), t("col.source"), "locator", "sha256", t("col.strength"), "says", t("appendix.criteria")],
        [[e.id, e.kind.value, e.source, e.locator, e.sha256 or "", e.strength.value, e.says, ", ".join(e.criteria)] for e in a.evidence],
        [36, 10, 20, 40, 66, 10, 10, 40],
    )
    out = io.BytesIO()
    wb.save(out)
    return reproducible_xlsx(out.getvalue(), moment)
