"""Every class of bad input names its place and what was expected, and never costs the valid answers."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from mlops_audit.evidence.questionnaire.export import make_form, render
from mlops_audit.evidence.questionnaire.importer import MAX_ANSWER_FILE_BYTES, read_answer_file, read_answer_files

UNROUTED = "questions not asked of this respondent's roles"  # the fixture answers MD.track.L1 outside its roles (a warning of its own test)


def _export(rubric, filled, fmt: str, tmp_path: Path, lang: str = "en", name: str = "answers") -> Path:
    form, _ = make_form(rubric, lang=lang, roles=["data_engineer"], filled=filled)
    path = tmp_path / f"{name}.{fmt}"
    path.write_bytes(render(form, fmt))
    return path


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1) if needle in line)


def _errors(problems):
    return [p for p in problems if p.severity == "error"]


def _kept(model) -> set[str]:
    return {a.criterion for a in model.answers}


ALL = {"DE.ingest.L1", "DE.ingest.L2", "DE.ingest.L3", "DE.ingest.L4", "DE.ingest.L5", "DE.quality.L1", "DE.quality.L2", "DE.quality.L5", "MD.track.L1"}


# ---- wrong type -------------------------------------------------------------------------------


def test_yaml_value_of_the_wrong_type_is_reported_at_its_line_and_only_that_answer_is_dropped(rubric, filled, tmp_path):
    path = _export(rubric, filled, "yaml", tmp_path)
    text = path.read_text(encoding="utf-8").replace("value: 3\n", "value: seven\n", 1)
    path.write_text(text, encoding="utf-8")
    model, problems = read_answer_file(path, rubric)
    (error,) = _errors(problems)
    line = _line_of(path, "value: seven")
    assert error.where == f"{path}:{line}:3"
    assert error.message == "DE.quality.L1: expected a whole number from 0 to 4, n/a or unknown, got 'seven'"
    assert _kept(model) == ALL - {"DE.quality.L1"}


def test_excel_answer_not_allowed_for_the_question_is_reported_at_its_cell(rubric, filled, tmp_path):
    path = _export(rubric, filled, "xlsx", tmp_path, lang="zh")
    wb = openpyxl.load_workbook(path)
    sheet = wb["中文Data"]
    rows = {sheet.cell(row=r, column=1).value: r for r in range(2, sheet.max_row + 1)}
    sheet.cell(row=rows["DE.quality.L2"], column=5, value="most")
    wb.save(path)
    model, problems = read_answer_file(path, rubric)
    (error,) = _errors(problems)
    assert error.where == f"{path}:中文Data!E{rows['DE.quality.L2']}"
    assert error.message == "DE.quality.L2: expected one of none, some, all, n/a or unknown, got 'most'"
    assert _kept(model) == ALL - {"DE.quality.L2"}


def test_csv_number_that_is_not_a_number_is_reported_at_its_line(rubric, filled, tmp_path):
    path = _export(rubric, filled, "csv", tmp_path)
    text = path.read_bytes().decode("utf-8-sig").replace(",12.5,", ",twelve,", 1)
    path.write_bytes(text.encode("utf-8-sig"))
    model, problems = read_answer_file(path, rubric)
    (error,) = _errors(problems)
    assert error.where == f"{path}:{_line_of(path, 'DE.quality.L5,')}"
    assert error.message == "DE.quality.L5: expected a number, n/a or unknown, got 'twelve'"
    assert _kept(model) == ALL - {"DE.quality.L5"}


# ---- unknown id, duplicate, missing role -------------------------------------------------------


def test_unknown_criterion_id_is_named_with_a_suggestion(rubric, filled, tmp_path):
    path = _export(rubric, filled, "yaml", tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace("criterion: DE.ingest.L2\n", "criterion: DE.ingst.L2\n"), encoding="utf-8")
    model, problems = read_answer_file(path, rubric)
    (error,) = _errors(problems)
    assert error.where == f"{path}:{_line_of(path, 'criterion: DE.ingst.L2')}:3"
    assert error.message == "unknown criterion id 'DE.ingst.L2' (did you mean 'DE.ingest.L2'?); not in rubric test-small 0.1.0"
    assert _kept(model) == ALL - {"DE.ingest.L2"}


def test_csv_unknown_criterion_is_reported_at_its_line(rubric, filled, tmp_path):
    path = _export(rubric, filled, "csv", tmp_path)
    text = path.read_bytes().decode("utf-8-sig").replace("\r\nMD.track.L1,", "\r\nXX.nothing.L1,", 1)
    path.write_bytes(text.encode("utf-8-sig"))
    model, problems = read_answer_file(path, rubric)
    (error,) = _errors(problems)
    assert error.where == f"{path}:{_line_of(path, 'XX.nothing.L1,')}"
    assert error.message.startswith("unknown criterion id 'XX.nothing.L1'")
    assert _kept(model) == ALL - {"MD.track.L1"}


def test_duplicate_answer_keeps_the_first_and_names_both_places(rubric, filled, tmp_path):
    path = _export(rubric, filled, "yaml", tmp_path)
    path.write_text(path.read_text(encoding="utf-8") + "- criterion: DE.ingest.L1\n  value: 'no'\n", encoding="utf-8")
    model, problems = read_answer_file(path, rubric)
    (error,) = _errors(problems)
    first = _line_of(path, "criterion: DE.ingest.L1")
    last = len(path.read_text(encoding="utf-8").splitlines()) - 1
    assert error.where == f"{path}:{last}:3"
    assert error.message == f"criterion 'DE.ingest.L1' is answered more than once (first at {path}:{first}:3); this answer is ignored"
    assert _kept(model) == ALL
    assert next(a for a in model.answers if a.criterion == "DE.ingest.L1").value == "yes"


def test_missing_respondent_role_makes_the_file_unusable_but_still_checks_every_answer(rubric, filled, tmp_path):
    no_role = filled.model_dump()
    path = _export(rubric, filled, "yaml", tmp_path)
    text = path.read_text(encoding="utf-8").replace("  roles:\n  - data_engineer\n  team", "  roles: []\n  team", 1)
    text = text.replace("value: 3\n", "value: 9\n", 1)
    path.write_text(text, encoding="utf-8")
    model, problems = read_answer_file(path, rubric)
    assert model is None
    messages = [(p.where, p.message) for p in _errors(problems)]
    assert messages == [
        (f"{path}:{_line_of(path, 'roles: []')}:3", "respondent.roles is empty; expected at least one role id"),
        (f"{path}:{_line_of(path, 'value: 9')}:3", "DE.quality.L1: expected a whole number from 0 to 4, n/a or unknown, got 9"),
    ]
    assert no_role  # the fixture itself is untouched


def test_unknown_role_in_excel_cover_is_reported_at_its_cell(rubric, filled, tmp_path):
    path = _export(rubric, filled, "xlsx", tmp_path)
    wb = openpyxl.load_workbook(path)
    cover = wb["Cover"]
    row = next(r for r in range(1, cover.max_row + 1) if cover.cell(row=r, column=1).value == "Roles (role ids, comma-separated)")
    cover.cell(row=row, column=2, value="data_engineer, data_wizard")
    wb.save(path)
    model, problems = read_answer_file(path, rubric)
    (error,) = _errors(problems)
    assert error.where == f"{path}:Cover!B{row}"
    assert error.message.startswith("unknown role 'data_wizard'; expected one of business, data_engineer")
    assert model is None


# ---- wrong or missing sheets, formulas, merged cells -------------------------------------------


def test_excel_renamed_domain_sheet_is_still_read_by_criterion_id_with_a_warning(rubric, filled, tmp_path):
    path = _export(rubric, filled, "xlsx", tmp_path)
    wb = openpyxl.load_workbook(path)
    wb["Data"].title = "My answers"
    wb.create_sheet("Notes")["A1"] = "scratch"
    wb.save(path)
    model, problems = read_answer_file(path, rubric)
    assert _errors(problems) == []
    warnings = {(p.where, p.message) for p in problems if p.severity == "warning" and "proposed" not in p.message and UNROUTED not in p.message}
    assert warnings == {
        (f"{path}:My answers!A1", "sheet 'My answers' is not one of the exported sheets; its rows are read by criterion id"),
        (f"{path}:Notes!A1", "sheet 'Notes' is not part of the questionnaire and is ignored; expected sheets: Cover, Roster, Data, Development"),
        (str(path), "sheet 'Data' (data, 11 questions) is missing; its questions count as unanswered"),
    }
    assert _kept(model) == ALL


def test_excel_meta_sheet_missing_the_cover_row_still_names_the_sheets_it_lists(rubric, filled, tmp_path):
    # Found by test_random_cells_in_a_real_workbook_give_problems_not_tracebacks: a KeyError before.
    path = _export(rubric, filled, "xlsx", tmp_path)
    wb = openpyxl.load_workbook(path)
    [cover_row] = [row for row in wb["_meta"].iter_rows() if row[0].value == "cover_sheet"]
    cover_row[0].value = None
    wb.create_sheet("Notes")["A1"] = "scratch"
    wb.save(path)
    _, problems = read_answer_file(path, rubric)
    assert (f"{path}:Notes!A1", "sheet 'Notes' is not part of the questionnaire and is ignored; expected sheets: Roster, Data, Development") in {
        (p.where, p.message) for p in problems
    }


def test_excel_sheet_with_a_broken_header_is_an_error_naming_the_expected_columns(rubric, filled, tmp_path):
    path = _export(rubric, filled, "xlsx", tmp_path)
    wb = openpyxl.load_workbook(path)
    wb["Development"]["A1"] = "Identifier"
    wb.save(path)
    model, problems = read_answer_file(path, rubric)
    (error,) = _errors(problems)
    assert error.where == f"{path}:Development!A1"
    assert error.message.startswith("header row not recognised; expected the columns 编号 / ID, 级别 / Level")
    assert _kept(model) == ALL - {"MD.track.L1"}


def test_excel_without_cover_sheet_is_an_error(rubric, filled, tmp_path):
    path = _export(rubric, filled, "xlsx", tmp_path)
    wb = openpyxl.load_workbook(path)
    del wb["Cover"]
    wb.save(path)
    model, problems = read_answer_file(path, rubric)
    assert model is None
    assert (str(path), "cover sheet is missing; expected a sheet named Cover or 封面 or 封面 Cover with the respondent's details") in {
        (p.where, p.message) for p in _errors(problems)
    }


def test_excel_formula_and_merged_cells_are_reported_per_cell_and_other_rows_kept(rubric, filled, tmp_path):
    path = _export(rubric, filled, "xlsx", tmp_path)
    wb = openpyxl.load_workbook(path)
    sheet = wb["Data"]
    rows = {sheet.cell(row=r, column=1).value: r for r in range(2, sheet.max_row + 1)}
    sheet.cell(row=rows["DE.quality.L1"], column=5, value="=1+2")
    r2 = rows["DE.ingest.L2"]
    sheet.merge_cells(f"E{r2}:G{r2}")
    wb.save(path)
    model, problems = read_answer_file(path, rubric)
    errors = {(p.where, p.message) for p in _errors(problems)}
    assert errors == {
        (f"{path}:Data!E{rows['DE.quality.L1']}", "formula '=1+2' is not accepted; type the value itself"),
        (f"{path}:Data!E{r2}:G{r2}", f"merged cells E{r2}:G{r2} are not accepted (only the top-left cell keeps a value); unmerge them"),
    }
    assert _kept(model) == ALL - {"DE.quality.L1", "DE.ingest.L2"}


def test_text_that_looks_like_a_formula_is_kept_as_text(rubric, filled, tmp_path):
    path = _export(rubric, filled, "xlsx", tmp_path)
    model, problems = read_answer_file(path, rubric)
    assert _errors(problems) == []
    assert next(a for a in model.answers if a.criterion == "DE.ingest.L2").comment == "=SUM(A1) is text, not a formula"


# ---- empty, not UTF-8, huge, not the format ---------------------------------------------------


@pytest.mark.parametrize("suffix", [".xlsx", ".yaml", ".json", ".csv", ".md"])
def test_empty_file_is_an_error_and_other_files_are_still_read(rubric, filled, tmp_path, suffix):
    empty = tmp_path / f"empty{suffix}"
    empty.write_bytes(b"")
    good = _export(rubric, filled, "yaml", tmp_path, name="good")
    result = read_answer_files([empty, good], rubric)
    (error,) = result.errors
    assert error.where == str(empty)
    assert error.message.startswith("file is empty; expected")
    assert [name for name, _ in result.files] == [str(good)]


def test_non_utf8_csv_reports_the_bad_lines_and_keeps_the_readable_rows(rubric, filled, tmp_path):
    path = _export(rubric, filled, "csv", tmp_path, lang="en")
    text = path.read_bytes().decode("utf-8-sig")
    lines = text.split("\r\n")
    index = next(i for i, line in enumerate(lines) if line.startswith("DE.ingest.L4,"))
    lines[index] = lines[index].replace("ask ops", "问运维")
    raw = "\r\n".join(lines[:index]).encode("utf-8") + b"\r\n" + lines[index].encode("gbk") + b"\r\n" + "\r\n".join(lines[index + 1 :]).encode("utf-8")
    path.write_bytes(raw)
    bad_line = raw[: raw.index("问运维".encode("gbk"))].count(b"\n") + 1  # physical line: cells may hold newlines
    model, problems = read_answer_file(path, rubric)
    (error,) = _errors(problems)
    assert error.where == f"{path}:{bad_line}"
    assert error.message.startswith(f"not UTF-8 text on line(s) {bad_line}; those rows are ignored. Save the file as 'CSV UTF-8'")
    assert _kept(model) == ALL - {"DE.ingest.L4"}


def test_csv_saved_as_gbk_by_excel_is_reported_not_misread(rubric, filled, tmp_path):
    path = _export(rubric, filled, "csv", tmp_path, lang="zh")
    path.write_bytes(path.read_bytes().decode("utf-8-sig").encode("gbk"))
    model, problems = read_answer_file(path, rubric)
    first = _errors(problems)[0]
    assert first.message.startswith("not UTF-8 text on line(s) 1,") and "e.g. GBK" in first.message
    assert model is None  # the organisation's Chinese name sat on an unreadable line: nothing is guessed


@pytest.mark.parametrize("suffix", [".xlsx", ".yaml", ".csv"])
def test_huge_file_is_refused_without_reading_it(rubric, filled, tmp_path, suffix):
    huge = tmp_path / f"huge{suffix}"
    with huge.open("wb") as handle:
        handle.truncate(MAX_ANSWER_FILE_BYTES + 1)
    good = _export(rubric, filled, "csv", tmp_path, name="good")
    result = read_answer_files([huge, good], rubric)
    (error,) = result.errors
    assert (error.where, error.message) == (str(huge), f"{MAX_ANSWER_FILE_BYTES + 1} bytes is larger than 8 MiB; refusing to read")
    assert [name for name, _ in result.files] == [str(good)]


def test_excel_zip_bomb_is_refused_before_unpacking(rubric, tmp_path, monkeypatch):
    import zipfile

    from mlops_audit.evidence.questionnaire import xlsx

    monkeypatch.setattr(xlsx, "MAX_UNZIPPED_BYTES", 1024 * 1024)  # the real cap is 128 MiB; same check, smaller test
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", b"<x/>")
        z.writestr("xl/huge.xml", b"\0" * (2 * 1024 * 1024))
    assert path.stat().st_size < 64 * 1024
    model, problems = read_answer_file(path, rubric)
    assert model is None
    assert problems[0].message.startswith("unpacks to ") and "refusing to read" in problems[0].message


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("a.xlsx", b"not a zip", "not an Excel .xlsx workbook (not a zip package)"),
        ("a.json", b'{"format": 1,}', "not valid JSON"),
        ("a.json", b'{"a": 1, "a": 2}', "not valid JSON: duplicate key 'a'"),
        ("a.yaml", b"respondent: [unclosed\n", "YAML syntax error"),
        ("a.yaml", b"- just\n- a list\n", "expected a mapping with format, rubric"),
        ("a.md", b"# no front matter\n", "no front matter"),
        ("a.csv", b"only,some,columns\n1,2,3\n", "table header lacks column(s) criterion, value"),
        ("a.txt", b"hello", "unsupported answer file type '.txt'"),
        ("a.yaml", "é".encode("latin-1"), "not valid UTF-8"),
    ],
)
def test_files_that_are_not_questionnaires_say_what_was_expected(rubric, tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    model, problems = read_answer_file(path, rubric)
    assert model is None
    assert any(expected in p.message for p in _errors(problems)), problems


def test_two_files_from_one_respondent_id_is_an_error(rubric, filled, tmp_path):
    a = _export(rubric, filled, "yaml", tmp_path, name="a")
    b = _export(rubric, filled, "xlsx", tmp_path, name="b")
    result = read_answer_files([a, b], rubric)
    assert [(p.where, p.message) for p in result.errors] == [
        (str(b), f"respondent id 'r-data-01' also answered in {a}; give each respondent their own id")
    ]
    assert [name for name, _ in result.files] == [str(a)]


def test_folder_is_expanded_to_its_answer_files_skipping_excel_lock_files(rubric, make_filled, tmp_path):
    folder = tmp_path / "answers"
    folder.mkdir()
    for i, fmt in enumerate(["yaml", "xlsx", "csv"]):
        _export(rubric, make_filled(respondent=f"r-{i}"), fmt, folder, name=f"r{i}")
    (folder / "~$r1.xlsx").write_bytes(b"lock")
    (folder / "notes.txt").write_text("ignored")
    result = read_answer_files([folder], rubric)
    assert result.errors == []
    assert sorted(Path(n).name for n, _ in result.files) == ["r0.yaml", "r1.xlsx", "r2.csv"]


# ---- rubric changed since export ------------------------------------------------------------


def test_changed_rubric_is_a_warning_naming_changed_removed_and_new_criteria(rubric, filled, fixture_rubric_path, tmp_path):
    from mlops_audit.rubric.loader import load_rubric

    path = _export(rubric, filled, "xlsx", tmp_path)
    text = fixture_rubric_path.read_text(encoding="utf-8")
    text = text.replace("version: 0.1.0", "version: 0.2.0", 1)
    text = text.replace("en: Is DE.ingest L1 done?", "en: Is DE.ingest L1 done, and written down?", 1)
    text = text.replace("- id: DE.ingest.L4\n", "- id: DE.ingest.L4b\n", 1)
    changed_path = tmp_path / "rubric_changed.yaml"
    changed_path.write_text(text, encoding="utf-8")
    changed = load_rubric(changed_path)
    model, problems = read_answer_file(path, changed)
    warnings = [p for p in problems if p.severity == "warning" and "proposed" not in p.message and UNROUTED not in p.message]
    assert [p.message for p in warnings] == [
        "criterion 'DE.ingest.L1' changed since this questionnaire was exported; check the answer still fits",
        "rubric digest differs from the one exported (exported with rubric test-small 0.1.0, now test-small 0.2.0; "
        "migrated unchanged: 10 answer(s) whose criterion id still exists; "
        "changed criteria: DE.ingest.L1; criteria no longer in the rubric: DE.ingest.L4; "
        f"new criteria for these roles, not in this file: DE.ingest.L4b; to move the answers: mlops-audit questionnaire export --from {path} --out NEW_FILE, "
        "then check the changed and new questions)",
    ]
    assert warnings[0].where.startswith(f"{path}:Data!A")
    assert warnings[1].where == f"{path}:_meta!B2"
    assert [(p.message) for p in _errors(problems)] == [
        "unknown criterion id 'DE.ingest.L4' (did you mean 'DE.ingest.L4b'?); not in rubric test-small 0.2.0"
    ]
    assert _kept(model) == ALL - {"DE.ingest.L4"}


def test_answers_for_another_rubric_are_refused(rubric, filled, tmp_path):
    path = _export(rubric, filled, "json", tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace('"id": "test-small"', '"id": "other-rubric"', 1), encoding="utf-8")
    model, problems = read_answer_file(path, rubric)
    assert model is None
    assert [p.message for p in _errors(problems)] == ["answers are for rubric 'other-rubric', not 'test-small'; export the questionnaire again"]
    assert _errors(problems)[0].where == f"{path}:{_line_of(path, 'other-rubric')}:5"


def test_excel_with_an_xml_entity_bomb_is_refused(rubric, filled, tmp_path):
    import io
    import zipfile

    path = _export(rubric, filled, "xlsx", tmp_path)
    entities = "".join(f'<!ENTITY e{i} "{f"&e{i - 1};" * 10 if i else "lol" * 10}">' for i in range(10))
    bomb = (
        f'<?xml version="1.0"?><!DOCTYPE w [{entities}]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&e9;</t></is></c></row></sheetData></worksheet>'
    ).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, bomb if info.filename == "xl/worksheets/sheet3.xml" else src.read(info.filename))
    path.write_bytes(out.getvalue())
    model, problems = read_answer_file(path, rubric)
    assert model is None
    # openpyxl parses with defusedxml when it is installed (compliance-trestle in the dev extra brings
    # it): the entity declarations are then refused before anything expands; without it, expat's
    # amplification limit stops the bomb. Either way the workbook is refused with a message.
    from openpyxl.xml import DEFUSEDXML

    expected = "cannot read the workbook (ValueError: Unable to read workbook" if DEFUSEDXML else "cannot read the workbook (ParseError: limit on input amplification factor"
    assert problems[0].message.startswith(expected)


def test_roster_dedicated_must_be_yes_or_no_in_every_format(rubric, filled, tmp_path):
    path = _export(rubric, filled, "csv", tmp_path)
    text = path.read_bytes().decode("utf-8-sig").replace("#roster,p-01,data_engineer;mlops_engineer,no,", "#roster,p-01,data_engineer;mlops_engineer,sometimes,")
    path.write_bytes(text.encode("utf-8-sig"))
    model, problems = read_answer_file(path, rubric)
    assert model is None
    assert [(p.where, p.message) for p in _errors(problems)] == [
        (
            f"{path}:{_line_of(path, '#roster,p-01')}",
            "roster[0].dedicated: Input should be a valid boolean, unable to interpret input (got 'sometimes'); "
            "expected yes (dedicated) or no (part-time)",
        )
    ]


def test_yaml_binary_and_set_values_are_refused_per_answer(rubric, filled, tmp_path):
    path = _export(rubric, filled, "yaml", tmp_path)
    text = path.read_text(encoding="utf-8")
    text = text.replace("value: 3\n", "value: !!binary aGVsbG8=\n", 1)
    text = text.replace("  - docs/ingest.md\n", "  - !!binary aGVsbG8=\n", 1)
    path.write_text(text, encoding="utf-8")
    model, problems = read_answer_file(path, rubric)
    assert sorted(p.message for p in _errors(problems)) == [
        "DE.ingest.L1: evidence must be a list of links or references (text)",
        "DE.quality.L1: expected a whole number from 0 to 4, n/a or unknown, got b'hello'",
    ]
    assert _kept(model) == ALL - {"DE.ingest.L1", "DE.quality.L1"}
