"""Evidence records and waivers (DESIGN §2): what every source turns into before scoring."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mlops_audit.rubric.model import Strength

EXCERPT_MAX = 500


class EvidenceKind(StrEnum):
    answer = "answer"
    repo = "repo"
    pipeline = "pipeline"
    document = "document"


class Evidence(BaseModel):
    """A record that something is (or is not) true of one or more criteria."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    kind: EvidenceKind
    source: str  # detector id, run id, respondent id or document name
    locator: str  # path:line, URL, or run_id#seq
    sha256: str | None = None
    excerpt: str | None = None  # short, untrusted: renderers escape it
    collected_at: str | None = None
    criteria: list[str] = Field(default_factory=list)
    strength: Strength
    # What the evidence says: a passing detector or a verified step says met; a detector that
    # looked and found nothing says unmet.
    says: Literal["met", "partial", "unmet", "not_applicable"]
    expires_at: str | None = None

    @field_validator("excerpt")
    @classmethod
    def _short(cls, value: str | None) -> str | None:
        if value is not None and len(value) > EXCERPT_MAX:
            return value[: EXCERPT_MAX - 1] + "…"
        return value


class Waiver(BaseModel):
    """An accepted exception for one criterion; never counted as a pass, void once expired."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    criterion: Annotated[str, Field(min_length=1)]
    justification: Annotated[str, Field(min_length=1)]
    approved_by: Annotated[str, Field(min_length=1)]
    expires: str  # ISO 8601 date or datetime

    @field_validator("justification", "approved_by")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value


class WaiverFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Literal["mlops-audit/waivers@1"] = "mlops-audit/waivers@1"
    waivers: list[Waiver]
