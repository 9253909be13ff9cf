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

import errno
import hashlib
import os
import re
import shutil
import stat
from collections.abc import Sequence
from pathlib import Path

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


def _plain_folders(base: Path, rel: str) -> Path:
    """`base/rel`, after checking that no folder on the way below `base` is a symlink."""
    path = base
    for part in rel.split("/")[:-1]:
        path = path / part
        try:
            if stat.S_ISLNK(os.lstat(path).st_mode):
                raise _NoState(rel)
        except FileNotFoundError:
            break  # the file is absent too
    return base / rel


def _read(path: Path, cap: int) -> bytes:
    """The bytes of a regular file (never through a symlink, never a device or pipe), `_ABSENT`
    when there is none."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            raise _NoState(str(path))
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return _ABSENT
    except OSError as exc:
        if exc.errno == errno.ENOTDIR:
            return _ABSENT
        raise _NoState(str(path)) from None  # replaced by a symlink meanwhile (ELOOP), unreadable
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > cap:
            raise _NoState(str(path))
        chunks = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
            if sum(map(len, chunks)) > cap:
                raise _NoState(str(path))
        return b"".join(chunks)
    finally:
        os.close(fd)


def _tag_refs(tags: Path) -> list[tuple[str, bytes]]:
    """(path under refs/tags, bytes) of every loose tag ref, sorted; no symlink followed."""
    found: list[tuple[str, bytes]] = []
    pending = [(tags, "")]
    while pending:
        folder, prefix = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except FileNotFoundError:
            continue
        except OSError:
            raise _NoState(str(folder)) from None
        for entry in entries:
            rel = prefix + entry.name
            if entry.is_symlink():
                raise _NoState(rel)
            if entry.is_dir(follow_symlinks=False):
                pending.append((Path(entry.path), rel + "/"))
            elif entry.is_file(follow_symlinks=False):
                found.append((rel, _read(Path(entry.path), MAX_SMALL_FILE)))
                if len(found) > MAX_TAG_REFS:
                    raise _NoState("too many tags")
            else:
                raise _NoState(rel)
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
    git_dir = root / ".git"
    if git_dir.is_symlink() or not git_dir.is_dir():
        raise _NoState(".git")
    config = _read(git_dir / "config", MAX_SMALL_FILE)
    if _UNFOLLOWABLE_CONFIG.search(config) or (git_dir / "config.worktree").exists() or (git_dir / "commondir").exists():
        raise _NoState("config")
    parts: list[bytes] = [_git_program(), "\0".join("\1".join(c) for c in commands).encode("utf-8", "surrogateescape"), config]
    head = _read(git_dir / "HEAD", MAX_SMALL_FILE)
    parts.append(head)
    target = head
    for _ in range(MAX_REF_DEPTH):
        match = _REF_LINE.fullmatch(target)
        if match is None:
            break
        name = match.group(1).decode("utf-8", "surrogateescape")
        if ".." in name.split("/") or "\\" in name:
            raise _NoState(name)
        target = _read(_plain_folders(git_dir, name), MAX_SMALL_FILE)
        parts += [match.group(1), target]
    else:
        raise _NoState("ref chain")
    parts.append(_read(git_dir / "packed-refs", MAX_PACKED_REFS))
    for rel, body in _tag_refs(_plain_folders(git_dir, "refs/tags/-").parent):
        parts += [rel.encode("utf-8", "surrogateescape"), body]
    for extra in (git_dir / "shallow", _plain_folders(git_dir, "info/grafts"), root / ".mailmap"):
        parts.append(_read(extra, MAX_SMALL_FILE))
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()
