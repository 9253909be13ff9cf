"""The git state a reading of the history depends on, read from `.git` without running git (`gitstate`).

A warm run trusts the rule memo's reading of the history while this state is the one it was read at, so
the state must change with everything `git log HEAD` and the tag listing print, and must be None (git
runs) wherever it cannot be read plainly."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from mlops_audit.evidence.repo import gitstate
from mlops_audit.evidence.repo.git import HISTORY_COMMANDS


def git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@example.org", "GIT_COMMITTER_NAME": "a",
           "GIT_COMMITTER_EMAIL": "a@example.org", "GIT_AUTHOR_DATE": "2026-11-01T10:00:00", "GIT_COMMITTER_DATE": "2026-11-01T10:00:00"}
    subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=repo, env=env, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "train.py").write_text("print('train')\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "first")
    return root


def state(root: Path) -> str | None:
    return gitstate.history_state(root, HISTORY_COMMANDS)


def test_the_state_is_a_digest_and_the_same_while_nothing_changes(repo: Path) -> None:
    first = state(repo)
    assert first is not None and len(first) == 64 and int(first, 16) >= 0
    (repo / "train.py").write_text("print('edited, not committed')\n")
    (repo / "notes.txt").write_text("untracked\n")
    git(repo, "branch", "elsewhere")  # a branch HEAD does not name
    assert state(repo) == first


def _commit(repo: Path) -> None:
    git(repo, "commit", "-q", "--allow-empty", "-m", "second")


def _amend_same_tree(repo: Path) -> None:
    git(repo, "commit", "-q", "--amend", "--allow-empty", "-m", "first, reworded")


def _lightweight_tag(repo: Path) -> None:
    git(repo, "tag", "v1")


def _annotated_tag_in_a_folder(repo: Path) -> None:
    git(repo, "tag", "-a", "team/v1", "-m", "release")


def _tags_packed(repo: Path) -> None:
    git(repo, "tag", "v1")
    git(repo, "pack-refs", "--all")


def _detached_head(repo: Path) -> None:
    git(repo, "checkout", "-q", "--detach")


def _switched_branch(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "other")


def _config(repo: Path) -> None:
    git(repo, "config", "core.abbrev", "12")


def _mailmap(repo: Path) -> None:
    (repo / ".mailmap").write_text("Alice <a@example.org>\n")


def _shallow(repo: Path) -> None:
    (repo / ".git" / "shallow").write_text("0" * 40 + "\n")


def _grafts(repo: Path) -> None:
    (repo / ".git" / "info").mkdir(exist_ok=True)
    (repo / ".git" / "info" / "grafts").write_text("0" * 40 + "\n")


@pytest.mark.parametrize("change", [
    _commit, _amend_same_tree, _lightweight_tag, _annotated_tag_in_a_folder, _tags_packed, _detached_head, _switched_branch,
    _config, _mailmap, _shallow, _grafts,
])
def test_the_state_changes_with_everything_the_history_reading_prints(repo: Path, change: Callable[[Path], None]) -> None:
    before = state(repo)
    change(repo)
    after = state(repo)
    assert before is not None and after is not None and after != before


def test_another_git_program_or_other_commands_are_another_state(repo: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    before = state(repo)
    assert gitstate.history_state(repo, [*HISTORY_COMMANDS[:2], ("for-each-ref", "refs/heads")]) != before
    other = tmp_path / "bin" / "git"
    other.parent.mkdir()
    other.write_text("#!/bin/sh\n")
    monkeypatch.setattr(gitstate.shutil, "which", lambda name: str(other))
    assert state(repo) not in (None, before)
    monkeypatch.setattr(gitstate.shutil, "which", lambda name: None)
    assert state(repo) is None


def _gitfile(repo: Path) -> None:
    moved = repo.parent / "elsewhere.git"
    (repo / ".git").rename(moved)
    (repo / ".git").write_text(f"gitdir: {moved}\n")


def _head_symlink(repo: Path) -> None:
    head = repo / ".git" / "HEAD"
    outside = repo.parent / "HEAD"
    outside.write_bytes(head.read_bytes())
    head.unlink()
    head.symlink_to(outside)


def _refs_folder_symlink(repo: Path) -> None:
    heads = repo / ".git" / "refs" / "heads"
    outside = repo.parent / "heads"
    heads.rename(outside)
    heads.symlink_to(outside, target_is_directory=True)


def _tags_folder_symlink(repo: Path) -> None:
    tags = repo / ".git" / "refs" / "tags"
    outside = repo.parent / "tags"
    outside.mkdir()
    (outside / "v1").write_text("0" * 40 + "\n")
    tags.rmdir()
    tags.symlink_to(outside, target_is_directory=True)


def _tag_symlink(repo: Path) -> None:
    (repo / ".git" / "refs" / "tags" / "v1").symlink_to("/etc/hostname")


def _mailmap_pipe(repo: Path) -> None:
    os.mkfifo(repo / ".mailmap")  # reading it would block: never opened


def _config_includes(repo: Path) -> None:
    with (repo / ".git" / "config").open("a") as config:
        config.write("[include]\n\tpath = ../../shared.gitconfig\n")


def _config_names_a_mailmap(repo: Path) -> None:
    git(repo, "config", "mailmap.file", "/tmp/people.map")


def _partial_clone(repo: Path) -> None:
    git(repo, "config", "remote.origin.promisor", "true")


def _ref_loop(repo: Path) -> None:
    (repo / ".git" / "HEAD").write_text("ref: refs/heads/a\n")
    (repo / ".git" / "refs" / "heads" / "a").write_text("ref: refs/heads/b\n")
    (repo / ".git" / "refs" / "heads" / "b").write_text("ref: refs/heads/a\n")


def _ref_out_of_git(repo: Path) -> None:
    (repo / ".git" / "HEAD").write_text("ref: refs/../../outside\n")


def _too_many_tags(repo: Path) -> None:
    for n in range(gitstate.MAX_TAG_REFS + 1):
        (repo / ".git" / "refs" / "tags" / f"t{n}").write_text("0" * 40 + "\n")


def _packed_refs_too_large(repo: Path) -> None:
    with (repo / ".git" / "packed-refs").open("wb") as packed:
        packed.truncate(gitstate.MAX_PACKED_REFS + 1)


@pytest.mark.parametrize("hostile", [
    _gitfile, _head_symlink, _refs_folder_symlink, _tags_folder_symlink, _tag_symlink, _mailmap_pipe, _config_includes,
    _config_names_a_mailmap, _partial_clone, _ref_loop, _ref_out_of_git, _packed_refs_too_large,
])
def test_a_state_that_cannot_be_read_plainly_is_none_and_git_runs(repo: Path, hostile: Callable[[Path], None]) -> None:
    hostile(repo)
    assert state(repo) is None


def test_more_loose_tags_than_the_cap_is_none(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gitstate, "MAX_TAG_REFS", 3)
    _too_many_tags(repo)
    assert state(repo) is None


def test_no_git_folder_is_none(tmp_path: Path) -> None:
    assert state(tmp_path) is None
