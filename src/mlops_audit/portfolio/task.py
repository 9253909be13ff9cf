"""Collect one repository: the function every worker runs, on this machine or on a Dask worker.

`run_task(task)` takes and returns plain JSON-able dicts, so the same call travels over a pipe to a
local worker process or through Dask unchanged, and gives the same bytes either way. It calls the
collector (`mlops_audit.evidence.repo.collect.collect`) and serialises its result exactly as
`mlops-audit collect --out` does. Anything the collector raises becomes an error record: the batch
goes on.

Test hooks (read here only, never by the collector): MLOPS_AUDIT_PORTFOLIO_TEST_HANG and
MLOPS_AUDIT_PORTFOLIO_TEST_DIE name repository ids (comma-separated) for which this function sleeps
forever or ends its process abruptly, so tests can prove a hang or a dying worker costs one record.
"""

from __future__ import annotations

import os
import stat
import time
from functools import cache
from pathlib import Path
from typing import Any

from mlops_audit.portfolio.model import ErrorKind, RepoKey

MAX_RESULT_BYTES = 64 * 1024 * 1024
CODEOWNERS_PLACES = ("CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS")
MAX_CODEOWNERS_BYTES = 256 * 1024
# The outcome a kind gets from its detectors: the first of these any of them has.
KIND_PRECEDENCE = ("pass", "fail", "error", "not_applicable")


@cache
def _rubric(path: str | None) -> Any:
    from mlops_audit.rubric.loader import default_rubric, load_rubric

    return load_rubric(Path(path)) if path else default_rubric()


@cache
def _collector_digest() -> str:
    from mlops_audit.portfolio.fingerprint import catalogue_digest

    return catalogue_digest()


def current_key(root: Path, rubric_path: str | None, declared_learning_material: bool = False) -> RepoKey:
    from mlops_audit import __version__
    from mlops_audit.portfolio.fingerprint import head_commit, tree_digest

    head = head_commit(root)
    return RepoKey(
        head=head,
        tree=None if head else tree_digest(root),
        tool_version=__version__,
        rubric_digest=_rubric(rubric_path).digest,
        collector_digest=_collector_digest(),
        declared_learning_material=declared_learning_material,
    )


def _test_hooks(repo_id: str) -> None:
    if repo_id in os.environ.get("MLOPS_AUDIT_PORTFOLIO_TEST_HANG", "").split(","):
        while True:
            time.sleep(3600)
    if repo_id in os.environ.get("MLOPS_AUDIT_PORTFOLIO_TEST_DIE", "").split(","):
        os._exit(70)


def codeowners(root: Path) -> list[str]:
    """Owners of the whole tree in CODEOWNERS (the last `*` or `/` rule), else of its first rule."""
    for place in CODEOWNERS_PLACES:
        path = root / place
        try:
            info = path.lstat()
            parent_ok = all(not (root / part).is_symlink() for part in Path(place).parents if str(part) != ".")
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode) or not parent_ok or info.st_size > MAX_CODEOWNERS_BYTES:
            continue
        try:
            text = path.read_bytes().decode("utf-8", "replace")
        except OSError:
            continue
        first: list[str] = []
        whole: list[str] | None = None
        for line in text.splitlines():
            parts = line.split("#", 1)[0].split()
            if len(parts) < 2:
                continue
            owners = [p for p in parts[1:] if p.startswith("@") or "@" in p][:20]
            if not first:
                first = owners
            if parts[0] in ("*", "/", "/*", "**"):
                whole = owners
        return sorted(set(whole if whole is not None else first))
    return []


def summarise(findings: list[dict[str, Any]]) -> tuple[dict[str, str], dict[str, str]]:
    """(kind -> outcome, detector id -> outcome) of a collection result's findings."""
    detectors = {f["detector"]: f["outcome"] for f in findings}
    by_kind: dict[str, set[str]] = {}
    for f in findings:
        by_kind.setdefault(f["kind"], set()).add(f["outcome"])
    kinds = {kind: next(o for o in KIND_PRECEDENCE if o in outcomes) for kind, outcomes in by_kind.items()}
    return dict(sorted(kinds.items())), dict(sorted(detectors.items()))


def run_task(task: dict[str, Any]) -> dict[str, Any]:
    """Collect task["path"] unless task["previous"] (a RepoKey dict) still holds.

    Returns {"state": "unchanged", "key": ...}, {"state": "ok", "key", "result_text", "kinds",
    "detectors", "findings", "failed", "codeowners"} or {"state": "error", "error_kind", "error",
    "key"?}.
    """
    from datetime import datetime

    from mlops_audit.evidence.repo.collect import collect
    from mlops_audit.util.jsonio import pretty_json

    root = Path(task["path"])
    _test_hooks(task["id"])
    try:
        declared = bool(task.get("declared_learning_material"))
        key = current_key(root, task.get("rubric"), declared)
    except Exception as exc:  # noqa: BLE001 - one unreadable repository must not end the batch
        return {"state": "error", "error_kind": ErrorKind.crashed.value, "error": f"fingerprint failed: {type(exc).__name__}: {exc}"}
    key_dict = key.model_dump(mode="json")
    if task.get("previous") == key_dict:
        return {"state": "unchanged", "key": key_dict}
    parse_cache, cache_error = _open_cache(task.get("cache"))
    try:
        result = collect(
            root, rubric=_rubric(task.get("rubric")), now=datetime.fromisoformat(task["now"]), parse_cache=parse_cache, declared_learning_material=declared
        )
        document = result.model_dump(mode="json")
        text = pretty_json(document)
    except Exception as exc:  # noqa: BLE001 - the collector's crash is this repository's error record
        return {"state": "error", "error_kind": ErrorKind.crashed.value, "error": f"collector failed: {type(exc).__name__}: {exc}", "key": key_dict}
    finally:
        if parse_cache is not None:
            parse_cache.close()
    if len(text.encode("utf-8")) > MAX_RESULT_BYTES:
        return {"state": "error", "error_kind": ErrorKind.too_large.value, "error": f"result over {MAX_RESULT_BYTES} bytes", "key": key_dict}
    kinds, detectors = summarise(document["findings"])
    return {
        "state": "ok",
        "key": key_dict,
        "result_text": text,
        "kinds": kinds,
        "detectors": detectors,
        "findings": len(document["findings"]),
        "failed": sum(1 for f in document["findings"] if f["outcome"] == "fail"),
        "codeowners": codeowners(root),
        **({"cache": parse_cache.stats.as_dict()} if parse_cache is not None else {}),
        **({"cache_error": cache_error} if cache_error else {}),
    }


def _open_cache(spec: dict[str, Any] | None) -> tuple[Any, str | None]:
    """The task's parse cache, or (None, why) when this worker cannot use it (e.g. a Dask worker
    that does not see the folder or the key): the repository is then collected without one; the
    cache never decides whether a collection succeeds."""
    if not spec:
        return None, None
    from mlops_audit.evidence.repo.filecache import ParseCache

    try:
        return ParseCache.open(Path(spec["dir"]), Path(spec["key_file"])), None
    except Exception as exc:  # noqa: BLE001 - see above
        return None, f"{type(exc).__name__}: {exc}"
