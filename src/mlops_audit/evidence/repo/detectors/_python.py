"""Helpers for detectors that look for library calls in Python code and notebooks."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import Generic, TypeVar

from mlops_audit.evidence.repo.index import RepoIndex, text_test
from mlops_audit.evidence.repo.model import Location
from mlops_audit.evidence.repo.pysource import Call, PythonSummary
from mlops_audit.evidence.repo.registry import MAX_LOCATIONS, at

T = TypeVar("T")


class Hits(Generic[T]):
    """Hits found on demand, in path order, each at most once.

    A detector mostly asks "is there any?" and "show me the first few": answering that pulls only
    as many hits as needed, so the files after them are neither read nor parsed when the evidence
    is plentiful (a repository with ten thousand tests needs a few parsed to prove it has tests).
    Iterating to the end, or `len`, still sees every hit.
    """

    def __init__(self, source: Iterable[T]) -> None:
        self._source: Iterator[T] | None = iter(source)
        self._seen: list[T] = []

    def _pull(self, wanted: int | None) -> None:
        while self._source is not None and (wanted is None or len(self._seen) < wanted):
            try:
                self._seen.append(next(self._source))
            except StopIteration:
                self._source = None

    def __bool__(self) -> bool:
        self._pull(1)
        return bool(self._seen)

    def __iter__(self) -> Iterator[T]:
        i = 0
        while True:
            self._pull(i + 1)
            if i >= len(self._seen):
                return
            yield self._seen[i]
            i += 1

    def __len__(self) -> int:
        self._pull(None)
        return len(self._seen)

    def head(self, n: int) -> list[T]:
        self._pull(n)
        return self._seen[:n]

    def exhausted_after(self, n: int) -> bool:
        """Whether there is nothing beyond the first `n` hits (pulls one more to know)."""
        self._pull(n + 1)
        return len(self._seen) <= n


# Tests and their fixture data exercise a library; they do not show the project running the practice.
# These names say "test" whatever the files hold: test runners' file conventions (`test_*.py`,
# `*_test.py`, `conftest.py`) and folders named for tests or their data.
_TEST_PATH = re.compile(
    r"(^|/)(tests?|testdata|test_?data|test_?resources|fixtures|__tests__|e2e)/"
    r"|(^|/)(test_[^/]*|[^/]*_test)\.(py|ipynb)$|(^|/)conftest\.py$",
    re.IGNORECASE,
)
# Session 15 (content, not folder names): `testing/` names tests in some projects (pytest's own
# layout, `testing/unit/test_*.py`) and trials in others (a region's training notebooks and feature
# functions under `testing/<region>/`). Such a folder is test code when what it holds is: a file
# named as a test (above) or Python code with a test function, a `Test...` class or a test framework
# import anywhere below it (`testing_folders_with_tests`); otherwise its files are the project's.
_TESTING_FOLDER = re.compile(r"(^|/)testing/", re.IGNORECASE)
_TEST_CONTENT = re.compile(
    r"^[^\S\n]*(?:async[^\S\n]+)?def[^\S\n]+test|^[^\S\n]*class[^\S\n]+Test|"
    r"^[^\S\n]*(?:import|from)[^\S\n]+(?:pytest|unittest|hypothesis|nose2?)\b",
    re.MULTILINE,
)
MAX_TESTING_FILES_READ = 200  # Python files of one `testing/` folder read to find a test (the rest: not tests)

# The index whose rules are running (`collect.run_detector` sets it): `is_test_path` asks it what a
# `testing/` folder holds. Outside a collection the folder's name decides, as before session 15.
_JUDGED: ContextVar[RepoIndex | None] = ContextVar("test_code_of", default=None)


@contextmanager
def judging(index: RepoIndex) -> Iterator[None]:
    """While rules run on `index`: `is_test_path` decides `testing/` folders by what they hold."""
    token = _JUDGED.set(index)
    try:
        yield
    finally:
        _JUDGED.reset(token)


@lru_cache(maxsize=1 << 17)
def _named_as_test(path: str) -> bool:
    return bool(_TEST_PATH.search(path))


@lru_cache(maxsize=1 << 17)
def _testing_folder(path: str) -> str | None:
    """The outermost `testing/` folder `path` lies in (`a/testing`), or None."""
    match = _TESTING_FOLDER.search(path)
    return path[: match.end() - 1] if match else None


def holds_test_code(text: str) -> bool:
    """A text test: a test function or class, or an import of a test framework."""
    return _TEST_CONTENT.search(text) is not None


def testing_folders_with_tests(repo: RepoIndex) -> frozenset[str]:
    """The `testing/` folders whose files (at any depth) include a test: one named as a test, or
    Python code holding a test function, a `Test` class or a test framework import (at most
    MAX_TESTING_FILES_READ files read per folder). Computed once per index."""

    def compute() -> frozenset[str]:
        repo.memo_ask("files", "")  # the raw index is asked (a `RecordingView` would record this itself)
        holds = text_test(holds_test_code)
        with_tests: set[str] = set()
        read: dict[str, int] = {}
        for path in repo.files:
            folder = _testing_folder(path)
            if folder is None or folder in with_tests:
                continue
            if _named_as_test(path):
                with_tests.add(folder)
            elif path.endswith((".py", ".ipynb")) and read.get(folder, 0) < MAX_TESTING_FILES_READ:
                read[folder] = read.get(folder, 0) + 1
                if repo.passes(path, holds):
                    with_tests.add(folder)
        return frozenset(with_tests)

    return repo.memo("testing_folders_with_tests", compute)  # type: ignore[no-any-return]


def is_test_path(path: str) -> bool:
    """Whether `path` is test code or test data: named as such, or inside a `testing/` folder that
    holds tests (while a collection runs; outside one, any `testing/` folder)."""
    if _named_as_test(path):
        return True
    folder = _testing_folder(path)
    if folder is None:
        return False
    repo = _JUDGED.get()
    return repo is None or folder in testing_folders_with_tests(repo)


def matching(
    repo: RepoIndex,
    needles: Iterable[str],
    predicate: Callable[[PythonSummary], list[Call]],
    *,
    include_tests: bool = False,
) -> Hits[tuple[PythonSummary, Call]]:
    """(file, call) for every call `predicate` picks in files mentioning a needle, found lazily;
    test code is left out unless `include_tests` (data checks written as tests are still data checks)."""

    own = own_tool_packages(repo)

    def found() -> Iterator[tuple[PythonSummary, Call]]:
        candidates = repo.python_mentioning(*needles)
        for summary in candidates if include_tests else candidates.keeping(lambda path: not is_test_path(path)):  # tests never parsed
            if not include_tests and is_test_path(summary.path):
                continue
            for call in predicate(summary):
                if own and call.name.split(".", 1)[0] in own:
                    continue  # the repository is this library: using its own API is not practising it
                yield summary, call

    return Hits(found())


_PACKAGE_INIT = re.compile(r"^(?:src/)?([A-Za-z_][A-Za-z0-9_]*)/__init__\.py$")


def own_tool_packages(repo: RepoIndex) -> frozenset[str]:
    """Top-level packages this repository defines (`pkg/__init__.py` or `src/pkg/__init__.py`) that
    are a catalogue tool's own module: the repository *is* that library (evidently, mlflow...), and
    its examples and tests calling its API do not show the project practising what it implements."""

    def compute() -> frozenset[str]:
        from mlops_audit.evidence.repo.catalogue import tool_roots

        defined = {m.group(1) for p in repo.files if (m := _PACKAGE_INIT.match(p))}
        return frozenset(defined & tool_roots())

    return repo.memo("own_tool_packages", compute)  # type: ignore[no-any-return]


def locations(hits: Iterable[tuple[PythonSummary, Call]]) -> list[Location]:
    """Where the first hits are (a finding shows at most MAX_LOCATIONS places)."""
    shown = hits.head(MAX_LOCATIONS) if isinstance(hits, Hits) else list(hits)[:MAX_LOCATIONS]
    return [at(s.path, c.line) for s, c in shown]


def describe(hits: Iterable[tuple[PythonSummary, Call]], limit: int = 3) -> str:
    """The first few distinct call names among the hits shown; "and more" when there are others."""
    shown = hits.head(MAX_LOCATIONS) if isinstance(hits, Hits) else list(hits)
    names: list[str] = []
    for _, call in shown:
        if call.name not in names:
            names.append(call.name)
    text = ", ".join(n if " " in n else f"{n}()" for n in names[:limit])
    if len(names) > limit:
        text += f" and {len(names) - limit} more"
    if isinstance(hits, Hits) and not hits.exhausted_after(MAX_LOCATIONS):
        text += f" (the scan stopped after {MAX_LOCATIONS} calls)"
    return text
