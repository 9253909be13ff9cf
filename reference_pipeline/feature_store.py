"""A versioned, content-addressed feature store in plain files.

Each stored feature set version is one CSV file named by the SHA-256 of its bytes
(`objects/<sha256>.csv`); `index.json` lists, per feature set, its versions with digest, row count,
columns and lineage. Reading a version re-hashes the file and refuses a mismatch, so a version
number always means the same bytes.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict

from mlops_audit.errors import AuditError
from mlops_audit.util.jsonio import atomic_write_bytes, sha256_bytes, sha256_file, write_json


class FeatureStoreError(AuditError):
    exit_code = 1


class FeatureVersion(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    feature_set: str
    version: int
    sha256: str
    path: str  # relative to the store root
    rows: int
    columns: list[str]
    lineage: dict[str, Any]


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    # %.17g round-trips every float64 exactly, so a version read back equals the one written.
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, float_format="%.17g", lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


class FeatureStore:
    INDEX = "index.json"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _index(self) -> dict[str, list[dict[str, Any]]]:
        import json

        path = self.root / self.INDEX
        if not path.exists():
            return {}
        return json.loads(path.read_text(encoding="utf-8"))["feature_sets"]

    def versions(self, feature_set: str) -> list[FeatureVersion]:
        return [FeatureVersion.model_validate(v) for v in self._index().get(feature_set, [])]

    def put(self, feature_set: str, frame: pd.DataFrame, lineage: dict[str, Any]) -> FeatureVersion:
        data = to_csv_bytes(frame)
        digest = sha256_bytes(data)
        relative = f"objects/{digest}.csv"
        target = self.root / relative
        if not target.exists():
            atomic_write_bytes(target, data)
        index = self._index()
        existing = index.setdefault(feature_set, [])
        version = FeatureVersion(
            feature_set=feature_set,
            version=len(existing) + 1,
            sha256=digest,
            path=relative,
            rows=len(frame),
            columns=[str(c) for c in frame.columns],
            lineage=lineage,
        )
        existing.append(version.model_dump())
        write_json(self.root / self.INDEX, {"feature_sets": index, "schema": "reference-pipeline/feature-store/v1"})
        return version

    def get(self, feature_set: str, version: int) -> tuple[FeatureVersion, pd.DataFrame]:
        matches = [v for v in self.versions(feature_set) if v.version == version]
        if not matches:
            raise FeatureStoreError(f"feature store {self.root}: no version {version} of feature set {feature_set!r}")
        entry = matches[0]
        path = self.root / entry.path
        actual = sha256_file(path)
        if actual != entry.sha256:
            raise FeatureStoreError(
                f"feature store {self.root}: {entry.path} has sha256 {actual}, index says {entry.sha256}; refusing to read"
            )
        return entry, pd.read_csv(path)
