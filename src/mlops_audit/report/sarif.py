"""The Assessment as SARIF 2.1.0 (for code scanning), in the manner of OpenSSF Scorecard.

One rule per rubric practice, always all of them (so a fixed practice closes its alert). One result
per applicable criterion that holds its practice below level 5 and is not met (unmet, partial, or
not assessed), at a real location: the path of repository evidence for it when there is one (with
its line), else the assessment file itself at line 1. Level: error for unmet criteria at or below
the practice's next level, warning otherwise, note for "not assessed".
"""

from __future__ import annotations

import re
from typing import Any

from mlops_audit.result.model import Assessment
from mlops_audit.rubric.model import Outcome
from mlops_audit.util.jsonio import sha256_text

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_PATH_LINE = re.compile(r"^(?P<path>[^:#]+?)(?::(?P<line>\d+))?(?:[-:]\d+)?$")


def _location(locator: str) -> tuple[str, int] | None:
    """A repo-relative path and line from 'path:line'; None for URLs, run ids and absolute paths."""
    if "://" in locator or "#" in locator or locator.startswith("/"):
        return None
    m = _PATH_LINE.match(locator.strip())
    if not m or ".." in m.group("path").split("/"):
        return None
    return m.group("path"), int(m.group("line") or 1)


def to_sarif(a: Assessment, *, assessment_uri: str = "assessment.json") -> dict[str, Any]:
    rubric = a.rubric_snapshot
    index = rubric.criterion_index()
    practices = {p.id: p for p in a.practices}
    evidence = {e.id: e for e in a.evidence}
    rules = []
    rule_index: dict[str, int] = {}
    for domain, practice in rubric.practices():
        rule_index[practice.id] = len(rules)
        result = practices.get(practice.id)
        rules.append(
            {
                "id": practice.id,
                "name": practice.id.replace(".", "_"),
                "shortDescription": {"text": practice.title.en},
                "fullDescription": {"text": practice.description.en},
                "help": {"text": f"{practice.description.en} (domain: {domain.name.en}; {practice.title.zh})"},
                "defaultConfiguration": {"level": "warning"},
                "properties": {
                    "tags": ["mlops", "maturity", domain.id] + ([practice.pipeline_part] if practice.pipeline_part else []),
                    "precision": "high",
                    "level": result.level if result else 0,
                    "score": result.score if result else None,
                },
            }
        )
    results = []
    for c in a.criteria:
        if not c.applicable or c.outcome in (Outcome.met, Outcome.waived):
            continue
        p = practices[c.practice]
        if p.level >= 5:
            continue
        criterion = index[c.id][2]
        located = None
        for eid in c.evidence:
            e = evidence.get(eid)
            if e is not None and e.kind.value == "repo":
                located = _location(e.locator)
                if located:
                    break
        uri, line = located or (assessment_uri, 1)
        if c.outcome is Outcome.not_assessed:
            level = "note"
        elif c.level <= p.level + 1:
            level = "error"
        else:
            level = "warning"
        results.append(
            {
                "ruleId": c.practice,
                "ruleIndex": rule_index[c.practice],
                "level": level,
                "kind": "fail",
                "message": {
                    "text": f"{c.id} (level {c.level}) is {c.outcome.value.replace('_', ' ')}: {criterion.text.en} "
                    f"Practice {c.practice} is at level {p.level}. Remediation: {criterion.remediation.en}"
                },
                "locations": [
                    {"physicalLocation": {"artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"}, "region": {"startLine": line}}}
                ],
                "partialFingerprints": {"mlopsAuditCriterion/v1": sha256_text(f"{a.rubric.id}|{c.id}|{uri}")},
                "properties": {"criterion": c.id, "outcome": c.outcome.value, "strength": c.strength.value if c.strength else None},
            }
        )
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": a.tool.name,
                        "semanticVersion": a.tool.version,
                        "rules": rules,
                    }
                },
                "automationDetails": {"id": f"mlops-maturity/{a.rubric.id}/{a.assessed_at}"},
                "properties": {
                    "assessmentId": a.assessment_id,
                    "rubric": {"id": a.rubric.id, "version": a.rubric.version, "digest": a.rubric.digest},
                    "overallLevel": a.overall.level,
                    "overallScore": a.overall.score,
                },
                "results": results,
            }
        ],
    }
