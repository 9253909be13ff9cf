"""The rule memo (`rulememo`): rules' results reused while their questions get the same answers, outputs
byte-identical to a run without it in every cache state and after every kind of change, rules that
read outside the recorded API never reused, and a tampered, truncated, swapped or hostile memo file
ignored, never trusted."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from mlops_audit.evidence.repo import filecache, index, rulememo
from mlops_audit.evidence.repo.collect import build_index, collect
from mlops_audit.evidence.repo.detectors import data
from mlops_audit.evidence.repo.detectors import tests as tests_rules
from mlops_audit.evidence.repo.filecache import ParseCache
from mlops_audit.evidence.repo.model import Confidence, Kind
from mlops_audit.evidence.repo.registry import Detector, Observation, all_detectors, at
from mlops_audit.util.jsonio import pretty_json
from tests.portfolio.test_filecache import KEY, NOW, make_repo, signed

RULES = len(all_detectors())  # history rules included: the history is a question


def collected(repo: Path, cache: ParseCache | None = None, **kwargs: object) -> str:
    return pretty_json(collect(repo, now=NOW, parse_cache=cache, **kwargs).model_dump(mode="json"))  # type: ignore[arg-type]


def memo_file(cache_root: Path) -> Path:
    files = sorted(cache_root.rglob("*.rulememo.*.json"))
    assert len(files) == 1, files
    return files[0]


def rich_repo(root: Path) -> Path:
    make_repo(root, 8)
    (root / "README.md").write_text("# service\n")
    (root / "requirements.txt").write_text("mlflow==2.9.2\nscikit-learn==1.4.0\n")
    (root / "Dockerfile").write_text("FROM python:3.11-slim\nCOPY . /app\nCMD [\"python\", \"serve.py\"]\n")
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".github" / "workflows" / "ci.yml").write_text("on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n")
    (root / "deploy").mkdir()
    (root / "deploy" / "model.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: model\nspec:\n  template:\n    spec:\n"
        "      containers:\n      - name: model\n        image: registry.example/model:1\n"
    )
    (root / "tests" / "conftest.py").write_text("import pkg1.train_1\n")
    return root


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


CHANGES: list[tuple[str, Callable[[Path], None]]] = [
    ("a comment in a Python file", lambda r: append(r / "pkg2" / "train_2.py", "\n# tuned\n")),
    ("a comment in a test file", lambda r: append(r / "tests" / "test_train.py", "\n# more\n")),
    ("a file now mentions a needle", lambda r: append(r / "pkg3" / "train_3.py", "\nimport evidently\nfrom evidently.report import Report\nReport(metrics=[]).run(reference_data=None, current_data=None)\n")),
    ("a new test file", lambda r: (r / "tests" / "test_more.py").write_text("from pkg4.train_4 import train_4\n\ndef test_more():\n    assert train_4 is not None\n")),
    ("a file removed", lambda r: (r / "pkg0" / "train_5.py").unlink()),
    ("a manifest changed", lambda r: append(r / "deploy" / "model.yaml", "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: model\n")),
    ("a workflow broken", lambda r: (r / ".github" / "workflows" / "ci.yml").write_text("on: [push\njobs: {\n")),
    ("a syntax error", lambda r: append(r / "pkg1" / "train_6.py", "\ndef broken(:\n")),
    ("a conftest no longer imports the project", lambda r: (r / "tests" / "conftest.py").write_text("import os\n")),
    ("the workflow back", lambda r: (r / ".github" / "workflows" / "ci.yml").write_text("on: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n")),
]


def test_warm_runs_reuse_the_rules_and_stay_byte_identical_through_every_change(tmp_path: Path) -> None:
    repo = rich_repo(tmp_path / "repo")
    plain = collected(repo)
    cold = ParseCache(tmp_path / "c", KEY)
    assert collected(repo, cold) == plain
    assert (cold.stats.rules_reused, cold.stats.rules_run) == (0, RULES)
    warm = ParseCache(tmp_path / "c", KEY)
    assert collected(repo, warm) == plain
    # Every rule reused, so not one summary was even read.
    assert (warm.stats.rules_reused, warm.stats.rules_run) == (RULES, 0)
    assert warm.stats.hits == warm.stats.misses == 0
    reran_some_reused_others = False
    for what, change in CHANGES:
        change(repo)
        expected = collected(repo)
        cache = ParseCache(tmp_path / "c", KEY)
        assert collected(repo, cache) == expected, what
        if 0 < cache.stats.rules_reused < RULES:
            reran_some_reused_others = True
        again = ParseCache(tmp_path / "c", KEY)  # and the records this run stored are right too
        assert collected(repo, again) == expected, what
        # Rules that parsed a file with a parse problem too: their records note it again (format 6).
        assert again.stats.rules_reused == RULES, what
    assert reran_some_reused_others  # early cut-off: a change reruns the rules that asked about it, not all


def detector(id: str, run: Callable[..., Observation], *, reads_history: bool = False) -> Detector:
    return Detector(id=id, title=f"{id}?", kind=Kind.unit_tests, remediation="-", confidence=Confidence.high, needles=(), run=run,
                    reads_history=reads_history, module=__name__)


def reads_readme(repo: index.RepoIndex) -> Observation:
    return Observation.passed(f"readme says {repo.text('README.md')!r}", [at("README.md")])


def lists_python(repo: index.RepoIndex) -> Observation:
    return Observation.passed(f"{len(repo.glob('**/*.py'))} Python files")


def first_line(repo: index.RepoIndex) -> str:
    return (repo.text("notes.txt") or "").split("\n")[0]


def computes_shared(repo: index.RepoIndex) -> Observation:
    return Observation.passed(f"shared {repo.memo('notes_first_line', lambda: first_line(repo))}")


def uses_shared(repo: index.RepoIndex) -> Observation:
    return Observation.failed(f"also shared {repo.memo('notes_first_line', lambda: first_line(repo))}")


def reads_root(repo: index.RepoIndex) -> Observation:
    return Observation.passed(f"{len(os.listdir(repo.root))} entries")  # reads the tree behind the index's back


def reads_private(repo: index.RepoIndex) -> Observation:
    return Observation.passed(f"{len(repo._file_set)} files")  # noqa: SLF001 - what the test is about


def reads_counts(repo: index.RepoIndex) -> Observation:
    return Observation.passed(f"{repo.stats.files_read} read so far")  # depends on the rules before it


def fills_a_shared_dict(repo: index.RepoIndex) -> Observation:
    seen: dict[str, bool] = repo.memo("seen", dict)
    seen.setdefault("README.md", bool(repo.text("README.md")))
    return Observation.passed(f"{len(seen)} seen")


def crashes(repo: index.RepoIndex) -> Observation:
    repo.text("README.md")
    raise RuntimeError("a rule bug")


def honest_and_tainted(tmp_path: Path) -> tuple[Path, list[Detector]]:
    repo = tmp_path / "repo"
    (repo / "src").mkdir(parents=True)
    (repo / "README.md").write_text("hello")
    (repo / "notes.txt").write_text("first\nsecond\n")
    (repo / "src" / "a.py").write_text("x = 1\n")
    rules = [detector(f.__name__, f) for f in (reads_readme, lists_python, computes_shared, uses_shared)]
    rules += [detector(f.__name__, f) for f in (reads_root, reads_private, reads_counts, fills_a_shared_dict, crashes)]
    return repo, rules


def test_only_rules_that_asked_through_the_recorded_api_are_reused(tmp_path: Path) -> None:
    repo, rules = honest_and_tainted(tmp_path)
    plain = collected(repo, detectors=rules)
    assert '"detector crashed: RuntimeError: a rule bug"' in plain
    assert collected(repo, ParseCache(tmp_path / "c", KEY), detectors=rules) == plain
    stored = json.loads(memo_file(tmp_path / "c").read_bytes().partition(b"\n")[2])
    assert [rule[0] for rule in stored["rules"]] == ["computes_shared", "lists_python", "reads_readme", "uses_shared"]
    warm = ParseCache(tmp_path / "c", KEY)
    assert collected(repo, warm, detectors=rules) == plain
    assert (warm.stats.rules_reused, warm.stats.rules_run) == (4, 5)


def test_a_changed_answer_reruns_exactly_the_rules_that_asked_it(tmp_path: Path) -> None:
    repo, rules = honest_and_tainted(tmp_path)
    rules = rules[:4]
    collected(repo, ParseCache(tmp_path / "c", KEY), detectors=rules)

    def rerun() -> tuple[str, ParseCache]:
        return warm_run(tmp_path, repo, rules)

    (repo / "src" / "a.py").write_text("x = 2\n")  # content no rule read; the listing unchanged
    _, cache = rerun()
    assert cache.stats.rules_reused == 4
    (repo / "README.md").write_text("bonjour")
    out, cache = rerun()
    assert "bonjour" in out and cache.stats.rules_reused == 3  # only the README rule ran
    (repo / "src" / "b.py").write_text("y = 1\n")
    out, cache = rerun()
    assert "2 Python files" in out and cache.stats.rules_reused == 3  # only the listing rule ran
    (repo / "notes.txt").write_text("premier\n")
    out, cache = rerun()
    # The shared value's question joins both rules that used it: both ran.
    assert "shared premier" in out and "also shared premier" in out and cache.stats.rules_reused == 2


def scans_for_a_helper(repo: index.RepoIndex) -> Observation:
    found = [s.path for s in repo.python_scan("helper_fn")]
    return Observation.passed(f"{len(found)} files mention helper_fn: {found}")


def test_a_scan_is_cut_off_by_each_files_answer_not_its_content(tmp_path: Path) -> None:
    repo, _ = honest_and_tainted(tmp_path)
    (repo / "src" / "uses.py").write_text("from src.a import helper_fn\nhelper_fn()\n")
    rules = [detector("scans_for_a_helper", scans_for_a_helper)]
    collected(repo, ParseCache(tmp_path / "c", KEY), detectors=rules)

    def rerun() -> tuple[str, ParseCache]:
        return warm_run(tmp_path, repo, rules)

    (repo / "src" / "a.py").write_text("x = 3  # still no helper\n")  # read by the scan, but its answer is the same
    out, cache = rerun()
    assert "1 files mention helper_fn" in out and cache.stats.rules_reused == 1
    (repo / "src" / "a.py").write_text("def helper_fn():\n    return 1\n")
    out, cache = rerun()
    assert "2 files mention helper_fn" in out and cache.stats.rules_reused == 0


def scans_importers(repo: index.RepoIndex) -> Observation:
    found = [s.path for s in repo.python_scan("helper_fn", within=repo.importing("helper_fn", "a"))]
    return Observation.passed(f"{len(found)} files import helper_fn: {found}")


def helper_repo(tmp_path: Path) -> tuple[Path, list[Detector]]:
    repo, _ = honest_and_tainted(tmp_path)
    (repo / "src" / "uses.py").write_text("from src.a import helper_fn\nhelper_fn()\n")
    (repo / "src" / "other.py").write_text("import os\n")
    return repo, [detector("scans_for_a_helper", scans_for_a_helper), detector("scans_importers", scans_importers)]


def per_file_questions(cache_root: Path) -> list[list[str]]:
    """The stored per-file scan answers, one `[kind, file, digest, answer]` each (from the `file_scans` questions)."""
    found = []
    for rule in body_of(memo_file(cache_root))["rules"]:
        for question in rule[1]:
            assert question[0] not in ("code_mentions", "imports")  # grouped per scan when the needle scan hashed the file
            if question[0] == "file_scans":
                kind = json.loads(question[1])[0]
                found.extend([kind, *row] for row in json.loads(question[2]))
    return found


def warm_run(tmp_path: Path, repo: Path, rules: list[Detector]) -> tuple[str, ParseCache]:
    """A run of `rules` through the cache at tmp_path/c, its output checked against a run without a cache."""
    cache = ParseCache(tmp_path / "c", KEY)
    out = collected(repo, cache, detectors=rules)
    assert out == collected(repo, detectors=rules)
    return out, cache


def spy_answers(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """The questions a run asks again (`RepoIndex.memo_answer`), in order."""
    asked: list[tuple[str, str]] = []
    real = index.RepoIndex.memo_answer

    def answer(self: index.RepoIndex, kind: str, question: str) -> str:
        asked.append((kind, question))
        return real(self, kind, question)

    monkeypatch.setattr(index.RepoIndex, "memo_answer", answer)
    return asked


def test_per_file_scan_answers_of_unchanged_files_match_by_their_digest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo, rules = helper_repo(tmp_path)
    collected(repo, ParseCache(tmp_path / "c", KEY), detectors=rules)
    questions = per_file_questions(tmp_path / "c")
    assert {q[0] for q in questions} == {"code_mentions", "imports"}
    for _, rel, digest, _answer in questions:  # each answer names the SHA-256 of the bytes it was found in
        assert digest == hashlib.sha256((repo / rel).read_bytes()).hexdigest()
    asked = spy_answers(monkeypatch)

    def rerun() -> tuple[str, ParseCache]:
        return warm_run(tmp_path, repo, rules)

    asked.clear()
    out, cache = rerun()
    assert cache.stats.rules_reused == 2 and "1 files mention helper_fn" in out
    assert not [q for q in asked if q[0] in ("code_mentions", "imports")]  # nothing changed: no file asked again
    (repo / "src" / "other.py").write_text("import os  # still no helper\n")
    asked.clear()
    out, cache = rerun()
    again = {json.loads(q[1])[0] for q in asked if q[0] in ("code_mentions", "imports")}
    assert cache.stats.rules_reused == 2 and again == {"src/other.py"}  # only the changed file, and the same answers
    assert {rel: digest for _, rel, digest, _ in per_file_questions(tmp_path / "c")}["src/other.py"] == hashlib.sha256((repo / "src" / "other.py").read_bytes()).hexdigest()
    asked.clear()
    out, cache = rerun()  # the answers were named anew for the changed bytes: matched by digest now
    assert cache.stats.rules_reused == 2 and not [q for q in asked if q[0] in ("code_mentions", "imports")]
    (repo / "src" / "other.py").write_text("from src.a import helper_fn\nhelper_fn()\n")
    out, cache = rerun()
    assert cache.stats.rules_reused == 0 and "2 files mention helper_fn" in out and "2 files import helper_fn" in out


@pytest.mark.parametrize(
    "how",
    ["other digest, wrong answer", "other digest, right answer", "malformed question", "a file that is no string", "a row of two", "another kind"],
)
def test_an_authentic_per_file_answer_is_only_trusted_for_the_bytes_it_names(tmp_path: Path, how: str) -> None:
    repo, rules = helper_repo(tmp_path)
    plain = collected(repo, detectors=rules)
    cold, path, document = cold_memo(tmp_path, repo, rules)
    record = next(rule for rule in document["rules"] if rule[0] == "scans_for_a_helper")
    position, question = next((i, q) for i, q in enumerate(record[1]) if q[0] == "file_scans" and json.loads(q[1])[0] == "code_mentions")
    rows = json.loads(question[2])
    row = next(r for r in rows if r[0] == "src/uses.py")
    assert row[2] == '["helper_fn"]'
    asked = question[1]
    if how == "other digest, wrong answer":  # as if recorded for other bytes that did not mention it
        row[1:] = ["0" * 64, "[]"]
    elif how == "other digest, right answer":
        row[1] = "0" * 64
    elif how == "malformed question":  # the right digests, but not a question any rule asks
        asked = json.dumps([["code_mentions"], ["helper_fn"]])
    elif how == "a file that is no string":
        row[0] = ["src/uses.py"]
    elif how == "a row of two":
        del row[2]
    else:
        asked = json.dumps(["summary", ["helper_fn"]])
    record[1][position] = ["file_scans", asked, json.dumps(rows)]
    path.write_bytes(resign(cold, document))
    warm = ParseCache(tmp_path / "c", KEY)
    assert collected(repo, warm, detectors=rules) == plain
    # Other bytes: the file is asked again, and the rule reused only if it gets the recorded answer.
    assert warm.stats.rules_reused == (2 if how == "other digest, right answer" else 1)


def may_quarantine(repo: index.RepoIndex) -> Observation:  # a rule module's test without parameters: found again by its name
    found = [s.path for s in repo.python_mentioning("errors", where=index.text_test(data._may_quarantine))]
    return Observation.passed(f"{len(found)} files may quarantine: {found}")


def may_quarantine_with(repo: index.RepoIndex) -> Observation:  # with a parameter: only a test this process made
    found = [s.path for s in repo.python_mentioning("errors", where=index.text_test(data._may_quarantine, "param"))]
    return Observation.passed(f"{len(found)} files may quarantine: {found}")


def text_test_repo(tmp_path: Path) -> Path:
    repo, _ = honest_and_tainted(tmp_path)
    (repo / "src" / "a.py").write_text("errors = []\n")  # mentions the needle, fails the test
    (repo / "src" / "b.py").write_text("def keep(rows):\n    errors = []\n    for row in rows:\n        invalid_rows.append(row)\n")
    return repo


def test_a_text_test_is_a_question_of_its_own_cut_off_by_its_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = text_test_repo(tmp_path)
    rules = [detector("may_quarantine", may_quarantine)]
    collected(repo, ParseCache(tmp_path / "c", KEY), detectors=rules)
    record = body_of(memo_file(tmp_path / "c"))["rules"][0]
    tests = {rel: found for q in record[1] if q[0] == "file_scans" and json.loads(q[1])[0] == "text_test" for rel, _, found in json.loads(q[2])}
    assert tests == {"src/a.py": "false", "src/b.py": "true"}
    read = {q[1] for q in record[1] if q[0] in ("content", "summary")}
    assert "src/a.py" not in read and "src/b.py" in read  # a.py only tested; b.py parsed (read as its summary)

    def rerun() -> tuple[str, ParseCache]:
        monkeypatch.setattr(index, "_TEXT_TESTS", {})  # as in a fresh process: the test is found by its name
        cache = ParseCache(tmp_path / "c", KEY)
        out = collected(repo, cache, detectors=rules)
        assert out == collected(repo, detectors=rules)
        return out, cache

    append(repo / "src" / "a.py", "# still no sink\n")
    out, cache = rerun()
    assert cache.stats.rules_reused == 1 and "1 files may quarantine" in out  # asked again: the same answer
    append(repo / "src" / "a.py", "def drop(x):\n    bad_rows.append(x)\n")
    out, cache = rerun()
    assert cache.stats.rules_reused == 0 and "2 files may quarantine" in out


def test_a_text_test_with_parameters_is_only_asked_again_when_this_process_made_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = text_test_repo(tmp_path)
    rules = [detector("may_quarantine_with", may_quarantine_with)]
    collected(repo, ParseCache(tmp_path / "c", KEY), detectors=rules)
    append(repo / "src" / "a.py", "# still no sink\n")
    made = dict(index._TEXT_TESTS)
    monkeypatch.setattr(index, "_TEXT_TESTS", {})
    fresh = ParseCache(tmp_path / "c", KEY)
    assert collected(repo, fresh, detectors=rules) == collected(repo, detectors=rules)
    assert fresh.stats.rules_reused == 0  # its parameters cannot be found from the key: the rule ran
    append(repo / "src" / "a.py", "# again\n")
    monkeypatch.setattr(index, "_TEXT_TESTS", made)
    known = ParseCache(tmp_path / "c", KEY)
    assert collected(repo, known, detectors=rules) == collected(repo, detectors=rules)
    assert known.stats.rules_reused == 1


def stored_question(tmp_path: Path, repo: Path, rules: list[Detector], kind: str, rel: str | None = None) -> tuple[ParseCache, Path, dict, list, int]:
    """A cold run's cache, its memo file, the memo's body, the first rule's questions and the position
    of its `kind` question about `rel` (no `rel`: of its `file_scans` question of `kind`)."""
    cold, path, document = cold_memo(tmp_path, repo, rules)
    questions = document["rules"][0][1]
    wanted = ("file_scans", kind) if rel is None else (kind, rel)
    return cold, path, document, questions, next(i for i, q in enumerate(questions) if q[0] == wanted[0] and json.loads(q[1])[0] == wanted[1])


@pytest.mark.parametrize("name", ["shutil.rmtree", "mlops_audit.evidence.repo.detectors.data.validates_data", "mlops_audit.evidence.repo.detectors.data.nothing"])
def test_an_authentic_text_test_question_calls_nothing_but_a_rule_modules_text_test(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    repo = text_test_repo(tmp_path)
    rules = [detector("may_quarantine", may_quarantine)]
    cold, path, document, questions, position = stored_question(tmp_path, repo, rules, "text_test")
    key = json.loads(questions[position][1])[1][0]
    forged = name + " " + key.split(" ", 2)[1] + " ()"
    questions[position] = ["file_scans", json.dumps(["text_test", [forged]]), questions[position][2]]
    path.write_bytes(resign(cold, document))
    append(repo / "src" / "a.py", "# changed: asked again\n")
    called: list[object] = []
    monkeypatch.setattr(shutil, "rmtree", lambda *a, **k: called.append(a))
    monkeypatch.setattr(index, "_TEXT_TESTS", {})
    warm = ParseCache(tmp_path / "c", KEY)
    assert collected(repo, warm, detectors=rules) == collected(repo, detectors=rules)
    assert warm.stats.rules_reused == 0 and not called  # refused: the rule ran


def test_a_text_test_that_fails_when_asked_again_is_no_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = text_test_repo(tmp_path)
    collected(repo, ParseCache(tmp_path / "c", KEY), detectors=[detector("may_quarantine", may_quarantine)])
    question = json.dumps(["src/a.py", [index.text_test(data._may_quarantine).key]])
    append(repo / "src" / "a.py", "# changed: no answer stored for these bytes\n")

    def broken(text: str) -> bool:
        raise RuntimeError("a test bug")

    broken.__module__, broken.__qualname__ = data.__name__, "_may_quarantine"
    monkeypatch.setattr(data, "_may_quarantine", broken)  # what the name finds now fails on the text
    monkeypatch.setattr(index, "_TEXT_TESTS", {})
    with build_index(repo, parse_cache=ParseCache(tmp_path / "c", KEY)) as fresh:
        assert fresh.memo_answer("text_test", question) == "refused"
    monkeypatch.undo()
    with build_index(repo, parse_cache=ParseCache(tmp_path / "c", KEY)) as fresh:
        assert fresh.memo_answer("text_test", question) == "false"


# ---------------------------------------------------------------- a memo file is untrusted input


def body_of(path: Path) -> dict:
    return json.loads(path.read_bytes().partition(b"\n")[2])


def cold_memo(tmp_path: Path, repo: Path, rules: list[Detector]) -> tuple[ParseCache, Path, dict]:
    """A cold run's cache at tmp_path/c, its memo file and the memo's body."""
    cold = ParseCache(tmp_path / "c", KEY)
    collected(repo, cold, detectors=rules)
    path = memo_file(tmp_path / "c")
    return cold, path, body_of(path)


def resign(cache: ParseCache, document: dict) -> bytes:
    return signed(cache, json.dumps(document, separators=(",", ":")).encode())


def tampered(path: Path, cache: ParseCache, how: str) -> str:
    """Damage the memo file at `path` one way; the reason it must be refused for."""
    data = path.read_bytes()
    if how == "edited":
        path.write_bytes(data.replace(b'"pass"', b'"fail"', 1))
        return "unauthenticated"
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
        return "unauthenticated"
    if how == "other key":
        other = ParseCache(path.parent.parent, b"o" * 32)
        path.write_bytes(signed(other, data.partition(b"\n")[2]))
        return "unauthenticated"
    document = body_of(path)
    if how == "outcome":
        document["rules"][0][4][0] = "maybe"
    elif how == "location":
        document["rules"][0][4][2] = [["README.md", 0]]
    elif how == "question kind":
        document["rules"][0][1].append(["shell", "rm -rf /", ""])
    elif how == "question kind not a string":
        document["rules"][0][1].append([["listing"], "[]", ""])
    elif how == "answer not a string":
        document["rules"][0][1].append(["files", "", None])
    elif how == "unsorted":
        document["rules"].reverse()
    elif how == "extra key":
        document["trusted"] = True
    elif how == "other version":
        document["version"] = "0" * 64
        path.write_bytes(resign(cache, document))
        return "other_version"
    path.write_bytes(resign(cache, document))
    return "corrupt"


@pytest.mark.parametrize("how", [
    "edited", "truncated", "other key", "outcome", "location", "question kind", "question kind not a string", "answer not a string", "unsorted",
    "extra key", "other version",
])
def test_a_damaged_memo_is_refused_counted_and_replaced(tmp_path: Path, how: str) -> None:
    repo = rich_repo(tmp_path / "repo")
    plain = collected(repo)
    cold = ParseCache(tmp_path / "c", KEY)
    collected(repo, cold)
    reason = tampered(memo_file(tmp_path / "c"), cold, how)
    hurt = ParseCache(tmp_path / "c", KEY)
    assert collected(repo, hurt) == plain
    assert hurt.stats.rejected[reason] == 1 and hurt.stats.rules_reused == 0
    again = ParseCache(tmp_path / "c", KEY)  # written again from this run
    assert collected(repo, again) == plain and again.stats.rules_reused == RULES


def test_a_memo_swapped_in_from_another_repository_is_refused(tmp_path: Path) -> None:
    first, second = rich_repo(tmp_path / "one"), rich_repo(tmp_path / "two")
    (second / "README.md").write_text("# another service\n")
    collected(first, ParseCache(tmp_path / "c", KEY))
    mine = memo_file(tmp_path / "c")
    collected(second, ParseCache(tmp_path / "c2", KEY))
    mine.write_bytes(memo_file(tmp_path / "c2").read_bytes())  # authentic, under the first one's name
    hurt = ParseCache(tmp_path / "c", KEY)
    assert collected(first, hurt) == collected(first)
    assert hurt.stats.rejected["other_content"] == 1 and hurt.stats.rules_reused == 0


def test_a_linked_or_oversized_memo_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = rich_repo(tmp_path / "repo")
    plain = collected(repo)
    collected(repo, ParseCache(tmp_path / "c", KEY))
    path = memo_file(tmp_path / "c")
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_bytes(path.read_bytes())
    path.unlink()
    path.symlink_to(elsewhere)  # an authentic memo, but through a link
    linked = ParseCache(tmp_path / "c", KEY)
    assert collected(repo, linked) == plain
    assert linked.stats.rejected["not_regular"] == 1 and linked.stats.rules_reused == 0
    monkeypatch.setattr(rulememo, "MAX_MEMO_BYTES", 64)
    big = ParseCache(tmp_path / "c", KEY)
    assert collected(repo, big) == plain
    assert big.stats.rejected["too_large"] == 1 and big.stats.rules_reused == 0


def test_an_authentic_record_cannot_make_the_index_call_anything_but_a_listing_query(tmp_path: Path) -> None:
    repo, rules = honest_and_tainted(tmp_path)
    rules = rules[:1]
    plain = collected(repo, detectors=rules)
    cold, path, document = cold_memo(tmp_path, repo, rules)
    question = json.dumps(["close", [], {}])  # a method of the index, but not a question
    document["rules"][0][1].insert(0, ["listing", question, rulememo.answer_digest(None)])
    path.write_bytes(resign(cold, document))
    warm = ParseCache(tmp_path / "c", KEY)
    assert collected(repo, warm, detectors=rules) == plain
    assert warm.stats.rules_reused == 0 and warm.stats.rules_run == 1  # "refused" never matches: the rule ran


# ---------------------------------------------------------------- when a replay could differ, the memo steps aside


def test_no_record_is_stored_when_parsed_files_were_evicted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = rich_repo(tmp_path / "repo")
    plain = collected(repo)
    monkeypatch.setattr(index, "PARSED_CACHE_ENTRIES", 1)  # every second parse evicts the first
    collected(repo, ParseCache(tmp_path / "c", KEY))
    assert not list((tmp_path / "c").rglob("*.rulememo.*.json"))
    assert collected(repo, ParseCache(tmp_path / "c", KEY)) == plain


def test_a_replay_that_might_differ_collects_again_without_the_memo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = rich_repo(tmp_path / "repo")
    plain = collected(repo)
    collected(repo, ParseCache(tmp_path / "c", KEY))
    stored = memo_file(tmp_path / "c").read_bytes()
    monkeypatch.setattr(index.RepoIndex, "memo_safe", lambda self, tried: not tried)
    cache = ParseCache(tmp_path / "c", KEY)
    assert collected(repo, cache) == plain
    assert (cache.stats.rules_reused, cache.stats.rules_run) == (0, RULES)
    assert memo_file(tmp_path / "c").read_bytes() == stored  # the unsafe run wrote nothing


# ---------------------------------------------------------------- parse problems: stored with the records, noted again in order

# Python 3.12 f-string syntax (PEP 701: the same quotes inside): 3.11 reads the file once `newsyntax`
# blanked the string, and notes a problem for it; a syntax error; a YAML file that does not parse.
NEWER_PYTHON = 'def greet(name):\n    return f"{"hello"} {name}"\n'
SYNTAX_ERROR = "def ok():\n    return 1\n\ndef broken(:\n    pass\n"
BROKEN_YAML = "on: [push\njobs: {\n"

RUNS: list[str] = []  # the rules below, each time one runs


def a_parses_newer_then_broken(repo: index.RepoIndex) -> Observation:
    RUNS.append("a_parses_newer_then_broken")
    notes = repo.text("notes.txt") or ""
    summaries = [repo.python("src/newer.py")] + ([] if "skip" in notes else [repo.python("src/broken.py")])
    return Observation.passed(f"{len(summaries)} read; notes say {notes!r}")


def b_parses_yaml_and_broken(repo: index.RepoIndex) -> Observation:
    RUNS.append("b_parses_yaml_and_broken")
    workflow = repo.yaml("conf.yml")
    repo.python("src/broken.py")
    return Observation.failed(f"workflow {workflow}; readme says {repo.text('README.md')!r}")


def c_parses_all_backwards(repo: index.RepoIndex) -> Observation:
    RUNS.append("c_parses_all_backwards")
    repo.yaml("conf.yml")
    repo.python("src/broken.py")
    repo.python("src/newer.py")
    return Observation.passed(f"{len(repo.files)} files")


def problem_repo(tmp_path: Path) -> tuple[Path, list[Detector]]:
    repo = tmp_path / "repo"
    (repo / "src").mkdir(parents=True)
    (repo / "src" / "newer.py").write_text(NEWER_PYTHON)
    (repo / "src" / "broken.py").write_text(SYNTAX_ERROR)
    (repo / "conf.yml").write_text(BROKEN_YAML)
    (repo / "README.md").write_text("hello")
    (repo / "notes.txt").write_text("first\n")
    return repo, [detector(f.__name__, f) for f in (a_parses_newer_then_broken, b_parses_yaml_and_broken, c_parses_all_backwards)]


def problems_of(output: str) -> list[str]:
    return json.loads(output)["stats"]["problems"]


def files_listed(output: str) -> list[str]:
    """The files of the problems an output lists (in path order); all are counted, the first MAX_PROBLEMS noted listed."""
    return [p.split(":")[0] for p in problems_of(output)]


@pytest.fixture
def two_problems_listed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the first two problems noted are listed: which two shows the order they were noted in."""
    monkeypatch.setattr(index, "MAX_PROBLEMS", 2)


