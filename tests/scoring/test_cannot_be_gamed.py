"""Scores that cannot be gamed (issue: evidence credits only what it proves).

Adversarial cases on the bundled rubric: evidence of any kind, strength or amount cannot lift
answers the respondents gave; runs of the bundled reference pipeline do not count outside the
demo; runs count once and only for the organisation they name.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlops_audit.evidence.answers import Answer, AnswerFile, Organisation, Respondent, RubricRef
from mlops_audit.evidence.model import Evidence, Waiver
from mlops_audit.evidence.trail import AuditTrail
from mlops_audit.rubric.loader import default_rubric
from mlops_audit.rubric.model import Outcome, Strength
from mlops_audit.scoring.engine import AssessmentInputs, assess
from mlops_audit.workflow import AssessOptions, run_assessment
from tests.conftest import AT, extreme_answer

ORG = "Example Bank"
LOADED = default_rubric()
RUBRIC = LOADED.rubric
CRITERIA = [c for _, _, c in RUBRIC.criteria()]
CLAUSES = sorted({s for c in CRITERIA for s in c.pipeline_steps} | {r.clause for c in CRITERIA for r in c.trail_events}
                 | {s for c in CRITERIA if c.run_series for s in c.run_series.steps})


def worst_value(criterion):
    return extreme_answer(criterion, best=False)


def best_value(criterion):
    return extreme_answer(criterion, best=True)


def answers(value_of, *, up_to_level: int = 5) -> list[tuple[str, AnswerFile]]:
    """One respondent per role, each answering every criterion routed to that role."""
    files = []
    for role in RUBRIC.role_ids():
        chosen = [c for c in CRITERIA if role in c.question.roles]
        files.append((f"{role}.yaml", AnswerFile(
            rubric=RubricRef(id=RUBRIC.id, version=RUBRIC.version),
            organisation=Organisation(name=ORG),
            respondent=Respondent(id=role, roles=[role]),
            answers=[Answer(criterion=c.id, value=value_of(c) if c.level <= up_to_level else worst_value(c)) for c in chosen],
        )))
    return files


def everything_proven() -> list[Evidence]:
    """The strongest evidence there is, for every criterion, from every kind of source."""
    found = []
    for c in CRITERIA:
        found.append(Evidence(id=f"run:x:{c.id}", kind="pipeline", source="x", locator="x#1", strength=Strength.verified, says="met", criteria=[c.id]))
        found.append(Evidence(id=f"repo:x:{c.id}", kind="repo", source="d", locator="x.py:1", strength=Strength.evidenced, says="met", criteria=[c.id]))
        found.append(Evidence(id=f"doc:x:{c.id}", kind="document", source="a", locator="p.pdf", strength=Strength.reviewed, says="met", criteria=[c.id]))
    return found


def test_all_no_answers_with_every_evidence_and_waiver_meet_nothing_and_score_zero():
    waivers = [Waiver(criterion=c.id, justification="j", approved_by="CRO", expires="2030-01-01") for c in CRITERIA[::3]]
    a = assess(AssessmentInputs(rubric=LOADED, answer_files=answers(worst_value), evidence=everything_proven(), waivers=waivers), assessed_at=AT)
    assert [c.id for c in a.criteria if c.outcome is Outcome.met] == []
    assert a.overall.score == 0.0 and a.overall.level == 0
    # Every criterion is a conflict the assessor must see, waived or not.
    assert {k.criterion for k in a.conflicts} == {c.id for c in CRITERIA}
    assert next(k for k in a.caveats if k.kind == "conflicts").severity == "critical"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from([c.id for c in CRITERIA]), st.sampled_from(list(Strength)), st.sampled_from(["met", "partial"])), max_size=40))
def test_no_evidence_of_any_strength_lifts_a_no(picks):
    evidence = [Evidence(id=f"e{i}", kind="pipeline", source="s", locator="l", strength=s, says=says, criteria=[cid]) for i, (cid, s, says) in enumerate(picks)]
    a = assess(AssessmentInputs(rubric=LOADED, answer_files=answers(worst_value), evidence=evidence), assessed_at=AT)
    assert not [c.id for c in a.criteria if c.outcome in (Outcome.met, Outcome.partial)]
    assert {k.criterion for k in a.conflicts} == {cid for cid, _, _ in picks}


def write_run(run_dir: Path, *, system: dict | None, key=None, run_id: str = "ref-1") -> Path:
    """A run that executed every step the rubric names, with every event route's keys present."""
    ticks = iter(range(100000))
    trail = AuditTrail.create(run_dir, run_id=run_id, system=system,
                              clock=lambda: datetime(2026, 11, 30, tzinfo=UTC) + timedelta(seconds=next(ticks)))
    for clause in CLAUSES:
        trail.record(clause=clause, action="step", actor="job", role="mlops_engineer",
                     params={"raised_at": "2026-11-30T00:00:00Z", "acknowledged_at": "2026-11-30T00:05:00Z"},
                     metrics={"sla_hours": 1.0})
    trail.close(key)
    return run_dir


