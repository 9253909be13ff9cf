"""Scenario data from the configured source: development batch + stream, then production windows.

Every source yields the same shape (`ScenarioData`): the historical batch, micro-batches of the
simulated stream, and three later production windows whose labels "arrive" after scoring:
`monitor` (the window monitoring analyses, drifted when a drift episode is configured), `canary`
(traffic during the rollout of a retrained model) and `post` (after promotion).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mlops_audit.errors import InputError

from reference_pipeline.config import (
    BreastCancerSource,
    CsvSource,
    PipelineConfig,
    RecessionDrift,
    ResampleDrift,
    SyntheticCreditSource,
)
from reference_pipeline.data import synthetic_credit

WINDOWS = ("monitor", "canary", "post")


@dataclass
class ScenarioData:
    batch: pd.DataFrame
    stream: list[pd.DataFrame]
    windows: dict[str, pd.DataFrame]
    target: str
    positive_label: int | str
    description: str
    source_file: Path | None = None  # the user's CSV, hashed into the trail at ingest


def load_scenario(config: PipelineConfig) -> ScenarioData:
    source = config.data
    if isinstance(source, SyntheticCreditSource):
        return _synthetic(config, source)
    if isinstance(source, BreastCancerSource):
        from sklearn.datasets import load_breast_cancer

        frame = load_breast_cancer(as_frame=True).frame
        return _tabular(config, frame, "scikit-learn breast cancer (Wisconsin diagnostic), 569 rows")
    if isinstance(source, CsvSource):
        path = config.resolve(source.path)
        scenario = _tabular(config, read_user_csv(path, source), f"user CSV {path.name}")
        scenario.source_file = path
        return scenario
    raise InputError(f"data source kind {source.kind!r} is not supported")  # pragma: no cover - pydantic refuses


def read_user_csv(path: Path, source: CsvSource) -> pd.DataFrame:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"{path}: cannot read the data file ({exc.strerror or exc})") from None
    if size > source.max_bytes:
        raise InputError(f"{path}: {size} bytes is larger than the configured max_bytes {source.max_bytes}")
    try:
        frame = pd.read_csv(path)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{path}: not a readable CSV file: {exc}") from None
    if source.target not in frame.columns:
        raise InputError(
            f"{path}: target column {source.target!r} not found; the file has columns {list(map(str, frame.columns))}"
        )
    labels = set(frame[source.target].dropna().unique().tolist())
    if source.positive_label not in labels:
        raise InputError(
            f"{path}: column {source.target!r} never takes the positive label {source.positive_label!r}; "
            f"values seen: {sorted(map(str, labels))[:10]}"
        )
    return frame


def _synthetic(config: PipelineConfig, source: SyntheticCreditSource) -> ScenarioData:
    seed = config.seed
    batch = synthetic_credit.generate(source.batch_rows, seed + 1, defect_rate=source.defect_rate)
    stream = []
    offset = source.batch_rows
    for i in range(source.stream_batches):
        stream.append(
            synthetic_credit.generate(
                source.stream_batch_rows, seed + 100 + i, defect_rate=source.defect_rate, id_offset=offset
            )
        )
        offset += source.stream_batch_rows
    windows = {}
    for i, (name, rows) in enumerate(
        (("monitor", source.monitor_rows), ("canary", source.canary_rows), ("post", source.post_rows))
    ):
        if isinstance(config.drift, RecessionDrift):
            windows[name] = synthetic_credit.drifted(rows, seed + 200 + i, config.drift, id_offset=offset)
        else:
            windows[name] = synthetic_credit.generate(rows, seed + 200 + i, id_offset=offset)
        offset += rows
    return ScenarioData(
        batch=batch,
        stream=stream,
        windows=windows,
        target=synthetic_credit.TARGET,
        positive_label=1,
        description="synthetic credit applications (reference_pipeline/data/synthetic_credit.py)",
    )


def _tabular(config: PipelineConfig, frame: pd.DataFrame, description: str) -> ScenarioData:
    source = config.data
    assert isinstance(source, (BreastCancerSource, CsvSource))
    rng = np.random.default_rng(config.seed)
    shuffled = frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)
    n = len(shuffled)
    cut_dev = int(n * source.development_share)
    cut_mon = cut_dev + int(n * source.monitor_share)
    cut_can = cut_mon + int(n * source.canary_share)
    development = shuffled.iloc[:cut_dev]
    stream_rows = int(len(development) * source.stream_share)
    batch = development.iloc[: len(development) - stream_rows].reset_index(drop=True)
    stream_part = development.iloc[len(development) - stream_rows :]
    stream = [stream_part.iloc[rows].reset_index(drop=True)
              for rows in np.array_split(np.arange(len(stream_part)), source.stream_batches) if len(rows)]
    parts = {
        "monitor": shuffled.iloc[cut_dev:cut_mon],
        "canary": shuffled.iloc[cut_mon:cut_can],
        "post": shuffled.iloc[cut_can:],
    }
    windows = {}
    for name, part in parts.items():
        if isinstance(config.drift, ResampleDrift):
            part = _biased_subsample(part, config.drift, rng)
        windows[name] = part.reset_index(drop=True)
    return ScenarioData(
        batch=batch,
        stream=stream,
        windows=windows,
        target=source.target,
        positive_label=source.positive_label,
        description=description,
    )


def _biased_subsample(part: pd.DataFrame, drift: ResampleDrift, rng: np.random.Generator) -> pd.DataFrame:
    """Keep 60 % of the rows, drawn without replacement with weights exp(strength·rank) on one feature.

    Efraimidis–Spirakis sampling: key = u^(1/w), keep the largest keys. Values are never invented;
    only the mix of the population changes.
    """
    if drift.feature not in part.columns:
        raise InputError(f"drift.feature {drift.feature!r} is not a column of the data; columns: {list(part.columns)}")
    rank = part[drift.feature].rank(pct=True).to_numpy()
    if drift.direction == "low":
        rank = 1.0 - rank
    weights = np.exp(drift.strength * rank)
    keys = rng.random(len(part)) ** (1.0 / weights)
    keep = np.sort(np.argsort(-keys)[: max(1, int(len(part) * 0.6))])
    return part.iloc[keep]
