"""Excel questionnaires for business users (openpyxl), and reading them back cell by cell.

Workbook: a cover sheet (instructions and the respondent's details), a roster sheet (who holds
which of the guide's roles, dedicated or part-time), one sheet per domain with one row per
criterion (answer cells carry dropdown validation matching the question type) and a hidden
`_meta` sheet with the rubric id, version, digest, the format id and each criterion's fingerprint
for round-trip checks. Our own workbooks contain no formulas and no merged cells; a filled file
that has any is reported cell by cell, and only the affected answers are dropped.

openpyxl is imported inside functions: this module is loaded by commands that must start fast.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from mlops_audit.evidence.answers import ANSWERS_FORMAT
from mlops_audit.evidence.questionnaire.form import (
    Form,
    FormRow,
    allowed_tokens,
    describe_allowed,
    display_value,
    label,
    pick,
    token_lang,
)
from mlops_audit.evidence.questionnaire.raw import (
    KeyPath,
    Problem,
    RawAnswer,
    RawFile,
    failed,
    fixed_places,
)
from mlops_audit.rubric.model import QuestionType, Rubric
from mlops_audit.util.spreadsheet import put_cell, reproducible_xlsx

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

META_SHEET = "_meta"
COVER_NAMES = {"zh": "封面", "en": "Cover", "both": "封面 Cover"}
ROSTER_NAMES = {"zh": "角色名册", "en": "Roster", "both": "角色名册 Roster"}
# Domain-sheet columns: key, Chinese and English header, width.
COLUMNS: list[tuple[str, str, str, int]] = [
    ("criterion", "编号", "ID", 18),
    ("level", "级别", "Level", 7),
    ("practice", "实践", "Practice", 26),
    ("question", "问题", "Question", 64),
    ("value", "回答", "Answer", 14),
    ("evidence", "证据链接", "Evidence link", 32),
    ("comment", "备注", "Comment", 36),
    ("proposed_by", "建议来源", "Proposed by", 18),
    ("confirmed", "已确认", "Confirmed", 10),
]
ROSTER_COLUMNS: list[tuple[str, str, str, int]] = [
    ("person", "人员编号（化名）", "Person (pseudonym)", 24),
    ("roles", "角色编号（逗号分隔）", "Role ids (comma-separated)", 40),
    ("dedicated", "专职（是/否）", "Dedicated (yes/no)", 18),
    ("team", "团队", "Team", 24),
]
# Cover fields: header key path, Chinese and English label.
COVER_FIELDS: list[tuple[KeyPath, str, str]] = [
    (("organisation", "name"), "组织名称", "Organisation"),
    (("organisation", "scope"), "评估范围", "Scope"),
    (("respondent", "id"), "答卷人编号（化名）", "Respondent id (pseudonym)"),
    (("respondent", "roles"), "角色（角色编号，逗号分隔）", "Roles (role ids, comma-separated)"),
    (("respondent", "team"), "团队", "Team"),
    (("answered_at",), "日期", "Date"),
]
COLUMN_LETTERS = "ABCDEFGHI"  # one per entry of COLUMNS
ROSTER_BLANK_ROWS = 30
MAX_ROWS_PER_SHEET = 20_000
MAX_UNZIPPED_BYTES = 128 * 1024 * 1024
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


_HALF_WIDTH = str.maketrans("（），；：", "(),;:")


def _variants(zh: str, en: str) -> set[str]:
    """The labels a header cell may hold: Chinese, English, both; and the Chinese label with
    half-width punctuation, as workbooks exported before the labels were typeset still have it."""
    old = zh.translate(_HALF_WIDTH)
    return {zh.lower(), en.lower(), f"{zh} {en}".lower(), old.lower(), f"{old} {en}".lower()}


_COLUMN_LOOKUP = {v: key for key, zh, en, _ in COLUMNS for v in _variants(zh, en)}
_ROSTER_LOOKUP = {v: key for key, zh, en, _ in ROSTER_COLUMNS for v in _variants(zh, en)}
_COVER_LOOKUP = {v: path for path, zh, en in COVER_FIELDS for v in _variants(zh, en)}


def _sheet_name(text: str, taken: set[str]) -> str:
    base = _SHEET_FORBIDDEN.sub(" ", text).strip()[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def _domain_sheet_title(form: Form, domain_name: Any) -> str:
    return pick(domain_name, "zh" if form.lang == "both" else form.lang)


def write_xlsx(form: Form, generated_at: datetime | None = None) -> bytes:
    """The workbook as bytes; byte-identical for the same form and `generated_at`."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    lang = form.lang
    tl = token_lang(lang)
    when = (generated_at or datetime(2000, 1, 1, tzinfo=UTC)).astimezone(UTC).replace(tzinfo=None, microsecond=0)
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDE4EE")
    input_fill = PatternFill("solid", fgColor="FFF7D6")
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")

    wb = Workbook()
    wb.properties.creator = "mlops-audit"
    wb.properties.created = when
    wb.properties.modified = when
    taken: set[str] = {META_SHEET.lower()}

    # Cover
    cover = wb.active
    assert cover is not None
    cover.title = _sheet_name(COVER_NAMES[lang], taken)
    r = form.rubric.rubric
    put_cell(cover, 1, 1, label("MLOps 成熟度评估问卷", "MLOps maturity questionnaire", lang, " / ")).font = Font(bold=True, size=14)
    put_cell(cover, 2, 1, f"{pick(r.title, lang, ' / ')} · {r.id} {r.version}")
    instructions = [
        label("说明", "Instructions", lang, " / "),
        label(
            "1. 在下方黄色单元格填写组织、答卷人编号（请用化名，如 r-data-01，不要写姓名）、角色、团队与日期。",
            "1. Fill in the yellow cells below: organisation, respondent id (a pseudonym such as r-data-01, not a name), roles, team and date.",
            lang,
        ),
        label(
            "2. 在各领域工作表的“回答”列用下拉列表作答；不适用选“不适用”，不清楚选“不清楚”。可填写证据链接（每行一个）与备注。",
            "2. Answer in the 'Answer' column of each domain sheet using the dropdown; choose n/a if it does not apply, unknown if you do not know. "
            "Add evidence links (one per line) and comments if you like.",
            lang,
        ),
        label(
            "3. “建议来源”列有值的行是检测器根据代码仓库建议的答案：核实后把“已确认”改为“是”，否则改写答案并确认。",
            "3. Rows with 'Proposed by' filled hold answers a detector proposed from the code repository: check them, then set Confirmed to yes "
            "(or change the answer and confirm).",
            lang,
        ),
        label(
            "4. 请勿改动编号列、工作表名称与隐藏的 _meta 工作表；不要使用公式或合并单元格。",
            "4. Do not change the ID column, the sheet names or the hidden _meta sheet; do not use formulas or merged cells.",
            lang,
        ),
        label("5. 在“角色名册”工作表登记谁担任哪些角色（专职或兼职）。", "5. On the Roster sheet, record who holds which roles (dedicated or part-time).", lang),
    ]
    row_no = 4
    for i, text in enumerate(instructions):
        cell = put_cell(cover, row_no, 1, text)
        if i == 0:
            cell.font = bold
        row_no += 1
    row_no += 1
    h = form.header
    cover_values: dict[KeyPath, Any] = {
        ("organisation", "name"): h.organisation,
        ("organisation", "scope"): h.scope,
        ("respondent", "id"): h.respondent,
        ("respondent", "roles"): ", ".join(h.roles) or None,
        ("respondent", "team"): h.team,
        ("answered_at",): h.answered_at,
    }
    for path, zh, en in COVER_FIELDS:
        put_cell(cover, row_no, 1, label(zh, en, lang)).font = bold
        value_cell = put_cell(cover, row_no, 2, cover_values[path])
        value_cell.fill = input_fill
        value_cell.alignment = wrap
        row_no += 1
    row_no += 1
    put_cell(cover, row_no, 1, label("角色编号", "Role ids", lang, " / ")).font = bold
    row_no += 1
    for role in r.roles:
        put_cell(cover, row_no, 1, role.id)
        put_cell(cover, row_no, 2, pick(role.name, lang, " / "))
        row_no += 1
    cover.column_dimensions["A"].width = 34
    cover.column_dimensions["B"].width = 60

    # Roster
    roster = wb.create_sheet(_sheet_name(ROSTER_NAMES[lang], taken))
    for col, (_key, zh, en, width) in enumerate(ROSTER_COLUMNS, start=1):
        cell = put_cell(roster, 1, col, label(zh, en, lang))
        cell.font, cell.fill, cell.alignment = bold, head_fill, wrap
        roster.column_dimensions[cell.column_letter].width = width
    roster.freeze_panes = "A2"
    yes, no = ("是", "否") if tl == "zh" else ("yes", "no")
    dedicated_dv = DataValidation(type="list", formula1=f'"{yes},{no}"', allow_blank=True)
    roster.add_data_validation(dedicated_dv)
    entries = list(h.roster)
    for i in range(max(len(entries) + ROSTER_BLANK_ROWS, ROSTER_BLANK_ROWS)):
        rr = i + 2
        if i < len(entries):
            e = entries[i]
            put_cell(roster, rr, 1, e.person)
            put_cell(roster, rr, 2, ", ".join(e.roles))
            put_cell(roster, rr, 3, yes if e.dedicated else no)
            put_cell(roster, rr, 4, e.team)
        for col in range(1, len(ROSTER_COLUMNS) + 1):
            roster.cell(row=rr, column=col).fill = input_fill
        dedicated_dv.add(f"C{rr}")

    # Domain sheets
    meta_rows: list[list[Any]] = []
    sheet_of_domain: dict[str, str] = {}
    long_lists: list[list[str]] = []
    for domain, rows in form.by_domain():
        ws = wb.create_sheet(_sheet_name(_domain_sheet_title(form, domain.name), taken))
        sheet_of_domain[domain.id] = ws.title
        for col, (_key, zh, en, width) in enumerate(COLUMNS, start=1):
            cell = put_cell(ws, 1, col, label(zh, en, lang))
            cell.font, cell.fill, cell.alignment = bold, head_fill, wrap
            ws.column_dimensions[cell.column_letter].width = width
        ws.freeze_panes = "B2"
        validations: dict[str, Any] = {}
        for i, row in enumerate(rows):
            rr = i + 2
            _write_row(ws, rr, row, lang)
            for col in range(1, len(COLUMNS) + 1):
                ws.cell(row=rr, column=col).alignment = wrap if COLUMNS[col - 1][0] in ("practice", "question", "evidence", "comment") else top
            for col in (5, 6, 7, 9):
                ws.cell(row=rr, column=col).fill = input_fill
            key, dv = _validation_for(row, lang, long_lists)
            if key not in validations:
                validations[key] = dv
                ws.add_data_validation(dv)
            validations[key].add(f"E{rr}")
            meta_rows.append(["criterion", row.criterion.id, row.fingerprint, ws.title])
        confirmed_dv = DataValidation(type="list", formula1=f'"{yes},{no}"', allow_blank=True)
        ws.add_data_validation(confirmed_dv)
        if rows:
            confirmed_dv.add(f"I2:I{len(rows) + 1}")
            ws.auto_filter.ref = f"A1:{COLUMN_LETTERS[-1]}{len(rows) + 1}"  # filter by level or practice
        _print_setup(ws)

    # Hidden metadata
    meta = wb.create_sheet(META_SHEET)
    head = [
        ["format", ANSWERS_FORMAT],
        ["rubric_id", r.id],
        ["rubric_version", r.version],
        ["rubric_digest", form.rubric.digest],
        ["lang", lang],
        ["roles", ",".join(form.roles)],
        ["cover_sheet", cover.title],
        ["roster_sheet", roster.title],
    ]
    head += [["domain_sheet", did, name] for did, name in sheet_of_domain.items()]
    for i, values in enumerate(head + meta_rows, start=1):
        for j, value in enumerate(values, start=1):
            put_cell(meta, i, j, value)
    for k, tokens in enumerate(long_lists):
        for i, token in enumerate(tokens, start=1):
            put_cell(meta, i, 6 + k, token)  # column F + k, as referenced by _validation_for
    meta.sheet_state = "hidden"

    buffer = io.BytesIO()
    wb.save(buffer)
    return reproducible_xlsx(buffer.getvalue(), when)


