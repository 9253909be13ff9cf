"""Helpers for detectors that look for library calls in Python code and notebooks."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.evidence.repo.model import Location
from mlops_audit.evidence.repo.pysource import Call, PythonSummary
from mlops_audit.evidence.repo.registry import at


# Tests and their fixture data exercise a library; they do not show the project running the practice.
_TEST_PATH = re.compile(
    r"(^|/)(tests?|testing|testdata|test_?data|test_?resources|fixtures|__tests__|e2e)/"
    r"|(^|/)(test_[^/]*|[^/]*_test)\.(py|ipynb)$|(^|/)conftest\.py$",
    re.IGNORECASE,
)


def is_test_path(path: str) -> bool:
    return bool(_TEST_PATH.search(path))


def call_hits(
    repo: RepoIndex, needles: Iterable[str], prefixes: Iterable[str], *, include_tests: bool = False
) -> list[tuple[PythonSummary, Call]]:
    """Calls resolved under any of `prefixes`, in files whose code mentions any of `needles`."""
    prefixes = tuple(prefixes)
    return matching(repo, needles, lambda summary: summary.calls_to(*prefixes), include_tests=include_tests)


def matching(
    repo: RepoIndex,
    needles: Iterable[str],
    predicate: Callable[[PythonSummary], list[Call]],
    *,
    include_tests: bool = False,
) -> list[tuple[PythonSummary, Call]]:
    """(file, call) for every call `predicate` picks in files mentioning a needle; test code is left
    out unless `include_tests` (data checks written as tests are still data checks)."""
    hits = []
    for summary in repo.python_mentioning(*needles):
        if not include_tests and is_test_path(summary.path):
            continue
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
