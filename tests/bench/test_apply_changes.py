"""Re-read labels are applied line by line: comments kept, stale or impossible changes refused, nothing half-written."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.evidence import apply_changes
from benchmarks.evidence.labels import load_labels

SHA = "b" * 40
LABELS = f"""# a header comment that must survive
version: 1
kinds: [has_ci_pipeline, tags_releases]
repos:
# batch comment
- repo: o/course
  commit: '{SHA}'
  split: spent
  kind_of_repo: "a course"
  decoy: false
  labels:
  - {{kind: has_ci_pipeline, present: false, paths: [], note: "lesson workflows only"}}
  - {{kind: tags_releases, present: false, paths: [], note: "no tags"}}
- repo: o/svc
  commit: '{SHA}'
  split: heldout
  kind_of_repo: "a service"
  decoy: false
  labels:
  - {{kind: has_ci_pipeline, present: true, paths: [".github/workflows/ci.yml"], note: "tests on push"}}
  - {{kind: tags_releases, present: false, paths: [], note: "no tags"}}
"""


def _files(tmp_path: Path, changes: str) -> tuple[Path, Path]:
    labels, change = tmp_path / "labels.yaml", tmp_path / "changes.yaml"
    labels.write_text(LABELS, encoding="utf-8")
    change.write_text(changes, encoding="utf-8")
    return labels, change


def test_a_flip_and_a_label_change_are_applied_and_everything_else_is_kept(tmp_path: Path) -> None:
    labels, change = _files(tmp_path, """
decoy_changes:
- {repo: o/course, decoy: true, note: "re-read (conventions §2): a course"}
label_changes:
- {repo: o/course, kind: tags_releases, old_present: false, present: true, paths: [refs/tags/v1], note: "re-read (conventions §4): tag \\"v1\\"", uncertain: true}
checked_unchanged: [o/svc]
""")
    assert apply_changes.main([str(change), "--labels", str(labels)]) == 0
    text = labels.read_text(encoding="utf-8")
    assert text.startswith("# a header comment that must survive\n") and "# batch comment\n" in text
    course = next(r for r in load_labels(labels).repos if r.repo == "o/course")
    assert course.decoy is True
    tag = course.label("tags_releases")
    assert (tag.present, tag.paths, tag.note, tag.uncertain) == (True, ["refs/tags/v1"], 're-read (conventions §4): tag "v1"', True)
    svc = next(r for r in load_labels(labels).repos if r.repo == "o/svc")
    assert svc.decoy is False and svc.label("tags_releases").present is False


def test_a_change_written_against_another_version_is_refused_and_nothing_is_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    labels, change = _files(tmp_path, """
label_changes:
- {repo: o/course, kind: tags_releases, old_present: false, present: true, paths: [refs/tags/v1], note: "fine"}
- {repo: o/svc, kind: has_ci_pipeline, old_present: false, present: true, paths: [ci.yml], note: "stale"}
""")
    assert apply_changes.main([str(change), "--labels", str(labels)]) == 2
    err = capsys.readouterr().err
    assert "changes.yaml:4:3 (o/svc has_ci_pipeline): old_present is false but the file says true" in err
    assert labels.read_text(encoding="utf-8") == LABELS


def test_a_present_label_without_a_path_and_an_unknown_repository_are_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    labels, change = _files(tmp_path, """
decoy_changes:
- {repo: o/missing, decoy: true, note: "x"}
label_changes:
- {repo: o/svc, kind: tags_releases, old_present: false, present: true, paths: [], note: "no path"}
""")
    assert apply_changes.main([str(change), "--labels", str(labels)]) == 2
    err = capsys.readouterr().err
    assert "changes.yaml:3:3 (o/missing): not a repository of the labels file" in err
    assert "changes.yaml:5:3 (o/svc tags_releases): Value error, tags_releases: marked present, so name at least one path" in err
    assert "errors.pydantic.dev" not in err
    assert labels.read_text(encoding="utf-8") == LABELS


def test_a_dry_run_checks_and_writes_nothing(tmp_path: Path) -> None:
    labels, change = _files(tmp_path, "decoy_changes:\n- {repo: o/svc, decoy: true, note: x}\n")
    assert apply_changes.main([str(change), "--labels", str(labels), "--dry-run"]) == 0
    assert labels.read_text(encoding="utf-8") == LABELS


def test_two_changes_of_one_label_and_a_flip_to_the_same_value_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    labels, change = _files(tmp_path, """
decoy_changes:
- {repo: o/svc, decoy: false, note: "already a project"}
label_changes:
- {repo: o/course, kind: tags_releases, old_present: false, present: true, paths: [refs/tags/v1], note: "one"}
- {repo: o/course, kind: tags_releases, old_present: false, present: false, paths: [], note: "two"}
""")
    assert apply_changes.main([str(change), "--labels", str(labels)]) == 2
    err = capsys.readouterr().err
    assert "(o/svc): the file already says decoy: false" in err
    assert "changes.yaml:6:3 (o/course tags_releases): a second change for the same label" in err
    assert labels.read_text(encoding="utf-8") == LABELS


def test_an_entry_written_with_a_comment_or_quotes_is_found_like_any_other(tmp_path: Path) -> None:
    labels, change = _files(tmp_path, "decoy_changes:\n- {repo: o/svc, decoy: true, old_decoy: false, note: x}\n")
    labels.write_text(LABELS.replace("- repo: o/svc\n", "- repo: 'o/svc'  # moved here\n"), encoding="utf-8")
    assert apply_changes.main([str(change), "--labels", str(labels)]) == 0
    assert next(r for r in load_labels(labels).repos if r.repo == "o/svc").decoy is True
