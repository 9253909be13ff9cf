"""The rubric and its regulator profiles as CISO Assistant framework libraries (YAML).

Format: the library files CISO Assistant's importer reads (intuitem/ciso-assistant-community,
backend/library/libraries/*.yaml and backend/library/utils.py): a library with `urn`, `locale`,
`ref_id`, `name`, `description`, `copyright`, `version`, `provider`, `packager`, optional
`translations` ({locale: {name, description}}) and `dependencies`, and `objects.framework` with
`urn`, `ref_id`, `name`, `description` and `requirement_nodes` (each: `urn`, `assessable`,
`depth`, `parent_urn`, `ref_id`, `name`, `description`, `annotation`, `typical_evidence`,
`translations`). A profile library also carries `requirement_mapping_sets` from its framework to
the base rubric's (its crosswalk: `subset` where meeting the CAICT targets meets the obligation,
`intersect` where they cover part of it) and depends on the base library.

Nodes: base rubric - domain (depth 1) / practice (2) / criterion (3, assessable); profile -
regulation (1) / obligation (2, assessable) and the profile's domains / practices / criteria.
URNs follow the importer's URN pattern and are lower-case, as it stores them. English is the
library locale; Chinese goes into `translations.zh`.
"""

from __future__ import annotations

import re
from typing import Any

from mlops_audit.rubric.loader import LoadedRubric
from mlops_audit.rubric.model import Domain, Text
from mlops_audit.rubric.profiles import Profile

PACKAGER = "mlops-audit"
# The importer's URN pattern (core.models.URN_REGEX in CISO Assistant).
URN_PATTERN = re.compile(r"^urn:([a-zA-Z0-9_-]+):([a-zA-Z0-9_-]+):([a-zA-Z0-9_-]+)(?::([a-zA-Z0-9_-]+))?:([0-9A-Za-z\[\]\(\)\-\._:]+)$")
RELATIONSHIP = {"full": "subset", "partial": "intersect"}


def _slug(value: str) -> str:
    return re.sub(r"[^0-9a-z\-._]", "-", value.lower())


def library_urn(ref: str) -> str:
    return f"urn:{PACKAGER}:risk:library:{_slug(ref)}"


def framework_urn(ref: str) -> str:
    return f"urn:{PACKAGER}:risk:framework:{_slug(ref)}"


def node_urn(framework: str, node: str) -> str:
    return f"urn:{PACKAGER}:risk:req_node:{_slug(framework)}:{_slug(node)}"


def _tr(**fields: Text | None) -> dict[str, dict[str, str]]:
    zh = {k: v.zh for k, v in fields.items() if v is not None}
    return {"zh": zh} if zh else {}


def _node(fw: str, node_id: str, *, depth: int, parent: str | None, assessable: bool, ref_id: str, name: Text | None = None, description: Text | None = None, annotation: Text | None = None, evidence: list[str] | None = None) -> dict[str, Any]:
    node: dict[str, Any] = {"urn": node_urn(fw, node_id), "assessable": assessable, "depth": depth}
    if parent is not None:
        node["parent_urn"] = node_urn(fw, parent)
    node["ref_id"] = ref_id
    if name is not None:
        node["name"] = name.en
    if description is not None:
        node["description"] = description.en
    if annotation is not None:
        node["annotation"] = annotation.en
    if evidence:
        node["typical_evidence"] = "\n".join(evidence)
    translations = _tr(name=name, description=description, annotation=annotation)
    if translations:
        node["translations"] = translations
    return node


def _domain_nodes(fw: str, domain: Domain) -> list[dict[str, Any]]:
    nodes = [_node(fw, domain.id, depth=1, parent=None, assessable=False, ref_id=domain.id, name=domain.name, description=domain.description)]
    for p in domain.practices:
        nodes.append(_node(fw, p.id, depth=2, parent=domain.id, assessable=False, ref_id=p.id, name=p.title, description=p.description))
        for c in p.criteria:
            evidence = [d.en for d in c.documents] + [f"detector: {d}" for d in c.detectors] + [f"pipeline step: {s}" for s in c.pipeline_steps] + [f"audit-trail event: {r.key()}" for r in c.trail_events]
            nodes.append(
                _node(fw, c.id, depth=3, parent=p.id, assessable=True, ref_id=c.id, name=Text(zh=f"{c.level} 级", en=f"Level {c.level}"), description=c.text, annotation=c.remediation, evidence=evidence)
            )
    return nodes