def test_a_rule_that_parsed_files_with_parse_problems_is_stored_and_its_replay_notes_them_in_order(tmp_path: Path, two_problems_listed: None) -> None:
    repo, rules = problem_repo(tmp_path)
    plain = collected(repo, detectors=rules)
    assert json.loads(plain)["stats"]["parse_problems"] == 3
    assert files_listed(plain) == ["src/broken.py", "src/newer.py"]  # noted first (rule order, then parse order); conf.yml third
    assert "not valid Python" in problems_of(plain)[0] and "newer Python" in problems_of(plain)[1]
    assert collected(repo, ParseCache(tmp_path / "c", KEY), detectors=rules) == plain
    stored = {rule[0]: rule[3] for rule in body_of(memo_file(tmp_path / "c"))["rules"]}
    # Every rule stored, with the problems of every file it parsed, in the order it parsed them.
    assert [key for key, _ in stored["c_parses_all_backwards"]] == ["yaml:conf.yml", "python:src/broken.py", "python:src/newer.py"]
    assert [key for key, _ in stored["b_parses_yaml_and_broken"]] == ["yaml:conf.yml", "python:src/broken.py"]
    assert [key for key, _ in stored["a_parses_newer_then_broken"]] == ["python:src/newer.py", "python:src/broken.py"]
    RUNS.clear()
    warm = ParseCache(tmp_path / "c", KEY)
    assert collected(repo, warm, detectors=rules) == plain  # the same problems, in the same order, counted once each
    assert (warm.stats.rules_reused, warm.stats.rules_run) == (3, 0) and RUNS == []


