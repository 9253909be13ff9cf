"""Unit tests: test functions that assert something, not files that are merely named like tests."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from mlops_audit.evidence.repo.catalogue import command_pattern, judged_by
from mlops_audit.evidence.repo.ciconfig import CiCommand, ci_run_commands
from mlops_audit.evidence.repo.detectors._batchscoring import DEMO_FOLDER
from mlops_audit.evidence.repo.detectors._jsroutes import workspace_packages
from mlops_audit.evidence.repo.detectors._python import is_test_path
from mlops_audit.evidence.repo.index import RepoIndex, text_test
from mlops_audit.evidence.repo.model import Kind, Location
from mlops_audit.evidence.repo.registry import MAX_LOCATIONS, Observation, at, detector

_TEST_FILE = re.compile(r"(^|/)(test_[^/]*|[^/]*_test|tests?)\.(py|ipynb)$|(^|/)tests?/[^/]*\.(py|ipynb)$|(^|/)tests?/.*\.py$")


def test_files(repo: RepoIndex) -> list[str]:
    """Test files by a test runner's naming convention (`tests_by_content` finds the others)."""
    return [f for f in repo.python_files() if "test" in f and _TEST_FILE.search(f)]  # every match holds "test"


# Rule `tests by content` (session 15): a test file is one that holds tests, wherever it lives and
# whatever its name (`qa/checks.py`, `validation/model_checks.py`): Python code importing a test
# framework (pytest, unittest, hypothesis) and defining test functions or `Test` classes, which that
# framework runs when pointed at the file (`pytest qa/checks.py`, `python -m unittest qa.checks`).
# Without the import, a `def test_...` in a file not named as a test is no runner's test.
TEST_FRAMEWORKS = ("pytest", "unittest", "hypothesis")


def tests_by_content(repo: RepoIndex) -> list[str]:
    def compute() -> list[str]:
        found = []
        candidates = repo.python_mentioning(*TEST_FRAMEWORKS).keeping(
            lambda path: not path.endswith(".ipynb") and not ("test" in path and _TEST_FILE.search(path)) and not _VENDORED.search(path)
        )
        for summary in candidates:
            if summary.tests and any(m.split(".", 1)[0] in TEST_FRAMEWORKS for m in summary.imports):
                found.append(summary.path)
        return found
    return repo.memo("tests_by_content", compute)  # type: ignore[no-any-return]


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
    return _conftest_reaches_project(repo, path.rpartition("/")[0], modules) or _calls_own_service(repo, text)


# Rule `test calls the project's service` (session 15): a test that sends HTTP requests to a port on
# this machine (`http://localhost:8000/predict`, `127.0.0.1:5000`) exercises whatever listens there;
# when the repository's own code or image binds that port (a server started with `port=8000` or
# `--port 8000`, a Dockerfile's `EXPOSE 8000`, a compose service built here publishing `8000:...`),
# the test exercises the project through its API, as a test client on the app object would.
_LOCAL_URL = re.compile(r"https?://(?:localhost|127\.0\.0\.1|0\.0\.0\.0)(?::(\d{2,5}))")
_PORT_BOUND = re.compile(
    r"(?:\bport\b[\"']?[^\S\n]*[=:,][^\S\n]*[\"']?|--port[=\s][^\S\n]*|\bEXPOSE[^\S\n]+|--bind[=\s][^\S\n]*[\w.]*:|\b-b[^\S\n]+[\w.]*:)(\d{2,5})\b",
    re.IGNORECASE,
)
_COMPOSE_NAME = re.compile(r"(^|/)(docker-)?compose[^/]*\.ya?ml$", re.IGNORECASE)
_SERVER_SCRIPTS = re.compile(r"(^|/)(Procfile|Makefile|[^/]+\.sh)$")
MAX_SERVER_FILE_BYTES = 256 * 1024


def _calls_own_service(repo: RepoIndex, text: str) -> bool:
    ports = {int(m.group(1)) for m in _LOCAL_URL.finditer(text)}
    return bool(ports) and not ports.isdisjoint(served_ports(repo))


