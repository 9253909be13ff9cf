"""The portfolio folder: results, the per-repository journal that makes a run resumable, the index.

    DIR/portfolio.json        the index (model.Portfolio), written last
    DIR/repos/<repo>.json     what `mlops-audit collect` writes for that repository
    DIR/state/<repo>.json     the repository's index entry, written as soon as it is done
    DIR/timings.json          seconds per repository collected in the last run (varies by run)

Every file is written atomically, a result before its state entry, so a run killed at any moment
leaves only complete entries and a rerun picks up where it stopped. The folder is input on the next
run and may have been edited: a state entry that does not validate, or whose result file's digest
does not match, is ignored (that repository is collected again), never trusted.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import ValidationError

from mlops_audit.errors import InputError
from mlops_audit.portfolio.model import Portfolio, RepoEntry
from mlops_audit.util.jsonio import atomic_write_text, pretty_json, sha256_bytes

INDEX = "portfolio.json"
LOCK = ".lock"
CACHE = "cache"  # the default per-file parse cache folder of `portfolio collect`
MAX_STATE_BYTES = 4 * 1024 * 1024


class Store:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.repos = root / "repos"
        self.state = root / "state"

    def prepare(self) -> None:
        """Create the folder; refuse a non-empty folder that is not a portfolio (we prune in it)."""
        if self.root.exists():
            if not self.root.is_dir():
                raise InputError(f"{self.root}: exists and is not a folder; --out expects a portfolio folder")
            known = {INDEX, LOCK, "repos", "state", "timings.json", CACHE}
            if any(self.root.iterdir()) and not ((self.root / INDEX).is_file() or self.state.is_dir()):
                strangers = sorted(p.name for p in self.root.iterdir() if p.name not in known)[:3]
                raise InputError(f"{self.root}: a non-empty folder that is not a portfolio (holds {', '.join(strangers)}); choose a new or empty folder")
        self.repos.mkdir(parents=True, exist_ok=True)
        self.state.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold DIR/.lock for the run: a second run on the same folder stops with a clear error."""
        import fcntl

        handle = open(self.root / LOCK, "a+b")  # noqa: SIM115 - held for the whole run
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise InputError(f"{self.root}: another 'portfolio collect' is writing this folder; wait for it or choose another --out") from None
            yield
        finally:
            handle.close()

    def result_path(self, repo: str) -> Path:
        return self.repos / f"{repo}.json"

    def load_entry(self, repo: str) -> RepoEntry | None:
        """The saved entry for `repo` if it is intact and its result file still matches, else None."""
        path = self.state / f"{repo}.json"
        try:
            if path.is_symlink() or path.stat().st_size > MAX_STATE_BYTES:
                return None
            entry = RepoEntry.model_validate_json(path.read_bytes())
        except (OSError, ValidationError, ValueError):
            return None
        if entry.repo != repo:
            return None  # a swapped file
        if entry.result is not None:
            if entry.result != f"repos/{repo}.json" or entry.result_sha256 is None:
                return None
            result = self.result_path(repo)
            try:
                if result.is_symlink() or sha256_bytes(result.read_bytes()) != entry.result_sha256:
                    return None
            except OSError:
                return None
        return entry

    def save(self, entry: RepoEntry, result_text: str | None) -> None:
        if result_text is not None:
            atomic_write_text(self.result_path(entry.repo), result_text)
        elif entry.result is None:
            self.result_path(entry.repo).unlink(missing_ok=True)
        atomic_write_text(self.state / f"{entry.repo}.json", pretty_json(entry.model_dump(mode="json", exclude_none=False)))

    def prune(self, keep: set[str]) -> None:
        """Remove results and state of repositories no longer in the estate (and stray temp files)."""
        for folder in (self.repos, self.state):
            for path in folder.iterdir():
                if path.name.startswith(".") and path.name.endswith(".tmp"):
                    path.unlink(missing_ok=True)  # left by a run killed mid-write
                elif path.suffix == ".json" and path.stem not in keep and not path.is_dir():
                    path.unlink(missing_ok=True)

    def write_index(self, portfolio: Portfolio) -> Path:
        return atomic_write_text(self.root / INDEX, pretty_json(portfolio.model_dump(mode="json")))

    def write_timings(self, seconds: dict[str, float]) -> None:
        atomic_write_text(self.root / "timings.json", json.dumps({k: round(v, 3) for k, v in sorted(seconds.items())}, indent=2) + "\n")


def load_portfolio(root: Path) -> Portfolio:
    """Read DIR/portfolio.json (a clear error when it is missing or does not validate)."""
    path = root / INDEX if root.is_dir() else root
    if not path.is_file():
        raise InputError(f"{root}: no {INDEX}; expected a folder written by 'mlops-audit portfolio collect'")
    size = path.stat().st_size
    if size > 512 * 1024 * 1024:
        raise InputError(f"{path}: {size} bytes; larger than a portfolio index can be")
    try:
        return Portfolio.model_validate_json(path.read_bytes())
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(f"{path}, at {where or 'top level'}: {first['msg']} ({exc.error_count()} problem(s))") from None
    except ValueError as exc:
        raise InputError(f"{path}: not valid JSON ({exc})") from None

