"""The Assessment as OSCAL 1.2.1 assessment-results (JSON), validated in tests against NIST's schema.

Mapping: one `result` per assessment; one `observation` per evidence record (methods: TEST for a
pipeline run, EXAMINE for repository files and documents, INTERVIEW for answers) and one per
respondent; one `finding` per criterion (target = the criterion id as an objective) and one per
practice (satisfied only when every applicable criterion in it is met or waived); with regulator
profiles (`assess --profile`), one finding per regulation obligation (target = the obligation's
statement in the profile's OSCAL catalog from `rubric export --format oscal-catalog`; props: its
status, weakest strength and what it rests on; related observations: the evidence behind); back-matter
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
from mlops_audit.result.regulatory import ObligationBasis, RegulatoryCoverage
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


# An obligation's status as an OSCAL objective status: only `met` satisfies it; `partial` fails
# like a partially met criterion; `not_applicable` is satisfied for another reason; not assessed is
# not satisfied, for another reason (nothing was judged).
_OBLIGATION_STATE = {
    "met": ("satisfied", "pass"),
    "not_applicable": ("satisfied", "other"),
    "partial": ("not-satisfied", "fail"),
    "unmet": ("not-satisfied", "fail"),
    "not_assessed": ("not-satisfied", "other"),
}


def obligation_statement_id(clause_id: str) -> str:
    """The id of an obligation's statement part in its profile's OSCAL catalog."""
    return f"{clause_id}_smt"


def _basis_line(b: ObligationBasis) -> str:
    targets = [c.id for c in b.criteria] + [f"{p.id}@L{p.required_level}" for p in b.practices]
    kind = "crosswalk row" if b.kind == "crosswalk" else "profile criteria"
    return f"{kind} ({b.coverage} coverage) {b.status}: {', '.join(targets)}"


def obligation_findings(a: Assessment, coverage: RegulatoryCoverage, related_by_criterion: dict[str, list[str]], profile_resources: dict[str, str]) -> list[dict[str, Any]]:
    """One finding per obligation of every regulation the assessment's profiles cover. Its target is
    the obligation's statement in the profile's OSCAL catalog; its props say the status, the weakest
    strength, the regulation and clause and what it rests on; its related observations are the
    evidence and answers behind the criteria it rests on (practices count through their criteria)."""
    aid = a.assessment_id
    practice_criteria: dict[str, list[tuple[str, int]]] = {}
    for c in a.criteria:
        practice_criteria.setdefault(c.practice, []).append((c.id, c.level))
    findings = []
    for reg in coverage.regulations:
        for ob in reg.obligations:
            state, reason = _OBLIGATION_STATE[ob.status]
            rests_on = [c.id for b in ob.bases for c in b.criteria]
            rests_on += [f"{p.id}@L{p.required_level}" for b in ob.bases for p in b.practices]
            behind = {c.id for b in ob.bases for c in b.criteria}
            behind |= {cid for b in ob.bases for p in b.practices for cid, level in practice_criteria.get(p.id, []) if level <= p.required_level}
            related = sorted({u for cid in behind for u in related_by_criterion.get(cid, [])})
            props = [
                _prop("profile", reg.profile),
                _prop("regulation", reg.identifier),
                _prop("clause", ob.ref),
                _prop("clause-id", ob.id),
                _prop("clause-confirmation", ob.clause_status),
                _prop("source-status", reg.source_status),
                _prop("obligation-status", ob.status),
            ]
            if ob.strength is not None:
                props.append(_prop("strength", ob.strength.value))
            props += [_prop("rests-on", ref) for ref in dict.fromkeys(rests_on)]
            finding: dict[str, Any] = {
                "uuid": _uuid(aid, "obligation", reg.profile, ob.id),
                "title": md_line(f"{reg.identifier} {ob.ref}: {ob.title.en}"),
                "description": md(
                    f"Obligation {ob.status}"
                    + (f" at strength {ob.strength.value}" if ob.strength else "")
                    + f" ({reg.title.en}; clause {ob.clause_status}"
                    + ("; superseded, kept as a legacy crosswalk" if reg.legacy else "")
                    + ")."
                )
                + "".join(f"\n\n- {md(_basis_line(b))}" for b in ob.bases),
                "props": props,
                "target": {
                    "type": "statement-id",
                    "target-id": obligation_statement_id(ob.id),
                    "status": {"state": state, "reason": reason},
                },
            }
            if reg.profile in profile_resources:
                finding["links"] = [{"href": f"#{profile_resources[reg.profile]}", "rel": "reference"}]
            if related:
                finding["related-observations"] = [{"observation-uuid": u} for u in related]
            findings.append(finding)
    return findings


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

    related_by_criterion: dict[str, list[str]] = {}
    for c in a.criteria:
        related = [evidence_observation[e] for e in c.evidence if e in evidence_observation]
        related += [respondent_observation[x.respondent] for x in c.answers if x.outcome is not None and x.respondent in respondent_observation]
        related_by_criterion[c.id] = related

    findings = []
    for c in a.criteria:
        criterion = index[c.id][2]
        state, reason = _state(c)
        related = related_by_criterion[c.id]
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
            ]
            # A regulator profile's criterion: each regulation clause it serves (catalogue id; the
            # regulation and clause label as the remark).
            + [_prop("cites", x.clause) | {"remarks": md(f"{x.regulation} {x.ref}")} for x in criterion.cites],
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

    profile_resources: dict[str, str] = {}
    if a.regulatory is not None:
        profile_resources = {p.id: _uuid(aid, "profile-catalog", p.id) for p in a.regulatory.profiles}
        findings += obligation_findings(a, a.regulatory, related_by_criterion, profile_resources)

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
    if a.regulatory is not None:
        for p in a.regulatory.profiles:
            resources.append(
                {
                    "uuid": profile_resources[p.id],
                    "title": md_line(f"Regulator profile {p.id} {p.version}: OSCAL catalog of its obligations"),
                    "description": md(
                        f"The obligation findings target the statements of this catalog's obligation controls "
                        f"(written by 'mlops-audit rubric export --format oscal-catalog' as {p.id}.catalog.json)."
                    ),
                    "props": [_prop("profile-id", p.id), _prop("profile-version", p.version)],
                    "rlinks": [{"href": _uri_ref(f"{p.id}.catalog.json")}],
                }
            )
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
