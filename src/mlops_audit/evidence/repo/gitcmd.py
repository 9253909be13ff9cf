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


def _command(args: list[str]) -> list[str]:
    command = ["git", "--no-pager", "--no-replace-objects"]
    for option in _SAFE_CONFIG:
        command += ["-c", option]
    return command + args


class PendingGit:
    """`git <args>` started in the background, its output going to unnamed temporary files (not a
    pipe, which would stall git once full, and not a thread, which would make forking the process
    unsafe); `output()` waits for it."""

    def __init__(self, root: Path, args: list[str], *, timeout: float = GIT_TIMEOUT_SECONDS) -> None:
        import tempfile
        import time

        self.args = args
        self.timeout = timeout
        self.started = time.monotonic()
        self.error: GitUnavailable | None = None
        self.stdout = tempfile.TemporaryFile()  # noqa: SIM115 - closed by output()
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed by output()
        self.process: subprocess.Popen[bytes] | None = None
        try:
            self.process = subprocess.Popen(
                _command(args), cwd=root, env=git_env(root), stdin=subprocess.DEVNULL, stdout=self.stdout, stderr=self.stderr
            )
        except FileNotFoundError:
            self.error = GitUnavailable("git is not installed")
        except OSError as exc:
            self.error = GitUnavailable(f"git could not run: {exc.strerror or exc}")

    def output(self) -> bytes:
        """stdout of the command; raises GitUnavailable with a reason on any failure."""
        import time

        try:
            if self.error is not None:
                raise self.error
            assert self.process is not None
            try:
                returncode = self.process.wait(timeout=max(0.0, self.timeout - (time.monotonic() - self.started)))
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise GitUnavailable(f"git {self.args[0]} took longer than {self.timeout:.0f} s") from None
            self.stdout.seek(0)
            out = self.stdout.read()
            if returncode != 0:
                self.stderr.seek(0)
                message = self.stderr.read().decode("utf-8", "replace").strip().splitlines()
                raise GitUnavailable(f"git {self.args[0]} failed: {message[-1] if message else 'exit ' + str(returncode)}")
            return out
        finally:
            self.stdout.close()
            self.stderr.close()


def run_git(root: Path, args: list[str], *, timeout: float = GIT_TIMEOUT_SECONDS) -> bytes:
    """stdout of `git <args>` run in `root`; raises GitUnavailable with a reason on any failure."""
    command = _command(args)
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
    """stdout of each `git <args>`, the commands running at the same time (so the wall time is the
    slowest one's); the first failure is raised."""
    pending = [PendingGit(root, args, timeout=timeout) for args in commands]
    outputs: list[bytes] = []
    failure: GitUnavailable | None = None
    for job in pending:  # wait for every one, so none is left running
        try:
            outputs.append(job.output())
        except GitUnavailable as exc:
            failure = failure or exc
    if failure is not None:
        raise failure
    return outputs
