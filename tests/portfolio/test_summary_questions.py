"""Summary, fact and tree questions of the rule memo (memo format 3): a rule that read a Python file only as
its summary asks whether the summary's fields are the same, and one question per per-file fact it read;
one that read its syntax tree asks whether the tree is the same (a digest of every node); instead of
whether the file's bytes are. A changed file whose summary, facts and tree are unchanged (a comment)
reruns nothing; a changed field, fact or tree reruns the rule; a file the rule also read another way
stays a content question; a missing or damaged stored summary, or a stored answer that does not hold,
is no answer (the rule runs). Every output equals the output without a cache."""

from __future__ import annotations

import ast
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from mlops_audit.evidence.repo import index
from mlops_audit.evidence.repo.collect import collect
from mlops_audit.evidence.repo.filecache import ParseCache
from mlops_audit.evidence.repo.model import FindingOutcome
from mlops_audit.evidence.repo.registry import Observation, at
from mlops_audit.util.jsonio import pretty_json
from tests.portfolio.test_filecache import KEY, NOW, signed
from tests.portfolio.test_rulememo import append, body_of, collected, detector, memo_file


def counts_fits(repo: index.RepoIndex) -> Observation:
    """Reads the summaries of the project's modules: which call `fit`."""
    fitting = [rel for rel in repo.python_files() if (s := repo.python(rel)) is not None and s.calls_named("fit")]
    return Observation.passed(f"fits in {fitting}", [at(rel) for rel in fitting])


def data_checkers(repo: index.RepoIndex) -> Observation:
    """Reads one per-file fact of each module (`data_checkers`)."""
    found = [(rel, name) for rel in repo.python_files() if (s := repo.python(rel)) is not None for name, _ in s.data_checkers]
    return Observation.passed(f"checkers {found}")


def reads_text_too(repo: index.RepoIndex) -> Observation:
    """Reads a module as its summary and as its text: the text is a content question."""
    summary = repo.python("src/model.py")
    text = repo.text("src/model.py") or ""
    return Observation.passed(f"{len(summary.calls) if summary else 0} calls, {text.count(chr(10))} lines")


# A data checker (`pyfacts.data_checkers`): a function testing missing values and duplicates.
CHECKER = "def {name}(frame):\n    if frame.isnull().any().any():\n        raise ValueError('nulls')\n    if frame.duplicated().any():\n        raise ValueError('duplicates')\n"


def summary_repo(root: Path) -> Path:
    (root / "src").mkdir(parents=True)
    (root / "src" / "model.py").write_text("from sklearn.linear_model import Ridge\n\n\ndef train(x, y):\n    return Ridge().fit(x, y)\n")
    (root / "src" / "checks.py").write_text(CHECKER.format(name="check_rows"))
    (root / "src" / "util.py").write_text("def helper():\n    return 1\n")
    return root


def rerun(repo: Path, cache_root: Path, rules: list) -> ParseCache:
    cache = ParseCache(cache_root, KEY)
    assert collected(repo, cache, detectors=rules) == collected(repo, detectors=rules)
    return cache


def recorded_with(repo: Path, cache_root: Path, rules: list, answer: Callable[[str, str, str, dict[str, str]], str]) -> None:
    """Collect through an empty cache, then give each stored question the answer `answer(kind, question,
    answer, {file: its summary key})` returns, signed with the cache's key (an authentic record)."""
    cold = ParseCache(cache_root, KEY)
    collected(repo, cold, detectors=rules)
    path = memo_file(cache_root)
    document = body_of(path)
    asked = document["rules"][0][1]
    keys = {q[1]: q[2].partition("=")[2] for q in asked if q[0] == "summary"}
    document["rules"][0][1] = [[kind, question, answer(kind, question, stored, keys)] for kind, question, stored in asked]
    path.write_bytes(signed(cold, json.dumps(document, separators=(",", ":")).encode()))


def questions(cache_root: Path, kind: str) -> list[list[str]]:
    return [q for record in body_of(memo_file(cache_root))["rules"] for q in record[1] if q[0] == kind]


