"""Campaigns, respondents, invitation links and answers: the rules, independent of HTTP.

Every check of an answer is the questionnaire's own (`check_answer_value`, `canonical_value`,
`routed_to`), and a respondent's answers become an answers@1 `AnswerFile`, the model every CLI
command reads. Each change to an answer, each submission and reopening is appended to the
campaign's hash-chained log (`ledger`) in the same transaction as the change itself.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mlops_audit.evidence import answers_log
from mlops_audit.evidence.answers import (
    Answer,
    AnswerFile,
    Organisation,
    RosterEntry,
    RubricRef,
    check_answer_value,
)
from mlops_audit.evidence.answers import Respondent as RespondentModel
from mlops_audit.evidence.questionnaire.form import routed_to
from mlops_audit.evidence.questionnaire.validate import canonical_value
from mlops_audit.rubric.loader import LoadedRubric
from mlops_audit.rubric.model import Criterion
from mlops_audit.server import ledger
from mlops_audit.server.db import AnswerRow, Campaign, CampaignFile, Link, Respondent
from mlops_audit.server.security import new_token, token_hash
from mlops_audit.util.clock import isoformat
from mlops_audit.util.jsonio import sha256_bytes

LINK_DAYS = 30
MAX_COMMENT = 4000
MAX_EVIDENCE_ITEMS = 20
MAX_EVIDENCE_TEXT = 500
MAX_TEAMS = 50
PSEUDONYM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,119}$")
LANGS = ("zh", "en")


class ClientError(Exception):
    """A request the rules refuse: HTTP status and a message saying what was expected."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def now() -> datetime:
    # Wall-clock time for expiry and bookkeeping (never SOURCE_DATE_EPOCH: links must expire).
    return datetime.now(tz=UTC).replace(microsecond=0)


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything we store is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def lock_campaign(session: Session, campaign_id: int) -> Campaign:
    """The campaign, locked for writing until the transaction ends (PostgreSQL row lock; SQLite's
    BEGIN IMMEDIATE already serialises writers). Keeps the log's seq numbers from racing."""
    campaign = session.execute(select(Campaign).where(Campaign.id == campaign_id).with_for_update()).scalar_one_or_none()
    if campaign is None:
        raise ClientError(404, f"campaign {campaign_id} not found")
    return campaign


