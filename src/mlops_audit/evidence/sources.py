"""Turn each automated source into Evidence records: repository findings (evidenced) and verified
pipeline runs (verified). Pure adapters; reading and verifying happen at the edges."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from mlops_audit.evidence.model import Evidence, EvidenceKind
from mlops_audit.rubric.model import Rubric, Strength

_SAYS = {"pass": "met", "partial": "partial", "fail": "unmet", "not_applicable": "not_applicable"}


def criteria_by_detector(rubric: Rubric) -> dict[str, list[str]]:
    """The rubric in use is the one source of the detector -> criteria link."""
    mapping: dict[str, list[str]] = {}
    for _domain, _practice, criterion in rubric.criteria():
        for detector in criterion.detectors:
            mapping.setdefault(detector, []).append(criterion.id)
    return mapping


def evidence_from_findings(
    repo_name: str, findings: Iterable[Any], collected_at: str | None, rubric: Rubric
) -> tuple[list[Evidence], list[str]]:
    """One Evidence per detector finding that says something; errors become warnings.

    Criteria come from the rubric in use, not from the findings: evidence collected under one rubric
    is mapped afresh when assessed against another."""
    mapping = criteria_by_detector(rubric)
    evidence: list[Evidence] = []
    warnings: list[str] = []
    for finding in findings:
        outcome = str(getattr(finding, "outcome", ""))
        outcome = getattr(getattr(finding, "outcome", None), "value", outcome)
        if outcome == "error":
            warnings.append(f"{repo_name}: detector {finding.detector} failed: {finding.message}")
            continue
        criteria = mapping.get(finding.detector, [])
        if outcome not in _SAYS or not criteria:
            continue
        confidence = str(getattr(getattr(finding, "confidence", None), "value", getattr(finding, "confidence", "high")))
        # A low-confidence pass suggests the practice rather than showing it: it weighs as a claim,
        # so the evidence policy keeps it from meeting criteria that need evidence (levels 3-5).
        strength = Strength.claimed if (outcome == "pass" and confidence == "low") else Strength.evidenced
        loc = finding.locations[0] if finding.locations else None
        locator = f"{repo_name}/{loc.path}:{loc.line}" if loc is not None and loc.line else (
            f"{repo_name}/{loc.path}" if loc is not None else repo_name
        )
        evidence.append(
            Evidence(
                id=f"repo:{repo_name}:{finding.detector}",
                kind=EvidenceKind.repo,
                source=finding.detector,
                locator=locator,
                sha256=getattr(finding, "sha256", None),
                excerpt=finding.message,
                collected_at=collected_at,
                criteria=sorted(criteria),
                strength=strength,
                says=_SAYS[outcome],  # type: ignore[arg-type]
            )
        )
    return evidence, warnings


def evidence_from_run(
    rubric: Rubric, run_id: str, executed: Sequence[str], seq_by_clause: dict[str, list[int]], head_hash: str | None, verified_at: str | None
) -> list[Evidence]:
    """A verified run evidences every criterion whose pipeline steps it executed, all of them."""
    done = set(executed)
    evidence = []
    for _domain, _practice, criterion in rubric.criteria():
        steps = criterion.pipeline_steps
        if not steps or not set(steps) <= done:
            continue
        seqs = sorted(s for step in steps for s in seq_by_clause.get(step, []))
        evidence.append(
            Evidence(
                id=f"run:{run_id}:{criterion.id}",
                kind=EvidenceKind.pipeline,
                source=run_id,
                locator=f"{run_id}#" + ",".join(str(s) for s in seqs[:8]) + ("…" if len(seqs) > 8 else ""),
                sha256=head_hash,
                excerpt=f"steps {', '.join(steps)} executed in a run whose audit trail verified",
                collected_at=verified_at,
                criteria=[criterion.id],
                strength=Strength.verified,
                says="met",
            )
        )
    return evidence
