"""The assessor's view of a campaign: completion by team and role, who is pending, what is contested."""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mlops_audit.evidence.questionnaire.merge import merge_answer_files
from mlops_audit.rubric.loader import LoadedRubric
from mlops_audit.server import campaigns
from mlops_audit.server.db import AnswerRow, Campaign


@dataclass
class Group:
    label: str
    respondents: int = 0
    submitted: int = 0
    answered: int = 0
    asked: int = 0


def summary(session: Session, rubric: LoadedRubric, campaign: Campaign, cache: LiveCache | None = None) -> dict[str, Any]:
    everyone = campaigns.respondents_of(session, campaign)
    answered_by: dict[int, set[str]] = {}
    for respondent_id, criterion, value in session.execute(
        select(AnswerRow.respondent_id, AnswerRow.criterion, AnswerRow.value).where(AnswerRow.respondent_id.in_([r.id for r in everyone]))
    ):
        if json.loads(value) is not None:
            answered_by.setdefault(respondent_id, set()).add(criterion)
    rows = []
    groups: dict[str, Group] = {}
    for r in everyone:
        questions = {c.id for c in campaigns.questions_for(rubric, r)}
        asked = len(questions)
        answered = len(answered_by.get(r.id, set()) & questions)  # imported answers outside their roles are not completion
        rows.append(
            {
                **campaigns.respondent_json(r),
                "pseudonym": r.pseudonym,
                "asked": asked,
                "answered": answered,
            }
        )
        keys = [f"team: {r.team or '—'}"] + [f"role: {role}" for role in campaigns.roles_of(r)]
        for key in keys:
            g = groups.setdefault(key, Group(key))
            g.respondents += 1
            g.submitted += r.submitted_at is not None
            g.answered += answered
            g.asked += asked
    return {
        "respondents": rows,
        "groups": [asdict(g) for g in sorted(groups.values(), key=lambda g: g.label)],
        "pending": [r.pseudonym for r in everyone if r.submitted_at is None],
        **disagreements(session, rubric, campaign, everyone, cache),
    }


def disagreements(session: Session, rubric: LoadedRubric, campaign: Campaign, everyone: list, cache: LiveCache | None) -> dict[str, Any]:  # noqa: ANN001
    """Contested criteria and live conflicts with evidence, kept while nothing they read has changed:
    the log head (every answer change appends to it), the respondents, the attached files and the
    assessment settings."""
    from mlops_audit.server import assessing, ledger

    attached = tuple((f.id, f.sha256) for kind in assessing.FILE_KINDS for f in assessing.campaign_files(session, campaign, kind))
    roster = tuple((r.id, r.pseudonym, r.team, tuple(campaigns.roles_of(r)), r.submitted_at is not None) for r in everyone)
    key = (ledger.head(session, campaign.id), attached, roster, rubric.ref["digest"], campaign.profiles, bool(campaign.accept_reference_runs))
    kept = cache.get(campaign.id, key) if cache else None
    if kept is not None:
        return kept
    files = campaigns_answer_files(session, rubric, campaign, everyone)
    contested = [row for row in merge_answer_files(files, rubric).table if row["contested"]] if files else []
    value = {
        "contested": [{"criterion": c["criterion"], "answers": c["answers"], "agreement": c["agreement"]} for c in contested],
        **live_conflicts(session, rubric, campaign),
    }
    if cache:
        cache.put(campaign.id, key, value)
    return value


class LiveCache:
    """Each campaign's contested criteria and live conflicts with the key they were computed for.
    Per server process; a miss (or another process) only costs a recompute."""

    def __init__(self) -> None:
        self._kept: dict[int, tuple[tuple, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def get(self, campaign_id: int, key: tuple) -> dict[str, Any] | None:
        with self._lock:
            kept = self._kept.get(campaign_id)
        return kept[1] if kept and kept[0] == key else None

    def put(self, campaign_id: int, key: tuple, value: dict[str, Any]) -> None:
        with self._lock:
            self._kept[campaign_id] = (key, value)


def live_conflicts(session: Session, rubric: LoadedRubric, campaign: Campaign) -> dict[str, Any]:
    """Answers contradicting the attached evidence as they stand now (every saved answer, submitted
    or not): the conflicts of the assessment `run_assessment` would make of them, never re-derived."""
    from mlops_audit.server import assessing

    try:
        live = assessing.live_assessment(session, rubric, campaign)
    except assessing.ClientError as exc:
        return {"conflicts": [], "conflicts_error": exc.message}
    conflicts = [] if live is None else live.conflicts
    return {
        "conflicts": [{"criterion": c.criterion, "kind": c.kind, "respondents": list(c.respondents), "detail": c.detail} for c in conflicts],
        "conflicts_error": None,
    }


def campaigns_answer_files(session: Session, rubric: LoadedRubric, campaign: Campaign, everyone: list) -> list:  # noqa: ANN001
    rows = campaigns.answers_by_respondent(session, everyone)
    files = [(r.pseudonym, campaigns.answer_file(session, rubric, campaign, r, everyone, rows[r.id])) for r in everyone]
    return [(name, f) for name, f in files if f.answers]