def get_campaign(session: Session, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise ClientError(404, f"campaign {campaign_id} not found")
    return campaign


def teams_of(campaign: Campaign) -> list[str]:
    return list(json.loads(campaign.teams or "[]"))


def roles_of(respondent: Respondent) -> list[str]:
    return list(json.loads(respondent.roles))


def _clean(text: str | None, what: str, limit: int) -> str | None:
    text = (text or "").strip()
    if len(text) > limit:
        raise ClientError(422, f"{what}: at most {limit} characters")
    return text or None


def create_campaign(session: Session, rubric: LoadedRubric, *, organisation: str, scope: str | None, teams: list[str], created_by: str) -> Campaign:
    name = _clean(organisation, "organisation", 200)
    if not name:
        raise ClientError(422, "organisation: the organisation's name is required")
    cleaned = list(dict.fromkeys(t for t in (_clean(t, "team", 200) for t in teams) if t))
    if len(cleaned) > MAX_TEAMS:
        raise ClientError(422, f"teams: at most {MAX_TEAMS}")
    campaign = Campaign(
        organisation=name,
        scope=_clean(scope, "scope", 500),
        rubric_id=rubric.rubric.id,
        rubric_version=rubric.rubric.version,
        rubric_digest=rubric.digest,
        teams=json.dumps(cleaned, ensure_ascii=False),
        created_by=created_by,
        created_at=now(),
    )
    session.add(campaign)
    session.flush()
    return campaign


def check_rubric(campaign: Campaign, rubric: LoadedRubric) -> None:
    """A campaign is answered and scored with the rubric version it was created with (combined with
    the campaign's regulator profiles, which name themselves in the version's build metadata)."""
    if (campaign.rubric_id, campaign.rubric_version) != (rubric.rubric.id, rubric.rubric.version.split("+")[0]):
        raise ClientError(
            409,
            f"campaign {campaign.id} uses rubric {campaign.rubric_id} {campaign.rubric_version}; this server has "
            f"{rubric.rubric.id} {rubric.rubric.version}. Export its answers and import them into a new campaign",
        )


def add_respondent(
    session: Session, rubric: LoadedRubric, campaign: Campaign, *, pseudonym: str, roles: list[str], team: str | None, lang: str = "zh"
) -> Respondent:
    pseudonym = (pseudonym or "").strip()
    if not PSEUDONYM.match(pseudonym):
        raise ClientError(422, "respondent id: a pseudonym of letters, digits and . _ - (at most 120), such as r-data-01; not a person's name")
    known = rubric.rubric.role_ids()
    roles = list(dict.fromkeys(r.strip() for r in roles if r.strip()))
    unknown = [r for r in roles if r not in known]
    if not roles or unknown:
        raise ClientError(422, f"roles: expected one or more of {', '.join(known)}" + (f"; unknown: {', '.join(unknown)}" if unknown else ""))
    team = _clean(team, "team", 200)
    teams = teams_of(campaign)
    if team and teams and team not in teams:
        raise ClientError(422, f"team: expected one of the campaign's teams ({', '.join(teams)})")
    if lang not in LANGS:
        raise ClientError(422, "language: expected zh or en")
    exists = session.scalar(select(Respondent.id).where(Respondent.campaign_id == campaign.id, Respondent.pseudonym == pseudonym))
    if exists is not None:
        raise ClientError(409, f"respondent id '{pseudonym}' is already in this campaign")
    respondent = Respondent(
        campaign_id=campaign.id, pseudonym=pseudonym, roles=json.dumps(roles), team=team, lang=lang, created_at=now()
    )
    session.add(respondent)
    session.flush()
    return respondent


def get_respondent(session: Session, campaign_id: int, respondent_id: int) -> Respondent:
    respondent = session.get(Respondent, respondent_id)
    if respondent is None or respondent.campaign_id != campaign_id:
        raise ClientError(404, f"respondent {respondent_id} not found in campaign {campaign_id}")
    return respondent


def revoke_links(session: Session, respondent: Respondent) -> int:
    result = session.execute(
        update(Link).where(Link.respondent_id == respondent.id, Link.revoked_at.is_(None)).values(revoked_at=now())
    )
    return result.rowcount or 0


def issue_link(session: Session, respondent: Respondent, days: int = LINK_DAYS) -> str:
    """A new invitation token (returned once, stored hashed); earlier links stop working."""
    revoke_links(session, respondent)
    token = new_token()
    session.add(Link(respondent_id=respondent.id, token_sha256=token_hash(token), expires_at=now() + timedelta(days=days), created_at=now()))
    return token


def resolve_token(session: Session, token: str) -> Respondent:
    """The respondent a link belongs to: 404 when unknown, 410 when revoked or expired."""
    if not token or len(token) > 100:
        raise ClientError(404, "unknown link")
    link = session.scalar(select(Link).where(Link.token_sha256 == token_hash(token)))
    if link is None:
        raise ClientError(404, "unknown link")
    if link.revoked_at is not None:
        raise ClientError(410, "this link was withdrawn; ask the assessor for a new one")
    if _aware(link.expires_at) <= now():
        raise ClientError(410, "this link has expired; ask the assessor for a new one")
    respondent = session.get(Respondent, link.respondent_id)
    assert respondent is not None  # foreign key
    return respondent


def questions_for(rubric: LoadedRubric, respondent: Respondent) -> list[Criterion]:
    roles = roles_of(respondent)
    return [c for _d, _p, c in rubric.rubric.criteria() if routed_to(c, roles)]


@dataclass
class AnswerInput:
    value: Any = None
    comment: str | None = None
    evidence: list[str] = field(default_factory=list)
    base_version: int | None = None  # the version the client last saw; None = "I saw no answer"


def _evidence(items: list[str]) -> list[str]:
    cleaned = [i.strip() for i in items if isinstance(i, str) and i.strip()]
    if len(cleaned) > MAX_EVIDENCE_ITEMS:
        raise ClientError(422, f"evidence: at most {MAX_EVIDENCE_ITEMS} links or references")
    for item in cleaned:
        if len(item) > MAX_EVIDENCE_TEXT:
            raise ClientError(422, f"evidence: each entry at most {MAX_EVIDENCE_TEXT} characters")
    return cleaned


def save_answer(
    session: Session, rubric: LoadedRubric, respondent: Respondent, criterion_id: str, given: AnswerInput, *, actor: str, role: str = "respondent"
) -> AnswerRow:
    """Validate and store one answer, append it to the log. 409 on a stale base_version or a submitted file."""
    campaign = lock_campaign(session, respondent.campaign_id)
    check_rubric(campaign, rubric)
    session.refresh(respondent)
    if respondent.submitted_at is not None:
        raise ClientError(409, "your answers are submitted and locked; ask the assessor to reopen them")
    index = rubric.rubric.criterion_index()
    if criterion_id not in index:
        raise ClientError(404, f"criterion '{criterion_id}' is not in rubric {rubric.rubric.id} {rubric.rubric.version}")
    criterion = index[criterion_id][2]
    if role == "respondent" and not routed_to(criterion, roles_of(respondent)):
        raise ClientError(403, f"criterion '{criterion_id}' is not asked of your roles ({', '.join(roles_of(respondent))})")
    value = given.value
    if isinstance(value, str) and value.strip() == "":
        value = None
    if isinstance(value, (dict, list)):
        raise ClientError(422, f"{criterion_id}: value must be a single answer, not a {type(value).__name__}")
    problem = check_answer_value(criterion.question, value)
    if problem:
        raise ClientError(422, f"{criterion_id}: '{value}': {problem}")
    canonical = canonical_value(criterion.question, value)
    comment = _clean(given.comment, f"{criterion_id}: comment", MAX_COMMENT)
    evidence = _evidence(list(given.evidence or []))

    row = session.scalar(select(AnswerRow).where(AnswerRow.respondent_id == respondent.id, AnswerRow.criterion == criterion_id))
    current = row.version if row else None
    if given.base_version != current:
        raise ClientError(
            409,
            f"{criterion_id}: this answer was changed elsewhere (version {current}, you edited version {given.base_version}); "
            "reload to see it before saving",
        )
    stored_value = json.dumps(canonical, ensure_ascii=False)
    stored_evidence = json.dumps(evidence, ensure_ascii=False)
    if row is not None and (row.value, row.comment, row.evidence) == (stored_value, comment, stored_evidence):
        return row  # nothing changed: no new version, no log line
    if row is None:
        row = AnswerRow(respondent_id=respondent.id, criterion=criterion_id, version=0)
        session.add(row)
    row.value, row.comment, row.evidence = stored_value, comment, stored_evidence
    row.version += 1
    row.updated_at = now()
    ledger.append(
        session,
        campaign.id,
        action=answers_log.ANSWER_SAVED,
        actor=actor,
        role=role,
        params={
            "respondent": respondent.pseudonym,
            "criterion": criterion_id,
            "value": canonical,
            "comment": comment,
            "evidence": evidence,
            "version": row.version,
        },
    )
    session.flush()
    return row


def submit(session: Session, respondent: Respondent, *, actor: str) -> None:
    campaign = lock_campaign(session, respondent.campaign_id)
    session.refresh(respondent)
    if respondent.submitted_at is not None:
        raise ClientError(409, "already submitted")
    respondent.submitted_at = now()
    ledger.append(session, campaign.id, action=answers_log.SUBMITTED, actor=actor, role="respondent", params={"respondent": respondent.pseudonym})


def reopen(session: Session, respondent: Respondent, *, actor: str) -> None:
    campaign = lock_campaign(session, respondent.campaign_id)
    session.refresh(respondent)
    if respondent.submitted_at is None:
        raise ClientError(409, f"respondent '{respondent.pseudonym}' has not submitted; nothing to reopen")
    respondent.submitted_at = None
    ledger.append(session, campaign.id, action=answers_log.REOPENED, actor=actor, role="assessor", params={"respondent": respondent.pseudonym})


def add_campaign_file(session: Session, campaign_id: int, *, kind: str, filename: str, data: bytes, actor: str) -> CampaignFile:
    """Store a file the assessment reads (run, key, evidence, waivers...), already checked by the
    caller, and append it (kind, name, digest) to the campaign's hash-chained log."""
    campaign = lock_campaign(session, campaign_id)
    item = CampaignFile(campaign_id=campaign.id, kind=kind, filename=filename, sha256=sha256_bytes(data), data=data, created_at=now())
    session.add(item)
    ledger.append(session, campaign.id, action=answers_log.CAMPAIGN_FILE_ADDED, actor=actor, role="assessor", params={"kind": kind, "filename": filename, "sha256": item.sha256})
    session.flush()
    return item


def answers_of(session: Session, respondent: Respondent) -> list[AnswerRow]:
    return list(session.scalars(select(AnswerRow).where(AnswerRow.respondent_id == respondent.id).order_by(AnswerRow.criterion)))


def answer_json(row: AnswerRow) -> dict[str, Any]:
    return {
        "criterion": row.criterion,
        "value": json.loads(row.value),
        "comment": row.comment,
        "evidence": json.loads(row.evidence),
        "version": row.version,
    }


def respondent_json(respondent: Respondent) -> dict[str, Any]:
    return {
        "id": respondent.id,
        "respondent": respondent.pseudonym,
        "roles": roles_of(respondent),
        "team": respondent.team,
        "lang": respondent.lang,
        "submitted": respondent.submitted_at is not None,
    }


def respondents_of(session: Session, campaign: Campaign) -> list[Respondent]:
    return list(session.scalars(select(Respondent).where(Respondent.campaign_id == campaign.id).order_by(Respondent.pseudonym)))


def roster(respondents: list[Respondent]) -> list[RosterEntry]:
    return [RosterEntry(person=r.pseudonym, roles=roles_of(r), team=r.team) for r in respondents]


def answers_by_respondent(session: Session, respondents: list[Respondent]) -> dict[int, list[AnswerRow]]:
    """Every answer of these respondents in one query, by respondent id, each list by criterion."""
    out: dict[int, list[AnswerRow]] = {r.id: [] for r in respondents}
    rows = session.scalars(select(AnswerRow).where(AnswerRow.respondent_id.in_(list(out))).order_by(AnswerRow.respondent_id, AnswerRow.criterion))
    for row in rows:
        out[row.respondent_id].append(row)
    return out


def answer_file(
    session: Session, rubric: LoadedRubric, campaign: Campaign, respondent: Respondent, everyone: list[Respondent], rows: list[AnswerRow] | None = None
) -> AnswerFile:
    """The respondent's answers as an answers@1 file (blank answers left out), the roster from the campaign."""
    answers = []
    order = {cid: i for i, cid in enumerate(rubric.rubric.criterion_index())}  # rubric order, as the CLI's files list them
    for row in sorted(answers_of(session, respondent) if rows is None else rows, key=lambda r: (order.get(r.criterion, len(order)), r.criterion)):
        value = json.loads(row.value)
        evidence = json.loads(row.evidence)
        if value is None and not row.comment and not evidence:
            continue
        answers.append(Answer(criterion=row.criterion, value=value, comment=row.comment, evidence=evidence))
    return AnswerFile(
        rubric=RubricRef(**rubric.ref),
        organisation=Organisation(name=campaign.organisation, scope=campaign.scope),
        respondent=RespondentModel(id=respondent.pseudonym, roles=roles_of(respondent), team=respondent.team),
        roster=roster(everyone),
        answered_at=isoformat(_aware(respondent.submitted_at)) if respondent.submitted_at else None,
        answers=answers,
    )


def import_answer_file(session: Session, rubric: LoadedRubric, campaign: Campaign, model: AnswerFile, *, actor: str) -> Respondent:
    """An answer file checked by the importer becomes (or updates) a respondent's answers. Answers to
    questions not asked of the respondent's roles are kept, as the CLI keeps them (the engine counts
    them only where no routed role answered); the respondent's page shows only their own questions."""
    if model.organisation.name != campaign.organisation:
        raise ClientError(422, f"the file is for organisation '{model.organisation.name}', the campaign for '{campaign.organisation}'")
    respondent = session.scalar(select(Respondent).where(Respondent.campaign_id == campaign.id, Respondent.pseudonym == model.respondent.id))
    if respondent is None:
        respondent = add_respondent(
            session, rubric, campaign, pseudonym=model.respondent.id, roles=list(model.respondent.roles), team=model.respondent.team
        )
    elif respondent.submitted_at is not None:
        raise ClientError(409, f"respondent '{respondent.pseudonym}' has submitted; reopen before importing over their answers")
    elif sorted(roles_of(respondent)) != sorted(model.respondent.roles):
        raise ClientError(422, f"respondent '{respondent.pseudonym}' holds roles {', '.join(roles_of(respondent))} here, the file says {', '.join(model.respondent.roles)}")
    index = rubric.rubric.criterion_index()
    for answer in model.answers:
        if not answer.confirmed:
            continue  # an unconfirmed detector proposal is nobody's answer (as in scoring)
        existing = session.scalar(select(AnswerRow.version).where(AnswerRow.respondent_id == respondent.id, AnswerRow.criterion == answer.criterion))
        save_answer(
            session,
            rubric,
            respondent,
            answer.criterion,
            AnswerInput(value=answer.value, comment=answer.comment, evidence=list(answer.evidence), base_version=existing),
            actor=actor,
            role="assessor",
        )
    return respondent
