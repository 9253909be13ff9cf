"""Credited pipeline runs -> Evidence, through each criterion's own routes (DESIGN §4 rules 2-3).

A run proves a criterion only through a route the rubric gives that criterion:
- `pipeline_steps`: every step executed in one run;
- `trail_events`: every listed event route satisfied in one run (checks below);
- `run_series`: the steps executed in at least `min_runs` distinct runs spanning at least
  `min_span_days`, each recording the metric when one is named.

The evidence's strength is the run's (a run signed by a trusted key is `verified`; others are worth
what the evidence policy says). Which runs are credited at all - verification, the system they
ran for, duplicates, the bundled reference pipeline - is decided at the edge (workflow.py); this
module only reads the events of credited runs. Pure functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mlops_audit.evidence.model import Evidence, EvidenceKind
from mlops_audit.rubric.model import Criterion, Rubric, RunSeriesRoute, Strength, TrailEventRoute
from mlops_audit.util.clock import parse_timestamp


@dataclass(frozen=True)
class CreditedRun:
    run_id: str
    events: Sequence[Any]  # verified trail events (mlops_audit.evidence.trail.events.Event)
    strength: Strength
    head_hash: str | None


def _value(event: Any, key: str) -> Any:
    if key in event.metrics:
        return event.metrics[key]
    return event.params.get(key)


def _matches(event: Any, route: TrailEventRoute) -> bool:
    if event.clause != route.clause or (route.action is not None and event.action != route.action):
        return False
    return all(_value(event, key) is not None for key in route.require)


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return parse_timestamp(value, where="event")
    except Exception:  # noqa: BLE001 - a malformed timestamp simply fails the check
        return None


def within_sla(event: Any) -> bool:
    """Acknowledged no later than `sla_hours` after it was raised (both timestamps present)."""
    raised, acked, sla = _time(_value(event, "raised_at")), _time(_value(event, "acknowledged_at")), _value(event, "sla_hours")
    if raised is None or acked is None or isinstance(sla, bool) or not isinstance(sla, (int, float)) or acked < raised:
        return False
    return (acked - raised).total_seconds() <= float(sla) * 3600.0


def event_route_met(route: TrailEventRoute, events: Sequence[Any]) -> list[Any]:
    """The events satisfying one route (empty when it is not satisfied)."""
    hits = [e for e in events if _matches(e, route)]
    if route.check == "within_sla" and not all(within_sla(e) for e in hits):
        return []  # one alert acknowledged late means the criterion's "every alert" fails
    return hits


def _seq_locator(run_id: str, seqs: list[int]) -> str:
    seqs = sorted(set(seqs))
    return f"{run_id}#" + ",".join(str(s) for s in seqs[:8]) + ("…" if len(seqs) > 8 else "")


def _evidence(criterion: Criterion, run: CreditedRun, route: str, seqs: list[int], excerpt: str, at: str | None) -> Evidence:
    return Evidence(
        id=f"run:{run.run_id}:{criterion.id}:{route}",
        kind=EvidenceKind.pipeline,
        source=run.run_id,
        locator=_seq_locator(run.run_id, seqs),
        sha256=run.head_hash,
        excerpt=excerpt,
        collected_at=at,
        criteria=[criterion.id],
        strength=run.strength,
        says="met",
    )


def _from_one_run(criterion: Criterion, run: CreditedRun, at: str | None) -> list[Evidence]:
    found = []
    executed = {e.clause for e in run.events}
    if criterion.pipeline_steps and set(criterion.pipeline_steps) <= executed:
        seqs = [e.seq for e in run.events if e.clause in criterion.pipeline_steps]
        found.append(_evidence(criterion, run, "steps", seqs, f"steps {', '.join(criterion.pipeline_steps)} executed in a run whose audit trail verified", at))
    if criterion.trail_events:
        hits = [event_route_met(route, run.events) for route in criterion.trail_events]
        if all(hits):
            seqs = [e.seq for group in hits for e in group]
            names = ", ".join(f"{r.clause}{'/' + r.action if r.action else ''}{' within SLA' if r.check == 'within_sla' else ''}" for r in criterion.trail_events)
            found.append(_evidence(criterion, run, "events", seqs, f"trail events {names} recorded in a run whose audit trail verified", at))
    return found


def _series_runs(route: RunSeriesRoute, runs: Sequence[CreditedRun]) -> list[tuple[CreditedRun, datetime, list[int]]]:
    chosen = []
    for run in runs:
        steps = [e for e in run.events if e.clause in route.steps]
        if not set(route.steps) <= {e.clause for e in steps}:
            continue
        if route.metric is not None and not any(route.metric in e.metrics for e in steps):
            continue
        when = min(parse_timestamp(e.ts, where="event") for e in steps)
        chosen.append((run, when, [e.seq for e in steps]))
    return chosen


def series_evidence(criterion: Criterion, runs: Sequence[CreditedRun], at: str | None) -> Evidence | None:
    """Evidence from repetition: at the strongest strength whose runs alone satisfy the series."""
    route = criterion.run_series
    if route is None:
        return None
    for strength in (Strength.verified, Strength.evidenced, Strength.reviewed, Strength.claimed):
        eligible = [r for r in runs if r.strength.rank >= strength.rank]
        chosen = _series_runs(route, eligible)
        distinct = {run.run_id: when for run, when, _ in chosen}
        if len(distinct) < route.min_runs:
            continue
        span = (max(distinct.values()) - min(distinct.values())).total_seconds() / 86400.0
        if span < route.min_span_days:
            continue
        ids = sorted(distinct)
        return Evidence(
            id=f"runs:{criterion.id}:series",
            kind=EvidenceKind.pipeline,
            source=",".join(ids[:8]) + ("…" if len(ids) > 8 else ""),
            locator=f"{len(ids)} runs over {span:.0f} days",
            excerpt=(
                f"steps {', '.join(route.steps)} executed in {len(ids)} credited runs spanning {span:.0f} days"
                + (f", each recording {route.metric}" if route.metric else "")
            ),
            collected_at=at,
            criteria=[criterion.id],
            strength=strength,
            says="met",
        )
    return None


def evidence_from_runs(rubric: Rubric, runs: Sequence[CreditedRun], at: str | None) -> list[Evidence]:
    """Every criterion's run routes over the credited runs (each run counted once by the caller)."""
    evidence = []
    for _domain, _practice, criterion in rubric.criteria():
        if not criterion.names_pipeline:
            continue
        for run in runs:
            evidence += _from_one_run(criterion, run, at)
        series = series_evidence(criterion, runs, at)
        if series is not None:
            evidence.append(series)
    return evidence


