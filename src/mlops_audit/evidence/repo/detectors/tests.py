"""Unit tests: test functions that assert something, not files that are merely named like tests."""

from __future__ import annotations

import re

from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.evidence.repo.model import Kind
from mlops_audit.evidence.repo.registry import Observation, at, detector

_TEST_FILE = re.compile(r"(^|/)(test_[^/]*|[^/]*_test|tests?)\.(py|ipynb)$|(^|/)tests?/[^/]*\.(py|ipynb)$|(^|/)tests?/.*\.py$")


def test_files(repo: RepoIndex) -> list[str]:
    return [f for f in repo.python_files() if _TEST_FILE.search(f)]


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
    asserting = []
    hollow = []
    for path in files:
        code = repo.text(path) if not path.endswith(".ipynb") else "def test"
        if not code or "def test" not in code:
            continue  # no test function can be in it: skip parsing
        summary = repo.python(path)
        if summary is None:
            continue
        for test in summary.tests:
            (asserting if test.asserts else hollow).append(at(path, test.line))
    if asserting:
        n_files = len({loc.path for loc in asserting})
        return Observation.passed(f"{len(asserting)} test function(s) with assertions in {n_files} file(s)", asserting)
    if files:
        detail = f"{len(hollow)} test function(s) assert nothing" if hollow else "no test functions in them"
        return Observation.failed(f"{len(files)} file(s) are named like tests but {detail}", [at(f) for f in files])
    return Observation.failed("no test files (test_*.py, *_test.py, tests/) with test functions found")
