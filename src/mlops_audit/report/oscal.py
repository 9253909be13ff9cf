"""The Assessment as OSCAL 1.2.1 assessment-results (JSON), validated in tests against NIST's schema.

Mapping: one `result` per assessment; one `observation` per evidence record (methods: TEST for a
pipeline run, EXAMINE for repository files and documents, INTERVIEW for answers) and one per
respondent; one `finding` per criterion (target = the criterion id as an objective) and one per
practice (satisfied only when every applicable criterion in it is met or waived); back-matter
resources carry the SHA-256 digests of the evidence and name the rubric (the assessment "plan").
UUIDs are uuid5 under a fixed namespace, so the same assessment gives the same document and the same
subject keeps its UUID across revisions (OSCAL's "per-subject" rule).
Text fields are Markdown in OSCAL: untrusted text is escaped so no consumer renders it as markup.
"""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import quote

from mlops_audit.result.model import Assessment, CriterionResult
from mlops_audit.rubric.model import Outcome

OSCAL_VERSION = "1.2.1"
NAMESPACE = uuid.UUID("0b7e3c55-8a3f-5b0e-a1d2-6c4f9e2b7d10")
PROP_NS = "https://mlops-audit.invalid/ns/oscal"  # our own property namespace (a URI, as OSCAL requires)
METHODS = {"pipeline": "TEST", "repo": "EXAMINE", "document": "EXAMINE", "answer": "INTERVIEW"}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]#!|~])")


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "\x1f".join(parts)))