@pytest.mark.parametrize(("change", "text", "ran"), [
    ("README.md", "changed", ["b_parses_yaml_and_broken"]),  # the second rule runs: the first's replay noted its files' problems before
    ("notes.txt", "changed", ["a_parses_newer_then_broken"]),  # the first runs; the replays after it note only what it did not
    ("notes.txt", "skip", ["a_parses_newer_then_broken"]),  # the first no longer parses broken.py: the second's replay notes it
])
def test_replays_and_runs_mixed_note_each_problem_once_where_a_run_without_the_memo_does(
    tmp_path: Path, two_problems_listed: None, change: str, text: str, ran: list[str],
) -> None:
    repo, rules = problem_repo(tmp_path)
    collected(repo, ParseCache(tmp_path / "c", KEY), detectors=rules)
    (repo / change).write_text(text + "\n")
    expected = collected(repo, detectors=rules)
    assert json.loads(expected)["stats"]["parse_problems"] == 3
    assert files_listed(expected) == (["conf.yml", "src/newer.py"] if text == "skip" else ["src/broken.py", "src/newer.py"])
    RUNS.clear()
    warm = ParseCache(tmp_path / "c", KEY)
    assert collected(repo, warm, detectors=rules) == expected
    assert RUNS == ran and (warm.stats.rules_reused, warm.stats.rules_run) == (2, 1)
    RUNS.clear()
    again = ParseCache(tmp_path / "c", KEY)
    assert collected(repo, again, detectors=rules) == expected and RUNS == []


