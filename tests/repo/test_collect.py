"""collect(): findings for every detector, criteria from the rubric, errors contained; the CLI; SARIF."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from mlops_audit.cli import cli
from mlops_audit.evidence.repo.collect import collect, collect_with_index, criteria_by_detector
from mlops_audit.evidence.repo.model import CollectionResult, FindingOutcome, Kind
from mlops_audit.evidence.repo.registry import Detector, all_detectors
from mlops_audit.evidence.repo.sarif import to_sarif
from mlops_audit.evidence.repo.schema import collection_schema_text, published_schema_path
from mlops_audit.util.jsonio import pretty_json
from tests.conftest import AT

FIXTURES = Path(__file__).parent / "fixtures"
SARIF_SCHEMA = Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def rubric():
    from mlops_audit.rubric.loader import default_rubric

    return default_rubric()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A small project assembled from several pass fixtures, plus a README."""
    root = tmp_path / "project"
    for detector_id in ("has_ci_pipeline", "has_unit_tests", "tracks_experiments", "has_container"):
        shutil.copytree(FIXTURES / detector_id / "pass", root, dirs_exist_ok=True)
    (root / "README.md").write_text("# Project\n", encoding="utf-8")
    return root


def test_collect_reports_one_finding_per_detector_with_criteria_from_the_rubric(project: Path, rubric) -> None:
    result = collect(project, rubric=rubric, now=AT)
    mapping = criteria_by_detector(rubric)
    assert [f.detector for f in result.findings] == [d.id for d in all_detectors()]
    outcomes = {f.detector: f.outcome for f in result.findings}
    assert outcomes["has_ci_pipeline"] is FindingOutcome.pass_
    assert outcomes["has_unit_tests"] is FindingOutcome.pass_
    assert outcomes["registers_models"] is FindingOutcome.fail
    assert outcomes["tags_releases"] is FindingOutcome.not_applicable
    for finding in result.findings:
        assert finding.criteria == mapping.get(finding.detector, [])
    assert any(f.criteria for f in result.findings)
    assert result.repo == "project" and result.rubric == rubric.ref
    assert not result.git.present and "no .git" in (result.git.reason or "")


def test_a_crashing_detector_becomes_an_error_finding_and_the_scan_goes_on(project: Path, rubric) -> None:
    def explode(repo):
        raise RuntimeError("boom")

    broken = Detector(id="explodes", title="Does it explode?", kind=Kind.ci_pipeline, remediation="x", confidence="high", needles=(), run=explode)
    result = collect(project, rubric=rubric, detectors=[broken, *all_detectors()[:2]])
    assert [f.outcome for f in result.findings][0] is FindingOutcome.error
    assert "RuntimeError: boom" in result.findings[0].message
    assert result.findings[1].outcome is FindingOutcome.pass_


def test_collection_json_is_deterministic_and_matches_its_published_schema(project: Path, rubric) -> None:
    first = pretty_json(collect(project, rubric=rubric, now=AT).model_dump(mode="json"))
    second = pretty_json(collect(project, rubric=rubric, now=AT).model_dump(mode="json"))
    assert first == second
    schema = json.loads(published_schema_path().read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(json.loads(first))
    assert CollectionResult.model_validate_json(first)


def test_published_collection_schema_is_not_stale() -> None:
    assert published_schema_path().read_text(encoding="utf-8") == collection_schema_text(), (
        "regenerate: python -c 'from mlops_audit.evidence.repo.schema import write_collection_schema as w; w()'"
    )


# SARIF ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sarif_validator():
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema)


def test_sarif_validates_against_the_official_schema_with_real_locations(project: Path, rubric, sarif_validator) -> None:
    result, index = collect_with_index(project, rubric=rubric, now=AT)
    log = to_sarif(result, files=list(index.files))
    sarif_validator.validate(log)
    run = log["runs"][0]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert rules == [d.id for d in all_detectors()]
    failing = {f.detector for f in result.findings if f.outcome is FindingOutcome.fail}
    assert {r["ruleId"] for r in run["results"]} == failing
    for entry in run["results"]:
        assert rules[entry["ruleIndex"]] == entry["ruleId"]
        for location in entry["locations"]:
            uri = location["physicalLocation"]["artifactLocation"]["uri"]
            assert (project / uri).is_file(), uri
    # A failure without a file of its own is pinned to the README, line 1.
    no_ci_file = next(e for e in run["results"] if e["ruleId"] == "registers_models")
    assert no_ci_file["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "README.md"


def test_sarif_reports_detector_errors_as_notifications_and_can_archive_passes(project: Path, rubric, sarif_validator) -> None:
    result, index = collect_with_index(project, rubric=rubric, now=AT)
    crashed = result.findings[0].model_copy(update={"outcome": FindingOutcome.error, "message": "detector crashed: X"})
    result = result.model_copy(update={"findings": [crashed, *result.findings[1:]]})
    log = to_sarif(result, files=list(index.files), include_passes=True)
    sarif_validator.validate(log)
    run = log["runs"][0]
    assert run["invocations"][0]["toolExecutionNotifications"][0]["descriptor"]["id"] == crashed.detector
    assert {"pass", "fail"} <= {r["kind"] for r in run["results"]}


def test_sarif_uris_are_percent_encoded_repo_relative_references() -> None:
    from mlops_audit.evidence.repo.model import Location
    from mlops_audit.evidence.repo.sarif import physical_location

    physical = physical_location(Location(path="notebooks/Ridge Regression #1.ipynb", line=None))
    assert physical == {"artifactLocation": {"uri": "notebooks/Ridge%20Regression%20%231.ipynb", "uriBaseId": "%SRCROOT%"}}


# CLI -----------------------------------------------------------------------------------------------
def test_cli_collect_prints_json_and_writes_sarif_atomically(project: Path, tmp_path: Path, runner, monkeypatch, sarif_validator) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    shown = runner.invoke(cli, ["collect", str(project)])
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.stdout)
    assert {f["detector"] for f in data["findings"]} == {d.id for d in all_detectors()}
    out = tmp_path / "out" / "repo.sarif"
    written = runner.invoke(cli, ["collect", str(project), "--format", "sarif", "--out", str(out)])
    assert written.exit_code == 0, written.output
    sarif_validator.validate(json.loads(out.read_text(encoding="utf-8")))
    assert not [p for p in out.parent.iterdir() if p.name.endswith(".tmp")]


def test_cli_collect_on_a_missing_folder_is_a_clear_error(tmp_path: Path, runner) -> None:
    outcome = runner.invoke(cli, ["collect", str(tmp_path / "missing")])
    assert outcome.exit_code == 2
    assert "missing" in outcome.output and "Traceback" not in outcome.output
