"""Fixtures for questionnaire tests: the small rubric (every question type) and a filled answer file."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_audit.evidence.answers import Answer, AnswerFile, Organisation, Respondent, RosterEntry, RubricRef
from mlops_audit.rubric.loader import LoadedRubric, load_rubric

FIXTURE_RUBRIC = Path(__file__).resolve().parents[1] / "fixtures" / "rubric_small.yaml"


@pytest.fixture(scope="session")
def rubric() -> LoadedRubric:
    return load_rubric(FIXTURE_RUBRIC)


def filled_file(rubric: LoadedRubric, respondent: str = "r-data-01", roles: tuple[str, ...] = ("data_engineer",)) -> AnswerFile:
    """An answer file touching every question type, with comments, evidence, n/a, unknown and a proposal."""
    return AnswerFile(
        rubric=RubricRef(**rubric.ref),
        organisation=Organisation(name="示例银行 Example Bank", scope="信贷模型 credit models"),
        respondent=Respondent(id=respondent, roles=list(roles), team="数据平台"),
        roster=[
            RosterEntry(person="p-01", roles=["data_engineer", "mlops_engineer"], dedicated=False, team="平台"),
            RosterEntry(person="p-02", roles=["data_scientist"]),
        ],
        answered_at="2026-11-30",
        answers=[
            Answer(criterion="DE.ingest.L1", value="yes", comment="接入脚本在 ingest/ 下\n第二行: still here", evidence=["https://git.example/ingest", "docs/ingest.md"]),
            Answer(criterion="DE.ingest.L2", value="partial", comment="=SUM(A1) is text, not a formula"),
            Answer(criterion="DE.ingest.L3", value="n/a"),
            Answer(criterion="DE.ingest.L4", value="unknown", comment="ask ops"),
            Answer(criterion="DE.ingest.L5", value="yes", proposed_by="orchestrates_pipeline", confirmed=False, evidence=["dags/ingest.py:12"]),
            Answer(criterion="DE.quality.L1", value=3),
            Answer(criterion="DE.quality.L2", value="some", comment="- not a markdown field\n### nor a heading"),
            Answer(criterion="DE.quality.L5", value=12.5),
            Answer(criterion="MD.track.L1", value="no", comment="answered outside the role filter"),
        ],
    )


@pytest.fixture
def filled(rubric: LoadedRubric) -> AnswerFile:
    return filled_file(rubric)


@pytest.fixture
def make_filled(rubric: LoadedRubric):  # type: ignore[no-untyped-def]
    """filled_file with another respondent id or roles."""
    return lambda respondent="r-data-01", roles=("data_engineer",): filled_file(rubric, respondent, roles)


@pytest.fixture(scope="session")
def fixture_rubric_path() -> Path:
    return FIXTURE_RUBRIC
