"""Unit tests: test functions that assert something, not files that are merely named like tests."""

from __future__ import annotations

import re

from mlops_audit.evidence.repo.catalogue import command_pattern, judged_by
from mlops_audit.evidence.repo.ciconfig import CiCommand, ci_run_commands
from mlops_audit.evidence.repo.index import RepoIndex, text_test
from mlops_audit.evidence.repo.model import Kind, Location
from mlops_audit.evidence.repo.registry import MAX_LOCATIONS, Observation, at, detector

_TEST_FILE = re.compile(r"(^|/)(test_[^/]*|[^/]*_test|tests?)\.(py|ipynb)$|(^|/)tests?/[^/]*\.(py|ipynb)$|(^|/)tests?/.*\.py$")


def test_files(repo: RepoIndex) -> list[str]:
    return [f for f in repo.python_files() if "test" in f and _TEST_FILE.search(f)]  # every match holds "test"


_VENDORED = re.compile(r"(^|/)(site-packages|node_modules|\.?venv|\.tox|build|dist)/")
_RELATIVE_IMPORT = re.compile(r"^[^\S\n]*from\s+\.", re.MULTILINE)
_SCRIPT_NAME = re.compile(r"([A-Za-z_]\w{2,})\.py\b")  # `python train.py`, `runpy.run_path("src/train.py")`


def project_modules(repo: RepoIndex) -> frozenset[str]:
    """Names a test would import this repository's code by: every folder holding Python code and
    every module's name (tests, hidden and vendored folders left out)."""
    def compute() -> frozenset[str]:
        names: set[str] = set()
        for path in repo.python_files():
            if path.endswith(".ipynb") or _TEST_FILE.search(path) or _VENDORED.search(path):
                continue
            parts = path.split("/")
            names.update(p for p in parts[:-1] if p and not p.startswith("."))
            names.add(parts[-1].rsplit(".", 1)[0])
        return frozenset(names - {"tests", "test", "__init__", "conftest", "setup"})
    return repo.memo("project_modules", compute)  # type: ignore[no-any-return]


def lesson_modules(repo: RepoIndex) -> frozenset[str]:
    """Dotted paths of the Python code left out as learning material (`lab1.features`, `lab1`; with a
    `src/` layout also without it). Tests are upkeep, judged as a fact of the repository
    (conventions.md §4): a course's or template's root test that imports its own lesson code tests
    this repository's code. Matched by the whole dotted path, not a first name (a lesson's `utils`
    is not any `utils`)."""
    def compute() -> frozenset[str]:
        if repo.count_learning_material:
            return frozenset()  # nothing was left out
        found: set[str] = set()
        for path in repo.stats.learning.left_out:
            if not path.endswith(".py") or _TEST_FILE.search(path) or _VENDORED.search(path):
                continue
            parts = path[:-3].split("/")
            if parts[-1] == "__init__":
                parts = parts[:-1]
            for start in (0, 1) if parts and parts[0] == "src" else (0,):
                found.update(".".join(parts[start:end]) for end in range(start + 1, len(parts) + 1))
        return frozenset(found)
    return repo.memo("lesson_modules", compute)  # type: ignore[no-any-return]


def _calls_project(repo: RepoIndex, path: str, modules: frozenset[str], imports: dict[str, int | None]) -> bool:
    """Rule `test calls project code`: the test file imports a module of this repository (absolute or
    relative; code left out as learning material by its whole dotted path), or runs one of its
    scripts (`python train.py`)."""
    if _imports_project(repo, modules, imports):
        return True
    text = repo.text(path) or ""
    if _RELATIVE_IMPORT.search(text) or any(name in modules for name in _SCRIPT_NAME.findall(text)):
        return True
    return _conftest_reaches_project(repo, path.rpartition("/")[0], modules)


def _imports_project(repo: RepoIndex, modules: frozenset[str], imports: dict[str, int | None]) -> bool:
    if any(m.split(".", 1)[0] in modules for m in imports):
        return True
    lessons = lesson_modules(repo)
    return bool(lessons) and any(m in lessons for m in imports)


def _conftest_reaches_project(repo: RepoIndex, folder: str, modules: frozenset[str]) -> bool:
    """pytest loads every `conftest.py` from a test file's folder up to the root before its tests
    run, and their fixtures are how many tests reach the code (a template's tests bake it there): a
    conftest that imports this repository's code makes the tests below it reach it too. Decided once
    per folder (memoised on the index, one value per folder so that a rule memo follows what each
    read: the test files of one folder share the answer), from the root side: a folder inherits its
    parent's answer (a loop over the folders: trees may be deep)."""
    reach = False
    parts = folder.split("/") if folder else []
    for depth in range(len(parts) + 1):
        current = "/".join(parts[:depth])
        reach = repo.memo(f"conftest_reaches_project:{current}", lambda current=current, parent=reach: _conftest_imports_project(repo, current, modules, parent))
    return reach


