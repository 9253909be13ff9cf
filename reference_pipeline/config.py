"""The pipeline's configuration: one pydantic model, loaded from YAML with file:line in every error.

A config says where the data comes from (the seeded synthetic credit applications, scikit-learn's
bundled breast-cancer data, or the user's own CSV), how the drift episode is staged, which
algorithms and grids the experiments try, and the rules that monitoring, CI and deployment apply.
The business side (goal, success metrics, risks, data rules, acceptance criteria) lives in the
separate requirements spec that PA.1 validates (`requirements.py`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from mlops_audit.errors import InputError

ROLE_IDS = (
    "business",
    "project_manager",
    "ml_architect",
    "data_engineer",
    "data_scientist",
    "software_engineer",
    "test_engineer",
    "ops_engineer",
    "mlops_engineer",
    "model_risk_analyst",
)

Fraction = Annotated[float, Field(gt=0.0, lt=1.0)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SyntheticCreditSource(_Strict):
    kind: Literal["synthetic_credit"]
    batch_rows: Annotated[int, Field(ge=200, le=1_000_000)] = 4000
    stream_batches: Annotated[int, Field(ge=1, le=1000)] = 8
    stream_batch_rows: Annotated[int, Field(ge=10, le=100_000)] = 125
    monitor_rows: Annotated[int, Field(ge=100)] = 3000
    canary_rows: Annotated[int, Field(ge=100)] = 2000
    post_rows: Annotated[int, Field(ge=100)] = 2000
    # Share of raw rows given data-entry defects (missing employment years, impossible ages,
    # duplicates) so that the quality checks and cleaning rules have real work to do.
    defect_rate: Annotated[float, Field(ge=0.0, le=0.05)] = 0.01


class _TabularSource(_Strict):
    target: str = "target"
    positive_label: int | str
    # The data set is shuffled once (seeded) and cut into: development data (batch + stream),
    # the monitored production window, the canary window and the post-promotion window.
    development_share: Fraction = 0.5
    monitor_share: Fraction = 0.2
    canary_share: Fraction = 0.15
    stream_batches: Annotated[int, Field(ge=1, le=1000)] = 4
    stream_share: Fraction = 0.2

    @model_validator(mode="after")
    def _shares_leave_a_post_window(self) -> _TabularSource:
        if self.development_share + self.monitor_share + self.canary_share >= 1.0:
            raise ValueError("development_share + monitor_share + canary_share must leave a post-promotion window (< 1)")
        return self


class BreastCancerSource(_TabularSource):
    kind: Literal["sklearn_breast_cancer"]
    positive_label: int | str = 0  # 0 = malignant in scikit-learn's encoding


class CsvSource(_TabularSource):
    kind: Literal["csv"]
    path: str
    max_bytes: Annotated[int, Field(ge=1)] = 200 * 1024 * 1024


DataSource = Annotated[SyntheticCreditSource | BreastCancerSource | CsvSource, Field(discriminator="kind")]


class RecessionDrift(_Strict):
    """Drift episode of the synthetic bank scenario (see data/synthetic_credit.py)."""

    kind: Literal["synthetic_recession"]
    income_factor: Annotated[float, Field(gt=0.2, le=1.5)] = 0.8
    debt_ratio_shift: Annotated[float, Field(ge=-0.3, le=0.3)] = 0.08
    channel_mix: dict[str, float] = Field(default_factory=lambda: {"branch": 0.15, "online": 0.6, "broker": 0.25})
    online_risk_uplift: Annotated[float, Field(ge=0.0, le=3.0)] = 1.2

    @field_validator("channel_mix")
    @classmethod
    def _mix_is_a_distribution(cls, mix: dict[str, float]) -> dict[str, float]:
        if set(mix) != {"branch", "online", "broker"}:
            raise ValueError("channel_mix must give exactly branch, online and broker")
        if any(v < 0 for v in mix.values()) or abs(sum(mix.values()) - 1.0) > 1e-6:
            raise ValueError("channel_mix shares must be non-negative and sum to 1")
        return mix


class ResampleDrift(_Strict):
    """Drift on real data without inventing values: production rows are drawn with weights that
    favour high (or low) values of one feature, i.e. a covariate shift of the population."""

    kind: Literal["covariate_resample"]
    feature: str
    strength: Annotated[float, Field(ge=0.0, le=10.0)] = 3.0
    direction: Literal["high", "low"] = "high"


DriftEpisode = Annotated[RecessionDrift | ResampleDrift, Field(discriminator="kind")]


class Candidate(_Strict):
    algorithm: Literal["logistic_regression", "hist_gradient_boosting", "random_forest"]
    grid: dict[str, list[float | int | str | None]] = Field(default_factory=dict)

    @field_validator("grid")
    @classmethod
    def _grid_is_small(cls, grid: dict[str, list[Any]]) -> dict[str, list[Any]]:
        size = 1
        for name, values in grid.items():
            if not values:
                raise ValueError(f"grid parameter {name!r} has no values")
            size *= len(values)
        if size > 64:
            raise ValueError(f"grid has {size} combinations; the reference pipeline allows at most 64")
        return grid


class ExperimentSettings(_Strict):
    cv_folds: Annotated[int, Field(ge=2, le=10)] = 3
    test_share: Fraction = 0.25
    target_auc: Annotated[float, Field(gt=0.5, le=1.0)]
    candidates: Annotated[list[Candidate], Field(min_length=1)]


class CiSettings(_Strict):
    golden_rows: Annotated[int, Field(ge=1, le=1000)] = 25
    golden_tolerance: Annotated[float, Field(ge=0.0, le=1e-3)] = 1e-9
    latency_budget_ms: Annotated[float, Field(gt=0)] = 50.0
    latency_requests: Annotated[int, Field(ge=1, le=1000)] = 30


class FairnessSettings(_Strict):
    """PA.3.step3 fairness_check: the selected model's calibration per customer group on the test
    split. Groups are bands of one feature column (`bands` are the cut points: [25, 40] gives
    <25, 25-40, >=40). A group with at least `min_group_rows` rows fails when its mean predicted
    probability and its observed event rate differ by more than `max_calibration_gap` (the score
    must mean the same risk in every group); a failure blocks registration. Smaller groups are
    reported, not judged."""

    group_by: str
    bands: Annotated[list[float], Field(min_length=1, max_length=20)]
    max_calibration_gap: Annotated[float, Field(gt=0, le=0.5)]
    min_group_rows: Annotated[int, Field(ge=10, le=100_000)] = 50

    @field_validator("bands")
    @classmethod
    def _bands_increase(cls, bands: list[float]) -> list[float]:
        if any(b <= a for a, b in zip(bands, bands[1:], strict=False)):
            raise ValueError("bands must increase strictly")
        return bands


class StressScenario(_Strict):
    """An adverse scenario: inputs multiplied and/or shifted (kept inside their valid ranges)."""

    multiply: dict[str, float] = Field(default_factory=dict)
    add: dict[str, float] = Field(default_factory=dict)


class SensitivitySettings(_Strict):
    """PA.3.step3 sensitivity_analysis (SR 11-7 / SR 26-2 conceptual soundness): on the first `rows`
    cleaned applications, each of `inputs` moves by +-relative_change and the score's mean absolute
    change must stay within `max_mean_change` (else the model is not registered); the adverse
    `scenarios` are scored and their effect on the mean score reported."""

    inputs: Annotated[list[str], Field(min_length=1)]
    relative_change: Annotated[float, Field(gt=0, le=1)] = 0.1
    max_mean_change: Annotated[float, Field(gt=0, le=1)]
    rows: Annotated[int, Field(ge=10, le=100_000)] = 1000
    scenarios: dict[str, StressScenario] = Field(default_factory=dict)


class ExplanationSettings(_Strict):
    """PA.4.step1 check_reason_codes: the package's serving code gives reason codes with each score
    (`ScoringService.reason_codes`); CI scores the first `decisions` cleaned applications and checks
    that every decline (score at or above `decline_at`) carries at least one reason code and that
    setting its reason inputs to their reference values lowers its score. A failure fails CI."""

    decline_at: Annotated[float, Field(gt=0, lt=1)]
    top_reasons: Annotated[int, Field(ge=1, le=10)] = 3
    decisions: Annotated[int, Field(ge=10, le=5000)] = 200


class ServiceSimulation(_Strict):
    """Seeded stand-in for a serving platform's latency and error telemetry."""

    latency_median_ms: Annotated[float, Field(gt=0)] = 12.0
    latency_sigma: Annotated[float, Field(ge=0, le=2)] = 0.35
    error_rate: Annotated[float, Field(ge=0, le=0.5)] = 0.002


