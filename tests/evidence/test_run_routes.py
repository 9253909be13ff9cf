"""Run evidence through each criterion's own routes (evidence/runs.py) and run crediting."""

from __future__ import annotations

from types import SimpleNamespace

from mlops_audit.evidence.runs import CreditedRun, credit_run, evidence_from_runs, within_sla
from mlops_audit.rubric.model import RunSeriesRoute, Strength, TrailEventRoute
from tests.conftest import SMALL_RUBRIC

from mlops_audit.rubric.loader import load_rubric

RUBRIC = load_rubric(SMALL_RUBRIC).rubric
BASE = next(c for _, _, c in RUBRIC.criteria() if c.id == "DE.ingest.L5")


def ev(seq, clause, ts="2026-11-30T00:00:00Z", action="step", params=None, metrics=None):
    return SimpleNamespace(seq=seq, clause=clause, ts=ts, action=action, params=params or {}, metrics=metrics or {})


def rubric_with(**routes):
    criterion = BASE.model_copy(update=routes)
    practice = next(p for _, p in RUBRIC.practices() if p.id == "DE.ingest")
    practice = practice.model_copy(update={"criteria": [criterion]})
    domain = RUBRIC.domains[0].model_copy(update={"practices": [practice]})
    return RUBRIC.model_copy(update={"domains": [domain]})


def run(run_id, events, strength=Strength.verified):
    return CreditedRun(run_id=run_id, events=events, strength=strength, head_hash="0" * 64)


ACK = TrailEventRoute(clause="PA.7.step2", action="alert_acknowledged", require=["raised_at"], check="within_sla")


def alert(seq, minutes, sla=1.0):
    return ev(seq, "PA.7.step2", action="alert_acknowledged",
              params={"raised_at": "2026-11-30T00:00:00Z", "acknowledged_at": f"2026-11-30T00:{minutes:02d}:00Z"}, metrics={"sla_hours": sla})


def test_an_alert_acknowledged_within_its_sla_proves_the_event_route():
    [e] = evidence_from_runs(rubric_with(trail_events=[ACK]), [run("r1", [alert(3, 30)])], None)
    assert (e.criteria, e.strength, e.says, e.locator) == (["DE.ingest.L5"], Strength.verified, "met", "r1#3")


def test_one_late_acknowledgement_fails_the_route_and_a_missing_timestamp_too():
    assert evidence_from_runs(rubric_with(trail_events=[ACK]), [run("r1", [alert(3, 30), alert(4, 59, sla=0.5)])], None) == []
    missing = ev(5, "PA.7.step2", action="alert_acknowledged", params={"raised_at": "2026-11-30T00:00:00Z"}, metrics={"sla_hours": 1})
    assert not within_sla(missing)
    assert evidence_from_runs(rubric_with(trail_events=[ACK]), [run("r1", [missing])], None) == []


def test_an_event_route_needs_its_clause_action_and_required_keys():
    route = TrailEventRoute(clause="PA.7.step2", action="analyse_by_rules", require=["psi"])
    rubric = rubric_with(trail_events=[route])
    assert evidence_from_runs(rubric, [run("r", [ev(1, "PA.7.step2", action="analyse_by_rules", metrics={"ks": 0.1})])], None) == []
    assert evidence_from_runs(rubric, [run("r", [ev(1, "PA.7.step2", action="other", metrics={"psi": 0.1})])], None) == []
    assert len(evidence_from_runs(rubric, [run("r", [ev(1, "PA.7.step2", action="analyse_by_rules", metrics={"psi": 0.1})])], None)) == 1


SERIES = RunSeriesRoute(steps=["PA.7.step2"], min_runs=3, min_span_days=50, metric="escape_rate")


def monthly(n, strength=Strength.verified, metric=True):
    return [run(f"r{i}", [ev(1, "PA.7.step2", ts=f"2026-{i + 1:02d}-01T00:00:00Z", metrics={"escape_rate": 0.1} if metric else {})], strength)
            for i in range(n)]


def test_a_run_series_needs_enough_distinct_runs_over_enough_days_each_recording_the_metric():
    rubric = rubric_with(run_series=SERIES)
    [e] = evidence_from_runs(rubric, monthly(3), None)
    assert e.strength is Strength.verified and "3 credited runs" in e.excerpt
    assert evidence_from_runs(rubric, monthly(2), None) == []  # too few
    assert evidence_from_runs(rubric, monthly(3, metric=False), None) == []  # metric not recorded
    short = rubric_with(run_series=SERIES.model_copy(update={"min_span_days": 60}))
    assert evidence_from_runs(short, monthly(3), None) == []  # Jan..Mar is 59 days
    # The same run given three times is one run, not a series.
    assert evidence_from_runs(rubric, [monthly(1)[0]] * 3, None) == []


def test_a_series_is_worth_the_strength_its_runs_reach_together():
    rubric = rubric_with(run_series=SERIES)
    mixed = monthly(3)[:2] + monthly(4, Strength.evidenced)[2:]
    [e] = evidence_from_runs(rubric, mixed, None)
    assert e.strength is Strength.evidenced


def test_a_run_proves_pipeline_steps_only_when_all_were_executed():
    rubric = rubric_with(pipeline_steps=["PA.2.step1", "PA.2.step2"])
    assert evidence_from_runs(rubric, [run("r", [ev(1, "PA.2.step1")])], None) == []
    [e] = evidence_from_runs(rubric, [run("r", [ev(1, "PA.2.step1"), ev(2, "PA.2.step2")])], None)
    assert e.locator == "r#1,2"


def decide(**overrides):
    args = dict(verified=True, system={"id": "s", "organisation": "Example Bank"}, signature="valid", signer="k1",
                organisation="Example  bank", trusted_signers=frozenset({"k1"}), unsigned_runs="evidenced", accept_reference=False)
    return credit_run(**{**args, **overrides})


def test_credit_run_order_of_decisions():
    assert (decide().status, decide().strength) == ("credited", Strength.verified)  # names compared without case/spacing
    assert decide(verified=False).status == "not_verified"
    assert decide(system=None).status == "unbound"
    assert decide(system={"id": "s"}).status == "unbound"
    assert decide(system={"id": "s", "organisation": "Other"}).status == "other_organisation"
    assert decide(system={"id": "s", "organisation": "Example Bank", "reference": True}).status == "reference"
    assert decide(system={"id": "s", "organisation": "Example Bank", "reference": True}, accept_reference=True).status == "credited"
    assert decide(organisation=None).status == "other_organisation"
    assert (decide(signature="absent").status, decide(signature="absent").strength) == ("credited", Strength.evidenced)
    assert decide(signer="k2").strength is Strength.evidenced
    assert decide(signature="absent", unsigned_runs="claimed").strength is Strength.claimed
    assert decide(signature="absent", unsigned_runs="excluded").status == "excluded_by_policy"
