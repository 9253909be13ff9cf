"""A portfolio of repositories (`mlops-audit portfolio collect`) -> Evidence for criteria whose
rubric entry has an `estate` route ("every project does X"). Pure: the caller reads the index.

For each named detector, the share is the repositories where it passed over those where it could
look (pass or fail; repositories whose collection failed and detectors that could not look are
left out of both). The criterion's evidence says `met` when every detector reaches `min_share`
over at least `min_repositories`, `unmet` when none of those repositories passes, `partial`
otherwise; with fewer repositories observed it says nothing (a share of three is no estate).
Strength `evidenced`: the shares are repository findings, counted.
"""

from __future__ import annotations

from typing import Any

from mlops_audit.evidence.model import Evidence, EvidenceKind
from mlops_audit.rubric.model import Rubric, Strength


def detector_counts(portfolio: Any) -> dict[str, tuple[int, int]]:
    """{detector: (repositories passing, repositories observed)} over collected repositories."""
    counts: dict[str, list[int]] = {}
    for entry in portfolio.repos:
        if getattr(entry.status, "value", entry.status) != "ok":
            continue
        for detector, outcome in entry.detectors.items():
            if outcome in ("pass", "partial", "fail"):
                c = counts.setdefault(detector, [0, 0])
                c[1] += 1
                c[0] += outcome in ("pass", "partial")
    return {d: (c[0], c[1]) for d, c in sorted(counts.items())}


def evidence_from_portfolio(rubric: Rubric, portfolio: Any, name: str) -> list[Evidence]:
    counts = detector_counts(portfolio)
    found = []
    for _domain, _practice, criterion in rubric.criteria():
        route = criterion.estate
        if route is None:
            continue
        seen = [(d, *counts.get(d, (0, 0))) for d in route.detectors]
        if any(observed < route.min_repositories for _, _, observed in seen):
            continue
        shares = {d: passing / observed for d, passing, observed in seen}
        if all(share >= route.min_share for share in shares.values()):
            says = "met"
        elif all(passing == 0 for _, passing, _ in seen):
            says = "unmet"
        else:
            says = "partial"
        detail = "; ".join(f"{d} passes in {p} of {o} repositories ({100 * p / o:.0f}%)" for d, p, o in seen)
        found.append(
            Evidence(
                id=f"estate:{name}:{criterion.id}",
                kind=EvidenceKind.repo,
                source=f"portfolio {name}",
                locator=f"{name}/portfolio.json",
                excerpt=f"{detail}; the criterion needs {100 * route.min_share:.0f}% over at least {route.min_repositories}",
                collected_at=portfolio.generated_at,
                criteria=[criterion.id],
                strength=Strength.evidenced,
                says=says,  # type: ignore[arg-type]
            )
        )
    return found
