"""Role coverage: RACI slots, concentration of roles, separation of duties."""

from mlops_audit.evidence.answers import RosterEntry
from mlops_audit.scoring.engine import AssessmentInputs, assess
from tests.conftest import AT, answer_file


def coverage(rubric, roster, more=()):
    files = [("a.yaml", answer_file("r1", ["data_engineer"], {}, roster))] + list(more)
    return assess(AssessmentInputs(rubric=rubric, answer_files=files), assessed_at=AT).roles


def test_without_a_roster_role_coverage_is_unknown_not_zero(small_rubric):
    roles = coverage(small_rubric, [])
    assert not roles.roster_present and roles.slot_coverage is None
    assert {s.status for s in roles.separation_of_duties} == {"unknown"}


def test_filled_and_unfilled_raci_slots(small_rubric):
    roles = coverage(small_rubric, [RosterEntry(person="p1", roles=["data_engineer"]), RosterEntry(person="p2", roles=["ml_architect"])])
    pa2 = {(s.slot, s.role): s.filled for s in roles.slots if s.part == "PA.2"}
    assert pa2 == {("responsible", "data_engineer"): True, ("accountable", "ml_architect"): True}
    assert ("responsible", "data_scientist") in {(s.slot, s.role) for s in roles.slots if s.part == "PA.3" and not s.filled}
    assert "model_risk_analyst" in roles.unfilled_roles
    assert 0 < roles.slot_coverage < 1


def test_one_person_holding_validator_and_developer_roles_violates_separation_of_duties(small_rubric):
    roles = coverage(small_rubric, [RosterEntry(person="p1", roles=["data_scientist", "model_risk_analyst"], dedicated=False)])
    sod = {s.rule: s for s in roles.separation_of_duties}
    assert sod["sod.validator_not_developer"].status == "violated"
    assert sod["sod.validator_not_developer"].persons == ["p1"]
    assert roles.multi_role_persons == {"p1": ["data_scientist", "model_risk_analyst"]}
    holders = {r.role: r for r in roles.roles}
    assert holders["data_scientist"].part_time == ["p1"]
    assert "data_scientist" in roles.single_holder_roles


def test_rosters_from_several_files_merge_and_differences_are_reported(small_rubric):
    other = ("b.yaml", answer_file("r2", ["data_scientist"], {}, [RosterEntry(person="p1", roles=["ops_engineer"])]))
    roles = coverage(small_rubric, [RosterEntry(person="p1", roles=["data_engineer"])], [other])
    assert roles.multi_role_persons == {"p1": ["data_engineer", "ops_engineer"]}
    assert roles.roster_conflicts and "p1" in roles.roster_conflicts[0]
