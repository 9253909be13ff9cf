"""The rubric as data: pydantic models (frozen, extra="forbid") that every other part reads.

Structure: Rubric -> levels, roles, RACI, separation-of-duties rules, evidence policy, domains ->
practices -> criteria. Every user-facing text is bilingual (`Text`: zh and en). Every criterion
cites the guide clause ids it serves; the loader checks them against the clause catalogue. A
regulator profile's criteria also cite the regulation clauses they serve (`Criterion.cites`).
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, field_validator, model_serializer, model_validator

ID_PATTERN = r"^[A-Za-z][A-Za-z0-9_.\-]*$"
Identifier = Annotated[str, Field(pattern=ID_PATTERN, min_length=1, max_length=80)]
ClauseId = Annotated[str, Field(pattern=r"^(LC|PA|RO|CASE)\.[A-Za-z0-9_.]+$")]
# A regulator profile's clause id: an upper-case instrument prefix and at least one dotted part
# (PIPL.art55, JRT0221.6.2, NIST.GV.1), in the profile's own catalogue - a namespace apart from the
# guide's LC/PA/RO/CASE ids (the pattern does not exclude those prefixes; the profile loader checks
# every id against the catalogue).
ProfileClauseId = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]*(?:\.[A-Za-z0-9_\-]+)+$", max_length=80)]
PipelinePart = Literal["PA.1", "PA.2", "PA.3", "PA.4", "PA.5", "PA.6", "PA.7"]
LevelNumber = Annotated[int, Field(ge=1, le=5)]

PIPELINE_PARTS: tuple[str, ...] = ("PA.1", "PA.2", "PA.3", "PA.4", "PA.5", "PA.6", "PA.7")


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Text(Frozen):
    """A text in both languages the tool speaks. Neither may be empty."""

    zh: Annotated[str, Field(min_length=1)]
    en: Annotated[str, Field(min_length=1)]

    @field_validator("zh", "en")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class Strength(StrEnum):
    """How far evidence can be trusted (DESIGN §2), weakest first.

    claimed: someone said so. reviewed: an assessor read a named document and recorded who, when,
    its digest and a note. evidenced: an artefact in a repository shows it (or a pipeline run that
    verified but is not signed by a key the assessment trusts). verified: a run of the assessed
    system did it, its trail and artefacts check out, and a trusted key signed its manifest.
    """

    claimed = "claimed"
    reviewed = "reviewed"
    evidenced = "evidenced"
    verified = "verified"

    @property
    def rank(self) -> int:
        return _STRENGTH_RANK[self]


_STRENGTH_RANK = {Strength.claimed: 1, Strength.reviewed: 2, Strength.evidenced: 3, Strength.verified: 4}


class Source(StrEnum):
    guide = "guide"  # a clause of the guide states it
    derived = "derived"  # we inferred it from the guide and the maturity axes


class QuestionType(StrEnum):
    yes_no = "yes_no"
    scale = "scale"
    choice = "choice"
    number = "number"


class Outcome(StrEnum):
    """A criterion's outcome (DESIGN §4 rule 1)."""

    met = "met"
    partial = "partial"
    unmet = "unmet"
    not_applicable = "not_applicable"
    waived = "waived"
    not_assessed = "not_assessed"


class Choice(Frozen):
    value: Identifier
    label: Text
    outcome: Literal["met", "partial", "unmet", "not_applicable"]


