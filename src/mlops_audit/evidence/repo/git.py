"""History signals from `git log` and tags, read-only and time-bounded.

Activity (commits and contributors in the last 90/365 days), tags and release tags, and who
changes which areas of the repository: data, training and deployment paths. The last is a
separation-of-duties signal: if every person who changes deployment also changes training code,
nobody independent stands between a model and production. Authors are counted, never listed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mlops_audit.evidence.repo.gitcmd import GitUnavailable, is_git_work_tree, run_git
from mlops_audit.evidence.repo.model import AreaActivity, GitSignals

MAX_COMMITS = 50_000

# Path patterns of each area. A commit belongs to an area when it changes at least one such path.
AREAS: dict[str, re.Pattern[str]] = {
    "data": re.compile(
        r"(^|/)(data|datasets?|raw_data|data_validation|great_expectations|expectations|features?|feature_repo)/"
        r"|\.dvc$|(^|/)dvc\.lock$",
        re.IGNORECASE,
    ),
    "training": re.compile(
        r"(^|/)(train\w*|training|models?|modeling|modelling|experiments?|notebooks?|tuning)(/|\.py$)"
        r"|(^|/)[^/]*train[^/]*\.(py|ipynb)$|(^|/)(params|hyperparams?)\.ya?ml$|(^|/)dvc\.yaml$|\.ipynb$",
        re.IGNORECASE,
    ),
    "deployment": re.compile(
        r"(^|/)(deploy\w*|serving|serve|server|inference|k8s|kubernetes|kube|helm|charts?|manifests?|infra\w*|"
        r"terraform|kserve|seldon|kustomize|api)/|(^|/)(Dockerfile|Containerfile)[^/]*$|(^|/)docker-compose[^/]*\.ya?ml$"
        r"|\.tf$|\.bicep$|(^|/)(serve|serving|app|api|main_api)\.py$",
        re.IGNORECASE,
    ),
}
AREA_PAIRS = (("data", "training"), ("training", "deployment"), ("data", "deployment"))
_RELEASE_TAG = re.compile(r"^(v|release[-/_]?)?\d+(\.\d+)+([-+.][0-9A-Za-z.\-]+)?$", re.IGNORECASE)
_GTO_TAG = re.compile(r"^[A-Za-z0-9_\-/]+(@v\d+\.\d+\.\d+|#[A-Za-z0-9_\-]+#\d+)$")


def _paths_matching(paths: list[str], pattern: re.Pattern[str]) -> set[str]:
    """The paths `pattern` finds something in: one search over the newline-joined paths (C speed)
    for the whole lines holding a match, or one search per path if a path holds a newline."""
    if any("\n" in p for p in paths):
        return {p for p in paths if pattern.search(p)}
    # In MULTILINE mode ^ and $ mark each path's start and end; [^/] must not cross into the next path.
    body = pattern.pattern.replace("[^/]", "[^/\n]")
    line = re.compile(r"^[^\n]*?(?:" + body + r")[^\n]*$", pattern.flags | re.MULTILINE)
    return {m.group(0) for m in line.finditer("\n".join(paths))}


def _iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


GitOutput = tuple[str, bytes, bytes]  # HEAD, `git log` output, tag listing


def read_git_output(root: Path) -> GitOutput | GitSignals:
    """The raw output of the git commands behind the signals (all the time spent in git), or the
    absent signals saying why they cannot be read. Separate so a scan can run it in the background."""
    if not is_git_work_tree(root):
        return GitSignals(present=False, reason="no .git at the repository root: history, tags and authorship cannot be observed")
    try:
        head = run_git(root, ["rev-parse", "--verify", "-q", "HEAD"]).decode("ascii", "replace").strip()
    except GitUnavailable as exc:
        return GitSignals(present=False, reason=f"git history unreadable: {exc}")
    try:
        log = run_git(
            root,
            [
                "log", "--no-show-signature", "--no-ext-diff", "--no-textconv", "--no-renames", "--no-color",
                f"--max-count={MAX_COMMITS}", "-z", "--format=%x1e%H%x00%at%x00%aE", "--name-only", "HEAD",
            ],
        )
        tag_out = run_git(root, ["for-each-ref", "--format=%(refname:short)%00%(creatordate:unix)", "refs/tags"])
    except GitUnavailable as exc:
        return GitSignals(present=False, head=head or None, reason=f"git history unreadable: {exc}")
    return head, log, tag_out


def git_signals(root: Path, *, now: datetime | None = None, output: GitOutput | GitSignals | None = None) -> GitSignals:
    """Signals for the work tree at `root`; `present=False` with a reason when they cannot be read.

    Activity windows end at `now` (inject it; the CLI passes the clock, which honours
    SOURCE_DATE_EPOCH) or, when it is None, at the latest commit, which keeps output reproducible.
    `output`: what `read_git_output(root)` returned, when it was run ahead (else it is run now).
    """
    if output is None:
        output = read_git_output(root)
    if isinstance(output, GitSignals):
        return output
    head, log, tag_out = output

    # Paths stay bytes per commit; each distinct path is decoded and classified once.
    commits: list[tuple[int, str, list[bytes]]] = []
    for chunk in log.split(b"\x1e"):
        fields = chunk.split(b"\0")
        if len(fields) < 3 or not fields[0]:
            continue
        try:
            timestamp = int(fields[1])
        except ValueError:
            continue
        email = fields[2].decode("utf-8", "replace").strip().lower()
        commits.append((timestamp, email, fields[3:]))

    reference = now.timestamp() if now is not None else (max(t for t, _, _ in commits) if commits else 0)
    since_90 = reference - timedelta(days=90).total_seconds()
    since_365 = reference - timedelta(days=365).total_seconds()
    decoded = {raw: raw.decode("utf-8", "replace").lstrip("\n") for raw in set().union(*(f for _, _, f in commits))}
    paths = sorted({p for p in decoded.values() if p})
    raw_in_area: dict[str, frozenset[bytes]] = {}
    for area, pattern in AREAS.items():
        matching = _paths_matching(paths, pattern)
        raw_in_area[area] = frozenset(raw for raw, path in decoded.items() if path in matching)
    authors_by_area: dict[str, set[str]] = defaultdict(set)
    commits_by_area: dict[str, int] = defaultdict(int)
    for _, email, files in commits:
        for area, raws in raw_in_area.items():
            if not raws.isdisjoint(files):  # the commit changes at least one path of the area
                authors_by_area[area].add(email)
                commits_by_area[area] += 1

    tags: list[tuple[str, int]] = []
    for line in tag_out.decode("utf-8", "replace").splitlines():
        name, _, created = line.partition("\0")
        tags.append((name, int(created) if created.strip().isdigit() else 0))
    tags.sort(key=lambda t: (-t[1], t[0]))
    timestamps = [t for t, _, _ in commits]
    return GitSignals(
        present=True,
        head=head or None,
        shallow=(root / ".git" / "shallow").is_file(),
        commits=len(commits),
        history_truncated=len(commits) >= MAX_COMMITS,
        commits_last_90_days=sum(1 for t in timestamps if since_90 <= t <= reference),
        commits_last_365_days=sum(1 for t in timestamps if since_365 <= t <= reference),
        contributors=len({e for _, e, _ in commits}),
        contributors_last_365_days=len({e for t, e, _ in commits if since_365 <= t <= reference}),
        first_commit=_iso(min(timestamps)) if timestamps else None,
        last_commit=_iso(max(timestamps)) if timestamps else None,
        tags=len(tags),
        release_tags=sum(1 for name, _ in tags if _RELEASE_TAG.match(name)),
        registry_tags=sum(1 for name, _ in tags if _GTO_TAG.match(name)),
        latest_tag=tags[0][0] if tags else None,
        areas={a: AreaActivity(commits=commits_by_area[a], authors=len(authors_by_area[a])) for a in AREAS},
        shared_authors={f"{a}+{b}": len(authors_by_area[a] & authors_by_area[b]) for a, b in AREA_PAIRS},
    )