def _print_setup(ws: Worksheet) -> None:
    """Landscape, one page wide, header row repeated: the sheet prints as a readable form."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"


def _write_row(ws: Worksheet, rr: int, row: FormRow, lang: str) -> None:
    c = row.criterion
    q = c.question
    a = row.answer
    question = pick(q.text, lang)
    if q.help:
        question += "\n" + pick(q.help, lang)
    question += "\n" + label("可选答案", "Answers", lang, "/") + ": " + describe_allowed(c, lang)
    put_cell(ws, rr, 1, c.id)
    put_cell(ws, rr, 2, c.level)
    put_cell(ws, rr, 3, f"{row.practice.id}\n{pick(row.practice.title, lang)}")
    put_cell(ws, rr, 4, question)
    if a is not None:
        put_cell(ws, rr, 5, display_value(c, a.value, lang))
        put_cell(ws, rr, 6, "\n".join(a.evidence) or None)
        put_cell(ws, rr, 7, a.comment)
        put_cell(ws, rr, 8, a.proposed_by)
        if a.proposed_by or not a.confirmed:
            yes, no = ("是", "否") if token_lang(lang) == "zh" else ("yes", "no")
            put_cell(ws, rr, 9, yes if a.confirmed else no)


def _validation_for(row: FormRow, lang: str, long_lists: list[list[str]]) -> tuple[str, Any]:
    from openpyxl.worksheet.datavalidation import DataValidation

    c = row.criterion
    prompt = describe_allowed(c, lang)[:250]
    title = label("回答", "Answer", lang, " / ")[:32]
    if c.question.type is QuestionType.number:
        dv = DataValidation(
            type="decimal",
            operator="between",
            formula1="-1000000000000000",
            formula2="1000000000000000",
            allow_blank=True,
            errorStyle="warning",  # lets a person type n/a or unknown after the warning
            error=prompt,
            errorTitle=title,
            prompt=prompt,
            promptTitle=title,
            showErrorMessage=True,
            showInputMessage=True,
        )
        return f"number:{prompt}", dv
    tokens = allowed_tokens(c, lang)
    inline = '"' + ",".join(tokens) + '"'
    if len(inline) <= 255 and not any("," in t for t in tokens):  # a comma would split an entry
        formula = inline
    else:  # Excel caps inline lists at 255 characters: keep long lists in the hidden sheet
        long_lists.append(tokens)
        from openpyxl.utils import get_column_letter

        col = get_column_letter(5 + len(long_lists))  # F, G, ... beside the key/value rows
        formula = f"'{META_SHEET}'!${col}$1:${col}${len(tokens)}"
    dv = DataValidation(
        type="list",
        formula1=formula,
        allow_blank=True,
        error=prompt,
        errorTitle=title,
        prompt=prompt,
        promptTitle=title,
        showErrorMessage=True,
        showInputMessage=True,
    )
    return f"list:{formula}:{prompt}", dv


# ---------------------------------------------------------------- reading


def _zip_problem(raw: bytes) -> str | None:
    """Refuse what is not a zip, and zip bombs, before openpyxl expands anything."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            total = sum(i.file_size for i in z.infolist())
            names = {i.filename for i in z.infolist()}
    except (zipfile.BadZipFile, OSError, ValueError):
        return "not an Excel .xlsx workbook (not a zip package); save it as 'Excel Workbook (*.xlsx)'"
    if total > MAX_UNZIPPED_BYTES:
        return f"unpacks to {total} bytes, more than {MAX_UNZIPPED_BYTES // (1024 * 1024)} MiB; refusing to read"
    if "xl/workbook.xml" not in names:
        return "not an Excel .xlsx workbook (no xl/workbook.xml); .xls and .ods files must be saved as .xlsx"
    return None


