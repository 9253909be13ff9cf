"""Levels per rubric domain across the estate, from each repository's evidence alone.

Each collected repository is assessed exactly as `mlops-audit assess --evidence repos/<id>.json`
assesses it (`workflow.run_assessment`, no answers, documents, runs or waivers, the rubric's
evidence policy, the portfolio's collection time as the assessment time): the scoring is never
re-implemented here. What that gives is honest only as a *floor*: a criterion that only answers,
documents or pipeline runs can show counts as not shown, so the level is the one the repository's
code alone supports, not the level a full assessment would give. The report says so, and beside
the level it gives the domain's score (credit for what the evidence shows, 0-100) and coverage
(share of the domain's criteria the evidence speaks to at all), which move before the level does.

Per domain it rolls up: repositories scored, median, minimum and maximum level, the share at
level >= 1, 2 and 3, and the median score and coverage.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from mlops_audit.errors import InputError
from mlops_audit.portfolio.model import Portfolio, Status
from mlops_audit.portfolio.rollup import checked_result

OVERALL = "overall"
THRESHOLDS = (1, 2, 3)  # "share of repositories at level >= k" columns


@dataclass(frozen=True)
class DomainLevels:
    per_repo: pd.DataFrame  # one row per repository x domain (and "overall"): repo, domain, level, score, coverage
    summary: pd.DataFrame  # index domain (rubric order, then "overall"): repos, median, min, max, at_least_k, median_score, median_coverage
    names: dict[str, dict[str, str]]  # domain id -> {"zh": ..., "en": ...}
    levels: dict[int, dict[str, str]]  # level number -> its name {"zh": ..., "en": ...}
    unavailable: str | None = None  # why nothing was scored (then both frames are empty)


PER_REPO_COLUMNS = ["repo", "domain", "level", "score", "coverage"]


def _empty(names: dict[str, dict[str, str]], levels: dict[int, dict[str, str]], reason: str | None) -> DomainLevels:
    return DomainLevels(pd.DataFrame(columns=PER_REPO_COLUMNS), summarise(pd.DataFrame(columns=PER_REPO_COLUMNS), list(names)), names, levels, reason)


def domain_levels(folder: Path, portfolio: Portfolio, rubric_path: Path | None = None) -> DomainLevels:
    """Assess every collected repository's result as evidence alone and roll the levels up."""
    from mlops_audit.rubric.loader import default_rubric, load_rubric
    from mlops_audit.util.clock import parse_timestamp
    from mlops_audit.workflow import AssessOptions, run_assessment

    loaded = load_rubric(rubric_path) if rubric_path else default_rubric()
    names = {d.id: {"zh": d.name.zh, "en": d.name.en} for d in loaded.rubric.domains}
    names[OVERALL] = {"zh": "总体", "en": "Overall"}
    level_names = {lv.level: {"zh": lv.name.zh, "en": lv.name.en} for lv in loaded.rubric.levels}
    if loaded.ref.get("digest") != portfolio.rubric.get("digest"):
        reason = (f"the portfolio was collected against rubric {portfolio.rubric.get('id')} {portfolio.rubric.get('version')} "
                  f"(digest {str(portfolio.rubric.get('digest'))[:12]}), not {loaded.ref['id']} {loaded.ref['version']} "
                  f"(digest {loaded.ref['digest'][:12]}): pass the same rubric (--rubric) to score levels")
        return _empty(names, level_names, reason)
    at = parse_timestamp(portfolio.generated_at, where="portfolio.json: generated_at")
    rows: list[dict[str, Any]] = []
    for entry in portfolio.repos:
        if entry.status is not Status.ok or entry.result is None:
            continue
        path, _ = checked_result(folder, entry)
        assessment = run_assessment(
            AssessOptions(evidence_files=[path], rubric=rubric_path, assessed_at=at, names={path: entry.repo})
        )
        scored = [i.sha256 for i in assessment.inputs if i.kind == "repo"]
        if scored != [entry.result_sha256]:  # what was scored is exactly what was checked
            raise InputError(f"{path}: changed while the report was being made; run the report again")
        for d in assessment.domains:
            if d.applicable:
                rows.append({"repo": entry.repo, "domain": d.id, "level": d.level, "score": d.score, "coverage": d.coverage})
        o = assessment.overall
        rows.append({"repo": entry.repo, "domain": OVERALL, "level": o.level, "score": o.score, "coverage": o.coverage})
    per_repo = pd.DataFrame(rows, columns=PER_REPO_COLUMNS)
    if not rows:
        return _empty(names, level_names, None)
    per_repo["level"] = per_repo["level"].astype("int64")
    per_repo["score"] = per_repo["score"].astype("float64")
    per_repo["coverage"] = per_repo["coverage"].astype("float64")
    return DomainLevels(per_repo, summarise(per_repo, list(names)), names, level_names)


def _median(values: pd.Series) -> float | None:
    clean = values.dropna()
    return None if clean.empty else round(float(clean.median()), 4)


def summarise(per_repo: pd.DataFrame, domains: list[str]) -> pd.DataFrame:
    """One row per domain (in `domains` order): the distribution of the repositories' levels."""
    out = []
    for domain in domains:
        sub = per_repo[per_repo["domain"] == domain]
        levels = sub["level"].astype("int64")
        n = len(sub)
        out.append(
            {
                "domain": domain,
                "repos": n,
                "median": _median(levels.astype("float64")),
                "min": int(levels.min()) if n else None,
                "max": int(levels.max()) if n else None,
                **{f"at_least_{k}": round(float((levels >= k).sum()) / n, 4) if n else None for k in THRESHOLDS},
                "median_score": _median(sub["score"].astype("float64")),
                "median_coverage": _median(sub["coverage"].astype("float64")),
            }
        )
    return pd.DataFrame(out).set_index("domain")
