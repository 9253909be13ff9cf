"""Soundness of a rubric's evidence routes (DESIGN §4 rules 2-3): each level proves its own claim.

Two rules, checked over the bundled rubric and every rubric module by the tests and by
`mlops-audit rubric validate`:

1. One route, one level: a level-4/5 criterion may not be proved by a route (detector, pipeline
   steps, trail event, run series) that also proves a lower level of its practice - otherwise the
   one run step that shows level 3 would also "show" an organisation-wide or within-SLA claim. A
   criterion may share a route only with a written reason (`shared_routes`), which is reported.
2. Every level reachable: every criterion at level >= 3 has at least one route that can deliver
   evidence at the strength the evidence policy requires of it (a detector gives `evidenced`, a
   pipeline route a signed run's `verified`, a document the assessor's `reviewed` - the latter
   only where the policy's `accept_reviewed` names the criterion).

Pure functions over the rubric model; no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from mlops_audit.rubric.model import Criterion, EvidencePolicy, Rubric, Strength

# The strongest evidence each kind of route can deliver.
_DETECTOR = Strength.evidenced
_PIPELINE = Strength.verified
_DOCUMENT = Strength.reviewed


@dataclass(frozen=True)
class RouteProblem:
    criterion: str
    rule: str  # "shared-route" | "unreachable"
    message: str

    def __str__(self) -> str:
        return f"{self.criterion}: {self.message}"


def reachable_strengths(criterion: Criterion, policy: EvidencePolicy) -> list[Strength]:
    """The strengths this criterion's routes can deliver (documents only where the policy accepts them)."""
    found = []
    if criterion.detectors or criterion.estate is not None:
        found.append(_DETECTOR)
    if criterion.names_pipeline:
        found.append(_PIPELINE)
    if criterion.documents and criterion.id in policy.accept_reviewed:
        found.append(_DOCUMENT)
    return found


def can_be_met(criterion: Criterion, policy: EvidencePolicy) -> bool:
    required = policy.required_strength(criterion)
    return any(s.rank >= required.rank for s in reachable_strengths(criterion, policy))


def shared_routes(rubric: Rubric) -> list[tuple[Criterion, list[str]]]:
    """Level-4/5 criteria whose routes also prove a lower level of the same practice."""
    found = []
    for _domain, practice in rubric.practices():
        for criterion in practice.criteria:
            if criterion.level < 4:
                continue
            lower: set[str] = set()
            for other in practice.criteria:
                if other.level < criterion.level:
                    lower |= other.route_keys()
            common = sorted(criterion.route_keys() & lower)
            if common:
                found.append((criterion, common))
    return found


def route_problems(rubric: Rubric, policy: EvidencePolicy | None = None) -> list[RouteProblem]:
    policy = policy or rubric.evidence_policy
    problems = []
    for criterion, common in shared_routes(rubric):
        if criterion.shared_routes is None:
            problems.append(
                RouteProblem(
                    criterion.id,
                    "shared-route",
                    f"level {criterion.level} reuses {', '.join(common)} of a lower level of its practice; "
                    "give it a route of its own, or state why the shared route proves this level in 'shared_routes'",
                )
            )
    for _domain, _practice, criterion in rubric.criteria():
        if criterion.level >= 3 and not can_be_met(criterion, policy):
            required = policy.required_strength(criterion)
            problems.append(
                RouteProblem(
                    criterion.id,
                    "unreachable",
                    f"no route can reach the required strength '{required.value}' "
                    "(add a detector, a pipeline route, or documents accepted by the evidence policy)",
                )
            )
    return problems