def test_a_rule_that_read_only_summaries_asks_summary_questions_not_content_ones(tmp_path: Path) -> None:
    repo = summary_repo(tmp_path / "repo")
    rerun(repo, tmp_path / "c", [detector("counts_fits", counts_fits)])
    asked = questions(tmp_path / "c", "summary")
    assert sorted(q[1] for q in asked) == ["src/checks.py", "src/model.py", "src/util.py"]
    assert questions(tmp_path / "c", "content") == []
    for _, _, answer in asked:  # <SHA-256 of the bytes>=<the parse cache's key of the summary>
        digest, _, key = answer.partition("=")
        assert len(digest) == 64 and len(key) == 64


@pytest.mark.parametrize(
    ("rule", "change", "reused"),
    [
        ("counts_fits", "\n# a comment: the same summary\n", True),
        ("counts_fits", "\n\n\n", True),
        ("counts_fits", "\ndef predict(model, x):\n    return model.fit(x, x)\n", False),  # a new call and function
        ("counts_fits", "\nimport numpy\n", False),  # a new import
        ("loops_in_trees", "\n# a comment: the same tree\n", True),
        ("loops_in_trees", "\nfor row in []:\n    pass\n", False),  # a new loop
        ("loops_in_trees", "\nx = 2\n", False),  # any other node: the tree is compared whole
    ],
)
def test_a_changed_file_reruns_the_rule_only_when_what_it_read_of_it_changed(tmp_path: Path, rule: str, change: str, reused: bool) -> None:
    repo = summary_repo(tmp_path / "repo")
    rules = [detector(rule, RULES[rule])]
    rerun(repo, tmp_path / "c", rules)
    assert sorted(q[1] for q in questions(tmp_path / "c", "summary" if rule == "counts_fits" else "tree")) == ["src/checks.py", "src/model.py", "src/util.py"]
    assert questions(tmp_path / "c", "content") == []
    append(repo / "src" / "util.py", change)
    cache = rerun(repo, tmp_path / "c", rules)
    assert (cache.stats.rules_reused, cache.stats.rules_run) == ((1, 0) if reused else (0, 1))


def test_lines_that_move_change_the_summary(tmp_path: Path) -> None:
    repo = summary_repo(tmp_path / "repo")
    rules = [detector("counts_fits", counts_fits)]
    rerun(repo, tmp_path / "c", rules)
    path = repo / "src" / "model.py"
    path.write_text("# a first line\n" + path.read_text())  # the same calls, one line lower: the location moves
    cache = rerun(repo, tmp_path / "c", rules)
    assert (cache.stats.rules_reused, cache.stats.rules_run) == (0, 1)


def test_a_syntax_error_reruns_the_rule_and_notes_the_problem_as_without_a_cache(tmp_path: Path) -> None:
    repo = summary_repo(tmp_path / "repo")
    rules = [detector("counts_fits", counts_fits)]
    rerun(repo, tmp_path / "c", rules)
    append(repo / "src" / "util.py", "\ndef broken(:\n")
    cache = rerun(repo, tmp_path / "c", rules)  # the outputs (problems included) equal
    assert (cache.stats.rules_reused, cache.stats.rules_run) == (0, 1)


def test_a_fact_is_a_question_of_its_own_an_unchanged_fact_cuts_off_a_changed_one_reruns(tmp_path: Path) -> None:
    repo = summary_repo(tmp_path / "repo")
    rules = [detector("data_checkers", data_checkers)]
    rerun(repo, tmp_path / "c", rules)
    facts = {json.loads(q[1])[0]: q[2].partition("=")[2] for q in questions(tmp_path / "c", "fact")}
    assert set(facts) == {"src/checks.py", "src/model.py", "src/util.py"}
    assert json.loads(facts["src/checks.py"]) == [["check_rows", 1]] and json.loads(facts["src/util.py"]) == []
    append(repo / "src" / "checks.py", "\n# the same checker\n")
    cache = rerun(repo, tmp_path / "c", rules)
    assert (cache.stats.rules_reused, cache.stats.rules_run) == (1, 0)
    append(repo / "src" / "util.py", "\n\n" + CHECKER.format(name="validate_batch"))
    cache = rerun(repo, tmp_path / "c", rules)
    assert (cache.stats.rules_reused, cache.stats.rules_run) == (0, 1)