def served_ports(repo: RepoIndex) -> frozenset[int]:
    """Ports the repository's own code, scripts or images bind (tests, examples and vendored code left out)."""

    def compute() -> frozenset[int]:
        ports: set[int] = set()
        files = [s.path for s in repo.python_mentioning("port").keeping(_own_code)]
        files += [p for p in repo.dockerfiles() if _own_code(p)]
        files += [p for p in repo.files if _SERVER_SCRIPTS.search(p) and _own_code(p)]
        for path in files:
            if repo.size(path) <= MAX_SERVER_FILE_BYTES:
                ports.update(int(m.group(1)) for m in _PORT_BOUND.finditer(repo.text(path) or ""))
        for path in repo.files:
            if _COMPOSE_NAME.search(path) and _own_code(path) and repo.size(path) <= MAX_SERVER_FILE_BYTES:
                ports.update(_compose_published_ports(repo, path))
        return frozenset(ports)

    return repo.memo("served_ports", compute)  # type: ignore[no-any-return]


def _own_code(path: str) -> bool:
    return not (is_test_path(path) or _VENDORED.search(path) or DEMO_FOLDER.search(path))


def _compose_published_ports(repo: RepoIndex, path: str) -> Iterator[int]:
    """Host ports of compose services built from this repository (`build:`): an `image:` of someone
    else's server (MLflow, a vector store) is not the project's service."""
    doc = repo.yaml(path)
    services = doc.data.get("services") if doc is not None and isinstance(doc.data, dict) else None
    for service in services.values() if isinstance(services, dict) else ():
        if not isinstance(service, dict) or not service.get("build"):
            continue
        for entry in service.get("ports") or [] if isinstance(service.get("ports"), list) else []:
            published = entry.get("published") if isinstance(entry, dict) else str(entry).rsplit(":", 1)[0].rsplit(":", 1)[-1]
            if str(published).isdigit():
                yield int(str(published))


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


