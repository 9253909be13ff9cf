"""Run the per-repository task over an estate: local worker processes, or a Dask cluster.

Both executors run the same `task.run_task` in a `slot.WorkerSlot` (so the per-repository time
limit kills a worker the same way everywhere) and hand back the same answers; everything that
makes the output (entries, files, the index) is done here, in one process, in the same way, so a
Dask run and a local run write byte-identical folders.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from mlops_audit import __version__
from mlops_audit.evidence.repo.filecache import CacheStats
from mlops_audit.portfolio.model import ErrorKind, Portfolio, RepoEntry, RepoKey, Status, Totals
from mlops_audit.portfolio.progress import Progress
from mlops_audit.portfolio.slot import WorkerSlot
from mlops_audit.portfolio.sources import RepoSpec
from mlops_audit.portfolio.store import Store
from mlops_audit.util.clock import isoformat
from mlops_audit.util.jsonio import sha256_text

Answer = dict[str, Any]
Tasks = list[dict[str, Any]]


@dataclass(frozen=True)
class RunOptions:
    now: datetime
    jobs: int = 1
    timeout: float = 600.0
    rubric: Path | None = None
    force: bool = False  # collect every repository again
    retry_errors: bool = False  # collect again repositories whose last record is an error
    scheduler: str | None = None  # None: local processes; "local": a Dask LocalCluster; else an address
    cache: Path | None = None  # per-file parse cache folder (None: none); see evidence/repo/filecache.py
    cache_key_file: Path | None = None  # its HMAC key (None: the per-user default key file)
    learning_material: frozenset[str] = frozenset()  # repository ids the assessor declared learning material


@dataclass
class RunSummary:
    collected: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    index: Path | None = None
    cache: CacheStats | None = None  # summed over the workers, when a parse cache was used
    cache_unavailable: dict[str, str] = field(default_factory=dict)  # repo -> why its worker collected it without the cache


# ---------------------------------------------------------------- executors


def run_local(tasks: Tasks, *, jobs: int, timeout: float) -> Iterator[tuple[str, Answer, float]]:
    """(repo id, answer, seconds) as each task finishes, `jobs` worker processes at a time."""
    slots: list[WorkerSlot] = []
    local = threading.local()
    lock = threading.Lock()

    def one(task: dict[str, Any]) -> tuple[str, Answer, float]:
        slot = getattr(local, "slot", None)
        if slot is None:
            slot = local.slot = WorkerSlot()
            with lock:
                slots.append(slot)
        started = time.monotonic()
        return task["id"], slot.run(task, timeout), time.monotonic() - started

    pool = ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="portfolio")
    finished = False
    try:
        futures = [pool.submit(one, task) for task in tasks]
        for future in as_completed(futures):
            yield future.result()
        finished = True
    finally:
        # Interrupted (Ctrl-C, an error while saving): drop the queued tasks and kill the workers
        # at once instead of letting the pool work through the rest of the estate.
        pool.shutdown(wait=False, cancel_futures=True)
        if not finished:
            for slot in list(slots):
                slot.interrupt()  # the threads reading their answers see end of file and return
        pool.shutdown(wait=True)
        for slot in list(slots):
            slot.close() if finished else slot.kill()


_DASK_SLOTS: dict[int, WorkerSlot] = {}
_DASK_LOCK = threading.Lock()


def dask_task(task: dict[str, Any], timeout: float) -> tuple[Answer, float]:
    """What a Dask worker runs: the task in this worker thread's own worker slot."""
    ident = threading.get_ident()
    with _DASK_LOCK:
        slot = _DASK_SLOTS.setdefault(ident, WorkerSlot())
    started = time.monotonic()
    return slot.run(task, timeout), time.monotonic() - started


def close_dask_slots() -> int:
    """Stop the worker processes the Dask tasks started in this process; returns how many."""
    with _DASK_LOCK:
        slots = list(_DASK_SLOTS.values())
        _DASK_SLOTS.clear()
    for slot in slots:
        slot.close()
    return len(slots)


