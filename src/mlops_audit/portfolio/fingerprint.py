"""Has a repository changed since it was collected? Its HEAD commit, or a digest of its tree.

A git work tree is identified by its HEAD commit (read with the collector's hardened git runner:
the repository's own configuration cannot make git run anything). Uncommitted changes are not
part of it, as the issue asks; a tree that is not a git work tree (or whose HEAD cannot be read) is
identified by a digest of its files: every path, its type and its content (files over
`WHOLE_FILE_BYTES` by size plus their first and last `EDGE_BYTES`), so two copies of the same tree
get the same digest wherever they are. Symbolic links are hashed as their target text, never
followed; FIFOs and devices by type only, never opened.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from mlops_audit.util.jsonio import canonical_json, sha256_text

WHOLE_FILE_BYTES = 1024 * 1024
EDGE_BYTES = 64 * 1024
MAX_ENTRIES = 500_000


def head_commit(root: Path) -> str | None:
    """HEAD's commit id, or None when `root` is not a git work tree or git cannot read it."""
    from mlops_audit.evidence.repo.gitcmd import GitUnavailable, is_git_work_tree, run_git

    if not is_git_work_tree(root):
        return None
    try:
        out = run_git(root, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], timeout=30.0)
    except GitUnavailable:
        return None
    head = out.decode("ascii", "replace").strip()
    return head if len(head) in (40, 64) and all(c in "0123456789abcdef" for c in head) else None


def _file_digest(path: str) -> str:
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        return f"unreadable:{exc.errno}"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):  # swapped for something else since it was listed
            return "not-regular"
        digest = hashlib.sha256()
        if info.st_size <= WHOLE_FILE_BYTES:
            while chunk := os.read(fd, 1 << 20):
                digest.update(chunk)
        else:
            digest.update(f"size:{info.st_size}".encode())
            digest.update(os.pread(fd, EDGE_BYTES, 0))
            digest.update(os.pread(fd, EDGE_BYTES, max(0, info.st_size - EDGE_BYTES)))
        return digest.hexdigest()
    finally:
        os.close(fd)


def tree_digest(root: Path) -> str:
    """sha256 over (path, type, content digest) of every entry under `root` but `.git`, sorted."""
    outer = hashlib.sha256()
    count = 0
    pending = [""]
    while pending:
        rel_dir = pending.pop()
        try:
            with os.scandir(root / rel_dir if rel_dir else root) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            outer.update(f"D {rel_dir} unreadable:{exc.errno}\n".encode("utf-8", "surrogateescape"))
            continue
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            if rel == ".git":
                continue
            count += 1
            if count > MAX_ENTRIES:
                outer.update(b"truncated\n")
                return outer.hexdigest()
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError:
                outer.update(f"? {rel}\n".encode("utf-8", "surrogateescape"))
                continue
            if stat.S_ISLNK(mode):
                try:
                    target = os.readlink(entry.path)
                except OSError:
                    target = "?"
                line = f"L {rel} {target}"
            elif stat.S_ISDIR(mode):
                pending.append(rel)
                line = f"D {rel}"
            elif stat.S_ISREG(mode):
                line = f"F {rel} {_file_digest(entry.path)}"
            else:
                line = f"S {rel} {stat.S_IFMT(mode)}"
            outer.update((line + "\n").encode("utf-8", "surrogateescape"))
    return outer.hexdigest()


def catalogue_digest() -> str:
    """Digest of the collector: its detector catalogue (ids, kinds, titles, confidence, needles) and
    the source of its package, so a changed detector re-collects every repository even before the
    tool's version number moves."""
    from mlops_audit.evidence.repo import registry

    rows = sorted([d.id, str(d.kind), d.title, str(d.confidence), list(d.needles), list(d.words)] for d in registry.all_detectors())
    package = Path(registry.__file__).resolve().parent
    sources = sorted((p.relative_to(package).as_posix(), hashlib.sha256(p.read_bytes()).hexdigest()) for p in package.rglob("*.py"))
    return sha256_text(canonical_json({"detectors": rows, "sources": sources}))