class Question(Frozen):
    """How a criterion is asked of people.

    Every question also accepts the answers `n/a` (not applicable) and `unknown` (don't know,
    counts as not answered). Answer values map to outcomes by `answer_outcome` in
    `mlops_audit.evidence.answers`.
    """

    type: QuestionType
    text: Text
    roles: Annotated[list[Identifier], Field(min_length=1)]
    help: Text | None = None
    # scale: integer answers min..max; met at or above met_at, partial at or above partial_at.
    scale_min: int | None = None
    scale_max: int | None = None
    scale_labels: list[Text] | None = None
    # number: a measured quantity; met/partial by thresholds in the direction given.
    unit: Text | None = None
    direction: Literal["higher_is_better", "lower_is_better"] | None = None
    met_at: float | None = None
    partial_at: float | None = None
    # choice: each option carries its outcome.
    choices: list[Choice] | None = None

    @model_validator(mode="after")
    def _shape_fits_type(self) -> Question:
        t = self.type
        if t is QuestionType.choice:
            if not self.choices or len(self.choices) < 2:
                raise ValueError("a 'choice' question needs at least two choices")
            values = [c.value for c in self.choices]
            if len(values) != len(set(values)):
                raise ValueError("choice values must be unique")
        elif self.choices is not None:
            raise ValueError(f"'choices' is only for 'choice' questions, not '{t}'")
        if t is QuestionType.scale:
            if self.scale_min is None or self.scale_max is None or self.met_at is None:
                raise ValueError("a 'scale' question needs scale_min, scale_max and met_at")
            if not self.scale_min < self.scale_max:
                raise ValueError("scale_min must be below scale_max")
            if not self.scale_min <= self.met_at <= self.scale_max:
                raise ValueError("met_at must lie within the scale")
            if self.partial_at is not None and not self.scale_min <= self.partial_at <= self.met_at:
                raise ValueError("partial_at must lie between scale_min and met_at")
            if self.scale_labels is not None and len(self.scale_labels) != self.scale_max - self.scale_min + 1:
                raise ValueError("scale_labels needs one label per scale point")
        if t is QuestionType.number:
            if self.met_at is None or self.direction is None:
                raise ValueError("a 'number' question needs met_at and direction")
            if self.partial_at is not None:
                ok = self.partial_at <= self.met_at if self.direction == "higher_is_better" else self.partial_at >= self.met_at
                if not ok:
                    raise ValueError("partial_at must be on the weaker side of met_at")
        if t is QuestionType.yes_no and any(
            v is not None for v in (self.scale_min, self.scale_max, self.met_at, self.partial_at, self.direction)
        ):
            raise ValueError("a 'yes_no' question takes no scale, threshold or direction")
        return self


TrailCheck = Literal["present", "within_sla"]


class TrailEventRoute(Frozen):
    """A specific event in the audit trail of a credited run proves the criterion.

    `check` names a rule in code (`mlops_audit.scoring.routes`): `present` - at least one event
    with this clause (and action) carrying every `require` key in its metrics or params;
    `within_sla` - as present, and every such event has `raised_at` and `acknowledged_at`
    timestamps and an `sla_hours` limit, and was acknowledged within it.
    """

    clause: ClauseId
    action: Identifier | None = None
    require: list[Annotated[str, Field(min_length=1, max_length=80)]] = Field(default_factory=list)
    check: TrailCheck = "present"

    def key(self) -> str:
        parts = [self.clause, self.action or "*", self.check, *sorted(self.require)]
        return "event:" + "/".join(parts)


class RunSeriesRoute(Frozen):
    """The steps were executed in at least `min_runs` distinct credited runs spanning at least
    `min_span_days` (first to last run), each recording `metric` when one is named: coverage over
    a period, not one run."""

    steps: Annotated[list[ClauseId], Field(min_length=1)]
    min_runs: Annotated[int, Field(ge=2, le=1000)]
    min_span_days: Annotated[int, Field(ge=0, le=3650)] = 0
    metric: Annotated[str, Field(min_length=1, max_length=80)] | None = None

    def key(self) -> str:
        return f"series:{'+'.join(sorted(self.steps))}/{self.min_runs}/{self.min_span_days}/{self.metric or ''}"


class EstateRoute(Frozen):
    """Across the organisation's estate (`assess --portfolio DIR`, from `mlops-audit portfolio
    collect`): every named detector passes in at least `min_share` of the repositories where it
    could look, over at least `min_repositories` of them - for criteria that state "every project".
    Below the share the estate shows the practice in part; where no repository passes, it shows
    that the practice is absent."""

    detectors: Annotated[list[Identifier], Field(min_length=1)]
    min_share: Annotated[float, Field(gt=0, le=1)]
    min_repositories: Annotated[int, Field(ge=2, le=1_000_000)] = 5

    def key(self) -> str:
        return f"estate:{'+'.join(sorted(self.detectors))}/{self.min_share}/{self.min_repositories}"


class Citation(Frozen):
    """A clause of a regulator profile's catalogue that a criterion serves, self-describing so an
    assessment's rubric snapshot can show it without the catalogue: the catalogue id, the
    instrument's identifier and the clause's label there. Profile domain files write only the id
    (`cites: [JRT0221.6.2]`); the profile loader resolves it against the catalogue."""

    clause: ProfileClauseId  # e.g. JRT0221.6.2
    regulation: Annotated[str, Field(min_length=1, max_length=120)]  # e.g. "JR/T 0221-2021"
    ref: Annotated[str, Field(min_length=1, max_length=60)]  # e.g. "6.2", "Art. 24"


