"""Answers people give to the questionnaire: the `claimed` evidence source.

An answer file carries one respondent (pseudonymous id, roles, team), the organisation's roster
(who holds which of the guide's ten roles, dedicated or part-time) and their answers by criterion id.
Every question accepts `n/a` (not applicable) and `unknown` (don't know: counts as not answered)
besides the values of its type.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mlops_audit.rubric.model import Outcome, Question, QuestionType

ANSWERS_FORMAT = "mlops-audit/answers@1"
NOT_APPLICABLE_VALUES = frozenset({"n/a", "na", "not_applicable", "不适用"})
UNKNOWN_VALUES = frozenset({"unknown", "?", "don't know", "dont_know", "不清楚", "不知道"})
YES_VALUES = frozenset({"yes", "y", "true", "是", "有"})
NO_VALUES = frozenset({"no", "n", "false", "否", "无"})
PARTIAL_VALUES = frozenset({"partial", "partly", "部分"})
YES_NO_VALUES = YES_VALUES | NO_VALUES | PARTIAL_VALUES

AnswerValue = bool | int | float | str | None


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Respondent(_Model):
    id: Annotated[str, Field(min_length=1, max_length=120)]  # pseudonymous: "r-data-01", not a name
    roles: Annotated[list[str], Field(min_length=1)]
    team: str | None = None


class RosterEntry(_Model):
    person: Annotated[str, Field(min_length=1, max_length=120)]  # pseudonymous id
    roles: Annotated[list[str], Field(min_length=1)]
    dedicated: bool = True  # False: held part-time alongside another job (RO.principle)
    team: str | None = None


class Organisation(_Model):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    scope: str | None = None


class RubricRef(_Model):
    id: str
    version: str
    digest: str | None = None


class Answer(_Model):
    criterion: Annotated[str, Field(min_length=1)]
    value: AnswerValue = None
    comment: str | None = None
    evidence: list[str] = Field(default_factory=list)  # links or document references
    # Set when a detector proposed the value (questionnaire pre-fill); a person must confirm it.
    proposed_by: str | None = None
    confirmed: bool = True

    @field_validator("value")
    @classmethod
    def _finite(cls, value: AnswerValue) -> AnswerValue:
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value


class AnswerFile(_Model):
    format: Literal["mlops-audit/answers@1"] = ANSWERS_FORMAT
    rubric: RubricRef
    organisation: Organisation
    respondent: Respondent
    roster: list[RosterEntry] = Field(default_factory=list)
    answered_at: str | None = None
    answers: list[Answer] = Field(default_factory=list)


def _norm(value: Any) -> str:
    return str(value).strip().lower()


def is_unanswered(value: AnswerValue) -> bool:
    return value is None or (isinstance(value, str) and (value.strip() == "" or _norm(value) in UNKNOWN_VALUES))


def is_not_applicable(value: AnswerValue) -> bool:
    return isinstance(value, str) and _norm(value) in NOT_APPLICABLE_VALUES


def _as_number(value: AnswerValue) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def check_answer_value(question: Question, value: AnswerValue) -> str | None:
    """None if `value` is acceptable for the question, else what was expected (for error messages)."""
    if is_unanswered(value) or is_not_applicable(value):
        return None
    t = question.type
    if t is QuestionType.yes_no:
        if isinstance(value, bool) or _norm(value) in YES_NO_VALUES:
            return None
        return "expected yes, no, partial, n/a or unknown"
    if t is QuestionType.scale:
        number = _as_number(value)
        if number is None or number != int(number) or not (question.scale_min <= number <= question.scale_max):
            return f"expected a whole number from {question.scale_min} to {question.scale_max}, n/a or unknown"
        return None
    if t is QuestionType.choice:
        allowed = [c.value for c in question.choices or []]
        if _norm(value) in {a.lower() for a in allowed}:
            return None
        return f"expected one of {', '.join(allowed)}, n/a or unknown"
    if t is QuestionType.number:
        if _as_number(value) is None:
            return "expected a number, n/a or unknown"
        return None
    return f"unsupported question type {t}"  # pragma: no cover - the model admits no other types


def answer_outcome(question: Question, value: AnswerValue) -> Outcome | None:
    """The outcome an acceptable answer value claims; None when unanswered or unacceptable."""
    t = question.type
    if t is QuestionType.yes_no:
        # The common case, decided with one normalisation (scoring 1,000 respondents runs this often).
        if isinstance(value, bool):
            return Outcome.met if value else Outcome.unmet
        if not isinstance(value, str):
            return None
        word = value.strip().lower()
        if word in YES_VALUES:
            return Outcome.met
        if word in NO_VALUES:
            return Outcome.unmet
        if word in PARTIAL_VALUES:
            return Outcome.partial
        if word in NOT_APPLICABLE_VALUES:
            return Outcome.not_applicable
        return None
    if is_unanswered(value) or check_answer_value(question, value) is not None:
        return None
    if is_not_applicable(value):
        return Outcome.not_applicable
    if t is QuestionType.choice:
        for choice in question.choices or []:
            if choice.value.lower() == _norm(value):
                return Outcome(choice.outcome)
    number = _as_number(value)
    assert number is not None and question.met_at is not None
    higher = t is QuestionType.scale or question.direction == "higher_is_better"
    if (number >= question.met_at) if higher else (number <= question.met_at):
        return Outcome.met
    if question.partial_at is not None and ((number >= question.partial_at) if higher else (number <= question.partial_at)):
        return Outcome.partial
    return Outcome.unmet