class MonitoringRules(_Strict):
    psi_alert: Annotated[float, Field(gt=0)] = 0.25
    csi_alert: Annotated[float, Field(gt=0)] = 0.25
    auc_decay_alert: Annotated[float, Field(gt=0, lt=0.5)] = 0.03
    latency_p95_ms: Annotated[float, Field(gt=0)] = 50.0
    error_rate_max: Annotated[float, Field(ge=0, le=1)] = 0.01


class AlertHandling(_Strict):
    """How the operations engineer handles the alerts PA.7.step2 raises.

    The reference pipeline has no on-call rota: the acknowledgement is SIMULATED, `acknowledge_after_minutes`
    after the alert was raised, and the trail event says so (`simulated: true`).
    """

    sla_hours: Annotated[float, Field(gt=0, le=720)] = 4.0
    acknowledge_after_minutes: Annotated[int, Field(ge=0, le=43200)] = 45


class RetrainingSettings(_Strict):
    triggers: Annotated[list[Literal["drift", "decay", "schedule"]], Field(min_length=1)] = ["drift", "decay"]
    # "schedule": retrain after every N monitoring windows even when nothing fired (0 = never).
    schedule_every_windows: Annotated[int, Field(ge=0)] = 0
    # Which labelled data the retrained model learns from: only the newest window, or all versions.
    window: Literal["recent", "all"] = "recent"
    holdout_share: Fraction = 0.3


