"""PA.2 data engineering: ingest (batch + simulated stream), profile and check, clean, build features.

Steps and their clauses:
- PA.2.step1 ingest the batch extract and the stream's micro-batches into `data/raw/`.
- PA.2.step2 profile every column and check quality against the declared rules; a failed check
  stops the run (the event records the failure first).
- PA.2.step3 clean and transform by the declared rules; rejected rows go to `data/quarantine.csv`
  with a reason, the fitted transform to `data/transform.json`.
- PA.2.step4 generate features and store them as a new version in the feature store.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mlops_audit.errors import InputError
from mlops_audit.util.jsonio import atomic_write_bytes, sha256_file

from reference_pipeline.context import RunContext, StageFailed
from reference_pipeline.data.sources import ScenarioData
from reference_pipeline.feature_store import FeatureStore, FeatureVersion, to_csv_bytes
from reference_pipeline.features import SchemaError, TransformSpec, clean, fit_transform_spec, out_of_range_mask, transform
from reference_pipeline.requirements_spec import RequirementsSpec

STAGE = "data_engineering"
ROLE = "data_engineer"
FEATURE_SET = "applications"
LABEL = "label"


@dataclass
class DataEngineeringResult:
    spec: TransformSpec
    spec_path: str
    feature_version: FeatureVersion


def write_csv(ctx: RunContext, relative: str, frame: pd.DataFrame) -> str:
    atomic_write_bytes(ctx.path(relative), to_csv_bytes(frame))
    return relative


def labels(frame: pd.DataFrame, target: str, positive: Any) -> np.ndarray:
    return (frame[target] == positive).astype(int).to_numpy()


def profile(frame: pd.DataFrame) -> dict[str, Any]:
    columns = {}
    for column in frame.columns:
        series = frame[column]
        entry: dict[str, Any] = {
            "dtype": str(series.dtype),
            "missing": int(series.isna().sum()),
            "unique": int(series.nunique(dropna=True)),
        }
        if pd.api.types.is_numeric_dtype(series) and series.notna().any():
            q = series.quantile([0.0, 0.25, 0.5, 0.75, 1.0]).to_numpy()
            entry.update(
                mean=round(float(series.mean()), 6),
                std=round(float(series.std()), 6) if series.count() > 1 else 0.0,
                min=round(float(q[0]), 6),
                p25=round(float(q[1]), 6),
                median=round(float(q[2]), 6),
                p75=round(float(q[3]), 6),
                max=round(float(q[4]), 6),
            )
        else:
            counts = series.astype(str).value_counts().head(10)
            entry["top"] = {str(k): int(v) for k, v in sorted(counts.items())}
        columns[str(column)] = entry
    return {"rows": len(frame), "columns": columns}


def quality_checks(frame: pd.DataFrame, requirements: RequirementsSpec, target: str, positive: Any) -> dict[str, Any]:
    rules = requirements.data_rules.quality
    features = [c for c in frame.columns if c != target and c not in requirements.data_rules.id_columns]
    missing_by_column = frame[features].isna().mean() if len(frame) else pd.Series(0.0, index=features)
    worst = str(missing_by_column.idxmax()) if len(features) else ""
    measured = {
        "rows": float(len(frame)),
        # The worst column counts: 40 % missing in one field is a defect even if the table is 95 % full.
        "missing_share": round(float(missing_by_column.max()) if len(features) else 0.0, 6),
        "duplicate_share": round(float(frame.duplicated().sum()) / max(1, len(frame)), 6),
        "out_of_range_share": round(
            float(out_of_range_mask(frame, requirements.data_rules.valid_ranges).sum()) / max(1, len(frame)), 6
        ),
        "event_rate": round(float(labels(frame, target, positive).mean()) if len(frame) else 0.0, 6),
    }
    checks = [
        ("min_rows", measured["rows"] >= rules.min_rows, f"rows {int(measured['rows'])} >= {rules.min_rows}"),
        ("missing_share", measured["missing_share"] <= rules.max_missing_share,
         f"missing share of the worst column ({worst}) {measured['missing_share']} <= {rules.max_missing_share}"),
        ("duplicate_share", measured["duplicate_share"] <= rules.max_duplicate_share,
         f"duplicate share {measured['duplicate_share']} <= {rules.max_duplicate_share}"),
        ("out_of_range_share", measured["out_of_range_share"] <= rules.max_out_of_range_share,
         f"out-of-range share {measured['out_of_range_share']} <= {rules.max_out_of_range_share}"),
        ("event_rate", measured["event_rate"] >= rules.min_event_rate,
         f"event rate {measured['event_rate']} >= {rules.min_event_rate}"),
    ]
    return {
        "measured": measured,
        "checks": [{"check": name, "passed": bool(ok), "rule": text} for name, ok, text in checks],
        "passed": all(ok for _, ok, _ in checks),
    }


def feature_frame(frame: pd.DataFrame, spec: TransformSpec, target: str, positive: Any) -> pd.DataFrame:
    features = transform(frame, spec).reset_index(drop=True)
    features[LABEL] = labels(frame, target, positive)
    return features


def run(ctx: RunContext, requirements: RequirementsSpec, data: ScenarioData, rules_path: str) -> DataEngineeringResult:
    target, positive = data.target, data.positive_label

    # PA.2.step1: batch extract and stream micro-batches land in data/raw/.
    batch_path = write_csv(ctx, "data/raw/batch.csv", data.batch)
    acquired_at = ctx.now_iso()
    sources = [ctx.ref(rules_path)]
    if data.source_file is not None:
        from mlops_audit.evidence.trail import external_ref

        sources.append(external_ref(data.source_file, name=data.source_file.name))
    ctx.record(
        "PA.2.step1", "ingest_batch", ROLE, STAGE,
        inputs=sources,
        outputs=[batch_path],
        # The traceability items of JR/T 0221-2021 6.4 (time, source, volume, storage, checksum,
        # sampling): the batch is taken whole, so the sampling method is "none".
        params={"source": data.description, "format": "csv", "columns": [str(c) for c in data.batch.columns],
                "acquired_at": acquired_at, "storage_ref": batch_path, "sha256": sha256_file(ctx.run_dir / batch_path),
                "sampling": "none: every row of the batch is ingested"},
        metrics={"rows": float(len(data.batch)), "row_count": float(len(data.batch))},
    )
    stream_paths = [write_csv(ctx, f"data/raw/stream/part-{i:03d}.csv", part) for i, part in enumerate(data.stream)]
    ctx.record(
        "PA.2.step1", "ingest_stream_micro_batches", ROLE, STAGE,
        outputs=stream_paths,
        params={"micro_batches": len(stream_paths), "mode": "simulated stream, one file per micro-batch"},
        metrics={"rows": float(sum(len(p) for p in data.stream))},
    )
    raw = pd.concat([data.batch, *data.stream], ignore_index=True)
    if target not in raw.columns:
        raise StageFailed(f"data/raw/batch.csv: target column {target!r} missing after ingest")

    # PA.2.step2: profile and quality gate.
    report = quality_checks(raw, requirements, target, positive)
    report["profile"] = profile(raw)
    profile_path = ctx.write_json("data/profile.json", report)
    failed = [c["rule"] for c in report["checks"] if not c["passed"]]
    ctx.record(
        "PA.2.step2", "profile_and_quality_check", ROLE, STAGE,
        inputs=[ctx.ref(batch_path), *[ctx.ref(p) for p in stream_paths]],
        outputs=[profile_path],
        metrics=report["measured"],
        decision={"verdict": "pass" if not failed else "fail", "failed_checks": failed},
    )
    if failed:
        raise StageFailed(f"data quality gate failed (see data/profile.json): {'; '.join(failed)}")

    # PA.2.step3: clean and transform by the declared rules.
    rules = requirements.data_rules
    try:
        cleaned = clean(raw, rules, target)
        spec = fit_transform_spec(cleaned.clean, rules, target)
    except SchemaError as exc:
        raise InputError(f"{data.description} does not fit the data rules of {ctx.config.requirements}: {exc}") from None
    clean_path = write_csv(ctx, "data/clean.csv", cleaned.clean)
    quarantine_path = write_csv(ctx, "data/quarantine.csv", cleaned.quarantine)
    spec_path = ctx.write_json("data/transform.json", spec.model_dump())
    ctx.record(
        "PA.2.step3", "clean_and_transform", ROLE, STAGE,
        inputs=[ctx.ref(batch_path), ctx.ref(rules_path)],
        outputs=[clean_path, quarantine_path, spec_path],
        params={"cleaning": rules.cleaning.model_dump(), "valid_ranges": {k: list(v) for k, v in rules.valid_ranges.items()}},
        metrics={
            "rows_in": float(len(raw)),
            "rows_clean": float(len(cleaned.clean)),
            "rows_quarantined": float(len(cleaned.quarantine)),
            "duplicates_removed": float(cleaned.duplicates_removed),
            "values_imputed": float(sum(cleaned.imputed.values())),
        },
    )

    # PA.2.step4: features into the versioned feature store.
    features = feature_frame(cleaned.clean, spec, target, positive)
    store = FeatureStore(ctx.run_dir / "features")
    version = store.put(FEATURE_SET, features, lineage={"source": "data/clean.csv", "transform": spec_path, "window": "development"})
    ctx.record(
        "PA.2.step4", "build_features", ROLE, STAGE,
        inputs=[ctx.ref(clean_path), ctx.ref(spec_path)],
        outputs=[f"features/{version.path}", "features/index.json"],
        params={"feature_set": FEATURE_SET, "version": version.version, "features": spec.feature_names},
        metrics={"rows": float(version.rows), "features": float(len(spec.feature_names))},
    )
    return DataEngineeringResult(spec=spec, spec_path=spec_path, feature_version=version)


def store_window_features(
    ctx: RunContext, window: pd.DataFrame, spec: TransformSpec, target: str, positive: Any, *, name: str
) -> FeatureVersion:
    """Transform a labelled production window with the production transform into a new store version."""
    features = feature_frame(window, spec, target, positive)
    return FeatureStore(ctx.run_dir / "features").put(
        FEATURE_SET, features, lineage={"source": f"monitoring window {name}", "transform": "data/transform.json", "window": name}
    )