# Rule `tests by ecosystem convention` (session 15, thin layer for other languages): each test
# framework finds its tests by a file convention - RSpec `spec/**/*_spec.rb`, Minitest
# `test/**/*_test.rb`, testthat `tests/testthat/test-*.R`, Jest/Vitest/Mocha `*.test.ts`, `*.spec.js`
# and `__tests__/`, Go `*_test.go`, JUnit/Kotlin `src/test/...` - and a test there asserts through the
# framework's expectations. A file counts when it holds a test case with an assertion that compares a
# value (a JS test whose only matchers are `toBeDefined`/`toBeTruthy`/`toBeInTheDocument` checks that
# something exists: a generated placeholder) and reaches the project's code the way that ecosystem does:
# Rails and Ruby load the project's `app/`/`lib/` code for specs, testthat runs beside the package's
# `R/` code, a JS test imports a module by a relative path or a project alias, a Go test is compiled
# with its folder's package, a JUnit test with its module's `src/main`. Tests of a project copied in
# (a folder whose package.json names another repository than the root's) are that project's.
# Session 16 (poly16), the conventions of the ecosystems not read before, each from its documentation:
# - JVM builds (Gradle "Building Java projects" / JVM Test Suite plugin, Maven standard directory
#   layout, sbt): a test source set is `src/<name>/<language>/` named `test`, `it` (sbt's and Maven
#   failsafe's integration tests) or `<something>Test` (`integrationTest`, Kotlin's `jvmTest`,
#   Android's `androidTest`), in Java, Kotlin, Scala or Groovy; its cases are JUnit/TestNG annotations
#   or the string-named cases of Kotest (`"name" { }`, `test("name")`), ScalaTest (`"x" should "y" in`,
#   `test("name")`), MUnit and Spock (`def "name"()`), asserting with assert*/assertThat/verify or the
#   matchers (`shouldBe`, `should be`, `mustBe`, Spock's `expect:`/`then:` blocks).
# - .NET (`dotnet new xunit|nunit|mstest`, "Unit testing in .NET"): a test project is a project file
#   referencing Microsoft.NET.Test.Sdk (or the MSTest.Sdk SDK); `dotnet test` runs its `[Fact]`/
#   `[Theory]` (xUnit), `[Test]`/`[TestCase]` (NUnit) and `[TestMethod]` (MSTest) methods, and it tests
#   the projects it names by `<ProjectReference>` (one of this repository's project files).
# - Rust (The Rust Book, "Test Organization"): unit tests are `#[test]` functions in a `#[cfg(test)]`
#   module of the file they test under the crate's `src/`; integration tests are the files of the
#   `tests/` folder beside a crate's Cargo.toml (`tests/x.rs`, `tests/x/main.rs`); they assert with
#   the assert macros.
# - Mocha runs `./test/*.{js,cjs,mjs}` by default and Node's test runner `**/test/**/*.?(c|m)js`: a
#   `test/` folder's scripts are tests when they hold an asserting case (helpers and fixtures hold none).
_JVM_TEST_SET = r"(^|/)src/(?:test|it|[a-z]\w*Test)/(?:java|kotlin|scala|groovy)/.+\.(?:java|kt|scala|groovy)$"
_OTHER_TEST_FILE = re.compile(
    r"(^|/)spec/(?:[^/]+/)*[^/]+_spec\.rb$|(^|/)test/(?:[^/]+/)*[^/]+_test\.rb$|(^|/)tests/testthat/test[-_][^/]+\.[rR]$"
    r"|\.(?:test|spec)\.[cm]?[jt]sx?$|(^|/)__tests__/(?:[^/]+/)*[^/]+\.[cm]?[jt]sx?$|_test\.go$|" + _JVM_TEST_SET
    + r"|(^|/)test/(?:[^/]+/)*[^/]+\.[cm]?[jt]sx?$"
)
_JVM_MODULE = re.compile(r"src/(?:test|it|[a-z]\w*Test)/(?:java|kotlin|scala|groovy)/")
_JVM_SUFFIXES = (".java", ".kt", ".scala", ".groovy")
_CASE = {
    "rb": re.compile(r"^[^\S\n]*(?:it|specify|scenario|test)[^\S\n]*[(\"'{]|^[^\S\n]*def[^\S\n]+test_", re.MULTILINE),
    "r": re.compile(r"\btest_that[^\S\n]*\("),
    "js": re.compile(r"(?:^|[^\w.])(?:it|test)(?:\.each\b[^\n]*)?[^\S\n]*\("),
    "go": re.compile(r"^func[^\S\n]+Test\w*[^\S\n]*\([^)\n]*\*testing\.T\)", re.MULTILINE),
    "jvm": re.compile(
        r"@(?:Test|ParameterizedTest|RepeatedTest|TestFactory|TestTemplate)\b|(?:^|[^\w.])(?:test|it|should|scenario|property)[^\S\n]*\([^\S\n]*\""
        r"|\"[^\"\n]{1,300}\"[^\S\n]*(?:-[^\S\n]*)?\{|\bin[^\S\n]*\{|\bdef[^\S\n]+\"[^\"\n]{1,300}\"[^\S\n]*\("
    ),
    "cs": re.compile(r"\[<?(?:Fact|Theory|Test|TestCase|TestCaseSource|TestMethod|DataTestMethod)\b"),
    "rs": re.compile(r"#\[(?:\w+::)?test\b"),
}
_ASSERTION = {
    "rb": re.compile(r"\bexpect\b|\bassert\w*|\brefute\w*|\.should\b|\bis_expected\b"),
    "r": re.compile(r"\bexpect_\w+[^\S\n]*\("),
    "go": re.compile(r"\bt\.(?:Error|Errorf|Fatal|Fatalf|Fail|FailNow)\b|\b(?:assert|require)\.\w+\("),
    "jvm": re.compile(
        r"\bassert\w*[^\S\n]*\(|\bassertThat\b|\bverify[^\S\n]*\(|\bshould(?:Be|Equal|Contain|Throw|Not|Have|Match|Start|End)\w*\b"
        r"|\bshould[^\S\n]+(?:be|equal|contain|have|matchPattern|not|startWith|endWith|===)\b|\bmust(?:Be|Equal)\w*\b|\bmust[^\S\n]+(?:be|equal)\b"
        r"|\bintercept\[|^[^\S\n]*(?:expect|then):",
        re.MULTILINE,
    ),
    "cs": re.compile(r"\b(?:Assert|CollectionAssert|StringAssert|ClassicAssert)\.\w+|\.Should(?:Be\w*|Not\w*)?\(|\bExpectedResult\b|\.Verify\w*\("),
    "rs": re.compile(r"\b(?:assert|assert_eq|assert_ne|assert_matches|prop_assert\w*|debug_assert\w*)!|#\[should_panic\b"),
}
_JS_MATCHER = re.compile(r"\.(to[A-Z]\w*)[^\S\n]*\(|\bassert(?:\.\w+)?[^\S\n]*\(|\.to\.(?:deep\.)?(?:equal|eql|include|have|be\.(?:true|false|above|below|a|an)|throw)\b")
_JS_EXISTENCE = frozenset({"toBeDefined", "toBeTruthy", "toBeInTheDocument", "toBeVisible", "toMatchSnapshot"})
_JS_PROJECT_IMPORT = re.compile(r"""(?:from|import|require)[^\S\n]*\(?[^\S\n]*["'](?:\.{1,2}/|@/|~/|#/|src/)""")
MAX_OTHER_TEST_FILES = 300  # convention-named files read; the rest are not