def _cell_text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _is_formula(cell: Any) -> bool:
    return getattr(cell, "data_type", None) == "f"


class _SheetReader:
    def __init__(self, source: str, ws: Worksheet, problems: list[Problem]) -> None:
        self.source, self.ws, self.problems = source, ws, problems
        self.formula_cells: set[str] = set()
        self.merged: list[str] = []
        for rng in sorted(ws.merged_cells.ranges, key=lambda m: (m.min_row, m.min_col)):
            self.merged.append(rng.coord)
            problems.append(
                Problem(
                    self.at(rng.coord),
                    f"merged cells {rng.coord} are not accepted (only the top-left cell keeps a value); unmerge them",
                )
            )
        limit = min(ws.max_row, MAX_ROWS_PER_SHEET)
        for row in ws.iter_rows(min_row=1, max_row=limit):
            for cell in row:
                if _is_formula(cell):
                    self.formula_cells.add(cell.coordinate)
                    problems.append(Problem(self.at(cell.coordinate), f"formula {str(cell.value)[:60]!r} is not accepted; type the value itself"))
        if ws.max_row > MAX_ROWS_PER_SHEET:
            problems.append(Problem(self.at(f"A{MAX_ROWS_PER_SHEET + 1}"), f"more than {MAX_ROWS_PER_SHEET} rows; the rest is ignored"))

    def at(self, coord: str) -> str:
        return f"{self.source}:{self.ws.title}!{coord}"

    def in_merge(self, coord: str) -> bool:
        from openpyxl.worksheet.cell_range import CellRange

        return any(coord in CellRange(m) for m in self.merged)


