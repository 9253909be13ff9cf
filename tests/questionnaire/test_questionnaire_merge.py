"""Several respondents: one consolidated answer file (who said what) and a disagreement table."""

from __future__ import annotations

import io

import pandas as pd

from mlops_audit.evidence.answers import Answer, AnswerFile, Organisation, Respondent, RubricRef
from mlops_audit.evidence.questionnaire.importer import read_answer_file
from mlops_audit.evidence.questionnaire.merge import CONSOLIDATED_ID, disagreement_csv, merge_answer_files

UNROUTED = "questions not asked of this respondent's roles"  # the fixture answers MD.track.L1 outside its roles (a warning of its own test)


def _file(rubric, respondent: str, roles: list[str], answers: dict) -> AnswerFile:
    return AnswerFile(
        rubric=RubricRef(**rubric.ref),
        organisation=Organisation(name="Example Bank"),
        respondent=Respondent(id=respondent, roles=roles),
        answers=[Answer(criterion=c, value=v, comment=f"{respondent} on {c}" if c == "DE.ingest.L2.2" else None) for c, v in answers.items()],
    )


def _crafted(rubric):
    # DE.ingest.L2.2 is asked of data engineers and data scientists; the other questions of data engineers.
    return [
        ("de1.yaml", _file(rubric, "r-de-1", ["data_engineer"], {"DE.ingest.L2.2": "yes", "DE.quality.L1": 4, "DE.quality.L5": 5, "DE.quality.L2": "all", "DE.ingest.L1": "yes"})),
        ("de2.yaml", _file(rubric, "r-de-2", ["data_engineer"], {"DE.ingest.L2.2": "no", "DE.quality.L1": 3, "DE.quality.L5": 20, "DE.quality.L2": "all", "DE.ingest.L1": "yes"})),
        ("ds1.yaml", _file(rubric, "r-ds-1", ["data_scientist"], {"DE.ingest.L2.2": "yes", "DE.quality.L2": "none", "DE.ingest.L3": "n/a", "DE.ingest.L1": "no"})),
    ]


def test_combined_value_follows_the_scoring_rule_and_names_who_said_what(rubric):
    result = merge_answer_files(_crafted(rubric), rubric)
    merged = {a.criterion: a for a in result.answers.answers}
    # Per role: data engineers split yes/no -> their vote is the lower, "no"; data scientists say yes.
    # Role votes (no, yes) tie -> the lower answer.
    assert merged["DE.ingest.L2.2"].value == "no"
    assert merged["DE.ingest.L2.2"].comment == (
        "r-de-1 (data_engineer): yes — r-de-1 on DE.ingest.L2.2\n"
        "r-de-2 (data_engineer): no — r-de-2 on DE.ingest.L2.2\n"
        "r-ds-1 (data_scientist): yes — r-ds-1 on DE.ingest.L2.2"
    )
    # Scale 0-4, met at 3: both engineers' answers are met; the value is the lower median of theirs.
    assert merged["DE.quality.L1"].value == 3
    # Number, lower is better, met at 7, partial at 30: met + partial -> partial, the partial respondent's value.
    assert merged["DE.quality.L5"].value == 20
    # Only routed respondents vote when any answered: the data scientist's "none" is set aside.
    assert merged["DE.quality.L2"].value == "all"
    assert merged["DE.ingest.L1"].value == "yes"
    # Every vote n/a -> n/a.
    assert merged["DE.ingest.L3"].value == "n/a"
    assert result.answers.respondent.id == CONSOLIDATED_ID
    assert result.answers.respondent.roles == ["data_engineer", "data_scientist"]


def test_disagreement_table_lists_agreement_and_contested_criteria(rubric):
    result = merge_answer_files(_crafted(rubric), rubric)
    table = pd.read_csv(io.BytesIO(disagreement_csv(result, contested_only=False)), encoding="utf-8-sig", keep_default_na=False)
    rows = {row["criterion"]: row for _, row in table.iterrows()}
    # Contested first, least agreement first (1/3, 1/2, 2/3, 2/3), then rubric order.
    assert list(table["criterion"][:4]) == ["DE.ingest.L2.2", "DE.quality.L5", "DE.ingest.L1", "DE.quality.L2"]
    contested = rows["DE.ingest.L2.2"]
    assert contested["answers"] == "r-de-1=yes; r-de-2=no; r-ds-1=yes"
    assert contested["combined"] == "no" and contested["combined_outcome"] == "unmet"
    assert contested["agreement"] == round(1 / 3, 4) and bool(contested["contested"]) is True
    assert bool(rows["DE.quality.L1"]["contested"]) is False and rows["DE.quality.L1"]["agreement"] == 1.0
    assert sorted(result.contested) == ["DE.ingest.L1", "DE.ingest.L2.2", "DE.quality.L2", "DE.quality.L5"]


def test_the_disagreement_table_lists_only_contested_criteria_by_default(rubric):
    result = merge_answer_files(_crafted(rubric), rubric)
    table = pd.read_csv(io.BytesIO(disagreement_csv(result)), encoding="utf-8-sig", keep_default_na=False)
    assert list(table["criterion"]) == ["DE.ingest.L2.2", "DE.quality.L5", "DE.ingest.L1", "DE.quality.L2"]
    assert sorted(table["criterion"]) == sorted(result.contested) and all(table["contested"])
    assert len(result.table) > len(table)  # the agreed criteria are left out


def test_unconfirmed_proposals_take_no_part(rubric):
    files = _crafted(rubric)
    proposal = files[0][1].model_copy(
        update={"answers": [Answer(criterion="DE.ingest.L4", value="yes", proposed_by="orchestrates_pipeline", confirmed=False)]}
    )
    result = merge_answer_files([("p.yaml", proposal)], rubric)
    assert result.answers.answers == []
    assert result.warnings == ["1 unconfirmed detector proposal(s) left out of the merge"]


def test_consolidated_file_reads_back_as_one_valid_respondent(rubric, tmp_path):
    from mlops_audit.evidence.questionnaire.export import make_form, render

    result = merge_answer_files(_crafted(rubric), rubric)
    form, _ = make_form(rubric, lang="en", filled=result.answers)
    path = tmp_path / "consolidated.xlsx"
    path.write_bytes(render(form, "xlsx"))
    model, problems = read_answer_file(path, rubric)
    assert problems == []
    assert model == result.answers


def test_reading_a_merged_file_with_individual_ones_warns_of_double_counting(rubric, tmp_path):
    from mlops_audit.evidence.questionnaire.export import make_form, render
    from mlops_audit.evidence.questionnaire.importer import read_answer_files

    files = _crafted(rubric)
    result = merge_answer_files(files, rubric)
    paths = []
    for name, model in [("merged.yaml", result.answers), *files]:
        form, _ = make_form(rubric, lang="en", filled=model)
        paths.append(tmp_path / name)
        paths[-1].write_bytes(render(form, "yaml"))
    imported = read_answer_files(paths, rubric)
    assert imported.errors == []
    (warning,) = [w for w in imported.warnings if UNROUTED not in w.message]
    assert warning.where == str(paths[0]) and "counted twice" in warning.message
