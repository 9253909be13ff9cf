"""What stands between the organisation and its next level, and what else to do, by impact.

Pure functions over an Assessment. The report's first page and the console summary both read
them, so the two list the same gaps in the same order:

1. `next_level_blockers`: per domain below the next level, every applicable criterion at or below
   that level that is not met (nor waived, nor not applicable), in practices below it. Meeting all
   of them lifts the overall level by one; nothing else does (the weakest-link rule).
2. `other_gaps`: the remaining gaps, by the score they would add.

Owner roles come from the rubric's RACI: the practice's accountable roles, else those of its
pipeline part, else the roles the criterion's question is asked of.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from mlops_audit.result.model import Assessment, Gap
from mlops_audit.rubric.model import Outcome, Rubric

PASSING = (Outcome.met, Outcome.waived, Outcome.not_applicable)
STRENGTH_SLACK = 10.0  # a strength's score may sit at most this far under 20 points per level


@dataclass(frozen=True)
class Blocker:
    criterion: str
    practice: str
    domain: str
    level: int
    outcome: Outcome
    gain: float
    owners: tuple[str, ...]
    unsubstantiated: bool
    conflict: bool


@dataclass(frozen=True)
class DomainBlockers:
    domain: str
    level: int
    blockers: tuple[Blocker, ...]


def owner_roles(rubric: Rubric, criterion_id: str) -> tuple[str, ...]:
    entry = rubric.criterion_index().get(criterion_id)
    if entry is None:
        return ()
    _, practice, criterion = entry
    if practice.raci and practice.raci.accountable:
        return tuple(practice.raci.accountable)
    for part in rubric.pipeline_raci:
        if part.part == practice.pipeline_part and part.raci.accountable:
            return tuple(part.raci.accountable)
    return tuple(criterion.question.roles)


def _gains(a: Assessment) -> dict[str, float]:
    from mlops_audit.report.context import potential_gains

    return potential_gains(a)


def next_level_target(a: Assessment) -> int | None:
    """The next overall level, or None at the top (or when nothing was assessed)."""
    if a.overall.level >= 5 or not any(c.outcome is not Outcome.not_assessed for c in a.criteria):
        return None
    return a.overall.level + 1


def next_level_blockers(a: Assessment) -> list[DomainBlockers]:
    target = next_level_target(a)
    if target is None:
        return []
    gains = _gains(a)
    rubric = a.rubric_snapshot
    practices = {p.id: p for p in a.practices}
    # A regulator profile's domains are scored beside the rubric but stay out of the overall level.
    profile_domains = {d.id for d in rubric.domains if getattr(d, "profile", None)}
    by_domain: dict[str, list[Blocker]] = defaultdict(list)
    for c in a.criteria:
        if c.domain in profile_domains:
            continue
        if not c.applicable or c.outcome in PASSING or c.level > target or practices[c.practice].level >= target:
            continue
        by_domain[c.domain].append(
            Blocker(
                criterion=c.id,
                practice=c.practice,
                domain=c.domain,
                level=c.level,
                outcome=c.outcome,
                gain=gains.get(c.id, 0.0),
                owners=owner_roles(rubric, c.id),
                unsubstantiated=c.unsubstantiated,
                conflict=c.conflict,
            )
        )
    levels = {d.id: d.level for d in a.domains}
    # Within a domain, the engine's gap order (it is the console's order too); criteria the engine
    # lists no gap for (an assessment written before gaps said what they block) follow by gain.
    rank = {g.criterion: i for i, g in enumerate(a.gaps)}
    return [
        DomainBlockers(
            d.id, levels[d.id], tuple(sorted(by_domain[d.id], key=lambda b: (rank.get(b.criterion, len(rank)), b.level, -b.gain, b.criterion)))
        )
        for d in a.domains
        if by_domain.get(d.id)
    ]


def other_gaps(a: Assessment, limit: int | None = None) -> list[Gap]:
    """The engine's gaps that do not block the next level, by the score they would add."""
    blocking = {b.criterion for d in next_level_blockers(a) for b in d.blockers}
    rest = sorted((g for g in a.gaps if g.criterion not in blocking), key=lambda g: (-g.gain, g.target_level, g.criterion))
    return rest if limit is None else rest[:limit]


def strengths(a: Assessment, limit: int) -> list[str]:
    """Practice ids worth calling strengths: level 2 or more, a score in keeping with that level
    (at least 20 points per level, less STRENGTH_SLACK), and no conflict, unsubstantiated claim or
    contested answer among the criteria the level rests on. Best first."""
    troubled: set[str] = set()
    practices = {p.id: p for p in a.practices}
    for c in a.criteria:
        p = practices.get(c.practice)
        if p is not None and c.level <= p.level and (c.conflict or c.unsubstantiated or c.contested):
            troubled.add(c.practice)
    ranked = sorted(
        (
            p
            for p in a.practices
            if p.applicable
            and p.level >= 2
            and p.score is not None
            and p.score >= 20.0 * p.level - STRENGTH_SLACK
            and p.id not in troubled
        ),
        key=lambda p: (-p.level, -(p.score or 0.0), p.id),
    )
    return [p.id for p in ranked[:limit]]


def gap_lines(a: Assessment, lang: str = "en", *, previous: Assessment | None = None, top: int = 5) -> list[str]:
    """The console's view of page 1: caveats, what blocks the next level (per domain, with owner
    roles), then other gaps by impact. `commands/assess.py` and `demo` print these lines."""
    from mlops_audit.report.caveats import caveats_for

    rubric = a.rubric_snapshot
    role = {r.id: r.name.get(lang) for r in rubric.roles}
    domain = {d.id: d.name.get(lang) for d in rubric.domains}
    lines: list[str] = []
    for caveat in caveats_for(a, previous):
        lines.append(f"{caveat.severity.upper()}: {caveat.text(lang)}")
    target = next_level_target(a)
    groups = next_level_blockers(a)
    if target is not None and groups:
        name = rubric.level(target).name.get(lang)
        total = sum(len(g.blockers) for g in groups)
        lines.append(f"blocking level {target} {name} ({total} criteria; meeting all of them lifts the overall level):")
        for group in groups:
            lines.append(f"  {domain.get(group.domain, group.domain)} (now L{group.level}):")
            for b in group.blockers:
                owners = ", ".join(role.get(x, x) for x in b.owners) or "-"
                lines.append(f"    L{b.level} {b.criterion}  [{b.outcome.value}]  owner: {owners}")
    rest = other_gaps(a, top)
    if rest:
        lines.append("other gaps by impact:")
        for gap in rest:
            lines.append(f"  -> L{gap.target_level} {gap.criterion}  (+{gap.gain:.2f} points{', completes the level' if gap.completes_level else ''})")
    return lines


__all__ = ["Blocker", "DomainBlockers", "gap_lines", "next_level_blockers", "next_level_target", "other_gaps", "owner_roles", "strengths"]