REFERENCE = {"id": "mlops-audit-reference-pipeline", "organisation": ORG, "reference": True}


@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    from mlops_audit.evidence.trail.keys import generate_signing_key, save_signing_key

    key = generate_signing_key()
    path = save_signing_key(tmp_path_factory.mktemp("k") / "k.pem", key)
    return key, path.with_name("k.pem.pub")


def assess_files(tmp_path: Path, files, **options):
    folder = tmp_path / "answers"
    folder.mkdir(exist_ok=True)
    import yaml

    for name, model in files:
        (folder / name).write_text(yaml.safe_dump(model.model_dump(mode="json", exclude_none=True), allow_unicode=True), encoding="utf-8")
    return run_assessment(AssessOptions(answers=[folder], assessed_at=AT, display_root=tmp_path, **options))


def test_all_no_answers_plus_the_reference_pipeline_run_score_zero(tmp_path, signed):
    key, public = signed
    run = write_run(tmp_path / "run", system=REFERENCE, key=key)
    for accept in (False, True):
        a = assess_files(tmp_path, answers(worst_value), runs=[run], trust_keys=[public], accept_reference_runs=accept)
        assert [c.id for c in a.criteria if c.outcome is Outcome.met] == []
        assert a.overall.score == 0.0


def test_honest_level_three_answers_get_the_same_levels_with_the_reference_run_outside_the_demo(tmp_path, signed):
    key, public = signed
    run = write_run(tmp_path / "run", system=REFERENCE, key=key)
    files = answers(best_value, up_to_level=3)
    without = assess_files(tmp_path, files)
    with_run = assess_files(tmp_path, files, runs=[run], trust_keys=[public])
    assert [(p.id, p.level) for p in with_run.practices] == [(p.id, p.level) for p in without.practices]
    assert with_run.overall.score == without.overall.score
    assert [r.status for r in with_run.runs] == ["reference"]


def test_an_accepted_signed_run_corroborates_claims_but_never_lifts_a_level_above_what_was_answered(tmp_path, signed):
    key, public = signed
    run = write_run(tmp_path / "run", system={**REFERENCE, "reference": False, "id": "credit"}, key=key)
    files = answers(best_value, up_to_level=3)
    a = assess_files(tmp_path, files, runs=[run], trust_keys=[public])
    assert [r.status for r in a.runs] == ["credited"]
    assert max(p.level for p in a.practices) <= 3
    assert [c.id for c in a.criteria if c.level >= 4 and c.outcome is Outcome.met] == []
    # It does corroborate: some level-3 claims that were unsubstantiated are now met at verified strength.
    assert any(c.level == 3 and c.outcome is Outcome.met and c.strength is Strength.verified for c in a.criteria)


def test_the_same_run_twice_counts_once(tmp_path, signed):
    key, public = signed
    run = write_run(tmp_path / "run", system={**REFERENCE, "reference": False, "id": "credit"}, key=key)
    once = assess_files(tmp_path, answers(best_value), runs=[run], trust_keys=[public])
    twice = assess_files(tmp_path, answers(best_value), runs=[run, run], trust_keys=[public])
    assert [e.id for e in twice.evidence] == [e.id for e in once.evidence]
    assert [r.status for r in twice.runs] == ["credited", "duplicate"]
    assert twice.overall == once.overall