def test_with_the_collectors_rules_a_newer_python_file_and_a_syntax_error_rerun_no_rule(tmp_path: Path) -> None:
    repo = rich_repo(tmp_path / "repo")
    (repo / "pkg1" / "greeting.py").write_text("import mlflow\n\n" + NEWER_PYTHON + "\nmlflow.log_metric('x', 1)\n")
    (repo / "pkg2" / "broken.py").write_text("import mlflow\n\n" + SYNTAX_ERROR)
    plain = collected(repo)
    assert {p.split(":")[0] for p in problems_of(plain)} == {"pkg1/greeting.py", "pkg2/broken.py"}
    assert collected(repo, ParseCache(tmp_path / "c", KEY)) == plain
    warm = ParseCache(tmp_path / "c", KEY)
    assert collected(repo, warm) == plain
    assert (warm.stats.rules_reused, warm.stats.rules_run) == (RULES, 0)


# JSON cut short, mentioning a needle of the catalogue: the needle scan parses it and notes a problem.
BROKEN_NOTEBOOK = '{"cells": [{"cell_type": "code", "source": ["import mlflow\\n", "helper_fn()"]'



def a_scans_unless_told(repo: index.RepoIndex) -> Observation:
    if "no scan" in (repo.text("notes.txt") or ""):
        return Observation.failed("told not to scan")
    return Observation.passed(f"{len(list(repo.python_scan('helper_fn')))} mention helper_fn")