def _library(ref: str, name: Text, description: Text, provider: str, version: int, nodes: list[dict[str, Any]], copyright_: str) -> dict[str, Any]:
    return {
        "urn": library_urn(ref),
        "locale": "en",
        "ref_id": ref,
        "name": name.en,
        "description": description.en,
        "copyright": copyright_,
        "version": version,
        "provider": provider,
        "packager": PACKAGER,
        "translations": {"zh": {"name": name.zh, "description": description.zh}},
        "objects": {
            "framework": {
                "urn": framework_urn(ref),
                "ref_id": ref,
                "name": name.en,
                "description": description.en,
                "translations": {"zh": {"name": name.zh, "description": description.zh}},
                "requirement_nodes": nodes,
            }
        },
    }


def _major(version: str) -> int:
    """CISO Assistant library versions are integers that only grow: the semantic version's major
    and minor parts, folded (1.4.x -> 1004)."""
    major, minor = (int(x) for x in version.split("+")[0].split(".")[:2])
    return major * 1000 + minor


def rubric_library(loaded: LoadedRubric) -> dict[str, Any]:
    r = loaded.rubric
    nodes = [n for d in r.domains for n in _domain_nodes(r.id, d)]
    return _library(
        r.id, r.title, r.description, r.source.publisher.en, _major(r.version), nodes,
        f"Criteria written by the mlops-audit project after {r.source.title.en} ({r.source.publisher.en}, {r.source.year}); digest {loaded.digest}",
    )


def profile_library(profile: Profile, base: LoadedRubric) -> dict[str, Any]:
    m = profile.meta
    fw = profile.id
    nodes = []
    for source in m.sources:
        sid = f"src-{source.id}"
        nodes.append(_node(fw, sid, depth=1, parent=None, assessable=False, ref_id=source.identifier, name=source.title, description=source.note))
        for clause in profile.clauses:
            if clause.source != source.id:
                continue
            behind = profile.citing_criteria(clause.id)
            rows = [r for r in profile.crosswalk if r.obligation == clause.id]
            served = Text(
                zh="本档案准则：" + ("、".join(behind) or "无") + "；CAICT 对照：" + ("；".join(f"{', '.join(r.criteria + [f'{p} 达 {lv} 级' for p, lv in r.practices.items()])}（{'完全' if r.coverage == 'full' else '部分'}）" for r in rows) or "无"),
                en="Profile criteria: " + (", ".join(behind) or "none") + "; CAICT crosswalk: " + ("; ".join(f"{', '.join(r.criteria + [f'{p} at level {lv}' for p, lv in r.practices.items()])} ({r.coverage})" for r in rows) or "none"),
            )
            nodes.append(_node(fw, clause.id, depth=2, parent=sid, assessable=True, ref_id=f"{source.identifier} {clause.ref}", name=clause.title, annotation=served))
    for d in profile.domains:
        nodes += _domain_nodes(fw, d)
    provider = ", ".join(dict.fromkeys(s.issuer.en for s in m.sources))
    library = _library(fw, m.title, m.description, provider, _major(m.version), nodes, "Profile criteria and short titles written by the mlops-audit project; no text of the instruments is reproduced")
    base_fw = base.rubric.id
    mappings = []
    for row in profile.crosswalk:
        targets = [node_urn(base_fw, c) for c in row.criteria] + [node_urn(base_fw, p) for p in row.practices]
        for target in targets:
            mappings.append(
                {
                    "source_requirement_urn": node_urn(fw, row.obligation),
                    "target_requirement_urn": target,
                    "relationship": RELATIONSHIP[row.coverage],
                    "rationale": "semantic",
                    "annotation": row.note.en,
                }
            )
    if mappings:
        library["dependencies"] = [library_urn(base_fw)]
        library["objects"]["requirement_mapping_sets"] = [
            {
                "urn": f"urn:{PACKAGER}:risk:req_mapping_set:{_slug(fw)}-to-{_slug(base_fw)}",
                "ref_id": f"{fw}-to-{base_fw}",
                "name": f"{m.title.en} -> {base.rubric.title.en}",
                "description": "Crosswalk of the profile's obligations to the base rubric's criteria and practices",
                "source_framework_urn": framework_urn(fw),
                "target_framework_urn": framework_urn(base_fw),
                "requirement_mappings": mappings,
            }
        ]
    return library


def export_ciso(base: LoadedRubric, profiles: list[Profile]) -> dict[str, dict[str, Any]]:
    """File name -> library document."""
    out = {f"{base.rubric.id}.yaml": rubric_library(base)}
    for profile in profiles:
        out[f"{profile.id}.yaml"] = profile_library(profile, base)
    return out
