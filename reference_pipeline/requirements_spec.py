"""The requirements spec PA.1 validates: business goal, success metrics, risks, data rules, acceptance.

The data rules here are the "predefined rules" the guide asks data engineering to take as input
(PA.1.step3 -> PA.2.step3/step4): validity ranges, cleaning, feature generation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from mlops_audit.errors import InputError

# Metrics a success metric or acceptance criterion may name, and where they come from.
KNOWN_METRICS = {
    "auc": "discrimination on held-out labelled data",
    "gini": "2*AUC-1",
    "ks": "Kolmogorov-Smirnov separation of events and non-events",
    "accuracy": "share of correct decisions at probability 0.5",
    "brier": "mean squared error of the probabilities",
    "ece": "expected calibration error (10 bins)",
    "psi": "population stability of scores between reference and latest window",
    "latency_p95_ms": "95th percentile serving latency",
    "error_rate": "share of failed requests",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MetricBound(_Strict):
    metric: str
    min: float | None = None
    max: float | None = None
    why: str = ""

    @model_validator(mode="after")
    def _has_a_bound(self) -> MetricBound:
        if self.metric not in KNOWN_METRICS:
            raise ValueError(f"unknown metric {self.metric!r}; expected one of {sorted(KNOWN_METRICS)}")
        if self.min is None and self.max is None:
            raise ValueError(f"metric {self.metric!r} needs a min or a max threshold")
        return self

    def holds(self, value: float) -> bool:
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)

    def describe(self) -> str:
        parts = []
        if self.min is not None:
            parts.append(f">= {self.min}")
        if self.max is not None:
            parts.append(f"<= {self.max}")
        return f"{self.metric} " + " and ".join(parts)


class BusinessGoal(_Strict):
    statement: Annotated[str, Field(min_length=10)]
    owner: str
    decision_supported: str


class Problem(_Strict):
    type: Literal["binary_classification"]
    target: str
    positive_label: int | str
    unit: str


class Risk(_Strict):
    id: str
    description: str
    mitigation: str


class RiskAssessment(_Strict):
    tier: Literal["low", "medium", "high"]
    risks: Annotated[list[Risk], Field(min_length=1)]
    prohibited_features: list[str] = Field(default_factory=list)
    feasibility: str
    necessity: str


class Architecture(_Strict):
    components: Annotated[list[str], Field(min_length=1)]
    technology: dict[str, str]


class Labelling(_Strict):
    definition: str
    label_delay_days: Annotated[int, Field(ge=0)]


class QualityRules(_Strict):
    min_rows: Annotated[int, Field(ge=1)] = 100
    max_missing_share: Annotated[float, Field(ge=0, le=1)] = 0.05
    max_duplicate_share: Annotated[float, Field(ge=0, le=1)] = 0.05
    max_out_of_range_share: Annotated[float, Field(ge=0, le=1)] = 0.02
    min_event_rate: Annotated[float, Field(ge=0, le=1)] = 0.01


class CleaningRules(_Strict):
    drop_duplicates: bool = True
    out_of_range: Literal["quarantine", "clip"] = "quarantine"
    impute_numeric: Literal["median"] = "median"


class FeatureRules(_Strict):
    log1p: list[str] = Field(default_factory=list)
    ratios: dict[str, Annotated[list[str], Field(min_length=2, max_length=2)]] = Field(default_factory=dict)
    one_hot: dict[str, Annotated[list[str], Field(min_length=1)]] = Field(default_factory=dict)
    drop: list[str] = Field(default_factory=list)


class DataRules(_Strict):
    collection: str
    labelling: Labelling
    id_columns: list[str] = Field(default_factory=list)
    valid_ranges: dict[str, Annotated[list[float | None], Field(min_length=2, max_length=2)]] = Field(default_factory=dict)
    quality: QualityRules = QualityRules()
    cleaning: CleaningRules = CleaningRules()
    features: FeatureRules = FeatureRules()


class RequirementsSpec(_Strict):
    business_goal: BusinessGoal
    problem: Problem
    success_metrics: Annotated[list[MetricBound], Field(min_length=1)]
    risk_assessment: RiskAssessment
    architecture: Architecture
    data_rules: DataRules
    acceptance_criteria: Annotated[list[MetricBound], Field(min_length=1)]

    @model_validator(mode="after")
    def _consistent(self) -> RequirementsSpec:
        banned = set(self.risk_assessment.prohibited_features)
        used = set(self.data_rules.features.log1p) | set(self.data_rules.features.one_hot)
        for pair in self.data_rules.features.ratios.values():
            used |= set(pair)
        clash = sorted(banned & used)
        if clash:
            raise ValueError(f"feature rules use prohibited features {clash}")
        return self

    def bound(self, metric: str) -> MetricBound | None:
        for item in self.acceptance_criteria:
            if item.metric == metric:
                return item
        return None


def load_requirements(path: Path) -> tuple[RequirementsSpec, str]:
    """Load and validate the spec; returns it with the file's display name. Errors say file:line."""
    from mlops_audit.util.safeyaml import format_key_path, load_yaml_file

    document = load_yaml_file(path)
    if not isinstance(document.data, dict):
        raise InputError(f"{path}: expected a mapping (business_goal, problem, ...) at the top level")
    try:
        return RequirementsSpec.model_validate(document.data), str(path)
    except ValidationError as exc:
        problems = [
            f"{document.where(tuple(err['loc']))}: {format_key_path(tuple(err['loc']))}: {err['msg']}"
            for err in exc.errors()
        ]
        raise InputError("invalid requirements spec:\n" + "\n".join(problems)) from None