def b_parses_then_scans(repo: index.RepoIndex) -> Observation:
    repo.python("src/newer.py")
    return Observation.passed(f"{len(list(repo.python_scan('helper_fn')))} mention helper_fn")


def scan_repo(tmp_path: Path) -> Path:
    repo, _ = problem_repo(tmp_path)
    (repo / "nb.ipynb").write_text(BROKEN_NOTEBOOK)
    return repo


def stored_rules(cache_root: Path) -> list[str]:
    return [rule[0] for rule in body_of(memo_file(cache_root))["rules"]]


def test_a_rule_during_which_the_needle_scan_noted_problems_is_stored_only_without_problems_of_its_own(tmp_path: Path) -> None:
    repo = scan_repo(tmp_path)
    rules = [detector("b_parses_then_scans", b_parses_then_scans), detector("scans_for_a_helper", scans_for_a_helper)]
    plain = collected(repo, detectors=rules)
    assert {p.split(":")[0] for p in problems_of(plain)} == {"nb.ipynb", "src/newer.py"}
    collected(repo, ParseCache(tmp_path / "c", KEY), detectors=rules)
    # A replay would note the notebook's problem while matching the scan, before newer.py's: not stored.
    assert stored_rules(tmp_path / "c") == ["scans_for_a_helper"]
    assert warm_run(tmp_path, repo, rules)[1].stats.rules_reused == 1


@pytest.mark.parametrize("listed", [1, 200])
def test_problems_a_replay_notes_after_the_scan_noted_some_while_matching_make_it_collect_again_when_their_order_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, listed: int,
) -> None:
    repo = scan_repo(tmp_path)
    rules = [detector("a_scans_unless_told", a_scans_unless_told), detector("b_parses_then_scans", b_parses_then_scans)]
    monkeypatch.setattr(index, "MAX_PROBLEMS", listed)
    collected(repo, ParseCache(tmp_path / "c", KEY), detectors=rules)
    assert stored_rules(tmp_path / "c") == ["a_scans_unless_told", "b_parses_then_scans"]  # the scan ran in the first rule
    (repo / "notes.txt").write_text("no scan\n")  # the second rule's matching now runs the scan: its problem comes first
    expected = collected(repo, detectors=rules)
    assert json.loads(expected)["stats"]["parse_problems"] == 2
    out, cache = warm_run(tmp_path, repo, rules)  # the output of a run without the memo either way
    if listed == 1:  # only the first noted is listed (newer.py's, in a run without the memo): the order shows
        assert files_listed(out) == ["src/newer.py"]
        assert (cache.stats.rules_reused, cache.stats.rules_run) == (0, 2)  # collected again without the memo
        assert stored_rules(tmp_path / "c") == ["a_scans_unless_told"]  # and the record dropped: the next run runs the rule
    else:  # every problem listed, in path order: the replay stands
        assert (cache.stats.rules_reused, cache.stats.rules_run) == (1, 1)


