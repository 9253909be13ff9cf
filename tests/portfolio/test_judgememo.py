"""The judgement memo (`judgememo`): the documentation-code and learning-material judgements recalled
while the listing, the remote's names and the files they read are unchanged, judged again otherwise,
outputs byte-identical in every case, and a tampered, swapped or malformed memo file ignored."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mlops_audit.evidence.repo import documents, judgememo, lessons
from mlops_audit.evidence.repo.collect import build_index
from mlops_audit.evidence.repo.filecache import ParseCache
from mlops_audit.evidence.repo.lessons import LearningMaterial, LessonTree
from tests.portfolio.test_filecache import KEY, signed
from tests.portfolio.test_rulememo import collected


def course_repo(root: Path) -> Path:
    """A course: a README that says so, three numbered lessons with code, a MkDocs site with code."""
    (root / "docs" / "examples").mkdir(parents=True)
    (root / "README.md").write_text("# MLOps course\n\nThis course teaches you, lesson by lesson, how to track experiments.\n")
    (root / "mkdocs.yml").write_text("site_name: course\ndocs_dir: docs\n")
    (root / "docs" / "index.md").write_text("# course\n")
    (root / "docs" / "examples" / "demo.py").write_text("import mlflow\nmlflow.start_run()\n")
    for n in (1, 2, 3):
        (root / f"lesson-0{n}").mkdir()
        (root / f"lesson-0{n}" / "train.py").write_text(f"import mlflow\n\nmlflow.log_param('lesson', {n})\n")
    (root / "app").mkdir()
    (root / "app" / "serve.py").write_text("def serve():\n    return 1\n")
    return root


def judged_file(cache_root: Path) -> Path:
    files = sorted(cache_root.rglob(f"*.{judgememo.KIND}.*.json"))
    assert len(files) == 1, files
    return files[0]


def counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The judgements run, by name, from now on."""
    ran: list[str] = []
    for module, name in ((documents, "find_documentation_code"), (lessons, "find_learning_material")):
        real = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, _real=real, _name=name, **k: (ran.append(_name), _real(*a, **k))[1])
    return ran


def test_the_judgements_are_recalled_while_the_listing_and_the_files_they_read_are_unchanged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = course_repo(tmp_path / "repo")
    plain = collected(repo)
    assert '"learning_code_files": 0' not in plain and '"documentation_code_files": 1' in plain  # both judgements leave code out here
    assert collected(repo, ParseCache(tmp_path / "c", KEY)) == plain
    ran = counting(monkeypatch)
    assert collected(repo, ParseCache(tmp_path / "c", KEY)) == plain
    assert ran == []


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda r: (r / "README.md").write_text("# Churn service\n\nServes the churn model.\n"), id="the README they read"),
        pytest.param(lambda r: (r / "lesson-04").mkdir() or (r / "lesson-04" / "train.py").write_text("x = 1\n"), id="a file listed"),
        pytest.param(lambda r: (r / "mkdocs.yml").write_text("site_name: course\ndocs_dir: site-src\n"), id="the site configuration"),
        pytest.param(lambda r: (r / "lesson-02" / "train.py").unlink(), id="a file gone"),
    ],
)
def test_a_change_to_what_they_read_judges_again_and_the_output_is_a_plain_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: object) -> None:
    repo = course_repo(tmp_path / "repo")
    collected(repo, ParseCache(tmp_path / "c", KEY))
    change(repo)  # type: ignore[operator]
    plain = collected(repo)
    ran = counting(monkeypatch)
    assert collected(repo, ParseCache(tmp_path / "c", KEY)) == plain
    assert ran == ["find_documentation_code", "find_learning_material"]
    ran.clear()
    assert collected(repo, ParseCache(tmp_path / "c", KEY)) == plain  # and recalled again after
    assert ran == []


def test_a_change_to_a_file_they_did_not_read_keeps_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = course_repo(tmp_path / "repo")
    collected(repo, ParseCache(tmp_path / "c", KEY))
    (repo / "app" / "serve.py").write_text("def serve():\n    return 2\n")
    plain = collected(repo)
    ran = counting(monkeypatch)
    assert collected(repo, ParseCache(tmp_path / "c", KEY)) == plain
    assert ran == []