def _conftest_imports_project(repo: RepoIndex, folder: str, modules: frozenset[str], parent: bool) -> bool:
    conftest = f"{folder}/conftest.py" if folder else "conftest.py"
    summary = repo.python(conftest) if repo.exists(conftest) else None
    return parent or (summary is not None and _imports_project(repo, modules, summary.imports))


_TEST_RUNNERS = command_pattern(judged_by(Kind.unit_tests, "tests run in CI").ci_commands)


def _tests_run_in_ci(repo: RepoIndex) -> CiCommand | None:
    """Rule `tests run in CI`: the first CI command running a test runner, written in CI or reached
    through a task runner (`make test` > `pytest`). Reported beside the tests; not evidence alone."""
    return next((c for c in ci_run_commands(repo) if _TEST_RUNNERS.search(c.text)), None)


def _ci_note(repo: RepoIndex) -> str:
    command = _tests_run_in_ci(repo)
    if command is None:
        return ""
    match = _TEST_RUNNERS.search(command.text)
    runner = " ".join(match.group(1).split()) if match else command.text
    how = f" via {command.via}" if command.via else ""
    return f"; CI runs `{runner}`{how} ({command.ci_path or command.path})"


def _may_hold_tests(text: str) -> bool:
    """A text test (`index.text_test`): only a file with `def test` in its text can hold a test function."""
    return "def test" in text


@detector(
    id="has_unit_tests",
    upkeep=True,
    title="Does the repo have unit tests with assertions?",
    kind=Kind.unit_tests,
    remediation=(
        "Add tests (e.g. tests/test_features.py with pytest functions that assert on the outputs of data "
        "preparation, feature and model code) and run them in CI."
    ),
)
def has_unit_tests(repo: RepoIndex) -> Observation:
    """A test counts when it asserts something that is not a constant (`assert 1 + 1 == 2` checks
    nothing) in a file that imports or runs this repository's code."""
    files = test_files(repo)
    modules = project_modules(repo)
    holds_tests = text_test(_may_hold_tests)
    asserting: list[Location] = []
    hollow: list[Location] = []
    detached: list[Location] = []  # assert, but in files that never reach the project's code
    looked = 0
    calling_files = 0
    for path in files:
        if len(asserting) >= MAX_LOCATIONS:
            break  # enough to show: the remaining test files are not parsed
        looked += 1
        if not path.endswith(".ipynb") and not repo.passes(path, holds_tests):
            continue  # no test function can be in it: skip parsing
        summary = repo.python(path)
        if summary is None or not summary.tests:
            continue
        calls_project = _calls_project(repo, path, modules, summary.imports)
        calling_files += calls_project
        # Per-file facts (`pyfacts`): asserting helpers and constant-only tests need no syntax tree.
        helpers = set(summary.asserting_helpers)
        for test in summary.tests:
            if not test.asserts:
                # Without asserting helpers in the file no call can be one. Whether the test calls
                # one is a per-file fact (`helper_calling_tests`): a cached file's calls are not decoded.
                if not helpers or test.name not in summary.helper_calling_tests:
                    hollow.append(at(path, test.line))
                    continue
            elif test.name in summary.constant_only_tests:
                hollow.append(at(path, test.line))
                continue
            (asserting if calls_project else detached).append(at(path, test.line))
    with_tests = len({loc.path for loc in asserting + detached + hollow})
    if asserting:
        n_files = len({loc.path for loc in asserting})
        reach = f"{calling_files} of {with_tests} test files import or run this repository's code{_ci_note(repo)}"
        if looked < len(files):
            return Observation.passed(
                f"at least {len(asserting)} test function(s) with assertions, in {n_files} file(s); {reach}; the scan stopped "
                f"after {looked} of the {len(files)} test files",
                asserting,
            )
        return Observation.passed(f"{len(asserting)} test function(s) with assertions in {n_files} file(s); {reach}", asserting)
    if detached:
        return Observation.failed(
            f"{len(detached)} test function(s) assert, but none of their {with_tests} file(s) imports or runs this repository's code: "
            "they test nothing of the project",
            detached,
        )
    if files:
        detail = f"{len(hollow)} test function(s) assert nothing, or only constants" if hollow else "no test functions in them"
        return Observation.failed(f"{len(files)} file(s) are named like tests but {detail}", [at(f) for f in files])
    return Observation.failed("no test files (test_*.py, *_test.py, tests/) with test functions found")
