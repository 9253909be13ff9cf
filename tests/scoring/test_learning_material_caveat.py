"""Page 1 says when repository evidence came from teaching or learning material.

The collector judges whether a repository is a course (or partly lessons) and leaves lesson code out;
the assessment carries that verdict in its repository record, and the engine turns it into a caveat
so a reader knows before trusting the levels. Repositories that are not learning material add
nothing, not even a null key (older assessments stay byte-identical)."""

from __future__ import annotations

import json

from mlops_audit.result.model import LearningMaterialNote, RepoRecord
from mlops_audit.scoring.caveats import assessment_caveats, learning_material_caveats


def record(name: str, note: LearningMaterialNote | None) -> RepoRecord:
    return RepoRecord(name=name, findings=22, passed=3, failed=19, not_applicable=0, errors=0, learning_material=note)


def test_a_course_repository_is_a_critical_caveat_naming_it_and_the_override():
    [caveat] = learning_material_caveats([record("acme/mlops-course", LearningMaterialNote(
        verdict="course", code_share=0.93, reasons=["README.md speaks of a course", "lesson series: 12 numbered labs"]))])
    assert caveat.kind == "repo_learning_material" and caveat.severity == "critical"
    assert caveat.subjects == ["acme/mlops-course"]
    assert "--count-learning-material" in caveat.message.en and "--count-learning-material" in caveat.message.zh
    assert "README.md speaks of a course" in caveat.message.en and "not a team's system" in caveat.message.en


def test_a_partly_learning_repository_is_a_warning_with_its_share():
    [caveat] = learning_material_caveats([record("acme/platform", LearningMaterialNote(verdict="partly", code_share=0.25, reasons=["tutorials/ lessons"]))])
    assert caveat.severity == "warning" and "25%" in caveat.message.en and "25%" in caveat.message.zh


def test_counting_learning_material_anyway_is_a_warning_that_says_the_assessor_chose_it():
    [caveat] = learning_material_caveats([record("acme/course", LearningMaterialNote(verdict="course", code_share=1.0, counted=True))])
    assert caveat.severity == "warning" and "assessor chose to count it" in caveat.message.en


def test_repositories_that_are_not_learning_material_raise_nothing():
    assert learning_material_caveats([record("acme/service", None)]) == []
    assert [c.kind for c in assessment_caveats([], [], 1.0, [], [], [], [record("acme/service", None)])] == []


def test_the_record_omits_the_key_when_there_is_no_verdict_and_reads_back_either_way():
    plain = record("acme/service", None)
    assert "learning_material" not in json.loads(plain.model_dump_json())
    assert RepoRecord.model_validate_json(plain.model_dump_json()) == plain
    marked = record("acme/course", LearningMaterialNote(verdict="course", code_share=1.0))
    assert json.loads(marked.model_dump_json())["learning_material"]["verdict"] == "course"
    assert RepoRecord.model_validate_json(marked.model_dump_json()) == marked
