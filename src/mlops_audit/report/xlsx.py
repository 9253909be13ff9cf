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


PERCENT = "0%"  # shares (coverage, agreement) are numbers shown as percentages
SCORE = "0.0"


def _sheet(
    wb: Any, title: str, header: list[str], rows: list[list[Any]], widths: list[int], formats: dict[int, str] | None = None
) -> None:
    from openpyxl.styles import Font, PatternFill

    ws = wb.create_sheet(title)
    for col, value in enumerate(header, start=1):
        cell = put_cell(ws, 1, col, value)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="EAF0F7")
    for r, row in enumerate(rows, start=2):
        for col, value in enumerate(row, start=1):
            cell = put_cell(ws, r, col, value)
            if formats and col in formats and isinstance(value, (int, float)) and not isinstance(value, bool):
                cell.number_format = formats[col]
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

    def yes_no(flag: bool) -> str:
        return t("xlsx.yes") if flag else t("xlsx.no")

    def outcome(value: Any) -> str:
        return t(f"outcome.{value.value}") if value is not None else ""

    def strength(value: Any) -> str:
        return t(f"strength.{value.value}") if value is not None else ""

    summary = [
        [t("cover.overall"), f"L{a.overall.level} {level_name[a.overall.level]}"],
        [t("summary.score"), a.overall.score],
        [t("col.coverage"), f"{a.overall.coverage * 100:.0f}%" if a.overall.coverage is not None else "—"],
        [t("cover.rubric"), f"{a.rubric.id} {a.rubric.version}"],
        [t("cover.rubric_digest"), a.rubric.digest],
        [t("cover.assessment_id"), a.assessment_id],
        [t("cover.date"), a.assessed_at],
        [t("cover.scope"), (a.organisation.scope or "") if a.organisation else ""],
    ]
    summary += [[domain_name[d.id], f"L{d.level} {level_name[d.level]} · {d.score if d.score is not None else '—'}"] for d in a.domains]
    _sheet(wb, t("xlsx.summary"), [t("col.name"), a.organisation.name if a.organisation else ""], summary, [34, 70])
    _sheet(
        wb,
        t("xlsx.practices"),
        [t("xlsx.id"), t("col.practice"), t("col.domain"), t("col.part"), t("col.level"), t("col.score"), t("col.coverage"),
         t("outcome.met"), t("outcome.partial"), t("outcome.unmet"), t("outcome.not_assessed"), t("outcome.waived"), t("outcome.not_applicable")],
        [
            [p.id, practice_title[p.id], domain_name[p.domain], p.pipeline_part or "", p.level, p.score, p.coverage,
             p.counts.met, p.counts.partial, p.counts.unmet, p.counts.not_assessed, p.counts.waived, p.counts.not_applicable]
            for p in a.practices
        ],
        [24, 36, 20, 10, 8, 8, 10, 8, 8, 8, 8, 8, 8],
        {6: SCORE, 7: PERCENT},
    )
    # A regulator profile's criteria cite the regulation clauses they serve (as the HTML report and
    # OSCAL show them); the column is there only when the rubric has citations, so a CAICT-only
    # workbook keeps its columns.
    cited = any(index[c.id][2].cites for c in a.criteria)
    _sheet(
        wb,
        t("xlsx.criteria"),
        [t("xlsx.id"), t("col.practice"), t("col.level"), t("col.outcome"), t("col.strength"), t("xlsx.required"), t("xlsx.claimed"),
         t("col.agreement"), t("xlsx.contested"), t("xlsx.unsubstantiated"), t("xlsx.waiver"), t("xlsx.contribution"), t("col.evidence"),
         t("col.statement"), t("xlsx.basis")] + ([t("detail.cites")] if cited else []),
        [
            [c.id, c.practice, c.level, outcome(c.outcome), strength(c.strength), strength(c.required_strength),
             outcome(c.claimed), c.agreement, yes_no(c.contested), yes_no(c.unsubstantiated),
             t(f"exceptions.waiver_{c.waiver.status}") if c.waiver else "", c.contribution, ", ".join(c.evidence), index[c.id][2].text.get(lang),
             c.basis] + ([t("list_sep").join(f"{x.regulation} {x.ref}" for x in index[c.id][2].cites)] if cited else [])
            for c in a.criteria
        ],
        [28, 24, 7, 14, 11, 11, 11, 10, 9, 9, 10, 11, 30, 80, 16] + ([40] if cited else []),
        {8: PERCENT},
    )
    gains = potential_gains(a)
    _sheet(
        wb,
        t("xlsx.gaps"),
        [t("xlsx.id"), t("col.practice"), t("col.target"), t("col.outcome"), t("col.gain"), t("gaps.completes"), t("col.remediation")],
        [
            [g.criterion, g.practice, g.target_level, outcome(g.outcome), gains.get(g.criterion, g.gain), yes_no(g.completes_level),
             index[g.criterion][2].remediation.get(lang)]
            for g in a.gaps
        ],
        [28, 24, 8, 14, 10, 10, 90],
    )
    _sheet(
        wb,
        t("xlsx.evidence"),
        [t("xlsx.id"), t("col.kind"), t("col.source"), t("xlsx.locator"), "SHA-256", t("col.strength"), t("xlsx.says"), t("appendix.criteria")],
        [
            [e.id, t(f"evidence_kind.{e.kind.value}"), e.source, e.locator, e.sha256 or "", strength(e.strength), t(f"says.{e.says}"), ", ".join(e.criteria)]
            for e in a.evidence
        ],
        [36, 10, 20, 40, 66, 10, 10, 40],
    )
    _sheet(
        wb,
        t("xlsx.caveats"),
        [t("xlsx.severity"), t("col.kind"), t("xlsx.message"), t("appendix.criteria"), t("xlsx.subjects")],
        [[t(f"severity.{c.severity}"), c.kind, c.message.get(lang), ", ".join(c.criteria), ", ".join(c.subjects)] for c in a.caveats],
        [10, 24, 90, 40, 30],
    )
    _sheet(
        wb,
        t("xlsx.conflicts"),
        [t("xlsx.id"), t("xlsx.conflict_kind"), t("xlsx.respondents"), t("col.evidence"), t("xlsx.decision"), t("xlsx.decided_by"),
         t("xlsx.decided_at"), t("xlsx.reason")],
        [
            [k.criterion, t(f"exceptions.kind_{k.kind}"), ", ".join(k.respondents), ", ".join(k.evidence),
             t(f"xlsx.side_{k.resolution.side}") if k.resolution else t("xlsx.open"), k.resolution.decided_by if k.resolution else "",
             k.resolution.decided_at if k.resolution else "", k.resolution.reason if k.resolution else ""]
            for k in a.conflicts
        ],
        [28, 30, 24, 40, 12, 24, 12, 60],
    )
    if a.regulatory is not None:
        _sheet(
            wb,
            t("sections.regulatory"),
            [t("xlsx.regulation"), t("regulatory.ref"), t("regulatory.obligation"), t("col.status"), t("col.strength"), t("regulatory.basis")],
            [
                [reg.identifier, ob.ref, ob.title.get(lang), t(f"regulatory.status_{ob.status}"), strength(ob.strength),
                 ", ".join(sorted({c.id for b in ob.bases for c in b.criteria} | {p.id for b in ob.bases for p in b.practices}))]
                for reg in a.regulatory.regulations for ob in reg.obligations
            ],
            [24, 10, 60, 12, 12, 60],
        )
    out = io.BytesIO()
    wb.save(out)
    return reproducible_xlsx(out.getvalue(), moment)
