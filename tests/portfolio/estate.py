"""A generated estate of small repositories with known practices, and hostile ones.

Repository svc-NN has: a Dockerfile when NN is even, unit tests when NN % 3 == 0, a CI workflow
when NN % 5 == 0, MLflow tracking when NN % 4 == 0, and a CODEOWNERS naming @org/team-a (NN % 2)
or @org/team-b. Every seventh is a git work tree with one commit. Hostile neighbours: a symbolic
link in the estate folder pointing at /, a repository whose files link out of it, one with a file
over the collector's size cap, one with a FIFO, one whose YAML is a billion-laughs bomb.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

GIT_ENV = {
    "GIT_AUTHOR_NAME": "a",
    "GIT_AUTHOR_EMAIL": "a@example.org",
    "GIT_COMMITTER_NAME": "a",
    "GIT_COMMITTER_EMAIL": "a@example.org",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, env={**os.environ, **GIT_ENV}, check=True, capture_output=True)


def commit_all(repo: Path, message: str = "change") -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def practices(n: int) -> dict[str, bool]:
    return {
        "containerization": n % 2 == 0,
        "unit_tests": n % 3 == 0,
        "ci_pipeline": n % 5 == 0,
        "experiment_tracking": n % 4 == 0,
    }


def make_service(repo: Path, n: int) -> None:
    has = practices(n)
    repo.mkdir(parents=True)
    (repo / "README.md").write_text(f"# service {n}\n")
    (repo / "CODEOWNERS").write_text(f"# owners\n* @org/team-{'a' if n % 2 else 'b'}\n")
    if has["containerization"]:
        (repo / "Dockerfile").write_text("FROM python:3.11\nCOPY . /app\n")
    if has["unit_tests"]:
        (repo / "tests").mkdir()
        (repo / "tests" / "test_model.py").write_text("import train\n\n\ndef test_fit():\n    assert train.__name__ == \"train\"\n")
    if has["ci_pipeline"]:
        (repo / ".github" / "workflows").mkdir(parents=True)
        (repo / ".github" / "workflows" / "ci.yml").write_text(
            "name: ci\non: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n"
        )
    (repo / "train.py").write_text('import mlflow\nmlflow.log_metric("auc", 0.9)\n' if has["experiment_tracking"] else "print('training')\n")
    if n % 7 == 0:
        git(repo, "init", "-q")
        commit_all(repo, "initial")


def make_estate(root: Path, services: int = 50) -> Path:
    """Write the estate under root/estate and return that folder."""
    estate = root / "estate"
    estate.mkdir(parents=True)
    for n in range(services):
        make_service(estate / f"svc-{n:02d}", n)
    (estate / "evil-link").symlink_to("/")  # refused: not followed
    escape = estate / "escape"
    escape.mkdir()
    (escape / "Dockerfile").symlink_to("/etc/hostname")
    (escape / "secrets").symlink_to("/etc")
    (escape / "train.py").write_text("print(1)\n")
    huge = estate / "huge"
    huge.mkdir()
    with open(huge / "data.py", "wb") as handle:
        handle.truncate(3 * 1024 * 1024)  # sparse: over the collector's per-file cap
    (huge / "Dockerfile").write_text("FROM scratch\n")
    fifo = estate / "fifo"
    fifo.mkdir()
    os.mkfifo(fifo / "requirements.txt")
    bomb = estate / "yaml-bomb"
    (bomb / ".github" / "workflows").mkdir(parents=True)
    laughs = ["a: &a [x, x, x, x, x, x, x, x, x]"] + [f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]" for p, c in zip("abcdefgh", "bcdefghi", strict=True)]
    (bomb / ".github" / "workflows" / "ci.yml").write_text("\n".join(laughs) + "\n")
    (estate / "notes.txt").write_text("a stray file in the estate folder: not a repository\n")
    return estate


def make_trouble(root: Path) -> Path:
    """A path list naming two repositories the test hooks make hang and die."""
    for name in ("trouble-hang", "trouble-die"):
        make_service(root / "extra" / name, 1)
    listing = root / "trouble.txt"
    listing.write_text("# repositories that misbehave\nextra/trouble-hang\n\nextra/trouble-die\n")
    return listing


def folder_bytes(root: Path) -> dict[str, bytes]:
    """Every file of a portfolio folder but timings.json and the parse cache (run-dependent by design)."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != "timings.json" and p.relative_to(root).parts[0] != "cache"
    }