@pytest.mark.parametrize("how", [
    "problems not a list", "a file the rule did not parse", "a file named twice", "no messages", "a message not a string", "a row too short",
])
def test_a_records_problems_are_checked_like_its_questions(tmp_path: Path, how: str) -> None:
    repo, rules = problem_repo(tmp_path)
    plain = collected(repo, detectors=rules)
    cold, path, document = cold_memo(tmp_path, repo, rules)
    row = document["rules"][0]
    assert row[3], "the first rule's record has problems to tamper with"
    if how == "problems not a list":
        row[3] = {"python:src/newer.py": ["x"]}
    elif how == "a file the rule did not parse":
        row[3].append(["yaml:README.md", ["README.md: forged"]])
    elif how == "a file named twice":
        row[3].append(row[3][0])
    elif how == "no messages":
        row[3][0][1] = []
    elif how == "a message not a string":
        row[3][0][1] = [7]
    elif how == "a row too short":
        row[3][0] = row[3][0][:1]
    path.write_bytes(resign(cold, document))
    hurt = ParseCache(tmp_path / "c", KEY)
    assert collected(repo, hurt, detectors=rules) == plain
    assert hurt.stats.rejected["corrupt"] == 1 and hurt.stats.rules_reused == 0


def test_a_memo_of_the_previous_format_is_refused(tmp_path: Path) -> None:
    repo, rules = problem_repo(tmp_path)
    plain = collected(repo, detectors=rules)
    cold, path, document = cold_memo(tmp_path, repo, rules)
    document["format"] = 5
    document["rules"] = [[rule, questions, parses, observed] for rule, questions, parses, _, observed in document["rules"]]
    path.write_bytes(resign(cold, document))
    old = ParseCache(tmp_path / "c", KEY)
    assert collected(repo, old, detectors=rules) == plain
    assert old.stats.rules_reused == 0 and sum(old.stats.rejected.values()) == 1


def test_the_memo_version_names_the_collectors_sources() -> None:
    version = rulememo.memo_version()
    assert len(version) == 64 and version != filecache.parser_version()


def git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@example.org", "GIT_COMMITTER_NAME": "a",
           "GIT_COMMITTER_EMAIL": "a@example.org", "GIT_AUTHOR_DATE": "2026-11-01T10:00:00", "GIT_COMMITTER_DATE": "2026-11-01T10:00:00"}
    subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=repo, env=env, check=True, capture_output=True)


def test_history_rules_are_reused_until_the_history_changes(tmp_path: Path) -> None:
    repo = rich_repo(tmp_path / "repo")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "first")
    plain = collected(repo)
    collected(repo, ParseCache(tmp_path / "c", KEY))
    warm = ParseCache(tmp_path / "c", KEY)
    assert collected(repo, warm) == plain and warm.stats.rules_reused == RULES
    (repo / "MODEL_CARD.md").write_text("# model card\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a model card")
    expected = collected(repo)
    assert expected != plain
    history = sum(1 for d in all_detectors() if d.reads_history)
    after = ParseCache(tmp_path / "c", KEY)
    assert collected(repo, after) == expected and after.stats.rules_run >= history


def git_repo(tmp_path: Path) -> Path:
    repo = rich_repo(tmp_path / "repo")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "first")
    return repo


