"""Shared by the rubric tests: walking a rubric model for its bilingual texts."""

from __future__ import annotations

from pydantic import BaseModel

from mlops_audit.rubric.model import Text


def rubric_texts(obj: object, where: str) -> list[tuple[str, Text]]:
    """Every bilingual Text inside a model, with a readable path to it."""
    if isinstance(obj, Text):
        return [(where, obj)]
    found: list[tuple[str, Text]] = []
    if isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            found += rubric_texts(getattr(obj, name), f"{where}.{name}")
    elif isinstance(obj, (list, tuple)):
        for i, item in enumerate(obj):
            label = getattr(item, "id", None) or getattr(item, "value", None) or i
            found += rubric_texts(item, f"{where}[{label}]")
    elif isinstance(obj, dict):
        for key, item in obj.items():
            found += rubric_texts(item, f"{where}[{key}]")
    return found
