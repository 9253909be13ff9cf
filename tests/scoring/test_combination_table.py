"""The combination table (DESIGN §4 rule 2), pinned cell by cell.

Evidence corroborates; it never votes. Every cell of answers (yes / partial / no / n/a / none,
agreeing or contested) x evidence (met / partial / unmet / none) x strength (claimed, reviewed,
evidenced, verified) is checked twice: on `combine.decide` with the policy's required strength,
and end to end through `assess` on a real criterion. The expected values below are written out
by hand, not read from `combine.TABLE`, so a change to the table fails here first.
"""

from __future__ import annotations

import pytest

from mlops_audit.evidence.model import Evidence, Resolution
from mlops_audit.rubric.model import Outcome, Strength
from mlops_audit.scoring import combine
from mlops_audit.scoring.engine import AssessmentInputs, assess
from tests.conftest import AT, answer_file

M, P, U, NA, NS = "met", "partial", "unmet", "not_applicable", "not_assessed"
DENIED, UNFOUND, NA_FOUND = "denied_against_evidence", "claimed_without_evidence", "not_applicable_against_evidence"

# (claim, evidence) -> (outcome before the policy, strength from "claim"/"evidence"/None, conflict)
CELLS = {
    ("yes", "met"): (M, "evidence", None),
    ("yes", "partial"): (M, "claim", None),
    ("yes", "unmet"): (M, "claim", UNFOUND),
    ("yes", "none"): (M, "claim", None),
    ("partial", "met"): (P, "evidence", None),
    ("partial", "partial"): (P, "evidence", None),
    ("partial", "unmet"): (P, "claim", UNFOUND),
    ("partial", "none"): (P, "claim", None),
    ("no", "met"): (U, "claim", DENIED),
    ("no", "partial"): (U, "claim", DENIED),
    ("no", "unmet"): (U, "evidence", None),
    ("no", "none"): (U, "claim", None),
    ("n/a", "met"): (NA, "claim", NA_FOUND),
    ("n/a", "partial"): (NA, "claim", NA_FOUND),
    ("n/a", "unmet"): (NA, "claim", None),
    ("n/a", "none"): (NA, "claim", None),
    ("none", "met"): (M, "evidence", None),
    ("none", "partial"): (P, "evidence", None),
    ("none", "unmet"): (U, "evidence", None),
    ("none", "none"): (NS, None, None),
}
STRENGTHS = [Strength.claimed, Strength.reviewed, Strength.evidenced, Strength.verified]
REQUIRED = [Strength.claimed, Strength.reviewed, Strength.evidenced, Strength.verified]


def test_the_table_has_exactly_one_cell_per_claim_and_evidence():
    assert set(combine.TABLE) == set(CELLS) == {(c, e) for c in combine.CLAIMS for e in combine.EVIDENCE}


def expected(claim, evidence, strength, required):
    outcome, source, conflict = CELLS[(claim, evidence)]
    got_strength = {"claim": Strength.claimed, "evidence": strength, None: None}[source]
    unsubstantiated = False
    # The evidence policy, written out: met below the required strength is an unsubstantiated partial.
    if outcome == M and got_strength.rank < required.rank:
        outcome, unsubstantiated = P, True
    return outcome, got_strength, conflict, unsubstantiated


def _strengths_of(evidence: str) -> list[Strength]:
    """Evidence that says met or partial comes at any strength; 'unmet' only from a detector
    (evidenced); with no evidence there is no strength (one case, shown as evidenced)."""
    return STRENGTHS if evidence in ("met", "partial") else [Strength.evidenced]


UNIT_CASES = [
    pytest.param(cell, strength, required, id=f"{cell[0]}+{cell[1]}-ev-{strength.value}-needs-{required.value}")
    for cell in sorted(CELLS) for strength in _strengths_of(cell[1]) for required in REQUIRED
]


@pytest.mark.parametrize(("cell", "strength", "required"), UNIT_CASES)
def test_every_cell_under_every_strength_and_policy(cell, strength, required):
    claim, evidence = cell
    d = combine.decide(claim, evidence, strength if evidence != "none" else None, required)
    outcome, got_strength, conflict, unsubstantiated = expected(claim, evidence, strength, required)
    assert (d.outcome.value, d.strength, d.conflict, d.unsubstantiated) == (outcome, got_strength, conflict, unsubstantiated)


def test_evidence_never_turns_a_no_into_met_whatever_its_strength():
    for evidence in ("met", "partial"):
        for strength in STRENGTHS:
            for required in REQUIRED:
                assert combine.decide("no", evidence, strength, required).outcome is Outcome.unmet


def test_an_assessor_resolution_for_the_evidence_side_takes_the_evidence_outcome():
    d = combine.decide("no", "met", Strength.verified, Strength.verified, resolved_for="evidence")
    assert (d.outcome, d.strength, d.conflict) == (Outcome.met, Strength.verified, DENIED)
    d = combine.decide("yes", "unmet", Strength.evidenced, Strength.evidenced, resolved_for="evidence")
    assert (d.outcome, d.strength) == (Outcome.unmet, Strength.evidenced)
    d = combine.decide("n/a", "partial", Strength.evidenced, Strength.evidenced, resolved_for="evidence")
    assert d.outcome is Outcome.partial
    # Evidence too weak for the policy still cannot meet the criterion after a decision for it.
    d = combine.decide("no", "met", Strength.evidenced, Strength.verified, resolved_for="evidence")
    assert (d.outcome, d.unsubstantiated) == (Outcome.partial, True)


