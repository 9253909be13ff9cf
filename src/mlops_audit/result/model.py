"""The Assessment: the frozen result every renderer reads (nothing re-scans while rendering).

It is self-contained: it embeds the resolved rubric it was scored against (`rubric_snapshot`), so
a report can be rendered years later, and it records the digest of every input.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from mlops_audit.evidence.answers import Organisation, RosterEntry
from mlops_audit.evidence.model import Evidence, Resolution
from mlops_audit.result.regulatory import RegulatoryCoverage
from mlops_audit.rubric.model import EvidencePolicy, Outcome, Rubric, Strength, Text

ASSESSMENT_FORMAT = "mlops-audit/assessment@1"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _without_absent(model: BaseModel, handler: SerializerFunctionWrapHandler, *fields: str) -> dict[str, object]:
    """The model's serialised form without the optional `fields` that are None (they read back as
    None, the default): for fields most instances never have."""
    data = handler(model)
    for name in fields:
        if getattr(model, name) is None:
            data.pop(name, None)
    return data


class ToolRef(_Model):
    name: str
    version: str


class RubricRef(_Model):
    id: str
    version: str
    digest: str


class InputRef(_Model):
    kind: Literal["answers", "answers_log", "repo", "run", "waivers", "policy", "previous", "rubric", "trust_key", "documents", "resolutions", "portfolio"]
    name: str  # as given by the user (a file or folder name, never resolved to an absolute path)
    sha256: str | None = None  # answers_log: the log's head hash (evidence/answers_log.py)
    entries: int | None = None  # answers_log: how many entries the verified log holds; None for other kinds

    @model_serializer(mode="wrap")
    def _omit_absent_entries(self, handler: SerializerFunctionWrapHandler) -> dict[str, object]:
        # Only an answers log has a count: other inputs carry no `"entries": null` noise. Absent
        # reads back as None (the default), so older files with an explicit null still load.
        return _without_absent(self, handler, "entries")


class RespondentSummary(_Model):
    id: str
    roles: list[str]
    team: str | None = None
    source: str  # the answer file it came from
    answered: int


class AnswerRecord(_Model):
    respondent: str
    roles: list[str]
    value: bool | int | float | str | None
    outcome: Outcome | None  # what the answer claims; None = unknown / not answered
    routed: bool  # the respondent holds a role the question is asked of
    comment: str | None = None
    evidence: list[str] = Field(default_factory=list)
    proposed_by: str | None = None


class WaiverRecord(_Model):
    criterion: str
    justification: str
    approved_by: str
    expires: str
    status: Literal["applied", "expired", "unused", "unknown_criterion"]


class Conflict(_Model):
    criterion: str
    kind: Literal["denied_against_evidence", "claimed_without_evidence", "not_applicable_against_evidence"]
    respondents: list[str]
    evidence: list[str]  # evidence ids
    detail: str
    resolution: Resolution | None = None  # the assessor's recorded decision; None = unresolved


class CriterionResult(_Model):
    id: str
    practice: str
    domain: str
    level: int
    weight: float
    outcome: Outcome
    credit: float
    applicable: bool
    strength: Strength | None  # strength of what the outcome stands on
    required_strength: Strength
    claimed: Outcome | None  # respondents' combined claim
    answers: list[AnswerRecord] = Field(default_factory=list)
    agreement: float | None = None  # share of answering respondents who agree with the combined claim
    contested: bool = False
    evidence: list[str] = Field(default_factory=list)  # evidence ids
    unsubstantiated: bool = False
    waiver: WaiverRecord | None = None
    conflict: bool = False
    basis: str = ""  # the combination-table cell: "<claim>+<evidence>", e.g. "no+met" (scoring/combine.py)
    contribution: float = 0.0  # points this criterion adds to the overall score (0-100 scale)


class OutcomeCounts(_Model):
    met: int = 0
    partial: int = 0
    unmet: int = 0
    not_applicable: int = 0
    waived: int = 0
    not_assessed: int = 0


class PracticeResult(_Model):
    id: str
    domain: str
    pipeline_part: str | None
    weight: float
    applicable: bool
    level: int
    score: float | None  # None when nothing in it is applicable
    coverage: float | None  # assessed share of applicable criteria
    counts: OutcomeCounts
    blocking: list[str] = Field(default_factory=list)  # criteria at level+1 that keep it from rising


class DomainResult(_Model):
    id: str
    weight: float
    applicable: bool
    level: int
    score: float | None
    coverage: float | None
    practices: list[str]
    weakest: list[str] = Field(default_factory=list)  # practices at the domain's level


class OverallResult(_Model):
    level: int
    score: float | None
    coverage: float | None
    weakest: list[str] = Field(default_factory=list)  # domains at the overall level


class PipelinePartResult(_Model):
    part: str
    applicable: bool
    level: int
    score: float | None
    practices: list[str]


class RoleHolders(_Model):
    role: str
    holders: list[str]
    dedicated: list[str]
    part_time: list[str]


class RaciSlot(_Model):
    part: str
    slot: Literal["responsible", "accountable"]
    role: str
    filled: bool


class SodResult(_Model):
    rule: str
    roles: list[str]
    severity: Literal["required", "recommended"]
    status: Literal["ok", "violated", "unknown"]
    persons: list[str] = Field(default_factory=list)  # who holds both roles


class RoleCoverage(_Model):
    roster_present: bool
    roles: list[RoleHolders]
    slots: list[RaciSlot]
    slot_coverage: float | None  # filled required slots / required slots
    unfilled_roles: list[str]
    multi_role_persons: dict[str, list[str]]  # person -> roles, for persons holding two or more
    single_holder_roles: list[str]  # roles exactly one person holds (a single point of failure)
    separation_of_duties: list[SodResult]
    roster_conflicts: list[str] = Field(default_factory=list)


class Gap(_Model):
    """A criterion blocking its practice's next level. `blocks` says how far its effect reaches:
    `overall` - its practice is among the weakest of a weakest domain, so the organisation's next
    level waits for it; `domain` - it holds its domain at its level; `practice` - only its practice.
    Gaps are listed in that order first (what stands between you and the next level), then those
    that complete a level alone, then by the points they would add."""

    criterion: str
    practice: str
    domain: str
    blocks: Literal["overall", "domain", "practice"] = "practice"
    target_level: int
    outcome: Outcome
    gain: float  # overall score points gained if this criterion became met
    completes_level: bool  # meeting it alone lifts its practice to target_level
    unsubstantiated: bool


class RunRecord(_Model):
    """One audit trail given to the assessment, and what it was worth (DESIGN §2, §4 rule 2).

    A trail is credited only when it verifies, names the assessed organisation in its manifest,
    is not the bundled reference pipeline (outside the demo or an explicit flag) and was not
    already counted; `strength` is `verified` only when a key the assessment trusts signed it.
    """

    name: str
    run_id: str | None
    ok: bool
    problems: list[str]
    event_count: int
    head_hash: str | None
    merkle_root: str | None
    signature: str  # valid | invalid | absent (checked against the manifest's own key)
    clauses_executed: list[str]
    first_bad_seq: int | None = None
    signer: str | None = None  # key id of the manifest's signature
    trusted_signer: bool = False  # signed by a key given with --trust-key
    system: dict[str, object] | None = None  # the manifest's system (id, organisation, owner, ...)
    reference: bool = False  # a run of the bundled reference pipeline
    nested_in: str | None = None  # the outer trail this one was found inside
    credited: bool = False
    status: Literal["credited", "not_verified", "other_organisation", "unbound", "reference", "duplicate", "excluded_by_policy"] = "not_verified"
    strength: Strength | None = None  # what its evidence is worth when credited
    reason: str | None = None  # why it is not credited, or why it is worth less than verified
    duplicate_of: str | None = None  # the trail it repeats (same head hash), counted once


class Caveat(_Model):
    """Something a reader must know before trusting the numbers; the report shows every caveat on
    its first page. Computed by the engine from the assessment itself (scoring/caveats.py)."""

    kind: Literal[
        "conflicts",
        "unsubstantiated",
        "low_coverage",
        "run_not_verified",
        "run_unsigned",
        "run_untrusted_signer",
        "run_other_organisation",
        "run_unbound",
        "run_reference",
        "run_duplicate",
        "waiver_expired",
        "waiver_unknown_criterion",
        "resolution_unused",
        "unrouted_answers",
        "repo_learning_material",
    ]
    severity: Literal["critical", "warning", "info"]
    message: Text
    criteria: list[str] = Field(default_factory=list)
    subjects: list[str] = Field(default_factory=list)  # runs, waivers or respondents concerned


class LearningMaterialNote(_Model):
    """The collector's judgement that a repository is (partly) teaching or learning material, carried
    into the assessment so page 1 can say so (scoring/caveats.py). Only present when it is."""

    verdict: Literal["course", "partly"]
    code_share: float = Field(ge=0, le=1)  # share of the repository's code judged learning material
    counted: bool = False  # the assessor kept it as project code (collect --count-learning-material)
    reasons: list[str] = Field(default_factory=list)  # the collector's first reasons (at most 3)


class RepoRecord(_Model):
    name: str
    findings: int
    passed: int
    partial: int = 0  # practice present but incomplete (graded findings)
    failed: int
    not_applicable: int
    errors: int
    git: dict[str, object] = Field(default_factory=dict)
    learning_material: LearningMaterialNote | None = None

    @model_serializer(mode="wrap")
    def _omit_absent_learning_material(self, handler: SerializerFunctionWrapHandler) -> dict[str, object]:
        # Most repositories are not learning material: no `"learning_material": null` in them, and
        # assessments written before the field existed stay byte-identical.
        return _without_absent(self, handler, "learning_material")


class Assessment(_Model):
    format: Literal["mlops-audit/assessment@1"] = ASSESSMENT_FORMAT
    tool: ToolRef
    assessment_id: str
    assessed_at: str
    organisation: Organisation | None = None
    assessor: str | None = None
    rubric: RubricRef
    policy: EvidencePolicy
    inputs: list[InputRef]
    respondents: list[RespondentSummary]
    roster: list[RosterEntry]
    criteria: list[CriterionResult]
    practices: list[PracticeResult]
    domains: list[DomainResult]
    overall: OverallResult
    pipeline_parts: list[PipelinePartResult]
    roles: RoleCoverage
    evidence: list[Evidence]
    conflicts: list[Conflict]
    unsubstantiated: list[str]
    contested: list[str]
    waivers: list[WaiverRecord]
    gaps: list[Gap]
    runs: list[RunRecord] = Field(default_factory=list)
    repos: list[RepoRecord] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    caveats: list[Caveat] = Field(default_factory=list)
    regulatory: RegulatoryCoverage | None = None  # with `assess --profile`: obligations per regulation
    rubric_snapshot: Rubric
