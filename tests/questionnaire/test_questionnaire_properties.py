"""Property tests: random answer files never crash the reader, and random valid answers survive every format."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlops_audit.evidence.answers import Answer, AnswerFile, Organisation, Respondent, RosterEntry, RubricRef
from mlops_audit.evidence.questionnaire.export import FORMATS, make_form, render
from mlops_audit.evidence.questionnaire.importer import read_answer_file
from mlops_audit.rubric.loader import load_rubric
from mlops_audit.rubric.model import QuestionType

RUBRIC = load_rubric(Path(__file__).resolve().parents[1] / "fixtures" / "rubric_small.yaml")
CRITERIA = [c for _, _, c in RUBRIC.rubric.criteria()]
ROLES = RUBRIC.rubric.role_ids()
REAL_KEYS = ["format", "rubric", "organisation", "respondent", "roster", "answered_at", "answers", "criterion", "value", "comment", "evidence", "id", "roles", "name", "digest", "confirmed", "proposed_by", "question"]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(["yes", "no", "n/a", "unknown", "是", "3", "1e999", "none", "all", "DE.ingest.L1", "data_engineer", ""]),
)
def _nested(leaves):  # type: ignore[no-untyped-def]
    return st.recursive(
        leaves,
        lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.sampled_from(REAL_KEYS) | st.text(max_size=8), children, max_size=5)),
        max_leaves=25,
    )


def _documents(values):  # type: ignore[no-untyped-def]
    answer_like = st.dictionaries(st.sampled_from(["criterion", "value", "comment", "evidence", "proposed_by", "confirmed", "question", "extra"]), values, max_size=6)
    return st.fixed_dictionaries(
        {},
        optional={
            "format": st.one_of(st.just("mlops-audit/answers@1"), values),
            "rubric": st.one_of(st.just(RUBRIC.ref), values),
            "organisation": st.one_of(st.just({"name": "Bank"}), values),
            "respondent": st.one_of(st.fixed_dictionaries({"id": st.text(max_size=5), "roles": st.lists(st.sampled_from(ROLES + ["x"]), max_size=3)}), values),
            "roster": st.one_of(st.lists(st.fixed_dictionaries({"person": st.text(max_size=4), "roles": values, "dedicated": values}), max_size=2), values),
            "answers": st.one_of(st.lists(st.one_of(answer_like, values), max_size=6), values),
            "unexpected": values,
        },
    )


json_documents = _documents(_nested(scalars))
# YAML can also carry binary data, sets and timestamps.
yaml_documents = _documents(_nested(scalars | st.binary(max_size=6) | st.sets(st.integers(0, 3), max_size=3) | st.dates()))
QUIET = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _read(name: str, data: bytes):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        model, problems = read_answer_file(path, RUBRIC)
    # Contract: either a model, or at least one error explaining why not; every problem has a place.
    assert model is not None or any(p.severity == "error" for p in problems)
    assert all(p.where and p.message for p in problems)
    return model, problems


@QUIET
@given(yaml_documents)
def test_random_yaml_structures_give_problems_not_tracebacks(document):
    _read("random.yaml", yaml.safe_dump(document, allow_unicode=True).encode("utf-8"))


@QUIET
@given(json_documents)
def test_random_json_structures_give_problems_not_tracebacks(document):
    _read("random.json", json.dumps(document, ensure_ascii=False).encode("utf-8"))


@QUIET
@given(st.sampled_from([".yaml", ".json", ".csv", ".md", ".xlsx"]), st.binary(max_size=400))
def test_random_bytes_give_problems_not_tracebacks(suffix, data):
    _read("random" + suffix, data)


@QUIET
@given(st.lists(st.lists(st.text(max_size=12), max_size=13), max_size=8), st.sampled_from(["criterion,value,comment,evidence,confirmed,proposed_by", "#respondent.id,x", "#roster,p,data_engineer,maybe,"]))
def test_random_csv_rows_give_problems_not_tracebacks(rows, head):
    import csv
    import io

    out = io.StringIO()
    out.write(head + "\n")
    csv.writer(out).writerows(rows)
    _read("random.csv", out.getvalue().encode("utf-8"))


@QUIET
@given(st.lists(st.sampled_from(["---", "respondent: {id: r, roles: [data_engineer]}", "### DE.ingest.L1", "### nope", "- Answer: yes", "- Answer: 9", "- Comment: x", "- Foo: y", "    more", "", "# h", "- Confirmed: maybe", "- Proposed by: d"]), max_size=25))
def test_random_markdown_gives_problems_not_tracebacks(lines):
    _read("random.md", "\n".join(lines).encode("utf-8"))


# ---- valid answers of every type survive every format ---------------------------------------

text = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.just("\n"), min_size=1, max_size=40).map(
    lambda s: "\n".join(line.rstrip() for line in s.split("\n")).strip()
).filter(bool)
one_line = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=30).map(str.strip).filter(bool)


def _values(criterion):
    q = criterion.question
    common = st.sampled_from(["n/a", "unknown"])
    if q.type is QuestionType.yes_no:
        return st.sampled_from(["yes", "no", "partial"]) | common
    if q.type is QuestionType.scale:
        return st.integers(q.scale_min, q.scale_max) | common
    if q.type is QuestionType.choice:
        return st.sampled_from([c.value for c in q.choices]) | common
    # Workbooks hold 16 significant digits (openpyxl writes "%.16g"; Excel itself computes with 15).
    number = st.floats(-1e12, 1e12, allow_nan=False).map(lambda f: float(f"{f:.15g}")).map(lambda f: int(f) if f.is_integer() else f)
    return number | st.integers(-(10**9), 10**9) | common


@st.composite
def answer_files(draw):
    chosen = draw(st.lists(st.sampled_from(CRITERIA), unique_by=lambda c: c.id, max_size=len(CRITERIA)))
    answers = []
    for criterion in sorted(chosen, key=lambda c: [x.id for x in CRITERIA].index(c.id)):
        value = draw(st.none() | _values(criterion))
        comment = draw(st.none() | text)
        evidence = draw(st.lists(one_line, max_size=3, unique=True))
        proposed = draw(st.none() | st.sampled_from(["versions_data", "validates_data"]))
        if value is None and comment is None and not evidence and proposed is None:
            comment = "only a comment"
        answers.append(
            Answer(criterion=criterion.id, value=value, comment=comment, evidence=evidence, proposed_by=proposed, confirmed=draw(st.booleans()) if proposed else True)
        )
    return AnswerFile(
        rubric=RubricRef(**RUBRIC.ref),
        organisation=Organisation(name=draw(one_line), scope=draw(st.none() | one_line)),
        respondent=Respondent(id=draw(one_line.filter(lambda s: len(s) <= 120)), roles=draw(st.lists(st.sampled_from(ROLES), min_size=1, max_size=3, unique=True)), team=draw(st.none() | one_line)),
        roster=draw(st.lists(st.builds(RosterEntry, person=one_line, roles=st.lists(st.sampled_from(ROLES), min_size=1, max_size=2, unique=True), dedicated=st.booleans(), team=st.none() | one_line), max_size=3, unique_by=lambda e: e.person)),
        answered_at=draw(st.none() | st.sampled_from(["2026-11-30", "2026-11-30T08:00:00Z"])),
        answers=answers,
    )


@settings(max_examples=25, deadline=None)
@given(answer_files(), st.sampled_from(FORMATS), st.sampled_from(["zh", "en", "both"]))
def test_any_valid_answer_file_round_trips_through_every_format(model, fmt, lang):
    form, _ = make_form(RUBRIC, lang=lang, filled=model)
    again, problems = _read(f"answers.{fmt}", render(form, fmt))
    assert [p for p in problems if p.severity == "error"] == []
    assert again == model


cell_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.datetimes(min_value=__import__("datetime").datetime(1990, 1, 1), max_value=__import__("datetime").datetime(2100, 1, 1)),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20),  # openpyxl refuses control characters
    st.sampled_from(["=1+1", "=A1", "是", "n/a", "DE.ingest.L1", "DE.nope", "data_engineer", "yes, maybe"]),
)


@settings(max_examples=15, deadline=None)  # each example writes and reads a workbook
@given(st.lists(st.tuples(st.sampled_from(["Cover", "Roster", "Data", "Development", "_meta", "Extra"]), st.integers(1, 16), st.integers(1, 10), cell_values), max_size=12), st.booleans())
def test_random_cells_in_a_real_workbook_give_problems_not_tracebacks(edits, merge):
    import io

    import openpyxl

    form, _ = make_form(RUBRIC, lang="en")
    wb = openpyxl.load_workbook(io.BytesIO(render(form, "xlsx")))
    for sheet, row, col, value in edits:
        ws = wb[sheet] if sheet in wb.sheetnames else wb.create_sheet(sheet)
        ws.cell(row=row, column=col, value=value)
    if merge:
        wb["Data"].merge_cells("C3:E4")
    buffer = io.BytesIO()
    wb.save(buffer)
    _read("random.xlsx", buffer.getvalue())