def run_dask(tasks: Tasks, *, jobs: int, timeout: float, scheduler: str) -> Iterator[tuple[str, Answer, float]]:
    """The same tasks on dask.distributed: `scheduler` is "local" (a LocalCluster on the loopback
    interface, `jobs` single-threaded worker processes) or the address of a running scheduler."""
    try:
        from distributed import Client, LocalCluster, as_completed as dask_completed
    except ModuleNotFoundError:
        from mlops_audit.errors import InputError

        raise InputError("--dask/--scheduler need Dask: pip install 'mlops-audit[portfolio]'") from None
    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(n_workers=max(1, jobs), threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None)
        client = Client(cluster)
    else:
        client = Client(scheduler, timeout="30s")
    try:
        futures = {client.submit(dask_task, task, timeout, pure=False, retries=0): task["id"] for task in tasks}
        for future in dask_completed(list(futures)):
            repo = futures[future]
            try:
                answer, seconds = future.result()
            except Exception as exc:  # noqa: BLE001 - a lost Dask worker is this repository's error
                answer, seconds = {"state": "error", "error_kind": ErrorKind.worker_died.value, "error": f"Dask task failed: {type(exc).__name__}: {exc}"}, 0.0
            yield repo, answer, seconds
    finally:
        try:
            client.run(close_dask_slots)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


# ---------------------------------------------------------------- entries


def _entry(spec: RepoSpec, answer: Answer, previous: RepoEntry | None, collected_at: str) -> tuple[RepoEntry, str | None]:
    state = answer.get("state")
    if state == "unchanged" and previous is not None:
        return previous, None
    key = RepoKey.model_validate(answer["key"]) if answer.get("key") else None
    if state == "ok":
        text = answer["result_text"]
        return (
            RepoEntry(
                repo=spec.id,
                path=spec.path,
                status=Status.ok,
                key=key,
                collected_at=collected_at,
                result=f"repos/{spec.id}.json",
                result_sha256=sha256_text(text),
                kinds=answer["kinds"],
                detectors=answer["detectors"],
                findings=answer["findings"],
                failed=answer["failed"],
                codeowners=answer["codeowners"],
            ),
            text,
        )
    kind = answer.get("error_kind")
    return (
        RepoEntry(
            repo=spec.id,
            path=spec.path,
            status=Status.error,
            error_kind=ErrorKind(kind) if kind in ErrorKind.__members__ else ErrorKind.crashed,
            error=str(answer.get("error") or f"unexpected answer state {state!r}")[:2000],
            key=key,
            collected_at=collected_at,
        ),
        None,
    )


def _unchanged_here(tasks: Tasks, rubric_path: str | None, jobs: int) -> tuple[list[str], Tasks]:
    """Split off the tasks whose repository is unchanged, checked here (HEAD or tree digest) so a
    rerun with nothing changed starts no worker at all. A repository this process cannot see (a
    Dask cluster with its own file system) goes to the workers, which check it there."""
    from mlops_audit.portfolio.task import current_key

    def check(task: dict[str, Any]) -> bool:
        root = Path(task["path"])
        if task["previous"] is None or not root.is_dir():
            return False
        try:
            key = current_key(root, rubric_path, bool(task.get("declared_learning_material")))
            return key.model_dump(mode="json") == task["previous"]
        except Exception:  # noqa: BLE001 - undecided here: the worker decides (and records any error)
            return False

    candidates = [t for t in tasks if t["previous"] is not None]
    if not candidates:
        return [], tasks
    with ThreadPoolExecutor(max_workers=max(2, jobs + 1), thread_name_prefix="fingerprint") as pool:
        same = dict(zip((t["id"] for t in candidates), pool.map(check, candidates), strict=True))
    return [t["id"] for t in tasks if same.get(t["id"])], [t for t in tasks if not same.get(t["id"])]


def _cache_task_part(options: RunOptions) -> dict[str, Any] | None:
    """What a task carries about the parse cache: its folder and key file. The key is checked (and
    the default one made) here, once, so a bad key stops the run before any worker starts."""
    if options.cache is None:
        return None
    from mlops_audit.evidence.repo.filecache import ParseCache, default_key_file

    ParseCache.open(options.cache, options.cache_key_file).close()
    key_file = options.cache_key_file or default_key_file()
    return {"dir": str(options.cache.resolve()), "key_file": str(key_file.resolve())}


def _prune_cache(options: RunOptions) -> None:
    """Bound the cache folder after the run (the workers only add to it)."""
    from mlops_audit.evidence.repo.filecache import ParseCache

    assert options.cache is not None
    with ParseCache.open(options.cache, options.cache_key_file) as cache:
        cache.prune()


def _reusable(entry: RepoEntry | None, options: RunOptions) -> bool:
    if entry is None or entry.key is None or options.force:
        return False
    return entry.status is Status.ok or not options.retry_errors


