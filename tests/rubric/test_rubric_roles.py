"""The bundled rubric's roles, RACI and separation of duties (issue 3, item 4).

The guide names ten roles (RO.*; RO.principle is the rule about them, not a role). The rubric must
hold exactly those ten, give every pipeline part an owner, keep its separation-of-duties rules
meaningful, and route questions only to roles that exist - model-risk questions to the model risk
analyst, as in the bank case (CASE.mra).
"""

from __future__ import annotations

import re

import pytest

from mlops_audit.rubric.loader import LoadedRubric, default_rubric
from mlops_audit.rubric.model import PIPELINE_PARTS, Practice

MODEL_RISK_STEP = re.compile(r"^CASE\.mra\.[1-3]$")
# Detectors that can show from a repository who authored and who approved (CODEOWNERS, reviews).
SEPARATION_DETECTORS = {"separates_duties_in_git", "has_code_owners"}


@pytest.fixture(scope="module")
def loaded() -> LoadedRubric:
    return default_rubric()


def _model_risk_practices(loaded: LoadedRubric) -> list[Practice]:
    """Organisation practices that realise a validation step of the bank case (CASE.mra.1-3)."""
    organisation = next(d for d in loaded.rubric.domains if d.id == "organisation")
    return [p for p in organisation.practices if any(MODEL_RISK_STEP.match(c) for c in p.clauses)]


def test_the_ten_roles_map_one_to_one_onto_the_guides_role_clauses(loaded: LoadedRubric) -> None:
    guide_roles = sorted(
        c.id for c in loaded.catalogue.clauses if c.group == "roles" and c.id != "RO.principle"
    )
    rubric_roles = sorted(r.clause for r in loaded.rubric.roles)
    assert len(guide_roles) == 10
    assert rubric_roles == guide_roles  # same set, and no clause used twice
    assert len({r.id for r in loaded.rubric.roles}) == 10


def test_every_pipeline_part_has_one_raci_with_an_owner(loaded: LoadedRubric) -> None:
    entries = {}
    for entry in loaded.rubric.pipeline_raci:
        assert entry.part not in entries, f"{entry.part} has two RACI entries"
        entries[entry.part] = entry.raci
    assert sorted(entries) == sorted(PIPELINE_PARTS)
    for part, raci in entries.items():
        assert len(raci.responsible) >= 1, f"{part}: nobody is responsible"
        assert len(raci.accountable) == 1, f"{part}: needs exactly one accountable role, has {raci.accountable}"


def test_every_role_takes_part_in_some_pipeline_part(loaded: LoadedRubric) -> None:
    named = {
        role
        for entry in loaded.rubric.pipeline_raci
        for slot in (entry.raci.responsible, entry.raci.accountable, entry.raci.consulted, entry.raci.informed)
        for role in slot
    }
    assert set(loaded.rubric.role_ids()) - named == set()


def test_practice_racis_name_existing_roles_and_one_accountable(loaded: LoadedRubric) -> None:
    roles = set(loaded.rubric.role_ids())
    unknown, not_one = [], []
    for _, p in loaded.rubric.practices():
        r = p.raci
        unknown += [(p.id, x) for x in (*r.responsible, *r.accountable, *r.consulted, *r.informed) if x not in roles]
        if len(r.accountable) != 1:
            not_one.append(p.id)
    assert unknown == []
    assert not_one == []


def test_every_separation_of_duties_rule_names_two_distinct_existing_roles(loaded: LoadedRubric) -> None:
    roles = set(loaded.rubric.role_ids())
    assert loaded.rubric.separation_of_duties, "the rubric states no separation-of-duties rule"
    for rule in loaded.rubric.separation_of_duties:
        first, second = rule.roles
        assert first != second, f"{rule.id} separates a role from itself"
        assert {first, second} <= roles, f"{rule.id} names a role that does not exist: {rule.roles}"


def test_the_validator_is_kept_apart_from_the_developer(loaded: LoadedRubric) -> None:
    pairs = {frozenset(rule.roles) for rule in loaded.rubric.separation_of_duties if rule.severity == "required"}
    assert frozenset({"model_risk_analyst", "data_scientist"}) in pairs


def test_no_practice_touching_a_rules_clauses_gives_both_roles_ownership(loaded: LoadedRubric) -> None:
    """Where a rule applies, the RACI must not make both separated roles responsible or accountable."""
    clashes = []
    for rule in loaded.rubric.separation_of_duties:
        for _, p in loaded.rubric.practices():
            cited = set(p.clauses) | {c for crit in p.criteria for c in crit.clauses}
            owners = set(p.raci.responsible) | set(p.raci.accountable)
            if cited & set(rule.clauses) and set(rule.roles) <= owners:
                clashes.append((rule.id, p.id))
    assert clashes == []


def test_every_separation_rule_is_checked_by_an_evidenced_criterion_from_level_3(loaded: LoadedRubric) -> None:
    unchecked = []
    for rule in loaded.rubric.separation_of_duties:
        checking = [
            c.id
            for _, _, c in loaded.rubric.criteria()
            if c.level >= 3 and set(c.clauses) & set(rule.clauses) and set(c.detectors) & SEPARATION_DETECTORS
        ]
        if not checking:
            unchecked.append(rule.id)
    assert unchecked == []


def test_every_question_is_asked_of_existing_roles(loaded: LoadedRubric) -> None:
    roles = set(loaded.rubric.role_ids())
    unknown = sorted((c.id, r) for _, _, c in loaded.rubric.criteria() for r in c.question.roles if r not in roles)
    assert unknown == []


def test_every_role_is_asked_something(loaded: LoadedRubric) -> None:
    asked = {r for _, _, c in loaded.rubric.criteria() for r in c.question.roles}
    assert set(loaded.rubric.role_ids()) - asked == set()


def test_the_three_model_risk_validations_each_have_a_practice(loaded: LoadedRubric) -> None:
    practices = _model_risk_practices(loaded)
    covered = {c for p in practices for c in p.clauses if MODEL_RISK_STEP.match(c)}
    assert covered == {"CASE.mra.1", "CASE.mra.2", "CASE.mra.3"}


def test_model_risk_questions_go_to_the_model_risk_analyst(loaded: LoadedRubric) -> None:
    practices = _model_risk_practices(loaded)
    assert len(practices) >= 3
    not_routed = [c.id for p in practices for c in p.criteria if "model_risk_analyst" not in c.question.roles]
    assert not_routed == []


def test_model_risk_validation_is_owned_by_the_analyst_not_the_developer(loaded: LoadedRubric) -> None:
    for p in _model_risk_practices(loaded):
        assert "model_risk_analyst" in p.raci.responsible, p.id
        owners = set(p.raci.responsible) | set(p.raci.accountable)
        assert "data_scientist" not in owners, f"{p.id}: the developer must not own the validation of their model"
