"""Caveats: everything a reader must know before trusting page 1, derived in ONE place.

A caveat is a plain statement with a severity (critical | warning | info), a message in both
languages and the criteria it concerns. The report's first page prints every caveat as a banner,
generically, whatever its kind; nothing about a kind lives in the templates.

`caveats_for(assessment, previous)` is the one entry point. When the Assessment itself carries
caveats (the scoring engine computes them, issue 17), those win for their kind and the ones
derived here fill in the kinds the engine does not state (e.g. the rubric change against a
previous assessment, which only the report knows about). Every function here is pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from mlops_audit.report.i18n import LANGUAGES, messages
from mlops_audit.result.model import Assessment
from mlops_audit.rubric.model import Outcome

Severity = Literal["critical", "warning", "info"]
SEVERITY_ORDER: dict[str, int] = {"critical": 0, "warning": 1, "info": 2}
COVERAGE_CRITICAL = 0.5  # below: most applicable criteria have no outcome at all
COVERAGE_WARNING = 0.8  # below: a fifth or more of applicable criteria have no outcome
UNSIGNED = ("absent", "invalid")  # RunRecord.signature as the trail verifier states it
CRITERIA_SHOWN = 6  # criteria named in a caveat's message (all of them stay in `criteria`)


@dataclass(frozen=True)
class Caveat:
    kind: str
    severity: Severity
    message: Mapping[str, str]  # language -> text
    criteria: tuple[str, ...] = field(default_factory=tuple)

    def text(self, lang: str) -> str:
        return self.message.get(lang) or self.message.get("en") or next(iter(self.message.values()), self.kind)


def _msg(key: str, **values: Any) -> dict[str, str]:
    """The caveat's message in every language, from the report catalogues (`caveat.<key>`)."""
    return {lang: messages(lang)(f"caveat.{key}", **values) for lang in LANGUAGES}


def _names(ids: Iterable[str]) -> str:
    ids = list(ids)
    shown = ", ".join(ids[:CRITERIA_SHOWN])
    return shown + (f" (+{len(ids) - CRITERIA_SHOWN})" if len(ids) > CRITERIA_SHOWN else "")


def _pct(value: float) -> str:
    return f"{value * 100:.0f}%"


def coverage_caveats(a: Assessment) -> list[Caveat]:
    assessed = any(c.outcome is not Outcome.not_assessed for c in a.criteria)
    if not assessed:
        return [Caveat("nothing_assessed", "critical", _msg("nothing_assessed"))]
    coverage = a.overall.coverage
    if coverage is None or coverage >= COVERAGE_WARNING:
        return []
    missing = tuple(c.id for c in a.criteria if c.applicable and c.outcome is Outcome.not_assessed)
    severity: Severity = "critical" if coverage < COVERAGE_CRITICAL else "warning"
    return [Caveat("low_coverage", severity, _msg("low_coverage", coverage=_pct(coverage), count=len(missing)), missing)]


def evidence_caveats(a: Assessment) -> list[Caveat]:
    out: list[Caveat] = []
    if a.conflicts:
        ids = tuple(dict.fromkeys(c.criterion for c in a.conflicts))
        out.append(Caveat("conflicts", "critical", _msg("conflicts", count=len(ids), ids=_names(ids)), ids))
    if a.unsubstantiated:
        ids = tuple(a.unsubstantiated)
        out.append(Caveat("unsubstantiated", "warning", _msg("unsubstantiated", count=len(ids), ids=_names(ids)), ids))
    return out


def waiver_caveats(a: Assessment) -> list[Caveat]:
    out: list[Caveat] = []
    expired = tuple(w.criterion for w in a.waivers if w.status == "expired")
    unknown = tuple(w.criterion for w in a.waivers if w.status == "unknown_criterion")
    if expired:
        out.append(Caveat("waivers_expired", "warning", _msg("waivers_expired", count=len(expired), ids=_names(expired)), expired))
    if unknown:
        out.append(Caveat("waivers_ignored", "critical", _msg("waivers_ignored", count=len(unknown), ids=_names(unknown)), unknown))
    return out


