"""assess with automated sources: a verified run (and its nested trails) and collector evidence."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mlops_audit.cli import cli
from mlops_audit.evidence.trail import AuditTrail
from tests.conftest import SMALL_RUBRIC


def write_trail(run_dir: Path, clauses: list[str], run_id: str) -> None:
    ticks = iter(range(1000))
    trail = AuditTrail.create(run_dir, run_id=run_id, clock=lambda: datetime(2026, 11, 30, tzinfo=UTC) + timedelta(seconds=next(ticks)))
    for i, clause in enumerate(clauses):
        out = run_dir / "out" / f"{i}.txt"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(clause, encoding="utf-8")
        trail.record(clause=clause, action=f"step{i}", actor="test", role="data_engineer", outputs=[f"out/{i}.txt"])
    trail.close()


def assess_run(runner, tmp_path, run_dir):
    out = tmp_path / "result"
    result = runner.invoke(cli, ["assess", "--rubric", str(SMALL_RUBRIC), "--run", str(run_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return json.loads((out / "assessment.json").read_text(encoding="utf-8"))


def criterion(data, cid):
    return next(c for c in data["criteria"] if c["id"] == cid)


def test_a_verified_run_makes_criteria_naming_its_steps_met_at_verified_strength(runner, tmp_path):
    run = tmp_path / "run"
    write_trail(run, ["PA.2.step1", "PA.3.step2"], "run-a")
    data = assess_run(runner, tmp_path, run)
    assert [r["ok"] for r in data["runs"]] == [True]
    for cid in ("DE.ingest.L4", "MD.track.L4"):
        c = criterion(data, cid)
        assert (c["outcome"], c["strength"]) == ("met", "verified"), cid
    assert criterion(data, "DE.ingest.L3")["outcome"] == "not_assessed"  # no step named: untouched


def test_a_nested_trail_adds_its_clauses_and_is_reported(runner, tmp_path):
    run = tmp_path / "run"
    write_trail(run, ["PA.2.step1"], "run-b")
    write_trail(run / "validation", ["PA.3.step2"], "run-b-validation")
    data = assess_run(runner, tmp_path, run)
    assert [(r["name"], r["ok"]) for r in data["runs"]] == [(str(run), True), (str(run / "validation"), True)]
    assert criterion(data, "MD.track.L4")["strength"] == "verified"


def test_a_run_that_fails_verification_contributes_nothing_and_is_reported(runner, tmp_path):
    run = tmp_path / "run"
    write_trail(run, ["PA.2.step1", "PA.3.step2"], "run-c")
    (run / "out" / "0.txt").write_text("tampered", encoding="utf-8")
    out = tmp_path / "result"
    result = runner.invoke(cli, ["assess", "--rubric", str(SMALL_RUBRIC), "--run", str(run), "--out", str(out)])
    assert result.exit_code == 0
    assert "failed verification and contributes nothing" in result.output
    data = json.loads((out / "assessment.json").read_text(encoding="utf-8"))
    assert data["runs"][0]["ok"] is False and data["runs"][0]["problems"]
    assert criterion(data, "DE.ingest.L4")["outcome"] == "not_assessed"
    assert not [e for e in data["evidence"] if e["kind"] == "pipeline"]


def test_a_tampered_nested_trail_contributes_nothing_but_the_outer_run_still_counts(runner, tmp_path):
    run = tmp_path / "run"
    write_trail(run, ["PA.2.step1"], "run-d")
    write_trail(run / "validation", ["PA.3.step2"], "run-d-validation")
    (run / "validation" / "out" / "0.txt").write_text("tampered", encoding="utf-8")
    data = assess_run(runner, tmp_path, run)
    assert [r["ok"] for r in data["runs"]] == [True, False]
    assert criterion(data, "DE.ingest.L4")["strength"] == "verified"
    assert criterion(data, "MD.track.L4")["outcome"] == "not_assessed"


def test_collector_evidence_file_is_used_at_evidenced_strength(runner, tmp_path):
    repo = tmp_path / "repo"
    (repo / "data").mkdir(parents=True)
    (repo / "data.csv.dvc").write_text("outs:\n- md5: 0123456789abcdef0123456789abcdef\n  path: data.csv\n", encoding="utf-8")
    (repo / ".dvc").mkdir()
    (repo / ".dvc" / "config").write_text("[core]\n    remote = storage\n", encoding="utf-8")
    evidence = tmp_path / "evidence.json"
    collected = runner.invoke(cli, ["collect", str(repo), "--out", str(evidence)])
    assert collected.exit_code == 0, collected.output
    out = tmp_path / "result"
    result = runner.invoke(cli, ["assess", "--rubric", str(SMALL_RUBRIC), "--evidence", str(evidence), "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "assessment.json").read_text(encoding="utf-8"))
    findings = json.loads(evidence.read_text(encoding="utf-8"))["findings"]
    assert next(f for f in findings if f["detector"] == "versions_data")["outcome"] == "pass"
    # The small rubric links versions_data to DE.ingest.L3 (the file's own criteria are for the
    # bundled rubric: the rubric in use decides the link).
    c = criterion(data, "DE.ingest.L3")
    assert (c["outcome"], c["strength"]) == ("met", "evidenced")
    # A detector that looked and found nothing makes a criterion it evidences unmet.
    c = criterion(data, "DE.quality.L3")  # validates_data: no data validation in this repo
    assert (c["outcome"], c["strength"]) == ("unmet", "evidenced")
    assert data["repos"][0]["findings"] == len(findings)


def test_a_low_confidence_detector_pass_weighs_as_a_claim():
    from types import SimpleNamespace

    from mlops_audit.evidence.sources import evidence_from_findings
    from mlops_audit.rubric.loader import load_rubric

    rubric = load_rubric(SMALL_RUBRIC).rubric
    finding = lambda confidence: SimpleNamespace(  # noqa: E731
        detector="versions_data", outcome="pass", confidence=confidence, locations=[], message="m", criteria=[]
    )
    [low], _ = evidence_from_findings("r", [finding("low")], None, rubric)
    [high], _ = evidence_from_findings("r", [finding("high")], None, rubric)
    assert (low.strength, high.strength) == ("claimed", "evidenced")
    assert low.criteria == ["DE.ingest.L3"]
