"""Staged levels and continuous scores (DESIGN §4 rules 4-5). Pure functions over outcomes.

Practice level = the highest L (0-5) such that every applicable criterion at levels <= L is met or
waived. Practice score = 100 * sum(weight * credit) / sum(weight) over applicable criteria.
Domain level = min over its applicable practices (weakest link); domain score = weighted mean of
practice scores. Overall likewise over domains. Something with nothing applicable is left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from mlops_audit.rubric.model import Outcome

EXCLUDED = (Outcome.not_applicable, Outcome.waived)
PASSING_LEVEL = (Outcome.met, Outcome.waived)


@dataclass(frozen=True)
class Scored:
    """One criterion's contribution as the aggregation needs it."""

    level: int
    weight: float
    outcome: Outcome
    credit: float


def practice_level(items: Sequence[Scored]) -> int:
    reached = 0
    for level in range(1, 6):
        at_level = [s for s in items if s.level == level and s.outcome is not Outcome.not_applicable]
        if all(s.outcome in PASSING_LEVEL for s in at_level):
            reached = level
        else:
            break
    return reached


def practice_score(items: Sequence[Scored]) -> float | None:
    counted = [s for s in items if s.outcome not in EXCLUDED]
    total = sum(s.weight for s in counted)
    if total == 0:
        return None
    return 100.0 * sum(s.weight * s.credit for s in counted) / total


def coverage(items: Sequence[Scored]) -> float | None:
    counted = [s for s in items if s.outcome not in EXCLUDED]
    if not counted:
        return None
    return sum(1 for s in counted if s.outcome is not Outcome.not_assessed) / len(counted)


def is_applicable(items: Sequence[Scored]) -> bool:
    """A practice is applicable when anything in it counts (waived counts: it is in scope)."""
    return any(s.outcome is not Outcome.not_applicable for s in items)


def weighted_mean(pairs: Iterable[tuple[float, float | None]]) -> float | None:
    """Weighted mean of (weight, value) pairs, ignoring values that are None."""
    kept = [(w, v) for w, v in pairs if v is not None]
    total = sum(w for w, _ in kept)
    if total == 0:
        return None
    return sum(w * v for w, v in kept) / total


def weakest_level(levels: Iterable[int]) -> int:
    values = list(levels)
    return min(values) if values else 0


def round_score(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
