"""Catalogue evidence that needs the repository: definition files recognised by their keys."""

from __future__ import annotations

from mlops_audit.evidence.repo.catalogue import Grade, Tool, files_for
from mlops_audit.evidence.repo.detectors._python import is_test_path
from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.evidence.repo.model import Kind, Location
from mlops_audit.evidence.repo.registry import MAX_LOCATIONS, at

MAX_DEFINITION_BYTES = 2 * 1024 * 1024


def definition_files(repo: RepoIndex, kind: Kind, grade: Grade | None = None) -> list[tuple[Tool, Location]]:
    """Files the catalogue's `files` rules recognise for `kind`: their parsed top level (JSON, or
    YAML for .yaml/.yml) has every key the rule names. Test fixtures do not count."""
    found: list[tuple[Tool, Location]] = []
    seen: set[str] = set()
    for tool, rule in files_for(kind, grade):
        for path in repo.glob(rule.glob, ignore_case=True):
            if path in seen or is_test_path(path) or repo.size(path) > MAX_DEFINITION_BYTES:
                continue
            if path.lower().endswith((".yaml", ".yml")):
                doc = repo.yaml(path)
                data = doc.data if doc is not None else None
            else:
                data = repo.json(path)
            if isinstance(data, dict) and all(key in data for key in rule.keys):
                seen.add(path)
                found.append((tool, at(path, 1)))
                if len(found) >= MAX_LOCATIONS:
                    return found
    return found
