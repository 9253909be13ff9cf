"""SARIF 2.1.0 output: one rule per detector, one result per failing (level warning) or partial (level
note) finding, real locations only."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from mlops_audit import TOOL_NAME
from mlops_audit.evidence.repo.learning import sarif_properties
from mlops_audit.evidence.repo.model import CollectionResult, Finding, FindingOutcome, Location
from mlops_audit.evidence.repo.registry import Detector, all_detectors

SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/mlops-audit/mlops-audit"
_README_NAMES = ("README.md", "README.rst", "README.txt", "README", "readme.md")


def _rule(det: Detector, criteria: list[str]) -> dict[str, Any]:
    return {
        "id": det.id,
        "name": "".join(part.capitalize() for part in det.id.split("_")),
        "shortDescription": {"text": det.title},
        "fullDescription": {"text": f"{det.title} (evidence kind: {det.kind.value})"},
        "help": {"text": det.remediation, "markdown": det.remediation},
        "defaultConfiguration": {"level": "warning"},
        "properties": {"kind": det.kind.value, "criteria": criteria, "confidence": det.confidence.value, "tags": ["mlops", det.kind.value]},
    }


def physical_location(location: Location) -> dict[str, Any]:
    # A URI reference: spaces and other reserved characters in file names are percent-encoded.
    physical: dict[str, Any] = {"artifactLocation": {"uri": quote(location.path, safe="/"), "uriBaseId": "%SRCROOT%"}}
    if location.line is not None:
        physical["region"] = {"startLine": location.line}
    return physical


def fallback_location(files: list[str]) -> Location | None:
    """Where to pin a finding that has no file of its own: the README, else the first listed file."""
    for name in _README_NAMES:
        if name in files:
            return Location(path=name, line=1)
    return Location(path=files[0], line=1) if files else None


def to_sarif(result: CollectionResult, *, files: list[str] | None = None, include_passes: bool = False) -> dict[str, Any]:
    """A SARIF log. `files`: the scanned listing, used to pin file-less failures to a real file."""
    detectors = {d.id: d for d in all_detectors()}
    findings = {f.detector: f for f in result.findings}
    ordered = [detectors[f.detector] for f in result.findings if f.detector in detectors]
    rule_index = {det.id: i for i, det in enumerate(ordered)}
    fallback = fallback_location(files or [])
    results: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []
    for finding in result.findings:
        if finding.outcome is FindingOutcome.error:
            notifications.append(
                {"level": "error", "message": {"text": f"{finding.detector}: {finding.message}"}, "descriptor": {"id": finding.detector}}
            )
            continue
        if finding.outcome in (FindingOutcome.fail, FindingOutcome.partial) or (include_passes and finding.outcome is FindingOutcome.pass_):
            results.append(_result(finding, rule_index, fallback))
    return {
        "$schema": SARIF_SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL_NAME,
                        "version": result.tool_version,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(det, findings[det.id].criteria) for det in ordered],
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": f"root of the scanned repository '{result.repo}'"}}},
                "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
                "results": results,
                "properties": {"repo": result.repo, "rubric": result.rubric or {}, **sarif_properties(result.stats.learning_material)},
            }
        ],
    }


def _result(finding: Finding, rule_index: dict[str, int], fallback: Location | None) -> dict[str, Any]:
    locations = finding.locations or ([fallback] if fallback else [])
    entry: dict[str, Any] = {
        "ruleId": finding.detector,
        "ruleIndex": rule_index[finding.detector],
        "kind": _KIND[finding.outcome],
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": physical_location(loc)} for loc in locations],
        "properties": {"confidence": finding.confidence.value, "criteria": finding.criteria, "outcome": finding.outcome.value},
    }
    entry["level"] = _LEVEL[finding.outcome]
    return entry


# SARIF result kind and level per outcome: a partial practice is a note (present, incomplete), a
# missing one a warning; passes (listed only on request) have no level.
_KIND = {FindingOutcome.fail: "fail", FindingOutcome.partial: "fail", FindingOutcome.pass_: "pass"}
_LEVEL = {FindingOutcome.fail: "warning", FindingOutcome.partial: "note", FindingOutcome.pass_: "none"}
