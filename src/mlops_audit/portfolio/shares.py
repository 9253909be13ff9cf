"""Organisation-wide shares per detector, for an organisation-level assessment (issue 14 §5).

`portfolio_shares(DIR)` answers "what share of the estate does X": for each detector id, the
repositories where it passes divided by those where it was observed (pass or fail). Repositories
whose collection failed and detectors that could not observe a repository (not_applicable, error)
are left out of both counts; a detector observed nowhere is absent from the mapping (no share is
not a share of 0). A criterion that the rubric states organisation-wide ("all projects do X")
can then be judged from the share of the detectors it cites.
"""

from __future__ import annotations

from pathlib import Path

from mlops_audit.portfolio.model import Portfolio, Status
from mlops_audit.portfolio.store import load_portfolio


def shares_of(portfolio: Portfolio) -> dict[str, float]:
    passing: dict[str, int] = {}
    observed: dict[str, int] = {}
    for entry in portfolio.repos:
        if entry.status is not Status.ok:
            continue
        for detector, outcome in entry.detectors.items():
            if outcome in ("pass", "fail"):
                observed[detector] = observed.get(detector, 0) + 1
                passing[detector] = passing.get(detector, 0) + (outcome == "pass")
    return {d: round(passing[d] / observed[d], 4) for d in sorted(observed)}


def portfolio_shares(folder: Path) -> dict[str, float]:
    """{detector id: share of observed repositories where it passes} for a portfolio folder."""
    return shares_of(load_portfolio(folder))
