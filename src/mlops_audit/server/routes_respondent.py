"""Respondent pages under /r/<token>: the questions routed to their roles, attachments, submission."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from starlette.datastructures import FormData

from mlops_audit.evidence.answers import Answer
from mlops_audit.evidence.questionnaire import htmlform
from mlops_audit.evidence.questionnaire.form import FormRow, describe_allowed, label, pick
from mlops_audit.rubric.model import QuestionType
from mlops_audit.server import assessing, campaigns, settings, uploads, web
from mlops_audit.server.campaigns import ClientError
from mlops_audit.server.db import Attachment
from mlops_audit.server.routes_assessor import _upload, download
from mlops_audit.util.jsonio import sha256_bytes

router = APIRouter()
MESSAGES = {
    "saving": ("保存中…", "saving…"),
    "saved": ("已保存", "saved"),
    "failed": ("保存失败，请重试", "not saved; try again"),
}


def options(row: FormRow, lang: str) -> list[dict[str, object]]:
    """The answer choices of a question, as the offline questionnaire page offers them (canonical values)."""
    if row.criterion.question.type is QuestionType.number:
        return []  # typed into a text field
    choices, _number = htmlform.answer_options(row, lang)
    return [{"value": o.value, "label": o.label, "selected": o.checked} for o in choices]


def proposal_view(criterion, findings: list, choices: list[dict[str, object]]) -> dict[str, object] | None:  # noqa: ANN001
    """What a detector proposes for an unanswered question (the questionnaire's pre-fill rule); the
    respondent confirms by choosing it. Never saved on their behalf."""
    from mlops_audit.evidence.questionnaire.prefill import propose

    proposed = propose(criterion, findings) if findings else None
    if proposed is None:
        return None
    shown = next((c["label"] for c in choices if c["value"] == str(proposed.value)), None) if proposed.value is not None else None
    return {"value": shown, "by": proposed.proposed_by, "evidence": list(proposed.evidence)}


@router.get("/r/{token}")
def respond_page(request: Request, token: str) -> Response:
    with web.transaction(request) as session:
        respondent = campaigns.resolve_token(session, token)
        campaign = campaigns.get_campaign(session, respondent.campaign_id)
        rubric = settings.rubric_of(request.app.state.rubric, campaign)
        campaigns.check_rubric(campaign, rubric)
        lang = request.query_params.get("lang") if request.query_params.get("lang") in campaigns.LANGS else respondent.lang
        saved = {row.criterion: row for row in campaigns.answers_of(session, respondent)}
        findings = assessing.campaign_findings(session, campaign)
        index = rubric.rubric.criterion_index()
        questions = []
        for criterion in campaigns.questions_for(rubric, respondent):
            row = saved.get(criterion.id)
            current = json.loads(row.value) if row else None
            domain, practice, _c = index[criterion.id]
            form_row = FormRow(domain, practice, criterion, Answer(criterion=criterion.id, value=current) if current is not None else None)
            choices = options(form_row, lang)
            questions.append(
                {
                    "id": criterion.id,
                    "level": criterion.level,
                    "practice": pick(practice.title, lang, " / "),
                    "text": pick(criterion.question.text, lang),
                    "help": pick(criterion.question.help, lang),
                    "allowed": describe_allowed(criterion, lang),
                    "options": choices,
                    "proposal": proposal_view(criterion, findings, choices) if row is None else None,
                    "number": "" if current is None else str(current),
                    "evidence": "\n".join(json.loads(row.evidence)) if row else "",
                    "comment": (row.comment or "") if row else "",
                    "version": row.version if row else "",
                }
            )
        attachments = session.scalars(select(Attachment).where(Attachment.respondent_id == respondent.id).order_by(Attachment.id)).all()
        meta = {
            "api": f"/api/respondents/{respondent.id}/answers/",
            "csrf": web.csrf_for(request),
            "messages": {k: label(zh, en, lang) for k, (zh, en) in MESSAGES.items()},
        }
        response = web.page(
            request,
            "respond.html.j2",
            title=f"{campaign.organisation} · " + label("MLOps 成熟度评估问卷", "MLOps maturity questionnaire", lang),
            lang=lang,
            respondent=respondent,
            roles=campaigns.roles_of(respondent),
            locked=respondent.submitted_at is not None,
            questions=questions,
            attachments=[{"id": a.id, "criterion": a.criterion, "filename": a.filename, "size": len(a.data)} for a in attachments],
            token=token,
            meta=meta,
        )
    response.set_cookie(web.RESPONDENT_COOKIE, token, httponly=True, samesite="strict", path="/api/respondents", max_age=campaigns.LINK_DAYS * 86400)
    return response


@router.post("/r/{token}/submit")
def submit(request: Request, token: str, form: FormData = Depends(web.checked_form)) -> Response:
    with web.transaction(request) as session:
        respondent = campaigns.resolve_token(session, token)
        campaigns.submit(session, respondent, actor=f"respondent:{respondent.pseudonym}")
    return RedirectResponse(f"/r/{token}", status_code=303)


@router.post("/r/{token}/attachments")
def attach(request: Request, token: str, form: FormData = Depends(web.checked_form)) -> Response:
    with web.transaction(request) as session:  # an unknown or withdrawn link gets 404/410, not a file check
        campaigns.resolve_token(session, token)
    upload = _upload(form, "file")
    criterion = web.form_text(form, "criterion")
    data = uploads.read_capped(upload.file, uploads.MAX_ATTACHMENT, upload.filename or "file")
    filename = (upload.filename or "attachment")[-200:]
    content_type = uploads.attachment_type(filename, data)
    with web.transaction(request) as session:
        respondent = campaigns.resolve_token(session, token)
        if respondent.submitted_at is not None:
            raise ClientError(409, "your answers are submitted and locked; ask the assessor to reopen them")
        rubric = settings.rubric_of(request.app.state.rubric, campaigns.get_campaign(session, respondent.campaign_id))
        if criterion not in {c.id for c in campaigns.questions_for(rubric, respondent)}:
            raise ClientError(422, f"criterion '{criterion}' is not one of your questions")
        campaign = campaigns.lock_campaign(session, respondent.campaign_id)
        digest = sha256_bytes(data)
        session.add(Attachment(respondent_id=respondent.id, criterion=criterion, filename=filename, content_type=content_type, sha256=digest, data=data, created_at=campaigns.now()))
        from mlops_audit.evidence import answers_log
        from mlops_audit.server import ledger

        ledger.append(
            session, campaign.id, action=answers_log.ATTACHMENT_ADDED, actor=f"respondent:{respondent.pseudonym}", role="respondent",
            params={"respondent": respondent.pseudonym, "criterion": criterion, "filename": filename, "sha256": digest},
        )
    return RedirectResponse(f"/r/{token}", status_code=303)


@router.get("/r/{token}/attachments/{attachment_id}")
def own_attachment(request: Request, token: str, attachment_id: int) -> Response:
    with web.transaction(request) as session:
        respondent = campaigns.resolve_token(session, token)
        item = session.get(Attachment, attachment_id)
        if item is None:
            raise ClientError(404, f"attachment {attachment_id} not found")
        if item.respondent_id != respondent.id:
            raise ClientError(403, "an invitation link reaches only its own respondent's attachments")
        return download(item.data, item.filename, item.content_type)
