"""Declared dependencies, read as hints: `evidently` in requirements.txt suggests monitoring.

A declared dependency is never evidence (a package in a list proves nothing is done with it): the
collector attaches the hints to the findings of the kinds the catalogue says the tool serves, and
`questionnaire export --prefill` shows them to a person as a low-confidence "maybe" where the
detector found nothing; no detector passes on them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from mlops_audit.evidence.repo.catalogue import dependency_hints
from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.evidence.repo.model import Kind

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._\-]*)")
MAX_HINTS_PER_KIND = 5


def _requirement_names(repo: RepoIndex) -> Iterator[tuple[str, str, int | None]]:
    for path in repo.glob("**/requirements*.txt", "**/requirements/*.txt"):
        for number, line in repo.meaningful_lines(path):
            match = _NAME.match(line) if not line.startswith("-") else None
            if match:
                yield match.group(1), path, number
    for path in repo.glob("**/pyproject.toml"):
        data = repo.toml(path) or {}
        project = data.get("project") if isinstance(data.get("project"), dict) else {}
        entries = list(project.get("dependencies") or [])
        for extra in (project.get("optional-dependencies") or {}).values() if isinstance(project.get("optional-dependencies"), dict) else []:
            entries += list(extra or [])
        poetry = (data.get("tool") or {}).get("poetry") if isinstance(data.get("tool"), dict) else None
        if isinstance(poetry, dict) and isinstance(poetry.get("dependencies"), dict):
            entries += list(poetry["dependencies"])
        for entry in entries:
            match = _NAME.match(entry) if isinstance(entry, str) else None
            if match:
                yield match.group(1), path, None
    for path in repo.glob("**/environment*.yml", "**/environment*.yaml", "**/conda.yaml"):
        doc = repo.yaml(path)
        deps = doc.data.get("dependencies") if doc is not None and isinstance(doc.data, dict) else None
        for dep in deps if isinstance(deps, list) else []:
            items = dep.get("pip") if isinstance(dep, dict) else [dep]
            for item in items if isinstance(items, list) else []:
                match = _NAME.match(item) if isinstance(item, str) else None
                if match:
                    yield match.group(1), path, None


def hints_by_kind(repo: RepoIndex) -> dict[Kind, list[str]]:
    """Kind -> "package (path[:line])" for declared dependencies the catalogue knows, first few each."""
    declared = list(_requirement_names(repo))
    where = {}
    for name, path, line in declared:
        where.setdefault(name, f"{path}:{line}" if line else path)
    out: dict[Kind, list[str]] = {}
    for hint in dependency_hints(name for name, _, _ in declared):
        for kind in hint.kinds:
            entries = out.setdefault(kind, [])
            text = f"{hint.package} ({where[hint.package]})"
            if len(entries) < MAX_HINTS_PER_KIND and text not in entries:
                entries.append(text)
    return out
