"""Compare two assessments: what improved, what regressed, how levels and scores moved.

Pure: two Assessments in, one AssessmentDiff out. Movement is only meaningful when both were
scored against the same rubric (id, version and content digest, DESIGN §4 rule 7). When they
differ the diff says so loudly, shows the two results side by side, and lists no movement.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from mlops_audit.result.model import Assessment, RubricRef
from mlops_audit.rubric.model import Outcome

Direction = Literal["improved", "regressed", "changed", "unchanged"]

# Order of outcomes for "better / worse". not_assessed ranks with unmet: both give no credit.
# waived and not_applicable change what is in scope rather than how well it is done: "changed".
_OUTCOME_RANK = {Outcome.unmet: 0, Outcome.not_assessed: 0, Outcome.partial: 1, Outcome.met: 2}


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LevelChange(_Model):
    id: str
    kind: Literal["overall", "domain", "practice", "pipeline_part"]
    old_level: int | None
    new_level: int | None
    old_score: float | None
    new_score: float | None
    direction: Direction

    @property
    def score_delta(self) -> float | None:
        if self.old_score is None or self.new_score is None:
            return None
        return round(self.new_score - self.old_score, 2)


class CriterionChange(_Model):
    id: str
    practice: str
    level: int
    old_outcome: Outcome
    new_outcome: Outcome
    old_strength: str | None
    new_strength: str | None
    direction: Direction


class AssessmentDiff(_Model):
    old_id: str
    new_id: str
    old_assessed_at: str
    new_assessed_at: str
    old_rubric: RubricRef
    new_rubric: RubricRef
    comparable: bool
    rubric_differences: list[str] = Field(default_factory=list)  # "version 1.0.0 -> 1.1.0", ...
    overall: LevelChange
    domains: list[LevelChange] = Field(default_factory=list)
    practices: list[LevelChange] = Field(default_factory=list)
    pipeline_parts: list[LevelChange] = Field(default_factory=list)
    criteria: list[CriterionChange] = Field(default_factory=list)  # every criterion whose result changed

    def criteria_by(self, direction: Direction) -> list[CriterionChange]:
        return [c for c in self.criteria if c.direction == direction]


def _direction(old_level: int | None, new_level: int | None, old_score: float | None, new_score: float | None) -> Direction:
    if old_level is not None and new_level is not None and old_level != new_level:
        return "improved" if new_level > old_level else "regressed"
    if old_score is not None and new_score is not None and old_score != new_score:
        return "improved" if new_score > old_score else "regressed"
    if (old_score is None) != (new_score is None) or (old_level is None) != (new_level is None):
        return "changed"
    return "unchanged"


def _outcome_direction(old: Outcome, new: Outcome, old_strength: str | None, new_strength: str | None) -> Direction:
    if old == new:
        return "unchanged" if old_strength == new_strength else "changed"
    if old in _OUTCOME_RANK and new in _OUTCOME_RANK:
        if _OUTCOME_RANK[new] == _OUTCOME_RANK[old]:
            return "changed"
        return "improved" if _OUTCOME_RANK[new] > _OUTCOME_RANK[old] else "regressed"
    return "changed"


def rubric_differences(old: RubricRef, new: RubricRef) -> list[str]:
    out = []
    for field in ("id", "version", "digest"):
        a, b = getattr(old, field), getattr(new, field)
        if a != b:
            out.append(f"{field} {a} -> {b}")
    return out


def diff_assessments(old: Assessment, new: Assessment) -> AssessmentDiff:
    differences = rubric_differences(old.rubric, new.rubric)
    comparable = not differences
    overall = LevelChange(
        id="overall",
        kind="overall",
        old_level=old.overall.level,
        new_level=new.overall.level,
        old_score=old.overall.score,
        new_score=new.overall.score,
        direction=_direction(old.overall.level, new.overall.level, old.overall.score, new.overall.score)
        if comparable
        else "changed",
    )
    header = {
        "old_id": old.assessment_id,
        "new_id": new.assessment_id,
        "old_assessed_at": old.assessed_at,
        "new_assessed_at": new.assessed_at,
        "old_rubric": old.rubric,
        "new_rubric": new.rubric,
        "overall": overall,
    }
    if not comparable:
        # Different rubrics: the two results are shown side by side, never as movement.
        return AssessmentDiff(**header, comparable=False, rubric_differences=differences)

    def changes(kind: Literal["domain", "practice", "pipeline_part"], olds: list, news: list, key: str) -> list[LevelChange]:
        before = {getattr(o, key): o for o in olds}
        out = []
        for item in news:
            ident = getattr(item, key)
            prior = before.get(ident)
            if prior is None:
                continue
            old_level = prior.level if prior.applicable else None
            new_level = item.level if item.applicable else None
            out.append(
                LevelChange(
                    id=ident,
                    kind=kind,
                    old_level=old_level,
                    new_level=new_level,
                    old_score=prior.score,
                    new_score=item.score,
                    direction=_direction(old_level, new_level, prior.score, item.score),
                )
            )
        return out

    before = {c.id: c for c in old.criteria}
    criteria = []
    for item in new.criteria:
        prior = before.get(item.id)
        if prior is None:  # cannot happen with identical rubrics; kept for safety
            continue
        old_strength = prior.strength.value if prior.strength else None
        new_strength = item.strength.value if item.strength else None
        direction = _outcome_direction(prior.outcome, item.outcome, old_strength, new_strength)
        if direction != "unchanged":
            criteria.append(
                CriterionChange(
                    id=item.id,
                    practice=item.practice,
                    level=item.level,
                    old_outcome=prior.outcome,
                    new_outcome=item.outcome,
                    old_strength=old_strength,
                    new_strength=new_strength,
                    direction=direction,
                )
            )
    return AssessmentDiff(
        **header,
        comparable=True,
        domains=changes("domain", list(old.domains), list(new.domains), "id"),
        practices=changes("practice", list(old.practices), list(new.practices), "id"),
        pipeline_parts=changes("pipeline_part", list(old.pipeline_parts), list(new.pipeline_parts), "part"),
        criteria=criteria,
    )


def _fmt_level(level: int | None) -> str:
    return "n/a" if level is None else f"L{level}"


def _fmt_score(score: float | None) -> str:
    return "n/a" if score is None else f"{score:.2f}"


def format_diff_text(diff: AssessmentDiff) -> str:
    """A plain-text account for the terminal (English; the HTML report carries the translated one)."""
    lines: list[str] = []
    if not diff.comparable:
        lines += [
            "WARNING: the two assessments were scored against DIFFERENT rubrics",
            "  (" + "; ".join(diff.rubric_differences) + ").",
            "  Their levels and scores are shown side by side; differences are NOT real movement.",
            "",
        ]
    lines.append(f"old: {diff.old_id} at {diff.old_assessed_at} (rubric {diff.old_rubric.id} {diff.old_rubric.version})")
    lines.append(f"new: {diff.new_id} at {diff.new_assessed_at} (rubric {diff.new_rubric.id} {diff.new_rubric.version})")
    o = diff.overall
    delta = o.score_delta
    lines.append(
        f"overall: level {_fmt_level(o.old_level)} -> {_fmt_level(o.new_level)}, "
        f"score {_fmt_score(o.old_score)} -> {_fmt_score(o.new_score)}"
        + (f" ({delta:+.2f})" if (delta is not None and diff.comparable) else "")
        + (f" [{o.direction}]" if diff.comparable else " [not comparable]")
    )
    if not diff.comparable:
        return "\n".join(lines) + "\n"
    for title, items in (("domains", diff.domains), ("pipeline parts", diff.pipeline_parts), ("practices", diff.practices)):
        moved = [c for c in items if c.direction != "unchanged"]
        lines.append(f"{title}: {len(moved)} changed")
        for c in moved:
            lines.append(
                f"  {c.direction:<9} {c.id}: level {_fmt_level(c.old_level)} -> {_fmt_level(c.new_level)}, "
                f"score {_fmt_score(c.old_score)} -> {_fmt_score(c.new_score)}"
            )
    for direction in ("improved", "regressed", "changed"):
        items = diff.criteria_by(direction)  # type: ignore[arg-type]
        lines.append(f"criteria {direction}: {len(items)}")
        for c in items:
            lines.append(
                f"  {c.id} (L{c.level}): {c.old_outcome.value}"
                f"{'/' + c.old_strength if c.old_strength else ''} -> {c.new_outcome.value}"
                f"{'/' + c.new_strength if c.new_strength else ''}"
            )
    return "\n".join(lines) + "\n"
