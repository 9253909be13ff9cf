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


class Resolution(BaseModel):
    """An assessor's recorded decision on a conflict between respondents and evidence (DESIGN §4
    rule 2): which side stands, who decided, when and why. Without one, the respondents' outcome
    stands and the conflict is shown on the report's first page."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    criterion: Annotated[str, Field(min_length=1)]
    side: Literal["evidence", "respondents"]
    decided_by: Annotated[str, Field(min_length=1)]
    decided_at: Annotated[str, Field(min_length=10)]  # ISO 8601 date or datetime
    reason: Annotated[str, Field(min_length=1)]

    @field_validator("decided_by", "reason")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value


class ResolutionFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Literal["mlops-audit/resolutions@1"] = "mlops-audit/resolutions@1"
    resolutions: list[Resolution]


Sha256Hex = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class ReviewedDocument(BaseModel):
    """A document an assessor read (a policy, committee minutes, a validation report) and recorded:
    who reviewed it, when, its SHA-256 and a note. Strength `reviewed`: it counts only for criteria
    that accept reviewed documents under the evidence policy."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,79}$")]
    title: Annotated[str, Field(min_length=1, max_length=300)]
    sha256: Sha256Hex
    path: str | None = None  # relative to the documents file; when given its digest is checked
    reviewed_by: Annotated[str, Field(min_length=1, max_length=200)]
    reviewed_at: Annotated[str, Field(min_length=10, max_length=40)]
    note: Annotated[str, Field(min_length=1, max_length=2000)]
    criteria: Annotated[list[str], Field(min_length=1)]


class DocumentFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Literal["mlops-audit/reviewed-documents@1"] = "mlops-audit/reviewed-documents@1"
    documents: list[ReviewedDocument]