def md(text: str) -> str:
    """Escape untrusted text for OSCAL's Markdown fields (HTML entities + Markdown punctuation)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def md_line(text: str) -> str:
    line = " ".join(md(text).split())
    return line or "-"


def _uri_ref(locator: str) -> str:
    return quote(locator, safe="/:#@!$&'()*+,;=-._~%") or "unknown"


def _prop(name: str, value: object) -> dict[str, str]:
    text = " ".join(str(value).split()) or "-"
    return {"name": name, "ns": PROP_NS, "value": text}


def _state(c: CriterionResult) -> tuple[str, str]:
    if c.outcome is Outcome.met:
        return "satisfied", "pass"
    if c.outcome is Outcome.not_applicable:
        return "satisfied", "other"
    if c.outcome in (Outcome.waived, Outcome.not_assessed):
        return "not-satisfied", "other"
    return "not-satisfied", "fail"


def to_oscal(a: Assessment) -> dict[str, Any]:
    aid = a.assessment_id
    rubric = a.rubric_snapshot
    index = rubric.criterion_index()
    at = a.assessed_at
    plan_uuid = _uuid(aid, "plan")
    evidence_resource = {e.id: _uuid(aid, "resource", e.id) for e in a.evidence}
    evidence_observation = {e.id: _uuid(aid, "observation", e.id) for e in a.evidence}
    respondent_observation = {r.id: _uuid(aid, "respondent", r.id) for r in a.respondents}

    observations = []
    for e in a.evidence:
        observations.append(
            {
                "uuid": evidence_observation[e.id],
                "title": md_line(e.id),
                "description": md(f"{e.kind.value} evidence from {e.source} at {e.locator}: says {e.says} ({e.strength.value})")
                + (f"\n\n{md(e.excerpt)}" if e.excerpt else ""),
                "props": [_prop("strength", e.strength.value), _prop("says", e.says)],
                "methods": [METHODS.get(e.kind.value, "UNKNOWN")],
                "collected": e.collected_at or at,
                "relevant-evidence": [{"href": f"#{evidence_resource[e.id]}", "description": md_line(e.locator)}],
            }
        )
    for r in a.respondents:
        observations.append(
            {
                "uuid": respondent_observation[r.id],
                "title": md_line(f"Questionnaire answers of {r.id}"),
                "description": md(f"{r.answered} answers by respondent {r.id} (roles: {', '.join(r.roles)}) from {r.source}"),
                "props": [_prop("strength", "claimed")],
                "methods": ["INTERVIEW"],
                "collected": at,
            }
        )

    findings = []
    for c in a.criteria:
        criterion = index[c.id][2]
        state, reason = _state(c)
        related = [evidence_observation[e] for e in c.evidence if e in evidence_observation]
        related += [respondent_observation[x.respondent] for x in c.answers if x.outcome is not None and x.respondent in respondent_observation]
        finding: dict[str, Any] = {
            "uuid": _uuid(aid, "finding", c.id),
            "title": md_line(f"{c.id}: {criterion.text.en}"),
            "description": md(
                f"Outcome {c.outcome.value}"
                + (f" at strength {c.strength.value}" if c.strength else "")
                + f" (required: {c.required_strength.value}); level {c.level}; practice {c.practice}."
                + (" Unsubstantiated claim." if c.unsubstantiated else "")
                + (" Answers conflict with evidence." if c.conflict else "")
                + (f" Waiver {c.waiver.status}, expires {c.waiver.expires}." if c.waiver else "")
            ),
            "props": [
                _prop("outcome", c.outcome.value),
                _prop("level", c.level),
                _prop("practice", c.practice),
                _prop("credit", c.credit),
            ],
            "target": {
                "type": "objective-id",
                "target-id": c.id,
                "status": {"state": state, "reason": reason},
            },
        }
        if related:
            finding["related-observations"] = [{"observation-uuid": u} for u in sorted(set(related))]
        findings.append(finding)
    practice_text = {p.id: p for _, p in rubric.practices()}
    for p in a.practices:
        done = p.applicable and p.level == 5
        findings.append(
            {
                "uuid": _uuid(aid, "practice", p.id),
                "title": md_line(f"{p.id}: {practice_text[p.id].title.en}"),
                "description": md(
                    f"Practice level {p.level}, score {p.score if p.score is not None else 'n/a'}"
                    + (f"; blocking the next level: {', '.join(p.blocking)}" if p.blocking else "")
                ),
                "props": [_prop("level", p.level), _prop("score", "n/a" if p.score is None else p.score)],
                "target": {
                    "type": "statement-id",
                    "target-id": p.id,
                    "status": {"state": "satisfied" if done else "not-satisfied", "reason": "pass" if done else "fail"},
                },
            }
        )

    resources: list[dict[str, Any]] = [
        {
            "uuid": plan_uuid,
            "title": md_line(f"Assessment plan: rubric {a.rubric.id} {a.rubric.version}"),
            "description": md(
                f"{rubric.title.en}. Evidence policy {a.policy.id} {a.policy.version}. "
                "The rubric's content digest identifies the exact criteria applied."
            ),
            "rlinks": [
                {
                    "href": f"urn:mlops-audit:rubric:{quote(a.rubric.id)}:{quote(a.rubric.version)}",
                    "hashes": [{"algorithm": "SHA-256", "value": a.rubric.digest}],
                }
            ],
        }
    ]
    for e in a.evidence:
        rlink: dict[str, Any] = {"href": _uri_ref(e.locator)}
        if e.sha256:
            rlink["hashes"] = [{"algorithm": "SHA-256", "value": e.sha256}]
        resources.append(
            {
                "uuid": evidence_resource[e.id],
                "title": md_line(e.id),
                "description": md(f"{e.kind.value} evidence from {e.source}"),
                "rlinks": [rlink],
            }
        )

    organisation = a.organisation.name if a.organisation else "unnamed organisation"
    result: dict[str, Any] = {
        "uuid": _uuid(aid, "result"),
        "title": md_line(f"MLOps maturity assessment of {organisation}"),
        "description": md(
            f"Overall level {a.overall.level}, score {a.overall.score if a.overall.score is not None else 'n/a'}, "
            f"coverage {a.overall.coverage if a.overall.coverage is not None else 'n/a'}; rubric {a.rubric.id} {a.rubric.version}."
        ),
        "props": [
            _prop("overall-level", a.overall.level),
            _prop("overall-score", "n/a" if a.overall.score is None else a.overall.score),
            _prop("assessment-id", aid),
        ],
        "start": at,
        "end": at,
        "reviewed-controls": {"control-selections": [{"include-all": {}}]},
        "findings": findings,
    }
    if observations:
        result["observations"] = observations
    return {
        "assessment-results": {
            "uuid": _uuid(aid, "assessment-results"),
            "metadata": {
                "title": md_line(f"MLOps maturity assessment results: {organisation}"),
                "last-modified": at,
                "version": a.assessment_id,
                "oscal-version": OSCAL_VERSION,
                "props": [_prop("tool", f"{a.tool.name} {a.tool.version}")],
            },
            "import-ap": {"href": f"#{plan_uuid}"},
            "results": [result],
            "back-matter": {"resources": resources},
        }
    }