def _language(path: str) -> str:
    lowered = path.lower()
    if lowered.endswith(".rb"):
        return "rb"
    if lowered.endswith(".r"):
        return "r"
    if lowered.endswith(".go"):
        return "go"
    if lowered.endswith(_JVM_SUFFIXES):
        return "jvm"
    if lowered.endswith((".cs", ".fs")):
        return "cs"
    return "rs" if lowered.endswith(".rs") else "js"


def _asserts(language: str, text: str) -> bool:
    if language != "js":
        return _ASSERTION[language].search(text) is not None
    return any(m.group(1) is None or m.group(1) not in _JS_EXISTENCE for m in _JS_MATCHER.finditer(text))


def _reaches_project(repo: RepoIndex, language: str, path: str, text: str) -> bool:
    if language == "js":
        return _JS_PROJECT_IMPORT.search(text) is not None or _imports_workspace_package(repo, text)
    if language == "go":
        folder = path.rpartition("/")[0]
        return any(f.rpartition("/")[0] == folder and f.endswith(".go") and not f.endswith("_test.go") for f in repo.with_suffix(".go"))
    if language == "jvm":
        match = _JVM_MODULE.search(path)
        module = path[:match.start()] if match else path.split("src/test/", 1)[0]
        return any(f.startswith(module + "src/main/") for f in repo.with_suffix(*_JVM_SUFFIXES))
    if language in ("cs", "rs"):
        return True  # decided where the candidates are found (`_dotnet_test_files`, `_rust_test_files`)
    code = repo.with_suffix(".rb") if language == "rb" else repo.with_suffix(".R", ".r")
    return any(not _OTHER_TEST_FILE.search(f) and not is_test_path(f) and not _VENDORED.search(f) for f in code)


_JS_PACKAGE_IMPORT = re.compile(r"""(?:from|import|require)[^\S\n]*\(?[^\S\n]*["']([@\w][^"'\n]{0,200})["']""")


def _imports_workspace_package(repo: RepoIndex, text: str) -> bool:
    """Session 16: a test importing one of the repository's own workspace packages (npm/Yarn/pnpm
    workspaces, `_jsroutes.workspace_packages`) tests the repository's code."""
    packages = workspace_packages(repo)
    if not packages:
        return False
    for match in _JS_PACKAGE_IMPORT.finditer(text):
        spec = match.group(1)
        if any(spec == name or spec.startswith(name + "/") for name in packages):
            return True
    return False


_PROJECT_FILE_SUFFIXES = (".csproj", ".fsproj", ".vbproj")
_TEST_SDK = re.compile(r"Microsoft\.NET\.Test\.Sdk|Sdk[^\S\n]*=[^\S\n]*\"MSTest\.Sdk|<IsTestProject>[^\S\n]*true", re.IGNORECASE)
_PROJECT_REFERENCE = re.compile(r"<ProjectReference[^>]{0,300}?Include[^\S\n]*=[^\S\n]*\"([^\"\n]{1,300})\"", re.IGNORECASE)
MAX_PROJECT_FILE_BYTES = 256 * 1024


