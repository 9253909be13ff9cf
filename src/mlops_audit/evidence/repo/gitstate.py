"""What a reading of a work tree's history depends on, read from `.git` without running git.

The rule memo keeps one reading of the history (`rulememo.History`). Knowing whether it still holds
used to need the git output itself (`git log` over the whole history, the tag listing): on a long
history that process is most of a warm run's wall time. `history_state` is a SHA-256 of everything
those commands' output is a function of, so a run whose state is the stored one starts no git process
for the history at all:

- the commit HEAD names: the file HEAD, every ref it points through (loose file or `packed-refs`,
  hashed whole). Objects are content-addressed, so a commit id fixes its whole ancestry, authors,
  times and changed paths;
- the tag refs (`refs/tags/**` loose files and `packed-refs`; an annotated tag's date is in its
  object, named by the ref);
- the repository's own configuration (`gitcmd` ignores system and global configuration and fixes the
  rest on the command line), the mailmap (`%aN`/`%aE`), grafts and the shallow boundary;
- the git program (its resolved path, size, inode and modification time) and the exact command lines.

Anything that is not plain gives None, and the history is read by running git as before: a `.git`
that is a file (linked worktree, submodule), a symlink anywhere the key reads, configuration that
includes other files or names a mailmap, a partial clone, another ref storage or per-worktree
configuration, a ref chain deeper than MAX_REF_DEPTH, a file over its cap, more than MAX_TAG_REFS
loose tags. The key is computed before git runs and again after (`index.git_signals`): a reading
whose state moved while git ran is never stored under either.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
from collections.abc import Sequence
from pathlib import Path

from mlops_audit.evidence.repo.folders import READ_FLAGS, FolderFds, safe_relative

MAX_REF_DEPTH = 5
MAX_SMALL_FILE = 1 << 20  # HEAD, a ref, config, mailmap, grafts, shallow
MAX_PACKED_REFS = 16 << 20
MAX_TAG_REFS = 20_000

# Configuration the key cannot follow: other files included, a mailmap named elsewhere, objects a
# partial clone fetches on demand, refs not stored as files, configuration per worktree.
_UNFOLLOWABLE_CONFIG = re.compile(rb"include|mailmap|promisor|partialclone|refstorage|worktreeconfig", re.IGNORECASE)
_REF_LINE = re.compile(rb"ref: (refs/[^\n\0]+)\n?")


class _NoState(Exception):
    """The state cannot be read plainly: run git."""


_ABSENT = b"\0absent"


def _read(folders: FolderFds, rel: str, cap: int) -> bytes:
    """The bytes of the regular file `rel` below the work tree, reached without passing a symbolic
    link (`folders.FolderFds`), never a device or pipe; `_ABSENT` when it or a folder on the way
    does not exist."""
    if not safe_relative(rel):
        raise _NoState(rel)
    parent, _, name = rel.rpartition("/")
    try:
        fd = os.open(name, READ_FLAGS, dir_fd=folders.fd(parent))
    except FileNotFoundError:
        return _ABSENT
    except OSError:
        raise _NoState(rel) from None  # a symlink on the way (ELOOP, ENOTDIR), unreadable
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > cap:
            raise _NoState(rel)
        chunks = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
            if sum(map(len, chunks)) > cap:
                raise _NoState(rel)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _tag_refs(folders: FolderFds) -> list[tuple[str, bytes]]:
    """(path under refs/tags, bytes) of every loose tag ref, sorted; no symlink followed."""
    found: list[tuple[str, bytes]] = []
    pending = [""]
    while pending:
        prefix = pending.pop()
        folder = ".git/refs/tags" + ("/" + prefix.rstrip("/") if prefix else "")
        try:
            with os.scandir(folders.fd(folder)) as scan:
                entries = [(e.name, e.is_symlink(), e.is_dir(follow_symlinks=False), e.is_file(follow_symlinks=False)) for e in scan]
        except FileNotFoundError:
            continue
        except OSError:
            raise _NoState(folder) from None
        for name, link, is_dir, is_file in entries:
            rel = prefix + name
            if link or not (is_dir or is_file):
                raise _NoState(rel)
            if is_dir:
                pending.append(rel + "/")
            else:
                found.append((rel, _read(folders, f"{folder}/{name}", MAX_SMALL_FILE)))
                if len(found) > MAX_TAG_REFS:
                    raise _NoState("too many tags")
    return sorted(found)


def _git_program() -> bytes:
    """The git that `gitcmd` runs (the first on PATH), by what changes when it is replaced."""
    found = shutil.which("git")
    if found is None:
        raise _NoState("git")
    real = os.path.realpath(found)
    info = os.stat(real)
    return f"{real}\0{info.st_size}\0{info.st_ino}\0{info.st_mtime_ns}".encode("utf-8", "surrogateescape")


def history_state(root: Path, commands: Sequence[Sequence[str]]) -> str | None:
    """The SHA-256 of what `commands` (the git command lines of a history reading) print in the work
    tree `root`, read without running git; None when it cannot be read plainly (see the module)."""
    try:
        return _history_state(root, commands)
    except (_NoState, OSError):
        return None


def _history_state(root: Path, commands: Sequence[Sequence[str]]) -> str:
    folders = FolderFds(str(root))
    try:
        return _read_state(folders, commands)
    finally:
        folders.close()


def _read_state(folders: FolderFds, commands: Sequence[Sequence[str]]) -> str:
    config = _read(folders, ".git/config", MAX_SMALL_FILE)
    if config == _ABSENT:
        raise _NoState(".git")  # no .git folder (or a gitfile: a linked worktree, a submodule)
    if _UNFOLLOWABLE_CONFIG.search(config) or any(_read(folders, f".git/{n}", MAX_SMALL_FILE) != _ABSENT for n in ("config.worktree", "commondir")):
        raise _NoState("config")
    parts: list[bytes] = [_git_program(), "\0".join("\1".join(c) for c in commands).encode("utf-8", "surrogateescape"), config]
    head = _read(folders, ".git/HEAD", MAX_SMALL_FILE)
    parts.append(head)
    target = head
    for _ in range(MAX_REF_DEPTH):
        match = _REF_LINE.fullmatch(target)
        if match is None:
            break
        target = _read(folders, ".git/" + match.group(1).decode("utf-8", "surrogateescape"), MAX_SMALL_FILE)
        parts += [match.group(1), target]
    else:
        raise _NoState("ref chain")
    parts.append(_read(folders, ".git/packed-refs", MAX_PACKED_REFS))
    for rel, body in _tag_refs(folders):
        parts += [rel.encode("utf-8", "surrogateescape"), body]
    for extra in (".git/shallow", ".git/info/grafts", ".mailmap"):
        parts.append(_read(folders, extra, MAX_SMALL_FILE))
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()
