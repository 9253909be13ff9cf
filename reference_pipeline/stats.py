"""Drift and validation statistics as banks compute them (reference notes §7), with numpy and scipy only.

- PSI = Σ (Aᵢ − Eᵢ)·ln(Aᵢ/Eᵢ) over 10 bins fixed on the *reference* sample's quantiles (deciles);
  empty bins are floored at 1e-4 so the logarithm is defined. CSI is the same formula per feature.
- KS = max |F_bad − F_good| over score thresholds (`scipy.stats.ks_2samp`), with its p-value.
- Gini (accuracy ratio) = 2·AUC − 1.
- Calibration: Brier score and expected calibration error (10 equal-width probability bins).

The 0.10 / 0.25 PSI bands are practitioner *conventions* (Lewis 1994, Siddiqi), not statistical
tests; they depend on sample size and bin count. Every report that uses them says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

PSI_FLOOR = 1e-4
PSI_BINS = 10
PSI_BAND_STABLE = 0.10
PSI_BAND_SIGNIFICANT = 0.25
PSI_BANDS_NOTE = (
    "PSI/CSI bands 0.10 (monitor) and 0.25 (significant shift) are practitioner conventions "
    "(Lewis 1994; Siddiqi), not statistical tests; they depend on sample size and bin count."
)


def _as_1d(values: object, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=float).ravel()
    if array.size == 0:
        raise ValueError(f"{name}: empty sample")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name}: contains NaN or infinite values")
    return array


def reference_bin_edges(reference: object, bins: int = PSI_BINS) -> np.ndarray:
    """Inner cut points at the reference sample's quantiles (1/bins … (bins−1)/bins), deduplicated.

    Ties in the reference (e.g. a binary feature) collapse to fewer bins; that is deliberate, since
    a bin boundary inside a run of equal values would split identical observations arbitrarily.
    """
    ref = _as_1d(reference, "reference")
    quantiles = np.quantile(ref, np.linspace(0.0, 1.0, bins + 1)[1:-1])
    return np.unique(quantiles)


def bin_shares(values: np.ndarray, inner_edges: np.ndarray) -> np.ndarray:
    """Share of `values` per bin; bin i is (edge[i−1], edge[i]] with open outer bins."""
    index = np.searchsorted(inner_edges, values, side="left")
    counts = np.bincount(index, minlength=inner_edges.size + 1).astype(float)
    return counts / values.size


def psi_from_shares(expected: np.ndarray, actual: np.ndarray, floor: float = PSI_FLOOR) -> float:
    e = np.maximum(np.asarray(expected, dtype=float), floor)
    a = np.maximum(np.asarray(actual, dtype=float), floor)
    return float(np.sum((a - e) * np.log(a / e)))


def psi(reference: object, current: object, bins: int = PSI_BINS, floor: float = PSI_FLOOR) -> float:
    """Population stability index of `current` against `reference` on reference-quantile bins."""
    ref = _as_1d(reference, "reference")
    cur = _as_1d(current, "current")
    edges = reference_bin_edges(ref, bins)
    return psi_from_shares(bin_shares(ref, edges), bin_shares(cur, edges), floor)


def csi(reference: dict[str, object], current: dict[str, object], bins: int = PSI_BINS) -> dict[str, float]:
    """Characteristic stability index: PSI per feature (same binning rule), keyed by feature name."""
    missing = sorted(set(reference) - set(current))
    if missing:
        raise ValueError(f"current sample lacks features {missing}")
    return {name: psi(reference[name], current[name], bins) for name in sorted(reference)}


def psi_band(value: float) -> str:
    """Conventional reading of a PSI/CSI value (see PSI_BANDS_NOTE)."""
    if value < PSI_BAND_STABLE:
        return "stable"
    if value < PSI_BAND_SIGNIFICANT:
        return "monitor"
    return "significant_shift"


@dataclass(frozen=True)
class KS:
    statistic: float
    pvalue: float
    n_events: int
    n_non_events: int


def ks(scores: object, labels: object) -> KS:
    """Kolmogorov–Smirnov separation of event and non-event score distributions."""
    from scipy.stats import ks_2samp

    s = _as_1d(scores, "scores")
    y = np.asarray(labels).ravel().astype(int)
    if y.size != s.size:
        raise ValueError("scores and labels differ in length")
    events, non_events = s[y == 1], s[y == 0]
    if events.size == 0 or non_events.size == 0:
        raise ValueError("KS needs both events and non-events")
    result = ks_2samp(events, non_events)
    return KS(float(result.statistic), float(result.pvalue), int(events.size), int(non_events.size))


def auc(scores: object, labels: object) -> float:
    from sklearn.metrics import roc_auc_score

    y = np.asarray(labels).ravel().astype(int)
    if len(set(y.tolist())) < 2:
        raise ValueError("AUC needs both events and non-events")
    return float(roc_auc_score(y, _as_1d(scores, "scores")))


def gini(auc_value: float) -> float:
    """Accuracy ratio (Gini) from AUC: 2·AUC − 1."""
    return 2.0 * auc_value - 1.0


def brier(probabilities: object, labels: object) -> float:
    p = _as_1d(probabilities, "probabilities")
    y = np.asarray(labels).ravel().astype(float)
    return float(np.mean((p - y) ** 2))


def expected_calibration_error(probabilities: object, labels: object, bins: int = 10) -> float:
    """Σ_b (n_b/n)·|mean(y_b) − mean(p_b)| over equal-width probability bins [0,0.1), …, [0.9,1]."""
    p = _as_1d(probabilities, "probabilities")
    y = np.asarray(labels).ravel().astype(float)
    index = np.minimum((p * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        mask = index == b
        if mask.any():
            total += mask.sum() / p.size * abs(y[mask].mean() - p[mask].mean())
    return float(total)


def accuracy(probabilities: object, labels: object, threshold: float = 0.5) -> float:
    p = _as_1d(probabilities, "probabilities")
    y = np.asarray(labels).ravel().astype(int)
    return float(np.mean((p >= threshold).astype(int) == y))


def percentile(values: object, q: float) -> float:
    return float(np.percentile(_as_1d(values, "values"), q))


def rounded(value: float, digits: int = 6) -> float:
    """Round for the trail: metrics are compared across runs and must not carry float noise."""
    if not math.isfinite(value):
        raise ValueError(f"non-finite metric {value!r}")
    return round(float(value), digits)


def discrimination(probabilities: object, labels: object) -> dict[str, float]:
    """AUC, Gini, KS (+p-value), accuracy, Brier and ECE, rounded for the trail."""
    a = auc(probabilities, labels)
    k = ks(probabilities, labels)
    return {
        "auc": rounded(a),
        "gini": rounded(gini(a)),
        "ks": rounded(k.statistic),
        "ks_pvalue": rounded(k.pvalue, 12),
        "accuracy": rounded(accuracy(probabilities, labels)),
        "brier": rounded(brier(probabilities, labels)),
        "ece": rounded(expected_calibration_error(probabilities, labels)),
        "n": float(k.n_events + k.n_non_events),
        "event_rate": rounded(k.n_events / (k.n_events + k.n_non_events)),
    }


def _rank_auc(scores: np.ndarray, y: np.ndarray) -> float:
    """AUC as the Mann-Whitney U statistic (average ranks for ties); equals roc_auc_score, faster."""
    from scipy.stats import rankdata

    ranks = rankdata(scores)
    positives = int(y.sum())
    negatives = y.size - positives
    return float((ranks[y == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def paired_auc_difference(
    challenger: object, champion: object, labels: object, rng: np.random.Generator, resamples: int = 200
) -> tuple[float, float, float]:
    """AUC(challenger) − AUC(champion) on the same labelled requests, with a 95 % percentile
    bootstrap interval (resampling requests, so the pairing is kept). Returns (difference, low, high)."""
    a = _as_1d(challenger, "challenger")
    b = _as_1d(champion, "champion")
    y = np.asarray(labels).ravel().astype(int)
    point = auc(a, y) - auc(b, y)
    diffs = []
    for _ in range(resamples):
        index = rng.integers(0, y.size, y.size)
        if y[index].min() == y[index].max():
            continue
        diffs.append(_rank_auc(a[index], y[index]) - _rank_auc(b[index], y[index]))
    if not diffs:
        return point, point, point
    low, high = np.percentile(diffs, [2.5, 97.5])
    return float(point), float(low), float(high)