class PromotionRules(_Strict):
    strategy: Literal["canary", "ab"] = "canary"
    canary_steps: Annotated[list[Annotated[float, Field(gt=0, le=1)]], Field(min_length=1)] = [0.05, 0.25, 0.5, 1.0]
    ab_split: Fraction = 0.5
    # Non-inferiority margin on AUC. A step rolls back when the paired bootstrap interval of
    # AUC(challenger) - AUC(champion) lies entirely below -margin; the last step (full traffic)
    # promotes only when the interval's low end is at or above -margin.
    max_auc_drop: Annotated[float, Field(ge=0, le=0.5)] = 0.01
    max_error_rate: Annotated[float, Field(ge=0, le=1)] = 0.01
    max_latency_p95_ms: Annotated[float, Field(gt=0)] = 50.0
    min_labelled_per_arm: Annotated[int, Field(ge=1)] = 100
    bootstrap_resamples: Annotated[int, Field(ge=50, le=5000)] = 200

    @field_validator("canary_steps")
    @classmethod
    def _steps_increase_to_full(cls, steps: list[float]) -> list[float]:
        if any(b <= a for a, b in zip(steps, steps[1:], strict=False)) or steps[-1] != 1.0:
            raise ValueError("canary_steps must increase strictly and end at 1.0")
        return steps


class Actors(_Strict):
    """Who acts under each role. The model risk analyst must not be the data scientist."""

    business: str = "business.owner"
    project_manager: str = "pm"
    ml_architect: str = "ml.architect"
    data_engineer: str = "data.engineer"
    data_scientist: str = "data.scientist"
    software_engineer: str = "software.engineer"
    test_engineer: str = "test.engineer"
    ops_engineer: str = "ops.engineer"
    mlops_engineer: str = "mlops.engineer"
    model_risk_analyst: str = "model.risk.analyst"

    @model_validator(mode="after")
    def _validator_is_independent(self) -> Actors:
        if self.model_risk_analyst == self.data_scientist:
            raise ValueError("model_risk_analyst must be a different actor from data_scientist (independent validation)")
        return self


class PipelineConfig(_Strict):
    name: str
    seed: Annotated[int, Field(ge=0, le=2**32 - 1)] = 20231130
    requirements: str = "requirements.yaml"
    data: DataSource
    drift: DriftEpisode | None = None
    experiments: ExperimentSettings
    ci: CiSettings = CiSettings()
    # Optional checks regulator profiles ask for (cn-finance: JR/T 0221-2021 6.1 and 7, PIPL Art. 24;
    # us-model-risk: sensitivity and stress testing);
    # absent: the step is not run and no event claims it.
    fairness: FairnessSettings | None = None
    sensitivity: SensitivitySettings | None = None
    explanations: ExplanationSettings | None = None
    service: ServiceSimulation = ServiceSimulation()
    monitoring: MonitoringRules = MonitoringRules()
    alerts: AlertHandling = AlertHandling()
    retraining: RetrainingSettings = RetrainingSettings()
    promotion: PromotionRules = PromotionRules()
    actors: Actors = Actors()
    # Folder the config was read from: relative paths (requirements, CSV) resolve against it.
    base_dir: str = Field(default=".", exclude=True)

    def resolve(self, relative: str) -> Path:
        path = Path(relative)
        return path if path.is_absolute() else Path(self.base_dir) / path

    @model_validator(mode="after")
    def _drift_matches_source(self) -> PipelineConfig:
        if isinstance(self.drift, RecessionDrift) and not isinstance(self.data, SyntheticCreditSource):
            raise ValueError("drift kind synthetic_recession needs data kind synthetic_credit")
        return self


CONFIG_DIR = Path(__file__).parent / "configs"
DEFAULT_CONFIG = CONFIG_DIR / "default.yaml"


def load_config(path: str | Path | None = None) -> PipelineConfig:
    """Load and validate a pipeline config; every error names `file:line:col` and the key."""
    from mlops_audit.util.safeyaml import format_key_path, load_yaml_file

    path = Path(path) if path is not None else DEFAULT_CONFIG
    document = load_yaml_file(path)
    if not isinstance(document.data, dict):
        raise InputError(f"{path}: expected a mapping of pipeline settings at the top level")
    data = dict(document.data)
    data["base_dir"] = str(path.parent)
    try:
        return PipelineConfig.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p in _UNION_TAGS))
            problems.append(f"{document.where(loc)}: {format_key_path(loc)}: {err['msg']}")
        raise InputError("invalid pipeline config:\n" + "\n".join(problems)) from None


# pydantic puts the discriminator tag into error locations; they are not keys of the YAML file.
_UNION_TAGS = {"synthetic_credit", "sklearn_breast_cancer", "csv", "synthetic_recession", "covariate_resample"}