def spy_history_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The readings of a `git log` (`git.read_history_times`, which `read_history` calls), one entry each."""
    from mlops_audit.evidence.repo import git as git_module

    reads: list[str] = []
    real = git_module.read_history_times

    def reading(*args: object, **kwargs: object) -> object:
        reads.append("read")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(git_module, "read_history_times", reading)
    return reads


def test_the_history_is_read_from_the_memo_while_the_git_output_is_the_same_at_any_clock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = git_repo(tmp_path)
    collected(repo, ParseCache(tmp_path / "c", KEY))
    stored = body_of(memo_file(tmp_path / "c"))["history"]
    assert stored[1]["commits"] == 1 and stored[4] is not None  # the authorship question was asked (separation of duties)
    reads = spy_history_reads(monkeypatch)
    history_rules = sum(1 for d in all_detectors() if d.reads_history)
    # A day later the activity windows hold the same commits; a year later not: the rules reading the history run.
    for clock, rules_run in ((NOW, 0), (NOW + timedelta(days=1), 0), (NOW.replace(year=NOW.year + 1), history_rules)):
        expected = pretty_json(collect(repo, now=clock).model_dump(mode="json"))
        reads.clear()
        warm = ParseCache(tmp_path / "c", KEY)
        assert pretty_json(collect(repo, now=clock, parse_cache=warm).model_dump(mode="json")) == expected, clock
        assert warm.stats.rules_run == rules_run, clock
        # No `git log` parsed for the signals; the authorship only when a rule that reads it runs.
        assert reads == ([] if rules_run == 0 else ["read"]), clock


def reads_authorship(repo: index.RepoIndex) -> Observation:
    authorship = repo.git_authorship()
    people = [author.name for author in authorship.people] if authorship is not None else []
    return Observation.passed(f"{people} wrote it; the README says {repo.text('README.md')!r}")


def test_a_rule_that_runs_reads_the_authorship_from_the_log_and_a_new_commit_reads_the_history_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = git_repo(tmp_path)
    rules = [detector("reads_authorship", reads_authorship, reads_history=True)]
    collected(repo, ParseCache(tmp_path / "c", KEY), detectors=rules)
    reads = spy_history_reads(monkeypatch)
    (repo / "README.md").write_text("# changed\n")  # the rule runs: the signals from the memo, the authorship from the log
    out, cache = warm_run(tmp_path, repo, rules)
    assert cache.stats.rules_run == 1 and "['a'] wrote it" in out
    assert reads == ["read", "read"]  # one in the warm run (the authorship), one in the run without a cache
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "second")  # other git output: the history is read again, the rule runs
    reads.clear()
    out, cache = warm_run(tmp_path, repo, rules)
    assert cache.stats.rules_run == 1 and reads == ["read", "read"]


@pytest.mark.parametrize("how", [
    "digest not hex", "signals of no history", "signals not their own form", "times unsorted", "a time not a number", "times of fewer commits",
    "a contributor missing", "answer not a digest", "state not a digest",
])
def test_a_damaged_reading_of_the_history_refuses_the_memo(tmp_path: Path, how: str) -> None:
    repo = git_repo(tmp_path)
    git(repo, "commit", "-q", "--allow-empty", "-m", "second")  # two commits: times to reorder
    plain = collected(repo)
    cold, path, document = cold_memo(tmp_path, repo, all_detectors())
    history = document["history"]
    if how == "digest not hex":
        history[0] = "g" * 64
    elif how == "signals of no history":
        history[1]["present"] = False
    elif how == "signals not their own form":
        history[1]["commits"] = "2"
    elif how == "times unsorted":
        history[2][0] = [2_000_000_000, 1]
    elif how == "a time not a number":
        history[2][0][0] = "1"
    elif how == "times of fewer commits":
        history[2][0] = history[2][0][:1]
    elif how == "a contributor missing":
        history[2] = []
    elif how == "answer not a digest":
        history[4] = "x"
    elif how == "state not a digest":
        assert history[5] is not None  # a plain repository: the state was read
        history[5] = "x" * 64
    path.write_bytes(resign(cold, document))
    hurt = ParseCache(tmp_path / "c", KEY)
    assert collected(repo, hurt) == plain
    assert hurt.stats.rejected["corrupt"] == 1 and hurt.stats.rules_reused == 0


def test_the_memo_version_follows_the_yaml_and_pydantic_versions(monkeypatch) -> None:  # noqa: ANN001
    # review10: a PyYAML upgrade reading a file differently must not replay results of the old reading
    import yaml

    from mlops_audit.evidence.repo import rulememo

    rulememo.memo_version.cache_clear()
    before = rulememo.memo_version()
    monkeypatch.setattr(yaml, "__version__", "0.0-test")
    rulememo.memo_version.cache_clear()
    try:
        assert rulememo.memo_version() != before
    finally:
        monkeypatch.undo()
        rulememo.memo_version.cache_clear()


def test_has_unit_tests_asks_whether_a_test_file_can_hold_tests_not_for_its_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `has_unit_tests` skips a test file without `def test` before parsing it: a text test
    # (`index.passes`), so its record names the test's answer, not the file's content.
    repo = rich_repo(tmp_path / "repo")
    (repo / "tests" / "test_fixtures.py").write_text("import pytest\n\n@pytest.fixture\ndef rows():\n    return [1, 2]\n")
    rule = [d for d in all_detectors() if d.id == "has_unit_tests"]
    assert collected(repo, ParseCache(tmp_path / "c", KEY), detectors=rule) == collected(repo, detectors=rule)
    record = body_of(memo_file(tmp_path / "c"))["rules"][0]
    tests = {json.loads(q[1])[0]: q[2] for q in record[1] if q[0] == "read_test"}
    assert tests["tests/test_fixtures.py"].endswith("=false") and tests["tests/test_train.py"].endswith("=true")
    assert "tests/test_fixtures.py" not in {q[1] for q in record[1] if q[0] in ("content", "summary", "tree")}

    def rerun() -> tuple[str, ParseCache]:
        cache = ParseCache(tmp_path / "c", KEY)
        out = collected(repo, cache, detectors=rule)
        assert out == collected(repo, detectors=rule)
        return out, cache

    append(repo / "tests" / "test_fixtures.py", "# shared rows\n")  # still no test function: the same answer
    append(repo / "tests" / "test_train.py", "# and a comment in a parsed test file\n")  # the same summary
    _, cache = rerun()
    assert (cache.stats.rules_reused, cache.stats.rules_run) == (1, 0)
    # The reused record now names the bytes read: the next run matches them by digest, testing and summarising nothing.
    record = body_of(memo_file(tmp_path / "c"))["rules"][0]
    digest = {rel: hashlib.sha256((repo / rel).read_bytes()).hexdigest() for rel in ("tests/test_fixtures.py", "tests/test_train.py")}
    assert ["read_test", json.dumps(["tests/test_fixtures.py", index.text_test(tests_rules._may_hold_tests).key]), f"read:{digest['tests/test_fixtures.py']}=false"] in record[1]
    assert any(q[0] == "summary" and q[1] == "tests/test_train.py" and q[2].startswith(digest["tests/test_train.py"] + "=") for q in record[1])
    monkeypatch.setattr(index.RepoIndex, "_matching_summary", lambda *a: pytest.fail("summarised again"))
    monkeypatch.setattr(index, "text_test_named", lambda *a: pytest.fail("tested again"))
    _, cache = rerun()
    assert (cache.stats.rules_reused, cache.stats.rules_run) == (1, 0)
    monkeypatch.undo()
    append(repo / "tests" / "test_fixtures.py", "\ndef test_rows(rows):\n    assert len(rows) == 2\n")  # near miss: now it may
    _, cache = rerun()
    assert (cache.stats.rules_reused, cache.stats.rules_run) == (0, 1)


@pytest.mark.parametrize("how", ["a key naming another function", "not a question", "an unlisted file", "other bytes"])
def test_an_authentic_read_test_question_is_matched_only_by_the_test_or_the_bytes_it_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    repo = rich_repo(tmp_path / "repo")
    (repo / "tests" / "test_fixtures.py").write_text("import pytest\n")
    rule = [d for d in all_detectors() if d.id == "has_unit_tests"]
    cold, path, document, questions, position = stored_question(tmp_path, repo, rule, "read_test", "tests/test_fixtures.py")
    _, asked, answer = questions[position]
    rel, key = json.loads(asked)
    forged = {
        "a key naming another function": json.dumps([rel, "shutil.rmtree " + key.split(" ", 2)[1] + " ()"]),
        "not a question": "[1, 2, 3]",
        "an unlisted file": json.dumps(["../outside.py", key]),
        "other bytes": asked,
    }[how]
    questions[position] = ["read_test", forged, ("read:" + "0" * 64 + "=false") if how == "other bytes" else answer]
    path.write_bytes(resign(cold, document))
    append(repo / "tests" / "test_fixtures.py", "# changed: asked again\n")
    called: list[object] = []
    monkeypatch.setattr(shutil, "rmtree", lambda *a, **k: called.append(a))
    monkeypatch.setattr(index, "_TEXT_TESTS", {})  # as in a fresh process
    warm = ParseCache(tmp_path / "c", KEY)
    assert collected(repo, warm, detectors=rule) == collected(repo, detectors=rule)
    assert not called
    # Other bytes but the same answer of the rule's own test: reused; any forged question: refused, the rule ran.
    assert warm.stats.rules_reused == (1 if how == "other bytes" else 0)


def globs_and_sizes(repo: index.RepoIndex) -> Observation:
    return Observation.passed(f"{len(repo.glob('**/*.py'))} Python files, {len(repo.named('README.md'))} READMEs, notes {repo.size('notes.txt')} bytes")


def test_listing_questions_are_not_asked_again_while_the_listing_is_the_one_the_memo_was_written_with(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo, _ = honest_and_tainted(tmp_path)
    rules = [detector("globs_and_sizes", globs_and_sizes), detector("lists_python", lists_python)]
    collected(repo, ParseCache(tmp_path / "c", KEY), detectors=rules)
    assert body_of(memo_file(tmp_path / "c"))["listing"] == build_index(repo).listing_answer()
    asked = spy_answers(monkeypatch)

    def rerun() -> tuple[str, ParseCache]:
        return warm_run(tmp_path, repo, rules)

    _, cache = rerun()
    # The same listing: only the size, which is no function of the listing, is asked again; a glob asked by two rules is not asked twice.
    assert [q[1] for q in asked if q[0] == "listing"] == [json.dumps(["size", ["notes.txt"], {}], separators=(",", ":"))]
    assert cache.stats.rules_reused == 2
    (repo / "notes.txt").write_text("first\nsecond\nthird\n")  # a size changed: that rule runs again
    asked.clear()
    out, cache = rerun()
    assert cache.stats.rules_reused == 1 and "notes 19 bytes" in out
    (repo / "src" / "b.py").write_text("y = 2\n")  # another listing: every listing question asked again, answers compared
    asked.clear()
    out, cache = rerun()
    globs = [q[1] for q in asked if q[0] == "listing" and q[1].startswith('["glob"')]
    assert set(globs) == {json.dumps(["glob", ["**/*.py"], {}], separators=(",", ":"))}
    assert cache.stats.rules_reused == 0 and "2 Python files" in out
    asked.clear()
    _, cache = rerun()  # the memo names the new listing
    assert not [q for q in asked if q[0] == "listing" and not q[1].startswith('["size"')] and cache.stats.rules_reused == 2


def test_a_memo_naming_another_listing_has_its_listing_questions_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo, _ = honest_and_tainted(tmp_path)
    rules = [detector("lists_python", lists_python)]
    plain = collected(repo, detectors=rules)
    cold, path, document = cold_memo(tmp_path, repo, rules)
    record = document["rules"][0]
    position = next(i for i, q in enumerate(record[1]) if q[0] == "listing")
    record[1][position][2] = "0" * 32  # a glob's answer for another listing...
    document["listing"] = "1" * 32  # ... which the memo names: asked again, the rule runs
    path.write_bytes(resign(cold, document))
    warm = ParseCache(tmp_path / "c", KEY)
    assert collected(repo, warm, detectors=rules) == plain and warm.stats.rules_reused == 0
    document["listing"] = "0" * 32 + "x"  # no digest of any listing: the same
    path.write_bytes(resign(cold, document))
    warm = ParseCache(tmp_path / "c", KEY)
    assert collected(repo, warm, detectors=rules) == plain and warm.stats.rules_reused == 0


def test_a_comment_appended_to_modules_reruns_no_rule(tmp_path: Path) -> None:
    """What every rule reads of a Python module (its summary, its tree, facts, text tests such as
    has_design_docs' `is it more than a placeholder`) is unchanged by a comment: all are reused."""
    repo = rich_repo(tmp_path / "repo")
    (repo / "docs").mkdir()
    (repo / "docs" / "architecture.md").write_text(
        "# Architecture\n\n## Components\n\nThe training job reads the feature table, fits the model and registers it; the serving "
        "container loads the registered model and answers scoring requests behind the gateway. Monitoring compares live "
        "inputs with the training data every night and opens an incident when drift passes the threshold.\n" * 4
    )
    plain = collected(repo)
    assert "has_design_docs" in plain and "architecture.md" in plain
    collected(repo, ParseCache(tmp_path / "c", KEY))
    for module in sorted((repo / "pkg0").glob("*.py")) + sorted((repo / "pkg1").glob("*.py")):
        append(module, "\n# a comment\n")
    warm = ParseCache(tmp_path / "c", KEY)
    assert collected(repo, warm) == collected(repo)
    assert (warm.stats.rules_reused, warm.stats.rules_run) == (RULES, 0)


def test_a_changed_module_that_runs_no_notebook_does_not_rerun_the_notebooks_only_tracking_rule(tmp_path: Path) -> None:
    """tracks_experiments asks whether some file runs the notebook that tracks (`notebooks are
    scratch`): whether a file names a notebook runner is a yes/no question of its own, so a comment
    in a module that names none reuses every rule; a new script that runs the notebook reruns the
    rule and changes its outcome, as without a cache."""
    repo = tmp_path / "repo"
    (repo / "src").mkdir(parents=True)
    (repo / "src" / "train.py").write_text("from sklearn.linear_model import LogisticRegression\n\ndef train(X, y):\n    return LogisticRegression().fit(X, y)\n")
    (repo / "src" / "util.py").write_text("def load(path):\n    return open(path).read()\n")
    notebook = {"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                           "source": ["import mlflow\n", "mlflow.log_metric('auc', 0.91)\n"]}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (repo / "explore.ipynb").write_text(json.dumps(notebook))
    (repo / "Makefile").write_text("report:\n\tjupyter nbconvert --execute report.ipynb\n")  # runs another notebook
    assert "only in notebooks" in collected(repo)
    collected(repo, ParseCache(tmp_path / "c", KEY))
    append(repo / "src" / "util.py", "\n# a comment\n")  # a module that runs no notebook
    warm = ParseCache(tmp_path / "c", KEY)
    assert collected(repo, warm) == collected(repo)
    assert (warm.stats.rules_reused, warm.stats.rules_run) == (RULES, 0)
    (repo / "src" / "run_explore.py").write_text("import papermill\n\npapermill.execute_notebook('explore.ipynb', 'out.ipynb')\n")
    warm = ParseCache(tmp_path / "c", KEY)
    assert collected(repo, warm) == collected(repo)
    assert "only in notebooks" not in collected(repo)
    assert warm.stats.rules_run >= 1


# ---------------------------------------------------------------------------- the git state (gitstate)


def spy_history_processes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """One entry per start of the git commands behind the history (`git.PendingGitOutput`)."""
    from mlops_audit.evidence.repo import git as git_module

    started: list[str] = []
    real = git_module.PendingGitOutput

    class Spied(real):  # type: ignore[misc, valid-type]
        def __init__(self, root: Path) -> None:
            started.append(str(root))
            super().__init__(root)

    monkeypatch.setattr(git_module, "PendingGitOutput", Spied)
    return started


def test_a_warm_run_at_the_same_git_state_starts_no_git_process_for_the_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = git_repo(tmp_path)
    git(repo, "tag", "v1.0.0")
    plain = collected(repo)
    started = spy_history_processes(monkeypatch)
    collected(repo, ParseCache(tmp_path / "c", KEY))
    assert len(started) == 1  # the cold run reads the history
    started.clear()
    warm = ParseCache(tmp_path / "c", KEY)
    assert collected(repo, warm) == plain and warm.stats.rules_reused == RULES
    assert started == []
    # A branch made and not checked out is not this history: still no git process.
    git(repo, "branch", "elsewhere")
    warm = ParseCache(tmp_path / "c", KEY)
    assert collected(repo, warm) == plain and warm.stats.rules_reused == RULES and started == []
    # An uncommitted edit is not history either; a rule it makes run and that reads who changed what
    # runs `git log` then (`git_authorship`), once.
    (repo / "README.md").write_text("# service, edited\n")
    expected = collected(repo)
    started.clear()
    assert collected(repo, ParseCache(tmp_path / "c", KEY)) == expected and len(started) <= 1


def _new_commit(repo: Path) -> None:
    git(repo, "commit", "-q", "--allow-empty", "-m", "later")


def _new_tag(repo: Path) -> None:
    git(repo, "tag", "-a", "v2.0.0", "-m", "release")


def _mailmap(repo: Path) -> None:
    (repo / ".mailmap").write_text("Alice Example <a@example.org>\n")  # uncommitted: git log's %aN reads it


def _other_branch(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "other")  # the same commit under another name: HEAD changed, git runs


def _packed_refs(repo: Path) -> None:
    git(repo, "tag", "v3.0.0")
    git(repo, "pack-refs", "--all")


def _config(repo: Path) -> None:
    git(repo, "config", "core.abbrev", "12")


@pytest.mark.parametrize("change", [_new_commit, _new_tag, _mailmap, _other_branch, _packed_refs, _config])
def test_any_change_to_what_the_history_reading_depends_on_runs_git_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: Callable[[Path], None]) -> None:
    repo = git_repo(tmp_path)
    collected(repo, ParseCache(tmp_path / "c", KEY))
    change(repo)
    expected = collected(repo)
    started = spy_history_processes(monkeypatch)
    assert collected(repo, ParseCache(tmp_path / "c", KEY)) == expected
    assert len(started) == 1, change.__name__
    # ... and the reading stored at the new state holds for the next run.
    started.clear()
    assert collected(repo, ParseCache(tmp_path / "c", KEY)) == expected and started == []


def test_the_mailmap_changes_what_the_history_says_and_a_warm_run_follows_it(tmp_path: Path) -> None:
    repo = git_repo(tmp_path)
    git(repo, "commit", "-q", "--allow-empty", "-m", "second")
    (repo / "b.txt").write_text("b")
    git(repo, "add", "b.txt")
    env_author = ["-c", "user.name=b", "-c", "user.email=b@example.org"]
    subprocess.run(["git", *env_author, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "by b", "--author", "b <b@example.org>"], cwd=repo, check=True, capture_output=True)
    collected(repo, ParseCache(tmp_path / "c", KEY))
    before = json.loads(collected(repo))["git"]["contributors"]
    (repo / ".mailmap").write_text("a <a@example.org> b <b@example.org>\n")  # b is a: one contributor
    expected = collected(repo)
    assert json.loads(expected)["git"]["contributors"] == before - 1
    assert collected(repo, ParseCache(tmp_path / "c", KEY)) == expected


def test_a_state_that_moves_while_git_runs_is_not_stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mlops_audit.evidence.repo import gitstate

    repo = git_repo(tmp_path)
    states = iter(["1" * 64, "2" * 64])
    monkeypatch.setattr(gitstate, "history_state", lambda root, commands: next(states))
    collected(repo, ParseCache(tmp_path / "c", KEY))
    assert body_of(memo_file(tmp_path / "c"))["history"][5] is None
    monkeypatch.undo()
    expected = collected(repo)
    started = spy_history_processes(monkeypatch)
    assert collected(repo, ParseCache(tmp_path / "c", KEY)) == expected
    assert len(started) == 1  # no state stored: git runs (and the state is stored now)
    assert body_of(memo_file(tmp_path / "c"))["history"][5] is not None


def test_a_stored_state_that_is_not_this_one_is_never_trusted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = git_repo(tmp_path)
    cold, path, document = cold_memo(tmp_path, repo, all_detectors())
    document["history"][1]["contributors"] = 1  # a reading that would still decode
    document["history"][5] = "0" * 64  # at another state
    path.write_bytes(resign(cold, document))
    expected = collected(repo)
    started = spy_history_processes(monkeypatch)
    assert collected(repo, ParseCache(tmp_path / "c", KEY)) == expected
    assert len(started) == 1
