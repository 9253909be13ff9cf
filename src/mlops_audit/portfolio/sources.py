"""SOURCES on the command line -> the repositories of the estate, each with a stable id.

A SOURCE is a folder of checkouts (each child folder is one repository) or a text file listing one
repository path per line (blank lines and lines starting with '#' are skipped; a relative path is
taken from the file's folder). A child of an estate folder that is a symbolic link is not followed:
it is kept as a repository whose record says why it was not collected.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from mlops_audit.errors import InputError

MAX_LIST_BYTES = 16 * 1024 * 1024  # a path list larger than this is not a path list
MAX_REPOS = 100_000
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class RepoSpec:
    id: str  # file-name-safe and unique in the estate: names the result file
    path: str  # as the user gave it (folder source joined with the child name), for display and records
    refusal: str | None = None  # set when the entry must not be collected (the reason)


def safe_name(name: str) -> str:
    """A file-name-safe form of a repository name (never empty, never dot-only)."""
    cleaned = _UNSAFE.sub("_", name).strip("._") or "repo"
    return cleaned[:80]


def _from_folder(folder: Path) -> list[tuple[str, str, str | None]]:
    found: list[tuple[str, str, str | None]] = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith("."):
                continue  # .git of the estate folder itself, editor files
            shown = str(folder / entry.name)
            if entry.is_symlink():
                found.append((entry.name, shown, "a symbolic link in the estate folder: not followed"))
            elif entry.is_dir(follow_symlinks=False):
                found.append((entry.name, shown, None))
    return found


def _lines(listing: Path, expected: str) -> list[tuple[int, str]]:
    """(line number, entry) of a text file of one entry per line (blank lines and `#` comments
    skipped), bounded and checked; `expected` says what a line holds, for the errors."""
    size = listing.stat().st_size
    if size > MAX_LIST_BYTES:
        raise InputError(f"{listing}: {size} bytes; a list of {expected}s is expected to be under {MAX_LIST_BYTES} bytes")
    raw = listing.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(f"{listing}, line {line}: not UTF-8 text; expected one {expected} per line") from None
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        if "\x00" in entry:
            raise InputError(f"{listing}, line {number}: contains a NUL character; expected a {expected}")
        found.append((number, entry))
    return found


def declared_learning_material(listing: Path, specs: list[RepoSpec]) -> frozenset[str]:
    """The ids of the repositories a file declares learning material: one per line, each a
    repository's id in the estate (its folder name as collected) or its path (absolute, or relative
    to the file's folder), matched by location, whatever form the sources named it in.
    A line naming no repository of the estate is an error naming the line (never dropped silently)."""
    by_path = {os.path.abspath(spec.path): spec.id for spec in specs}  # as sources name them, relative to where the run started
    ids = {spec.id for spec in specs}
    declared: set[str] = set()
    for number, entry in _lines(listing, "repository id or path"):
        # a relative line is relative to the declaration file's folder (as a path list's lines are)
        found = entry if entry in ids else by_path.get(os.path.abspath(entry if Path(entry).is_absolute() else str(listing.parent / entry)))
        if found is None:
            raise InputError(f"{listing}, line {number}: '{entry}' is not a repository of this portfolio (expected an id such as '{min(ids, default='repo')}' or a path the sources name)")
        declared.add(found)
    return frozenset(declared)


def _from_list(listing: Path) -> list[tuple[str, str, str | None]]:
    found: list[tuple[str, str, str | None]] = []
    for number, entry in _lines(listing, "repository path"):
        path = Path(entry)
        shown = entry if path.is_absolute() else str(listing.parent / path)
        name = Path(shown).resolve().name or "root"
        refusal = None if Path(shown).is_dir() else "not a folder (expected a repository checkout)"
        found.append((name, shown, refusal))
    return found


def expand_sources(sources: list[Path]) -> list[RepoSpec]:
    """Every repository named by `sources`, sorted by id; duplicates (same path) listed once."""
    if not sources:
        raise InputError("no SOURCES given: expected a folder of repository checkouts or a text file of paths")
    rows: list[tuple[str, str, str | None]] = []
    for source in sources:
        if source.is_dir():
            rows += _from_folder(source)
        elif source.is_file():
            rows += _from_list(source)
        else:
            raise InputError(f"{source}: not found; expected a folder of checkouts or a text file of repository paths")
    unique: dict[str, tuple[str, str, str | None]] = {}
    for name, shown, refusal in rows:
        unique.setdefault(os.path.normpath(shown), (name, shown, refusal))
    if len(unique) > MAX_REPOS:
        raise InputError(f"{len(unique)} repositories named; at most {MAX_REPOS} per portfolio")
    return _assign_ids(list(unique.values()))


def _assign_ids(rows: list[tuple[str, str, str | None]]) -> list[RepoSpec]:
    """The id is the safe folder name; names shared by several paths get a digest of the path."""
    counts: dict[str, int] = {}
    for name, _, _ in rows:
        counts[safe_name(name)] = counts.get(safe_name(name), 0) + 1
    specs = []
    for name, shown, refusal in rows:
        base = safe_name(name)
        if counts[base] > 1:
            base = f"{base}-{hashlib.sha256(os.path.normpath(shown).encode('utf-8', 'surrogateescape')).hexdigest()[:10]}"
        specs.append(RepoSpec(id=base, path=shown, refusal=refusal))
    return sorted(specs, key=lambda s: s.id)
