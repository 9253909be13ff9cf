"""Cleaning and feature generation by the declared data rules, and the fitted transform serving reuses.

`clean` applies the cleaning rules to raw rows and returns the rows it rejected with a reason
(quarantine), never dropping data silently. `fit_transform_spec` fixes everything learned from the
training batch (medians, column lists) in a `TransformSpec` that is written to the run folder and
shipped in the deployment package, so training and serving compute identical features.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from reference_pipeline.requirements_spec import DataRules


class SchemaError(ValueError):
    """A request or data batch that does not match the input schema of the transform."""


class TransformSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    numeric: list[str]
    categorical: dict[str, list[str]]
    medians: dict[str, float]
    valid_ranges: dict[str, list[float | None]]
    log1p: list[str]
    ratios: dict[str, list[str]]
    feature_names: list[str]

    @property
    def input_columns(self) -> list[str]:
        return list(self.numeric) + sorted(self.categorical)


@dataclass
class CleanResult:
    clean: pd.DataFrame
    quarantine: pd.DataFrame  # rejected rows plus a `reason` column
    duplicates_removed: int
    imputed: dict[str, int]


def input_columns(frame: pd.DataFrame, rules: DataRules, target: str) -> tuple[list[str], list[str]]:
    """(numeric, categorical) raw input columns: everything but ids, target and dropped columns."""
    skip = set(rules.id_columns) | {target} | set(rules.features.drop)
    categorical = [c for c in frame.columns if c in rules.features.one_hot]
    numeric = [c for c in frame.columns if c not in skip and c not in rules.features.one_hot]
    not_numeric = [c for c in numeric if not pd.api.types.is_numeric_dtype(frame[c])]
    if not_numeric:
        raise SchemaError(
            f"columns {not_numeric} are not numeric; declare them under data_rules.features.one_hot "
            "(with their categories) or data_rules.features.drop"
        )
    return numeric, categorical


def out_of_range_mask(frame: pd.DataFrame, ranges: dict[str, list[float | None]]) -> pd.Series:
    mask = pd.Series(False, index=frame.index)
    for column, (low, high) in ranges.items():
        if column not in frame.columns:
            continue
        values = frame[column]
        if low is not None:
            mask |= values < low
        if high is not None:
            mask |= values > high
    return mask


def clean(raw: pd.DataFrame, rules: DataRules, target: str) -> CleanResult:
    frame = raw.copy()
    rejected: list[pd.DataFrame] = []
    before = len(frame)
    if rules.cleaning.drop_duplicates:
        frame = frame.drop_duplicates(keep="first")
    duplicates_removed = before - len(frame)

    no_label = frame[target].isna()
    if no_label.any():
        rejected.append(frame[no_label].assign(reason="missing label"))
        frame = frame[~no_label]

    bad = out_of_range_mask(frame, rules.valid_ranges)
    if bad.any():
        if rules.cleaning.out_of_range == "quarantine":
            rejected.append(frame[bad].assign(reason="value outside declared valid range"))
            frame = frame[~bad]
        else:
            for column, (low, high) in rules.valid_ranges.items():
                if column in frame.columns:
                    frame[column] = frame[column].clip(lower=low, upper=high)

    numeric, _ = input_columns(frame, rules, target)
    imputed: dict[str, int] = {}
    for column in numeric:
        missing = int(frame[column].isna().sum())
        if missing:
            imputed[column] = missing
            frame[column] = frame[column].fillna(float(frame[column].median()))
    quarantine = pd.concat(rejected) if rejected else raw.iloc[0:0].assign(reason=pd.Series(dtype=str))
    return CleanResult(frame.reset_index(drop=True), quarantine.reset_index(drop=True), duplicates_removed, imputed)


def fit_transform_spec(clean_frame: pd.DataFrame, rules: DataRules, target: str) -> TransformSpec:
    numeric, categorical = input_columns(clean_frame, rules, target)
    for column in rules.features.log1p:
        if column not in numeric:
            raise SchemaError(f"log1p rule names {column!r}, which is not a numeric input column")
    for name, (a, b) in rules.features.ratios.items():
        for column in (a, b):
            if column not in numeric:
                raise SchemaError(f"ratio {name!r} names {column!r}, which is not a numeric input column")
    names: list[str] = []
    for column in numeric:
        names.append(f"log1p_{column}" if column in rules.features.log1p else column)
    names.extend(sorted(rules.features.ratios))
    for column in categorical:
        names.extend(f"{column}={value}" for value in rules.features.one_hot[column])
    medians = {c: round(float(clean_frame[c].median()), 10) for c in numeric}
    return TransformSpec(
        numeric=numeric,
        categorical={c: list(rules.features.one_hot[c]) for c in categorical},
        medians=medians,
        valid_ranges={k: list(v) for k, v in rules.valid_ranges.items() if k in numeric},
        log1p=list(rules.features.log1p),
        ratios={k: list(v) for k, v in rules.features.ratios.items()},
        feature_names=names,
    )


def check_schema(frame: pd.DataFrame, spec: TransformSpec) -> list[str]:
    """Problems that make a batch unusable for this transform (missing columns, wrong types, categories)."""
    problems = []
    missing = [c for c in spec.input_columns if c not in frame.columns]
    if missing:
        problems.append(f"missing input columns {missing}")
    for column in spec.numeric:
        if column in frame.columns and not pd.api.types.is_numeric_dtype(frame[column]):
            problems.append(f"column {column!r} is not numeric")
    for column, values in spec.categorical.items():
        if column in frame.columns:
            unknown = sorted(set(frame[column].dropna().astype(str)) - set(values))
            if unknown:
                problems.append(f"column {column!r} has undeclared categories {unknown[:5]}")
    return problems


def transform(frame: pd.DataFrame, spec: TransformSpec) -> pd.DataFrame:
    """Features in `spec.feature_names` order. Missing numerics take the training median."""
    problems = check_schema(frame, spec)
    if problems:
        raise SchemaError("; ".join(problems))
    out: dict[str, np.ndarray] = {}
    filled = {c: frame[c].astype(float).fillna(spec.medians[c]).to_numpy() for c in spec.numeric}
    for column in spec.numeric:
        values = filled[column]
        if column in spec.log1p:
            out[f"log1p_{column}"] = np.log1p(np.maximum(values, 0.0))
        else:
            out[column] = values
    for name in sorted(spec.ratios):
        a, b = spec.ratios[name]
        denominator = filled[b]
        out[name] = np.divide(filled[a], denominator, out=np.zeros_like(filled[a]), where=denominator != 0)
    for column, values in spec.categorical.items():
        text = frame[column].astype(str).to_numpy()
        for value in values:
            out[f"{column}={value}"] = (text == value).astype(float)
    return pd.DataFrame(out, index=frame.index)[spec.feature_names]
