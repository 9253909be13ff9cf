"""Data engineering building blocks: the generator, cleaning rules, the transform, the feature store."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reference_pipeline.config import CONFIG_DIR, RecessionDrift
from reference_pipeline.data import synthetic_credit
from reference_pipeline.feature_store import FeatureStore, FeatureStoreError
from reference_pipeline.features import SchemaError, clean, fit_transform_spec, transform
from reference_pipeline.requirements_spec import DataRules, FeatureRules, Labelling, load_requirements
from reference_pipeline.stages.data_engineering import quality_checks


def rules(**features: object) -> DataRules:
    return DataRules(
        collection="test",
        labelling=Labelling(definition="y", label_delay_days=0),
        valid_ranges={"age": [18, 100]},
        features=FeatureRules(**features),
    )


def test_the_generator_is_seeded_and_the_drift_episode_shifts_the_population() -> None:
    a = synthetic_credit.generate(2000, seed=7)
    assert a.equals(synthetic_credit.generate(2000, seed=7))
    drift = RecessionDrift(kind="synthetic_recession")
    shifted = synthetic_credit.drifted(2000, seed=8, drift=drift)
    assert shifted["income"].median() < 0.9 * a["income"].median()
    assert shifted["debt_ratio"].mean() > a["debt_ratio"].mean() + 0.05
    assert (shifted["channel"] == "online").mean() > (a["channel"] == "online").mean() + 0.15
    assert shifted["default"].mean() > a["default"].mean()


def test_injected_defects_are_missing_values_impossible_ages_and_duplicates() -> None:
    raw = synthetic_credit.generate(1000, seed=3, defect_rate=0.02)
    assert len(raw) > 1000  # duplicates appended
    assert raw.duplicated().sum() > 0
    assert raw["employment_years"].isna().sum() == 20
    assert raw["age"].isin([0, 150]).sum() > 0


def test_cleaning_quarantines_removes_duplicates_and_imputes_with_reasons() -> None:
    raw = pd.DataFrame({
        "age": [30, 30, 150, 40, 50],
        "income": [1000.0, 1000.0, 2000.0, np.nan, 3000.0],
        "y": [0, 0, 1, 1, np.nan],
    })
    result = clean(raw, rules(), target="y")
    assert result.duplicates_removed == 1
    assert sorted(result.quarantine["reason"]) == ["missing label", "value outside declared valid range"]
    assert result.imputed == {"income": 1}
    # Left after cleaning: (30, 1000) and (40, NaN); the NaN takes the median of the clean column, 1000.
    assert result.clean["income"].tolist() == [1000.0, 1000.0]
    assert len(result.clean) + len(result.quarantine) + result.duplicates_removed == len(raw)


def test_transform_builds_declared_features_and_rejects_bad_requests() -> None:
    frame = pd.DataFrame({"a": [1.0, 3.0], "b": [2.0, 0.0], "c": ["x", "y"], "y": [0, 1]})
    spec = fit_transform_spec(frame, rules(log1p=["a"], ratios={"a_per_b": ["a", "b"]}, one_hot={"c": ["x", "y"]}), "y")
    assert spec.feature_names == ["log1p_a", "b", "a_per_b", "c=x", "c=y"]
    features = transform(frame, spec)
    assert features["log1p_a"].tolist() == pytest.approx([np.log(2), np.log(4)])
    assert features["a_per_b"].tolist() == [0.5, 0.0]  # division by zero gives 0, not inf
    assert features[["c=x", "c=y"]].to_numpy().tolist() == [[1, 0], [0, 1]]
    with pytest.raises(SchemaError, match="missing input columns"):
        transform(frame.drop(columns=["b"]), spec)
    with pytest.raises(SchemaError, match="undeclared categories"):
        transform(frame.assign(c=["x", "z"]), spec)


def test_quality_checks_fail_on_too_many_missing_values() -> None:
    spec, _ = load_requirements(CONFIG_DIR / "requirements.yaml")
    raw = synthetic_credit.generate(1000, seed=1)
    raw.loc[: 400, "income"] = np.nan
    report = quality_checks(raw, spec, "default", 1)
    assert report["passed"] is False
    failed = [c for c in report["checks"] if not c["passed"]]
    assert [c["check"] for c in failed] == ["missing_share"]
    assert "(income)" in failed[0]["rule"]


def test_feature_store_versions_are_content_addressed_and_verified(tmp_path: Path) -> None:
    store = FeatureStore(tmp_path)
    frame = pd.DataFrame({"x": [0.1, 1 / 3, 2.5e-17], "label": [0, 1, 0]})
    v1 = store.put("s", frame, lineage={"from": "test"})
    v2 = store.put("s", frame, lineage={"from": "again"})
    assert (v1.version, v2.version) == (1, 2)
    assert v1.sha256 == v2.sha256 and v1.path == f"objects/{v1.sha256}.csv"
    _, back = store.get("s", 1)
    assert back.equals(frame)  # floats round-trip exactly
    (tmp_path / v1.path).write_text("x,label\n9,9\n")
    with pytest.raises(FeatureStoreError, match="refusing to read"):
        store.get("s", 2)
    with pytest.raises(FeatureStoreError, match="no version 3"):
        store.get("s", 3)
