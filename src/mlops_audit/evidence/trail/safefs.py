"""Paths inside a run folder: relative, no `..`, no symlinks anywhere on the way, regular files only.

Run folders are untrusted when verified (a manifest may name any path), so every artefact is
opened through `open_inside`, which refuses to leave the folder or follow a link.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path, PurePosixPath

from mlops_audit.errors import AuditError

# Files the trail itself owns; a pipeline may not record them as outputs.
RESERVED_NAMES = frozenset({"audit.jsonl", "manifest.json", "statement.json"})


class UnsafePath(AuditError):
    """A path that would leave the run folder, pass through a symlink, or is not a regular file."""

    exit_code = 2


def normalise_relative(path: str | os.PathLike[str]) -> str:
    """The POSIX form of a path relative to the run folder; refuses absolute paths and `..`."""
    text = os.fspath(path)
    if not text or "\x00" in text:
        raise UnsafePath(f"artefact path {text!r}: expected a non-empty relative path")
    if "\\" in text:
        raise UnsafePath(f"artefact path {text!r}: use '/' as separator, not '\\'")
    posix = PurePosixPath(text)
    if posix.is_absolute() or (len(text) > 1 and text[1] == ":"):
        raise UnsafePath(f"artefact path {text!r}: expected a path relative to the run folder")
    parts = [part for part in posix.parts if part not in ("", ".")]
    if not parts or any(part == ".." for part in parts):
        raise UnsafePath(f"artefact path {text!r}: must stay inside the run folder (no '..')")
    return "/".join(parts)


def open_inside(root: Path, relative: str) -> int:
    """Open root/relative read-only as a file descriptor without following any symlink.

    Each parent component is checked with lstat (no links, must be directories) and the file itself
    is opened with O_NOFOLLOW and checked to be a regular file.
    """
    rel = normalise_relative(relative)
    current = Path(root)
    parts = rel.split("/")
    for part in parts[:-1]:
        current = current / part
        try:
            info = os.lstat(current)
        except FileNotFoundError:
            raise FileNotFoundError(rel) from None
        if stat.S_ISLNK(info.st_mode):
            raise UnsafePath(f"artefact path {rel!r}: {part!r} is a symbolic link; links are not followed")
        if not stat.S_ISDIR(info.st_mode):
            raise FileNotFoundError(rel)
    target = current / parts[-1]
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        raise FileNotFoundError(rel) from None
    if stat.S_ISLNK(info.st_mode):
        raise UnsafePath(f"artefact path {rel!r} is a symbolic link; links are not followed")
    if not stat.S_ISREG(info.st_mode):
        raise UnsafePath(f"artefact path {rel!r} is not a regular file")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(target, flags)
    if not stat.S_ISREG(os.fstat(fd).st_mode):  # replaced between lstat and open
        os.close(fd)
        raise UnsafePath(f"artefact path {rel!r} is not a regular file")
    return fd


def sha256_inside(root: Path, relative: str, chunk_size: int = 1 << 20) -> str:
    """SHA-256 hex of a regular file inside `root`, never following symlinks."""
    fd = open_inside(root, relative)
    digest = hashlib.sha256()
    with os.fdopen(fd, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()