def run_caveats(a: Assessment) -> list[Caveat]:
    """Runs whose trail did not verify, that were not credited (issue 17), or that are unsigned."""
    out: list[Caveat] = []
    failed = [r.name for r in a.runs if not r.ok]
    if failed:
        out.append(Caveat("runs_failed", "critical", _msg("runs_failed", count=len(failed), names=_names(failed))))
    # `credited`/`reason` arrive with the engine's run binding (issue 17); absent means credited when ok.
    refused = [f"{r.name} ({getattr(r, 'reason', None) or '—'})" for r in a.runs if r.ok and getattr(r, "credited", True) is False]
    if refused:
        out.append(Caveat("runs_not_credited", "critical", _msg("runs_not_credited", count=len(refused), names=_names(refused))))
    unsigned = [
        r.name
        for r in a.runs
        if r.ok
        and getattr(r, "credited", True) is not False
        and (r.signature in UNSIGNED or getattr(r, "strength", None) == "evidenced")
    ]
    if unsigned:
        out.append(Caveat("runs_unsigned", "warning", _msg("runs_unsigned", count=len(unsigned), names=_names(unsigned))))
    return out


def routing_caveats(a: Assessment) -> list[Caveat]:
    """Answers from respondents holding none of the roles the question is asked of."""
    unrouted = [c for c in a.criteria if any(x.outcome is not None and not x.routed for x in c.answers)]
    if not unrouted:
        return []
    counted = tuple(c.id for c in unrouted if not any(x.outcome is not None and x.routed for x in c.answers))
    answers = sum(1 for c in unrouted for x in c.answers if x.outcome is not None and not x.routed)
    ids = tuple(c.id for c in unrouted)
    severity: Severity = "warning" if counted else "info"
    return [Caveat("unrouted_answers", severity, _msg("unrouted_answers", answers=answers, count=len(ids), counted=len(counted)), ids)]


def previous_caveats(a: Assessment, previous: Assessment | None) -> list[Caveat]:
    if previous is None:
        return []
    out: list[Caveat] = []
    if (previous.rubric.id, previous.rubric.version, previous.rubric.digest) != (a.rubric.id, a.rubric.version, a.rubric.digest):
        out.append(
            Caveat(
                "rubric_changed",
                "warning",
                _msg(
                    "rubric_changed",
                    old=f"{previous.rubric.id} {previous.rubric.version} ({previous.rubric.digest[:12]})",
                    new=f"{a.rubric.id} {a.rubric.version} ({a.rubric.digest[:12]})",
                ),
            )
        )
    if subject_of(previous) != subject_of(a):
        out.append(Caveat("previous_other_subject", "critical", _msg("previous_other_subject", old=describe_subject(previous), new=describe_subject(a))))
    return out


def subject_of(a: Assessment) -> tuple[str | None, str | None]:
    """Who and what an assessment is about: (organisation name, scope), None where unstated."""
    org = a.organisation
    return (org.name if org else None, org.scope if org else None)


def describe_subject(a: Assessment) -> str:
    name, scope = subject_of(a)
    return f"{name or '(organisation not named)'} / {scope or '(scope not stated)'}"


def derive_caveats(a: Assessment, previous: Assessment | None = None) -> list[Caveat]:
    """Every caveat computable from the assessment's existing fields (and the previous one)."""
    return (
        coverage_caveats(a)
        + evidence_caveats(a)
        + waiver_caveats(a)
        + run_caveats(a)
        + routing_caveats(a)
        + previous_caveats(a, previous)
    )


def _from_model(item: Any) -> Caveat:
    """A caveat the engine put in the Assessment (pydantic model or dict), in this module's shape."""
    data = item.model_dump(mode="json") if hasattr(item, "model_dump") else dict(item)
    message = data.get("message")
    if isinstance(message, str):
        message = {lang: message for lang in LANGUAGES}
    return Caveat(
        kind=str(data.get("kind", "caveat")),
        severity=data.get("severity", "warning"),
        message=dict(message or {}),
        criteria=tuple(data.get("criteria") or ()),
    )


def caveats_for(a: Assessment, previous: Assessment | None = None) -> list[Caveat]:
    """The engine's caveats (when the model has them) plus derived ones of kinds it does not state,
    most severe first (stable within a severity)."""
    stated = [_from_model(c) for c in (getattr(a, "caveats", None) or [])]
    kinds = {c.kind for c in stated}
    merged = stated + [c for c in derive_caveats(a, previous) if c.kind not in kinds]
    return sorted(merged, key=lambda c: SEVERITY_ORDER.get(c.severity, 3))


__all__ = ["Caveat", "caveats_for", "derive_caveats", "describe_subject", "subject_of"]
