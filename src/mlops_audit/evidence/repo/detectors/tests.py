"""Unit tests: test functions that assert something, not files that are merely named like tests."""

from __future__ import annotations

import ast
import re

from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.evidence.repo.model import Kind, Location
from mlops_audit.evidence.repo.registry import MAX_LOCATIONS, Observation, at, detector

_TEST_FILE = re.compile(r"(^|/)(test_[^/]*|[^/]*_test|tests?)\.(py|ipynb)$|(^|/)tests?/[^/]*\.(py|ipynb)$|(^|/)tests?/.*\.py$")


def test_files(repo: RepoIndex) -> list[str]:
    return [f for f in repo.python_files() if "test" in f and _TEST_FILE.search(f)]  # every match holds "test"


def _asserting_helpers(repo: RepoIndex, path: str) -> set[str]:
    """Functions of a test module that are not tests but assert (`verify_files(...)` called by a
    test): a test calling one asserts through it."""
    from mlops_audit.evidence.repo.detectors import _inhouse

    module = _inhouse.tree(repo, path)
    if module is None:
        return set()
    return {
        func.name for _, func in _inhouse.functions(module)
        if not func.name.startswith("test") and any(isinstance(n, ast.Assert) for n in ast.walk(func))
    }


@detector(
    id="has_unit_tests",
    title="Does the repo have unit tests with assertions?",
    kind=Kind.unit_tests,
    remediation=(
        "Add tests (e.g. tests/test_features.py with pytest functions that assert on the outputs of data "
        "preparation, feature and model code) and run them in CI."
    ),
)
def has_unit_tests(repo: RepoIndex) -> Observation:
    files = test_files(repo)
    asserting: list[Location] = []
    hollow: list[Location] = []
    looked = 0
    for path in files:
        if len(asserting) >= MAX_LOCATIONS:
            break  # enough to show: the remaining test files are not parsed
        looked += 1
        code = repo.text(path) if not path.endswith(".ipynb") else "def test"
        if not code or "def test" not in code:
            continue  # no test function can be in it: skip parsing
        summary = repo.python(path)
        if summary is None:
            continue
        helpers: set[str] | None = None
        for test in summary.tests:
            if not test.asserts:
                helpers = _asserting_helpers(repo, path) if helpers is None else helpers
                calls = {c.name.rsplit(".", 1)[-1] for c in summary.calls if c.scope == test.name}
                if not calls & helpers:
                    hollow.append(at(path, test.line))
                    continue
            asserting.append(at(path, test.line))
    if asserting:
        n_files = len({loc.path for loc in asserting})
        if looked < len(files):
            return Observation.passed(
                f"at least {len(asserting)} test function(s) with assertions, in {n_files} file(s); the scan stopped "
                f"after {looked} of the {len(files)} test files",
                asserting,
            )
        return Observation.passed(f"{len(asserting)} test function(s) with assertions in {n_files} file(s)", asserting)
    if files:
        detail = f"{len(hollow)} test function(s) assert nothing" if hollow else "no test functions in them"
        return Observation.failed(f"{len(files)} file(s) are named like tests but {detail}", [at(f) for f in files])
    return Observation.failed("no test files (test_*.py, *_test.py, tests/) with test functions found")