def test_the_remotes_name_is_part_of_the_question(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = course_repo(tmp_path / "repo")
    names = iter([("team", "churn"), ("someone", "mlops-course")])
    monkeypatch.setattr("mlops_audit.evidence.repo.reponame.repository_names", lambda root: next(names))
    cache = ParseCache(tmp_path / "c", KEY)
    build_index(repo, parse_cache=cache).close()
    ran = counting(monkeypatch)
    build_index(repo, parse_cache=cache).close()
    assert ran == ["find_documentation_code", "find_learning_material"]


def stored(cache_root: Path) -> tuple[Path, bytes, dict]:
    path = judged_file(cache_root)
    body = path.read_bytes().partition(b"\n")[2]
    return path, body, json.loads(body)


def rewrite(path: Path, document: dict) -> None:
    """The memo file holding `document`, authentic under the key."""
    path.write_bytes(signed(ParseCache(path.parent, KEY), json.dumps(document, separators=(",", ":")).encode()))


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        pytest.param(lambda d: d["learning"].__setitem__(3, "nothing"), "corrupt", id="an unknown verdict"),
        pytest.param(lambda d: d["learning"][0].append("not/listed.py"), "corrupt", id="a file left out that is not listed"),
        pytest.param(lambda d: d["documentation"].__setitem__(0, ["b.py", "a.py"]), "corrupt", id="files out of order"),
        pytest.param(lambda d: d["learning"].__setitem__(5, 7.5), "corrupt", id="a probability past 1"),
        pytest.param(lambda d: d["learning"][7].append(["README", "again"]) or d["learning"][7].append(["README", "again"]), "corrupt", id="a sign twice"),
        pytest.param(lambda d: d.__setitem__("reads", [["README.md", 3]]), "corrupt", id="an answer not a string"),
        pytest.param(lambda d: d.__setitem__("repository", "0" * 64), "other_content", id="another repository's memo"),
        pytest.param(lambda d: d.__setitem__("format", 0), "other_version", id="another format"),
        pytest.param(lambda d: d.__setitem__("extra", 1), "corrupt", id="an unknown key"),
    ],
)
def test_a_malformed_memo_is_refused_counted_and_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tamper: object, reason: str) -> None:
    repo = course_repo(tmp_path / "repo")
    plain = collected(repo)
    collected(repo, ParseCache(tmp_path / "c", KEY))
    path, _, document = stored(tmp_path / "c")
    tamper(document)  # type: ignore[operator]
    rewrite(path, document)
    cache = ParseCache(tmp_path / "c", KEY)
    ran = counting(monkeypatch)
    assert collected(repo, cache) == plain
    assert cache.stats.rejected[reason] == 1
    assert ran == ["find_documentation_code", "find_learning_material"]
    ran.clear()
    collected(repo, ParseCache(tmp_path / "c", KEY))  # replaced by a good one
    assert ran == []


def test_an_edited_or_truncated_memo_fails_its_authentication(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = course_repo(tmp_path / "repo")
    plain = collected(repo)
    collected(repo, ParseCache(tmp_path / "c", KEY))
    path = judged_file(tmp_path / "c")
    data = path.read_bytes()
    for forged in (data.replace(b'"course"', b'"none"'), data[: len(data) // 2]):
        path.write_bytes(forged)
        cache = ParseCache(tmp_path / "c", KEY)
        ran = counting(monkeypatch)
        assert collected(repo, cache) == plain
        assert cache.stats.rejected["unauthenticated"] == 1 and ran == ["find_documentation_code", "find_learning_material"]
        monkeypatch.undo()


def test_a_memo_that_is_a_link_is_not_followed(tmp_path: Path) -> None:
    repo = course_repo(tmp_path / "repo")
    plain = collected(repo)
    collected(repo, ParseCache(tmp_path / "c", KEY))
    path = judged_file(tmp_path / "c")
    outside = tmp_path / "elsewhere.json"
    outside.write_bytes(path.read_bytes())
    path.unlink()
    os.symlink(outside, path)
    cache = ParseCache(tmp_path / "c", KEY)
    assert collected(repo, cache) == plain
    assert cache.stats.rejected["not_regular"] == 1


def test_the_stored_form_gives_back_equal_judgements() -> None:
    documentation = documents.DocumentationCode(left_out={"docs/a.py", "docs/b.py"}, trees=[documents.DocsTree("docs", "mkdocs.yml", "MkDocs docs_dir", 2)], notes=["a note"])
    learning = LearningMaterial(
        left_out={"l-01/a.py", "l-02/\udcff.py"}, trees=[LessonTree("", "lesson series: 3 numbered lessons", 2, 1)], code_total=5, verdict="partly",
        teaching="README.md speaks of a course", probability=0.625, declared=True, signs={"README:course": "says so", "structure": "lessons"},
        rules_share=0.4, rules_course=False, two_signs=True,
    )
    listed = frozenset({"docs/a.py", "docs/b.py", "l-01/a.py", "l-02/\udcff.py"})
    body = judgememo.encode("a" * 64, "v", "listing", ["team", "name"], True, {"README.md": "read:00"}, (documentation, learning))
    asked, (doc_back, learning_back) = judgememo.decode(body, "a" * 64, "v", listed)
    assert (doc_back, learning_back) == (documentation, learning)
    assert list(learning_back.signs) == list(learning.signs)  # the order the signs were found in
    assert asked == {"listing": "listing", "names": ["team", "name"], "classify": True, "reads": {"README.md": "read:00"}}
    assert type(learning_back.probability) is float and type(learning_back.code_total) is int
