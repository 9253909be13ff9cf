"""The learning-material view (`RepoIndex.learning_only`): built from the first index's listing,
judgements and parse cache, it lists what a fresh index counting learning material would list of
that material, starts no git process, and the notes it feeds are unchanged."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from mlops_audit.evidence.repo.collect import build_index, collect
from mlops_audit.evidence.repo.filecache import ParseCache
from mlops_audit.util.jsonio import pretty_json
from tests.repo.test_coursework import NOW, project_with_a_course_folder, workshop_with_solutions


def git_tree(root: Path, make: Callable[[Path], None] = workshop_with_solutions) -> Path:
    make(root)
    for command in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "c"]):
        subprocess.run(["git", *command], cwd=root, check=True, capture_output=True)
    return root


def test_the_view_lists_the_learning_material_in_listing_order_with_the_first_indexs_judgements(tmp_path: Path) -> None:
    root = git_tree(tmp_path / "w")
    with build_index(root, now=NOW) as first, build_index(root, now=NOW, count_learning_material=True) as counted:
        left_out = first.stats.learning.left_out
        assert left_out and not left_out & set(first.files)
        with first.learning_only() as view:
            assert view.files == tuple(f for f in counted.files if f in left_out)  # what the listing holds of the material
            assert view.stats.learning is first.stats.learning and view.stats.installed is first.stats.installed
            assert view.stats.files_listed == len(view.files) and view.stats.listing == first.stats.listing == "git"
            assert view.count_learning_material and view._git_pending is None  # no git log started for it
            assert view._parse_cache is first._parse_cache is None
            found = [s.path for s in view.python_mentioning("mlflow")]
            assert found and found == [s.path for s in counted.python_mentioning("mlflow") if s.path in left_out]


def test_collect_notes_are_the_same_with_and_without_a_cache_and_the_view_uses_it(tmp_path: Path) -> None:
    root = git_tree(tmp_path / "w", project_with_a_course_folder)  # `partly`: the view is searched (a course's is not)
    plain = pretty_json(collect(root, now=NOW).model_dump(mode="json"))
    assert "not credited: found only in learning material" in plain
    cold = ParseCache(tmp_path / "c", b"k" * 32)
    assert pretty_json(collect(root, now=NOW, parse_cache=cold).model_dump(mode="json")) == plain
    lesson_code = [p.name for p in (tmp_path / "c").rglob("*.python.*.json")]
    assert len(lesson_code) >= 1  # the view's summaries (lesson code) went through the cache
    warm = ParseCache(tmp_path / "c", b"k" * 32)
    assert pretty_json(collect(root, now=NOW, parse_cache=warm).model_dump(mode="json")) == plain
    assert warm.stats.misses == 0 and warm.stats.hits >= 1
