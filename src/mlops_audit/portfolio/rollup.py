"""The estate rolled up (pandas): shares per practice kind, the repository x kind matrix, teams,
the weakest kinds organisation-wide, the change since a previous portfolio, and the full findings
table.

Share of a kind = repositories where it passes / repositories where it was observed (pass or
fail). Repositories whose collection failed, and kinds a detector could not observe there
(not_applicable, error), are left out of the denominator and counted separately: "unknown" is not
"absent".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from pydantic import ValidationError

from mlops_audit.errors import InputError
from mlops_audit.evidence.repo.model import CollectionResult, Kind
from mlops_audit.portfolio.model import Portfolio, RepoEntry, Status
from mlops_audit.portfolio.store import load_portfolio
from mlops_audit.portfolio.teams import TeamRules, team_of
from mlops_audit.util.jsonio import sha256_bytes

KINDS: tuple[str, ...] = tuple(k.value for k in Kind)
OUTCOMES = ("pass", "fail", "not_applicable", "error")
WEAKEST = 5
MAX_RESULT_BYTES = 64 * 1024 * 1024
MAX_LOCATIONS = 20  # per finding in the table: the JSON result has them all


@dataclass(frozen=True)
class Rollup:
    portfolio: Portfolio
    repos: pd.DataFrame  # one row per repository: repo, path, team, status, error_kind, error, passing
    matrix: pd.DataFrame  # index repo, one column per kind: outcome ("" when not collected)
    shares: pd.DataFrame  # one row per kind: pass, fail, not_applicable, error, observed, share
    teams: pd.DataFrame  # index team, one column per kind: share within the team; plus "repos"
    weakest: list[str]  # kinds with the lowest share (observed somewhere), weakest first
    change: pd.DataFrame | None  # one row per kind: share_before, share_now, delta
    added: list[str]
    removed: list[str]


def _share(passing: int, observed: int) -> float | None:
    return round(passing / observed, 4) if observed else None


def kind_shares(matrix: pd.DataFrame) -> pd.DataFrame:
    counts = pd.DataFrame({o: (matrix == o).sum() for o in OUTCOMES}).reindex(list(KINDS)).fillna(0).astype(int)
    counts["observed"] = counts["pass"] + counts["fail"]
    counts["share"] = [_share(p, o) for p, o in zip(counts["pass"], counts["observed"], strict=True)]
    counts.index.name = "kind"
    return counts


def build_rollup(portfolio: Portfolio, rules: TeamRules | None = None, previous: Portfolio | None = None) -> Rollup:
    rules = rules or []
    rows = []
    for e in portfolio.repos:
        rows.append(
            {
                "repo": e.repo,
                "path": e.path,
                "team": team_of(e, rules),
                "status": e.status.value,
                "error_kind": e.error_kind.value if e.error_kind else "",
                "error": e.error or "",
                "passing": sum(1 for o in e.kinds.values() if o == "pass"),
            }
        )
    repos = pd.DataFrame(rows, columns=["repo", "path", "team", "status", "error_kind", "error", "passing"])
    matrix = pd.DataFrame(
        [[e.kinds.get(k, "") if e.status is Status.ok else "" for k in KINDS] for e in portfolio.repos],
        index=pd.Index([e.repo for e in portfolio.repos], name="repo"),
        columns=list(KINDS),
        dtype=object,
    )
    shares = kind_shares(matrix)
    observed = shares[shares["observed"] > 0]
    weakest = list(observed.sort_values(["share", "observed"], ascending=[True, False], kind="stable").index[:WEAKEST])
    teams = _team_shares(matrix, repos)
    change, added, removed = _change(portfolio, previous, shares) if previous else (None, [], [])
    return Rollup(portfolio, repos, matrix, shares, teams, weakest, change, added, removed)


def _team_shares(matrix: pd.DataFrame, repos: pd.DataFrame) -> pd.DataFrame:
    ok = repos.set_index("repo")["status"] == "ok"
    team = repos.set_index("repo")["team"]
    rows = {}
    for name in sorted(set(team)):
        members = team.index[(team == name) & ok]
        sub = matrix.loc[members]
        rows[name] = {"repos": int((team == name).sum()), **{k: _share(int((sub[k] == "pass").sum()), int(sub[k].isin(["pass", "fail"]).sum())) for k in KINDS}}
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=["repos", *KINDS])
    frame.index.name = "team"
    return frame


def _change(now: Portfolio, before: Portfolio, shares: pd.DataFrame) -> tuple[pd.DataFrame, list[str], list[str]]:
    before_roll = build_rollup(before)
    frame = pd.DataFrame({"share_before": before_roll.shares["share"], "share_now": shares["share"]})
    frame["delta"] = [None if b is None or n is None or pd.isna(b) or pd.isna(n) else round(n - b, 4) for b, n in zip(frame["share_before"], frame["share_now"], strict=True)]
    ids_now = {e.repo for e in now.repos}
    ids_before = {e.repo for e in before.repos}
    return frame, sorted(ids_now - ids_before), sorted(ids_before - ids_now)


def load_rollup(folder: Path, *, rules: TeamRules | None = None, previous: Path | None = None) -> Rollup:
    return build_rollup(load_portfolio(folder), rules, load_portfolio(previous) if previous else None)


def checked_result(folder: Path, entry: RepoEntry) -> tuple[Path, bytes]:
    """A collected repository's result file and its bytes, checked against the digest the index
    holds: an edited result is an error, never silently used."""
    assert entry.result is not None
    path = folder / entry.result
    if entry.result != f"repos/{entry.repo}.json" or path.is_symlink():
        raise InputError(f"{folder}/portfolio.json, repo '{entry.repo}': result must be repos/{entry.repo}.json, a regular file")
    try:
        if path.stat().st_size > MAX_RESULT_BYTES:
            raise InputError(f"{path}: larger than {MAX_RESULT_BYTES} bytes")
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc}); run 'mlops-audit portfolio collect' again") from None
    if sha256_bytes(raw) != entry.result_sha256:
        raise InputError(f"{path}: does not match the digest in portfolio.json (edited after collection?); run 'mlops-audit portfolio collect' again")
    return path, raw


def findings_table(folder: Path, rollup: Rollup) -> pd.DataFrame:
    """One row per repository x finding, read from the result files (each checked against the
    digest the index holds: an edited result is an error, never silently used)."""
    team = dict(zip(rollup.repos["repo"], rollup.repos["team"], strict=True))
    rows = []
    for entry in rollup.portfolio.repos:
        if entry.status is not Status.ok or entry.result is None:
            continue
        path, raw = checked_result(folder, entry)
        try:
            result = CollectionResult.model_validate_json(raw)
        except ValidationError as exc:
            raise InputError(f"{path}: not a collection result ({exc.error_count()} problem(s))") from None
        for f in result.findings:
            rows.append(
                {
                    "repo": entry.repo,
                    "team": team[entry.repo],
                    "detector": f.detector,
                    "kind": f.kind.value,
                    "outcome": f.outcome.value,
                    "confidence": f.confidence.value,
                    "criteria": " ".join(f.criteria),
                    "locations": " ".join(f"{loc.path}:{loc.line}" if loc.line else loc.path for loc in f.locations[:MAX_LOCATIONS]),
                    "message": f.message,
                    "head": entry.key.head if entry.key and entry.key.head else "",
                }
            )
    columns = ["repo", "team", "detector", "kind", "outcome", "confidence", "criteria", "locations", "message", "head"]
    return pd.DataFrame(rows, columns=columns).sort_values(["repo", "detector"], kind="stable").reset_index(drop=True)
