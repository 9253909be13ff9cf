"""PSI, CSI, KS, AUC, Gini and calibration against values worked out by hand in each test."""

from __future__ import annotations

import math

import numpy as np
import pytest

from reference_pipeline import stats

REFERENCE = list(range(1, 11))  # 1..10: its deciles put each value in a bin of its own


def test_reference_deciles_are_the_linear_quantiles_of_the_reference() -> None:
    # np.quantile (linear) of 1..10 at 0.1, 0.2, ..., 0.9 is 1.9, 2.8, ..., 9.1.
    assert stats.reference_bin_edges(REFERENCE).tolist() == pytest.approx([1.9, 2.8, 3.7, 4.6, 5.5, 6.4, 7.3, 8.2, 9.1])


def test_psi_of_a_sample_against_itself_is_zero() -> None:
    assert stats.psi(REFERENCE, REFERENCE) == 0.0


def test_psi_when_one_bin_doubles_and_another_empties() -> None:
    # Current 1,2,2,3,...,9: bin 2 holds 0.2 (expected 0.1), bin 10 is empty (floored to 1e-4).
    # PSI = (0.2-0.1)*ln(0.2/0.1) + (1e-4-0.1)*ln(1e-4/0.1) = 0.0693147 + 0.6900848 = 0.7593995
    current = [1, 2, 2, 3, 4, 5, 6, 7, 8, 9]
    by_hand = 0.1 * math.log(2) + (1e-4 - 0.1) * math.log(1e-4 / 0.1)
    assert stats.psi(REFERENCE, current) == pytest.approx(by_hand, abs=1e-12)
    assert by_hand == pytest.approx(0.7593995, abs=1e-7)


def test_psi_when_all_mass_moves_to_the_outer_bins() -> None:
    # Current: five 1s and five 10s -> bins 1 and 10 hold 0.5 each, eight bins are empty.
    # PSI = 2*(0.5-0.1)*ln(5) + 8*(1e-4-0.1)*ln(1e-3) = 1.2875503 + 5.5206780 = 6.8082283
    current = [1] * 5 + [10] * 5
    by_hand = 2 * 0.4 * math.log(5) + 8 * (1e-4 - 0.1) * math.log(1e-3)
    assert stats.psi(REFERENCE, current) == pytest.approx(by_hand, abs=1e-12)
    assert stats.psi_band(by_hand) == "significant_shift"


def test_psi_bands_are_the_conventional_cut_points() -> None:
    assert [stats.psi_band(v) for v in (0.0, 0.0999, 0.10, 0.2499, 0.25)] == [
        "stable", "stable", "monitor", "monitor", "significant_shift"]
    assert "convention" in stats.PSI_BANDS_NOTE


def test_csi_is_psi_per_feature() -> None:
    current = {"a": [1, 2, 2, 3, 4, 5, 6, 7, 8, 9], "b": REFERENCE}
    result = stats.csi({"a": REFERENCE, "b": REFERENCE}, current)
    assert result == {"a": pytest.approx(stats.psi(REFERENCE, current["a"])), "b": 0.0}
    with pytest.raises(ValueError, match="lacks features"):
        stats.csi({"a": REFERENCE, "c": REFERENCE}, current)


def test_ks_auc_and_gini_on_four_scores() -> None:
    # Events score 0.2 and 0.4, non-events 0.1 and 0.3.
    # KS: the largest ECDF gap is 0.5 (at 0.1: non-events 0.5, events 0; at 0.3: 1.0 vs 0.5).
    # AUC: of the 4 (event, non-event) pairs the event ranks higher in 3 -> 0.75; Gini 2*0.75-1 = 0.5.
    scores, labels = [0.1, 0.3, 0.2, 0.4], [0, 0, 1, 1]
    result = stats.ks(scores, labels)
    assert result.statistic == pytest.approx(0.5)
    assert (result.n_events, result.n_non_events) == (2, 2)
    assert stats.auc(scores, labels) == pytest.approx(0.75)
    assert stats.gini(stats.auc(scores, labels)) == pytest.approx(0.5)


def test_perfect_separation_gives_ks_one_and_gini_one() -> None:
    scores, labels = [0.1, 0.2, 0.3, 0.4], [0, 0, 1, 1]
    assert stats.ks(scores, labels).statistic == pytest.approx(1.0)
    assert stats.gini(stats.auc(scores, labels)) == pytest.approx(1.0)


def test_brier_and_expected_calibration_error_by_hand() -> None:
    # Four predictions, each alone in its tenth: |y - p| = 0.05, 0.85, 0.15, 0.05 -> ECE = 1.1/4 = 0.275.
    # Brier = (0.05² + 0.85² + 0.15² + 0.05²)/4 = (0.0025 + 0.7225 + 0.0225 + 0.0025)/4 = 0.1875.
    p, y = [0.05, 0.15, 0.85, 0.95], [0, 1, 1, 1]
    assert stats.expected_calibration_error(p, y) == pytest.approx(0.275)
    assert stats.brier(p, y) == pytest.approx(0.1875)


def test_rank_auc_used_by_the_bootstrap_equals_roc_auc_with_ties() -> None:
    rng = np.random.default_rng(1)
    scores = np.round(rng.random(200), 1)  # many ties
    labels = (rng.random(200) < 0.4).astype(int)
    assert stats._rank_auc(scores, labels) == pytest.approx(stats.auc(scores, labels))


def test_paired_auc_difference_of_a_model_with_itself_is_zero() -> None:
    rng = np.random.default_rng(0)
    scores = rng.random(100)
    labels = (rng.random(100) < 0.3).astype(int)
    assert stats.paired_auc_difference(scores, scores, labels, rng) == (0.0, 0.0, 0.0)


@pytest.mark.parametrize("bad", [[], [1.0, float("nan")], [float("inf")]])
def test_empty_or_non_finite_samples_are_refused(bad: list[float]) -> None:
    with pytest.raises(ValueError):
        stats.psi(REFERENCE, bad)


def test_ks_needs_both_classes() -> None:
    with pytest.raises(ValueError, match="both events and non-events"):
        stats.ks([0.1, 0.2], [1, 1])
