"""How answers and evidence combine (DESIGN §4 rule 2): the table is the rule, held as data.

Evidence corroborates; it never votes. The respondents' combined claim decides the outcome, and
evidence that proves the criterion's own claim raises its strength. Where evidence contradicts the
respondents, the criterion records a conflict that the report puts on its first page; the
respondents' outcome stands until an assessor resolves the conflict with a recorded decision.
Only where nobody answered can evidence decide alone.

The table has one row per (claim, evidence) pair:

- claim: what the respondents' combined answer says - `yes` (met), `partial`, `no` (unmet),
  `n/a` (every vote said it does not apply), `none` (nobody answered, or only "unknown").
  Whether respondents agree or are contested never changes the cell: contested criteria are
  flagged and listed, and the combined claim already follows the majority rule.
- evidence: what the strongest evidence for this criterion says - `met`, `partial`, `unmet`
  (a detector looked and found nothing), `none`. Evidence that says met or partial outranks
  evidence that says unmet (something was found somewhere).

A cell gives the outcome before the evidence policy, where its strength comes from (the claim's
`claimed` or the evidence's own strength), and the conflict it records. The evidence policy then
applies to every cell alike (`apply_policy`): a met outcome below the strength the criterion
requires becomes partial and "unsubstantiated" (unless a respondent said it does not apply).
`docs/scoring.md` prints this table from `TABLE` itself, and tests pin every cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mlops_audit.rubric.model import Outcome, Strength

ClaimKey = Literal["yes", "partial", "no", "n/a", "none"]
EvidenceKey = Literal["met", "partial", "unmet", "none"]
ConflictKind = Literal["denied_against_evidence", "claimed_without_evidence", "not_applicable_against_evidence"]
StrengthFrom = Literal["claim", "evidence", "none"]

CLAIMS: tuple[ClaimKey, ...] = ("yes", "partial", "no", "n/a", "none")
EVIDENCE: tuple[EvidenceKey, ...] = ("met", "partial", "unmet", "none")

CLAIM_OF_OUTCOME: dict[Outcome | None, ClaimKey] = {
    Outcome.met: "yes",
    Outcome.partial: "partial",
    Outcome.unmet: "no",
    Outcome.not_applicable: "n/a",
    None: "none",
}


@dataclass(frozen=True)
class Cell:
    outcome: Outcome
    strength_from: StrengthFrom
    conflict: ConflictKind | None
    shows: str  # what the report says about the criterion, in one phrase


M, P, U, NA, NS = Outcome.met, Outcome.partial, Outcome.unmet, Outcome.not_applicable, Outcome.not_assessed
DENIED: ConflictKind = "denied_against_evidence"
UNFOUND: ConflictKind = "claimed_without_evidence"
NA_FOUND: ConflictKind = "not_applicable_against_evidence"

TABLE: dict[tuple[ClaimKey, EvidenceKey], Cell] = {
    ("yes", "met"): Cell(M, "evidence", None, "claim corroborated by evidence"),
    ("yes", "partial"): Cell(M, "claim", None, "claim; evidence shows the practice only in part"),
    ("yes", "unmet"): Cell(M, "claim", UNFOUND, "conflict: claimed, but a detector looked and found nothing"),
    ("yes", "none"): Cell(M, "claim", None, "claim without evidence"),
    ("partial", "met"): Cell(P, "evidence", None, "partial claim; evidence shows the practice"),
    ("partial", "partial"): Cell(P, "evidence", None, "partial claim corroborated by evidence"),
    ("partial", "unmet"): Cell(P, "claim", UNFOUND, "conflict: claimed in part, but a detector found nothing"),
    ("partial", "none"): Cell(P, "claim", None, "partial claim without evidence"),
    ("no", "met"): Cell(U, "claim", DENIED, "conflict: respondents say no, evidence shows the practice"),
    ("no", "partial"): Cell(U, "claim", DENIED, "conflict: respondents say no, evidence shows part of the practice"),
    ("no", "unmet"): Cell(U, "evidence", None, "'no' corroborated: a detector found nothing either"),
    ("no", "none"): Cell(U, "claim", None, "respondents say no"),
    ("n/a", "met"): Cell(NA, "claim", NA_FOUND, "conflict: respondents say it does not apply, evidence shows the practice"),
    ("n/a", "partial"): Cell(NA, "claim", NA_FOUND, "conflict: respondents say it does not apply, evidence shows part of it"),
    ("n/a", "unmet"): Cell(NA, "claim", None, "does not apply (a detector found nothing, which agrees)"),
    ("n/a", "none"): Cell(NA, "claim", None, "does not apply"),
    ("none", "met"): Cell(M, "evidence", None, "nobody answered; evidence alone"),
    ("none", "partial"): Cell(P, "evidence", None, "nobody answered; evidence shows part of the practice"),
    ("none", "unmet"): Cell(U, "evidence", None, "nobody answered; a detector looked and found nothing"),
    ("none", "none"): Cell(NS, "none", None, "not assessed"),
}

# What an assessor's decision for "evidence" makes of each conflict (the respondents' side keeps the cell).
RESOLVED_FOR_EVIDENCE: dict[tuple[ConflictKind, EvidenceKey], Outcome] = {
    (DENIED, "met"): M,
    (DENIED, "partial"): P,
    (UNFOUND, "unmet"): U,
    (NA_FOUND, "met"): M,
    (NA_FOUND, "partial"): P,
}


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    strength: Strength | None
    conflict: ConflictKind | None
    unsubstantiated: bool
    shows: str


def evidence_key(says: set[str]) -> EvidenceKey:
    """What the evidence for one criterion says, the most positive finding first."""
    for key in ("met", "partial", "unmet"):
        if key in says:
            return key  # type: ignore[return-value]
    return "none"


def cell_strength(cell: Cell, evidence_strength: Strength | None) -> Strength | None:
    if cell.strength_from == "evidence":
        return evidence_strength if evidence_strength is not None else Strength.evidenced
    if cell.strength_from == "claim":
        return Strength.claimed
    return None


def apply_policy(outcome: Outcome, strength: Strength | None, required: Strength, said_not_applicable: bool) -> tuple[Outcome, bool]:
    """Evidence policy (rule 3): met below the required strength is partial and unsubstantiated -
    except that support too weak for the policy never overturns a respondent's "does not apply"
    (otherwise adding a "yes" could bring an excluded criterion into the denominator at half
    credit and lower the score, against rule 6)."""
    if outcome is Outcome.met and strength is not None and strength.rank < required.rank:
        if said_not_applicable:
            return Outcome.not_applicable, False
        return Outcome.partial, True
    return outcome, False


def decide(
    claim: ClaimKey,
    evidence: EvidenceKey,
    evidence_strength: Strength | None,
    required: Strength,
    *,
    said_not_applicable: bool = False,
    resolved_for: Literal["evidence", "respondents"] | None = None,
) -> Decision:
    """One criterion's outcome from the table, an assessor's resolution if any, and the policy."""
    cell = TABLE[(claim, evidence)]
    outcome, strength = cell.outcome, cell_strength(cell, evidence_strength)
    shows = cell.shows
    if cell.conflict is not None and resolved_for == "evidence":
        outcome = RESOLVED_FOR_EVIDENCE[(cell.conflict, evidence)]
        strength = evidence_strength if evidence_strength is not None else Strength.evidenced
        said_not_applicable = False  # the assessor decided against "does not apply"
        shows = "conflict resolved by the assessor in favour of the evidence"
    elif cell.conflict is not None and resolved_for == "respondents":
        shows = "conflict resolved by the assessor in favour of the respondents"
    outcome, unsubstantiated = apply_policy(outcome, strength, required, said_not_applicable)
    return Decision(outcome, strength, cell.conflict, unsubstantiated, shows)
