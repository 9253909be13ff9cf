"""A test helper: which files the index parses for a syntax tree (a tree-cache miss), not which
trees it hands out (per-file facts are computed from the tree a summary parse left in the cache)."""

from __future__ import annotations

import pytest

from mlops_audit.evidence.repo import index as index_module
from mlops_audit.evidence.repo.index import RepoIndex


def count_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From now on, the paths whose syntax tree the index had to parse, in order."""
    parsed: list[str] = []
    tree = RepoIndex.syntax_tree

    def counting(self: RepoIndex, rel: str):  # type: ignore[no-untyped-def]
        if self._trees.get(rel) is index_module._MISSING:
            parsed.append(rel)
        return tree(self, rel)

    monkeypatch.setattr(RepoIndex, "syntax_tree", counting)
    return parsed
