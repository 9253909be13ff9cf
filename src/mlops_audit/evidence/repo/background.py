"""The index's whole-tree scans run in forked copies of the process (see BackgroundScan)."""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
import weakref
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mlops_audit.evidence.repo.index import RepoIndex

# A background scan pays for its fork when the tree has at least this many Python and YAML files.
PARALLEL_MIN_FILES = 1000


def can_fork() -> bool:
    """Forking is safe and useful: Linux (macOS system libraries are not fork-safe), more than one
    CPU, and no other thread in this process, Python's or native (a thread holding a lock while we
    fork would leave the lock held forever in the child; numpy's BLAS pools are such threads)."""
    if not (sys.platform.startswith("linux") and hasattr(os, "fork") and (os.cpu_count() or 1) > 1):
        return False
    return threading.active_count() == 1 and _os_threads() == 1


def _os_threads() -> int:
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("Threads:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0  # unknown: do not fork


BACKGROUND_WORKERS = 2  # forked scanners; with the index's own process, a 2-CPU machine stays busy


class BackgroundScan:
    """The index's two whole-tree scans (every Python file for the declared needles, every YAML file
    for the declared words) run in forked copies of this process, each taking a contiguous slice
    of both lists, while the detectors that need neither scan run here. Each child reports what it
    learnt, what it read and the problems it met, in a temporary file; the index merges a part
    (slices in path order) the first time a detector needs it, exactly where it would otherwise
    have scanned, so the results are the same either way. If any child fails, the index scans by
    itself."""

    def __init__(self, workers: list[tuple[int, Any]]) -> None:
        self._pids = [pid for pid, _ in workers]  # emptied once reaped (shared with the finaliser)
        self._results = [result for _, result in workers]
        self._loaded: list[Any] | None = None
        weakref.finalize(self, _stop_children, self._pids, self._results)

    @staticmethod
    def start(index: RepoIndex, python_files: list[str], yaml_files: list[str]) -> BackgroundScan | None:
        if not can_fork() or len(python_files) + len(yaml_files) < PARALLEL_MIN_FILES:
            return None
        import tempfile

        workers: list[tuple[int, Any]] = []
        n = BACKGROUND_WORKERS
        for k in range(n):
            python_slice = (len(python_files) * k // n, len(python_files) * (k + 1) // n)
            yaml_slice = yaml_files[len(yaml_files) * k // n : len(yaml_files) * (k + 1) // n]
            result = tempfile.TemporaryFile()  # noqa: SIM115 - closed once merged or by the finaliser
            try:
                pid = os.fork()
            except OSError:
                result.close()
                _stop_children([p for p, _ in workers], [r for _, r in workers])
                return None
            if pid == 0:  # a child: scan, write, leave without running any of the parent's exit code
                status = 1
                try:
                    index._read_outcomes, index.problems, index.stats = {}, [], type(index.stats)()
                    by_needle = index._scan_python_needles(*python_slice)
                    python_part = (by_needle, index._read_outcomes, index.problems, index.stats.parse_problems)
                    index._read_outcomes = {}
                    yaml_part = (index._scan_yaml_words(yaml_slice), index._read_outcomes)
                    if index._parse_cache is not None:
                        index._parse_cache.flush_needles()  # what this slice found, for the next run (the parent writes its own)
                    pickle.dump((python_part, yaml_part), result, protocol=pickle.HIGHEST_PROTOCOL)
                    result.flush()
                    status = 0
                finally:
                    os._exit(status)
            workers.append((pid, result))
        return BackgroundScan(workers)

    def _all(self) -> list[Any] | None:
        if self._loaded is None:
            loaded: list[Any] = []
            try:
                for pid, result in zip(list(self._pids), self._results, strict=True):
                    status = os.waitpid(pid, 0)[1]
                    self._pids.remove(pid)
                    if os.waitstatus_to_exitcode(status) != 0:
                        raise ValueError(f"background scanner exited with {status}")
                    result.seek(0)
                    loaded.append(pickle.load(result))
            except (OSError, pickle.UnpicklingError, EOFError, ValueError):
                loaded = []
            finally:
                _stop_children(self._pids, self._results)
            self._loaded = loaded
        return self._loaded or None

    def python_part(self) -> tuple[dict[str, list[int]], dict[str, tuple[str, int]], list[str], int] | None:
        """The Python scan, merged over the slices in order; None if it is not available."""
        parts = self._all()
        if parts is None:
            return None
        by_needle: dict[str, list[int]] = {}
        outcomes: dict[str, tuple[str, int]] = {}
        problems: list[str] = []
        parse_problems = 0
        for (needles, read, found, count), _ in parts:
            for needle, positions in needles.items():
                by_needle.setdefault(needle, []).extend(positions)
            outcomes.update(read)
            problems.extend(found)
            parse_problems += count
        return by_needle, outcomes, problems, parse_problems

    def yaml_part(self) -> tuple[dict[str, frozenset[str]], dict[str, tuple[str, int]]] | None:
        parts = self._all()
        if parts is None:
            return None
        words: dict[str, frozenset[str]] = {}
        outcomes: dict[str, tuple[str, int]] = {}
        for _, (found, read) in parts:
            words.update(found)
            outcomes.update(read)
        return words, outcomes


def _stop_children(pids: list[int], results: list[Any]) -> None:
    """End and reap the children still running (an index dropped before it needed the scan, or a
    failed merge), and close their result files: no zombie, no leaked descriptor."""
    while pids:
        child = pids.pop()
        try:
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
        except OSError:
            pass
    for result in results:
        result.close()
