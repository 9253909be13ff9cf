"""Regulatory coverage from a finished assessment: each obligation's status follows the criteria and
practice levels behind it, through the crosswalk and the profile's own criteria."""

from __future__ import annotations

import dataclasses

import pytest

from mlops_audit.evidence.model import Evidence
from mlops_audit.result.regulatory import RegulatoryCoverage
from mlops_audit.rubric.loader import default_rubric
from mlops_audit.rubric.profiles import CrosswalkRow, available_profiles, bundled_profile, combined_rubric
from mlops_audit.scoring.engine import AssessmentInputs, assess
from mlops_audit.scoring.regulatory import regulatory_coverage
from tests.conftest import AT, answer_file, extreme_answer, run_evidence

ALL_ROLES = [r.id for r in default_rubric().rubric.roles]


def _assess(loaded, answers: dict[str, object], evidence: tuple[Evidence, ...] = ()):
    return assess(
        AssessmentInputs(rubric=loaded, answer_files=[("a.yaml", answer_file("r1", ALL_ROLES, answers))], evidence=evidence),
        assessed_at=AT,
    )


def _all(loaded, *, best: bool, overrides: dict[str, object] | None = None) -> dict[str, object]:
    answers = {c.id: extreme_answer(c, best=best) for _d, _p, c in loaded.rubric.criteria()}
    answers.update(overrides or {})
    return answers


def _doc(cid: str) -> Evidence:
    return Evidence(id=f"doc:{cid}", kind="document", source="reviewed.yaml", locator="minutes.pdf", strength="reviewed", says="met", criteria=[cid])


def _obligation(cov: RegulatoryCoverage, oid: str):
    return next(o for reg in cov.regulations for o in reg.obligations if o.id == oid)


@pytest.fixture(scope="module")
def cn_finance():
    return bundled_profile("cn-finance")


@pytest.fixture(scope="module")
def combined(cn_finance):
    return combined_rubric([cn_finance])


def test_claims_alone_give_partial_obligations_with_claimed_strength(cn_finance, combined) -> None:
    cov = regulatory_coverage(_assess(combined, _all(combined, best=True)), [cn_finance])
    art24 = _obligation(cov, "PIPL.art24")
    # L1 and L2 met on claims; L3 needs evidence, so the claim is only partial.
    assert art24.status == "partial" and art24.strength == "claimed"
    own = next(b for b in art24.bases if b.kind == "profile")
    assert [c.id for c in own.criteria] == ["CNF.explainability.L1", "CNF.explainability.L2", "CNF.explainability.L3"]
    assert [c.outcome for c in own.criteria] == ["met", "met", "partial"]
    assert cov.profiles[0].scored


def test_reviewed_documents_meet_an_obligation_whose_criteria_accept_them(cn_finance, combined) -> None:
    cov = regulatory_coverage(_assess(combined, _all(combined, best=True), (_doc("CNF.piia.L3"),)), [cn_finance])
    art55 = _obligation(cov, "PIPL.art55")
    assert art55.status == "met"
    # The strength shown is that of the top level the status stands on (levels 1-2 accept claims).
    assert art55.strength == "reviewed"
    assert _obligation(cov, "PIPL.art56").status == "met"  # cited by L3 (met) and L4/L5 above the bar
    # A criterion above the obligation level does not decide it.
    own = next(b for b in art55.bases if b.kind == "profile")
    assert "CNF.piia.L4" not in [c.id for c in own.criteria]


def test_all_no_answers_leave_every_assessed_obligation_unmet(cn_finance, combined) -> None:
    cov = regulatory_coverage(_assess(combined, _all(combined, best=False)), [cn_finance])
    statuses = {o.id: o.status for reg in cov.regulations for o in reg.obligations}
    assert set(statuses.values()) == {"unmet"}
    assert all(o.strength is None for reg in cov.regulations for o in reg.obligations)


def test_not_applicable_answers_make_an_obligation_not_applicable(cn_finance, combined) -> None:
    na = {f"CNF.algorithm_filing.L{n}": "n/a" for n in range(1, 6)}
    cov = regulatory_coverage(_assess(combined, _all(combined, best=True, overrides=na)), [cn_finance])
    assert _obligation(cov, "ALGO.art24").status == "not_applicable"
    assert _obligation(cov, "ALGO.art22").status == "not_applicable"
    # ALGO.art8 also has a crosswalk row to base practices, which were assessed.
    assert _obligation(cov, "ALGO.art8").status == "partial"


