"""The rubric and its regulator profiles as OSCAL 1.2.1 catalogs, and one OSCAL profile per
regulation selecting from them, so the criteria can live in GRC tools that read OSCAL.

- `<rubric-id>.catalog.json`: groups = domains, controls = practices, sub-controls = criteria
  (level, source, guide clauses, question, remediation, evidence routes as props and parts).
- `<profile-id>.catalog.json`: one group per source (regulation) whose controls are its
  obligations (each with a statement part `<clause-id>_smt`, which the assessment-results findings
  of `report --format oscal` target), and one group per profile domain with its practices and criteria; a criterion links
  (rel "related") to the obligations it cites.
- `<profile-id>.<source-id>.profile.json`: an OSCAL profile importing both catalogs and including
  the controls that serve that regulation's obligations: the obligations themselves, the profile's
  criteria citing them, and the base-rubric criteria and practices its crosswalk rows name.

Pure functions returning plain JSON-ready dicts; deterministic (uuid5 ids, time injected).
Validated in the tests with compliance-trestle's OSCAL models.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from mlops_audit.report.oscal import OSCAL_VERSION, PROP_NS, md, md_line, obligation_statement_id
from mlops_audit.rubric.loader import LoadedRubric
from mlops_audit.rubric.model import Criterion, Domain, Practice, Text
from mlops_audit.rubric.profiles import Profile
from mlops_audit.util.clock import isoformat

NAMESPACE = uuid.UUID("3d1f6a0e-7b2c-5e44-9a3b-1c7d2e5f8a60")


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "\x1f".join(parts)))


def _prop(name: str, value: object) -> dict[str, str]:
    return {"name": name, "ns": PROP_NS, "value": " ".join(str(value).split()) or "-"}


def _t(text: Text, lang: str) -> str:
    return md_line(text.get(lang))


def catalog_file(rubric_id: str) -> str:
    return f"{rubric_id}.catalog.json"


def profile_file(profile_id: str, source_id: str) -> str:
    return f"{profile_id}.{source_id}.profile.json"


def _metadata(title: str, version: str, at: datetime, props: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "title": md_line(title),
        "last-modified": isoformat(at),
        "version": version,
        "oscal-version": OSCAL_VERSION,
        "props": props,
    }


def _criterion_control(c: Criterion, lang: str, cites: tuple[str, ...] = ()) -> dict[str, Any]:
    props = [
        {"name": "label", "value": c.id},
        _prop("level", c.level),
        _prop("source", c.source.value),
        _prop("question-type", c.question.type.value),
        _prop("asked-of", ", ".join(c.question.roles)),
    ]
    props += [_prop("guide-clause", ref) for ref in c.clauses]
    props += [_prop("detector", d) for d in c.detectors]
    props += [_prop("pipeline-step", s) for s in c.pipeline_steps]
    props += [_prop("trail-event", r.key()) for r in c.trail_events]
    if c.run_series is not None:
        props.append(_prop("run-series", c.run_series.key()))
    parts = [
        {"id": f"{c.id}_smt", "name": "statement", "prose": md(c.text.get(lang))},
        {"id": f"{c.id}_obj", "name": "assessment-objective", "prose": md(c.question.text.get(lang))},
        {"id": f"{c.id}_gdn", "name": "guidance", "prose": md(c.remediation.get(lang))},
    ]
    for k, doc in enumerate(c.documents):
        parts.append({"id": f"{c.id}_doc{k + 1}", "name": "assessment-method", "props": [{"name": "method", "value": "EXAMINE"}], "prose": md(doc.get(lang))})
    control: dict[str, Any] = {
        "id": c.id,
        "class": "criterion",
        "title": md_line(f"L{c.level} {c.text.get(lang)}")[:240],
        "props": props,
        "parts": parts,
    }
    if cites:
        control["links"] = [{"href": f"#{ref}", "rel": "related"} for ref in cites]
    return control


def _practice_control(p: Practice, lang: str, cites: dict[str, tuple[str, ...]] | None = None) -> dict[str, Any]:
    cites = cites or {}
    props = [{"name": "label", "value": p.id}, _prop("weight", p.weight)]
    if p.pipeline_part:
        props.append(_prop("pipeline-part", p.pipeline_part))
    props += [_prop("guide-clause", ref) for ref in p.clauses]
    control: dict[str, Any] = {
        "id": p.id,
        "class": "practice",
        "title": _t(p.title, lang),
        "props": props,
        "parts": [{"id": f"{p.id}_smt", "name": "statement", "prose": md(p.description.get(lang))}],
        "controls": [_criterion_control(c, lang, cites.get(c.id, ())) for c in p.criteria],
    }
    if cites.get(p.id):
        control["links"] = [{"href": f"#{ref}", "rel": "related"} for ref in cites[p.id]]
    return control


def _domain_group(d: Domain, lang: str, cites: dict[str, tuple[str, ...]] | None = None) -> dict[str, Any]:
    return {
        "id": d.id,
        "class": "domain",
        "title": _t(d.name, lang),
        "props": [_prop("weight", d.weight)] + [_prop("guide-clause", ref) for ref in d.clauses],
        "parts": [{"id": f"{d.id}_ovw", "name": "overview", "prose": md(d.description.get(lang))}],
        "controls": [_practice_control(p, lang, cites) for p in d.practices],
    }


def rubric_catalog(loaded: LoadedRubric, *, lang: str, at: datetime) -> dict[str, Any]:
    r = loaded.rubric
    return {
        "catalog": {
            "uuid": _uuid("catalog", r.id, r.version, loaded.digest),
            "metadata": _metadata(r.title.get(lang), r.version, at, [_prop("rubric-digest", loaded.digest), _prop("rubric-id", r.id)]),
            "groups": [_domain_group(d, lang) for d in r.domains],
            "back-matter": {
                "resources": [
                    {
                        "uuid": _uuid("source", r.id),
                        "title": _t(r.source.title, lang),
                        "description": md(f"{r.source.publisher.get(lang)}, {r.source.year}"),
                    }
                ]
            },
        }
    }


def _source_resource(profile: Profile, source) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    resource: dict[str, Any] = {
        "uuid": _uuid("source", profile.id, source.id),
        "title": md_line(f"{source.identifier}: {source.title.en}"),
        "description": md(f"{source.issuer.en}, {source.year}; status {source.status.value}"),
        "props": [_prop("source-id", source.id), _prop("source-status", source.status.value)],
    }
    if source.url:
        resource["rlinks"] = [{"href": source.url}]
    return resource


def profile_catalog(profile: Profile, *, lang: str, at: datetime) -> dict[str, Any]:
    m = profile.meta
    groups = []
    for source in m.sources:
        controls = []
        for clause in profile.clauses:
            if clause.source != source.id:
                continue
            props = [
                {"name": "label", "value": clause.ref},
                _prop("confirmation", clause.status.value),
            ]
            if clause.confirmed_in:
                props.append(_prop("confirmed-in", clause.confirmed_in))
            controls.append(
                {
                    "id": clause.id,
                    "class": "obligation",
                    "title": _t(clause.title, lang),
                    "props": props,
                    "links": [{"href": f"#{_uuid('source', profile.id, source.id)}", "rel": "reference"}],
                    # What an assessment-results finding targets (statement-id) for this obligation.
                    "parts": [{"id": obligation_statement_id(clause.id), "name": "statement", "prose": md(clause.title.get(lang))}],
                }
            )
        groups.append(
            {
                "id": f"src-{source.id}",
                "class": "regulation",
                "title": md_line(f"{source.identifier}: {source.title.get(lang)}"),
                "props": [_prop("source-status", source.status.value), _prop("year", source.year)],
                "controls": controls,
            }
        )
    groups += [_domain_group(d, lang, profile.cites) for d in profile.domains]
    return {
        "catalog": {
            "uuid": _uuid("catalog", profile.id, m.version),
            "metadata": _metadata(m.title.get(lang), m.version, at, [_prop("profile-id", profile.id), _prop("base-rubric", m.base_rubric)]),
            "groups": groups,
            "back-matter": {"resources": [_source_resource(profile, s) for s in m.sources]},
        }
    }


def regulation_profile(profile: Profile, source_id: str, base: LoadedRubric, *, at: datetime) -> dict[str, Any]:
    """An OSCAL profile for one regulation: what in the base and profile catalogs serves it."""
    source = profile.source_index()[source_id]
    obligations = [c.id for c in profile.clauses if c.source == source_id]
    own = sorted({cid for ob in obligations for cid in profile.citing_criteria(ob)})
    rows = [r for r in profile.crosswalk if r.obligation in obligations]
    base_criteria = sorted({c for r in rows for c in r.criteria})
    base_practices = sorted({p for r in rows for p in r.practices})
    imports = [{"href": catalog_file(profile.id), "include-controls": [{"with-ids": obligations + own}]}]
    base_includes = []
    if base_criteria:
        base_includes.append({"with-ids": base_criteria})
    if base_practices:
        base_includes.append({"with-child-controls": "yes", "with-ids": base_practices})
    if base_includes:
        imports.insert(0, {"href": catalog_file(base.rubric.id), "include-controls": base_includes})
    props = [_prop("profile-id", profile.id), _prop("source-id", source_id), _prop("source-status", source.status.value)]
    props += [_prop("crosswalk", f"{r.obligation} -> {', '.join(r.criteria + [f'{p}@L{lvl}' for p, lvl in r.practices.items()])} ({r.coverage})") for r in rows]
    return {
        "profile": {
            "uuid": _uuid("profile", profile.id, source_id, profile.meta.version),
            "metadata": _metadata(f"{source.identifier}: {source.title.en}", profile.meta.version, at, props),
            "imports": imports,
            "merge": {"as-is": True},
            "back-matter": {"resources": [_source_resource(profile, source)]},
        }
    }


def export_oscal(base: LoadedRubric, profiles: list[Profile], *, lang: str, at: datetime) -> dict[str, dict[str, Any]]:
    """File name -> OSCAL document: the base catalog, each profile's catalog, and one OSCAL profile
    per regulation of each profile."""
    out = {catalog_file(base.rubric.id): rubric_catalog(base, lang=lang, at=at)}
    for profile in profiles:
        out[catalog_file(profile.id)] = profile_catalog(profile, lang=lang, at=at)
        for source in profile.meta.sources:
            out[profile_file(profile.id, source.id)] = regulation_profile(profile, source.id, base, at=at)
    return out
