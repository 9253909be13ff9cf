"""Regulatory coverage from a finished Assessment: pure, no I/O, no clock.

For each profile, each source (regulation) and each obligation of its catalogue, the obligation's
bases are judged:

- a crosswalk row: its base-rubric criteria must be met and its practices must reach their levels;
  `full` rows can meet the obligation alone, `partial` rows only cover part of it;
- the profile's own criteria citing the obligation, up to the profile's `obligation_level` (levels
  above go beyond what the obligation asks; a clause cited only above it uses its lowest citing
  level). They count when the profile was scored (its criteria are in the Assessment, or given as
  `extra_criteria`); otherwise that basis is `not_assessed`.

Obligation status: `met` when a full row is met, or when the profile's own basis is met and every
partial row is met too; `not_applicable` when every basis that was assessed is not applicable;
`not_assessed` when nothing behind it was assessed; `partial` when anything behind it is met or
partial; else `unmet`. A waived criterion is not evidence that an obligation is met (it counts as
unmet here). The strength is the weakest strength of the met (or, for partial, met or partial)
criteria the status stands on, at the highest level they reach (levels 1-2 accept claims by policy,
so the top level is where the evidence shows): an obligation met through level-1/2 criteria alone
says `claimed`, one met through a level-3 criterion an assessor reviewed says `reviewed`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from mlops_audit.result.model import Assessment, CriterionResult, PracticeResult
from mlops_audit.result.regulatory import (
    CriterionStatus,
    ObligationBasis,
    ObligationResult,
    ObligationStatus,
    PracticeStatus,
    ProfileRef,
    RegulationResult,
    RegulatoryCoverage,
    StatusCounts,
)
from mlops_audit.rubric.model import Outcome, Strength
from mlops_audit.rubric.profiles import Profile, ProfileClause, SourceStatus

_ASSESSED = {Outcome.met, Outcome.partial, Outcome.unmet, Outcome.waived}


def _weakest(strengths: Iterable[Strength | None]) -> Strength | None:
    found = [s for s in strengths if s is not None]
    return min(found, key=lambda s: s.rank) if found else None


def _top_strength(items: list[tuple[str, Strength | None, int]], states: tuple[str, ...]) -> Strength | None:
    """Weakest strength among the items in `states` at the highest level they reach: levels 1-2
    accept claims by policy, so the top level is where the evidence behind a status shows."""
    counted = [(st, level) for s, st, level in items if s in states]
    if not counted:
        return None
    top = max(level for _st, level in counted)
    return _weakest(st for st, level in counted if level == top)


def _judge(items: list[tuple[str, Strength | None, int]]) -> tuple[ObligationStatus, Strength | None]:
    """items: (state, strength, level) with state in satisfied | partial | unmet | n/a | none."""
    states = [s for s, _st, _lv in items]
    if not states or all(s == "none" for s in states):
        return "not_assessed", None
    assessed = [s for s in states if s != "none"]
    if all(s == "n/a" for s in assessed):
        return "not_applicable", None
    relevant = [item for item in items if item[0] != "n/a"]
    if all(s == "satisfied" for s, _st, _lv in relevant):
        return "met", _top_strength(relevant, ("satisfied",))
    if any(s in ("satisfied", "partial") for s, _st, _lv in relevant):
        return "partial", _top_strength(relevant, ("satisfied", "partial"))
    return "unmet", None


def _criterion(cid: str, results: dict[str, CriterionResult]) -> tuple[CriterionStatus, str]:
    r = results.get(cid)
    if r is None:
        return CriterionStatus(id=cid, level=None, outcome=None), "none"
    state = {
        Outcome.met: "satisfied",
        Outcome.partial: "partial",
        Outcome.unmet: "unmet",
        Outcome.waived: "unmet",
        Outcome.not_applicable: "n/a",
        Outcome.not_assessed: "none",
    }[r.outcome]
    strength = r.strength if r.outcome in (Outcome.met, Outcome.partial) else None
    return CriterionStatus(id=cid, level=r.level, outcome=r.outcome, strength=strength), state


def _practice(pid: str, level: int, practices: dict[str, PracticeResult], results: dict[str, CriterionResult]) -> tuple[PracticeStatus, str]:
    p = practices.get(pid)
    if p is None:
        return PracticeStatus(id=pid, required_level=level, level=None), "none"
    below = [r for r in results.values() if r.practice == pid and r.level <= level]
    reached = min(p.level, level)  # the strength shown is that of the highest level the practice reached
    strength = _weakest(r.strength for r in below if r.outcome is Outcome.met and r.level == reached)
    status = PracticeStatus(id=pid, required_level=level, level=p.level, applicable=p.applicable, strength=strength)
    if not p.applicable:
        return status, "n/a"
    if not any(r.outcome in _ASSESSED for r in below):
        return status, "none"
    if p.level >= level:
        return status, "satisfied"
    if any(r.outcome in (Outcome.met, Outcome.partial) for r in below):
        return status, "partial"
    return status, "unmet"


def _own_criteria(profile: Profile, clause: ProfileClause) -> list[str]:
    citing = [(c.level, c.id) for _d, _p, c in profile.criteria() if clause.id in profile.cites.get(c.id, ())]
    if not citing:
        return []
    bar = max(profile.meta.obligation_level, min(level for level, _ in citing))
    return [cid for level, cid in citing if level <= bar]


def _obligation(profile: Profile, clause: ProfileClause, results: dict[str, CriterionResult], practices: dict[str, PracticeResult]) -> ObligationResult:
    bases: list[tuple[ObligationBasis, Strength | None]] = []
    for row in profile.crosswalk:
        if row.obligation != clause.id:
            continue
        crit = [_criterion(cid, results) for cid in row.criteria]
        prac = [_practice(pid, lvl, practices, results) for pid, lvl in row.practices.items()]
        status, strength = _judge([(s, c.strength, c.level or 0) for c, s in crit] + [(s, p.strength, min(p.level or 0, p.required_level)) for p, s in prac])
        bases.append((ObligationBasis(kind="crosswalk", coverage=row.coverage, status=status, criteria=[c for c, _ in crit], practices=[p for p, _ in prac], note=row.note), strength))
    own = _own_criteria(profile, clause)
    if own:
        crit = [_criterion(cid, results) for cid in own]
        status, strength = _judge([(s, c.strength, c.level or 0) for c, s in crit])
        bases.append((ObligationBasis(kind="profile", coverage="full", status=status, criteria=[c for c, _ in crit]), strength))
    status, strength = _combine(bases)
    return ObligationResult(
        id=clause.id, ref=clause.ref, title=clause.title, clause_status=clause.status.value,
        status=status, strength=strength, bases=[b for b, _ in bases],
    )


def _combine(bases: list[tuple[ObligationBasis, Strength | None]]) -> tuple[ObligationStatus, Strength | None]:
    full_met = [st for b, st in bases if b.kind == "crosswalk" and b.coverage == "full" and b.status == "met"]
    if full_met:  # the best-evidenced full row decides
        return "met", max((s for s in full_met if s is not None), key=lambda s: s.rank, default=None)
    own = [(b, st) for b, st in bases if b.kind == "profile"]
    partial_rows = [(b, st) for b, st in bases if b.kind == "crosswalk" and b.coverage == "partial"]
    if own and own[0][0].status == "met" and all(b.status in ("met", "not_applicable") for b, _ in partial_rows):
        return "met", _weakest(st for b, st in own + partial_rows if b.status == "met")
    live = [(b, st) for b, st in bases if b.status not in ("not_applicable", "not_assessed")]
    if not live:
        return ("not_applicable" if any(b.status == "not_applicable" for b, _ in bases) else "not_assessed"), None
    if any(b.status in ("met", "partial") for b, _ in live):
        return "partial", _weakest(st for b, st in live if b.status in ("met", "partial"))
    return "unmet", None


def regulatory_coverage(
    assessment: Assessment,
    profiles: Sequence[Profile],
    extra_criteria: Sequence[CriterionResult] = (),
    extra_practices: Sequence[PracticeResult] = (),
) -> RegulatoryCoverage:
    """Per profile and regulation, every obligation's status. `extra_criteria`/`extra_practices`:
    results of the profiles' own criteria when they were scored outside `assessment` (when
    `assess --profile` scores base + profile together, they are already in it)."""
    results = {c.id: c for c in assessment.criteria}
    results.update({c.id: c for c in extra_criteria})
    practices = {p.id: p for p in assessment.practices}
    practices.update({p.id: p for p in extra_practices})
    refs, regulations = [], []
    for profile in profiles:
        own_ids = [c.id for _d, _p, c in profile.criteria()]
        scored = any(cid in results for cid in own_ids)
        refs.append(ProfileRef(id=profile.id, version=profile.meta.version, scored=scored))
        for source in profile.meta.sources:
            obligations = [_obligation(profile, c, results, practices) for c in profile.clauses if c.source == source.id]
            counts = StatusCounts(**{s: sum(1 for o in obligations if o.status == s) for s in StatusCounts.model_fields})
            regulations.append(
                RegulationResult(
                    profile=profile.id, source=source.id, identifier=source.identifier, title=source.title,
                    issuer=source.issuer, year=source.year, source_status=source.status.value,
                    legacy=source.status is SourceStatus.superseded, counts=counts, obligations=obligations,
                )
            )
    return RegulatoryCoverage(assessment_id=assessment.assessment_id, profiles=refs, regulations=regulations)
