"""Regulatory coverage: per regulation, each obligation -> met / partial / unmet / not applicable /
not assessed, with the criteria and practice levels behind it and the strength of their evidence.

Computed by `mlops_audit.scoring.regulatory.regulatory_coverage` from a finished Assessment and the
regulator profiles; renderers read only this.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from mlops_audit.rubric.model import Outcome, Strength, Text

ObligationStatus = Literal["met", "partial", "unmet", "not_applicable", "not_assessed"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CriterionStatus(_Model):
    id: str
    level: int | None  # None when the criterion is not in the assessment
    outcome: Outcome | None  # None: the criterion was not scored in this assessment
    strength: Strength | None = None


class PracticeStatus(_Model):
    id: str
    required_level: int
    level: int | None  # None: the practice was not scored in this assessment
    applicable: bool = True
    strength: Strength | None = None  # weakest strength of its met criteria up to required_level


class ObligationBasis(_Model):
    """One way the obligation is served: a crosswalk row to the base rubric, or the profile's own
    criteria citing it (up to the profile's obligation level)."""

    kind: Literal["crosswalk", "profile"]
    coverage: Literal["full", "partial"]
    status: ObligationStatus
    criteria: list[CriterionStatus] = Field(default_factory=list)
    practices: list[PracticeStatus] = Field(default_factory=list)
    note: Text | None = None


class ObligationResult(_Model):
    id: str
    ref: str
    title: Text
    clause_status: Literal["confirmed", "secondary", "self_confirmed"]
    status: ObligationStatus
    strength: Strength | None  # weakest strength of the evidence the status stands on
    bases: list[ObligationBasis]


class StatusCounts(_Model):
    met: int = 0
    partial: int = 0
    unmet: int = 0
    not_applicable: int = 0
    not_assessed: int = 0


class RegulationResult(_Model):
    profile: str
    source: str
    identifier: str
    title: Text
    issuer: Text
    year: int
    source_status: Literal["in_force", "guidance", "voluntary", "superseded"]
    legacy: bool  # superseded: kept as a crosswalk for readers who still map to it
    counts: StatusCounts
    obligations: list[ObligationResult]


class ProfileRef(_Model):
    id: str
    version: str
    scored: bool  # the profile's own criteria were scored in this assessment


class RegulatoryCoverage(_Model):
    format: Literal["mlops-audit/regulatory-coverage@1"] = "mlops-audit/regulatory-coverage@1"
    assessment_id: str
    profiles: list[ProfileRef]
    regulations: list[RegulationResult]
