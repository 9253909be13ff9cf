"""The tool catalogue: valid data, every entry exercised by a pass fixture, compiled into the scan's needles."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_audit.errors import InputError
from mlops_audit.evidence.repo.catalogue import Grade, dependency_hints, parse_catalogue, tools, vocabulary
from mlops_audit.evidence.repo.model import Kind
from mlops_audit.evidence.repo.registry import all_detectors, all_needles

FIXTURES = Path(__file__).parent / "fixtures"


def _detector_for(kind: Kind) -> str:
    return next(d.id for d in all_detectors() if d.kind is kind)


def test_the_bundled_catalogue_loads_with_unique_ids() -> None:
    ids = [t.id for t in tools()]
    assert len(ids) == len(set(ids)) and len(ids) >= 25


@pytest.mark.parametrize("tool", tools(), ids=lambda t: t.id)
def test_every_catalogue_entry_has_a_fixture_of_its_grade_for_each_kind_it_evidences(tool) -> None:
    """Full evidence needs `<detector>/pass-<tool id>`, partial evidence `<detector>/partial-<tool id>`;
    the one parametrised detector test runs them and checks the outcome their name says."""
    for evidence in tool.evidence:
        detector_id = _detector_for(evidence.kind)
        outcome = "pass" if evidence.grade is Grade.full else "partial"
        cases = [p.name for p in (FIXTURES / detector_id).iterdir() if p.is_dir()]
        assert f"{outcome}-{tool.id}" in cases or any(c.startswith(f"{outcome}-{tool.id}-") for c in cases), (
            f"catalogue entry '{tool.id}' ({evidence.kind.value}) needs tests/repo/fixtures/{detector_id}/{outcome}-{tool.id}/"
        )


def test_the_catalogue_compiles_into_the_needles_of_the_one_scan() -> None:
    scanned = all_needles()
    for kind in Kind:
        assert set(vocabulary(kind).needles) <= scanned, kind


def _problems(text: str) -> str:
    with pytest.raises(InputError) as caught:
        parse_catalogue([("bad.yaml", text)])
    return caught.value.message


def test_unknown_keys_are_refused_with_file_line_and_key_path() -> None:
    message = _problems(
        "format: mlops-audit/tool-catalogue@1\ntools:\n  - id: x\n    name: X\n    colour: red\n"
        "    evidence: [{kind: monitoring, needles: [x], calls: [x.y]}]\n"
    )
    assert "bad.yaml:5:5: tools.0.colour: unknown key" in message


def test_a_call_no_needle_can_find_is_refused() -> None:
    message = _problems(
        "format: mlops-audit/tool-catalogue@1\ntools:\n  - id: x\n    name: X\n"
        "    evidence: [{kind: monitoring, needles: [other], calls: [x.y]}]\n"
    )
    assert "no needle names a part of 'x.y'" in message


def test_an_entry_must_say_what_counts_and_ids_are_unique() -> None:
    assert "must say what counts" in _problems(
        "format: mlops-audit/tool-catalogue@1\ntools:\n  - {id: x, name: X, evidence: [{kind: monitoring}]}\n"
    )
    entry = "  - {id: x, name: X, evidence: [{kind: monitoring, needles: [x], calls: [x.y]}]}\n"
    assert "tool id 'x' is already used" in _problems("format: mlops-audit/tool-catalogue@1\ntools:\n" + entry + entry)


def test_declared_dependencies_map_to_tools_as_hints_only() -> None:
    hints = dependency_hints(["Evidently", "numpy", "mlflow_skinny"])
    assert [(h.tool, h.package) for h in hints] == [("evidently", "Evidently"), ("mlflow", "mlflow_skinny")]
    assert Kind.monitoring in hints[0].kinds


def test_the_catalogue_reference_document_is_up_to_date_and_names_every_tool() -> None:
    from pathlib import Path

    from mlops_audit.evidence.repo.catalogue.docs import DOCS_FILE, REGENERATE, render_catalogue_markdown

    text = render_catalogue_markdown()
    # The checkout's docs/ (the package may be installed, as in CI, where docs/ is not beside it).
    committed = Path(__file__).resolve().parents[2] / DOCS_FILE
    assert committed.read_text(encoding="utf-8") == text, f"docs/catalogue.md is stale: run `{REGENERATE}`"
    for tool in tools():
        assert f"(`{tool.id}`)" in text


def test_spec_keys_need_kinds_and_kinds_are_kubernetes_names() -> None:
    head = "format: mlops-audit/tool-catalogue@1\ntools:\n  - id: x\n    name: X\n    evidence:\n"
    assert "'spec_keys' qualify 'kinds'" in _problems(head + "      - {kind: deployment_manifest, resource_types: [a_b], spec_keys: [serveConfig]}\n")
    assert "kinds.0" in _problems(head + "      - {kind: deployment_manifest, kinds: [rayservice]}\n")
    tool = parse_catalogue([("ok.yaml", head + "      - {kind: deployment_manifest, kinds: [ray.io/RayService, Deployment], spec_keys: [serveConfigV2]}\n")])[0]
    assert tool.evidence[0].kinds == ["ray.io/RayService", "Deployment"]


def test_resource_types_match_exactly_and_a_trailing_star_is_a_family() -> None:
    import re

    from mlops_audit.evidence.repo.catalogue import resource_type_pattern

    pattern = re.compile(resource_type_pattern(["AWS::SageMaker::Model", "AWS::ApiGateway::*", "google_cloud_run_*"]))
    assert pattern.fullmatch("AWS::SageMaker::Model") and pattern.fullmatch("AWS::ApiGateway::RestApi")
    assert pattern.fullmatch("google_cloud_run_v2_service")
    assert not pattern.fullmatch("AWS::SageMaker::ModelPackageGroup") and not pattern.fullmatch("AWS::S3::Bucket")
    assert not re.compile(resource_type_pattern([])).fullmatch("")


def test_the_deployment_kinds_and_types_come_from_the_catalogue() -> None:
    from mlops_audit.evidence.repo.detectors import deployment

    assert deployment._WORKLOADS["serving.knative.dev/Service"].kinds == ["serving.knative.dev/Service"]
    assert "Service" in deployment._SUPPORTING and "Service" not in deployment._WORKLOADS
    assert deployment._WORKLOADS["ray.io/RayService"].spec_keys
    assert deployment._TF_SERVING.match('resource "aws_sagemaker_endpoint" "x" {')
    assert not deployment._TF_SERVING.match('resource "aws_s3_bucket" "x" {')
    assert deployment._BICEP_SERVING.match("resource site 'Microsoft.Web/sites@2022-03-01' = {")
    assert not deployment._BICEP_SERVING.match("resource aks 'Microsoft.ContainerService/managedClusters@2023-08-01' = {")
