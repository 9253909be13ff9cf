"""Fairness per customer group (PA.3.step3 fairness_check): calibration within groups.

A credit score is fair in this sense when it means the same risk in every group: within each
group, the mean predicted probability of default is close to the observed default rate. Groups are
bands of one feature column. Pure functions; the stage records the result and blocks registration
when a group large enough to judge is miscalibrated beyond the threshold.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from reference_pipeline import stats


def band_labels(bands: list[float]) -> list[str]:
    """Readable labels for the bands cut at `bands`: [25, 40] -> ['<25', '25-40', '>=40']."""
    def fmt(x: float) -> str:
        return str(int(x)) if float(x).is_integer() else str(x)

    inner = [f"{fmt(a)}-{fmt(b)}" for a, b in zip(bands, bands[1:], strict=False)]
    return [f"<{fmt(bands[0])}", *inner, f">={fmt(bands[-1])}"]


def group_calibration(
    scores: np.ndarray, labels: np.ndarray, values: np.ndarray, *, bands: list[float], max_gap: float, min_rows: int
) -> dict[str, Any]:
    """Per band of `values`: rows, observed event rate, mean score, calibration gap and AUC (when
    both classes occur); `passed` is False when any group with at least `min_rows` rows has a gap
    above `max_gap`."""
    scores, labels, values = np.asarray(scores, float), np.asarray(labels, int), np.asarray(values, float)
    index = np.searchsorted(np.asarray(bands, float), values, side="right")
    groups: dict[str, dict[str, Any]] = {}
    failed: list[str] = []
    for k, label in enumerate(band_labels(bands)):
        mask = index == k
        n = int(mask.sum())
        if n == 0:
            groups[label] = {"rows": 0, "judged": False}
            continue
        rate, mean = float(labels[mask].mean()), float(scores[mask].mean())
        gap = abs(mean - rate)
        judged = n >= min_rows
        entry: dict[str, Any] = {
            "rows": n,
            "event_rate": stats.rounded(rate),
            "mean_score": stats.rounded(mean),
            "calibration_gap": stats.rounded(gap),
            "judged": judged,
        }
        if 0 < labels[mask].sum() < n:
            entry["auc"] = stats.rounded(stats.auc(scores[mask], labels[mask]))
        groups[label] = entry
        if judged and gap > max_gap:
            failed.append(label)
    return {"groups": groups, "failed_groups": failed, "passed": not failed}