def _read_meta(wb: Any) -> dict[str, Any] | None:
    if META_SHEET not in wb.sheetnames:
        return None
    ws = wb[META_SHEET]
    meta: dict[str, Any] = {"fingerprints": {}, "domain_sheets": {}, "criteria_by_sheet": {}}
    for row in ws.iter_rows(min_row=1, max_row=min(ws.max_row, MAX_ROWS_PER_SHEET), max_col=4, values_only=True):
        key = _cell_text(row[0])
        if key == "criterion" and row[1] is not None:
            cid = _cell_text(row[1])
            meta["fingerprints"][cid] = _cell_text(row[2]) or None
            meta["criteria_by_sheet"].setdefault(_cell_text(row[3]), []).append(cid)
        elif key == "domain_sheet":
            meta["domain_sheets"][_cell_text(row[2])] = _cell_text(row[1])
        elif key:
            meta[key] = _cell_text(row[1])
    return meta


def _read_cover(reader: _SheetReader, header: dict[str, Any], places: dict[KeyPath, str]) -> None:
    ws = reader.ws
    for row in ws.iter_rows(min_row=1, max_row=min(ws.max_row, 500), max_col=2):
        key = _cell_text(row[0].value).lower()
        path = _COVER_LOOKUP.get(key)
        if path is None or len(row) < 2:
            continue
        cell = row[1]
        places[path] = reader.at(cell.coordinate)
        if cell.coordinate in reader.formula_cells or cell.value is None or (isinstance(cell.value, str) and not cell.value.strip()):
            continue
        target = header
        for part in path[:-1]:
            target = target.setdefault(str(part), {})
        value = cell.value
        target[str(path[-1])] = value.isoformat() if isinstance(value, datetime) else (value.strip() if isinstance(value, str) else value)
    header.setdefault("organisation", {})
    header.setdefault("respondent", {})