def test_a_stored_fact_that_differs_reruns_the_rule_though_the_summary_is_the_same(tmp_path: Path) -> None:
    repo = summary_repo(tmp_path / "repo")
    rules = [detector("data_checkers", data_checkers)]
    # An authentic record whose fact no longer holds.
    recorded_with(repo, tmp_path / "c", rules, lambda kind, question, answer, _: (
        answer.partition("=")[0] + "=[]" if kind == "fact" and json.loads(question)[0] == "src/checks.py" else answer))
    append(repo / "src" / "checks.py", "\n# a comment: the summary's fields are the same\n")
    cache = rerun(repo, tmp_path / "c", rules)
    assert (cache.stats.rules_reused, cache.stats.rules_run) == (0, 1)


def test_a_file_also_read_another_way_stays_a_content_question(tmp_path: Path) -> None:
    repo = summary_repo(tmp_path / "repo")
    rules = [detector("reads_text_too", reads_text_too)]
    rerun(repo, tmp_path / "c", rules)
    assert [q[1] for q in questions(tmp_path / "c", "content")] == ["src/model.py"]
    assert questions(tmp_path / "c", "summary") == []
    append(repo / "src" / "model.py", "\n# a comment changes the text the rule read\n")
    cache = rerun(repo, tmp_path / "c", rules)
    assert (cache.stats.rules_reused, cache.stats.rules_run) == (0, 1)


def stored_entry(cache_root: Path, key: str) -> Path:
    found = sorted(cache_root.glob(f"{key[:2]}/{key}.python.*.json"))
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("how", ["deleted", "edited", "calls damaged"])
def test_a_missing_or_damaged_stored_summary_is_no_answer(tmp_path: Path, how: str) -> None:
    repo = summary_repo(tmp_path / "repo")
    rules = [detector("counts_fits", counts_fits)]
    cold = ParseCache(tmp_path / "c", KEY)
    collected(repo, cold, detectors=rules)
    key = next(q[2] for q in questions(tmp_path / "c", "summary") if q[1] == "src/model.py").partition("=")[2]
    entry = stored_entry(tmp_path / "c", key)
    if how == "deleted":
        entry.unlink()
    elif how == "edited":
        entry.write_bytes(entry.read_bytes().replace(b"fit", b"fix"))
    else:  # authentic (signed with the key) but its call lines no longer hold the calls of the index
        header, _, body = entry.read_bytes().partition(b"\n")
        lines = body.split(b"\n")
        lines[1] = b"[]"
        entry.write_bytes(signed(cold, b"\n".join(lines)))
    assert cold.stored_summary(key, "src/model.py") is None
    append(repo / "src" / "model.py", "\n# a comment: the same summary, but the stored one cannot be read\n")
    cache = rerun(repo, tmp_path / "c", rules)
    assert (cache.stats.rules_reused, cache.stats.rules_run) == (0, 1)


def test_a_summary_answer_naming_another_files_summary_does_not_match(tmp_path: Path) -> None:
    repo = summary_repo(tmp_path / "repo")
    rules = [detector("counts_fits", counts_fits)]
    # util.py's answer names model.py's summary (one with a `fit`).
    recorded_with(repo, tmp_path / "c", rules, lambda kind, question, answer, keys: (
        answer.partition("=")[0] + "=" + keys["src/model.py"] if kind == "summary" and question == "src/util.py" else answer))
    append(repo / "src" / "util.py", "\n# changed: its summary is compared with the one the answer names\n")
    cache = rerun(repo, tmp_path / "c", rules)
    assert (cache.stats.rules_reused, cache.stats.rules_run) == (0, 1)


def test_answering_a_summary_question_counts_no_read_and_keeps_nothing_in_the_index(tmp_path: Path) -> None:
    repo = summary_repo(tmp_path / "repo")
    (repo / "src" / "other.py").write_text("x = 1\n")
    rules = [detector("counts_fits", counts_fits)]
    rerun(repo, tmp_path / "c", rules)
    append(repo / "src" / "util.py", "\n# changed\n")
    with index.RepoIndex(repo, parse_cache=ParseCache(tmp_path / "c", KEY)) as idx:
        digest = "0" * 64  # not the file's bytes: its summary is made and compared
        stored_key = next(q[2] for q in questions(tmp_path / "c", "summary") if q[1] == "src/util.py").partition("=")[2]
        assert idx._summary_matches("src/util.py", f"{digest}={stored_key}")
        assert idx.stats.files_read == 0 and "src/util.py" not in idx._read_outcomes
        assert idx._python.get("src/util.py") is index._MISSING and "src/util.py" not in idx._summarised
        assert not idx._summary_matches("src/other.py", f"{digest}={stored_key}")  # another file's summary
        assert not idx._summary_matches("src/util.py", f"{digest}={'f' * 64}")  # no such entry
        assert not idx._summary_matches("src/util.py", "not an answer")


