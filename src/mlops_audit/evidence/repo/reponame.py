"""What a repository is called: the owner and name in its git remote's URL, as words.

A repository's name is often what a reader sees first: `mlflow-examples`, `aml-mlops-workshop`,
`cookiecutter-pyml`, `aws-samples/...` say what the repository is before any of its files do. The
learning-material classifier (`teachingmodel`) reads it as one more feature.

Where the name comes from: the URL of the remote `origin` in the checkout's `.git/config` (or, when
there is no `origin`, the first remote of the file), never fetched, never resolved. The checkout's
folder name is NOT read: it is wherever the user (or a test) unpacked the tree, and a judgement must
not change with it. A tree without a `.git` folder, a `.git` file (worktrees and submodules keep
their configuration outside the scanned root) or a config without a remote has no name: the feature
reads as absent.

URLs are parsed generically and bounded (`names_of_url`). A URL with a host names the owner and
the repository (the last two path components): `https://host/owner/name.git`,
`ssh://git@host:22/owner/name`, `git://host/owner/name`, scp-like `git@host:owner/name.git`; user
names, passwords, ports and query strings are dropped. A local path or a `file://` URL names the
repository only (its last component: `/srv/git/name/.git`, `file:///srv/name`, `C:\\git\\name`):
the folders above it are wherever the user keeps clones (`/home/x/examples/svc` is no repository of
an owner called "examples"), and their words must not judge it. The config file is untrusted: read
without following a symlink, at most MAX_CONFIG_BYTES, decoded leniently.

The labelled benchmark's checkouts must therefore have their public URL as `origin`
(docs/benchmarks.md, "Reproducing"): cloned from a local mirror, they would lose their owner.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

MAX_CONFIG_BYTES = 64 * 1024  # a .git/config larger than this is read up to here
MAX_URL_CHARS = 2048  # a longer remote URL is ignored (no name)
MAX_COMPONENT_CHARS = 200  # an owner or name component longer than this is ignored

_SECTION = re.compile(r'^\s*\[\s*remote\s+"((?:[^"\\]|\\.){1,200})"\s*\]', re.IGNORECASE)
_ANY_SECTION = re.compile(r"^\s*\[")
_URL = re.compile(r"^\s*url\s*=(.*)$", re.IGNORECASE)  # the value stripped in Python: a lazy group before `\s*$` is quadratic on one long line
_COMMENT = re.compile(r"\s[#;].*$")  # git config: `#` or `;` after a space starts a comment (outside quotes)
_SCP_LIKE = re.compile(r"^(?:[^@/:\s]+@)?[A-Za-z0-9.-]+:(?!//)(.*)$")  # git@github.com:owner/name.git
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]{0,30}(?:::[A-Za-z][A-Za-z0-9+.-]{0,30})?\Z")  # https, git+ssh, a remote helper's hg::https
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
_CAMEL = re.compile(r"([a-z])([A-Z])")
_WORD_SPLIT = re.compile(r"[^a-z0-9]+")


def remote_url_of_config(text: str) -> str | None:
    """The URL of remote `origin` in a git config's text, else the first remote's URL, else None."""
    first: str | None = None
    remote: str | None = None
    for line in text.splitlines():
        if (section := _SECTION.match(line)) is not None:
            remote = section.group(1)
            continue
        if _ANY_SECTION.match(line):
            remote = None
            continue
        if remote is not None and (url := _URL.match(line)) is not None:
            value = url.group(1).strip()
            value = value.strip('"') if value.startswith('"') else _COMMENT.sub("", value)
            if not value:
                continue
            if remote == "origin":
                return value
            if first is None:
                first = value
    return first


def names_of_url(url: str) -> tuple[str, ...]:
    """(owner, name) of a remote URL with a host (the last two path components; the name alone when
    the path has one); (name,) of a local path or a `file://` URL (its last component); () when
    nothing usable is there. Generic and bounded: no host is trusted or looked up."""
    url = url.strip()
    if not url or len(url) > MAX_URL_CHARS:
        return ()
    path, hosted = url, False
    scheme, sep, rest = url.partition("://")
    if sep and _SCHEME.match(scheme):
        rest = rest.split("?", 1)[0].split("#", 1)[0]
        if scheme.rpartition(":")[2].lower() == "file":  # file:///srv/name, file://localhost/srv/name: a folder of this machine
            path = rest
        else:  # https://user:pw@host:port/owner/name: the authority up to the first slash, then the path
            authority, _, path = rest.partition("/")
            hosted = _has_host(authority)
    elif not _WINDOWS_DRIVE.match(url) and (scp := _SCP_LIKE.match(url)) is not None:
        path, hosted = scp.group(1), True  # git@host:owner/name (git's rule: no slash before the first colon)
    parts = [p for p in path.replace("\\", "/").split("/") if p and p not in (".", "..")]
    while parts and parts[-1].lower() == ".git":  # a work tree's git folder: /srv/repos/name/.git
        parts.pop()
    if parts and parts[-1].lower().endswith(".git"):
        parts[-1] = parts[-1][:-4]
    return tuple(p for p in parts[-2 if hosted else -1:] if p and len(p) <= MAX_COMPONENT_CHARS)


def _has_host(authority: str) -> bool:
    """Whether a URL's authority (`user:pw@host:port`, `[::1]:22`) names a host (`https:///x/y` does not)."""
    host = authority.rpartition("@")[2]
    if host.startswith("["):  # an IPv6 literal: [::1]:8080
        return len(host.partition("]")[0]) > 1
    return bool(host.partition(":")[0].strip())


def read_config(root: Path) -> str | None:
    """The text of `root/.git/config` (at most MAX_CONFIG_BYTES), None when `.git` is not a plain
    folder of the tree or the file is absent, a symlink or unreadable."""
    dot_git = root / ".git"
    if dot_git.is_symlink() or not dot_git.is_dir():
        return None
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(dot_git / "config", flags)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        data = os.read(fd, MAX_CONFIG_BYTES)
    except OSError:
        return None
    finally:
        os.close(fd)
    return data.decode("utf-8", errors="replace")


def repository_names(root: Path) -> tuple[str, ...]:
    """(owner, name) of the checkout at `root` from its remote's URL, () when it has none."""
    text = read_config(root)
    if text is None:
        return ()
    url = remote_url_of_config(text)
    return names_of_url(url) if url is not None else ()


def name_words(names: tuple[str, ...] | list[str]) -> frozenset[str]:
    """The words of the names, lower case: split at case changes and at anything not a letter or a
    digit (`MLOps_Workshop-2024` -> mlops, workshop, 2024), plus each two neighbours joined
    (`hands-on` -> handson, `cook-book` -> cookbook)."""
    out: set[str] = set()
    for name in names:
        words = [w for w in _WORD_SPLIT.split(_CAMEL.sub(r"\1 \2", name).lower()) if w]
        out.update(words)
        out.update(a + b for a, b in zip(words, words[1:], strict=False))
    return frozenset(out)
