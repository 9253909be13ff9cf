"""CI commands followed through task runners feed the unit-test and CI findings, not only security
scanning and deployments."""

from __future__ import annotations

from pathlib import Path

from mlops_audit.evidence.repo.collect import build_index, run_detector
from mlops_audit.evidence.repo.model import FindingOutcome
from mlops_audit.evidence.repo.registry import get_detector
from tests.repo.test_detectors import materialise


def _run(detector_id: str, case: str, tmp_path: Path):
    return run_detector(get_detector(detector_id), build_index(materialise(detector_id, case, tmp_path)))


def test_unit_test_finding_says_ci_runs_pytest_through_make(tmp_path: Path) -> None:
    evidence = _run("has_unit_tests", "pass-python_test_runners", tmp_path)
    assert evidence.outcome is FindingOutcome.pass_
    assert "CI runs `pytest` via make test (.github/workflows/ci.yml)" in evidence.message


def test_unit_test_finding_without_ci_says_nothing_about_ci(tmp_path: Path) -> None:
    evidence = _run("has_unit_tests", "pass", tmp_path)
    assert evidence.outcome is FindingOutcome.pass_ and "CI runs" not in evidence.message


def test_a_ci_job_running_only_make_check_counts_when_the_target_runs_checks(tmp_path: Path) -> None:
    assert _run("has_ci_pipeline", "pass-make-check", tmp_path).outcome is FindingOutcome.pass_


def test_a_ci_job_whose_make_target_only_echoes_is_a_placeholder(tmp_path: Path) -> None:
    evidence = _run("has_ci_pipeline", "fail-placeholder-make-target", tmp_path)
    assert evidence.outcome is FindingOutcome.fail and "do nothing" in evidence.message


def test_an_undefined_task_is_not_judged_idle(tmp_path: Path) -> None:
    root = materialise("has_ci_pipeline", "pass-make-check", tmp_path)
    (root / "Makefile").unlink()  # `make check` of a Makefile generated elsewhere: not known to be idle
    assert run_detector(get_detector("has_ci_pipeline"), build_index(root)).outcome is FindingOutcome.pass_
