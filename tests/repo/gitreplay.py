"""Build git repositories for tests: a fixture's `git-history.yaml` replayed as real commits.

Format: `commits: [{author: alice, files: [path, ...], tag: v1.0.0}]`. Each commit appends a line
to each listed file (creating it if needed), so every commit changes exactly those paths. Dates
are fixed, global and system git configuration is ignored: the result is the same on any machine.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import yaml

HISTORY_FILE = "git-history.yaml"
BASE_EPOCH = 1_700_000_000


def git(root: Path, *args: str, env: dict[str, str] | None = None) -> str:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    full_env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, **(env or {}))
    done = subprocess.run(["git", *args], cwd=root, env=full_env, capture_output=True, text=True, check=True, timeout=30)
    return done.stdout


def init(root: Path) -> None:
    git(root, "init", "-q", "-b", "main")


def commit(root: Path, author: str, files: list[str], number: int, tag: str | None = None, email: str | None = None) -> None:
    for rel in files:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"# change {number}\n")
    git(root, "add", "--", *files)
    stamp = f"@{BASE_EPOCH + number * 86_400} +0000"
    git(
        root,
        "-c", "commit.gpgsign=false",
        "commit", "-q", "-m", f"change {number}",
        env={
            "GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": email or f"{author}@example.com",
            "GIT_COMMITTER_NAME": author, "GIT_COMMITTER_EMAIL": f"{author}@example.com",
            "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp,
        },
    )
    if tag:
        git(root, "tag", tag)


def replay(root: Path) -> bool:
    """Replay root/git-history.yaml (removing it) if present; True when a repository was built."""
    history = root / HISTORY_FILE
    if not history.is_file():
        return False
    spec = yaml.safe_load(history.read_text(encoding="utf-8"))
    history.unlink()
    init(root)
    for number, entry in enumerate(spec["commits"], start=1):
        commit(root, entry["author"], list(entry["files"]), number, entry.get("tag"))
    return True