def test_an_unscored_profile_is_judged_through_its_crosswalk_only(cn_finance) -> None:
    base = default_rubric()
    cov = regulatory_coverage(_assess(base, _all(base, best=True)), [cn_finance])
    assert not cov.profiles[0].scored
    # Only own criteria behind it: nothing assessed.
    assert _obligation(cov, "PIPL.art24").status == "not_assessed"
    # A partial crosswalk row can never make the obligation met on its own.
    trace = _obligation(cov, "JRT0221.6.4")
    assert trace.status == "partial"
    assert [b.kind for b in trace.bases] == ["crosswalk", "profile"]
    assert trace.bases[1].status == "not_assessed"


def test_a_full_row_meets_the_obligation_and_a_partial_row_does_not(cn_finance) -> None:
    base = default_rubric()
    target = "REQ.feasibility_risk.L1"
    answers = {target: extreme_answer(base.rubric.criterion_index()[target][2], best=True)}
    assessment = _assess(base, answers)
    row = CrosswalkRow(obligation="PIPL.art51", coverage="full", criteria=[target], note={"zh": "测试", "en": "test"})
    full = dataclasses.replace(cn_finance, crosswalk=(row,))
    assert _obligation(regulatory_coverage(assessment, [full]), "PIPL.art51").status == "met"
    partial = dataclasses.replace(cn_finance, crosswalk=(row.model_copy(update={"coverage": "partial"}),))
    assert _obligation(regulatory_coverage(assessment, [partial]), "PIPL.art51").status == "partial"
    # Practice-level rows: the practice must reach the level.
    prow = CrosswalkRow(obligation="PIPL.art51", coverage="full", practices={"REQ.feasibility_risk": 2}, note={"zh": "测试", "en": "test"})
    levelled = dataclasses.replace(cn_finance, crosswalk=(prow,))
    got = _obligation(regulatory_coverage(assessment, [levelled]), "PIPL.art51")
    assert got.status == "partial" and got.bases[0].practices[0].level == 1


def test_a_practice_target_shows_the_strength_of_the_level_it_reached(cn_finance) -> None:
    base = default_rubric()
    practice = next(p for _d, p in base.rubric.practices() if p.id == "REQ.feasibility_risk")
    answers = {c.id: extreme_answer(c, best=True) for c in practice.criteria if c.level <= 3}
    level3 = [c.id for c in practice.criteria if c.level == 3]
    evidence = tuple(run_evidence(cid) for cid in level3)  # its level 3 names a pipeline step: a verified run
    assessment = _assess(base, answers, evidence)
    assert next(p for p in assessment.practices if p.id == practice.id).level == 3
    row = CrosswalkRow(obligation="PIPL.art51", coverage="full", practices={practice.id: 3}, note={"zh": "测试", "en": "test"})
    got = _obligation(regulatory_coverage(assessment, [dataclasses.replace(cn_finance, crosswalk=(row,))]), "PIPL.art51")
    # Levels 1-2 stand on claims; level 3 on a verified run: that is what is shown.
    assert got.status == "met" and got.strength == "verified"
    assert got.bases[0].practices[0].strength == "verified"


def test_results_given_separately_count_like_results_in_the_assessment(cn_finance, combined) -> None:
    together = _assess(combined, _all(combined, best=True))
    base_only = together.model_copy(update={"criteria": [c for c in together.criteria if not c.id.startswith("CNF.")]})
    separate = regulatory_coverage(base_only, [cn_finance], extra_criteria=[c for c in together.criteria if c.id.startswith("CNF.")])
    assert separate == regulatory_coverage(together, [cn_finance])


def test_every_profile_reports_every_obligation_once_per_regulation_deterministically() -> None:
    profiles = [bundled_profile(n) for n in available_profiles()]
    loaded = combined_rubric(profiles)
    assessment = _assess(loaded, _all(loaded, best=True))
    first = regulatory_coverage(assessment, profiles)
    assert first.model_dump_json() == regulatory_coverage(assessment, profiles).model_dump_json()
    for profile in profiles:
        regs = [r for r in first.regulations if r.profile == profile.id]
        assert [r.source for r in regs] == [s.id for s in profile.meta.sources]
        assert sorted(o.id for r in regs for o in r.obligations) == sorted(c.id for c in profile.clauses)
        for r in regs:
            assert sum(r.counts.model_dump().values()) == len(r.obligations)


def test_coverage_json_validates_against_the_published_schema(cn_finance, combined) -> None:
    import json

    import jsonschema

    from mlops_audit import paths

    schema = json.loads((paths.schema_dir() / "regulatory-coverage.schema.json").read_text(encoding="utf-8"))
    cov = regulatory_coverage(_assess(combined, _all(combined, best=True), (_doc("CNF.piia.L3"),)), [cn_finance])
    jsonschema.validate(json.loads(cov.model_dump_json()), schema)
    assert RegulatoryCoverage.model_validate_json(cov.model_dump_json()) == cov
