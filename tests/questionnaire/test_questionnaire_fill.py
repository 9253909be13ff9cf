"""A blank questionnaire, filled in the way a person would (Excel, YAML editor, CSV, Markdown), imports as meant."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import yaml

from mlops_audit.evidence.questionnaire.export import make_form, render
from mlops_audit.evidence.questionnaire.importer import read_answer_file

EXPECTED = {
    "DE.ingest.L1": "yes",
    "DE.ingest.L2": "partial",
    "DE.ingest.L3": "n/a",
    "DE.quality.L1": 3,
    "DE.quality.L2": "all",
    "DE.quality.L5": 12.5,
}


def _blank(rubric, fmt, lang, tmp_path: Path) -> Path:
    form, _ = make_form(rubric, lang=lang, roles=["data_engineer"])
    path = tmp_path / f"blank.{fmt}"
    path.write_bytes(render(form, fmt))
    return path


def _values(model) -> dict:
    return {a.criterion: a.value for a in model.answers}


def test_excel_filled_with_openpyxl_imports_every_answer(rubric, tmp_path):
    path = _blank(rubric, "xlsx", "zh", tmp_path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["封面", "角色名册", "中文Data", "_meta"]
    assert wb["_meta"].sheet_state == "hidden"
    cover = wb["封面"]
    labels = {cover.cell(row=r, column=1).value: r for r in range(1, cover.max_row + 1)}
    cover.cell(row=labels["组织名称"], column=2, value="示例银行")
    cover.cell(row=labels["答卷人编号（化名）"], column=2, value="r-data-01")
    cover.cell(row=labels["角色（角色编号，逗号分隔）"], column=2, value="data_engineer, 数据科学家")
    roster = wb["角色名册"]
    roster["A2"], roster["B2"], roster["C2"] = "p-01", "data_engineer, mlops_engineer", "否"
    sheet = wb["中文Data"]
    rows = {sheet.cell(row=r, column=1).value: r for r in range(2, sheet.max_row + 1)}
    typed = {"DE.ingest.L1": "是", "DE.ingest.L2": "部分", "DE.ingest.L3": "不适用", "DE.quality.L1": 3, "DE.quality.L2": "all", "DE.quality.L5": 12.5}
    for cid, value in typed.items():
        sheet.cell(row=rows[cid], column=5, value=value)
    sheet.cell(row=rows["DE.ingest.L1"], column=6, value="https://git.example/a\nhttps://git.example/b")
    sheet.cell(row=rows["DE.ingest.L1"], column=7, value="见流水线配置")
    wb.save(path)

    model, problems = read_answer_file(path, rubric)
    assert problems == []
    assert _values(model) == EXPECTED
    assert model.respondent.roles == ["data_engineer", "data_scientist"]  # a role's Chinese name is accepted
    assert model.roster[0].dedicated is False and model.roster[0].roles == ["data_engineer", "mlops_engineer"]
    first = model.answers[0]
    assert first.evidence == ["https://git.example/a", "https://git.example/b"] and first.comment == "见流水线配置"


def test_excel_answer_cells_carry_dropdowns_matching_the_question_type(rubric, tmp_path):
    path = _blank(rubric, "xlsx", "en", tmp_path)
    sheet = openpyxl.load_workbook(path)["Data"]
    rows = {sheet.cell(row=r, column=1).value: r for r in range(2, sheet.max_row + 1)}
    by_cell = {}
    for dv in sheet.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for row in range(rng.min_row, rng.max_row + 1):
                by_cell[f"{openpyxl.utils.get_column_letter(rng.min_col)}{row}"] = dv
    assert by_cell[f"E{rows['DE.ingest.L1']}"].formula1 == '"yes,no,partial,n/a,unknown"'
    assert by_cell[f"E{rows['DE.quality.L1']}"].formula1 == '"0,1,2,3,4,n/a,unknown"'
    assert by_cell[f"E{rows['DE.quality.L2']}"].formula1 == '"none,some,all,n/a,unknown"'
    number = by_cell[f"E{rows['DE.quality.L5']}"]
    assert number.type == "decimal" and number.errorStyle == "warning"
    assert sheet.freeze_panes == "B2"
    assert sheet.column_dimensions["D"].width >= 60
    assert sheet["D2"].alignment.wrap_text is True
    assert sheet.auto_filter.ref == f"A1:I{sheet.max_row}"
    assert sheet.print_title_rows == "$1:$1" and sheet.page_setup.orientation == "landscape"


def test_yaml_filled_in_an_editor_imports_every_answer(rubric, tmp_path):
    path = _blank(rubric, "yaml", "en", tmp_path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["organisation"]["name"] = "Example Bank"
    data["respondent"]["id"] = "r-data-02"
    typed = {"DE.ingest.L1": True, "DE.ingest.L2": "Partial", "DE.ingest.L3": "N/A", "DE.quality.L1": "3", "DE.quality.L2": "ALL", "DE.quality.L5": 12.5}
    for item in data["answers"]:
        if item["criterion"] in typed:
            item["value"] = typed[item["criterion"]]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    model, problems = read_answer_file(path, rubric)
    assert problems == []
    assert _values(model) == EXPECTED


def test_csv_filled_in_a_spreadsheet_imports_every_answer(rubric, tmp_path):
    path = _blank(rubric, "csv", "zh", tmp_path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM, so Excel shows Chinese correctly
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    header = next(r for r in rows if not r[0].startswith("#"))
    col = {name: i for i, name in enumerate(header)}
    typed = {"DE.ingest.L1": "是", "DE.ingest.L2": "部分", "DE.ingest.L3": "不适用", "DE.quality.L1": "3", "DE.quality.L2": "all", "DE.quality.L5": "12.5"}
    for row in rows:
        if row[0] == "#organisation.name":
            row[1] = "示例银行"
        elif row[0] == "#respondent.id":
            row[1] = "r-data-03"
        elif row[0] in typed:
            row[col["value"]] = typed[row[0]]
    roster_comment = next(i for i, r in enumerate(rows) if r[0].startswith("# roster"))
    rows.insert(roster_comment + 1, ["#roster", "p-01", "data_engineer;ml_architect", "yes", "平台"])
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    path.write_bytes(out.getvalue().encode("utf-8-sig"))
    model, problems = read_answer_file(path, rubric)
    assert problems == []
    assert _values(model) == EXPECTED
    assert model.roster[0].roles == ["data_engineer", "ml_architect"] and model.roster[0].team == "平台"


def test_markdown_filled_by_hand_imports_every_answer(rubric, tmp_path):
    path = _blank(rubric, "md", "en", tmp_path)
    text = path.read_text(encoding="utf-8")
    text = text.replace("  name: ''", "  name: Example Bank", 1).replace("  id: ''", "  id: r-data-04", 1)
    typed = {"DE.ingest.L1": "yes", "DE.ingest.L2": "partial", "DE.ingest.L3": "n/a", "DE.quality.L1": "3", "DE.quality.L2": "all", "DE.quality.L5": "12.5"}
    lines = text.splitlines()
    current = None
    for i, line in enumerate(lines):
        if line.startswith("### "):
            current = line[4:]
        elif line == "- Answer:" and current in typed:
            lines[i] = f"- Answer: {typed[current]}"
        elif line == "- Comment:" and current == "DE.ingest.L1":
            lines[i] = "- Comment: first line\n    second line"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    model, problems = read_answer_file(path, rubric)
    assert problems == []
    assert _values(model) == EXPECTED
    assert model.answers[0].comment == "first line\nsecond line"


def test_choice_lists_longer_than_excel_allows_inline_live_in_the_hidden_sheet(fixture_rubric_path, tmp_path):
    from mlops_audit.rubric.loader import load_rubric

    long = {name: name + "_" + "x" * (79 - len(name)) for name in ("none", "some", "all")}
    text = fixture_rubric_path.read_text(encoding="utf-8")
    for name, value in long.items():
        text = text.replace(f"- value: {name}\n", f"- value: {value}\n", 1)
    path = tmp_path / "rubric_long_choices.yaml"
    path.write_text(text, encoding="utf-8")
    rubric = load_rubric(path)
    out = _blank(rubric, "xlsx", "en", tmp_path)
    wb = openpyxl.load_workbook(out)
    sheet = wb["Data"]
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(row=r, column=1).value == "DE.quality.L2")
    (dv,) = [dv for dv in sheet.data_validations.dataValidation if f"E{row}" in dv.sqref]
    assert dv.formula1 == "'_meta'!$F$1:$F$5"
    assert [wb["_meta"].cell(row=i, column=6).value for i in range(1, 6)] == [*long.values(), "n/a", "unknown"]
    sheet.cell(row=row, column=5, value=long["some"])
    cover = wb["Cover"]
    labels = {cover.cell(row=r, column=1).value: r for r in range(1, cover.max_row + 1)}
    cover.cell(row=labels["Organisation"], column=2, value="Bank")
    cover.cell(row=labels["Respondent id (pseudonym)"], column=2, value="r-1")
    wb.save(out)
    model, problems = read_answer_file(out, rubric)
    assert problems == [] and model.answers[0].value == long["some"]


def test_a_respondent_id_excel_turned_into_a_number_is_read_as_text(rubric, tmp_path):
    path = _blank(rubric, "xlsx", "en", tmp_path)
    wb = openpyxl.load_workbook(path)
    cover = wb["Cover"]
    labels = {cover.cell(row=r, column=1).value: r for r in range(1, cover.max_row + 1)}
    cover.cell(row=labels["Organisation"], column=2, value="Bank")
    cover.cell(row=labels["Respondent id (pseudonym)"], column=2, value=7)
    wb.save(path)
    model, problems = read_answer_file(path, rubric)
    assert problems == [] and model.respondent.id == "7"
