"""Graded findings: `partial` says what is missing with counts, maps to SARIF notes and to partial evidence."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema

from mlops_audit.evidence.repo.collect import build_index, collect_with_index, run_detector
from mlops_audit.evidence.repo.model import FindingOutcome
from mlops_audit.evidence.repo.registry import get_detector
from mlops_audit.evidence.repo.sarif import to_sarif
from mlops_audit.evidence.sources import evidence_from_findings
from mlops_audit.rubric.loader import default_rubric
from tests.conftest import AT

FIXTURES = Path(__file__).parent / "fixtures"
SARIF_SCHEMA = Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json"


def _partly_pinned(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "pins_dependencies" / "partial-mostly-pinned", root)
    return root


def test_mostly_pinned_requirements_are_partial_with_counts_and_the_loose_names(tmp_path: Path) -> None:
    evidence = run_detector(get_detector("pins_dependencies"), build_index(_partly_pinned(tmp_path)))
    assert evidence.outcome is FindingOutcome.partial
    assert evidence.message.startswith("10 of 12 requirements pinned exactly; unpinned: fastapi>=0.110, uvicorn")


def test_four_in_five_pinned_is_the_partial_threshold_and_less_fails(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "requirements.txt").write_text("a==1\nb==2\nc==3\nd==4\ne\n", encoding="utf-8")
    assert run_detector(get_detector("pins_dependencies"), build_index(root)).outcome is FindingOutcome.partial
    (root / "requirements.txt").write_text("a==1\nb==2\nc==3\nd\ne\n", encoding="utf-8")
    failed = run_detector(get_detector("pins_dependencies"), build_index(root))
    assert failed.outcome is FindingOutcome.fail
    assert "3 of 5 requirements pinned exactly; unpinned: d, e" in failed.message


def test_partial_findings_are_sarif_notes_and_validate(tmp_path: Path) -> None:
    rubric = default_rubric()
    root = _partly_pinned(tmp_path)
    result, index = collect_with_index(root, rubric=rubric, now=AT)
    log = to_sarif(result, files=list(index.files))
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))).validate(log)
    entry = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "pins_dependencies")
    assert (entry["level"], entry["kind"], entry["properties"]["outcome"]) == ("note", "fail", "partial")
    failing = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "registers_models")
    assert failing["level"] == "warning"


def test_a_partial_finding_becomes_partial_evidence(tmp_path: Path) -> None:
    rubric = default_rubric()
    result, _ = collect_with_index(_partly_pinned(tmp_path), rubric=rubric, now=AT)
    evidence, _ = evidence_from_findings("repo", result.findings, None, rubric.rubric)
    pinning = [e for e in evidence if e.source == "pins_dependencies"]
    assert pinning and all(e.says == "partial" for e in pinning)


def test_prefill_turns_a_partial_finding_into_a_partial_proposal_never_a_yes() -> None:
    from mlops_audit.evidence.questionnaire.prefill import parse_findings, propose
    from mlops_audit.rubric.model import QuestionType

    criteria = [c for _, _, c in default_rubric().rubric.criteria()]
    yes_no = next(c for c in criteria if c.question.type is QuestionType.yes_no)
    finding = {"detector": "pins_dependencies", "outcome": "partial", "criteria": [yes_no.id], "message": "6 of 8 pinned",
               "locations": [{"path": "requirements.txt"}]}
    proposal = propose(yes_no, parse_findings({"findings": [finding]}, "evidence.json"))
    assert proposal is not None and proposal.value is None and proposal.evidence == ["requirements.txt"]
    assert proposal.comment == "pins_dependencies: 6 of 8 pinned"
    passing = {**finding, "detector": "other", "outcome": "pass", "message": "locked"}
    assert propose(yes_no, parse_findings({"findings": [finding, passing]}, "evidence.json")).value == "yes"
    choice = next((c for c in criteria if c.question.type is QuestionType.choice and any(ch.outcome == "partial" for ch in c.question.choices or [])), None)
    if choice is not None:
        picked = propose(choice, parse_findings({"findings": [{**finding, "criteria": [choice.id]}]}, "evidence.json"))
        assert next(ch for ch in choice.question.choices if ch.value == picked.value).outcome == "partial"


def test_declared_dependencies_are_hints_on_findings_that_did_not_pass_and_never_pass_a_detector(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "requirements.txt").write_text("evidently==0.4.30\nmlflow==2.14.1\n", encoding="utf-8")
    (root / "train.py").write_text("import mlflow\n\n\ndef train(x):\n    mlflow.log_metric('n', len(x))\n", encoding="utf-8")
    result, _ = collect_with_index(root, rubric=default_rubric(), now=AT)
    by_id = {f.detector: f for f in result.findings}
    assert by_id["monitors_model"].outcome is FindingOutcome.fail
    assert by_id["monitors_model"].hints == ["evidently (requirements.txt:1)"]
    assert by_id["tracks_experiments"].outcome is FindingOutcome.pass_ and by_id["tracks_experiments"].hints == []


def test_prefill_turns_a_hinted_fail_into_a_question_not_a_no() -> None:
    from mlops_audit.evidence.questionnaire.prefill import parse_findings, propose
    from mlops_audit.rubric.model import QuestionType

    criterion = next(c for _, _, c in default_rubric().rubric.criteria() if c.question.type is QuestionType.yes_no)
    plain = {"detector": "monitors_model", "outcome": "fail", "criteria": [criterion.id], "message": "nothing found"}
    assert propose(criterion, parse_findings({"findings": [plain]}, "e.json")).value == "no"
    hinted = propose(criterion, parse_findings({"findings": [{**plain, "hints": ["evidently (requirements.txt:1)"]}]}, "e.json"))
    assert hinted.value is None and "maybe (low confidence)" in hinted.comment and "evidently" in hinted.comment
