"""Catalogue definition files (`detectors/_catalogue.definition_files`): a file is parsed only when its
text holds every key its rule names, so a broad glob does not parse every manifest of a big tree; what
is recognised is unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_audit.evidence.repo.detectors._catalogue import definition_files
from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.evidence.repo.model import Kind

K8S = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: svc-{n}\nspec:\n  replicas: 2\n"
AZURE = "endpoint_name: churn\nmodel: azureml:churn:3\ninstance_type: Standard_DS3_v2\ninstance_count: 1\n"


def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    original = RepoIndex._parse_yaml

    def counting(self: RepoIndex, rel: str):  # type: ignore[no-untyped-def]
        seen.append(rel)
        return original(self, rel)

    monkeypatch.setattr(RepoIndex, "_parse_yaml", counting)
    return seen


def test_only_files_whose_text_holds_the_rules_keys_are_parsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(30):
        (tmp_path / f"deploy_{n}.yaml").write_text(K8S.format(n=n))
    (tmp_path / "azure-deploy.yaml").write_text(AZURE)
    # near miss: every key is in the text, but one only as a value, not at the top level
    (tmp_path / "notes-deploy.yaml").write_text("endpoint_name: churn\nmodel: m\nsettings:\n  instance_type: x\n")
    seen = parses(monkeypatch)
    found = definition_files(RepoIndex(tmp_path), Kind.deployment_manifest)
    assert [loc.path for _tool, loc in found] == ["azure-deploy.yaml"]
    assert sorted(seen) == ["azure-deploy.yaml", "notes-deploy.yaml"]  # the 30 Kubernetes manifests never parsed


def test_a_key_written_in_flow_style_or_quoted_is_still_found(tmp_path: Path) -> None:
    (tmp_path / "online-deploy.yaml").write_text('{"endpoint_name": churn, model: "azureml:churn:3", instance_type: Standard_DS3_v2}\n')
    found = definition_files(RepoIndex(tmp_path), Kind.deployment_manifest)
    assert [loc.path for _tool, loc in found] == ["online-deploy.yaml"]
