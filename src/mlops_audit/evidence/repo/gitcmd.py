"""Run read-only git commands on a scanned repository without letting the repository run anything.

A scanned repository's `.git/config` is untrusted: options such as `core.fsmonitor`,
`log.showSignature` (runs gpg), `diff.external` or textconv drivers make git execute programs. We
override the dangerous ones on the command line, ignore system and global configuration (which
also keeps results independent of the machine), never use a pager, never prompt, never take
optional locks (no index refresh writes) and stop repository discovery at the scanned root.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

GIT_TIMEOUT_SECONDS = 60.0

_SAFE_CONFIG = (
    "core.fsmonitor=false",
    "core.hooksPath=/dev/null",
    "core.untrackedCache=false",
    "core.pager=cat",
    "log.showSignature=false",
    "protocol.allow=never",
    "gc.auto=0",
    "maintenance.auto=false",
)


class GitUnavailable(Exception):
    """git could not be run on this tree (not installed, refused, timed out, failed)."""


def is_git_work_tree(root: Path) -> bool:
    """A `.git` folder (or gitfile) directly in the root; never a parent's repository."""
    dot_git = root / ".git"
    return not dot_git.is_symlink() and (dot_git.is_dir() or dot_git.is_file())


def git_env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_TERMINAL_PROMPT="0",
        GIT_OPTIONAL_LOCKS="0",
        GIT_NO_REPLACE_OBJECTS="1",
        GIT_CEILING_DIRECTORIES=str(root.parent),
        GIT_PAGER="cat",
        PAGER="cat",
        LC_ALL="C",
    )
    return env


def run_git(root: Path, args: list[str], *, timeout: float = GIT_TIMEOUT_SECONDS) -> bytes:
    """stdout of `git <args>` run in `root`; raises GitUnavailable with a reason on any failure."""
    command = ["git", "--no-pager", "--no-replace-objects"]
    for option in _SAFE_CONFIG:
        command += ["-c", option]
    command += args
    try:
        done = subprocess.run(
            command,
            cwd=root,
            env=git_env(root),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError:
        raise GitUnavailable("git is not installed") from None
    except subprocess.TimeoutExpired:
        raise GitUnavailable(f"git {args[0]} took longer than {timeout:.0f} s") from None
    except OSError as exc:
        raise GitUnavailable(f"git could not run: {exc.strerror or exc}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitUnavailable(f"git {args[0]} failed: {message[-1] if message else 'exit ' + str(done.returncode)}")
    return done.stdout


def run_git_many(root: Path, commands: list[list[str]], *, timeout: float = GIT_TIMEOUT_SECONDS) -> list[bytes]:
    """stdout of each `git <args>`, the commands running at the same time (each waits on its own
    process, so the wall time is the slowest one's); the first failure is raised."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=len(commands), thread_name_prefix="mlops-audit-git") as pool:
        futures = [pool.submit(run_git, root, args, timeout=timeout) for args in commands]
        return [future.result() for future in futures]
