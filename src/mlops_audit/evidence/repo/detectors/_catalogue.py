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
    """Files the catalogue's `files` rules recognise for `kind` (globs match case-sensitively): their
    parsed top level (JSON, or YAML for .yaml/.yml) has every key the rule names. Test fixtures do
    not count."""
    found: list[tuple[Tool, Location]] = []
    seen: set[str] = set()
    for tool, rule in files_for(kind, grade):
        for path in repo.glob(rule.glob):  # case-sensitive: a case-folded glob would test every listed path
            if path in seen or is_test_path(path) or repo.size(path) > MAX_DEFINITION_BYTES:
                continue
            # A key of the parsed top level is written in the file's text (bar escaped spellings such as
            # JSON's \u005f, which no real definition uses): a file missing one is never parsed. Broad
            # globs (`**/*deploy*.yaml`) otherwise parse every Kubernetes manifest of a big tree.
            text = repo.text(path)
            if text is None or not all(key in text for key in rule.keys):
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
# Declared (as `words`) by the detectors that ask for resources, so that the YAML word facts of the
# one scan decide which templates can hold any, without reading every YAML file again.
RESOURCE_WORDS = ("resources",)


def resource_declarations(repo: RepoIndex, types: Iterable[str]) -> list[tuple[str, Location, str]]:
    """(resource type, where, the resource's text) for CloudFormation/SAM resources (YAML or JSON
    templates) and Terraform `resource` blocks of any of `types`. Every template is read once per
    scan for all the detectors that ask (the declarations are kept on the index)."""
    wanted = set(types)
    return [r for r in repo.memo("resource_declarations", lambda: _all_resources(repo)) if r[0] in wanted]


def _all_resources(repo: RepoIndex) -> list[tuple[str, Location, str]]:
    from mlops_audit.evidence.repo.detectors.deployment import manifest_documents

    found: list[tuple[str, Location, str]] = []
    for path, doc in manifest_documents(repo, RESOURCE_WORDS, lambda _path, text: bool(_CFN_TEXT.search(text))):
        resources = doc.data.get("Resources")
        for name, resource in resources.items() if isinstance(resources, dict) else []:
            if isinstance(resource, dict) and isinstance(resource.get("Type"), str):
                pos = doc.locate(("Resources", name))
                found.append((resource["Type"], at(path, pos[0] if pos else None), str(resource.get("Properties"))))
    for path in repo.with_suffix(".tf"):
        if repo.size(path) > MAX_DEFINITION_BYTES or is_test_path(path):
            continue
        lines = (repo.text(path) or "").splitlines()
        for number, line in enumerate(lines, start=1):
            match = _TF_RESOURCE.match(line)
            if match:
                body = "\n".join(lines[number: number + 40])
                end = re.search(r"^\}", body, re.MULTILINE)
                found.append((match.group(1), at(path, number), body[: end.start()] if end else body))
    return found