def _dotnet_test_files(repo: RepoIndex) -> list[str]:
    """Source files of the .NET test projects (a project file referencing the test SDK) that reference at
    least one project file of this repository; a test project testing only packages tests nothing of it."""
    folders = []
    for project in repo.with_suffix(*_PROJECT_FILE_SUFFIXES):
        if _VENDORED.search(project) or repo.size(project) > MAX_PROJECT_FILE_BYTES:
            continue
        text = repo.text(project) or ""
        if not _TEST_SDK.search(text):
            continue
        folder = project.rpartition("/")[0]
        for match in _PROJECT_REFERENCE.finditer(text):
            target = posixpath.normpath(posixpath.join(folder, match.group(1).replace("\\", "/")))
            if not target.startswith("..") and repo.exists(target):
                folders.append(folder + "/" if folder else "")
                break
    if not folders:
        return []
    return [
        f for f in repo.with_suffix(".cs", ".fs")
        if f.startswith(tuple(folders)) and not (_VENDORED.search(f) or _example_project(f)) and "/obj/" not in f and "/bin/" not in f
    ]


_RUST_TESTS_FOLDER = re.compile(r"(?:^|/)tests/(?:[^/]+\.rs|[^/]+/main\.rs)$")
_RUST_TEST_MODULE = "#[cfg(test)]"


def _rust_test_files(repo: RepoIndex) -> list[tuple[str, int]]:
    """(file, where its tests start) for a crate's `tests/` files (a Cargo.toml beside the folder) and for
    `src/` files holding a `#[cfg(test)]` module after code of their own (the tests start there)."""
    found: list[tuple[str, int]] = []
    for path in repo.with_suffix(".rs"):
        if _VENDORED.search(path) or _example_project(path) or "/target/" in "/" + path or repo.size(path) > MAX_SERVER_FILE_BYTES:
            continue
        tests = _RUST_TESTS_FOLDER.search(path)
        if tests:
            crate = path[:tests.start() + (1 if path[tests.start()] == "/" else 0)]
            if repo.exists(crate + "Cargo.toml") and any(f.startswith(crate + "src/") for f in repo.with_suffix(".rs")):
                found.append((path, 0))
        elif "src/" in path:
            text = repo.text(path) or ""
            start = text.find(_RUST_TEST_MODULE)
            if start > 0 and "fn " in text[:start]:
                found.append((path, start))
        if len(found) >= MAX_OTHER_TEST_FILES:
            break
    return found


def _copied_projects(repo: RepoIndex) -> tuple[str, ...]:
    """Folders holding a package.json that names another repository than the root's package.json does
    (`"repository": "github.com/someone/app"` in `vendor-app/`): a project copied in, with its tests."""
    def repository(path: str) -> str | None:
        data = repo.json(path) if repo.size(path) <= 1024 * 1024 else None
        value = data.get("repository") if isinstance(data, dict) else None
        value = value.get("url") if isinstance(value, dict) else value
        return value.strip().lower().removesuffix(".git").rstrip("/") if isinstance(value, str) and value.strip() else None

    own = repository("package.json") if repo.exists("package.json") else None
    return tuple(p.rpartition("/")[0] + "/" for p in repo.named("package.json") if "/" in p and (r := repository(p)) is not None and r != own)


def _example_project(path: str) -> bool:
    """A test of an example, demo or sample project (conventions §2, §5: examples are examples). A JVM
    source set's package folders (`com/example/demo`, Spring Initializr's default) are a namespace."""
    match = _JVM_MODULE.search(path)
    return DEMO_FOLDER.search(path[:match.start()] if match else path) is not None