def collect_portfolio(
    specs: list[RepoSpec],
    out: Path,
    options: RunOptions,
    *,
    progress: Progress | None = None,
    executor: Callable[..., Iterator[tuple[str, Answer, float]]] | None = None,
) -> RunSummary:
    """Collect every repository of `specs` into `out`, reusing unchanged results already there."""
    store = Store(out)
    store.prepare()
    with store.locked():
        return _collect(store, specs, out, options, progress, executor)


def _collect(
    store: Store,
    specs: list[RepoSpec],
    out: Path,
    options: RunOptions,
    progress: Progress | None,
    executor: Callable[..., Iterator[tuple[str, Answer, float]]] | None,
) -> RunSummary:
    from mlops_audit.portfolio.task import _collector_digest, _rubric

    own = out.resolve()
    specs = [s for s in specs if Path(s.path).resolve() != own]  # --out inside an estate folder is not a repository
    collected_at = isoformat(options.now)
    rubric_path = str(options.rubric.resolve()) if options.rubric else None
    by_id = {spec.id: spec for spec in specs}
    previous = {spec.id: store.load_entry(spec.id) for spec in specs}
    summary = RunSummary()
    progress = progress or Progress(len(specs))
    timings: dict[str, float] = {}
    tasks: Tasks = []
    cache = _cache_task_part(options)
    if cache is not None:
        summary.cache = CacheStats()
    for spec in specs:
        if spec.refusal is not None:
            entry = RepoEntry(repo=spec.id, path=spec.path, status=Status.error, error_kind=ErrorKind.refused, error=spec.refusal, collected_at=collected_at)
            prior = previous[spec.id]
            if prior is None or prior.model_dump(exclude={"collected_at"}) != entry.model_dump(exclude={"collected_at"}):
                store.save(entry, None)
            summary.errors.append(spec.id)
            progress.advance(failed=True)
            continue
        prior = previous[spec.id]
        tasks.append(
            {
                "id": spec.id,
                "path": spec.path,
                "now": options.now.isoformat(),
                "rubric": rubric_path,
                **({"declared_learning_material": True} if spec.id in options.learning_material else {}),
                "previous": prior.key.model_dump(mode="json") if _reusable(prior, options) and prior and prior.key else None,
                **({"cache": cache} if cache is not None else {}),
            }
        )
    if executor is None:
        executor = run_local if options.scheduler is None else run_dask
    kwargs: dict[str, Any] = {"jobs": options.jobs, "timeout": options.timeout}
    if options.scheduler is not None:
        kwargs["scheduler"] = options.scheduler
    unchanged, changed = _unchanged_here(tasks, rubric_path, options.jobs)
    answers = itertools.chain(((repo, {"state": "unchanged"}, 0.0) for repo in unchanged), executor(changed, **kwargs) if changed else ())
    for repo, answer, seconds in answers:
        spec = by_id[repo]
        if summary.cache is not None and isinstance(answer.get("cache"), dict):
            summary.cache.add(answer["cache"])
        if answer.get("cache_error"):
            summary.cache_unavailable[repo] = str(answer["cache_error"])[:500]
        entry, text = _entry(spec, answer, previous[repo], collected_at)
        if answer.get("state") == "unchanged" and previous[repo] is not None:
            summary.unchanged.append(repo)
            if entry.path != spec.path:  # the same repository named by another path now
                store.save(entry.model_copy(update={"path": spec.path}), None)
        else:
            store.save(entry, text)
            summary.collected.append(repo)
            timings[repo] = seconds
        if entry.status is Status.error:
            summary.errors.append(repo)
        progress.advance(failed=entry.status is Status.error, skipped=repo in summary.unchanged[-1:])
    progress.finish()
    if options.cache is not None:
        _prune_cache(options)
    store.prune(set(by_id))
    entries = [store.load_entry(spec.id) for spec in specs]
    missing = [spec.id for spec, entry in zip(specs, entries, strict=True) if entry is None]
    if missing:  # written a moment ago: only a concurrent writer could cause this
        from mlops_audit.errors import AuditError

        raise AuditError(f"{out}: state of {', '.join(missing[:5])} vanished or changed during the run; is another run writing here?")
    loaded = _rubric(rubric_path)
    kept = [e for e in entries if e is not None]
    portfolio = Portfolio(
        tool_version=__version__,
        rubric=loaded.ref,
        collector_digest=_collector_digest(),
        generated_at=collected_at,
        totals=Totals(repos=len(kept), ok=sum(e.status is Status.ok for e in kept), error=sum(e.status is Status.error for e in kept)),
        repos=kept,
    )
    summary.index = store.write_index(portfolio)
    store.write_timings(timings)
    summary.errors.sort()
    return summary
