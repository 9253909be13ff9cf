"""Helpers for detectors that look for library calls in Python code and notebooks."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.evidence.repo.model import Location
from mlops_audit.evidence.repo.pysource import Call, PythonSummary
from mlops_audit.evidence.repo.registry import at


def call_hits(
    repo: RepoIndex, needles: Iterable[str], prefixes: Iterable[str]
) -> list[tuple[PythonSummary, Call]]:
    """Calls resolved under any of `prefixes`, in files whose code mentions any of `needles`."""
    prefixes = tuple(prefixes)
    hits = []
    for summary in repo.python_mentioning(*needles):
        for call in summary.calls_to(*prefixes):
            hits.append((summary, call))
    return hits


def matching(
    repo: RepoIndex, needles: Iterable[str], predicate: Callable[[PythonSummary], list[Call]]
) -> list[tuple[PythonSummary, Call]]:
    hits = []
    for summary in repo.python_mentioning(*needles):
        for call in predicate(summary):
            hits.append((summary, call))
    return hits


def locations(hits: Iterable[tuple[PythonSummary, Call]]) -> list[Location]:
    return [at(s.path, c.line) for s, c in hits]


def describe(hits: list[tuple[PythonSummary, Call]], limit: int = 3) -> str:
    names = []
    for _, call in hits:
        if call.name not in names:
            names.append(call.name)
    shown = ", ".join(n if " " in n else f"{n}()" for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")
