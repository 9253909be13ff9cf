"""Caveats: everything a reader must know before trusting page 1.

A caveat is a plain statement with a severity (critical | warning | info), a message in both
languages and the criteria it concerns. The report's first page prints every caveat as a banner,
generically, whatever its kind; nothing about a kind lives in the templates.

The scoring engine computes the caveats of an assessment (scoring/caveats.py, stored in
`Assessment.caveats`); an assessment written before it did gets them recomputed here from its own
parts with the same function. The report adds what only it knows: the previous assessment it is
compared with (another rubric version, another organisation or scope). `caveats_for` is the one
entry point; every function here is pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from mlops_audit.report.i18n import LANGUAGES, messages
from mlops_audit.result.model import Assessment

Severity = Literal["critical", "warning", "info"]
SEVERITY_ORDER: dict[str, int] = {"critical": 0, "warning": 1, "info": 2}


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
    """The caveats only the report knows: those against the previous assessment."""
    return previous_caveats(a, previous)


def engine_caveats(a: Assessment) -> list[Caveat]:
    """The assessment's own caveats; recomputed with the engine's function when an assessment
    written before the engine stated them has none stored."""
    stored = list(a.caveats)
    if not stored:
        from mlops_audit.scoring.caveats import assessment_caveats

        stored = assessment_caveats(a.criteria, a.conflicts, a.overall.coverage, a.runs, a.waivers, [], a.repos)
    return [_from_model(c) for c in stored]


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
    """Every caveat for page 1, most severe first (stable within a severity)."""
    merged = engine_caveats(a) + derive_caveats(a, previous)
    return sorted(merged, key=lambda c: SEVERITY_ORDER.get(c.severity, 3))


__all__ = ["Caveat", "caveats_for", "derive_caveats", "describe_subject", "engine_caveats", "subject_of"]
