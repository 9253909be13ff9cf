"""Per-criterion reconciliation (DESIGN §4 rules 1-3): answers, evidence, policy and waivers -> outcome.

Pure functions. For one criterion:
1. Respondents' answers become a combined claim: only respondents holding a role the question is
   asked of vote when any of them answered (otherwise everyone who answered); each role votes
   with the lower median of its holders' answers, and the claim is the lower median of the role
   votes (for yes/no this is "majority, a tie goes to the lower answer"). `unknown` answers are not
   votes. The claim is not_applicable only when every vote is n/a; otherwise n/a votes are set aside.
   (Unanimity keeps rule 6: adding a "met" answer can never turn n/a into unmet.)
2. The claim and what the evidence says give the outcome by the combination table in
   `scoring/combine.py` (evidence corroborates, never votes; contradictions are conflicts that an
   assessor may resolve), followed by the evidence policy.
3. A valid waiver turns a not-met outcome into waived (never a met one: met is better and keeps
   the denominator honest). Expired waivers are void and reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from mlops_audit.evidence.model import Evidence, Resolution, Waiver
from mlops_audit.result.model import AnswerRecord, Conflict, WaiverRecord
from mlops_audit.rubric.model import Criterion, EvidencePolicy, Outcome, Strength
from mlops_audit.scoring import combine
from mlops_audit.util.clock import parse_timestamp

CREDIT: dict[Outcome, float] = {
    Outcome.met: 1.0,
    Outcome.partial: 0.5,
    Outcome.unmet: 0.0,
    Outcome.not_assessed: 0.0,
}
# Order of claims for combining votes; not_applicable is handled apart.
_RANK = {Outcome.unmet: 0, Outcome.partial: 1, Outcome.met: 2}
_BY_RANK = {v: k for k, v in _RANK.items()}


def lower_median(ranks: Sequence[int]) -> int:
    ordered = sorted(ranks)
    return ordered[(len(ordered) - 1) // 2]


@dataclass(frozen=True)
class Claim:
    outcome: Outcome | None
    agreement: float | None
    contested: bool


def combine_answers(answers: Sequence[AnswerRecord], asked_of: Iterable[str]) -> Claim:
    """Combine respondents' answers into one claim (rule 2), with agreement and contest flags.

    A routed respondent votes in each role they hold *that the question is asked of*: holding
    three other roles as well gives no extra weight.
    """
    given = [a for a in answers if a.outcome is not None]
    if not given:
        return Claim(None, None, False)
    asked = frozenset(asked_of)
    voters = _voters(given)
    by_role: dict[str, list[Outcome]] = {}
    for answer in voters:
        roles = sorted(asked.intersection(answer.roles)) if answer.routed else ["(any)"]
        for role in roles:
            by_role.setdefault(role, []).append(answer.outcome)  # type: ignore[arg-type]
    if all(a.outcome is Outcome.not_applicable for a in voters):
        combined: Outcome = Outcome.not_applicable
    else:
        role_votes = []
        for outcomes in by_role.values():
            ranked = [_RANK[o] for o in outcomes if o is not Outcome.not_applicable]
            if ranked:
                role_votes.append(lower_median(ranked))
        combined = _BY_RANK[lower_median(role_votes)]
    outcomes = {a.outcome for a in given}
    agree = sum(1 for a in given if a.outcome is combined) / len(given)
    return Claim(combined, round(agree, 4), len(outcomes) > 1)


def _voters(given: Sequence[AnswerRecord]) -> list[AnswerRecord]:
    """The answers that vote: the routed respondents' when any answered, else everyone's."""
    return [a for a in given if a.routed] or list(given)


@dataclass
class CriterionVerdict:
    outcome: Outcome
    strength: Strength | None
    claim: Claim
    evidence_ids: list[str]
    unsubstantiated: bool
    conflicts: list[Conflict] = field(default_factory=list)
    waiver: WaiverRecord | None = None
    shows: str = ""
    basis: str = ""


def _waiver_record(waiver: Waiver, status: str) -> WaiverRecord:
    return WaiverRecord(
        criterion=waiver.criterion,
        justification=waiver.justification,
        approved_by=waiver.approved_by,
        expires=waiver.expires,
        status=status,  # type: ignore[arg-type]
    )


def waiver_is_current(waiver: Waiver, at: datetime) -> bool:
    expires = parse_timestamp(waiver.expires, where=f"waiver for {waiver.criterion}: expires")
    if len(waiver.expires.strip()) <= 10:  # a bare date is valid through the end of that day
        return at.date() <= expires.date()
    return at <= expires


def reconcile(
    criterion: Criterion,
    answers: Sequence[AnswerRecord],
    evidence: Sequence[Evidence],
    waiver: Waiver | None,
    policy: EvidencePolicy,
    at: datetime,
    resolution: Resolution | None = None,
) -> CriterionVerdict:
    """Answers + evidence -> outcome by the combination table (scoring/combine.py), then waivers."""
    claim = combine_answers(answers, criterion.question.roles)
    required = policy.required_strength(criterion)
    found = [e for e in evidence if e.says in ("met", "partial")]
    # Only a detector can look and find nothing; a pipeline run never says unmet.
    missing = [e for e in evidence if e.says == "unmet" and e.kind == "repo"]
    key = combine.evidence_key({e.says for e in (*found, *missing)})
    backing = found if key in ("met", "partial") else missing
    if key == "met":
        backing = [e for e in found if e.says == "met"]
    best = max((e.strength for e in backing), key=lambda s: s.rank) if backing else None
    claim_key = combine.CLAIM_OF_OUTCOME[claim.outcome]
    decision = combine.decide(
        claim_key,
        key,
        best,
        required,
        # Any respondent, routed or not: a routed "yes" arriving must not silence an earlier n/a.
        said_not_applicable=any(a.outcome is Outcome.not_applicable for a in answers),
        resolved_for=resolution.side if resolution is not None else None,
    )
    conflicts = []
    if decision.conflict is not None:
        conflicts.append(_conflict(criterion.id, decision.conflict, answers, backing, resolution))
    outcome = decision.outcome

    waiver_record = None
    if waiver is not None:
        if not waiver_is_current(waiver, at):
            waiver_record = _waiver_record(waiver, "expired")
        elif outcome in (Outcome.met, Outcome.not_applicable):
            waiver_record = _waiver_record(waiver, "unused")
        else:
            waiver_record = _waiver_record(waiver, "applied")
            outcome = Outcome.waived
    strength = decision.strength if outcome not in (Outcome.not_assessed, Outcome.waived) else None
    return CriterionVerdict(
        outcome=outcome,
        strength=strength,
        claim=claim,
        evidence_ids=sorted(e.id for e in evidence),
        unsubstantiated=decision.unsubstantiated,
        conflicts=conflicts,
        waiver=waiver_record,
        shows=decision.shows,
        basis=f"{claim_key}+{key}",
    )


_CONFLICT_DETAIL = {
    "denied_against_evidence": ("respondents answered 'no' but evidence shows the practice", Outcome.unmet),
    "claimed_without_evidence": ("respondents answered 'yes' but a detector looked and found nothing", None),
    "not_applicable_against_evidence": ("respondents answered 'does not apply' but evidence shows the practice", Outcome.not_applicable),
}


def _conflict(cid: str, kind: str, answers: Sequence[AnswerRecord], backing: Sequence[Evidence], resolution: Resolution | None) -> Conflict:
    detail, said = _CONFLICT_DETAIL[kind]
    if said is None:  # claimed without evidence: those who said yes or partly
        who = sorted(a.respondent for a in answers if a.outcome in (Outcome.met, Outcome.partial))
    else:
        who = sorted(a.respondent for a in answers if a.outcome is said)
    return Conflict(
        criterion=cid,
        kind=kind,  # type: ignore[arg-type]
        respondents=who,
        evidence=sorted(e.id for e in backing),
        detail=detail,
        resolution=resolution,
    )