def _norm(name: str | None) -> str:
    return " ".join((name or "").split()).casefold()


@dataclass(frozen=True)
class CreditDecision:
    status: str  # credited | not_verified | unbound | reference | other_organisation | excluded_by_policy
    strength: Strength | None
    reason: str | None


def credit_run(
    *,
    verified: bool,
    system: dict[str, Any] | None,
    signature: str,
    signer: str | None,
    organisation: str | None,
    trusted_signers: frozenset[str],
    unsigned_runs: str,
    accept_reference: bool,
) -> CreditDecision:
    """What one trail is worth to this assessment (DESIGN §2 strengths, §4 rule 2). Pure.

    Order: it must verify; it must name the system it ran for; a run of the bundled reference
    pipeline counts only when the assessor accepts it (the demo does); it must name the assessed
    organisation; then a signature by a trusted key makes it `verified`, and anything else is
    worth what the evidence policy gives unsigned runs.
    """
    if not verified:
        return CreditDecision("not_verified", None, "its audit trail does not verify")
    if not system:
        return CreditDecision("unbound", None, "unbound: its manifest does not name the system it ran for")
    if system.get("reference") and not accept_reference:
        return CreditDecision("reference", None, "a run of the bundled reference pipeline, not of the assessed system")
    if not system.get("organisation"):
        return CreditDecision("unbound", None, "unbound: its manifest names no organisation")
    if organisation is None:
        return CreditDecision("other_organisation", None, f"organisation '{system['organisation']}' cannot be matched: the assessment names no organisation (give --organisation)")
    if _norm(system.get("organisation")) != _norm(organisation):
        return CreditDecision("other_organisation", None, f"organisation: the run is for '{system['organisation']}', the assessment for '{organisation}'")
    if signature == "valid" and signer in trusted_signers:
        return CreditDecision("credited", Strength.verified, None)
    why = "unsigned" if signature == "absent" else ("signed by a key the assessment does not trust" if signature == "valid" else "its signature is invalid")
    if unsigned_runs == "excluded":
        return CreditDecision("excluded_by_policy", None, f"{why}; the evidence policy excludes such runs")
    return CreditDecision("credited", Strength(unsigned_runs), f"{why}: worth '{unsigned_runs}' under the evidence policy, not 'verified'")
