"""Seeded synthetic credit applications (the bank case) and the drift episode that disturbs them.

Generating process (one row = one consumer-loan application; same seed -> same rows):

- ``age``: Normal(40, 11) rounded, clipped to [21, 70].
- ``income`` (monthly, CNY): LogNormal(log 10 000, 0.5), rounded to 10 CNY.
- ``debt_ratio`` (existing monthly debt service / income): Beta(2, 5), i.e. mean about 0.29.
- ``loan_amount``: income × exp(Normal(1.6, 0.45)), rounded to 100 CNY (about 5 monthly incomes).
- ``term_months``: one of 12, 24, 36, 60 with shares 0.2, 0.3, 0.35, 0.15.
- ``employment_years``: Gamma(2, 3) rounded to 0.5 years, at most age − 18.
- ``prior_defaults``: Poisson(0.2), at most 5.
- ``home_owner``: Bernoulli(0.25 + 0.008·(age − 21)).
- ``channel``: branch / online / broker with shares 0.5 / 0.35 / 0.15.

The label ``default`` (1 = 90+ days past due within 12 months) is Bernoulli(sigmoid(z)) with

    z = −3.6 − 0.9·(ln income − ln 10 000)/0.5 + 2.0·debt_ratio + 1.4·[debt_ratio > 0.45]
        + 0.45·ln(loan_amount / income) + 0.15·[term_months = 60] − 0.05·employment_years
        + 0.8·prior_defaults − 0.35·home_owner + 0.35·[channel = online] + 0.6·[channel = broker]
        + 0.5·[age < 25]

so risk rises with leverage (with a threshold above a 45 % debt ratio, which a linear model only
approximates), falls with income, tenure and home ownership, and differs by channel.

Drift episode ("recession", ``RecessionDrift``): incomes are multiplied by ``income_factor``
(default 0.8), debt ratios move up by ``debt_ratio_shift`` (default +0.08, clipped to [0, 0.95]),
the application mix moves towards online and broker channels (default 0.15 / 0.6 / 0.25), and the
online channel's risk rises by ``online_risk_uplift`` (default +1.2 on z: a fraud wave). The first
three are covariate drift that PSI/CSI see; the last is concept drift that makes the old model's
AUC decay, which only retraining on the new labelled data repairs.

Raw-data defects (share ``defect_rate``, default 1 %): missing ``employment_years``, impossible
ages (0 or 150, a data-entry slip) and exact duplicate rows. The data engineering stage's quality
checks count them and its cleaning rules repair or quarantine them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from reference_pipeline.config import RecessionDrift

FEATURE_COLUMNS = (
    "age",
    "income",
    "debt_ratio",
    "loan_amount",
    "term_months",
    "employment_years",
    "prior_defaults",
    "home_owner",
    "channel",
)
TARGET = "default"
CHANNELS = ("branch", "online", "broker")
BASE_CHANNEL_MIX = {"branch": 0.5, "online": 0.35, "broker": 0.15}


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def generate(
    rows: int,
    seed: int,
    *,
    income_factor: float = 1.0,
    debt_ratio_shift: float = 0.0,
    channel_mix: dict[str, float] | None = None,
    online_risk_uplift: float = 0.0,
    defect_rate: float = 0.0,
    id_offset: int = 0,
) -> pd.DataFrame:
    """`rows` applications from the process above; the keyword arguments stage the drift episode."""
    rng = np.random.default_rng(seed)
    mix = channel_mix or BASE_CHANNEL_MIX
    age = np.clip(np.round(rng.normal(40, 11, rows)), 21, 70)
    income = np.round(np.exp(rng.normal(np.log(10_000), 0.5, rows)) * income_factor, -1)
    income = np.maximum(income, 500.0)
    debt_ratio = np.clip(rng.beta(2, 5, rows) + debt_ratio_shift, 0.0, 0.95).round(4)
    loan_amount = np.maximum(np.round(income * np.exp(rng.normal(1.6, 0.45, rows)), -2), 100.0)
    term = rng.choice([12, 24, 36, 60], size=rows, p=[0.2, 0.3, 0.35, 0.15])
    employment = np.minimum(np.round(rng.gamma(2.0, 3.0, rows) * 2) / 2, age - 18)
    prior_defaults = np.minimum(rng.poisson(0.2, rows), 5)
    home_owner = (rng.random(rows) < 0.25 + 0.008 * (age - 21)).astype(int)
    channel = rng.choice(list(CHANNELS), size=rows, p=[mix[c] for c in CHANNELS])

    # Risk depends on the income actually earned (after the recession cut), not on the pre-cut one.
    z = (
        -3.6
        - 0.9 * (np.log(income) - np.log(10_000)) / 0.5
        + 2.0 * debt_ratio
        + 1.4 * (debt_ratio > 0.45)
        + 0.45 * np.log(loan_amount / income)
        + 0.15 * (term == 60)
        - 0.05 * employment
        + 0.8 * prior_defaults
        - 0.35 * home_owner
        + (0.35 + online_risk_uplift) * (channel == "online")
        + 0.6 * (channel == "broker")
        + 0.5 * (age < 25)
    )
    default = (rng.random(rows) < _sigmoid(z)).astype(int)

    frame = pd.DataFrame(
        {
            "application_id": [f"A{id_offset + i:07d}" for i in range(rows)],
            "age": age.astype(int),
            "income": income,
            "debt_ratio": debt_ratio,
            "loan_amount": loan_amount,
            "term_months": term.astype(int),
            "employment_years": employment.astype(float),
            "prior_defaults": prior_defaults.astype(int),
            "home_owner": home_owner,
            "channel": channel,
            TARGET: default,
        }
    )
    if defect_rate > 0:
        frame = _inject_defects(frame, rng, defect_rate)
    return frame


def _inject_defects(frame: pd.DataFrame, rng: np.random.Generator, rate: float) -> pd.DataFrame:
    n = len(frame)
    k = max(1, int(round(n * rate)))
    missing = rng.choice(n, size=k, replace=False)
    frame.loc[missing, "employment_years"] = np.nan
    bad_age = rng.choice(n, size=max(1, k // 3), replace=False)
    frame.loc[bad_age, "age"] = rng.choice([0, 150], size=bad_age.size)
    duplicates = frame.iloc[rng.choice(n, size=max(1, k // 3), replace=False)]
    return pd.concat([frame, duplicates], ignore_index=True)


def drifted(rows: int, seed: int, drift: RecessionDrift, *, id_offset: int = 0) -> pd.DataFrame:
    """Applications during the drift episode described by a `RecessionDrift` config."""
    return generate(
        rows,
        seed,
        income_factor=drift.income_factor,
        debt_ratio_shift=drift.debt_ratio_shift,
        channel_mix=dict(drift.channel_mix),
        online_risk_uplift=drift.online_risk_uplift,
        id_offset=id_offset,
    )