def test_a_resolution_for_the_respondents_keeps_their_outcome():
    d = combine.decide("no", "met", Strength.verified, Strength.claimed, resolved_for="respondents")
    assert (d.outcome, d.conflict) == (Outcome.unmet, DENIED)


# --- end to end, through assess, on a level-3 criterion (needs `evidenced`) ------------------------

CID = "DE.ingest.L3"  # level 3, asked of data_engineer, evidenced by the versions_data detector
ANSWER = {"yes": "yes", "partial": "partial", "no": "no", "n/a": "n/a"}
# A third voter who disagrees but does not change the majority: the claim is contested.
DISSENT = {"yes": "no", "partial": "yes", "no": "yes"}


def evidence_for(kind: str, strength: Strength) -> list[Evidence]:
    if kind == "none":
        return []
    return [Evidence(id=f"e:{kind}", kind="repo" if strength is not Strength.verified else "pipeline", source="d",
                     locator="x", strength=strength, says=kind, criteria=[CID])] if kind != "unmet" else [
        Evidence(id="e:unmet", kind="repo", source="versions_data", locator="x", strength=Strength.evidenced, says="unmet", criteria=[CID])
    ]


def respondents(claim: str, contested: bool):
    if claim == "none":
        return []
    files = [answer_file(f"r{i}", ["data_engineer"], {CID: ANSWER[claim]}) for i in range(2)]
    if contested:
        files.append(answer_file("r9", ["data_engineer"], {CID: DISSENT[claim]}))
    return [(f"{f.respondent.id}.yaml", f) for f in files]


# 'n/a' needs every vote and 'none' has no votes: neither can be contested.
E2E_CASES = [
    pytest.param(cell, strength, contested, id=f"{cell[0]}+{cell[1]}-ev-{strength.value}-{'contested' if contested else 'agreeing'}")
    for cell in sorted(CELLS) for strength in _strengths_of(cell[1]) for contested in (False, True)
    if not contested or cell[0] in DISSENT
]


@pytest.mark.parametrize(("cell", "strength", "contested"), E2E_CASES)
def test_every_cell_end_to_end(small_rubric, cell, strength, contested):
    claim, evidence = cell
    files = respondents(claim, contested)
    a = assess(AssessmentInputs(rubric=small_rubric, answer_files=files, evidence=evidence_for(evidence, strength)), assessed_at=AT)
    c = next(c for c in a.criteria if c.id == CID)
    outcome, got_strength, conflict, unsubstantiated = expected(claim, evidence, strength, Strength.evidenced)
    assert (c.outcome.value, c.unsubstantiated, c.contested, c.basis) == (outcome, unsubstantiated, contested, f"{claim}+{evidence}")
    assert c.strength == (got_strength if outcome != NS else None)
    assert [k.kind for k in a.conflicts] == ([conflict] if conflict else [])
    if conflict:
        assert [k.kind for k in a.caveats if k.kind == "conflicts"] == ["conflicts"]  # first page
        assert CID in next(k for k in a.caveats if k.kind == "conflicts").criteria


def test_a_resolution_through_assess_is_recorded_with_the_conflict_and_clears_the_caveat(small_rubric):
    files = respondents("no", False)
    decision = Resolution(criterion=CID, side="evidence", decided_by="Li Wei, assessor", decided_at="2026-11-29", reason="saw the DVC remote")
    a = assess(AssessmentInputs(rubric=small_rubric, answer_files=files, evidence=evidence_for("met", Strength.evidenced), resolutions=[decision]), assessed_at=AT)
    c = next(c for c in a.criteria if c.id == CID)
    assert (c.outcome, c.strength) == (Outcome.met, Strength.evidenced)
    [conflict] = a.conflicts
    assert conflict.resolution == decision
    assert "conflicts" not in {k.kind for k in a.caveats}


def test_a_resolution_without_a_conflict_is_reported_not_applied(small_rubric):
    files = respondents("yes", False)
    decision = Resolution(criterion=CID, side="evidence", decided_by="a", decided_at="2026-11-29", reason="r")
    a = assess(AssessmentInputs(rubric=small_rubric, answer_files=files, resolutions=[decision]), assessed_at=AT)
    assert next(c for c in a.criteria if c.id == CID).outcome is Outcome.partial  # a bare yes at level 3
    assert [k.criteria for k in a.caveats if k.kind == "resolution_unused"] == [[CID]]
    assert any("matches no conflict" in w for w in a.warnings)


def test_the_scoring_document_prints_the_table_the_code_runs():
    from pathlib import Path

    from mlops_audit.scoring import tabledoc

    text = (Path(__file__).resolve().parents[2] / "docs" / "scoring.md").read_text(encoding="utf-8")
    assert tabledoc.render(text) == text, "refresh with: python -m mlops_audit.scoring.tabledoc --write"
    assert text.count("| no | shows it | unmet | claimed | denied_against_evidence |") == 1
