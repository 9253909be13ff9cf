"""Detectors propose answers from repository evidence; a person confirms; a person's answer is never replaced."""

from __future__ import annotations

import json

import openpyxl
import pytest

from mlops_audit.errors import InputError
from mlops_audit.evidence.answers import Answer
from mlops_audit.evidence.questionnaire.export import make_form, render
from mlops_audit.evidence.questionnaire.importer import read_answer_file
from mlops_audit.evidence.questionnaire.prefill import load_findings, parse_findings

COLLECTION = {
    "repo": "bank-model",
    "findings": [
        {"detector": "versions_data", "kind": "data_versioning", "outcome": "pass", "title": "Versions data", "confidence": "high",
         "message": "dvc.yaml tracks data/raw", "criteria": ["DE.ingest.L3"], "locations": [{"path": "dvc.yaml", "line": 3}]},
        {"detector": "validates_data", "kind": "data_validation", "outcome": "fail", "title": "Validates data", "confidence": "medium",
         "message": "no data validation suite found", "criteria": ["DE.quality.L3", "DE.ingest.L1"], "locations": []},
        {"detector": "orchestrates_pipeline", "kind": "pipeline_orchestration", "outcome": "pass", "title": "Orchestrates", "confidence": "high",
         "message": "Airflow DAG", "criteria": ["DE.quality.L1", "DE.quality.L5", "DE.ingest.L4"], "locations": [{"path": "dags/train.py"}]},
        {"detector": "orchestrates_pipeline_b", "kind": "pipeline_orchestration", "outcome": "fail", "title": "x", "confidence": "low",
         "message": "second opinion", "criteria": ["DE.ingest.L4"], "locations": []},
        {"detector": "tracks_experiments", "kind": "experiment_tracking", "outcome": "not_applicable", "title": "x", "confidence": "low",
         "message": "no notebooks", "criteria": ["MD.track.L3"], "locations": []},
    ],
}


@pytest.fixture
def findings(tmp_path):
    path = tmp_path / "evidence.json"
    path.write_text(json.dumps(COLLECTION), encoding="utf-8")
    return load_findings(path)

UNROUTED = "questions not asked of this respondent's roles"  # the fixture answers MD.track.L1 outside its roles (a warning of its own test)


def _answers(form) -> dict[str, Answer]:
    return {row.criterion.id: row.answer for row in form.rows if row.answer is not None}


def test_blank_questionnaire_gets_proposals_marked_unconfirmed_with_their_evidence(rubric, findings):
    form, count = make_form(rubric, lang="en", findings=findings)
    answers = _answers(form)
    assert count == len(answers) == 6
    assert answers["DE.ingest.L3"] == Answer(
        criterion="DE.ingest.L3", value="yes", comment="versions_data: dvc.yaml tracks data/raw", evidence=["dvc.yaml:3"],
        proposed_by="versions_data", confirmed=False,
    )
    assert answers["DE.quality.L3"].value == "no" and answers["DE.quality.L3"].proposed_by == "validates_data"
    assert answers["DE.quality.L1"].value == 3  # a scale proposal is the lowest value that counts as met
    assert answers["DE.quality.L5"].value is None and answers["DE.quality.L5"].evidence == ["dags/train.py"]  # numbers are not guessed
    # A pass wins over a fail, as in scoring; only the passing detector is named.
    assert answers["DE.ingest.L4"].value == "yes" and answers["DE.ingest.L4"].proposed_by == "orchestrates_pipeline"
    assert "MD.track.L3" not in answers  # not_applicable proposes nothing
    assert all(a.confirmed is False for a in answers.values())


def test_prefill_never_replaces_a_persons_answer(rubric, filled, findings):
    form, _ = make_form(rubric, lang="en", filled=filled, findings=findings)
    answers = _answers(form)
    before = {a.criterion: a for a in filled.answers}
    assert answers["DE.ingest.L1"] == before["DE.ingest.L1"]  # said yes; a failing detector does not change it
    assert answers["DE.ingest.L3"] == before["DE.ingest.L3"]  # n/a stays
    assert answers["DE.quality.L1"] == before["DE.quality.L1"]
    assert answers["DE.ingest.L4"].value == "unknown" and answers["DE.ingest.L4"].confirmed  # "unknown" is a person's answer too


def test_a_new_proposal_replaces_an_old_unconfirmed_one_and_keeps_a_persons_comment(rubric, filled, findings):
    answers = list(filled.answers) + [Answer(criterion="DE.quality.L3", comment="we use great_expectations?")]
    stale = filled.model_copy(update={"answers": [
        a.model_copy(update={"value": "no"}) if a.criterion == "DE.ingest.L5" else a for a in answers
    ]})
    form, _ = make_form(rubric, lang="en", filled=stale, findings=findings)
    got = _answers(form)
    assert got["DE.quality.L3"].value == "no" and got["DE.quality.L3"].comment == "we use great_expectations?"
    assert got["DE.quality.L3"].proposed_by == "validates_data" and got["DE.quality.L3"].confirmed is False
    assert got["DE.ingest.L5"].value == "no"  # no finding names it: the earlier proposal stays as it was


def test_confirming_a_proposal_in_excel_makes_it_an_answer(rubric, findings, filled, tmp_path):
    form, _ = make_form(rubric, lang="zh", roles=["data_engineer"], filled=filled, findings=findings)
    path = tmp_path / "prefilled.xlsx"
    path.write_bytes(render(form, "xlsx"))
    wb = openpyxl.load_workbook(path)
    sheet = wb["中文Data"]
    rows = {sheet.cell(row=r, column=1).value: r for r in range(2, sheet.max_row + 1)}
    assert sheet.cell(row=rows["DE.quality.L3"], column=5).value == "否"
    assert sheet.cell(row=rows["DE.quality.L3"], column=8).value == "validates_data"
    assert sheet.cell(row=rows["DE.quality.L3"], column=9).value == "否"
    sheet.cell(row=rows["DE.quality.L3"], column=9, value="是")
    wb.save(path)
    model, problems = read_answer_file(path, rubric)
    confirmed = next(a for a in model.answers if a.criterion == "DE.quality.L3")
    assert confirmed.confirmed is True and confirmed.proposed_by == "validates_data" and confirmed.value == "no"
    unconfirmed = sorted(p.message.split(":")[0] for p in problems if p.severity == "warning" and UNROUTED not in p.message)
    assert unconfirmed == ["DE.ingest.L5"]  # the earlier, still unconfirmed proposal


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "expected the collector's JSON output, an object with a 'findings' list"),
        ({"findings": [{"outcome": "pass"}]}, "findings[0]: 'detector' must be a detector id"),
        ({"findings": [{"detector": "d", "outcome": "maybe"}]}, "findings[0]: 'outcome' must be pass, partial, fail, not_applicable or error, got 'maybe'"),
        ({"findings": [{"detector": "d", "outcome": "pass", "criteria": "DE.ingest.L1"}]}, "findings[0]: 'criteria' must be a list of criterion ids"),
    ],
)
def test_malformed_evidence_names_the_entry(data, message):
    with pytest.raises(InputError) as caught:
        parse_findings(data, "evidence.json")
    assert caught.value.message == f"evidence.json: {message}"


def test_evidence_file_that_is_not_json_names_the_line(tmp_path):
    path = tmp_path / "evidence.json"
    path.write_text('{\n  "findings": [,]\n}', encoding="utf-8")
    with pytest.raises(InputError, match=r"evidence.json:2: not valid JSON"):
        load_findings(path)