def loops_in_trees(repo: index.RepoIndex) -> Observation:
    """Reads the syntax tree of each module: where its `for` loops are."""
    loops = []
    for rel in repo.python_files():
        module = repo.syntax_tree(rel)
        loops += [f"{rel}:{node.lineno}" for node in ast.walk(module) if isinstance(node, ast.For)] if module is not None else [f"{rel}: bad code"]
    return Observation.passed(f"loops {loops}")


RULES = {"counts_fits": counts_fits, "loops_in_trees": loops_in_trees}


def test_a_tree_whose_lines_moved_or_that_no_longer_parses_reruns_the_rule(tmp_path: Path) -> None:
    repo = summary_repo(tmp_path / "repo")
    rules = [detector("loops_in_trees", loops_in_trees)]
    rerun(repo, tmp_path / "c", rules)
    path = repo / "src" / "util.py"
    path.write_text("\n" + path.read_text())  # every node one line lower
    assert rerun(repo, tmp_path / "c", rules).stats.rules_run == 1
    append(path, "\ndef broken(:\n")
    assert rerun(repo, tmp_path / "c", rules).stats.rules_run == 1


def test_a_stored_tree_digest_that_differs_reruns_the_rule(tmp_path: Path) -> None:
    repo = summary_repo(tmp_path / "repo")
    rules = [detector("loops_in_trees", loops_in_trees)]
    recorded_with(repo, tmp_path / "c", rules, lambda kind, question, answer, _: (
        answer.partition("=")[0] + "=" + "0" * 64 if kind == "tree" and question == "src/util.py" else answer))
    append(repo / "src" / "util.py", "\n# a comment: the tree is that of the cold run, not the one the record names\n")
    cache = rerun(repo, tmp_path / "c", rules)
    assert (cache.stats.rules_reused, cache.stats.rules_run) == (0, 1)


def test_the_tree_digest_tells_trees_apart_by_every_field_and_position() -> None:
    base = "def f(a):\n    return a + 1\n"
    assert index.tree_digest(ast.parse(base)) == index.tree_digest(ast.parse(base + "# a comment\n"))
    for other in ("def f(a):\n    return a + 2\n", "def f(b):\n    return b + 1\n", "\ndef f(a):\n    return a + 1\n",
                  "def f(a):\n    return  a + 1\n"):  # a value, a name, a line, a column
        assert index.tree_digest(ast.parse(other)) != index.tree_digest(ast.parse(base))
    assert index.tree_digest(None) == "none"


def test_a_tree_too_deep_to_digest_is_a_content_question_and_never_crashes_the_rule(tmp_path: Path) -> None:
    repo = summary_repo(tmp_path / "repo")
    (repo / "src" / "deep.py").write_text("total = " + " + ".join(["a"] * 600) + "\n")  # parses; too deep to pickle
    assert index.tree_digest(ast.parse((repo / "src" / "deep.py").read_text())) is None
    rules = [detector("loops_in_trees", loops_in_trees)]
    cache = ParseCache(tmp_path / "c", KEY)
    result = collect(repo, now=NOW, parse_cache=cache, detectors=rules)
    assert [(f.detector, f.outcome) for f in result.findings] == [("loops_in_trees", FindingOutcome.pass_)]  # not an error
    assert pretty_json(result.model_dump(mode="json")) == collected(repo, detectors=rules)
    assert [q[1] for q in questions(tmp_path / "c", "content")] == ["src/deep.py"]
    append(repo / "src" / "deep.py", "# a comment: the bytes changed, so the rule runs\n")
    assert rerun(repo, tmp_path / "c", rules).stats.rules_run == 1