class Criterion(Frozen):
    """One checkable statement at one maturity level.

    Evidence routes (what can prove this criterion's own claim): `detectors` (repository
    findings), `pipeline_steps` (all executed in one credited run), `trail_events` (specific
    events in a credited run), `run_series` (steps repeated across runs over a period) and
    `documents` (documents an assessor reviews; they count only where the evidence policy's
    `accept_reviewed` names the criterion). A level-4/5 criterion must not reuse a route of a
    lower level of its practice unless `shared_routes` gives the reason (a rubric test pins it).
    """

    id: Identifier
    level: LevelNumber
    text: Text
    clauses: Annotated[list[ClauseId], Field(min_length=1)]
    source: Source
    question: Question
    detectors: list[Identifier] = Field(default_factory=list)
    pipeline_steps: list[ClauseId] = Field(default_factory=list)
    trail_events: list[TrailEventRoute] = Field(default_factory=list)
    run_series: RunSeriesRoute | None = None
    estate: EstateRoute | None = None
    documents: list[Text] = Field(default_factory=list)
    shared_routes: Text | None = None
    remediation: Text
    weight: Annotated[float, Field(gt=0, le=100)] = 1.0
    # Regulator profiles only: the regulation clauses this criterion serves (see Citation).
    cites: list[Citation] = Field(default_factory=list)

    @model_serializer(mode="wrap")
    def _omit_empty_cites(self, handler: SerializerFunctionWrapHandler) -> dict[str, object]:
        # The rubric digest hashes a dump of the rubric, and assessments embed one: a criterion that
        # cites nothing dumps exactly as before the field existed, so no digest or snapshot changes.
        data = handler(self)
        if not self.cites:
            data.pop("cites", None)
        return data

    @property
    def names_pipeline(self) -> bool:
        """Whether any route of this criterion is a pipeline run (steps, events or a series)."""
        return bool(self.pipeline_steps or self.trail_events or self.run_series)

    def route_keys(self) -> set[str]:
        """Identities of this criterion's automated routes, for the one-route-one-level rule."""
        keys = {f"detector:{d}" for d in self.detectors}
        if self.pipeline_steps:
            keys.add("steps:" + "+".join(sorted(self.pipeline_steps)))
        keys.update(route.key() for route in self.trail_events)
        if self.run_series is not None:
            keys.add(self.run_series.key())
        if self.estate is not None:
            keys.add(self.estate.key())
        return keys


class Raci(Frozen):
    responsible: list[Identifier] = Field(default_factory=list)
    accountable: list[Identifier] = Field(default_factory=list)
    consulted: list[Identifier] = Field(default_factory=list)
    informed: list[Identifier] = Field(default_factory=list)


class Crosswalk(Frozen):
    """Nearest levels in other maturity models; honest about partial coverage."""

    google_mlops_level: Annotated[int, Field(ge=0, le=2)] | None = None
    microsoft_mlops_level: Annotated[int, Field(ge=0, le=4)] | None = None
    ml_test_score: list[str] = Field(default_factory=list)
    coverage: Literal["full", "partial", "none"] = "partial"
    note: Text | None = None


class Practice(Frozen):
    id: Identifier
    title: Text
    description: Text
    pipeline_part: PipelinePart | None = None
    weight: Annotated[float, Field(gt=0, le=100)] = 1.0
    clauses: Annotated[list[ClauseId], Field(min_length=1)]
    raci: Raci | None = None
    crosswalk: Crosswalk | None = None
    criteria: Annotated[list[Criterion], Field(min_length=1)]

    @model_validator(mode="after")
    def _levels_complete(self) -> Practice:
        present = {c.level for c in self.criteria}
        missing = sorted(set(range(1, 6)) - present)
        if missing:
            raise ValueError(f"practice '{self.id}' has no criterion at level(s) {', '.join(map(str, missing))}")
        return self


class Domain(Frozen):
    id: Identifier
    name: Text
    description: Text
    clauses: Annotated[list[ClauseId], Field(min_length=1)]
    weight: Annotated[float, Field(gt=0, le=100)] = 1.0
    practices: Annotated[list[Practice], Field(min_length=1)]
    # Set on the domains a regulator profile adds (`assess --profile`): they are scored and shown,
    # and feed the regulatory coverage, but the CAICT overall level and score stay the guide's.
    profile: Identifier | None = None


class Level(Frozen):
    level: Annotated[int, Field(ge=0, le=5)]
    key: Identifier
    name: Text
    description: Text


class Role(Frozen):
    id: Identifier
    clause: ClauseId
    name: Text
    description: Text


