"""assess with automated sources: a verified run (and its nested trails) and collector evidence."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mlops_audit.cli import cli
from mlops_audit.evidence.trail import AuditTrail
from tests.conftest import SMALL_RUBRIC


ORG = "Example Bank"
SYSTEM = {"id": "credit-scoring", "organisation": ORG, "owner": "retail-credit", "repository": "git.example/credit", "commit": "0123abc"}


def write_trail(run_dir: Path, clauses: list[str], run_id: str, *, system: dict | None = SYSTEM, key=None) -> None:
    ticks = iter(range(1000))
    trail = AuditTrail.create(
        run_dir, run_id=run_id, clock=lambda: datetime(2026, 11, 30, tzinfo=UTC) + timedelta(seconds=next(ticks)), system=system
    )
    for i, clause in enumerate(clauses):
        out = run_dir / "out" / f"{i}.txt"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(clause, encoding="utf-8")
        trail.record(clause=clause, action=f"step{i}", actor="test", role="data_engineer", outputs=[f"out/{i}.txt"])
    trail.close(key)


@pytest.fixture(scope="module")
def signing(tmp_path_factory):
    """A signing key and its public key file, as `mlops-audit keygen` writes them."""
    from mlops_audit.evidence.trail.keys import generate_signing_key, save_signing_key

    key = generate_signing_key()
    path = save_signing_key(tmp_path_factory.mktemp("keys") / "signer.pem", key)
    return key, path.with_name(path.name + ".pub")


def assess_run(runner, tmp_path, *runs, extra=(), organisation=ORG):
    out = tmp_path / "result"
    args = ["assess", "--rubric", str(SMALL_RUBRIC), "--out", str(out), *extra]
    if organisation:
        args += ["--organisation", organisation]
    for run in runs:
        args += ["--run", str(run)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    return json.loads((out / "assessment.json").read_text(encoding="utf-8"))


def criterion(data, cid):
    return next(c for c in data["criteria"] if c["id"] == cid)


def caveat_kinds(data):
    return {c["kind"]: c["severity"] for c in data["caveats"]}


def test_a_signed_run_of_the_assessed_organisation_is_verified_for_criteria_naming_its_steps(runner, tmp_path, signing):
    key, public = signing
    run = tmp_path / "run"
    write_trail(run, ["PA.2.step1", "PA.3.step2"], "run-a", key=key)
    data = assess_run(runner, tmp_path, run, extra=["--trust-key", str(public)])
    [record] = data["runs"]
    assert (record["ok"], record["status"], record["strength"], record["trusted_signer"]) == (True, "credited", "verified", True)
    assert record["system"]["organisation"] == ORG
    for cid in ("DE.ingest.L4", "MD.track.L4"):
        c = criterion(data, cid)
        assert (c["outcome"], c["strength"]) == ("met", "verified"), cid
    assert criterion(data, "DE.ingest.L3")["outcome"] == "not_assessed"  # no step named: untouched
    assert "run_unsigned" not in caveat_kinds(data)


def test_an_unsigned_run_is_evidenced_not_verified_and_says_so(runner, tmp_path):
    run = tmp_path / "run"
    write_trail(run, ["PA.2.step1", "PA.3.step2"], "run-u")
    data = assess_run(runner, tmp_path, run)
    [record] = data["runs"]
    assert (record["status"], record["strength"]) == ("credited", "evidenced")
    c = criterion(data, "DE.ingest.L4")
    assert (c["outcome"], c["strength"], c["unsubstantiated"]) == ("partial", "evidenced", True)  # needs verified
    assert caveat_kinds(data)["run_unsigned"] == "warning"


def test_a_run_signed_by_a_key_the_assessment_does_not_trust_is_evidenced(runner, tmp_path, signing):
    from mlops_audit.evidence.trail.keys import generate_signing_key

    run = tmp_path / "run"
    write_trail(run, ["PA.2.step1"], "run-x", key=generate_signing_key())
    data = assess_run(runner, tmp_path, run, extra=["--trust-key", str(signing[1])])
    [record] = data["runs"]
    assert (record["signature"], record["trusted_signer"], record["strength"]) == ("valid", False, "evidenced")
    assert "run_untrusted_signer" in caveat_kinds(data)


def test_the_policy_can_exclude_unsigned_runs(runner, tmp_path, small_rubric):
    import yaml

    policy = small_rubric.rubric.evidence_policy.model_copy(update={"unsigned_runs": "excluded"})
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text(yaml.safe_dump(policy.model_dump(mode="json")), encoding="utf-8")
    run = tmp_path / "run"
    write_trail(run, ["PA.2.step1"], "run-p")
    data = assess_run(runner, tmp_path, run, extra=["--policy", str(policy_file)])
    assert data["runs"][0]["status"] == "excluded_by_policy"
    assert not [e for e in data["evidence"] if e["kind"] == "pipeline"]


def test_a_run_for_another_organisation_or_naming_none_is_not_credited(runner, tmp_path, signing):
    key, public = signing
    other, unbound = tmp_path / "other", tmp_path / "unbound"
    write_trail(other, ["PA.2.step1"], "run-o", system={**SYSTEM, "organisation": "Another Bank"}, key=key)
    write_trail(unbound, ["PA.2.step1"], "run-n", system=None, key=key)
    data = assess_run(runner, tmp_path, other, unbound, extra=["--trust-key", str(public)])
    assert [(r["status"], r["credited"]) for r in data["runs"]] == [("other_organisation", False), ("unbound", False)]
    assert "Another Bank" in data["runs"][0]["reason"] and ORG in data["runs"][0]["reason"]
    assert criterion(data, "DE.ingest.L4")["outcome"] == "not_assessed"
    assert {"run_other_organisation", "run_unbound"} <= set(caveat_kinds(data))


def test_a_run_is_not_credited_when_the_assessment_names_no_organisation(runner, tmp_path):
    run = tmp_path / "run"
    write_trail(run, ["PA.2.step1"], "run-q")
    data = assess_run(runner, tmp_path, run, organisation=None)
    assert data["runs"][0]["status"] == "other_organisation"
    assert "--organisation" in data["runs"][0]["reason"]


def test_a_reference_pipeline_run_counts_only_when_accepted_and_is_a_caveat_then(runner, tmp_path, signing):
    key, public = signing
    run = tmp_path / "run"
    write_trail(run, ["PA.2.step1"], "run-r", system={"id": "mlops-audit-reference-pipeline", "organisation": ORG, "reference": True}, key=key)
    plain = assess_run(runner, tmp_path, run, extra=["--trust-key", str(public)])
    assert plain["runs"][0]["status"] == "reference"
    assert criterion(plain, "DE.ingest.L4")["outcome"] == "not_assessed"
    accepted = assess_run(runner, tmp_path, run, extra=["--trust-key", str(public), "--accept-reference-run"])
    assert accepted["runs"][0]["status"] == "credited"
    assert criterion(accepted, "DE.ingest.L4")["outcome"] == "met"
    assert caveat_kinds(accepted)["run_reference"] == "warning"


def test_a_nested_trail_adds_its_clauses_and_is_reported(runner, tmp_path, signing):
    key, public = signing
    run = tmp_path / "run"
    write_trail(run, ["PA.2.step1"], "run-b", key=key)
    write_trail(run / "validation", ["PA.3.step2"], "run-b-validation", key=key)
    data = assess_run(runner, tmp_path, run, extra=["--trust-key", str(public)])
    assert [(r["name"], r["ok"], r["nested_in"]) for r in data["runs"]] == [(str(run), True, None), (str(run / "validation"), True, str(run))]
    assert criterion(data, "MD.track.L4")["strength"] == "verified"


def test_the_same_trail_given_twice_is_counted_once(runner, tmp_path, signing):
    key, public = signing
    run = tmp_path / "run"
    write_trail(run, ["PA.2.step1"], "run-t", key=key)
    write_trail(run / "validation", ["PA.3.step2"], "run-t-validation", key=key)
    data = assess_run(runner, tmp_path, run, run / "validation", run, extra=["--trust-key", str(public)])
    statuses = [(r["name"], r["status"]) for r in data["runs"]]
    assert statuses.count((str(run), "credited")) == 1
    assert [r["duplicate_of"] for r in data["runs"] if r["status"] == "duplicate"] == [str(run / "validation"), str(run), str(run / "validation")]
    assert len([e for e in data["evidence"] if e["id"].startswith("run:run-t:DE.ingest.L4")]) == 1
    assert caveat_kinds(data)["run_duplicate"] == "info"


def test_a_run_that_fails_verification_contributes_nothing_and_is_a_critical_caveat(runner, tmp_path, signing):
    key, public = signing
    run = tmp_path / "run"
    write_trail(run, ["PA.2.step1", "PA.3.step2"], "run-c", key=key)
    (run / "out" / "0.txt").write_text("tampered", encoding="utf-8")
    out = tmp_path / "result"
    result = runner.invoke(cli, ["assess", "--rubric", str(SMALL_RUBRIC), "--run", str(run), "--out", str(out), "--organisation", ORG, "--trust-key", str(public)])
    assert result.exit_code == 0
    assert "failed verification and contributes nothing" in result.output
    data = json.loads((out / "assessment.json").read_text(encoding="utf-8"))
    assert data["runs"][0]["ok"] is False and data["runs"][0]["problems"]
    assert criterion(data, "DE.ingest.L4")["outcome"] == "not_assessed"
    assert not [e for e in data["evidence"] if e["kind"] == "pipeline"]
    [caveat] = [c for c in data["caveats"] if c["kind"] == "run_not_verified"]
    assert caveat["severity"] == "critical" and str(run) in caveat["subjects"]


def test_a_tampered_audit_line_is_named_by_its_sequence_number_on_the_first_page_caveat(runner, tmp_path, signing):
    key, public = signing
    run = tmp_path / "run"
    write_trail(run, ["PA.2.step1", "PA.3.step2", "PA.3.step3"], "run-e", key=key)
    lines = (run / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace('"step1"', '"stepX"')
    (run / "audit.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    data = assess_run(runner, tmp_path, run, extra=["--trust-key", str(public)])
    assert data["runs"][0]["first_bad_seq"] == 1
    [caveat] = [c for c in data["caveats"] if c["kind"] == "run_not_verified"]
    assert "seq 1" in caveat["message"]["en"] and "seq 1" in caveat["message"]["zh"]


def test_a_tampered_nested_trail_contributes_nothing_but_the_outer_run_still_counts(runner, tmp_path, signing):
    key, public = signing
    run = tmp_path / "run"
    write_trail(run, ["PA.2.step1"], "run-d", key=key)
    write_trail(run / "validation", ["PA.3.step2"], "run-d-validation", key=key)
    (run / "validation" / "out" / "0.txt").write_text("tampered", encoding="utf-8")
    data = assess_run(runner, tmp_path, run, extra=["--trust-key", str(public)])
    assert [r["ok"] for r in data["runs"]] == [True, False]
    assert criterion(data, "DE.ingest.L4")["strength"] == "verified"
    assert criterion(data, "MD.track.L4")["outcome"] == "not_assessed"


def test_a_trust_key_that_is_not_a_key_is_a_clear_input_error(runner, tmp_path):
    bad = tmp_path / "bad.pem"
    bad.write_text("not a key", encoding="utf-8")
    run = tmp_path / "run"
    write_trail(run, ["PA.2.step1"], "run-k")
    result = runner.invoke(cli, ["assess", "--rubric", str(SMALL_RUBRIC), "--run", str(run), "--out", str(tmp_path / "o"), "--trust-key", str(bad)])
    assert result.exit_code == 2
    assert "bad.pem" in result.output and "Traceback" not in result.output


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


def test_nothing_inside_a_run_that_is_not_credited_counts(runner, tmp_path, signing):
    key, public = signing
    run = tmp_path / "run"
    write_trail(run, ["PA.2.step1"], "run-f", system={**SYSTEM, "organisation": "Another Bank"}, key=key)
    write_trail(run / "validation", ["PA.3.step2"], "run-f-validation", key=key)  # names the assessed bank itself
    data = assess_run(runner, tmp_path, run, extra=["--trust-key", str(public)])
    assert [(r["status"], r["credited"]) for r in data["runs"]] == [("other_organisation", False), ("other_organisation", False)]
    assert "is not credited" in data["runs"][1]["reason"]
    assert not [e for e in data["evidence"] if e["kind"] == "pipeline"]


def test_partial_findings_are_counted_and_give_partial_evidence(runner, tmp_path):
    repo = Path(__file__).resolve().parents[1] / "repo" / "fixtures" / "monitors_model" / "partial-grafana"
    out = tmp_path / "result"
    result = runner.invoke(cli, ["assess", "--repo", str(repo), "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "assessment.json").read_text(encoding="utf-8"))
    [record] = data["repos"]
    assert record["partial"] >= 1
    assert record["passed"] + record["partial"] + record["failed"] + record["not_applicable"] + record["errors"] == record["findings"]
    monitoring = [e for e in data["evidence"] if e["source"] == "monitors_model"]
    assert monitoring and {e["says"] for e in monitoring} == {"partial"}
