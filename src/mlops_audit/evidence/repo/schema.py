"""The published JSON Schema of `mlops-audit collect --format json` output, generated from the model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlops_audit import paths
from mlops_audit.evidence.repo.model import CollectionResult
from mlops_audit.util.jsonio import pretty_json, write_json

SCHEMA_FILE = "collection.schema.json"
SCHEMA_ID = "https://mlops-audit.invalid/schema/collection.schema.json"


def collection_schema() -> dict[str, Any]:
    schema = CollectionResult.model_json_schema(mode="serialization")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def collection_schema_text() -> str:
    return pretty_json(collection_schema())


def write_collection_schema(target: Path | None = None) -> Path:
    """Regenerate rubrics/schema/collection.schema.json (run after changing the model)."""
    return write_json(target or paths.schema_dir() / SCHEMA_FILE, collection_schema())