class PipelineRaci(Frozen):
    """Who is Responsible/Accountable/Consulted/Informed for one pipeline part."""

    part: PipelinePart
    raci: Raci


class SeparationOfDuties(Frozen):
    """Two roles that must not be held by the same person (from `min_level` of the practice on)."""

    id: Identifier
    roles: Annotated[list[Identifier], Field(min_length=2, max_length=2)]
    text: Text
    clauses: Annotated[list[ClauseId], Field(min_length=1)]
    severity: Literal["required", "recommended"] = "required"


class EvidencePolicy(Frozen):
    """Minimum evidence strength a criterion needs to count as met (DESIGN §4 rule 3)."""

    id: Identifier
    version: Annotated[str, Field(pattern=r"^\d+\.\d+\.\d+$")]
    description: Text | None = None
    min_strength: dict[int, Strength]
    # Criteria at or above this level that name pipeline steps need `verified` evidence.
    verified_for_pipeline_steps_from_level: Annotated[int, Field(ge=1, le=6)] = 3
    # Criteria a document reviewed by the assessor can meet (strength `reviewed`): policies,
    # committee minutes and validation reports that no repository holds. Each must list `documents`.
    accept_reviewed: list[Identifier] = Field(default_factory=list)
    # What a run whose trail verifies but whose manifest no trusted key signed is worth.
    unsigned_runs: Literal["evidenced", "claimed", "excluded"] = "evidenced"

    @field_validator("min_strength")
    @classmethod
    def _all_levels(cls, value: dict[int, Strength]) -> dict[int, Strength]:
        if sorted(value) != [1, 2, 3, 4, 5]:
            raise ValueError("min_strength needs exactly the levels 1, 2, 3, 4 and 5")
        return value

    def required_strength(self, criterion: Criterion) -> Strength:
        """The weakest strength that lets evidence meet the criterion."""
        base = self.min_strength[criterion.level]
        if criterion.names_pipeline and criterion.level >= self.verified_for_pipeline_steps_from_level:
            base = Strength.verified
        if criterion.id in self.accept_reviewed and base.rank > Strength.reviewed.rank:
            return Strength.reviewed
        return base


class RubricSource(Frozen):
    title: Text
    publisher: Text
    year: int
    url: str | None = None


class Rubric(Frozen):
    id: Identifier
    version: Annotated[str, Field(pattern=r"^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.\-]+)?$")]
    title: Text
    description: Text
    source: RubricSource
    levels: Annotated[list[Level], Field(min_length=6, max_length=6)]
    roles: Annotated[list[Role], Field(min_length=1)]
    pipeline_raci: list[PipelineRaci] = Field(default_factory=list)
    separation_of_duties: list[SeparationOfDuties] = Field(default_factory=list)
    evidence_policy: EvidencePolicy
    domains: Annotated[list[Domain], Field(min_length=1)]

    @field_validator("levels")
    @classmethod
    def _levels_zero_to_five(cls, value: list[Level]) -> list[Level]:
        if [lv.level for lv in value] != [0, 1, 2, 3, 4, 5]:
            raise ValueError("levels must be listed as 0, 1, 2, 3, 4, 5 in order")
        return value

    # Convenience views; cheap to compute, so not stored.
    def practices(self) -> list[tuple[Domain, Practice]]:
        return [(d, p) for d in self.domains for p in d.practices]

    def criteria(self) -> list[tuple[Domain, Practice, Criterion]]:
        return [(d, p, c) for d in self.domains for p in d.practices for c in p.criteria]

    def criterion_index(self) -> dict[str, tuple[Domain, Practice, Criterion]]:
        return {c.id: (d, p, c) for d, p, c in self.criteria()}

    def role_ids(self) -> list[str]:
        return [r.id for r in self.roles]

    def level(self, number: int) -> Level:
        return self.levels[number]


class Clause(Frozen):
    id: ClauseId
    group: Literal["lifecycle", "pipeline", "roles", "case"]
    part: PipelinePart | None = None
    title: Text


class ClauseCatalogue(Frozen):
    """The guide's clause ids with short titles in our own words (rubrics/clauses.yaml)."""

    source: RubricSource
    clauses: Annotated[list[Clause], Field(min_length=1)]

    def ids(self) -> list[str]:
        return [c.id for c in self.clauses]


_SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)")


def semver_tuple(version: str) -> tuple[int, int, int]:
    m = _SEMVER.match(version)
    if not m:
        raise ValueError(f"not a semantic version: {version!r}")
    return int(m.group(1)), int(m.group(2)), int(m.group(3))
