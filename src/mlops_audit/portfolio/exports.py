"""The roll-up for BI tools and spreadsheets: the findings table as CSV / Parquet, an xlsx workbook.

CSV: untrusted text (repository names, paths, messages) is escaped against formula injection with
util/spreadsheet.csv_cell, as the questionnaire's CSV is. xlsx: every text cell through put_cell
(string type, quote prefix) and the save-time stamps replaced (reproducible bytes). Parquet has
typed columns: nothing in it is evaluated.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pandas as pd

from mlops_audit.portfolio.levels import THRESHOLDS, DomainLevels
from mlops_audit.portfolio.rollup import KINDS, Rollup
from mlops_audit.portfolio.teams import UNASSIGNED
from mlops_audit.util.clock import parse_timestamp
from mlops_audit.util.spreadsheet import csv_cell, put_cell, reproducible_xlsx


def to_csv(frame: pd.DataFrame) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_cell(c) for c in frame.columns])
    for row in frame.itertuples(index=False):
        writer.writerow([csv_cell(v) for v in row])
    return out.getvalue().encode("utf-8")


def to_parquet(frame: pd.DataFrame) -> bytes:
    try:
        import pyarrow  # noqa: F401 - pandas delegates Parquet to it
    except ModuleNotFoundError:
        from mlops_audit.errors import InputError

        raise InputError("--format parquet needs pyarrow: pip install 'mlops-audit[portfolio]'") from None
    out = io.BytesIO()
    frame.to_parquet(out, engine="pyarrow", index=False, compression="zstd")
    return out.getvalue()


def _sheet(wb: Any, title: str, header: list[str], rows: list[list[Any]]) -> None:
    from openpyxl.styles import Font

    ws = wb.create_sheet(title)
    for col, value in enumerate(header, start=1):
        put_cell(ws, 1, col, value).font = Font(bold=True)
    for r, row in enumerate(rows, start=2):
        for col, value in enumerate(row, start=1):
            put_cell(ws, r, col, value)
    ws.freeze_panes = "B2"


def _clean(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value


def levels_table(levels: DomainLevels, rollup: Rollup) -> pd.DataFrame:
    """One row per repository x domain (and overall): the level its evidence alone supports, with
    the repository's team, for the Parquet/CSV outputs."""
    team = dict(zip(rollup.repos["repo"], rollup.repos["team"], strict=True))
    frame = levels.per_repo.copy()
    frame.insert(1, "team", [team.get(repo, "") for repo in frame["repo"]])
    return frame.reset_index(drop=True)


def _levels_sheets(wb: Any, levels: DomainLevels, t: Any) -> None:
    if levels.unavailable:
        _sheet(wb, "levels", [t("sections.levels")], [[t("note.levels_unavailable", reason=levels.unavailable)]])
        return
    header = [t("col.domain"), t("col.repos"), t("col.median_level"), t("col.min_level"), t("col.max_level"),
              *[t("col.at_least", level=k) for k in THRESHOLDS], t("col.median_score"), t("col.median_coverage")]
    rows = [
        [levels.names[str(domain)][t.lang], int(row["repos"]), _clean(row["median"]), _clean(row["min"]), _clean(row["max"]),
         *[_clean(row[f"at_least_{k}"]) for k in THRESHOLDS], _clean(row["median_score"]), _clean(row["median_coverage"])]
        for domain, row in levels.summary.iterrows()
    ]
    rows.append([t("note.levels_floor")])
    _sheet(wb, "levels", header, rows)
    domains = list(levels.summary.index)
    pivot = levels.per_repo.pivot(index="repo", columns="domain", values="level") if not levels.per_repo.empty else pd.DataFrame()
    per_repo = [[repo, *[_clean(pivot.at[repo, d]) if d in pivot.columns else None for d in domains]] for repo in pivot.index]
    _sheet(wb, "repo levels", [t("col.repo"), *[levels.names[str(d)][t.lang] for d in domains]], per_repo)


def to_xlsx(r: Rollup, findings: pd.DataFrame, t: Any, levels: DomainLevels | None = None) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    moment = parse_timestamp(r.portfolio.generated_at, where="portfolio.json: generated_at").replace(tzinfo=None)
    wb.properties.created = moment
    wb.properties.modified = moment
    wb.properties.creator = f"mlops-audit {r.portfolio.tool_version}"
    wb.properties.title = t("title")
    shares = [[t(f"kind.{k}"), _clean(row["share"]), int(row["pass"]), int(row["fail"]), int(row["not_applicable"]), int(row["error"])] for k, row in r.shares.iterrows()]
    _sheet(wb, "shares", [t("col.kind"), t("col.share"), t("col.pass"), t("col.fail"), t("col.not_applicable"), t("col.error")], shares)
    heat = [[repo, *[row[k] for k in KINDS]] for repo, row in r.matrix.iterrows()]
    _sheet(wb, "matrix", [t("col.repo"), *[t(f"kind.{k}") for k in KINDS]], heat)
    teams = [[name if name != UNASSIGNED else t("unassigned"), int(row["repos"]), *[_clean(row[k]) for k in KINDS]] for name, row in r.teams.iterrows()]
    _sheet(wb, "teams", [t("col.team"), t("col.repos"), *[t(f"kind.{k}") for k in KINDS]], teams)
    repos = [[row.repo, row.path, row.team, row.status, row.error_kind, row.error] for row in r.repos.itertuples()]
    _sheet(wb, "repos", [t("col.repo"), t("col.path"), t("col.team"), "status", t("col.error_kind"), t("col.error_text")], repos)
    if levels is not None:
        _levels_sheets(wb, levels, t)
    _sheet(wb, "findings", list(findings.columns), [list(row) for row in findings.itertuples(index=False)])
    out = io.BytesIO()
    wb.save(out)
    return reproducible_xlsx(out.getvalue(), moment)
