"""Role coverage from the organisation's roster (RO.*): RACI slots, concentration, separation of duties."""

from __future__ import annotations

from collections.abc import Sequence

from mlops_audit.evidence.answers import RosterEntry
from mlops_audit.result.model import RaciSlot, RoleCoverage, RoleHolders, SodResult
from mlops_audit.rubric.model import Rubric


def merge_rosters(rosters: Sequence[tuple[str, Sequence[RosterEntry]]]) -> tuple[list[RosterEntry], list[str]]:
    """Union of the rosters given in answer files. A person listed differently in two files keeps the
    union of roles (part-time if any file says so) and the difference is reported."""
    merged: dict[str, RosterEntry] = {}
    seen_in: dict[str, str] = {}
    conflicts: list[str] = []
    for source, roster in rosters:
        for entry in roster:
            prior = merged.get(entry.person)
            if prior is None:
                merged[entry.person] = entry.model_copy(update={"roles": sorted(set(entry.roles))})
                seen_in[entry.person] = source
                continue
            if set(prior.roles) != set(entry.roles) or prior.dedicated != entry.dedicated:
                conflicts.append(
                    f"roster entry for '{entry.person}' differs between {seen_in[entry.person]} and {source}; "
                    "using the union of roles"
                )
            merged[entry.person] = prior.model_copy(
                update={
                    "roles": sorted(set(prior.roles) | set(entry.roles)),
                    "dedicated": prior.dedicated and entry.dedicated,
                    "team": prior.team or entry.team,
                }
            )
    return [merged[p] for p in sorted(merged)], sorted(set(conflicts))


def role_coverage(rubric: Rubric, roster: Sequence[RosterEntry], roster_conflicts: Sequence[str] = ()) -> RoleCoverage:
    holders: dict[str, list[RosterEntry]] = {r.id: [] for r in rubric.roles}
    for entry in roster:
        for role in entry.roles:
            holders.setdefault(role, []).append(entry)
    present = bool(roster)
    roles = [
        RoleHolders(
            role=r.id,
            holders=sorted(e.person for e in holders[r.id]),
            dedicated=sorted(e.person for e in holders[r.id] if e.dedicated),
            part_time=sorted(e.person for e in holders[r.id] if not e.dedicated),
        )
        for r in rubric.roles
    ]
    slots = []
    for entry in rubric.pipeline_raci:
        for slot_name in ("responsible", "accountable"):
            for role in getattr(entry.raci, slot_name):
                slots.append(RaciSlot(part=entry.part, slot=slot_name, role=role, filled=bool(holders.get(role))))  # type: ignore[arg-type]
    slot_coverage = (sum(s.filled for s in slots) / len(slots)) if (slots and present) else None
    multi = {e.person: sorted(e.roles) for e in roster if len(set(e.roles)) > 1}
    single = sorted(r.id for r in rubric.roles if len(holders[r.id]) == 1)
    sod = []
    for rule in rubric.separation_of_duties:
        a, b = rule.roles
        both = sorted(e.person for e in roster if a in e.roles and b in e.roles)
        status = "unknown" if not present else ("violated" if both else "ok")
        sod.append(SodResult(rule=rule.id, roles=[a, b], severity=rule.severity, status=status, persons=both))
    return RoleCoverage(
        roster_present=present,
        roles=roles,
        slots=slots,
        slot_coverage=None if slot_coverage is None else round(slot_coverage, 4),
        unfilled_roles=sorted(r.id for r in rubric.roles if not holders[r.id]) if present else [],
        multi_role_persons=dict(sorted(multi.items())),
        single_holder_roles=single if present else [],
        separation_of_duties=sod,
        roster_conflicts=list(roster_conflicts),
    )