def _header_columns(ws: Worksheet, lookup: dict[str, str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for cell in next(ws.iter_rows(min_row=1, max_row=1), ()):
        key = lookup.get(_cell_text(cell.value).lower())
        if key is not None and key not in columns:
            columns[key] = cell.column
    return columns


def _read_roster(reader: _SheetReader, header: dict[str, Any], places: dict[KeyPath, str]) -> None:
    ws = reader.ws
    columns = _header_columns(ws, _ROSTER_LOOKUP)
    if "person" not in columns or "roles" not in columns:
        reader.problems.append(Problem(reader.at("A1"), "roster header not recognised; expected columns " + ", ".join(f"{zh} / {en}" for _, zh, en, _w in ROSTER_COLUMNS)))
        return
    entries: list[dict[str, Any]] = []
    for row in ws.iter_rows(min_row=2, max_row=min(ws.max_row, MAX_ROWS_PER_SHEET)):
        values = {key: row[col - 1] if col - 1 < len(row) else None for key, col in columns.items()}
        if all(c is None or c.value is None or not _cell_text(c.value) for c in values.values()):
            continue
        if any(c is not None and c.coordinate in reader.formula_cells for c in values.values()):
            continue
        index = len(entries)
        entry: dict[str, Any] = {}
        for key, cell in values.items():
            if cell is None or cell.value is None or not _cell_text(cell.value):
                continue
            # yes/no for `dedicated` is checked with the header, like every other format
            entry[key] = cell.value if isinstance(cell.value, bool) else _cell_text(cell.value)
            places[("roster", index, key)] = reader.at(cell.coordinate)
        places[("roster", index)] = reader.at(f"A{row[0].row}")
        entries.append(entry)
    if entries:
        header["roster"] = entries


def _read_domain_sheet(reader: _SheetReader, meta: dict[str, Any] | None, answers: list[RawAnswer]) -> bool:
    """Rows of one answer sheet. False when the sheet has no recognisable header."""
    ws = reader.ws
    columns = _header_columns(ws, _COLUMN_LOOKUP)
    if "criterion" not in columns or "value" not in columns:
        return False
    fingerprints = (meta or {}).get("fingerprints", {})
    for row in ws.iter_rows(min_row=2, max_row=min(ws.max_row, MAX_ROWS_PER_SHEET)):
        cells = {key: row[col - 1] for key, col in columns.items() if col - 1 < len(row)}
        if all(c.value is None or (isinstance(c.value, str) and not c.value.strip()) for c in cells.values()):
            continue
        r = row[0].row
        bad = [c.coordinate for c in cells.values() if c.coordinate in reader.formula_cells or reader.in_merge(c.coordinate)]
        fields: dict[str, Any] = {}
        places: dict[str, str] = {}
        for key, cell in cells.items():
            places[key] = reader.at(cell.coordinate)
            if key in ("criterion", "value", "comment", "evidence", "proposed_by", "confirmed"):
                value = cell.value
                if isinstance(value, str) and not value.strip():
                    value = None
                fields[key] = value
        if bad:
            # The problem is already reported at the cell; this row's answer cannot be trusted.
            continue
        cid = _cell_text(fields.get("criterion"))
        answers.append(RawAnswer(fields, fixed_places(reader.at(f"A{r}"), places), fingerprints.get(cid)))
    return True


def read_xlsx(raw: bytes, source: str, rubric: Rubric) -> RawFile:
    if not raw:
        return failed(source, "file is empty; expected an Excel questionnaire exported by 'mlops-audit questionnaire export'")
    problem = _zip_problem(raw)
    if problem:
        return failed(source, problem)
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(raw), data_only=False, keep_links=False, keep_vba=False)
    except Exception as exc:  # noqa: BLE001 - a hostile or broken workbook can fail in many ways inside openpyxl
        return failed(source, f"cannot read the workbook ({type(exc).__name__}: {str(exc)[:200]}); save it again as .xlsx")
    problems: list[Problem] = []
    meta = _read_meta(wb)
    if meta is None:
        problems.append(
            Problem(source, f"hidden sheet '{META_SHEET}' is missing, so the rubric version it was exported for cannot be checked", "warning")
        )
    header: dict[str, Any] = {"format": (meta or {}).get("format") or ANSWERS_FORMAT}
    header["rubric"] = (
        {"id": meta.get("rubric_id", ""), "version": meta.get("rubric_version", ""), "digest": meta.get("rubric_digest") or None}
        if meta
        else {"id": rubric.id, "version": rubric.version}
    )
    places: dict[KeyPath, str] = {("rubric",): f"{source}:{META_SHEET}!B2", ("format",): f"{source}:{META_SHEET}!B1"}
    cover_names = {v.lower() for v in COVER_NAMES.values()} | ({meta["cover_sheet"].lower()} if meta and meta.get("cover_sheet") else set())
    roster_names = {v.lower() for v in ROSTER_NAMES.values()} | ({meta["roster_sheet"].lower()} if meta and meta.get("roster_sheet") else set())
    domain_names = {d.name.zh.lower(): d.id for d in rubric.domains} | {d.name.en.lower(): d.id for d in rubric.domains}
    if meta:
        domain_names |= {name.lower(): did for name, did in meta["domain_sheets"].items()}
    answers: list[RawAnswer] = []
    seen_cover = False
    seen_domain_sheets: set[str] = set()
    for ws in wb.worksheets:
        if ws.title == META_SHEET:
            continue
        reader = _SheetReader(source, ws, problems)
        name = ws.title.lower()
        if name in cover_names:
            seen_cover = True
            _read_cover(reader, header, places)
        elif name in roster_names:
            _read_roster(reader, header, places)
        elif _read_domain_sheet(reader, meta, answers):
            if name in domain_names:
                seen_domain_sheets.add(name)
            else:
                problems.append(
                    Problem(reader.at("A1"), f"sheet '{ws.title}' is not one of the exported sheets; its rows are read by criterion id", "warning")
                )
        elif name in domain_names:
            problems.append(
                Problem(
                    reader.at("A1"),
                    "header row not recognised; expected the columns " + ", ".join(f"{zh} / {en}" for _, zh, en, _w in COLUMNS) + "; sheet ignored",
                )
            )
            seen_domain_sheets.add(name)
        elif ws.max_row > 1 or ws.max_column > 1 or ws["A1"].value is not None:
            # An edited _meta sheet may lack any of these rows: list the names it still has.
            expected = [s for s in (meta.get("cover_sheet"), meta.get("roster_sheet"), *meta["domain_sheets"]) if s] if meta else []
            problems.append(
                Problem(
                    reader.at("A1"),
                    f"sheet '{ws.title}' is not part of the questionnaire and is ignored"
                    + (f"; expected sheets: {', '.join(expected)}" if expected else ""),
                    "warning",
                )
            )
    if not seen_cover:
        problems.append(
            Problem(source, f"cover sheet is missing; expected a sheet named {' or '.join(sorted(set(COVER_NAMES.values())))} with the respondent's details")
        )
        header.setdefault("organisation", {})
        header.setdefault("respondent", {})
    if meta:
        for sheet, did in sorted(meta["domain_sheets"].items()):
            if sheet.lower() not in seen_domain_sheets:
                n = len(meta["criteria_by_sheet"].get(sheet, []))
                problems.append(Problem(source, f"sheet '{sheet}' ({did}, {n} questions) is missing; its questions count as unanswered", "warning"))

    def header_where(loc: KeyPath) -> str:
        probe = tuple(loc)
        while probe:
            if probe in places:
                return places[probe]
            probe = probe[:-1]
        return source

    exported = list(meta["fingerprints"]) if meta and meta["fingerprints"] else None
    return RawFile(source, header, header_where, answers, problems, exported_criteria=exported)
