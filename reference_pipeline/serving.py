"""Model serving code shipped in every deployment package (copied verbatim as `serving.py`).

`ScoringService` serves one package folder. Before anything is loaded it checks every file of the
package against `MANIFEST.json` (and the manifest against the digest the deployment recorded), so a
package changed after CI is refused; the model itself goes through `registry.load_verified`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlops_audit.util.jsonio import sha256_file

from reference_pipeline.features import TransformSpec, transform
from reference_pipeline.registry import ModelIntegrityError, load_verified

MANIFEST = "MANIFEST.json"
MODEL_FILE = "model.skops"
TRANSFORM_FILE = "transform.json"


class ScoringService:
    def __init__(self, package_dir: Path, manifest_sha256: str | None = None) -> None:
        self.package_dir = Path(package_dir)
        manifest_path = self.package_dir / MANIFEST
        if manifest_sha256 is not None and sha256_file(manifest_path) != manifest_sha256:
            raise ModelIntegrityError(f"package {self.package_dir}: {MANIFEST} differs from the deployed digest")
        self.manifest: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
        for name, digest in sorted(self.manifest["files"].items()):
            if "/" in name or "\\" in name or name.startswith("."):
                raise ModelIntegrityError(f"package {self.package_dir}: {MANIFEST} names {name!r}, not a file of the package")
            path = self.package_dir / name
            if not path.is_file() or sha256_file(path) != digest:
                raise ModelIntegrityError(f"package {self.package_dir}: {name} is missing or differs from {MANIFEST}")
        self.spec = TransformSpec.model_validate_json((self.package_dir / TRANSFORM_FILE).read_text(encoding="utf-8"))
        self.model = load_verified(self.package_dir / MODEL_FILE, self.manifest["files"][MODEL_FILE])

    def score(self, requests: pd.DataFrame) -> np.ndarray:
        """Probability of the positive class per request; raises features.SchemaError on bad input."""
        features = transform(requests, self.spec)
        return np.asarray(self.model.predict_proba(features)[:, 1], dtype=float)

    def reference_values(self) -> dict[str, Any]:
        """The reference each input is compared with for reason codes: the training median of a
        numeric input, the first declared category of a categorical one."""
        values: dict[str, Any] = {c: self.spec.medians[c] for c in self.spec.numeric}
        values.update({c: categories[0] for c, categories in self.spec.categorical.items()})
        return values

    def reason_codes(self, requests: pd.DataFrame, top: int = 3) -> tuple[np.ndarray, list[list[dict[str, Any]]]]:
        """Scores and, per request, its reason codes: the inputs that raise its score most.

        Baseline substitution (model-agnostic): each input in turn is set to its reference value and
        the drop in score is that input's contribution; the reason codes are the inputs with a
        positive contribution, largest first, at most `top`. One batched scoring call per input.
        """
        requests = requests[self.spec.input_columns].reset_index(drop=True)
        base = self.score(requests)
        reference = self.reference_values()
        columns = self.spec.input_columns
        variants = []
        for column in columns:
            variant = requests.copy()
            variant[column] = reference[column]
            variants.append(variant)
        substituted = self.score(pd.concat(variants, ignore_index=True)).reshape(len(columns), len(requests))
        contributions = base[np.newaxis, :] - substituted
        codes = []
        for i in range(len(requests)):
            ranked = sorted(((float(contributions[j, i]), column) for j, column in enumerate(columns) if contributions[j, i] > 0), reverse=True)
            codes.append([{"input": column, "contribution": round(value, 6)} for value, column in ranked[:top]])
        return base, codes

    def score_features(self, features: pd.DataFrame) -> np.ndarray:
        """Score rows that are already features (replays of stored feature sets)."""
        return np.asarray(self.model.predict_proba(features[self.spec.feature_names])[:, 1], dtype=float)
