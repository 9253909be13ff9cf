"""Sensitivity and stress analysis of a model on raw applications (PA.3.step3 sensitivity_analysis).

Sensitivity: each named numeric input is moved up and down by a relative step (kept inside its
declared valid range) and the score's mean and largest absolute change over the sample are
measured; a model whose mean change for some input exceeds the threshold is unstable in that input.
Stress: adverse scenarios (inputs multiplied or shifted) are scored; the mean score under stress
against the baseline is reported (an outcome, not a pass/fail: stress is meant to move it). Pure
functions over a scoring callable.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from reference_pipeline import stats

Score = Callable[[pd.DataFrame], np.ndarray]


def _bounded(values: pd.Series, bounds: list[float | None] | None) -> pd.Series:
    low, high = (bounds or [None, None])
    return values.clip(lower=low, upper=high)


def sensitivity(score: Score, requests: pd.DataFrame, inputs: list[str], *, relative_change: float,
                valid_ranges: Mapping[str, list[float | None]]) -> dict[str, dict[str, float]]:
    """Per input: mean and max |score change| when it moves by +-relative_change (both directions
    pooled), inside its valid range."""
    base = score(requests)
    out: dict[str, dict[str, float]] = {}
    for column in inputs:
        changes = []
        for factor in (1.0 + relative_change, 1.0 - relative_change):
            moved = requests.copy()
            moved[column] = _bounded(moved[column].astype(float) * factor, valid_ranges.get(column))
            changes.append(np.abs(score(moved) - base))
        pooled = np.concatenate(changes)
        out[column] = {"mean_abs_change": stats.rounded(float(pooled.mean())), "max_abs_change": stats.rounded(float(pooled.max()))}
    return out


def stress(score: Score, requests: pd.DataFrame, scenarios: Mapping[str, Any],
           valid_ranges: Mapping[str, list[float | None]]) -> dict[str, dict[str, float]]:
    """Per scenario (`multiply` / `add` maps of input -> amount): mean score before and after."""
    base = float(score(requests).mean())
    out = {}
    for name, scenario in scenarios.items():
        moved = requests.copy()
        for column, factor in scenario.multiply.items():
            moved[column] = _bounded(moved[column].astype(float) * factor, valid_ranges.get(column))
        for column, shift in scenario.add.items():
            moved[column] = _bounded(moved[column].astype(float) + shift, valid_ranges.get(column))
        stressed = float(score(moved).mean())
        out[name] = {"mean_score": stats.rounded(base), "mean_score_stressed": stats.rounded(stressed),
                     "change": stats.rounded(stressed - base)}
    return out
