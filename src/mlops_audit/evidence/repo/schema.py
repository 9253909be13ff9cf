"""The published JSON Schema of `mlops-audit collect --format json` output.

Generated from `CollectionResult` by the project's one schema generator (`mlops_audit.schemas`),
so it is built the same way as every other published schema.
"""

from __future__ import annotations

from pathlib import Path

from mlops_audit import paths
from mlops_audit.util.jsonio import atomic_write_text

SCHEMA_FILE = "collection.schema.json"


def collection_schema_text() -> str:
    from mlops_audit import schemas

    return schemas.generate_all()[SCHEMA_FILE]


def published_schema_path() -> Path:
    return paths.schema_dir() / SCHEMA_FILE


def write_collection_schema(target: Path | None = None) -> Path:
    """Regenerate rubrics/schema/collection.schema.json (after changing the model)."""
    return atomic_write_text(target or published_schema_path(), collection_schema_text())
