"""Model registry: skops files whose SHA-256 is recorded at write time and checked before every load.

A model file whose digest does not match the recorded one is never handed to skops: `load_verified`
raises `ModelIntegrityError` first. After the digest, the file's untrusted types must all be in the
pinned `TRUSTED_TYPES` (reference notes §6); anything else is refused, never trusted on the fly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from mlops_audit.errors import AuditError
from mlops_audit.util.jsonio import sha256_file, write_json

# Types the bundled estimators need beyond skops' defaults (checked with skops 0.16, sklearn 1.9).
TRUSTED_TYPES: tuple[str, ...] = (
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.tree._tree.Tree",
)


class ModelIntegrityError(AuditError):
    """A model file that does not match its recorded digest or holds types outside the trusted list."""

    exit_code = 1


def dump_model(model: Any, path: Path) -> str:
    """Write `model` with skops (atomically) and return the SHA-256 of the bytes written."""
    import skops.io as sio

    from mlops_audit.util.jsonio import atomic_write_bytes

    atomic_write_bytes(path, sio.dumps(model))
    return sha256_file(path)


def untrusted_types(path: Path) -> list[str]:
    import skops.io as sio

    return sorted(sio.get_untrusted_types(file=path))


def load_verified(path: Path, expected_sha256: str) -> Any:
    """Load a skops model only if its bytes hash to `expected_sha256` and its types are trusted."""
    import skops.io as sio

    path = Path(path)
    try:
        actual = sha256_file(path)
    except OSError as exc:
        raise ModelIntegrityError(f"model file {path}: cannot be read ({exc.strerror or exc})") from None
    if actual != expected_sha256:
        raise ModelIntegrityError(
            f"model file {path}: sha256 {actual} does not match the recorded {expected_sha256}; refusing to load"
        )
    found = untrusted_types(path)
    refused = sorted(set(found) - set(TRUSTED_TYPES))
    if refused:
        raise ModelIntegrityError(f"model file {path}: types outside the trusted list {refused}; refusing to load")
    return sio.load(path, trusted=found)


class ModelVersion(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    version: int
    path: str  # relative to the registry root
    sha256: str
    algorithm: str
    params: dict[str, Any]
    metrics: dict[str, float]
    feature_version: str  # "<feature set>@<version>"
    code_digest: str
    untrusted_types: list[str]


class ModelRegistry:
    INDEX = "index.json"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _index(self) -> dict[str, list[dict[str, Any]]]:
        path = self.root / self.INDEX
        if not path.exists():
            return {}
        return json.loads(path.read_text(encoding="utf-8"))["models"]

    def versions(self, name: str) -> list[ModelVersion]:
        return [ModelVersion.model_validate(v) for v in self._index().get(name, [])]

    def get(self, name: str, version: int) -> ModelVersion:
        for entry in self.versions(name):
            if entry.version == version:
                return entry
        raise ModelIntegrityError(f"model registry {self.root}: no version {version} of model {name!r}")

    def register(self, name: str, model: Any, **meta: Any) -> ModelVersion:
        index = self._index()
        existing = index.setdefault(name, [])
        version = len(existing) + 1
        relative = f"models/{name}/v{version}.skops"
        digest = dump_model(model, self.root / relative)
        entry = ModelVersion(
            name=name,
            version=version,
            path=relative,
            sha256=digest,
            untrusted_types=untrusted_types(self.root / relative),
            **meta,
        )
        existing.append(entry.model_dump())
        write_json(self.root / self.INDEX, {"models": index, "schema": "reference-pipeline/model-registry/v1"})
        return entry

    def load(self, entry: ModelVersion) -> Any:
        return load_verified(self.root / entry.path, entry.sha256)
