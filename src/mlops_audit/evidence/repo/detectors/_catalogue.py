"""Catalogue evidence that needs the repository: definition files recognised by their keys, and
cloud resources (CloudFormation/SAM, Terraform) of the types the catalogue lists."""

from __future__ import annotations

import re
from collections.abc import Iterable

from mlops_audit.evidence.repo.catalogue import Grade, Tool, files_for
from mlops_audit.evidence.repo.detectors._python import is_test_path
from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.evidence.repo.model import Kind, Location
from mlops_audit.evidence.repo.registry import MAX_LOCATIONS, at

MAX_DEFINITION_BYTES = 2 * 1024 * 1024


def definition_files(repo: RepoIndex, kind: Kind, grade: Grade | None = None) -> list[tuple[Tool, Location]]:
    """Files the catalogue's `files` rules recognise for `kind`: their parsed top level (JSON, or
    YAML for .yaml/.yml) has every key the rule names. Test fixtures do not count."""
    found: list[tuple[Tool, Location]] = []
    seen: set[str] = set()
    for tool, rule in files_for(kind, grade):
        for path in repo.glob(rule.glob, ignore_case=True):
            if path in seen or is_test_path(path) or repo.size(path) > MAX_DEFINITION_BYTES:
                continue
            if path.lower().endswith((".yaml", ".yml")):
                doc = repo.yaml(path)
                data = doc.data if doc is not None else None
            else:
                data = repo.json(path)
            if rule.accepts(data):
                seen.add(path)
                found.append((tool, at(path, 1)))
                if len(found) >= MAX_LOCATIONS:
                    return found
    return found


_TF_RESOURCE = re.compile(r'^\s*resource\s+"([A-Za-z0-9_]+)"\s+"([^"]+)"')
_CFN_TEXT = re.compile(r"AWS::|Resources")


def resource_declarations(repo: RepoIndex, types: Iterable[str]) -> list[tuple[str, Location, str]]:
    """(resource type, where, the resource's text) for CloudFormation/SAM resources (YAML or JSON
    templates) and Terraform `resource` blocks of any of `types`."""
    from mlops_audit.evidence.repo.detectors.deployment import manifest_documents

    wanted = set(types)
    found: list[tuple[str, Location, str]] = []
    if not wanted:
        return found
    for path, doc in manifest_documents(repo, must_match=lambda _path, text: bool(_CFN_TEXT.search(text))):
        resources = doc.data.get("Resources")
        for name, resource in resources.items() if isinstance(resources, dict) else []:
            if isinstance(resource, dict) and resource.get("Type") in wanted:
                pos = doc.locate(("Resources", name))
                found.append((str(resource["Type"]), at(path, pos[0] if pos else None), str(resource.get("Properties"))))
    tf_types = {t for t in wanted if "::" not in t and "/" not in t}
    for path in repo.with_suffix(".tf") if tf_types else []:
        if repo.size(path) > MAX_DEFINITION_BYTES or is_test_path(path):
            continue
        lines = (repo.text(path) or "").splitlines()
        for number, line in enumerate(lines, start=1):
            match = _TF_RESOURCE.match(line)
            if match and match.group(1) in tf_types:
                body = "\n".join(lines[number: number + 40])
                end = re.search(r"^\}", body, re.MULTILINE)
                found.append((match.group(1), at(path, number), body[: end.start()] if end else body))
    return found