def other_language_tests(repo: RepoIndex) -> tuple[list[Location], dict[str, int]]:
    """(asserting convention-named tests reaching the project's code, files per language) - see above."""
    candidates = [(f, 0) for f in repo.files if _OTHER_TEST_FILE.search(f) and not _VENDORED.search(f) and not _example_project(f)]
    candidates += [(f, 0) for f in _dotnet_test_files(repo)] if repo.with_suffix(*_PROJECT_FILE_SUFFIXES) else []
    candidates += _rust_test_files(repo) if repo.with_suffix(".rs") else []
    if not candidates:
        return [], {}
    copied = _copied_projects(repo) if any(_language(f) == "js" for f, _ in candidates) else ()
    found: list[Location] = []
    languages: dict[str, int] = {}
    for path, start in candidates[:MAX_OTHER_TEST_FILES]:
        if copied and path.startswith(copied):
            continue
        language = _language(path)
        text = repo.text(path) if repo.size(path) <= MAX_SERVER_FILE_BYTES else None
        tests = text[start:] if text else None
        case = _CASE[language].search(tests) if tests else None
        if case is None or not _asserts(language, tests) or not _reaches_project(repo, language, path, tests):  # type: ignore[arg-type]
            continue
        found.append(at(path, text.count("\n", 0, start + case.start()) + 1))  # type: ignore[union-attr]
        languages[language] = languages.get(language, 0) + 1
    return found, languages


_LANGUAGE_NAMES = {
    "rb": "Ruby (RSpec/Minitest)", "r": "R (testthat)", "js": "JavaScript/TypeScript (Jest/Vitest/Mocha/node:test)", "go": "Go",
    "jvm": "Java/Kotlin/Scala (JUnit, Kotest, ScalaTest)", "cs": ".NET (xUnit/NUnit/MSTest)", "rs": "Rust (cargo test)",
}


def _may_hold_tests(text: str) -> bool:
    """A text test (`index.text_test`): only a file with `def test` in its text can hold a test function."""
    return "def test" in text


@detector(
    id="has_unit_tests",
    upkeep=True,
    title="Does the repo have unit tests with assertions?",
    kind=Kind.unit_tests,
    needles=(*TEST_FRAMEWORKS, "port"),
    remediation=(
        "Add tests (e.g. tests/test_features.py with pytest functions that assert on the outputs of data "
        "preparation, feature and model code) and run them in CI."
    ),
)
def has_unit_tests(repo: RepoIndex) -> Observation:
    """A test counts when it asserts something that is not a constant (`assert 1 + 1 == 2` checks
    nothing) in a file that imports or runs this repository's code."""
    files = test_files(repo)
    by_content: list[str] = []

    def candidates() -> Iterator[str]:
        """Files named as tests, then (only when those did not show enough) files holding tests by content."""
        yield from files
        by_content.extend(tests_by_content(repo))
        yield from by_content

    modules = project_modules(repo)
    holds_tests = text_test(_may_hold_tests)
    asserting: list[Location] = []
    hollow: list[Location] = []
    detached: list[Location] = []  # assert, but in files that never reach the project's code
    looked = 0
    calling_files = 0
    for path in candidates():
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
        if looked < len(files) + len(by_content):
            return Observation.passed(
                f"at least {len(asserting)} test function(s) with assertions, in {n_files} file(s); {reach}; the scan stopped "
                f"after {looked} of the {len(files) + len(by_content)} test files",
                asserting,
            )
        return Observation.passed(f"{len(asserting)} test function(s) with assertions in {n_files} file(s); {reach}", asserting)
    other, languages = other_language_tests(repo)
    if other:
        counted = ", ".join(f"{n} in {_LANGUAGE_NAMES[lang]}" for lang, n in sorted(languages.items()))
        return Observation.passed(
            f"{len(other)} test file(s) by their framework's convention ({counted}) with assertions on this repository's code{_ci_note(repo)}",
            other[:MAX_LOCATIONS],
        )
    if detached:
        return Observation.failed(
            f"{len(detached)} test function(s) assert, but none of their {with_tests} file(s) imports or runs this repository's code: "
            "they test nothing of the project",
            detached,
        )
    files = files + by_content
    if files:
        detail = f"{len(hollow)} test function(s) assert nothing, or only constants" if hollow else "no test functions in them"
        return Observation.failed(f"{len(files)} file(s) are named like tests but {detail}", [at(f) for f in files])
    return Observation.failed("no test files (test_*.py, *_test.py, tests/) with test functions found")
