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


def canonical_skops(data: bytes) -> bytes:
    """The same skops file, written byte-reproducibly.

    skops names array members and `__id__` memo keys after `id()` of the objects and stamps zip
    entries with the current time, so two dumps of one model differ (reference notes §6). Here
    every such id is renumbered 1, 2, ... in the order of a sorted-key walk of schema.json (a
    bijection, so equal ids stay equal and distinct ids stay distinct), members are written in
    sorted order with a fixed timestamp, and schema.json is re-serialised with sorted keys. Only
    our own freshly dumped bytes pass through here; loading still goes through the digest and the
    trusted-type check. The result is verified by loading it (see `dump_model`).
    """
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    schema = json.loads(source.read("schema.json"))
    renumber: dict[int, int] = {}

    def new_id(old: int) -> int:
        if old not in renumber:
            renumber[old] = len(renumber) + 1
        return renumber[old]

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            out = {}
            for key in sorted(node):
                value = node[key]
                if key == "__id__" and isinstance(value, int):
                    out[key] = new_id(value)
                elif key == "file" and isinstance(value, str) and value.split(".", 1)[0].isdigit():
                    stem, _, suffix = value.partition(".")
                    out[key] = f"{new_id(int(stem))}.{suffix}"
                else:
                    out[key] = walk(value)
            return out
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    canonical_schema = walk(schema)
    members: dict[str, bytes] = {"schema.json": json.dumps(canonical_schema, sort_keys=True, indent=2).encode("utf-8")}
    for info in source.infolist():
        if info.filename == "schema.json":
            continue
        stem, _, suffix = info.filename.partition(".")
        if not stem.isdigit() or int(stem) not in renumber:
            raise ModelIntegrityError(f"skops file member {info.filename!r} is not referenced by schema.json")
        members[f"{renumber[int(stem)]}.{suffix}"] = source.read(info)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as target:
        for name in sorted(members):
            entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, members[name])
    return buffer.getvalue()


def dump_model(model: Any, path: Path, probe: Any = None) -> str:
    """Write `model` with skops, canonicalised (atomically); return the SHA-256 of the bytes written.

    The canonical bytes are loaded back (with the pinned trusted types) and, when `probe` rows are
    given, must predict exactly as the model in memory does, or nothing is written.
    """
    import skops.io as sio

    from mlops_audit.util.jsonio import atomic_write_bytes

    data = canonical_skops(sio.dumps(model))
    found = sorted(sio.get_untrusted_types(data=data))
    refused = sorted(set(found) - set(TRUSTED_TYPES))
    if refused:
        raise ModelIntegrityError(f"model of type {type(model).__name__} needs untrusted types {refused}")
    restored = sio.loads(data, trusted=found)
    if probe is not None:
        import numpy as np

        if not np.array_equal(restored.predict_proba(probe), model.predict_proba(probe)):
            raise ModelIntegrityError(f"canonical skops form of {type(model).__name__} predicts differently")
    atomic_write_bytes(path, data)
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

    def register(self, name: str, model: Any, *, probe: Any = None, **meta: Any) -> ModelVersion:
        index = self._index()
        existing = index.setdefault(name, [])
        version = len(existing) + 1
        relative = f"models/{name}/v{version}.skops"
        digest = dump_model(model, self.root / relative, probe)
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
