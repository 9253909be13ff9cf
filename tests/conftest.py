"""Shared fixtures: the small test rubric, answer-file and evidence builders, a CLI runner."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlops_audit.evidence.answers import Answer, AnswerFile, Organisation, Respondent, RosterEntry, RubricRef
from mlops_audit.evidence.model import Evidence
from mlops_audit.rubric.loader import LoadedRubric, load_rubric

FIXTURES = Path(__file__).parent / "fixtures"
SMALL_RUBRIC = FIXTURES / "rubric_small.yaml"
AT = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="session", autouse=True)
def _private_state_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The parse cache's default key file ($XDG_STATE_HOME/mlops-audit/cache.key) goes to this
    session's temporary folder, never the user's: under pytest-xdist each worker has its own
    basetemp, so workers share no key file either. Session-wide, so session fixtures and the
    subprocesses tests start (they inherit the environment) are covered too."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_STATE_HOME", str(tmp_path_factory.getbasetemp() / "state-home"))
        yield


@pytest.fixture(scope="session")
def small_rubric() -> LoadedRubric:
    return load_rubric(SMALL_RUBRIC)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def answer_file(respondent: str, roles: list[str], answers: dict[str, object], roster: list[RosterEntry] | None = None) -> AnswerFile:
    return AnswerFile(
        rubric=RubricRef(id="test-small", version="0.1.0"),
        organisation=Organisation(name="Example Bank"),
        respondent=Respondent(id=respondent, roles=roles),
        roster=roster or [],
        answers=[Answer(criterion=k, value=v) for k, v in answers.items()],
    )


def repo_evidence(detector: str, criteria: list[str], says: str = "met") -> Evidence:
    return Evidence(
        id=f"repo:r:{detector}",
        kind="repo",
        source=detector,
        locator="r/file.py:1",
        strength="evidenced",
        says=says,
        criteria=criteria,
    )


def run_evidence(criterion: str) -> Evidence:
    return Evidence(
        id=f"run:run-1:{criterion}", kind="pipeline", source="run-1", locator="run-1#3", strength="verified", says="met", criteria=[criterion]
    )


def extreme_answer(criterion, *, best: bool) -> object:
    """The answer value that claims a criterion met (best) or unmet (worst), for any question type."""
    from mlops_audit.rubric.model import QuestionType

    q = criterion.question
    if q.type is QuestionType.yes_no:
        return "yes" if best else "no"
    if q.type is QuestionType.scale:
        return q.scale_max if best else q.scale_min
    if q.type is QuestionType.choice:
        return next(c.value for c in q.choices if c.outcome == ("met" if best else "unmet"))
    if best:
        return q.met_at
    return 0.0 if q.direction == "higher_is_better" else 1e9


@pytest.fixture
def steady_ci_timer(monkeypatch: pytest.MonkeyPatch) -> None:
    """A reference run started through the CLI or the demo times CI's single-row requests with the
    wall clock against a 50 ms p95 budget: on a loaded machine (parallel test workers, other jobs)
    that gate fails now and then and the run stops at CI. Tests that are not about the gate inject a
    ticking timer (the pipeline tests that test the gate itself inject their own)."""
    import reference_pipeline.run as pipeline_run

    from tests.pipeline.helpers import ticking_timer

    real = pipeline_run.run_pipeline

    def run_pipeline(*args: object, timer: object = None, **kwargs: object) -> object:
        return real(*args, timer=timer or ticking_timer(), **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline_run, "run_pipeline", run_pipeline)
